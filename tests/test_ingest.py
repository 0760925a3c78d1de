"""Safe ingest: validation errors name file/column/row, all or nothing, pseudonyms, erasure, locking."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from analysis.dictionary import load_dictionary, parse_dictionary
from analysis.pseudonym import pseudonymize
from analysis.store._catalog import data_fingerprint, list_datasets, provenance
from analysis.store._ingest import IngestError, IngestReport, ingest

ROOT = Path(__file__).resolve().parents[1]
SECRET = b"test-secret-0123456789"

CUSTOMERS = """
[dataset]
name = "customers"
entity = "customers"
key = "customer_id"
erased = "erased"
[columns.customer_id]
role = "other"
type = "integer"
[columns.email]
role = "direct_identifier"
category = "contact"
[columns."full name"]
role = "direct_identifier"
category = "contact"
[columns.age]
role = "quasi_identifier"
type = "integer"
[columns.opt-in]
role = "consent"
purpose = "marketing"
type = "boolean"
[columns.segment]
role = "treatment"
control = "control"
[columns.bought]
role = "outcome"
type = "boolean"
primary = true
[columns.erased]
role = "other"
type = "boolean"
"""

HEADER = "customer_id,email,full name,age,opt-in,segment,bought,erased,notes"
GOOD_ROWS = [
    "1,ana@example.org,Ana Lima,34,yes,mail,true,no,likes jazz",
    "2,ben@example.org,Ben Stone,51,NO,control,false,no,",
    "3,cy@example.org,Cy Twombly,29,Y,mail,false,yes,asked to be forgotten",
    "4,dee@example.org,Dee Dee,42,0,control,true,n,",
]

EVENTS = """
[dataset]
name = "events"
entity = "events"
key = "customer_id"
[columns.customer_id]
role = "other"
type = "integer"
[columns.at]
role = "timestamp"
type = "timestamp"
[columns.amount]
role = "behavioral"
type = "float"
"""


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def customers_csv(tmp_path: Path, rows=GOOD_ROWS, name="customers.csv") -> Path:
    return write(tmp_path / name, HEADER, *rows)


def problems_of(tmp_path, dictionary_text, *files, **kw):
    with pytest.raises(IngestError) as info:
        ingest(tmp_path / "crm.duckdb", parse_dictionary(dictionary_text), list(files), secret=SECRET, **kw)
    assert isinstance(info.value, ValueError)
    return info.value.problems, str(info.value)


def table(db: Path, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


# --- the happy path -------------------------------------------------------------------------------------


def test_ingest_stores_typed_minimized_pseudonymized(tmp_path):
    db = tmp_path / "crm.duckdb"
    report = ingest(db, parse_dictionary(CUSTOMERS), [customers_csv(tmp_path)], secret=SECRET)
    assert isinstance(report, IngestReport)
    assert (report.rows_read, report.rows_stored, report.rows_erased, report.rows_rejected) == (4, 3, 1, 0)
    assert report.skipped_columns == ("notes",)
    assert report.pseudonymized_columns == ("email", "full name")
    assert report.to_dict()["files"] == [str(tmp_path / "customers.csv")]
    stored = table(db, "SELECT * FROM customers ORDER BY customer_id")
    assert stored.columns == ["customer_id", "email", "full name", "age", "opt-in", "segment", "bought"]
    assert stored["customer_id"].to_list() == [1, 2, 4]
    assert stored["opt-in"].to_list() == [True, False, False]
    assert stored["age"].dtype == pl.Int64 and stored["bought"].dtype == pl.Boolean
    # cross-check: SQL pseudonyms equal the Python hmac reference
    assert stored["email"].to_list() == pseudonymize(["ana@example.org", "ben@example.org", "dee@example.org"],
                                                     SECRET).to_list()
    assert stored["full name"].to_list() == pseudonymize(["Ana Lima", "Ben Stone", "Dee Dee"], SECRET).to_list()
    con = duckdb.connect(str(db), read_only=True)
    [info] = list_datasets(con)
    assert (info.name, info.entity, info.key, info.rows) == ("customers", "customers", "customer_id", 3)
    assert info.dictionary == parse_dictionary(CUSTOMERS)
    prov = provenance(con)
    con.close()
    assert prov.select("rows_read", "rows_stored", "rows_erased", "rows_rejected").row(0) == (4, 3, 1, 0)
    assert prov["skipped_columns"].to_list() == [["notes"]]
    assert len(prov["file_sha256"][0]) == 64


def test_bank_marketing_sample_ingests(tmp_path):
    d = load_dictionary(ROOT / "data" / "bank_marketing.toml")
    report = ingest(tmp_path / "bank.duckdb", d, [ROOT / "data" / "bank.csv"], secret=SECRET)
    assert (report.rows_read, report.rows_stored, report.skipped_columns) == (4521, 4521, ())
    counts = table(tmp_path / "bank.duckdb", "SELECT count(*) AS n, count_if(y = 'yes') AS yes, min(_row_id) AS lo, "
                   "max(_row_id) AS hi, count(DISTINCT _row_id) AS ids, count_if(housing) AS housing FROM bank_marketing")
    assert counts.row(0) == (4521, 521, 1, 4521, 4521, 2559)
    first = table(tmp_path / "bank.duckdb", "SELECT age, job, balance FROM bank_marketing WHERE _row_id = 1").row(0)
    assert first == (30, "unemployed", 1787)  # the first data line of bank.csv


def test_names_with_spaces_quotes_hyphens(tmp_path):
    text = """
    [dataset]
    name = 'my "crm" - 2024'
    [columns.'e-mail address']
    role = "direct_identifier"
    [columns.'nick "the" name']
    role = "quasi_identifier"
    [columns.'post code']
    role = "quasi_identifier"
    type = "integer"
    """
    f = write(tmp_path / "odd names.csv", 'e-mail address,"nick ""the"" name",post code', 'a@b.c,"Bo ""B""",1000')
    report = ingest(tmp_path / "crm.duckdb", parse_dictionary(textwrap.dedent(text)), [f], secret=SECRET)
    assert report.rows_stored == 1
    stored = table(tmp_path / "crm.duckdb", 'SELECT * FROM "my ""crm"" - 2024"')
    assert stored.columns == ["_row_id", "e-mail address", 'nick "the" name', "post code"]
    assert stored.row(0) == (1, pseudonymize(["a@b.c"], SECRET)[0], 'Bo "B"', 1000)


