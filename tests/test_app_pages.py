"""One AppTest per dashboard page: drive the controls by key, assert on what the page shows."""

from __future__ import annotations

import json
import os
import re

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = "../app.py"
TIMEOUT = 180


@pytest.fixture()
def app(demo_db, monkeypatch):
    monkeypatch.setenv("PRIVACYLIFT_DB", str(demo_db))

    def open_page(page: str | None = None, **query) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        if page:
            at.switch_page(f"dashboard/{page}")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def number(text: str) -> float:
    """'86.9 %' → 86.9, '$107K' → 107000, '−$274K' → -274000, '1,234' → 1234."""
    sign = -1 if text.strip().startswith(("−", "-")) else 1
    m = re.search(r"([\d,.]+)\s*([KMB]?)", text)
    scale = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9}[m.group(2)]
    return sign * float(m.group(1).replace(",", "")) * scale


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def traces(spec: dict) -> dict[str, dict]:
    return {t.get("name"): t for t in spec["data"]}


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_overview_shows_headline_frontier_and_recommendation(app, demo_crm):
    at = app()
    assert number(metric(at, "Customers held")) == demo_crm.n_customers
    assert 0 < number(metric(at, "Consented to personalization")) < 100
    assert any("current practice" in i.value.lower() or "net value" in i.value for i in at.info)
    frontier = chart_specs(at)[0]
    star = traces(frontier)["Current practice"]
    assert star["text"] == ["Status quo (full data)"]
    # moving the current practice in the sidebar moves the star
    at.selectbox(key="biz_current").set_value("Privacy first")
    run(at)
    assert traces(chart_specs(at)[0])["Current practice"]["text"] == ["Privacy first"]
    assert len(at.dataframe) == 1 and at.dataframe[0].value.shape[0] == 9


def test_overview_recommends_under_the_policy_and_says_what_dp_protects(app):
    from analysis.tradeoff import DP_PROTECTS, RULE

    at = app()
    pick = at.success[0].value
    assert " stays the recommendation in " in pick  # the one plain sentence, with its robustness
    captions = [c.value for c in at.caption]
    assert DP_PROTECTS in captions and RULE in captions
    table = at.dataframe[0].value
    assert table["Under your policy"].iloc[0] == "recommended"
    parts = table["Exposure index: held data part (0–100)"] + table["Exposure index: model part (0–100)"]
    assert (parts - table["Exposure index (0–100)"]).abs().max() < 1e-9
    not_allowed = [e for e in at.expander if e.label.startswith("Not allowed by your privacy policy")]
    assert not_allowed and "without the customers' consent" in " ".join(m.value for m in not_allowed[0].markdown)
    # the policy is a setting: lifting two constraints lets the status quo in, and the table says so
    at.toggle(key="pol_sensitive").set_value(False)
    run(at)
    at.toggle(key="pol_cap_on").set_value(False)
    run(at)
    assert at.session_state["privacy_policy"] == {"sensitive_needs_consent": False, "max_exposure_index": None,
                                                  "min_k": None, "loss_within_tolerance": False,
                                                  "min_selection_ratio": None}
    table = at.dataframe[0].value
    assert set(table["Under your policy"]) <= {"recommended", "allowed"}
    # the region of the sourced cost per record is a setting too: the US figure raises every breach loss
    before = table.set_index("Scenario")["Expected breach loss a year (USD)"]
    at.selectbox(key="pol_region").set_value("united_states")
    run(at)
    after = at.dataframe[0].value.set_index("Scenario")["Expected breach loss a year (USD)"]
    assert (after.sort_index() > before.sort_index()).all()  # the order of the rows may change with the figures
    assert at.session_state["assumption_overrides"]["cost_per_record"] == {"region": "united_states"}
    # the fairness bound (off by default; on: 0.8, the four-fifths rule) rules out exactly the scenarios whose
    # lowest selection-rate ratio is under it, in words; the pick is the highest net value of the rest; the
    # frontier rings the ones below it
    assert at.number_input(key="pol_ratio").disabled
    at.toggle(key="pol_ratio_on").set_value(True)
    run(at)
    assert at.session_state["privacy_policy"]["min_selection_ratio"] == 0.8
    table = at.dataframe[0].value
    below = table["Lowest selection-rate ratio (1 = even)"] < 0.8
    assert below.any() and (table.loc[below, "Under your policy"] == "not allowed").all()
    assert table.loc[below, "Not allowed, because"].str.contains(r"are targeted at 0\.\d+× the rate of").all()
    assert (table.loc[~below, "Under your policy"] != "not allowed").all()  # nothing else rules them out now
    rest = table[~below].sort_values("Net value over the horizon (USD)", ascending=False)
    if len(rest):
        assert rest["Under your policy"].iloc[0] == "recommended" and rest["Scenario"].iloc[0] in at.success[0].value
    else:
        assert "None of the 9 scenarios meets the privacy policy" in at.warning[0].value
    ring = traces(chart_specs(at)[0])["Targets a group below the fairness bound (selection-rate ratio under 0.8)"]
    assert set(ring["text"]) == set(table.loc[below, "Scenario"])


