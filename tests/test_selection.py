"""The learner selection (model="auto"): chosen on the training split only, deterministic and cached, as good
as the best single candidate on the synthetic CRM, reported in the result; DP scenarios keep diffprivlib."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis import ModelCache, Scenario, SimulationSettings, simulate
from analysis.lift import selection as selection_module
from analysis.lift.evaluate import train_and_measure
from analysis.lift.learners import build_learner
from analysis.lift.models import TwoModelUplift
from analysis.lift.policy import measure_policy
from analysis.lift.selection import CANDIDATES, Selection, select_learner, select_response_model
from analysis.minimize import prepare

FAST = SimulationSettings(n_boot=50, breach_years=2_000, attack_samples=500)


@pytest.fixture(autouse=True)
def one_native_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def campaign(n, seed, *, xor=False):
    """Two arms. Linear uplift 0.25·(x1 − 0.4), or an XOR uplift (+0.2 where exactly one of x1, x2 > ½,
    −0.1 elsewhere) that no linear model can rank."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    t = rng.integers(0, 2, n)
    if xor:
        uplift = np.where((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5), 0.2, -0.1)
    else:
        uplift = 0.25 * (X[:, 0] - 0.4)
    y = (rng.random(n) < 0.2 + 0.1 * X[:, 2] + t * uplift).astype(int)
    return X, y, t, uplift


def test_the_choice_depends_on_the_training_split_only():
    X, y, t, u = campaign(6000, 0)
    first, _ = train_and_measure(X[:4000], y[:4000], X[4000:], y[4000:], treatment_train=t[:4000],
                                 treatment_test=t[4000:], model="auto", n_boot=20)
    shuffled = np.random.default_rng(1).permutation(2000)
    other, _ = train_and_measure(X[:4000], y[:4000], X[4000:][shuffled], 1 - y[4000:], treatment_train=t[:4000],
                                 treatment_test=t[4000:], model="auto", n_boot=20)
    assert first.selection == other.selection and first.model == other.model == first.selection["chosen"]
    assert first.qini_auc != other.qini_auc  # the held-out figures did change
    alone = select_learner(X[:4000], y[:4000], t[:4000])
    assert alone.chosen == first.model and alone.rows == 4000 and alone.rows_total == 4000
    assert first.selection["candidates"][0]["name"] == CANDIDATES[0] and len(first.selection["candidates"]) == 9


def test_the_choice_is_deterministic_cached_and_independent_of_threads(monkeypatch):
    X, y, t, _ = campaign(3000, 2)
    cache: dict = {}
    few = ("s_learner/hgb", "t_learner/logistic", "x_learner/hgb", "dr_learner/logistic")
    selection_module._MEMO.clear()
    choice = select_learner(X, y, t, seed=4, cache=cache, candidates=few)
    assert isinstance(choice, Selection) and len(cache) == 1
    selection_module._MEMO.clear()
    again = select_learner(X, y, t, seed=4, candidates=few)  # computed afresh
    assert again == choice and again is not choice

    # every fit runs on one native thread whatever the process allows, so the choice cannot depend on the
    # machine's thread count (boosting's parallel sums could round differently)
    from threadpoolctl import threadpool_info, threadpool_limits

    seen = []
    real_fit = TwoModelUplift.fit

    def recording_fit(self, *args, **kwargs):
        seen.extend(pool["num_threads"] for pool in threadpool_info())
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(TwoModelUplift, "fit", recording_fit)
    with threadpool_limits(2):
        select_learner(X[:1000], y[:1000], t[:1000], seed=4, candidates=("t_learner/hgb",))
    assert seen and set(seen) == {1}
    monkeypatch.undo()

    def no_fitting(*args, **kwargs):
        raise AssertionError("a cached choice fitted a model")

    monkeypatch.setattr(selection_module, "build_learner", no_fitting)
    assert select_learner(X, y, t, seed=4, cache=cache, candidates=few) is choice
    assert select_learner(X, y, t, seed=4, candidates=few) == choice  # from the process memo
    with pytest.raises(AssertionError, match="fitted"):
        select_learner(X, y, t, seed=5, candidates=few)  # another seed is another choice


def test_boosting_is_chosen_when_the_uplift_is_not_linear():
    X, y, t, _ = campaign(8000, 3, xor=True)
    choice = select_learner(X, y, t)
    means = {name: float(np.mean(values)) for name, values in choice.scores}
    assert choice.chosen.endswith("/hgb"), means
    assert max(v for n, v in means.items() if n.endswith("/logistic")) < means[choice.chosen] - 0.05
    assert choice.metric == "qini" and choice.folds == 2 and np.isfinite(choice.cv_score_sd)


