"""Section 6 of a saved report, "Risks and measures, with residual risk": CNIL-style likelihood × severity of
what each scenario holds, what each measure saves, and the class-size distribution (small cells suppressed)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import polars as pl

from analysis.breach.assumptions import Assumptions
from analysis.data import CRMData
from analysis.formatting import SMALL_CELL
from analysis.report.blocks import fmt, table, text
from analysis.simulation import SimulationSettings
from analysis.tradeoff import Tradeoff

__all__ = ["LEVELS", "LIKELIHOOD_THRESHOLDS", "SEVERITY_THRESHOLDS", "residual_risk", "risks_section"]


#: CNIL PIA's four levels, used for likelihood and severity
LEVELS = ("negligible", "limited", "significant", "maximum")
#: Thresholds of the levels (PrivacyLift assumptions, not from a source): annual probability of a breach for
#: likelihood; exposure index (0–100) for severity, one level up when health or financial data are held.
LIKELIHOOD_THRESHOLDS = (0.01, 0.05, 0.20)
SEVERITY_THRESHOLDS = (5.0, 20.0, 50.0)


def _level(value: float, thresholds: Sequence[float]) -> int:
    return int(sum(value >= x for x in thresholds))


def residual_risk(probability_of_breach: float, exposure_index: float, categories: Sequence[str]) -> tuple[str, str, str]:
    """(likelihood, severity, residual) in words; residual from the CNIL-style 4 × 4 matrix: the score
    (L+1)(S+1) of 1–16 read as low (≤ 2), medium (≤ 6), high (≤ 9), very high."""
    likelihood = _level(probability_of_breach, LIKELIHOOD_THRESHOLDS)
    severity = _level(exposure_index, SEVERITY_THRESHOLDS)
    if {"health", "financial"} & set(categories):
        severity = min(3, severity + 1)
    score = (likelihood + 1) * (severity + 1)
    residual = "low" if score <= 2 else "medium" if score <= 6 else "high" if score <= 9 else "very high"
    return LEVELS[likelihood], LEVELS[severity], residual


def _class_size_table(t: Tradeoff, data: CRMData, name: str) -> dict | None:
    """Class-size distribution of what a scenario holds, binned, rows of fewer than 5 customers shown "<5"."""
    from analysis.minimize import prepare
    from analysis.risk.profile import class_sizes

    result = t.result(name)
    spec = result.spec
    # the same path as the sweep: modelled whole, or (a large CRM) exposure counted over everyone in DuckDB
    p = prepare(spec, data, sample_size=None if result.sample is None else result.sample.size)
    if not p.quasi or p.exposed.height == 0:
        return None
    sizes = class_sizes(p.exposed, list(p.quasi))
    edges = [1, 2, 3, 4, 5, 10, 20, 50, 100]
    labels = ["1", "2", "3", "4", "5–9", "10–19", "20–49", "50–99", "100+"]
    index = np.searchsorted(np.array(edges), sizes["class_size"].to_numpy(), side="right") - 1
    binned = sizes.with_columns(pl.Series("bin", np.array(labels)[index])).group_by("bin").agg(
        pl.col("classes").sum(), pl.col("records").sum())
    order = {b: i for i, b in enumerate(labels)}
    rows = sorted(binned.rows(), key=lambda r: order[r[0]])
    return table(["Group size (identical profiles)", "Groups", "Customers"],
                 [[b, fmt(c, "count") if r >= SMALL_CELL else f"<{SMALL_CELL}", fmt(r, "count")] for b, c, r in rows],
                 f"How many customers share their profile with how many others — “{name}” "
                 f"(quasi-identifiers: {', '.join(p.quasi)}; cells under {SMALL_CELL} customers suppressed)")


def risks_section(t: Tradeoff, data: CRMData, a: Assumptions, simulation: SimulationSettings, recommended: str | None) -> dict:
    from analysis.breach.montecarlo import mitigation_value

    blocks: list[dict] = [text(
        "Security risks (illegitimate access, unwanted modification, disappearance) of what each scenario holds, "
        "rated on CNIL's four levels. Likelihood: the simulated chance of at least one breach a year "
        f"(levels at {', '.join(fmt(x, 'share') for x in LIKELIHOOD_THRESHOLDS)}). Severity: the exposure index "
        f"(levels at {', '.join(str(x) for x in SEVERITY_THRESHOLDS)}), one level higher when health or financial "
        "data are held. These thresholds are PrivacyLift assumptions.")]
    rows = []
    for r in t.results:
        if not r.ok:
            continue
        row = t.table.filter(pl.col("name") == r.spec.name).row(0, named=True)
        lk, sv, residual = residual_risk(r.breach.probability_of_breach, row["risk_index"], r.categories_held)
        rows.append([r.spec.name, lk, sv, residual, ", ".join(r.categories_held)])
    blocks.append(table(["Scenario", "Likelihood", "Severity", "Residual risk", "Categories held"], rows,
                        "Residual risk after each scenario's measures"))
    years = min(simulation.breach_years, 20_000)
    for r in t.results:
        if not r.ok:
            continue
        mv = mitigation_value(r.holding, a, years=years, seed=r.spec.seed)
        blocks.append({"type": "subheading", "text": f"Measures — {r.spec.name}"})
        blocks.append(table(["Measure", "In this scenario", "Expected loss / year without", "With", "Saves / year"],
                            [[m["label"], "yes" if m["in_scenario"] else "no", fmt(m["expected_loss_off"], "money"),
                              fmt(m["expected_loss_on"], "money"), fmt(m["value"], "money")]
                             for m in mv.iter_rows(named=True)]))
    for name in dict.fromkeys(n for n in (t.settings.current_practice, recommended) if n):
        if name in t.table["name"]:
            block = _class_size_table(t, data, name)
            if block:
                blocks.append(block)
    return {"id": "risks", "heading": "Risks and measures, with residual risk", "blocks": blocks}


