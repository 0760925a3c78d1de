"""Widget helpers: each draws its controls (every one with a ``key``) and returns values or a Scenario.

Widget state is seeded from the persisted scenario (``session_state`` keys set before the widget exists,
never a ``value=`` argument too), so leaving a page and coming back, or opening a shared link, shows the
same scenario.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from analysis import PRESETS, CRMSchema, Scenario
from analysis.tradeoff import SWEEPS

from . import state

GENERALIZATION_LABELS = {0: "As collected", 1: "Light", 2: "Medium", 3: "Strong"}
RETENTION_OPTIONS = (None, 30, 60, 90, 180, 365, 730)
EPSILON_OPTIONS = tuple(SWEEPS["epsilon"][1])  # 0.01 … 10, the sweep's grid
CONSENT_LABELS = {
    "ignore": "Use everyone's data (consent not checked)",
    "consented_only": "Only customers who consented to personalization",
    "opt_in": "Opt-in regime (simulated): only those who opt in",
    "opt_out": "Opt-out regime (simulated): everyone except those who opt out",
}
ROLE_LABELS = {
    "sensitive": "Sensitive attributes (health, financial distress, credit)",
    "behavioral": "Behavioural data (visits, purchases, history)",
    "quasi_identifier": "Demographics and location (age, gender, ZIP …)",
}
MITIGATION_LABELS = {
    "pseudonymization": "Pseudonymize direct identifiers (names, e-mails)",
    "encryption_at_rest": "Encrypt the database at rest",
    "access_restriction": "Restrict access to a small team",
}

#: widget key → how to read it from / write it to a Scenario
_B = "b_"  # builder key prefix


def _seed(values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _widget_values(spec: Scenario) -> dict[str, Any]:
    return {
        f"{_B}roles": [r for r in ROLE_LABELS if r in spec.exclude_roles],
        f"{_B}categories": list(spec.exclude_categories),
        f"{_B}events": spec.use_events,
        f"{_B}gen": spec.generalization_level,
        f"{_B}ret": spec.retention_days,
        f"{_B}consent": spec.consent,
        f"{_B}consent_rate": spec.effective_consent_rate or 0.3,
        f"{_B}erasure": float(spec.erasure_rate),
        f"{_B}dp": spec.epsilon is not None,
        f"{_B}eps": spec.epsilon if spec.epsilon is not None else 1.0,
        f"{_B}model": spec.model,
        f"{_B}k": float(spec.k),
        **{f"{_B}{m}": bool(getattr(spec, m)) for m in MITIGATION_LABELS},
    }


def reset_builder(spec: Scenario) -> None:
    """Make ``spec`` the builder's scenario and its controls show it (e.g. after choosing a preset)."""
    st.session_state[state.CURRENT] = spec.replace(name=state.YOUR_SCENARIO)
    for key, value in _widget_values(spec).items():
        st.session_state[key] = value


