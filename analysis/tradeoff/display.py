"""The trade-off table as people see it, derived from the column registry (:mod:`.columns`): tables headed by
each column's heading and written by its formatter, the CSV export, the number formats of the app's
sortable tables, and the metric tiles (label, figure, change against a baseline, help).

>>> import polars as pl
>>> t = pl.DataFrame({"name": ["A", "B"], "net_value": [1.2e6, -12_400.0], "customers_held": [3, 1200]})
>>> display_table(t, ["name", "net_value", "customers_held"]).rows()
[('A', '$1.2M', '<5'), ('B', '−$12.4K', '1,200')]
>>> export_table(t).columns
['Scenario', 'Customers held', 'Net value over the horizon (USD)']
>>> export_table(t)["Customers held"].to_list()
['<5', '1200']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import polars as pl

from analysis.formatting import SMALL_CELL, is_small
from analysis.tradeoff.columns import COLUMNS, column

__all__ = ["display_table", "export_table", "headings", "cells", "interval", "INTERVAL", "sheet_formats", "Tile",
           "tiles"]

#: the header of a cell that joins a figure's two interval bounds (:func:`interval`)
INTERVAL = "95 % interval"


def _present(table: pl.DataFrame, keys: Sequence[str] | None) -> list[str]:
    keys = list(COLUMNS) if keys is None else [column(k).key for k in keys]
    return [k for k in keys if k in table.columns]


def headings(keys: Sequence[str]) -> list[str]:
    """The headings of ``keys`` (a table's header row)."""
    return [column(k).heading for k in keys]


def cells(row: dict[str, Any], keys: Sequence[str]) -> list[str]:
    """One row of the table (a dict by key) written by each column's formatter."""
    return [column(k).format(row.get(k)) for k in keys]


def interval(row: dict[str, Any], low: str, high: str) -> str:
    """"low to high" of a row's interval, each bound written by its column's formatter ("—" without one)."""
    if row.get(low) is None and row.get(high) is None:
        return "—"
    return f"{column(low).format(row.get(low))} to {column(high).format(row.get(high))}"


def display_table(table: pl.DataFrame, keys: Sequence[str] | None = None, *, formatted: bool = True) -> pl.DataFrame:
    """The ``keys`` columns of ``table`` that it has (every declared one by default), in that order, headed by
    their headings. ``formatted``: every cell written for people (small cells of counts as <5); otherwise the
    numbers stay numbers (for a table people sort; see :func:`sheet_formats`) and lists are comma-joined."""
    present = _present(table, keys)
    if formatted:
        return pl.DataFrame({column(k).heading: [column(k).format(v) for v in table[k].to_list()]
                             for k in present}, schema={column(k).heading: pl.String for k in present})
    out = table.select(present)
    lists = [k for k in present if isinstance(out.schema[k], pl.List)]
    if lists:
        out = out.with_columns(pl.col(k).list.join(", ") for k in lists)
    return out.rename({k: column(k).heading for k in present})


def export_table(table: pl.DataFrame, keys: Sequence[str] | None = None) -> pl.DataFrame:
    """What the CSV export holds: the header is each column's heading (label and unit), numbers stay numbers
    except a count of customers with a small cell, which is written <5 in that column, and lists are joined."""
    present = _present(table, keys)
    counts = [k for k in present if COLUMNS[k].kind == "count" and any(is_small(v) for v in table[k].to_list())]
    out = table.with_columns(
        pl.when((pl.col(k) > 0) & (pl.col(k) < SMALL_CELL))
        .then(pl.lit(f"<{SMALL_CELL}")).otherwise(pl.col(k).cast(pl.String)).alias(k) for k in counts)
    return display_table(out, present, formatted=False)


def sheet_formats(keys: Sequence[str]) -> dict[str, str]:
    """Heading → number format (``"dollar"``, ``"percent"``, ``"%.1f"``…) of each numeric column of ``keys``,
    for a sortable table (Streamlit's ``NumberColumn(format=...)``)."""
    return {column(k).heading: column(k).sheet_format for k in keys if column(k).sheet_format is not None}


#: the minus of a delta string: ASCII, because ``st.metric`` reads a leading "-" (not U+2212) as a fall
DELTA_MINUS = "-"


@dataclass(frozen=True)
class Tile:
    """A metric tile: the column's title, its figure, the change against a baseline, and its help."""

    key: str
    label: str
    value: str
    #: the change as text whose sign ``st.metric`` reads ("+3.2", "-628", "-$12.4K"); None when unchanged
    delta: str | None
    #: "inverse" when lower is better (a fall shows green), else "normal"
    delta_color: str
    help: str
    #: the change as a number (None when unchanged)
    difference: float | None = None


def _delta(key: str, difference: float) -> str | None:
    c = column(key)
    size = c.format(abs(difference)).lstrip("-−")
    if size in (c.format(0.0), "$0"):
        return None
    size = size.replace(" %", " pts") if c.kind == "percent" else size
    return ("+" if difference > 0 else DELTA_MINUS) + size


def tiles(table: pl.DataFrame, name: str, keys: Sequence[str], *, baseline: str | None = None) -> list[Tile]:
    """The tiles of scenario ``name`` for ``keys``, each with its change against scenario ``baseline``."""
    rows = {r["name"]: r for r in table.to_dicts()}
    row, base = rows[name], rows.get(baseline) if baseline is not None else None
    out = []
    for key in keys:
        c = column(key)
        value, delta, difference = row.get(key), None, None
        if base is not None and name != baseline and value is not None and base.get(key) is not None:
            difference = float(value) - float(base[key])
            delta = _delta(key, difference)
            difference = None if delta is None else difference
        out.append(Tile(key, c.title, c.format(value), delta, "inverse" if c.lower_is_better else "normal",
                        c.help, difference))
    return out
