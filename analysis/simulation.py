"""Run one scenario end to end: prepare the data, train and measure the model, measure the exposure of what
is held, and put a price on a breach of it.

>>> from analysis import Scenario, simulate   # doctest: +SKIP
>>> result = simulate(Scenario(name="DP", epsilon=1.0), store)   # doctest: +SKIP
>>> result.lift.incremental_conversions, result.risk.reidentification.k   # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from analysis.breach.assumptions import Assumptions, load_assumptions
from analysis.breach.montecarlo import Holding, simulate_breach
from analysis.consent.gain import personalized_gain
from analysis.lift.evaluate import LiftResult, train_and_measure
from analysis.lru import ByteLRU
from analysis.data import CRMData, load_crm
from analysis.fairness.scenario import ScenarioFairness
from analysis.minimize import Prepared, not_applicable, prepare, sensitive_orders
from analysis.exposure import BEHAVIORAL_POINTS, measure_exposure  # noqa: F401  (BEHAVIORAL_POINTS: public)
from analysis.exposure import attribute as _attribute, behavioral as _behavioral  # noqa: F401
from analysis.risk.profile import (
    AttackResult,
    membership_inference,
)
from analysis.sampling import training_epsilon
from analysis.scenario import EXPOSURE_ONLY_FIELDS, Scenario
from analysis.scenario_result import SAMPLING_FRACTION, ScenarioResult, SimulationSettings

__all__ = ["ScenarioResult", "simulate", "ModelCache", "SimulationSettings", "EXPOSURE_ONLY_FIELDS",
           "SAMPLING_FRACTION"]


class ModelCache:
    """Trained-model results by (data fingerprint, model fingerprint, settings): each distinct model trains
    once; and whole scenario results by spec fingerprint, so a repeated spec is served without any work.
    ``hits``/``misses`` count trained-model look-ups; ``result_hits`` counts whole results served.

    Everything it keeps lives in one :class:`~analysis.lru.ByteLRU`: ``memory`` (shared with other caches, as
    the app does) or a new one of ``max_bytes`` (None, the default: unbounded, as a notebook or the CLI wants).
    The least recently used entries leave first; a result left out is measured again when asked for."""

    def __init__(self, max_bytes: int | None = None, *, memory: ByteLRU | None = None) -> None:
        self.memory = memory if memory is not None else ByteLRU(max_bytes)
        #: learners chosen by ``model="auto"``, by a sha256 of the training data and the selection settings
        self.choices = self.memory.namespace("model-choice")
        self.hits = 0
        self.misses = 0
        self.result_hits = 0
        #: proxy audits by features and attribute (scenarios with the same features share one probe)
        self.audits = self.memory.namespace("proxy-audit")

    def get(self, key: tuple) -> tuple | None:
        item = self.memory.get(("model", key))
        if item is None:
            self.misses += 1
        else:
            self.hits += 1
        return item

    def put(self, key: tuple, value: tuple) -> None:
        self.memory.put(("model", key), value)

    def get_result(self, key: tuple) -> "ScenarioResult | None":
        result = self.memory.get(("result", key))
        if result is not None:
            self.result_hits += 1
        return result

    def put_result(self, key: tuple, result: "ScenarioResult") -> None:
        self.memory.put(("result", key), result)


def _model_kind(spec: Scenario) -> str:
    """The model ``train_and_measure`` trains: the spec's ("auto" selects the learner), or with an ε the
    diffprivlib model (DP scenarios are never selected among; the result's ``model_note`` says why)."""
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
    """Loss-threshold membership inference against the part of the model that learned customers' outcomes
    (the control-arm outcome model, the class-transformation classifier or the response model; see
    :func:`analysis.lift.learners.membership_target`)."""
    from analysis.lift.learners import membership_target

    target = membership_target(model, p.treatment_train)
    if target is None:
        return None
    m_mask = np.ones(len(p.y_train), bool) if target.members is None else target.members
    n_mask = (np.ones(len(p.y_test), bool) if target.arms is None else
              np.isin(p.treatment_test, list(target.arms)))
    y_members = target.labels(p.y_train, p.treatment_train)
    y_outside = target.labels(p.y_test, p.treatment_test)
    limit = settings.attack_samples
    return membership_inference(
        target.predict_proba,
        p.X_train[m_mask][:limit],
        y_members[m_mask][:limit],
        p.X_test[n_mask][:limit],
        y_outside[n_mask][:limit],
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
    if done is not None and not done.ok:
        return replace(done, spec=spec, seconds=time.perf_counter() - started)
    if done is not None:
        return replace(done, spec=spec, gain_retained=_gain_retained(done.headline[0], reference),
                       seconds=time.perf_counter() - started)
    p = prepare(spec, data, sample_size=settings.sample_size)
    fair = ScenarioFairness.of(spec, p, data, settings)
    if spec.fairness == "drop_proxies" and fair.attributes:
        p = fair.drop_proxies(p)
    key = (data.fingerprint, spec.model_fingerprint, settings.key)
    cached = cache.get(key) if cache is not None else None
    notes: list[str] = []
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
            selection_cache=None if cache is None else cache.choices,
        )
        if p.sample is not None and spec.epsilon is not None:
            lift = replace(lift, epsilon_spent=float(spec.epsilon))  # what the business spends (training_epsilon)
        own = _own_population_figure(model, p, lift)
        lift, audit = fair.audit(lift, model, p, cache, lambda: _unmitigated_gain(
            spec, data, reference, assumptions, settings, cache, progress))
        personalization = personalized_gain(spec, data, p, model, n_boot=settings.n_boot, seed=spec.seed)
        membership = _membership(model, p, settings, spec.seed)
        say(f"measuring exposure of {spec.name!r}")
        orders = sensitive_orders(p, data, notes) if p.quasi else {}
        risk, attribute, behavioral = measure_exposure(p, data, settings, spec.seed, orders=orders)
        cached = (lift, own, membership, risk, attribute, behavioral, personalization, audit, tuple(notes))
        if cache is not None:
            cache.put(key, cached)
    lift, own, membership, risk, attribute, behavioral, personalization, audit, order_notes = cached
    categories_held = fair.categories_held(p)
    if spec.discard_training_data:  # only the model and the contact details are held once it is trained
        risk = attribute = behavioral = None
        categories_held = tuple(c for c in categories_held if c == "contact")
    holding = Holding(
        records=p.customers_held,
        categories=categories_held,
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
        risk=risk,
        membership=membership,
        attribute=attribute,
        behavioral_uniqueness=behavioral,
        fairness=audit,
        holding=holding,
        breach=breach,
        customers_held=p.customers_held,
        population=p.population,
        columns_used=fair.columns_used(p),
        categories_held=categories_held,
        notes=tuple(p.notes) + order_notes + fair.notes,
        sample=p.sample,
        seconds=time.perf_counter() - started,
        curve=lift.curve,
    )
    result = replace(result, gain_retained=_gain_retained(result.headline[0], reference))
    if not math.isfinite(result.headline[0]):  # a figure nobody can compare: the scenario cannot be measured here
        result = ScenarioResult(spec, spec.fingerprint, data.fingerprint, "not_applicable",
                                reason=unmeasurable_reason(len(p.y_test)), seconds=result.seconds)
    if cache is not None:
        cache.put_result(result_key, result)
    return result


def unmeasurable_reason(held_out: int) -> str:
    """Why a scenario's gain could not be measured (a dataset too small to tell the targeted from the others)."""
    from analysis.formatting import count

    return (f"the gain could not be measured: too few treated or control customers among the {count(held_out)} "
            "held out for testing (a campaign of more customers is needed)")


def _unmitigated_gain(spec, data, reference, assumptions, settings, cache, progress) -> float | None:
    """Incremental conversions of the same scenario without its fairness mitigation (served by the cache when
    that scenario was measured too)."""
    plain = simulate(spec.replace(fairness="none"), data, reference=reference, assumptions=assumptions,
                     settings=settings, cache=cache, progress=progress)
    return plain.lift.incremental_conversions if plain.ok else None


def _gain_retained(gain: float, reference: "ScenarioResult | None") -> float | None:
    """The headline gain over the full-data model's (everyone personalized)."""
    if reference is None or not reference.ok or reference.lift is None:
        return None
    base = reference.lift.incremental_conversions
    if base and math.isfinite(base) and base > 0:
        return gain / base
    return None

