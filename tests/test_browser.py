"""Real-browser tests of the dashboard (headless Debian chromium via Playwright, never a downloaded browser:
`make system-deps` installs it, and the launch override below points Playwright at /usr/bin/chromium).

A session fixture starts ``streamlit run app.py`` on a free port against the test demo database; the tests
walk every page, move scenario controls, reopen a shared link and upload the Bank Marketing sample.
Screenshots of each page go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
pytest.importorskip("playwright")
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {"Overview": "", "Scenario builder": "builder_page", "Compare": "compare_page",
         "Privacy risk": "risk_page", "Breach impact": "breach_page", "Customer notice": "notice_page",
         "Data": "data_page", "Reports": "reports_page"}
LONG = 120_000  # ms: a cold page trains models

if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (make system-deps)", allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 2400}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, *, cwd: Path = ROOT, uploads: Path | None = None,
                 reports: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PRIVACYLIFT_DB": str(db)}
    if uploads is not None:  # users' uploads of a test server go to a temporary folder, never data/uploads
        env["PRIVACYLIFT_UPLOADS"] = str(uploads)
    if reports is not None:
        env["PRIVACYLIFT_REPORTS"] = str(reports)
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("streamlit did not become healthy")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def uploads_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="session")
def reports_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser-reports")


@pytest.fixture(scope="session")
def server(demo_db, uploads_dir, reports_dir):
    port = free_port()
    process = start_server(demo_db, port, uploads=uploads_dir, reports=reports_dir)
    try:
        wait_healthy(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


#: the page must look idle this long without a break: a rerun that a widget has just asked for starts a moment
#: later, and a check that passes in that moment would see the page before the rerun
QUIET_MS = 400


def settle(page) -> None:
    """Wait until Streamlit has finished running the script: no 'running' indicator and no stale elements, for
    QUIET_MS in a row."""
    page.evaluate("() => { window.__plQuietSince = null; }")
    page.wait_for_function(
        "quiet => { const busy = document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || document.querySelectorAll('[data-stale=\"true\"]').length > 0;"
        " const now = performance.now();"
        " if (busy) { window.__plQuietSince = null; return false; }"
        " if (window.__plQuietSince == null) { window.__plQuietSince = now; }"
        " return now - window.__plQuietSince >= quiet; }", arg=QUIET_MS, polling=50, timeout=LONG)


def open_page(page, url: str) -> None:
    page.set_default_timeout(LONG)  # a busy 2-core machine can take more than Playwright's 30 s
    page.goto(url)
    page.get_by_test_id("stSidebar").wait_for(timeout=LONG)
    page.locator("h1").first.wait_for(timeout=LONG)
    settle(page)


def shot(page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def metric_value(page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text()


def test_walk_every_page(page, server):
    open_page(page, server)
    page.locator(".js-plotly-plot").first.wait_for(timeout=LONG)
    assert "Current practice" in page.locator(".js-plotly-plot").first.inner_text()
    shot(page, "01-overview")
    for i, (title, path) in enumerate(list(PAGES.items())[1:], start=2):
        page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
        page.locator("h1", has_text=title.split()[0]).first.wait_for(timeout=LONG)
        settle(page)
        assert page.get_by_test_id("stException").count() == 0, title
        if title not in ("Data", "Reports", "Customer notice"):
            page.locator(".js-plotly-plot").first.wait_for(timeout=LONG)
        shot(page, f"{i:02d}-{path}")


def test_controls_move_the_frontier_and_the_link_reopens_them(page, server):
    open_page(page, f"{server}/builder_page")
    before = metric_value(page, "Customers unique on identifying attributes")
    frontier_before = page.locator(".js-plotly-plot").first.inner_text()
    slider = page.get_by_test_id("stSlider").filter(has_text="Generalization").get_by_role("slider")
    slider.focus()
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    page.wait_for_function(
        "(before) => { const m = [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".find(e => e.innerText.includes('Customers unique')); "
        "return m && !m.innerText.includes(before); }", arg=before, timeout=LONG)
    settle(page)
    after = metric_value(page, "Customers unique on identifying attributes")
    assert float(after.split()[0]) < float(before.split()[0])
    assert page.locator(".js-plotly-plot").first.inner_text() != frontier_before
    shot(page, "08-builder-generalized")
    assert "gen=2" in page.url
    shared = page.url
    page.goto("about:blank")
    open_page(page, shared)
    assert metric_value(page, "Customers unique on identifying attributes") == after
    assert "Medium" in page.get_by_test_id("stSlider").filter(has_text="Generalization").inner_text()


def test_upload_bank_marketing(page, server, uploads_dir):
    csv, toml = ROOT / "data" / "bank.csv", ROOT / "data" / "bank_marketing.toml"
    if not (csv.exists() and toml.exists()):
        pytest.skip("data/bank.csv or data/bank_marketing.toml is missing")
    upload_id = _upload(page, server, csv, toml)
    assert (uploads_dir / f"{upload_id}.duckdb").exists()
    assert not list(uploads_dir.glob("*.key"))  # an upload's secret is never stored
    shot(page, "09-data-uploaded")


def test_report_from_the_reports_page_uses_the_uploaded_dataset(page, server, reports_dir, tmp_path, demo_store):
    """Upload Bank Marketing, create a report on the Reports page: the report is of the uploaded data."""
    from analysis import Store, load_dictionary

    csv, toml = ROOT / "data" / "bank.csv", ROOT / "data" / "bank_marketing.toml"
    if not (csv.exists() and toml.exists()):
        pytest.skip("data/bank.csv or data/bank_marketing.toml is missing")
    expected = Store(tmp_path / "bank.duckdb")  # the same files ingested here give the same fingerprint
    expected.ingest(load_dictionary(toml), [csv])
    _upload(page, server, csv, toml)
    page.get_by_test_id("stSidebarNav").get_by_text("Reports", exact=True).click()  # same session
    page.locator("h1", has_text="Reports").first.wait_for(timeout=LONG)
    settle(page)
    create = page.get_by_role("button", name="Create and save the report")
    create.wait_for(timeout=LONG)
    assert page.get_by_test_id("stException").count() == 0
    assert "Upload: bank_marketing" in page.get_by_test_id("stMain").inner_text()  # it says which data
    before = {p.name for p in reports_dir.iterdir()}
    create.click()
    page.get_by_text(re.compile(r"Saved report [0-9a-f]{16} in ")).first.wait_for(timeout=4 * LONG)
    shot(page, "10-report-of-upload")  # (the page goes on drawing the saved report below: no need to wait)
    made = [p for p in reports_dir.iterdir() if p.is_dir() and p.name not in before]
    assert len(made) == 1
    content = json.loads((made[0] / "report.json").read_text(encoding="utf-8"))
    assert content["dataset"]["fingerprint"] == expected.fingerprint() != demo_store.fingerprint()
    assert content["reproduce"]["data_fingerprint"] == expected.fingerprint()
    assert content["dataset"]["name"] == "bank_marketing"
    assert str(ROOT) not in json.dumps(content)  # no server path


def test_a_negative_delta_is_drawn_down_and_in_the_right_colour(page, server):
    """Coarser demographics: fewer customers unique (lower is better: green, arrow down) and a change in gain
    drawn by its own sign (normal colours)."""
    open_page(page, f"{server}/builder_page?gen=3")
    box = page.get_by_test_id("stMetric").filter(has_text="Customers unique on identifying attributes").first
    delta = box.get_by_test_id("stMetricDelta")
    assert delta.inner_text().strip().startswith("-")  # ASCII minus: the sign st.metric reads
    assert box.get_by_test_id("stMetricDeltaIcon-Down").count() == 1
    assert box.get_by_test_id("stMetricDeltaIcon-Up").count() == 0
    red, green, _ = _rgb(delta.evaluate("e => getComputedStyle(e).color"))
    assert green > red  # lower uniqueness is better: green
    for label in ("Extra conversions a campaign", "Net value over the horizon"):
        other = page.get_by_test_id("stMetric").filter(has_text=label).first
        text = other.get_by_test_id("stMetricDelta")
        if text.count() == 0:
            continue
        sign = text.inner_text().strip()[0]
        r, g, _ = _rgb(text.evaluate("e => getComputedStyle(e).color"))
        arrow = "Down" if sign == "-" else "Up"
        assert other.get_by_test_id(f"stMetricDeltaIcon-{arrow}").count() == 1, label
        assert (r > g) == (sign == "-"), label  # higher is better: a fall is red
    shot(page, "11-builder-deltas")


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.findall(r"\d+", css)[:3])


def _upload(page, server, csv, toml, *, expect: str = "bank_marketing") -> str:
    """Upload a data file and its dictionary on the Data page; returns the upload's id (from the link)."""
    open_page(page, f"{server}/data_page")
    for label, path in (("Data file", csv), ("Data dictionary", toml)):
        uploader = page.get_by_test_id("stFileUploader").filter(has_text=label)
        for attempt in range(3):
            uploader.locator("input[type=file]").set_input_files(str(path))
            try:  # the upload reached the server before the next one
                uploader.get_by_text(path.name).wait_for(timeout=LONG // 4)
                break
            except PlaywrightTimeout:
                # a file chosen while the page was redrawing can be dropped by the browser (seen once in CI on a
                # loaded machine): choose it again, as a person would
                if attempt == 2:
                    raise
                settle(page)
        settle(page)

    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.innerText.includes('Check and load') && !b.disabled)", polling=100)
    page.get_by_role("button", name="Check and load").click()
    page.get_by_text("It is now the dataset in use").wait_for(timeout=LONG)
    settle(page)
    assert f"Upload: {expect}" in page.get_by_test_id("stSidebar").inner_text()
    # the app writes the query string after the page has run: wait for it rather than read it at once
    page.wait_for_url(lambda url: "db=uploads" in url, timeout=LONG)
    upload_id = re.search(r"db=uploads(?:/|%2F)([A-Za-z0-9_-]+)", page.url).group(1)
    assert len(upload_id) == 24 and expect not in upload_id  # a random id, never the dataset's name
    return upload_id


