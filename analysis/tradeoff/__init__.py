"""The trade-off stage: scenarios side by side (:mod:`.runner`: net value, Pareto frontiers, the recommendation),
the decision rule (:mod:`.decision`) under the business's privacy policy (:mod:`.policy`) and how robust it is to
the assumptions (:mod:`.robustness`), the exposure index in its two parts (:mod:`.index`), business settings
(:mod:`.settings`), trust inputs (:mod:`.inputs`), sweeps (:mod:`.sweeps`), waterfall steps (:mod:`.steps`) and
the recommendation in words (:mod:`.words`)."""

from analysis.tradeoff.decision import RULE, Recommendation, decide
from analysis.tradeoff.index import (
    DP_PROTECTS, RISK_INDEX_FORMULA, RISK_WEIGHTS, ExposureParts, dp_membership_bound, exposure_parts, risk_index,
    sensitive_disclosure,
)
from analysis.tradeoff.inputs import trust_inputs
from analysis.tradeoff.policy import CONSTRAINTS, Policy, PolicyError, load_policy
from analysis.tradeoff.robustness import Robustness
from analysis.tradeoff.runner import Tradeoff, run_scenarios
from analysis.tradeoff.settings import BusinessSettings
from analysis.tradeoff.steps import waterfall_steps
from analysis.tradeoff.sweeps import SWEEPS, sweep
from analysis.tradeoff.words import recommendation

__all__ = [
    "BusinessSettings",
    "CONSTRAINTS",
    "DP_PROTECTS",
    "ExposureParts",
    "Policy",
    "PolicyError",
    "RISK_INDEX_FORMULA",
    "RISK_WEIGHTS",
    "RULE",
    "Recommendation",
    "Robustness",
    "SWEEPS",
    "Tradeoff",
    "decide",
    "dp_membership_bound",
    "exposure_parts",
    "load_policy",
    "recommendation",
    "risk_index",
    "run_scenarios",
    "sensitive_disclosure",
    "sweep",
    "trust_inputs",
    "waterfall_steps",
]
