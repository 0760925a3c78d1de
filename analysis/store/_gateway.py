"""The one gateway every SQL statement of PrivacyLift goes through.

- Values are always bound parameters (``?`` or ``$name``); never formatted into the text.
- Identifiers that come from user data (column and table names) go through :func:`quote_ident`.
- Every statement is traced (its text, never its parameter values) to the ``privacylift.sql`` logger with
  its duration, so a slow query can be found without any personal data reaching a log.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import polars as pl

__all__ = ["StoreError", "quote_ident", "quote_idents", "connect", "memory", "run", "run_scalar", "execute",
           "transaction", "explain_duckdb_error", "ENV_THREADS", "env_threads"]

log = logging.getLogger("privacylift.sql")


class StoreError(RuntimeError):
    """The database file cannot be used as it is (damaged, read-only, open for writing elsewhere …): a problem
    of the environment, not of the data. The message says what to do; nothing was changed."""


def explain_duckdb_error(path: str | Path, exc: Exception) -> str:
    """Plain words for a DuckDB error about a database file (never a value of the data)."""
    first = (str(exc).splitlines() or [""])[0]
    if any(w in first for w in ("not a valid DuckDB database", "orrupt", "Could not read enough bytes",
                                "checksum", "Checksum")):
        return (f"The database {path} is not a DuckDB database PrivacyLift can read: the file is damaged, truncated "
                "or of another kind. Restore it from a copy, or ingest the source files into a new database.")
    if "lock" in first.lower():
        pid = re.search(r"PID (\d+)", str(exc))
        who = f" (process {pid.group(1)})" if pid else ""
        return (f"The database {path} is open for writing in another program{who}. Close that program, or wait "
                "for it to finish, and try again.")
    if "Permission denied" in first or "Read-only" in first or "read-only" in first:
        return f"The database {path} cannot be opened: permission denied. Check the file's and folder's permissions."
    return f"The database {path} cannot be opened: {first[:200]}"


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
    try:
        return _quiet(duckdb.connect(str(p), read_only=read_only))
    except duckdb.Error as exc:
        raise StoreError(explain_duckdb_error(p, exc)) from None


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection (for SQL over polars frames)."""
    return _quiet(duckdb.connect(":memory:"))


#: DuckDB's threads on every connection (default: one per core); figures never depend on it (issue 20)
ENV_THREADS = "PRIVACYLIFT_DUCKDB_THREADS"


def env_threads() -> int | None:
    """The threads ``PRIVACYLIFT_DUCKDB_THREADS`` asks for (None when unset or empty)."""
    text = os.environ.get(ENV_THREADS, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise StoreError(f"The environment variable {ENV_THREADS} must be a whole number of threads (1, 2, …). "
                         f"Got {text[:40]!r} instead.")
    return int(text)


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar: it would print into the CLI's output (inside Jupyter without ipywidgets DuckDB
    refuses to change the setting, and draws no bar there anyway). The threads of ``PRIVACYLIFT_DUCKDB_THREADS``
    when it is set."""
    try:
        con.execute("SET enable_progress_bar = false").fetchall()
    except duckdb.Error:
        pass
    threads = env_threads()
    if threads is not None:
        con.execute("SET threads = ?", [threads]).fetchall()
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