def test_parquet_and_csv_files_together(tmp_path):
    pq = tmp_path / "more.parquet"
    pl.DataFrame({"customer_id": [10, 11], "email": ["x@y.z", "w@y.z"], "full name": ["X", "W"], "age": [20, 30],
                  "opt-in": [True, False], "segment": ["mail", "control"], "bought": [True, False],
                  "erased": [False, False]}).write_parquet(pq)
    report = ingest(tmp_path / "crm.duckdb", parse_dictionary(CUSTOMERS), [customers_csv(tmp_path), pq], secret=SECRET)
    assert (report.rows_read, report.rows_stored) == (6, 5)
    ids = table(tmp_path / "crm.duckdb", "SELECT customer_id FROM customers")["customer_id"].to_list()
    assert ids == [1, 2, 4, 10, 11]  # file order kept
    assert table(tmp_path / "crm.duckdb", "SELECT email FROM customers WHERE customer_id = 10")["email"][0] == \
        pseudonymize(["x@y.z"], SECRET)[0]


# --- validation: every problem names its file, column and row ------------------------------------------


def _case(rows, header=HEADER):
    return lambda tmp: write(tmp / "in.csv", header, *rows)


CASES = [
    # (id, file maker, column, row, message fragment)
    ("missing column", _case(["1,a@b.c,A,30,yes,mail,true,no,"], header=HEADER.replace(",full name", ",fullname")),
     "full name", None, "column is missing"),
    ("integer", _case([GOOD_ROWS[0], "2,b@b.c,B,thirty,yes,control,false,no,"]), "age", 2, "not integer"),
    ("integer not whole", _case([GOOD_ROWS[0], "2,b@b.c,B,30.5,yes,control,false,no,"]), "age", 2, "not integer"),
    ("boolean", _case([GOOD_ROWS[0], "2,b@b.c,B,30,maybe,control,false,no,"]), "opt-in", 2, "not boolean"),
    ("outcome not binary", _case([GOOD_ROWS[0], GOOD_ROWS[3]]), "bought", None, "outcome is not binary"),
    ("duplicate key", _case([GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0].replace("ana", "ann")]),
     "customer_id", 3, "duplicate key"),
    ("empty key", _case([GOOD_ROWS[0], ",b@b.c,B,30,yes,control,false,no,"]), "customer_id", 2, "key is empty"),
    ("no control rows", _case([GOOD_ROWS[0], GOOD_ROWS[0].replace("1,ana", "2,bob").replace("true", "false")]),
     "segment", None, "no control rows"),
    ("only control", _case([GOOD_ROWS[1], GOOD_ROWS[3]]), "segment", None, "only control rows"),
    ("header only", _case([]), None, None, "no data rows"),
    ("ragged row", _case([GOOD_ROWS[0], "2,b@b.c,B,30,yes,control,false,no,x,EXTRA,MORE"]), None, 2,
     "1 row(s) do not have the 9 fields of the header: row 2 has 11"),
    ("unclosed quote", _case([GOOD_ROWS[0], '2,"b@b.c,B,30,yes,control,false,no,']), None, 2, "malformed CSV"),
]


