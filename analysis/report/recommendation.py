"""Section 5 of a saved report, "Trade-offs and recommendation": the one recommendation (the same object every
surface shows), the privacy policy it applies, which scenarios it rules out and why, each scenario's net value
with its interval, and how robust the pick is to the assumptions (the table of what flips it)."""

from __future__ import annotations

from typing import Any

from analysis import formatting
from analysis.formatting import years
from analysis.tradeoff import Tradeoff
from analysis.tradeoff.columns import COLUMNS
from analysis.tradeoff.display import INTERVAL, cells, headings, interval
from analysis.tradeoff.decision import RULE
from analysis.tradeoff.policy import ONE_IN_TWENTY, tolerance_at
from analysis.tradeoff.robustness import value_in_words as _value

__all__ = ["tradeoffs_section", "robustness_rows", "METHOD_NOTES"]

#: how the recommendation's figures are made (section 8 shows them)
METHOD_NOTES = (
    RULE,
    "Net value interval: the bootstrap 95 % interval of the measured gain (× value per conversion × campaigns a "
    "year × years) and the Monte Carlo 95 % interval of the simulated expected breach loss (× years), combined in "
    "quadrature as independent errors. When the runner-up's net value lies inside the pick's interval, the "
    "recommendation says the two are not clearly apart.",
    "Robustness: a Latin hypercube of draws over every assumption with a range, each value drawn uniformly within "
    "it; nothing is retrained or re-measured: the expected breach loss of each draw is the simulated loss scaled "
    "by the closed-form expected loss under the draw over that under the assumptions in force, trust effects are "
    "recomputed, and the rule is applied again. Assumptions no net value depends on are not redrawn. What flips it: "
    "the pick's lead over the best alternative is fitted linearly on each assumption's position in its range "
    "(a standardized regression over the draws); the table lists, strongest first, how far each moves the lead, the "
    "value at which the lead would vanish were it to move alone, and the share of the losses beyond it.",
    "Consent regimes: the headline gain personalizes only the customers who consented (the others get the "
    "default treatment, so the campaign adds nothing for them), with the same number of customers contacted; the "
    "figure with everyone personalized is shown beside it, labelled.",
)


def _f(value: Any, kind: str = "number") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "money":
        return formatting.money(value)
    if kind == "share":
        return formatting.percent(value)
    return formatting.number(value)


def _ratio(row: dict) -> str:
    """"0.51 (financial_distress)", "—" without an audited attribute; "below the bound" when it breaks it."""
    if row.get("lowest_selection_ratio") is None:
        return "—"
    out = f"{COLUMNS['lowest_selection_ratio'].format(row['lowest_selection_ratio'])} ({row['lowest_ratio_attribute']})"
    return out + (", below the bound" if row.get("breaks_fairness_bound") else "")


def _table(columns, rows, caption=""):
    return {"type": "table", "columns": list(columns), "rows": [[str(c) for c in r] for r in rows], "caption": caption}


def _text(s: str) -> dict:
    return {"type": "text", "text": s}


def robustness_rows(t: Tradeoff) -> list[list[str]]:
    """One row per redrawn assumption, strongest first: what makes the pick lose."""
    r = t.decision.robustness if t.decision is not None else None
    if r is None:
        return []
    rows = []
    for f in r.assumptions:
        rows.append([f.label, f"{_value(f.low, f.unit)} – {_value(f.high, f.unit)}", _f(f.strength, "money"),
                     f.phrase() if f.share_of_losses > 0 else "—", _f(f.share_of_losses, "share"),
                     _f(f.loss_rate, "share"), f.winner or "—"])
    return rows


def tradeoffs_section(t: Tradeoff, recommended: str | None, chart: Any) -> dict:
    """The section's blocks (``chart`` builds a chart block)."""
    d = t.decision
    h = t.settings.horizon_years
    blocks: list[dict] = [_text(t.recommendation)]
    if d is not None:
        blocks.append({"type": "kv", "pairs": [
            ["Recommended", d.scenario or "none (no scenario meets the policy)"],
            ["The rule", RULE],
            ["Runner-up", d.runner_up or "—"],
            ["Runner-up within the pick's interval", "yes" if d.within_interval else "no"],
            ["In one sentence", d.sentence]]})
        tolerance = tolerance_at(t.settings.risk_tolerance)
        rows = [[r["label"], r["value"], r["default"], r["source"], r["kind"]] for r in d.policy.rows()]
        blocks.append(_table(["Constraint", "In force", "Default", "Source", "Kind"], rows,
                             "The privacy policy applied (a 1-in-20-year loss is the 95th percentile of annual "
                             f"losses; the risk tolerance at a {ONE_IN_TWENTY:.0%} chance a year is "
                             f"{formatting.money(tolerance)})"))
    if not t.table.is_empty():
        rows = [[*cells(r, ["name"]), "recommended" if r["recommended"] else ("allowed" if r["allowed"] else
                                                                             "not allowed"),
                 *cells(r, ["not_allowed_because", "net_value"]), interval(r, "net_value_low", "net_value_high"),
                 *cells(r, ["on_frontier"]), _ratio(r)]
                for r in t.table.sort("net_value", descending=True).iter_rows(named=True)]
        blocks.append(_table([*headings(["name"]), "Under the policy", *headings(["not_allowed_because", "net_value"]),
                              INTERVAL, *headings(["on_frontier", "lowest_selection_ratio"])], rows,
                             f"Every scenario under the rule (highest net value first, over {years(h)}); the lowest "
                             "selection-rate ratio over every audited attribute (1 = every group targeted at the "
                             "same rate; the four-fifths rule's line is 0.8)"
                             + ("" if d is None or d.policy.min_selection_ratio is None else
                                f"; the policy's fairness bound is {_f(d.policy.min_selection_ratio)}")))
    if d is not None and d.robustness is not None:
        r = d.robustness
        blocks.append({"type": "subheading", "text": "How robust the recommendation is"})
        blocks.append(_text(r.sentence))
        blocks.append(_table(["Assumption", "Range drawn", "Moves the lead by", "The pick loses mainly when",
                              "Share of its losses", "Loss rate there", "Wins instead"], robustness_rows(t),
                             f"{r.draws} draws of every assumption with a range (Latin hypercube, seed {r.seed}); "
                             "strongest first"))
        blocks.append(_table(["Scenario", "Share of draws it wins"],
                             [[name, _f(share, "share")] for name, share in
                              sorted(r.winners.items(), key=lambda kv: -kv[1])], "Who wins the draws"))
    if recommended:
        blocks.append(chart("waterfall", f"From gross engagement value to net value for “{recommended}”."))
    if t.not_applicable.height:
        blocks.append(_table(["Scenario", "Why it does not apply"], t.not_applicable.rows(), "Not applicable"))
    return {"id": "tradeoffs", "heading": "Trade-offs and recommendation", "blocks": blocks}
