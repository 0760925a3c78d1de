"""Uplift / response models and train_and_measure, on synthetic data with a known uplift."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from analysis import lift
from analysis.lift.evaluate import LiftResult, train_and_measure
from analysis.lift.models import (
    ClassTransformationUplift,
    PrivateClassifier,
    ResponseModel,
    TwoModelUplift,
    make_classifier,
)


def campaign(n: int, seed: int, *, treated_share: float = 0.5, features: int = 4):
    """A randomized campaign: features in [0, 1]; base rate 0.15 + 0.1·x2; uplift 0.3·(x1 − 0.3)
    (negative for x1 < 0.3). Returns X, y, t and the true uplift of each customer."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, features))
    t = (rng.random(n) < treated_share).astype(int)
    uplift = 0.3 * (X[:, 0] - 0.3)
    y = (rng.random(n) < 0.15 + 0.1 * X[:, 1] + t * uplift).astype(int)
    return X, y, t, uplift


def split(n_train, *arrays):
    return [a[:n_train] for a in arrays], [a[n_train:] for a in arrays]


def measure(seed, n=12_000, **options):
    X, y, t, uplift = campaign(n, seed)
    (X_tr, y_tr, t_tr, _), (X_te, y_te, t_te, u_te) = split(n * 2 // 3, X, y, t, uplift)
    options.setdefault("model", "logistic")
    options.setdefault("n_boot", 100)
    return train_and_measure(X_tr, y_tr, X_te, y_te, treatment_train=t_tr, treatment_test=t_te,
                             true_uplift_test=u_te, seed=seed, **options)


# --------------------------------------------------------------------------- recovery of a known uplift


@pytest.mark.parametrize("model", ["logistic", "hgb"])
def test_two_model_recovers_positive_qini_and_ranks_by_true_uplift(model):
    result, fitted = measure(0, model=model)
    X, y, t, uplift = campaign(12_000, 0)
    best_possible = lift.qini_auc_score(y[8000:], uplift[8000:], t[8000:])  # ranking by the true uplift
    assert result.kind == "uplift" and result.qini_auc > 0.5 * best_possible > 0 and result.uplift_at_k > 0
    X, _, _, uplift = campaign(2000, 99)
    assert np.corrcoef(fitted.predict_uplift(X)[:, 0], uplift)[0, 1] > 0.5
    assert 0 < result.true_incremental_conversions <= result.oracle_incremental_conversions


def test_confidence_interval_covers_the_true_incremental_conversions():
    covered = []
    for seed in range(6):
        result, _ = measure(seed)
        assert result.ci_low < result.incremental_conversions < result.ci_high
        covered.append(result.ci_low <= result.true_incremental_conversions <= result.ci_high)
    assert sum(covered) >= 5  # a 95 % interval; the model is held fixed so it may undercover a little


def test_population_scales_business_figures_only():
    small, _ = measure(1)
    large, _ = measure(1, population=1_000_000)
    scale = 1_000_000 / small.n_test
    assert large.qini_auc == small.qini_auc and large.uplift_at_k == small.uplift_at_k
    for name in ("incremental_conversions", "ci_low", "ci_high", "true_incremental_conversions"):
        assert getattr(large, name) == pytest.approx(getattr(small, name) * scale, rel=1e-3)


def test_differential_privacy_lift_rises_with_epsilon():
    def mean_true_gain(**options):
        return np.mean([measure(seed, n=9000, n_boot=2, **options)[0].true_incremental_conversions
                        for seed in range(4)])

    strict = mean_true_gain(model="dp_logistic", epsilon=0.1)
    loose = mean_true_gain(model="dp_logistic", epsilon=10.0)
    plain = mean_true_gain(model="logistic")
    assert strict < loose
    assert loose == pytest.approx(plain, rel=0.15)


@pytest.mark.parametrize("learner, model", [("two_model", "dp_logistic"), ("two_model", "dp_gaussian_nb"),
                                            ("class_transformation", "dp_logistic")])
def test_epsilon_spent_is_recorded_with_parallel_composition(learner, model):
    result, fitted = measure(2, n=3000, n_boot=2, model=model, learner=learner, epsilon=0.7)
    assert result.epsilon_spent == pytest.approx(0.7)  # two arms on disjoint rows: max, not sum
    assert fitted.epsilon_spent_ == pytest.approx(0.7)
    if learner == "two_model":
        assert [m.epsilon_spent_ for m in fitted.models_] == pytest.approx([0.7, 0.7])
    assert measure(2, n=3000, n_boot=2)[0].epsilon_spent is None


@pytest.mark.parametrize("model", ["dp_logistic", "dp_gaussian_nb"])
def test_each_arm_draws_its_own_dp_noise_reproducibly(model):
    # Both arms get the very same rows: with one seed for every arm their noisy models came out identical (the
    # same noise vector, which one arm's known rows would reveal for all); each arm now has its own seed.
    X, y, _, _ = campaign(1500, 5)
    X2, y2, t2 = np.vstack([X, X]), np.r_[y, y], np.r_[np.zeros(1500, int), np.ones(1500, int)]

    def params(fitted):
        return [np.r_[m.estimator_.coef_.ravel()] if model == "dp_logistic" else m.estimator_.theta_.ravel()
                for m in fitted.models_]

    classifier = make_classifier(model, epsilon=1.0, bounds=(0.0, 1.0), random_state=3)
    control, treated = params(TwoModelUplift(classifier).fit(X2, y2, t2))
    assert not np.allclose(control, treated)
    again = params(TwoModelUplift(classifier).fit(X2, y2, t2))
    assert np.array_equal(control, again[0]) and np.array_equal(treated, again[1])  # still seeded


def test_private_classifier_clips_to_given_bounds_without_leak_warning():
    X, y, _, _ = campaign(2000, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any PrivacyLeakWarning would fail
        model = make_classifier("dp_gaussian_nb", epsilon=1.0, bounds=(0.0, 1.0)).fit(X * 3 - 1, y)
    assert model.epsilon_spent_ == 1.0
    assert np.all(model.estimator_.theta_ >= 0) and np.all(model.estimator_.theta_ <= 1)


def test_class_transformation_corrects_an_unequal_treatment_share():
    X, y, t, uplift = campaign(40_000, 4, treated_share=0.2)
    private = make_classifier("dp_logistic", epsilon=50.0, bounds=(0, 1))
    for estimator in (make_classifier("logistic"), private):
        predicted = ClassTransformationUplift(estimator).fit(X, y, t).predict_uplift(X)[:, 0]
        # uncorrected, 2·P(z=1)−1 would be centred near 2·(0.8·(1−p0) + 0.2·p1)−1 ≈ 0.3, far from 0.03
        assert predicted.mean() == pytest.approx(uplift.mean(), abs=0.03)
        assert np.corrcoef(predicted, uplift)[0, 1] > 0.8


def test_best_arm_picks_the_arm_that_helps_each_customer():
    rng = np.random.default_rng(5)
    n = 24_000
    X = rng.random((n, 3))
    arm = rng.choice(np.array(["control", "email", "sms"]), n)
    # email helps when x1 > 0.5, sms when x1 < 0.5
    uplift = {"email": np.where(X[:, 0] > 0.5, 0.25, 0.0), "sms": np.where(X[:, 0] < 0.5, 0.25, 0.0)}
    p = 0.1 + np.select([arm == "email", arm == "sms"], [uplift["email"], uplift["sms"]], 0.0)
    y = (rng.random(n) < p).astype(int)
    model = TwoModelUplift(make_classifier("logistic"), arms=["control", "email", "sms"]).fit(X, y, arm)
    clear = np.abs(X[:, 0] - 0.5) > 0.1
    truth = np.where(X[:, 0] > 0.5, "email", "sms")
    assert np.mean(model.best_arm(X[clear]) == truth[clear]) > 0.95
    assert model.predict_uplift(X).shape == (n, 2)

    result, _ = train_and_measure(X[:16_000], y[:16_000], X[16_000:], y[16_000:],
                                  treatment_train=arm[:16_000], treatment_test=arm[16_000:],
                                  model="logistic", n_boot=50, k=0.8,
                                  true_uplift_test={a: u[16_000:] for a, u in uplift.items()})
    assert [entry["arm"] for entry in result.per_arm] == ["email", "sms"]
    # with 80 % targeted, every customer has an arm that helps but each arm helps only half of them:
    # the best-arm policy gains more than any single arm sent to its own top k
    best_single_arm = max(entry["true_incremental_conversions"] for entry in result.per_arm)
    assert result.true_incremental_conversions > best_single_arm
    assert result.true_incremental_conversions > 0.8 * result.oracle_incremental_conversions


# --------------------------------------------------------------------------- targeting (no treatment)


def test_targeting_kind_without_treatment():
    X, y, _, _ = campaign(9000, 6)
    response = 0.15 + 0.1 * X[:, 1]
    result, fitted = train_and_measure(X[:6000], y[:6000], X[6000:], y[6000:], model="logistic", n_boot=50,
                                       revenue_test=y[6000:] * 40.0, true_response_test=response[6000:])
    assert isinstance(fitted, ResponseModel) and result.kind == "targeting"
    assert result.qini_auc is None and result.uplift_at_k is None and result.per_arm == ()
    assert result.lift_at_k > 1 and result.true_incremental_conversions > 0
    assert result.incremental_revenue == pytest.approx(40.0 * result.incremental_conversions)
    assert result.curve["kind"][0] == "gains"
    json.dumps(result.to_dict(), allow_nan=False)


def test_result_to_dict_is_plain_json():
    result, _ = measure(7, n=3000, n_boot=20, revenue_test=None)
    data = result.to_dict()
    assert "curve" not in data and data["kind"] == "uplift" and data["k"] == 0.3
    assert isinstance(result, LiftResult) and data["share_of_oracle"] == result.share_of_oracle
    json.dumps(data, allow_nan=False)


# --------------------------------------------------------------------------- scikit-learn contract


ESTIMATORS = [
    TwoModelUplift(make_classifier("logistic"), arms=[0, 1]),
    ClassTransformationUplift(make_classifier("logistic")),
    ResponseModel(make_classifier("logistic")),
    PrivateClassifier("logistic", epsilon=1.0, bounds=(0.0, 1.0)),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_scikit_learn_contract(estimator):
    X, y, t, _ = campaign(1500, 8)
    params = estimator.get_params(deep=False)
    copy = clone(estimator)
    assert copy.get_params(deep=False).keys() == params.keys()
    assert not [name for name in vars(copy) if name.endswith("_")]  # nothing learned before fit
    fitted = copy.fit(X, y, t) if hasattr(copy, "predict_uplift") else copy.fit(X, y)
    assert fitted is copy and copy.n_features_in_ == 4
    assert clone(copy).get_params(deep=False).keys() == params.keys()


@pytest.mark.parametrize("options, message", [
    (dict(model="dp_logistic"), "The 'epsilon' parameter of train_and_measure must be a float > 0"),
    (dict(model="hgb", epsilon=1.0), "The 'epsilon' parameter of train_and_measure must be None"),
    (dict(k=3), "The 'k' parameter of train_and_measure must be a float share"),
    (dict(model="forest"), "The 'model' parameter of train_and_measure must be one of"),
    (dict(control="nobody"), "The 'control' parameter of train_and_measure must be one of"),
])
def test_bad_options_are_named(options, message):
    with pytest.raises(ValueError, match=message):
        measure(0, n=600, **options)


def test_make_classifier_refuses_private_models_without_dictionary_bounds():
    with pytest.raises(ValueError, match="The 'bounds' parameter of make_classifier must be feature bounds"):
        make_classifier("dp_gaussian_nb", epsilon=1.0)
    with pytest.raises(ValueError, match="The 'epsilon' parameter of make_classifier must be a float > 0"):
        make_classifier("dp_logistic", epsilon=0, bounds=(0, 1))
