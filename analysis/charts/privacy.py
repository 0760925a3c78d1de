"""Re-identification charts: which attributes drive risk, and how small the groups are."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from analysis.charts.style import (
    NEUTRAL_COLOR, PALETTE, RISK_COLOR, TOTAL_COLOR, check_frame, empty_figure, new_figure, note, round_sig,
)


def risk_by_quasi_chart(contrib: pl.DataFrame, *, percent: bool = True,
                        title: str | None = None) -> go.Figure:
    """Which attribute drives re-identification risk: how much risk drops if it is removed or generalized.

    Parameters
    ----------
    contrib : pl.DataFrame
        ``quasi`` (attribute name), ``drop_if_removed``; optional ``drop_if_generalized``. Drops are
        differences of a risk measured as a share (0–1); a null ``drop_if_generalized`` (no
        generalization known for that attribute) draws no bar.
    percent : bool
        Show the drops as percentage points (× 100). Set False when they are already in points.

    Examples
    --------
    >>> import polars as pl
    >>> c = pl.DataFrame({"quasi": ["age", "zip"], "drop_if_removed": [0.1, 0.4]})
    >>> risk_by_quasi_chart(c).data[0].y
    ('age', 'zip')
    """
    chart = "risk_by_quasi_chart"
    check_frame(contrib, name="contrib", chart=chart, columns=["quasi", "drop_if_removed"],
                numeric=["drop_if_removed", "drop_if_generalized"], nullable=["drop_if_generalized"])
    title = title or "Which attributes drive re-identification risk"
    if contrib.height == 0:
        return empty_figure(title)
    scale = 100.0 if percent else 1.0
    rows = contrib.sort("drop_if_removed")  # biggest driver drawn on top
    fig = new_figure(title, x_title="Drop in re-identification risk (percentage points)",
                     y_title="Quasi-identifier (attribute)", height=max(320, 120 + 40 * rows.height))
    series = [("drop_if_removed", "If the attribute is removed", RISK_COLOR)]
    if "drop_if_generalized" in rows.columns and rows["drop_if_generalized"].drop_nulls().len():
        series.append(("drop_if_generalized", "If the attribute is generalized", PALETTE["orange"]))
    for column, name, color in series:
        fig.add_trace(go.Bar(
            x=[None if v is None else round_sig([v * scale])[0] for v in rows[column].to_list()],
            y=rows["quasi"].to_list(), orientation="h", name=name,
            marker={"color": color},
            hovertemplate=f"<b>%{{y}}</b><br>{name.lower()}: risk drops by %{{x:.3~g}} points"
                          "<extra></extra>"))
    fig.update_layout(barmode="group")
    note(fig, "longer bar = the attribute makes people easier to single out", x=1, y=1.01,
         xanchor="right", name="reading hint")
    return fig


def class_size_chart(sizes: pl.DataFrame, *, k: int | None = None, bucket_from: int = 10,
                     title: str | None = None) -> go.Figure:
    """How many customers sit in groups of 1, 2, … identical profiles (quasi-identifiers), with the k line.

    Parameters
    ----------
    sizes : pl.DataFrame
        ``class_size`` (customers sharing one combination of quasi-identifiers, ≥ 1) and ``records``
        (customers in groups of that size). Sizes of ``bucket_from`` and more share one bar.
    k : int, optional
        The smallest group size the business accepts (k-anonymity target). Groups left of the line are
        too small. Without it the line marks the data's own k (its smallest group).

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.DataFrame({"class_size": [1, 2, 12], "records": [3, 8, 24]})
    >>> fig = class_size_chart(s, k=2)
    >>> fig.data[0].y
    (3.0, 8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 24.0)
    """
    chart = "class_size_chart"
    check_frame(sizes, name="sizes", chart=chart, columns=["class_size", "records"],
                numeric=["class_size", "records"])
    if not isinstance(bucket_from, int) or bucket_from < 2:
        raise ValueError(f"The 'bucket_from' parameter of {chart} must be an int ≥ 2. "
                         f"Got {bucket_from!r} instead.")
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 100):
        raise ValueError(f"The 'k' parameter of {chart} must be an int from 1 to 100. Got {k!r} instead.")
    if sizes.height and (sizes["class_size"].min() < 1 or sizes["records"].min() < 0):
        raise ValueError(f"The 'sizes' parameter of {chart} must have class_size ≥ 1 and records ≥ 0. "
                         f"Got class_size ≥ {sizes['class_size'].min()}, "
                         f"records ≥ {sizes['records'].min()} "
                         "instead.")
    title = title or "How many customers share their profile with only a few others"
    held = sizes.filter(pl.col("records") > 0)
    if held.height == 0:
        return empty_figure(title)
    bucket_from = max(bucket_from, k or 0)  # the k line must fall between two bars
    bucket = pl.min_horizontal(pl.col("class_size").cast(pl.Int64), pl.lit(bucket_from)).alias("bucket")
    totals = held.group_by(bucket).agg(pl.col("records").sum().cast(pl.Float64))
    counts = np.zeros(bucket_from)
    counts[totals["bucket"].to_numpy() - 1] = totals["records"].to_numpy()
    positions = np.arange(1, bucket_from + 1)
    labels = [str(p) for p in positions[:-1]] + [f"{bucket_from}+"]
    smallest = int(held["class_size"].min())
    threshold = k if k is not None else min(smallest, bucket_from)
    colors = np.where(positions < threshold, RISK_COLOR, TOTAL_COLOR).tolist()
    fig = new_figure(title, x_title="Group size (customers sharing the same quasi-identifiers)",
                     y_title="Customers (count)")
    fig.add_trace(go.Bar(
        x=positions.tolist(), y=round_sig(counts, 6), name="Customers", marker={"color": colors},
        customdata=labels,
        hovertemplate="Groups of size %{customdata}: %{y:,.0f} customers<extra></extra>"))
    line_at = threshold - 0.5
    line_name = (f"k = {k} (smallest group allowed)" if k is not None
                 else f"k = {smallest} (smallest group held)")
    fig.add_trace(go.Scatter(x=[line_at, line_at], y=[0, round_sig([counts.max() * 1.08])[0]], mode="lines",
                             name=line_name, line={"color": NEUTRAL_COLOR, "dash": "dash", "width": 2},
                             hoverinfo="name"))
    fig.update_xaxes(tickvals=positions.tolist(), ticktext=labels, range=[0.4, bucket_from + 0.6])
    below = float(counts[positions < threshold].sum())
    share = below / counts.sum() * 100
    note(fig, f"{share:.3g} % of customers sit in groups smaller than k = {k or smallest}", x=1, y=1.01,
         xanchor="right", name="share below k")
    fig.update_layout(showlegend=True)
    return fig
