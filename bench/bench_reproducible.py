"""Every figure reproduces bit for bit, whatever the number of threads (issue 20), at a real CRM size.

Generates one synthetic CRM (``python -m analysis generate --customers N --seed 7``, kept in
``$PRIVACYLIFT_BENCH_DATA/privacylift-bench-reproducible`` or the temp directory), then runs the nine presets
(``python -m analysis simulate --db … --json``) twice in fresh processes: once with every thread pool at 1 and once
at 2 (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, ``POLARS_MAX_THREADS``,
``PRIVACYLIFT_DUCKDB_THREADS``), and compares the two JSON outputs byte for byte. ``simulate --json`` carries no
timings, so nothing is removed before the comparison. Prints whether they are identical (and, if not, the first
differing lines), the wall and CPU times, and the machine's load average (1/5/15 min) before and after each run.

Run (from the repository): ``.venv/bin/python bench/bench_reproducible.py --customers 1000000``
(``tests/test_reproducible.py`` makes the same check at 3,000 customers in the suite).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PRIVACYLIFT_BENCH_DATA", tempfile.gettempdir())) / "privacylift-bench-reproducible"
PY = sys.executable
POOLS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS",
         "PRIVACYLIFT_DUCKDB_THREADS")


def thread_env(threads: int) -> dict:
    """The environment of a run whose every thread pool (BLAS/OpenMP, polars, DuckDB) has ``threads`` threads."""
    env = dict(os.environ)
    env.update({name: str(threads) for name in POOLS})
    env["PYTHONPATH"] = str(ROOT)
    return env


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], env: dict) -> tuple[bytes, dict]:
    before, cpu, start = load(), children_cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=False)
    took = {"wall_s": round(time.perf_counter() - start, 1), "cpu_s": round(children_cpu() - cpu, 1),
            "load_before": before, "load_after": load()}
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return done.stdout, took


def database(customers: int) -> tuple[Path, dict | None]:
    db = DATA / f"crm-{customers}.duckdb"
    if db.exists():
        return db, None
    DATA.mkdir(parents=True, exist_ok=True)
    _, took = run([PY, "-m", "analysis", "generate", "--customers", str(customers), "--seed", "7",
                   "--out", str(DATA / f"files-{customers}"), "--db", str(db)], thread_env(2))
    return db, took


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    db, generated = database(args.customers)
    outputs, times = {}, {}
    for threads in (1, 2):
        outputs[threads], times[threads] = run([PY, "-m", "analysis", "simulate", "--db", str(db), "--json"],
                                               thread_env(threads))
    identical = outputs[1] == outputs[2]
    result = {"customers": args.customers, "identical": identical, "bytes": len(outputs[1]),
              "generate": generated, "threads_1": times[1], "threads_2": times[2],
              "scenarios": len(json.loads(outputs[1])["scenarios"])}
    if not identical:
        result["first_differences"] = [line for line in difflib.unified_diff(
            outputs[1].decode().splitlines(), outputs[2].decode().splitlines(), "threads=1", "threads=2",
            lineterm="", n=1)][:40]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.customers:,} customers, {result['scenarios']} presets: simulate --json with 1 and 2 threads "
              f"{'IDENTICAL' if identical else 'DIFFERENT'} ({result['bytes']:,} bytes)")
        if generated:
            print(f"  generate + ingest: {generated['wall_s']} s wall, load {generated['load_before']}")
        for threads in (1, 2):
            t = times[threads]
            print(f"  {threads} thread(s): {t['wall_s']} s wall, {t['cpu_s']} s CPU, load (1/5/15 min) "
                  f"{t['load_before']} → {t['load_after']}")
        for line in result.get("first_differences", []):
            print("  " + line)
    return result


if __name__ == "__main__":
    main()
