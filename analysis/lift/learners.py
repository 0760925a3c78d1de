"""The uplift learner families beside the T-learner and the class transformation of :mod:`.models`: the
S-learner, the X-learner and the doubly robust (DR) learner, written on the scikit-learn contract (after the
definitions of CausalML's meta-learners; Künzel et al. 2019, Kennedy 2020), and the candidates the learner
selection (:mod:`.selection`) chooses from.

Every learner takes the arms **control first**, works with any number of treatment arms (each arm against the
control) and returns ``predict_uplift(X)`` of shape ``(n, n_arms - 1)``. The campaigns are randomized, so the
propensity of an arm is its share of the rows (arm and control) it is compared on, a constant.

- **S-learner** (one model): one classifier of the outcome on the features plus one indicator per treatment
  arm (and, with ``interactions``, every feature × indicator, as scikit-uplift's ``SoloModel`` with
  ``method="treatment_interaction"``); uplift = P(y | x, arm) − P(y | x, control).
- **T-learner**: :class:`~analysis.lift.models.TwoModelUplift`, one classifier per arm.
- **X-learner**: the T-learner's outcome models impute each customer's effect (treated: y − μ₀(x); control:
  μₐ(x) − y); one regressor per group learns it; uplift = e·τ₀(x) + (1 − e)·τ₁(x), e the arm's share.
- **DR-learner**: outcome models fitted on one half predict the other (cross-fitting, ``cv`` folds); the
  pseudo-outcome μₐ − μ₀ + t(y − μₐ)/e − (1 − t)(y − μ₀)/(1 − e) is regressed on the features.

Example
-------
>>> from analysis.lift.models import toy_campaign
>>> X, y, t = toy_campaign(3000)  # the true uplift is 0.3·x₀
>>> model = build_learner("x_learner/logistic").fit(X, y, t)
>>> bool(np.corrcoef(model.predict_uplift(X)[:, 0], X[:, 0])[0, 1] > 0.9)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from analysis.errors import must_be
from analysis.lift.models import (
    HGB_EARLY_STOPPING,
    LOGISTIC_SETTINGS,
    ClassTransformationUplift,
    ResponseModel,
    TwoModelUplift,
    _fit_probability,
    _inputs as _checked_inputs,
    _matrix,
    _positive_probability,
    _UpliftMixin,
    check_arms,
    make_regressor,
)

__all__ = [
    "FAMILIES", "LEARNER_NAMES", "SLearner", "XLearner", "DRLearner", "build_learner", "family_classifier",
    "MembershipTarget", "membership_target",
]

#: base-model families: logistic regression and early-stopped histogram gradient boosting (scikit-learn)
FAMILIES = ("logistic", "hgb")
#: uplift learners, simplest first (the order breaks ties in the selection)
LEARNER_NAMES = ("s_learner", "t_learner", "x_learner", "dr_learner", "class_transformation")


def _fail(name: str, where: str, what: str, got: object) -> ValueError:
    return ValueError(must_be(name, where, what, got, show=str))


def family_classifier(family: str, *, random_state=0):
    """The classifier of a family as the selection's candidates use it (boosting stops early)."""
    if family == "hgb":
        return HistGradientBoostingClassifier(**HGB_EARLY_STOPPING, random_state=random_state)
    if family == "logistic":
        return LogisticRegression(**LOGISTIC_SETTINGS, random_state=random_state)
    raise _fail("family", "family_classifier", f"one of {FAMILIES}", repr(family))


def _inputs(X, y, treatment, arms, where):
    X, y, treatment = _checked_inputs(X, y, treatment, where)
    return X, y, treatment, check_arms(treatment, arms, where)


def _two_stage_inputs(learner, X, y, treatment) -> tuple:
    """An X- or DR-learner's checked ``X, y, treatment, arms`` and its outcome classifier and effect regressor
    (logistic regression's when not given)."""
    inputs = _inputs(X, y, treatment, learner.arms, f"{type(learner).__name__}.fit")
    estimator = family_classifier("logistic") if learner.estimator is None else learner.estimator
    effect = make_regressor("logistic") if learner.effect is None else learner.effect
    return *inputs, estimator, effect


def _fitted(learner, X, arms):
    """The state every learner here ends its fit with (no differential privacy: ``epsilon_spent_`` is None)."""
    learner.arms_ = arms
    learner.n_features_in_ = X.shape[1]
    learner.epsilon_spent_ = None
    return learner


def _shares(treatment, arms) -> np.ndarray:
    """Each treatment arm's share of its rows together with the control's (its propensity, randomized)."""
    control = np.sum(treatment == arms[0])
    return np.array([np.sum(treatment == a) / (np.sum(treatment == a) + control) for a in arms[1:]])


def _fit_regressor(regressor, X, target):
    return clone(regressor).fit(X, target) if len(target) > 1 else float(np.mean(target) if len(target) else 0.0)


def _predict(model, X) -> np.ndarray:
    return np.full(X.shape[0], model) if isinstance(model, float) else model.predict(X)


