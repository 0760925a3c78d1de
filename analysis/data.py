"""The CRM as the analysis stages read it, loaded once from a :class:`~analysis.store.Store` and shared by many
scenarios (pseudonymized; in memory only).

Nothing is read whole until it is asked for: :attr:`CRMData.customers` (the customer view, sorted by key) and
:attr:`CRMData.ground_truth` load on first use, and only for data small enough to be modelled whole (at most a
simulation's sample size, :mod:`analysis.sampling`). Larger data stays in DuckDB: counts run over every
customer in a :class:`~analysis.store.Workspace` (memory limit, spills to disk), and the model sees a stratified
sample (:meth:`CRMData.sample`).
"""

from __future__ import annotations

import threading
from typing import Any

import polars as pl

from analysis.schema import CRMSchema

__all__ = ["CRMData", "load_crm"]


class CRMData:
    """The CRM loaded once for many scenarios (pseudonymized; lives in memory only).

    Parameters
    ----------
    schema : CRMSchema
    customers : polars.DataFrame, optional
        The customer view, sorted by key; read from ``store`` on first use when not given.
    fingerprint : str
    ground_truth : polars.DataFrame, optional
        The synthetic generator's ground truth; read from ``store`` on first use when not given.
    store : Store, optional
        Where the data lives (a CRM built from frames has none: its workspace holds the frames).
    limits : analysis.store.Limits, optional
        DuckDB's memory limit and spill directory for the counts over every customer.
    """

    def __init__(self, schema: CRMSchema, customers: pl.DataFrame | None = None, fingerprint: str = "",
                 ground_truth: pl.DataFrame | None = None, *, store: Any = None, limits: Any = None):
        self.schema = schema
        self.fingerprint = fingerprint
        self.store = store
        self.limits = limits
        self._customers = customers
        self._ground_truth = ground_truth
        self._ground_truth_loaded = ground_truth is not None or store is None
        self._n_customers: int | None = None if customers is None else customers.height
        self._events: dict = {}
        self._workspace = None
        #: memoized pieces of the sampled path (samples, plans, exposure; see analysis.sampling), built under
        #: ``lock`` (the app's sessions share one CRMData between threads)
        self.memo: dict = {}
        self.lock = threading.RLock()

    def __repr__(self) -> str:
        return f"CRMData({self.n_customers:,} customers, fingerprint={self.fingerprint[:12]!r})"

    # ---- sizes and whole frames -----------------------------------------------------------------------
    @property
    def n_customers(self) -> int:
        if self._n_customers is None:
            from analysis.store import _features

            with self.workspace.cursor() as con:
                self._n_customers = _features.count_customers(con, self.schema.customer_tables)
        return self._n_customers

    @property
    def customers(self) -> pl.DataFrame:
        """Every customer-level column of every customer, sorted by key (read on first use)."""
        if self._customers is None:
            from analysis.store import _features

            with self.workspace.cursor() as con:
                self._customers = _features.customer_frame(con, self.schema.customer_tables)
            self._n_customers = self._customers.height
        return self._customers

    @property
    def customers_loaded(self) -> bool:
        return self._customers is not None

    @property
    def ground_truth(self) -> pl.DataFrame | None:
        """The synthetic generator's ground truth (never a feature), read on first use."""
        if not self._ground_truth_loaded:
            from analysis.store import _features

            with self.workspace.cursor() as con:
                self._ground_truth = _features.ground_truth_frame(con)
            self._ground_truth_loaded = True
        return self._ground_truth

    @property
    def has_ground_truth(self) -> bool:
        if self._ground_truth_loaded:
            return self._ground_truth is not None
        from analysis.store import _features

        with self.workspace.cursor() as con:
            return _features.table_exists(con, _features.GROUND_TRUTH_TABLE)

    # ---- DuckDB ---------------------------------------------------------------------------------------
    @property
    def workspace(self):
        """The DuckDB workspace of this CRM (opened on first use; see :class:`analysis.store.Workspace`)."""
        if self._workspace is None or self._workspace.closed:
            from analysis.store._workspace import Workspace

            if self.store is not None:
                self._workspace = Workspace.open(self.store.path, self.limits)
            else:
                tables = self.schema.customer_tables
                if len(tables) != 1 or self._customers is None:
                    raise ValueError("A CRM without a store needs its customers as one frame.")
                self._workspace = Workspace.from_frames({tables[0][0]: self._customers}, self.limits)
        return self._workspace

    def close(self) -> None:
        """Close the DuckDB workspace (it reopens if used again)."""
        if self._workspace is not None:
            self._workspace.close()

    # ---- events -----------------------------------------------------------------------------------------
    def event_features(self, window_days: int | None, *, source: str | None = None) -> pl.DataFrame:
        """Behavioural features per customer from the events of the last ``window_days`` (None: all history):
        of every customer, or of the customers whose events a workspace table ``source`` holds (a sample's;
        the as-of time and the category values are still those of every event)."""
        memo_key = (window_days, source)
        if memo_key not in self._events:
            self._events[memo_key] = self._load_event_features(window_days, source)
        return self._events[memo_key]

    def event_columns(self) -> tuple[list[str], list[str]]:
        """The behavioural event columns that become features: (categorical, amounts)."""
        ev = self.schema.events
        if ev is None:
            return [], []
        cats = [c.name for c in ev.columns if c.role == "behavioral" and c.type in ("category", "boolean")]
        amounts = [c.name for c in ev.columns if c.role == "behavioral" and c.type == "float"]
        return cats, amounts

    def _load_event_features(self, window_days: int | None, source: str | None) -> pl.DataFrame:
        ev = self.schema.events
        if ev is None or self.store is None:
            return pl.DataFrame({self.schema.key: []})
        from analysis.store import _features

        if source is None:  # every customer: as the store reads them
            return self.store.event_features(window_days=window_days, schema=self.schema)
        cats, amounts = self.event_columns()
        with self.workspace.cursor() as con:
            if "events_as_of" not in self.memo:
                self.memo["events_as_of"] = _features.events_as_of(con, self.schema.events_table,
                                                                   ev.timestamp_column)
            if "event_values" not in self.memo:
                self.memo["event_values"] = _features.category_values_of(con, self.schema.events_table, cats)
            return _features.event_features(
                con, table=source, key=ev.key, timestamp=ev.timestamp_column, category_columns=cats,
                amount_columns=amounts, window_days=window_days, as_of=self.memo["events_as_of"],
                category_values=self.memo["event_values"])

    def point_column(self) -> str | None:
        """The event column that describes a point of a trace (what was bought first), or None."""
        ev = self.schema.events
        if ev is None:
            return None
        cats = [c for c in ev.columns if c.role == "behavioral" and c.type in ("category", "text")]
        cats.sort(key=lambda c: c.category != "transactional")  # what was bought says most about a person
        return cats[0].name if cats else None

    # ---- aggregates ---------------------------------------------------------------------------------------
    def column_summary(self, column: str) -> tuple[int, float | None]:
        """``(non-null customers, mean)`` of a customer-level column (a consent flag: its rate), counted in
        DuckDB over every customer unless the customers are already in memory."""
        if self._customers is not None:
            values = self._customers[column].cast(pl.Float64)
            n = int(values.is_not_null().sum())
            return n, (float(values.mean()) if n else None)
        from analysis.store import _features

        with self.workspace.cursor() as con:
            return _features.column_summary(con, self.schema.customer_tables, column)


def load_crm(store, *, limits: Any = None) -> CRMData:
    """The CRM of a :class:`Store`: its schema and fingerprint now, everything else on first use."""
    return CRMData(schema=store.schema(), fingerprint=store.fingerprint(), store=store, limits=limits)
