"""The recommendation in words, generated from the figures and the decision only (no text written for any one
scenario)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

from analysis.formatting import money as _money
from analysis.formatting import number as _number

if TYPE_CHECKING:
    from analysis.tradeoff.runner import Tradeoff

__all__ = ['recommendation', 'against_current']


def _gain_words(best: dict, cur: dict) -> str:
    ratio = (best["incremental_conversions"] / cur["incremental_conversions"]
             if cur["incremental_conversions"] > 0 else float("nan"))
    if not math.isfinite(ratio):
        return "changes its engagement gain"
    if ratio >= 1.0:
        return f"earns {ratio - 1:.0%} more engagement gain" if ratio > 1.005 else "keeps its engagement gain"
    return f"keeps {ratio:.0%} of its engagement gain"


def _change(before: float, after: float, formatted: str, formatted_after: str) -> str:
    if formatted == formatted_after:
        return f"leaves it at {formatted}"
    return f"{'lowers' if after < before else 'raises'} it from {formatted} to {formatted_after}"


def against_current(t: Tradeoff, name: str) -> list[str]:
    """Sentences comparing scenario ``name`` with the current practice (empty when it is the current practice
    or the current practice is not in the comparison)."""
    tab = t.table
    rows = {r["name"]: r for r in tab.to_dicts()}
    current = t.settings.current_practice
    if name not in rows or current not in rows or name == current:
        return []
    best, cur = rows[name], rows[current]
    h = t.settings.horizon_years
    exposure = _change(cur["risk_index"], best["risk_index"], f"{cur['risk_index']:.1f}", f"{best['risk_index']:.1f}")
    loss = _change(cur["expected_annual_loss"], best["expected_annual_loss"], _money(cur["expected_annual_loss"]),
                   _money(best["expected_annual_loss"]))
    difference = best["net_value"] - cur["net_value"]
    parts = [f"Against the current practice ({current}), “{name}” {_gain_words(best, cur)}; on the exposure index "
             f"it {exposure}, and on the expected annual breach loss it {loss}; over {h} years its net value is "
             f"{_money(abs(difference))} {'higher' if difference >= 0 else 'lower'}."]
    if best["gain_ci_low"] <= cur["incremental_conversions"] <= best["gain_ci_high"]:
        lower = [w for w, ok in (("exposure", best["risk_index"] < cur["risk_index"]),
                                 ("breach loss", best["expected_annual_loss"] < cur["expected_annual_loss"])) if ok]
        rest = f": the case rests on lower {' and '.join(lower)}, not on more gain" if lower else ""
        parts.append(f"The difference in engagement gain is within the measurement's 95 % interval{rest}.")
    return parts


def recommendation(t: Tradeoff) -> str:
    """One paragraph: the decision and its reason, the comparison with the current practice, what the policy
    rules out, how robust the pick is, and what the frontier says."""
    if t.table.is_empty():
        return "No scenario applies to this dataset, so there is nothing to compare yet."
    d = t.decision
    tab = t.table
    parts = [d.reason] if d is not None else []
    if d is not None and d.scenario is not None:
        parts += against_current(t, d.scenario)
        if d.robustness is not None:
            parts.append(d.robustness.sentence)
    if d is not None and d.not_allowed:
        names = ", ".join(f"“{name}”" for name, _ in d.not_allowed)
        parts.append(f"Not allowed by the privacy policy: {names} (the reason for each is listed).")
    if d is not None and d.below_fairness_bound:
        names = ", ".join(f"“{name}”" for name in d.below_fairness_bound)
        bound = _number(d.policy.min_selection_ratio, digits=2)
        parts.append(f"Targeting some customers at under {bound}× the rate of others (the policy's fairness bound): "
                     f"{names}.")
    frontier = tab.filter(pl.col("on_frontier"))["name"].to_list()
    if frontier:
        parts.append(f"On the frontier (no other scenario has at least as much gain with no more exposure and no "
                     f"more expected loss): {', '.join(frontier)}; being on it is not the rule.")
    losing = tab.filter(pl.col("incremental_conversions") <= 0)
    if losing.height:
        parts.append(
            f"{losing.height} scenario(s) ({', '.join(losing['name'].to_list())}) earn no measurable gain over "
            "random targeting."
        )
    if t.not_applicable.height:
        parts.append(f"{t.not_applicable.height} preset(s) do not apply to this dataset (see the list).")
    return " ".join(parts)