@pytest.mark.parametrize("make,column,row,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_validation_error_names_file_column_row(tmp_path, make, column, row, fragment):
    f = make(tmp_path)
    problems, message = problems_of(tmp_path, CUSTOMERS, f)
    hits = [p for p in problems if p.column == column and p.file.endswith("in.csv")]
    assert hits, problems
    assert hits[0].row == row
    if fragment:
        assert fragment in hits[0].message
    assert str(f) in message
    assert not (tmp_path / "crm.duckdb").exists()


def test_dialect_is_not_guessed(tmp_path):
    # DuckDB's sniffer alone drops rows starting with '#' (comment guess) and reads backslashes as escapes
    text = '[dataset]\nname = "c"\n[columns.ref]\nrole = "other"\n[columns.v]\nrole = "other"\n'
    f = write(tmp_path / "a.csv", "ref,v", "#1,a\\b", "2,x")
    ingest(tmp_path / "c.duckdb", parse_dictionary(text), [f], secret=SECRET)
    assert table(tmp_path / "c.duckdb", "SELECT ref, v FROM c").rows() == [("#1", "a\\b"), ("2", "x")]


def test_outcome_not_binary_and_positive_absent(tmp_path):
    text = '[dataset]\nname = "c"\n[columns.y]\nrole = "outcome"\npositive = "yes"\n'
    problems, _ = problems_of(tmp_path, text, write(tmp_path / "a.csv", "y", "no", "maybe", "no"))
    messages = " | ".join(p.message for p in problems)
    assert "outcome is not binary: it has 2 distinct" not in messages
    assert "the positive value 'yes' never occurs" in messages
    problems, _ = problems_of(tmp_path, text, write(tmp_path / "b.csv", "y", "no", "no"))
    assert "outcome is not binary: it has 1 distinct value(s) ('no')" in problems[0].message
    # a float outcome is an amount: not checked for binarity
    amount = '[dataset]\nname = "c"\n[columns.spend]\nrole = "outcome"\ntype = "float"\n'
    assert ingest(tmp_path / "ok.duckdb", parse_dictionary(amount), [write(tmp_path / "c.csv", "spend", "1.5",
                  "2", "7.25")], secret=SECRET).rows_stored == 3


def test_error_does_not_quote_direct_identifiers(tmp_path):
    text = '[dataset]\nname = "c"\n[columns.phone]\nrole = "direct_identifier"\ntype = "integer"\n'
    problems, message = problems_of(tmp_path, text, write(tmp_path / "a.csv", "phone", "5550100", "call-me-555"))
    assert (problems[0].column, problems[0].row) == ("phone", 2)
    assert "call-me" not in message


def test_empty_non_utf8_and_nul_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes((HEADER + "\n").encode() + "1,zoé@example.org,Zoé,30,yes,mail,true,no,\n".encode("latin-1"))
    nul = tmp_path / "nul.csv"
    nul.write_bytes((HEADER + "\n" + GOOD_ROWS[0] + "\n").encode() + b"2,b\x00@b.c,B,30,yes,control,false,no,\n")
    problems, message = problems_of(tmp_path, CUSTOMERS, empty, latin, nul)
    by_file = {Path(p.file).name: p.message for p in problems}
    assert by_file["empty.csv"] == "the file is empty"
    offset = len(HEADER) + 1 + len("1,zo")
    assert f"not UTF-8: invalid byte at byte offset {offset} (line 2)" in by_file["latin1.csv"]
    assert "NUL byte" in by_file["nul.csv"] and "line 3" in by_file["nul.csv"]
    assert len(problems) == 3 and "3 problem(s)" in message


def test_broken_parquet_files_are_named(tmp_path):
    good = tmp_path / "good.parquet"
    pl.DataFrame({"customer_id": [1], "email": ["a@b.c"]}).write_parquet(good)
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(good.read_bytes()[:-20])
    problems, _ = problems_of(tmp_path, CUSTOMERS, good, truncated)
    truncated_problems = [p for p in problems if p.file == str(truncated)]
    assert truncated_problems and "cannot be read as Parquet" in truncated_problems[0].message
    missing = {p.column for p in problems if p.file == str(good)}
    assert missing == {"full name", "age", "opt-in", "segment", "bought", "erased"}


def test_several_problems_reported_together(tmp_path):
    rows = [GOOD_ROWS[0], "2,b@b.c,B,old,yes,control,false,no,", "1,c@b.c,C,40,perhaps,control,true,no,"]
    f = write(tmp_path / "many.csv", HEADER, *rows)
    g = write(tmp_path / "other.csv", HEADER.replace("age", "AGE"), GOOD_ROWS[3])
    problems, message = problems_of(tmp_path, CUSTOMERS, f, g)
    found = {(Path(p.file).name, p.column, p.row) for p in problems}
    assert {("many.csv", "age", 2), ("many.csv", "opt-in", 3), ("many.csv", "customer_id", 3),
            ("other.csv", "age", None)} <= found
    assert "the file has 'AGE' (names must match exactly)" in message
    assert message.count("\n  - ") == len(problems) >= 4


# --- all or nothing -------------------------------------------------------------------------------------


def test_failed_ingest_leaves_database_byte_identical(tmp_path, monkeypatch):
    db = tmp_path / "crm.duckdb"
    ingest(db, parse_dictionary(CUSTOMERS), [customers_csv(tmp_path)], secret=SECRET)
    before = db.read_bytes()
    files_before = sorted(p.name for p in tmp_path.iterdir())
    bad = customers_csv(tmp_path, [GOOD_ROWS[0], "2,b@b.c,B,x,yes,control,false,no,"], name="bad.csv")
    with pytest.raises(IngestError):
        ingest(db, parse_dictionary(CUSTOMERS), [bad], secret=SECRET)
    assert db.read_bytes() == before
    # a failure in the middle of the write (after the copy, inside the transaction) changes nothing either
    import analysis.store._ingest as module

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module.catalog, "_record_provenance", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(db, parse_dictionary(EVENTS), [write(tmp_path / "ev.csv", "customer_id,at,amount",
                                                     "1,2024-01-02 10:00:00,5")], secret=SECRET)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files_before + ["bad.csv", "ev.csv"])


