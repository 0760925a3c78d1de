"""A CRM measured where it lives (issue 17): the risk profile and the event features on local Spark against the
DuckDB store, with the peak memory of the Python process (the data never enters it).

The CRM (customers with 4 quasi-identifiers and a sensitive column, ~10 events each) is generated inside DuckDB and
written as Parquet; Spark reads those files as its tables (``table = "/…/customers.parquet"``) and the store is
built from the same files by the real ingest. Every measured step runs in a fresh process that reports its wall
time, its own peak resident memory (``VmHWM`` of the Python process; Spark's JVM is reported apart) and the load:

- ``risk``: ``python -m analysis risk --source spark --dictionary … --sensitive credit_band --json`` against
  ``python -m analysis risk --db store.duckdb …`` (same figures: the bench checks they are equal).
- ``events``: the event features of the 200,000-customer stratified sample, every event scanned, for all history
  and a 90-day window: in Spark through :class:`analysis.warehouse.WarehouseCRM` (joined in the engine, only the
  sample's rows come out) against the store's sampled path (:func:`analysis.sampling.sample_event_features`).

Run: ``.venv/bin/python bench/bench_warehouse.py --customers 1000000`` (10 events per customer). The issue's size,
10M customers / 100M events, is ``--customers 10000000`` (about 4 min to build the data once, then about
4 min for the four steps on 2 cores at load ~2; see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("PRIVACYLIFT_BENCH_DATA", tempfile.gettempdir())) / "privacylift-bench-warehouse"
QUASI = "age,gender,zip,region"

from analysis.dictionary import dictionary_toml  # noqa: E402
from analysis.synthetic import dictionary_columns  # noqa: E402

#: the synthetic generator's columns the bench writes, with their role, category and type (and a treatment's
#: control, an outcome's primary) only: no declared values or bounds to check
FIELDS = ("role", "category", "type", "control", "primary")
CUSTOMERS = dictionary_columns(
    ("customer_id", "age", "gender", "zip", "region", "credit_band", "arm", "converted"), FIELDS)
EVENTS = dictionary_columns(("customer_id", "event_time", "event_type", "amount", "product_category"), FIELDS)

#: the measured step, run in a fresh process: prints {"seconds", "python_peak_mb", "jvm_peak_mb", "result"}
STEP = r"""
import json, os, sys, time, glob
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
kind, args = sys.argv[2], json.loads(sys.argv[3])
result = None
if kind == "cli":
    import io, contextlib
    from analysis.cli import main
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(args) == 0
    out = json.loads(buffer.getvalue())
    out.pop("source", None)
    result = out
elif kind == "spark_events":
    from analysis.dictionary import load_dictionary
    from analysis.warehouse import WarehouseCRM, open_source
    wh = open_source("spark", [load_dictionary(p) for p in args["dictionaries"]])
    crm = WarehouseCRM(wh, sample_size=args["sample"])
    result = {w: crm.event_features(w).height for w in (None, 90)} | {"pulled_rows": wh.pulled_rows()}
elif kind == "store_events":
    from analysis.data import load_crm
    from analysis.sampling import sample, sample_event_features
    from analysis.store import Store
    crm = load_crm(Store(args["db"]))
    sample(crm, args["sample"], 0)
    result = {w: sample_event_features(crm, w, args["sample"], 0).height for w in (None, 90)}
seconds = time.perf_counter() - started

