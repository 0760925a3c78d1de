"""Breach impact in money: a FAIR-style Monte Carlo of what a scenario holds.

Annual loss = Σ over the breaches of a year of the loss of each breach (FAIR: loss event frequency × loss
magnitude). Frequency: the rate λ is drawn per simulated year from ``breach_frequency`` (PERT), then the
number of breaches is Poisson(λ). Magnitude of one breach, in USD (every input from
:mod:`analysis.breach.assumptions`, sourced or labelled an assumption)::

    records breached  = records × reachable_share × [access_restriction_multiplier]
                                × breach_records_fraction (PERT, per breach)
    cost per record   = cost_per_record × (1 − lost_business_share_of_record_cost)
                        × Σ held categories' weight (behavioral/transactional × retention factor)
                        × identifiers multiplier (raw 1 | pseudonymized | none held)
                        × [encryption_multiplier] × [incident_response_multiplier]
                        × cost_per_record_factor (lognormal, per breach)
    per_record             = records breached × cost per record
    notification_response  = notification_response_cost (PERT, per breach)
    regulatory_gdpr        = [fined, p = fine_probability] × fine_share_of_ceiling (PERT)
                             × max(fixed, share × turnover) of Art. 83(4), or 83(5) with p = upper-tier
                             probability, × eur_usd
    regulatory_ccpa        = only for raw identifiers, not encrypted: [claim, p = ccpa_claim_probability]
                             × records breached × california_share × ccpa_damages_per_consumer (PERT)
    lost_business          = breach_churn × records breached × customer_value

Retention factor = min(1, retention_days / history_days) on behavioral and transactional data (event history);
``records`` should already be the customers held after retention and erasure (as ``minimize`` counts them).
All draws are independent, so E[annual loss] = E[λ] × E[magnitude] in closed form
(:func:`analytic_expected_loss`); the simulation checks itself against it.

Lost business here is the churn of the *affected* customers; the reputation effect on all customers is in
:mod:`analysis.breach.trust` (``trust_breach_reputation_churn``): add both, they do not overlap.

Example
-------
>>> h = Holding(records=50_000, categories=("contact", "demographic", "transactional"))
>>> r = simulate_breach(h, years=20_000, seed=1)
>>> r.mean_ci_low <= analytic_expected_loss(h) <= r.mean_ci_high
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from analysis.breach.assumptions import (
    PERT_GAMMA,
    Assumptions,
    AssumptionsLike,
    load_assumptions,
    lognormal_parameters,
)
from analysis.dictionary import CATEGORIES
from analysis.errors import must_be

__all__ = [
    "COMPONENTS",
    "EVENT_CATEGORIES",
    "MITIGATIONS",
    "Holding",
    "BreachResult",
    "simulate_breach",
    "mitigation_value",
    "analytic_expected_loss",
    "analytic_components",
]

#: Loss components, in the order reported.
COMPONENTS = ("per_record", "notification_response", "regulatory_gdpr", "regulatory_ccpa", "lost_business")
#: Categories that are event history, shortened by retention.
EVENT_CATEGORIES = ("behavioral", "transactional")
#: Mitigations :func:`mitigation_value` switches on and off (field of :class:`Holding`, label).
MITIGATIONS = (
    ("pseudonymized", "Pseudonymization"),
    ("encrypted_at_rest", "Encryption at rest"),
    ("access_restricted", "Access restriction"),
    ("retention_days", "Shorter retention"),
    ("incident_response", "Incident-response team"),
    ("direct_identifiers", "No direct identifiers held"),
)
_Z95 = 1.959963984540054
_MAX_YEARS = 50_000_000


def _check(name: str, ok: bool, requirement: str, got: Any, subject: str = "Holding") -> None:
    if not ok:
        raise ValueError(must_be(name, subject, requirement, got))


@dataclass(frozen=True)
class Holding:
    """What a scenario holds, as far as a breach is concerned."""

    #: customers (records) held, after retention and erasure
    records: int
    #: data categories held, from :data:`analysis.dictionary.CATEGORIES`
    categories: tuple[str, ...]
    #: direct identifiers replaced by pseudonyms (key kept apart)
    pseudonymized: bool = True
    encrypted_at_rest: bool = False
    access_restricted: bool = False
    #: days of event history kept; None = all history
    retention_days: int | None = None
    #: are direct identifiers held at all (pseudonymized or not)
    direct_identifiers: bool = True
    #: an incident-response team and plan are in place
    incident_response: bool = False

    def __post_init__(self) -> None:
        _check("records", isinstance(self.records, (int, np.integer)) and not isinstance(self.records, bool)
               and self.records >= 0, "an int ≥ 0", self.records)
        cats = (self.categories,) if isinstance(self.categories, str) else tuple(self.categories)
        unknown = [c for c in cats if c not in CATEGORIES]
        _check("categories", not unknown, f"a subset of {CATEGORIES}", unknown[0] if unknown else None)
        object.__setattr__(self, "records", int(self.records))
        object.__setattr__(self, "categories", tuple(dict.fromkeys(cats)))
        for flag in ("pseudonymized", "encrypted_at_rest", "access_restricted", "direct_identifiers",
                     "incident_response"):
            _check(flag, isinstance(getattr(self, flag), bool), "a bool", getattr(self, flag))
        r = self.retention_days
        _check("retention_days", r is None or (isinstance(r, (int, np.integer)) and not isinstance(r, bool)
               and r > 0), "None or an int > 0", r)


@dataclass(frozen=True)
class BreachResult:
    """Annual breach loss (USD) of one holding: summary, components, exceedance curve."""

    expected_annual_loss: float
    p10: float
    median: float
    p90: float
    p95: float
    p99: float
    #: closed-form E[frequency] × E[magnitude]
    analytic_mean: float
    #: 95 % confidence interval of the simulated mean
    mean_ci_low: float
    mean_ci_high: float
    years_simulated: int
    #: probability of at least one breach in a year (simulated)
    probability_of_breach: float
    #: expected annual loss per component (simulated), keys :data:`COMPONENTS`
    components: dict[str, float]
    #: loss exceedance curve: columns loss (USD), probability_exceeded (P(annual loss > loss))
    exceedance: pl.DataFrame = field(repr=False, compare=False)
    #: every simulated year's loss (not in ``to_dict``)
    annual_losses: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the per-year losses)."""
        out = {k: getattr(self, k) for k in ("expected_annual_loss", "p10", "median", "p90", "p95", "p99",
                                             "analytic_mean", "mean_ci_low", "mean_ci_high",
                                             "years_simulated", "probability_of_breach")}
        out["components"] = dict(self.components)
        out["exceedance"] = self.exceedance.to_dict(as_series=False)
        return out