def test_replace_append_provenance_and_fingerprint(tmp_path):
    d = parse_dictionary(CUSTOMERS)
    first = customers_csv(tmp_path)
    db1, db2 = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    ingest(db1, d, [first], secret=SECRET)
    ingest(db2, d, [first], secret=SECRET)
    fingerprint = lambda db: data_fingerprint(duckdb.connect(str(db), read_only=True))  # noqa: E731
    assert fingerprint(db1) == fingerprint(db2)  # same files, same dictionary: same id whatever the time
    more = customers_csv(tmp_path, ["7,g@b.c,G,30,yes,mail,true,no,", "8,h@b.c,H,31,no,control,false,no,"], "more.csv")
    ingest(db1, d, [more], secret=SECRET, replace=False)
    assert table(db1, "SELECT count(*) FROM customers").item() == 5
    assert fingerprint(db1) != fingerprint(db2)
    with pytest.raises(IngestError, match="already stored"):
        ingest(db1, d, [more], secret=SECRET, replace=False)
    ingest(db1, d, [more], secret=SECRET)  # replace
    assert table(db1, "SELECT count(*) FROM customers").item() == 2
    prov = provenance(duckdb.connect(str(db1), read_only=True))
    assert prov["superseded"].to_list() == [True, True, False]


def test_row_id_continues_when_appending(tmp_path):
    text = '[dataset]\nname = "plain"\n[columns.v]\nrole = "behavioral"\ntype = "integer"\n'
    a, b = write(tmp_path / "a.csv", "v", "10", "20"), write(tmp_path / "b.csv", "v", "30")
    ingest(tmp_path / "x.duckdb", parse_dictionary(text), [a, b], secret=SECRET)
    ingest(tmp_path / "x.duckdb", parse_dictionary(text), [b], secret=SECRET, replace=False)
    assert table(tmp_path / "x.duckdb", "SELECT _row_id, v FROM plain").rows() == [(1, 10), (2, 20), (3, 30), (4, 30)]


