"""Trade-off table: net value arithmetic, risk index formula, frontier flags, recommendation, sweeps."""

from __future__ import annotations

import math

import polars as pl
import pytest

from analysis import PRESETS, BusinessSettings, SimulationSettings, preset, run_scenarios, sweep, waterfall_steps
from analysis.tradeoff import RISK_INDEX_FORMULA, RISK_WEIGHTS, dp_membership_bound, exposure_parts, risk_index

FAST = SimulationSettings(n_boot=50, breach_years=5_000)
SPECS = [PRESETS[0], preset("Coarse demographics"), preset("Privacy first"), preset("Differential privacy ε=0.1")]


@pytest.fixture(scope="module")
def tradeoff(demo_crm):
    return run_scenarios(SPECS, demo_crm, simulation=FAST)


def test_net_value_is_gain_minus_loss_plus_trust(tradeoff):
    s = tradeoff.settings
    for row in tradeoff.table.to_dicts():
        value_year = row["incremental_conversions"] * s.value_per_conversion * s.campaigns_per_year
        assert row["engagement_value_per_year"] == pytest.approx(value_year)
        expected = s.horizon_years * (value_year - row["expected_annual_loss"]) + row["trust_value"]
        assert row["net_value"] == pytest.approx(expected)


def test_waterfall_adds_up_to_net_value(tradeoff):
    for name in tradeoff.table["name"]:
        steps = waterfall_steps(tradeoff, name)
        relative = steps.filter(pl.col("kind") == "relative")["amount"].sum()
        total = steps.filter(pl.col("kind") == "total")["amount"].item()
        assert total == pytest.approx(relative)


def test_risk_index_follows_its_published_formula(tradeoff):
    for weight in RISK_WEIGHTS.values():
        assert f"{weight} ×" in RISK_INDEX_FORMULA
    assert sum(RISK_WEIGHTS.values()) == pytest.approx(1.0)
    for r in tradeoff.results:
        held = r.customers_held / r.population
        advantage = r.membership.risk_ci_high if r.membership else 0.0  # what the attack does not rule out
        if r.spec.epsilon is not None:  # ε-DP caps it: (e^ε − 1)/(e^ε + 1)
            advantage = min(advantage, (math.exp(r.spec.epsilon) - 1) / (math.exp(r.spec.epsilon) + 1))
        held_part = 100 * held * (
            0.4 * r.risk.reidentification.prosecutor_average_records
            + 0.2 * (r.behavioral_uniqueness or 0)
            + 0.25 * ((r.attribute.risk if r.attribute else 1.0) if r.risk.sensitive else 0.0))
        model_part = 100 * held * 0.15 * advantage
        parts = exposure_parts(r)
        assert (parts.held_data, parts.model) == (pytest.approx(held_part), pytest.approx(model_part))
        assert risk_index(r) == pytest.approx(held_part + model_part)
        assert 0 <= held_part + model_part <= 100
    assert dp_membership_bound(0.1) == pytest.approx(math.tanh(0.05)) and dp_membership_bound(None) is None


def test_frontier_flags_agree_with_a_brute_force_check(tradeoff):
    """On the frontier: no other scenario has at least as much gain with no more exposure and no more loss."""
    rows = tradeoff.table.to_dicts()
    for a in rows:
        axes = ("risk_index", "expected_annual_loss")
        dominated = any(
            b["incremental_conversions"] >= a["incremental_conversions"] and all(b[x] <= a[x] for x in axes)
            and (b["incremental_conversions"] > a["incremental_conversions"] or any(b[x] < a[x] for x in axes))
            for b in rows if b is not a
        )
        assert a["on_frontier"] == (not dominated), a["name"]
        exposure_only = any(
            b["incremental_conversions"] >= a["incremental_conversions"] and b["risk_index"] <= a["risk_index"]
            and (b["incremental_conversions"] > a["incremental_conversions"] or b["risk_index"] < a["risk_index"])
            for b in rows if b is not a
        )
        assert a["on_exposure_frontier"] == (not exposure_only), a["name"]
    assert tradeoff.table.filter(pl.col("is_current"))["name"].to_list() == [PRESETS[0].name]


def test_recommendation_is_built_from_the_figures(tradeoff, demo_crm):
    text = tradeoff.recommendation
    allowed = tradeoff.table.filter(pl.col("allowed"))
    best = allowed.sort("net_value", descending=True)["name"][0]  # the rule, recomputed by hand
    assert tradeoff.decision.scenario == best and f"“{best}” has the highest" in text
    assert tradeoff.table.filter(pl.col("recommended"))["name"].to_list() == [best]
    # another value per conversion changes the words (nothing is hard-coded)
    rich = run_scenarios(SPECS, demo_crm, simulation=FAST, settings=BusinessSettings(value_per_conversion=5000))
    assert rich.recommendation != text
    assert all(math.isfinite(v) for v in rich.table["net_value"])


def test_bad_business_settings_name_the_field():
    with pytest.raises(ValueError, match="'value_per_conversion'"):
        BusinessSettings(value_per_conversion=-1)
    with pytest.raises(ValueError, match="'horizon_years'"):
        BusinessSettings(horizon_years=2)


def test_sweeps_move_the_right_way(demo_crm):
    retention = sweep("retention", demo_crm, values=[30, 730])
    exposure = retention.filter(pl.col("metric") == "Exposure index").sort("x")["value"].to_list()
    assert exposure[0] <= exposure[1]
    eps = sweep("epsilon", demo_crm, values=[0.03, 30.0])
    gain = eps.filter(pl.col("metric") == "Gain retained (%)").sort("x")["value"].to_list()
    assert gain[0] < gain[1]
    with pytest.raises(ValueError, match="'parameter'"):
        sweep("color", demo_crm)
