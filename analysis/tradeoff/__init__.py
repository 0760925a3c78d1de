"""The trade-off stage: scenarios side by side (:mod:`.runner`: net value, Pareto frontiers, the recommendation),
the decision rule (:mod:`.decision`) under the business's privacy policy (:mod:`.policy`) and how robust it is to
the assumptions (:mod:`.robustness`), the exposure index in its two parts (:mod:`.index`), business settings
(:mod:`.settings`), trust inputs (:mod:`.inputs`), sweeps (:mod:`.sweeps`), waterfall steps (:mod:`.steps`), the
recommendation in words (:mod:`.words`), and the columns of the trade-off table, declared once (:mod:`.columns`)
with how people see them (:mod:`.display`).

Names load on first use, so the charts can read the column registry without loading the models.
"""

from __future__ import annotations

from analysis._lazy import lazy_exports

_EXPORTS = {
    "RULE": "decision", "Recommendation": "decision", "decide": "decision",
    "DP_PROTECTS": "index", "RISK_INDEX_FORMULA": "index", "RISK_WEIGHTS": "index", "ExposureParts": "index",
    "dp_membership_bound": "index", "exposure_parts": "index", "risk_index": "index",
    "sensitive_disclosure": "index",
    "trust_inputs": "inputs",
    "CONSTRAINTS": "policy", "Policy": "policy", "PolicyError": "policy", "load_policy": "policy",
    "Robustness": "robustness",
    "Tradeoff": "runner", "run_scenarios": "runner",
    "BusinessSettings": "settings",
    "waterfall_steps": "steps",
    "SWEEPS": "sweeps", "sweep": "sweeps",
    "recommendation": "words",
    "COLUMNS": "columns", "Column": "columns",
    "display_table": "display", "export_table": "display",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
