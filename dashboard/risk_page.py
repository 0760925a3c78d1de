"""Privacy risk: how easily customers could be singled out, what their data discloses, what an attacker infers."""

import streamlit as st

from analysis.simulation import SAMPLING_FRACTION
from analysis.charts import class_size_chart, risk_by_quasi_chart
from analysis.risk import explain

from dashboard import downloads, state, views
from dashboard.safe_text import md
from dashboard.fairness_section import who_is_targeted

st.title("Privacy risk")
st.caption("What could be learned about individual customers from the data a scenario holds and from "
           "its model. Figures are over the customers held; nothing here shows anyone's data.")
data = state.load_data()
choices = state.scenario_choices()
name = st.selectbox("Scenario", list(choices), key="r_scenario",
                    help="Your scenario is the one on the Scenario builder.")
spec = choices[name].replace(name=name)
reason = state.not_applicable(spec, data)
prepared = state.exposed(spec, data) if reason is None else None

if prepared is None:
    st.warning(f"This scenario does not apply to this dataset: {md(reason)}.")
elif not prepared.quasi:
    st.info("This dataset has no identifying attributes (quasi-identifiers) in its dictionary, so "
            "re-identification cannot be measured.")
else:
    quasi = st.multiselect("Attributes an attacker knows (quasi-identifiers)", list(prepared.quasi),
                           default=list(prepared.quasi), key="r_quasi",
                           help="Remove one to see how much it contributes to the risk.")
    default_population = max(int(round(data.n_customers / SAMPLING_FRACTION)), prepared.customers_held)
    population = st.number_input(
        "People the customers are drawn from (for population risk)", min_value=max(prepared.customers_held, 1),
        value=default_population, step=10_000, key="r_population",
        help=f"PrivacyLift assumption by default: the customers are {SAMPLING_FRACTION:.0%} of the people they "
             "live among. Set the size of your market.")
    orders = prepared.orders
    if not quasi:
        st.info("Pick at least one attribute.")
    else:
        profile = state.risk_profile(spec, data, quasi, population=int(population))
        r = profile.reidentification
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(**views.metric("customers_held", r.records))
        c2.metric(**views.metric("sample_uniqueness", r.sample_uniqueness))
        c3.metric(**views.metric("prosecutor_average_records", r.prosecutor_average_records))
        c4.metric(**views.metric("k_anonymity", r.k))
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(**views.metric("population_uniqueness", r.population_uniqueness,
                                 help=f"Model: {r.population_uniqueness_model} (Dankar's rule, as ARX)."))
        c2.metric(**views.metric("marketer_risk", r.marketer))
        c3.metric("People in the population", f"{int(population):,}")
        if orders:
            c4.metric("Ordered t-closeness", ", ".join(f"{d.t_closeness:.2f}" for d in profile.disclosures
                                                      if d.t_closeness_kind == "ordered"),
                      help="Sensitive columns with an order in the data dictionary use the ordered distance: "
                           + ", ".join(orders))
        with st.expander("What these numbers mean", expanded=True):
            for sentence in explain(profile):
                st.markdown(f"- {md(sentence)}")

        left, right = st.columns(2)
        with left:
            k = st.number_input("Smallest group you accept (k)", min_value=1, max_value=100, value=5, step=1,
                                key="r_k")
            fig = class_size_chart(state.class_sizes(spec, data, quasi), k=int(k))
            downloads.chart(fig, key="r_classes", name="class-sizes")
        with right:
            fig = risk_by_quasi_chart(state.quasi_contributions(spec, data, quasi))
            downloads.chart(fig, key="r_drivers", name="risk-by-attribute")
            st.caption("Generalized = one level coarser than this scenario keeps it (e.g. wider age bands).")

    st.subheader("What an attacker could infer")
    if data.schema.outcome is None:
        st.info("No model is trained without an outcome column, so model attacks are not measured.")
    else:
        t = state.run_tradeoff([spec], data, label="Measuring the attacks", robustness=False)
        result = t.result(spec.name) if t.table.height else None
        attacks = [] if result is None else [a for a in (result.attribute, result.membership) if a is not None]
        if not attacks:
            st.info("No attack applies to this scenario (no sensitive attribute held, or no model).")
        for attack in attacks:
            title = ("Guessing a sensitive attribute from the identifying ones"
                     if attack.attack != "membership_inference" else "Telling whether someone was in the training data")
            with st.container(border=True):
                st.markdown(f"**{title}**")
                st.metric("Attacker's advantage over a blind guess", f"{attack.risk:.1%}")
                for sentence in explain(attack):
                    st.markdown(f"- {md(sentence)}")

    who_is_targeted(spec, result, data)
