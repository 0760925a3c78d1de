"""What one scenario's simulation returns (:class:`ScenarioResult`) and how thoroughly it is measured
(:class:`SimulationSettings`); :func:`analysis.simulation.simulate` builds them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from analysis.breach.montecarlo import BreachResult, Holding
from analysis.consent.gain import PersonalizedGain
from analysis.fairness import FairnessAudit
from analysis.lift.evaluate import LiftResult
from analysis.risk.profile import AttackResult, RiskProfile
from analysis.sampling import DEFAULT_SAMPLE_SIZE, SampleInfo
from analysis.scenario import Scenario

__all__ = ["ScenarioResult", "SimulationSettings", "SAMPLING_FRACTION"]


#: PrivacyLift assumption: the customers are 1 % of the people they are drawn from (the population that
#: population uniqueness and marketer risk are estimated for). Set ``SimulationSettings.population`` (the CLI's
#: ``--population``, the Privacy risk page) to the size of your market.
SAMPLING_FRACTION = 0.01


@dataclass(frozen=True)
class SimulationSettings:
    """How thoroughly each scenario is measured (part of the cache key).

    ``sample_size``: a CRM of more customers is modelled on a stratified sample of this size, its exposure
    counted over everyone (:mod:`analysis.sampling`); None models every CRM whole.
    """

    n_boot: int = 200
    breach_years: int = 50_000
    attack_samples: int = 2000
    risk_threshold: float = 0.2
    #: people the customers are drawn from (population risk); None: customers / :data:`SAMPLING_FRACTION`
    population: int | None = None
    sample_size: int | None = DEFAULT_SAMPLE_SIZE

    def __post_init__(self) -> None:
        from analysis.errors import must_be

        p = self.population
        if p is not None and (isinstance(p, bool) or not isinstance(p, int) or p < 1):
            raise ValueError(must_be("population", "SimulationSettings", "an int ≥ 1 or None", p))
        for name, low in (("n_boot", 1), ("breach_years", 1000)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ValueError(must_be(name, "SimulationSettings", f"an int >= {low:,}", v))
        size = self.sample_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1000):
            raise ValueError(must_be("sample_size", "SimulationSettings", "an int >= 1000 or None", size))

    @property
    def key(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    def population_for(self, customers: int) -> int:
        """The population size used for ``customers`` customers (at least the customers themselves)."""
        if self.population is not None:
            return max(int(self.population), int(customers))
        return max(int(round(customers / SAMPLING_FRACTION)), int(customers))


@dataclass(frozen=True)
class ScenarioResult:
    """Everything measured for one scenario on one dataset."""

    spec: Scenario
    fingerprint: str
    data_fingerprint: str
    #: "ok" or "not_applicable"
    status: str
    reason: str | None = None
    lift: LiftResult | None = None
    #: uplift@k (or lift@k) measured on the scenario's own population only (e.g. consenters): what the
    #: business would see, against ``lift`` measured on everyone the model is applied to
    estimated_on_own_population: float | None = None
    #: synthetic data: true mean uplift of the top k targeted within the own population / within everyone
    true_uplift_at_k_own_population: float | None = None
    true_uplift_at_k_everyone: float | None = None
    #: the gain with only the customers the scenario's legal basis covers personalized, for its purpose
    #: (:mod:`analysis.consent.gain`): the headline whenever that basis leaves someone out (consent regimes:
    #: non-consenters get the default treatment); ``lift`` stays the figure with everyone personalized
    personalization: PersonalizedGain | None = None
    #: this scenario's incremental conversions over the full-data model's (None without a reference)
    gain_retained: float | None = None
    risk: RiskProfile | None = None
    membership: AttackResult | None = None
    attribute: AttackResult | None = None
    #: whom the model targets by every audited attribute (sensitive or protected), and how well the scenario's
    #: features stand in for each (:mod:`analysis.fairness`); None when the dictionary audits no attribute
    fairness: FairnessAudit | None = None
    #: share of the customers held who are unique from 4 of their own events in the retained history
    #: (day + what they bought; de Montjoye et al. 2015) — None when no events are held
    behavioral_uniqueness: float | None = None
    holding: Holding | None = None
    breach: BreachResult | None = None
    customers_held: int = 0
    population: int = 0
    columns_used: tuple[str, ...] = ()
    categories_held: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: how the gain figures were sampled (None: the CRM was modelled whole)
    sample: SampleInfo | None = None
    seconds: float = 0.0
    #: the curve of the headline lift (not in to_dict)
    curve: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def personalizes_everyone(self) -> bool:
        """True when the legal basis covers every customer (then the headline is the model's lift on everyone)."""
        p = self.personalization
        return p is None or p.eligible >= self.population or p.incremental_conversions is None

    @property
    def headline(self) -> tuple[float, float, float, float | None]:
        """(incremental conversions, 95 % low, high, true) of the headline: with only the customers the legal basis
        covers personalized (consent regimes: only consenters) when it leaves someone out, else the model's lift
        on everyone."""
        if not self.personalizes_everyone:
            h = self.personalization
            return h.incremental_conversions, h.ci_low, h.ci_high, h.true_incremental_conversions
        lift = self.lift
        return lift.incremental_conversions, lift.ci_low, lift.ci_high, lift.true_incremental_conversions

    def to_dict(self) -> dict[str, Any]:
        """The simulate JSON of one scenario (aggregates only)."""
        out: dict[str, Any] = {
            "name": self.spec.name,
            "description": self.spec.description,
            "fingerprint": self.fingerprint,
            "data_fingerprint": self.data_fingerprint,
            "status": self.status,
        }
        if not self.ok:
            out["reason"] = self.reason
            return out
        lift = self.lift.to_dict()
        lift["gain_retained"] = self.gain_retained
        lift["estimated_on_own_population"] = self.estimated_on_own_population
        lift["true_uplift_at_k_own_population"] = self.true_uplift_at_k_own_population
        lift["true_uplift_at_k_everyone"] = self.true_uplift_at_k_everyone
        lift["sample"] = None if self.sample is None else self.sample.to_dict()
        lift["personalized"] = "everyone the model is applied to"
        out["lift"] = lift
        out["personalization"] = None if self.personalization is None else self.personalization.to_dict()
        gain, low, high, true = self.headline
        restricted = not self.personalizes_everyone
        out["headline"] = {
            "incremental_conversions": gain, "ci_low": low, "ci_high": high, "true_incremental_conversions": true,
            "personalized": ("only the customers its legal basis covers (the others get the default treatment)"
                             if restricted else "everyone the model is applied to"),
            "everyone_figure": self.lift.incremental_conversions if restricted else None,
        }
        risk = self.risk.to_dict() if self.risk is not None else {}
        risk["membership_advantage"] = None if self.membership is None else self.membership.risk
        risk["attribute_inference_risk"] = None if self.attribute is None else self.attribute.risk
        risk["behavioral_uniqueness"] = self.behavioral_uniqueness
        out["risk"] = risk
        out["attacks"] = {
            "membership": None if self.membership is None else self.membership.to_dict(),
            "attribute": None if self.attribute is None else self.attribute.to_dict(),
        }
        b = self.breach.to_dict()
        b.pop("exceedance", None)
        out["breach"] = b
        out["fairness"] = [] if self.fairness is None else self.fairness.to_list()
        out["fairness_mitigation"] = None if self.fairness is None else self.fairness.mitigation_dict()
        out["customers_held"] = self.customers_held
        out["population"] = self.population
        out["columns_used"] = list(self.columns_used)
        out["categories_held"] = list(self.categories_held)
        out["notes"] = list(self.notes)
        out["spec"] = self.spec.spec_dict()
        return out
