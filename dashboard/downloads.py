"""Download buttons for a figure: its data as CSV (formula-injection safe) and the chart as HTML / PNG.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (OWASP, "CSV Injection"). :func:`neutralize` prefixes such text with a single quote; numbers are
left as numbers.

Example
-------
>>> neutralize("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralize(-3.5)
-3.5
>>> safe_csv(pl.DataFrame({"name": ["@risk", "ok"], "value": [1.0, -2.0]})).decode().splitlines()
['name,value', "'@risk,1.0", 'ok,-2.0']
"""

from __future__ import annotations

import re
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from analysis.charts import chart_data, to_png

#: first characters that make a spreadsheet treat a cell as a formula
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """A text cell starting with a formula character gets a leading single quote; other values unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column (and column name) neutralized; numeric columns untouched."""
    renamed = {c: neutralize(c) for c in frame.columns if neutralize(c) != c}
    if renamed:
        frame = frame.rename(renamed)
    text = [c for c, t in frame.schema.items() if t in (pl.String, pl.Categorical) or t == pl.Enum]
    pattern = "^[" + re.escape("".join(DANGEROUS_START)) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(pattern))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text
    )


def safe_csv(frame: pl.DataFrame) -> bytes:
    """CSV bytes of ``frame`` with formula-injection-safe text cells."""
    return safe_frame(frame).write_csv().encode("utf-8")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "chart"


def figure_downloads(fig: go.Figure, *, key: str, name: str) -> None:
    """Three small buttons under a chart: its data (CSV), the chart (HTML, works offline) and a PNG.

    Files are built only when clicked (deferred data), so the page stays light.
    """
    slug = _slug(name)
    columns = st.columns(3, gap="small")
    columns[0].download_button("Data (CSV)", data=lambda: safe_csv(chart_data(fig)), file_name=f"{slug}.csv",
                               mime="text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/table:")
    columns[1].download_button("Chart (HTML)", data=lambda: fig.to_html(include_plotlyjs=True, full_html=True),
                               file_name=f"{slug}.html", mime="text/html", key=f"{key}_html",
                               on_click="ignore", icon=":material/download:")
    columns[2].download_button("Chart (PNG)", data=lambda: to_png(fig, width=1100, height=int(fig.layout.height or 620)),
                               file_name=f"{slug}.png", mime="image/png", key=f"{key}_png",
                               on_click="ignore", icon=":material/image:")


def chart(fig: go.Figure, *, key: str, name: str) -> None:
    """Draw a figure (Streamlit theme: follows light and dark) with its download buttons."""
    st.plotly_chart(fig, key=key, config={"displaylogo": False})
    figure_downloads(fig, key=key, name=name)
