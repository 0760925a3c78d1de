"""Purpose-based consent and control: purposes and legal bases in plain words and W3C DPV names
(:mod:`.purposes`), who a scenario may personalize and the gain counted with only them (:mod:`.gain`), and
customers' choices over time — withdrawals, preference updates, access and deletion requests (:mod:`.control`).

Names load on first use, so importing the package from :mod:`analysis.simulation` stays light.
"""

from __future__ import annotations

from analysis._lazy import lazy_exports

_EXPORTS = {
    "Purpose": "purposes", "LegalBasis": "purposes", "PURPOSES": "purposes", "LEGAL_BASES": "purposes",
    "purpose": "purposes", "legal_basis": "purposes",
    "PersonalizedGain": "gain", "Targeting": "gain", "eligible_customers": "gain", "targeting": "gain",
    "personalized_gain": "gain",
    "ControlResult": "control", "control_over_time": "control", "simulate_control": "control",
    "CONTROL_PARAMETERS": "control",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
