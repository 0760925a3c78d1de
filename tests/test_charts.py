"""Tests of analysis.charts: the figures' data, names, baselines and axis titles (not pixels)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import charts
from analysis.tradeoff.columns import COLUMNS
from analysis.charts.style import (
    NEUTRAL_COLOR,
    RISK_COLOR,
    TOTAL_COLOR,
    downsample_index,
    format_money,
    log_money_ticks,
    round_sig,
)
from analysis.charts import (
    CHARTS,
    PALETTE,
    chart_data,
    class_size_chart,
    exceedance_chart,
    fairness_chart,
    frontier_chart,
    lift_curve_chart,
    loss_distribution_chart,
    mitigation_chart,
    risk_by_quasi_chart,
    scenario_bars,
    sweep_chart,
    to_png,
    trust_tornado_chart,
    waterfall_chart,
)

RNG_SEED = 20240607


# ------------------------------------------------------------------ sample data
def frontier_points() -> pl.DataFrame:
    return pl.DataFrame({
        "name": ["Status quo", "Minimal data", "Consent only", "Everything", "Coarse geo"],
        "incremental_conversions": [410.0, 300.0, 350.0, 430.0, 330.0],
        "risk_index": [0.62, 0.18, 0.35, 0.9, 0.4],
        "on_frontier": [True, True, True, True, False],
        "gain_ci_low": [380.0, 270.0, 320.0, 400.0, 300.0],
        "gain_ci_high": [440.0, 330.0, 380.0, 460.0, 360.0],
    })


def sweep_data(points: int = 8) -> pl.DataFrame:
    eps = np.geomspace(0.05, 20, points)
    gain = 100 * (1 - np.exp(-eps))
    risk = 0.2 * (1 - np.exp(-eps / 5))
    return pl.DataFrame({
        "epsilon": np.concatenate([eps[::-1], eps]),  # unsorted on purpose
        "metric": ["Gain retained (%)"] * points + ["Membership advantage (0–1)"] * points,
        "value": np.concatenate([gain[::-1], risk]),
        "ci_low": np.concatenate([gain[::-1] - 5, risk - 0.01]),
        "ci_high": np.concatenate([gain[::-1] + 5, risk + 0.01]),
    })


def exceedance_data(points: int = 50) -> pl.DataFrame:
    loss = np.concatenate([[0.0], np.geomspace(1e4, 5e7, points - 1)])
    return pl.DataFrame({
        "scenario": ["Status quo"] * points + ["Minimal data"] * points,
        "loss": np.concatenate([loss, loss]),
        "probability_exceeded": np.concatenate([0.3 * np.exp(-loss / 5e6), 0.2 * np.exp(-loss / 1e6)]),
    })


TOLERANCE = pl.DataFrame({"loss": [1e5, 1e6, 1e7], "probability": [0.25, 0.1, 0.02]})


def simulated_losses(years: int = 20_000) -> np.ndarray:
    rng = np.random.default_rng(RNG_SEED)
    return np.where(rng.random(years) < 0.3, rng.lognormal(13, 1.2, years), 0.0)


def waterfall_steps() -> pl.DataFrame:
    return pl.DataFrame({
        "step": ["Gross engagement value", "Expected breach loss", "Trust churn", "Loyalty", "Net value"],
        "amount": [2.4e6, -6.1e5, -2.2e5, 3.0e5, 1.87e6],
        "kind": ["relative"] * 4 + ["total"],
    })


def lift_curves(points: int = 51) -> pl.DataFrame:
    fraction = np.linspace(0, 1, points)
    return pl.DataFrame({
        "scenario": ["Status quo"] * points + ["Minimal data"] * points,
        "fraction_targeted": np.concatenate([fraction, fraction]),
        "value": np.concatenate([400 * np.sqrt(fraction), 300 * fraction**0.6]),
        "random": np.concatenate([400 * fraction, 300 * fraction]),
    })


QUASI = pl.DataFrame({"quasi": ["age", "postcode", "gender"], "drop_if_removed": [0.12, 0.31, 0.02],
                      "drop_if_generalized": [0.08, 0.2, 0.0]})
SIZES = pl.DataFrame({"class_size": [1, 2, 3, 5, 12, 40], "records": [120, 300, 270, 500, 1200, 4000]})
BARS = pl.DataFrame({"name": ["Status quo", "Minimal data", "DP ε=1"], "net_value": [1.8e6, 1.5e6, 1.1e6],
                     "risk_index": [0.62, 0.18, 0.1]})
MITIGATIONS = pl.DataFrame({
    "mitigation": ["Encryption at rest", "Pseudonymization", "Shorter retention"],
    "expected_loss_without": [9e5, 7e5, 8e5], "expected_loss_with": [6e5, 6e5, 6e5],
    "saving": [3e5, 1e5, 2e5]})
TORNADO = pl.DataFrame({
    "parameter": ["Churn after a breach", "Loyalty from consented personalization", "Creepiness churn"],
    "low_value": [1.95e6, 1.7e6, 1.9e6], "high_value": [1.6e6, 2.1e6, 1.75e6], "base": [1.87e6] * 3})

RATIOS = pl.DataFrame({"attribute": ["health_interest", "gender", "age"], "ratio": [0.57, 0.93, None],
                       "ratio_ci_low": [0.53, 0.8, None], "ratio_ci_high": [0.62, 1.08, None],
                       "used_by_model": [False, True, True]})

#: One sample build per registered chart (the meta-test checks none is missing).
CASES = {
    "frontier_chart": lambda: frontier_chart(frontier_points(), current="Status quo"),
    "sweep_chart": lambda: sweep_chart(sweep_data(), x="epsilon", x_label="Privacy budget ε (log scale)",
                                       log_x=True, reference={"Gain retained (%)": 100}),
    "exceedance_chart": lambda: exceedance_chart(exceedance_data(), tolerance=TOLERANCE),
    "loss_distribution_chart": lambda: loss_distribution_chart(
        simulated_losses(), percentiles={"p50": 0.0, "p90": 7e5, "p95": 1.4e6}),
    "waterfall_chart": lambda: waterfall_chart(waterfall_steps()),
    "lift_curve_chart": lambda: lift_curve_chart(lift_curves(), kind="qini"),
    "risk_by_quasi_chart": lambda: risk_by_quasi_chart(QUASI),
    "class_size_chart": lambda: class_size_chart(SIZES, k=5),
    "scenario_bars": lambda: scenario_bars(BARS, metrics=["net_value", "risk_index"]),
    "mitigation_chart": lambda: mitigation_chart(MITIGATIONS),
    "trust_tornado_chart": lambda: trust_tornado_chart(TORNADO),
    "fairness_chart": lambda: fairness_chart(RATIOS),
}


def trace(fig: go.Figure, name: str):
    matches = [t for t in fig.data if t.name == name]
    assert len(matches) == 1, f"no single trace {name!r} in {[t.name for t in fig.data]}"
    return matches[0]


def annotation_texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def axis_titles(fig: go.Figure) -> list[str]:
    layout = fig.to_plotly_json()["layout"]
    return [axis["title"]["text"] for key, axis in layout.items()
            if key.startswith(("xaxis", "yaxis")) and axis.get("title", {}).get("text")]


# ------------------------------------------------------------------- registry
def test_every_registered_chart_has_a_case_and_a_description():
    names = [entry.name for entry in CHARTS]
    assert len(names) == len(set(names))
    assert set(names) == set(CASES)
    for entry in CHARTS:
        assert entry.build is getattr(charts, entry.name)
        assert entry.name in charts.__all__
        assert 20 < len(entry.description) < 140 and "\n" not in entry.description


@pytest.mark.parametrize("name", sorted(CASES))
def test_common_conventions(name):
    fig = CASES[name]()
    assert isinstance(fig, go.Figure)
    assert fig.layout.template.layout.to_plotly_json() == {}  # empty template: Streamlit's theme applies
    assert len(fig.layout.title.text) > 15
    titles = axis_titles(fig)
    assert titles, "no axis title"
    units = {c.unit for c in COLUMNS.values() if c.sheet_format is not None}  # a panel's title: its unit
    for title in titles:
        assert "(" in title or title in {"USD", "Trust assumption"} | units or "=" in title, title
    allowed = {c.upper() for c in PALETTE.values()} | {NEUTRAL_COLOR.upper()}
    for t in fig.data:
        colors = [t.line.color if hasattr(t, "line") and t.line else None]
        marker = getattr(t, "marker", None)
        if marker is not None and marker.color is not None:
            colors += list(marker.color) if isinstance(marker.color, tuple) else [marker.color]
        for color in colors:
            assert color is None or color.upper() in allowed, (t.name, color)
    assert len(pio.to_json(fig)) < 25_000
    data = chart_data(fig)
    assert data.columns == ["trace", "label", "x", "y"] and data.height > 0


def test_missing_column_names_it():
    for build, frame, column in (
        (frontier_chart, frontier_points().drop("risk_index"), "risk_index"),
        (lift_curve_chart, lift_curves().drop("random"), "random"),
        (exceedance_chart, exceedance_data().drop("probability_exceeded"), "probability_exceeded"),
        (waterfall_chart, waterfall_steps().drop("kind"), "kind"),
        (risk_by_quasi_chart, QUASI.drop("quasi"), "quasi"),
        (class_size_chart, SIZES.drop("records"), "records"),
        (mitigation_chart, MITIGATIONS.drop("saving"), "saving"),
        (trust_tornado_chart, TORNADO.drop("base"), "base"),
    ):
        with pytest.raises(ValueError, match=f"column '{column}'"):
            build(frame)
    with pytest.raises(ValueError, match="column 'metric'"):
        sweep_chart(sweep_data().drop("metric"), x="epsilon", x_label="ε")
    with pytest.raises(ValueError, match="column 'net_value'"):
        scenario_bars(BARS.drop("net_value"), metrics=["net_value"])
    with pytest.raises(ValueError, match="must be a polars DataFrame. Got dict instead"):
        frontier_chart({"name": ["a"]})


def test_empty_frames_give_an_empty_state_figure():
    fig = frontier_chart(frontier_points().clear())
    assert fig.data == () and "No data to show" in annotation_texts(fig)[0]
    assert exceedance_chart(exceedance_data().filter(pl.col("loss") == 0)).data == ()
    assert loss_distribution_chart(np.zeros(10), percentiles={}).data == ()


# --------------------------------------------------------------------- frontier
def test_frontier_line_marker_and_annotations():
    points = frontier_points()
    fig = frontier_chart(points, current="Status quo")
    line = trace(fig, "Best trade-offs (Pareto frontier)")
    assert list(line.x) == [0.18, 0.35, 0.62, 0.9]
    assert list(line.y) == [300.0, 350.0, 410.0, 430.0]
    current = trace(fig, "Current practice")
    assert current.marker.symbol == "star" and list(current.text) == ["Status quo"]
    assert (current.x, current.y) == ((0.62,), (410.0,))
    assert "Status quo" not in trace(fig, "On the frontier").text
    assert list(trace(fig, "Dominated (a better option exists)").text) == ["Coarse geo"]
    # every scenario is labelled once (by name, or by number with a key row in the legend)
    labels = {a.name: a.text for a in fig.layout.annotations if a.name.startswith("label ")}
    assert set(labels) == {f"label {n}" for n in points["name"]}
    # the direction hints are part of the axis titles (they cannot collide with them)
    assert fig.layout.xaxis.title.text == "Exposure index (0–100)<br>← less exposure"
    assert fig.layout.yaxis.title.text == "Extra conversions a campaign (customers) · more gain →"
    # error bars carry the interval
    frontier = trace(fig, "On the frontier")
    assert list(frontier.error_y.array) == [30.0, 30.0, 30.0]
    assert list(frontier.customdata[:, 0]) == [270.0, 320.0, 400.0]


def test_frontier_argument_errors():
    with pytest.raises(ValueError, match="'current' parameter of frontier_chart must be one of"):
        frontier_chart(frontier_points(), current="Nope")
    with pytest.raises(ValueError, match="'on_frontier' column .* must be boolean"):
        frontier_chart(frontier_points().with_columns(pl.col("on_frontier").cast(pl.Int8)))
    with pytest.raises(ValueError, match="must be unique"):
        frontier_chart(pl.concat([frontier_points(), frontier_points()]))
    with pytest.raises(ValueError, match="must contain its gain"):
        frontier_chart(frontier_points().with_columns(gain_ci_low=pl.col("incremental_conversions") + 1))
    with pytest.raises(ValueError, match="both 'gain_ci_low' and 'gain_ci_high'"):
        frontier_chart(frontier_points().drop("gain_ci_high"))


def pareto_mask(gain: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """Brute force: a point is dominated if another has ≥ gain and ≤ risk, one strictly."""
    better = (gain[None, :] >= gain[:, None]) & (risk[None, :] <= risk[:, None])
    strictly = (gain[None, :] > gain[:, None]) | (risk[None, :] < risk[:, None])
    return ~(better & strictly).any(axis=1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12, unique=True))
def test_frontier_line_passes_through_exactly_the_frontier_points_in_risk_order(pairs):
    gain = np.array([p[0] for p in pairs], dtype=float)
    risk = np.array([p[1] for p in pairs], dtype=float) / 50
    mask = pareto_mask(gain, risk)
    points = pl.DataFrame({"name": [f"s{i}" for i in range(len(pairs))], "gain": gain, "risk": risk,
                           "on_frontier": mask})
    line = trace(frontier_chart(points, gain="gain", risk="risk"), "Best trade-offs (Pareto frontier)")
    order = np.lexsort((-gain[mask], risk[mask]))
    assert list(line.x) == round_sig(risk[mask][order])
    assert list(line.y) == round_sig(gain[mask][order])
    assert all(np.diff(line.x) >= 0) and all(np.diff(line.y) >= 0)  # a frontier rises with risk


# ------------------------------------------------------------------------ sweep
@pytest.mark.parametrize("side", ["left", "right"])
def test_sweep_says_which_side_is_more_private(side):
    fig = sweep_chart(sweep_data(), x="epsilon", x_label="Privacy budget ε (log scale)", log_x=True,
                      more_private=side)
    [hint] = [a for a in fig.layout.annotations if a.name == "more private"]
    assert "more private" in hint.text and hint.x == (0 if side == "left" else 1)
    gain = trace(fig, "Gain retained (%)")
    assert list(gain.x) == sorted(gain.x) and len(gain.x) == 8
    assert gain.error_y.array == (5.0,) * 8
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis2.title.text == "Privacy budget ε (log scale)"
    assert fig.layout.yaxis.title.text == "Gain retained (%)"
    assert fig.layout.yaxis2.title.text == "Membership advantage (0–1)"


def test_sweep_reference_downsampling_and_errors():
    fig = sweep_chart(sweep_data(500), x="epsilon", x_label="ε", reference={"Gain retained (%)": 100})
    gain = trace(fig, "Gain retained (%)")
    assert len(gain.x) == 201 and gain.x[0] == round_sig([0.05])[0] and gain.x[-1] == 20.0
    assert trace(fig, "Gain retained (%): reference").y == (100.0, 100.0)
    with pytest.raises(ValueError, match="'more_private' parameter of sweep_chart must be one of"):
        sweep_chart(sweep_data(), x="epsilon", x_label="ε", more_private="up")
    with pytest.raises(ValueError, match="must be > 0 on a log axis"):
        sweep_chart(sweep_data().with_columns(epsilon=pl.lit(0.0)), x="epsilon", x_label="ε", log_x=True)
    with pytest.raises(ValueError, match="'reference' parameter"):
        sweep_chart(sweep_data(), x="epsilon", x_label="ε", reference={"Lift": 1.0})


# ------------------------------------------------------------------------- lift
@pytest.mark.parametrize("kind", ["qini", "uplift", "gains"])
def test_lift_curves_have_a_dashed_random_baseline_each(kind):
    fig = lift_curve_chart(lift_curves(), kind=kind)
    assert [t.name for t in fig.data] == ["Status quo", "Status quo: random targeting",
                                          "Minimal data", "Minimal data: random targeting"]
    baseline = trace(fig, "Status quo: random targeting")
    assert baseline.line.dash == "dash" and baseline.line.color == trace(fig, "Status quo").line.color
    # the y-axis counts the held-out test split, not the campaign the headline is about: the chart says so
    assert "test customers" in fig.layout.yaxis.title.text
    assert any("held-out test customers" in t.replace("<br>", " ") and "headline" in t for t in annotation_texts(fig))
    assert baseline.x[0] == 0 and baseline.x[-1] == 100  # percent of customers
    assert baseline.y[-1] == 400 and trace(fig, "Status quo").y[-1] == 400
    assert fig.layout.xaxis.title.text.startswith("% of customers targeted")


def test_lift_curve_downsampled_and_checked():
    fig = lift_curve_chart(lift_curves(1001))
    curve = trace(fig, "Minimal data")
    assert len(curve.x) == 201 and (curve.x[0], curve.x[-1]) == (0.0, 100.0)
    with pytest.raises(ValueError, match=r"'fraction_targeted' column .* must lie in \[0, 1\]"):
        lift_curve_chart(lift_curves().with_columns(fraction_targeted=pl.col("fraction_targeted") * 100))
    with pytest.raises(ValueError, match="'kind' parameter of lift_curve_chart"):
        lift_curve_chart(lift_curves(), kind="roc")


# ------------------------------------------------------------------------ money
def test_format_money_and_log_ticks():
    assert format_money(1_234_567) == "$1.23M"
    assert format_money(950) == "$950"
    assert format_money(12.5) == "$12.5"
    assert format_money(1.5e9) == "$1.5B"
    assert format_money(-2.2e5) == "−$220K"
    assert format_money(999_999.6) == "$1M"
    ticks, text = log_money_ticks(1e4, 5e6)
    assert ticks[0] == 1e4 and ticks[-1] == 5e6 and text[:3] == ["$10K", "$20K", "$50K"]


def test_exceedance_curves_and_tolerance():
    data = exceedance_data()
    fig = exceedance_chart(data, tolerance=TOLERANCE)
    status = trace(fig, "Status quo")
    expected = data.filter((pl.col("scenario") == "Status quo") & (pl.col("loss") > 0))
    assert len(status.x) == expected.height  # the $0 loss is left out of the log axis
    assert list(status.y) == round_sig(expected["probability_exceeded"] * 100)
    tolerance = trace(fig, "Risk tolerance (the most the business accepts)")
    assert tolerance.line.dash == "dash" and list(tolerance.y) == [25.0, 10.0, 2.0]
    assert fig.layout.xaxis.type == "log" and all(t.startswith("$") for t in fig.layout.xaxis.ticktext)
    with pytest.raises(ValueError, match=r"'probability_exceeded' column .* must lie in \[0, 1\]"):
        exceedance_chart(data.with_columns(probability_exceeded=pl.col("probability_exceeded") * 100))
    with pytest.raises(ValueError, match="column 'probability'"):
        exceedance_chart(data, tolerance=TOLERANCE.drop("probability"))


def test_loss_distribution_is_binned_not_row_level():
    losses = simulated_losses()
    fig = loss_distribution_chart(losses, percentiles={"p50": 0.0, "p90": 7e5, "p95": 1.4e6}, bins=30)
    hist = trace(fig, "Simulated years")
    assert len(hist.x) == 31  # bin edges only: no simulated value reaches the figure
    positive = losses[losses > 0]
    counts, _ = np.histogram(positive, bins=np.geomspace(positive.min(), positive.max(), 31))
    assert np.allclose(hist.y[:-1], counts / losses.size * 100, rtol=1e-3)
    assert sum(hist.y[:-1]) == pytest.approx(positive.size / losses.size * 100, rel=1e-3)
    assert trace(fig, "p95: $1.4M").x == (1.4e6, 1.4e6)
    assert any("p50: $0" in t and "no breach loss" in t for t in annotation_texts(fig))
    same = loss_distribution_chart(pl.DataFrame({"loss": losses}), percentiles={"p90": 7e5}, bins=30)
    assert trace(same, "Simulated years").y == hist.y
    with pytest.raises(ValueError, match="finite amounts ≥ 0"):
        loss_distribution_chart(np.array([1.0, -1.0]), percentiles={})
    with pytest.raises(ValueError, match="'p95' percentile"):
        loss_distribution_chart(losses, percentiles={"p95": -1.0})


def test_waterfall_from_gross_to_net():
    fig = waterfall_chart(waterfall_steps())
    bars = fig.data[0]
    assert bars.measure == ("relative",) * 4 + ("total",)
    assert list(bars.y) == [2.4e6, -6.1e5, -2.2e5, 3.0e5, 1.87e6]
    assert list(bars.text) == ["$2.4M", "−$610K", "−$220K", "$300K", "$1.87M"]
    assert fig.layout.yaxis.title.text == "Value over the horizon (USD)"
    with pytest.raises(ValueError, match="total step 'Net value' .* must equal the sum of the steps before"):
        waterfall_chart(waterfall_steps().with_columns(
            amount=pl.when(pl.col("kind") == "total").then(2e6).otherwise(pl.col("amount"))))
    with pytest.raises(ValueError, match="'kind' of step 'Loyalty'"):
        waterfall_chart(waterfall_steps().with_columns(
            kind=pl.when(pl.col("step") == "Loyalty").then(pl.lit("plus")).otherwise(pl.col("kind"))))


def test_mitigations_sorted_biggest_on_top():
    bars = mitigation_chart(MITIGATIONS).data[0]
    assert bars.orientation == "h"
    assert list(bars.y) == ["Pseudonymization", "Shorter retention", "Encryption at rest"]
    assert list(bars.x) == [1e5, 2e5, 3e5]
    assert list(bars.customdata[:, 0]) == ["$700K", "$800K", "$900K"]


def test_tornado_bars_reach_low_and_high_values():
    fig = trust_tornado_chart(TORNADO)
    data = chart_data(fig)
    low = data.filter(pl.col("trace") == "Assumption at the low end of its range")
    assert low["y"].to_list() == ["Creepiness churn", "Churn after a breach",
                                  "Loyalty from consented personalization"]  # smallest swing at the bottom
    assert low["x"].to_list() == pytest.approx([1.9e6, 1.95e6, 1.7e6])
    assert any(s.name == "base case" and s.x0 == 1.87e6 for s in fig.layout.shapes)
    with pytest.raises(ValueError, match="'base' column .* must be the same on every row"):
        trust_tornado_chart(TORNADO.with_columns(base=pl.Series([1.0, 2e6, 3e6])))


def test_tornado_is_readable_on_a_phone():
    """Each assumption's name is written above its bar in lines that fit the narrowest plot (not clipped tick
    labels squeezing the plot), inside its own row; no y-axis title sits on them; at most four money ticks,
    which fit side by side on the narrowest plot."""
    from analysis.charts.labels import MIN_PLOT_WIDTH, text_width
    from analysis.charts.money import _LABEL_LINE, _TORNADO_BAR, TORNADO_LABEL_CHARS

    fig = trust_tornado_chart(TORNADO)
    assert not (fig.layout.yaxis.title.text or "") and fig.layout.yaxis.showticklabels is False
    names = {a.name.removeprefix("assumption "): a for a in fig.layout.annotations
             if (a.name or "").startswith("assumption ")}
    assert set(names) == set(TORNADO["parameter"])
    assert names["Loyalty from consented personalization"].text == "Loyalty from consented personalization"
    for a in names.values():
        assert a.xref == "paper" and a.x == 0 and a.yanchor == "bottom"
        assert all(len(line) <= TORNADO_LABEL_CHARS for line in a.text.split("<br>"))  # drawn: test_chart_layout
    # rows are far enough apart for a name and a bar, and the top name stays inside the plot
    plot = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    low, high = fig.layout.yaxis.range
    row = plot / (high - low)
    lines = max(a.text.count("<br>") + 1 for a in names.values())
    assert row >= _TORNADO_BAR + lines * _LABEL_LINE + 4
    assert (high - (TORNADO.height - 1)) * row >= _TORNADO_BAR / 2 + 2 + lines * _LABEL_LINE
    ticks = fig.layout.xaxis.ticktext
    assert 2 <= len(ticks) <= 4
    assert sum(text_width(t) + 8 for t in ticks) < MIN_PLOT_WIDTH
    # the legend is one entry a row, under the axis title, inside the figure's height
    assert fig.layout.legend.orientation == "v" and fig.layout.margin.b >= 62 + 2 * 19


# ---------------------------------------------------------------------- privacy
def test_risk_by_quasi_biggest_driver_on_top_in_points():
    fig = risk_by_quasi_chart(QUASI)
    removed = trace(fig, "If the attribute is removed")
    assert list(removed.y) == ["gender", "age", "postcode"]
    assert list(removed.x) == [2.0, 12.0, 31.0]
    assert list(trace(fig, "If the attribute is generalized").x) == [0.0, 8.0, 20.0]
    only_removed = risk_by_quasi_chart(QUASI.drop("drop_if_generalized"), percent=False)
    assert [t.name for t in only_removed.data] == ["If the attribute is removed"]
    assert list(only_removed.data[0].x) == [0.02, 0.12, 0.31]


def test_class_sizes_bucketed_with_k_line():
    fig = class_size_chart(SIZES, k=3)
    bars = trace(fig, "Customers")
    assert list(bars.x) == list(range(1, 11)) and fig.layout.xaxis.ticktext[-1] == "10+"
    assert list(bars.y) == [120, 300, 270, 0, 500, 0, 0, 0, 0, 5200]
    assert sum(bars.y) == SIZES["records"].sum()
    assert list(bars.marker.color[:3]) == [RISK_COLOR, RISK_COLOR, TOTAL_COLOR]
    line = trace(fig, "k = 3 (smallest group allowed)")
    assert line.x == (2.5, 2.5) and line.line.dash == "dash"
    share = 420 / 6390 * 100
    assert any(f"{share:.3g} %" in t for t in annotation_texts(fig))
    own = class_size_chart(SIZES.filter(pl.col("class_size") > 1))
    assert trace(own, "k = 2 (smallest group held)").x == (1.5, 1.5)
    wide = class_size_chart(SIZES, k=20)  # buckets widen so the k line falls between bars
    assert wide.layout.xaxis.ticktext[-1] == "20+"
    assert trace(wide, "k = 20 (smallest group allowed)").x[0] == 19.5
    with pytest.raises(ValueError, match="'k' parameter of class_size_chart"):
        class_size_chart(SIZES, k=0)


def test_scenario_bars_one_panel_per_metric():
    fig = scenario_bars(BARS, metrics=["net_value", "risk_index"],
                        labels={"risk_index": "Risk (index, 0–1)"})
    assert [t.name for t in fig.data] == ["Net value over the horizon (USD)", "Risk (index, 0–1)"]
    assert list(fig.data[0].y) == ["Status quo", "Minimal data", "DP ε=1"]
    assert list(fig.data[0].text) == ["$1.8M", "$1.5M", "$1.1M"]
    assert list(fig.data[1].x) == [0.62, 0.18, 0.1]
    assert fig.data[0].orientation == "h" and fig.data[1].yaxis == "y2"
    # one colour per scenario, the same in both panels
    assert fig.data[0].marker.color == fig.data[1].marker.color
    assert len(set(fig.data[0].marker.color)) == 3
    too_many = pl.DataFrame({"name": [str(i) for i in range(8)], "net_value": np.arange(8.0)})
    with pytest.raises(ValueError, match="at most 7 scenarios. Got 8"):
        scenario_bars(too_many, metrics=["net_value"])
    with pytest.raises(ValueError, match="at least one column"):
        scenario_bars(BARS, metrics=[])


def test_scenario_bars_rows_never_run_into_each_other():
    """Horizontal bars of a fixed row height: names (broken into lines that fit the row) and values each sit
    in their own row, whatever the width; a value is written right of its bar, or right of zero when negative."""
    names = ["Status quo (full data)", "Differential privacy ε=0.1", "Privacy first", "Opt-out regime"]
    table = pl.DataFrame({"name": names, "net_value": [1.2e6, -3.5e5, 8e5, 1.1e6],
                          "risk_index": [67.8, 67.6, 6.0, 61.7]})
    fig = scenario_bars(table, metrics=["net_value", "risk_index"])
    from analysis.charts.gain import _BAR_ROW

    for axis in (fig.layout.yaxis, fig.layout.yaxis2):
        assert max(t.count("<br>") + 1 for t in axis.ticktext) * 15 <= _BAR_ROW
    panel_px = (fig.layout.height - fig.layout.margin.t - fig.layout.margin.b)
    assert panel_px >= 2 * len(names) * _BAR_ROW
    values = {a.name: a for a in fig.layout.annotations if (a.name or "").startswith("value ")}
    negative = values["value net_value Differential privacy ε=0.1"]
    assert (negative.text, negative.x, negative.xanchor) == ("−$350K", 0.0, "left")  # right of zero, off the names
    assert values["value risk_index Privacy first"].x == 6.0 and values["value risk_index Privacy first"].yref == "y2"


# ---------------------------------------------------------------------- export
def test_chart_data_survives_a_json_round_trip():
    for name, build in CASES.items():
        fig = build()
        again = go.Figure(json.loads(pio.to_json(fig)))  # numpy arrays come back as base64 'bdata'
        first, second = chart_data(fig), chart_data(again)
        assert first.equals(second), name


def test_chart_data_types():
    data = chart_data(waterfall_chart(waterfall_steps()))
    assert data.schema == pl.Schema({"trace": pl.String, "label": pl.String, "x": pl.String, "y": pl.Float64})
    assert data["label"].to_list()[0] == "$2.4M"  # the text written on the bar
    assert data["x"].to_list()[-1] == "Net value" and data["y"].to_list()[-1] == 1.87e6
    with pytest.raises(ValueError, match="'fig' parameter of chart_data"):
        chart_data({"data": []})


@pytest.mark.parametrize("values", [[0.000123456, 1.0, 98765.4321, -3.14159], [0.0, 1e-9, 7e12]])
def test_round_sig(values):
    rounded = np.array(round_sig(values))
    assert np.allclose(rounded, values, rtol=5e-4, atol=0)


@given(st.integers(0, 5000), st.integers(2, 300))
def test_downsample_index(length, max_points):
    index = downsample_index(length, max_points)
    assert len(index) == min(length, max_points) and np.all(np.diff(index) > 0)
    if length:
        assert index[0] == 0 and index[-1] == length - 1


def test_to_png_error_is_clear(monkeypatch):
    def broken(self, *args, **kwargs):
        raise ValueError("Kaleido requires Google Chrome")

    monkeypatch.setattr(go.Figure, "to_image", broken)
    with pytest.raises(RuntimeError, match="needs a Chromium browser.*Kaleido requires Google Chrome"):
        to_png(go.Figure())
    with pytest.raises(ValueError, match="'width' parameter of to_png"):
        to_png(go.Figure(), width=0)


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("/usr/bin/chromium") is None,
                    reason="Chromium is not installed")
def test_to_png_renders_with_kaleido():
    image = to_png(CASES["frontier_chart"](), width=400, height=300)
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    assert (width, height) == (400, 300) and len(image) > 5_000


def test_missing_values_that_mean_not_available():
    points = frontier_points().with_columns(
        risk_index=pl.when(pl.col("name") == "Coarse geo").then(None).otherwise(pl.col("risk_index")),
        gain_ci_low=pl.when(pl.col("name") == "Everything").then(None).otherwise(pl.col("gain_ci_low")))
    fig = frontier_chart(points, current="Status quo")
    assert "Not drawn (no result): Coarse geo" in annotation_texts(fig)
    frontier = trace(fig, "On the frontier")
    assert list(frontier.text) == ["Minimal data", "Consent only", "Everything"]
    assert list(frontier.error_y.arrayminus) == [30.0, 30.0, 0.0]  # no interval known: no bar below
    assert trace(fig, "Dominated (a better option exists)").x == ()
    with pytest.raises(ValueError, match="current practice 'Coarse geo' .* must have a gain and a risk"):
        frontier_chart(points, current="Coarse geo")
    with pytest.raises(ValueError, match="'drop_if_removed' column .* must have no missing values"):
        risk_by_quasi_chart(QUASI.with_columns(drop_if_removed=pl.lit(None, dtype=pl.Float64)))
    age_unknown = pl.when(pl.col("quasi") == "age").then(None).otherwise(pl.col("drop_if_generalized"))
    partial = risk_by_quasi_chart(QUASI.with_columns(drop_if_generalized=age_unknown))
    assert list(trace(partial, "If the attribute is generalized").x) == [0.0, None, 20.0]
    none_known = risk_by_quasi_chart(QUASI.with_columns(drop_if_generalized=pl.lit(None, dtype=pl.Float64)))
    assert [t.name for t in none_known.data] == ["If the attribute is removed"]


def test_charts_take_the_analysis_tables_as_they_come():
    """mitigation_value and trust_sensitivity feed their charts unchanged (one name per safeguard/parameter)."""
    from analysis import Holding, TrustInputs, mitigation_value
    from analysis.charts import mitigation_chart, trust_tornado_chart
    from analysis.breach.trust import trust_sensitivity

    values = mitigation_value(Holding(records=5_000, categories=("contact", "health")), years=2_000)
    fig = mitigation_chart(values)
    assert sorted(fig.data[0].y) == sorted(values["label"].to_list())
    assert sorted(fig.data[0].x) == pytest.approx(sorted(values["value"].to_list()), rel=1e-3)
    inputs = TrustInputs(customers=1_000, consented_share=0.5, personalized_share=0.3, uses_sensitive=True,
                         uses_nonconsented=False)
    sensitivity = trust_sensitivity(inputs)
    assert set(trust_tornado_chart(sensitivity).data[0].y) <= set(sensitivity["label"].to_list())


def test_close_scenarios_are_labelled_apart():
    """Two scenarios that sit on top of each other never print their labels in the same spot."""
    pts = pl.DataFrame({"name": ["a", "b", "far"], "incremental_conversions": [20.0, 25.0, 300.0],
                        "risk_index": [76.6, 76.7, 10.0], "on_frontier": [False, False, True]})
    fig = frontier_chart(pts)
    assert not frontier_overlaps(fig)
    _every_scenario_is_named(fig, ["a", "b", "far"])


# ------------------------------------------------------------- label geometry
CASES_DIR = Path(__file__).resolve().parent / "chart_cases"
#: plot widths (px) the labels are checked at: the narrowest supported, phones, half and full desktop pages
WIDTHS = (240, 258, 300, 390, 700, 1000, 1320, 2400)


def _hit(a, b) -> bool:
    return not (a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2])


def frontier_boxes(fig: go.Figure, width: float):
    """The label boxes and the marker / error-bar boxes of a frontier figure, in px from the plot's bottom-left
    corner, at a plot ``width`` px wide (computed from the annotations as plotly.js positions them)."""
    from analysis.charts.frontier import PLOT_HEIGHT
    from analysis.charts.labels import LABEL_HEIGHT, text_width

    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    px = lambda x: (x - x0) / (x1 - x0) * width  # noqa: E731
    py = lambda y: (y - y0) / (y1 - y0) * PLOT_HEIGHT  # noqa: E731
    labels = []
    for a in fig.layout.annotations:
        if not (a.name or "").startswith("label "):
            continue
        w, h = text_width(a.text) + 4, LABEL_HEIGHT
        cx, cy = px(a.x), py(a.y)
        if a.showarrow:
            cx, cy = cx + a.ax, cy - a.ay
            box = (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)
        else:
            left = cx + (a.xshift or 0) - {"left": 0, "center": w / 2, "right": w}[a.xanchor]
            bottom = cy + (a.yshift or 0) - {"bottom": 0, "middle": h / 2, "top": h}[a.yanchor]
            box = (left, left + w, bottom, bottom + h)
        labels.append((a.text, box))
    obstacles = []
    for t in fig.data:
        if t.mode != "markers" or not t.x or t.x[0] is None:
            continue
        half = t.marker.size / 2 + 1
        for i, (x, y) in enumerate(zip(t.x, t.y)):
            obstacles.append((px(x) - half, px(x) + half, py(y) - half, py(y) + half))
            if t.error_y is not None and t.error_y.array is not None:
                low, high = y - t.error_y.arrayminus[i], y + t.error_y.array[i]
                obstacles.append((px(x) - 4, px(x) + 4, py(low), py(high)))
    return labels, obstacles


def frontier_overlaps(fig: go.Figure, widths=WIDTHS) -> list:
    """Every (width, label, what it hits) where a label leaves the plot or covers another label, a marker or an
    error bar."""
    from analysis.charts.frontier import PLOT_HEIGHT

    out = []
    for width in widths:
        labels, obstacles = frontier_boxes(fig, width)
        for i, (text, box) in enumerate(labels):
            if box[0] < 0 or box[1] > width or box[2] < 0 or box[3] > PLOT_HEIGHT:
                out.append((width, text, "outside the plot"))
            out += [(width, text, other) for other, b in labels[i + 1:] if _hit(box, b)]
            out += [(width, text, "a marker or an error bar") for o in obstacles if _hit(box, o)]
    return out


def _every_scenario_is_named(fig: go.Figure, names: list[str]) -> None:
    """Each scenario is named next to its point, or numbered with its key row in the legend."""
    texts = [a.text for a in fig.layout.annotations if (a.name or "").startswith("label ")]
    if set(texts) == set(names):
        return
    numbers = {n for t in texts for n in t.split(",")}
    key = [t.name for t in fig.data if t.x == (None,)]
    for i, name in enumerate(names, start=1):
        row = next(k for k in key if k.startswith(f"{i} · ") and name in k)
        assert str(i) in numbers or "not numbered" in row, (name, texts)


@pytest.mark.parametrize("case", ["demo", "bank"])
def test_frontier_labels_never_overlap_on_the_demo_and_the_bank_data(case):
    """The nine presets as measured on the 50,000-customer demo and on the Bank Marketing sample
    (tests/chart_cases, rebuilt by make_cases.py): no label covers another, a marker or an error bar, at any
    width from a phone to a wide screen; the browser test below checks the drawn text too."""
    table = pl.read_csv(CASES_DIR / f"frontier_{case}.csv")
    fig = frontier_chart(table, current="Status quo (full data)")
    assert frontier_overlaps(fig) == []
    _every_scenario_is_named(fig, table["name"].to_list())
    numbered = [a.text for a in fig.layout.annotations if (a.name or "").startswith("label ")]
    assert len(numbered) >= table.height - 1  # at most one pair shares a label on these data


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 15)), min_size=1, max_size=11),
       st.booleans())
def test_frontier_labels_never_overlap_whatever_the_points(triples, with_ci):
    names = [f"Scenario {'x' * (i % 4)}{i}" for i in range(len(triples))]
    gain = np.array([t[1] * 10.0 for t in triples])
    risk = np.array([t[0] * 2.5 for t in triples])
    mask = pareto_mask(gain, risk)
    points = pl.DataFrame({"name": names, "incremental_conversions": gain, "risk_index": risk,
                           "on_frontier": mask})
    if with_ci:
        half = np.array([t[2] * 20.0 for t in triples])
        points = points.with_columns(gain_ci_low=pl.Series(gain - half), gain_ci_high=pl.Series(gain + half))
    fig = frontier_chart(points, current=names[0])
    assert frontier_overlaps(fig, widths=(240, 390, 1320)) == []
    _every_scenario_is_named(fig, names)


def test_frontier_download_carries_scenario_names():
    table = pl.read_csv(CASES_DIR / "frontier_demo.csv")
    data = chart_data(frontier_chart(table, current="Status quo (full data)"))
    points = data.filter(pl.col("label").is_not_null())
    assert sorted(points["label"].to_list()) == sorted(table["name"].to_list())
    star = points.filter(pl.col("trace") == "Current practice").row(0, named=True)
    assert star["label"] == "Status quo (full data)" and star["x"] == pytest.approx(67.8, abs=0.01)
    assert data.filter(pl.col("x").is_null()).height == 0  # the legend's key rows are not data


# ------------------------------------------------------------------- colours
def test_each_scenario_has_one_colour_in_every_chart():
    from analysis.charts import scenario_color, scenario_colors
    from analysis.scenario import PRESETS

    names = ["Privacy first", "Status quo (full data)", "Your scenario"]
    curves = pl.concat([lift_curves().filter(pl.col("scenario") == "Status quo").with_columns(scenario=pl.lit(n))
                        for n in reversed(names)])
    losses = pl.concat([exceedance_data().filter(pl.col("scenario") == "Status quo")
                        .with_columns(scenario=pl.lit(n)) for n in names])
    bars = pl.DataFrame({"name": names[::-1], "net_value": [1.0, 2.0, 3.0]})
    lift_colors = {t.name: t.line.color for t in lift_curve_chart(curves).data if ":" not in t.name}
    loss_colors = {t.name: t.line.color for t in exceedance_chart(losses).data}
    bar = scenario_bars(bars, metrics=["net_value"]).data[0]
    bar_colors = dict(zip(bar.y, bar.marker.color))
    assert lift_colors == loss_colors == bar_colors == scenario_colors(names)
    assert len(set(lift_colors.values())) == 3
    # the order a chart draws them in does not matter; presets keep their colour across charts
    assert scenario_colors(names[::-1]) == scenario_colors(names)
    assert scenario_colors(["Status quo (full data)"])["Status quo (full data)"] == \
        scenario_colors(names)["Status quo (full data)"] == scenario_color("Status quo (full data)")
    # seven presets at once get seven different colours; any other name always gets the same one
    assert len(set(scenario_colors([p.name for p in PRESETS[:7]]).values())) == 7
    assert scenario_color("Your scenario") == scenario_color("Your scenario") in charts.SERIES_COLORS


def test_fairness_ratios_against_the_four_fifths_line():
    fig = fairness_chart(RATIOS)
    bars = trace(fig, "Selection-rate ratio")
    assert bars.y == ("health_interest", "gender", "age") and bars.x == (0.57, 0.93, None)
    assert bars.marker.color == (RISK_COLOR, TOTAL_COLOR, TOTAL_COLOR)  # only the ratio under 0.8 in red
    assert bars.error_x.array == (0.05, 0.15, None) and bars.error_x.arrayminus == (0.04, 0.13, None)
    lines = sorted(shape.x0 for shape in fig.layout.shapes)
    assert lines == [0.8, 1.0]
    assert any("four-fifths" in text for text in annotation_texts(fig))
    assert any("too few customers to compare: age" in text.replace("<br>", " ") for text in annotation_texts(fig))
    with pytest.raises(ValueError, match="column 'ratio'"):
        fairness_chart(RATIOS.drop("ratio"))
