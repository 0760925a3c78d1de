"""Erasure reaches every table (issues 11 and 18): no erased customer's key is stored anywhere — customers,
campaign, events and the synthetic ground truth — whether the request comes with the data (the flag column) or
later (an erasure list); and requests match keys one documented way (spaces around them removed, case ignored)."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from analysis import Store, generate, generate_frames, load_dictionary
from analysis.demo import ingest_generated
from analysis.pseudonym import pseudonymize

N = 1500
SECRET = b"erasure-secret-0123456789"


def every_value(db) -> dict[str, set[str]]:
    """Every value of every column of every table in the database, as text, by table."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()]
        out = {}
        for t in tables:
            cols = [r[0] for r in con.sql("SELECT column_name FROM duckdb_columns() WHERE table_name = ?",
                                          params=[t]).fetchall()]
            q = '"' + t.replace('"', '""') + '"'
            values = set()
            for c in cols:
                cq = '"' + c.replace('"', '""') + '"'
                values |= {v for (v,) in con.sql(f"SELECT DISTINCT CAST({cq} AS VARCHAR) FROM {q}").fetchall()}
            out[t] = values
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("erasure")
    files = generate(N, seed=11, out_dir=folder / "files")
    return folder, files, generate_frames(N, seed=11)


def test_no_erased_key_in_any_table_including_the_ground_truth(generated, monkeypatch):
    folder, files, frames = generated
    monkeypatch.setenv("PRIVACYLIFT_SECRET", SECRET.hex())
    db = folder / "flagged.duckdb"
    ingest_generated(files, db)
    customers = frames["customers"]
    erased = set(customers.filter(pl.col("erasure_requested"))["customer_id"].to_list())
    kept = set(customers.filter(~pl.col("erasure_requested"))["customer_id"].to_list())
    assert erased and kept
    values = every_value(db)
    for table, found in values.items():
        assert not found & erased, (table, sorted(found & erased)[:3])
    assert kept <= values["_pl_ground_truth"]  # the ground truth is still there for everyone else
    assert {"crm_customers", "crm_campaign", "crm_events", "_pl_ground_truth"} <= set(values)
    # what is remembered of an erased customer: only the keyed pseudonym of their key, in _pl_erased
    tokens = set(pseudonymize([k.lower() for k in erased], SECRET).to_list())
    assert tokens == values["_pl_erased"]
    assert not [t for t, found in values.items() if t != "_pl_erased" and found & tokens]


def test_a_later_erasure_list_removes_the_customer_everywhere(generated, monkeypatch, tmp_path):
    folder, files, frames = generated
    monkeypatch.setenv("PRIVACYLIFT_SECRET", SECRET.hex())
    db = tmp_path / "later.duckdb"
    ingest_generated(files, db)
    kept = frames["customers"].filter(~pl.col("erasure_requested"))["customer_id"].to_list()
    asked = kept[:3]
    erasure = tmp_path / "erase.txt"
    # written as people write them: other case, spaces around
    erasure.write_text(f" {asked[0].lower()}\n{asked[1]}  \n\n{asked[2].lower()} \n", encoding="utf-8")
    customers = next(d for d, _ in files.data_files() if d.name.startswith("crm_customers"))
    data = next(p for d, p in files.data_files() if d.name.startswith("crm_customers"))
    report = Store(db).ingest(load_dictionary(customers), [data], erasure_list=erasure)
    assert report.rows_erased == len(frames["customers"].filter(pl.col("erasure_requested"))) + 3
    for table, found in every_value(db).items():
        assert not found & set(asked), table  # events, campaign and ground truth too


def test_erasure_matches_a_direct_identifier_key_ignoring_case_and_spaces(tmp_path):
    from analysis.dictionary import parse_dictionary
    from analysis.store import ingest

    d = parse_dictionary('[dataset]\nname = "people"\nkey = "email"\n[columns.email]\nrole = "direct_identifier"\n'
                         '[columns.age]\nrole = "quasi_identifier"\ntype = "integer"\n')
    csv = tmp_path / "people.csv"
    csv.write_text("email,age\nAna@Example.org,30\n ben@example.org,40\ncy@example.org ,50\n", encoding="utf-8")
    erasure = tmp_path / "erase.txt"
    erasure.write_text("ana@example.ORG\n  BEN@example.org\n", encoding="utf-8")
    db = tmp_path / "crm.duckdb"
    report = ingest(db, d, [csv], secret=SECRET, erasure_list=erasure)
    assert (report.rows_stored, report.rows_erased) == (1, 2)
    assert every_value(db)["people"] == {pseudonymize(["cy@example.org"], SECRET)[0], "50"}
