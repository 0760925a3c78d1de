"""Dashboard helpers without a browser: CSV neutralization, the URL codec, building a dictionary, ingesting."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import PRESETS, Scenario, load_dictionary
from analysis.store._ingest import IngestError
from dashboard import ingest_helpers, state
from dashboard.downloads import neutralize, safe_csv, safe_frame
from analysis.scenario.url import from_params as scenario_from_params, to_params as scenario_to_params

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("safe", "safe"), ("", ""), (-2.5, -2.5), (None, None),
])
def test_neutralize(cell, expected):
    assert neutralize(cell) == expected


def test_safe_csv_keeps_numbers_and_quotes_formulas():
    frame = pl.DataFrame({"trace": ["=HYPERLINK(\"x\")", "ok"], "y": [-1.5, 2.0]})
    lines = safe_csv(frame).decode().splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[1].endswith(",-1.5")
    assert lines[2] == "ok,2.0"
    assert safe_frame(pl.DataFrame({"=bad": [1]})).columns == ["'=bad"]


@given(st.text(max_size=20))
def test_no_neutralized_cell_starts_with_a_formula_character(text):
    out = safe_frame(pl.DataFrame({"c": [text]}))["c"][0]
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out.removeprefix("'") == text or out == text


@pytest.mark.parametrize("spec", [p.replace(name="x") for p in PRESETS] + [
    Scenario(name="x", epsilon=0.3, k=0.5, erasure_rate=0.05, consent="opt_in", consent_rate=0.4,
             pseudonymization=False, model="logistic", exclude_categories=("health", "location")),
])
def test_url_round_trip(spec):
    decoded, warnings = scenario_from_params(scenario_to_params(spec), name="x")
    assert warnings == [] and decoded.fingerprint == spec.fingerprint


def test_url_bad_fields_warn_and_fall_back():
    spec, warnings = scenario_from_params({"gen": "7", "ret": "90"}, name="x")
    assert spec == Scenario(name="x") and len(warnings) == 1
    spec, warnings = scenario_from_params({"eps": "abc", "ret": "90"}, name="x")
    assert spec == Scenario(name="x", retention_days=90) and "eps" in warnings[0]


def test_upload_names_never_escape_the_uploads_folder():
    assert state.upload_path("../../etc/passwd") is None
    assert state.upload_path("/abs") is None
    assert state.upload_path("bank_marketing") is None  # a dataset's name is never an upload's id
    upload_id = "A" * 24
    assert state.upload_path(upload_id) == state.UPLOADS / f"{upload_id}.duckdb"
    assert state.db_from_query("uploads/../x") is None
    assert state.db_from_query(f"uploads/{upload_id}") is None  # well-formed but not there


def test_dictionary_built_in_the_page_ingests_bank_data(tmp_path, monkeypatch):
    data = (ROOT / "data" / "bank.csv").read_bytes()
    sample = ingest_helpers.read_sample(data, "bank.csv")
    plan = ingest_helpers.column_plan(sample)
    assert plan["column"].to_list()[:2] == ["age", "job"] and plan.columns[:2] == ["column", "found type"]
    reference = load_dictionary(ROOT / "data" / "bank_marketing.toml")
    plan = plan.with_columns(
        pl.Series("role", [reference.column(c).role for c in plan["column"]]),
        pl.Series("category", [reference.column(c).category or "other" for c in plan["column"]]),
        pl.Series("type", [reference.column(c).type for c in plan["column"]]),
    )
    text = ingest_helpers.dictionary_toml("bank upload", plan, delimiter=";", positive="yes")
    from analysis import parse_dictionary

    dictionary = parse_dictionary(text)
    from dashboard import uploads

    monkeypatch.setattr(uploads, "UPLOADS", tmp_path)
    path, report = ingest_helpers.ingest_upload(dictionary, [("bank.csv", data)])
    assert path.parent == tmp_path and uploads.UPLOAD_ID.match(path.stem) and report.rows_stored == 4521
    assert not list(tmp_path.glob("*.key"))  # the upload's secret is never stored
    kept = sorted(p.name for p in tmp_path.iterdir())
    bad = ("bank.csv", data.replace(b"30;\"unemployed\"", b"abc;\"unemployed\"", 1))
    with pytest.raises(IngestError) as caught:
        ingest_helpers.ingest_upload(dictionary, [bad])
    assert sorted(p.name for p in tmp_path.iterdir()) == kept  # a failed upload leaves nothing behind
    table = ingest_helpers.problems_table(caught.value, caught.value.display_names)
    assert table.height >= 1 and set(table["file"]) == {"bank.csv"}


def test_the_cached_fingerprint_follows_the_database_file(tmp_path):
    """The app reads a database's fingerprint once per version of the file: replacing the file (as an ingest
    does: copy, write, rename) gives the new data's fingerprint, never the old one's."""
    import os

    from analysis import Store
    from analysis.demo import ensure_demo

    first, second = (ensure_demo(tmp_path / f"{n}.duckdb", customers=300, seed=n).path for n in (1, 2))
    live = tmp_path / "live.duckdb"
    os.link(first, live)
    before = state._fingerprint(str(live), state._stamp(live))
    assert before == Store(first).fingerprint()
    assert state._fingerprint(str(live), state._stamp(live)) == before  # same file: from the cache
    os.replace(second, live)
    after = state._fingerprint(str(live), state._stamp(live))
    assert after == Store(live).fingerprint() != before
