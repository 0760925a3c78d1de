"""Run every PrivacyLift benchmark and print one table (the record; nothing here passes or fails).

- ingest throughput: ``bench_ingest.py`` (customers CSV, safe ingest vs bare DuckDB ``read_csv``) and, here,
  an events CSV (10M rows) the same way;
- risk profile: ``bench_risk.py`` at 10k, 100k and 1M customers (ratio to a bare GROUP BY and to pycanon);
- scenario sweep: ``bench_scenarios.py`` (the 9 presets at 10k / 100k / 1M: time, peak memory, growth, the
  ModelCache's warm run);
- app: ``bench_app.py`` (cold first render, warm control-to-chart p50/p95 with Playwright) when present;
- app memory: peak resident memory (``VmHWM`` of ``/proc/<pid>/status``) of a Streamlit server on a 1M-customer
  database after the first render of the Overview in headless Chromium.

Run: ``.venv/bin/python bench/run_all.py [--quick] [--only ingest risk scenarios app memory] [--readme]``.
``--quick`` uses small sizes (about a minute in all); ``--readme`` writes the table into bench/README.md
between the result markers, with the command line. Each benchmark runs in its own subprocess.

``--scale`` runs the real-size table instead (issue 14, ``bench_scale.py``): the risk CLI on 10M rows, ingest
of 1M customers, the 9 presets at 100k / 1M / 10M customers, the app's first Overview at 1M, each beside its
floor measured in the same run and the load average; with ``--readme`` it goes between the scale markers.
The synthetic stores are built once into ``$PRIVACYLIFT_BENCH_DATA`` (default: the temp directory) and reused.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

SIZES = {
    "full": {"ingest": [100_000, 1_000_000], "events": 10_000_000, "risk": [(10_000, 10_000), (1_000_000, 100_000)],
             "scenarios": [10_000, 100_000, 1_000_000], "memory": 1_000_000, "moves": 10},
    "quick": {"ingest": [20_000], "events": 200_000, "risk": [(10_000, 10_000)], "scenarios": [2_000, 10_000],
              "memory": 10_000, "moves": 4},
}


def run(command: list[str], timeout: float = 7200) -> str:
    print(f"$ {' '.join(command)}", file=sys.stderr, flush=True)
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{proc.stderr[-3000:]}")
    print(proc.stdout, file=sys.stderr, flush=True)
    return proc.stdout


def bench_ingest(rows: list[int]) -> list[tuple[str, str, str]]:
    out = run([sys.executable, "bench/bench_ingest.py", "--rows", *map(str, rows), "--repeat", "1"])
    found = []
    for line in out.splitlines():
        parts = line.split()
        if parts and re.fullmatch(r"[\d,]+", parts[0]) and len(parts) == 8:
            n, _, ingest_s, _, ingest_rate, bare_s, bare_rate, ratio = parts
            found.append(("ingest", f"customers CSV, {n} rows", f"{ingest_rate} rows/s ({ingest_s} s); bare read_csv "
                          f"{bare_rate} rows/s ({bare_s} s); ratio {ratio}x"))
    return found


def bench_events(rows: int) -> list[tuple[str, str, str]]:
    """Safe ingest of an events CSV vs a bare DuckDB read_csv of the same file."""
    from bench_ingest import bare_load

    from analysis.dictionary import dictionary_toml, parse_dictionary
    from analysis.store._ingest import ingest
    from analysis.synthetic import dictionary_columns

    names = ("customer_id", "event_time", "event_type", "channel", "amount")
    columns = dictionary_columns(names, ("role", "type", "bounds"))
    events = parse_dictionary(dictionary_toml({"name": "events", "entity": "events", "key": "customer_id"}, columns))

    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
        csv = Path(tmp) / "events.csv"
        start = np.datetime64("2023-01-01T00:00:00")
        pl.DataFrame({
            "customer_id": pl.Series(rng.integers(1, max(rows // 16, 2), rows)).cast(pl.Utf8),
            "event_time": (start + rng.integers(0, 730 * 86400, rows).astype("timedelta64[s]")).astype("datetime64[us]"),
            "event_type": np.array(["visit", "email_open", "purchase"])[rng.integers(0, 3, rows)],
            "channel": np.array(["web", "app", "store", "email"])[rng.integers(0, 4, rows)],
            "amount": np.round(rng.gamma(2.0, 20.0, rows), 2),
        }).write_csv(csv, datetime_format="%Y-%m-%d %H:%M:%S")
        mb = csv.stat().st_size / 1e6
        report = ingest(Path(tmp) / "ingest.duckdb", events, [csv], secret=b"bench-secret-0123456789")
        assert report.rows_stored == rows
        bare = bare_load(csv, Path(tmp) / "bare.duckdb")
    return [("ingest", f"events CSV, {rows:,} rows ({mb:,.0f} MB)",
             f"{rows / report.seconds:,.0f} rows/s ({report.seconds:.1f} s); bare read_csv {rows / bare:,.0f} rows/s "
             f"({bare:.1f} s); ratio {report.seconds / bare:.1f}x")]


def bench_risk(pairs: list[tuple[int, int]]) -> list[tuple[str, str, str]]:
    found = []
    for rows, pycanon_rows in pairs:
        out = run([sys.executable, "bench/bench_risk.py", "--rows", str(rows), "--pycanon-rows", str(pycanon_rows),
                   "--repeat", "2"])
        for line in out.splitlines():
            m = re.match(r"(ours: full profile|DuckDB bare GROUP BY|pycanon k \+ l-diversity), ([\d,]+) rows.*?"
                         r"([\d.]+)$", line.strip())
            if m:
                found.append(("risk", f"{m.group(1)}, {m.group(2)} rows", f"{float(m.group(3)):.3f} s"))
            elif "faster" in line or "bare GROUP BY(" in line:
                found.append(("risk", line.split(":")[0].strip(), line.split(":", 1)[1].strip()))
    # with --rows equal to --pycanon-rows bench_risk times the same size twice: keep the later (warm) figure
    return list({measure: (area, measure, result) for area, measure, result in found}.values())


def bench_scenarios(sizes: list[int]) -> list[tuple[str, str, str]]:
    from bench_scenarios import growth, run_size

    rows = []
    for n in sizes:
        print(f"$ scenario sweep at {n:,} customers", file=sys.stderr, flush=True)
        rows.append(run_size(n))
    out = []
    for r, g in zip(rows, growth(rows)):
        out.append(("scenarios", f"9 presets, {r['customers']:,} customers ({r['events']:,} events)",
                    f"cold {r['sweep_s']:.1f} s, warm (ModelCache) {r['warm_s']:.2f} s = "
                    f"{r['sweep_s'] / max(r['warm_s'], 1e-9):.1f}x faster; peak RSS {r['peak_rss_mb']:,.0f} MB"
                    + ("" if g is None else f"; time ~ n^{g:.2f} vs previous size")))
    return out


def bench_app(moves: int) -> list[tuple[str, str, str]]:
    if not (BENCH / "bench_app.py").exists() or not (ROOT / "app.py").exists():
        return [("app", "cold render / warm latency", "skipped: bench/bench_app.py or app.py missing")]
    out = run([sys.executable, "bench/bench_app.py", "--moves", str(moves)])
    found = []
    for line in out.splitlines():
        m = re.match(r"(.+?)\s{2,}([\d.]+|None)?\s*(.*)$", line)
        if m and not line.startswith(("measure", "database")) and ("cold" in line or "warm" in line or "first" in line):
            found.append(("app", m.group(1).strip(), " ".join(x for x in (
                f"{m.group(2)} s" if m.group(2) and m.group(2) != "None" else "", m.group(3).strip()) if x)))
    return found


def app_memory(customers: int) -> list[tuple[str, str, str]]:
    """Peak RSS of the Streamlit server on a database of ``customers`` after the Overview's first render."""
    if not (ROOT / "app.py").exists() or not Path("/usr/bin/chromium").exists():
        return [("memory", "app process", "skipped: app.py or /usr/bin/chromium missing")]
    from _browser import app_server, first_overview, memory_mb

    from analysis.demo import ensure_demo

    with tempfile.TemporaryDirectory(prefix="bench-app-memory-") as tmp:
        db = Path(tmp) / "crm.duckdb"
        started = time.perf_counter()
        ensure_demo(db, customers=customers, seed=7)
        built = time.perf_counter() - started
        with app_server(db, timeout=180) as (port, server):
            idle = memory_mb(server.pid)
            render = first_overview(port)
            peak = memory_mb(server.pid)
    return [("memory", f"app server, {customers:,} customers (database built in {built:.0f} s)",
             f"VmHWM {peak['VmHWM']:,.0f} MB after first Overview render ({render:.0f} s); "
             f"{idle['VmHWM']:,.0f} MB when idle before it")]


