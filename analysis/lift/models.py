"""The models a business would train for personalization: uplift meta-learners, a response model, and the
classifiers inside them (scikit-learn, or diffprivlib for differential privacy).

All follow the scikit-learn contract: ``__init__`` only stores its arguments, ``fit`` returns ``self``,
learned state ends in ``_``. Uplift models return ``predict_uplift(X)`` of shape ``(n, n_arms - 1)``: the
predicted change in response probability of each treatment arm against the control, in the order of
``arms_[1:]``.

Differential privacy (REFERENCES.md §3): :class:`PrivateClassifier` wraps diffprivlib's ``LogisticRegression``
or ``GaussianNB``. Its feature bounds and row norm come from the caller (the data dictionary), never from the
data; features are clipped into the bounds before fitting, so the guarantee holds whatever the data holds.
Each fit records the ε it spent through its own ``diffprivlib.BudgetAccountant``. A two-model learner trains
one model per arm on disjoint rows, so by parallel composition its ``epsilon_spent_`` is the largest of its
models' (= the ε asked for), not their sum.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.random((2000, 3)); t = rng.integers(0, 2, 2000)
>>> y = (rng.random(2000) < 0.2 + 0.3 * t * X[:, 0]).astype(int)
>>> model = TwoModelUplift(make_classifier("logistic")).fit(X, y, t)
>>> model.predict_uplift(X[:2]).shape
(2, 1)
"""

from __future__ import annotations

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from diffprivlib import BudgetAccountant
from diffprivlib.models import GaussianNB as _DPGaussianNB
from diffprivlib.models import LogisticRegression as _DPLogisticRegression
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression

from analysis.errors import must_be

__all__ = [
    "CLASSIFIER_KINDS",
    "make_classifier",
    "make_regressor",
    "check_arms",
    "PrivateClassifier",
    "TwoModelUplift",
    "ClassTransformationUplift",
    "ResponseModel",
]

#: Classifiers :func:`make_classifier` builds; the ``dp_`` ones are differentially private (diffprivlib).
CLASSIFIER_KINDS = ("hgb", "logistic", "dp_logistic", "dp_gaussian_nb")

# Histogram gradient boosting settings: an assumption chosen for speed (≈0.5 s on 70k × 30 on 2 cores), not
# tuned; scikit-learn's defaults are max_iter=100, learning_rate=0.1, max_leaf_nodes=31, early stopping on
# above 10k rows (scikit-learn 1.7 docs, 2025).
HGB_SETTINGS = {"max_iter": 100, "learning_rate": 0.1, "max_leaf_nodes": 15, "early_stopping": False}
# Logistic regression: scikit-learn's defaults (L2, C=1) with more iterations so lbfgs converges (assumption).
LOGISTIC_SETTINGS = {"C": 1.0, "max_iter": 1000}
# The candidates of the learner selection (analysis.lift.selection) boost with early stopping instead: up to 200
# rounds, stopped when the log-loss on a 10 % validation part has not improved for 5 rounds (scikit-learn's
# n_iter_no_change is 10; 5 is an assumption chosen for speed). The number of rounds is thus chosen per fit.
HGB_EARLY_STOPPING = {"max_iter": 200, "learning_rate": 0.2, "max_leaf_nodes": 7, "early_stopping": True,
                      "n_iter_no_change": 5, "validation_fraction": 0.1}
# Below these sizes a fit boosts a fixed 30 rounds without early stopping (a 10 % validation part would hold
# too few responders to stop on; assumption).
EARLY_STOPPING_MIN_ROWS, EARLY_STOPPING_MIN_CLASS = 400, 20
# Regressors of the second stage of the X- and DR-learners (effects are noisy differences of outcomes):
# ridge regression for the linear family (alpha = 1 on features in [0, 1]), early-stopped boosting with leaves
# of at least 50 customers for the boosting family (assumptions).
RIDGE_ALPHA = 1.0
HGB_REGRESSOR_SETTINGS = {**HGB_EARLY_STOPPING, "min_samples_leaf": 50}


def _fail(name: str, where: str, what: str, got: object) -> ValueError:
    return ValueError(must_be(name, where, what, got, show=str))


def _matrix(X, where: str) -> np.ndarray:
    if hasattr(X, "to_numpy"):  # polars / pandas frames
        X = X.to_numpy()
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise _fail("X", where, "a 2-d array (customers × features)", f"shape {X.shape}")
    return X


