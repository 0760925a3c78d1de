"""Compare two to four scenarios: gain curves, exposure, breach losses, and the road to net value."""

import streamlit as st

from analysis import PRESETS
from analysis.charts import (
    exceedance_chart,
    lift_curve_chart,
    risk_by_quasi_chart,
    scenario_bars,
    sweep_chart,
    waterfall_chart,
)
from analysis.formatting import years
from analysis.tradeoff import SWEEPS, waterfall_steps

from dashboard import downloads, state
from dashboard.safe_text import md

st.title("Compare scenarios")
data = state.load_data()
settings = state.business_settings()
choices = state.scenario_choices()

st.session_state.setdefault("c_pick", [PRESETS[0].name, PRESETS[-1].name])
picked = st.multiselect("Scenarios to compare (two to four)", list(choices), key="c_pick", max_selections=4,
                        help="Your scenario is the one on the Scenario builder; saved scenarios appear here too.")

if len(picked) < 2:
    st.info("Pick at least two scenarios to compare.")
elif data.schema.outcome is None:
    st.error("This dataset has no outcome column, so no gain can be measured (see the Data page).")
else:
    specs = [choices[n].replace(name=n) for n in picked]
    t = state.run_tradeoff(specs, data, settings=settings, label="Measuring the scenarios to compare",
                           robustness=False)
    for name, reason in t.not_applicable.iter_rows():
        st.warning(f"“{md(name)}” does not apply to this dataset: {md(reason)}.")
    if t.table.height:
        d = t.decision
        if d.scenario is not None:
            st.info(f"Among these, the rule recommends **{md(d.scenario)}**. {md(d.reason, limit=None)}",
                    icon=":material/lightbulb:")
        else:
            st.info(md(d.reason, limit=None), icon=":material/lightbulb:")
        for name, because in d.not_allowed:
            st.caption(f"“{md(name)}” is not allowed by your privacy policy, because {md(because, limit=None)}.")
        table = t.table.filter(t.table["name"].is_in(picked))
        fig = scenario_bars(table, metrics=["incremental_conversions", "risk_index", "expected_annual_loss",
                                            "net_value"])
        downloads.chart(fig, key="c_bars", name="scenarios-side-by-side")

        curves = t.curves().filter(t.curves()["scenario"].is_in(picked))
        kind = curves["kind"][0] if curves.height else "qini"
        tab1, tab2, tab3, tab4 = st.tabs(["Gain curves", "Breach losses", "Road to net value",
                                          "Risk by attribute"])
        with tab1:
            fig = lift_curve_chart(curves.drop("kind"), kind=kind)
            downloads.chart(fig, key="c_lift", name="gain-curves")
            st.caption("The dashed line of each colour is random targeting: the gap above it is what the "
                       "model adds.")
        with tab2:
            fig = exceedance_chart(t.exceedance().filter(t.exceedance()["scenario"].is_in(picked)),
                                   tolerance=settings.tolerance_frame())
            downloads.chart(fig, key="c_exceedance", name="loss-exceedance")
        ok = table["name"].to_list()
        with tab3:
            which = st.selectbox("Scenario", ok, key="c_waterfall_pick")
            fig = waterfall_chart(waterfall_steps(t, which),
                                  y_label=f"Value over {years(settings.horizon_years)} (USD)")
            downloads.chart(fig, key="c_waterfall", name=f"waterfall-{which}")
        with tab4:
            which_risk = st.selectbox("Scenario", ok, key="c_risk_pick")
            spec = next(s for s in specs if s.name == which_risk)
            prepared = state.exposed(spec, data)
            if not prepared.quasi:
                st.info("This scenario holds no identifying attributes (quasi-identifiers).")
            else:
                contributions = state.quasi_contributions(spec, data)
                fig = risk_by_quasi_chart(contributions)
                downloads.chart(fig, key="c_risk", name=f"risk-by-attribute-{which_risk}")

st.header("Move one dial")
st.caption("How engagement gain and exposure move as one choice changes, everything else as in the status quo. "
           "The chart says which side is more private.")
DIALS = {"Privacy budget ε (differential privacy)": "epsilon", "Days of behaviour kept": "retention",
         "Share of customers who opt in": "consent_rate"}
dial = st.selectbox("Dial", list(DIALS), key="c_sweep_dial")
if data.schema.outcome is None:
    st.info("This dataset has no outcome column, so no gain can be measured.")
elif DIALS[dial] == "retention" and not data.schema.has_events:
    st.info("This dataset has no events history, so there is no retention window to move.")
elif st.toggle("Draw the curves (trains one model per value the first time)", key="c_sweep_on"):
    parameter = DIALS[dial]
    curves = state.run_sweep(parameter, data, PRESETS[0])
    _, _, label, private_side = SWEEPS[parameter]
    fig = sweep_chart(curves, x="x", x_label=label, log_x=parameter == "epsilon", more_private=private_side)
    downloads.chart(fig, key="c_sweep", name=f"sweep-{parameter}")

