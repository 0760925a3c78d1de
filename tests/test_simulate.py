"""Scenarios on the synthetic CRM: the orderings its ground truth implies, selection bias, DP, the cache."""

from __future__ import annotations

import pytest

from analysis import PRESETS, ModelCache, Scenario, SimulationSettings, preset, run_scenarios, simulate

FAST = SimulationSettings(n_boot=100, breach_years=5_000)
MINIMIZATIONS = (
    "No sensitive attributes",
    "Coarse demographics",
    "90-day retention",
    "Consent only",
    "Differential privacy ε=1",
    "Differential privacy ε=0.1",
    "Privacy first",
)


@pytest.fixture(scope="module")
def presets(demo_crm):
    return run_scenarios(PRESETS, demo_crm, simulation=FAST)


def true_gain(t, name):
    return t.result(name).lift.true_incremental_conversions


def test_full_data_beats_every_minimization_in_true_gain(presets):
    full = true_gain(presets, PRESETS[0].name)
    oracle = presets.result(PRESETS[0].name).lift.oracle_incremental_conversions
    assert 0 < full < oracle
    for name in MINIMIZATIONS:
        assert true_gain(presets, name) <= full, name


def test_estimates_cover_the_truth(presets):
    """The estimated incremental conversions' 95 % interval covers the true figure (most scenarios; the
    interval resamples the test set only, so a few misses are expected)."""
    covered = []
    for r in presets.results:
        lift = r.lift
        covered.append(lift.ci_low <= lift.true_incremental_conversions <= lift.ci_high)
        assert lift.kind == "uplift"
        assert lift.ci_low <= lift.incremental_conversions <= lift.ci_high
    assert covered[0], "the full-data estimate must cover its true value"
    assert sum(covered) >= len(covered) - 2


def test_gain_retained_is_relative_to_full_data(presets):
    rows = {r["name"]: r for r in presets.table.to_dicts()}
    assert rows[PRESETS[0].name]["gain_retained"] == pytest.approx(1.0)
    for name, row in rows.items():
        assert row["gain_retained"] == pytest.approx(
            row["incremental_conversions"] / rows[PRESETS[0].name]["incremental_conversions"]
        )


def test_consent_only_shows_selection_bias(presets):
    """Trained and judged on consenters, the model looks better than it is once applied to everyone:
    consenters respond more to contact (the generator makes consent depend on uplift)."""
    r = presets.result("Consent only")
    assert r.true_uplift_at_k_own_population > r.true_uplift_at_k_everyone
    assert r.estimated_on_own_population is not None


def test_dp_lift_rises_with_epsilon_toward_the_non_dp_lift(demo_crm):
    cache = ModelCache()
    gains = {
        eps: simulate(Scenario(name=f"eps {eps}", epsilon=eps), demo_crm, settings=FAST, cache=cache)
        .lift.true_incremental_conversions
        for eps in (0.03, 1.0, 30.0)
    }
    no_dp = simulate(PRESETS[0], demo_crm, settings=FAST, cache=cache).lift.true_incremental_conversions
    # each arm draws its own DP noise (issue 20): below ε = 1 the ranking is close to random, and a random ranking
    # may beat a weakly informed one, so the rise is asserted from ε = 1 up, and the noisiest model keeps far less
    # than the full-data gain
    assert gains[1.0] < gains[30.0] <= no_dp * 1.05
    assert max(gains[0.03], gains[1.0]) < 0.8 * no_dp
    r = simulate(Scenario(name="dp", epsilon=0.5), demo_crm, settings=FAST, cache=cache)
    assert r.lift.epsilon_spent == pytest.approx(0.5)


def test_dp_lowers_membership_advantage(demo_crm):
    overfit = simulate(Scenario(name="boosted", model="hgb"), demo_crm, settings=FAST)
    private = simulate(Scenario(name="private", epsilon=0.1), demo_crm, settings=FAST)
    assert overfit.membership.risk_ci_low > 0
    assert private.membership.risk < overfit.membership.risk


def test_exposure_moves_the_right_way(presets):
    rows = {r["name"]: r for r in presets.table.to_dicts()}
    full = rows[PRESETS[0].name]
    assert rows["Coarse demographics"]["sample_uniqueness"] < full["sample_uniqueness"]
    assert rows["Coarse demographics"]["risk_index"] < full["risk_index"]
    assert rows["No sensitive attributes"]["sensitive_disclosure"] == 0.0 < 0.5 < full["sensitive_disclosure"]
    assert rows["No sensitive attributes"]["risk_index"] < full["risk_index"]
    assert rows["90-day retention"]["behavioral_uniqueness"] < full["behavioral_uniqueness"]
    assert rows["90-day retention"]["risk_index"] < full["risk_index"]
    assert rows["Privacy first"]["expected_annual_loss"] < full["expected_annual_loss"]
    assert rows["90-day retention"]["expected_annual_loss"] < full["expected_annual_loss"]
    assert rows["Consent only"]["customers_held"] < full["customers_held"]


def test_mitigation_only_change_does_not_retrain(demo_crm):
    cache = ModelCache()
    base = simulate(PRESETS[0], demo_crm, settings=FAST, cache=cache)
    misses = cache.misses
    locked = simulate(PRESETS[0].replace(encryption_at_rest=True, access_restriction=True), demo_crm,
                      settings=FAST, cache=cache)
    assert cache.misses == misses and cache.hits >= 1
    assert locked.lift == base.lift
    assert locked.breach.expected_annual_loss < base.breach.expected_annual_loss
    assert locked.fingerprint != base.fingerprint


def test_not_applicable_is_reported_not_run(demo_crm):
    from analysis.data import CRMData

    no_events = CRMData(schema=demo_crm.schema.__class__(**{**demo_crm.schema.__dict__, "events": None,
                                                            "events_table": None}),
                        customers=demo_crm.customers, fingerprint="x", ground_truth=demo_crm.ground_truth)
    r = simulate(preset("90-day retention"), no_events, settings=FAST)
    assert r.status == "not_applicable" and "events" in r.reason
    assert r.to_dict()["reason"] == r.reason


def test_json_has_the_promised_fields(presets):
    out = presets.to_dict()
    assert [o["name"] for o in out] == [p.name for p in PRESETS]
    for o in out:
        assert len(o["fingerprint"]) == 16
        lift = o["lift"]
        for key in ("kind", "qini_auc", "uplift_at_k", "k", "incremental_conversions", "ci_low", "ci_high",
                    "gain_retained"):
            assert key in lift
        for key in ("k", "sample_uniqueness", "prosecutor_highest", "records_at_risk", "risk_index"):
            assert key in o["risk"]
        assert {"expected_annual_loss", "p95"} <= set(o["breach"])
        assert "net_value" in o and isinstance(o["on_frontier"], bool)


def test_a_repeated_run_is_served_from_the_cache(demo_crm):
    cache = ModelCache()
    specs = [PRESETS[0], preset("Coarse demographics")]
    first = run_scenarios(specs, demo_crm, simulation=FAST, cache=cache)
    misses = cache.misses
    second = run_scenarios(specs, demo_crm, simulation=FAST, cache=cache)
    assert cache.misses == misses and cache.result_hits >= len(specs)
    assert first.table.equals(second.table)
