"""Trust effects: a small, explicit model of how customers react to personalization and to breaches.

Every parameter is an assumption of :mod:`analysis.breach.assumptions` (labelled so, with a range; no citation is
claimed). Over a horizon of ``h`` years, with an annual rate ``r`` the share affected is ``1 − (1 − r)^h``::

    personalized            = customers × personalized_share
    consented personalized  = personalized                    (consent-only personalization)
                            = personalized × consented_share  (when non-consented data is used)
    retained (+) consented personalization
                 = consented personalized × (1 − (1 − trust_consented_retention_lift)^h)
    lost (−)     sensitive attributes (if used)
                 = personalized × (1 − (1 − trust_sensitive_churn)^h)
    lost (−)     non-consented data (if used)
                 = non-consented personalized × (1 − (1 − trust_nonconsented_churn)^h)
    lost (−)     breach reputation
                 = customers × (1 − (1 − p_breach)^h) × trust_breach_reputation_churn
    value = customers × customer_value (a lifetime value: a customer lost is its value lost)

Effects are small shares and are added (their overlap is ignored). The churn of the customers *affected* by a
breach is in :mod:`analysis.breach.montecarlo` (``lost_business``); here only the reputation effect on all customers.

Example
-------
>>> t = trust_effects(TrustInputs(customers=10_000, consented_share=0.6, personalized_share=0.6,
...                               uses_sensitive=False, uses_nonconsented=False,
...                               annual_breach_probability=0.0, customer_value=100.0))
>>> round(t.net_value[1], 2)  # 6,000 consented personalized × 2 % × $100
12000.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from analysis.breach.assumptions import Assumptions, AssumptionsLike, load_assumptions
from analysis.errors import must_be

__all__ = ["TRUST_PARAMETERS", "TrustInputs", "TrustResult", "trust_effects", "trust_net_value",
           "trust_sensitivity", "annual_breach_probability"]

#: The assumptions the trust model reads (the rows of the sensitivity table).
TRUST_PARAMETERS = ("trust_consented_retention_lift", "trust_sensitive_churn", "trust_nonconsented_churn",
                    "trust_breach_reputation_churn")
_CAUSES = ("consented_personalization", "sensitive_attributes", "nonconsented_data", "breach_reputation")


def _check(name: str, ok: bool, requirement: str, got: Any, subject: str = "TrustInputs") -> None:
    if not ok:
        raise ValueError(must_be(name, subject, requirement, got))


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


@dataclass(frozen=True)
class TrustInputs:
    """What a scenario does with customers' data, for the trust model."""

    #: customers of the business
    customers: int
    #: share of customers who consented to personalization
    consented_share: float
    #: share of customers who receive personalization
    personalized_share: float
    #: personalization uses sensitive attributes (health, financial distress, ...)
    uses_sensitive: bool
    #: personalization reaches customers who did not consent
    uses_nonconsented: bool
    #: probability of at least one breach a year; None = 1 − exp(−E[breach_frequency])
    annual_breach_probability: float | None = None
    #: lifetime value of a customer (USD); None = the ``customer_value`` assumption
    customer_value: float | None = None

    def __post_init__(self) -> None:
        _check("customers", isinstance(self.customers, int) and not isinstance(self.customers, bool)
               and self.customers >= 0, "an int ≥ 0", self.customers)
        for name in ("consented_share", "personalized_share"):
            v = getattr(self, name)
            _check(name, _is_number(v) and 0 <= v <= 1, "a float in [0, 1]", v)
        for name in ("uses_sensitive", "uses_nonconsented"):
            _check(name, isinstance(getattr(self, name), bool), "a bool", getattr(self, name))
        p = self.annual_breach_probability
        _check("annual_breach_probability", p is None or (_is_number(p) and 0 <= p <= 1),
               "None or a float in [0, 1]", p)
        v = self.customer_value
        _check("customer_value", v is None or (_is_number(v) and v >= 0), "None or a float ≥ 0", v)
        if not self.uses_nonconsented:
            _check("personalized_share", self.personalized_share <= self.consented_share + 1e-12,
                   f"≤ consented_share ({self.consented_share}) when uses_nonconsented is False",
                   self.personalized_share)