def _check_bounds(bounds, where: str):
    if bounds is None:
        return None
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise _fail("bounds", where, "a (lower, upper) pair of numbers or arrays", repr(bounds))
    lower, upper = np.asarray(bounds[0], dtype=np.float64), np.asarray(bounds[1], dtype=np.float64)
    if np.any(lower >= upper):
        raise _fail("bounds", where, "a (lower, upper) pair with lower < upper", repr(bounds))
    return lower, upper


def make_classifier(kind="hgb", *, epsilon=None, bounds=None, data_norm=None, random_state=0):
    """Build the classifier a scenario trains.

    Parameters
    ----------
    kind : {"hgb", "logistic", "dp_logistic", "dp_gaussian_nb"}
        Histogram gradient boosting or logistic regression (scikit-learn), or diffprivlib's differentially
        private logistic regression / Gaussian naive Bayes.
    epsilon : float, optional
        Privacy budget ε > 0 of one fit; required for the ``dp_`` kinds, refused for the others.
    bounds : (lower, upper), optional
        Feature bounds from the data dictionary (numbers or one value per feature). Required for
        ``dp_gaussian_nb``; for ``dp_logistic`` either ``bounds`` or ``data_norm``.
    data_norm : float, optional
        Largest L2 norm of a row, for ``dp_logistic``; derived from ``bounds`` when not given.
    random_state : int
        Seed.

    Example
    -------
    >>> make_classifier("dp_logistic", epsilon=1.0, bounds=(0.0, 1.0)).kind
    'logistic'
    """
    where = "make_classifier"
    if kind not in CLASSIFIER_KINDS:
        raise _fail("kind", where, f"one of {CLASSIFIER_KINDS}", repr(kind))
    private = kind.startswith("dp_")
    if private:
        if not isinstance(epsilon, Real) or isinstance(epsilon, bool) or not epsilon > 0:
            raise _fail("epsilon", where, f"a float > 0 for kind '{kind}'", repr(epsilon))
        bounds = _check_bounds(bounds, where)
        if bounds is None and (kind == "dp_gaussian_nb" or data_norm is None):
            raise _fail("bounds", where, f"feature bounds from the data dictionary for kind '{kind}' "
                        "(bounds read from the data would leak privacy)", "None")
        if data_norm is not None and (not isinstance(data_norm, Real) or not data_norm > 0):
            raise _fail("data_norm", where, "a float > 0", repr(data_norm))
        return PrivateClassifier(kind=kind[3:], epsilon=float(epsilon), bounds=bounds, data_norm=data_norm,
                                 random_state=random_state)
    if epsilon is not None:
        raise _fail("epsilon", where, f"None for the non-private kind '{kind}'", repr(epsilon))
    if kind == "hgb":
        return HistGradientBoostingClassifier(**HGB_SETTINGS, random_state=random_state)
    return LogisticRegression(**LOGISTIC_SETTINGS, random_state=random_state)


def make_regressor(family="hgb", *, random_state=0):
    """The regressor of an X- or DR-learner's second stage: ``"logistic"`` family → ridge regression,
    ``"hgb"`` → early-stopped histogram gradient boosting (settings above)."""
    from sklearn.linear_model import Ridge

    if family == "hgb":
        return HistGradientBoostingRegressor(**HGB_REGRESSOR_SETTINGS, random_state=random_state)
    if family == "logistic":
        return Ridge(alpha=RIDGE_ALPHA)
    raise _fail("family", "make_regressor", "'logistic' or 'hgb'", repr(family))


def check_arms(treatment, arms, where: str) -> np.ndarray:
    """The arms of a fit, control first: ``arms`` as given, or the sorted distinct labels (0 is the control
    of 0/1); every arm must have rows and every row an arm."""
    treatment = np.asarray(treatment)
    arms = np.unique(treatment) if arms is None else np.asarray(arms)
    if arms.size < 2 or np.unique(arms).size != arms.size:
        raise _fail("arms", where, "at least two distinct labels, control first", list(arms))
    if not np.isin(arms, treatment).all() or not np.isin(treatment, arms).all():
        raise _fail("treatment", where, f"labels from the arms {list(arms)}, each with rows",
                    f"labels {list(np.unique(treatment))}")
    return arms


