"""Overview: where the data practice stands, the best trade-offs, and the recommendation."""

import streamlit as st

from analysis import PRESETS
from analysis.charts import frontier_chart
from analysis.tradeoff import RISK_INDEX_FORMULA

from dashboard import downloads, profile, state, views

st.title("Overview")
st.caption("How much personalization earns, and how much privacy exposure and breach cost it takes on, "
           "for nine ways of using the customer data.")

data = state.load_data()
settings = state.business_settings()
facts = profile.headline(data)

c1, c2, c3 = st.columns(3)
c1.metric("Customers held", f"{facts['customers']:,}")
c2.metric("Consented to personalization",
          "not recorded" if facts["consent_rate"] is None else f"{facts['consent_rate']:.0%}")
c3.metric("Data categories held", len(facts["categories"]), help=", ".join(facts["categories"]))
st.caption("Categories held: " + (", ".join(facts["categories"]) or "none"))

if data.schema.outcome is None:
    st.error("This dataset has no outcome column (what the campaign tries to cause), so no gain can be "
             "measured. Mark one column with role = \"outcome\" in its data dictionary (Data page).")
else:
    t = state.run_tradeoff(list(PRESETS), data, settings=settings, label="Measuring the nine preset scenarios")
    if t.table.height == 0:
        st.warning("None of the preset scenarios applies to this dataset.")
    else:
        st.subheader("What we recommend")
        st.info(t.recommendation, icon=":material/lightbulb:")
        current = settings.current_practice if settings.current_practice in t.table["name"].to_list() else None
        fig = frontier_chart(t.table, current=current)
        downloads.chart(fig, key="ov_frontier", name="frontier")
        st.caption(RISK_INDEX_FORMULA)

        st.subheader(f"Net value per scenario over {settings.horizon_years} year(s)")
        st.dataframe(
            views.summary_table(t.table), hide_index=True, key="ov_table",
            column_config={
                "Net value (USD, horizon)": st.column_config.NumberColumn(format="dollar"),
                "Expected breach loss a year (USD)": st.column_config.NumberColumn(format="dollar"),
                "Extra conversions a campaign": st.column_config.NumberColumn(format="%.0f"),
                "Gain kept vs full data": st.column_config.NumberColumn(format="percent"),
                "Customers unique on identifying attributes": st.column_config.NumberColumn(format="percent"),
                "Exposure index (0–100)": st.column_config.NumberColumn(format="%.1f"),
            },
        )
        st.caption("Net value = engagement value − expected breach losses + trust effects (customers kept or "
                   "lost), using the business settings in the sidebar. Every assumption is on Breach impact.")
        sampled = next((r.sample for r in t.results if r.ok and r.sample is not None), None)
        if sampled is not None:
            st.caption(sampled.note())
    if t.not_applicable.height:
        st.subheader("Presets that do not apply to this dataset")
        for name, reason in t.not_applicable.iter_rows():
            st.markdown(f"- **{name}**: {reason}")
