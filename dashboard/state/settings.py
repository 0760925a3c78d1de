"""The session's settings, read by every page: the builder's and saved scenarios, the sidebar's business numbers,
the Breach page's assumption overrides and the privacy policy (each in ``st.session_state``); and the one
process-wide setting, the byte budget of the shared result cache (:func:`cache_budget`)."""

from __future__ import annotations

import os

import streamlit as st

from analysis import PRESETS, Assumptions, BusinessSettings, Scenario, load_assumptions
from analysis.errors import must_be

#: the name the builder's scenario goes by everywhere
YOUR_SCENARIO = "Your scenario"

# ---- session-state keys shared by pages (non-widget keys: they survive page changes) -------------------
CURRENT = "current_scenario"
SAVED = "saved_scenarios"
DB = "active_db"
ASSUMPTION_OVERRIDES = "assumption_overrides"
CACHE_HITS = "model_cache_hits"
CACHE_MISSES = "model_cache_misses"
POLICY = "privacy_policy"

#: megabytes the app's shared model/result cache may hold (``PRIVACYLIFT_CACHE_MB`` overrides it). A PrivacyLift
#: assumption: a comparison of the nine presets measured 4.1 MB (each result ~0.46 MB, mostly its 50,000
#: simulated breach years; a trained model's figures ~0.05 MB), so 256 MB keeps ~60 such comparisons or ~550
#: single results — every page of a few analysts' sessions — within a tenth of a 2–4 GB app server.
CACHE_MB = 256
CACHE_MB_ENV = "PRIVACYLIFT_CACHE_MB"


def cache_budget() -> int:
    """The shared cache's budget in bytes (:data:`CACHE_MB`, or ``$PRIVACYLIFT_CACHE_MB`` megabytes)."""
    text = os.environ.get(CACHE_MB_ENV, "").strip()
    if not text:
        return CACHE_MB * 2**20
    try:
        mb = float(text)
    except ValueError:
        mb = float("nan")
    if not mb > 0 or mb == float("inf"):
        raise ValueError(must_be(CACHE_MB_ENV, "the app's environment", "a number of megabytes > 0", text))
    return int(mb * 2**20)


def business_settings() -> BusinessSettings:
    """The sidebar's business numbers (read from their widget keys; defaults before the sidebar exists)."""
    default = BusinessSettings()
    current = st.session_state.get("biz_current", default.current_practice)
    return BusinessSettings(
        value_per_conversion=float(st.session_state.get("biz_value", default.value_per_conversion)),
        campaigns_per_year=int(st.session_state.get("biz_campaigns", default.campaigns_per_year)),
        horizon_years=int(st.session_state.get("biz_horizon", default.horizon_years)),
        current_practice=current,
    )


def assumptions() -> Assumptions:
    """The breach and trust assumptions with this session's overrides (Breach impact page)."""
    return load_assumptions(st.session_state.get(ASSUMPTION_OVERRIDES) or None)


def current_scenario() -> Scenario:
    """The builder's scenario (persisted across pages), named :data:`YOUR_SCENARIO`."""
    spec = st.session_state.get(CURRENT)
    return spec if isinstance(spec, Scenario) else PRESETS[0].replace(name=YOUR_SCENARIO, description="")


def saved_scenarios() -> dict[str, Scenario]:
    return st.session_state.setdefault(SAVED, {})


def scenario_choices() -> dict[str, Scenario]:
    """Every scenario a page can show: the builder's, the saved ones, the presets (by name)."""
    out = {YOUR_SCENARIO: current_scenario().replace(name=YOUR_SCENARIO)}
    out.update(saved_scenarios())
    out.update({p.name: p for p in PRESETS})
    return out


def policy():
    """The session's privacy policy (set on the Overview), read by every page and the reports."""
    from analysis.tradeoff.policy import load_policy

    return load_policy(st.session_state.get(POLICY) or None)


def set_policy(values: dict) -> None:
    """Validate (raises PolicyError) and keep the policy for this session."""
    from analysis.tradeoff.policy import load_policy

    st.session_state[POLICY] = load_policy(values).to_dict()


def assumption_overrides(before, after) -> dict:
    """The value/low/high cells a user changed in the assumptions editor, as load_assumptions overrides."""
    import polars as pl

    after = after if isinstance(after, pl.DataFrame) else pl.from_pandas(after)
    overrides: dict = {}
    for old, new in zip(before.iter_rows(named=True), after.iter_rows(named=True)):
        changed = {f: new[f] for f in ("value", "low", "high")
                   if new[f] is not None and old[f] != new[f]}
        if changed:
            overrides[old["key"]] = {f: float(v) for f, v in changed.items()}
    merged = dict(st.session_state.get(ASSUMPTION_OVERRIDES) or {})
    merged.update(overrides)
    return merged


def set_assumption_overrides(overrides: dict) -> None:
    """Validate (raises AssumptionError) and keep the overrides for this session."""
    load_assumptions(overrides or None)
    st.session_state[ASSUMPTION_OVERRIDES] = dict(overrides)
