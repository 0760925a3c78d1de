"""The customer notice: true to the scenario (checked against what prepare() holds), plain, machine-readable,
escaped; the notice diff; the record of processing and retention schedule; the notice command."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from analysis import PRESETS, Scenario, ScenarioError, preset
from analysis.cli import main
from analysis.minimize import prepare
from analysis.transparency import (
    notice, notice_diff, record_of_processing, retention_schedule, to_html, to_json, to_markdown,
)
from analysis.transparency.readability import score
from analysis.transparency.record import RecordOfProcessing
from analysis.transparency.words import CATEGORY_WORDS

#: words that name health or financial data (category words, and the sensitive columns' notice words)
HEALTH_OR_MONEY = ("health", "financ", "credit", "money", "pharmacy", "debt", "loan")


@pytest.fixture(scope="module")
def notices(demo_crm):
    return {p.name: notice(p, demo_crm) for p in PRESETS}


def _all_text(n) -> str:
    return "\n".join([to_markdown(n), to_html(n), json.dumps(to_json(n))]).lower()


def test_the_no_sensitive_notice_never_mentions_health_or_financial_data(notices, demo_crm):
    text = _all_text(notices["No sensitive attributes"])
    for word in HEALTH_OR_MONEY:
        assert word not in text, word
    for c in demo_crm.schema.columns:
        if c.role == "sensitive":
            assert c.notice and c.notice.lower() not in text
    assert "sensitive facts" in text  # the promise names what the scenario leaves out, in its own terms
    # the check can fail: the status quo holds and names both
    status_quo = _all_text(notices["Status quo (full data)"])
    assert "health" in status_quo and "money" in status_quo


def test_a_90_day_scenario_says_90_days(notices):
    n = notices["90-day retention"]
    md = to_markdown(n)
    assert "for 90 days. Then we delete it." in md
    assert "We keep the rest of your data as long as you are a customer." in md
    assert "We keep your data as long as you are a customer." not in md  # only where everything is kept
    activity = [d for d in to_json(n)["data_categories"] if d["source"] == "activity"]
    assert activity and all(d["storage"]["days"] == 90 and d["storage"]["iso8601"] == "P90D" for d in activity)
    full = to_markdown(notices["Status quo (full data)"])
    assert "We keep your data as long as you are a customer." in full and " days" not in full.split("---")[0]
    assert "for 180 days" in to_markdown(notices["Privacy first"])


@pytest.mark.parametrize("spec", [*PRESETS, Scenario(name="No history", use_events=False),
                                  Scenario(name="No location", exclude_categories=("location",)),
                                  Scenario(name="No demographics", exclude_roles=("quasi_identifier",))],
                         ids=lambda s: s.name)
def test_every_category_the_scenario_holds_is_named(spec, demo_crm):
    held = set(prepare(spec, demo_crm).categories_held)
    n = notice(spec, demo_crm, readability=False)
    assert set(n.categories) == held
    md = to_markdown(n)
    for category in held:
        titles = [d.title for d in n.collected if d.category == category]
        assert titles and all(t in md for t in titles)
    # no column name (the identifier-like ones) ever appears
    names = [c.name for c in demo_crm.schema.columns] + [c.name for c in demo_crm.schema.events.columns]
    for name in names:
        if "_" in name or name in ("zip",):
            assert name not in md and name not in json.dumps(to_json(n)), name


@pytest.mark.parametrize("spec", [*PRESETS, Scenario(name="Marketing", consent="consented_only",
                                                     consent_purpose="marketing"),
                                  Scenario(name="Unknown purpose", consent_purpose="loyalty_points")],
                         ids=lambda s: s.name)
def test_every_choice_offered_applies_to_a_purpose_of_the_notice(spec, demo_crm):
    n = notice(spec, demo_crm, readability=False)
    ids = {p.id for p in n.purposes}
    assert sum(p.main for p in n.purposes) == 1 and n.purposes[0].id == spec.consent_purpose
    for c in n.choices:
        assert c.applies_to and set(c.applies_to) <= ids, c
    for p in n.purposes:  # and every purpose can be refused
        assert any(c.applies_to == (p.id,) for c in n.choices), p.id
    rights = {c["id"].split(":")[0] for c in to_json(n)["rights"]}
    assert rights >= {"access", "rectify", "erase"} and rights & {"withdraw", "object"}


def test_flesch_is_reported_and_at_least_60_on_the_demo_presets(notices):
    for name, n in notices.items():
        r = n.readability
        assert r.flesch_reading_ease >= 60 and r.plain, name
        assert f"Flesch reading ease {r.flesch_reading_ease:g}" in to_markdown(n)
        assert to_json(n)["readability"]["flesch_reading_ease"] == r.flesch_reading_ease
        assert r.library == "textstat 0.7.8" and r.sentences > 20
    hard = ("Notwithstanding the aforementioned contractual stipulations, the organisation's legitimate "
            "interests necessitate comprehensive profiling methodologies encompassing behavioural characteristics.")
    assert score(hard).flesch_reading_ease < 30  # the score can fail a text


def test_promises_only_when_true(notices, demo_crm):
    assert notices["Status quo (full data)"].never == ()
    assert notices["Consent only"].never == ("We never choose offers for you unless you said yes.",)
    no_health = notice(Scenario(name="No health", exclude_categories=("health",)), demo_crm, readability=False)
    assert no_health.never == (f"We never use {CATEGORY_WORDS['health']} to choose offers.",)
    assert "health" not in [d.category for d in no_health.collected]
    no_history = notice(Scenario(name="No history", use_events=False), demo_crm, readability=False)
    assert "We never use your visits and purchases to choose offers." in no_history.never
    assert not [d for d in no_history.collected if d.source == "activity"]


def test_who_sees_it_follows_the_mitigations(notices):
    first = {s.id for s in notices["Privacy first"].safeguards}
    assert {"access_restriction", "encryption_at_rest", "generalization", "pseudonymization"} <= first
    plain = {s.id for s in notices["Status quo (full data)"].safeguards}
    assert plain == {"staff_access", "pseudonymization"}
    assert "differential_privacy" in {s.id for s in notices["Differential privacy ε=1"].safeguards}


def test_json_uses_dpv_names(notices):
    j = to_json(notices["Privacy first"])
    assert j["format"] == "privacylift-notice/1" and j["data_subjects"] == ["dpv:Customer"]
    assert all(re.fullmatch(r"(pd|dpv):[A-Z]\w+", d["dpv"]) for d in j["data_categories"])
    assert j["purposes"][0]["dpv"] == "dpv:ServicePersonalisation"
    assert j["purposes"][0]["legal_basis"] == {"id": "consent", "dpv": "dpv:Consent", "article": "GDPR Art. 6(1)(a)"}
    assert {m["dpv"] for m in j["technical_measures"]} >= {"dpv:AccessControlMethod", "dpv:EncryptionAtRest",
                                                           "dpv:Pseudonymisation"}
    assert all(r["dpv"].startswith("eu-gdpr:A") for r in j["rights"])


def test_user_text_is_escaped(demo_crm):
    n = notice(PRESETS[0].replace(name="<b>x</b>"), demo_crm, contact="<script>alert(1)</script> [a](http://x)",
               readability=False)
    page = to_html(n)
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>x</b>" not in page
    md = to_markdown(n)
    assert "[a](http://x)" not in md and r"\[a\](http://x)" in md and "<script>" not in md
    with pytest.raises(ValueError, match="The 'contact' parameter of notice must be"):
        notice(PRESETS[0], demo_crm, contact="")


def test_a_scenario_that_does_not_apply_gets_no_notice(demo_crm):
    with pytest.raises(ScenarioError, match="does not apply"):
        notice(Scenario(name="x", consent="consented_only", consent_purpose="loyalty_points"), demo_crm)


def test_the_diff_says_what_would_change_for_customers(notices):
    d = notice_diff(notices["Status quo (full data)"], notices["90-day retention"])
    assert d.headline == ("Moving from “Status quo (full data)” to “90-day retention”, we would delete your "
                          "activity with us and your purchases older than 90 days.")
    d = notice_diff(notices["Status quo (full data)"], notices["Privacy first"])
    assert "stop keeping your money situation and your health" in d.headline
    assert "older than 180 days" in d.headline and "only use your data" in d.headline
    assert "New promise: We never use sensitive facts about you to choose offers." in d.lines()
    back = notice_diff(notices["Privacy first"], notices["Status quo (full data)"])
    assert "start keeping" in back.headline and "as long as you are a customer, not only 180 days" in back.headline
    same = notice_diff(notices["Opt-out regime"], notices["Status quo (full data)"])
    assert same.changes == () and "changes nothing" in same.headline


def test_record_of_processing_and_retention_schedule(demo_crm):
    spec = preset("90-day retention")
    record = record_of_processing(spec, demo_crm)
    t = record.table
    main = t.filter(pl.col("purpose_id") == "personalization")
    assert set(main["data_category"]) == set(prepare(spec, demo_crm).categories_held)
    assert set(t["purpose_id"]) == {"personalization", "marketing", "analytics"}
    assert main.filter(pl.col("source") == "activity")["retention_days"].to_list() == [90, 90]
    assert (main["legal_basis_article"] == "GDPR Art. 6(1)(f) and Art. 21").all()
    doc = record.to_dict()
    assert doc["article"] == "GDPR Art. 30(1)" and doc["transfers_to_third_countries"].startswith("to be completed")
    schedule = retention_schedule(spec, demo_crm)
    assert schedule.filter(pl.col("retention_days") == 90).height == 2
    assert schedule.filter(pl.col("retention_days").is_null())["retention"].str.contains("customer").all()
    hostile = RecordOfProcessing("s", "f", "c", "x", pl.DataFrame({"purpose": ["=HYPERLINK(1)"], "n": [1]}))
    assert hostile.to_csv().decode().splitlines()[1].startswith("'=HYPERLINK")


def test_notice_command(demo_db, capsys):
    assert main(["notice", "--db", str(demo_db), "--scenario", "90-day retention"]) == 0
    out = capsys.readouterr()
    assert "for 90 days" in out.out and "Flesch reading ease" in out.err
    assert main(["notice", "--db", str(demo_db), "--scenario", "Privacy first", "--format", "json",
                 "--against", "Status quo (full data)", "--contact", "privacy@example.com"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["contact"] == "privacy@example.com" and "older than 180 days" in j["changes"]["headline"]
    assert main(["notice", "--db", str(demo_db), "--scenario", "Consent only", "--format", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    assert main(["notice", "--db", str(demo_db), "--scenario", "Nope"]) == 2
    assert "names no scenario 'Nope'" in capsys.readouterr().err
