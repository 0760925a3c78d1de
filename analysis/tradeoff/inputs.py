"""What the trust model needs to know of one scenario's result (consent shares, sensitive use)."""

from __future__ import annotations

from analysis.breach.trust import TrustInputs
from analysis.data import CRMData
from analysis.simulation import ScenarioResult

__all__ = ['trust_inputs']


def trust_inputs(result: ScenarioResult, data: CRMData) -> TrustInputs:
    """The trust-model inputs of one scenario (consent shares, sensitive use) as :func:`run_scenarios` builds them."""
    spec = result.spec
    n = max(result.population, 1)
    consent_col = data.schema.consent_column(spec.consent_purpose)
    actual = float(data.column_summary(consent_col)[1] or 0.0) if consent_col else 0.0
    held_share = result.customers_held / n
    uses_sensitive = any(c in data.schema.sensitive for c in result.columns_used)
    if spec.consent == "ignore":
        consented, uses_nonconsented = actual, actual < 1.0
    elif spec.consent == "opt_out":
        consented, uses_nonconsented = held_share, False  # the opt-out regime counts as consent here
    else:
        consented, uses_nonconsented = held_share, False
    personalized = spec.k if uses_nonconsented else min(spec.k, consented)
    return TrustInputs(
        customers=int(result.population),
        consented_share=float(min(max(consented, 0.0), 1.0)),
        personalized_share=float(personalized),
        uses_sensitive=uses_sensitive,
        uses_nonconsented=uses_nonconsented,
    )