def _pert(rng: np.random.Generator, low: float, mode: float, high: float, size: int) -> np.ndarray:
    """BetaPERT(low, mode, high) with γ = 4 (pyfair)."""
    if high <= low:
        return np.full(size, low)
    alpha = 1.0 + PERT_GAMMA * (mode - low) / (high - low)
    beta = 1.0 + PERT_GAMMA * (high - mode) / (high - low)
    return low + (high - low) * rng.beta(alpha, beta, size)


def _draw(rng: np.random.Generator, a: Assumptions, key: str, size: int) -> np.ndarray:
    x = a[key]
    if x.distribution == "pert":
        return _pert(rng, x.low, x.value, x.high, size)
    if x.distribution == "lognormal":
        mu, sigma = lognormal_parameters(x.low, x.high)
        return rng.lognormal(mu, sigma, size)
    return np.full(size, x.value)


def _fixed_parts(h: Holding, a: Assumptions) -> dict[str, float]:
    """The deterministic factors of one breach's magnitude (no sampled draws)."""
    restriction = a.value("access_restriction_multiplier") if h.access_restricted else 1.0
    reach = a.value("reachable_share") * restriction
    retention = 1.0 if h.retention_days is None else min(1.0, h.retention_days / a.value("history_days"))
    weight = sum(a.value(f"category_weight.{c}") * (retention if c in EVENT_CATEGORIES else 1.0)
                 for c in h.categories)
    if not h.direct_identifiers:
        identifiers = a.value("no_direct_identifiers_multiplier")
    elif h.pseudonymized:
        identifiers = a.value("pseudonymization_multiplier")
    else:
        identifiers = 1.0
    cost = (a.value("cost_per_record") * (1.0 - a.value("lost_business_share_of_record_cost")) * weight
            * identifiers * (a.value("encryption_multiplier") if h.encrypted_at_rest else 1.0)
            * (a.value("incident_response_multiplier") if h.incident_response else 1.0))
    turnover = a.value("turnover_eur")
    ceiling_4 = max(a.value("gdpr_art83_4_fixed_eur"), a.value("gdpr_art83_4_turnover_share") * turnover)
    ceiling_5 = max(a.value("gdpr_art83_5_fixed_eur"), a.value("gdpr_art83_5_turnover_share") * turnover)
    ccpa = h.direct_identifiers and not h.pseudonymized and not h.encrypted_at_rest
    held = 1.0 if h.records > 0 else 0.0  # nothing held, nothing to lose
    return {"records_reachable": h.records * reach, "cost_per_record": cost, "ceiling_4_usd": ceiling_4
            * a.value("eur_usd"), "ceiling_5_usd": ceiling_5 * a.value("eur_usd"),
            "ccpa_applies": 1.0 if ccpa else 0.0, "held": held}


