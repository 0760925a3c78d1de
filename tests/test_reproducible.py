"""Issue 20: every figure reproduces bit for bit, whatever the number of threads. The nine presets on a small
synthetic CRM, ``simulate --json`` in two fresh processes — every thread pool at 1, then at 2 (BLAS/OpenMP,
polars, DuckDB) — give byte-identical JSON. ``simulate --json`` carries no timings or other run-dependent values,
so nothing is removed before the comparison. ``bench/bench_reproducible.py`` makes the same check at 1M customers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.store import StoreError
from analysis.store._gateway import env_threads, memory

ROOT = Path(__file__).resolve().parents[1]
POOLS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS",
         "PRIVACYLIFT_DUCKDB_THREADS")


def simulate_json(db: Path, threads: int) -> bytes:
    env = {**os.environ, **{name: str(threads) for name in POOLS}, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "analysis", "simulate", "--db", str(db), "--json"], cwd=ROOT,
                          env=env, capture_output=True, check=False, timeout=900)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout


def test_the_presets_give_the_same_json_with_one_and_two_threads(tmp_path):
    from analysis.cli import main

    db = tmp_path / "crm.duckdb"
    assert main(["generate", "--customers", "3000", "--seed", "7", "--out", str(tmp_path / "files"),
                 "--db", str(db)]) == 0
    one, two = simulate_json(db, 1), simulate_json(db, 2)
    assert b'"seconds"' not in one  # nothing run-dependent to leave out
    assert one.count(b'"status": "ok"') >= 8  # the presets were measured, not refused
    assert one == two


def test_duckdb_threads_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PRIVACYLIFT_DUCKDB_THREADS", "1")
    assert memory().execute("SELECT current_setting('threads')").fetchone()[0] == 1
    monkeypatch.setenv("PRIVACYLIFT_DUCKDB_THREADS", "2")
    assert memory().execute("SELECT current_setting('threads')").fetchone()[0] == 2
    monkeypatch.setenv("PRIVACYLIFT_DUCKDB_THREADS", "")
    assert env_threads() is None
    monkeypatch.setenv("PRIVACYLIFT_DUCKDB_THREADS", "two")
    with pytest.raises(StoreError, match="PRIVACYLIFT_DUCKDB_THREADS must be a whole number of threads"):
        memory()
