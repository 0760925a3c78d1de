"""Plain-language explanations of the risk metrics, and the metric registry.

``METRICS`` is data: one entry per figure the risk engine reports, with its label, definition and
source. ``EXPLANATIONS`` gives one sentence template per metric; :func:`explain` fills the numbers in
("1 in 4 customers could be singled out by age, gender and postcode alone.").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any, Mapping

__all__ = ["Metric", "METRICS", "EXPLANATIONS", "explain", "plain_share"]


@dataclass(frozen=True)
class Metric:
    """One reported figure: ``name`` (field name), ``label`` (for tables), ``definition``, ``source``."""

    name: str
    label: str
    definition: str
    source: str


_ARX = "ARX RiskModelSampleSummary (Prasser et al.)"
_PYCANON = "pycanon 1.0.1 (Sáinz-Pardo Díaz & López García 2022)"

METRICS: tuple[Metric, ...] = (
    Metric("records", "Records", "n, records measured (suppressed ones left out)", _ARX),
    Metric("classes", "Look-alike groups", "J, equivalence classes over the quasi-identifiers", _ARX),
    Metric("k", "k (smallest group)", "min f_j", "Sweeney 2002; every tool"),
    Metric("sample_uniqueness", "Unique in the data", "share of records with f_j = 1", "ARX; sdcMicro"),
    Metric("prosecutor_highest", "Highest re-identification risk", "1 / min f_j", _ARX),
    Metric("prosecutor_average_records", "Average risk (per record)", "J / n = mean over records of 1/f_j",
           _ARX + " 'success rate'"),
    Metric("prosecutor_average_classes", "Average risk (per group)", "(1/J) Σ_j 1/f_j",
           _PYCANON + " average_rir"),
    Metric("records_at_risk", "Records at risk", "Σ {f_j : 1/f_j > t} / n", _ARX),
    Metric("marketer", "Marketer risk", "(1/n) Σ_j f_j / F_j, F_j = f_j / π", _ARX),
    Metric("journalist_highest", "Journalist risk (highest)", "1 / min F_j", _ARX),
    Metric("journalist_average", "Journalist risk (average)", "max(J / Σ F_j, marketer)", _ARX),
    Metric("population_uniqueness", "Unique in the population (estimate)",
           "Pitman (π ≤ 0.1) or Zayatz, Dankar's rule", "ARX RiskModelPopulationUniqueness; Dankar et al. 2012"),
    Metric("null_classes", "Groups with a missing value", "classes with a NULL quasi-identifier",
           "PrivacyLift convention (NULL is a value of its own, as in SQL GROUP BY)"),
    Metric("l_diversity", "l-diversity", "min over classes of distinct sensitive values",
           "Machanavajjhala et al. 2007; " + _PYCANON),
    Metric("entropy_l_diversity", "Entropy l-diversity", "exp(min over classes of the sensitive entropy)",
           "Machanavajjhala et al. 2007; " + _PYCANON),
    Metric("t_closeness", "t-closeness", "max over classes of the EMD between class and overall distribution",
           "Li, Li & Venkatasubramanian 2007; " + _PYCANON),
    Metric("delta_disclosure", "δ-disclosure", "max |ln(q/p)| over q > 0", "Brickell & Shmatikov 2008; " + _PYCANON),
    Metric("beta_likeness", "β-likeness (basic)", "max (q − p)/p", "Cao & Karras 2012; " + _PYCANON),
    Metric("drop_if_removed", "Uniqueness drop if removed", "sample uniqueness − uniqueness without the QI",
           "ARX α-distinction/separation; sdcMicro SUDA2 contributions (idea)"),
    Metric("attribute_inference", "Attribute-inference risk", "(r_attack − r_control)/(1 − r_control), Wilson CI",
           "anonymeter (Giomi et al. 2023)"),
    Metric("membership_inference", "Membership advantage", "2·accuracy − 1 of a loss-threshold attack",
           "Yeom et al. 2018; anonymeter-style Wilson CI"),
    Metric("behavioral_uniqueness", "Unique by p events", "share of customers whose p own points match no one else",
           "de Montjoye et al. 2015, Science 347:536; Tournier & de Montjoye 2022"),
)

EXPLANATIONS: Mapping[str, str] = {
    "records": "The data holds {count} customer records.",
    "classes": "They fall into {count} groups of customers who look alike on {quasi}.",
    "k": "The smallest group of customers who look alike on {quasi} has {people}.",
    "sample_uniqueness": "{share} customers could be singled out by {quasi} alone ({percent}).",
    "prosecutor_highest": "Knowing a customer's {quasi}, an attacker can pick out their record with a chance of "
                          "up to {chance}.",
    "prosecutor_average_records": "On average, an attacker who knows a customer's {quasi} picks out the right "
                                  "record with a chance of {chance}.",
    "prosecutor_average_classes": "Averaged over the groups instead of the customers, that chance is {chance}.",
    "records_at_risk": "{share} customers are in groups so small that the chance of picking them out is above "
                       "{threshold} ({percent}).",
    "marketer": "Matching the whole file against a population register would re-identify {share} customers "
                "({percent}).",
    "journalist_highest": "Someone who looks up a person of the wider population here finds them with a chance "
                          "of up to {chance}.",
    "journalist_average": "For a person of the wider population, that chance is {chance} on average.",
    "population_uniqueness": "An estimated {share} people in the population are unique on {quasi} ({percent}, "
                             "{model} model).",
    "null_classes": "Customers with a missing {quasi} value form {groups} of their own.",
    "l_diversity": "The least varied group of look-alike customers holds {values} of {column}"
                   " (1 means knowing {quasi} reveals it).",
    "entropy_l_diversity": "Measured by entropy, the least varied group is as varied as {number} equally common "
                           "values of {column}.",
    "t_closeness": "In the most unusual group, {column} is spread differently from the whole data by {number} "
                   "(0 = the same, 1 = completely different).",
    "delta_disclosure": "Knowing a customer's group changes the odds of a {column} value by a factor of up to "
                        "{factor}.",
    "beta_likeness": "Knowing a customer's group raises the chance of a {column} value by up to {percent} of its "
                     "usual level.",
    "drop_if_removed": "Leaving {column} out would make {points} fewer customers unique.",
    "attribute_inference": "Knowing {quasi}, an attacker guessed {column} right for {share} customers in the data, "
                           "against {control} for a guess that uses no one's record (risk {number}).",
    "membership_inference": "An attacker told apart the model's training customers from others with {percent} "
                            "accuracy, where a coin flip gets 50 % (advantage {number}).",
    "behavioral_uniqueness": "{share} customers are singled out by {count} of their own events ({percent}).",
}


def plain_share(x: float) -> str:
    """A share in words: "no", "1 in 4", "3 in 10", "all but 1 in 20", "all"."""
    if x is None or not math.isfinite(x):
        return "an unknown share of"
    if x <= 0:
        return "no"
    if x >= 1:
        return "all"
    if x < 0.1:
        return f"1 in {round(1 / x):,}"
    if x > 0.9:
        return f"all but 1 in {round(1 / (1 - x)):,}"
    best = Fraction(x).limit_denominator(10)
    if abs(float(best) - x) <= 0.015:
        return f"{best.numerator} in {best.denominator}"
    return f"{round(100 * x)} in 100"


def _join(names: Any) -> str:
    names = [names] if isinstance(names, str) else list(names or [])
    if not names:
        return "the chosen columns"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(metric: str, value: Any, **context: Any) -> str:
    if metric not in EXPLANATIONS:
        raise ValueError(f"No explanation for metric {metric!r}. Known metrics: {', '.join(EXPLANATIONS)}.")
    v = float(value) if isinstance(value, (int, float)) and value is not None else float("nan")
    count = int(value) if isinstance(value, (int, float)) and math.isfinite(v) else value
    share = plain_share(v)
    filled = {
        "share": share, "percent": f"{v:.1%}".replace("%", " %"), "chance": f"{plain_share(v)} ({v:.1%})".replace("%", " %"),
        "count": f"{count:,}" if isinstance(count, int) else str(count),
        "people": f"{count:,} customer" + ("" if count == 1 else "s") if isinstance(count, int) else str(count),
        "groups": f"{count:,} group" + ("" if count == 1 else "s") if isinstance(count, int) else str(count),
        "values": f"{count:,} distinct value" + ("" if count == 1 else "s") if isinstance(count, int) else str(count),
        "number": f"{v:.3g}", "factor": f"{math.exp(v):.3g}" if math.isfinite(v) and v < 700 else "?",
        "points": f"{v * 100:.1f} percentage points",
        "quasi": _join(context.pop("quasi", None)), "column": str(context.pop("column", "the sensitive column")),
        "threshold": plain_share(context.pop("threshold", 0.2)),
        "model": str(context.pop("model", "")), "control": plain_share(context.pop("control", float("nan"))),
    }
    filled.update(context)
    text = EXPLANATIONS[metric].format(**filled)
    return text[0].upper() + text[1:]


def explain(profile_or_metric: Any, value: Any = None, **context: Any) -> list[str]:
    """Plain-language sentences with the numbers filled in.

    ``explain(profile)`` (a RiskProfile, Reidentification, Disclosure or AttackResult) gives the headline
    sentences; ``explain("sample_uniqueness", 0.25, quasi=["age", "gender"])`` one sentence.

    Example
    -------
    >>> explain("sample_uniqueness", 0.25, quasi=["age", "gender", "postcode"])
    ['1 in 4 customers could be singled out by age, gender and postcode alone (25.0 %).']
    """
    if isinstance(profile_or_metric, str):
        return [_sentence(profile_or_metric, value, **context)]
    obj = profile_or_metric
    names = {f.name for f in fields(obj)} if hasattr(obj, "__dataclass_fields__") else set()
    if {"reidentification", "disclosures"} <= names:  # RiskProfile
        out = explain(obj.reidentification)
        for d in obj.disclosures:
            out += explain(d, quasi=obj.quasi)
        return out
    if "prosecutor_highest" in names:  # Reidentification
        q = {"quasi": obj.quasi}
        out = [_sentence("records", obj.records), _sentence("k", obj.k, **q),
               _sentence("sample_uniqueness", obj.sample_uniqueness, **q),
               _sentence("prosecutor_average_records", obj.prosecutor_average_records, **q),
               _sentence("records_at_risk", obj.records_at_risk, threshold=obj.threshold)]
        if obj.marketer is not None:
            out.append(_sentence("marketer", obj.marketer))
        if obj.population_uniqueness is not None and math.isfinite(obj.population_uniqueness):
            out.append(_sentence("population_uniqueness", obj.population_uniqueness, quasi=obj.quasi,
                                 model=obj.population_uniqueness_model.split(" ")[0].capitalize()))
        if obj.null_classes:
            out.append(_sentence("null_classes", obj.null_classes, **q))
        return out
    if "l_diversity" in names:  # Disclosure
        c = {"column": obj.column, "quasi": context.get("quasi")}
        return [_sentence("l_diversity", obj.l_diversity, **c),
                _sentence("t_closeness", obj.t_closeness, column=obj.column)]
    if "attack" in names:  # AttackResult
        if obj.attack == "membership_inference":
            return [_sentence("membership_inference", obj.success_rate, number=f"{obj.risk:.3g}")]
        return [_sentence("attribute_inference", obj.success_rate, control=obj.control_rate,
                          number=f"{obj.risk:.3g}", **context)]
    raise ValueError(f"explain() takes a metric name, a RiskProfile, Reidentification, Disclosure or "
                     f"AttackResult. Got {type(obj).__name__} instead.")