def test_another_browser_cannot_open_an_upload_by_name_or_guessed_link(browser, server):
    """Two browser contexts (two people): one uploads; the other cannot open it by its name, by a guessed link,
    nor by the uploader's own link — until the uploader shares it. The uploader's reload keeps it."""
    csv, toml = ROOT / "data" / "bank.csv", ROOT / "data" / "bank_marketing.toml"
    owner, other = (browser.new_context(viewport={"width": 1400, "height": 2400}) for _ in range(2))
    try:
        mine, theirs = owner.new_page(), other.new_page()
        upload_id = _upload(mine, server, csv, toml)
        link = f"{server}/data_page?db=uploads/{upload_id}"
        guessed = "A" * 24 if upload_id != "A" * 24 else "B" * 24
        for attempt in (f"{server}/data_page?db=uploads/bank_marketing", f"{server}/data_page?db=uploads/{guessed}",
                        link):
            open_page(theirs, attempt)
            theirs.get_by_text("not found among the uploads this browser may open").wait_for(timeout=LONG)
            sidebar = theirs.get_by_test_id("stSidebar").inner_text()
            assert "Data in use: Upload" not in sidebar and "crm.duckdb" in sidebar, (attempt, sidebar)
        open_page(mine, link)  # the owner's own reload of the link still opens it (same browser)
        assert "Upload: bank_marketing" in mine.get_by_test_id("stSidebar").inner_text()
        mine.get_by_text("Let anyone with this page's link").click()
        mine.get_by_text("Anyone who has it can open this dataset").wait_for(timeout=LONG)
        settle(mine)
        open_page(theirs, link)
        assert "Upload: bank_marketing" in theirs.get_by_test_id("stSidebar").inner_text()
        assert not theirs.get_by_text("Let anyone with this page's link").count()  # only the owner decides
    finally:
        owner.close()
        other.close()


