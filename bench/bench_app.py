"""Dashboard speed with a real browser (headless Debian chromium via Playwright), on the demo data.

- cold start: server start → Overview's frontier chart visible (models trained on first use);
- warm control → chart: move a builder slider (generalization level) and wait until the metrics and the
  frontier change, ~10 moves; p50 and p95;
- second visitor, warm server: a new browser context (a new person: own session, empty browser cache) opens
  the Overview; time until its title shows, until the answer shows (the recommendation: the decision's box
  under "What we recommend"), until the server has sent the whole page, and until its frontier chart and table
  are drawn and the script has finished, a few visitors one after the other; p50 and p95. The server must serve
  it from the shared caches (nothing retrained). The chart comes last: a new browser context first loads and
  compiles Streamlit's plotly bundle (about 4.6 MB of JavaScript), on the same shared cores.

The load average (1 min) is printed at the start and at the end: the machine is shared, and the browser runs on
it too.

Run: ``.venv/bin/python bench/bench_app.py [--db PATH] [--moves 10] [--visitors 5]`` (default db: the 50k demo,
``data/demo/crm.duckdb``, built first if missing). Prints a table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _browser import ARGS, CHROMIUM, FIGURE, app_server, open_overview, sync_playwright  # noqa: E402

# the Overview drawn: its frontier and its table on screen, and the script run finished (nothing stale)
DRAWN = ("() => document.querySelector('.js-plotly-plot .main-svg') !== null"
         " && document.querySelector('[data-testid=\"stDataFrame\"]') !== null"
         " && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
         " && document.querySelectorAll('[data-stale=\"true\"]').length === 0")


#: the answer shown: the recommendation (or the policy's "none allowed" warning) under "What we recommend"
ANSWER = ("() => [...document.querySelectorAll('[data-testid=\"stAlertContentSuccess\"],"
          " [data-testid=\"stAlertContentWarning\"]')].some(e => e.innerText.trim().length > 0)")


def second_visitors(browser, url: str, visitors: int) -> dict[str, list[float]]:
    """Seconds, for each new visitor of the Overview, until: its title shows; the answer shows (see ANSWER); the
    server has sent the whole page (the last websocket message before the run finished); the page is drawn (see
    DRAWN)."""
    out: dict[str, list[float]] = {"title": [], "answer": [], "answered": [], "drawn": []}
    for i in range(visitors):
        context = browser.new_context(viewport={"width": 1440, "height": 2400})
        try:
            page = context.new_page()
            frames: list[float] = []
            page.on("websocket", lambda ws, frames=frames: ws.on(
                "framereceived", lambda _: frames.append(time.perf_counter())))
            t = time.perf_counter()
            page.goto(url)
            page.locator("h1").first.wait_for(timeout=600_000)
            out["title"].append(time.perf_counter() - t)
            page.wait_for_function(ANSWER, timeout=600_000, polling=20)
            out["answer"].append(time.perf_counter() - t)
            page.wait_for_function(DRAWN, timeout=600_000, polling=50)
            out["drawn"].append(time.perf_counter() - t)
            out["answered"].append(max(frames) - t)
            print(f"visitor {i}: answer shown {out['answer'][-1]:.2f} s, sent {out['answered'][-1]:.2f} s, drawn {out['drawn'][-1]:.2f} s "
                  f"(load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
        finally:
            context.close()
    return out


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return f"p50 {np.percentile(ms, 50):,.0f} ms, p95 {np.percentile(ms, 95):,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--visitors", type=int, default=5, help="second visitors on the warm server")
    args = parser.parse_args()
    from analysis.demo import ensure_demo

    db = args.db or ensure_demo().path

    load_start = os.getloadavg()
    started = time.perf_counter()
    rows = []
    with app_server(db, timeout=120) as (port, _):
        healthy = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = open_overview(browser, port, timeout=600_000)
            cold = time.perf_counter() - started
            rows += [("cold start: server healthy", healthy, None), ("cold start: Overview frontier visible", cold, None)]

            t = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/builder_page")
            page.locator(FIGURE).first.wait_for(timeout=600_000)
            rows.append(("first open of the builder (trains 'Your scenario' if new)", time.perf_counter() - t, None))
            slider = page.get_by_test_id("stSlider").filter(has_text="Generalization").get_by_role("slider")
            metric = page.get_by_test_id("stMetric").filter(has_text="Customers unique").first
            warm = []
            keys = ["ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"]
            for i in range(args.moves + 4):  # the first pass over levels 1-2 trains them: not warm
                before = metric.inner_text()
                t = time.perf_counter()
                slider.focus()
                slider.press(keys[i % 4])
                page.wait_for_function(
                    "(before) => { const m = [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
                    ".find(e => e.innerText.includes('Customers unique'));"
                    " return m && m.innerText !== before && !document.querySelector('[data-stale=\"true\"]'); }",
                    arg=before, timeout=300_000, polling=50)
                print(f"move {i}: {time.perf_counter() - t:.2f} s", file=sys.stderr, flush=True)
                if i >= 4:
                    warm.append(time.perf_counter() - t)
            rows.append((f"warm control → chart, {len(warm)} moves", None, percentiles(warm)))
            seen = second_visitors(browser, f"http://127.0.0.1:{port}/", args.visitors)
            n = args.visitors
            rows.append((f"second visitor, warm server: Overview title, {n} visitors", None, percentiles(seen["title"])))
            rows.append((f"second visitor, warm server: the answer shown, {n} visitors", None,
                         percentiles(seen["answer"])))
            rows.append((f"second visitor, warm server: whole page sent, {n} visitors", None,
                         percentiles(seen["answered"])))
            rows.append((f"second visitor, warm server: Overview drawn, {n} visitors", None,
                         percentiles(seen["drawn"]) + f" (max {max(seen['drawn']):.2f} s)"))
            browser.close()
    load_end = os.getloadavg()
    print(f"database: {db}; {os.cpu_count()} CPUs; load average (1/5/15 min) at start "
          + " ".join(f"{v:.2f}" for v in load_start) + ", at end " + " ".join(f"{v:.2f}" for v in load_end))
    print(f"{'measure':<60} {'seconds':>8}  notes")
    for name, seconds, note in rows:
        print(f"{name:<60} {'' if seconds is None else f'{seconds:8.2f}'}  {note or ''}")


if __name__ == "__main__":
    main()
