"""Small adapters between ``analysis`` results and what pages draw (renaming and formatting, no modelling).

Kept out of the page files so pages only read widgets, call ``analysis`` and render.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from analysis import CRMData, ScenarioResult, Tradeoff
from analysis import formatting
from analysis.minimize import generalization_rules

#: Columns of the overview table, in order, with their labels (aggregates only).
SUMMARY_COLUMNS = {
    "name": "Scenario",
    "policy": "Under your policy",
    "net_value": "Net value (USD, horizon)",
    "incremental_conversions": "Extra conversions a campaign",
    "personalized": "Personalized",
    "gain_retained": "Gain kept vs full data",
    "risk_index": "Exposure index (0–100)",
    "exposure_held_data": "of which held data",
    "exposure_model": "of which the model",
    "sample_uniqueness": "Customers unique on identifying attributes",
    "expected_annual_loss": "Expected breach loss a year (USD)",
    "lowest_selection_ratio": "Lowest selection-rate ratio (1 = even)",
    "lowest_ratio_attribute": "on attribute",
    "on_frontier": "On the frontier",
    "not_allowed_because": "Not allowed, because",
}

#: The metrics shown side by side, (column, label, format, lower_is_better)
HEADLINE_METRICS = (
    ("incremental_conversions", "Extra conversions a campaign", "count", False),
    ("gain_retained", "Gain kept vs full data", "percent", False),
    ("risk_index", "Exposure index (0–100)", "index", True),
    ("sample_uniqueness", "Customers unique on identifying attributes", "percent", True),
    ("expected_annual_loss", "Expected breach loss a year", "money", True),
    ("net_value", "Net value over the horizon", "money", False),
)


def fmt(value: Any, kind: str) -> str:
    """One figure as the app shows it (:mod:`analysis.formatting`)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "money":
        return formatting.money(float(value))
    if kind == "percent":
        return formatting.percent(float(value))
    if kind == "count":
        return formatting.count(float(value), suppress=False)
    return f"{float(value):.1f}"


#: the minus of a delta string: ASCII, because ``st.metric`` reads a leading "-" (not U+2212) as a fall
DELTA_MINUS = "-"


@dataclass(frozen=True)
class MetricView:
    label: str
    value: str
    #: the change as text whose sign ``st.metric`` reads ("+3.2", "-628", "-$12.4K"); None when unchanged
    delta: str | None
    delta_color: str
    help: str | None = None
    #: the change as a number (None when unchanged)
    difference: float | None = None


def compare_metrics(table: pl.DataFrame, name: str, baseline: str) -> list[MetricView]:
    """Headline metrics of ``name`` with their change against ``baseline`` (for ``st.metric``)."""
    rows = {r["name"]: r for r in table.to_dicts()}
    row, base = rows[name], rows.get(baseline)
    out = []
    for column, label, kind, lower_better in HEADLINE_METRICS:
        value, delta, difference = row.get(column), None, None
        if base is not None and value is not None and base.get(column) is not None and name != baseline:
            difference = float(value) - float(base[column])
            if fmt(abs(difference), kind) in (fmt(0.0, kind), "$0"):
                difference = None
            if difference is not None:
                delta = ("+" if difference > 0 else DELTA_MINUS) + fmt(abs(difference), kind).lstrip("-−")
                if kind == "percent":
                    delta = delta.replace(" %", " pts")
        out.append(MetricView(label, fmt(value, kind), delta, "inverse" if lower_better else "normal",
                              difference=difference))
    return out


def policy_word(row: dict, recommended: str | None) -> str:
    if row["name"] == recommended:
        return "recommended"
    return "allowed" if row["allowed"] else "not allowed"


def summary_table(table: pl.DataFrame, recommended: str | None = None) -> pl.DataFrame:
    """The scenario table with readable column names: the recommended scenario first, then the other allowed
    ones, then the rest, each by net value."""
    if "allowed" in table.columns:
        table = table.with_columns(
            pl.when(pl.col("name") == (recommended or "")).then(pl.lit("recommended"))
            .when(pl.col("allowed")).then(pl.lit("allowed")).otherwise(pl.lit("not allowed")).alias("policy"))
        table = table.sort([pl.col("policy") == "recommended", "allowed", "net_value"], descending=True)
    else:
        table = table.sort("net_value", descending=True)
    present = [c for c in SUMMARY_COLUMNS if c in table.columns]
    return table.select(present).rename({c: SUMMARY_COLUMNS[c] for c in present})


def percentiles(result: ScenarioResult) -> dict[str, float]:
    b = result.breach
    return {"median (p50)": b.median, "p90": b.p90, "p95": b.p95, "p99": b.p99}


def exceedance_of(result: ScenarioResult) -> pl.DataFrame:
    return result.breach.exceedance.with_columns(pl.lit(result.spec.name).alias("scenario"))


def one_level_up(result_spec, data: CRMData) -> dict:
    """Generalization rules ``(method, parameter)`` of each quasi-identifier one level coarser than the scenario's
    (for quasi_contributions, which applies them in polars or, on a large CRM's exposure table, in SQL)."""
    level = min(result_spec.generalization_level + 1, 3)
    rules = generalization_rules(result_spec.replace(generalization_level=level, generalize=()), data.schema)
    return {column: (method, parameter) for column, method, parameter in rules}


def headline(t: Tradeoff, name: str) -> dict[str, Any]:
    return t.table.filter(pl.col("name") == name).row(0, named=True)