def test_different_secret_is_refused(tmp_path):
    db = tmp_path / "crm.duckdb"
    ingest(db, parse_dictionary(CUSTOMERS), [customers_csv(tmp_path)], secret=SECRET)
    with pytest.raises(IngestError, match="different secret"):
        ingest(db, parse_dictionary(CUSTOMERS), [customers_csv(tmp_path)], secret=b"another-secret-123456")


# --- erasure and raw identifiers --------------------------------------------------------------------------


def test_erased_customers_never_stored_also_in_events(tmp_path):
    db = tmp_path / "crm.duckdb"
    events = write(tmp_path / "events.csv", "customer_id,at,amount", "1,2024-01-01 09:00:00,3.5",
                   "3,2024-01-02 10:00:00,9.0", "4,2024-01-03 11:00:00,1.0", "2,2024-01-04 12:00:00,2.0")
    # events first: customer 3 is erased only when the customers arrive -> their events are deleted then
    ingest(db, parse_dictionary(EVENTS), [events], secret=SECRET)
    erasure = write(tmp_path / "erase.txt", "4", "", "99")
    report = ingest(db, parse_dictionary(CUSTOMERS), [customers_csv(tmp_path)], secret=SECRET, erasure_list=erasure)
    assert report.rows_erased == 2  # 3 by flag, 4 by list
    assert table(db, "SELECT customer_id FROM customers ORDER BY 1")["customer_id"].to_list() == [1, 2]
    assert table(db, "SELECT customer_id FROM events ORDER BY 1")["customer_id"].to_list() == [1, 2]
    assert table(db, "SELECT rows FROM _pl_datasets WHERE name = 'events'").item() == 2
    # later ingests of events keep dropping them
    report = ingest(db, parse_dictionary(EVENTS), [events], secret=SECRET)
    assert (report.rows_read, report.rows_erased) == (4, 2)
    erased = table(db, "SELECT key_pseudonym FROM _pl_erased ORDER BY 1")["key_pseudonym"].to_list()
    assert erased == sorted(pseudonymize(["3", "4", "99"], SECRET).to_list())
    raw = db.read_bytes()
    for text in ("cy@example.org", "Cy Twombly", "dee@example.org", "asked to be forgotten"):
        assert text.encode() not in raw


