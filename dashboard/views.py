"""Small adapters between ``analysis`` results and what pages draw (renaming and formatting, no modelling).

Kept out of the page files so pages only read widgets, call ``analysis`` and render.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from analysis import CRMData, ScenarioResult, Tradeoff
from analysis import formatting
from analysis.minimize import generalization_rules
from analysis.tradeoff import display
from analysis.tradeoff.columns import COLUMNS

#: Columns of the overview table, in order (labels, units and formats from the column registry; ``policy`` is the
#: page's own: the standing under the policy in one word)
SUMMARY_COLUMNS = ("name", "policy", "net_value", "incremental_conversions", "personalized", "gain_retained",
                   "risk_index", "exposure_held_data", "exposure_model", "sample_uniqueness", "expected_annual_loss",
                   "lowest_selection_ratio", "lowest_ratio_attribute", "on_frontier", "not_allowed_because")
#: the heading of the overview's own column
POLICY_HEADING = "Under your policy"

#: The metrics shown side by side (trade-off columns: label, format, direction and help from the registry)
HEADLINE_METRICS = ("incremental_conversions", "gain_retained", "risk_index", "sample_uniqueness",
                    "expected_annual_loss", "net_value")


def fmt(value: Any, kind: str) -> str:
    """One figure as the app shows it (:mod:`analysis.formatting`), for figures that are not trade-off columns."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "money":
        return formatting.money(float(value))
    if kind == "percent":
        return formatting.percent(float(value))
    if kind == "count":
        return formatting.count(float(value), suppress=False)
    return f"{float(value):.1f}"


def figure(key: str, value: Any) -> str:
    """A figure of the trade-off column ``key`` as every surface writes it (small cells of counts are <5)."""
    return COLUMNS[key].format(value)


def metric(key: str, value: Any, *, help: str | None = None) -> dict[str, Any]:
    """``st.metric`` arguments for a figure of the trade-off column ``key``: its title, the figure, and its
    help (the registry's, unless ``help`` adds to it)."""
    c = COLUMNS[key]
    return {"label": c.title, "value": c.format(value), "help": c.help if help is None else f"{c.help} {help}"}


#: the minus of a delta string: ASCII, because ``st.metric`` reads a leading "-" (not U+2212) as a fall
DELTA_MINUS = display.DELTA_MINUS
MetricView = display.Tile


def compare_metrics(table: pl.DataFrame, name: str, baseline: str) -> list[MetricView]:
    """Headline metrics of ``name`` with their change against ``baseline`` (for ``st.metric``)."""
    return display.tiles(table, name, HEADLINE_METRICS, baseline=baseline)


def policy_word(row: dict, recommended: str | None) -> str:
    if row["name"] == recommended:
        return "recommended"
    return "allowed" if row["allowed"] else "not allowed"


def _ordered(table: pl.DataFrame, recommended: str | None) -> pl.DataFrame:
    """The recommended scenario first, then the other allowed ones, then the rest, each by net value; with the
    overview's own ``policy`` column when the table says what is allowed."""
    if "allowed" in table.columns:
        table = table.with_columns(
            pl.when(pl.col("name") == (recommended or "")).then(pl.lit("recommended"))
            .when(pl.col("allowed")).then(pl.lit("allowed")).otherwise(pl.lit("not allowed")).alias("policy"))
        return table.sort([pl.col("policy") == "recommended", "allowed", "net_value"], descending=True)
    return table.sort("net_value", descending=True)


def _with_policy(shown: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    return shown.insert_column(1, table["policy"].alias(POLICY_HEADING)) if "policy" in table.columns else shown


_KEYS = [c for c in SUMMARY_COLUMNS if c != "policy"]


def summary_table(table: pl.DataFrame, recommended: str | None = None) -> pl.DataFrame:
    """The scenario table with the registry's headings (numbers stay numbers, formatted by
    :func:`summary_formats`), in the order of :func:`_ordered`."""
    table = _ordered(table, recommended)
    return _with_policy(display.display_table(table, _KEYS, formatted=False), table)


def summary_formats() -> dict[str, str]:
    """Heading → number format of the overview table's numeric columns (``st.column_config.NumberColumn``)."""
    return display.sheet_formats(_KEYS)


def summary_csv(table: pl.DataFrame, recommended: str | None = None) -> pl.DataFrame:
    """What the overview's "Table (CSV)" button holds: the rows and headings of :func:`summary_table`, with
    small cells of customer counts as <5 (:func:`analysis.tradeoff.display.export_table`)."""
    table = _ordered(table, recommended)
    return _with_policy(display.export_table(table, _KEYS), table)


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


