"""Train a scenario's model on a training split and measure the lift it earns on a held-out split.

One call, :func:`train_and_measure`, returns a typed :class:`LiftResult` saying which kind of lift it is:

- ``"uplift"`` when the data has a randomized treatment: an uplift learner (S-, T-, X-, DR-learner or class
  transformation, :mod:`analysis.lift.learners`), Qini / AUUC / uplift@k (scikit-uplift's definitions,
  :mod:`analysis.lift.metrics`) with the Qini's bootstrap interval, incremental conversions and revenue.
- ``"targeting"`` when it has none: a response model, lift@k and the extra responders reached by targeting the
  top k instead of k customers at random.

**Which learner.** ``model="auto"`` chooses the learner and its base model (logistic regression or gradient
boosting) by cross-validated Qini on the training split only (:mod:`analysis.lift.selection`), then trains the
chosen one on the whole training split; the result names it and gives every candidate's cross-validated score
(``selection``). ``"logistic"`` / ``"hgb"`` fix the base model and ``learner`` the learner (default T-learner).
The differentially private models (``"dp_logistic"``, ``"dp_gaussian_nb"``, diffprivlib) are never selected
among: each candidate fitted during a cross-validation would spend privacy budget on the same customers, so a
DP scenario keeps its diffprivlib T-learner (or class transformation) and says so (``model_note``).

**Several arms — the best-arm policy** is the headline (:mod:`analysis.lift.policy`): each customer targeted
with the arm of highest predicted uplift, measured on the customers who received it against the control, with
the expected response under the policy (Zhao et al. 2017); ``per_arm`` gives each arm against the control and
``arm_curves`` each arm's Qini curve.

Business figures are for targeting ``k`` of ``population`` customers (default: the test set's size); the
bootstrap intervals resample the test set with the model held fixed (they leave out training variability).
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from numbers import Integral, Real

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from analysis.errors import must_be
from analysis.lift import metrics as lift
from analysis.lift.bootstrap import bootstrap_incremental
from analysis.lift.learners import build_learner, family_classifier
from analysis.lift.models import (
    CLASSIFIER_KINDS,
    ClassTransformationUplift,
    ResponseModel,
    TwoModelUplift,
    make_classifier,
)
from analysis.lift.policy import measure_policy, top_mean
from analysis.lift.remember import remember_predictions
from analysis.lift.selection import select_learner, select_response_model

__all__ = ["LEARNERS", "MODELS", "LiftResult", "train_and_measure"]

#: uplift learners a fixed model can use ("two_model" is the T-learner's former name)
LEARNERS = ("t_learner", "s_learner", "x_learner", "dr_learner", "class_transformation", "two_model")
#: what ``model`` accepts: "auto" (selection) or a classifier kind
MODELS = ("auto", *CLASSIFIER_KINDS)
#: learners a differentially private classifier can be used in (the others fit non-private second stages)
PRIVATE_LEARNERS = ("t_learner", "class_transformation")


@dataclass(frozen=True)
class LiftResult:
    """What a scenario's model earns on the held-out customers.

    Counts (``incremental_*``) are for targeting a share ``k`` of ``population`` customers. With several arms
    the headline figures (Qini, uplift@k, incremental conversions) are the best-arm policy's.
    """

    kind: str  #: "uplift" (randomized treatment) or "targeting" (no treatment: response lift)
    k: float  #: share of customers targeted
    qini_auc: float | None  #: normalized Qini coefficient (uplift kind; scikit-uplift's qini_auc_score)
    uplift_auc: float | None  #: normalized area under the uplift curve (uplift kind)
    uplift_at_k: float | None  #: response rate treated − control in the top k (uplift kind, 'overall')
    lift_at_k: float | None  #: response rate of the top k over the base rate (targeting kind)
    incremental_conversions: float  #: uplift: caused by the campaign; targeting: extra over random targeting
    ci_low: float  #: bootstrap percentile interval of incremental_conversions
    ci_high: float
    incremental_revenue: float | None  #: the same with the revenue as outcome, when given
    revenue_ci_low: float | None
    revenue_ci_high: float | None
    true_incremental_conversions: float | None  #: from the ground truth of the customers the model targets
    oracle_incremental_conversions: float | None  #: targeting the top k by the true uplift (best possible)
    epsilon_spent: float | None  #: ε of differential privacy spent by the fit (None when not private)
    per_arm: tuple[dict, ...]  #: each treatment arm against the control
    curve: pl.DataFrame = field(repr=False, compare=False)  #: qini (uplift) or gains (targeting) curve_frame
    n_train: int = 0
    n_test: int = 0
    model: str = ""  #: learner and base model, e.g. "x_learner/logistic" or "t_learner/dp_logistic"
    qini_ci_low: float | None = None  #: bootstrap percentile interval of qini_auc (uplift kind)
    qini_ci_high: float | None = None
    qini_description: str | None = None  #: the Qini in words, with its interval (analysis.lift.wording)
    #: expected response rate if the top k get their best arm and the others nothing, and with no contact
    #: (inverse probability weighting with the arms' test shares; Zhao et al. 2017) — uplift kind
    policy_response_rate: float | None = None
    control_response_rate: float | None = None
    true_incremental_revenue: float | None = None  #: from a ground-truth revenue uplift, when given
    #: how the learner was chosen (analysis.lift.selection.Selection.to_dict), None for a fixed model
    selection: dict | None = None
    model_note: str = ""  #: why no selection ran (differential privacy), when it did not
    #: each treatment arm's Qini curve (curve_frame columns and "arm"); None without a treatment
    arm_curves: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def share_of_oracle(self) -> float | None:
        """True incremental conversions achieved over the oracle's (synthetic data only)."""
        if self.true_incremental_conversions is None or not self.oracle_incremental_conversions:
            return None
        return self.true_incremental_conversions / self.oracle_incremental_conversions

    def to_dict(self) -> dict:
        """Plain JSON-ready values (no curves; ``nan`` becomes ``None``)."""
        data = asdict(self)
        data.pop("curve")
        data.pop("arm_curves")
        data["per_arm"] = [{key: _plain(value) for key, value in arm.items()} for arm in self.per_arm]
        data["share_of_oracle"] = self.share_of_oracle
        return {key: (value if key in ("per_arm", "selection") else _plain(value)) for key, value in data.items()}