def test_builder_controls_move_the_figures_the_right_way(app):
    at = app("builder_page.py")
    base_unique = number(metric(at, "Customers unique on identifying attributes"))
    base_index = number(metric(at, "Exposure index (0–100)"))
    base_loss = number(metric(at, "Expected breach loss a year"))

    at.select_slider(key="b_generalization_level").set_value(2)
    run(at)
    assert number(metric(at, "Customers unique on identifying attributes")) < base_unique
    assert number(metric(at, "Exposure index (0–100)")) < base_index
    assert at.query_params["gen"] == ["2"] or at.query_params["gen"] == "2"
    at.select_slider(key="b_generalization_level").set_value(0)

    at.select_slider(key="b_retention_days").set_value(30)
    run(at)
    assert number(metric(at, "Expected breach loss a year")) < base_loss

    # a mitigation changes the loss, not the model: same gain, no retraining
    gain = number(metric(at, "Extra conversions a campaign"))
    loss = number(metric(at, "Expected breach loss a year"))
    hits = at.session_state["model_cache_hits"]
    misses = at.session_state["model_cache_misses"]
    at.checkbox(key="b_encryption_at_rest").check()
    run(at)
    assert number(metric(at, "Extra conversions a campaign")) == gain
    assert number(metric(at, "Expected breach loss a year")) < loss
    assert at.session_state["model_cache_hits"] > hits
    assert at.session_state["model_cache_misses"] == misses

    # differential privacy: a tiny ε keeps no more gain than a loose one
    at.toggle(key="b_dp").set_value(True)
    run(at)
    at.select_slider(key="b_epsilon").set_value(10.0)
    run(at)
    loose = number(metric(at, "Extra conversions a campaign"))
    at.select_slider(key="b_epsilon").set_value(0.01)
    run(at)
    tight = number(metric(at, "Extra conversions a campaign"))
    assert tight <= loose
    assert "Your scenario" in traces(chart_specs(at)[0])["On the frontier"]["text"] + \
        traces(chart_specs(at)[0])["Dominated (a better option exists)"]["text"]

    # save under a name
    at.text_input(key="b_save_name").input("Tight DP")
    at.button(key="b_save").click()
    run(at)
    assert "Tight DP" in at.session_state["saved_scenarios"]


def test_builder_reopens_a_shared_link_and_warns_on_a_bad_one(app):
    at = app("builder_page.py", eps="1", ret="90", gen="2", consent="consented_only", xr="sensitive")
    assert at.select_slider(key="b_generalization_level").value == 2
    assert at.select_slider(key="b_retention_days").value == 90
    assert at.toggle(key="b_dp").value is True and at.select_slider(key="b_epsilon").value == 1.0
    assert at.selectbox(key="b_consent").value == "consented_only"
    assert at.multiselect(key="b_exclude_roles").value == ["sensitive"]
    bad = app(gen="9", eps="abc")  # the warnings show on the first page opened
    assert len(bad.warning) >= 2
    bad.switch_page("dashboard/builder_page.py")
    run(bad)
    assert bad.select_slider(key="b_generalization_level").value == 0


def test_compare_draws_two_to_four_scenarios(app):
    at = app("compare_page.py")
    bars = chart_specs(at)[0]
    assert len(bars["data"][0]["x"]) == 2
    names = {t["name"] for t in chart_specs(at)[1]["data"]}
    assert {"Status quo (full data)", "Status quo (full data): random targeting"} <= names
    at.multiselect(key="c_pick").set_value(["Status quo (full data)", "Privacy first", "Coarse demographics"])
    run(at)
    assert len(chart_specs(at)[0]["data"][0]["x"]) == 3
    exceedance = {t["name"] for t in chart_specs(at)[2]["data"]}
    assert {"Privacy first", "Coarse demographics"} <= exceedance
    at.multiselect(key="c_pick").set_value(["Privacy first"])
    run(at)
    assert any("at least two" in i.value for i in at.info)


