"""Charts of gain against risk: frontier, sweeps, lift curves, scenario bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from analysis.charts.style import (
    GAIN_COLOR,
    NEUTRAL_COLOR,
    PALETTE,
    SERIES_COLORS,
    TOTAL_COLOR,
    check_choice,
    check_frame,
    downsample_index,
    empty_figure,
    format_moneys,
    format_number,
    linear_money_ticks,
    log_ticks,
    new_figure,
    note,
    round_sig,
    style,
)

#: Axis labels (with units) for the column names the trade-off tables use.
KNOWN_LABELS = {
    "incremental_conversions": "Incremental conversions (customers)",
    "incremental_value": "Incremental value (USD)",
    "gain_retained": "Gain retained (% of the full-data gain)",
    "risk_index": "Exposure risk index (0 = none, 100 = highest)",
    "records_at_risk": "Records at re-identification risk (share, 0–1)",
    "expected_annual_loss": "Expected yearly breach loss (USD)",
    "p95": "Yearly breach loss, 1-in-20 bad year (USD, p95)",
    "net_value": "Net value (USD)",
    "membership_advantage": "Membership-inference advantage (0–1)",
}


def label_for(column: str) -> str:
    """The axis label of a known column, else its name in words."""
    return KNOWN_LABELS.get(column, column.replace("_", " ").capitalize())


def unit_of(label: str) -> str:
    """The unit inside the last parentheses of a label ("Net value (USD)" -> "USD")."""
    start, end = label.rfind("("), label.rfind(")")
    return label[start + 1:end] if 0 <= start < end else "value"


def _first_seen(series: pl.Series) -> list:
    return series.unique(maintain_order=True).to_list()


#: where a scenario's label goes when the default spot is taken by a nearby label (tried in this order)
LABEL_SPOTS = ("top center", "bottom center", "middle right", "middle left", "top right", "bottom left")


def _label_positions(points: pl.DataFrame, *, risk: str, gain: str, current: str | None) -> dict[str, str]:
    """Spread the labels of scenarios that sit close together (within 6 % of the x range and 8 % of the y
    range): each takes the first spot around its marker that no close neighbour's label already uses."""
    x = points[risk].to_numpy().astype(float)
    y = points[gain].to_numpy().astype(float)
    names = points["name"].to_list()
    span_x = max(float(np.ptp(x)) if len(x) else 0.0, 1e-9)
    span_y = max(float(np.ptp(y)) if len(y) else 0.0, 1e-9)
    out: dict[str, str] = {}
    order = sorted(range(len(names)), key=lambda i: (names[i] != current, x[i], -y[i]))
    for i in order:
        taken = {out[names[j]] for j in order if names[j] in out
                 and abs(x[j] - x[i]) < 0.06 * span_x and abs(y[j] - y[i]) < 0.08 * span_y}
        default = "bottom center" if names[i] == current else "top center"
        spots = (default,) + tuple(p for p in LABEL_SPOTS if p != default)
        out[names[i]] = next((p for p in spots if p not in taken), default)
    return out


