"""Synthetic rows generated inside DuckDB, for benchmarks and tests at CRM scale (no Python loop, no polars).

:func:`create_profile_rows` makes the risk profile's usual shape — 4 quasi-identifiers and 1 sensitive column
at realistic cardinalities (as ``bench/bench_risk.py``): ``age`` 18–90, ``gender`` (F, M, X at 49/49/2 %),
``zip`` (3 digits: ~900 areas; 5 digits: ~90,000 ZIPs, nearly every record unique), ``region`` (from the ZIP),
``credit status`` (good 70 %, late 20 %, default 7 %, collections 3 %). Values are seeded hash draws of the row
number, so any number of rows is made in one streaming statement, the same for the same seed.

Example
-------
>>> from analysis.store._gateway import memory
>>> con = memory()
>>> create_profile_rows(con, "people", 1000)
>>> con.sql('SELECT count(*) FROM people').fetchall()
[(1000,)]
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from analysis.store._gateway import execute, quote_ident
from analysis.store._risk import uniform_sql

__all__ = ["PROFILE_QUASI", "PROFILE_SENSITIVE", "create_profile_rows", "write_parquet"]

PROFILE_QUASI = ("age", "gender", "zip", "region")
PROFILE_SENSITIVE = ("credit status",)


def create_profile_rows(con: duckdb.DuckDBPyConnection, name: str, rows: int, *, seed: int = 0,
                        zip_digits: int = 3, start: int = 0) -> None:
    """``CREATE TABLE name`` with ``rows`` synthetic customers (``customer_id`` + the columns above);
    ``start`` offsets the row numbers (to append more rows with ``INSERT``)."""
    if zip_digits not in (3, 5):
        raise ValueError(f"The 'zip_digits' parameter of create_profile_rows must be 3 or 5. Got {zip_digits!r} instead.")
    u = [uniform_sql("i", stream) for stream in range(21, 26)]
    low = 10 ** (zip_digits - 1)
    # internal expressions and quote_ident results only; row count, seed and ZIP range are bound.
    execute(con, f"""
        CREATE TABLE {quote_ident(name)} AS
        SELECT 'C' || lpad(CAST(i AS VARCHAR), 10, '0') AS customer_id,
               CAST(18 + floor({u[0]} * 73) AS INTEGER) AS age,
               CASE WHEN {u[1]} < 0.49 THEN 'F' WHEN {u[1]} < 0.98 THEN 'M' ELSE 'X' END AS gender,
               CAST(CAST($low + floor({u[2]} * (9 * $low)) AS BIGINT) AS VARCHAR) AS zip,
               CAST(CAST($low + floor({u[2]} * (9 * $low)) AS BIGINT) % 9 AS INTEGER) AS region,
               CASE WHEN {u[3]} < 0.70 THEN 'good' WHEN {u[3]} < 0.90 THEN 'late'
                    WHEN {u[3]} < 0.97 THEN 'default' ELSE 'collections' END AS "credit status"
        FROM range($start, $start + $rows) AS r(i)""",
            {"seed": int(seed), "rows": int(rows), "low": low, "start": int(start)})


def write_parquet(con: duckdb.DuckDBPyConnection, name: str, path: str | Path) -> None:
    """Write a table to a Parquet file (DuckDB's writer, streaming)."""
    con.table(name).write_parquet(str(path))
