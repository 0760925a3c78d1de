"""Dashboard speed with a real browser (headless Debian chromium via Playwright), on the demo data.

- cold start: server start → Overview's frontier chart visible (models trained on first use);
- warm control → chart: move a builder slider (generalization level) and wait until the metrics and the
  frontier change, ~10 moves; p50 and p95.

Run: ``.venv/bin/python bench/bench_app.py [--db PATH] [--moves 10]`` (default db: the 50k demo,
``data/demo/crm.duckdb``, built first if missing). Prints a table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_browser import ARGS, CHROMIUM, free_port, start_server, stop_server, wait_healthy  # noqa: E402

FIGURE = ".js-plotly-plot"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--moves", type=int, default=10)
    args = parser.parse_args()
    from analysis.demo import ensure_demo

    db = args.db or ensure_demo().path
    from playwright.sync_api import sync_playwright

    port = free_port()
    started = time.perf_counter()
    server = start_server(db, port)
    rows = []
    try:
        wait_healthy(port, server, timeout=120)
        healthy = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator(FIGURE).first.wait_for(timeout=600_000)
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
            browser.close()
        warm_ms = np.array(warm) * 1000
        rows.append((f"warm control → chart, {len(warm)} moves", None,
                     f"p50 {np.percentile(warm_ms, 50):.0f} ms, p95 {np.percentile(warm_ms, 95):.0f} ms"))
    finally:
        stop_server(server)
    print(f"database: {db}")
    print(f"{'measure':<60} {'seconds':>8}  notes")
    for name, seconds, note in rows:
        print(f"{name:<60} {'' if seconds is None else f'{seconds:8.2f}'}  {note or ''}")


if __name__ == "__main__":
    main()