class _Beacon:
    """A web server on another port, standing in for an outside host: counts every request it gets."""

    def __init__(self):
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def _hostile_dataset(folder: Path, beacon: int) -> tuple[Path, Path]:
    """A CRM whose column and dataset names are Markdown images, links, an autolink and plotly HTML."""
    import csv as csv_module

    import numpy as np

    outside = f"http://127.0.0.1:{beacon}"
    names = {
        "image": f"![img]({outside}/image.png)",
        "link": f"[click-me]({outside}/link)",
        "html": f'<a href="{outside}/svg">svg-link</a>',
        "auto": "www.autolink-evil.example",
    }
    rng = np.random.default_rng(3)
    n = 600
    data = folder / "hostile.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        w = csv_module.writer(fh)
        w.writerow(["id", *names.values(), "arm", "converted"])
        for i in range(n):
            w.writerow([i + 1, rng.choice(["a", "b", "c"]), int(rng.integers(18, 80)), rng.choice(["x", "y"]),
                        rng.choice(["p", "q", "r"]), "email" if i % 2 else "control", str(rng.random() < 0.2).lower()])
    toml = [
        "[dataset]", f'name = "![d]({outside}/dataset.png)"', 'entity = "customers"', 'key = "id"', "",
        "[columns.id]", 'role = "other"', 'type = "integer"', "",
        f'[columns."{names["image"]}"]', 'role = "quasi_identifier"', 'type = "category"', "",
        f'[columns."{names["link"]}"]', 'role = "quasi_identifier"', 'type = "integer"', "bounds = [18, 100]", "",
        f'[columns.{json.dumps(names["html"])}]', 'role = "quasi_identifier"', 'type = "category"', "",
        f'[columns."{names["auto"]}"]', 'role = "sensitive"', 'type = "category"', "",
        "[columns.arm]", 'role = "treatment"', 'control = "control"', "",
        "[columns.converted]", 'role = "outcome"', 'type = "boolean"', "",
    ]
    dictionary = folder / "hostile.toml"
    dictionary.write_text("\n".join(toml), encoding="utf-8")
    return data, dictionary