class PrivateClassifier(ClassifierMixin, BaseEstimator):
    """A diffprivlib classifier whose bounds come from the caller, that records the ε it spent.

    Parameters
    ----------
    kind : {"logistic", "gaussian_nb"}
    epsilon : float
        ε of one fit.
    bounds : (lower, upper) or None
        Feature bounds (numbers or per feature); features are clipped into them before fitting and predicting.
    data_norm : float or None
        Row norm bound for logistic regression; default ``sqrt(Σ max(|lower|, |upper|)²)`` from ``bounds``
        (``sqrt(n_features)`` for features in [0, 1]). diffprivlib clips rows to it.
    random_state : int or None
    """

    def __init__(self, kind="logistic", *, epsilon=1.0, bounds=None, data_norm=None, random_state=None):
        self.kind = kind
        self.epsilon = epsilon
        self.bounds = bounds
        self.data_norm = data_norm
        self.random_state = random_state

    def _clip(self, X):
        if self.bounds is None:
            return X
        return np.clip(X, self.bounds[0], self.bounds[1])

    def fit(self, X, y, sample_weight=None):
        """Fit on features clipped into ``bounds``; ``sample_weight`` is not supported by diffprivlib."""
        if sample_weight is not None:
            raise _fail("sample_weight", "PrivateClassifier.fit", "None (diffprivlib ignores weights)",
                        "weights")
        X = self._clip(_matrix(X, "PrivateClassifier.fit"))
        y = np.asarray(y)
        self.accountant_ = BudgetAccountant()
        if self.kind == "logistic":
            data_norm = self.data_norm
            if data_norm is None:
                lower, upper = (np.broadcast_to(b, X.shape[1]) for b in self.bounds)
                data_norm = float(np.sqrt(np.sum(np.maximum(np.abs(lower), np.abs(upper)) ** 2)))
            self.estimator_ = _DPLogisticRegression(epsilon=self.epsilon, data_norm=data_norm,
                                                    random_state=self.random_state,
                                                    accountant=self.accountant_)
        elif self.kind == "gaussian_nb":
            lower, upper = (np.broadcast_to(b, X.shape[1]).copy() for b in self.bounds)
            self.estimator_ = _DPGaussianNB(epsilon=self.epsilon, bounds=(lower, upper),
                                            random_state=self.random_state, accountant=self.accountant_)
        else:
            raise _fail("kind", "PrivateClassifier", "'logistic' or 'gaussian_nb'", repr(self.kind))
        # Bounds / data_norm are given (from the dictionary), so diffprivlib computes nothing from the data and
        # raises no PrivacyLeakWarning; should it ever, the warning surfaces (the test suite makes it an error).
        with warnings.catch_warnings():
            # diffprivlib 0.6.6 passes L-BFGS-B options SciPy 1.17 deprecates (TOOLCHAIN.md): known, harmless.
            warnings.filterwarnings("ignore", message=".*`disp` and `iprint`", category=DeprecationWarning)
            self.estimator_.fit(X, y)
        self.classes_ = self.estimator_.classes_
        self.n_features_in_ = X.shape[1]
        self.epsilon_spent_ = float(self.accountant_.total()[0])
        return self

    def predict_proba(self, X):
        return self.estimator_.predict_proba(self._clip(_matrix(X, "PrivateClassifier.predict_proba")))

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _small_sample_settings(model, y):
    """An early-stopped boosting clone on too small a sample boosts a fixed 30 rounds instead (see above)."""
    if isinstance(model, HistGradientBoostingClassifier) and model.early_stopping is True:
        if len(y) < EARLY_STOPPING_MIN_ROWS or np.bincount(np.asarray(y, dtype=np.int64)).min() < \
                EARLY_STOPPING_MIN_CLASS:
            model.set_params(early_stopping=False, max_iter=min(model.max_iter, 30))
    return model


def _fit_probability(estimator, X, y, sample_weight=None):
    """Fit a clone of ``estimator``; a sample with one class only gets a constant probability."""
    if np.unique(y).size < 2:
        return float(np.mean(y))
    model = _small_sample_settings(clone(estimator), y)
    if sample_weight is None:
        return model.fit(X, y)
    return model.fit(X, y, sample_weight=sample_weight)


