"""The business's privacy policy: the constraints a scenario must meet before it can be recommended.

The constraints are plain data (:data:`CONSTRAINTS`: what each one checks, its default, and its source or the
label "PrivacyLift assumption"); a :class:`Policy` holds the values in force. Override them with a TOML file
(``python -m analysis simulate --policy FILE``), CLI options (``--min-k``, ``--max-exposure``,
``--sensitive-needs-consent``, ``--loss-within-tolerance``, ``--min-selection-ratio``), the app's Overview ("Your
privacy policy") and they are recorded in every report.

Example
-------
>>> p = load_policy({"min_k": 5})
>>> p.min_k, p.sensitive_needs_consent, p.overridden
(5, True, ('min_k',))
>>> load_policy({"max_exposure_index": False}).max_exposure_index is None   # false switches a limit off
True
>>> load_policy({"min_selection_ratio": True}).min_selection_ratio   # true: the four-fifths rule
0.8
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from analysis.errors import must_be
from analysis.fairness.selection import FOUR_FIFTHS
from analysis.formatting import money, number

__all__ = ["CONSENT_REGIMES_THAT_ARE_CONSENT", "CONSTRAINTS", "Constraint", "Policy", "PolicyError",
           "constraint", "describe", "load_policy", "tolerance_at", "why_not", "ONE_IN_TWENTY",
           "breaks_selection_bound", "selection_words"]

#: regimes in which customers agreed to the purpose (silence or inactivity is not consent: GDPR Art. 4(11),
#: recital 32 — so an opt-out regime does not count)
CONSENT_REGIMES_THAT_ARE_CONSENT = ("consented_only", "opt_in")
#: the yearly probability of a "1-in-20-year" loss (the 95th percentile of annual losses)
ONE_IN_TWENTY = 0.05


class PolicyError(ValueError):
    """A policy value (file, mapping or option) is invalid; the message names the constraint."""


@dataclass(frozen=True)
class Constraint:
    """One constraint of the privacy policy (a registry entry: plain data)."""

    key: str
    #: what it asks, in the user's words
    label: str
    default: Any
    #: what values it accepts (the message of a bad value)
    accepts: str
    source: str
    year: int | None
    #: "sourced" or "assumption"
    kind: str
    note: str
    #: the value a limit takes when it is switched on without a number (None: the default is that value)
    when_on: Any = None


_ASSUMED = "PrivacyLift assumption"

#: The registry: every constraint a policy can set, with its default and where the default comes from.
CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint(
        "sensitive_needs_consent", "Sensitive attributes are used only with the customers' consent", True,
        "true or false", "Regulation (EU) 2016/679 (GDPR), Art. 9(2)(a)", 2016, "sourced",
        "Special categories of data (health …) may be processed on the person's explicit consent. PrivacyLift "
        "applies the rule to every column the data dictionary marks sensitive, and counts only consent-based "
        "regimes (consented_only, opt_in) as consent: an opt-out is not explicit consent."),
    Constraint(
        "max_exposure_index", "Exposure index at most", 50.0, "a number in [0, 100], or false (no limit)",
        _ASSUMED, None, "assumption",
        "Half of the index's scale (100 = everyone held and fully exposed). Set your own cap, or false."),
    Constraint(
        "min_k", "Smallest group of identical customers (k) on the held quasi-identifiers at least", None,
        "an int ≥ 2, or false (off)", _ASSUMED, None, "assumption",
        "Off by default: with exact ages and postcodes nearly every customer base has groups of one, so no "
        "scenario that keeps them would pass. k = 5 is the small-cell threshold PrivacyLift applies to its own "
        "outputs (a convention of statistical disclosure control). A scenario holding no quasi-identifier "
        "passes."),
    Constraint(
        "loss_within_tolerance", "The 1-in-20-year breach loss is within the risk tolerance", False,
        "true or false", _ASSUMED, None, "assumption",
        "Off by default (the default risk tolerance is an assumption too). The 1-in-20-year loss is the 95th "
        "percentile of the simulated annual loss; the tolerance is the business settings' risk tolerance curve "
        "read at a 5 % chance a year (log-log interpolation between its points)."),
    Constraint(
        "min_selection_ratio", "Lowest selection-rate ratio over every audited attribute at least", None,
        "a number in (0, 1], true (the four-fifths rule: 0.8) or false (off)",
        "EEOC Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D) (the four-fifths rule)", 1978,
        "sourced",
        "Off by default. When on, 0.8: a group targeted at under four fifths of the rate of the most targeted group "
        "is the Guidelines' mark of adverse impact. Every column the dictionary marks sensitive or protected is "
        "audited (among the held-out customers the scenario's model would target), whether or not the model uses "
        "it. Groups of fewer than 5 customers are not shown and take no part in a ratio, so a group too small to "
        "measure is not a breach.", when_on=FOUR_FIFTHS),
)
_BY_KEY = {c.key: c for c in CONSTRAINTS}


def constraint(key: str) -> Constraint:
    return _BY_KEY[key]


@dataclass(frozen=True)
class Policy:
    """The constraints in force (defaults: :data:`CONSTRAINTS`). ``None`` switches a limit off."""

    sensitive_needs_consent: bool = _BY_KEY["sensitive_needs_consent"].default
    max_exposure_index: float | None = _BY_KEY["max_exposure_index"].default
    min_k: int | None = _BY_KEY["min_k"].default
    loss_within_tolerance: bool = _BY_KEY["loss_within_tolerance"].default
    min_selection_ratio: float | None = _BY_KEY["min_selection_ratio"].default

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not _valid(f.name, value):
                raise PolicyError(must_be(f.name, "Policy", _BY_KEY[f.name].accepts, value))
        for key in ("max_exposure_index", "min_selection_ratio"):
            if getattr(self, key) is not None:
                object.__setattr__(self, key, float(getattr(self, key)))

    @property
    def overridden(self) -> tuple[str, ...]:
        """The constraints set to something other than their default."""
        return tuple(c.key for c in CONSTRAINTS if getattr(self, c.key) != c.default)

    def to_dict(self) -> dict[str, Any]:
        return {c.key: getattr(self, c.key) for c in CONSTRAINTS}

    def rows(self) -> list[dict[str, Any]]:
        """One row per constraint: key, label, value in words, default, source (for the app and reports)."""
        return [{"key": c.key, "label": c.label, "value": describe(c.key, getattr(self, c.key)),
                 "default": describe(c.key, c.default), "source": c.source + ("" if c.year is None else f", {c.year}"),
                 "kind": c.kind, "overridden": getattr(self, c.key) != c.default, "note": c.note}
                for c in CONSTRAINTS]


def _valid(key: str, value: Any) -> bool:
    if key in ("sensitive_needs_consent", "loss_within_tolerance"):
        return isinstance(value, bool)
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    if key == "max_exposure_index":
        return 0 <= value <= 100
    if key == "min_selection_ratio":
        return 0 < value <= 1
    return isinstance(value, int) and value >= 2  # min_k


def describe(key: str, value: Any) -> str:
    """A constraint's value in words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "off"
    if key == "min_selection_ratio":
        return number(value, digits=2)
    return number(value) if key == "max_exposure_index" else str(value)


