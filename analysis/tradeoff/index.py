"""The composite exposure index: one transparent formula, shown wherever the index is used, in two parts —
what the data the business holds exposes, and what its model reveals.

Differential privacy (DP) protects the second part only: the model. It bounds how much any attack can tell about
whether a person was in the training data: with members and non-members equally likely, no test can reach a
membership advantage (true-positive rate − false-positive rate) above (e^ε − 1)/(e^ε + 1), the hypothesis-testing
view of ε-DP (Kairouz, Oh & Viswanath 2015: an ε-DP test has FPR + e^ε·FNR ≥ 1 and e^ε·FPR + FNR ≥ 1; Yeom et al.
2018, Theorem 1, give the looser e^ε − 1). The data the business still holds is not protected by DP at all; not
keeping the training data is what shrinks the first part (the scenario field ``discard_training_data``).

Example
-------
>>> round(dp_membership_bound(0.1), 4), round(dp_membership_bound(1.0), 4)
(0.05, 0.4621)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from analysis.scenario_result import ScenarioResult

__all__ = ['RISK_WEIGHTS', 'RISK_INDEX_FORMULA', 'DP_PROTECTS', 'ExposureParts', 'dp_membership_bound',
           'exposure_parts', 'risk_index', 'sensitive_disclosure']


#: Weights of the exposure index (assumptions: re-identification counts most, then what can be inferred
#: about a person, then what the model leaks). Shown with the formula wherever the index is.
RISK_WEIGHTS = {"reidentification": 0.4, "behavioral": 0.2, "sensitive_disclosure": 0.25, "membership": 0.15}
RISK_INDEX_FORMULA = (
    "Exposure index = held-data part + model part, 0–100. Held-data part = 100 × (share of customers held) × "
    "(0.4 × average re-identification risk + 0.2 × share unique from 4 of their events + 0.25 × "
    "sensitive-attribute disclosure), where sensitive-attribute disclosure is the attribute-inference risk when "
    "sensitive attributes are held (0 when none is held). Model part = 100 × (share of customers held) × 0.15 × "
    "membership-inference advantage, counted as the upper end of the measured attack's 95 % interval (what the "
    "attack does not rule out) and, for a differentially private model, at most (e^ε − 1)/(e^ε + 1), the "
    "largest advantage ε-DP allows any attack (Kairouz, Oh & Viswanath 2015). 0 = nothing exposed, 100 = "
    "everyone held and fully exposed. The weights are PrivacyLift assumptions."
)
#: What differential privacy protects and what it does not, in one line (the Overview shows it).
DP_PROTECTS = (
    "Differential privacy protects what the trained model reveals about the people it learned from (the model "
    "part of the exposure index); it does not protect the customer data the business still holds — only not "
    "keeping the training data after training shrinks that part."
)


def dp_membership_bound(epsilon: float | None) -> float | None:
    """Largest membership advantage any attack can reach against an ε-DP model with a balanced prior:
    (e^ε − 1)/(e^ε + 1) = tanh(ε/2); None without DP."""
    if epsilon is None:
        return None
    return math.tanh(float(epsilon) / 2.0)


@dataclass(frozen=True)
class ExposureParts:
    """The exposure index of one scenario, in its two parts (see :data:`RISK_INDEX_FORMULA`)."""

    held_data: float
    model: float
    #: the membership advantage the model part counts
    model_advantage: float
    #: the attack as measured (point and upper 95 % end); None when no attack applies
    measured_advantage: float | None
    measured_advantage_high: float | None
    #: the advantage ε-DP allows at most (None without DP)
    dp_bound: float | None

    @property
    def total(self) -> float:
        return self.held_data + self.model

    def to_dict(self) -> dict:
        return {**asdict(self), "total": self.total}


def exposure_parts(result: ScenarioResult) -> ExposureParts:
    """The held-data part and the model part of the exposure index of ``result``."""
    if not result.ok:
        nan = float("nan")
        return ExposureParts(nan, nan, nan, None, None, None)
    held_share = result.customers_held / result.population if result.population else 0.0
    reid = result.risk.reidentification.prosecutor_average_records if result.risk is not None else 0.0
    behav = result.behavioral_uniqueness or 0.0
    w = RISK_WEIGHTS
    held = 100.0 * held_share * (w["reidentification"] * reid + w["behavioral"] * behav
                                 + w["sensitive_disclosure"] * sensitive_disclosure(result))
    m = result.membership
    bound = dp_membership_bound(result.spec.epsilon)
    measured = None if m is None else m.risk
    upper = None if m is None else m.risk_ci_high
    advantage = 0.0 if upper is None else upper
    if bound is not None:
        advantage = min(advantage, bound) if m is not None else 0.0
    return ExposureParts(held, 100.0 * held_share * w["membership"] * advantage, advantage, measured, upper, bound)


def risk_index(result: ScenarioResult) -> float:
    """The transparent composite exposure index of :data:`RISK_INDEX_FORMULA`, 0–100."""
    return exposure_parts(result).total


def sensitive_disclosure(result: ScenarioResult) -> float:
    """How surely a sensitive attribute of a person known to the attacker is disclosed by what is held: the
    attribute-inference risk (link the person's quasi-identifiers to the held records, read the value) when
    sensitive attributes are held (1 when no quasi-identifier is held to measure it with); 0 when none is held."""
    if result.risk is None or not result.risk.sensitive:
        return 0.0
    return result.attribute.risk if result.attribute is not None else 1.0
