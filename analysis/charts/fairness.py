"""Who is targeted: the selection-rate ratio of every audited attribute against the four-fifths line."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from analysis.charts.style import (
    NEUTRAL_COLOR, RISK_COLOR, TOTAL_COLOR, check_frame, empty_figure, new_figure, note, round_sig,
)

#: the four-fifths rule's line (EEOC Uniform Guidelines on Employee Selection Procedures 1978, 29 CFR 1607.4(D))
FOUR_FIFTHS_LINE = 0.8


def fairness_chart(ratios: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Selection-rate ratio (lowest ÷ highest group) of each audited attribute, with its interval, the
    four-fifths line at 0.8 and equal rates at 1. Bars under the line are drawn in the risk colour.

    Parameters
    ----------
    ratios : pl.DataFrame
        ``attribute``, ``ratio`` (null: too few customers to compare); optional ``ratio_ci_low``,
        ``ratio_ci_high`` and ``used_by_model`` (bool) — as :meth:`analysis.fairness.FairnessAudit.ratios`.

    Examples
    --------
    >>> import polars as pl
    >>> r = pl.DataFrame({"attribute": ["health_interest", "gender"], "ratio": [0.57, 0.93]})
    >>> fig = fairness_chart(r)
    >>> fig.data[0].y, fig.data[0].marker.color
    (('health_interest', 'gender'), ('#D55E00', '#0072B2'))
    """
    chart = "fairness_chart"
    check_frame(ratios, name="ratios", chart=chart, columns=["attribute", "ratio"],
                numeric=["ratio", "ratio_ci_low", "ratio_ci_high"],
                nullable=["ratio", "ratio_ci_low", "ratio_ci_high"])
    title = title or "Who is targeted: selection-rate ratio of each audited attribute"
    if ratios.height == 0:
        return empty_figure(title)
    rows = ratios.with_columns(pl.col("ratio").fill_nan(None))
    values = rows["ratio"].to_list()
    names = rows["attribute"].to_list()
    used = rows["used_by_model"].to_list() if "used_by_model" in rows.columns else [None] * rows.height
    labels = [n if u is None else f"{n} ({'used by the model' if u else 'not used'})" for n, u in zip(names, used)]
    fig = new_figure(title, x_title="Selection-rate ratio (1 = equal)",
                     y_title="Audited attribute (sensitive or protected)", height=max(320, 140 + 44 * rows.height))
    error = None
    if {"ratio_ci_low", "ratio_ci_high"} <= set(rows.columns):
        low, high = rows["ratio_ci_low"].to_list(), rows["ratio_ci_high"].to_list()
        error = {"type": "data", "symmetric": False, "color": NEUTRAL_COLOR,
                 "array": [None if v is None or h is None else round_sig([max(0.0, h - v)])[0]
                           for v, h in zip(values, high)],
                 "arrayminus": [None if v is None or lo is None else round_sig([max(0.0, v - lo)])[0]
                                for v, lo in zip(values, low)]}
    colors = [TOTAL_COLOR if v is None or v >= FOUR_FIFTHS_LINE - 1e-12 else RISK_COLOR for v in values]
    fig.add_trace(go.Bar(
        x=[None if v is None else round_sig([v])[0] for v in values], y=names, orientation="h",
        name="Selection-rate ratio", marker={"color": colors}, error_x=error, customdata=labels,
        hovertemplate="<b>%{customdata}</b><br>ratio %{x:.2f}<extra></extra>"))
    top = max([1.05] + [v for v in (rows["ratio_ci_high"].to_list() if error else values) if v is not None])
    fig.add_vline(x=FOUR_FIFTHS_LINE, line={"color": RISK_COLOR, "dash": "dash", "width": 2},
                  name="four-fifths line")
    fig.add_vline(x=1.0, line={"color": NEUTRAL_COLOR, "dash": "dot", "width": 1}, name="equal rates")
    # the lines' labels go in an empty row above the first bar: clear of every bar, error bar and name, and
    # short enough to sit between the two lines on a phone
    for x, text, side, color in ((FOUR_FIFTHS_LINE, "4/5 line", "right", RISK_COLOR),
                                 (1.0, "equal", "left", NEUTRAL_COLOR)):
        fig.add_annotation(x=x, xref="x", y=1, yref="y domain", text=text, showarrow=False, xanchor=side,
                           yanchor="top", xshift=-3 if side == "right" else 3, font={"color": color},
                           name=f"{text} label")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names,
                     range=[rows.height - 0.5, -1.5])  # reversed (first attribute on top), one free row above
    fig.update_xaxes(range=[0, min(2.0, top * 1.05)])
    missing = [n for n, v in zip(names, values) if v is None]
    hint = ("ratio = least ÷ most targeted group's selection rate. A bar left of the dashed four-fifths line "
            "(0.8, EEOC 1978): a group is targeted at under 4/5 of another's rate")
    if missing:
        hint += f"; too few customers to compare: {', '.join(missing)}"
    note(fig, hint, x=0, y=1.01, name="reading hint")
    fig.update_layout(showlegend=False)
    return fig
