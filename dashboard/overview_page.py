"""Overview: where the data practice stands, the one recommendation (and how sure it is), the best trade-offs."""

import streamlit as st

from analysis import PRESETS
from analysis.charts import frontier_chart
from analysis.formatting import years
from analysis.tradeoff import DP_PROTECTS, RISK_INDEX_FORMULA, RULE
from analysis.tradeoff.frontier import FRONTIER_TITLE

from dashboard import decision_settings, downloads, profile, state, views
from dashboard.safe_text import md

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
decision_settings.policy_controls()

if data.schema.outcome is None:
    st.error("This dataset has no outcome column (what the campaign tries to cause), so no gain can be "
             "measured. Mark one column with role = \"outcome\" in its data dictionary (Data page).")
else:
    t = state.run_tradeoff(list(PRESETS), data, settings=settings, label="Measuring the nine preset scenarios")
    if t.table.height == 0:
        st.warning("None of the preset scenarios applies to this dataset.")
    else:
        d = t.decision
        st.subheader("What we recommend")
        if d.scenario is None:
            st.warning(md(d.reason, limit=None), icon=":material/block:")
        else:
            st.success(f"**{md(d.scenario)}** — {md(d.sentence, limit=None)}", icon=":material/verified:")
        st.info(md(t.recommendation, limit=None), icon=":material/lightbulb:")
        st.caption(RULE)
        st.caption(DP_PROTECTS)
        if d.not_allowed:
            with st.expander(f"Not allowed by your privacy policy ({len(d.not_allowed)})", expanded=False):
                for name, because in d.not_allowed:
                    st.markdown(f"- **{md(name)}**: not allowed, because {md(because, limit=None)}.")
        current = settings.current_practice if settings.current_practice in t.table["name"].to_list() else None
        fig = frontier_chart(t.table, current=current, title=FRONTIER_TITLE,
                             fairness_bound=t.policy.min_selection_ratio)
        downloads.chart(fig, key="ov_frontier", name="frontier")
        st.caption(RISK_INDEX_FORMULA)

        st.subheader(f"Net value per scenario over {years(settings.horizon_years)}")
        st.dataframe(
            views.summary_table(t.table, d.scenario), hide_index=True, key="ov_table",
            column_config={heading: st.column_config.NumberColumn(format=number_format)
                           for heading, number_format in views.summary_formats().items()},
        )
        st.download_button("Table (CSV)", data=lambda: downloads.safe_csv(views.summary_csv(t.table, d.scenario)),
                           file_name="scenarios.csv", mime="text/csv", key="ov_table_csv", on_click="ignore",
                           icon=":material/table:")
        st.caption("Net value = engagement value − expected breach losses + trust effects (customers kept or "
                   "lost), using the business settings in the sidebar. Consent regimes count only the customers "
                   "who consented as personalized. Every assumption is on Breach impact.")
        sampled = next((r.sample for r in t.results if r.ok and r.sample is not None), None)
        if sampled is not None:
            st.caption(sampled.note())
    if t.not_applicable.height:
        st.subheader("Presets that do not apply to this dataset")
        for name, reason in t.not_applicable.iter_rows():
            st.markdown(f"- **{md(name)}**: {md(reason)}")
