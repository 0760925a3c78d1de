"""Where the app's data comes from, and every cache of the dashboard (Streamlit caching lives only here).

- The active database: an upload chosen in this session (or named by the URL's ``db=uploads/<id>``), else
  ``$PRIVACYLIFT_DB``, else the demo CRM built on first start.
- Uploads belong to the browser session that made them (:mod:`dashboard.uploads`).
- ``load_data()``: the CRM loaded once per (database path, store fingerprint) with ``st.cache_resource``; the
  fingerprint is re-read only when the file's inode, size or modification time changes.
- ``model_cache()``: one :class:`analysis.ModelCache` shared by every session, so a change that only moves a
  mitigation or a business number never retrains.
- ``run_tradeoff(specs, ...)``: results of :func:`analysis.run_scenarios` kept by (data fingerprint, the
  specs' JSON, business settings, assumptions fingerprint, privacy policy); a miss shows its progress in
  ``st.status``. Every page's recommendation comes from the one it returns.
- ``policy()``: the session's privacy policy (set on the Overview), read by every page and the reports.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from analysis import (
    PRESETS,
    Assumptions,
    BusinessSettings,
    CRMData,
    ModelCache,
    Scenario,
    Store,
    Tradeoff,
    load_assumptions,
    load_crm,
    run_scenarios,
)
from analysis.scenario import scenarios_to_json

from dashboard.uploads import (  # noqa: F401  (re-exported: pages and tests use them through state)
    UNAVAILABLE, UPLOAD_NAME, UPLOAD_TTL_HOURS, UPLOADS, db_from_query, may_open, purge_expired, read_meta,
    upload_id_of, upload_path,
)

ROOT = Path(__file__).resolve().parent.parent
#: results kept in memory (each holds curves and simulated losses of a few scenarios); an assumption
MAX_RESULTS = 48
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


@dataclass(frozen=True)
class DataSource:
    """The database in use and how it was chosen (for the sidebar)."""

    path: Path
    label: str
    origin: str  # "upload" | "environment" | "demo"


def _demo_path() -> str:
    from analysis.demo import DEMO_DB, ensure_demo

    if DEMO_DB.exists():
        return str(DEMO_DB)
    with st.status("Building the demo CRM (first start only, a few seconds)…", expanded=True) as status:
        store = ensure_demo(progress=lambda message: status.write(message))
        status.update(label="Demo CRM ready", state="complete", expanded=False)
    return str(store.path)


def data_source() -> DataSource:
    """The active database (see the module docstring for the order)."""
    purge_expired()
    chosen = st.session_state.get(DB)
    upload_id = upload_id_of(chosen) if chosen else None
    if chosen is not None and (upload_id is None or not may_open(upload_id)):
        st.session_state.pop(DB, None)  # expired, deleted, or never this session's
        chosen = None
        st.warning(f"The uploaded dataset is no longer available (uploads are deleted after {UPLOAD_TTL_HOURS} "
                   "hours); showing the default data.")
    if chosen is None:
        wanted = st.query_params.get("db")
        from_url = db_from_query(wanted)
        if wanted and from_url is None and st.session_state.get("db_refused") != wanted:
            st.session_state["db_refused"] = wanted  # said once, not on every call of this run
            st.warning(UNAVAILABLE)
        if from_url is not None:
            st.session_state[DB] = chosen = str(from_url)
    if chosen is not None:
        meta = read_meta(upload_id_of(chosen)) or {}
        return DataSource(Path(chosen), f"Upload: {meta.get('dataset') or 'dataset'}", "upload")
    env = os.environ.get("PRIVACYLIFT_DB")
    if env:
        return DataSource(Path(env), Path(env).name, "environment")
    return DataSource(Path(_demo_path()), "Demo CRM (synthetic customers)", "demo")


@st.cache_resource(show_spinner="Loading the CRM…", max_entries=4)
def _load(path: str, fingerprint: str) -> CRMData:
    return load_crm(Store(path))


@st.cache_resource(show_spinner=False, max_entries=16)
def _fingerprint(path: str, stamp: tuple) -> str:
    return Store(path).fingerprint()


def _stamp(path: Path) -> tuple:
    """What changes whenever the database does: inode, size and modification time of the file and its WAL."""
    out = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            s = p.stat()
        except OSError:
            out.append(None)
        else:
            out.append((s.st_ino, s.st_size, s.st_mtime_ns))
    return tuple(out)


def load_data() -> CRMData:
    """The active CRM, loaded once per database path and content fingerprint (the fingerprint itself is read
    again only when the file changed: opening DuckDB for it took ~0.15 s of every page run)."""
    source = data_source()
    return _load(str(source.path), _fingerprint(str(source.path), _stamp(source.path)))


@st.cache_resource(show_spinner=False)
def model_cache() -> ModelCache:
    """The trained models shared by all sessions (each distinct model trains once)."""
    return ModelCache()


@st.cache_resource(show_spinner=False)
def _results() -> tuple[OrderedDict, threading.Lock]:
    return OrderedDict(), threading.Lock()


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
    """The session's privacy policy (the Overview's "Your privacy policy"; defaults until changed)."""
    from analysis.tradeoff.policy import load_policy

    return load_policy(st.session_state.get(POLICY) or None)


def set_policy(values: dict) -> None:
    """Validate (raises PolicyError) and keep the policy for this session."""
    from analysis.tradeoff.policy import load_policy

    st.session_state[POLICY] = load_policy(values).to_dict()


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
    key = (data.fingerprint, scenarios_to_json(specs, indent=None), settings, assumption_set.fingerprint(), rules,
           draws)
    store, lock = _results()
    cache = model_cache()
    with lock:
        found = store.get(key)
        if found is not None:
            store.move_to_end(key)
    if found is None:
        misses = cache.misses
        with st.status(f"{label}…", expanded=False) as status:
            found = run_scenarios(specs, data, settings=settings, assumptions=assumption_set, cache=cache,
                                  policy=rules, robustness_draws=draws,
                                  progress=lambda message: status.update(label=f"{label}: {message}"))
            trained = cache.misses - misses
            status.update(label=f"{label}: done ({trained} model(s) trained, the rest reused)",
                          state="complete")
        with lock:
            store[key] = found
            while len(store) > MAX_RESULTS:
                store.popitem(last=False)
    st.session_state[CACHE_HITS] = cache.hits
    st.session_state[CACHE_MISSES] = cache.misses
    return found


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


def run_sweep(parameter: str, data: CRMData, base: Scenario):
    """:func:`analysis.sweep` with the shared model cache; the curves are kept per (data, parameter, base)."""
    from analysis import sweep

    key = ("sweep", data.fingerprint, parameter, base.fingerprint, assumptions().fingerprint())
    store, lock = _results()
    with lock:
        found = store.get(key)
    if found is None:
        with st.status("Moving the dial through its values…", expanded=False) as status:
            found = sweep(parameter, data, base=base, assumptions=assumptions(), cache=model_cache())
            status.update(label="Moving the dial: done", state="complete")
        with lock:
            store[key] = found
            while len(store) > MAX_RESULTS:
                store.popitem(last=False)
    return found
