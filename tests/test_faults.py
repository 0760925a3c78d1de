"""Faults: an ingest killed with SIGKILL, two ingests at once, several app sessions at once.

- A killed ingest (at seeded random moments of its write phase: copy, transaction, checkpoint, rename) leaves the
  database readable and either byte-identical to before or wholly the new state (if the kill came after the
  rename); the next ingest works whatever the killed one left behind.
- Two ingests into one database: the second waits for the lock (or, with ``lock_timeout=0``, fails with a
  clear TimeoutError) and nothing is half-written.
- Several AppTest sessions exploring different scenarios (interleaved) each show their own scenario.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from analysis.dictionary import parse_dictionary
from analysis.store._catalog import list_datasets, provenance
from analysis.store._ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
SECRET = b"faults-secret-0123456789"
BIG_ROWS = 300_000

DICTIONARY = """
[dataset]
name = "customers"
key = "customer_id"
[columns.customer_id]
role = "other"
type = "integer"
[columns.email]
role = "direct_identifier"
[columns.age]
role = "quasi_identifier"
type = "integer"
[columns.spend]
role = "behavioral"
type = "float"
[columns.converted]
role = "outcome"
type = "boolean"
"""

#: child process: ingest, printing "writing" when the write phase starts (inside the lock) and "done" at the end
CHILD = r"""
import sys
import analysis.store._ingest as module
from analysis.dictionary import parse_dictionary
original = module._write
def announced(*args, **kwargs):
    print("writing", flush=True)
    return original(*args, **kwargs)
module._write = announced
print("ready", flush=True)
module.ingest(sys.argv[1], parse_dictionary(open(sys.argv[2]).read()), [sys.argv[3]],
              secret=bytes.fromhex(sys.argv[4]), lock_timeout=float(sys.argv[5]))
print("done", flush=True)
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def customers_csv(path: Path, rows: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, rows + 1)
    pl.DataFrame({
        "customer_id": ids,
        "email": pl.Series(ids).cast(pl.Utf8) + "." + str(seed) + "@example.org",
        "age": rng.integers(18, 90, rows),
        "spend": np.round(rng.gamma(2.0, 40.0, rows), 2),
        "converted": rng.random(rows) < 0.1,
    }).write_csv(path)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fault-inputs")
    (folder / "customers.toml").write_text(DICTIONARY, encoding="utf-8")
    small = customers_csv(folder / "small.csv", 50, seed=1)
    big = customers_csv(folder / "big.csv", BIG_ROWS, seed=2)
    base = folder / "base" / "crm.duckdb"
    base.parent.mkdir()
    ingest(base, parse_dictionary(DICTIONARY), [small], secret=SECRET)
    return {"toml": folder / "customers.toml", "small": small, "big": big, "base": base}


