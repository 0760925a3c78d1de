"""The one gateway every SQL statement of PrivacyLift goes through.

- Values are always bound parameters (``?`` or ``$name``); never formatted into the text.
- Identifiers that come from user data (column and table names) go through :func:`quote_ident`.
- Every statement is traced (its text, never its parameter values) to the ``privacylift.sql`` logger with
  its duration, so a slow query can be found without any personal data reaching a log.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import polars as pl

__all__ = ["quote_ident", "quote_idents", "connect", "memory", "run", "run_scalar", "execute", "transaction"]

log = logging.getLogger("privacylift.sql")


def quote_ident(name: str) -> str:
    """Quote an identifier for DuckDB: double quotes, inner double quotes doubled.

    >>> print(quote_ident('age "band" x'))
    "age ""band"" x"
    """
    if not isinstance(name, str) or name == "":
        raise ValueError(f"An identifier must be a non-empty string; got {name!r}.")
    if "\x00" in name:
        raise ValueError("An identifier cannot contain a NUL character.")
    return '"' + name.replace('"', '""') + '"'


def quote_idents(names: Sequence[str]) -> str:
    """Comma-separated quoted identifiers."""
    return ", ".join(quote_ident(n) for n in names)


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database file (created when missing unless ``read_only``)."""
    p = Path(path)
    if read_only and not p.exists():
        raise FileNotFoundError(f"Database {p} does not exist: ingest data or generate the demo first.")
    return _quiet(duckdb.connect(str(p), read_only=read_only))


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection (for SQL over polars frames)."""
    return _quiet(duckdb.connect(":memory:"))


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar: it would print into the CLI's output (inside Jupyter without ipywidgets DuckDB
    refuses to change the setting, and draws no bar there anyway)."""
    try:
        con.execute("SET enable_progress_bar = false").fetchall()
    except duckdb.Error:
        pass
    return con


def _trace(sql: str, started: float) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug("%.1f ms  %s", (time.perf_counter() - started) * 1000, " ".join(sql.split())[:300])


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> pl.DataFrame:
    """Run one query with bound parameters and return its result as a polars DataFrame."""
    started = time.perf_counter()
    try:
        # DuckDB 2.0: a relation from con.sql runs when read; .pl() reads it whole (no unfinished result)
        rel = con.sql(sql, params=params) if params is not None else con.sql(sql)
        return pl.DataFrame() if rel is None else rel.pl()
    finally:
        _trace(sql, started)


def run_scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
    """Run one query that returns one value."""
    started = time.perf_counter()
    try:
        rel = con.sql(sql, params=params) if params is not None else con.sql(sql)
        rows = [] if rel is None else rel.fetchall()
        return rows[0][0] if rows else None
    finally:
        _trace(sql, started)


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> None:
    """Run one statement that returns nothing useful."""
    started = time.perf_counter()
    try:
        # fetch to the end so no unfinished result blocks the next statement (DuckDB 2.0)
        (con.execute(sql, params) if params is not None else con.execute(sql)).fetchall()
    finally:
        _trace(sql, started)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK on any exception."""
    execute(con, "BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        execute(con, "ROLLBACK")
        raise
    else:
        execute(con, "COMMIT")