def test_undeclared_key_is_pseudonymized_and_the_ingest_says_so(tmp_path):
    """The README's dictionary names ``key`` and ``erased`` without declaring them: the key is stored as a keyed
    pseudonym (it joins the events, whose key is undeclared too), the flag drops rows, the report notes both;
    a dataset whose key is stored as is cannot be joined to them (one clear error, not an empty join)."""
    from analysis.store import Store

    undeclared = CUSTOMERS.replace('[columns.customer_id]\nrole = "other"\ntype = "integer"\n', "").replace(
        '[columns.erased]\nrole = "other"\ntype = "boolean"\n', "")
    events = EVENTS.replace('[columns.customer_id]\nrole = "other"\ntype = "integer"\n', "")
    db = tmp_path / "crm.duckdb"
    report = ingest(db, parse_dictionary(undeclared), [customers_csv(tmp_path)], secret=SECRET)
    assert (report.rows_stored, report.rows_erased) == (3, 1)
    assert report.pseudonymized_columns == ("email", "full name", "customer_id")
    assert len(report.notes) == 2 and "customer_id" in report.notes[0] and "pseudonym" in report.notes[0]
    assert report.to_dict()["notes"] == list(report.notes)
    stored = table(db, "SELECT customer_id FROM customers")["customer_id"].to_list()
    assert sorted(stored) == sorted(pseudonymize(["1", "2", "4"], SECRET).to_list())
    ev = write(tmp_path / "events.csv", "customer_id,at,amount", "1,2024-01-01 09:00:00,3.5",
               "3,2024-01-02 10:00:00,9.0")
    ingest(db, parse_dictionary(events), [ev], secret=SECRET)
    # customer 3 asked for erasure: their event is dropped through the pseudonymized key
    assert table(db, "SELECT customer_id FROM events")["customer_id"].to_list() == pseudonymize(["1"], SECRET).to_list()
    schema = Store(db).schema()
    assert schema.key == "customer_id" and schema.events_table == "events"
    # the same events with their key declared "other" (stored as is) would never match: refused in words, at
    # ingest, before anything is stored (issue 18), and the store still joins the pseudonymized events
    with pytest.raises(IngestError, match="a join key must be treated the same way"):
        ingest(db, parse_dictionary(EVENTS), [ev], secret=SECRET)
    assert Store(db).schema().events_table == "events"


def test_erasure_list_needs_valid_keys(tmp_path):
    erasure = write(tmp_path / "erase.txt", "4", "four")
    problems, _ = problems_of(tmp_path, CUSTOMERS, customers_csv(tmp_path), erasure_list=erasure)
    assert [(p.file, p.column) for p in problems] == [(str(erasure), "customer_id")]
    assert "lines 2" in problems[0].message


