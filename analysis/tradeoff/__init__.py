"""The trade-off stage: scenarios side by side (:mod:`.runner`: net value, Pareto frontiers), the exposure index
(:mod:`.index`), business settings (:mod:`.settings`), trust inputs (:mod:`.inputs`), sweeps (:mod:`.sweeps`),
waterfall steps (:mod:`.steps`) and the recommendation in words (:mod:`.words`)."""

from analysis.tradeoff.index import RISK_INDEX_FORMULA, RISK_WEIGHTS, risk_index, sensitive_disclosure
from analysis.tradeoff.inputs import trust_inputs
from analysis.tradeoff.runner import Tradeoff, run_scenarios
from analysis.tradeoff.settings import BusinessSettings
from analysis.tradeoff.steps import waterfall_steps
from analysis.tradeoff.sweeps import SWEEPS, sweep
from analysis.tradeoff.words import recommendation

__all__ = [
    "BusinessSettings",
    "RISK_INDEX_FORMULA",
    "RISK_WEIGHTS",
    "SWEEPS",
    "Tradeoff",
    "recommendation",
    "risk_index",
    "run_scenarios",
    "sensitive_disclosure",
    "sweep",
    "trust_inputs",
    "waterfall_steps",
]