def frontier_chart(points: pl.DataFrame, *, gain: str = "incremental_conversions",
                   risk: str = "risk_index", gain_label: str | None = None,
                   risk_label: str | None = None, current: str | None = None,
                   title: str | None = None) -> go.Figure:
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
        Name of the scenario that is today's practice: drawn as a star with a "current practice" label.

    Examples
    --------
    >>> import polars as pl
    >>> pts = pl.DataFrame({"name": ["all data", "minimal", "bad"], "incremental_conversions": [120, 90, 80],
    ...                     "risk_index": [0.8, 0.3, 0.6], "on_frontier": [True, True, False]})
    >>> fig = frontier_chart(pts, current="all data")
    >>> [t.name for t in fig.data][::3]
    ['Best trade-offs (Pareto frontier)', 'Current practice']
    """
    chart = "frontier_chart"
    check_frame(points, name="points", chart=chart, columns=["name", gain, risk, "on_frontier"],
                numeric=[gain, risk, "gain_ci_low", "gain_ci_high"],
                nullable=[gain, risk, "gain_ci_low", "gain_ci_high"])
    if points.schema["on_frontier"] != pl.Boolean:
        raise ValueError(f"The 'on_frontier' column of 'points' in {chart} must be boolean. "
                         f"Got {points.schema['on_frontier']} instead.")
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
    gain_label = gain_label or label_for(gain)
    risk_label = risk_label or label_for(risk)
    title = title or "Engagement gain against exposure risk: the best trade-offs lie on the line"
    usable = pl.col(gain).is_not_null() & pl.col(risk).is_not_null() & pl.col(gain).is_finite() \
        & pl.col(risk).is_finite()
    missing = points.filter(~usable)["name"].to_list()
    if current in missing:
        raise ValueError(f"The current practice '{current}' in {chart} must have a gain and a risk. "
                         "Got a missing value instead.")
    points = points.filter(usable)
    if all(has_ci):  # a missing interval bound means "no interval": draw none
        points = points.with_columns(pl.col("gain_ci_low").fill_nan(None).fill_null(pl.col(gain)),
                                     pl.col("gain_ci_high").fill_nan(None).fill_null(pl.col(gain)))
    if points.height == 0:
        return empty_figure(title)
    if all(has_ci):
        bad = points.filter((pl.col("gain_ci_low") > pl.col(gain)) | (pl.col("gain_ci_high") < pl.col(gain)))
        if bad.height:
            raise ValueError(f"The gain interval of scenario '{bad['name'][0]}' in {chart} must contain "
                             f"its gain. Got [{bad['gain_ci_low'][0]}, {bad['gain_ci_high'][0]}] "
                             f"around {bad[gain][0]} instead.")

    fig = new_figure(title, x_title=risk_label, y_title=gain_label, height=520)
    hover = (f"<b>%{{text}}</b><br>{gain_label}: %{{y:,.4~g}}<br>{risk_label}: %{{x:,.4~g}}"
             + ("<br>95 % interval: %{customdata[0]:,.4~g} to %{customdata[1]:,.4~g}" if all(has_ci) else "")
             + "<extra></extra>")

    frontier = points.filter(pl.col("on_frontier")).sort([risk, gain], descending=[False, True])
    fig.add_trace(go.Scatter(x=round_sig(frontier[risk]), y=round_sig(frontier[gain]), mode="lines",
                             name="Best trade-offs (Pareto frontier)", hoverinfo="skip",
                             line={"color": GAIN_COLOR, "width": 2.5}))

    placed = _label_positions(points, risk=risk, gain=gain, current=current)

    def add_points(rows: pl.DataFrame, name: str, marker: dict, textposition: str = "top center") -> None:
        error = None
        customdata = None
        if all(has_ci):
            customdata = np.column_stack([round_sig(rows["gain_ci_low"]), round_sig(rows["gain_ci_high"])])
            error = {"type": "data", "symmetric": False, "thickness": 1.2, "width": 4,
                     "array": round_sig(rows["gain_ci_high"] - rows[gain]),
                     "arrayminus": round_sig(rows[gain] - rows["gain_ci_low"]),
                     "color": marker["color"]}
        positions = [placed.get(n, textposition) for n in rows["name"].to_list()]
        fig.add_trace(go.Scatter(x=round_sig(rows[risk]), y=round_sig(rows[gain]), mode="markers+text",
                                 name=name, text=rows["name"].to_list(), textposition=positions,
                                 marker=marker, error_y=error, customdata=customdata,
                                 hovertemplate=hover))

    others = points.filter(pl.col("name") != current) if current is not None else points
    add_points(others.filter(pl.col("on_frontier")), "On the frontier",
               {"color": TOTAL_COLOR, "size": 11, "symbol": "circle"})
    add_points(others.filter(~pl.col("on_frontier")), "Dominated (a better option exists)",
               {"color": NEUTRAL_COLOR, "size": 9, "symbol": "circle-open", "line": {"width": 2}})
    if current is not None:
        row = points.filter(pl.col("name") == current)
        add_points(row, "Current practice", {"color": PALETTE["orange"], "size": 20, "symbol": "star",
                                             "line": {"width": 1, "color": "#444444"}},
                   textposition="bottom center")
        fig.add_annotation(x=round_sig(row[risk])[0], y=round_sig(row[gain])[0], text="current practice",
                           showarrow=True, arrowhead=2, ax=40, ay=-40, name="current practice",
                           arrowcolor=PALETTE["orange"],
                           font={"color": PALETTE["orange"], "size": 13})
    note(fig, "← less exposure", x=0, y=-0.09, yanchor="top", name="direction x", strong=True)
    note(fig, "more gain ↑", x=0, y=1.01, name="direction y", strong=True)
    if missing:
        note(fig, f"not drawn (no result): {', '.join(map(str, missing))}", x=1, y=1.01, xanchor="right",
             name="not drawn")
    fig.update_layout(legend={"y": -0.2})
    return fig


def sweep_chart(sweep: pl.DataFrame, *, x: str, x_label: str, log_x: bool = False,
                more_private: str = "left", reference: Mapping[str, float] | None = None,
                title: str | None = None) -> go.Figure:
    """Gain and risk metrics along one privacy dial (ε, retention, consent rate), one panel per metric.

    Parameters
    ----------
    sweep : pl.DataFrame
        Columns ``x`` (the dial), ``metric`` (its name with the unit, e.g. "Gain retained (%)"), ``value``;
        optional ``ci_low`` and ``ci_high`` (error bars).
    x_label : str
        The dial in words with its unit, e.g. "Privacy budget ε (log scale)".
    more_private : {"left", "right"}
        Which side of the dial is more private; the chart says so in words.
    reference : mapping, optional
        A reference level per metric (e.g. ``{"Gain retained (%)": 100}``), drawn dashed.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.DataFrame({"epsilon": [0.1, 1, 10] * 2, "metric": ["Gain retained (%)"] * 3
    ...                   + ["Membership advantage (0–1)"] * 3,
    ...                   "value": [20.0, 70.0, 95.0, 0.01, 0.03, 0.1]})
    >>> fig = sweep_chart(s, x="epsilon", x_label="Privacy budget ε (log scale)", log_x=True)
    >>> [t.name for t in fig.data]
    ['Gain retained (%)', 'Membership advantage (0–1)']
    """
    chart = "sweep_chart"
    check_frame(sweep, name="sweep", chart=chart, columns=[x, "metric", "value"],
                numeric=[x, "value", "ci_low", "ci_high"], nullable=["ci_low", "ci_high"])
    if "ci_low" in sweep.columns and "ci_high" in sweep.columns:
        # a metric measured without an interval (e.g. the exposure index) draws no error bar
        sweep = sweep.with_columns(pl.col("ci_low").fill_null(pl.col("value")),
                                   pl.col("ci_high").fill_null(pl.col("value")))
    check_choice(more_private, name="more_private", chart=chart, choices=("left", "right"))
    if ("ci_low" in sweep.columns) != ("ci_high" in sweep.columns):
        raise ValueError(f"The 'sweep' parameter of {chart} must have both 'ci_low' and 'ci_high' "
                         "or neither. Got only one instead.")
    if log_x and sweep.height and sweep[x].min() <= 0:
        raise ValueError(f"The '{x}' column of 'sweep' in {chart} must be > 0 on a log axis. "
                         f"Got {sweep[x].min()} instead.")
    dial = x_label.split("(")[0].strip()
    title = title or f"How gain and risk move with the {dial[:1].lower() + dial[1:]}"
    metrics = _first_seen(sweep["metric"])
    if not metrics:
        return empty_figure(title)
    reference = dict(reference or {})
    unknown = [m for m in reference if m not in metrics]
    if unknown:
        raise ValueError(f"The 'reference' parameter of {chart} must name metrics of the sweep {metrics}. "
                         f"Got {unknown[0]!r} instead.")
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, vertical_spacing=0.1)
    style(fig, title, height=150 + 230 * len(metrics))
    has_ci = "ci_low" in sweep.columns
    for row, metric in enumerate(metrics, start=1):
        part = sweep.filter(pl.col("metric") == metric).sort(x)
        part = part[downsample_index(part.height)]
        color = SERIES_COLORS[(row - 1) % len(SERIES_COLORS)]
        error = None
        if has_ci:
            error = {"type": "data", "symmetric": False, "color": color, "thickness": 1,
                     "array": round_sig(part["ci_high"] - part["value"]),
                     "arrayminus": round_sig(part["value"] - part["ci_low"])}
        fig.add_trace(go.Scatter(x=round_sig(part[x]), y=round_sig(part["value"]), mode="lines+markers",
                                 name=metric, line={"color": color, "width": 2.5}, error_y=error,
                                 hovertemplate=f"{x_label}: %{{x:,.4~g}}<br>{metric}: %{{y:,.4~g}}"
                                 "<extra></extra>"), row=row, col=1)
        if metric in reference:
            level = float(reference[metric])
            fig.add_trace(go.Scatter(x=round_sig([part[x].min(), part[x].max()]), y=[level, level],
                                     mode="lines", name=f"{metric}: reference",
                                     line={"color": NEUTRAL_COLOR, "dash": "dash", "width": 1.5},
                                     hovertemplate=f"reference: {level:,.4g}<extra></extra>"),
                          row=row, col=1)
        fig.update_yaxes(title_text=metric, row=row, col=1)
    if log_x:
        ticks, text = log_ticks(float(sweep[x].min()), float(sweep[x].max()))
        fig.update_xaxes(type="log", tickvals=ticks, ticktext=text)
    fig.update_xaxes(title_text=x_label, row=len(metrics), col=1)
    fig.update_layout(showlegend=False)
    left, right = ("← more private", "less private →") if more_private == "left" else \
        ("← less private", "more private →")
    note(fig, left, x=0, y=1.0, name="more private" if more_private == "left" else "less private",
         strong=more_private == "left")
    note(fig, right, x=1, y=1.0, xanchor="right",
         name="more private" if more_private == "right" else "less private", strong=more_private == "right")
    return fig


_LIFT_KINDS = {
    "qini": ("Extra responders thanks to the campaign (Qini, customers)",
             "Extra customers won when the model picks who to target, against random picks"),
    "uplift": ("Extra responders (uplift curve, customers)",
               "Extra responses from targeting with the model, against random targeting"),
    "gains": ("Responders reached (cumulative gains, customers)",
              "Responders reached when the model picks who to contact, against random picks"),
}


def lift_curve_chart(curves: pl.DataFrame, *, kind: str = "qini", y_label: str | None = None,
                     title: str | None = None) -> go.Figure:
    """Qini / uplift / cumulative gains curves per scenario, each with its random-targeting baseline.

    Parameters
    ----------
    curves : pl.DataFrame
        ``scenario``, ``fraction_targeted`` (0–1), ``value`` (the curve), ``random`` (the baseline).
    kind : {"qini", "uplift", "gains"}
        Which curve the values are; sets the default axis label and title.

    Examples
    --------
    >>> import polars as pl
    >>> c = pl.DataFrame({"scenario": ["A"] * 3, "fraction_targeted": [0.0, 0.5, 1.0],
    ...                   "value": [0, 40, 50], "random": [0, 25, 50]})
    >>> [t.name for t in lift_curve_chart(c).data]
    ['A', 'A: random targeting']
    """
    chart = "lift_curve_chart"
    check_frame(curves, name="curves", chart=chart,
                columns=["scenario", "fraction_targeted", "value", "random"],
                numeric=["fraction_targeted", "value", "random"])
    check_choice(kind, name="kind", chart=chart, choices=tuple(_LIFT_KINDS))
    if curves.height and (curves["fraction_targeted"].min() < 0 or curves["fraction_targeted"].max() > 1):
        raise ValueError(f"The 'fraction_targeted' column of 'curves' in {chart} must lie in [0, 1]. "
                         f"Got values from {curves['fraction_targeted'].min()} to "
                         f"{curves['fraction_targeted'].max()} instead.")
    default_label, default_title = _LIFT_KINDS[kind]
    y_label = y_label or default_label
    title = title or default_title
    scenarios = _first_seen(curves["scenario"])
    if not scenarios:
        return empty_figure(title)
    fig = new_figure(title, x_title="% of customers targeted (ranked by the model)", y_title=y_label)
    for index, scenario in enumerate(scenarios):
        part = curves.filter(pl.col("scenario") == scenario).sort("fraction_targeted")
        part = part[downsample_index(part.height)]
        color = SERIES_COLORS[index % len(SERIES_COLORS)]
        x = round_sig(part["fraction_targeted"] * 100)
        fig.add_trace(go.Scatter(x=x, y=round_sig(part["value"]), mode="lines", name=str(scenario),
                                 legendgroup=str(scenario), line={"color": color, "width": 2.5},
                                 hovertemplate=f"<b>{scenario}</b><br>%{{x:.0f}} % targeted<br>"
                                 f"{y_label}: %{{y:,.4~g}}<extra></extra>"))
        fig.add_trace(go.Scatter(x=x, y=round_sig(part["random"]), mode="lines",
                                 name=f"{scenario}: random targeting", legendgroup=str(scenario),
                                 line={"color": color, "width": 1.5, "dash": "dash"}, opacity=0.75,
                                 hovertemplate=f"<b>{scenario}, random targeting</b><br>%{{x:.0f}} % "
                                 f"targeted<br>{y_label}: %{{y:,.4~g}}<extra></extra>"))
    fig.update_xaxes(range=[0, 100], ticksuffix=" %")
    note(fig, "dashed: random targeting (the baseline)", x=1, y=1.01, xanchor="right", name="baseline")
    return fig


def scenario_bars(table: pl.DataFrame, *, metrics: Sequence[str],
                  labels: Mapping[str, str] | None = None, title: str | None = None) -> go.Figure:
    """Two to a few scenarios side by side, one panel of bars per metric (each with its own unit).

    Parameters
    ----------
    table : pl.DataFrame
        ``name`` and one numeric column per metric.
    metrics : sequence of str
        The metric columns to draw, in order.
    labels : mapping, optional
        Panel titles with units per metric; default from the column names.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"name": ["A", "B"], "net_value": [1e6, 2e6], "risk_index": [0.4, 0.2]})
    >>> [t.name for t in scenario_bars(t, metrics=["net_value", "risk_index"]).data]
    ['Net value (USD)', 'Exposure risk index (0 = none, 100 = highest)']
    """
    chart = "scenario_bars"
    metrics = list(metrics) if not isinstance(metrics, str) else [metrics]
    if not metrics:
        raise ValueError(f"The 'metrics' parameter of {chart} must name at least one column. Got [] instead.")
    check_frame(table, name="table", chart=chart, columns=["name", *metrics], numeric=metrics)
    if table.height > len(SERIES_COLORS):
        raise ValueError(f"The 'table' parameter of {chart} must have at most {len(SERIES_COLORS)} "
                         f"scenarios. Got {table.height} instead.")
    labels = {m: (labels or {}).get(m) or label_for(m) for m in metrics}
    title = title or "The scenarios side by side"
    if table.height == 0:
        return empty_figure(title)
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=[labels[m] for m in metrics],
                        horizontal_spacing=0.08)
    style(fig, title, height=440)
    names = [str(n) for n in table["name"].to_list()]
    colors = [SERIES_COLORS[i] for i in range(len(names))]
    for col, metric in enumerate(metrics, start=1):
        money = unit_of(labels[metric]) == "USD"
        values = table[metric].to_numpy().astype(float)
        text = format_moneys(values) if money else [format_number(v) for v in values.tolist()]
        fig.add_trace(go.Bar(x=names, y=round_sig(values), name=labels[metric],
                             marker={"color": colors}, text=text, textposition="outside", cliponaxis=False,
                             hovertemplate=f"<b>%{{x}}</b><br>{labels[metric]}: %{{y:,.4~g}}<extra></extra>"),
                      row=1, col=col)
        fig.update_yaxes(title_text=unit_of(labels[metric]), row=1, col=col, title_standoff=4)
        if money:
            ticks, tick_text = linear_money_ticks(float(min(values.min(), 0)), float(max(values.max(), 0)))
            fig.update_yaxes(tickvals=ticks, ticktext=tick_text, row=1, col=col)
    fig.update_annotations(font={"size": 12})
    fig.update_layout(showlegend=False)
    return fig