@dataclass(frozen=True)
class TrustResult:
    """Customers retained (+) or lost (−) by cause, and their value (USD), per horizon."""

    horizons: tuple[float, ...]
    #: columns horizon_years, cause, customers (signed), value (signed USD)
    table: pl.DataFrame = field(repr=False)
    #: horizon → net customers (retained − lost)
    net_customers: dict[float, float]
    #: horizon → net value (USD)
    net_value: dict[float, float]
    #: inputs actually used (breach probability and customer value resolved)
    annual_breach_probability: float
    customer_value: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per horizon, customers and value by cause, and the net."""
        by_horizon = {}
        for h in self.horizons:
            rows = self.table.filter(pl.col("horizon_years") == h)
            by_horizon[str(h)] = {
                "customers": dict(zip(rows["cause"], rows["customers"])),
                "value": dict(zip(rows["cause"], rows["value"])),
                "net_customers": self.net_customers[h], "net_value": self.net_value[h]}
        return {"horizons": list(self.horizons), "annual_breach_probability": self.annual_breach_probability,
                "customer_value": self.customer_value, "by_horizon": by_horizon}


def annual_breach_probability(assumptions: AssumptionsLike = None) -> float:
    """P(at least one breach in a year) = 1 − exp(−E[breach_frequency]) (Poisson)."""
    return 1.0 - math.exp(-load_assumptions(assumptions).mean("breach_frequency"))


def _shares(rate: float, horizon: float) -> float:
    return 1.0 - (1.0 - rate) ** horizon


def _effects(x: TrustInputs, a: Assumptions, horizon: float, p_breach: float) -> dict[str, float]:
    personalized = x.customers * x.personalized_share
    consented = personalized * (x.consented_share if x.uses_nonconsented else 1.0)
    return {
        "consented_personalization": consented * _shares(a.value("trust_consented_retention_lift"), horizon),
        "sensitive_attributes": -personalized * _shares(a.value("trust_sensitive_churn"), horizon)
        * x.uses_sensitive,
        "nonconsented_data": -(personalized - consented)
        * _shares(a.value("trust_nonconsented_churn"), horizon) * x.uses_nonconsented,
        "breach_reputation": -x.customers * _shares(p_breach, horizon)
        * a.value("trust_breach_reputation_churn"),
    }


def trust_effects(inputs: TrustInputs, assumptions: AssumptionsLike = None, *,
                  horizons: tuple[float, ...] = (1, 3)) -> TrustResult:
    """Customers retained and lost, by cause, over each horizon, and what they are worth.

    Parameters
    ----------
    inputs : TrustInputs
    assumptions : Assumptions, mapping, TOML path or None
        the ``trust_*`` parameters (and ``breach_frequency``, ``customer_value`` when the inputs leave
        them None).
    horizons : tuple of float, default (1, 3)
        horizons in years.

    Example
    -------
    >>> x = TrustInputs(customers=1_000, consented_share=0.5, personalized_share=1.0, uses_sensitive=True,
    ...                 uses_nonconsented=True, annual_breach_probability=0.05, customer_value=200.0)
    >>> r = trust_effects(x)
    >>> r.net_value[3] < r.net_value[1] < 0
    True
    """
    if not isinstance(inputs, TrustInputs):
        raise TypeError(f"The 'inputs' parameter of trust_effects must be TrustInputs. "
                        f"Got {type(inputs).__name__} instead.")
    horizons = tuple(horizons)
    _check("horizons", len(horizons) > 0 and all(_is_number(h) and h > 0 for h in horizons),
           "a non-empty tuple of numbers > 0", horizons, "trust_effects")
    a = load_assumptions(assumptions)
    p = annual_breach_probability(a) if inputs.annual_breach_probability is None \
        else inputs.annual_breach_probability
    value = a.value("customer_value") if inputs.customer_value is None else inputs.customer_value
    rows = []
    for h in horizons:
        for cause, customers in _effects(inputs, a, h, p).items():
            rows.append({"horizon_years": float(h), "cause": cause, "customers": customers + 0.0,
                         "value": customers * value + 0.0})
    table = pl.DataFrame(rows, schema={"horizon_years": pl.Float64, "cause": pl.String,
                                       "customers": pl.Float64, "value": pl.Float64})
    net_customers = {h: float(sum(r["customers"] for r in rows if r["horizon_years"] == h)) for h in horizons}
    net_value = {h: float(sum(r["value"] for r in rows if r["horizon_years"] == h)) for h in horizons}
    return TrustResult(horizons=horizons, table=table, net_customers=net_customers, net_value=net_value,
                       annual_breach_probability=p, customer_value=value)


def trust_net_value(inputs: TrustInputs, assumptions: AssumptionsLike = None, *, horizon: float = 3) -> float:
    """``trust_effects(inputs, assumptions).net_value[horizon]`` without building its table (for the many redraws
    of :mod:`analysis.tradeoff.robustness`).

    >>> x = TrustInputs(customers=1_000, consented_share=0.5, personalized_share=0.5, uses_sensitive=False,
    ...                 uses_nonconsented=False, annual_breach_probability=0.05, customer_value=200.0)
    >>> round(trust_net_value(x), 6) == round(trust_effects(x).net_value[3], 6)
    True
    """
    a = load_assumptions(assumptions)
    p = annual_breach_probability(a) if inputs.annual_breach_probability is None \
        else inputs.annual_breach_probability
    value = a.value("customer_value") if inputs.customer_value is None else inputs.customer_value
    return float(sum(c * value for c in _effects(inputs, a, horizon, p).values()))


def trust_sensitivity(inputs: TrustInputs, assumptions: AssumptionsLike = None, *,
                      horizon: float = 3) -> pl.DataFrame:
    """Tornado table: each trust parameter at its low and high, the net value over ``horizon`` years.

    Rows: :data:`TRUST_PARAMETERS`, plus ``breach_frequency`` when the inputs leave the breach probability to
    the assumptions. Columns: parameter, label, low, value, high, net_value_at_low, net_value_base,
    net_value_at_high, swing (|high − low| in net value); sorted by swing, largest first.

    Example
    -------
    >>> x = TrustInputs(customers=1_000, consented_share=0.5, personalized_share=0.5, uses_sensitive=False,
    ...                 uses_nonconsented=False, annual_breach_probability=0.05, customer_value=200.0)
    >>> trust_sensitivity(x)["parameter"][0]
    'trust_consented_retention_lift'
    """
    a = load_assumptions(assumptions)
    base = trust_effects(inputs, a, horizons=(horizon,)).net_value[horizon]
    keys = list(TRUST_PARAMETERS) + (["breach_frequency"] if inputs.annual_breach_probability is None else [])
    rows = []
    for key in keys:
        x = a[key]
        low = x.value if x.low is None else x.low
        high = x.value if x.high is None else x.high
        # PERT: move the mode to the bound, with the bounds unchanged
        at = {bound: trust_effects(inputs, a.with_overrides({key: {"value": bound}}),
                                   horizons=(horizon,)).net_value[horizon] for bound in (low, high)}
        rows.append({"parameter": key, "label": x.label, "low": low, "value": x.value, "high": high,
                     "net_value_at_low": at[low], "net_value_base": base, "net_value_at_high": at[high],
                     "swing": abs(at[high] - at[low])})
    return pl.DataFrame(rows).sort("swing", descending=True, maintain_order=True)
