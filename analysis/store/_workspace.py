"""The workspace: where PrivacyLift counts over every customer without pulling rows into Python.

A :class:`Workspace` is an in-memory DuckDB database with the store's file attached read-only (``pl_crm``) and a
view of the same name for every stored table, so every SQL function of :mod:`analysis.store` runs on it
unchanged. It has a ``memory_limit`` and a private ``temp_directory``: a query larger than the limit spills to
disk instead of growing (DuckDB's out-of-core operators), so memory does not grow with the data.

Limits come from :class:`Limits` (``memory_limit``, ``temp_directory``, ``threads``), by default from the
environment (``PRIVACYLIFT_DUCKDB_MEMORY``, e.g. ``"4GB"``; ``PRIVACYLIFT_DUCKDB_TEMP``, a directory under which a
private sub-directory is made; ``PRIVACYLIFT_DUCKDB_THREADS``), else :data:`DEFAULT_MEMORY_LIMIT` and a private
directory under the system's temporary directory. Spilled blocks hold pseudonymized rows only (ingest never
spills raw values); the private directory (mode 0700) is removed when the workspace is closed.

:class:`Table` names a table or view of a workspace; the risk engine measures it in place (the exposed data of
a scenario, the stored customers of the ``risk`` command).

Example
-------
>>> ws = Workspace.open("crm.duckdb", Limits(memory_limit="500MB"))   # doctest: +SKIP
>>> with ws.cursor() as con:                                          # doctest: +SKIP
...     run_scalar(con, "SELECT count(*) FROM crm_customers")
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

from analysis.store._gateway import env_threads, execute, memory, quote_ident, run, run_scalar

__all__ = ["DEFAULT_MEMORY_LIMIT", "Limits", "Table", "Workspace", "apply_limits"]

#: PrivacyLift assumption (engineering): DuckDB may hold 1.5 GB in memory before it spills to disk; with the
#: rest of a process (models, the sample) this keeps a 10M-customer sweep under a few GB. Override with
#: ``PRIVACYLIFT_DUCKDB_MEMORY`` or :class:`Limits`.
DEFAULT_MEMORY_LIMIT = "1.5GB"
ENV_MEMORY = "PRIVACYLIFT_DUCKDB_MEMORY"
ENV_TEMP = "PRIVACYLIFT_DUCKDB_TEMP"
ATTACHED = "pl_crm"
#: workspace objects are named with this prefix (dataset names may not start with ``_pl_``)
PREFIX = "_pl_w_"


@dataclass(frozen=True)
class Limits:
    """How much memory DuckDB may use before spilling, where it spills, and with how many threads.

    ``None`` takes the environment variable, else the default (see the module docstring).
    """

    memory_limit: str | None = None
    temp_directory: str | None = None
    threads: int | None = None

    def resolved(self) -> "Limits":
        threads = self.threads
        if threads is None:
            threads = env_threads()
        return replace(
            self,
            memory_limit=self.memory_limit or os.environ.get(ENV_MEMORY) or DEFAULT_MEMORY_LIMIT,
            temp_directory=self.temp_directory or os.environ.get(ENV_TEMP) or None,
            threads=threads,
        )


def _private_directory(parent: str | None) -> Path:
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="privacylift-duckdb-", dir=parent))  # mode 0700


def apply_limits(con: duckdb.DuckDBPyConnection, limits: Limits, temp_directory: Path) -> None:
    """``memory_limit``, ``temp_directory`` and ``threads`` on a connection (values bound, never spliced)."""
    execute(con, "SET memory_limit = ?", [limits.memory_limit])
    execute(con, "SET temp_directory = ?", [str(temp_directory)])
    if limits.threads:
        execute(con, "SET threads = ?", [int(limits.threads)])


@dataclass(frozen=True, eq=False)
class Table:
    """A table or view of a :class:`Workspace`, measured in place by :mod:`analysis.risk`.

    ``columns`` maps each column to its DuckDB type name.
    """

    workspace: "Workspace"
    name: str
    columns: dict

    def __repr__(self) -> str:
        return f"Table({self.name!r}, {len(self.columns)} columns)"

    @property
    def height(self) -> int:
        """Rows (counted once)."""
        return self.workspace.count(self.name)

    def is_numeric(self, column: str) -> bool:
        kind = self.columns[column].upper()
        return any(kind.startswith(t) for t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                                                 "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL",
                                                 "REAL"))

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.workspace.cursor() as con:
            yield con


class Workspace:
    """An in-memory DuckDB database with limits, the store attached read-only, and views of its tables.

    Safe to share between threads: every use takes its own cursor (:meth:`cursor`).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, temp_directory: Path, limits: Limits):
        self._con = con
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self.temp_directory = temp_directory
        self.limits = limits
        self._finalizer = weakref.finalize(self, Workspace._release, con, temp_directory)

    # ---- opening -----------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, limits: Limits | None = None) -> "Workspace":
        """The store file ``path`` attached read-only, with a view per stored table."""
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"Database {p} does not exist: ingest data or generate the demo first.")
        ws = cls._empty(limits)
        with ws.cursor() as con:
            execute(con, f"ATTACH ? AS {ATTACHED} (READ_ONLY)", [str(p)])
            names = run(con, "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [ATTACHED])
            for name in names["table_name"].to_list():
                # quote_ident results only
                execute(con, f"CREATE VIEW memory.main.{quote_ident(name)} AS "
                             f"SELECT * FROM {ATTACHED}.main.{quote_ident(name)}")
        return ws

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame], limits: Limits | None = None) -> "Workspace":
        """A workspace holding in-memory frames as tables (a CRM that was never stored)."""
        ws = cls._empty(limits)
        with ws.cursor() as con:
            for name, frame in frames.items():
                con.register("_pl_w_incoming", frame)
                try:
                    execute(con, f"CREATE TABLE {quote_ident(name)} AS SELECT * FROM _pl_w_incoming")
                finally:
                    con.unregister("_pl_w_incoming")
        return ws

    @classmethod
    def _empty(cls, limits: Limits | None) -> "Workspace":
        limits = (limits or Limits()).resolved()
        directory = _private_directory(limits.temp_directory)
        con = memory()
        try:
            apply_limits(con, limits, directory)
        except BaseException:
            con.close()
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return cls(con, directory, limits)

    @staticmethod
    def _release(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
        try:
            con.close()
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    # ---- use ---------------------------------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own (DuckDB connections are not shared between threads)."""
        if self.closed:
            raise RuntimeError("This workspace is closed.")
        with self._lock:
            con = self._con.cursor()
        try:
            yield con
        finally:
            con.close()

    def unique_name(self, stem: str) -> str:
        return f"{PREFIX}{stem}_{uuid.uuid4().hex[:10]}"

    def table(self, name: str) -> Table:
        """A :class:`Table` of an existing table or view, with its column types."""
        with self.cursor() as con:
            described = run(con, f"DESCRIBE {quote_ident(name)}")  # quote_ident result only
        return Table(self, name, dict(zip(described["column_name"], described["column_type"])))

    def count(self, name: str) -> int:
        if name not in self._counts:
            with self.cursor() as con:
                self._counts[name] = int(run_scalar(con, f"SELECT count(*) FROM {quote_ident(name)}"))
        return self._counts[name]

    def drop(self, name: str) -> None:
        """Drop a workspace view or table (names made by :meth:`unique_name` only)."""
        if not name.startswith(PREFIX):
            raise ValueError(f"Only workspace objects (named {PREFIX}…) can be dropped; got {name!r}.")
        self._counts.pop(name, None)
        with self.cursor() as con:
            kind = run_scalar(con, "SELECT table_type FROM information_schema.tables WHERE table_name = ? "
                                   "AND table_catalog = 'memory'", [name])
            if kind == "VIEW":
                execute(con, f"DROP VIEW IF EXISTS {quote_ident(name)}")
            elif kind is not None:
                execute(con, f"DROP TABLE IF EXISTS {quote_ident(name)}")

    def spilled_bytes(self) -> int:
        """Bytes in DuckDB's temporary files right now (evidence that a query spilled)."""
        with self.cursor() as con:
            return int(run_scalar(con, "SELECT coalesce(sum(size), 0) FROM duckdb_temporary_files()") or 0)
