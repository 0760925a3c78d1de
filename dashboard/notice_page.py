"""Customer notice: what a scenario means for the customers whose data it uses — the notice they would read (with
its reading ease), what would change against another scenario, the record of processing, and what honouring their
choices costs over time."""

import html
import json
import re

import streamlit as st

from analysis import PRESETS, ScenarioError, formatting
from analysis.transparency import DEFAULT_CONTACT, notice_diff, to_html, to_json, to_markdown

from dashboard import downloads, state
from dashboard.safe_text import md

NONE = "(nothing)"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "scenario"


st.title("Customer notice")
st.caption("The notice your customers would read if you chose a scenario: what you keep, why, for how long, who "
           "sees it, what you never do and what they can do. It is written from the data dictionary and the "
           "scenario, in plain words.")
data = state.load_data()
choices = state.scenario_choices()
names = list(choices)
current = state.business_settings().current_practice
st.session_state.setdefault("n_scenario", current if current in choices else PRESETS[0].name)
col1, col2 = st.columns(2)
name = col1.selectbox("Scenario", names, key="n_scenario")
against = col2.selectbox("Compare with", [NONE] + [n for n in names if n != name], key="n_against",
                         help="What would change for customers in moving from this scenario to the one on the left.")
contact = st.text_input("Where customers write to use their choices", value=DEFAULT_CONTACT, key="n_contact",
                        max_chars=120)
spec = choices[name].replace(name=name)
try:
    customer_notice = state.notice(spec, data, contact=contact.strip() or DEFAULT_CONTACT)
except (ScenarioError, ValueError) as exc:
    st.warning(f"No notice for “{md(name)}”: {md(str(exc))}")
    st.stop()

r = customer_notice.readability
m1, m2, m3 = st.columns(3)
m1.metric("Reading ease (Flesch)", formatting.number(r.flesch_reading_ease),
          help="60 or more is plain English; higher is easier (textstat's Flesch reading ease).")
m2.metric("Kinds of data kept", str(len(customer_notice.collected)))
m3.metric("Choices offered", str(len(customer_notice.choices)))
if not r.plain:
    st.warning("This notice is harder to read than plain English (reading ease under 60).")

if against != NONE:
    other = choices[against].replace(name=against)
    try:
        diff = notice_diff(state.notice(other, data, contact=contact.strip() or DEFAULT_CONTACT, readability=False),
                           customer_notice)
    except (ScenarioError, ValueError) as exc:
        st.warning(f"“{md(against)}” cannot be compared: {md(str(exc))}")
    else:
        st.html(diff.to_html())

with st.container(border=True, key="n_notice"):
    st.html(to_html(customer_notice, standalone=False))

slug = _slug(name)
d1, d2, d3 = st.columns(3)
d1.download_button("Notice (Markdown)", data=to_markdown(customer_notice), file_name=f"notice-{slug}.md",
                   mime="text/markdown", key="n_md", on_click="ignore", icon=":material/download:")
d2.download_button("Notice (HTML)", data=to_html(customer_notice), file_name=f"notice-{slug}.html",
                   mime="text/html", key="n_html", on_click="ignore", icon=":material/download:")
d3.download_button("Notice (JSON, W3C DPV)", data=json.dumps(to_json(customer_notice), indent=2, ensure_ascii=False),
                   file_name=f"notice-{slug}.json", mime="application/json", key="n_json", on_click="ignore",
                   icon=":material/data_object:")

st.subheader("Record of processing (GDPR Art. 30)")
st.caption("Purposes, legal bases, data, recipients, retention and security measures. What PrivacyLift cannot "
           "know (your name as controller, processors, transfers) is marked to be completed.")
record = state.record_of_processing(spec, data, customer_notice=customer_notice)
st.dataframe(record.table.select("purpose", "legal_basis", "data", "retention", "recipients", "security_measures"),
             hide_index=True, key="n_record",
             column_config={"purpose": "Purpose", "legal_basis": "Legal basis", "data": "Data", "retention": "Kept",
                            "recipients": "Who receives it", "security_measures": "Security measures"})
schedule = state.retention_schedule(spec, data, customer_notice=customer_notice)
r1, r2, r3 = st.columns(3)
r1.download_button("Record (CSV)", data=record.to_csv(), file_name=f"record-of-processing-{slug}.csv",
                   mime="text/csv", key="n_record_csv", on_click="ignore", icon=":material/table:")
r2.download_button("Record (JSON)", data=json.dumps(record.to_dict(), indent=2, ensure_ascii=False),
                   file_name=f"record-of-processing-{slug}.json", mime="application/json", key="n_record_json",
                   on_click="ignore", icon=":material/data_object:")
r3.download_button("Retention schedule (CSV)", data=downloads.safe_csv(schedule),
                   file_name=f"retention-schedule-{slug}.csv", mime="text/csv", key="n_schedule_csv",
                   on_click="ignore", icon=":material/table:")

st.subheader("Honouring customers' choices over time")
st.caption("Customers withdraw consent, change their preferences and ask to see or delete their data. This "
           "measures who you could still personalize, the gain and trust over the horizon, and what handling "
           "the requests costs (the control_* assumptions on the Breach impact page).")
if data.schema.outcome is None:
    st.info("This dataset has no outcome column, so no gain can be measured.")
elif st.toggle("Measure it (trains the scenario's model the first time)", key="n_control_on"):
    settings = state.business_settings()
    t = state.run_tradeoff([spec], data, settings=settings, label="Measuring the scenario")
    result = t.result(name)
    if not result.ok:
        st.warning(f"“{md(name)}” does not apply to this dataset: {md(result.reason)}.")
    else:
        p = result.personalization
        basis = "consent" if p.legal_basis == "consent" else "legitimate interest"
        st.html(f"<p>Legal basis: <b>{basis}</b> for the purpose <b>{html.escape(p.purpose.replace('_', ' '))}"
                "</b>. Only the customers it covers are personalized when the gain is counted; the others get the "
                "default treatment.</p>")
        c1, c2, c3 = st.columns(3)
        c1.metric("May be personalized", formatting.percent(p.eligible_share))
        c2.metric("Extra conversions a campaign (only they personalized)",
                  formatting.number(p.incremental_conversions))
        control = state.simulate_control(result, data, settings=settings)
        c3.metric(f"Cost of requests over {control.horizon_years} years", formatting.money(control.operating_cost))
        st.html("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in control.sentences()) + "</ul>")
        st.dataframe(control.table, hide_index=True, key="n_control_table")
