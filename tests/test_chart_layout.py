"""The charts as a browser draws them: no text covers other text, and no frontier label covers a point or an
error bar, on a 1440 px page and on a 390 px phone (headless Debian chromium via Playwright; the launch
override is the one of tests/test_browser.py).

The figures are drawn one under the other on one HTML page (plotly.js from the installed plotly package, loaded
once), each laid out at the page's width as Streamlit's container does; the rectangles of every text node, point
and error bar are read from the DOM. Screenshots of each figure go to ``test-artifacts/charts/``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest

pytestmark = pytest.mark.browser
pytest.importorskip("playwright")

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "charts"
CASES = Path(__file__).resolve().parent / "chart_cases"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = (1440, 390)

if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (make system-deps)", allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


RECTS = """(id) => {
  const root = document.getElementById(id);
  const rect = (e, kind) => { const r = e.getBoundingClientRect();
    return {kind, text: e.textContent, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom}; };
  const all = (sel, kind) => [...root.querySelectorAll(sel)].map(e => rect(e, kind))
    .filter(r => r.x1 - r.x0 > 0.5 && r.y1 - r.y0 > 0.5 && r.text.trim() !== '');
  const shapes = (sel, kind) => [...root.querySelectorAll(sel)].map(e => rect(e, kind))
    .filter(r => r.x1 - r.x0 > 0 || r.y1 - r.y0 > 0);
  return {
    texts: [...all('.annotation-text', 'annotation'), ...all('.legendtext', 'legend'),
            ...all('.xtick text, .ytick text, .x2tick text, .y2tick text, .y3tick text, .y4tick text', 'tick'),
            ...all('.gtitle', 'title'), ...all('.g-xtitle text, .g-ytitle text, .g-x2title text, .g-y2title text,'
                   + ' .g-x3title text, .g-x4title text', 'axis title'), ...all('.bartext', 'bar value')],
    marks: [...shapes('.scatterlayer .points .point', 'point'), ...shapes('.errorbar path', 'error bar')],
  };
}"""


def _hit(a: dict, b: dict, tolerance: float = 0.75) -> bool:
    return not (a["x1"] <= b["x0"] + tolerance or b["x1"] <= a["x0"] + tolerance
                or a["y1"] <= b["y0"] + tolerance or b["y1"] <= a["y0"] + tolerance)


def _page(figures: dict, path: Path) -> None:
    """One HTML page with every figure, one under the other, at the page's width (plotly.js loaded once)."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    (path.parent / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    divs = "".join(f'<div id="{name}">{pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"{name}-plot")}'
                   "</div>" for name, fig in figures.items())
    path.write_text(f'<!doctype html><html><head><meta charset="utf-8"><script src="plotly.min.js"></script>'
                    f'</head><body style="margin:0">{divs}</body></html>', encoding="utf-8")


def drawn_collisions(browser, figures: dict, tmp_path: Path) -> list[str]:
    """Render every figure at each width and list every collision found (empty: none)."""
    page_file = tmp_path / "charts.html"
    _page(figures, page_file)
    problems = []
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 1200})
        page.set_default_timeout(300_000)  # a busy shared machine
        try:
            page.goto(page_file.as_uri())
            page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(figures)}")
            found = {name: page.evaluate(RECTS, name) for name in figures}
            SHOTS.mkdir(parents=True, exist_ok=True)
            for name in figures:
                page.locator(f"#{name}").screenshot(path=str(SHOTS / f"{name}-{width}.png"))
        finally:
            page.close()
        for name, drawn in found.items():
            texts = drawn["texts"]
            assert len(texts) > 5, f"{name}: nothing drawn at {width} px"
            for a, b in itertools.combinations(texts, 2):
                if _hit(a, b, tolerance=-1.5):  # texts keep at least 1.5 px apart
                    problems.append(f"{name}, {width} px: {a['kind']} {a['text']!r} covers {b['kind']} {b['text']!r}")
            for label in (t for t in texts if t["kind"] == "annotation"):
                for mark in drawn["marks"]:
                    if _hit(label, mark):
                        problems.append(f"{name}, {width} px: label {label['text']!r} covers a {mark['kind']}")
            for t in texts:
                if t["kind"] in ("tick", "legend", "annotation", "axis title") and (t["x0"] < -0.5
                                                                                    or t["x1"] > width + 0.5):
                    problems.append(f"{name}, {width} px: {t['kind']} {t['text']!r} is clipped at the page's edge")
    return problems


def test_charts_as_drawn(browser, tmp_path):
    """The frontier on the demo and on the Bank Marketing data, the Compare page's bars, gain curves and loss
    curves, and the Breach page's tornado, with real names and the figures' own layout."""
    import numpy as np

    from analysis import TrustInputs
    from analysis.breach.trust import trust_sensitivity
    from analysis.charts import (exceedance_chart, fairness_chart, frontier_chart, lift_curve_chart, scenario_bars,
                                 trust_tornado_chart)

    figures = {f"frontier-{case}": frontier_chart(pl.read_csv(CASES / f"frontier_{case}.csv"),
                                                   current="Status quo (full data)") for case in ("demo", "bank")}
    table = pl.read_csv(CASES / "frontier_demo.csv").head(4).with_columns(
        net_value=pl.Series([1.40e6, 1.21e6, -2.2e5, 9.9e5]), expected_annual_loss=pl.Series([3.8e5, 2.1e5,
                                                                                             4.0e5, 3.9e5]))
    figures["bars"] = scenario_bars(table, metrics=["incremental_conversions", "risk_index", "expected_annual_loss",
                                                    "net_value"])
    figures["tornado"] = trust_tornado_chart(trust_sensitivity(TrustInputs(
        customers=50_000, consented_share=0.45, personalized_share=0.3, uses_sensitive=True,
        uses_nonconsented=True)), value_label="Trust effect on value over 3 years (USD)")
    grid = np.linspace(0, 1, 41)
    curves = pl.concat([pl.DataFrame({"scenario": name, "fraction_targeted": grid, "value": 200 * grid ** (0.5 + i / 4),
                                      "random": 200 * grid}) for i, name in enumerate(table["name"])])
    figures["gain-curves"] = lift_curve_chart(curves, kind="qini")
    loss = np.geomspace(1e4, 5e7, 60)
    figures["exceedance"] = exceedance_chart(pl.concat([pl.DataFrame(
        {"scenario": name, "loss": loss, "probability_exceeded": 0.3 * np.exp(-loss / (2e6 * (i + 1)))})
        for i, name in enumerate(table["name"])]), tolerance=pl.DataFrame({"loss": [1e5, 1e7],
                                                                            "probability": [0.2, 0.01]}))
    # the Privacy risk page's "who is targeted": the line labels sat on the attribute names on a phone
    figures["fairness"] = fairness_chart(pl.DataFrame({
        "attribute": ["age", "gender", "credit_band", "financial_distress", "health_interest"],
        "ratio": [0.93, 0.97, 0.71, 0.84, 0.62], "ratio_ci_low": [0.88, 0.93, 0.64, 0.78, 0.55],
        "ratio_ci_high": [0.98, 1.0, 0.78, 0.9, 0.69], "used_by_model": [True, True, False, True, False]}))
    problems = drawn_collisions(browser, figures, tmp_path)
    assert problems == [], "\n".join(problems)
