"""Charts in money: loss exceedance, loss distribution, waterfall, mitigations, trust tornado."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
import polars as pl

from analysis.charts.style import (
    GAIN_COLOR,
    NEUTRAL_COLOR,
    PALETTE,
    RISK_COLOR,
    TOTAL_COLOR,
    check_frame,
    downsample_index,
    empty_figure,
    format_money,
    format_moneys,
    legend_below,
    linear_money_ticks,
    log_money_ticks,
    new_figure,
    note,
    round_sig,
    scenario_colors,
    wrap_title,
)

_PLOT_HEIGHT = 330

_PERCENTILE_COLORS = (PALETTE["orange"], PALETTE["vermillion"], PALETTE["reddish_purple"],
                      PALETTE["sky_blue"], PALETTE["bluish_green"])


def _money_axis(fig: go.Figure, values: np.ndarray, *, axis: str = "x", log: bool = False) -> None:
    values = np.asarray(values, dtype=float)
    if log:
        ticks, text = log_money_ticks(float(values.min()), float(values.max()))
    else:
        ticks, text = linear_money_ticks(float(min(values.min(), 0)), float(max(values.max(), 0)))
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(type="log" if log else "linear", tickvals=ticks, ticktext=text)


def exceedance_chart(curves: pl.DataFrame, *, tolerance: pl.DataFrame | None = None,
                     title: str | None = None) -> go.Figure:
    """Loss exceedance curves: the chance per year that breach losses exceed each amount.

    Parameters
    ----------
    curves : pl.DataFrame
        ``scenario``, ``loss`` (USD), ``probability_exceeded`` (0–1). Losses of $0 are left out (log axis).
    tolerance : pl.DataFrame, optional
        The business's risk tolerance: ``loss`` (USD) and ``probability`` (0–1), drawn dashed.

    Examples
    --------
    >>> import polars as pl
    >>> c = pl.DataFrame({"scenario": ["A"] * 3, "loss": [1e4, 1e5, 1e6],
    ...                   "probability_exceeded": [0.5, 0.1, 0.01]})
    >>> fig = exceedance_chart(c, tolerance=pl.DataFrame({"loss": [1e4, 1e6], "probability": [0.3, 0.02]}))
    >>> [t.name for t in fig.data]
    ['A', 'Risk tolerance (the most the business accepts)']
    """
    chart = "exceedance_chart"
    check_frame(curves, name="curves", chart=chart, columns=["scenario", "loss", "probability_exceeded"],
                numeric=["loss", "probability_exceeded"])
    _check_probability(curves["probability_exceeded"], "probability_exceeded", "curves", chart)
    _check_non_negative(curves["loss"], "loss", "curves", chart)
    if tolerance is not None:
        check_frame(tolerance, name="tolerance", chart=chart, columns=["loss", "probability"],
                    numeric=["loss", "probability"])
        _check_probability(tolerance["probability"], "probability", "tolerance", chart)
    title = title or "Chance that a year's breach losses exceed each amount"
    positive = curves.filter(pl.col("loss") > 0)
    if positive.height == 0:
        return empty_figure(title, "No simulated loss above $0 to show.")
    fig = new_figure(title, x_title="Yearly breach loss (USD, log scale)",
                     y_title="Chance losses exceed this amount (% per year)", height=500)
    all_losses = [positive["loss"].to_numpy()]
    scenarios = positive["scenario"].unique(maintain_order=True).to_list()
    colors = scenario_colors(scenarios)
    for scenario in scenarios:
        part = positive.filter(pl.col("scenario") == scenario).sort("loss")
        part = part[downsample_index(part.height)]
        fig.add_trace(go.Scatter(
            x=round_sig(part["loss"]), y=round_sig(part["probability_exceeded"] * 100), mode="lines",
            name=str(scenario), line={"color": colors[str(scenario)], "width": 2.5},
            customdata=format_moneys(part["loss"]),
            hovertemplate=f"<b>{scenario}</b><br>Losses above %{{customdata}}: %{{y:.3~g}} % chance a year"
                          "<extra></extra>"))
    if tolerance is not None:
        line = tolerance.filter(pl.col("loss") > 0).sort("loss")
        line = line[downsample_index(line.height)]
        if line.height:
            all_losses.append(line["loss"].to_numpy())
            fig.add_trace(go.Scatter(
                x=round_sig(line["loss"]), y=round_sig(line["probability"] * 100), mode="lines",
                name="Risk tolerance (the most the business accepts)",
                line={"color": NEUTRAL_COLOR, "width": 2.5, "dash": "dash"},
                customdata=format_moneys(line["loss"]),
                hovertemplate="<b>Risk tolerance</b><br>Losses above %{customdata}: at most %{y:.3~g} % "
                              "a year<extra></extra>"))
    _money_axis(fig, np.concatenate(all_losses), log=True)
    _percent_axis_from_zero(fig, [t.y for t in fig.data])
    legend_below(fig, rows=len(fig.data), plot_height=_PLOT_HEIGHT)
    note(fig, "above the dashed line: more risk than the business accepts" if tolerance is not None
         else "lower and further left is safer", x=0, y=1.01, name="reading hint")
    return fig


def loss_distribution_chart(losses: np.ndarray | pl.DataFrame, *, percentiles: Mapping[str, float],
                            bins: int = 40, title: str | None = None) -> go.Figure:
    """Histogram of simulated yearly losses (log-spaced bins) with percentile lines.

    Only the binned shares reach the figure, never the simulated values themselves.

    Parameters
    ----------
    losses : np.ndarray or pl.DataFrame
        Simulated yearly losses in USD (a 1-D array, or a frame with a ``loss`` column).
    percentiles : mapping of str to float
        Lines to draw, e.g. ``{"median (p50)": 2e5, "p90": 1.1e6, "p95": 2.3e6}``.
    bins : int
        Number of log-spaced bins over the positive losses.

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.random.default_rng(0).lognormal(12, 1, 1000)
    >>> fig = loss_distribution_chart(draws, percentiles={"p95": float(np.quantile(draws, 0.95))})
    >>> [t.name for t in fig.data][0]
    'Simulated years'
    """
    chart = "loss_distribution_chart"
    if isinstance(losses, pl.DataFrame):
        check_frame(losses, name="losses", chart=chart, columns=["loss"], numeric=["loss"])
        values = losses["loss"].to_numpy().astype(float)
    elif isinstance(losses, np.ndarray) and losses.ndim == 1:
        values = losses.astype(float)
    else:
        raise ValueError(f"The 'losses' parameter of {chart} must be a 1-D numpy array or a polars "
                         f"DataFrame with a 'loss' column. Got {type(losses).__name__} instead.")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"The 'losses' parameter of {chart} must hold finite amounts ≥ 0. "
                         f"Got {int((~np.isfinite(values) | (values < 0)).sum())} other values instead.")
    if not isinstance(bins, int) or bins < 2:
        raise ValueError(f"The 'bins' parameter of {chart} must be an int ≥ 2. Got {bins!r} instead.")
    if not isinstance(percentiles, Mapping):
        raise ValueError(f"The 'percentiles' parameter of {chart} must be a mapping of label to amount. "
                         f"Got {type(percentiles).__name__} instead.")
    for label, amount in percentiles.items():
        if not isinstance(amount, (int, float)) or not np.isfinite(amount) or amount < 0:
            raise ValueError(f"The '{label}' percentile of {chart} must be a finite amount ≥ 0. "
                             f"Got {amount!r} instead.")
    title = title or "How large a year's breach losses could be (simulated years)"
    positive = values[values > 0]
    if values.size == 0 or positive.size == 0:
        return empty_figure(title, "No simulated year had a breach loss.")
    low, high = float(positive.min()), float(positive.max())
    if high <= low * 1.0001:
        low, high = low * 0.9, high * 1.1
    edges = np.geomspace(low, high, bins + 1)
    counts, _ = np.histogram(positive, bins=edges)
    shares = counts / values.size * 100
    fig = new_figure(title, x_title="Yearly breach loss (USD, log scale)",
                     y_title="Share of simulated years (%)")
    starts, ends = format_moneys(edges[:-1]), format_moneys(edges[1:])
    fig.add_trace(go.Scatter(
        x=round_sig(edges), y=round_sig(np.append(shares, shares[-1])), mode="lines", line_shape="hv",
        fill="tozeroy", name="Simulated years", line={"color": TOTAL_COLOR, "width": 1.5},
        customdata=[f"{a} to {b}" for a, b in zip(starts + [ends[-1]], ends + [ends[-1]])],
        hovertemplate="Losses %{customdata}: %{y:.3~g} % of years<extra></extra>"))
    top = float(shares.max()) * 1.1
    zero_labels = []
    for index, (label, amount) in enumerate(percentiles.items()):
        if amount <= 0:
            zero_labels.append(f"{label}: $0")
            continue
        fig.add_trace(go.Scatter(
            x=round_sig([amount, amount]), y=[0, round_sig([top])[0]], mode="lines",
            name=f"{label}: {format_money(amount)}",
            line={"color": _PERCENTILE_COLORS[index % len(_PERCENTILE_COLORS)], "width": 2, "dash": "dash"},
            hovertemplate=f"{label}: {format_money(amount)}<extra></extra>"))
    _money_axis(fig, np.array([low, high, *[a for a in percentiles.values() if a > 0]]), log=True)
    _percent_axis_from_zero(fig, [t.y for t in fig.data])
    zero_share = (values.size - positive.size) / values.size * 100
    text = f"{zero_share:.3g} % of simulated years had no breach loss (not drawn)"
    if zero_labels:
        text += "; " + ", ".join(zero_labels)
    note(fig, text, x=1, y=1.01, xanchor="right", name="no-loss years")
    return fig


def waterfall_chart(steps: pl.DataFrame, *, y_label: str = "Value over the horizon (USD)",
                    title: str | None = None) -> go.Figure:
    """From the gross value of personalization to its net value, step by step.

    Parameters
    ----------
    steps : pl.DataFrame
        ``step`` (words), ``amount`` (USD, signed), ``kind`` ("relative" adds the amount, "total" shows the
        running sum so far — its amount must equal that sum).

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.DataFrame({"step": ["Gross engagement value", "Expected breach loss", "Net value"],
    ...                   "amount": [1e6, -2e5, 8e5], "kind": ["relative", "relative", "total"]})
    >>> waterfall_chart(s).data[0].measure
    ('relative', 'relative', 'total')
    """
    chart = "waterfall_chart"
    check_frame(steps, name="steps", chart=chart, columns=["step", "amount", "kind"], numeric=["amount"])
    bad_kind = steps.filter(~pl.col("kind").is_in(["relative", "total"]))
    if bad_kind.height:
        raise ValueError(f"The 'kind' of step '{bad_kind['step'][0]}' in {chart} must be 'relative' or "
                         f"'total'. Got {bad_kind['kind'][0]!r} instead.")
    title = title or "From the gross value of personalization to its net value"
    if steps.height == 0:
        return empty_figure(title)
    amounts = steps["amount"].to_numpy().astype(float)
    is_total = (steps["kind"] == "total").to_numpy()
    running = np.cumsum(np.where(is_total, 0.0, amounts))
    tolerance = max(1.0, 1e-4 * float(np.abs(running).max()))
    wrong = np.flatnonzero(is_total & (np.abs(amounts - running) > tolerance))
    if wrong.size:
        i = int(wrong[0])
        raise ValueError(f"The 'amount' of total step '{steps['step'][i]}' in {chart} must equal the sum "
                         f"of the steps before it, {running[i]:,.0f}. Got {amounts[i]:,.0f} instead.")
    fig = new_figure(title, x_title="Step (from gross to net value)", y_title=y_label, height=480)
    fig.add_trace(go.Waterfall(
        x=steps["step"].to_list(), y=round_sig(amounts), measure=steps["kind"].to_list(), name="Value",
        text=format_moneys(amounts), textposition="outside",
        increasing={"marker": {"color": GAIN_COLOR}}, decreasing={"marker": {"color": RISK_COLOR}},
        totals={"marker": {"color": TOTAL_COLOR}}, connector={"line": {"color": NEUTRAL_COLOR, "width": 1}},
        hovertemplate="<b>%{x}</b><br>%{text}<extra></extra>"))
    _money_axis(fig, np.concatenate([running, amounts, [0.0]]), axis="y")
    fig.update_layout(showlegend=False)
    return fig


def _as_produced(table: pl.DataFrame, name: str, renames: dict[str, str]) -> pl.DataFrame:
    """Accept the table as analysis produces it (``mitigation_value``, ``trust_sensitivity``): its readable
    ``label`` becomes the bar name and its value columns are renamed to the chart's; other tables pass through."""
    if not set(renames) <= set(table.columns):
        return table
    label = "label" if "label" in table.columns else name
    return table.select(pl.col(label).alias(name), *[pl.col(a).alias(b) for a, b in renames.items()])


