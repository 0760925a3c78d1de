"""Widget helpers: each draws its controls (every one with a ``key``) and returns values or a Scenario.

Widget state is seeded from the persisted scenario (``session_state`` keys set before the widget exists,
never a ``value=`` argument too), so leaving a page and coming back, or opening a shared link, shows the
same scenario.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from analysis import PRESETS, CRMSchema, Scenario
from analysis.scenario import FIELDS, MODELS
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
FAIRNESS_LABELS = {
    "none": "Target by the model's ranking alone",
    "drop_proxies": "Leave out features that give a sensitive or protected attribute away",
    "group_quota": "Contact the same share of every group (re-rank within groups)",
}
MODEL_LABELS = {
    "auto": "Chosen for this data (best cross-validated uplift model)",
    "logistic": "Logistic regression (T-learner)",
    "hgb": "Gradient boosting (T-learner)",
}
MITIGATION_LABELS = {
    "pseudonymization": "Pseudonymize direct identifiers (names, e-mails)",
    "encryption_at_rest": "Encrypt the database at rest",
    "access_restriction": "Restrict access to a small team",
    "discard_training_data": "Delete the training data after training (keep only the model and contact details)",
}

#: the builder's widget key of a scenario field: ``b_<field name>`` (labels and help come from the field's
#: declaration in :mod:`analysis.scenario.spec`)
_B = "b_"
#: fields the builder draws a control for; the others are carried over from the current scenario
BUILDER_FIELDS = ("exclude_roles", "exclude_categories", "use_events", "generalization_level", "retention_days",
                  "consent", "consent_rate", "erasure_rate", "epsilon", "model", "k", "fairness",
                  *MITIGATION_LABELS)
#: UI-only keys: the DP switch (epsilon is None when it is off)
DP_SWITCH = f"{_B}dp"


def key(field_name: str) -> str:
    return f"{_B}{field_name}"


def _label(field_name: str) -> str:
    return FIELDS[field_name].label


def _help(field_name: str) -> str:
    return FIELDS[field_name].help


def _seed(values: dict[str, Any]) -> None:
    for k, value in values.items():
        if k not in st.session_state:
            st.session_state[k] = value


def widget_values(spec: Scenario) -> dict[str, Any]:
    """The builder's widget state that shows ``spec`` (derived from the field declarations)."""
    values = {key(name): getattr(spec, name) for name in BUILDER_FIELDS}
    values[key("exclude_roles")] = [r for r in ROLE_LABELS if r in spec.exclude_roles]
    values[key("exclude_categories")] = list(spec.exclude_categories)
    values[key("consent_rate")] = spec.effective_consent_rate or 0.3
    values[key("erasure_rate")] = float(spec.erasure_rate)
    values[key("k")] = float(spec.k)
    values[key("epsilon")] = spec.epsilon if spec.epsilon is not None else 1.0
    values[DP_SWITCH] = spec.epsilon is not None
    return values


def spec_from_widgets(values: dict[str, Any], current: Scenario, schema: CRMSchema | None = None) -> Scenario:
    """The scenario the builder's widget state describes (fields without a control keep ``current``'s values).
    Raises :class:`analysis.ScenarioError` with the field's one message when the state is not a valid scenario."""
    changes = {name: values[key(name)] for name in BUILDER_FIELDS if key(name) in values}
    changes["exclude_roles"] = tuple(changes.get("exclude_roles", ()))
    changes["exclude_categories"] = tuple(changes.get("exclude_categories", ()))
    if not values.get(DP_SWITCH, current.epsilon is not None):
        changes["epsilon"] = None
    if changes.get("consent", current.consent) not in ("opt_in", "opt_out"):
        changes["consent_rate"] = None
    if schema is not None and not schema.has_events:
        changes["use_events"], changes["retention_days"] = current.use_events, None
    return current.replace(name=state.YOUR_SCENARIO, **changes)


