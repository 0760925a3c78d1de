"""The uplift learners (S-, T-, X-, DR-learner, class transformation): known uplifts recovered, hand-computed
cases, the shortcuts the selection takes equal the learners' own fits, the scikit-learn contract."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor

from analysis.lift.learners import (
    DRLearner,
    SLearner,
    XLearner,
    build_learner,
    cross_fit_folds,
    membership_target,
)
from analysis.lift.models import ClassTransformationUplift, TwoModelUplift, make_classifier
from analysis.lift.selection import CANDIDATES


@pytest.fixture(autouse=True)
def one_native_thread():
    """As train_and_measure does: two OpenMP threads per boosting fit on a busy 2-core machine are many times
    slower than one (bench/bench_models.py)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def campaign(n, seed, arms=("control", "email", "sms")):
    """Randomized arms in equal shares; features in [0, 1]; base 0.15 + 0.1·x2; email's uplift 0.3·(x1 − 0.3),
    sms's 0.25·(0.6 − x1) (each negative for some customers)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 4))
    arm = rng.choice(np.array(arms), n)
    uplift = {"email": 0.3 * (X[:, 0] - 0.3), "sms": 0.25 * (0.6 - X[:, 0])}
    effect = sum(np.where(arm == a, u, 0.0) for a, u in uplift.items() if a in arms)
    y = (rng.random(n) < 0.15 + 0.1 * X[:, 1] + effect).astype(int)
    return X, y, arm, uplift


@pytest.mark.parametrize("name", CANDIDATES)
def test_every_candidate_recovers_each_arms_uplift(name):
    X, y, arm, uplift = campaign(9000, 1)
    model = build_learner(name, arms=["control", "email", "sms"]).fit(X, y, arm)
    X_new, _, _, truth = campaign(2000, 2)
    predicted = model.predict_uplift(X_new)
    assert predicted.shape == (2000, 2)
    for column, name_of_arm in enumerate(("email", "sms")):
        assert np.corrcoef(predicted[:, column], truth[name_of_arm])[0, 1] > 0.5, name_of_arm
    # the arm that helps is recommended where the two arms differ clearly
    clear = np.abs(truth["email"] - truth["sms"]) > 0.1
    best = np.where(truth["email"] > truth["sms"], "email", "sms")
    assert np.mean(model.best_arm(X_new[clear]) == best[clear]) > 0.85


def test_dr_and_x_learners_reduce_to_the_difference_in_means_with_constant_models():
    """With constant outcome models (the arms' response rates) and a mean as effect model, both learners'
    uplift is exactly the difference of the arms' response rates (hand-computed)."""
    X, y, arm, _ = campaign(3000, 3, arms=("control", "email"))
    rates = {a: y[arm == a].mean() for a in ("control", "email")}
    expected = rates["email"] - rates["control"]
    x = XLearner(DummyClassifier(strategy="prior"), DummyRegressor(), arms=["control", "email"]).fit(X, y, arm)
    assert x.predict_uplift(X[:5])[:, 0] == pytest.approx(np.full(5, expected))
    nuisance = np.column_stack([np.full(len(y), rates["control"]), np.full(len(y), rates["email"])])
    dr = DRLearner(effect=DummyRegressor(), arms=["control", "email"]).fit(X, y, arm, nuisance=nuisance)
    assert dr.predict_uplift(X[:5])[:, 0] == pytest.approx(np.full(5, expected))


def test_s_learner_with_interactions_is_linear_per_arm():
    X, y, arm, _ = campaign(4000, 4)
    model = SLearner(make_classifier("logistic"), arms=["control", "email", "sms"], interactions=True)
    model.fit(X, y, arm)
    assert model.model_.coef_.shape == (1, 4 + 2 + 2 * 4)  # features, arm indicators, features × indicators
    assert SLearner(make_classifier("logistic")).fit(X, y, arm).model_.coef_.shape == (1, 6)


def test_shared_outcome_models_and_nuisances_give_the_learners_own_fits():
    """The selection passes the T-learner's outcome models to the X-learner and out-of-fold probabilities to
    the DR-learner: the same models as fitting them afresh."""
    X, y, arm, _ = campaign(5000, 5)
    arms = ["control", "email", "sms"]
    x_alone = build_learner("x_learner/logistic", arms=arms).fit(X, y, arm)
    outcome = TwoModelUplift(make_classifier("logistic"), arms=arms).fit(X, y, arm)
    x_shared = build_learner("x_learner/logistic", arms=arms).fit(X, y, arm, outcome_model=outcome)
    assert np.array_equal(x_alone.predict_uplift(X), x_shared.predict_uplift(X))

    dr_alone = build_learner("dr_learner/hgb", arms=arms, random_state=3).fit(X, y, arm)
    folds = cross_fit_folds(arm, y, 2, 3)
    nuisance = np.empty((len(y), 3))
    for fold in (0, 1):
        out = folds == fold
        classifier = dr_alone.estimator
        nuisance[out] = TwoModelUplift(classifier, arms=arms).fit(X[~out], y[~out], arm[~out]).predict_proba_arms(
            X[out])
    dr_shared = build_learner("dr_learner/hgb", arms=arms, random_state=3).fit(X, y, arm, nuisance=nuisance)
    assert np.array_equal(dr_alone.predict_uplift(X), dr_shared.predict_uplift(X))


def test_cross_fit_folds_are_balanced_by_arm_and_outcome_and_seeded():
    _, y, arm, _ = campaign(3000, 6)
    folds = cross_fit_folds(arm, y, 3, 0)
    for a in ("control", "email", "sms"):
        for outcome in (0, 1):
            counts = np.bincount(folds[(arm == a) & (y == outcome)], minlength=3)
            assert counts.max() - counts.min() <= 1
    assert np.array_equal(folds, cross_fit_folds(arm, y, 3, 0))
    assert not np.array_equal(folds, cross_fit_folds(arm, y, 3, 1))


def test_class_transformation_with_several_arms_and_privacy_budget_of_shared_controls():
    X, y, arm, truth = campaign(9000, 7)
    model = ClassTransformationUplift(make_classifier("logistic"), arms=["control", "email", "sms"]).fit(X, y, arm)
    assert len(model.classifiers_) == 2 and model.predict_uplift(X).shape == (9000, 2)
    assert np.corrcoef(model.predict_uplift(X)[:, 0], truth["email"])[0, 1] > 0.8
    private = make_classifier("dp_logistic", epsilon=0.5, bounds=(0.0, 1.0))
    fitted = ClassTransformationUplift(private, arms=["control", "email", "sms"]).fit(X, y, arm)
    # every control customer is in both arms' fits: their ε add up (sequential composition)
    assert fitted.epsilon_spent_ == pytest.approx(1.0)


@pytest.mark.parametrize("name", [c for c in CANDIDATES if c.endswith("/logistic")] + ["dr_learner/hgb"])
def test_membership_target_is_a_classifier_of_training_outcomes(name):
    X, y, arm, _ = campaign(3000, 8)
    model = build_learner(name, arms=["control", "email", "sms"]).fit(X, y, arm)
    target = membership_target(model, arm)
    proba = target.predict_proba(X[:10])
    assert proba.shape == (10, 2) and np.allclose(proba.sum(axis=1), 1)
    assert target.members.dtype == bool and 0 < target.members.sum() < len(y)
    assert set(np.unique(arm[target.members])) <= set(target.arms)
    assert set(np.unique(target.labels(y, arm))) == {0, 1}


LEARNERS = [SLearner(make_classifier("logistic")), XLearner(make_classifier("logistic")),
            DRLearner(make_classifier("logistic")), ClassTransformationUplift(make_classifier("logistic"),
                                                                              arms=[0, 1, 2])]


@pytest.mark.parametrize("estimator", LEARNERS, ids=lambda e: type(e).__name__)
def test_scikit_learn_contract(estimator):
    X, y, arm, _ = campaign(1500, 9, arms=(0, 1, 2))
    params = estimator.get_params(deep=False)
    copy = clone(estimator)
    assert copy.get_params(deep=False).keys() == params.keys()
    assert not [name for name in vars(copy) if name.endswith("_")]  # nothing learned before fit
    assert copy.fit(X, y, arm) is copy and copy.n_features_in_ == 4 and list(copy.arms_) == [0, 1, 2]
    assert copy.predict_uplift(X).shape == (1500, 2)


def test_bad_learner_names_and_inputs_are_named():
    with pytest.raises(ValueError, match="The 'name' parameter of build_learner must be '<learner>/<family>'"):
        build_learner("z_learner/hgb")
    X, y, arm, _ = campaign(200, 10)
    with pytest.raises(ValueError, match="The 'treatment' parameter of XLearner.fit must be as long as X"):
        XLearner().fit(X, y, arm[:-1])
    with pytest.raises(ValueError, match="The 'treatment' parameter of SLearner.fit must be labels from"):
        SLearner(arms=["control", "email"]).fit(X, y, arm)


@pytest.mark.parametrize("module", ["analysis.lift.learners", "analysis.lift.selection", "analysis.lift.bootstrap",
                                    "analysis.lift.wording", "analysis.lift.evaluate"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