def mitigation_chart(table: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """What each safeguard saves in expected yearly breach loss (horizontal bars, biggest on top).

    Parameters
    ----------
    table : pl.DataFrame
        ``mitigation``, ``expected_loss_without``, ``expected_loss_with``, ``saving`` (all USD a year).

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"mitigation": ["encryption", "pseudonymization"],
    ...                   "expected_loss_without": [5e5, 4e5],
    ...                   "expected_loss_with": [3e5, 3.5e5], "saving": [2e5, 5e4]})
    >>> mitigation_chart(t).data[0].y
    ('pseudonymization', 'encryption')
    """
    chart = "mitigation_chart"
    table = _as_produced(table, "mitigation", {"expected_loss_off": "expected_loss_without",
                                               "expected_loss_on": "expected_loss_with", "value": "saving"})
    money = ["expected_loss_without", "expected_loss_with", "saving"]
    check_frame(table, name="table", chart=chart, columns=["mitigation", *money], numeric=money)
    title = title or "What each safeguard saves in expected yearly breach loss"
    if table.height == 0:
        return empty_figure(title)
    rows = table.sort("saving")  # plotly draws the first category at the bottom
    fig = new_figure(title, x_title="Expected yearly loss saved (USD per year)",
                     y_title="Safeguard (mitigation)", height=max(320, 120 + 45 * rows.height))
    fig.add_trace(go.Bar(
        x=round_sig(rows["saving"]), y=rows["mitigation"].to_list(), orientation="h",
        name="Expected yearly loss saved", marker={"color": GAIN_COLOR},
        text=format_moneys(rows["saving"]), textposition="auto",
        customdata=np.column_stack([format_moneys(rows["expected_loss_without"]),
                                    format_moneys(rows["expected_loss_with"])]),
        hovertemplate="<b>%{y}</b><br>saves %{text} a year<br>expected loss without it: %{customdata[0]}"
                      "<br>with it: %{customdata[1]}<extra></extra>"))
    _money_axis(fig, rows["saving"].to_numpy())
    fig.update_layout(showlegend=False)
    return fig


def trust_tornado_chart(table: pl.DataFrame, *, value_label: str = "Net value over the horizon (USD)",
                        title: str | None = None) -> go.Figure:
    """Sensitivity of net value to each trust assumption: bars from the base case to low and high ends.

    Parameters
    ----------
    table : pl.DataFrame
        ``parameter`` (the assumption in words), ``low_value`` and ``high_value`` (the result with the
        assumption at the low / high end of its range), ``base`` (the base-case result, same on every row).

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"parameter": ["churn after breach", "loyalty lift"], "low_value": [9e5, 9.5e5],
    ...                   "high_value": [1.2e6, 1.05e6], "base": [1e6, 1e6]})
    >>> trust_tornado_chart(t).data[0].y
    ('loyalty lift', 'churn after breach')
    """
    chart = "trust_tornado_chart"
    table = _as_produced(table, "parameter", {"net_value_at_low": "low_value", "net_value_at_high": "high_value",
                                              "net_value_base": "base"})
    money = ["low_value", "high_value", "base"]
    check_frame(table, name="table", chart=chart, columns=["parameter", *money], numeric=money)
    title = title or "Which trust assumption moves net value the most"
    if table.height == 0:
        return empty_figure(title)
    base_values = table["base"].to_numpy().astype(float)
    base = float(base_values[0])
    if np.abs(base_values - base).max() > max(1.0, 1e-6 * abs(base)):
        raise ValueError(f"The 'base' column of 'table' in {chart} must be the same on every row. "
                         f"Got values from {base_values.min():,.0f} to {base_values.max():,.0f} instead.")
    rows = table.with_columns((pl.col("high_value") - pl.col("low_value")).abs().alias("swing")).sort("swing")
    # each assumption's name is written above its bar across the whole width, in short lines (long names are
    # sentences: as tick labels they would squeeze the plot on a phone), and each row has a fixed height
    names = rows["parameter"].to_list()
    shown = ["<br>".join(wrap_title(str(p), TORNADO_LABEL_CHARS)) for p in names]
    lines = max(s.count("<br>") + 1 for s in shown)
    row_px = _TORNADO_BAR + lines * _LABEL_LINE + 10
    fig = new_figure(title, x_title=value_label, y_title="", height=100)
    for column, name, color in (("low_value", "Assumption at the low end of its range", PALETTE["sky_blue"]),
                                ("high_value", "Assumption at the high end of its range", PALETTE["blue"])):
        values = rows[column].to_numpy().astype(float)
        fig.add_trace(go.Bar(
            x=round_sig(values - base), base=round_sig(np.full(values.size, base)),
            y=names, orientation="h", name=name, marker={"color": color}, width=_TORNADO_BAR / row_px,
            customdata=format_moneys(values),
            hovertemplate=f"<b>%{{y}}</b><br>{name.lower()}: %{{customdata}}<extra></extra>"))
    for parameter, text in zip(names, shown):
        fig.add_annotation(x=0, xref="paper", xanchor="left", y=parameter, yref="y", yanchor="bottom",
                           yshift=_TORNADO_BAR / 2 + 2, text=text, showarrow=False, align="left",
                           font={"size": 12}, name=f"assumption {parameter}")
    # the base case: a dashed mark across each bar only, so it never runs through a name
    half = 0.5 * _TORNADO_BAR / row_px + 0.04
    for i in range(rows.height):
        fig.add_shape(type="line", x0=base, x1=base, y0=i - half, y1=i + half, xref="x", yref="y",
                      line={"color": NEUTRAL_COLOR, "dash": "dot", "width": 2}, name="base case")
    fig.add_annotation(x=base, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"base case (dotted) {format_money(base)}", name="base case")
    fig.update_layout(barmode="overlay")
    all_values = np.concatenate([rows["low_value"].to_numpy(), rows["high_value"].to_numpy(), [base]])
    # three or four ticks: their money labels fit side by side on the narrowest plot (about 240 px)
    ticks, text = linear_money_ticks(float(all_values.min()), float(all_values.max()), count=2)
    fig.update_xaxes(tickvals=ticks, ticktext=text)
    # the first row's name sits inside the plot: the range leaves room above the top bar for it
    span = [-(_TORNADO_BAR / 2 + 6) / row_px, rows.height - 1 + (_TORNADO_BAR / 2 + 8 + lines * _LABEL_LINE) / row_px]
    fig.update_yaxes(showgrid=False, showticklabels=False, range=span)
    fig.update_layout(margin={"l": 16, "r": 24})
    legend_below(fig, rows=2, plot_height=round(row_px * (span[1] - span[0])), below_axis=62)
    return fig


#: characters per line of an assumption's name over its bar (it must fit a phone's plot, about 240 px)
TORNADO_LABEL_CHARS = 40
_TORNADO_BAR = 20
_LABEL_LINE = 15


def _percent_axis_from_zero(fig: go.Figure, series: list) -> None:
    """A % axis from 0 with a little room below it, so the "0 %" tick label clears the x-axis labels in the
    corner."""
    top = max([float(np.nanmax(np.asarray(v, dtype=float))) for v in series if v is not None and len(v)] + [1e-9])
    fig.update_yaxes(range=[-0.06 * top * 1.05, top * 1.05], ticksuffix=" %")


def _check_probability(values: pl.Series, column: str, name: str, chart: str) -> None:
    if values.len() and (values.min() < 0 or values.max() > 1):
        raise ValueError(f"The '{column}' column of '{name}' in {chart} must lie in [0, 1]. "
                         f"Got values from {values.min()} to {values.max()} instead.")


def _check_non_negative(values: pl.Series, column: str, name: str, chart: str) -> None:
    if values.len() and values.min() < 0:
        raise ValueError(f"The '{column}' column of '{name}' in {chart} must be ≥ 0. "
                         f"Got {values.min()} instead.")