def reset_builder(spec: Scenario) -> None:
    """Make ``spec`` the builder's scenario and its controls show it (e.g. after choosing a preset)."""
    st.session_state[state.CURRENT] = spec.replace(name=state.YOUR_SCENARIO)
    for k, value in widget_values(spec).items():
        st.session_state[k] = value


def scenario_controls(schema: CRMSchema) -> Scenario:
    """Controls for every dimension of a scenario; returns the Scenario they describe."""
    current = state.current_scenario()
    _seed(widget_values(current))
    ss = st.session_state

    st.markdown("**What the model may use**")
    st.multiselect(_label("exclude_roles"), list(ROLE_LABELS), format_func=ROLE_LABELS.get,
                   key=key("exclude_roles"), help="Whole groups of columns the model never sees.")
    held = [c for c in schema.categories_held]
    if any(c not in held for c in ss[key("exclude_categories")]):
        ss[key("exclude_categories")] = [c for c in ss[key("exclude_categories")] if c in held]
    st.multiselect(_label("exclude_categories"), held, key=key("exclude_categories"),
                   help="E.g. never use health or location data, whatever the column.")
    st.toggle(_label("use_events"), key=key("use_events"), disabled=not schema.has_events,
              help=_help("use_events") if schema.has_events else "This dataset has no events history.")

    st.markdown("**How much detail is kept**")
    st.select_slider(_label("generalization_level"), options=list(GENERALIZATION_LABELS),
                     format_func=GENERALIZATION_LABELS.get, key=key("generalization_level"),
                     help="Medium = ages in 10-year bands, ZIP codes cut to 2 digits, rare values merged.")
    options = list(RETENTION_OPTIONS)
    if ss[key("retention_days")] not in options:
        options = sorted([o for o in options if o is not None] + [ss[key("retention_days")]])
        options.insert(0, None)
    st.select_slider(_label("retention_days"), options=options, key=key("retention_days"),
                     format_func=lambda d: "All history" if d is None else f"{d} days",
                     disabled=not schema.has_events,
                     help="Older behaviour is deleted and never used."
                     if schema.has_events else "This dataset has no events history.")

    st.markdown("**Whose data**")
    consent = st.selectbox(_label("consent"), list(CONSENT_LABELS), format_func=CONSENT_LABELS.get,
                           key=key("consent"))
    if consent in ("opt_in", "opt_out"):
        word = "opt in" if consent == "opt_in" else "opt out"
        st.slider(f"Share of customers who {word}", 0.05, 0.95, step=0.05, key=key("consent_rate"))
    st.slider(_label("erasure_rate"), 0.0, 0.5, step=0.01, key=key("erasure_rate"), format="%.2f")

    st.markdown("**How private the model is**")
    dp = st.toggle("Train with differential privacy", key=DP_SWITCH,
                   help="Adds calibrated noise while training so the model reveals little about any one person.")
    if dp:
        eps_options = sorted(set(EPSILON_OPTIONS) | {float(ss[key("epsilon")])})
        if ss[key("epsilon")] not in eps_options:
            ss[key("epsilon")] = 1.0
        st.select_slider("Privacy budget ε (smaller ε = more private, usually less gain)",
                         options=eps_options, key=key("epsilon"), format_func=lambda e: f"ε = {e:g}")
    st.selectbox(_label("model"), list(MODELS), key=key("model"), format_func=MODEL_LABELS.get, disabled=dp)
    st.slider(_label("k"), 0.05, 0.95, step=0.05, key=key("k"), format="%.2f")  # k < 1: see its help
    st.selectbox(_label("fairness"), list(FAIRNESS_LABELS), format_func=FAIRNESS_LABELS.get, key=key("fairness"),
                 help=_help("fairness") + " See “Who is targeted” on the Privacy risk page.")

    st.markdown("**Safeguards (change what a breach exposes, not the model)**")
    for m, label in MITIGATION_LABELS.items():
        st.checkbox(label, key=key(m))

    spec = spec_from_widgets(dict(ss), current, schema)
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
