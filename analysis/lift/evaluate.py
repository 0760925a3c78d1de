"""Train a scenario's model on a training split and measure the lift it earns on a held-out split.

One call, :func:`train_and_measure`, returns a typed :class:`LiftResult` saying which kind of lift it is:

- ``"uplift"`` when the data has a randomized treatment: a two-model (T-learner) or class-transformation
  uplift model, Qini / AUUC / uplift@k (scikit-uplift's definitions, :mod:`analysis.lift.metrics`) and incremental
  conversions.
- ``"targeting"`` when it has none: a response model, lift@k and the extra responders reached by targeting the
  top k instead of k customers at random.

**Several arms — the best-arm policy.** The headline scores each customer by the predicted uplift of their
best arm and targets the top k, each with that arm. It is evaluated on the test customers who received the arm
the model recommends for them, against the control; customers who received another arm say nothing about this
policy and are left out. This is unbiased when the arms were randomized in equal shares (with unequal shares
the customers of the most frequent arm weigh more: an assumption to state). ``per_arm`` gives each arm against
the control, the customers scored by that arm's predicted uplift.

Business figures are for targeting ``k`` of ``population`` customers (default: the test set's size); the
bootstrap interval resamples the test set with the model held fixed (it leaves out training variability).
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
from analysis.lift.models import (
    CLASSIFIER_KINDS,
    ClassTransformationUplift,
    ResponseModel,
    TwoModelUplift,
    make_classifier,
)

__all__ = ["LEARNERS", "LiftResult", "train_and_measure"]

#: Uplift meta-learners: a model per arm, or one model of the transformed class (binary treatment only).
LEARNERS = ("two_model", "class_transformation")


@dataclass(frozen=True)
class LiftResult:
    """What a scenario's model earns on the held-out customers.

    Counts (``incremental_*``) are for targeting a share ``k`` of ``population`` customers.
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
    model: str = ""  #: learner and classifier, e.g. "two_model/hgb"

    @property
    def share_of_oracle(self) -> float | None:
        """True incremental conversions achieved over the oracle's (synthetic data only)."""
        if self.true_incremental_conversions is None or not self.oracle_incremental_conversions:
            return None
        return self.true_incremental_conversions / self.oracle_incremental_conversions

    def to_dict(self) -> dict:
        """Plain JSON-ready values (no curve; ``nan`` becomes ``None``)."""
        data = asdict(self)
        data.pop("curve")
        data["per_arm"] = [{key: _plain(value) for key, value in arm.items()} for arm in self.per_arm]
        data["share_of_oracle"] = self.share_of_oracle
        return {key: (value if key == "per_arm" else _plain(value)) for key, value in data.items()}


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
    if model not in CLASSIFIER_KINDS:
        raise _fail("model", f"one of {CLASSIFIER_KINDS}", repr(model))
    if learner not in LEARNERS:
        raise _fail("learner", f"one of {LEARNERS}", repr(learner))
    private = model.startswith("dp_")
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


def _top_mean(values: np.ndarray, score: np.ndarray, k: float) -> float:
    take = int(len(score) * k)
    return float(values[np.argsort(score, kind="mergesort")[::-1][:take]].mean()) if take else float("nan")


