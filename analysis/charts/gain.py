"""Charts of gain against risk: frontier, sweeps, lift curves, scenario bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from analysis.charts.style import (
    NEUTRAL_COLOR,
    SERIES_COLORS,
    check_choice,
    check_frame,
    downsample_index,
    empty_figure,
    format_moneys,
    format_number,
    legend_below,
    linear_money_ticks,
    log_ticks,
    new_figure,
    note,
    round_sig,
    scenario_colors,
    style,
    wrap_title,
)
from analysis.tradeoff.columns import COLUMNS

#: Axis labels (with units) of the columns charts draw that are not trade-off columns (those come from the column
#: registry, :data:`analysis.tradeoff.columns.COLUMNS`)
KNOWN_LABELS = {
    "incremental_value": "Incremental value (USD)",
    "p95": "Yearly breach loss, 1-in-20 bad year (USD, p95)",
}


def label_for(column: str) -> str:
    """The axis label of a column: a trade-off column's heading (label and unit), a known one's label, else its
    name in words."""
    if column in COLUMNS:
        return COLUMNS[column].heading
    return KNOWN_LABELS.get(column, column.replace("_", " ").capitalize())


def _unit(column: str, label: str) -> str:
    """The unit of a panel: the trade-off column's own when the label is its heading, else the label's."""
    if column in COLUMNS and label == COLUMNS[column].heading:
        return COLUMNS[column].unit
    return unit_of(label)


def unit_of(label: str) -> str:
    """The unit inside the last parentheses of a label ("Net value (USD)" -> "USD")."""
    start, end = label.rfind("("), label.rfind(")")
    return label[start + 1:end] if 0 <= start < end else "value"


def _first_seen(series: pl.Series) -> list:
    return series.unique(maintain_order=True).to_list()


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
    "qini": ("Extra responders among the test customers (Qini, customers)",
             "Extra customers won when the model picks who to target, against random picks"),
    "uplift": ("Extra responders among the test customers (uplift curve, customers)",
               "Extra responses from targeting with the model, against random targeting"),
    "gains": ("Responders reached among the test customers (cumulative gains, customers)",
              "Responders reached when the model picks who to contact, against random picks"),
}
#: what the y-axis counts, said on the chart: the curve is measured on the held-out split, the headline is not
CURVE_SCALE_NOTE = ("Counted on the held-out test customers only, so smaller than the headline figure (per "
                    "campaign, over the whole customer base). Dashed: random targeting (the baseline).")
_PLOT_HEIGHT = 330


def lift_curve_chart(curves: pl.DataFrame, *, kind: str = "qini", y_label: str | None = None,
                     title: str | None = None, scale_note: str = CURVE_SCALE_NOTE) -> go.Figure:
    """Qini / uplift / cumulative gains curves per scenario, each with its random-targeting baseline.

    Parameters
    ----------
    curves : pl.DataFrame
        ``scenario``, ``fraction_targeted`` (0–1), ``value`` (the curve), ``random`` (the baseline).
    kind : {"qini", "uplift", "gains"}
        Which curve the values are; sets the default axis label and title.
    scale_note : str
        What the y-axis counts, shown above the plot (by default: customers of the held-out test split, not
        the whole base like the headline per campaign).

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
    colors = scenario_colors(scenarios)
    fig = new_figure(title, x_title="% of customers targeted (ranked by the model)", y_title=y_label)
    for scenario in scenarios:
        part = curves.filter(pl.col("scenario") == scenario).sort("fraction_targeted")
        part = part[downsample_index(part.height)]
        color = colors[str(scenario)]
        x = round_sig(part["fraction_targeted"] * 100)
        fig.add_trace(go.Scatter(x=x, y=round_sig(part["value"]), mode="lines", name=str(scenario),
                                 legendgroup=str(scenario), line={"color": color, "width": 2.5},
                                 hovertemplate=f"<b>{scenario}</b><br>%{{x:.0f}} % targeted<br>"
                                 f"{y_label}: %{{y:,.4~g}}<extra></extra>"))
        fig.add_trace(go.Scatter(x=x, y=round_sig(part["random"]), mode="lines", showlegend=False,
                                 name=f"{scenario}: random targeting", legendgroup=str(scenario),
                                 line={"color": color, "width": 1.5, "dash": "dash"}, opacity=0.75,
                                 hovertemplate=f"<b>{scenario}, random targeting</b><br>%{{x:.0f}} % "
                                 f"targeted<br>{y_label}: %{{y:,.4~g}}<extra></extra>"))
    fig.update_xaxes(range=[0, 100], ticksuffix=" %")
    legend_below(fig, rows=len(scenarios), plot_height=_PLOT_HEIGHT)
    note(fig, scale_note, x=0, y=1.01, name="scale", width=56)
    return fig


