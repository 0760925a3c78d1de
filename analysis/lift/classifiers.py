"""The classifiers inside the models a business would train (scikit-learn, or diffprivlib for differential
privacy), and their settings.

:func:`make_classifier` builds one by kind (:data:`CLASSIFIER_KINDS`), :func:`make_regressor` the regressor of
an X- or DR-learner's second stage. The settings are PrivacyLift assumptions chosen for speed, with
scikit-learn's defaults beside them. The uplift and response models that use these classifiers are in
:mod:`analysis.lift.models`, which re-exports every name here.

Differential privacy (REFERENCES.md §3): :class:`PrivateClassifier` wraps diffprivlib's ``LogisticRegression``
or ``GaussianNB``. Its feature bounds and row norm come from the caller (the data dictionary), never from the
data; features are clipped into the bounds before fitting, so the guarantee holds whatever the data holds.
Each fit records the ε it spent through its own ``diffprivlib.BudgetAccountant``.
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
from diffprivlib import BudgetAccountant
from diffprivlib.models import GaussianNB as _DPGaussianNB
from diffprivlib.models import LogisticRegression as _DPLogisticRegression
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression

from analysis.errors import must_be

__all__ = ["CLASSIFIER_KINDS", "make_classifier", "make_regressor", "PrivateClassifier"]

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
