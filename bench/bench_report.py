"""Report build time and file sizes for the presets on the demo data.

Run: ``python bench/bench_report.py [--db FILE] [--out DIR]`` from the repository root. Without ``--db`` it
uses (and builds on first use) the 50,000-customer demo. Prints the time of each step — running the
scenarios into the content, rendering HTML, rendering PDF (kaleido charts), saving, verifying with a re-run —
and the sizes of report.json / report.html / report.pdf (and of the HTML without plotly.js).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import PRESETS  # noqa: E402
from analysis.demo import ensure_demo  # noqa: E402
from analysis.report import build_report, render_html, render_pdf, save_report, verify_report  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database (default: the demo, built if missing)")
    parser.add_argument("--out", help="reports folder (default: a temporary one, removed after)")
    args = parser.parse_args()
    db = Path(args.db) if args.db else ensure_demo().path
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench-report-"))
    steps = {}
    start = time.perf_counter()
    content = build_report(PRESETS, db, title="Benchmark: the presets")
    steps["run scenarios + content"] = time.perf_counter() - start
    t = time.perf_counter()
    html_text = render_html(content)
    steps["render HTML"] = time.perf_counter() - t
    t = time.perf_counter()
    pdf = render_pdf(content)
    steps["render PDF (charts as PNG)"] = time.perf_counter() - t
    t = time.perf_counter()
    saved = save_report(content, out / "presets", pdf_bytes=pdf, html_text=html_text)
    steps["save (hash, write, register)"] = time.perf_counter() - t
    total = time.perf_counter() - start
    t = time.perf_counter()
    result = verify_report(saved.dir)
    steps["verify (hashes + HTML + re-run)"] = time.perf_counter() - t
    n_ok = sum(1 for r in content["results"] if r["status"] == "ok")
    print(f"database: {db} ({content['sections'][1]['blocks'][-2]['pairs'][-1][1]} customers), "
          f"{len(PRESETS)} presets ({n_ok} applicable)")
    for name, seconds in steps.items():
        print(f"  {name:34} {seconds:7.2f} s")
    print(f"  {'report build total (to saved files)':34} {total:7.2f} s")
    print(f"verify ok: {result.ok} {list(result.problems)}")
    lean = re.sub(r'<script id="plotly-js-gzip"[^>]*>[^<]*</script>', "", html_text)
    for name in ("report.json", "report.html", "report.pdf"):
        print(f"  {name:12} {(saved.dir / name).stat().st_size / 1e6:7.2f} MB")
    print(f"  {'HTML without plotly.js':22} {len(lean.encode()) / 1e6:7.3f} MB")
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