def _plain(value):
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _fail(name: str, what: str, got: object) -> ValueError:
    return ValueError(must_be(name, "train_and_measure", what, got, show=str))


def _matrix(X, name: str) -> np.ndarray:
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise _fail(name, "a 2-d array (customers × features)", f"shape {X.shape}")
    return X


def _vector(values, name: str, n: int, *, numeric: bool = True) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or len(array) != n:
        raise _fail(name, f"a 1-d array of {n} values", f"shape {array.shape}")
    return array.astype(np.float64) if numeric else array


def _check_options(model, learner, epsilon, k, population, n_boot):
    if model not in MODELS:
        raise _fail("model", f"one of {MODELS}", repr(model))
    if learner is not None and learner not in LEARNERS:
        raise _fail("learner", f"one of {LEARNERS} or None", repr(learner))
    if model == "auto" and learner is not None:
        raise _fail("learner", "None with model='auto' (the selection chooses it)", repr(learner))
    private = model.startswith("dp_")
    if private and learner not in (None, "two_model", *PRIVATE_LEARNERS):
        raise _fail("learner", f"one of {PRIVATE_LEARNERS} for the private model '{model}'", repr(learner))
    if private and (not isinstance(epsilon, Real) or isinstance(epsilon, bool) or epsilon <= 0):
        raise _fail("epsilon", f"a float > 0 for the private model '{model}'", repr(epsilon))
    if not private and epsilon is not None:
        raise _fail("epsilon", f"None for the non-private model '{model}'", repr(epsilon))
    if not isinstance(k, Real) or isinstance(k, (bool, Integral)) or not 0 < k < 1:
        raise _fail("k", "a float share in (0, 1)", repr(k))
    if population is not None and (not isinstance(population, Real) or population <= 0):
        raise _fail("population", "a number of customers > 0", repr(population))
    if not isinstance(n_boot, Integral) or n_boot < 2:
        raise _fail("n_boot", "an int >= 2", repr(n_boot))


def _default_control(labels: np.ndarray):
    for candidate in (0, False, "control"):
        if any(label == candidate for label in labels.tolist()):
            return candidate
    raise _fail("control", f"the control label (one of {labels.tolist()})", "None")


