"""Real CRM sizes on one machine (issue 14): the figures of bench/README.md's scale table, each beside the floor it
is compared with, measured in the same run, and the machine's load while it ran.

Every measured command runs in a fresh process: wall time and peak resident memory (``ru_maxrss`` of that
process from ``os.wait4`` in a small launcher process, which counts numpy, polars and DuckDB alike); ours and the floor are interleaved and
the median of the runs is kept.

- ``risk``: ``python -m analysis risk --db … --quasi age,gender,zip,region --sensitive "credit status" --json``
  against a process that opens the same file and runs one bare ``SELECT count(*) … GROUP BY`` of the 4
  quasi-identifiers (the floor). The store holds synthetic customers generated inside DuckDB
  (:mod:`analysis.store._fixtures`) and loaded by the real ingest, in parts of 10M rows.
- ``sweep``: ``python -m analysis simulate --db … --json`` (the 9 presets, cold) on a synthetic CRM
  (:mod:`analysis.synthetic`, ~16 events per customer; above 1M customers generated in chunks of 1M with their
  own seeds and customer ids) against the floor of one bare DuckDB pass over every event (``GROUP BY`` customer).
- ``help``: ``python -m analysis risk --help`` against ``python -c pass``.
- ``app``: the Streamlit server on a CRM, first Overview render in headless Chromium: seconds and the server's
  peak memory (``VmHWM``).

Run (from the repository): ``.venv/bin/python bench/bench_scale.py risk --rows 100000000`` (the 100M-row run,
about 10 min the first time: the store is kept in ``--data``), ``… sweep --customers 1000000``, ``… help``,
``… app --customers 1000000``. ``bench/run_all.py --scale`` runs the whole table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("PRIVACYLIFT_BENCH_DATA", tempfile.gettempdir())) / "privacylift-bench-scale"
PY = sys.executable

BARE_GROUP_BY = ("import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
                 "con.sql('SELECT count(*) AS f FROM people GROUP BY age, gender, zip, region').fetch_arrow_table()")
BARE_READ_CSV = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                 "con.execute('CREATE TABLE t AS SELECT * FROM read_csv(?)', [sys.argv[2]]); con.execute('CHECKPOINT')")
BARE_EVENTS = ("import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
               "con.sql('SELECT customer_id, count(*) AS n, max(event_time) AS last FROM crm_events "
               "GROUP BY customer_id').fetch_arrow_table()")


def risk_dictionary() -> str:
    """The synthetic generator's role, category and type of each column, but ``region`` (a number here) and the
    sensitive column (named with a space: every statement has to quote it)."""
    from analysis.dictionary import dictionary_toml
    from analysis.synthetic import dictionary_columns

    columns = dictionary_columns(("customer_id", "age", "gender", "zip", "region"), ("role", "category", "type"))
    columns["region"]["type"] = "integer"
    columns["credit status"] = {"role": "sensitive", "category": "financial", "type": "category"}
    return dictionary_toml({"name": "people", "entity": "customers", "key": "customer_id"}, columns)


# ---- measuring -------------------------------------------------------------------------------------------
#: Started by :func:`measure` to start the measured command and report its resources. Linux folds the peak memory of
#: the address space a process was forked from into its ``ru_maxrss`` at ``exec`` (with fork and with vfork alike),
#: so a command started straight from this process — which holds a 10M-row CRM after building it — would report
#: this process's peak, not its own. Started from this small launcher, it reports its own (the launcher's few MB at
#: most).
LAUNCHER = ("import json, os, sys; pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], dict(os.environ)); "
            "_, status, usage = os.wait4(pid, 0); "
            "open(sys.argv[1], 'w').write(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss, "
            "usage.ru_utime + usage.ru_stime]))")


def measure(command: list[str], *, env: dict | None = None, timeout: float = 7200) -> dict:
    """One run of a command in a fresh process: wall seconds, peak RSS (MB), CPU seconds, load average."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "usage.json"
        started = time.perf_counter()
        subprocess.run([PY, "-c", LAUNCHER, str(report), *command], cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=err, env={**os.environ, **(env or {})}, timeout=timeout, check=True)
        wall = time.perf_counter() - started
        status, maxrss_kb, cpu = json.loads(report.read_text())
        if status != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{err.read().decode()[-3000:]}")
    return {"seconds": wall, "rss_mb": maxrss_kb / 1024, "cpu": cpu, "load": (load + os.getloadavg()[0]) / 2}


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]} | {"runs": len(runs)}


