"""Every page as a person sees it, at 1440 px and on a 390 px phone, in the real headless Debian chromium.

One Streamlit server for the module (the test demo database); one browser context per width walks the 8 pages
routed in app.py and fails on what a reader would trip over:

- text covering text in a chart, the charts behind each tab too (the rectangles of plotly's drawn text nodes — annotations, titles, axis titles,
  tick labels, legend, point and bar labels — read from the DOM, kept at least a pixel apart);
- a raw ``None`` / ``nan`` / ``NaN`` shown as text (page text, chart text and the cells a table draws);
- a server path (the repository root, /tmp/, /work/, /root/) in the page's text;
- a Streamlit exception or error box.

A full-page screenshot of each page and width goes to ``test-artifacts/screenshots/`` (``page-<name>-<width>``).
"""

from __future__ import annotations

import itertools
import re

import pytest
from test_browser import (  # noqa: F401  (browser_type_launch_args: the Debian chromium launch override)
    LONG,
    PAGES,
    ROOT,
    browser_type_launch_args,
    free_port,
    settle,
    shot,
    start_server,
    stop_server,
    wait_healthy,
)
from test_chart_layout import RECTS, _hit

pytestmark = pytest.mark.browser

WIDTHS = {1440: 2400, 390: 2400}  # width → viewport height (tall: Streamlit scrolls inside its own container)
NO_CHART = ("Customer notice", "Data", "Reports")
SERVER_PATHS = (str(ROOT), "/tmp/", "/work/", "/root/")
# a raw missing value printed as a word; "None of …" is English
RAW_MISSING = re.compile(r"(?<![\w.])(?:None(?! of\b)|nan|NaN|null|undefined)(?![\w])")

# every plotly figure on the page, by its position; only drawn (visible) figures
PLOTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((e, i) => {
  e.id = e.id || `plot-${i}`;
  const r = e.getBoundingClientRect();
  return {id: e.id, visible: r.width > 0 && r.height > 0 && e.offsetParent !== null};
}).filter(p => p.visible).map(p => p.id)"""

# the text a table (glide data grid, drawn on a canvas) shows: its accessible copy of the visible cells
CELLS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"],'
  + ' [data-testid="stDataFrame"] td, [data-testid="stTable"] td')].map(c => c.innerText.trim())"""


@pytest.fixture(scope="module")
def pages_server(demo_db, tmp_path_factory):
    port = free_port()
    process = start_server(demo_db, port, uploads=tmp_path_factory.mktemp("page-uploads"),
                           reports=tmp_path_factory.mktemp("page-reports"))
    try:
        wait_healthy(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


def open_at_any_width(page, url: str) -> None:
    """:func:`test_browser.open_page` for any width: on a phone the sidebar is in the page but folded away."""
    page.set_default_timeout(LONG)
    page.goto(url)
    page.get_by_test_id("stSidebar").wait_for(state="attached", timeout=LONG)
    page.locator("h1").first.wait_for(timeout=LONG)
    settle(page)


def chart_collisions(page, width: int) -> list[str]:
    """Every pair of drawn texts in one chart that touch (tolerance: 1 px of overlap is allowed)."""
    problems = []
    for plot in page.evaluate(PLOTS):
        drawn = page.evaluate(RECTS, plot)
        for a, b in itertools.combinations(drawn["texts"], 2):
            if _hit(a, b, tolerance=1.0):
                problems.append(f"chart {plot}, {width} px: {a['kind']} {a['text']!r} covers {b['kind']} "
                                f"{b['text']!r}")
    return problems


def tab_collisions(page, title: str, width: int) -> list[str]:
    """The charts behind each tab (drawn only when their tab is shown; a tab switch runs no script)."""
    found: list[str] = []
    tabs = page.locator('[data-baseweb="tab"]')
    for i in range(1, tabs.count()):
        tabs.nth(i).click()
        page.wait_for_timeout(400)  # plotly lays the newly shown figure out at its width
        found += [p for p in chart_collisions(page, width) if p not in found]
    if tabs.count():
        tabs.first.click()
    return [f"{title} (tabs): {p}" for p in found]


def chart_texts(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent)")


def page_problems(page, title: str, width: int) -> list[str]:
    problems = [f"{title}, {width} px: {what}" for what in _text_problems(page)]
    problems += [f"{title}: {p}" for p in chart_collisions(page, width)]
    return problems


def _text_problems(page) -> list[str]:
    out = []
    if page.get_by_test_id("stException").count():
        out.append("an exception: " + page.get_by_test_id("stException").first.inner_text()[:300])
    errors = page.locator('[data-testid="stAlertContentError"]')
    if errors.count():
        out.append("an error box: " + errors.first.inner_text()[:300])
    text = page.locator("body").inner_text()
    for path in SERVER_PATHS:
        if path in text:
            at = text.index(path)
            out.append(f"a server path {path!r}: …{text[max(0, at - 60):at + 60]!r}…")
    for source, strings in (("page text", text.splitlines()), ("chart text", chart_texts(page)),
                            ("table cell", page.evaluate(CELLS))):
        for s in strings:
            if RAW_MISSING.search(s):
                out.append(f"a raw missing value in the {source}: {s[:120]!r}")
    return out


def full_page_shot(page, name: str) -> None:
    """Streamlit scrolls inside its main container: grow the viewport to the content, then take the picture."""
    width = page.viewport_size["width"]
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
                           "[data-testid=\"stAppViewContainer\"], section, body')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": width, "height": min(max(height, 800), 12_000)})
    page.wait_for_timeout(300)  # plotly's resize handler redraws at the same width: nothing moves
    shot(page, name, full_page=True)
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_reads_cleanly(browser, pages_server, width):
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]})
    problems = []
    try:
        page = context.new_page()
        for title, path in PAGES.items():
            open_at_any_width(page, f"{pages_server}/{path}")
            page.locator("h1", has_text=title.split()[0]).first.wait_for(timeout=LONG)
            if title not in NO_CHART:
                page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=LONG)
            settle(page)
            page.wait_for_timeout(200)  # plotly finishes laying out its text after the script run
            problems += page_problems(page, title, width)
            problems += tab_collisions(page, title, width)
            full_page_shot(page, f"page-{path or 'overview'}-{width}")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_raw_missing_check_reads_words_not_parts_of_words():
    """The page check above flags a printed missing value, not English or names that contain the letters."""
    flagged = ["None", "Low: None", "nan", "$nan", "NaN %", "(null)", "undefined"]
    clean = ["None of the preset scenarios applies", "Nancy", "finance", "nanoseconds", "Nonexistent", "—",
             "Nominal", "file.nan.csv"]
    assert [s for s in flagged if not RAW_MISSING.search(s)] == []
    assert [s for s in clean if RAW_MISSING.search(s)] == []