def render(rows: list[tuple[str, str, str]]) -> str:
    width = max(len(m) for _, m, _ in rows)
    lines = [f"| {'area':<9} | {'measure':<{width}} | result |", f"|{'-' * 11}|{'-' * (width + 2)}|--------|"]
    lines += [f"| {a:<9} | {m:<{width}} | {r} |" for a, m, r in rows]
    return "\n".join(lines)


def write_readme(table: str, command: str, seconds: float, *, marker: str = "results") -> None:
    """The table, with the command, the date and the machine, between bench/README.md's ``marker`` comments
    (``results``: the benchmarks; ``scale``: the real-size table), added at the end when they are missing."""
    readme = BENCH / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    block = (f"{start}\nCommand: `{command}` — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}, {seconds / 60:.0f} min in all.\n\n{table}\n{end}")
    if start in text:
        text = re.sub(f"{re.escape(start)}.*?{re.escape(end)}", lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


STEPS = {
    "ingest": lambda s: bench_ingest(s["ingest"]) + bench_events(s["events"]),
    "risk": lambda s: bench_risk(s["risk"]),
    "scenarios": lambda s: bench_scenarios(s["scenarios"]),
    "app": lambda s: bench_app(s["moves"]),
    "memory": lambda s: app_memory(s["memory"]),
}


def scale_table(args) -> None:
    """The real-size table (bench_scale.py), printed and, with --readme, written between the scale markers."""
    import json

    import bench_scale

    started = time.perf_counter()
    results = bench_scale.scale(args.scale_sizes, risk_rows=args.risk_rows, repeat=args.repeat,
                                app=not args.no_app)
    (BENCH / "scale-results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    table = bench_scale.render(bench_scale.rows_of(results))
    print(table)
    if args.readme:
        write_readme(table, "python bench/run_all.py " + " ".join(sys.argv[1:]), time.perf_counter() - started,
                     marker="scale")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a fast check that every bench runs")
    parser.add_argument("--only", nargs="+", choices=list(STEPS), default=list(STEPS))
    parser.add_argument("--readme", action="store_true", help="write the table into bench/README.md")
    parser.add_argument("--scale", action="store_true", help="the real-size table (issue 14) instead")
    parser.add_argument("--scale-sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000],
                        help="customers of the scenario sweeps of --scale")
    parser.add_argument("--risk-rows", type=int, nargs="+", default=[10_000_000], help="rows of the risk CLI runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each short --scale measure (median)")
    parser.add_argument("--no-app", action="store_true", help="--scale without the browser measure")
    args = parser.parse_args(argv)
    if args.scale:
        sys.path.insert(0, str(BENCH))
        scale_table(args)
        return
    sizes = SIZES["quick" if args.quick else "full"]
    sys.path.insert(0, str(BENCH))
    started = time.perf_counter()
    rows: list[tuple[str, str, str]] = []
    for step in args.only:
        try:
            rows += STEPS[step](sizes)
        except Exception as exc:  # a broken bench is recorded, the others still run
            rows.append((step, "error", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
    table = render(rows)
    print(table)
    if args.readme:
        write_readme(table, "python bench/run_all.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                     time.perf_counter() - started)


if __name__ == "__main__":
    main()