def interleaved(ours: list[str], floor: list[str], repeat: int) -> tuple[dict, dict]:
    a, b = [], []
    for _ in range(repeat):
        a.append(measure(ours))
        b.append(measure(floor))
    return median_of(a), median_of(b)


# ---- data ------------------------------------------------------------------------------------------------
@contextmanager
def building(db: Path) -> Iterator[Path]:
    """A scratch folder beside ``db`` to build it in: the ``<folder>/<db.name>`` the block leaves (and its key
    file, if any) becomes ``db`` when the block ends normally; the folder is removed whatever happens."""
    db.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{db.stem}-build-", dir=db.parent))
    try:
        yield work
        key = work / (db.name + ".key")
        if key.exists():
            os.replace(key, db.with_name(db.name + ".key"))
        os.replace(work / db.name, db)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def risk_store(rows: int, data: Path = DATA) -> Path:
    """A store with ``rows`` synthetic customers (4 quasi-identifiers + 1 sensitive), ingested in parts of 10M."""
    db = data / f"risk-{rows}.duckdb"
    if db.exists():
        return db
    from analysis.dictionary import parse_dictionary
    from analysis.store import _fixtures
    from analysis.store._gateway import connect
    from analysis.store._ingest import ingest

    with building(db) as work:
        dictionary = parse_dictionary(risk_dictionary())
        part_rows = 10_000_000
        tmp_db = work / db.name
        for i, start in enumerate(range(0, rows, part_rows)):
            scratch = connect(work / "scratch.duckdb")
            _fixtures.create_profile_rows(scratch, "people", min(part_rows, rows - start), start=start)
            _fixtures.write_parquet(scratch, "people", work / "part.parquet")
            scratch.close()
            (work / "scratch.duckdb").unlink()
            ingest(tmp_db, dictionary, [work / "part.parquet"], replace=(i == 0), secret=b"bench-scale-secret-0123")
            print(f"  risk store: {start + min(part_rows, rows - start):,} rows", file=sys.stderr, flush=True)
    return db


def crm_store(customers: int, data: Path = DATA) -> Path:
    """A synthetic CRM of ``customers`` (generated in chunks of 1M with seeds 7, 8, …), ingested."""
    db = data / f"crm-{customers}.duckdb"
    if db.exists():
        return db
    import polars as pl

    from analysis.demo import ingest_generated
    from analysis.dictionary import load_dictionary
    from analysis.store import Store
    from analysis.synthetic import generate

    with building(db) as work:
        chunk = 1_000_000
        if customers <= chunk:
            ingest_generated(generate(customers, seed=7, out_dir=work / "files"), work / db.name)
        else:
            parts = []
            for i, start in enumerate(range(0, customers, chunk)):
                files = generate(min(chunk, customers - start), seed=7 + i, out_dir=work / f"chunk{i}")
                for path in (files.customers, files.campaign, files.events, files.ground_truth):
                    frame = pl.read_parquet(path)
                    # customer ids of one chunk: C<chunk><id>, unique across chunks
                    frame = frame.with_columns(("C" + pl.lit(f"{i:03d}") + pl.col("customer_id").str.slice(1))
                                               .alias("customer_id"))
                    frame.write_parquet(path)
                parts.append(files)
                print(f"  crm: generated {start + min(chunk, customers - start):,} customers", file=sys.stderr,
                      flush=True)
            store = Store(work / db.name)
            first = parts[0]
            for dictionary_path, attribute in ((first.customers_dictionary, "customers"),
                                               (first.campaign_dictionary, "campaign")):
                store.ingest(load_dictionary(dictionary_path), [getattr(p, attribute) for p in parts])
            events = load_dictionary(first.events_dictionary)
            for i, p in enumerate(parts):
                store.ingest(events, [p.events], replace=(i == 0))
            store.attach_ground_truth(pl.concat([pl.read_parquet(p.ground_truth) for p in parts]))
    return db


def events_of(db: Path) -> int:
    from analysis.store import Store

    return next(int(d.rows) for d in Store(db).datasets() if d.entity == "events")


# ---- the measures ------------------------------------------------------------------------------------------
def bench_risk(rows: int, repeat: int = 3, data: Path = DATA) -> dict:
    db = risk_store(rows, data)
    ours, floor = interleaved(
        [PY, "-m", "analysis", "risk", "--db", str(db), "--quasi", "age,gender,zip,region", "--sensitive",
         "credit status", "--json"],
        [PY, "-c", BARE_GROUP_BY, str(db)], repeat)
    return {"rows": rows, "ours": ours, "floor": floor}


