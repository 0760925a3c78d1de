"""The "Who is targeted" section of the Privacy risk page (AppTest): the ratio chart with the four-fifths line,
a sentence per audited attribute, the proxies table, and a mitigation tried with its cost."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402


def test_who_is_targeted_section(demo_db, monkeypatch):
    monkeypatch.setenv("PRIVACYLIFT_DB", str(demo_db))
    at = AppTest.from_file("../app.py", default_timeout=240)
    at.run()
    at.switch_page("dashboard/risk_page.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="r_scenario").set_value("No sensitive attributes")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Who is targeted" in [h.value for h in at.subheader]

    def ratio_charts():
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        return [s for s in specs if any(t.get("name") == "Selection-rate ratio" for t in s["data"])]

    charts = ratio_charts()
    assert len(charts) == 1
    bars = next(t for t in charts[0]["data"] if t["name"] == "Selection-rate ratio")
    assert set(bars["y"]) == {"age", "gender", "credit_band", "financial_distress", "health_interest"}
    assert any(shape["x0"] == 0.8 for shape in charts[0]["layout"]["shapes"])
    sentences = [m.value for m in at.markdown if "as likely to be targeted" in m.value or "targeted and" in m.value]
    assert len(sentences) == 5
    assert any("although health interest is not used" in s for s in sentences)
    proxies = next(d.value for d in at.dataframe if "Features that carry it most" in d.value.columns)
    assert "pharmacy" in " ".join(map(str, proxies["Features that carry it most"]))

    at.radio(key="r_fairness").set_value("group_quota")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.value.startswith("The mitigation costs") and "four-fifths line" in m.value for m in at.markdown)
    charts = ratio_charts()
    assert len(charts) == 2
    mitigated = next(t for t in charts[1]["data"] if t["name"] == "Selection-rate ratio")
    assert all(x >= 0.8 for x in mitigated["x"] if x is not None)
