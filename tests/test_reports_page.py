"""AppTest of the Reports page: list, open, review, create."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analysis import PRESETS, SimulationSettings
from analysis.report import build_report, read_reviews, render_pdf, save_report

PAGE = "../dashboard/reports_page.py"


@pytest.fixture(scope="module")
def reports(demo_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("page-reports")
    content = build_report([PRESETS[0], PRESETS[1]], demo_db, title="Saved <b>board</b> report",
                           simulation=SimulationSettings(n_boot=30, breach_years=3000, attack_samples=300))
    saved = save_report(content, root / "first", pdf_bytes=render_pdf(content, charts=False))
    return root, saved


@pytest.fixture()
def app(reports, demo_db, monkeypatch):
    monkeypatch.setenv("PRIVACYLIFT_DB", str(demo_db))
    monkeypatch.setenv("PRIVACYLIFT_REPORTS", str(reports[0]))
    at = AppTest.from_file(PAGE, default_timeout=120)
    return at.run()


def test_lists_and_opens_saved_reports(app, reports):
    assert not app.exception
    listed = app.dataframe[0].value
    assert "Saved <b>board</b> report" in listed["Title"].to_list()
    assert listed["Review status"].to_list() == ["not reviewed"]
    assert app.selectbox(key="report_open").value == reports[1].report_id
    assert len(app.get("download_button")) == 3
    assert "PRESETS" not in str(app.session_state)  # nothing odd leaked into state


def test_records_a_review(app, reports):
    app.text_input(key="review_reviewer").input("Board member")
    app.text_area(key="review_comment").input("Looks <fine>")
    app.radio(key="review_decision").set_value("changes_requested")
    app.button(key="review_submit").click().run()
    assert not app.exception
    log = read_reviews(reports[1].dir)
    assert [(r["reviewer"], r["decision"], r["comment"]) for r in log][-1] == \
        ("Board member", "changes_requested", "Looks <fine>")
    assert any("Recorded review" in s.value for s in app.success)
    assert app.dataframe[0].value["Review status"].to_list()[-1] in ("changes requested",)


def test_empty_reviewer_is_refused(app, reports):
    before = len(read_reviews(reports[1].dir))
    app.button(key="review_submit").click().run()
    assert any("'reviewer' parameter" in e.value for e in app.error)
    assert len(read_reviews(reports[1].dir)) == before


def test_creates_a_report_from_scenarios_on_screen(app, reports):
    custom = PRESETS[1].replace(name="<script>alert(1)</script>")
    app.session_state["saved_scenarios"] = {custom.name: custom}
    app.run()
    app.multiselect(key="report_scenarios").set_value([custom.name])
    app.text_input(key="report_title").input("From the page")
    app.button(key="report_create").click().run()
    assert not app.exception, app.exception
    assert any("Saved report" in s.value for s in app.success)
    titles = app.dataframe[0].value["Title"].to_list()
    assert "From the page" in titles
    dirs = [p for p in reports[0].iterdir() if p.is_dir() and p.name.endswith("from-the-page")]
    assert len(dirs) == 1 and (dirs[0] / "manifest.json").exists()
