"""The scenario spec: one frozen dataclass whose fields are each declared once, with their constraint, default,
URL key, label, help text and what they change. Validation, the fingerprints, the URL codec
(:mod:`analysis.scenario.url`), the TOML/JSON files, the app's widget defaults and the documentation table are all
derived from these declarations (see CONTRIBUTING.md, "Add a scenario field").

Example
-------
>>> s = Scenario(name="DP", epsilon=1.0)
>>> s.fingerprint == Scenario(name="another name", epsilon=1.0).fingerprint
True
>>> Scenario(name="bad", epsilon=-1)
Traceback (most recent call last):
...
analysis.scenario.spec.ScenarioError: The 'epsilon' parameter of Scenario 'bad' must be a number in the range (0, 1000] or None. Got -1 instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

from analysis.dictionary import CATEGORIES, GENERALIZATIONS
from analysis.errors import must_be
from analysis.scenario.constraints import (
    Boolean, Constraint, Generalizations, Interval, ListOf, Names, Options, Text,
)

__all__ = [
    "Scenario", "ScenarioError", "FieldInfo", "FIELDS", "field_info", "LABEL_FIELDS", "EXPOSURE_ONLY_FIELDS",
    "CONSENT_REGIMES", "FAIRNESS_MITIGATIONS", "LEGAL_BASES", "MODELS", "DP_MODELS", "FEATURE_ROLES", "fields_table",
]

CONSENT_REGIMES = ("ignore", "consented_only", "opt_in", "opt_out")
#: the lawful bases a scenario's model purpose may rest on (GDPR Art. 6(1)(a) and (f))
LEGAL_BASES = ("consent", "legitimate_interest")
#: fairness mitigations (analysis.fairness.mitigation): none, leave out proxy features, re-rank within groups
FAIRNESS_MITIGATIONS = ("none", "drop_proxies", "group_quota")
MODELS = ("auto", "logistic", "hgb")
DP_MODELS = ("logistic", "gaussian_nb")
FEATURE_ROLES = ("quasi_identifier", "sensitive", "behavioral")
#: the simulated share who opt in / opt out when a scenario does not say (PrivacyLift assumptions)
_DEFAULT_CONSENT_RATES = {"opt_in": 0.3, "opt_out": 0.1}
#: what a field changes: nothing measured (a label), only what a breach exposes, or the model and its figures
CHANGES = ("nothing", "exposure", "model")


class ScenarioError(ValueError):
    """A scenario spec is invalid; the message names the scenario and the field."""


@dataclass(frozen=True)
class FieldInfo:
    """The declaration of one scenario field (beside its name, type and default in the dataclass)."""

    constraint: Constraint
    label: str
    help: str
    url: str | None = None  #: query-string key in a shared link (None: never in the URL)
    changes: str = "model"  #: one of :data:`CHANGES`


def declare(default: Any, constraint: Constraint, *, label: str, help: str, url: str | None = None,
            changes: str = "model") -> Any:
    """A dataclass field carrying its :class:`FieldInfo`."""
    assert changes in CHANGES, changes
    return field(default=default, metadata={"privacylift": FieldInfo(constraint, label, help, url, changes)})


@dataclass(frozen=True)
class Scenario:
    """One way the business could use its CRM data (the fields are listed in :func:`fields_table`)."""

    name: str = declare(
        None, Text(max_length=120), label="Name", changes="nothing",
        help="A short label shown everywhere.")
    description: str = declare(
        "", Text(max_length=500, empty=True), label="Description", changes="nothing",
        help="One plain-language line.")
    exclude_roles: tuple[str, ...] = declare(
        (), ListOf(FEATURE_ROLES), url="xr", label="Leave out of the model",
        help="Column roles the model may not use: sensitive, quasi_identifier, behavioral.")
    exclude_categories: tuple[str, ...] = declare(
        (), ListOf(CATEGORIES), url="xc", label="Leave out these data categories",
        help="Data categories the model may not use (health, financial, location …).")
    exclude_columns: tuple[str, ...] = declare(
        (), Names(), url="xcol", label="Leave out these columns",
        help="Columns the model may not use, by name.")
    use_events: bool = declare(
        True, Boolean(), url="ev", label="Use the purchase and visit history",
        help="Build behavioural features (recency, frequency, amounts, channel mix) from the events history.")
    generalization_level: int = declare(
        0, Interval(int, 0, 3), url="gen", label="Generalization of identifying attributes",
        help="0 = as collected; 1–3 = each quasi-identifier coarsened to its dictionary level (age bands of "
             "5/10/20 years, ZIP prefixes of 3/2/1 digits, rare categories merged, top-coding).")
    generalize: tuple[tuple[str, str, float], ...] = declare(
        (), Generalizations(GENERALIZATIONS), url="gz", label="Explicit generalizations",
        help='Applied after the level: ["age", "band", 10], ["zip", "prefix", 3], ["job", "merge_rare", 0.05].')
    retention_days: int | None = declare(
        None, Interval(int, 1, 36_500, none=True), url="ret", label="History kept (retention window, days)",
        help="Only events of the last N days are kept and used; None keeps all history.")
    consent: str = declare(
        "ignore", Options(CONSENT_REGIMES), url="consent", label="Consent",
        help="Whose data is used: everyone (ignore); those who consented to the purpose (consented_only); or a "
             "simulated opt-in / opt-out regime with consent_rate.")
    consent_rate: float | None = declare(
        None, Interval(float, 0, 1, closed="neither", none=True), url="cr", label="Share who opt in / out",
        help="opt_in: the share who opt in (default 0.3); opt_out: the share who opt out (default 0.1).")
    consent_purpose: str = declare(
        "personalization", Text(max_length=64), url="cp", label="Consent purpose",
        help="The purpose whose consent licenses the personalization.")
    legal_basis: str | None = declare(
        None, Options(LEGAL_BASES, none=True), url="lb", label="Legal basis of the personalization",
        help="consent: only customers who consented to the purpose are personalized; legitimate_interest: everyone "
             "who has not objected. None: from the consent regime (consent for consented_only and opt_in, "
             "legitimate interest for ignore and opt_out).")
    erasure_rate: float = declare(
        0.0, Interval(float, 0, 0.5), url="er", label="Share of customers who asked to be erased",
        help="Customers who exercised their right to erasure (removed everywhere), 0–0.5.")
    epsilon: float | None = declare(
        None, Interval(float, 0, 1000, closed="right", none=True), url="eps", label="Privacy budget ε",
        help="Train with differential privacy (diffprivlib) at this ε; smaller is more private. None: no DP.")
    dp_model: str = declare(
        "logistic", Options(DP_MODELS), url="dpm", label="Differentially private model",
        help="The diffprivlib model when epsilon is set.")
    model: str = declare(
        "auto", Options(MODELS), url="model", label="Model (without differential privacy)",
        help="auto: the learner (S-, T-, X-, DR-learner or class transformation, each with logistic regression "
             "or gradient boosting) with the best cross-validated Qini on the training customers; or a "
             "T-learner with logistic regression or with gradient boosting.")
    pseudonymization: bool = declare(
        True, Boolean(), url="pseu", label="Pseudonymize direct identifiers", changes="exposure",
        help="Names, e-mails and phones are held as keyed pseudonyms (changes what a breach exposes).")
    encryption_at_rest: bool = declare(
        False, Boolean(), url="enc", label="Encrypt the database at rest", changes="exposure",
        help="Changes what a breach exposes, not the model.")
    access_restriction: bool = declare(
        False, Boolean(), url="acc", label="Restrict access to a small team", changes="exposure",
        help="Changes how likely and how large a breach is, not the model.")
    discard_training_data: bool = declare(
        False, Boolean(), url="dtd", label="Delete the training data after training", changes="exposure",
        help="Only the model and the contact details needed to reach customers are held once it is trained: "
             "nothing else about them is left to breach or link (the model's own membership risk remains).")
    fairness: str = declare(
        "none", Options(FAIRNESS_MITIGATIONS), url="fair", label="Fairness mitigation",
        help="none; drop_proxies (leave out every feature that on its own gives an audited attribute away); or "
             "group_quota (re-rank within groups of the audited attributes so each is targeted at the same rate; "
             "the business then holds those attributes). Its cost in gain is measured.")
    k: float = declare(
        0.3, Interval(float, 0.01, 1, closed="left"), url="k", label="Share of customers targeted",
        help="The targeting budget: the share of customers contacted, from 0.01 up to (not including) 1 — "
             "contacting everyone leaves the model nobody to choose, so it has no gain to measure.")
    seed: int = declare(
        0, Interval(int, 0, 2**32 - 1), url="seed", label="Seed",
        help="Seed of the training split, the simulated consent and erasure draws and the models.")

    def __post_init__(self) -> None:
        # lists from TOML/JSON/URL become tuples so the spec stays hashable; sets of names are kept sorted (their
        # order means nothing, so two specs that differ only by it are one)
        for f in fields(self):
            info = f.metadata["privacylift"]
            value = getattr(self, f.name)
            if isinstance(info.constraint, (ListOf, Names)):
                if isinstance(value, str):
                    value = (value,)
                if isinstance(value, (list, tuple)):
                    items = tuple(value)
                    if all(isinstance(v, str) for v in items):
                        items = tuple(sorted(set(items)))
                    object.__setattr__(self, f.name, items)
            elif isinstance(info.constraint, Generalizations) and isinstance(value, (list, tuple)):
                object.__setattr__(self, f.name, tuple(tuple(g) if isinstance(g, (list, tuple)) else g
                                                       for g in value))
        if self.consent_rate is None and self.consent in _DEFAULT_CONSENT_RATES:
            object.__setattr__(self, "consent_rate", _DEFAULT_CONSENT_RATES[self.consent])
        _validate(self)

    # ---- identity ---------------------------------------------------------------------------------------
    def spec_dict(self) -> dict[str, Any]:
        """Every field as plain JSON/TOML values (tuples as lists)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[f.name] = value
        return out

    def _canonical(self, kinds: tuple[str, ...]) -> str:
        d = {f.name: f.metadata["privacylift"].constraint.normalize(getattr(self, f.name))
             for f in fields(self) if f.metadata["privacylift"].changes in kinds}
        return json.dumps(d, sort_keys=True, separators=(",", ":"))

    @property
    def fingerprint(self) -> str:
        """sha256 (first 16 hex digits) of the canonical JSON of the fields that change results."""
        return hashlib.sha256(self._canonical(("exposure", "model")).encode("utf-8")).hexdigest()[:16]

    @property
    def model_fingerprint(self) -> str:
        """The same over the fields that change the trained model and its measured figures only."""
        return hashlib.sha256(self._canonical(("model",)).encode("utf-8")).hexdigest()[:16]

    def replace(self, **changes: Any) -> "Scenario":
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(changes)
        return Scenario(**d)

    @property
    def effective_consent_rate(self) -> float | None:
        """The simulated opt-in / opt-out share (None for the other regimes)."""
        return self.consent_rate

    @property
    def effective_legal_basis(self) -> str:
        """The legal basis the personalization rests on (``legal_basis``, or the consent regime's)."""
        if self.legal_basis is not None:
            return self.legal_basis
        return "consent" if self.consent in ("consented_only", "opt_in") else "legitimate_interest"

    @property
    def is_private(self) -> bool:
        return self.epsilon is not None