def scenario_controls(schema: CRMSchema) -> Scenario:
    """Controls for every dimension of a scenario; returns the Scenario they describe."""
    current = state.current_scenario()
    _seed(_widget_values(current))
    ss = st.session_state

    st.markdown("**What the model may use**")
    roles = st.multiselect("Leave out of the model", list(ROLE_LABELS), format_func=ROLE_LABELS.get,
                           key=f"{_B}roles", help="Whole groups of columns the model never sees.")
    held = [c for c in schema.categories_held]
    if any(c not in held for c in ss[f"{_B}categories"]):
        ss[f"{_B}categories"] = [c for c in ss[f"{_B}categories"] if c in held]
    categories = st.multiselect("Leave out these data categories", held, key=f"{_B}categories",
                                help="E.g. never use health or location data, whatever the column.")
    use_events = st.toggle("Use the purchase and visit history", key=f"{_B}events",
                           disabled=not schema.has_events,
                           help=None if schema.has_events else "This dataset has no events history.")

    st.markdown("**How much detail is kept**")
    gen = st.select_slider("Generalization of identifying attributes", options=list(GENERALIZATION_LABELS),
                           format_func=GENERALIZATION_LABELS.get, key=f"{_B}gen",
                           help="Medium = ages in 10-year bands, ZIP codes cut to 2 digits, rare values merged.")
    options = list(RETENTION_OPTIONS)
    if ss[f"{_B}ret"] not in options:
        options = sorted([o for o in options if o is not None] + [ss[f"{_B}ret"]])
        options.insert(0, None)
    retention = st.select_slider("History kept (retention window)", options=options, key=f"{_B}ret",
                                 format_func=lambda d: "All history" if d is None else f"{d} days",
                                 disabled=not schema.has_events,
                                 help="Older behaviour is deleted and never used."
                                 if schema.has_events else "This dataset has no events history.")

    st.markdown("**Whose data**")
    consent = st.selectbox("Consent", list(CONSENT_LABELS), format_func=CONSENT_LABELS.get, key=f"{_B}consent")
    consent_rate = None
    if consent in ("opt_in", "opt_out"):
        word = "opt in" if consent == "opt_in" else "opt out"
        consent_rate = st.slider(f"Share of customers who {word}", 0.05, 0.95, step=0.05,
                                 key=f"{_B}consent_rate")
    erasure = st.slider("Share of customers who asked to be erased", 0.0, 0.5, step=0.01, key=f"{_B}erasure",
                        format="%.2f")

    st.markdown("**How private the model is**")
    dp = st.toggle("Train with differential privacy", key=f"{_B}dp",
                   help="Adds calibrated noise while training so the model reveals little about any one person.")
    epsilon = None
    if dp:
        eps_options = sorted(set(EPSILON_OPTIONS) | {float(ss[f"{_B}eps"])})
        if ss[f"{_B}eps"] not in eps_options:
            ss[f"{_B}eps"] = 1.0
        epsilon = st.select_slider("Privacy budget ε (smaller ε = more private, usually less gain)",
                                   options=eps_options, key=f"{_B}eps", format_func=lambda e: f"ε = {e:g}")
    model = st.selectbox("Model (without differential privacy)", ["hgb", "logistic"], key=f"{_B}model",
                         format_func={"hgb": "Gradient boosting", "logistic": "Logistic regression"}.get,
                         disabled=dp)
    k = st.slider("Share of customers targeted by the campaign", 0.05, 1.0, step=0.05, key=f"{_B}k",
                  format="%.2f")

    st.markdown("**Safeguards (change what a breach exposes, not the model)**")
    mitigations = {m: st.checkbox(label, key=f"{_B}{m}") for m, label in MITIGATION_LABELS.items()}

    spec = Scenario(
        name=state.YOUR_SCENARIO,
        exclude_roles=tuple(roles), exclude_categories=tuple(categories),
        use_events=bool(use_events) if schema.has_events else current.use_events,
        generalization_level=int(gen),
        retention_days=None if retention is None or not schema.has_events else int(retention),
        consent=consent, consent_rate=None if consent_rate is None else float(consent_rate),
        erasure_rate=float(erasure), epsilon=None if epsilon is None else float(epsilon),
        model=model, k=float(k), dp_model=current.dp_model, exclude_columns=current.exclude_columns,
        generalize=current.generalize, consent_purpose=current.consent_purpose, seed=current.seed,
        **mitigations,
    )
    st.session_state[state.CURRENT] = spec
    return spec


def preset_picker() -> Scenario | None:
    """A preset selector and a button; returns the preset when the button is pressed."""
    names = [p.name for p in PRESETS]
    col1, col2 = st.columns([3, 1], vertical_alignment="bottom")
    name = col1.selectbox("Start from a preset", names, key="b_preset",
                          format_func=lambda n: f"{n} — {next(p.description for p in PRESETS if p.name == n)}")
    if col2.button("Load preset", key="b_load", width="stretch"):
        return next(p for p in PRESETS if p.name == name)
    return None


def business_sidebar(scenario_names: list[str]) -> None:
    """The sidebar's business numbers (read back with :func:`dashboard.state.business_settings`)."""
    default = state.business_settings()
    _seed({"biz_value": default.value_per_conversion, "biz_campaigns": default.campaigns_per_year,
           "biz_horizon": default.horizon_years, "biz_current": default.current_practice})
    if st.session_state["biz_current"] not in scenario_names:
        st.session_state["biz_current"] = PRESETS[0].name
    with st.sidebar.expander("Business settings", expanded=False):
        st.number_input("Value of one extra conversion (USD)", min_value=0.0, max_value=100_000.0, step=5.0,
                        key="biz_value", help="Contribution margin (PrivacyLift assumption: 40).")
        st.number_input("Personalized campaigns a year", min_value=0, max_value=365, step=1,
                        key="biz_campaigns", help="PrivacyLift assumption: 4.")
        st.radio("Net value over", [1, 3], format_func=lambda h: f"{h} year{'s' if h > 1 else ''}",
                 key="biz_horizon", horizontal=True)
        st.selectbox("What we do today (current practice)", scenario_names, key="biz_current")