def _true_matrix(true_uplift, arms, n, name="true_uplift_test"):
    """Ground-truth uplift as ``(n, n_arms - 1)`` in the order of ``arms[1:]``."""
    if isinstance(true_uplift, dict):
        missing = [a for a in arms[1:] if a not in true_uplift]
        if missing:
            raise _fail(name, f"a mapping with every treatment arm {list(arms[1:])}", f"{missing} missing")
        return np.column_stack([_vector(true_uplift[a], name, n) for a in arms[1:]])
    array = np.asarray(true_uplift, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.shape[0] != n or array.shape[1] not in (len(arms) - 1, len(arms)):
        raise _fail(name, f"(n,), (n, {len(arms) - 1}) or (n, {len(arms)}) with arms {list(arms)}",
                    f"shape {array.shape}")
    return array[:, -(len(arms) - 1):]  # with a control column (arms order), drop it


def _dp_note(model, epsilon) -> str:
    kind = {"dp_logistic": "logistic regression", "dp_gaussian_nb": "Gaussian naive Bayes"}[model]
    return (f"Differentially private (diffprivlib {kind}, ε = {epsilon:g}): no learner selection, because every "
            "candidate fitted during a cross-validation would spend privacy budget on the same customers.")


def train_and_measure(X_train, y_train, X_test, y_test, *, treatment_train=None, treatment_test=None,
                      control=None, model="hgb", learner=None, epsilon=None, bounds=None, k=0.3,
                      population=None, revenue_test=None, true_uplift_test=None, true_response_test=None,
                      true_revenue_uplift_test=None, n_boot=200, seed=0, threads=1, selection_cache=None):
    """Train the scenario's model and measure its lift on the test split.

    Parameters
    ----------
    X_train, X_test : 2-d arrays or polars frames of features (for DP models, scaled into ``bounds``).
    y_train, y_test : 0/1 outcomes.
    treatment_train, treatment_test : arm labels, or None for data without a randomized treatment.
    control : label of the control arm; default 0 / False / "control", whichever is present.
    model : {"auto", "hgb", "logistic", "dp_logistic", "dp_gaussian_nb"}
        ``"auto"`` chooses learner and base model by cross-validated Qini on the training split (response
        model by cross-validated gains without a treatment); the others fix the base model.
    learner : {"t_learner", "s_learner", "x_learner", "dr_learner", "class_transformation"}, optional
        The uplift learner of a fixed model (default T-learner; the DP models: T-learner or class
        transformation). None with ``"auto"``.
    epsilon : ε for the ``dp_`` models.
    bounds : (lower, upper) feature bounds from the data dictionary; default (0, 1) for every feature — the
        lead's feature matrices are scaled into [0, 1] with dictionary bounds; features are clipped into them.
    k : share of customers targeted.
    population : customers the business targets from (default: the test set's size).
    revenue_test : amount per test customer, for incremental revenue.
    true_uplift_test : ground-truth uplift per test customer: (n,), (n, n_arms − 1) in arm order
        (treatment labels sorted), (n, n_arms) with the control first, or a mapping arm → (n,). Uplift kind.
    true_response_test : ground-truth response probability per test customer (targeting kind): the true
        figure is then the extra responders over random targeting.
    true_revenue_uplift_test : ground-truth revenue uplift (expected amount) per test customer and arm, as
        ``true_uplift_test``: gives ``true_incremental_revenue``.
    n_boot, seed : bootstrap resamples and seed (the models', the selection's folds too).
    threads : native threads (OpenMP / BLAS) the fit may use; None = the libraries' default (all cores).
        Default 1: on a busy 2-core machine two OpenMP threads per fit were measured 10× slower than one
        (bench/bench_models.py); scenarios are better run side by side than each on all cores (assumption).
    selection_cache : mutable mapping, optional — choices of ``"auto"`` already made (see
        :func:`analysis.lift.selection.select_learner`).

    Returns
    -------
    (LiftResult, fitted model) — the model remembers its predictions on ``X_test`` (:mod:`analysis.lift.remember`)

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((4000, 2)); t = rng.integers(0, 2, 4000)
    >>> y = (rng.random(4000) < 0.1 + 0.3 * t * X[:, 0]).astype(int)
    >>> result, _ = train_and_measure(X[:3000], y[:3000], X[3000:], y[3000:], treatment_train=t[:3000],
    ...                               treatment_test=t[3000:], model="logistic", n_boot=50)
    >>> result.kind, result.qini_auc > 0, result.qini_ci_low < result.qini_auc < result.qini_ci_high
    ('uplift', True, True)
    """
    _check_options(model, learner, epsilon, k, population, n_boot)
    if threads is not None and (not isinstance(threads, Integral) or threads < 1):
        raise _fail("threads", "an int >= 1 or None", repr(threads))
    learner = "t_learner" if learner in (None, "two_model") else learner
    with threadpool_limits(threads) if threads else nullcontext():
        return _train_and_measure(X_train, y_train, X_test, y_test, treatment_train, treatment_test, control,
                                  model, learner, epsilon, bounds, k, population, revenue_test,
                                  true_uplift_test, true_response_test, true_revenue_uplift_test, n_boot, seed,
                                  selection_cache)


def _train_and_measure(X_train, y_train, X_test, y_test, treatment_train, treatment_test, control, model,
                       learner, epsilon, bounds, k, population, revenue_test, true_uplift_test,
                       true_response_test, true_revenue_uplift_test, n_boot, seed, selection_cache):
    X_train, X_test = _matrix(X_train, "X_train"), _matrix(X_test, "X_test")
    if X_train.shape[1] != X_test.shape[1]:
        raise _fail("X_test", f"{X_train.shape[1]} features like X_train", f"{X_test.shape[1]}")
    n_train, n_test = len(X_train), len(X_test)
    y_train = _vector(y_train, "y_train", n_train)
    y_test = _vector(y_test, "y_test", n_test)
    for name, values in (("y_train", y_train), ("y_test", y_test)):
        if not np.isin(values, (0, 1)).all():
            raise _fail(name, "0/1 outcomes", f"values {np.unique(values)[:5]}")
    if (treatment_train is None) != (treatment_test is None):
        raise _fail("treatment_test", "given together with treatment_train", "only one of them")
    revenue = None if revenue_test is None else _vector(revenue_test, "revenue_test", n_test)
    population = float(n_test if population is None else population)
    private = model.startswith("dp_")
    if private and bounds is None:
        bounds = (np.zeros(X_train.shape[1]), np.ones(X_train.shape[1]))
    classifier = None
    if model != "auto":
        classifier = make_classifier(model, epsilon=epsilon, bounds=bounds, random_state=seed)
    common = dict(k=k, n_train=n_train, n_test=n_test, model_note=_dp_note(model, epsilon) if private else "")

    if treatment_train is None:
        if true_uplift_test is not None:
            raise _fail("true_uplift_test", "None without a treatment (give true_response_test)", "an array")
        selection = None
        if model == "auto":
            selection = select_response_model(X_train, y_train.astype(np.int64), seed=seed, cache=selection_cache)
            classifier = family_classifier(selection.chosen.split("/")[1], random_state=seed)
        fitted = remember_predictions(ResponseModel(classifier).fit(X_train, y_train), X_test)
        score = fitted.predict_score(X_test)
        options = dict(k=k, population=population, n_boot=n_boot, seed=seed)
        estimate, low, high = bootstrap_incremental(y_test, score, **options)
        money = bootstrap_incremental(revenue, score, **options) if revenue is not None else (None,) * 3
        truth = oracle = None
        if true_response_test is not None:
            p = _vector(true_response_test, "true_response_test", n_test)
            truth = (top_mean(p, score, k) - p.mean()) * k * population
            oracle = (top_mean(p, p, k) - p.mean()) * k * population
        result = LiftResult(
            kind="targeting", qini_auc=None, uplift_auc=None, uplift_at_k=None,
            lift_at_k=lift.lift_at_k(y_test, score, k), incremental_conversions=estimate, ci_low=low,
            ci_high=high, incremental_revenue=money[0], revenue_ci_low=money[1], revenue_ci_high=money[2],
            true_incremental_conversions=truth, oracle_incremental_conversions=oracle,
            epsilon_spent=fitted.epsilon_spent_, per_arm=(), curve=lift.curve_frame("gains", y_test, score),
            model=selection.chosen if selection else f"response/{model}",
            selection=None if selection is None else selection.to_dict(), **common)
        return result, fitted

    arms_train = _vector(treatment_train, "treatment_train", n_train, numeric=False)
    arms_test = _vector(treatment_test, "treatment_test", n_test, numeric=False)
    labels = np.unique(np.r_[arms_train, arms_test])
    control = _default_control(labels) if control is None else control
    if control not in labels.tolist():
        raise _fail("control", f"one of the treatment labels {labels.tolist()}", repr(control))
    arms = np.array([control, *[a for a in labels.tolist() if a != control]], dtype=labels.dtype)
    selection = None
    if model == "auto":
        selection = select_learner(X_train, y_train.astype(np.int64), arms_train, arms=arms, seed=seed,
                                   cache=selection_cache)
        name = selection.chosen
        fitted = build_learner(name, arms=arms, random_state=seed)
    elif learner == "t_learner":
        name, fitted = f"t_learner/{model}", TwoModelUplift(classifier, arms=arms)
    elif learner == "class_transformation":
        name = f"class_transformation/{model}"
        fitted = ClassTransformationUplift(classifier, arms=arms, random_state=seed)
    else:
        name, fitted = f"{learner}/{model}", build_learner(f"{learner}/{model}", arms=arms, random_state=seed)
    remember_predictions(fitted.fit(X_train, y_train.astype(np.int64), arms_train), X_test)
    uplift = fitted.predict_uplift(X_test)  # (n_test, n_arms - 1), columns = arms[1:]
    true_matrix = None if true_uplift_test is None else _true_matrix(true_uplift_test, arms, n_test)
    true_money = (None if true_revenue_uplift_test is None else
                  _true_matrix(true_revenue_uplift_test, arms, n_test, "true_revenue_uplift_test"))
    figures = measure_policy(uplift, y_test, arms_test, arms, k=k, population=population, revenue=revenue,
                             true_uplift=true_matrix, true_revenue=true_money, n_boot=n_boot, seed=seed)
    result = LiftResult(kind="uplift", lift_at_k=None, epsilon_spent=fitted.epsilon_spent_, model=name,
                        selection=None if selection is None else selection.to_dict(), **figures, **common)
    return result, fitted
