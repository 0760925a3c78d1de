"""The CRM as the analysis stages read it: the customer view, the ground truth of synthetic data and the
event features per retention window, loaded once from a :class:`~analysis.store.Store` and shared by many
scenarios (pseudonymized; in memory only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from analysis.schema import CRMSchema

__all__ = ["CRMData", "load_crm"]


@dataclass
class CRMData:
    """The CRM loaded once for many scenarios (pseudonymized; lives in memory only)."""

    schema: CRMSchema
    customers: pl.DataFrame
    fingerprint: str
    ground_truth: pl.DataFrame | None = None
    _event_loader: Any = field(default=None, repr=False)
    _events: dict = field(default_factory=dict, repr=False)
    _points_loader: Any = field(default=None, repr=False)
    _points: dict = field(default_factory=dict, repr=False)

    @property
    def n_customers(self) -> int:
        return self.customers.height

    def event_features(self, window_days: int | None) -> pl.DataFrame:
        if window_days not in self._events:
            if self._event_loader is None:
                self._events[window_days] = pl.DataFrame({self.schema.key: []})
            else:
                self._events[window_days] = self._event_loader(window_days)
        return self._events[window_days]

    def event_points(self, window_days: int | None) -> pl.DataFrame | None:
        """(key, day, point) of each event in the window; None without events."""
        if self._points_loader is None:
            return None
        if window_days not in self._points:
            self._points[window_days] = self._points_loader(window_days)
        return self._points[window_days]


def load_crm(store) -> CRMData:
    """Read the customer view (and ground truth, if the data is synthetic) from a :class:`Store`."""
    schema = store.schema()
    customers = store.customers(schema)
    loader = points = None
    if schema.has_events:
        loader = lambda w: store.event_features(window_days=w, schema=schema)  # noqa: E731
        points = lambda w: store.event_points(window_days=w, schema=schema)  # noqa: E731
    return CRMData(
        schema=schema,
        customers=customers,
        fingerprint=store.fingerprint(),
        ground_truth=store.ground_truth(),
        _event_loader=loader,
        _points_loader=points,
    )
