"""The "Who is targeted" section (Privacy risk page): whom a scenario's model singles out, by every audited
attribute, and how well its features stand in for them — drawn from ``ScenarioResult.fairness``."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analysis import formatting
from analysis.charts import fairness_chart
from analysis.fairness import FOUR_FIFTHS, feature_words

from dashboard import downloads, state
from dashboard.safe_text import md

MITIGATION_LABELS = {
    "none": "No mitigation",
    "drop_proxies": "Leave out the features that give an attribute away",
    "group_quota": "Re-rank within groups (the same share of every group is contacted)",
}


def _groups_table(audit) -> pl.DataFrame:
    g = audit.groups()
    return pl.DataFrame({
        "Attribute": g["attribute"],
        "Group": g["group"],
        "Customers (held out)": [formatting.count(n) if n is not None else f"<{formatting.SMALL_CELL}"
                                 for n in g["customers"].to_list()],
        "Share targeted": [formatting.percent(v) for v in g["selection_rate"].to_list()],
        "95 % interval": [("—" if lo is None else f"{formatting.percent(lo)} – {formatting.percent(hi)}")
                          for lo, hi in zip(g["ci_low"].to_list(), g["ci_high"].to_list())],
    })


def _proxies_table(audit) -> pl.DataFrame:
    rows = []
    for a in audit.attributes:
        p = a.proxy
        rows.append({
            "Attribute": a.name,
            "The model uses it": "yes" if a.used_by_model else "no",
            "Other features predict it (AUC; 0.5 = not at all)": "—" if p is None or p.auc is None
            else formatting.number(p.auc, digits=2),
            "Features that carry it most": "—" if p is None or not p.top
            else ", ".join(f"{feature_words(f)} ({formatting.number(v, digits=2)})" for f, v in p.top),
        })
    return pl.DataFrame(rows)


def _show(result, *, key: str) -> None:
    audit = result.fairness
    downloads.chart(fairness_chart(audit.ratios()), key=f"{key}_chart", name="who-is-targeted")
    for a in audit.attributes:
        st.markdown(f"- {md(a.sentence, limit=None)}")  # names attributes and groups: user text
    st.markdown("**Which features stand in for each attribute**")
    st.dataframe(_proxies_table(audit), hide_index=True, key=f"{key}_proxies")
    with st.expander("Share targeted in every group"):
        st.dataframe(_groups_table(audit), hide_index=True, key=f"{key}_groups")


def who_is_targeted(spec, result, data) -> None:
    """Draw the section for ``result`` (the scenario ``spec`` on ``data``)."""
    st.subheader("Who is targeted")
    st.caption(f"Among the held-out customers the model would contact (the top {formatting.percent(spec.k)}), "
               "the share targeted in each group of every sensitive or protected attribute — also when the model "
               f"does not use it. A ratio under {FOUR_FIFTHS} (the four-fifths rule, EEOC Uniform Guidelines "
               "1978) means one group is contacted at under 4/5 of the rate of the most contacted group. "
               "Groups of fewer than 5 customers are not shown.")
    if result is None or result.fairness is None:
        st.info("The data dictionary marks no attribute as sensitive or protected, so there is nothing to audit. "
                "Mark a column `protected = true` (e.g. age, sex) to audit whom the targeting singles out.")
        return
    _show(result, key="r_fair")
    choice = st.radio("Try a fairness mitigation", list(MITIGATION_LABELS), key="r_fairness",
                      format_func=MITIGATION_LABELS.get, horizontal=True,
                      index=list(MITIGATION_LABELS).index(spec.fairness))
    if choice == spec.fairness:
        if spec.fairness != "none" and result.fairness.gain_cost is not None:
            st.markdown(_cost_sentence(result))
        return
    mitigated = spec.replace(name=f"{spec.name} · {MITIGATION_LABELS[choice].lower()}", fairness=choice)
    t = state.run_tradeoff([mitigated], data, label="Measuring the mitigation")
    other = t.result(mitigated.name) if t.table.height else None
    if other is None or other.fairness is None:
        st.info("This mitigation does not apply to this scenario.")
        return
    with st.container(border=True):
        st.markdown(f"**With the mitigation: {MITIGATION_LABELS[choice].lower()}**")
        if other.fairness.gain_cost is not None:
            st.markdown(_cost_sentence(other))
        _show(other, key="r_fair_mitigated")


def _cost_sentence(result) -> str:
    audit = result.fairness
    cost, before = audit.gain_cost, audit.gain_without_mitigation
    share = formatting.percent(audit.gain_cost_share)
    verdict = ("every audited attribute is at or above the four-fifths line" if audit.meets_four_fifths
               else "below the four-fifths line: " + ", ".join(md(b) for b in audit.breaking))  # user text
    word = "costs" if cost >= 0 else "gains"
    return (f"The mitigation {word} {formatting.count(abs(cost), suppress=False)} extra conversions a campaign "
            f"({share} of the {formatting.count(before, suppress=False)} without it); {verdict}.")