def test_hostile_names_send_no_request_out_and_make_no_live_link(browser, server, tmp_path):
    beacon = _Beacon()
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    try:
        page = context.new_page()
        data, dictionary = _hostile_dataset(tmp_path, beacon.port)
        _upload(page, server, data, dictionary, expect="![d](")
        for title in ("Privacy risk", "Data", "Scenario builder"):
            page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
            page.locator("h1", has_text=title.split()[0]).first.wait_for(timeout=LONG)
            settle(page)
            assert page.get_by_test_id("stException").count() == 0, title
            if title == "Privacy risk":
                page.locator(".js-plotly-plot").first.wait_for(timeout=LONG)
                page.get_by_text("svg-link").first.wait_for(timeout=LONG)  # the name is shown, as text
            shot(page, f"10-hostile-{title.split()[0].lower()}")
            links = page.evaluate("""() => [...document.querySelectorAll('a[href], a[*|href], img[src], image')]
                .map(e => e.getAttribute('href') || e.getAttribute('xlink:href') || e.getAttribute('src') || '')
                .filter(h => /evil|127\\.0\\.0\\.1:""" + str(beacon.port) + """|click-me|svg-link/.test(h))""")
            assert links == [], (title, links)
            assert not page.locator("a", has_text="click-me").count(), title
        outside = sorted({u for u in requests if not u.startswith((server, "data:", "blob:", "about:"))})
        assert outside == [] and beacon.hits == [], (outside, beacon.hits)
    finally:
        context.close()
        beacon.close()


def test_parallel_sessions_keep_their_own_scenarios(browser, server):
    """Three browser contexts (separate sessions) explore different scenarios at once: no errors, and each
    shows its own scenario — a control moved in one session changes nothing in the others."""
    links = {"raw": "gen=0", "coarse": "gen=2", "private": "gen=0&eps=1"}
    contexts = {name: browser.new_context(viewport={"width": 1400, "height": 2400}) for name in links}
    try:
        pages = {name: ctx.new_page() for name, ctx in contexts.items()}
        for name, page in pages.items():  # all three sessions load at the same time
            page.set_default_timeout(LONG)
            page.goto(f"{server}/builder_page?{links[name]}", wait_until="commit")
        unique = {}
        for name, page in pages.items():
            page.get_by_test_id("stSidebar").wait_for()
            page.locator("h1").first.wait_for()
            settle(page)
            assert page.get_by_test_id("stException").count() == 0, name
            unique[name] = metric_value(page, "Customers unique on identifying attributes")
        assert float(unique["coarse"].split()[0]) < float(unique["raw"].split()[0])
        assert unique["private"] == unique["raw"]  # DP changes the model, not what is held
        assert "eps=1" in pages["private"].url and "eps=" not in pages["raw"].url
        # moving a control in one session leaves the others as they were
        slider = pages["raw"].get_by_test_id("stSlider").filter(has_text="Generalization").get_by_role("slider")
        slider.focus()
        slider.press("ArrowRight")
        pages["raw"].wait_for_url(lambda url: "gen=1" in url, timeout=LONG)
        settle(pages["raw"])
        for name in ("coarse", "private"):
            page = pages[name]
            page.reload()
            page.locator("h1").first.wait_for()
            settle(page)
            assert metric_value(page, "Customers unique on identifying attributes") == unique[name], name
            assert "gen=1" not in page.url, name
    finally:
        for ctx in contexts.values():
            ctx.close()


def test_customer_notice_page_switches_scenario_and_the_notice_changes(page, server):
    open_page(page, f"{server}/notice_page")
    notice = page.locator(".privacylift-notice")
    notice.wait_for(timeout=LONG)
    before = notice.inner_text()
    assert "as long as you are a customer" in before and "90 days" not in before
    page.get_by_test_id("stSelectbox").filter(has_text="Scenario").first.click()
    page.get_by_role("option", name="90-day retention", exact=True).click()
    page.wait_for_function("() => { const n = document.querySelector('.privacylift-notice'); "
                           "return n && n.innerText.includes('90 days'); }", timeout=LONG)
    settle(page)
    after = page.locator(".privacylift-notice").inner_text()
    assert after != before and "for 90 days. Then we delete it." in after
    assert page.get_by_test_id("stException").count() == 0
    shot(page, "10-customer-notice")