def _positive_probability(model, X) -> np.ndarray:
    if isinstance(model, float):
        return np.full(X.shape[0], model)
    proba = model.predict_proba(X)
    return proba[:, list(model.classes_).index(1)] if 1 in model.classes_ else np.zeros(X.shape[0])


def _spent(models) -> float | None:
    spent = [m.epsilon_spent_ for m in models if hasattr(m, "epsilon_spent_")]
    return max(spent) if spent else None


def _binary(y, name: str, where: str) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or not np.isin(np.unique(y), (0, 1)).all():
        raise _fail(name, where, "a 1-d array of 0/1 values", f"values {np.unique(y)[:5]}")
    return y.astype(np.int64)


def _arm_estimator(estimator, arm_index: int):
    """The classifier of one arm. A :class:`PrivateClassifier` gets its own seed per arm
    (``SeedSequence([random_state, arm_index])``): with one seed every arm's diffprivlib fit drew the same noise
    vector, so someone who knew one arm's rows could recover that vector from its coefficients and strip it
    from the other arms' (issue 20), which breaks the parallel composition behind ``epsilon_spent_``."""
    if not isinstance(estimator, PrivateClassifier) or not isinstance(estimator.random_state, Integral):
        return estimator  # None: diffprivlib draws fresh noise for every fit anyway
    seed = np.random.SeedSequence([int(estimator.random_state), arm_index]).generate_state(1)[0]
    return clone(estimator).set_params(random_state=int(seed))


class _UpliftMixin:
    def best_arm(self, X, *, include_control=False):
        """The arm with the highest predicted uplift for each customer (the control only if
        ``include_control`` and every arm's predicted uplift is ≤ 0)."""
        uplift = self.predict_uplift(X)
        best = self.arms_[1:][np.argmax(uplift, axis=1)]
        if include_control:
            best = np.where(uplift.max(axis=1) > 0, best, self.arms_[0])
        return best


class TwoModelUplift(_UpliftMixin, BaseEstimator):
    """T-learner: one response model per arm (control included); uplift = P(y | arm) − P(y | control).

    Parameters
    ----------
    estimator : classifier, optional
        Cloned for each arm; default ``make_classifier("hgb")``.
    arms : sequence of labels, optional
        The arms, **control first**. Default: the sorted distinct treatment labels (0 is the control of 0/1).

    Attributes
    ----------
    arms_ : ndarray — arms, control first. models_ : list — one fitted model per arm (a float when an arm's
    outcomes were all one class). epsilon_spent_ : float or None — ε of the whole fit (parallel composition).
    """

    def __init__(self, estimator=None, *, arms=None):
        self.estimator = estimator
        self.arms = arms

    def fit(self, X, y, treatment):
        where = "TwoModelUplift.fit"
        X, y, treatment = _matrix(X, where), _binary(y, "y", where), np.asarray(treatment)
        if not len(X) == len(y) == len(treatment):
            raise _fail("treatment", where, f"as long as X and y ({len(X)})", f"length {len(treatment)}")
        arms = check_arms(treatment, self.arms, where)
        estimator = make_classifier("hgb") if self.estimator is None else self.estimator
        self.models_ = [_fit_probability(_arm_estimator(estimator, i), X[treatment == arm], y[treatment == arm])
                        for i, arm in enumerate(arms)]
        self.arms_ = arms
        self.n_features_in_ = X.shape[1]
        self.epsilon_spent_ = _spent(self.models_)  # disjoint rows: parallel composition
        return self

    def predict_proba_arms(self, X) -> np.ndarray:
        """P(response | arm) for each arm, ``(n, n_arms)``, columns in ``arms_`` order."""
        X = _matrix(X, "TwoModelUplift.predict_proba_arms")
        return np.column_stack([_positive_probability(m, X) for m in self.models_])

    def predict_uplift(self, X) -> np.ndarray:
        """Predicted uplift of each treatment arm against the control, ``(n, n_arms - 1)``."""
        proba = self.predict_proba_arms(X)
        return proba[:, 1:] - proba[:, :1]


