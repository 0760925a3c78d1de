"""`python -m analysis report | verify | review` round trip on the test demo database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS = """
[[scenario]]
name = "Status quo (full data)"

[[scenario]]
name = "<script>alert(1)</script>"
description = "no sensitive attributes"
exclude_roles = ["sensitive"]
"""


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240)


def test_report_verify_review_round_trip(demo_db, tmp_path):
    scenarios = tmp_path / "scenarios.toml"
    scenarios.write_text(SCENARIOS)
    out = tmp_path / "reports" / "board-1"
    options = ["--campaigns-per-year", "24", "--value-per-conversion", "55", "--horizon", "1",
               "--region", "united_states", "--max-exposure", "60", "--min-k", "off", "--loss-within-tolerance", "no",
               "--sensitive-needs-consent", "no", "--min-selection-ratio", "0.3", "--population", "5000000", "--draws", "40",
               "--current-practice", "<script>alert(1)</script>"]
    p = _run("report", "--db", str(demo_db), "--scenarios", str(scenarios), "--out", str(out),
             "--title", "CLI review", "--purpose", "Decide the targeting data", *options)
    assert p.returncode == 0, p.stderr
    # every option reached the report
    content = json.loads((out / "report.json").read_text())
    rep = content["reproduce"]
    assert {k: rep["business_settings"][k] for k in ("campaigns_per_year", "value_per_conversion", "horizon_years",
                                                     "current_practice")} == \
        {"campaigns_per_year": 24, "value_per_conversion": 55.0, "horizon_years": 1,
         "current_practice": "<script>alert(1)</script>"}
    assert rep["assumption_overrides"]["cost_per_record"]["region"] == "united_states"
    assert rep["policy"] == {"sensitive_needs_consent": False, "max_exposure_index": 60.0, "min_k": None,
                             "loss_within_tolerance": False, "min_selection_ratio": 0.3}  # verify rebuilds with it
    assert content["recommendation"]["policy"] == rep["policy"] and content["recommendation"]["robustness"]["draws"] == 40
    assert rep["simulation"]["population"] == 5_000_000 and rep["robustness_draws"] == 40
    for r in content["results"]:
        if r.get("status") == "ok":
            gain = r["headline"]["incremental_conversions"]
            assert r["engagement_value_per_year"] == pytest.approx(gain * 55 * 24)
            assert r["net_value_horizon_years"] == 1
    bad = _run("report", "--db", str(demo_db), "--out", str(tmp_path / "bad"), "--min-k", "many")
    assert bad.returncode == 2 and "'--min-k' option must be a number or 'off'" in bad.stderr
    assert "Saved report" in p.stdout and {f.name for f in out.iterdir()} >= {
        "report.json", "report.html", "report.pdf", "manifest.json"}
    registry = (tmp_path / "reports" / "registry.jsonl").read_text().splitlines()
    assert len(registry) == 1 and json.loads(registry[0])["title"] == "CLI review"

    p = _run("verify", str(out), "--db", str(demo_db))
    assert p.returncode == 0, p.stderr + p.stdout
    assert "Verified" in p.stdout

    p = _run("review", str(out), "--decision", "approved", "--reviewer", "Dr. Board", "--comment", "fine")
    assert p.returncode == 0, p.stderr
    assert "Recorded review #1" in p.stdout

    p = _run("report", "--db", str(demo_db), "--scenarios", str(scenarios), "--out", str(out))
    assert p.returncode == 2 and "never overwritten" in p.stderr

    html = out / "report.html"
    data = bytearray(html.read_bytes())
    data[len(data) // 3] ^= 1
    html.write_bytes(bytes(data))
    p = _run("verify", str(out))
    assert p.returncode == 1
    assert "report.html was altered" in p.stderr

    p = _run("verify", str(tmp_path / "nothing-here"))
    assert p.returncode == 2 and "not a directory" in p.stderr