def test_compare_moves_one_dial_and_says_which_side_is_more_private(app):
    at = app("compare_page.py")
    n_charts = len(chart_specs(at))
    at.selectbox(key="c_sweep_dial").set_value("Days of behaviour kept")
    at.toggle(key="c_sweep_on").set_value(True)
    run(at)
    specs = chart_specs(at)
    assert len(specs) == n_charts + 1
    sweep = specs[-1]
    text = json.dumps(sweep["layout"])
    assert "more private" in text
    exposure = next(t for t in sweep["data"] if t["name"] == "Exposure index")
    assert exposure["x"] == sorted(exposure["x"]) and exposure["y"][0] < exposure["y"][-1]


def test_privacy_risk_responds_to_attributes_and_generalization(app):
    at = app("risk_page.py")
    full = number(metric(at, "Customers unique on identifying attributes"))
    assert any("customer records" in m.value for m in at.markdown)  # analysis.risk.explain, sentence by sentence
    at.multiselect(key="r_quasi").set_value(["age", "gender"])
    run(at)
    assert number(metric(at, "Customers unique on identifying attributes")) < full
    at.selectbox(key="r_scenario").set_value("Coarse demographics")
    run(at)
    assert number(metric(at, "Customers unique on identifying attributes")) < full
    classes = chart_specs(at)[0]
    assert sum(traces(classes)["Customers"]["y"]) > 0
    # population risk: estimated from the population the customers come from (a setting)
    unique_pop = number(metric(at, "Customers estimated unique in the population"))
    unique = number(metric(at, "Customers unique on identifying attributes"))
    assert 0 <= unique_pop <= unique + 0.05  # 0.1 % display rounding
    marketer = number(metric(at, "Marketer risk"))
    at.number_input(key="r_population").set_value(int(number(metric(at, "People in the population")) * 10))
    run(at)
    assert number(metric(at, "Marketer risk")) < marketer  # a larger population hides each customer better
    assert "Ordered t-closeness" in [m.label for m in at.metric]  # credit_band has an order in the dictionary


def test_breach_impact_follows_assumptions_and_mitigations(app):
    at = app("breach_page.py")
    base = number(metric(at, "Expected breach loss a year"))
    assert len(chart_specs(at)) == 4
    at.session_state["assumption_overrides"] = {"cost_per_record": {"value": 1000.0}}
    run(at)
    assert number(metric(at, "Expected breach loss a year")) > base
    at.session_state["assumption_overrides"] = {}
    at.selectbox(key="br_scenario").set_value("Privacy first")
    run(at)
    assert number(metric(at, "Expected breach loss a year")) < base


def test_data_page_shows_aggregates_only(app, demo_crm):
    at = app("data_page.py")
    frames = [d.value for d in at.dataframe]
    assert frames and all(f.shape[0] < 50 for f in frames)
    shown = " ".join(str(f.to_dict()) for f in frames)
    assert "@" not in shown  # no e-mails or pseudonyms
    assert any("personalization" in str(f.to_dict()) for f in frames)


def test_reports_page_is_in_the_navigation(app):
    at = app("reports_page.py")
    assert "Report" in at.title[0].value


def test_link_to_a_dataset_outside_uploads_is_refused(app):
    at = app(db="uploads/../../etc/passwd")
    assert any("not found" in w.value for w in at.warning)
    assert not os.path.isabs(at.session_state["active_db"]) if "active_db" in at.session_state else True


def test_customer_notice_page_switches_scenario_compares_and_measures_control(app):
    at = app("notice_page.py")

    def shown() -> str:
        return " ".join(h.proto.body for h in at.get("html"))

    assert at.selectbox(key="n_scenario").value == "Status quo (full data)"
    assert "We keep your data as long as you are a customer." in shown()
    assert number(metric(at, "Reading ease (Flesch)")) >= 60
    at.selectbox(key="n_scenario").set_value("90-day retention")
    run(at)
    assert "for 90 days. Then we delete it." in shown()
    at.selectbox(key="n_against").set_value("Status quo (full data)")
    run(at)
    assert "older than 90 days" in shown()
    assert {b.label for b in at.get("download_button")} >= {"Notice (Markdown)", "Notice (JSON, W3C DPV)",
                                                             "Record (CSV)", "Retention schedule (CSV)"}
    at.selectbox(key="n_scenario").set_value("Consent only")
    at.toggle(key="n_control_on").set_value(True)
    run(at)
    share = number(metric(at, "May be personalized"))
    assert 30 < share < 60  # only the personalization consenters
    assert "access and deletion requests a year" in shown()
