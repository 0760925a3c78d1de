"""A CRM measured where it lives: the 20k synthetic CRM in PostgreSQL and in Spark (Parquet tables) gives the
DuckDB store's risk profile field by field and its preset figures; nothing is written to the warehouse; what
was pulled is recorded; canary identifiers stored in PostgreSQL never reach anything PrivacyLift writes or prints.
"""

from __future__ import annotations

import math

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
    customers = next(d.rows for d in crm["store"].datasets() if d.name == "crm_customers")
    assert got["records"] == customers  # erased customers left out in the engine, as the ingest leaves them out
    # only aggregates came out: never more rows than classes (+ value counts and row counts)
    assert max(p["rows"] for p in pulled) <= got["classes"]
    assert not any(c in QUASI or c == "customer_id" for p in pulled for c in p["columns"])


@pytest.mark.spark
def test_spark_risk_profile_equals_the_store_field_by_field(crm, spark_tables):
    expected = _store_profile(crm["store"])
    got, pulled = _warehouse_profile("spark", crm["dictionaries"])
    assert got == expected
    assert not any(c in QUASI or c == "customer_id" for p in pulled for c in p["columns"])


#: presets compared on PostgreSQL (all nine on three engines would cost minutes of CPU): the status quo, a
#: retention window (event features and behavioural uniqueness per window), consent and generalization
COMPARED = ("Status quo (full data)", "Coarse demographics", "90-day retention", "Consent only")
#: figures compared (everything of the table that is a number, or says which scenario dominates)
FIGURES = ("incremental_conversions", "gain_ci_low", "gain_ci_high", "gain_retained", "true_incremental_conversions",
           "qini_auc", "uplift_at_k", "customers_held", "k_anonymity", "sample_uniqueness",
           "prosecutor_average_records", "records_at_risk", "attribute_inference_risk", "sensitive_disclosure",
           "behavioral_uniqueness", "membership_advantage", "risk_index", "expected_annual_loss", "net_value",
           "on_frontier")


SPARK_COMPARED = ("Status quo (full data)", "90-day retention")


def _presets(data, names=COMPARED):
    from analysis.simulation import SimulationSettings
    from analysis.tradeoff.runner import run_scenarios

    specs = [p for p in PRESETS if p.name in names]
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


def _warehouse_presets(source, dictionaries, names=COMPARED):
    from analysis.warehouse import WarehouseCRM, open_source

    wh = open_source(source, dictionaries)
    try:
        data = WarehouseCRM(wh)
        return _presets(data, names), data, wh.pulled_summary()
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
    # two presets on Spark (its queries cost about a second each): all history and a retention window
    got, data, _ = _warehouse_presets("spark", crm["dictionaries"], SPARK_COMPARED)
    _assert_same(got, {k: v for k, v in store_presets.items() if k in SPARK_COMPARED})
    assert data.n_customers == data.population


# ---- leaks and read-only: the canary CRM of the leak suite, stored in PostgreSQL, through the real CLI --------
PASSWORD = "Pw-canary-7f3a9"  # trust authentication ignores it; it must never be printed or stored


def _tables(socket_dir: str, database: str) -> list:
    import psycopg

    with psycopg.connect(host=socket_dir, user="postgres", dbname=database) as c:
        return c.execute("SELECT schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
                         "ORDER BY 1, 2").fetchall()


@pytest.mark.postgres
def test_canaries_stored_in_postgres_never_reach_outputs_and_nothing_is_written(tmp_path, pg_socket_dir, capsys,
                                                                                   caplog):
    import json
    import logging
    import os
    import subprocess
    import sys

    from test_leaks import MARKERS, ROOT, RUNNER, SECRET, canary_files, hits

    data = canary_files(tmp_path)
    files = data["files"]
    load_postgres(pg_socket_dir, "leakcheck", crm_frames(files))
    raw = json.dumps(data["emails"][:5])  # the markers are really in the warehouse
    assert all(m.decode() in raw or m == b"CANARYNAME" or m == b"CANARYPHONE" for m in MARKERS)
    before = _tables(pg_socket_dir, "leakcheck")
    url = f"postgresql://postgres:{PASSWORD}@/leakcheck?host={pg_socket_dir}"
    source = ["--source", url] + [a for p in warehouse_dictionaries(files, tmp_path) for a in ("--dictionary", str(p))]
    out = tmp_path / "out"
    (out / "tmp").mkdir(parents=True)
    report = out / "reports" / "board-1"
    scenarios = tmp_path / "two.toml"
    scenarios.write_text('[[scenario]]\nname = "Status quo (full data)"\n\n[[scenario]]\nname = "90-day retention"\n'
                         "retention_days = 90\n", encoding="utf-8")
    commands = [["risk", *source, "--json"], ["risk", *source, "--sensitive", "credit_band"],
                ["simulate", *source, "--scenarios", str(scenarios), "--json"]]
    env = {**os.environ, "PRIVACYLIFT_SECRET": SECRET.hex(), "TMPDIR": str(out / "tmp")}
    run = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(commands)], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:].replace(PASSWORD, "…")
    # the report in this process (its PDF renderer, a headless chromium, is started the way the report tests do),
    # every log record at DEBUG captured
    from analysis.cli import main

    with caplog.at_level(logging.DEBUG):
        assert main(["report", *source, "--scenarios", str(scenarios), "--out", str(report),
                     "--purpose", "leak check"]) == 0
    captured = capsys.readouterr()
    printed = (run.stdout + run.stderr + captured.out + captured.err + caplog.text).encode()
    assert not hits(printed)
    assert PASSWORD.encode() not in printed
    written = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "report.json" for p in written)
    for p in written:
        content = p.read_bytes()
        assert not hits(content), p
        assert PASSWORD.encode() not in content, p
        assert not any(k.encode() in content for k in data["keys"][:200]), p  # no customer key either
    # the report says what was pulled, and nothing was written to the warehouse
    saved = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert saved["reproduce"]["source"].startswith("postgresql")
    assert any("sample" in p["what"] for p in saved["reproduce"]["pulled"])
    assert "what left the warehouse" in (report / "report.html").read_text(encoding="utf-8")
    assert _tables(pg_socket_dir, "leakcheck") == before


@pytest.mark.postgres
def test_a_postgres_source_refuses_writes(crm, postgres):
    from analysis.warehouse import open_source

    wh = open_source(postgres, crm["dictionaries"])
    try:
        with pytest.raises(Exception, match="read-only"):
            wh.connection.backend.raw_sql("CREATE TABLE crm.intruder (x int)")
    finally:
        wh.close()