class SLearner(_UpliftMixin, BaseEstimator):
    """S-learner: one outcome classifier with the arm as features (see the module docstring).

    Parameters
    ----------
    estimator : classifier, default logistic regression
    arms : sequence, optional — control first; default the sorted labels.
    interactions : bool — add every feature × arm indicator (needed for a linear model to rank by uplift).
    """

    def __init__(self, estimator=None, *, arms=None, interactions=False):
        self.estimator = estimator
        self.arms = arms
        self.interactions = interactions

    def _augment(self, X, arm_index: int) -> np.ndarray:
        indicators = np.zeros((X.shape[0], len(self.arms_) - 1))
        if arm_index > 0:
            indicators[:, arm_index - 1] = 1.0
        parts = [X, indicators]
        if self.interactions:
            parts += [X * indicators[:, [j]] for j in range(indicators.shape[1])]
        return np.hstack(parts)

    def _augment_rows(self, X, treatment) -> np.ndarray:
        out = np.empty((X.shape[0], X.shape[1] * (1 + self.interactions * (len(self.arms_) - 1))
                        + len(self.arms_) - 1))
        for index, arm in enumerate(self.arms_):
            rows = treatment == arm
            out[rows] = self._augment(X[rows], index)
        return out

    def fit(self, X, y, treatment):
        X, y, treatment, self.arms_ = _inputs(X, y, treatment, self.arms, "SLearner.fit")
        estimator = family_classifier("logistic") if self.estimator is None else self.estimator
        self.model_ = _fit_probability(estimator, self._augment_rows(X, treatment), y)
        return _fitted(self, X, self.arms_)

    def predict_proba_arms(self, X) -> np.ndarray:
        """P(response | arm) for each arm, ``(n, n_arms)``."""
        X = _matrix(X, "SLearner.predict_proba_arms")
        return np.column_stack([_positive_probability(self.model_, self._augment(X, i))
                                for i in range(len(self.arms_))])

    def predict_uplift(self, X) -> np.ndarray:
        proba = self.predict_proba_arms(X)
        return proba[:, 1:] - proba[:, :1]


class XLearner(_UpliftMixin, BaseEstimator):
    """X-learner (Künzel et al. 2019; see the module docstring).

    Parameters
    ----------
    estimator : classifier — the outcome models (one per arm, a :class:`TwoModelUplift`).
    effect : regressor — the effect models (two per treatment arm).
    arms : sequence, optional — control first.

    ``fit(X, y, treatment, outcome_model=None)``: an outcome model already fitted on exactly these rows may be
    passed (the selection shares the T-learner's); it is used as is.
    """

    def __init__(self, estimator=None, effect=None, *, arms=None):
        self.estimator = estimator
        self.effect = effect
        self.arms = arms

    def fit(self, X, y, treatment, outcome_model=None):
        X, y, treatment, arms, estimator, effect = _two_stage_inputs(self, X, y, treatment)
        if outcome_model is None:
            outcome_model = TwoModelUplift(estimator, arms=arms).fit(X, y, treatment)
        proba = outcome_model.predict_proba_arms(X)
        self.effects_ = []
        for index, arm in enumerate(arms[1:], start=1):
            treated, control = treatment == arm, treatment == arms[0]
            on_treated = _fit_regressor(effect, X[treated], y[treated] - proba[treated, 0])
            on_control = _fit_regressor(effect, X[control], proba[control, index] - y[control])
            self.effects_.append((on_control, on_treated))
        self.shares_ = _shares(treatment, arms)
        self.outcome_model_ = outcome_model
        return _fitted(self, X, arms)

    def predict_uplift(self, X) -> np.ndarray:
        X = _matrix(X, "XLearner.predict_uplift")
        return np.column_stack([share * _predict(on_control, X) + (1 - share) * _predict(on_treated, X)
                                for share, (on_control, on_treated) in zip(self.shares_, self.effects_)])


def cross_fit_folds(treatment, y, cv: int, seed) -> np.ndarray:
    """Fold label of each row, stratified by arm and outcome (seeded): the same rule the selection uses."""
    rng = np.random.default_rng(seed)
    folds = np.empty(len(y), dtype=np.int64)
    strata = np.unique(np.asarray(treatment).astype(str), return_inverse=True)[1] * 2 + np.asarray(y)
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        folds[rng.permutation(rows)] = np.arange(rows.size) % cv
    return folds


