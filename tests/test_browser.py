"""Real-browser tests of the dashboard (headless Debian chromium via Playwright, never a downloaded browser:
`make system-deps` installs it, and the launch override below points Playwright at /usr/bin/chromium).

A session fixture starts ``streamlit run app.py`` on a free port against the test demo database; the tests
walk every page, move scenario controls, reopen a shared link and upload the Bank Marketing sample.
Screenshots of each page go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
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


def start_server(db: Path, port: int, *, cwd: Path = ROOT) -> subprocess.Popen:
    env = {**os.environ, "PRIVACYLIFT_DB": str(db)}
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
def server(demo_db):
    port = free_port()
    process = start_server(demo_db, port)
    try:
        wait_healthy(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


def settle(page) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator, no stale elements)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=LONG)


def open_page(page, url: str) -> None:
    page.set_default_timeout(LONG)  # a busy 2-core machine can take more than Playwright's 30 s
    page.goto(url)
    page.get_by_test_id("stSidebar").wait_for(timeout=LONG)
    page.locator("h1").first.wait_for(timeout=LONG)
    settle(page)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


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


def test_upload_bank_marketing(page, server, tmp_path):
    csv, toml = ROOT / "data" / "bank.csv", ROOT / "data" / "bank_marketing.toml"
    if not (csv.exists() and toml.exists()):
        pytest.skip("data/bank.csv or data/bank_marketing.toml is missing")
    target = ROOT / "data" / "uploads" / "bank_marketing.duckdb"
    existed = target.exists()
    try:
        _upload(page, server, csv, toml, target)
    finally:
        if not existed:  # leave no test database behind (the upload folder is for users' data)
            for leftover in target.parent.glob("bank_marketing.duckdb*"):
                leftover.unlink(missing_ok=True)


def _upload(page, server, csv, toml, target):
    open_page(page, f"{server}/data_page")
    for label, path in (("Data file", csv), ("Data dictionary", toml)):
        uploader = page.get_by_test_id("stFileUploader").filter(has_text=label)
        uploader.locator("input[type=file]").set_input_files(str(path))
        uploader.get_by_text(path.name).wait_for()  # the upload reached the server before the next one
        settle(page)

    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.innerText.includes('Check and load') && !b.disabled)", polling=100)
    page.get_by_role("button", name="Check and load").click()
    page.get_by_text("It is now the dataset in use").wait_for(timeout=LONG)
    settle(page)
    assert "Upload: bank_marketing" in page.get_by_test_id("stSidebar").inner_text()
    # the app writes the query string after the page has run: wait for it rather than read it at once
    page.wait_for_url(lambda url: "db=uploads" in url, timeout=LONG)
    assert target.exists()
    shot(page, "09-data-uploaded")


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