def load_policy(path_or_mapping: Policy | Mapping[str, Any] | str | Path | None = None) -> Policy:
    """The default policy with overrides from a TOML file (keys at the top or in a ``[policy]`` table) or a
    mapping; ``false`` (or ``"off"``) switches a numeric limit off, ``true`` (or ``"on"``) switches on one that
    has a value when on (``min_selection_ratio``: 0.8).

    Raises
    ------
    PolicyError
        an unknown constraint, a bad value, or a file that is not valid TOML (naming the file).
    """
    if path_or_mapping is None:
        return Policy()
    if isinstance(path_or_mapping, Policy):
        return path_or_mapping
    if isinstance(path_or_mapping, (str, Path)):
        try:
            data = tomllib.loads(Path(path_or_mapping).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"The policy file {str(path_or_mapping)!r} is not valid TOML: {exc}") from exc
        except OSError as exc:
            raise PolicyError(f"The policy file {str(path_or_mapping)!r} cannot be read: {exc.strerror}.") from exc
        data = data.get("policy", data)
    elif isinstance(path_or_mapping, Mapping):
        data = path_or_mapping
    else:
        raise TypeError(must_be("path_or_mapping", "load_policy", "a path, a mapping, a Policy or None",
                                type(path_or_mapping).__name__, show=str))
    values = {}
    for key, value in data.items():
        if key not in _BY_KEY:
            raise PolicyError(f"The policy has no constraint {key!r}. Use one of {', '.join(_BY_KEY)}.")
        if key in ("max_exposure_index", "min_k", "min_selection_ratio") and (value is False or value == "off"):
            value = None
        elif _BY_KEY[key].when_on is not None and (value is True or value == "on"):
            value = _BY_KEY[key].when_on
        values[key] = value
    return Policy(**values)