class DRLearner(_UpliftMixin, BaseEstimator):
    """Doubly robust learner (Kennedy 2020; see the module docstring).

    Parameters
    ----------
    estimator : classifier — outcome models (a :class:`TwoModelUplift` per fold).
    effect : regressor — one per treatment arm, fitted on the pseudo-outcome.
    arms : sequence, optional — control first.
    cv : int — cross-fitting folds (stratified by arm and outcome, seeded by ``random_state``).

    ``fit(X, y, treatment, nuisance=None)``: out-of-fold outcome probabilities ``(n, n_arms)`` may be passed
    (the selection computes them once for several learners); then no outcome model is fitted here.
    """

    def __init__(self, estimator=None, effect=None, *, arms=None, cv=2, random_state=0):
        self.estimator = estimator
        self.effect = effect
        self.arms = arms
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y, treatment, nuisance=None):
        X, y, treatment, arms, estimator, effect = _two_stage_inputs(self, X, y, treatment)
        self.nuisance_models_, self.folds_ = [], None
        if nuisance is None:
            self.folds_ = cross_fit_folds(treatment, y, self.cv, self.random_state)
            nuisance = np.empty((len(y), len(arms)))
            for fold in range(self.cv):
                out = self.folds_ == fold
                model = TwoModelUplift(estimator, arms=arms).fit(X[~out], y[~out], treatment[~out])
                nuisance[out] = model.predict_proba_arms(X[out])
                self.nuisance_models_.append(model)
        shares = _shares(treatment, arms)
        self.effects_ = []
        for index, (arm, share) in enumerate(zip(arms[1:], shares), start=1):
            rows = (treatment == arm) | (treatment == arms[0])
            t, yy, mu0, mu1 = (treatment[rows] == arm), y[rows], nuisance[rows, 0], nuisance[rows, index]
            pseudo = mu1 - mu0 + t * (yy - mu1) / share - (~t) * (yy - mu0) / (1 - share)
            self.effects_.append(_fit_regressor(effect, X[rows], pseudo))
        return _fitted(self, X, arms)

    def predict_uplift(self, X) -> np.ndarray:
        X = _matrix(X, "DRLearner.predict_uplift")
        return np.column_stack([_predict(model, X) for model in self.effects_])


def build_learner(name: str, *, arms=None, random_state=0):
    """The unfitted learner of a candidate name ``"<learner>/<family>"``, e.g. ``"dr_learner/hgb"``."""
    learner, _, family = name.partition("/")
    if learner not in LEARNER_NAMES or family not in FAMILIES:
        raise _fail("name", "build_learner", "'<learner>/<family>' with a learner of "
                    f"{LEARNER_NAMES} and a family of {FAMILIES}", repr(name))
    classifier = family_classifier(family, random_state=random_state)
    if learner == "s_learner":
        return SLearner(classifier, arms=arms, interactions=family == "logistic")
    if learner == "t_learner":
        return TwoModelUplift(classifier, arms=arms)
    if learner == "class_transformation":
        return ClassTransformationUplift(classifier, arms=arms, random_state=random_state)
    effect = make_regressor(family, random_state=random_state)
    if learner == "x_learner":
        return XLearner(classifier, effect, arms=arms)
    return DRLearner(classifier, effect, arms=arms, random_state=random_state)


@dataclass(frozen=True)
class MembershipTarget:
    """What a membership-inference attack can query: a fitted classifier's ``predict_proba``, the training
    rows it learned from (``members``), the arms whose held-out rows are comparable non-members, and the labels
    it was trained on as a function of ``(y, treatment)``."""

    predict_proba: Callable[[np.ndarray], np.ndarray]
    members: np.ndarray | None  #: None: every training row
    arms: tuple | None  #: None: every held-out row
    labels: Callable[[np.ndarray, np.ndarray | None], np.ndarray]


def _outcome(y, treatment):
    return y


def membership_target(model, treatment_train) -> MembershipTarget | None:
    """The classifier of a fitted model that saw customers' outcomes: the control-arm outcome model of the T-,
    X- and DR-learners, the S-learner queried as the control, the class-transformation classifier of the first
    arm (labels z), or the response model. None when that part is a constant (one class only)."""
    def ok(sub):
        return sub is not None and not isinstance(sub, float)

    if isinstance(model, ResponseModel):
        if not ok(model.model_):
            return None
        return MembershipTarget(model.model_.predict_proba, None, None, _outcome)  # every row, every outcome
    treatment = np.asarray(treatment_train)
    control = model.arms_[0]
    if isinstance(model, ClassTransformationUplift):
        sub, arm = model.classifiers_[0], model.arms_[1]
        if not ok(sub):
            return None

        def transformed(y, t):
            treated = (np.asarray(t) == arm).astype(int)
            return y * treated + (1 - y) * (1 - treated)

        return MembershipTarget(sub.predict_proba, np.isin(treatment, [control, arm]), (control, arm), transformed)
    if isinstance(model, SLearner):
        if not ok(model.model_):
            return None
        return MembershipTarget(lambda X: model.model_.predict_proba(model._augment(X, 0)), treatment == control,
                                (control,), _outcome)
    members = treatment == control
    if isinstance(model, XLearner):
        model = model.outcome_model_
    elif isinstance(model, DRLearner):
        if not model.nuisance_models_:
            return None
        members = members & (model.folds_ != 0)
        model = model.nuisance_models_[0]
    sub = model.models_[0]
    if not ok(sub):
        return None
    return MembershipTarget(sub.predict_proba, members, (control,), _outcome)