def analytic_components(holding: Holding, assumptions: AssumptionsLike = None) -> dict[str, float]:
    """Closed-form expected annual loss per component: E[λ] × E[component of one breach]."""
    a = load_assumptions(assumptions)
    f = _fixed_parts(holding, a)
    records = f["records_reachable"] * a.mean("breach_records_fraction")
    upper = a.value("gdpr_upper_tier_probability")
    ceiling = (1 - upper) * f["ceiling_4_usd"] + upper * f["ceiling_5_usd"]
    per_breach = {
        "per_record": records * f["cost_per_record"] * a.mean("cost_per_record_factor"),
        "notification_response": a.mean("notification_response_cost"),
        "regulatory_gdpr": a.value("fine_probability") * a.mean("fine_share_of_ceiling") * ceiling,
        "regulatory_ccpa": f["ccpa_applies"] * a.value("ccpa_claim_probability") * records
        * a.value("california_share") * a.mean("ccpa_damages_per_consumer"),
        "lost_business": a.value("breach_churn") * records * a.value("customer_value"),
    }
    rate = a.mean("breach_frequency")
    return {k: rate * v * f["held"] for k, v in per_breach.items()}


def analytic_expected_loss(holding: Holding, assumptions: AssumptionsLike = None) -> float:
    """E[annual loss] = E[frequency] × E[magnitude], in closed form (USD per year).

    >>> analytic_expected_loss(Holding(records=0, categories=("contact",)))
    0.0
    """
    return float(sum(analytic_components(holding, assumptions).values()))