def tolerance_at(curve: tuple[tuple[float, float], ...], probability: float = ONE_IN_TWENTY) -> float:
    """The largest loss the risk tolerance curve accepts at ``probability`` a year: log-log interpolation between
    its (loss, probability) points, the end points beyond them.

    >>> round(tolerance_at(((1e5, 0.10), (1e6, 0.02))))
    269573
    """
    points = sorted(curve)
    if probability >= points[0][1]:
        return points[0][0]
    if probability <= points[-1][1]:
        return points[-1][0]
    for (l0, p0), (l1, p1) in zip(points, points[1:]):
        if p1 <= probability <= p0:
            if p0 == p1:
                return l1
            t = (math.log(probability) - math.log(p0)) / (math.log(p1) - math.log(p0))
            return math.exp(math.log(l0) + t * (math.log(l1) - math.log(l0)))
    return points[-1][0]  # a curve that rises again: the safest reading


def why_not(row: Mapping[str, Any], policy: Policy, tolerance: float) -> list[str]:
    """The constraints one scenario breaks, each as "because …" words (empty when it meets the policy).

    ``row`` needs: sensitive_used (list of names), consent (regime), risk_index, k_anonymity (None: no
    quasi-identifier held), loss_p95; with a fairness bound also lowest_selection_ratio (None: no ratio could be
    measured, e.g. every group but one under 5 customers), lowest_ratio_attribute, least_targeted and
    most_targeted (the two groups in words, :func:`analysis.fairness.words.group_words`).
    """
    out = []
    if policy.sensitive_needs_consent and row["sensitive_used"] and row["consent"] not in \
            CONSENT_REGIMES_THAT_ARE_CONSENT:
        out.append(f"it uses sensitive attributes ({', '.join(row['sensitive_used'])}) without the customers' "
                   "consent (GDPR Art. 9(2)(a))")
    if policy.max_exposure_index is not None and row["risk_index"] > policy.max_exposure_index:
        out.append(f"its exposure index ({row['risk_index']:.1f}) is above the policy's cap "
                   f"({number(policy.max_exposure_index)})")
    if policy.min_k is not None and row["k_anonymity"] is not None and row["k_anonymity"] < policy.min_k:
        out.append(f"its smallest group of identical customers has {row['k_anonymity']} (the policy asks for at "
                   f"least {policy.min_k})")
    if policy.loss_within_tolerance and row["loss_p95"] > tolerance:
        out.append(f"its 1-in-20-year breach loss ({money(row['loss_p95'])}) is above the risk tolerance "
                   f"({money(tolerance)} at a 5 % chance a year)")
    if breaks_selection_bound(row, policy):
        out.append(selection_words(row, policy.min_selection_ratio))
    return out


def breaks_selection_bound(row: Mapping[str, Any], policy: Policy) -> bool:
    """The scenario's lowest selection-rate ratio is under the policy's bound (False when the bound is off or no
    ratio could be measured: a group too small to show is not a breach)."""
    ratio = row.get("lowest_selection_ratio")
    bound = policy.min_selection_ratio
    return bound is not None and ratio is not None and math.isfinite(ratio) and ratio < bound - 1e-12


def selection_words(row: Mapping[str, Any], bound: float) -> str:
    """"customers without … are targeted at 0.57× the rate of customers with … (…)" for a breaking row."""
    ratio = row["lowest_selection_ratio"]
    less = row.get("least_targeted") or "one group"
    more = row.get("most_targeted") or "another"
    rule = " (the four-fifths rule)" if abs(bound - FOUR_FIFTHS) < 1e-12 else ""
    return (f"{less} are targeted at {number(ratio, digits=2)}× the rate of {more}, under the policy's bound of "
            f"{number(bound, digits=2)}{rule}")