def start_child(db: Path, inputs: dict, data: Path, lock_timeout: float = 30.0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(inputs["toml"]), str(data), SECRET.hex(), str(lock_timeout)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def wait_for(proc: subprocess.Popen, word: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == word:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"child ended before {word!r}: {proc.stderr.read()[-2000:]}")
    raise AssertionError(f"child did not print {word!r} in {timeout} s")


def stored_rows(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        info = {d.name: d.rows for d in list_datasets(con)}
        # the catalog agrees with the table itself
        counted = con.sql("SELECT count(*), count(DISTINCT customer_id) FROM customers").fetchall()[0]
        assert counted == (info["customers"], info["customers"])
        return info
    finally:
        con.close()


def test_sigkill_at_random_moments_leaves_database_as_before(inputs, tmp_path):
    rng = np.random.default_rng(20240608)
    # seconds after the write phase starts; one kill before it (during validation, negative = before "writing")
    delays = [-1.0, *np.round(rng.uniform(0.0, 1.2, 4), 3)]
    before = sha256(inputs["base"])
    runs = []
    for i, delay in enumerate(delays):  # several children at once, each on its own copy
        db = tmp_path / f"run{i}" / "crm.duckdb"
        db.parent.mkdir()
        shutil.copyfile(inputs["base"], db)
        runs.append((delay, db, start_child(db, inputs, inputs["big"])))
    outcomes = []
    for delay, db, proc in runs:
        wait_for(proc, "ready")
        if delay < 0:
            time.sleep(0.2)  # in validation: loading the CSV into memory
        else:
            wait_for(proc, "writing")
            time.sleep(delay)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
        rows = stored_rows(db)  # readable, and catalog = table
        if sha256(db) == before:
            assert rows == {"customers": 50}
            outcomes.append("as before")
        else:  # the kill came after the rename: the whole new state, nothing half-written
            assert rows == {"customers": BIG_ROWS}, (delay, finished, rows)
            outcomes.append("complete")
        assert not db.with_name(db.name + ".wal").exists()
        # the next ingest works whatever the killed one left (a stale temp copy does not get in the way)
        report = ingest(db, parse_dictionary(DICTIONARY), [inputs["small"]], secret=SECRET, lock_timeout=5)
        assert report.rows_stored == 50 and stored_rows(db) == {"customers": 50}
    assert "as before" in outcomes, outcomes


def test_next_ingest_removes_temp_copies_of_killed_ingests(inputs, tmp_path):
    db = tmp_path / "crm.duckdb"
    shutil.copyfile(inputs["base"], db)
    stale = db.with_name(db.name + ".tmp-ingest-0123456789ab")
    shutil.copyfile(db, stale)  # what a kill between the copy and the rename leaves
    ingest(db, parse_dictionary(DICTIONARY), [inputs["small"]], secret=SECRET)
    assert not stale.exists()


def test_second_ingest_fails_clearly_or_waits_and_nothing_is_half_written(inputs, tmp_path):
    db = tmp_path / "crm.duckdb"
    shutil.copyfile(inputs["base"], db)
    first = start_child(db, inputs, inputs["big"])
    try:
        wait_for(first, "ready")
        wait_for(first, "writing")  # the first ingest holds the lock now
        before = sha256(db)
        started = time.monotonic()
        with pytest.raises(TimeoutError, match=r"Another ingest into .*crm\.duckdb is running"):
            ingest(db, parse_dictionary(DICTIONARY), [inputs["small"]], secret=SECRET, lock_timeout=0)
        assert time.monotonic() - started < 1.0
        # a second ingest that is willing to wait runs after the first, on top of its result
        second = start_child(db, inputs, inputs["small"], lock_timeout=60)
        wait_for(second, "ready")
        # while the first holds the lock the file is either the old one or the first's complete result
        assert sha256(db) == before or stored_rows(db) == {"customers": BIG_ROWS}
        wait_for(first, "done")
        wait_for(second, "done")
        assert first.wait(timeout=60) == 0 and second.wait(timeout=60) == 0
    finally:
        for proc in (first,):
            if proc.poll() is None:
                proc.kill()
    assert stored_rows(db) == {"customers": 50}
    con = duckdb.connect(str(db), read_only=True)
    prov = provenance(con)
    con.close()
    # three ingests recorded in order: the base, the big one (superseded), the small one (current)
    assert prov["rows_stored"].to_list() == [50, BIG_ROWS, 50]
    assert prov["superseded"].to_list() == [True, True, False]


# --- several app sessions at once ---------------------------------------------------------------------------

SESSIONS = [  # (query parameters of a shared link, widget key, expected widget value)
    ({"ret": "90"}, "b_retention_days", 90),
    ({"gen": "2"}, "b_generalization_level", 2),
    ({"eps": "1"}, "b_dp", True),
]


def test_interleaved_app_sessions_each_show_their_own_scenario(demo_db, monkeypatch):
    """Sessions share the process's caches (loaded data, ModelCache, results): none may see another's scenario.

    AppTest is not thread-safe (a finishing AppTest tears down the Streamlit runtime under a running one:
    "Runtime hasn't been created!"), so the sessions are interleaved in one thread: all open, then each
    re-runs after the others, then one moves a control and the others re-run. Real parallel browser contexts
    belong to tests/test_browser.py.
    """
    if not (ROOT / "app.py").exists():
        pytest.skip("app.py does not exist yet (the dashboard helper's)")
    from streamlit.testing.v1 import AppTest

    from analysis.scenario import url as urlstate

    monkeypatch.setenv("PRIVACYLIFT_DB", str(demo_db))

    def run(at):
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    def check(at, query, key, expected):
        assert at.session_state[key] == expected, (query, key, at.session_state[key])
        spec, _ = urlstate.from_params(dict(at.query_params.items()), name="x")
        wanted, _ = urlstate.from_params(query, name="x")
        assert spec == wanted, (query, dict(at.query_params.items()))

    sessions = []
    for query, _, _ in SESSIONS:
        at = AppTest.from_file("../app.py", default_timeout=240)
        for k, v in query.items():
            at.query_params[k] = v
        run(at)
        at.switch_page("dashboard/builder_page.py")
        sessions.append(run(at))
    for at, (query, key, expected) in zip(sessions, SESSIONS):
        check(run(at), query, key, expected)
    # the first session moves a control; the others keep their own scenario
    sessions[0].slider(key="b_k").set_value(0.5)
    run(sessions[0])
    assert sessions[0].session_state["b_k"] == 0.5 and sessions[0].query_params["k"] == "0.5"
    for at, (query, key, expected) in zip(sessions[1:], SESSIONS[1:]):
        check(run(at), query, key, expected)
        assert at.session_state["b_k"] != 0.5 and "k" not in at.query_params


# --- the environment: damaged, read-only or busy databases, a key file others can read (issue 18) -----------

WRITER = r"""
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    environment = {**os.environ, "PRIVACYLIFT_SECRET": SECRET.hex(), **(env or {})}
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env=environment)


def _one_clear_message(p: subprocess.CompletedProcess, *fragments: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert p.stderr.startswith("error: ") and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert p.stderr.count("error: ") == 1 and p.stdout == ""
    for fragment in fragments:
        assert fragment in p.stderr, p.stderr


@pytest.fixture()
def env_db(inputs, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "crm.duckdb"
    shutil.copyfile(inputs["base"], db)
    return db


def _ingest_args(db: Path, inputs: dict) -> list[str]:
    return ["ingest", "--db", str(db), "--dictionary", str(inputs["toml"]), str(inputs["small"])]


@pytest.mark.parametrize("damage, fragment", [
    (lambda data: data[: len(data) // 3], "damaged, truncated"),
    (lambda data: b"not a database at all " * 200, "damaged, truncated"),
])
def test_damaged_database_gives_one_clear_message_for_reading_and_writing(env_db, inputs, damage, fragment):
    env_db.write_bytes(damage(env_db.read_bytes()))
    before = sha256(env_db)
    for args in (["risk", "--db", str(env_db)], _ingest_args(env_db, inputs)):
        _one_clear_message(_cli(*args), fragment, str(env_db.name))
        assert sha256(env_db) == before


def test_read_only_database_file_and_folder_are_refused_and_left_as_they_are(env_db, inputs):
    import os
    import stat

    before = sha256(env_db)
    env_db.chmod(0o444)
    try:
        _one_clear_message(_cli(*_ingest_args(env_db, inputs)), "is read-only", "nothing was changed")
    finally:
        env_db.chmod(0o644)
    assert sha256(env_db) == before
    folder = env_db.parent
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        _one_clear_message(_cli(*_ingest_args(env_db, inputs)), "folder", "is read-only")
    finally:
        folder.chmod(0o755)
    assert sha256(env_db) == before and sorted(os.listdir(folder)) == ["crm.duckdb"]


def test_database_held_open_by_a_writer_is_refused_clearly(env_db, inputs):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(env_db)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        before = sha256(env_db)
        for args in (["risk", "--db", str(env_db)], _ingest_args(env_db, inputs)):
            _one_clear_message(_cli(*args), "open for writing in another program", f"process {writer.pid}")
        assert sha256(env_db) == before
    finally:
        writer.kill()
        writer.wait(timeout=30)


def test_key_file_readable_by_others_is_refused_clearly(env_db, inputs):
    key = env_db.with_name(env_db.name + ".key")
    key.write_text("ab" * 32 + "\n")
    key.chmod(0o644)
    before = sha256(env_db)
    p = _cli(*_ingest_args(env_db, inputs), env={"PRIVACYLIFT_SECRET": ""})
    _one_clear_message(p, "can be read by other users", "chmod 600")
    assert sha256(env_db) == before


def test_key_kept_outside_the_data_folder_and_a_warning_when_it_is_beside_the_database(inputs, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    data = tmp_path / "data"
    data.mkdir()
    db = data / "crm.duckdb"
    p = _cli(*_ingest_args(db, inputs), env={"PRIVACYLIFT_SECRET": "", "PRIVACYLIFT_KEY_FILE": str(keys / "crm.key")})
    assert p.returncode == 0, p.stderr
    assert (keys / "crm.key").exists() and not list(data.glob("*.key")) and "warning" not in p.stderr
    other = tmp_path / "other" / "crm.duckdb"
    p = _cli(*_ingest_args(other, inputs), env={"PRIVACYLIFT_SECRET": ""})
    assert p.returncode == 0, p.stderr
    assert "warning: the pseudonymization secret is the key file" in p.stderr and "beside the database" in p.stderr