#: every field's declaration, by name, in declaration order
FIELDS: dict[str, FieldInfo] = {f.name: f.metadata["privacylift"] for f in fields(Scenario)}
DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Scenario)}
#: fields that name a scenario without changing a figure
LABEL_FIELDS = tuple(n for n, i in FIELDS.items() if i.changes == "nothing")
#: fields that change what a breach exposes but not the trained model
EXPOSURE_ONLY_FIELDS = tuple(n for n, i in FIELDS.items() if i.changes == "exposure")


def field_info(name: str) -> FieldInfo:
    return FIELDS[name]


def _label(s: Scenario) -> str:
    return s.name if isinstance(s.name, str) and len(s.name) <= 120 else (
        repr(s.name)[:40] + "…" if isinstance(s.name, str) else repr(s.name))


def _validate(s: Scenario) -> None:
    owner = f"Scenario {_label(s)!r}"
    for name, info in FIELDS.items():
        value = getattr(s, name)
        if not info.constraint.check(value):
            raise ScenarioError(must_be(name, owner, info.constraint.describe(), value))
    # rules between fields
    if s.consent_rate is not None and s.consent not in ("opt_in", "opt_out"):
        raise ScenarioError(must_be("consent_rate", owner, "None unless consent is 'opt_in' or 'opt_out'",
                                    s.consent_rate))


def fields_table() -> str:
    """The Markdown table of every field (README / CONTRIBUTING), generated from the declarations."""
    rows = ["| field | default | accepts | URL key | changes | what it means |", "|---|---|---|---|---|---|"]
    for name, info in FIELDS.items():
        default = DEFAULTS[name]
        shown = "—" if default is None else json.dumps(list(default) if isinstance(default, tuple) else default)
        rows.append(f"| `{name}` | {shown} | {info.constraint.describe()} | {info.url or '—'} | {info.changes} | "
                    f"{info.help} |")
    return "\n".join(rows)


Scenario.__doc__ += "\n\n    Parameters\n    ----------\n" + "".join(
    f"    {name} : {info.constraint.describe()}\n        {info.label}. {info.help}\n" for name, info in FIELDS.items())
