"""Speed of the risk engine: 1,000,000 customers × 4 quasi-identifiers + 1 sensitive column.

Times (measured, nothing extrapolated): our full re-identification + disclosure profile at 1M and
100k rows, one bare DuckDB GROUP BY over the same 4 columns at 1M, and pycanon's k-anonymity +
l-diversity at 100k. Prints a table and the ratios ours(100k)/pycanon(100k) and ours(1M)/groupby(1M).

Run: ``.venv/bin/python bench/bench_risk.py [--rows 1000000] [--pycanon-rows 100000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import risk  # noqa: E402
from analysis.store import _gateway as gateway  # noqa: E402
from analysis.store import _risk as store  # noqa: E402


def make_customers(rows: int, seed: int = 0) -> pl.DataFrame:
    """Realistic cardinalities: age 18–90, gender 3, zip3 ~900, region 9; a 4-valued sensitive column."""
    rng = np.random.default_rng(seed)
    zip3 = rng.integers(100, 1000, rows)
    return pl.DataFrame({
        "age": rng.integers(18, 91, rows),
        "gender": rng.choice(np.array(["female", "male", "other"]), rows, p=[0.49, 0.49, 0.02]),
        "zip3": zip3.astype(str),
        "region": (zip3 % 9).astype(np.int64),
        "credit status": rng.choice(np.array(["good", "late", "default", "collections"]), rows,
                                    p=[0.7, 0.2, 0.07, 0.03]),
    })


QUASI = ["age", "gender", "zip3", "region"]
SENSITIVE = ["credit status"]


def best_of(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def bare_groupby(frame: pl.DataFrame) -> None:
    con = gateway.memory()
    con.register("exposed", frame)
    store.run(con, f"SELECT count(*) AS f FROM exposed GROUP BY {gateway.quote_idents(QUASI)}")  # quoted idents only
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pycanon-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    big = make_customers(args.rows)
    small = big.head(args.pycanon_rows)
    ours_big = best_of(lambda: risk.risk_profile(big, QUASI, SENSITIVE), args.repeat)
    ours_small = best_of(lambda: risk.risk_profile(small, QUASI, SENSITIVE), args.repeat)
    groupby_big = best_of(lambda: bare_groupby(big), args.repeat)

    from pycanon import anonymity

    pandas_small = small.to_pandas()
    started = time.perf_counter()
    k_pycanon = anonymity.k_anonymity(pandas_small, QUASI)
    l_pycanon = anonymity.l_diversity(pandas_small, QUASI, SENSITIVE)
    pycanon_small = time.perf_counter() - started
    profile = risk.risk_profile(small, QUASI, SENSITIVE)
    assert profile.reidentification.k == k_pycanon, (profile.reidentification.k, k_pycanon)
    assert profile.disclosures[0].l_diversity == l_pycanon, (profile.disclosures[0].l_diversity, l_pycanon)

    rows = [
        (f"ours: full profile, {args.rows:,} rows", ours_big),
        (f"ours: full profile, {args.pycanon_rows:,} rows", ours_small),
        (f"DuckDB bare GROUP BY, {args.rows:,} rows", groupby_big),
        (f"pycanon k + l-diversity, {args.pycanon_rows:,} rows (1 run)", pycanon_small),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  seconds")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:8.3f}")
    print(f"pycanon({args.pycanon_rows:,}) / ours({args.pycanon_rows:,}): {pycanon_small / ours_small:8.1f}x faster")
    print(f"ours({args.rows:,}) / bare GROUP BY({args.rows:,}):   {ours_big / groupby_big:8.1f}x")
    print(f"classes at {args.rows:,} rows: {risk.risk_profile(big, QUASI).reidentification.classes:,}")


if __name__ == "__main__":
    main()
