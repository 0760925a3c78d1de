"""The real UCI Bank Marketing sample through its dictionary alone: a targeting lift, not an uplift."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import PRESETS, SimulationSettings, Store, load_dictionary, preset, run_scenarios

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("bank") / "bank.duckdb")
    store.ingest(load_dictionary(DATA / "bank_marketing.toml"), [DATA / "bank.csv"])
    return store


def test_bank_marketing_gives_a_targeting_lift(bank):
    specs = [PRESETS[0], preset("No sensitive attributes"), preset("Coarse demographics"), preset("90-day retention"),
             preset("Consent only")]
    t = run_scenarios(specs, bank, simulation=SimulationSettings(n_boot=100, breach_years=2_000))
    full = t.result(PRESETS[0].name)
    assert full.lift.kind == "targeting"
    assert full.lift.lift_at_k > 1.5  # the top 30 % respond far more often than the base rate
    assert full.lift.ci_low > 0  # extra responders over random targeting, with its interval above zero
    assert full.lift.qini_auc is None and full.lift.true_incremental_conversions is None
    reasons = dict(zip(t.not_applicable["name"], t.not_applicable["reason"]))
    assert "events" in reasons["90-day retention"]
    assert "consent" in reasons["Consent only"]
    coarse = t.result("Coarse demographics")
    assert coarse.risk.reidentification.sample_uniqueness < full.risk.reidentification.sample_uniqueness
    # `duration` leaks the outcome (known after the call): the dictionary keeps it out of every model
    assert "duration" not in full.columns_used