def hwm(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None

jvm = None
for child in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
    for pid in open(child).read().split():
        jvm = max(jvm or 0, hwm(pid) or 0)
print(json.dumps({"seconds": seconds, "python_peak_mb": hwm(os.getpid()), "jvm_peak_mb": jvm,
                  "load": os.getloadavg()[0], "result": result}, default=str))
"""


def build(customers: int, data: Path) -> dict:
    """Parquet files of the CRM (generated in DuckDB), its dictionaries, and the store ingested from them."""
    import duckdb

    from analysis.dictionary import load_dictionary
    from analysis.store import Store

    folder = data / f"c{customers}"
    folder.mkdir(parents=True, exist_ok=True)
    cust, events, db = folder / "customers.parquet", folder / "events.parquet", folder / "store.duckdb"
    if not events.exists():
        con = duckdb.connect()
        con.execute(f"""COPY (SELECT 'C' || lpad(CAST(i AS VARCHAR), 9, '0') AS customer_id,
                                   CAST(18 + hash(i, 1) % 80 AS BIGINT) AS age,
                                   ['F', 'M', 'X'][1 + CAST(hash(i, 2) % 3 AS INTEGER)] AS gender,
                                   lpad(CAST(hash(i, 3) % 30000 AS VARCHAR), 5, '0') AS zip,
                                   'R' || CAST(hash(i, 4) % 9 AS VARCHAR) AS region,
                                   ['poor', 'fair', 'good', 'excellent'][1 + CAST(hash(i, 5) % 4 AS INTEGER)] AS credit_band,
                                   ['control', 'email', 'discount'][1 + CAST(hash(i, 6) % 3 AS INTEGER)] AS arm,
                                   hash(i, 7) % 10 = 0 AS converted
                            FROM range({customers}) t(i)) TO '{cust}' (FORMAT parquet)""")
        con.execute(f"""COPY (SELECT 'C' || lpad(CAST(hash(j, 8) % {customers} AS VARCHAR), 9, '0') AS customer_id,
                                   TIMESTAMP '2026-06-30' - to_seconds(CAST(hash(j, 9) % (730 * 86400) AS BIGINT)) AS event_time,
                                   ['visit', 'email_open', 'purchase'][1 + CAST(hash(j, 10) % 3 AS INTEGER)] AS event_type,
                                   CAST(hash(j, 11) % 20000 AS DOUBLE) / 100 AS amount,
                                   ['grocery', 'apparel', 'home', 'books', 'sports'][1 + CAST(hash(j, 12) % 5 AS INTEGER)]
                                       AS product_category
                            FROM range({customers * 10}) t(j)) TO '{events}' (FORMAT parquet)""")
        con.close()
    dictionaries = []
    for name, dataset, entity, cols, path in (("customers", "people", "customers", CUSTOMERS, cust),
                                              ("events", "events", "events", EVENTS, events)):
        p = folder / f"{name}.toml"
        header = {"name": dataset, "entity": entity, "key": "customer_id", "table": str(path)}
        p.write_text(dictionary_toml(header, cols), encoding="utf-8")
        dictionaries.append(p)
    if not db.exists():
        store = Store(db)
        for p, f in zip(dictionaries, (cust, events)):
            store.ingest(load_dictionary(p), [f])
    return {"folder": folder, "db": db, "dictionaries": [str(p) for p in dictionaries]}


def step(kind: str, args) -> dict:
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    out = subprocess.run([sys.executable, "-c", STEP, str(ROOT), kind, json.dumps(args)], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=7200)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=200_000)
    ap.add_argument("--data", type=Path, default=DATA)
    a = ap.parse_args(argv)
    started = time.perf_counter()
    crm = build(a.customers, a.data)
    print(f"data: {a.customers:,} customers, {a.customers * 10:,} events ({time.perf_counter() - started:.0f} s to "
          "build or reuse)", file=sys.stderr)
    source = ["--source", "spark"] + [x for p in crm["dictionaries"] for x in ("--dictionary", p)]
    risk = ["risk", "--quasi", QUASI, "--sensitive", "credit_band", "--json"]
    rows = {
        "risk: DuckDB store": step("cli", [*risk, "--db", str(crm["db"])]),
        "risk: local Spark": step("cli", [*risk, *source]),
        "event features (sample): DuckDB store": step("store_events", {"db": str(crm["db"]), "sample": a.sample}),
        "event features (sample): local Spark": step("spark_events", {"dictionaries": crm["dictionaries"],
                                                                       "sample": a.sample}),
    }
    same = rows["risk: DuckDB store"]["result"] == rows["risk: local Spark"]["result"]
    print(f"| step ({a.customers:,} customers, {a.customers * 10:,} events) | seconds | Python peak MB | "
          "JVM peak MB | load |")
    print("|---|---:|---:|---:|---:|")
    for name, r in rows.items():
        jvm = "—" if not r["jvm_peak_mb"] else f"{r['jvm_peak_mb']:,.0f}"
        print(f"| {name} | {r['seconds']:.1f} | {r['python_peak_mb']:,.0f} | {jvm} | {r['load']:.1f} |")
    print(f"\nrisk profiles equal: {same}; Spark event features pulled "
          f"{rows['event features (sample): local Spark']['result']['pulled_rows']:,} rows in all")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
