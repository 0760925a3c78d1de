"""The risk engine's aggregates computed inside a warehouse (Ibis expressions, run by PostgreSQL or Spark).

:class:`RemoteTable` stands where the risk engine takes a workspace :class:`~analysis.store.Table`: the functions
of :mod:`analysis.store._risk` hand their work to :class:`RemoteQueries` when given one, so
:func:`analysis.risk.profile.risk_profile` measures a warehouse table with the same code that measures the
store. What comes back is what the DuckDB path reads too: counts per value, the class-size distribution, and per
class its size and the count of each sensitive value — never a quasi-identifier value, a key or a row.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import polars as pl

from analysis.store._workspace import Table

__all__ = ["RemoteQueries", "RemoteTable"]

#: classes read from the engine at a time (Arrow record batches)
CHUNK_ROWS = 262_144
_NUMERIC = ("int", "uint", "float", "decimal")


def _duckdb_type(dtype) -> str:
    """The DuckDB type name the risk engine reads (:meth:`Table.is_numeric`) for an Ibis type."""
    if dtype.is_boolean():
        return "BOOLEAN"
    if dtype.is_integer():
        return "BIGINT"
    if dtype.is_floating() or dtype.is_decimal():
        return "DOUBLE"
    if dtype.is_timestamp():
        return "TIMESTAMP"
    if dtype.is_date():
        return "DATE"
    return "VARCHAR"


@dataclass(frozen=True, eq=False)
class RemoteTable(Table):
    """A relation of a warehouse (an Ibis expression), measured in place by :mod:`analysis.risk`."""

    queries: Any = field(default=None, repr=False)
    expr: Any = field(default=None, repr=False)

    @classmethod
    def of(cls, queries: "RemoteQueries", name: str, expr) -> "RemoteTable":
        columns = {c: _duckdb_type(t) for c, t in expr.schema().items()}
        return cls(workspace=None, name=name, columns=columns, queries=queries, expr=expr)

    @property
    def height(self) -> int:
        return self.queries.count(self)

    @contextmanager
    def cursor(self) -> Iterator["_Bound"]:
        yield _Bound(self.queries, self)


class _Bound:
    """The warehouse's queries with the table a risk function names by its view name (``current``)."""

    def __init__(self, queries: "RemoteQueries", table: RemoteTable):
        self._queries, self._table = queries, table

    def current(self, view: str) -> RemoteTable:
        if view != self._table.name:
            raise ValueError(f"Only {self._table.name!r} is measured on this warehouse cursor; got {view!r}.")
        return self._table

    def __getattr__(self, name: str):
        return getattr(self._queries, name)


def _kept(t: RemoteTable, suppressed: str | None):
    e = t.expr
    return e if suppressed is None else e.filter(~e[suppressed].fill_null(False))


def _any_null(e, quasi: Sequence[str]):
    flag = e[quasi[0]].isnull()
    for q in quasi[1:]:
        flag = flag | e[q].isnull()
    return flag


class RemoteQueries:
    """Runs the risk engine's aggregates on a warehouse and records what each pulled (``log(what, rows)``)."""

    def __init__(self, execute, log):
        self._execute = execute  # expr -> polars frame (and the record of what was pulled)
        self._batches = None
        self._log = log
        self._counts: dict[int, int] = {}

    def set_batches(self, batches) -> None:
        self._batches = batches  # expr, rows -> iterator of polars frames

    def count(self, t: RemoteTable) -> int:
        if id(t) not in self._counts:
            self._counts[id(t)] = int(self._execute(t.expr.aggregate(n=t.expr.count()), f"rows of {t.name}")["n"][0])
        return self._counts[id(t)]

    def count_true(self, t: RemoteTable, column: str) -> int:
        e = t.expr
        frame = self._execute(e.aggregate(n=e.count(where=e[column].fill_null(False))), f"{column}: count true")
        return int(frame["n"][0] or 0)

    def value_counts(self, t: RemoteTable, column: str, *, suppressed: str | None = None) -> pl.DataFrame:
        """``value, n`` sorted as DuckDB sorts them (by value, NULL last), sorted here so every engine agrees."""
        e = _kept(t, suppressed)
        frame = self._execute(e.group_by(value=e[column]).aggregate(n=e.count()), f"{column}: counts per value")
        order = sorted(range(frame.height), key=lambda i: (frame["value"][i] is None, frame["value"][i]))
        return frame[order]

    def class_size_distribution(self, t: RemoteTable, quasi: Sequence[str], *,
                                suppressed: str | None = None) -> pl.DataFrame:
        e = _kept(t, suppressed)
        cls = e.group_by(list(quasi)).aggregate(f=e.count(), has_null=_any_null(e, quasi).any())
        dist = cls.group_by(class_size=cls.f).aggregate(
            classes=cls.count(), records=cls.f.sum().cast("int64"),
            null_classes=cls.count(where=cls.has_null)).order_by("class_size")
        return self._execute(dist, "class-size distribution")

    def _class_table(self, t: RemoteTable, quasi, columns, suppressed, with_null_flag: bool, ordered: bool):
        e = _kept(t, suppressed)
        aggs: dict[str, Any] = {"f": e.count()}
        if with_null_flag:
            aggs["has_null"] = _any_null(e, quasi).any()
        i = 0
        for column, values in columns:
            for value in values:
                aggs[f"c{i}"] = e.count(where=e[column].isnull() if value is None else e[column] == value)
                i += 1
        out = e.group_by(list(quasi)).aggregate(**aggs)
        if ordered:  # several batches line up class by class (quasi values order the classes, then are dropped)
            out = out.order_by([out[q].asc(nulls_first=False) for q in quasi])
        return out.select(list(aggs))

    def class_table(self, t: RemoteTable, quasi, columns, *, suppressed=None, with_null_flag=True,
                    ordered=False) -> pl.DataFrame:
        return self._execute(self._class_table(t, quasi, columns, suppressed, with_null_flag, ordered),
                             "per class: its size and the count of each sensitive value")

    def class_table_chunks(self, t: RemoteTable, quasi, columns, *, suppressed=None,
                           with_null_flag=True) -> Iterator[pl.DataFrame]:
        expr = self._class_table(t, quasi, columns, suppressed, with_null_flag, False)
        alike = expr.group_by(list(expr.columns)).aggregate(classes=expr.count())  # see store._risk
        yield from self._batches(alike, "classes alike: their size, the count of each sensitive value, how many",
                                 CHUNK_ROWS)
