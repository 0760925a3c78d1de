"""Run one scenario end to end: prepare the data, train and measure the model, measure the exposure of what
is held, and put a price on a breach of it.

>>> from analysis import Scenario, simulate   # doctest: +SKIP
>>> result = simulate(Scenario(name="DP", epsilon=1.0), store)   # doctest: +SKIP
>>> result.lift.incremental_conversions, result.risk.reidentification.k   # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np
import polars as pl

from analysis.breach.assumptions import Assumptions, load_assumptions
from analysis.breach.montecarlo import BreachResult, Holding, simulate_breach
from analysis.consent.gain import PersonalizedGain, personalized_gain
from analysis.lift.evaluate import LiftResult, train_and_measure
from analysis.data import CRMData, load_crm
from analysis.minimize import Prepared, not_applicable, prepare
from analysis.exposure import BEHAVIORAL_POINTS, measure_exposure  # noqa: F401  (BEHAVIORAL_POINTS: public)
from analysis.exposure import attribute as _attribute, behavioral as _behavioral  # noqa: F401
from analysis.risk.profile import (
    AttackResult,
    RiskProfile,
    membership_inference,
)
from analysis.sampling import DEFAULT_SAMPLE_SIZE, SampleInfo, training_epsilon
from analysis.scenario import EXPOSURE_ONLY_FIELDS, Scenario

__all__ = ["ScenarioResult", "simulate", "ModelCache", "SimulationSettings", "EXPOSURE_ONLY_FIELDS"]



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
    sample_size: int | None = DEFAULT_SAMPLE_SIZE

    def __post_init__(self) -> None:
        size = self.sample_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1000):
            from analysis.errors import must_be

            raise ValueError(must_be("sample_size", "SimulationSettings", "an int >= 1000 or None", size))

    @property
    def key(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


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
    #: (:mod:`analysis.consent.gain`)
    personalization: PersonalizedGain | None = None
    #: this scenario's incremental conversions over the full-data model's (None without a reference)
    gain_retained: float | None = None
    risk: RiskProfile | None = None
    membership: AttackResult | None = None
    attribute: AttackResult | None = None
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
        out["lift"] = lift
        out["personalization"] = None if self.personalization is None else self.personalization.to_dict()
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
        out["customers_held"] = self.customers_held
        out["population"] = self.population
        out["columns_used"] = list(self.columns_used)
        out["categories_held"] = list(self.categories_held)
        out["notes"] = list(self.notes)
        out["spec"] = self.spec.spec_dict()
        return out


class ModelCache:
    """Trained-model results by (data fingerprint, model fingerprint, settings): each distinct model trains
    once; and whole scenario results by spec fingerprint, so a repeated spec is served without any work.
    ``hits``/``misses`` count trained-model look-ups; ``result_hits`` counts whole results served."""

    def __init__(self) -> None:
        self._items: dict[tuple, tuple] = {}
        self._results: dict[tuple, "ScenarioResult"] = {}
        self.hits = 0
        self.misses = 0
        self.result_hits = 0

    def get(self, key: tuple) -> tuple | None:
        item = self._items.get(key)
        if item is None:
            self.misses += 1
        else:
            self.hits += 1
        return item

    def put(self, key: tuple, value: tuple) -> None:
        self._items[key] = value

    def get_result(self, key: tuple) -> "ScenarioResult | None":
        result = self._results.get(key)
        if result is not None:
            self.result_hits += 1
        return result

    def put_result(self, key: tuple, result: "ScenarioResult") -> None:
        self._results[key] = result


def _model_kind(spec: Scenario) -> str:
    if spec.epsilon is None:
        return spec.model
    return "dp_logistic" if spec.dp_model == "logistic" else "dp_gaussian_nb"


def _own_population_figure(model: Any, p: Prepared, lift: LiftResult) -> tuple[float | None, float | None, float | None]:
    """Selection bias of a consent regime: the headline figure measured on the scenario's own test population
    only (consenters) — what the business would see — and, with ground truth, the true mean uplift of the
    top-k targeted among its own population and among everyone the model is applied to."""
    from analysis.lift import metrics

    own = p.own_population_test
    if own.all() or own.sum() < 50:
        return None, None, None
    X, y = p.X_test[own], p.y_test[own]
    if lift.kind != "uplift":
        return float(metrics.lift_at_k(y, model.predict_score(X), k=p.spec.k)), None, None
    t = p.treatment_test[own]
    score_all = model.predict_uplift(p.X_test).max(axis=1)
    treated = (t != p.control).astype(int)
    observed = None
    if treated.sum() >= 5 and (1 - treated).sum() >= 5:
        observed = float(metrics.uplift_at_k(y, score_all[own], treated, strategy="overall", k=p.spec.k))
    true_own = true_all = None
    if p.true_uplift_test is not None:
        best = np.argmax(model.predict_uplift(p.X_test), axis=1)
        truth = p.true_uplift_test[np.arange(len(best)), best] if p.true_uplift_test.ndim == 2 else p.true_uplift_test

        def top_mean(mask: np.ndarray) -> float:
            s, tr = score_all[mask], truth[mask]
            n = max(1, int(round(p.spec.k * len(s))))
            return float(tr[np.argsort(-s, kind="stable")[:n]].mean())

        true_own, true_all = top_mean(own), top_mean(np.ones(len(own), bool))
    return observed, true_own, true_all


def _membership(model: Any, p: Prepared, settings: SimulationSettings, seed: int) -> AttackResult | None:
    """Loss-threshold membership inference against the control-arm model (or the response model)."""
    if hasattr(model, "models_"):
        sub = model.models_[0]
        arm = model.arms_[0]
        if isinstance(sub, float):
            return None
        m_mask = p.treatment_train == arm
        n_mask = p.treatment_test == arm
    else:
        sub = getattr(model, "model_", None)
        if sub is None or isinstance(sub, float):
            return None
        m_mask = np.ones(len(p.y_train), bool)
        n_mask = np.ones(len(p.y_test), bool)
    predict = sub.predict_proba
    limit = settings.attack_samples
    return membership_inference(
        predict,
        p.X_train[m_mask][:limit],
        p.y_train[m_mask][:limit],
        p.X_test[n_mask][:limit],
        p.y_test[n_mask][:limit],
        seed=seed,
    )


def simulate(
    spec: Scenario,
    data: CRMData | Any,
    *,
    reference: "ScenarioResult | None" = None,
    assumptions: Assumptions | None = None,
    settings: SimulationSettings | None = None,
    cache: ModelCache | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Simulate one scenario on a loaded CRM (a :class:`CRMData`, or a :class:`~analysis.store.Store`).

    Parameters
    ----------
    spec : Scenario
    data : CRMData or Store
    reference : ScenarioResult, optional
        The full-data result; ``gain_retained`` is this scenario's incremental conversions over its.
    assumptions : Assumptions, optional
        Breach-model assumptions (defaults: :func:`analysis.breach.assumptions.load_assumptions`).
    settings : SimulationSettings, optional
    cache : ModelCache, optional
        Reuse trained models across scenarios that differ only in mitigations, and across calls.
    progress : callable, optional
        Called with a short message at each step (the CLI prints it on stderr, the app shows it).
    """
    started = time.perf_counter()
    settings = settings or SimulationSettings()
    assumptions = assumptions if assumptions is not None else load_assumptions()
    if not isinstance(data, CRMData):
        data = load_crm(data)
    say = progress or (lambda message: None)
    reason = not_applicable(spec, data.schema)
    if reason:
        return ScenarioResult(spec, spec.fingerprint, data.fingerprint, "not_applicable", reason=reason)
    # the whole result, when this very spec was measured before on this data with these settings
    result_key = ("result", data.fingerprint, spec.fingerprint, settings.key, assumptions.fingerprint())
    done = cache.get_result(result_key) if cache is not None else None
    if done is not None:
        return replace(done, spec=spec, gain_retained=_gain_retained(done.lift, reference),
                       seconds=time.perf_counter() - started)
    p = prepare(spec, data, sample_size=settings.sample_size)
    key = (data.fingerprint, spec.model_fingerprint, settings.key)
    cached = cache.get(key) if cache is not None else None
    if cached is None:
        say(f"training {spec.name!r} ({len(p.y_train):,} customers, {len(p.feature_names)} features)")
        lift, model = train_and_measure(
            p.X_train,
            p.y_train,
            p.X_test,
            p.y_test,
            treatment_train=p.treatment_train,
            treatment_test=p.treatment_test,
            control=p.control,
            model=_model_kind(spec),
            epsilon=training_epsilon(spec.epsilon, p.sample),
            k=spec.k,
            population=p.population,
            revenue_test=p.revenue_test,
            true_uplift_test=p.true_uplift_test,
            n_boot=settings.n_boot,
            seed=spec.seed,
        )
        if p.sample is not None and spec.epsilon is not None:
            lift = replace(lift, epsilon_spent=float(spec.epsilon))  # what the business spends (training_epsilon)
        own = _own_population_figure(model, p, lift)
        personalization = personalized_gain(spec, data, p, model, n_boot=settings.n_boot, seed=spec.seed)
        membership = _membership(model, p, settings, spec.seed)
        say(f"measuring exposure of {spec.name!r}")
        risk, attribute, behavioral = measure_exposure(p, data, settings, spec.seed)
        cached = (lift, own, membership, risk, attribute, behavioral, personalization)
        if cache is not None:
            cache.put(key, cached)
    lift, own, membership, risk, attribute, behavioral, personalization = cached
    holding = Holding(
        records=p.customers_held,
        categories=p.categories_held,
        pseudonymized=spec.pseudonymization,
        encrypted_at_rest=spec.encryption_at_rest,
        access_restricted=spec.access_restriction,
        retention_days=spec.retention_days,
    )
    breach = simulate_breach(holding, assumptions, years=settings.breach_years, seed=spec.seed)
    result = ScenarioResult(
        spec=spec,
        fingerprint=spec.fingerprint,
        data_fingerprint=data.fingerprint,
        status="ok",
        lift=lift,
        estimated_on_own_population=own[0],
        true_uplift_at_k_own_population=own[1],
        true_uplift_at_k_everyone=own[2],
        personalization=personalization,
        gain_retained=_gain_retained(lift, reference),
        risk=risk,
        membership=membership,
        attribute=attribute,
        behavioral_uniqueness=behavioral,
        holding=holding,
        breach=breach,
        customers_held=p.customers_held,
        population=p.population,
        columns_used=p.columns_used,
        categories_held=p.categories_held,
        notes=tuple(p.notes),
        sample=p.sample,
        seconds=time.perf_counter() - started,
        curve=lift.curve,
    )
    if cache is not None:
        cache.put_result(result_key, result)
    return result


def _gain_retained(lift: LiftResult, reference: "ScenarioResult | None") -> float | None:
    if reference is None or not reference.ok or reference.lift is None:
        return None
    base = reference.lift.incremental_conversions
    if base and math.isfinite(base) and base > 0:
        return lift.incremental_conversions / base
    return None