def scenario_bars(table: pl.DataFrame, *, metrics: Sequence[str],
                  labels: Mapping[str, str] | None = None, title: str | None = None) -> go.Figure:
    """Two to a few scenarios side by side: one panel per metric (each with its own unit), stacked, with one
    horizontal bar per scenario in the scenario's colour and its value written after the bar.

    Bars are rows of a fixed height, so names and values never run into each other at any width.

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
    ['Net value over the horizon (USD)', 'Exposure index (0–100)']
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
    names = [str(n) for n in table["name"].to_list()]
    colors = scenario_colors(names)
    # one row of bars per scenario (first scenario on top), a panel title above each panel
    panel = _BAR_ROW * len(names) + 20
    gap = 72  # room for this panel's tick labels and unit, and the next panel's title
    fig = make_subplots(rows=len(metrics), cols=1, subplot_titles=[labels[m] for m in metrics],
                        vertical_spacing=gap / (panel * len(metrics) + gap * (len(metrics) - 1)))
    style(fig, title, height=100)
    top = int(fig.layout.margin.t)
    fig.update_layout(height=top + panel * len(metrics) + gap * (len(metrics) - 1) + 40,
                      margin={"t": top, "b": 40, "r": 90})
    shown = [_wrap_name(n) for n in names]
    for row, metric in enumerate(metrics, start=1):
        unit = _unit(metric, labels[metric])
        money = unit == "USD"
        values = table[metric].to_numpy().astype(float)
        text = format_moneys(values) if money else [format_number(v) for v in values.tolist()]
        fig.add_trace(go.Bar(y=names, x=round_sig(values), name=labels[metric], orientation="h",
                             marker={"color": [colors[n] for n in names]}, text=text, textposition="none",
                             hovertemplate=f"<b>%{{y}}</b><br>{labels[metric]}: %{{x:,.4~g}}<extra></extra>"),
                      row=row, col=1)
        # each value is written right of its bar, or right of the zero line for a negative bar: never over
        # the names on the left, and alone in its row
        axis = "" if row == 1 else str(row)
        for name, value, words in zip(names, values.tolist(), text):
            fig.add_annotation(x=max(value, 0.0), y=name, xref=f"x{axis}", yref=f"y{axis}", text=words,
                               xanchor="left", xshift=4, showarrow=False, font={"size": 12},
                               name=f"value {metric} {name}")
        fig.update_yaxes(autorange="reversed", row=row, col=1, showgrid=False, tickmode="array", tickvals=names,
                         ticktext=shown)
        low, high = float(min(values.min(), 0)), float(max(values.max(), 0))
        if money:
            ticks, tick_text = linear_money_ticks(low, high, count=2)
            fig.update_xaxes(tickvals=ticks, ticktext=tick_text, row=row, col=1)
        else:
            fig.update_xaxes(nticks=4, row=row, col=1)
        fig.update_xaxes(title_text=unit, title_standoff=6, title_font={"size": 11},
                         row=row, col=1)
        span = high - low or 1.0
        fig.update_xaxes(range=[low - 0.02 * span, high + 0.02 * span], row=row, col=1)
    fig.for_each_annotation(lambda a: a.update(font={"size": 12}, xanchor="left", x=0),
                            selector=lambda a: not (a.name or "").startswith("value "))
    fig.update_layout(showlegend=False, bargap=0.3)
    return fig


#: px per scenario row in :func:`scenario_bars`
_BAR_ROW = 34


def _wrap_name(name: str, width: int = 24) -> str:
    """A scenario name broken into lines of at most ``width`` characters for a tick label."""
    return "<br>".join(wrap_title(name, width))