def _simulate_components(h: Holding, a: Assumptions, years: int, seed: int | None) -> np.ndarray:
    """Per-year loss per component, shape (len(COMPONENTS), years). Draw order never depends on ``h``, so
    two holdings simulated with one seed share their random numbers (common random numbers)."""
    rng = np.random.default_rng(seed)
    rate = _draw(rng, a, "breach_frequency", years)
    counts = rng.poisson(rate)
    n = int(counts.sum())
    year_of_breach = np.repeat(np.arange(years), counts)
    fraction = _draw(rng, a, "breach_records_fraction", n)
    factor = _draw(rng, a, "cost_per_record_factor", n)
    notification = _draw(rng, a, "notification_response_cost", n)
    fined = rng.random(n) < a.value("fine_probability")
    upper_tier = rng.random(n) < a.value("gdpr_upper_tier_probability")
    fine_share = _draw(rng, a, "fine_share_of_ceiling", n)
    claimed = rng.random(n) < a.value("ccpa_claim_probability")
    damages = _draw(rng, a, "ccpa_damages_per_consumer", n)

    f = _fixed_parts(h, a)
    records = f["records_reachable"] * fraction
    ceiling = np.where(upper_tier, f["ceiling_5_usd"], f["ceiling_4_usd"])
    per_breach = np.stack([
        records * f["cost_per_record"] * factor,
        notification,
        fined * fine_share * ceiling,
        f["ccpa_applies"] * claimed * records * a.value("california_share") * damages,
        a.value("breach_churn") * records * a.value("customer_value"),
    ]) * f["held"]
    out = np.empty((len(COMPONENTS), years))
    for i in range(len(COMPONENTS)):  # 5 components, each a vectorized bincount
        out[i] = np.bincount(year_of_breach, weights=per_breach[i], minlength=years)
    return out


def _exceedance(losses: np.ndarray, points: int) -> pl.DataFrame:
    positive = np.sort(losses[losses > 0])
    if positive.size == 0:
        return pl.DataFrame({"loss": [0.0], "probability_exceeded": [0.0]})
    grid = np.unique(np.concatenate([[0.0], np.quantile(positive, np.linspace(0, 1, points))]))
    exceeded = (positive.size - np.searchsorted(positive, grid, side="right")) / losses.size
    return pl.DataFrame({"loss": grid, "probability_exceeded": exceeded})


def simulate_breach(holding: Holding, assumptions: AssumptionsLike = None, *, years: int = 100_000,
                    seed: int | None = 0, exceedance_points: int = 200,
                    keep_losses: bool = True) -> BreachResult:
    """Simulate the annual breach loss (USD) of what ``holding`` holds.

    Parameters
    ----------
    holding : Holding
        records, categories and mitigations of a scenario.
    assumptions : Assumptions, mapping, TOML path or None
        overrides of the defaults (see :func:`analysis.breach.assumptions.load_assumptions`).
    years : int, default 100_000
        simulated years.
    seed : int or None, default 0
        seed of ``np.random.default_rng``; the same seed gives the same result.
    exceedance_points : int, default 200
        points of the loss exceedance curve.
    keep_losses : bool, default True
        keep every simulated year's loss in ``annual_losses``.

    Returns
    -------
    BreachResult

    Example
    -------
    >>> r = simulate_breach(Holding(records=10_000, categories=("contact", "financial")), years=10_000)
    >>> r.p10 <= r.median <= r.p90 <= r.p95 <= r.p99
    True
    """
    if not isinstance(holding, Holding):
        raise TypeError(f"The 'holding' parameter of simulate_breach must be a Holding. "
                        f"Got {type(holding).__name__} instead.")
    _check("years", isinstance(years, (int, np.integer)) and not isinstance(years, bool)
           and 1 <= years <= _MAX_YEARS, f"an int in [1, {_MAX_YEARS}]", years, "simulate_breach")
    _check("exceedance_points", isinstance(exceedance_points, int) and exceedance_points >= 2, "an int ≥ 2",
           exceedance_points, "simulate_breach")
    a = load_assumptions(assumptions)
    per_component = _simulate_components(holding, a, int(years), seed)
    losses = per_component.sum(axis=0)
    mean = float(losses.mean())
    half_width = _Z95 * float(losses.std(ddof=1)) / math.sqrt(years) if years > 1 else math.inf
    p10, p50, p90, p95, p99 = (float(x) for x in np.percentile(losses, [10, 50, 90, 95, 99]))
    return BreachResult(
        expected_annual_loss=mean, p10=p10, median=p50, p90=p90, p95=p95, p99=p99,
        analytic_mean=analytic_expected_loss(holding, a),
        mean_ci_low=mean - half_width, mean_ci_high=mean + half_width, years_simulated=int(years),
        probability_of_breach=float(np.mean(losses > 0)),
        components={c: float(v) for c, v in zip(COMPONENTS, per_component.mean(axis=1))},
        exceedance=_exceedance(losses, exceedance_points),
        annual_losses=losses if keep_losses else None,
    )


