"""`Store`: one DuckDB file holding a CRM (customers, events, campaign outcomes) and its dictionaries."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import duckdb
import polars as pl

from analysis.dictionary import Dictionary
from analysis.schema import CRMSchema, resolve_schema
from analysis.store import _features
from analysis.store._gateway import StoreError, connect, explain_duckdb_error

__all__ = ["Store"]


class Store:
    """A PrivacyLift database file.

    Every read opens a short read-only connection, so a long-lived ``Store`` (the app's) always sees the file
    an ingest has just atomically replaced, and several readers can share it.

    Parameters
    ----------
    path : str or Path
        The DuckDB file (created by the first ingest).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def connection(self, *, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(self.path, read_only=read_only)
        try:
            yield con
        except duckdb.IOException as exc:  # a damaged or truncated file shows only when a page is read
            raise StoreError(explain_duckdb_error(self.path, exc)) from None
        finally:
            con.close()

    @property
    def exists(self) -> bool:
        return self.path.exists()

    # ---- writing ---------------------------------------------------------------------------------------
    def ingest(self, dictionary: Dictionary, files: Sequence[str | Path], **options):
        """Validate and load files into the store, all or nothing (see :func:`analysis.store.ingest`)."""
        from analysis.store._ingest import ingest

        return ingest(self.path, dictionary, files, **options)

    def attach_ground_truth(self, frame: pl.DataFrame) -> None:
        """Store the synthetic generator's ground truth (used only to score scenarios, never as a feature).

        Only rows of customers the store holds are kept: a customer erased at ingest (or any key no customers
        dataset holds) never reaches this table either."""
        from analysis.store._catalog import list_datasets
        from analysis.store._ingest_env import check_environment, database_lock

        check_environment(self.path)
        with database_lock(self.path), self.connection(read_only=False) as con:
            keyed = [(d.name, d.key) for d in list_datasets(con) if d.entity == "customers" and d.key
                     and d.key in frame.columns and d.dictionary.column(d.key).role != "direct_identifier"]
            _features.store_ground_truth(con, frame, held_in=keyed)
            con.execute("CHECKPOINT")

    # ---- reading ---------------------------------------------------------------------------------------
    def datasets(self) -> list:
        from analysis.store._catalog import list_datasets

        with self.connection() as con:
            return list_datasets(con)

    def provenance(self) -> pl.DataFrame:
        from analysis.store._catalog import provenance

        with self.connection() as con:
            return provenance(con)

    def fingerprint(self) -> str:
        """A stable id of what is loaded (dictionaries, source file hashes, row counts)."""
        from analysis.store._catalog import data_fingerprint

        with self.connection() as con:
            return data_fingerprint(con)

    def schema(self) -> CRMSchema:
        return resolve_schema(self.datasets())

    def customers(self, schema: CRMSchema | None = None) -> pl.DataFrame:
        """Every stored customer-level column, joined on the key (pseudonymized identifiers only)."""
        schema = schema or self.schema()
        with self.connection() as con:
            return _features.customer_frame(con, schema.customer_tables)

    def workspace(self, limits=None):
        """A DuckDB :class:`~analysis.store.Workspace` on this file (memory limit, spills to disk)."""
        from analysis.store._workspace import Workspace

        return Workspace.open(self.path, limits)

    def customers_table(self, columns: Sequence[str] | None = None, *, schema: CRMSchema | None = None,
                        limits=None):
        """The stored customers as a :class:`~analysis.store.Table` measured in place (nothing row-level is
        read into Python): the key and ``columns`` (default: every customer-level column), only the datasets
        holding them joined. The table keeps its own workspace open while it is used."""
        schema = schema or self.schema()
        ws = self.workspace(limits)
        name = ws.unique_name("customers")
        with ws.cursor() as con:
            _features.create_view(con, name, _features.customers_select(schema.customer_tables, columns))
        return ws.table(name)

    def event_features(self, *, window_days: int | None = None, schema: CRMSchema | None = None) -> pl.DataFrame:
        """Behavioural features per customer from events of the last ``window_days`` (None: all history)."""
        schema = schema or self.schema()
        if schema.events is None:
            return pl.DataFrame({schema.key: []})
        ev = schema.events
        cats = [c.name for c in ev.columns if c.role == "behavioral" and c.type in ("category", "boolean")]
        amounts = [c.name for c in ev.columns if c.role == "behavioral" and c.type == "float"]
        with self.connection() as con:
            return _features.event_features(
                con,
                table=schema.events_table,
                key=ev.key,
                timestamp=ev.timestamp_column,
                category_columns=cats,
                amount_columns=amounts,
                window_days=window_days,
                category_values={c.name: ("false", "true") if c.type == "boolean" else c.domain
                                 for c in ev.columns if c.name in cats and (c.domain or c.type == "boolean")},
            )

    def ground_truth(self) -> pl.DataFrame | None:
        if not self.exists:
            return None
        with self.connection() as con:
            return _features.ground_truth_frame(con)
