"""What the fairness audit adds to a scenario sweep (issue 12: under 20 %).

For each size, a fresh subprocess generates a seeded synthetic CRM, ingests it, loads it once, and times the
cold sweep of the 9 presets (``run_scenarios(PRESETS, data)`` with a new ``ModelCache`` each time) with the audit
and without it (the audit switched off by making the dictionary audit no attribute), alternating, ``--repeats``
times each; the best of each is kept. It also sums the time spent inside the audit itself (group labels, the
audit of the targeting, the proxy probes) during the audited sweeps.

Run: ``.venv/bin/python bench/bench_fairness.py [--sizes 10000 100000] [--repeats 3] [--json]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
n, out, repeats = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
from analysis import PRESETS, ModelCache, load_crm, run_scenarios, generate
from analysis.demo import ingest_generated
from analysis.fairness import scenario as fs
files = generate(n, seed=7, out_dir=out / "files")
data = load_crm(ingest_generated(files, out / "crm.duckdb"))
spent = [0.0]
real_of, real_audit = fs.ScenarioFairness.of.__func__, fs.ScenarioFairness.audit
def timed_of(cls, *a, **k):
    t = time.perf_counter(); r = real_of(cls, *a, **k); spent[0] += time.perf_counter() - t; return r
def timed_audit(self, lift, model, p, cache, unmitigated):
    t = time.perf_counter(); r = real_audit(self, lift, model, p, cache, unmitigated)
    spent[0] += time.perf_counter() - t; return r
real_attributes = fs.audited_attributes
def sweep(audit):
    fs.audited_attributes = real_attributes if audit else (lambda schema: ())
    fs.ScenarioFairness.of = classmethod(timed_of)
    fs.ScenarioFairness.audit = timed_audit
    spent[0] = 0.0
    t = time.perf_counter()
    result = run_scenarios(PRESETS, data, cache=ModelCache())
    took = time.perf_counter() - t
    audited = sum(1 for r in result.results if r.ok and r.fairness is not None)
    return took, spent[0], audited
run_scenarios(PRESETS[:1], data, cache=ModelCache())  # warm imports (fairlearn, pandas) before timing
on, off, inside = [], [], []
for _ in range(repeats):
    t_off, _, audited_off = sweep(False)
    t_on, t_inside, audited_on = sweep(True)
    off.append(t_off); on.append(t_on); inside.append(t_inside)
print(json.dumps({"customers": n, "sweep_without_audit_s": min(off), "sweep_with_audit_s": min(on),
                  "inside_audit_s": min(inside), "added_share": min(on) / min(off) - 1,
                  "inside_share_of_sweep": min(inside) / min(on), "scenarios_audited": audited_on,
                  "scenarios_audited_when_off": audited_off, "runs_off": off, "runs_on": on}))
"""


def run_size(n: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-fairness-") as tmp:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(n), tmp, str(repeats), str(ROOT)],
                              capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"bench at {n:,} customers failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = [run_size(n, args.repeats) for n in args.sizes]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print("| customers | sweep without audit s | with audit s | added | inside the audit s | scenarios audited |")
        print("|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['customers']:,} | {r['sweep_without_audit_s']:.2f} | {r['sweep_with_audit_s']:.2f} | "
                  f"{100 * r['added_share']:+.1f} % | {r['inside_audit_s']:.2f} "
                  f"({100 * r['inside_share_of_sweep']:.1f} % of the sweep) | {r['scenarios_audited']} |")
    return rows


if __name__ == "__main__":
    main()
