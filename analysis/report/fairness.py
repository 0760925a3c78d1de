"""The report's "Who is targeted" section: for every scenario, whom its model singles out by each audited
(sensitive or protected) attribute, and how well its features stand in for them (:mod:`analysis.fairness`).
Aggregates only; groups of fewer than 5 customers are suppressed."""

from __future__ import annotations

from typing import Any

from analysis.fairness import FOUR_FIFTHS, feature_words

__all__ = ["fairness_section", "fairness_chart_json", "FOUR_FIFTHS_SOURCE"]

FOUR_FIFTHS_SOURCE = ("EEOC Uniform Guidelines on Employee Selection Procedures (1978), 29 CFR 1607.4(D): a "
                      "selection rate under four-fifths of the highest group's rate is evidence of adverse impact")


def _blocks():
    from analysis.report.content import bullets, chart, fmt, table, text  # the report's block helpers

    return bullets, chart, fmt, table, text


def _audited(t) -> list:
    return [r for r in t.results if r.ok and r.fairness is not None]


def _focus(t, recommended: str | None):
    audited = _audited(t)
    if not audited:
        return None
    names = [r.spec.name for r in audited]
    current = getattr(t.settings, "current_practice", None)
    name = recommended if recommended in names else current if current in names else names[0]
    return next(r for r in audited if r.spec.name == name)


def _ratio_cell(a, fmt) -> str:
    s = a.selection
    if s.ratio is None:
        return "too few"
    low, high = s.ratio_ci if s.ratio_ci is not None else (None, None)
    mark = "" if s.meets_four_fifths else " (below 0.8)"
    return f"{fmt(s.ratio)} [{fmt(low)}–{fmt(high)}]{mark}"


def fairness_section(t, recommended: str | None) -> dict[str, Any]:
    """The section's blocks (rendered to HTML and PDF like every other section)."""
    bullets, chart, fmt, table, text = _blocks()
    audited = _audited(t)
    heading = "Who is targeted: fairness and proxy discrimination"
    if not audited:
        return {"id": "fairness", "heading": heading, "blocks": [text(
            "The data dictionary marks no attribute as sensitive or protected, so whom the targeting singles out "
            "was not audited. Mark columns `protected = true` (e.g. age, sex) to audit them.")]}
    attributes = [a.attribute for a in audited[0].fairness.attributes]
    names = [a.name for a in attributes]
    blocks = [
        text("For every attribute the dictionary marks sensitive or protected — audited whether or not the "
             "scenario's model may use it — the share of each group among the held-out customers the model would "
             f"contact (its top share k), the ratio of the least to the most targeted group against the "
             f"four-fifths line of {FOUR_FIFTHS} ({FOUR_FIFTHS_SOURCE}), and how well the scenario's other "
             "features predict the attribute (cross-validated AUC of a linear probe: 0.5 = not at all, 1 = fully; "
             "a lower bound, since a flexible model could read more). Rates are fairlearn's (MetricFrame, "
             "selection_rate); intervals are 95 % (Wilson for a rate, Katz for the ratio, widened for picking "
             "the extreme pair of groups). Groups of fewer than 5 customers are suppressed."),
        table(["Attribute", "Audited because", "Groups"],
              [[a.name, a.reason, "bands of the dictionary" if a.kind == "numeric" and a.band else
                "quartiles" if a.kind == "numeric" else "values"] for a in attributes], "Audited attributes"),
        table(["Scenario", *names],
              [[r.spec.name, *[_ratio_cell(a, fmt) for a in r.fairness.attributes]] for r in audited],
              "Selection-rate ratio (least ÷ most targeted group) with its 95 % interval"),
        table(["Scenario", *names],
              [[r.spec.name, *["uses it" if a.used_by_model else fmt(None if a.proxy is None else a.proxy.auc)
                               for a in r.fairness.attributes]] for r in audited],
              "How well each scenario's other features predict the attribute (AUC; 'uses it': the model reads "
              "the attribute itself)"),
    ]
    mitigated = [r for r in audited if r.fairness.mitigation != "none"]
    if mitigated:
        blocks.append(table(
            ["Scenario", "Mitigation", "Gain without it", "Gain with it", "Cost in gain", "Every ratio ≥ 0.8"],
            [[r.spec.name, r.fairness.mitigation, fmt(r.fairness.gain_without_mitigation, "int"),
              fmt(r.fairness.gain_with_mitigation, "int"), fmt(r.fairness.gain_cost, "int"),
              fmt(r.fairness.meets_four_fifths)] for r in mitigated],
            "Fairness mitigations and what they cost (incremental conversions a campaign)"))
    focus = _focus(t, recommended)
    audit = focus.fairness
    blocks += [
        text(f"In detail: “{focus.spec.name}”."),
        bullets([a.sentence for a in audit.attributes]),
        chart("fairness", f"Selection-rate ratio of each audited attribute in “{focus.spec.name}”, with the "
                          "four-fifths line"),
        table(["Attribute", "Group", "Customers (held out)", "Share targeted", "95 % interval"],
              [[a.name, g.group, "<5" if g.customers < 5 else fmt(g.customers, "int"), fmt(g.selection_rate, "share"),
                "—" if g.ci_low is None else f"{fmt(g.ci_low, 'share')} – {fmt(g.ci_high, 'share')}"]
               for a in audit.attributes for g in a.selection.groups],
              f"Share targeted in every group (“{focus.spec.name}”)"),
        table(["Attribute", "Features that carry it most (their own AUC)"],
              [[a.name, ", ".join(f"{feature_words(f)} ({fmt(v)})" for f, v in a.proxy.top) or "—"]
               for a in audit.attributes if a.proxy is not None],
              f"Proxies (“{focus.spec.name}”)"),
    ]
    return {"id": "fairness", "heading": heading, "blocks": blocks}


def fairness_chart_json(t, recommended: str | None) -> Any:
    """The ratio chart of the section's scenario (a plotly figure), or None without an audit."""
    from analysis import charts

    focus = _focus(t, recommended)
    if focus is None:
        return None
    return charts.fairness_chart(focus.fairness.ratios(),
                                 title=f"Who is targeted in “{focus.spec.name}”: selection-rate ratios")
