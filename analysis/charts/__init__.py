"""Every plotly figure of PrivacyLift, built once and used unchanged by the app, notebooks and reports.

Each chart is a function ``(data: pl.DataFrame, *, ...) -> plotly.graph_objects.Figure`` taking
aggregates only (never row-level personal data). Columns are checked at the boundary: a missing
column raises ``ValueError`` naming it; an empty frame gives a figure that says "No data to show yet."

Conventions
-----------
- Okabe–Ito colour-blind-safe palette (:data:`PALETTE`); baselines and dominated points in neutral grey.
- Axis titles carry units; titles say in plain words what the chart shows; hover text gives the figures.
- Wherever a lift is shown, the random-targeting baseline is drawn (dashed).
- Theme: figures use the empty plotly template ``"none"``. Streamlit (``theme="streamlit"``, its default)
  then applies its light or dark theme; notebooks, HTML reports and PNGs get plotly.js' neutral
  white defaults. It also keeps the figure JSON small (numbers rounded to 4 significant digits,
  curves down-sampled to at most 201 points).
- User text (scenario and column names) is made inert in every figure: plotly.js would otherwise obey an
  ``<a href>`` or ``<span style>`` in a name (:mod:`analysis.charts._markup`).
- :func:`chart_data` returns what a figure plots (``trace``, ``label`` — the scenario's name on the frontier —,
  ``x``, ``y``) for "download the data" buttons; :func:`to_png` renders a PNG with kaleido.
- Each scenario has one colour in every chart that draws scenarios as series (:func:`scenario_colors`); the
  frontier chart encodes each point's standing instead (frontier, dominated, current practice) and names or
  numbers the points with labels that never overlap (:mod:`analysis.charts.labels`).

Example
-------
>>> import polars as pl
>>> pts = pl.DataFrame({"name": ["all data", "minimal"], "incremental_conversions": [120.0, 90.0],
...                     "risk_index": [0.8, 0.3], "on_frontier": [True, True]})
>>> fig = frontier_chart(pts, current="all data")
>>> chart_data(fig).filter(pl.col("trace") == "Current practice").rows()
[('Current practice', 'all data', 0.8, 120.0)]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from analysis.charts.export import chart_data, to_png
from analysis.charts.style import PALETTE, SERIES_COLORS, format_money, scenario_color, scenario_colors
from analysis.charts.frontier import frontier_chart
from analysis.charts.gain import lift_curve_chart, scenario_bars, sweep_chart
from analysis.charts.fairness import fairness_chart
from analysis.charts.money import (
    exceedance_chart,
    loss_distribution_chart,
    mitigation_chart,
    trust_tornado_chart,
    waterfall_chart,
)
from analysis.charts.privacy import class_size_chart, risk_by_quasi_chart
from analysis.charts._markup import with_inert_text

# user text (scenario and column names) in a figure is shown, never obeyed as plotly markup (a live link)
(frontier_chart, lift_curve_chart, scenario_bars, sweep_chart, exceedance_chart, loss_distribution_chart,
 mitigation_chart, trust_tornado_chart, waterfall_chart, class_size_chart, risk_by_quasi_chart) = map(
    with_inert_text, (frontier_chart, lift_curve_chart, scenario_bars, sweep_chart, exceedance_chart,
                      loss_distribution_chart, mitigation_chart, trust_tornado_chart, waterfall_chart,
                      class_size_chart, risk_by_quasi_chart))

__all__ = [
    "PALETTE",
    "SERIES_COLORS",
    "scenario_color",
    "scenario_colors",
    "CHARTS",
    "ChartEntry",
    "frontier_chart",
    "sweep_chart",
    "exceedance_chart",
    "loss_distribution_chart",
    "waterfall_chart",
    "lift_curve_chart",
    "risk_by_quasi_chart",
    "class_size_chart",
    "scenario_bars",
    "mitigation_chart",
    "trust_tornado_chart",
    "fairness_chart",
    "to_png",
    "chart_data",
    "format_money",
]


class ChartEntry(NamedTuple):
    """One registered chart: its name, its builder and what it shows, in one line."""

    name: str
    build: Callable
    description: str


#: Every chart of the product; a meta-test checks each has a test case.
CHARTS: tuple[ChartEntry, ...] = (
    ChartEntry("frontier_chart", frontier_chart,
               "Engagement gain against exposure risk per scenario, with the Pareto line and "
               "current practice."),
    ChartEntry("sweep_chart", sweep_chart,
               "Gain and risk along one privacy dial (ε, retention, consent rate), saying which "
               "side is more private."),
    ChartEntry("exceedance_chart", exceedance_chart,
               "Chance per year that breach losses exceed each amount, per scenario, with the "
               "risk tolerance."),
    ChartEntry("loss_distribution_chart", loss_distribution_chart,
               "Distribution of simulated yearly breach losses with percentile lines."),
    ChartEntry("waterfall_chart", waterfall_chart,
               "From gross engagement value to net value: breach loss, trust churn, loyalty."),
    ChartEntry("lift_curve_chart", lift_curve_chart,
               "Qini, uplift or gains curves per scenario against random targeting."),
    ChartEntry("risk_by_quasi_chart", risk_by_quasi_chart,
               "How much re-identification risk drops when each quasi-identifier is removed or generalized."),
    ChartEntry("class_size_chart", class_size_chart,
               "How many customers sit in groups of 1, 2, … identical profiles, with the k line."),
    ChartEntry("scenario_bars", scenario_bars,
               "Two to four scenarios side by side on chosen metrics."),
    ChartEntry("mitigation_chart", mitigation_chart,
               "Expected yearly breach loss each safeguard saves."),
    ChartEntry("trust_tornado_chart", trust_tornado_chart,
               "Which trust assumption moves net value the most (low and high end of each range)."),
    ChartEntry("fairness_chart", fairness_chart,
               "Selection-rate ratio of each audited attribute (least ÷ most targeted group), with the 0.8 line."),
)
