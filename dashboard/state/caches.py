"""Every cache of the dashboard's results (Streamlit caching of results lives only here).

- ``memory()``: one :class:`analysis.lru.ByteLRU` shared by every session, bounded by
  :func:`~dashboard.state.settings.cache_budget` bytes: the model cache's trained figures and results, the
  trade-offs and sweeps below, and the page steps of :mod:`dashboard.state.steps` all live in it, the least
  recently used leaving first.
- ``model_cache()``: the :class:`analysis.ModelCache` over that memory, so a change that only moves a
  mitigation or a business number never retrains.
- ``run_tradeoff(specs, ...)``: results of :func:`analysis.run_scenarios` kept by (data fingerprint, the
  specs' JSON, business settings, assumptions fingerprint, privacy policy); a miss shows its progress in
  ``st.status``. Every page's recommendation comes from the one it returns.
- ``memo(key, compute)``: any other step's result, kept by a key of fingerprints.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

import streamlit as st

from analysis import Assumptions, BusinessSettings, CRMData, ModelCache, Scenario, Tradeoff, run_scenarios
from analysis.lru import ByteLRU
from analysis.scenario import scenarios_to_json

from dashboard.state.settings import CACHE_HITS, CACHE_MISSES, assumptions, business_settings, cache_budget, policy

T = TypeVar("T")
_MISSING = object()


@st.cache_resource(show_spinner=False)
def memory() -> ByteLRU:
    """The app's one result cache, shared by all sessions and bounded in bytes."""
    return ByteLRU(cache_budget())


@st.cache_resource(show_spinner=False)
def model_cache() -> ModelCache:
    """The trained models shared by all sessions (each distinct model trains once while it is in memory)."""
    return ModelCache(memory=memory())


def memo(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``key`` while the entry stays in :func:`memory` (two sessions asking at once may
    both compute it; the results are equal)."""
    found: Any = memory().get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        memory().put(key, found)
    return found


def run_tradeoff(specs: list[Scenario], data: CRMData, *, settings: BusinessSettings | None = None,
                 assumption_set: Assumptions | None = None, label: str = "Measuring the scenarios",
                 robustness: bool = True) -> Tradeoff:
    """:func:`analysis.run_scenarios` with the dashboard's caches and the session's policy; progress in
    ``st.status`` on a miss. ``robustness=False`` skips the assumption redraws (pages that show the pick but not
    how robust it is: the same pick, ~0.2 s less per move)."""
    settings = settings or business_settings()
    assumption_set = assumption_set if assumption_set is not None else assumptions()
    rules = policy()
    draws = None if robustness else 0
    key = ("tradeoff", data.fingerprint, scenarios_to_json(specs, indent=None), settings,
           assumption_set.fingerprint(), rules, draws)
    cache = model_cache()

    def compute() -> Tradeoff:
        misses = cache.misses
        with st.status(f"{label}…", expanded=False) as status:
            found = run_scenarios(specs, data, settings=settings, assumptions=assumption_set, cache=cache,
                                  policy=rules, robustness_draws=draws,
                                  progress=lambda message: status.update(label=f"{label}: {message}"))
            trained = cache.misses - misses
            status.update(label=f"{label}: done ({trained} model(s) trained, the rest reused)",
                          state="complete")
        return found

    found = memo(key, compute)
    st.session_state[CACHE_HITS] = cache.hits
    st.session_state[CACHE_MISSES] = cache.misses
    return found


def run_sweep(parameter: str, data: CRMData, base: Scenario):
    """:func:`analysis.sweep` with the shared model cache; the curves are kept per (data, parameter, base)."""
    from analysis import sweep

    key = ("sweep", data.fingerprint, parameter, base.fingerprint, assumptions().fingerprint())

    def compute():
        with st.status("Moving the dial through its values…", expanded=False) as status:
            found = sweep(parameter, data, base=base, assumptions=assumptions(), cache=model_cache())
            status.update(label="Moving the dial: done", state="complete")
        return found

    return memo(key, compute)
