"""A CRM measured where it lives: the 20k synthetic CRM in PostgreSQL and in Spark (Parquet tables) gives the
DuckDB store's risk profile field by field and its preset figures; nothing is written to the warehouse; what
was pulled is recorded; canary identifiers stored in PostgreSQL never reach anything PrivacyLift writes or prints.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from analysis.dictionary import load_dictionary
from analysis.scenario import PRESETS
from warehouse_fixtures import crm_frames, load_postgres, load_spark, pg_url, warehouse_dictionaries

CUSTOMERS = 20_000
QUASI = ["age", "gender", "zip", "region"]
SENSITIVE = ["credit_band", "financial_distress", "health_interest"]
#: the presets compared (a sweep of all nine on three engines would cost minutes): the status quo, a retention
#: window (event features and behavioural uniqueness per window), consent, generalization and a DP model
PRESET_NAMES = None


@pytest.fixture(scope="module")
def crm(tmp_path_factory):
    from analysis.demo import ingest_generated
    from analysis.synthetic import generate

    folder = tmp_path_factory.mktemp("warehouse")
    files = generate(CUSTOMERS, seed=7, out_dir=folder / "gen")
    store = ingest_generated(files, folder / "crm.duckdb")
    return {"folder": folder, "files": files, "store": store, "frames": crm_frames(files),
            "dictionaries": [load_dictionary(p) for p in warehouse_dictionaries(files, folder)]}


@pytest.fixture(scope="module")
def postgres(crm, pg_socket_dir):
    load_postgres(pg_socket_dir, "crm20k", crm["frames"])
    return pg_url(pg_socket_dir, "crm20k")


@pytest.fixture(scope="module")
def spark_tables(crm, spark):
    folder = crm["folder"] / "lake"
    folder.mkdir()
    load_spark(spark, folder, crm["frames"])
    return "spark"


def _store_profile(store):
    from analysis.risk.profile import risk_profile

    table = store.customers_table(QUASI + SENSITIVE)
    return risk_profile(table, QUASI, SENSITIVE, population=1_000_000).to_dict()


def _warehouse_profile(source, dictionaries):
    from analysis.risk.profile import risk_profile
    from analysis.warehouse import open_source

    wh = open_source(source, dictionaries)
    try:
        table = wh.customers_table(QUASI + SENSITIVE)
        return risk_profile(table, QUASI, SENSITIVE, population=1_000_000).to_dict(), wh.pulled_summary()
    finally:
        wh.close()


@pytest.mark.postgres
def test_postgres_risk_profile_equals_the_store_field_by_field(crm, postgres):
    expected = _store_profile(crm["store"])
    got, pulled = _warehouse_profile(postgres, crm["dictionaries"])
    assert got == expected
    assert got["records"] == crm["store"].datasets()[0].rows or got["records"] > 19_000
    # only aggregates came out: never more rows than classes (+ value counts and row counts)
    assert max(p["rows"] for p in pulled) <= got["classes"]
    assert not any(c in QUASI or c == "customer_id" for p in pulled for c in p["columns"])


@pytest.mark.spark
def test_spark_risk_profile_equals_the_store_field_by_field(crm, spark_tables):
    expected = _store_profile(crm["store"])
    got, pulled = _warehouse_profile("spark", crm["dictionaries"])
    assert got == expected
    assert not any(c in QUASI or c == "customer_id" for p in pulled for c in p["columns"])


#: presets compared on each engine (all nine on three engines would cost minutes of CPU): the status quo, a
#: retention window (event features and behavioural uniqueness per window), consent and generalization
COMPARED = ("Status quo (full data)", "Coarse demographics", "90-day retention", "Consent only")
#: figures compared (everything of the table that is a number, or says which scenario dominates)
FIGURES = ("incremental_conversions", "gain_ci_low", "gain_ci_high", "gain_retained", "true_incremental_conversions",
           "qini_auc", "uplift_at_k", "customers_held", "k_anonymity", "sample_uniqueness",
           "prosecutor_average_records", "records_at_risk", "attribute_inference_risk", "sensitive_disclosure",
           "behavioral_uniqueness", "membership_advantage", "risk_index", "expected_annual_loss", "net_value",
           "on_frontier")


def _presets(data):
    from analysis.simulation import SimulationSettings
    from analysis.tradeoff.runner import run_scenarios

    specs = [p for p in PRESETS if p.name in COMPARED]
    t = run_scenarios(specs, data, simulation=SimulationSettings(n_boot=50, breach_years=5_000))
    return {r["name"]: {f: r.get(f) for f in FIGURES} for r in t.table.to_dicts()}


def _same(a, b) -> bool:
    """Equal; floats up to summation order of the engines (relative 1e-9)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return a == b


@pytest.fixture(scope="module")
def store_presets(crm):
    from analysis.data import load_crm

    return _presets(load_crm(crm["store"]))


def _warehouse_presets(source, dictionaries):
    from analysis.warehouse import WarehouseCRM, open_source

    wh = open_source(source, dictionaries)
    try:
        data = WarehouseCRM(wh)
        return _presets(data), data, wh.pulled_summary()
    finally:
        wh.close()


def _assert_same(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for name in expected:
        for figure in FIGURES:
            assert _same(got[name][figure], expected[name][figure]), (name, figure, got[name][figure],
                                                                      expected[name][figure])


@pytest.mark.postgres
def test_postgres_preset_figures_equal_the_store(crm, postgres, store_presets):
    got, data, pulled = _warehouse_presets(postgres, crm["dictionaries"])
    _assert_same(got, store_presets)
    # the sample that left the engine: no key, no direct identifier, every customer once (20k < sample size)
    assert data.n_customers == data.population == crm["store"].datasets()[0].rows
    assert sorted(data.customers[data.schema.key].to_list()) == list(range(data.n_customers))
    assert not {"full_name", "email", "phone"} & set(data.customers.columns)
    assert any("sample" in p["what"] for p in pulled)


@pytest.mark.spark
def test_spark_preset_figures_equal_the_store(crm, spark_tables, store_presets):
    got, data, _ = _warehouse_presets("spark", crm["dictionaries"])
    _assert_same(got, store_presets)
    assert data.n_customers == data.population
