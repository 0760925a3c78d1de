"""``erase``: customers removed by key from every table (ground truth and events included), counts logged and
never keys, and the database byte-identical on any bad key file."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import polars as pl
import pytest

from analysis import Store
from analysis.cli import main
from analysis.demo import ingest_generated
from analysis.dictionary import load_dictionary
from analysis.store._erase import ERASURE_LOG, ErasureError, erase
from analysis.store._gateway import connect, run
from analysis.synthetic import generate

BAD = Path(__file__).parent / "bad_inputs"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    files = generate(1_500, seed=21, out_dir=tmp_path_factory.mktemp("files"))
    db = tmp_path_factory.mktemp("db") / "crm.duckdb"
    ingest_generated(files, db)
    return files, db


@pytest.fixture()
def db(generated, tmp_path):
    """A private copy of the small synthetic database (with its key file)."""
    _, source = generated
    target = tmp_path / "crm.duckdb"
    shutil.copyfile(source, target)
    key = target.with_name(target.name + ".key")
    shutil.copyfile(source.with_name(source.name + ".key"), key)
    key.chmod(0o600)
    return target


def _tables(path: Path) -> dict[str, pl.DataFrame]:
    with connect(path, read_only=True) as con:
        names = run(con, "SELECT table_name FROM information_schema.tables")["table_name"].to_list()
        return {n: run(con, f'SELECT * FROM "{n}"') for n in names}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _keys_with_events(path: Path, n: int) -> list[str]:
    events = _tables(path)["crm_events"]
    return events.group_by("customer_id").len().sort(["len", "customer_id"], descending=[True, False])[
        "customer_id"].head(n).to_list()


def test_erase_removes_the_keys_from_every_table(db, tmp_path, capsys, caplog, generated):
    keys = _keys_with_events(db, 3)
    before = _tables(db)
    keyed = [t for t, f in before.items() if "customer_id" in f.columns]
    assert {"crm_customers", "crm_campaign", "crm_events", "_pl_ground_truth"} <= set(keyed)
    expected = {t: before[t].filter(pl.col("customer_id").is_in(keys)).height for t in keyed}
    assert all(expected[t] > 0 for t in keyed)
    fingerprint = Store(db).fingerprint()
    file = tmp_path / "keys.txt"
    file.write_text(f"{keys[0]}\n\n  {keys[1]}  \n{keys[2]}\nC9999999\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="privacylift")
    assert main(["erase", "--db", str(db), "--keys", str(file)]) == 0
    out = capsys.readouterr()
    after = _tables(db)
    for t in keyed:  # gone from every table, and nothing else touched
        assert after[t].filter(pl.col("customer_id").is_in(keys)).height == 0, t
        assert after[t].height == before[t].height - expected[t], t
    assert f"crm_events: {expected['crm_events']:,} row(s) removed" in out.out
    assert "1 key" not in out.out and "warning: <5 key(s) matched no stored customer" in out.out
    shown = out.out + out.err + caplog.text
    assert not any(k in shown for k in keys + ["C9999999"])  # counts, never keys
    log = after[ERASURE_LOG]
    assert set(log["table_name"]) == set(keyed) and dict(zip(log["table_name"], log["rows_removed"])) == expected
    assert log["keys_requested"].unique().to_list() == [4] and log["keys_found"].unique().to_list() == [3]
    assert not any(k in str(log.to_dicts()) for k in keys)
    assert after["_pl_erased"].height == before["_pl_erased"].height + 4
    assert Store(db).fingerprint() != fingerprint
    rows = {d.name: d.rows for d in Store(db).datasets()}
    assert all(rows[t] == after[t].height for t in rows)
    # a later ingest drops them too (they are remembered as pseudonyms)
    files, _ = generated
    Store(db).ingest(load_dictionary(files.events_dictionary), [files.events])
    assert _tables(db)["crm_events"].filter(pl.col("customer_id").is_in(keys)).height == 0


def test_erasing_again_finds_them_already_erased(db, tmp_path):
    keys = _keys_with_events(db, 6)
    file = tmp_path / "keys.txt"
    file.write_text("\n".join(keys), encoding="utf-8")
    first = erase(db, file)
    assert first.keys_requested == first.keys_found == 6 and first.keys_not_found == 0
    second = erase(db, file)
    assert second.keys_found == 0 and second.keys_already_erased == 6
    assert all(n == 0 for _, n in second.rows_removed)


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfeC0000001\n", "not UTF-8"),
    (b"", "no keys"),
    (b"\n   \n\n", "no keys"),
    (None, "file not found"),
    ("dir", "file not found"),
])
def test_a_bad_key_file_leaves_the_database_byte_identical(db, tmp_path, capsys, content, message):
    digest = _sha(db)
    file = tmp_path / "keys.txt"
    if content == "dir":
        file.mkdir()
    elif content is not None:
        file.write_bytes(content)
    assert main(["erase", "--db", str(db), "--keys", str(file)]) == 2
    err = capsys.readouterr().err
    assert message in err and "nothing was changed" in err
    assert _sha(db) == digest
    left = {p.name for p in db.parent.iterdir() if p.name.startswith(db.name)}
    assert {db.name, db.name + ".key"} <= left <= {db.name, db.name + ".key", db.name + ".lock"}  # no copy left


def test_a_key_that_is_not_of_the_key_type_is_refused_with_its_line(tmp_path, capsys):
    db = tmp_path / "ints.duckdb"
    Store(db).ingest(load_dictionary(BAD / "customers.toml"), [BAD / "good.csv"])
    digest = _sha(db)
    assert main(["erase", "--db", str(db), "--keys", str(BAD / "erasure_bad_key.txt")]) == 2
    err = capsys.readouterr().err
    assert "not a valid integer key" in err and "lines 2" in err and "abc" not in err
    assert _sha(db) == digest
    good = tmp_path / "keys.txt"
    good.write_text("1\n2\n", encoding="utf-8")
    report = erase(db, good)
    assert report.keys_found == 2 and dict(report.rows_removed) == {"customers": 2}


def test_erase_refuses_what_it_cannot_do(db, tmp_path, monkeypatch):
    file = tmp_path / "keys.txt"
    file.write_text("C0000001\n", encoding="utf-8")
    digest = _sha(db)
    with pytest.raises(ErasureError, match="the database does not exist"):
        erase(tmp_path / "missing.duckdb", file)
    monkeypatch.setenv("PRIVACYLIFT_SECRET", "another secret, not this database's")
    with pytest.raises(ErasureError, match="not this database's"):
        erase(db, file)
    monkeypatch.delenv("PRIVACYLIFT_SECRET")
    wal = db.with_name(db.name + ".wal")
    wal.write_bytes(b"x")
    with pytest.raises(ErasureError, match="write-ahead log"):
        erase(db, file)
    wal.unlink()
    assert _sha(db) == digest
    with pytest.raises(ValueError, match="The 'keys_file' parameter of erase must be"):
        erase(db, "")