def test_a_large_training_split_is_subsampled_for_the_choice_only():
    X, y, t, _ = campaign(4000, 4)
    choice = select_learner(X, y, t, max_rows=1500, candidates=("t_learner/logistic", "x_learner/logistic"))
    assert choice.rows == 1500 and choice.rows_total == 4000
    with pytest.raises(ValueError, match="The 'candidates' parameter of select_learner must be a non-empty"):
        select_learner(X, y, t, candidates=("forest/hgb",))


def test_targeting_selects_a_response_model_by_cross_validated_gains():
    X, y, _, _ = campaign(4000, 5)
    result, fitted = train_and_measure(X[:3000], y[:3000], X[3000:], y[3000:], model="auto", n_boot=20)
    assert result.kind == "targeting" and result.model in ("response/logistic", "response/hgb")
    assert result.selection["metric"] == "gains" and result.selection["chosen"] == result.model
    assert select_response_model(X[:3000], y[:3000]).chosen == result.model


def test_chosen_learner_is_as_good_as_the_best_single_candidate_on_the_synthetic_crm(demo_crm):
    """Must show (issue 19): the chosen learner's true incremental conversions at k are at least the best single
    candidate's minus its interval's half-width, and the share of the oracle it reaches is reported."""
    p = prepare(Scenario(name="Status quo"), demo_crm)
    arms = np.array([p.control, *sorted(set(p.treatment_train) - {p.control})], dtype=object)
    options = dict(k=0.3, population=len(p.y_test), n_boot=100, seed=0)
    single = {}
    for name in CANDIDATES:
        model = build_learner(name, arms=arms).fit(p.X_train, p.y_train, p.treatment_train)
        single[name] = measure_policy(model.predict_uplift(p.X_test), p.y_test, p.treatment_test, arms,
                                      true_uplift=p.true_uplift_test, **options)
    chosen, _ = train_and_measure(p.X_train, p.y_train, p.X_test, p.y_test, treatment_train=p.treatment_train,
                                  treatment_test=p.treatment_test, control=p.control, model="auto",
                                  true_uplift_test=p.true_uplift_test, k=0.3, n_boot=100)
    best = max(single, key=lambda name: single[name]["true_incremental_conversions"])
    half_width = (single[best]["ci_high"] - single[best]["ci_low"]) / 2
    truth = {name: round(f["true_incremental_conversions"], 1) for name, f in single.items()}
    assert chosen.true_incremental_conversions >= single[best]["true_incremental_conversions"] - half_width, (
        chosen.model, truth)
    assert chosen.true_incremental_conversions == pytest.approx(single[chosen.model]["true_incremental_conversions"])
    assert 0.5 < chosen.share_of_oracle <= 1 and chosen.to_dict()["share_of_oracle"] == chosen.share_of_oracle
    print(f"chosen {chosen.model}: true {chosen.true_incremental_conversions:.1f}, share of oracle "
          f"{chosen.share_of_oracle:.3f}; best single {best}: {truth[best]} ± {half_width:.1f}; all {truth}")


def test_simulate_reports_the_choice_and_dp_scenarios_keep_diffprivlib(demo_crm):
    cache = ModelCache()
    result = simulate(Scenario(name="Status quo"), demo_crm, settings=FAST, cache=cache)
    lift = result.to_dict()["lift"]
    assert result.spec.model == "auto" and lift["model"] == lift["selection"]["chosen"]
    assert lift["selection"]["metric"] == "policy qini" and lift["selection"]["cv_score"] is not None
    assert lift["qini_ci_low"] <= lift["qini_auc"] <= lift["qini_ci_high"]
    assert "Qini" in lift["qini_description"] and all("Qini" in arm["qini_description"] for arm in lift["per_arm"])
    assert len(cache.choices) == 1
    json.dumps(result.to_dict(), allow_nan=False)
    private = simulate(Scenario(name="DP", epsilon=1.0), demo_crm, settings=FAST, cache=cache)
    assert private.lift.model == "t_learner/dp_logistic" and private.lift.selection is None
    assert "diffprivlib" in private.lift.model_note and "no learner selection" in private.lift.model_note
    assert private.to_dict()["lift"]["model_note"] == private.lift.model_note
    assert private.membership is not None and result.membership is not None


@pytest.mark.parametrize("options, message", [
    (dict(model="auto", learner="x_learner"), "The 'learner' parameter of train_and_measure must be None with"),
    (dict(model="dp_logistic", epsilon=1.0, learner="x_learner"), "must be one of ('t_learner'"),
    (dict(model="boosting"), "The 'model' parameter of train_and_measure must be one of ('auto'"),
])
def test_bad_model_options_are_named(options, message):
    X, y, t, _ = campaign(400, 6)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        train_and_measure(X[:300], y[:300], X[300:], y[300:], treatment_train=t[:300], treatment_test=t[300:],
                          n_boot=2, **options)
