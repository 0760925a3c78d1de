"""The app measured in a browser, the same way by every bench that does: its Streamlit server on a database
(tests/test_browser.py's), the Overview opened in the headless Debian chromium through Playwright, and the
server's memory from ``/proc``.

A bench imports this module where it starts measuring the app (it loads Playwright, which is then not part of
any measured time); its folder is on ``sys.path`` when a bench runs (``run_all.py`` puts it there).
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_browser import ARGS, CHROMIUM, free_port, start_server, stop_server, wait_healthy  # noqa: E402

__all__ = ["ARGS", "CHROMIUM", "FIGURE", "app_server", "first_overview", "memory_mb", "open_overview",
           "sync_playwright"]

#: a plotly figure of a page (the Overview is drawn when its first one is)
FIGURE = ".js-plotly-plot"


def open_overview(browser, port: int, *, width: int = 1400, height: int = 2400, timeout: float = 3_600_000):
    """A new page of ``browser`` on the Overview of the app served at ``port``, once its first figure is drawn
    (``timeout`` in milliseconds)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"http://127.0.0.1:{port}/")
    page.locator(FIGURE).first.wait_for(timeout=timeout)
    return page


def first_overview(port: int, since: float | None = None, **page) -> float:
    """Seconds from ``since`` (a ``time.perf_counter()`` reading; default now) until a new headless Chromium has
    drawn the Overview of the app served at ``port`` (``page``: the options of :func:`open_overview`)."""
    since = time.perf_counter() if since is None else since
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        open_overview(browser, port, **page)
        seconds = time.perf_counter() - since
        browser.close()
    return seconds


@contextmanager
def app_server(db: Path, *, timeout: float = 180) -> Iterator[tuple[int, object]]:
    """The app's Streamlit server on ``db``, healthy (waited for up to ``timeout`` seconds): yields its port and
    process; stopped when the block ends."""
    port = free_port()
    server = start_server(db, port)
    try:
        wait_healthy(port, server, timeout=timeout)
        yield port, server
    finally:
        stop_server(server)


def memory_mb(pid: int) -> dict[str, float]:
    """``VmHWM`` (peak resident memory) and ``VmRSS`` (resident now) of a process, in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0]) / 1024
    return out
