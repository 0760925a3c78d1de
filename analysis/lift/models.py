"""The models a business would train for personalization: uplift meta-learners, a response model, and the
classifiers inside them (scikit-learn, or diffprivlib for differential privacy).

All follow the scikit-learn contract: ``__init__`` only stores its arguments, ``fit`` returns ``self``,
learned state ends in ``_``. Uplift models return ``predict_uplift(X)`` of shape ``(n, n_arms - 1)``: the
predicted change in response probability of each treatment arm against the control, in the order of
``arms_[1:]``.

The classifiers and their settings, the differentially private :class:`PrivateClassifier` among them
(REFERENCES.md §3), are built in :mod:`analysis.lift.classifiers`; their names are importable from here too.
A two-model learner trains one model per arm on disjoint rows, so by parallel composition its
``epsilon_spent_`` is the largest of its models' (= the ε asked for), not their sum.

Example
-------
>>> X, y, t = toy_campaign(2000)  # randomized; the true uplift is 0.3·x₀
>>> model = TwoModelUplift(make_classifier("logistic")).fit(X, y, t)
>>> model.predict_uplift(X[:2]).shape
(2, 1)
"""

from __future__ import annotations

import inspect
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, clone

from analysis.lift.classifiers import (  # noqa: F401  (classifiers and settings; importable from here)
    CLASSIFIER_KINDS,
    EARLY_STOPPING_MIN_CLASS,
    EARLY_STOPPING_MIN_ROWS,
    HGB_EARLY_STOPPING,
    HGB_REGRESSOR_SETTINGS,
    HGB_SETTINGS,
    LOGISTIC_SETTINGS,
    RIDGE_ALPHA,
    PrivateClassifier,
    _fail,
    _matrix,
    _small_sample_settings,
    make_classifier,
    make_regressor,
)

__all__ = [
    "CLASSIFIER_KINDS",
    "make_classifier",
    "make_regressor",
    "check_arms",
    "PrivateClassifier",
    "TwoModelUplift",
    "ClassTransformationUplift",
    "ResponseModel",
    "toy_campaign",
]


def toy_campaign(n: int, *, base: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A randomized toy campaign for the examples: ``X`` (``n`` × 3 uniform features), ``y`` (0/1 response)
    and ``t`` (0/1 treatment, half at random), the response probability ``base + 0.3·t·x₀``: the true uplift
    of a customer is 0.3·x₀. Seeded (``numpy.random.default_rng(seed)``)."""
    if not isinstance(n, Integral) or n < 1:
        raise _fail("n", "toy_campaign", "an int ≥ 1", repr(n))
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    t = rng.integers(0, 2, n)
    y = (rng.random(n) < base + 0.3 * t * X[:, 0]).astype(int)
    return X, y, t


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


def _inputs(X, y, treatment, where: str) -> tuple:
    """An uplift fit's X (a matrix), y (0/1) and treatment, checked to be of one length."""
    X, y, treatment = _matrix(X, where), _binary(y, "y", where), np.asarray(treatment)
    if not len(X) == len(y) == len(treatment):
        raise _fail("treatment", where, f"as long as X and y ({len(X)})", f"length {len(treatment)}")
    return X, y, treatment


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
        X, y, treatment = _inputs(X, y, treatment, where)
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
        X, y, treatment = _inputs(X, y, treatment, where)
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
