"""Shared checks and plumbing of the risk engine: one message shape for bad arguments, one way to reach the
exposed data from DuckDB (a polars frame registered on an in-memory connection, or a
:class:`~analysis.store.Table` of a workspace measured in place), Wilson intervals (anonymeter)."""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import asdict
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import polars as pl

from analysis.errors import must_be
from analysis.store._gateway import memory
from analysis.store._workspace import Table

if TYPE_CHECKING:  # the store owns the connections; this module only passes them on
    import duckdb

VIEW = "exposed"


def bad(parameter: str, subject: str, expected: str, got: Any) -> ValueError:
    """The project's one message shape for a bad argument."""
    return ValueError(must_be(parameter, subject, expected, got))


def check_frame(frame: Any, subject: str) -> pl.DataFrame | Table:
    if not isinstance(frame, (pl.DataFrame, Table)):
        raise bad("frame", subject, "a polars DataFrame or a workspace Table", type(frame).__name__)
    if frame.height == 0:
        raise ValueError(f"{subject}: the data has no records (an empty table has no risk to measure).")
    return frame


def column_names(frame: pl.DataFrame | Table) -> list[str]:
    return list(frame.columns)


def is_numeric(frame: pl.DataFrame | Table, column: str) -> bool:
    if isinstance(frame, Table):
        return frame.is_numeric(column)
    return frame.schema[column].is_numeric()


def is_boolean(frame: pl.DataFrame | Table, column: str) -> bool:
    if isinstance(frame, Table):
        return frame.columns[column].upper() == "BOOLEAN"
    return frame.schema[column] == pl.Boolean


def check_columns(frame: pl.DataFrame, columns: Sequence[str], parameter: str, subject: str,
                  *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(columns, str) or not isinstance(columns, Sequence):
        raise bad(parameter, subject, "a sequence of column names", columns)
    names = tuple(columns)
    if not names and not allow_empty:
        raise bad(parameter, subject, "a non-empty sequence of column names", list(names))
    if len(set(names)) != len(names):
        raise bad(parameter, subject, "a sequence of distinct column names", list(names))
    for name in names:
        check_column(frame, name)
    return names


def check_column(frame: pl.DataFrame | Table, name: Any) -> str:
    if not isinstance(name, str) or name not in column_names(frame):
        available = ", ".join(repr(c) for c in column_names(frame))
        raise ValueError(f"Column {name!r} is not in the data. Available columns: {available}.")
    return name


def check_fraction(value: Any, parameter: str, subject: str, *, low_open: bool = True) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (0 < value <= 1 if low_open else 0 <= value <= 1)
    if not ok:
        raise bad(parameter, subject, "a float in (0, 1]" if low_open else "a float in [0, 1]", value)
    return float(value)


def check_confidence(value: Any, subject: str) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1
    if not ok:
        raise bad("confidence", subject, "a float in (0, 1)", value)
    return float(value)


def check_int(value: Any, parameter: str, subject: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise bad(parameter, subject, f"an int >= {minimum}", value)
    return value


@contextmanager
def registered(frame: pl.DataFrame | Table, columns: Sequence[str]) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """``(connection, view name)`` to query the data: a fresh in-memory connection with ``frame[columns]``
    registered as the view ``exposed``, or a cursor of the workspace a :class:`Table` lives in (measured in
    place: nothing row-level reaches Python)."""
    if isinstance(frame, Table):
        with frame.cursor() as con:
            yield con, frame.name
        return
    con = memory()
    try:
        con.register(VIEW, frame.select(list(dict.fromkeys(columns))))
        yield con, VIEW
    finally:
        con.close()


def wilson(successes: int, trials: int, confidence: float) -> tuple[float, float, float]:
    """Wilson score interval as anonymeter ``stats/confidence.py``: ``(centre, low, high)``.

    centre = (s + z²/2)/(n + z²); half-width = z/(n + z²)·√(s(n−s)/n + z²/4).
    """
    if trials <= 0:
        return float("nan"), 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    centre = (successes + z * z / 2) / (trials + z * z)
    half = z / (trials + z * z) * math.sqrt(successes * (trials - successes) / trials + z * z / 4)
    return centre, max(0.0, centre - half), min(1.0, centre + half)


def plain(obj: Any) -> dict:
    """``dataclasses.asdict`` with tuples turned into lists (JSON-ready)."""
    def fix(v: Any) -> Any:
        if isinstance(v, tuple):
            return [fix(x) for x in v]
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        return v
    return {k: fix(v) for k, v in asdict(obj).items()}


class Plain:
    """A mixin for the risk engine's result dataclasses: ``to_dict()`` is :func:`plain` of the result."""

    def to_dict(self) -> dict:
        return plain(self)
