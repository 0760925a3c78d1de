"""The app's shared result cache stays within its byte budget however many distinct scenarios sessions measure
(Streamlit AppTest on the Breach impact page, with a small budget so that entries must leave)."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis import PRESETS  # noqa: E402
from dashboard.state import caches  # noqa: E402

BUDGET_MB = 2


@pytest.fixture()
def small_cache(monkeypatch):
    monkeypatch.setenv("PRIVACYLIFT_CACHE_MB", str(BUDGET_MB))
    caches.memory.clear()
    caches.model_cache.clear()
    yield
    caches.memory.clear()  # the next test gets a cache of the default budget
    caches.model_cache.clear()


def test_many_distinct_scenarios_keep_the_shared_cache_under_its_budget(demo_db, monkeypatch, small_cache):
    monkeypatch.setenv("PRIVACYLIFT_DB", str(demo_db))
    base = PRESETS[0]
    # eight scenarios that share one model and differ in what they hold (each its own result and breach years)
    specs = {f"Variant {i}": base.replace(name=f"Variant {i}", pseudonymization=p, encryption_at_rest=e,
                                          access_restriction=a)
             for i, (p, e, a) in enumerate(itertools.product((False, True), repeat=3))}
    at = AppTest.from_file("../dashboard/breach_page.py", default_timeout=180)  # the page alone: no Overview run
    at.session_state["saved_scenarios"] = specs
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    memory = caches.memory()
    assert memory.max_bytes == BUDGET_MB * 2**20
    losses = {}
    for name in specs:
        at.selectbox(key="br_scenario").set_value(name)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        losses[name] = next(m.value for m in at.metric if m.label == "Expected breach loss a year")
        assert 0 < memory.total_bytes <= memory.max_bytes
    assert memory.evictions > 0  # the budget bound: entries left
    assert len(set(losses.values())) > 1  # the variants were really measured, each on its own
    assert caches.model_cache().misses <= 2  # one model for all of them (twice at most if it had to leave)
