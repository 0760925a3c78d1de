"""A CRM in a warehouse (PostgreSQL or Spark) as the analysis stages read it: :class:`WarehouseCRM`.

It is a :class:`~analysis.data.CRMData` whose customers are the **minimized sample** the engine computed
(:meth:`analysis.store._remote.Warehouse.pull_sample`: features, treatment, outcome — no key, no identifier), whose
event features per retention window and behavioural-uniqueness counts are computed by the engine for those
customers, and whose consent rates are counted by the engine over every customer. A CRM of at most
``sample_size`` customers (:data:`analysis.sampling.DEFAULT_SAMPLE_SIZE`) is pulled whole (minimized) and gives
the figures the DuckDB store gives; a larger one is modelled on a stratified sample of that size, and its
scenario exposure is then measured on that sample (the ``risk`` command measures every customer in the engine).

Example
-------
>>> from analysis.dictionary import load_dictionary                            # doctest: +SKIP
>>> wh = open_source("spark", [load_dictionary(p) for p in ("customers.toml", "events.toml")])  # doctest: +SKIP
>>> crm = WarehouseCRM(wh)                                                     # doctest: +SKIP
"""

from __future__ import annotations

from typing import Sequence

import polars as pl

from analysis.data import CRMData
from analysis.dictionary import Dictionary
from analysis.formatting import count
from analysis.sampling import DEFAULT_SAMPLE_SIZE
from analysis.store._remote import Warehouse, describe, is_warehouse

__all__ = ["WarehouseCRM", "describe", "is_warehouse", "open_source"]


def open_source(source: str, dictionaries: Sequence[Dictionary], *, spark_master: str | None = None) -> Warehouse:
    """Open a warehouse source read-only (``postgresql://…`` or ``spark``) described by ``dictionaries``."""
    return Warehouse.open(source, dictionaries, spark_master=spark_master)


class WarehouseCRM(CRMData):
    """A warehouse CRM for the scenario stages (see the module docstring)."""

    def __init__(self, warehouse: Warehouse, *, sample_size: int | None = DEFAULT_SAMPLE_SIZE, seed: int = 0):
        schema = warehouse.schema()
        super().__init__(schema, fingerprint=warehouse.fingerprint())
        self.warehouse = warehouse
        self.population = warehouse.count_customers(schema)
        self.sample_seed = int(seed)
        self._numbered = warehouse.sample_keys(schema, sample_size, seed, self.population)
        self._customers = warehouse.pull_sample(self._numbered, schema)
        self._n_customers = self._customers.height
        self._ground_truth = warehouse.pull_ground_truth(self._numbered, schema)
        self._ground_truth_loaded = True
        self._as_of = None
        self._values = None

    def __repr__(self) -> str:
        return f"WarehouseCRM({self.warehouse.description}, {self.n_customers:,} of {self.population:,} customers)"

    @property
    def sampled(self) -> bool:
        return self.n_customers < self.population

    def note(self) -> str:
        """What was pulled, in words (the scenario figures say where they come from)."""
        total = self.warehouse.pulled_rows()
        base = (f"Measured in {self.warehouse.description}: {count(total)} rows left the engine — aggregates and a "
                f"minimized sample of {count(self.n_customers)} customers (features, treatment, outcome, event "
                "features; no key, no identifier).")
        if self.sampled:
            base += (f" The CRM has {count(self.population)} customers: scenario figures, their exposure included, "
                     "are estimated on the sample; consent rates are counted over everyone.")
        return base

    # ---- what CRMData reads from a store, here from the engine -------------------------------------------
    def column_summary(self, column: str) -> tuple[int, float | None]:
        """Counted by the engine over every customer (not only the sample)."""
        return self.warehouse.column_summary(column, self.schema)

    def _event_context(self):
        if self._as_of is None:
            cats, _ = self.event_columns()
            self._as_of = self.warehouse.events_as_of(self.schema)
            self._values = self.warehouse.category_values(self.schema, cats)
        return self._as_of, self._values

    def _load_event_features(self, window_days: int | None, source: str | None) -> pl.DataFrame:
        if self.schema.events is None:
            return pl.DataFrame({self.schema.key: []})
        as_of, values = self._event_context()
        if as_of is None:
            return pl.DataFrame({self.schema.key: []})
        cats, amounts = self.event_columns()
        return self.warehouse.event_features(self._numbered, self.schema, window_days, as_of=as_of, values=values,
                                             categories=cats, amounts=amounts)

    def trace_counts(self, held_keys: pl.Series, window_days: int | None, *, points: int, seed: int,
                     max_customers: int) -> dict | None:
        """Behavioural uniqueness of the held customers (their ``row`` ids), counted by the engine."""
        column = self.point_column()
        if column is None or self.schema.events is None:
            return None
        as_of, _ = self._event_context()
        if as_of is None:
            return None
        return self.warehouse.trace_uniqueness(self._numbered, self.schema, held_keys.to_list(), window_days,
                                               as_of=as_of, column=column, points=points, seed=seed,
                                               max_customers=max_customers)

    @property
    def workspace(self):
        raise RuntimeError("A warehouse CRM has no DuckDB workspace: its queries run in the warehouse.")

    def close(self) -> None:
        self.warehouse.close()
