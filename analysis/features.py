"""The model's features: which columns a scenario lets the model learn from, and its matrices.

:func:`_feature_columns` and :func:`_uses_events` say what a :class:`~analysis.Scenario` keeps (roles,
categories and columns it excludes; event history); :func:`_matrix` builds the model matrix with every feature
scaled into [0, 1] (numbers by the dictionary's bounds, categories one-hot, event counts and totals on a log
scale), so differentially private training never reads bounds or categories from the data;
:func:`_binary_outcome` is the 0/1 outcome. Used by :func:`analysis.minimize.prepare`.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from analysis.dictionary import NUMERIC_TYPES, ColumnSpec
from analysis.scenario import FEATURE_ROLES, Scenario
from analysis.schema import CRMSchema
from analysis.store._features import COUNT_CAP

__all__ = ["MAX_HISTORY_DAYS", "MAX_LEVELS_ONE_HOT"]

#: Longest history assumed when scaling recency (10 years): a domain cap, not read from data.
MAX_HISTORY_DAYS = 3650
MAX_LEVELS_ONE_HOT = 30


def _feature_columns(spec: Scenario, schema: CRMSchema) -> list[ColumnSpec]:
    cols = []
    for c in schema.columns:
        if c.role not in FEATURE_ROLES:
            continue
        if c.role in spec.exclude_roles or (c.category and c.category in spec.exclude_categories):
            continue
        if c.name in spec.exclude_columns:
            continue
        cols.append(c)
    return cols


def _uses_events(spec: Scenario, schema: CRMSchema) -> bool:
    return (
        spec.use_events
        and schema.has_events
        and "behavioral" not in spec.exclude_roles
        and "behavioral" not in spec.exclude_categories
    )


def _scale_event_feature(name: str, values: pl.Series, window: int | None) -> np.ndarray:
    x = values.cast(pl.Float64).fill_null(0).to_numpy()
    if name == "recency_days":
        cap = float(window or MAX_HISTORY_DAYS)
        return np.clip(x, 0, cap) / cap
    if name.endswith("_total"):
        return np.log1p(np.clip(x, 0, None)) / math.log1p(1e6)  # amounts capped at 1,000,000 per window
    return np.log1p(np.clip(x, 0, COUNT_CAP)) / math.log1p(COUNT_CAP)


def _levels_by_frequency(values: pl.Series) -> list:
    """Distinct non-null values, most frequent first; ties in order of first appearance (rows are sorted by
    key), so the one-hot columns and the cut at MAX_LEVELS_ONE_HOT never rest on an unspecified tie order."""
    frame = pl.DataFrame({"v": values}).with_row_index("i").drop_nulls("v")
    counts = frame.group_by("v").agg(pl.len().alias("n"), pl.col("i").min().alias("first"))
    return counts.sort(["n", "first"], descending=[True, False])["v"].to_list()


def _matrix(
    frame: pl.DataFrame,
    columns: list[ColumnSpec],
    event_cols: list[str],
    train_mask: np.ndarray,
    *,
    dp: bool,
    window: int | None,
    notes: list[str],
) -> tuple[np.ndarray, list[str]]:
    parts: list[np.ndarray] = []
    names: list[str] = []
    for c in columns:
        s = frame[c.name]
        if c.type in NUMERIC_TYPES:
            if c.bounds is not None:
                lo, hi = c.bounds
            elif dp:
                notes.append(f"{c.name}: left out of the DP model (no bounds in the dictionary)")
                continue
            else:
                vals = s.cast(pl.Float64).drop_nulls()
                lo, hi = (float(vals.min()), float(vals.max())) if vals.len() else (0.0, 1.0)
                hi = hi if hi > lo else lo + 1.0
            x = s.cast(pl.Float64).fill_null((lo + hi) / 2).to_numpy()
            parts.append(((np.clip(x, lo, hi) - lo) / (hi - lo))[:, None])
            names.append(c.name)
        elif c.type == "boolean":
            parts.append(s.cast(pl.Boolean).fill_null(False).cast(pl.Float64).to_numpy()[:, None])
            names.append(c.name)
        else:
            st = s.cast(pl.String)
            if dp:  # the one-hot levels of a DP model come from the dictionary, never from the data
                levels = list(c.domain)
                if not levels:
                    notes.append(f"{c.name}: left out of the DP model (no declared values in the dictionary; "
                                 "categories read from the data would reveal rare ones outside the privacy budget)")
                    continue
            else:
                levels = list(c.order) or _levels_by_frequency(st.filter(pl.Series(train_mask)))
            levels = levels[:MAX_LEVELS_ONE_HOT]
            arr = st.to_numpy()
            for v in levels:
                parts.append((arr == v).astype(float)[:, None])
                names.append(f"{c.name}={v}")
    for e in event_cols:
        parts.append(_scale_event_feature(e, frame[e], window)[:, None])
        names.append(e)
    if not parts:
        return np.zeros((frame.height, 0)), names
    return np.hstack(parts), names


def _declared_event_columns(event_cols: list[str], schema: CRMSchema, notes: list[str]) -> list[str]:
    """For DP: event counts per category value (``channel=web``) only for columns with declared values."""
    undeclared = [c.name for c in (schema.events.columns if schema.events else ())
                  if c.role == "behavioral" and c.type in ("category", None) and not c.domain]
    kept = [e for e in event_cols if not any(e.startswith(f"{u}=") for u in undeclared)]
    for u in undeclared:
        if any(e.startswith(f"{u}=") for e in event_cols):
            notes.append(f"{u}: event counts per value left out of the DP model (no declared values in the dictionary)")
    return kept


def _binary_outcome(frame: pl.DataFrame, c: ColumnSpec) -> np.ndarray:
    s = frame[c.name]
    if s.dtype == pl.Boolean:
        return s.fill_null(False).cast(pl.Int8).to_numpy()
    if c.positive is not None:
        return (s.cast(pl.String).str.to_lowercase() == c.positive.lower()).fill_null(False).cast(pl.Int8).to_numpy()
    return (s.cast(pl.Float64).fill_null(0) > 0).cast(pl.Int8).to_numpy()
