"""From gross engagement value to net value: the waterfall steps of one scenario."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from analysis.tradeoff.runner import Tradeoff

__all__ = ['waterfall_steps']


def waterfall_steps(t: Tradeoff, name: str) -> pl.DataFrame:
    """From gross engagement value to net value over the horizon, for :func:`analysis.charts.waterfall_chart`."""
    row = t.table.filter(pl.col("name") == name).row(0, named=True)
    h = t.settings.horizon_years
    trust = t.trust[name]
    by_cause = trust.table.filter(pl.col("horizon_years") == float(h)).select("cause", "value")
    steps = [(f"Engagement gain ({h} years)", h * row["engagement_value_per_year"], "relative")]
    steps.append(("Expected breach losses", -h * row["expected_annual_loss"], "relative"))
    for cause, value in by_cause.iter_rows():
        steps.append((f"Trust: {cause.replace('_', ' ')}", float(value), "relative"))
    steps.append(("Net value", row["net_value"], "total"))
    return pl.DataFrame(steps, schema={"step": pl.String, "amount": pl.Float64, "kind": pl.String}, orient="row")


