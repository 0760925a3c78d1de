"""Breach Monte Carlo: hand-computed case, analytic cross-check, monotonicity, determinism, errors."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.breach.assumptions import AssumptionError, load_assumptions
from analysis.breach import (
    COMPONENTS, MITIGATIONS, Holding, analytic_components, analytic_expected_loss, mitigation_value,
    simulate_breach,
)
from analysis.dictionary import CATEGORIES

BASE = Holding(records=50_000, categories=("contact", "demographic", "transactional"), pseudonymized=False)

# Every sampled input made constant, so one breach costs a number computable by hand.
CONSTANT = {
    "breach_frequency": {"low": 0.5, "value": 0.5, "high": 0.5},
    "reachable_share": 1.0,
    "cost_per_record": 246,
    "breach_records_fraction": {"low": 0.5, "value": 0.5, "high": 0.5},
    "cost_per_record_factor": {"low": 1, "value": 1, "high": 1},
    "notification_response_cost": {"low": 10_000, "value": 10_000, "high": 10_000},
    "fine_probability": 1.0,
    "gdpr_upper_tier_probability": 0.0,
    "fine_share_of_ceiling": {"low": 0.01, "value": 0.01, "high": 0.01},
    "turnover_eur": 100e6,
    "eur_usd": 1.1,
    "ccpa_claim_probability": 1.0,
    "california_share": 0.1,
    "ccpa_damages_per_consumer": {"low": 100, "value": 100, "high": 100},
    "breach_churn": 0.02,
    "customer_value": 300,
}


def test_hand_computed_breach():
    h = Holding(records=1_000, categories=("contact", "financial"), pseudonymized=False)
    # 500 records breached; record cost 246 × (1 − 0.3) × (0.7 + 0.8) = 258.3
    expected = {"per_record": 500 * 258.3, "notification_response": 10_000,
                "regulatory_gdpr": 0.01 * 10e6 * 1.1,  # max(€10M, 2 % of €100M) = €10M
                "regulatory_ccpa": 500 * 0.1 * 100, "lost_business": 0.02 * 500 * 300}
    one_breach = sum(expected.values())
    assert one_breach == pytest.approx(257_150)
    analytic = analytic_components(h, load_assumptions(CONSTANT))
    assert analytic == pytest.approx({k: 0.5 * v for k, v in expected.items()})
    r = simulate_breach(h, CONSTANT, years=20_000, seed=4)
    counts = r.annual_losses / one_breach
    assert np.allclose(counts, np.round(counts))  # every year is a whole number of identical breaches
    assert counts.mean() == pytest.approx(0.5, abs=0.02)  # Poisson(0.5)
    assert np.mean(counts == 0) == pytest.approx(np.exp(-0.5), abs=0.01)
    for c in COMPONENTS:
        assert r.components[c] == pytest.approx(expected[c] * counts.mean())


@pytest.mark.parametrize("holding", [
    BASE,
    Holding(records=2_000, categories=("health", "financial"), encrypted_at_rest=True, retention_days=90),
    Holding(records=300_000, categories=tuple(CATEGORIES), access_restricted=True, incident_response=True),
], ids=["raw", "encrypted-health", "restricted-all"])
def test_simulated_mean_matches_analytic_within_its_ci(holding):
    """The 95 % CI of the simulated mean covers E[freq] × E[mag] for ~95 % of seeds."""
    analytic = analytic_expected_loss(holding)
    covered = 0
    for seed in range(20):
        r = simulate_breach(holding, years=50_000, seed=seed, keep_losses=False)
        assert r.analytic_mean == analytic
        assert r.mean_ci_low < r.expected_annual_loss < r.mean_ci_high
        covered += r.mean_ci_low <= analytic <= r.mean_ci_high
        assert abs(r.expected_annual_loss - analytic) < 2.5 * (r.mean_ci_high - r.mean_ci_low)  # ~5 SE
    assert covered >= 16
    big = simulate_breach(holding, years=1_000_000, seed=99, keep_losses=False)
    assert big.expected_annual_loss == pytest.approx(analytic, rel=0.03)


def test_breach_size_is_in_the_range_of_ibm_average():
    """Sanity: a breach of ~24,000 records (inside IBM's 2,100–113,000 sample) costs about IBM's average."""
    a = load_assumptions()
    h = Holding(records=100_000, categories=("contact", "demographic", "transactional"), pseudonymized=False)
    per_breach = analytic_expected_loss(h, a) / a.mean("breach_frequency")
    assert a.value("ibm_average_total_cost") / 3 < per_breach < 3 * a.value("ibm_average_total_cost")


def test_percentiles_ordered_and_exceedance_curve_consistent():
    frequent = {"breach_frequency": {"low": 0.3, "value": 1, "high": 3}}
    r = simulate_breach(replace(BASE, records=200_000), frequent, years=50_000, seed=2)
    assert 0 <= r.p10 <= r.median <= r.p90 <= r.p95 <= r.p99 <= r.annual_losses.max()
    assert r.median > 0  # frequent breaches: most years lose something
    e = r.exceedance
    assert e["loss"].is_sorted() and e["probability_exceeded"].reverse().is_sorted()
    assert e["probability_exceeded"][0] == pytest.approx(r.probability_of_breach)
    p95_row = e.filter(e["loss"] >= r.p95).head(1)
    assert p95_row["probability_exceeded"][0] <= 0.05 + 1e-9
    assert sum(r.components.values()) == pytest.approx(r.expected_annual_loss)


def test_determinism_and_json():
    a = simulate_breach(BASE, years=10_000, seed=7)
    b = simulate_breach(BASE, years=10_000, seed=7)
    c = simulate_breach(BASE, years=10_000, seed=8)
    assert np.array_equal(a.annual_losses, b.annual_losses) and a.to_dict() == b.to_dict()
    assert not np.array_equal(a.annual_losses, c.annual_losses)
    d = json.loads(json.dumps(a.to_dict()))
    assert "annual_losses" not in d and set(d["components"]) == set(COMPONENTS)
    assert d["p95"] == a.p95 and len(d["exceedance"]["loss"]) == a.exceedance.height


def _losses(h: Holding) -> tuple[float, float]:
    simulated = simulate_breach(h, years=5_000, seed=1, keep_losses=False).expected_annual_loss
    return analytic_expected_loss(h), simulated


holdings = st.builds(
    Holding,
    records=st.integers(1, 10**6),
    categories=st.lists(st.sampled_from(CATEGORIES), max_size=4, unique=True).map(tuple),
    pseudonymized=st.booleans(), encrypted_at_rest=st.booleans(), access_restricted=st.booleans(),
    retention_days=st.one_of(st.none(), st.integers(1, 5_000)), direct_identifiers=st.booleans(),
    incident_response=st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(h=holdings, extra=st.integers(1, 10**6), category=st.sampled_from(CATEGORIES))
def test_more_records_or_categories_cost_more(h, extra, category):
    """Same seed = same random numbers, so even the simulated loss is monotone."""
    analytic, simulated = _losses(h)
    more = _losses(replace(h, records=h.records + extra))
    assert more[0] > analytic and more[1] >= simulated
    if category not in h.categories:
        wider = _losses(replace(h, categories=h.categories + (category,)))
        assert wider[0] >= analytic and wider[1] >= simulated
        if category not in ("behavioral", "transactional") or h.retention_days is None:
            assert wider[0] > analytic  # event categories add nothing only when retention is ~0


@settings(max_examples=40, deadline=None)
@given(h=holdings)
def test_each_mitigation_lowers_the_loss(h):
    categories = h.categories if "behavioral" in h.categories else h.categories + ("behavioral",)
    raw = replace(h, pseudonymized=False, encrypted_at_rest=False, access_restricted=False,
                  retention_days=None, direct_identifiers=True, incident_response=False,
                  categories=categories)
    base = _losses(raw)
    for change in ({"pseudonymized": True}, {"encrypted_at_rest": True}, {"access_restricted": True},
                   {"retention_days": 30}, {"incident_response": True}, {"direct_identifiers": False}):
        analytic, simulated = _losses(replace(raw, **change))
        assert analytic < base[0], change
        assert simulated <= base[1], change


@pytest.mark.parametrize(("change", "per_record_ratio", "records_ratio"), [
    ({"pseudonymized": True}, 0.6, 1.0),
    ({"direct_identifiers": False}, 0.4, 1.0),
    ({"encrypted_at_rest": True}, 1 - 13 / 233, 1.0),
    ({"incident_response": True}, 1 - 14 / 233, 1.0),
    ({"access_restricted": True}, 0.5, 0.5),  # fewer records reachable: per-record cost and churn both halve
    ({"retention_days": 365}, (0.7 + 0.3 + 0.2 / 3) / 1.2, 1.0),  # a third of 1,095 days of transactions
])
def test_mitigation_multipliers_as_documented(change, per_record_ratio, records_ratio):
    raw = analytic_components(BASE)
    mitigated = analytic_components(replace(BASE, **change))
    assert mitigated["per_record"] / raw["per_record"] == pytest.approx(per_record_ratio)
    assert mitigated["lost_business"] / raw["lost_business"] == pytest.approx(records_ratio)
    assert mitigated["notification_response"] == raw["notification_response"]
    assert mitigated["regulatory_gdpr"] == raw["regulatory_gdpr"]


def test_encryption_removes_ccpa_and_gdpr_tier_follows_turnover():
    raw = analytic_components(BASE)
    assert raw["regulatory_ccpa"] > 0
    assert analytic_components(replace(BASE, encrypted_at_rest=True))["regulatory_ccpa"] == 0
    assert analytic_components(replace(BASE, pseudonymized=True))["regulatory_ccpa"] == 0
    small = analytic_components(BASE, {"turnover_eur": 1e6})["regulatory_gdpr"]
    assert analytic_components(BASE, {"turnover_eur": 400e6})["regulatory_gdpr"] == small  # fixed part rules
    assert analytic_components(BASE, {"turnover_eur": 4e9})["regulatory_gdpr"] == pytest.approx(8 * small)
    assert analytic_expected_loss(replace(BASE, records=0)) == 0


def test_mitigation_value_table():
    h = replace(BASE, pseudonymized=True, encrypted_at_rest=True)
    t = mitigation_value(h, years=20_000, seed=3)
    assert t["mitigation"].to_list() == [m for m, _ in MITIGATIONS] + ["all"]
    assert t["in_scenario"].to_list() == [True, True, False, False, False, False, True]
    assert (t["value"] > 0).all() and (t["analytic_off"] > t["analytic_on"]).all()
    rows = {r["mitigation"]: r for r in t.iter_rows(named=True)}
    assert rows["all"]["expected_loss_on"] == pytest.approx(simulate_breach(h, years=20_000, seed=3)
                                                            .expected_annual_loss)
    assert rows["all"]["value"] > max(rows["pseudonymized"]["value"], rows["encrypted_at_rest"]["value"])
    # common random numbers: simulated differences track the analytic ones closely
    sim = t["value"].to_numpy()
    exact = (t["analytic_off"] - t["analytic_on"]).to_numpy()
    assert np.allclose(sim, exact, rtol=0.15)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Holding(records=-1, categories=("contact",)), "The 'records' parameter of Holding must be"),
    (lambda: Holding(records=10, categories=("genetic",)), "'categories' parameter of Holding must be a"),
    (lambda: Holding(records=10, categories=(), retention_days=0), "'retention_days' parameter of Holding"),
    (lambda: Holding(records=10, categories=(), encrypted_at_rest="yes"), "'encrypted_at_rest' parameter"),
    (lambda: simulate_breach(BASE, years=0), "The 'years' parameter of simulate_breach"),
])
def test_bad_inputs_name_the_field(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"breach_frequency": {"low": -1}}, "breach_frequency.low"),
    ({"fine_probability": 2}, "fine_probability.value"),
    ({"breach_records_fraction": {"low": 0.9, "high": 0.5}}, "breach_records_fraction.low"),
    ({"category_weight": {"genetic": 2}}, "genetic"),
])
def test_bad_assumptions_fail_before_simulating(overrides, field):
    with pytest.raises(AssumptionError, match=field):
        simulate_breach(BASE, overrides, years=10)


def test_hundred_thousand_years_well_under_a_second():
    simulate_breach(BASE, years=1_000)  # warm-up
    start = time.perf_counter()
    simulate_breach(BASE, years=100_000)
    assert time.perf_counter() - start < 1.0