class ClassTransformationUplift(_UpliftMixin, BaseEstimator):
    """Class transformation (Jaskowski & Jaroszewicz 2012): one classifier of z = y·t + (1−y)(1−t);
    uplift = 2·P(z=1 | x) − 1.

    That identity needs P(t=1) = ½. With another treatment share p the rows are reweighted (treated by ½/p,
    control by ½/(1−p)), which restores it; a :class:`PrivateClassifier` cannot take weights, so the larger
    group is subsampled (seeded by ``random_state``) to the size of the smaller one instead. With several arms
    (``arms``, control first) one such classifier is fitted per arm on that arm's and the control's rows.

    Attributes
    ----------
    arms_ : ndarray — arms, control first (``[0, 1]`` for a 0/1 treatment). classifiers_ : list — one fitted
    classifier per treatment arm. model_ : the first of them (binary treatment). treatment_share_ : float —
    the first arm's share of its rows.
    """

    def __init__(self, estimator=None, *, arms=None, random_state=0):
        self.estimator = estimator
        self.arms = arms
        self.random_state = random_state

    def fit(self, X, y, treatment):
        where = "ClassTransformationUplift.fit"
        X, y, treatment = _matrix(X, where), _binary(y, "y", where), np.asarray(treatment)
        if not len(X) == len(y) == len(treatment):
            raise _fail("treatment", where, f"as long as X and y ({len(X)})", f"length {len(treatment)}")
        if self.arms is None and np.unique(treatment).size < 2:
            raise _fail("treatment", where, "both treated and control rows", "one group only")
        arms = check_arms(treatment, self.arms, where)  # default: sorted labels (0 is the control of 0/1)
        estimator = make_classifier("hgb") if self.estimator is None else self.estimator
        self.classifiers_, shares = [], []
        for arm in arms[1:]:
            rows = (treatment == arm) | (treatment == arms[0])
            model, share = self._fit_one(estimator, X[rows], y[rows], (treatment[rows] == arm).astype(int))
            self.classifiers_.append(model)
            shares.append(share)
        self.model_ = self.classifiers_[0]
        self.treatment_share_ = shares[0]
        self.arms_ = arms
        self.n_features_in_ = X.shape[1]
        # every control customer is in each arm's fit (sequential composition: their ε add up); the treated
        # are in one fit each
        spent = [_spent([m]) for m in self.classifiers_]
        self.epsilon_spent_ = None if spent[0] is None else float(sum(spent))
        return self

    def _fit_one(self, estimator, X, y, t):
        z = y * t + (1 - y) * (1 - t)
        share = float(t.mean())
        weight = None
        if abs(share - 0.5) > 1e-9:
            if isinstance(estimator, PrivateClassifier) or "sample_weight" not in inspect.signature(
                    estimator.fit).parameters:
                keep = self._balanced_rows(t)
                X, z = X[keep], z[keep]
            else:
                weight = np.where(t == 1, 0.5 / share, 0.5 / (1 - share))
        return _fit_probability(estimator, X, z, weight), share

    def _balanced_rows(self, t):
        rng = np.random.default_rng(self.random_state)
        treated, control = np.flatnonzero(t == 1), np.flatnonzero(t == 0)
        size = min(treated.size, control.size)
        keep = np.r_[rng.choice(treated, size, replace=False), rng.choice(control, size, replace=False)]
        return np.sort(keep)

    def predict_uplift(self, X) -> np.ndarray:
        """Predicted uplift of each treatment arm, ``(n, n_arms - 1)``."""
        X = _matrix(X, "ClassTransformationUplift.predict_uplift")
        return np.column_stack([2 * _positive_probability(m, X) - 1 for m in self.classifiers_])


class ResponseModel(BaseEstimator):
    """Response (propensity) model for data without a treatment: score = P(response | x).

    Its ranking gives a targeting lift, not an uplift (REFERENCES.md §4).
    """

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y):
        where = "ResponseModel.fit"
        X, y = _matrix(X, where), _binary(y, "y", where)
        if len(X) != len(y):
            raise _fail("y", where, f"as long as X ({len(X)})", f"length {len(y)}")
        estimator = make_classifier("hgb") if self.estimator is None else self.estimator
        self.model_ = _fit_probability(estimator, X, y)
        self.n_features_in_ = X.shape[1]
        self.epsilon_spent_ = _spent([self.model_])
        return self

    def predict_score(self, X) -> np.ndarray:
        """Predicted response probability, ``(n,)``."""
        return _positive_probability(self.model_, _matrix(X, "ResponseModel.predict_score"))
