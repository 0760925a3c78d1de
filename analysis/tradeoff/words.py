"""The recommendation in words, generated from the figures only."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

from analysis.formatting import money as _money

if TYPE_CHECKING:
    from analysis.tradeoff.runner import Tradeoff

__all__ = ['recommendation']


def recommendation(t: Tradeoff) -> str:
    """One paragraph, generated from the figures only (no text written for any one scenario)."""
    if t.table.is_empty():
        return "No scenario applies to this dataset, so there is nothing to compare yet."
    tab = t.table
    h = t.settings.horizon_years
    frontier = tab.filter(pl.col("on_frontier"))
    best = frontier.sort("net_value", descending=True).row(0, named=True)
    current_rows = tab.filter(pl.col("is_current"))
    parts = []
    if current_rows.height:
        cur = current_rows.row(0, named=True)
        if best["name"] == cur["name"]:
            parts.append(
                f"The current practice ({cur['name']}) has the highest {h}-year net value among the scenarios "
                f"that no other beats on both gain and exposure ({_money(cur['net_value'])})."
            )
        else:
            ratio = (best["incremental_conversions"] / cur["incremental_conversions"]
                     if cur["incremental_conversions"] > 0 else float("nan"))
            if not math.isfinite(ratio):
                gain_text = "changes its engagement gain"
            elif ratio >= 1.0:
                gain_text = f"earns {ratio - 1:.0%} more engagement gain" if ratio > 1.005 else "keeps its engagement gain"
            else:
                gain_text = f"keeps {ratio:.0%} of its engagement gain"
            parts.append(
                f"Moving from the current practice ({cur['name']}) to “{best['name']}” {gain_text}, "
                f"changes the exposure index from {cur['risk_index']:.1f} to {best['risk_index']:.1f} and the "
                f"expected annual breach loss from {_money(cur['expected_annual_loss'])} to "
                f"{_money(best['expected_annual_loss'])}; over {h} years its net value is "
                f"{_money(abs(best['net_value'] - cur['net_value']))} "
                f"{'higher' if best['net_value'] >= cur['net_value'] else 'lower'}."
            )
            if best["gain_ci_low"] <= cur["incremental_conversions"] <= best["gain_ci_high"]:
                parts.append(
                    "The difference in engagement gain is within the measurement's 95 % interval: the case rests "
                    "on lower exposure and loss, not on more gain."
                )
        if not cur["on_frontier"] and cur["dominated_by"]:
            parts.append(
                f"The current practice is dominated: {cur['dominated_by']} gain at least as much with less exposure."
            )
    else:
        parts.append(f"“{best['name']}” has the highest {h}-year net value on the frontier ({_money(best['net_value'])}).")
    safest = frontier.sort("risk_index").row(0, named=True)
    if safest["name"] != best["name"]:
        parts.append(
            f"The least exposed scenario on the frontier, “{safest['name']}”, has an exposure index of "
            f"{safest['risk_index']:.1f} and {safest['incremental_conversions']:,.0f} incremental conversions a campaign."
        )
    losing = tab.filter(pl.col("incremental_conversions") <= 0)
    if losing.height:
        parts.append(
            f"{losing.height} scenario(s) ({', '.join(losing['name'].to_list())}) earn no measurable gain over "
            "random targeting."
        )
    if t.not_applicable.height:
        parts.append(f"{t.not_applicable.height} preset(s) do not apply to this dataset (see the list).")
    return " ".join(parts)


