"""The Overview's settings section: the business's privacy policy (what a recommended scenario must meet) and the
region of the sourced breach cost per record. Values persist in the session (non-widget keys), so every page and
every report uses them; each widget has a ``key`` and is seeded from the persisted values."""

from __future__ import annotations

import streamlit as st

from analysis.breach.assumptions import COST_PER_RECORD_SERIES, DEFAULT_REGION
from analysis.tradeoff.policy import CONSTRAINTS, PolicyError, constraint

from . import state

REGION_LABELS = {"global": "Global average (IBM / Ponemon)", "united_states": "United States (IBM / Ponemon)"}
_DEFAULT_CAP = constraint("max_exposure_index").default
_SUGGESTED_K = 5
#: the fairness bound when it is switched on (the four-fifths rule; its source is on the constraint)
_FOUR_FIFTHS = constraint("min_selection_ratio").when_on


def _seed(values: dict) -> None:
    for k, v in values.items():
        if k not in st.session_state:
            st.session_state[k] = v


def _region() -> str:
    overrides = st.session_state.get(state.ASSUMPTION_OVERRIDES) or {}
    return (overrides.get("cost_per_record") or {}).get("region", DEFAULT_REGION)


def _apply() -> None:
    ss = st.session_state
    values = {
        "sensitive_needs_consent": bool(ss["pol_sensitive"]),
        "max_exposure_index": float(ss["pol_cap"]) if ss["pol_cap_on"] else None,
        "min_k": int(ss["pol_k"]) if ss["pol_k_on"] else None,
        "loss_within_tolerance": bool(ss["pol_loss"]),
        "min_selection_ratio": float(ss["pol_ratio"]) if ss["pol_ratio_on"] else None,
    }
    try:
        state.set_policy(values)
    except PolicyError as exc:
        ss["pol_error"] = str(exc)
    region = ss["pol_region"]
    if region != _region():
        overrides = dict(ss.get(state.ASSUMPTION_OVERRIDES) or {})
        cost = {k: v for k, v in (overrides.get("cost_per_record") or {}).items() if k not in ("value", "low", "high",
                                                                                             "year")}
        cost["region"] = region
        overrides["cost_per_record"] = cost
        state.set_assumption_overrides(overrides)


def policy_controls() -> None:
    """The settings section (an expander); changes apply to every page at once."""
    current = state.policy()
    _seed({"pol_sensitive": current.sensitive_needs_consent,
           "pol_cap_on": current.max_exposure_index is not None,
           "pol_cap": float(current.max_exposure_index if current.max_exposure_index is not None else _DEFAULT_CAP),
           "pol_k_on": current.min_k is not None, "pol_k": int(current.min_k or _SUGGESTED_K),
           "pol_loss": current.loss_within_tolerance, "pol_region": _region(),
           "pol_ratio_on": current.min_selection_ratio is not None,
           "pol_ratio": float(current.min_selection_ratio or _FOUR_FIFTHS)})
    labels = {c.key: c for c in CONSTRAINTS}
    with st.expander("Your privacy policy (what a recommended scenario must meet)", expanded=False):
        st.caption("The recommendation is the scenario with the highest net value among those that meet these "
                   "constraints. Each default has a source or is labelled a PrivacyLift assumption.")
        st.toggle(labels["sensitive_needs_consent"].label, key="pol_sensitive", on_change=_apply,
                  help=f"{labels['sensitive_needs_consent'].source}. {labels['sensitive_needs_consent'].note}")
        c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
        c1.toggle("Cap the exposure index", key="pol_cap_on", on_change=_apply)
        c2.number_input(labels["max_exposure_index"].label, min_value=0.0, max_value=100.0, step=5.0, key="pol_cap",
                        on_change=_apply, disabled=not st.session_state["pol_cap_on"],
                        help=labels["max_exposure_index"].note)
        c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
        c1.toggle("Require a smallest group (k)", key="pol_k_on", on_change=_apply)
        c2.number_input(labels["min_k"].label, min_value=2, max_value=100, step=1, key="pol_k", on_change=_apply,
                        disabled=not st.session_state["pol_k_on"], help=labels["min_k"].note)
        st.toggle(labels["loss_within_tolerance"].label, key="pol_loss", on_change=_apply,
                  help=labels["loss_within_tolerance"].note)
        ratio = labels["min_selection_ratio"]
        c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
        c1.toggle("Require fair targeting (four-fifths rule)", key="pol_ratio_on", on_change=_apply,
                  help=f"{ratio.source}, {ratio.year}.")
        c2.number_input(ratio.label, min_value=0.05, max_value=1.0, step=0.05, key="pol_ratio", on_change=_apply,
                        disabled=not st.session_state["pol_ratio_on"], help=ratio.note)
        st.selectbox("Breach cost per record: region of the sourced figure", list(COST_PER_RECORD_SERIES),
                     format_func=REGION_LABELS.get, key="pol_region", on_change=_apply,
                     help="IBM / Ponemon publish a global average and a United States series; they are never "
                          "mixed. The figure and its year are on Breach impact.")
        if "pol_error" in st.session_state:
            st.error(st.session_state.pop("pol_error"))
