"""PrivacyLift's analysis library: how much personalization a business gains, and how much privacy
exposure and breach cost it takes on, for each way it could use its CRM data.

The public API is re-exported here; see the README and the notebooks for tours.

Names load on first use (PEP 562), so ``python -m analysis risk`` or ``ingest`` never import scikit-learn,
diffprivlib or plotly.
"""

from __future__ import annotations

from importlib import import_module

#: public name → the module that defines it
_EXPORTS = {
    "Assumptions": "analysis.breach.assumptions",
    "assumptions_table": "analysis.breach.assumptions",
    "AttackResult": "analysis.risk.profile",
    "attribute_inference": "analysis.risk.profile",
    "behavioral_uniqueness": "analysis.risk.profile",
    "BreachResult": "analysis.breach.montecarlo",
    "build_report": "analysis.report",
    "BusinessSettings": "analysis.tradeoff",
    "ColumnSpec": "analysis.dictionary",
    "CRMData": "analysis.data",
    "CRMSchema": "analysis.schema",
    "Dictionary": "analysis.dictionary",
    "DictionaryError": "analysis.dictionary",
    "ensure_demo": "analysis.demo",
    "generate": "analysis.synthetic",
    "generate_frames": "analysis.synthetic",
    "GeneratedFiles": "analysis.synthetic",
    "Holding": "analysis.breach.montecarlo",
    "IngestError": "analysis.store",
    "IngestReport": "analysis.store",
    "LiftResult": "analysis.lift.evaluate",
    "load_assumptions": "analysis.breach.assumptions",
    "load_crm": "analysis.data",
    "load_dictionary": "analysis.dictionary",
    "load_scenarios": "analysis.scenario",
    "membership_inference": "analysis.risk.profile",
    "mitigation_value": "analysis.breach.montecarlo",
    "notice": "analysis.transparency",
    "notice_diff": "analysis.transparency",
    "Notice": "analysis.transparency",
    "record_of_processing": "analysis.transparency",
    "retention_schedule": "analysis.transparency",
    "erase": "analysis.store",
    "ErasureError": "analysis.store",
    "simulate_control": "analysis.consent",
    "control_over_time": "analysis.consent",
    "PersonalizedGain": "analysis.consent",
    "ModelCache": "analysis.simulation",
    "pareto_frontier": "analysis.tradeoff.frontier",
    "Policy": "analysis.tradeoff",
    "load_policy": "analysis.tradeoff",
    "Recommendation": "analysis.tradeoff",
    "parse_dictionary": "analysis.dictionary",
    "prepare": "analysis.minimize",
    "preset": "analysis.scenario",
    "PRESETS": "analysis.scenario",
    "quasi_contributions": "analysis.risk.profile",
    "record_review": "analysis.report",
    "reidentification": "analysis.risk.profile",
    "render_html": "analysis.report",
    "render_pdf": "analysis.report",
    "risk_profile": "analysis.risk.profile",
    "RiskProfile": "analysis.risk.profile",
    "run_scenarios": "analysis.tradeoff",
    "save_report": "analysis.report",
    "Scenario": "analysis.scenario",
    "ScenarioError": "analysis.scenario",
    "ScenarioResult": "analysis.simulation",
    "simulate": "analysis.simulation",
    "simulate_breach": "analysis.breach.montecarlo",
    "SimulationSettings": "analysis.simulation",
    "Store": "analysis.store",
    "sweep": "analysis.tradeoff",
    "Tradeoff": "analysis.tradeoff",
    "train_and_measure": "analysis.lift.evaluate",
    "trust_effects": "analysis.breach.trust",
    "TrustInputs": "analysis.breach.trust",
    "TrustResult": "analysis.breach.trust",
    "verify_report": "analysis.report",
    "waterfall_steps": "analysis.tradeoff",
}

__all__ = sorted(_EXPORTS, key=str.lower)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
