"""Scenario builder: every dimension of a scenario, the result against the status quo, save and share."""

import streamlit as st

from analysis import PRESETS
from analysis.charts import frontier_chart
from analysis.scenario import ScenarioError, scenarios_to_toml

from dashboard import downloads, state, views, widgets
from dashboard.safe_text import md, md_list

st.title("Scenario builder")
st.caption("Move the controls: the figures on the right compare your scenario with using all the data "
           "(the status quo). The link in the address bar reopens this exact scenario.")

data = state.load_data()
settings = state.business_settings()

chosen = widgets.preset_picker()
if chosen is not None:
    widgets.reset_builder(chosen)
    st.rerun()

left, right = st.columns([1, 2], gap="large")
with left:
    with st.container(border=True):
        try:
            spec = widgets.scenario_controls(data.schema)
        except ScenarioError as exc:  # the controls describe no valid scenario: say why, in the field's words
            st.error(md(str(exc)))
            st.stop()

with right:
    if data.schema.outcome is None:
        st.error("This dataset has no outcome column, so no gain can be measured (see the Data page).")
    else:
        status_quo = PRESETS[0]
        t = state.run_tradeoff([*PRESETS, spec], data, settings=settings, label="Measuring your scenario",
                               robustness=False)
        names = t.table["name"].to_list() if t.table.height else []
        if state.YOUR_SCENARIO not in names:
            reason = dict(t.not_applicable.iter_rows()).get(state.YOUR_SCENARIO, "no result")
            st.warning(f"This scenario does not apply to this dataset: {md(reason)}.")
        else:
            st.subheader("Your scenario against the status quo")
            metrics = views.compare_metrics(t.table, state.YOUR_SCENARIO, status_quo.name)
            for row in (metrics[:3], metrics[3:]):
                for column, m in zip(st.columns(3), row):
                    column.metric(m.label, m.value, m.delta, delta_color=m.delta_color, help=m.help)
            st.caption("Deltas are against the status quo (all data, everyone, all history). Green is better.")
            mine = views.headline(t, state.YOUR_SCENARIO)
            st.caption(f"Exposure index {views.figure('risk_index', mine['risk_index'])} = held data "
                       f"{views.figure('exposure_held_data', mine['exposure_held_data'])} + the model "
                       f"{views.figure('exposure_model', mine['exposure_model'])}. "
                       + ("Only consenters are personalized in this figure (everyone personalized: "
                          f"{views.figure('incremental_conversions_everyone', mine['incremental_conversions_everyone'])})."
                          if mine["personalized"] != "everyone" else ""))
            d = t.decision
            because = d.because(state.YOUR_SCENARIO)
            if because:
                st.warning(f"Your scenario is not allowed by your privacy policy, because {md(because, limit=None)}.",
                           icon=":material/block:")
            if d.scenario is None:
                st.info(md(d.reason, limit=None), icon=":material/lightbulb:")
            elif d.scenario == state.YOUR_SCENARIO:
                st.success(f"Your scenario is the recommendation among the presets and it: {md(d.reason, limit=None)}",
                           icon=":material/verified:")
            else:
                st.info(f"Recommended among the presets and your scenario: **{md(d.scenario)}**. {md(d.reason, limit=None)}",
                        icon=":material/lightbulb:")
            result = t.result(state.YOUR_SCENARIO)
            for note in result.notes:
                st.caption(f"Note: {md(note)}")
            current = settings.current_practice if settings.current_practice in names else None
            fig = frontier_chart(t.table, current=current, fairness_bound=t.policy.min_selection_ratio,
                                 title="Your scenario among the presets: the best trade-offs lie on the line")
            downloads.chart(fig, key="b_frontier", name="frontier-your-scenario")
            hits = st.session_state.get(state.CACHE_HITS, 0)
            st.caption(f"Trained models reused from the cache so far: {hits}.")

    with st.container(border=True):
        st.markdown("**Save this scenario**")
        col1, col2 = st.columns([3, 1], vertical_alignment="bottom")
        name = col1.text_input("Name", key="b_save_name", placeholder="e.g. Consent + 90 days")
        if col2.button("Save", key="b_save", width="stretch"):
            clean = name.strip()
            reserved = {p.name for p in PRESETS} | {state.YOUR_SCENARIO}
            if not clean:
                st.warning("Give the scenario a name first.")
            elif clean in reserved:
                st.warning(f"“{md(clean)}” is a preset's name; choose another.")
            else:
                try:
                    state.saved_scenarios()[clean] = spec.replace(name=clean)
                    st.success(f"Saved “{md(clean, limit=60)}”. Compare it on the Compare page.")
                except ScenarioError as exc:  # e.g. a 200-character name: the scenario's one message
                    st.warning(md(str(exc)))
        saved = state.saved_scenarios()
        if saved:
            st.caption("Saved: " + md_list(saved))
            st.download_button("Download saved scenarios (TOML)", data=scenarios_to_toml(saved.values()),
                               file_name="scenarios.toml", mime="application/toml", key="b_download_toml",
                               on_click="ignore")
