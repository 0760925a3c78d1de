"""Reports page: create a report for an ethics board from what the user is looking at — the session's dataset
(an upload included), the scenarios on screen (the Overview's nine presets, the recommended one among them, by
default), the sidebar's business settings, the Breach page's assumption overrides and the privacy policy — list
saved reports with their review status, open one, download its files, record a review.

Database: the app's data in use (:func:`dashboard.state.data_source`). Reports: ``PRIVACYLIFT_REPORTS`` or
``data/reports`` (git-ignored), with its ``registry.jsonl``.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from analysis import PRESETS
from dashboard.safe_text import md
from analysis.report import (
    DECISIONS, FILES, list_reports, load_report, read_reviews, record_review, render_html, save_report,
)

from dashboard import state

ROOT = Path(__file__).resolve().parent.parent
MIME = {"report.json": "application/json", "report.html": "text/html", "report.pdf": "application/pdf"}


def _reports_dir() -> Path:
    return Path(os.environ.get("PRIVACYLIFT_REPORTS") or ROOT / "data" / "reports")


def _scenarios_on_screen() -> dict:
    """The Overview's presets, the builder's scenario and the saved ones (by name, presets first)."""
    choices = state.scenario_choices()
    out = {p.name: p for p in PRESETS}
    out.update({name: spec.replace(name=name) for name, spec in choices.items() if name not in out})
    return out


def _new_dir(reports: Path, title: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "report"
    return reports / f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{slug}"


st.title("Reports for ethics boards")
st.caption("A saved report freezes a comparison of scenarios (JSON, HTML and PDF) with the data's fingerprint, "
           "so a board can check it later with `python -m analysis verify DIR`. Saved reports are never "
           "overwritten; reviews are appended to a hash-chained log.")
source = state.data_source()
db = source.path
reports_dir = _reports_dir()
if not db.exists():
    st.error(f"The database {db.name} does not exist. Ingest data first or unset PRIVACYLIFT_DB to use the demo.")
    st.stop()
data = state.load_data()
settings = state.business_settings()
assumption_set = state.assumptions()
policy = state.policy()

# ---- create -----------------------------------------------------------------------------------------------
scenarios = _scenarios_on_screen()
with st.form("report_create_form"):
    st.subheader("Create a report")
    title = st.text_input("Title", value="Personalization and privacy: scenario review", key="report_title")
    purpose = st.text_area("Purpose and scope (what the personalization is for, who decides)", key="report_purpose")
    author = st.text_input("Prepared by", key="report_author")
    chosen = st.multiselect("Scenarios to compare", list(scenarios), default=[p.name for p in PRESETS],
                            key="report_scenarios",
                            help="By default the Overview's nine presets, so the report recommends what the "
                                 "Overview recommends; add your scenario or saved ones.")
    st.caption(f"The report uses the data in use (**{source.label}**, fingerprint {data.fingerprint[:12]}…, "
               f"{data.n_customers:,} customers), the business settings in the sidebar (value of a conversion "
               f"${settings.value_per_conversion:,.0f}, {settings.campaigns_per_year} campaigns a year, "
               f"{settings.horizon_years}-year horizon), "
               + (f"{len(assumption_set.overridden)} changed assumption(s) "
                  f"({', '.join(sorted(assumption_set.overridden))})" if assumption_set.overridden
                  else "the published assumptions")
               + " and your privacy policy"
               + (f" (changed: {', '.join(policy.overridden)})." if policy.overridden else " (the defaults)."))
    create = st.form_submit_button("Create and save the report", key="report_create")
if create:
    if not chosen:
        st.warning("Choose at least one scenario.")
    elif not title.strip():
        st.warning("Give the report a title.")
    else:
        try:
            with st.spinner(f"Running {len(chosen)} scenario(s) and rendering the report…"):
                content = state.build_report([scenarios[n] for n in chosen], db, data, title=title, purpose=purpose,
                                             author=author)
                saved = save_report(content, _new_dir(reports_dir, title))
            st.session_state["report_open"] = saved.report_id
            st.success(f"Saved report {saved.report_id[:16]} in {saved.dir.name}.")
        except (ValueError, FileExistsError, FileNotFoundError) as exc:
            st.error(md(str(exc)))

if "report_flash" in st.session_state:
    st.success(md(st.session_state.pop("report_flash")))

# ---- list and open -----------------------------------------------------------------------------------------
st.subheader("Saved reports")
reports = [r for r in list_reports(reports_dir) if r["exists"]]
if not reports:
    st.info("No saved report yet. Reports are saved in the server's reports folder (data/reports, or the "
            "folder PRIVACYLIFT_REPORTS names).")
    st.stop()
st.dataframe(
    [{"Title": r["title"], "Created (UTC)": r["created"], "Review status": r["status"].replace("_", " "),
      "Scenarios": len(r.get("scenarios", [])), "Report id": r["report_id"][:16], "Folder": Path(r["dir"]).name}
     for r in reports],
    hide_index=True, key="report_list",
)
by_id = {r["report_id"]: r for r in reports}
if st.session_state.get("report_open") not in by_id:
    st.session_state["report_open"] = reports[0]["report_id"]
opened = st.selectbox("Open a report", list(by_id), key="report_open",
                      format_func=lambda i: f"{by_id[i]['title']} — {by_id[i]['created']} ({by_id[i]['status']})")
entry = by_id[opened]
path = Path(entry["path"])
content = load_report(path)
reviews = read_reviews(path)

columns = st.columns(len(FILES))
for column, name in zip(columns, FILES):
    column.download_button(f"Download {name}", data=(path / name).read_bytes(), file_name=name, mime=MIME[name],
                           key=f"report_download_{name.split('.')[-1]}")

st.markdown("**Review log**")
if reviews:
    st.dataframe([{"When (UTC)": r.get("time"), "Reviewer": r.get("reviewer"),
                   "Decision": str(r.get("decision", "")).replace("_", " "), "Comment": r.get("comment")}
                  for r in reviews], hide_index=True, key="report_reviews")
else:
    st.caption("No review recorded yet.")

with st.form("report_review_form", clear_on_submit=True):
    st.markdown("**Record a review**")
    decision = st.radio("Decision", DECISIONS, format_func=lambda d: d.replace("_", " "), horizontal=True,
                        key="review_decision")
    reviewer = st.text_input("Your name", key="review_reviewer")
    comment = st.text_area("Comment", key="review_comment")
    send = st.form_submit_button("Record the review", key="review_submit")
if send:
    try:
        e = record_review(path, decision, reviewer, comment)
        st.session_state["report_flash"] = (f"Recorded review #{e['seq']} ({decision.replace('_', ' ')}) by "
                                            f"{e['reviewer']}.")
        st.rerun()  # so the list and the log show the new status
    except (ValueError, FileNotFoundError) as exc:
        st.error(md(str(exc)))

st.markdown("**The report** (rebuilt from report.json with the review log)")
# every user-supplied text in it is escaped by render_html; the page is rebuilt from our own report.json
page = render_html(content, reviews=reviews)
if hasattr(st, "iframe"):
    st.iframe(page, height=900)
else:  # Streamlit before st.iframe
    import streamlit.components.v1 as components

    components.html(page, height=900, scrolling=True)
