"""Breach impact: the assumptions (editable, each with its source), the loss distribution, what safeguards buy."""

import polars as pl
import streamlit as st

from analysis.breach.assumptions import AssumptionError, assumptions_table
from analysis.charts import exceedance_chart, loss_distribution_chart, mitigation_chart, trust_tornado_chart
from analysis.formatting import years

from dashboard import downloads, state, views
from dashboard.safe_text import md

st.title("Breach impact")
st.caption("What a breach of the data a scenario holds could cost in a year (simulated many times), and "
           "what each safeguard saves. Every number comes from the assumptions below.")
data = state.load_data()
settings = state.business_settings()
choices = state.scenario_choices()
name = st.selectbox("Scenario", list(choices), key="br_scenario")
spec = choices[name].replace(name=name)

st.subheader("Assumptions")
st.caption("Change a value, low or high to see its effect. Rows marked “secondary” were read in a secondary "
           "source; “assumption” rows are PrivacyLift's own estimates, not published figures.")
table = assumptions_table(state.assumptions())
editable = table.select(
    "key", "label", "value", "low", "high", "unit", "source", "year",
    pl.when(pl.col("secondary")).then(pl.lit("secondary")).otherwise(pl.lit("")).alias("secondary"),
    "kind", "overridden",
)
edited = st.data_editor(
    editable, key="br_assumptions", hide_index=True, height=320,
    disabled=["key", "label", "unit", "source", "year", "secondary", "kind", "overridden"],
    column_config={"key": None, "label": st.column_config.TextColumn("Assumption", width="large"),
                   "value": st.column_config.NumberColumn("Value"), "low": st.column_config.NumberColumn("Low"),
                   "high": st.column_config.NumberColumn("High"),
                   "year": st.column_config.NumberColumn("Year", format="%d"),
                   "kind": st.column_config.TextColumn("Kind"),
                   "overridden": st.column_config.CheckboxColumn("Changed")},
)
overrides = state.assumption_overrides(editable, edited)
col1, col2 = st.columns([1, 4])
if col1.button("Apply changes", key="br_apply", type="primary"):
    try:
        state.set_assumption_overrides(overrides)
        st.rerun()
    except AssumptionError as exc:
        st.error(f"That change cannot be used: {md(str(exc))}")
if col2.button("Back to the published defaults", key="br_reset"):
    state.set_assumption_overrides({})
    st.rerun()

assumption_set = state.assumptions()
if data.schema.outcome is None:
    st.error("This dataset has no outcome column, so scenarios cannot be measured (see the Data page).")
else:
    t = state.run_tradeoff([spec], data, settings=settings, assumption_set=assumption_set,
                           label="Simulating breach losses")
    if not t.table.height:
        st.warning(f"This scenario does not apply to this dataset: {md(t.not_applicable['reason'][0])}.")
    else:
        result = t.result(spec.name)
        b = result.breach
        c1, c2, c3 = st.columns(3)
        c1.metric(**views.metric("expected_annual_loss", b.expected_annual_loss))
        c2.metric("Chance of a breach in a year", f"{b.probability_of_breach:.1%}")
        c3.metric(**views.metric("loss_p95", b.p95))
        left, right = st.columns(2)
        with left:
            fig = loss_distribution_chart(b.annual_losses, percentiles=views.percentiles(result))
            downloads.chart(fig, key="br_distribution", name="loss-distribution")
        with right:
            fig = exceedance_chart(views.exceedance_of(result), tolerance=settings.tolerance_frame())
            downloads.chart(fig, key="br_exceedance", name="loss-exceedance")
        left, right = st.columns(2)
        with left:
            values = state.mitigation_value(result, assumption_set)
            fig = mitigation_chart(values)
            downloads.chart(fig, key="br_mitigations", name="mitigation-value")
        with right:
            sensitivity = state.trust_sensitivity(result, data, assumption_set, horizon=settings.horizon_years)
            fig = trust_tornado_chart(sensitivity,
                                      value_label=f"Trust effect on value over "
                                                  f"{years(settings.horizon_years)} (USD)")
            downloads.chart(fig, key="br_tornado", name="trust-tornado")
