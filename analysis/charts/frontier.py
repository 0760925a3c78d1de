"""The frontier chart: engagement gain against exposure risk per scenario, with the Pareto line.

Point labels never overlap each other, a marker or an error bar, at any width from a phone to a wide screen
(:mod:`analysis.charts.labels`): each scenario is named next to its point when every name fits; otherwise every
point carries its number and the legend below the chart is the key ("3 · Coarse demographics (dominated)"). Points
that sit on top of each other share one number label ("4,5"); a point whose number still finds no free spot is
left unnumbered on the chart (the key says so, and hovering shows it). The figure's height is fixed and its
x and y ranges are set, so the placement computed here is the one the browser draws.

Scenarios that break the privacy policy's fairness bound (the table's ``breaks_fairness_bound``: their lowest
selection-rate ratio is under the policy's ``min_selection_ratio``) carry a vermillion ring around their marker
and one legend entry ("Targets a group below the fairness bound …"); the ring counts as part of the marker when
the labels are placed.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from analysis.charts.gain import label_for
from analysis.charts.labels import (
    FONT_SIZE, MIN_PLOT_WIDTH, Anchor, Box, Label, bar_obstacle, marker_obstacle, place,
)
from analysis.charts.style import (
    GAIN_COLOR, NEUTRAL_COLOR, PALETTE, RISK_COLOR, TOTAL_COLOR, check_frame, empty_figure, round_sig, style,
    title_margin,
)
from analysis.formatting import number as _number

__all__ = ["frontier_chart", "PLOT_HEIGHT"]

#: height of the plot area (px); the figure adds the title above and the axis title and the legend below
PLOT_HEIGHT = 330
#: from the plot's bottom edge to the legend: tick labels and the axis title
_BELOW_AXIS = 80
_LEGEND_ROW = 19
#: marker sizes (px) by status, and the half-size of the square each covers (with its outline)
_MARKERS = {
    "frontier": ({"color": TOTAL_COLOR, "size": 11, "symbol": "circle"}, 6.5),
    "dominated": ({"color": NEUTRAL_COLOR, "size": 9, "symbol": "circle-open", "line": {"width": 2}}, 6.5),
    "current": ({"color": PALETTE["orange"], "size": 20, "symbol": "star", "line": {"width": 1, "color": "#444444"}},
                11.0),
}
_TRACE_NAMES = {"frontier": "On the frontier", "dominated": "Dominated (a better option exists)",
                "current": "Current practice"}
#: the ring around a scenario that breaks the fairness bound (drawn over its marker, wider than the star)
_RING = {"color": RISK_COLOR, "size": 27, "symbol": "circle-open", "line": {"width": 2.5, "color": RISK_COLOR}}
_RING_HALF = 15.0
FAIRNESS_COLUMN = "breaks_fairness_bound"


def fairness_legend(bound: float | None) -> str:
    """The legend entry of the ring."""
    return ("Targets a group below the fairness bound" +
            (f" (selection-rate ratio under {_number(bound, digits=2)})" if bound is not None else " of the policy"))


def _check(points: pl.DataFrame, gain: str, risk: str, current: str | None) -> tuple[bool, list]:
    chart = "frontier_chart"
    check_frame(points, name="points", chart=chart, columns=["name", gain, risk, "on_frontier"],
                numeric=[gain, risk, "gain_ci_low", "gain_ci_high"],
                nullable=[gain, risk, "gain_ci_low", "gain_ci_high"])
    for column in ("on_frontier", FAIRNESS_COLUMN):
        if column in points.columns and points.schema[column] != pl.Boolean:
            raise ValueError(f"The '{column}' column of 'points' in {chart} must be boolean. "
                             f"Got {points.schema[column]} instead.")
    has_ci = ("gain_ci_low" in points.columns, "gain_ci_high" in points.columns)
    if has_ci[0] != has_ci[1]:
        raise ValueError(f"The 'points' parameter of {chart} must have both 'gain_ci_low' and "
                         f"'gain_ci_high' or neither. Got only one instead.")
    if points["name"].n_unique() != points.height:
        raise ValueError(f"The 'name' column of 'points' in {chart} must be unique. "
                         f"Got {points.filter(pl.col('name').is_duplicated())['name'].unique().to_list()} "
                         "more than once instead.")
    if current is not None and current not in points["name"].to_list():
        raise ValueError(f"The 'current' parameter of {chart} must be one of the scenario names "
                         f"{points['name'].to_list()}. Got {current!r} instead.")
    usable = pl.col(gain).is_not_null() & pl.col(risk).is_not_null() & pl.col(gain).is_finite() \
        & pl.col(risk).is_finite()
    missing = points.filter(~usable)["name"].to_list()
    if current in missing:
        raise ValueError(f"The current practice '{current}' in {chart} must have a gain and a risk. "
                         "Got a missing value instead.")
    return all(has_ci), missing


def _range(values: np.ndarray) -> tuple[float, float]:
    low, high = float(values.min()), float(values.max())
    span = high - low
    if span <= 0:
        span = max(abs(high), 1.0) * 0.2
    return low - 0.1 * span, high + 0.1 * span


def _layout_labels(frame: pl.DataFrame, statuses: list[str], x_range, y_range, *, risk: str, gain: str,
                   has_ci: bool, ringed: list[bool]) -> tuple[str, list[Box | None], list[str]]:
    """("names" or "numbers", a box per point or None, the text of each box)."""
    x, y = frame[risk].to_numpy().astype(float), frame[gain].to_numpy().astype(float)
    fx = (x - x_range[0]) / (x_range[1] - x_range[0])
    to_fy = lambda v: (np.asarray(v, dtype=float) - y_range[0]) / (y_range[1] - y_range[0])  # noqa: E731
    fy = to_fy(y)
    anchors = [Anchor(float(a), float(b), max(_MARKERS[s][1], _RING_HALF if r else 0.0))
               for a, b, s, r in zip(fx, fy, statuses, ringed)]
    obstacles = [marker_obstacle(a) for a in anchors]
    if has_ci:
        lows, highs = to_fy(frame["gain_ci_low"].to_numpy()), to_fy(frame["gain_ci_high"].to_numpy())
        obstacles += [bar_obstacle(float(a), float(lo), float(hi), PLOT_HEIGHT)
                      for a, lo, hi in zip(fx, lows, highs) if hi > lo]
    order = sorted(range(len(anchors)), key=lambda i: ({"current": 0, "frontier": 1}.get(statuses[i], 2), -y[i]))
    names = [str(n) for n in frame["name"].to_list()]
    boxes = place(anchors, [Label(names[i], i) for i in order], obstacles=obstacles, height=PLOT_HEIGHT, rings=3)
    if all(b is not None for b in boxes):
        out: list[Box | None] = [None] * len(anchors)
        for i, b in zip(order, boxes):
            out[i] = b
        return "names", out, names
    # numbers, in table order; points whose markers touch at the narrowest width share one label ("4,5")
    px, py = fx * MIN_PLOT_WIDTH, fy * PLOT_HEIGHT
    cluster = list(range(len(anchors)))

    def root(i: int) -> int:
        while cluster[i] != i:
            i = cluster[i]
        return i

    for i in range(len(anchors)):
        for j in range(i):
            reach = max(anchors[i].half, anchors[j].half)  # one centre inside the other marker
            if abs(px[i] - px[j]) < reach and abs(py[i] - py[j]) < reach:
                cluster[root(i)] = root(j)
    heads = {}
    for i in order:  # the cluster's label sits at its most important point
        heads.setdefault(root(i), i)
    texts = [""] * len(anchors)
    for i in range(len(anchors)):
        head = heads[root(i)]
        texts[head] = ",".join(filter(None, [texts[head], str(i + 1)]))
    labelled = [i for i in order if texts[i]]
    placed: list[Box | None] = [None] * len(anchors)
    for i, b in zip(labelled, place(anchors, [Label(texts[i], i) for i in labelled], obstacles=obstacles,
                                    height=PLOT_HEIGHT, rings=8)):
        placed[i] = b
    return "numbers", placed, texts


def frontier_chart(points: pl.DataFrame, *, gain: str = "incremental_conversions",
                   risk: str = "risk_index", gain_label: str | None = None,
                   risk_label: str | None = None, current: str | None = None,
                   title: str | None = None, fairness_bound: float | None = None) -> go.Figure:
    """Scenarios as points of exposure risk (x) against engagement gain (y), with the Pareto line.

    Parameters
    ----------
    points : pl.DataFrame
        One row per scenario: ``name``, the ``gain`` and ``risk`` columns, ``on_frontier`` (bool);
        optional ``gain_ci_low`` and ``gain_ci_high`` draw error bars on the gain.
    gain, risk : str
        Column names of the gain (higher is better) and the risk (lower is better).
    gain_label, risk_label : str, optional
        Axis titles with units; default from the column names.
    current : str, optional
        Name of the scenario that is today's practice: drawn as a star ("Current practice" in the legend).
    fairness_bound : float, optional
        The policy's fairness bound, for the legend of the ring around the scenarios whose optional boolean
        column ``breaks_fairness_bound`` is true (the ring is drawn whenever one is).

    Examples
    --------
    >>> import polars as pl
    >>> pts = pl.DataFrame({"name": ["all data", "minimal", "bad"], "incremental_conversions": [120, 90, 80],
    ...                     "risk_index": [0.8, 0.3, 0.6], "on_frontier": [True, True, False]})
    >>> fig = frontier_chart(pts, current="all data")
    >>> [t.name for t in fig.data][::3]
    ['Best trade-offs (Pareto frontier)', 'Current practice']
    >>> sorted(a.text for a in fig.layout.annotations if a.name.startswith("label"))
    ['all data', 'bad', 'minimal']
    """
    has_ci, missing = _check(points, gain, risk, current)
    gain_label = gain_label or label_for(gain)
    risk_label = risk_label or label_for(risk)
    title = title or "Engagement gain against exposure risk: the best trade-offs lie on the line"
    points = points.filter(~pl.col("name").is_in(missing))
    if has_ci:  # a missing interval bound means "no interval": draw none
        points = points.with_columns(pl.col("gain_ci_low").fill_nan(None).fill_null(pl.col(gain)),
                                     pl.col("gain_ci_high").fill_nan(None).fill_null(pl.col(gain)))
    if points.height == 0:
        return empty_figure(title)
    if has_ci:
        bad = points.filter((pl.col("gain_ci_low") > pl.col(gain)) | (pl.col("gain_ci_high") < pl.col(gain)))
        if bad.height:
            raise ValueError(f"The gain interval of scenario '{bad['name'][0]}' in frontier_chart must contain "
                             f"its gain. Got [{bad['gain_ci_low'][0]}, {bad['gain_ci_high'][0]}] "
                             f"around {bad[gain][0]} instead.")
    # what is drawn is rounded first, so the labels are placed where the points are drawn
    points = points.with_columns(*(pl.Series(c, round_sig(points[c]), dtype=pl.Float64)
                                   for c in (gain, risk, "gain_ci_low", "gain_ci_high") if c in points.columns))
    statuses = ["current" if n == current else "frontier" if f else "dominated"
                for n, f in zip(points["name"].to_list(), points["on_frontier"].to_list())]
    y_values = [points[gain].to_numpy()] + ([points["gain_ci_low"].to_numpy(), points["gain_ci_high"].to_numpy()]
                                           if has_ci else [])
    x_range, y_range = _range(points[risk].to_numpy()), _range(np.concatenate(y_values))
    ringed = (points[FAIRNESS_COLUMN].fill_null(False).to_list() if FAIRNESS_COLUMN in points.columns
              else [False] * points.height)
    mode, boxes, texts = _layout_labels(points, statuses, x_range, y_range, risk=risk, gain=gain, has_ci=has_ci,
                                        ringed=ringed)

    fig = go.Figure()
    hover = (f"<b>%{{text}}</b><br>{gain_label}: %{{y:,.4~g}}<br>{risk_label}: %{{x:,.4~g}}"
             + ("<br>95 % interval: %{customdata[0]:,.4~g} to %{customdata[1]:,.4~g}" if has_ci else "")
             + "<extra></extra>")
    frontier = points.filter(pl.col("on_frontier")).sort([risk, gain], descending=[False, True])
    fig.add_trace(go.Scatter(x=frontier[risk].to_list(), y=frontier[gain].to_list(), mode="lines",
                             name="Best trade-offs (Pareto frontier)", hoverinfo="skip",
                             line={"color": GAIN_COLOR, "width": 2.5}))
    frame = points.with_columns(pl.Series("status", statuses))
    for status in ("frontier", "dominated", "current"):
        if status == "current" and current is None:
            continue
        rows = frame.filter(pl.col("status") == status)
        marker, _ = _MARKERS[status]
        error = customdata = None
        if has_ci:
            customdata = np.column_stack([rows["gain_ci_low"].to_list(), rows["gain_ci_high"].to_list()])
            error = {"type": "data", "symmetric": False, "thickness": 1.2, "width": 4,
                     "array": round_sig(rows["gain_ci_high"] - rows[gain]),
                     "arrayminus": round_sig(rows[gain] - rows["gain_ci_low"]), "color": marker["color"]}
        fig.add_trace(go.Scatter(x=rows[risk].to_list(), y=rows[gain].to_list(), mode="markers",
                                 name=_TRACE_NAMES[status], text=rows["name"].to_list(), marker=marker,
                                 error_y=error, customdata=customdata, hovertemplate=hover,
                                 showlegend=mode == "names"))
    if any(ringed):
        rows = points.filter(pl.Series(ringed, dtype=pl.Boolean))
        fig.add_trace(go.Scatter(x=rows[risk].to_list(), y=rows[gain].to_list(), mode="markers",
                                 name=fairness_legend(fairness_bound), text=rows["name"].to_list(), marker=_RING,
                                 hoverinfo="skip", showlegend=True))
    rows_in_legend = 1 + (len(set(statuses)) if mode == "names" else points.height) + any(ringed)
    drawn = {n for i, t in enumerate(texts) if boxes[i] is not None for n in t.split(",")}
    for i, (name, status) in enumerate(zip(points["name"].to_list(), statuses)):
        box = boxes[i]
        if box is not None and box.arrow:
            fig.add_annotation(x=points[risk][i], y=points[gain][i], xref="x", yref="y", text=texts[i],
                               showarrow=True, ax=box.ax, ay=box.ay, axref="pixel", ayref="pixel",
                               xanchor="center", yanchor="middle", arrowhead=0, arrowwidth=1,
                               arrowcolor=NEUTRAL_COLOR,
                               standoff=max(_MARKERS[status][1], _RING_HALF if ringed[i] else 0.0),
                               font={"size": FONT_SIZE}, name=f"label {name}")
        elif box is not None:
            fig.add_annotation(x=points[risk][i], y=points[gain][i], xref="x", yref="y", text=texts[i],
                               showarrow=False, xanchor=box.xanchor, yanchor=box.yanchor, xshift=box.xshift,
                               yshift=box.yshift, font={"size": FONT_SIZE}, name=f"label {name}")
        if mode == "numbers":
            number = f"{i + 1} · " + ("Current practice: " if status == "current" else "")
            suffix = (" (dominated)" if status == "dominated" else "") + \
                (" — below the fairness bound" if ringed[i] else "")
            if str(i + 1) not in drawn:
                suffix += " — under another point, not numbered"
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{number}{name}{suffix}",
                                     marker=_MARKERS[status][0], hoverinfo="skip", showlegend=True))
    legend_px = rows_in_legend * _LEGEND_ROW + 12
    bottom = _BELOW_AXIS + legend_px + (22 if missing else 8)
    top = title_margin(title)
    style(fig, title, height=top + PLOT_HEIGHT + bottom)
    fig.update_layout(margin={"l": 70, "r": 30, "t": top, "b": bottom},
                      legend={"orientation": "v", "yanchor": "top", "y": -_BELOW_AXIS / PLOT_HEIGHT, "x": 0,
                              "xanchor": "left", "font": {"size": FONT_SIZE}, "tracegroupgap": 0})
    fig.update_xaxes(title_text=f"{risk_label}<br>← less exposure", range=list(x_range), automargin=False)
    fig.update_yaxes(title_text=f"{gain_label} · more gain →", range=list(y_range))
    if missing:
        fig.add_annotation(text=f"Not drawn (no result): {', '.join(map(str, missing))}", x=0, xref="paper",
                           y=-(_BELOW_AXIS + legend_px + 4) / PLOT_HEIGHT, yref="paper", xanchor="left",
                           yanchor="top", showarrow=False, font={"size": 12, "color": NEUTRAL_COLOR},
                           name="not drawn")
    return fig