def bench_sweep(customers: int, repeat: int = 1, data: Path = DATA) -> dict:
    db = crm_store(customers, data)
    ours, floor = interleaved([PY, "-m", "analysis", "simulate", "--db", str(db), "--json"],
                              [PY, "-c", BARE_EVENTS, str(db)], repeat)
    return {"customers": customers, "events": events_of(db), "ours": ours, "floor": floor}


def bench_ingest(rows: int, repeat: int = 3, data: Path = DATA) -> dict:
    """``python -m analysis ingest`` of a customers CSV with 2 direct identifiers (bench_ingest.py's) into a new
    database, against a process that loads the same CSV with a bare ``read_csv`` into a new file."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_ingest import DICTIONARY, make_csv

    data.mkdir(parents=True, exist_ok=True)
    csv, dictionary = data / f"customers-{rows}.csv", data / "customers-ingest.toml"
    if not csv.exists():
        make_csv(csv, rows)
    dictionary.write_text(DICTIONARY, encoding="utf-8")
    target, bare = data / "ingest-run.duckdb", data / "bare-run.duckdb"
    ours, floor = [], []
    for _ in range(repeat):
        for path in (target, bare, target.with_name(target.name + ".key")):
            path.unlink(missing_ok=True)
        ours.append(measure([PY, "-m", "analysis", "ingest", "--db", str(target), "--dictionary", str(dictionary),
                             str(csv)], env={"PRIVACYLIFT_SECRET": "bench-scale-secret-0123456789"}))
        floor.append(measure([PY, "-c", BARE_READ_CSV, str(bare), str(csv)]))
    for path in (target, bare, target.with_name(target.name + ".key")):
        path.unlink(missing_ok=True)
    return {"rows": rows, "ours": median_of(ours), "floor": median_of(floor)}


def bench_help(repeat: int = 5) -> dict:
    ours, floor = interleaved([PY, "-m", "analysis", "risk", "--help"], [PY, "-c", "pass"], repeat)
    return {"ours": ours, "floor": floor}


def bench_app(customers: int, data: Path = DATA) -> dict:
    """Streamlit server on the CRM: first Overview render (frontier chart visible) and the server's VmHWM."""
    db = crm_store(customers, data)
    sys.path.insert(0, str(ROOT / "bench"))
    from _browser import app_server, first_overview, memory_mb

    load = os.getloadavg()[0]
    with app_server(db, timeout=180) as (port, server):
        render = first_overview(port)
        peak = memory_mb(server.pid)["VmHWM"]
    return {"customers": customers, "seconds": render, "rss_mb": peak, "load": (load + os.getloadavg()[0]) / 2}


def growth(sweeps: list[dict]) -> float | None:
    """Exponent b of sweep time ~ customers^b from the smallest to the largest size."""
    if len(sweeps) < 2:
        return None
    a, b = sweeps[0], sweeps[-1]
    return math.log(b["ours"]["seconds"] / a["ours"]["seconds"]) / math.log(b["customers"] / a["customers"])


# ---- the table -------------------------------------------------------------------------------------------
def _s(x: float) -> str:
    return f"{x:,.1f} s" if x >= 1 else f"{x:.2f} s"


def _mb(x: float) -> str:
    return f"{x / 1024:,.2f} GB" if x >= 1024 else f"{x:,.0f} MB"