def _true_uplift_matrix(true_uplift, arms, n):
    """Ground-truth uplift as ``(n, n_arms - 1)`` in the order of ``arms[1:]``."""
    if isinstance(true_uplift, dict):
        missing = [a for a in arms[1:] if a not in true_uplift]
        if missing:
            raise _fail("true_uplift_test", f"a mapping with every treatment arm {list(arms[1:])}",
                        f"{missing} missing")
        return np.column_stack([_vector(true_uplift[a], "true_uplift_test", n) for a in arms[1:]])
    array = np.asarray(true_uplift, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.shape[0] != n or array.shape[1] not in (len(arms) - 1, len(arms)):
        raise _fail("true_uplift_test",
                    f"(n,), (n, {len(arms) - 1}) or (n, {len(arms)}) with arms {list(arms)}",
                    f"shape {array.shape}")
    return array[:, -(len(arms) - 1):]  # with a control column (arms order), drop it


def train_and_measure(X_train, y_train, X_test, y_test, *, treatment_train=None, treatment_test=None,
                      control=None, model="hgb", learner="two_model", epsilon=None, bounds=None, k=0.3,
                      population=None, revenue_test=None, true_uplift_test=None, true_response_test=None,
                      n_boot=200, seed=0, threads=1):
    """Train the scenario's model and measure its lift on the test split.

    Parameters
    ----------
    X_train, X_test : 2-d arrays or polars frames of features (for DP models, scaled into ``bounds``).
    y_train, y_test : 0/1 outcomes.
    treatment_train, treatment_test : arm labels, or None for data without a randomized treatment.
    control : label of the control arm; default 0 / False / "control", whichever is present.
    model : {"hgb", "logistic", "dp_logistic", "dp_gaussian_nb"}
    learner : {"two_model", "class_transformation"} — the uplift meta-learner (the second: binary only).
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
    n_boot, seed : bootstrap resamples and seed (the model's seed too).
    threads : native threads (OpenMP / BLAS) the fit may use; None = the libraries' default (all cores).
        Default 1: on a busy 2-core machine two OpenMP threads per fit were measured 10× slower than one
        (bench/bench_models.py); scenarios are better run side by side than each on all cores (assumption).

    Returns
    -------
    (LiftResult, fitted model)

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((4000, 2)); t = rng.integers(0, 2, 4000)
    >>> y = (rng.random(4000) < 0.1 + 0.3 * t * X[:, 0]).astype(int)
    >>> result, _ = train_and_measure(X[:3000], y[:3000], X[3000:], y[3000:], treatment_train=t[:3000],
    ...                               treatment_test=t[3000:], model="logistic", n_boot=50)
    >>> result.kind, result.qini_auc > 0
    ('uplift', True)
    """
    _check_options(model, learner, epsilon, k, population, n_boot)
    if threads is not None and (not isinstance(threads, Integral) or threads < 1):
        raise _fail("threads", "an int >= 1 or None", repr(threads))
    with threadpool_limits(threads) if threads else nullcontext():
        return _train_and_measure(X_train, y_train, X_test, y_test, treatment_train, treatment_test, control,
                                  model, learner, epsilon, bounds, k, population, revenue_test,
                                  true_uplift_test, true_response_test, n_boot, seed)


def _train_and_measure(X_train, y_train, X_test, y_test, treatment_train, treatment_test, control, model,
                       learner, epsilon, bounds, k, population, revenue_test, true_uplift_test,
                       true_response_test, n_boot, seed):
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
    if model.startswith("dp_") and bounds is None:
        bounds = (np.zeros(X_train.shape[1]), np.ones(X_train.shape[1]))
    classifier = make_classifier(model, epsilon=epsilon, bounds=bounds, random_state=seed)
    options = dict(k=k, population=population, n_boot=n_boot, seed=seed)
    name = f"{learner}/{model}" if treatment_train is not None else f"response/{model}"
    common = dict(k=k, n_train=n_train, n_test=n_test, model=name)

    if treatment_train is None:
        if true_uplift_test is not None:
            raise _fail("true_uplift_test", "None without a treatment (give true_response_test)", "an array")
        fitted = ResponseModel(classifier).fit(X_train, y_train)
        score = fitted.predict_score(X_test)
        estimate, low, high = lift.bootstrap_incremental(y_test, score, **options)
        money = lift.bootstrap_incremental(revenue, score, **options) if revenue is not None else (None,) * 3
        truth = oracle = None
        if true_response_test is not None:
            p = _vector(true_response_test, "true_response_test", n_test)
            targeted = k * population
            truth = (_top_mean(p, score, k) - p.mean()) * targeted
            oracle = (_top_mean(p, p, k) - p.mean()) * targeted
        result = LiftResult(
            kind="targeting", qini_auc=None, uplift_auc=None, uplift_at_k=None,
            lift_at_k=lift.lift_at_k(y_test, score, k), incremental_conversions=estimate, ci_low=low,
            ci_high=high,
            incremental_revenue=money[0], revenue_ci_low=money[1], revenue_ci_high=money[2],
            true_incremental_conversions=truth, oracle_incremental_conversions=oracle,
            epsilon_spent=fitted.epsilon_spent_, per_arm=(), curve=lift.curve_frame("gains", y_test, score),
            **common)
        return result, fitted

    arms_train = _vector(treatment_train, "treatment_train", n_train, numeric=False)
    arms_test = _vector(treatment_test, "treatment_test", n_test, numeric=False)
    labels = np.unique(np.r_[arms_train, arms_test])
    control = _default_control(labels) if control is None else control
    if control not in labels.tolist():
        raise _fail("control", f"one of the treatment labels {labels.tolist()}", repr(control))
    arms = np.array([control, *[a for a in labels.tolist() if a != control]], dtype=labels.dtype)
    if learner == "class_transformation":
        if len(arms) != 2:
            raise _fail("learner", "'two_model' with several treatment arms", repr(learner))
        fitted = ClassTransformationUplift(classifier, random_state=seed).fit(
            X_train, y_train, (arms_train != control).astype(int))
    else:
        fitted = TwoModelUplift(classifier, arms=arms).fit(X_train, y_train, arms_train)
    uplift = fitted.predict_uplift(X_test)  # (n_test, n_arms - 1), columns = arms[1:]
    best = np.argmax(uplift, axis=1)
    best_score = uplift[np.arange(n_test), best]
    is_control = arms_test == control
    # best-arm policy: customers who got their recommended arm, against the control (module docstring)
    matched = is_control | (arms_test == arms[1:][best])
    treated = (~is_control).astype(np.float64)

    def measure(rows, score):
        y, t = y_test[rows], treated[rows]
        estimate, low, high = lift.bootstrap_incremental(y, score[rows], t, **options)
        return dict(qini_auc=lift.qini_auc_score(y, score[rows], t),
                    uplift_auc=lift.uplift_auc_score(y, score[rows], t),
                    uplift_at_k=lift.uplift_at_k(y, score[rows], t, "overall", k),
                    incremental_conversions=estimate, ci_low=low, ci_high=high)

    headline = measure(matched, best_score)
    money = (lift.bootstrap_incremental(revenue[matched], best_score[matched], treated[matched], **options)
             if revenue is not None else (None,) * 3)
    truth = oracle = None
    true_matrix = None
    if true_uplift_test is not None:
        true_matrix = _true_uplift_matrix(true_uplift_test, arms, n_test)
        targeted = k * population
        truth = _top_mean(true_matrix[np.arange(n_test), best], best_score, k) * targeted
        best_true = true_matrix.max(axis=1)
        oracle = _top_mean(best_true, best_true, k) * targeted
    per_arm = []
    for column, arm in enumerate(arms[1:]):
        rows = is_control | (arms_test == arm)
        entry = {"arm": _plain(arm), **measure(rows, uplift[:, column])}
        if true_matrix is not None:
            true_mean = _top_mean(true_matrix[:, column], uplift[:, column], k)
            entry["true_incremental_conversions"] = true_mean * k * population
        per_arm.append(entry)
    result = LiftResult(
        kind="uplift", lift_at_k=None, incremental_revenue=money[0], revenue_ci_low=money[1],
        revenue_ci_high=money[2], true_incremental_conversions=truth, oracle_incremental_conversions=oracle,
        epsilon_spent=fitted.epsilon_spent_, per_arm=tuple(per_arm),
        curve=lift.curve_frame("qini", y_test[matched], best_score[matched], treated[matched]),
        **headline, **common)
    return result, fitted
