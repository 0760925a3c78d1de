"""Speed of the safe ingest against a bare DuckDB load of the same CSV.

Generates customer CSVs (10 columns: an integer key, 2 direct identifiers, quasi-identifiers, a boolean
consent flag, an amount, a count, a binary outcome) in a temp directory, then times

- ``ingest`` (validation of every value, HMAC pseudonyms of 2 columns computed in DuckDB, copy + transaction
  + checkpoint + rename), and
- a bare ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` into a fresh file (no checks, no pseudonyms),

and prints rows/s and the ratio.

Run: ``.venv/bin/python bench/bench_ingest.py [--rows 100000 1000000] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.dictionary import parse_dictionary  # noqa: E402
from analysis.store._ingest import ingest  # noqa: E402

DICTIONARY = """
[dataset]
name = "customers"
entity = "customers"
key = "customer_id"
[columns.customer_id]
role = "other"
type = "integer"
[columns.email]
role = "direct_identifier"
category = "contact"
type = "text"
[columns."full name"]
role = "direct_identifier"
category = "contact"
type = "text"
[columns.age]
role = "quasi_identifier"
type = "integer"
bounds = [18, 100]
[columns.gender]
role = "quasi_identifier"
type = "category"
[columns.postcode]
role = "quasi_identifier"
type = "category"
[columns.consent_marketing]
role = "consent"
purpose = "marketing"
type = "boolean"
[columns.spend]
role = "behavioral"
type = "float"
[columns.visits]
role = "behavioral"
type = "integer"
[columns.converted]
role = "outcome"
type = "boolean"
primary = true
"""


def make_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, rows + 1)
    first = np.array(["ana", "ben", "chloe", "dev", "eva", "finn", "gia", "hugo"])[rng.integers(0, 8, rows)]
    frame = pl.DataFrame(
        {
            "customer_id": ids,
            "email": pl.Series(first) + "." + pl.Series(ids).cast(pl.Utf8) + "@example.org",
            "full name": pl.Series(first).str.to_titlecase() + " Doe-" + pl.Series(ids % 9973).cast(pl.Utf8),
            "age": rng.integers(18, 90, rows),
            "gender": np.array(["f", "m", "x"])[rng.choice(3, rows, p=[0.49, 0.49, 0.02])],
            "postcode": np.char.add("D", rng.integers(100, 999, rows).astype(str)),
            "consent_marketing": np.array(["yes", "no"])[rng.integers(0, 2, rows)],
            "spend": np.round(rng.gamma(2.0, 40.0, rows), 2),
            "visits": rng.poisson(6, rows),
            "converted": rng.random(rows) < 0.1,
        }
    )
    frame.write_csv(path)


def bare_load(csv: Path, db: Path) -> float:
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv)])
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs")
    args = parser.parse_args()
    dictionary = parse_dictionary(DICTIONARY)
    print(f"duckdb {duckdb.__version__}, polars {pl.__version__}, {os.cpu_count()} CPUs")
    print("wall-clock seconds, best of --repeat; 'cpu s' = process CPU time of the ingest (all threads), which a busy")
    print("machine does not inflate")
    print(f"{'rows':>10} {'MB':>6} {'ingest s':>9} {'cpu s':>6} {'rows/s':>11} {'bare s':>7} {'rows/s':>11} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for rows in args.rows:
            csv = d / f"customers_{rows}.csv"
            make_csv(csv, rows)
            best_ingest = best_bare = best_cpu = float("inf")
            for i in range(args.repeat):
                db = d / f"ingest_{rows}_{i}.duckdb"
                before = os.times()
                report = ingest(db, dictionary, [csv], secret=b"bench-secret-0123456789")
                after = os.times()
                assert report.rows_stored == rows, report
                best_ingest = min(best_ingest, report.seconds)
                best_cpu = min(best_cpu, after.user - before.user + after.system - before.system)
                best_bare = min(best_bare, bare_load(csv, d / f"bare_{rows}_{i}.duckdb"))
            mb = csv.stat().st_size / 1e6
            print(f"{rows:>10,} {mb:>6.0f} {best_ingest:>9.2f} {best_cpu:>6.2f} {rows / best_ingest:>11,.0f} "
                  f"{best_bare:>7.2f} {rows / best_bare:>11,.0f} {best_ingest / best_bare:>6.1f}")


if __name__ == "__main__":
    main()