def rows_of(results: dict) -> list[tuple[str, ...]]:
    """Table rows: work, ours (median), floor (same run), ratio, target, load."""
    out = []
    for r in results.get("risk", []):
        o, f = r["ours"], r["floor"]
        target = "≤ 2× floor, ≤ 1.5 GB" if r["rows"] <= 10_000_000 else "≤ 2× floor, ≤ 4 GB"
        out.append((f"risk CLI, {r['rows']:,} rows, 4 QIs + 1 sensitive", f"{_s(o['seconds'])}, {_mb(o['rss_mb'])}",
                    f"bare GROUP BY {_s(f['seconds'])}, {_mb(f['rss_mb'])}", f"{o['seconds'] / f['seconds']:.2f}×",
                    target, f"{o['load']:.1f}", o["runs"]))
    for r in results.get("ingest", []):
        o, f = r["ours"], r["floor"]
        out.append((f"ingest, {r['rows']:,} customers with 2 identifiers", f"{_s(o['seconds'])}, {_mb(o['rss_mb'])}",
                    f"bare read_csv {_s(f['seconds'])}, {_mb(f['rss_mb'])}", f"{o['seconds'] / f['seconds']:.2f}×",
                    "≤ 1.5×", f"{o['load']:.1f}", o["runs"]))
    targets = {1_000_000: "≤ 30 s, ≤ 2 GB", 10_000_000: "≤ 3 min, ≤ 6 GB"}
    for r in results.get("sweep", []):
        o, f = r["ours"], r["floor"]
        out.append((f"9 presets, {r['customers']:,} customers / {r['events']:,} events, cold",
                    f"{_s(o['seconds'])}, {_mb(o['rss_mb'])}", f"one pass over the events {_s(f['seconds'])}",
                    f"{o['seconds'] / f['seconds']:.1f}×", targets.get(r["customers"], "—"), f"{o['load']:.1f}",
                    o["runs"]))
    for r in results.get("app", []):
        out.append((f"app first Overview, {r['customers']:,} customers", f"{_s(r['seconds'])}, {_mb(r['rss_mb'])}",
                    "—", "—", "≤ 30 s, ≤ 2.5 GB", f"{r['load']:.1f}", 1))
    sweeps = results.get("sweep", [])
    g = growth(sweeps)
    if g is not None:
        out.append((f"growth exponent of the sweep, {sweeps[0]['customers']:,} → {sweeps[-1]['customers']:,}",
                    f"{g:.2f}", "1.00 (linear)", "—", "≤ 0.7", "—", "—"))
    if "help" in results:
        o, f = results["help"]["ours"], results["help"]["floor"]
        out.append(("`python -m analysis risk --help`", f"{_s(o['seconds'])} ({o['cpu']:.2f} s CPU)",
                    f"`python -c pass` {_s(f['seconds'])}", f"{o['seconds'] / f['seconds']:.1f}×", "≤ 0.5 s",
                    f"{o['load']:.1f}", o["runs"]))
    return out


def render(rows: list[tuple]) -> str:
    lines = ["| work | ours (median) | floor, same run | ratio | target | load | runs |",
             "|---|---:|---:|---:|---|---:|---:|"]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def scale(sizes: list[int], *, risk_rows: list[int], repeat: int = 3, data: Path = DATA,
          app: bool = True) -> dict:
    """Every row of the scale table, in one run (bench/run_all.py --scale)."""
    results: dict = {"help": bench_help()}
    results["risk"] = [bench_risk(n, repeat, data) for n in risk_rows]
    results["ingest"] = [bench_ingest(1_000_000, repeat, data)]
    results["sweep"] = [bench_sweep(n, 1, data) for n in sizes]
    if app and 1_000_000 in sizes:
        results["app"] = [bench_app(1_000_000, data)]
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("risk")
    r.add_argument("--rows", type=int, nargs="+", default=[10_000_000])
    r.add_argument("--repeat", type=int, default=3)
    s = sub.add_parser("sweep")
    s.add_argument("--customers", type=int, nargs="+", default=[1_000_000])
    s.add_argument("--repeat", type=int, default=1)
    sub.add_parser("help")
    i = sub.add_parser("ingest")
    i.add_argument("--rows", type=int, default=1_000_000)
    i.add_argument("--repeat", type=int, default=3)
    a = sub.add_parser("app")
    a.add_argument("--customers", type=int, default=1_000_000)
    b = sub.add_parser("build")
    b.add_argument("--customers", type=int, nargs="*", default=[])
    b.add_argument("--risk-rows", type=int, nargs="*", default=[])
    for p in (r, s, i, a, b):
        p.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    results: dict = {}
    if args.what == "risk":
        results["risk"] = [bench_risk(n, args.repeat, args.data) for n in args.rows]
    elif args.what == "sweep":
        results["sweep"] = [bench_sweep(n, args.repeat, args.data) for n in args.customers]
    elif args.what == "help":
        results["help"] = bench_help()
    elif args.what == "ingest":
        results["ingest"] = [bench_ingest(args.rows, args.repeat, args.data)]
    elif args.what == "app":
        results["app"] = [bench_app(args.customers, args.data)]
    else:
        for n in args.customers:
            print(crm_store(n, args.data))
        for n in args.risk_rows:
            print(risk_store(n, args.data))
        return results
    print(render(rows_of(results)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