def test_no_raw_identifier_in_database_bytes(tmp_path):
    rng = np.random.default_rng(3)
    # long random identifiers: not compressible, so their bytes would show if they were stored
    emails = [f"{rng.integers(1 << 62):x}{rng.integers(1 << 62):x}@example.org" for _ in range(300)]
    rows = [f"{i},{e},Name{i:04d} {rng.integers(1 << 40):x},30,yes,{'mail' if i % 2 else 'control'},"
            f"{'true' if i % 3 else 'false'},no," for i, e in enumerate(emails, start=1)]
    f = customers_csv(tmp_path, rows)
    # positive control: the same values under role "other" are found by the scan
    control = CUSTOMERS.replace('[columns.email]\nrole = "direct_identifier"', '[columns.email]\nrole = "other"')
    ingest(tmp_path / "control.duckdb", parse_dictionary(control), [f], secret=SECRET)
    control_bytes = (tmp_path / "control.duckdb").read_bytes()
    assert sum(e.encode() in control_bytes for e in emails) > 250
    db = tmp_path / "crm.duckdb"
    ingest(db, parse_dictionary(CUSTOMERS), [f], secret=SECRET)
    ingest(db, parse_dictionary(CUSTOMERS), [f], secret=SECRET)  # again, over an existing file
    con = duckdb.connect(str(db))
    con.execute("CHECKPOINT")
    con.close()
    raw = db.read_bytes()
    assert not [e for e in emails if e.encode() in raw]
    assert not [r for r in rows if r.split(",")[2].encode() in raw]
    assert pseudonymize(emails[:1], SECRET)[0].encode() in raw
    leftovers = [p.name for p in tmp_path.iterdir() if "tmp" in p.name or p.suffix == ".wal"]
    assert leftovers == []


# --- concurrency ------------------------------------------------------------------------------------------

HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_second_ingest_waits_then_fails_clearly(tmp_path):
    db = tmp_path / "crm.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path / "crm.duckdb.lock"), "1.5"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(TimeoutError, match=r"Another ingest into .*crm.duckdb is running: waited 0.3 s"):
            ingest(db, parse_dictionary(CUSTOMERS), [customers_csv(tmp_path)], secret=SECRET, lock_timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 1.4
        report = ingest(db, parse_dictionary(CUSTOMERS), [customers_csv(tmp_path)], secret=SECRET, lock_timeout=10)
        assert report.rows_stored == 3
        assert time.monotonic() - started >= 1.4  # it waited for the other process
    finally:
        holder.wait(timeout=10)


INGEST_IN_CHILD = """
import sys
from analysis.dictionary import parse_dictionary
from analysis.store._ingest import ingest
text = '[dataset]\\nname = "' + sys.argv[3] + '"\\n[columns.v]\\nrole = "behavioral"\\ntype = "integer"\\n'
ingest(sys.argv[1], parse_dictionary(text), [sys.argv[2]], secret=b"test-secret-0123456789")
"""


def test_concurrent_ingests_in_two_processes_are_serialized(tmp_path):
    db = tmp_path / "crm.duckdb"
    f = write(tmp_path / "v.csv", "v", *map(str, range(2000)))
    children = [subprocess.Popen([sys.executable, "-c", INGEST_IN_CHILD, str(db), str(f), name], cwd=ROOT)
                for name in ("first", "second")]
    assert [c.wait(timeout=60) for c in children] == [0, 0]
    # neither write was lost: both datasets are in the final file
    con = duckdb.connect(str(db), read_only=True)
    assert sorted(d.name for d in list_datasets(con)) == ["first", "second"]
    con.close()


def test_arguments_are_checked_once_with_one_message_shape(tmp_path):
    d, f = parse_dictionary(CUSTOMERS), customers_csv(tmp_path)
    bad_calls = [
        (dict(db_path=":memory:"), "'db_path' parameter"),
        (dict(dictionary=CUSTOMERS), "'dictionary' parameter"),
        (dict(files=str(f)), "'files' parameter"),
        (dict(files=[]), "'files' parameter"),
        (dict(secret=""), "'secret' parameter"),
        (dict(lock_timeout=-1), "'lock_timeout' parameter"),
        (dict(replace="yes"), "'replace' parameter"),
    ]
    for override, fragment in bad_calls:
        args = dict(db_path=tmp_path / "x.duckdb", dictionary=d, files=[f], secret=SECRET) | override
        with pytest.raises(ValueError, match=fragment + r" of ingest must be .* Got .* instead\."):
            ingest(args.pop("db_path"), args.pop("dictionary"), args.pop("files"), **args)
    assert not (tmp_path / "x.duckdb").exists()
