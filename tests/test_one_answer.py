"""One function, every surface: the Overview (AppTest), a saved report and ``simulate --json`` on the same data
and settings recommend the same scenario, for the same reason."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis import PRESETS, BusinessSettings  # noqa: E402
from analysis.report import build_report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGNS = 24  # not the default: the setting must reach every surface


def test_overview_report_and_simulate_json_recommend_one_scenario(demo_db, monkeypatch):
    monkeypatch.setenv("PRIVACYLIFT_DB", str(demo_db))
    at = AppTest.from_file("../app.py", default_timeout=300)
    at.session_state["biz_campaigns"] = CAMPAIGNS
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [s.value for s in at.success]
    assert shown, "the Overview shows no recommendation"

    content = build_report(list(PRESETS), demo_db, title="One answer",
                           settings=BusinessSettings(campaigns_per_year=CAMPAIGNS))
    pick = content["recommendation"]["scenario"]
    assert pick and shown[0].startswith(f"**{pick}**")
    assert content["recommended"] == pick and content["headline"][pick]["recommended"] is True

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "analysis", "simulate", "--db", str(demo_db), "--json",
                           "--campaigns-per-year", str(CAMPAIGNS)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    assert cli["recommendation"]["scenario"] == pick
    assert cli["settings"]["business"]["campaigns_per_year"] == CAMPAIGNS
    assert cli["recommendation"]["reason"] == content["recommendation"]["reason"]
    assert cli["recommendation"]["not_allowed"] == content["recommendation"]["not_allowed"]
    assert cli["dataset"]["fingerprint"] == content["dataset"]["fingerprint"]
    # the same words on screen (shown through the Markdown escaping of user text: scenario names are typed)
    unescaped = [re.sub(r"\\(.)", r"\1", i.value).replace("\u2060", "") for i in at.info]
    assert any(content["recommendation"]["reason"] in text for text in unescaped)
