"""How exposed the customers a scenario holds are: its risk profile, the attribute-inference attack and
behavioural uniqueness, measured on what :func:`analysis.minimize.prepare` says is held.

A CRM modelled whole holds a polars frame; a sampled one (:mod:`analysis.sampling`) a DuckDB workspace table of
every held customer, measured in place — and scenarios that hold the same data (the status quo, its DP and
retention variants) share these measures instead of recomputing them.
"""

from __future__ import annotations

from typing import Any

from analysis.data import CRMData
from analysis.minimize import Prepared
from analysis.risk.profile import AttackResult, RiskProfile, attribute_inference, behavioral_uniqueness, risk_profile
from analysis.sampling import held_event_points, measured, trace_uniqueness
from analysis.store._workspace import Table

__all__ = ["BEHAVIORAL_POINTS", "attribute", "behavioral", "measure_exposure"]

#: events a customer's trace is tested with (de Montjoye et al. 2015 used 4 points)
BEHAVIORAL_POINTS = 4


def attribute(p: Prepared, data: CRMData, settings: Any, seed: int) -> AttackResult | None:
    """Can the retained quasi-identifiers reveal the first sensitive attribute of a held customer? (Only when the
    business holds it: data it does not hold cannot be read back after a breach.)"""
    if isinstance(p.exposed, Table):  # a sampled CRM: attacked in place, over every held customer
        if "__attack_target" not in p.exposed.columns or not p.quasi or p.exposed.height < 20:
            return None
        return attribute_inference(p.exposed, list(p.quasi), "__attack_target", n_attacks=settings.attack_samples,
                                   seed=seed, key="__who")
    if p.attack_target is None or p.attack_target.name not in p.sensitive or not p.quasi or p.exposed.height < 20:
        return None
    target = p.attack_target.name
    known = [q for q in p.quasi if q != target]
    frame = p.exposed.select(known).with_columns(p.attack_target.alias(target))
    return attribute_inference(frame, known, target, n_attacks=settings.attack_samples, seed=seed)


def behavioral(p: Prepared, data: CRMData, settings: Any, seed: int) -> float | None:
    """Share of held customers singled out by 4 of their own retained events (day + what was bought)."""
    if not p.events_held:
        return None
    if isinstance(p.exposed, Table):  # a sampled CRM: sampled targets, matched against every held customer
        if p.exposed.height == 0:
            return None
        traces = trace_uniqueness(data, p.exposed, p.spec.retention_days, points=BEHAVIORAL_POINTS, seed=seed,
                                  max_customers=settings.attack_samples)
        if traces is None or not traces["targets"]:
            return None
        return float(traces["unique"]) / traces["targets"]
    if p.held_keys.len() == 0:
        return None
    trace_counts = getattr(data, "trace_counts", None)
    if trace_counts is not None:  # a warehouse CRM: the engine counts, with the store's draws
        found = trace_counts(p.held_keys, p.spec.retention_days, points=BEHAVIORAL_POINTS, seed=seed,
                             max_customers=settings.attack_samples)
        if found is None:
            return None
        share = found["unique"] / found["customers"] if found["customers"] else 0.0
        return float(share) * found["eligible"] / p.held_keys.len()
    points = held_event_points(data, p.held_keys, p.spec.retention_days)
    if points is None:
        return None
    try:
        if points.height == 0:
            return 0.0
        found = behavioral_uniqueness(
            points, key=data.schema.events.key, point_columns=["day", "point"], points=(BEHAVIORAL_POINTS,),
            seed=seed, max_customers=settings.attack_samples,
        ).row(0, named=True)
    finally:
        points.workspace.drop(points.name)
    # the share is among customers with at least 4 distinct events; the others cannot be singled out this way
    return float(found["share"] or 0.0) * found["eligible"] / p.held_keys.len()


def measure_exposure(p: Prepared, data: CRMData, settings: Any, seed: int, *,
                     orders: dict[str, tuple] | None = None
                     ) -> tuple[RiskProfile | None, AttackResult | None, float | None]:
    """``(risk profile, attribute inference, behavioural uniqueness)`` of what a prepared scenario holds;
    ``orders``: the dictionary order of sensitive columns (ordered t-closeness)."""
    population = settings.population_for(p.customers_held)

    def profile() -> RiskProfile | None:
        if not p.quasi:
            return None
        return risk_profile(p.exposed, p.quasi, p.sensitive, threshold=settings.risk_threshold,
                            population=population, orders=orders or None)

    if isinstance(p.exposed, Table):  # a sampled CRM: scenarios holding the same data share these
        order_key = tuple(sorted((orders or {}).items()))
        risk = measured(data, ("risk", p.exposed.name, p.quasi, p.sensitive, settings.risk_threshold, population,
                               order_key), profile)
        attack = measured(data, ("attribute", p.exposed.name, p.quasi, settings.attack_samples, seed),
                          lambda: attribute(p, data, settings, seed))
    else:
        risk, attack = profile(), attribute(p, data, settings, seed)
    return risk, attack, behavioral(p, data, settings, seed)
