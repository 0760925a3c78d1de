"""Cost of the scenario sweep (the 9 presets through ``run_scenarios``) as the CRM grows.

For each size, a fresh subprocess generates a seeded synthetic CRM (``analysis.generate``), ingests it into a
temporary DuckDB file, loads it once (``load_crm``) and then times

- ``run_scenarios(PRESETS, data, cache=cache)`` — the cold sweep (every model trained), and
- the same call again with the same ``ModelCache`` — the warm sweep a dashboard sees when only a business
  number moves (models served from the cache; risk, breach and trust figures are recomputed),

and reports the peak resident memory of that subprocess (``resource.getrusage(RUSAGE_SELF).ru_maxrss``,
which covers numpy, polars and DuckDB allocations; tracemalloc would miss the native ones). One process per
size so the peaks do not mask each other. The growth exponent between two sizes is
``log(t2 / t1) / log(n2 / n1)`` (1.0 = linear).

Run: ``.venv/bin/python bench/bench_scenarios.py [--sizes 10000 100000 1000000] [--json]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
n, out = int(sys.argv[1]), Path(sys.argv[2])
from analysis import PRESETS, ModelCache, load_crm, run_scenarios, generate
from analysis.demo import ingest_generated
t0 = time.perf_counter()
files = generate(n, seed=7, out_dir=out / "files")
store = ingest_generated(files, out / "crm.duckdb")
t1 = time.perf_counter()
data = load_crm(store)
t2 = time.perf_counter()
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cache = ModelCache()
t = run_scenarios(PRESETS, data, cache=cache)
t3 = time.perf_counter()
misses = cache.misses
t_again = run_scenarios(PRESETS, data, cache=cache)
t4 = time.perf_counter()
same = t.table.select("name", "incremental_conversions").equals(t_again.table.select("name", "incremental_conversions"))
print(json.dumps({
    "customers": n, "events": files.n_events,
    "prepare_s": t1 - t0, "load_s": t2 - t1, "sweep_s": t3 - t2, "warm_s": t4 - t3,
    "peak_rss_mb_before_sweep": rss_before / 1024, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "scenarios": len(t.results), "not_applicable": t.not_applicable.height if hasattr(t.not_applicable, "height") else len(t.not_applicable),
    "cache_misses_cold": misses, "cache_hits_warm": cache.hits, "warm_equals_cold": bool(same),
}))
"""


def run_size(n: int, timeout: float | None = None) -> dict:
    """Run one size in a fresh subprocess; returns its measurements."""
    with tempfile.TemporaryDirectory(prefix="bench-scenarios-") as tmp:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(n), tmp, str(ROOT)], capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"bench at {n:,} customers failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def growth(rows: list[dict], key: str = "sweep_s") -> list[float | None]:
    """Exponent b of cost ~ n^b between each size and the previous one (None for the first)."""
    out: list[float | None] = [None]
    for a, b in zip(rows, rows[1:]):
        out.append(math.log(b[key] / a[key]) / math.log(b["customers"] / a["customers"]))
    return out


def table(rows: list[dict]) -> str:
    exps = growth(rows)
    lines = [f"{'customers':>10} {'events':>11} {'setup s':>8} {'load s':>7} {'sweep s':>8} {'warm s':>7} "
             f"{'cold/warm':>9} {'peak MB':>8} {'growth':>7}"]
    for r, e in zip(rows, exps):
        lines.append(f"{r['customers']:>10,} {r['events']:>11,} {r['prepare_s']:>8.1f} {r['load_s']:>7.2f} "
                     f"{r['sweep_s']:>8.1f} {r['warm_s']:>7.2f} {r['sweep_s'] / max(r['warm_s'], 1e-9):>9.1f} "
                     f"{r['peak_rss_mb']:>8.0f} {'' if e is None else format(e, '.2f'):>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON lines as well")
    args = parser.parse_args(argv)
    print(f"scenario sweep: {os.cpu_count()} CPUs; 'setup' = generate + ingest (not part of the sweep); "
          "'warm' = same specs again from the ModelCache; 'growth' = exponent vs the previous size", flush=True)
    rows = []
    for n in args.sizes:
        started = time.perf_counter()
        rows.append(run_size(n))
        if args.json:
            print(json.dumps(rows[-1]), flush=True)
        print(f"  {n:,} customers done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
