"""A scenario's differences from the status quo (all data, all history, everyone), in plain words.

Each difference reads "<field label>: <value in words>", with the label declared once in
:mod:`analysis.scenario.spec` (its part before any parenthesis). Fields without a phrase of their own below are
written from their value (yes/no, lists joined by commas, numbers as they are), so a new field is described
without a change here.

>>> from analysis.scenario import Scenario
>>> differences(Scenario(name="Lean", exclude_roles=("sensitive",), retention_days=180, epsilon=1.0))
('Leave out of the model: sensitive attributes', 'History kept: the last 180 days', 'Privacy budget ε: 1')
>>> describe_differences(Scenario(name="Opt-out", consent="opt_out"))
'Consent: a simulated opt-out regime (10 % opt out)'
>>> describe_differences(Scenario(name="All"))
'nothing (all data, all history, everyone)'
>>> describe_changes({"exclude_roles": ["sensitive"]})
'Leave out of the model: sensitive attributes'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from analysis.scenario.spec import DEFAULTS, FIELDS, LABEL_FIELDS, Scenario, ScenarioError

__all__ = ["differences", "describe_differences", "describe_changes", "NOTHING_CHANGED"]

#: what a scenario that changes nothing is described as
NOTHING_CHANGED = "nothing (all data, all history, everyone)"

_ROLES = {"sensitive": "sensitive attributes", "quasi_identifier": "identifying attributes (quasi-identifiers)",
          "behavioral": "behaviour (purchase and visit history)"}
_CONSENT = {"ignore": "everyone, whatever their consent",
            "consented_only": "only customers who consented to {purpose}"}
_MODELS = {"logistic": "logistic regression", "hgb": "gradient boosting", "gaussian_nb": "Gaussian naive Bayes",
           "auto": "the uplift model chosen for the data"}
_FAIRNESS = {"none": "none (the model's ranking alone)",
             "drop_proxies": "leave out the features that give an audited attribute away",
             "group_quota": "the same share of every group contacted (re-ranked within groups)"}
_LEGAL_BASES = {"consent": "consent (only those who consented are personalized)",
                "legitimate_interest": "legitimate interest (everyone who has not objected)"}


def _share(value: float) -> str:
    """0.1 -> '10 %', 0.025 -> '2.5 %' (a share the user typed, shown as typed)."""
    return f"{round(float(value) * 100, 2):g} %"


def _name(column: str) -> str:
    """A column name as written, quoted when it holds a comma or semicolon (so a list of names still reads)."""
    return f"“{column}”" if any(c in column for c in ",;") else column


def _short_label(name: str) -> str:
    label = FIELDS[name].label
    return label.split(" (")[0].strip()


def _words(value: Any) -> str:
    """A value in words when no field-specific phrase exists."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_words(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _generalization(rule: Any) -> str:
    try:
        column, how, level = rule
    except (TypeError, ValueError):
        return _words(rule)
    level = float(level)
    if how == "band":
        return f"{_name(column)} in bands of {level:g}"
    if how == "prefix":
        return f"{_name(column)} cut to its first {level:g} characters"
    if how == "merge_rare":
        return f"{_name(column)} with values rarer than {_share(level)} merged"
    if how == "top_code":
        return f"{_name(column)} capped at {level:g}"
    return f"{_name(column)}: {how} {level:g}"


def _consent(spec: Scenario) -> str:
    if spec.consent in ("opt_in", "opt_out"):
        who = "opt in" if spec.consent == "opt_in" else "opt out"
        return f"a simulated {spec.consent.replace('_', '-')} regime ({_share(spec.consent_rate)} {who})"
    return _CONSENT.get(spec.consent, _words(spec.consent)).format(purpose=spec.consent_purpose)


#: field -> its value in words (fields not listed use :func:`_words`)
_PHRASES: dict[str, Callable[[Scenario], str]] = {
    "exclude_roles": lambda s: ", ".join(_ROLES.get(r, r) for r in s.exclude_roles),
    "exclude_categories": lambda s: ", ".join(s.exclude_categories) + " data",
    "generalization_level": lambda s: f"level {s.generalization_level} of 3",
    "generalize": lambda s: ", ".join(_generalization(g) for g in s.generalize),
    "retention_days": lambda s: "all history" if s.retention_days is None else f"the last {s.retention_days:,} days",
    "consent": _consent,
    "erasure_rate": lambda s: _share(s.erasure_rate),
    "exclude_columns": lambda s: ", ".join(_name(c) for c in s.exclude_columns),
    "epsilon": lambda s: "none (no differential privacy)" if s.epsilon is None else f"{s.epsilon:g}",
    "dp_model": lambda s: _MODELS.get(s.dp_model, s.dp_model),
    "model": lambda s: _MODELS.get(s.model, s.model),
    "k": lambda s: _share(s.k),
    "legal_basis": lambda s: _LEGAL_BASES.get(s.legal_basis, _words(s.legal_basis)),
    "fairness": lambda s: _FAIRNESS.get(s.fairness, _words(s.fairness)),
}
#: fields described together with another one (the opt-in / opt-out share is part of the consent phrase)
_PART_OF = {"consent_rate": "consent"}


def differences(spec: Scenario) -> tuple[str, ...]:
    """Each way ``spec`` differs from the status quo, as "<label>: <value in words>", in declaration order.

    The name and description are labels, not differences; a simulated consent share follows its regime.
    """
    if not isinstance(spec, Scenario):
        raise ValueError(f"The 'spec' parameter of differences must be a Scenario. Got {type(spec).__name__} "
                         "instead.")
    status_quo = Scenario(name=spec.name)
    out = []
    for name in FIELDS:
        if name in LABEL_FIELDS or getattr(spec, name) == getattr(status_quo, name):
            continue
        if name in _PART_OF:
            if getattr(spec, _PART_OF[name]) != getattr(status_quo, _PART_OF[name]):
                continue  # said with its regime
            owner = _PART_OF[name]
            out.append(f"{_short_label(owner)}: {_PHRASES[owner](spec)}")
            continue
        phrase = _PHRASES.get(name, lambda s, n=name: _words(getattr(s, n)))(spec)
        out.append(f"{_short_label(name)}: {phrase}")
    return tuple(out)


def describe_differences(spec: Scenario) -> str:
    """:func:`differences` joined in one line, or :data:`NOTHING_CHANGED`."""
    return "; ".join(differences(spec)) or NOTHING_CHANGED


def describe_changes(changes: Mapping[str, Any]) -> str:
    """The same words from a mapping of changed fields (as a saved report holds them, e.g.
    ``{"exclude_roles": ["sensitive"]}``). Unknown fields or values that no scenario accepts are written as
    "<field>: <value>" rather than refused, so an older report still reads."""
    if not isinstance(changes, Mapping):
        raise ValueError(f"The 'changes' parameter of describe_changes must be a mapping of field to value. "
                         f"Got {type(changes).__name__} instead.")
    known = {k: v for k, v in changes.items() if k in FIELDS and k not in LABEL_FIELDS}
    unknown = [f"{str(k).replace('_', ' ')}: {_words(v)}" for k, v in changes.items()
               if k not in FIELDS and k not in LABEL_FIELDS]
    try:
        spec = Scenario(name="described", **known)
        words = list(differences(spec))
    except (ScenarioError, TypeError, ValueError):
        words = [f"{_short_label(k)}: {_words(v)}" for k, v in known.items() if v != DEFAULTS[k]]
    return "; ".join(words + unknown) or NOTHING_CHANGED