def _switched(h: Holding, mitigation: str, on: bool, retention_days_if_on: int) -> Holding:
    if mitigation == "retention_days":
        return replace(h, retention_days=(h.retention_days or retention_days_if_on) if on else None)
    if mitigation == "direct_identifiers":  # the mitigation is NOT holding them
        return replace(h, direct_identifiers=not on)
    return replace(h, **{mitigation: on})


def _is_on(h: Holding, mitigation: str) -> bool:
    if mitigation == "retention_days":
        return h.retention_days is not None
    if mitigation == "direct_identifiers":
        return not h.direct_identifiers
    return bool(getattr(h, mitigation))


def mitigation_value(holding: Holding, assumptions: AssumptionsLike = None, *, years: int = 100_000,
                     seed: int | None = 0, retention_days_if_on: int = 365) -> pl.DataFrame:
    """What each mitigation buys: expected annual loss with it off and on, everything else as in ``holding``.

    One row per mitigation of :data:`MITIGATIONS`, then a row ``"All mitigations"`` comparing the holding
    with every mitigation off (raw identifiers, no encryption, no restriction, all history, no team).
    Every run uses the same seed (common random numbers), so differences are not sampling noise.

    Columns: mitigation, label, in_scenario, expected_loss_off, expected_loss_on, value (off − on),
    p95_off, p95_on, analytic_off, analytic_on.

    Example
    -------
    >>> t = mitigation_value(Holding(records=10_000, categories=("contact",)), years=5_000)
    >>> bool((t["value"] >= 0).all())
    True
    """
    if not isinstance(holding, Holding):
        raise TypeError(f"The 'holding' parameter of mitigation_value must be a Holding. "
                        f"Got {type(holding).__name__} instead.")
    _check("retention_days_if_on", isinstance(retention_days_if_on, int) and retention_days_if_on > 0,
           "an int > 0", retention_days_if_on, "mitigation_value")
    a = load_assumptions(assumptions)
    all_off = Holding(records=holding.records, categories=holding.categories, pseudonymized=False,
                      encrypted_at_rest=False, access_restricted=False, retention_days=None,
                      direct_identifiers=True, incident_response=False)
    pairs = [(m, label, _is_on(holding, m), _switched(holding, m, False, retention_days_if_on),
              _switched(holding, m, True, retention_days_if_on)) for m, label in MITIGATIONS]
    pairs.append(("all", "All mitigations (none vs the scenario's)",
                  any(_is_on(holding, m) for m, _ in MITIGATIONS), all_off, holding))
    cache: dict[Holding, BreachResult] = {}

    def run(h: Holding) -> BreachResult:
        if h not in cache:
            cache[h] = simulate_breach(h, a, years=years, seed=seed, keep_losses=False)
        return cache[h]

    rows = []
    for m, label, in_scenario, off, on in pairs:
        r_off, r_on = run(off), run(on)
        rows.append({"mitigation": m, "label": label, "in_scenario": in_scenario,
                     "expected_loss_off": r_off.expected_annual_loss,
                     "expected_loss_on": r_on.expected_annual_loss,
                     "value": r_off.expected_annual_loss - r_on.expected_annual_loss,
                     "p95_off": r_off.p95, "p95_on": r_on.p95,
                     "analytic_off": r_off.analytic_mean, "analytic_on": r_on.analytic_mean})
    return pl.DataFrame(rows)
