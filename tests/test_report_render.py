"""The HTML and PDF renderers on content made by hand: an executive summary on page 1 (from the content's
``recommendation`` object or, without one, from its other fields), words instead of raw JSON, no word broken in
a table, each name listed once, no mostly blank page, and any block the renderers do not know drawn by its shape.
"""

from __future__ import annotations

import functools
import io
import json
import re
from pathlib import Path

import pytest

from analysis.report import render_html, render_pdf
from analysis.report.pdf import _render, column_widths
from analysis.report.summary import LONG_TOKEN, executive_summary

HASH = "9f" * 32
RECOMMENDATION = {
    "scenario": "Privacy first", "reason": "The highest net value of the scenarios the privacy policy allows.",
    "runner_up": "Coarse demographics", "within_interval": True,
    "not_allowed": [{"scenario": "Status quo (full data)", "because": "groups of 1 customer (k = 1 < 5)"}],
    "robustness": {"draws": 300, "share_won": 0.82, "flipped_by": [{"parameter": "breach_frequency",
                                                                   "label": "breaches a year"}]},
}


def content(*, recommendation: bool = True, rows: int = 30) -> dict:
    """A report's content as build_content lays it out, small enough to write by hand."""
    wide = [["Status quo (full data)", "uplift", "1,457", "[1,022, 1,929]", "100.0 %", "1,402", "67.8", "1",
             "13.6 %", "Value"]] * 3
    sections = [
        {"id": "purpose", "heading": "Purpose and scope", "number": 1, "blocks": [
            {"type": "text", "text": "Decide how to personalize."},
            {"type": "kv", "pairs": [["Title", "Board review"], ["Dataset fingerprint", HASH]]}]},
        {"id": "inventory", "heading": "The processing and the data inventory", "number": 2, "blocks": [
            {"type": "table", "columns": ["Role", "Category", "Columns", "Names"], "caption": "Columns by role",
             "rows": [["other", "—", "4", "customer_id, customer_id, customer_id, erasure_requested"]]}]},
        {"id": "scenarios", "heading": "Scenarios compared", "number": 3, "blocks": [
            {"type": "kv", "pairs": [["Scenario", "Lean"], ["Differs from using all data by",
                                                            json.dumps({"exclude_roles": ["sensitive"],
                                                                        "retention_days": 180})]]}]},
        {"id": "results", "heading": "Results", "number": 4, "blocks": [
            {"type": "table", "caption": "Ten narrow columns", "rows": wide,
             "columns": ["Scenario", "Lift kind", "Incremental conversions / campaign", "95 % CI", "Gain retained",
                         "True gain (synthetic)", "Exposure index", "k", "Unique in the data", "Value"]},
            {"type": "table", "caption": "Many rows", "columns": ["Assumption", "Value", "Source"],
             "rows": [[f"Assumption number {i}", f"{i}.5", "IBM / Ponemon Cost of a Data Breach 2024"]
                      for i in range(rows)]},
            {"type": "robustness_table", "columns": ["Assumption", "Share of draws it flips"],
             "rows": [["breaches a year", "12 %"]], "caption": "A block type from newer content"},
            {"type": "callout", "text": "Another new block, with text only."}]},
        {"id": "tradeoffs", "heading": "Trade-offs and recommendation", "number": 5, "blocks": [
            {"type": "text", "text": "Moving from the status quo to “Privacy first” keeps most of the gain."}]},
        {"id": "signoff", "heading": "Sign-off and review", "number": 6, "blocks": [{"type": "review_log"}]},
    ]
    out = {
        "format": "privacylift-report/1", "id": "ab" * 32, "title": "Board review", "created": "2026-12-01T10:00:00+00:00",
        "recommended": "Privacy first",
        "reproduce": {"data_fingerprint": HASH, "business_settings": {"current_practice": "Status quo (full data)",
                                                                      "horizon_years": 3}},
        "headline": {
            "Privacy first": {"incremental_conversions": 943.3, "gain_ci_low": 566.6, "gain_ci_high": 1304.7,
                              "gain_retained": 0.647, "risk_index": 5.98, "expected_annual_loss": 20_563.0,
                              "net_value": 1_270_096.3},
            "Status quo (full data)": {"incremental_conversions": 1456.8, "risk_index": 67.8,
                                       "expected_annual_loss": 54_300.0, "net_value": 1_112_000.0},
        },
        "sections": sections, "charts": {},
    }
    if recommendation:
        out["recommendation"] = RECOMMENDATION
    return out


@functools.lru_cache(maxsize=4)
def _pages(recommendation: bool) -> tuple[str, ...]:
    return tuple(_text_of(content(recommendation=recommendation)))


def _text_of(c: dict) -> list[str]:
    from pypdf import PdfReader

    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(render_pdf(c, charts=False))).pages]


def pdf_pages(c: dict | None = None, *, recommendation: bool = True) -> list[str]:
    """The PDF's text, page by page (the hand-made content's rendering is made once)."""
    return list(_pages(recommendation)) if c is None else _text_of(c)


