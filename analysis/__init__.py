"""PrivacyLift's analysis library: how much personalization a business gains, and how much privacy
exposure and breach cost it takes on, for each way it could use its CRM data.

The public API is re-exported here; see the README and the notebooks for tours.
"""

from .assumptions import Assumptions, assumptions_table, load_assumptions
from .breach import BreachResult, Holding, mitigation_value, simulate_breach
from .demo import ensure_demo
from .dictionary import ColumnSpec, Dictionary, DictionaryError, load_dictionary, parse_dictionary
from .evaluate import LiftResult, train_and_measure
from .frontier import pareto_frontier
from .minimize import CRMData, load_crm, prepare
from .report import build_report, record_review, render_html, render_pdf, save_report, verify_report
from .risk import (
    AttackResult,
    RiskProfile,
    attribute_inference,
    behavioral_uniqueness,
    membership_inference,
    quasi_contributions,
    reidentification,
    risk_profile,
)
from .scenario import PRESETS, Scenario, ScenarioError, load_scenarios, preset
from .schema import CRMSchema
from .simulate import ModelCache, ScenarioResult, SimulationSettings, simulate
from .store import IngestError, IngestReport, Store
from .synthetic import GeneratedFiles, generate, generate_frames
from .tradeoff import BusinessSettings, Tradeoff, run_scenarios, sweep, waterfall_steps
from .trust import TrustInputs, TrustResult, trust_effects

__all__ = [
    "Assumptions",
    "AttackResult",
    "BreachResult",
    "BusinessSettings",
    "CRMData",
    "CRMSchema",
    "ColumnSpec",
    "Dictionary",
    "DictionaryError",
    "GeneratedFiles",
    "Holding",
    "IngestError",
    "IngestReport",
    "LiftResult",
    "ModelCache",
    "PRESETS",
    "RiskProfile",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "SimulationSettings",
    "Store",
    "Tradeoff",
    "TrustInputs",
    "TrustResult",
    "assumptions_table",
    "attribute_inference",
    "behavioral_uniqueness",
    "build_report",
    "ensure_demo",
    "generate",
    "generate_frames",
    "load_assumptions",
    "load_crm",
    "load_dictionary",
    "load_scenarios",
    "membership_inference",
    "mitigation_value",
    "pareto_frontier",
    "parse_dictionary",
    "prepare",
    "preset",
    "quasi_contributions",
    "record_review",
    "reidentification",
    "render_html",
    "render_pdf",
    "risk_profile",
    "run_scenarios",
    "save_report",
    "simulate",
    "simulate_breach",
    "sweep",
    "train_and_measure",
    "trust_effects",
    "verify_report",
    "waterfall_steps",
]
