"""The composite exposure index: one transparent formula, shown wherever the index is used."""

from __future__ import annotations

from analysis.simulation import ScenarioResult

__all__ = ['RISK_WEIGHTS', 'RISK_INDEX_FORMULA', 'risk_index', 'sensitive_disclosure']


#: Weights of the exposure index (assumptions: re-identification counts most, then what can be inferred
#: about a person, then what the model leaks). Shown with the formula wherever the index is.
RISK_WEIGHTS = {"reidentification": 0.4, "behavioral": 0.2, "sensitive_disclosure": 0.25, "membership": 0.15}
RISK_INDEX_FORMULA = (
    "Exposure index = 100 × (share of customers held) × (0.4 × average re-identification risk "
    "+ 0.2 × share unique from 4 of their events + 0.25 × sensitive-attribute disclosure "
    "+ 0.15 × membership-inference advantage), where sensitive-attribute disclosure is the attribute-inference "
    "risk when sensitive attributes are held (0 when none is held); 0 = nothing exposed, 100 = everyone held "
    "and fully exposed. "
    "The weights are PrivacyLift assumptions."
)


def risk_index(result: ScenarioResult) -> float:
    """The transparent composite exposure index of :data:`RISK_INDEX_FORMULA`, 0–100."""
    if not result.ok:
        return float("nan")
    held_share = result.customers_held / result.population if result.population else 0.0
    reid = result.risk.reidentification.prosecutor_average_records if result.risk is not None else 0.0
    memb = result.membership.risk if result.membership is not None else 0.0
    behav = result.behavioral_uniqueness or 0.0
    w = RISK_WEIGHTS
    return 100.0 * held_share * (
        w["reidentification"] * reid
        + w["behavioral"] * behav
        + w["sensitive_disclosure"] * sensitive_disclosure(result)
        + w["membership"] * memb
    )


def sensitive_disclosure(result: ScenarioResult) -> float:
    """How surely a sensitive attribute of a person known to the attacker is disclosed by what is held: the
    attribute-inference risk (link the person's quasi-identifiers to the held records, read the value) when
    sensitive attributes are held (1 when no quasi-identifier is held to measure it with); 0 when none is held."""
    if result.risk is None or not result.risk.sensitive:
        return 0.0
    return result.attribute.risk if result.attribute is not None else 1.0