# ---- the executive summary -------------------------------------------------------------------------------------
def test_summary_from_the_recommendation_object():
    lines = dict(executive_summary(content())["lines"])
    assert lines["The pick"] == "Privacy first"
    assert lines["Why"] == RECOMMENDATION["reason"]
    assert "runner-up, “Coarse demographics”" in lines["How sure"] and "close calls" in lines["How sure"]
    assert "82.0 % of 300 plausible redraws" in lines["How sure"] and "breaches a year" in lines["How sure"]
    assert "943 extra conversions a campaign (95 % interval 567 to 1,305)" in lines["How sure"]
    costs = lines["What it costs"]
    assert costs.startswith("Against today's practice (“Status quo (full data)”), it keeps 64.7 %")
    assert "exposure index of 5.98 (67.8 today)" in costs and "$20.6K a year ($54.3K today)" in costs
    assert "net value of $1.27M over 3 years ($1.11M today)" in costs
    assert "“Status quo (full data)” (groups of 1 customer (k = 1 < 5))" in lines["Not allowed by the privacy policy"]


def test_summary_without_a_recommendation_object_falls_back_and_without_a_pick_is_absent():
    lines = dict(executive_summary(content(recommendation=False))["lines"])
    assert lines["The pick"] == "Privacy first"
    assert lines["Why"].startswith("Moving from the status quo")  # the trade-off section's own words
    assert set(lines) == {"The pick", "Why", "How sure", "What it costs"}
    bare = content(recommendation=False)
    bare.pop("recommended")
    assert executive_summary(bare) is None
    assert "Executive summary" not in render_html(bare)
    # a pick with no figures at all still says what it is, and nothing it does not know
    assert executive_summary({"recommended": "X"}) == {"pick": "X", "lines": [("The pick", "X")]}


@pytest.mark.parametrize("recommendation", [True, False])
def test_pdf_page_one_carries_the_summary(recommendation):
    first = pdf_pages(recommendation=recommendation)[0]
    assert "Executive summary" in first and "The pick Privacy first" in first
    for heading in ("Why", "How sure", "What it costs"):
        assert heading in first
    html = render_html(content(recommendation=recommendation))
    assert html.index('id="summary"') < html.index("<nav>")  # before the table of contents


# ---- words, not JSON; names once; every block drawn -----------------------------------------------------------
def test_changes_in_words_and_names_once_in_html_and_pdf():
    html = render_html(content())
    text = " ".join(pdf_pages())
    for rendered in (html, text):
        assert "Leave out of the model: sensitive attributes; History kept: the last 180 days" in rendered
        assert "exclude_roles" not in rendered and "{&quot;" not in rendered and '{"' not in rendered
        assert "customer_id (in 3 datasets), erasure_requested" in rendered
        assert "customer_id, customer_id" not in rendered
        # blocks of types the renderers do not know are drawn by their shape, never dumped as a dict
        assert "Share of draws it flips" in rendered and "Another new block, with text only." in rendered
        assert "'type'" not in rendered and "&#x27;type&#x27;" not in rendered


def test_renderers_tolerate_missing_fields():
    c = {"title": "Minimal", "sections": [{"heading": "Only", "blocks": [{"type": "text", "text": "Hello."}]}]}
    assert "Hello." in render_html(c)
    assert "Hello." in " ".join(pdf_pages(c))


# ---- tables: no word broken ------------------------------------------------------------------------------------
def test_pdf_columns_fit_every_word():
    """Every column is at least as wide as the longest word in it (header in bold), so fpdf2's word wrap never
    breaks one; the widths fill the page."""
    pdf = _render(content(), charts=False)
    for block in content()["sections"][3]["blocks"][:2]:
        columns, rows = block["columns"], block["rows"]
        widths, size = column_widths(pdf, columns, rows, 5.8)
        assert sum(widths) == pytest.approx(pdf.epw, abs=1e-3) and size >= 5.0
        for i, width in enumerate(widths):
            for style, texts in (("B", [columns[i]]), ("", [r[i] for r in rows])):
                pdf.set_font(pdf.body_font, style, size)
                for word in (w for t in texts for w in t.split() if len(w) <= LONG_TOKEN):
                    assert pdf.get_string_width(word) < width, (columns[i], word, width)


def test_pdf_words_are_whole_in_the_printed_text():
    text = " ".join(pdf_pages())
    words = {w for b in content()["sections"][3]["blocks"][:2] for row in [b["columns"], *b["rows"]] for cell in row
             for w in cell.split() if w.isalpha() and len(w) > 3}
    printed = set(re.findall(r"[A-Za-z]+", text))
    assert words <= printed, sorted(words - printed)


def test_no_mostly_blank_pages():
    """Sections follow one another (a new page only when little room is left); every page but the last is
    at least half full, the first page too."""
    pdf = _render(content(rows=90), charts=False)
    assert len(pdf.fills) == pdf.page >= 3
    assert all(f >= 0.5 for f in pdf.fills[:-1]), pdf.fills


# ---- HTML in a browser: no word broken, at 1440 and 390 px -------------------------------------------------------
WORDS_ON_ONE_LINE = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('td:not(.long), th, dd:not(.long), dt')) {
    const node = [...cell.childNodes].find(n => n.nodeType === 3);
    if (!node) continue;
    const re = /\\S+/g; let m;
    while ((m = re.exec(node.textContent)) !== null) {
      const range = document.createRange(); range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


@pytest.mark.browser
def test_html_tables_never_break_a_word(browser, tmp_path):
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(content(rows=8)), encoding="utf-8")
    for width in (1440, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        try:
            page.goto(page_file.as_uri())
            assert page.evaluate(WORDS_ON_ONE_LINE) == [], width
            shots = Path(__file__).resolve().parent.parent / "test-artifacts" / "reports"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"report-{width}.png"), full_page=True)
        finally:
            page.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    from test_chart_layout import ARGS, CHROMIUM

    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}
