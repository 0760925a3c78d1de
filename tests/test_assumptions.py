"""The assumptions registry: sourced or labelled, documented, overridable, validated."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.breach.assumptions import (
    DEFAULT_ASSUMPTIONS, DISTRIBUTIONS, KINDS, AssumptionError, assumptions_table, load_assumptions,
    lognormal_parameters, pert_mean,
)
from analysis.dictionary import CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "assumptions.example.toml"
KEYS = [a.key for a in DEFAULT_ASSUMPTIONS]


def test_keys_are_unique_and_every_category_has_a_weight():
    assert len(KEYS) == len(set(KEYS))
    assert {k.split(".", 1)[1] for k in KEYS if k.startswith("category_weight.")} == set(CATEGORIES)


@pytest.mark.parametrize("a", DEFAULT_ASSUMPTIONS, ids=KEYS)
def test_every_default_is_sourced_or_labelled_an_assumption(a):
    assert a.kind in KINDS and a.distribution in DISTRIBUTIONS
    assert a.label and a.unit
    if a.kind == "sourced":
        assert a.year is not None and 2000 <= a.year <= 2025
        assert "assumption" not in a.source.lower()
    else:
        assert "assum" in a.source.lower()  # "PrivacyLift assumption" or "... mode assumed"
    if a.distribution != "fixed":
        assert a.low is not None and a.high is not None and a.low <= a.value <= a.high


def test_sourced_figures_match_the_references():
    a = load_assumptions()
    assert a.value("cost_per_record") == 173  # the global average (IBM 2024), not a US figure
    assert a["cost_per_record"].secondary and a["cost_per_record"].year == 2024
    assert a["cost_per_record"].region == "global" and "global" in a["cost_per_record"].label
    assert (a["cost_per_record"].low, a["cost_per_record"].high) == (141, 173)
    assert a.value("encryption_multiplier") == pytest.approx(1 - 13 / 233)
    assert a.value("incident_response_multiplier") == pytest.approx(1 - 14 / 233)
    assert (a.value("gdpr_art83_4_fixed_eur"), a.value("gdpr_art83_4_turnover_share")) == (10e6, 0.02)
    assert (a.value("gdpr_art83_5_fixed_eur"), a.value("gdpr_art83_5_turnover_share")) == (20e6, 0.04)
    assert (a["ccpa_damages_per_consumer"].low, a["ccpa_damages_per_consumer"].high) == (100, 750)
    assert a.value("fine_probability") == pytest.approx(1 / 3, abs=0.01)
    assert a.value("ibm_average_total_cost") == 4.88e6
    assert "ASSUMPTION" in a["breach_frequency"].label


def test_every_registry_key_is_used_by_a_model_or_a_test():
    """Meta-test: a key no code reads is dead; a key the code reads must be registered."""
    sources = "".join((ROOT / "analysis" / f).read_text()
                      for f in ("breach/montecarlo.py", "breach/trust.py", "consent/control.py"))
    used = set(re.findall(r'\.(?:value|mean)\("([a-z0-9_.]+)"\)', sources))
    used |= set(re.findall(r'_draw\(rng, a, "([a-z0-9_.]+)"', sources))
    used |= {f"category_weight.{c}" for c in CATEGORIES} | {"ibm_average_total_cost"}  # f-string; sanity test
    assert used - set(KEYS) == set()
    assert set(KEYS) - used == set()


def test_example_toml_documents_every_key_with_its_default():
    data = tomllib.loads(EXAMPLE.read_text())
    data.pop("meta")
    flat = {}
    for k, v in data.items():
        if k == "category_weight":
            flat.update({f"category_weight.{c}": w for c, w in v.items()})
        else:
            flat[k] = v
    assert set(flat) == set(KEYS)
    loaded = load_assumptions(EXAMPLE)
    assert loaded.overridden == frozenset()
    assert dict(loaded) == dict(load_assumptions())
    for a in DEFAULT_ASSUMPTIONS:  # the comment above each table carries the label
        assert a.label in EXAMPLE.read_text()


def test_a_lognormal_value_alone_moves_its_interval_with_it():
    """Its mean is fitted to [low, high]: a value given alone must not be silently ignored."""
    base = load_assumptions()
    moved = load_assumptions({"cost_per_record_factor": 1.8})
    a = moved["cost_per_record_factor"]
    assert (a.value, a.low, a.high) == pytest.approx((1.8, 0.9, 3.6))
    assert a.value == pytest.approx(math.sqrt(a.low * a.high))  # still the median
    assert moved.mean("cost_per_record_factor") == pytest.approx(2 * base.mean("cost_per_record_factor"))
    given = load_assumptions({"cost_per_record_factor": {"value": 1.0, "low": 0.5, "high": 2.0}})
    assert (given["cost_per_record_factor"].low, given["cost_per_record_factor"].high) == (0.5, 2.0)


def test_override_from_toml_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('cost_per_record = 300\n[breach_frequency]\nmode = 0.1\n'
                    '[category_weight.health]\nvalue = 1.5\nlow = 1\nhigh = 3\n')
    a = load_assumptions(path)
    assert a.value("cost_per_record") == 300
    assert a.value("breach_frequency") == 0.1 and a["breach_frequency"].low == 0.01
    assert a["category_weight.health"].high == 3
    assert a.overridden == {"cost_per_record", "breach_frequency", "category_weight.health"}
    assert a.fingerprint() != load_assumptions().fingerprint()
    assert load_assumptions({"cost_per_record": 300, "breach_frequency": {"value": 0.1},
                             "category_weight.health": {"value": 1.5, "low": 1, "high": 3}}
                            ).fingerprint() == a.fingerprint()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"breach_frequency": {"low": -1}}, "The 'breach_frequency.low' assumption must be ≥ 0. Got -1 instead."),
    ({"breach_frequency": {"low": 0.3}}, "'breach_frequency.low' assumption must be ≤ its high (0.25)."),
    ({"fine_probability": 1.5}, "'fine_probability.value' assumption must be ≤ 1 (a probability). Got 1.5"),
    ({"california_share": {"high": 2}}, "'california_share.high' assumption must be ≤ 1"),
    ({"category_weight": {"genetic": 1.0}}, "no category 'genetic'"),
    ({"category_weight.genetic": 1.0}, "no category 'genetic'"),
    ({"breach_frequncy": 0.1}, "The 'breach_frequncy' assumption is unknown"),
    ({"breach_frequency": {"median": 0.1}}, "The 'breach_frequency.median' assumption field is unknown"),
    ({"cost_per_record": "a lot"}, "The 'cost_per_record.value' assumption must be a number"),
    ({"cost_per_record": math.nan}, "The 'cost_per_record.value' assumption must be a finite number"),
    ({"cost_per_record_factor": {"low": 0}}, "'cost_per_record_factor.low' assumption must be > 0"),
    ({"breach_frequency": 0.5}, "The 'breach_frequency.value' assumption must be within [low, high]"),
    ({"trust_sensitive_churn": {"value": 0.5, "high": 0.4}}, "'trust_sensitive_churn.value' assumption"),
    ({"history_days": {"value": 0, "low": 0}}, "'history_days.value' assumption must be > 0 (days)"),
])
def test_bad_assumptions_name_the_field(overrides, message):
    with pytest.raises(AssumptionError) as info:
        load_assumptions(overrides)
    assert message in str(info.value)


def test_region_and_year_pick_the_cost_per_record_of_one_series():
    from analysis.breach.assumptions import COST_PER_RECORD_SERIES

    us = load_assumptions({"cost_per_record": {"region": "united_states", "year": 2018}})
    assert us.value("cost_per_record") == 233 and us["cost_per_record"].year == 2018
    assert "United States" in us["cost_per_record"].label and us.fingerprint() != load_assumptions().fingerprint()
    assert load_assumptions({"cost_per_record": {"year": 2020}}).value("cost_per_record") == 146
    # a value beside a region overrides the sourced figure; the region stays recorded
    own = load_assumptions({"cost_per_record": {"region": "united_states", "value": 250}})
    assert own.value("cost_per_record") == 250 and own["cost_per_record"].region == "united_states"
    for region, series in COST_PER_RECORD_SERIES.items():  # one series per region, never mixed
        a = load_assumptions({"cost_per_record": {"region": region}})
        assert a.value("cost_per_record") == series[max(series)]
        assert a["cost_per_record"].low == min(series.values()) and a["cost_per_record"].high == max(series.values())
    with pytest.raises(AssumptionError, match="'cost_per_record.region' assumption must be one of"):
        load_assumptions({"cost_per_record": {"region": "eu"}})
    with pytest.raises(AssumptionError, match="'cost_per_record.year' assumption must be a year of the "
                                              "united_states series"):
        load_assumptions({"cost_per_record": {"region": "united_states", "year": 2024}})


def test_invalid_toml_is_reported(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("cost_per_record = = 3")
    with pytest.raises(AssumptionError, match="not valid TOML"):
        load_assumptions(path)


def test_pert_and_lognormal_means_match_samples():
    rng = np.random.default_rng(3)
    assert pert_mean(1, 2, 9) == pytest.approx((1 + 8 + 9) / 6)
    low, high = 0.45, 1.8
    mu, sigma = lognormal_parameters(low, high)
    x = rng.lognormal(mu, sigma, 400_000)
    assert np.mean((x >= low) & (x <= high)) == pytest.approx(0.90, abs=0.003)  # it is a 90 % interval
    assert load_assumptions().mean("cost_per_record_factor") == pytest.approx(x.mean(), rel=0.005)
    assert load_assumptions().mean("cost_per_record_factor") == pytest.approx(1.0, abs=0.03)


def test_table_lists_every_assumption_with_provenance():
    t = assumptions_table(load_assumptions({"turnover_eur": 1e9}))
    assert t.height == len(KEYS) and t["key"].to_list() == KEYS
    for column in ("key", "label", "value", "unit", "source", "year", "secondary", "kind", "overridden"):
        assert column in t.columns
    assert t.filter(pl.col("overridden"))["key"].to_list() == ["turnover_eur"]
    assert t.filter(pl.col("key") == "breach_frequency")["mean"][0] == pytest.approx((0.01 + 0.2 + 0.25) / 6)


def test_a_fixed_value_outside_its_range_widens_the_range():
    a = load_assumptions({"trust_sensitive_churn": 0.5, "reachable_share": 0.1})
    assert (a["trust_sensitive_churn"].low, a["trust_sensitive_churn"].high) == (0.005, 0.5)
    assert (a["reachable_share"].low, a["reachable_share"].high) == (0.1, 1.0)


def test_setting_a_default_back_is_not_an_override():
    a = load_assumptions({"cost_per_record": {"region": "united_states"}})
    assert a.overridden == {"cost_per_record"}
    a = a.with_overrides({"cost_per_record": {"region": "global"}})
    assert a.overridden == frozenset()
    assert a.with_values(eur_usd=1.1).value("eur_usd") == 1.1
    assert a.to_dict()["eur_usd"]["source"] == "PrivacyLift assumption"


@pytest.mark.parametrize("module", ["analysis.breach.assumptions", "analysis.breach.montecarlo", "analysis.breach.trust",
                                    "analysis.tradeoff.frontier"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
