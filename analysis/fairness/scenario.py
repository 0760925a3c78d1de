"""The audit inside :func:`analysis.simulation.simulate`: the audited attributes of the held-out customers (read
from the customer view, whether or not the model may use them), the scenario's mitigation, and the audit of the
trained model's targeting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from analysis.fairness.audit import FairnessAudit, fairness_audit, own_columns
from analysis.fairness.groups import AuditedAttribute, audited_attributes, group_labels
from analysis.fairness.mitigation import proxies_to_drop, quota_lift

__all__ = ["ScenarioFairness", "scores"]


def scores(model: Any, X: np.ndarray, kind: str) -> np.ndarray:
    """The score the scenario targets by: the best arm's predicted uplift, or the predicted response."""
    if kind == "uplift":
        return np.asarray(model.predict_uplift(X)).max(axis=1)
    return np.asarray(model.predict_score(X))


@dataclass
class ScenarioFairness:
    """What the audit of one prepared scenario needs, and what its mitigation changed."""

    spec: Any
    attributes: tuple[AuditedAttribute, ...]
    #: each held-out customer's group on every audited attribute (in memory only)
    groups: pl.DataFrame | None
    data: Any
    samples: int
    n_boot: int = 200
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, spec, p, data, settings) -> "ScenarioFairness":
        attributes = audited_attributes(data.schema)
        groups = None
        if attributes and p.test_index is not None:
            names = [a.name for a in attributes]
            view = (data.customers if p.rows is None else p.rows).select(names)
            groups = group_labels(view[p.test_index], attributes, reference=view)
        notes = ()
        if spec.fairness != "none" and not attributes:
            notes = ("fairness mitigation: the dictionary audits no attribute (no sensitive or protected "
                     "column), so nothing is changed",)
        return cls(spec, attributes, groups, data, settings.attack_samples, settings.n_boot, notes=notes)

    # ---- mitigations ----------------------------------------------------------------------------------
    def drop_proxies(self, p):
        """The prepared scenario without the features that give an audited attribute away."""
        names = [a.name for a in self.attributes]
        view = (self.data.customers if p.rows is None else p.rows).select(names)
        labels = group_labels(view[p.train_index], self.attributes, reference=view)
        own = {a.name: own_columns(a.name, p.feature_names) for a in self.attributes}
        with threadpool_limits(1):
            drop = proxies_to_drop(p.X_train, p.feature_names, labels, own=own, samples=self.samples,
                                   seed=self.spec.seed)
        self.dropped = tuple(drop)
        keep = np.array([f not in set(drop) for f in p.feature_names], bool)
        self.notes += (f"drop proxies: {len(drop)} of {len(p.feature_names)} features left out of the model "
                       f"because they give an audited attribute away",)
        return replace(p, X_train=p.X_train[:, keep], X_test=p.X_test[:, keep],
                       feature_names=[f for f, k in zip(p.feature_names, keep) if k])

    def categories_held(self, p) -> tuple[str, ...]:
        """Categories of data held: with the group quota, the audited attributes' too (it reads them)."""
        if self.spec.fairness != "group_quota" or not self.attributes:
            return p.categories_held
        extra = {a.category for a in self.attributes if a.category}
        if not extra <= set(p.categories_held):
            note = ("group quota: the audited attributes are read to pick whom to contact, so the business holds "
                    "them (" + ", ".join(a.name for a in self.attributes) + ")")
            if note not in self.notes:
                self.notes += (note,)
        return tuple(sorted(set(p.categories_held) | extra))

    def columns_used(self, p) -> tuple[str, ...]:
        """Columns the scenario uses: with the group quota, the audited attributes too (read to pick whom to
        contact, so a policy on sensitive data applies to them)."""
        if self.spec.fairness != "group_quota" or not self.attributes:
            return p.columns_used
        return tuple(p.columns_used) + tuple(a.name for a in self.attributes if a.name not in p.columns_used)

    # ---- the audit ------------------------------------------------------------------------------------
    def audit(self, lift, model, p, cache, unmitigated_gain: Callable[[], float | None]
              ) -> tuple[Any, FairnessAudit | None]:
        """``(lift, audit)``: the lift re-measured with the group quota when the scenario asks for it, and the
        audit of whom the (re-ranked) model targets. One native thread (as the models: see
        :func:`analysis.lift.evaluate.train_and_measure`)."""
        with threadpool_limits(1):
            return self._audit(lift, model, p, cache, unmitigated_gain)

    def _audit(self, lift, model, p, cache, unmitigated_gain):
        if not self.attributes or self.groups is None or p.X_test.shape[0] == 0:
            return lift, None
        spec = self.spec
        without = None
        if spec.fairness == "group_quota":
            without = lift.incremental_conversions
            lift, score = quota_lift(
                lift, model, p.X_test, self.groups, y_test=p.y_test, treatment_test=p.treatment_test,
                control=p.control, k=spec.k, population=p.population, revenue_test=p.revenue_test,
                true_uplift_test=p.true_uplift_test, n_boot=self.n_boot,
                seed=spec.seed)
        else:
            score = scores(model, p.X_test, lift.kind)
            if spec.fairness == "drop_proxies":
                without = unmitigated_gain()
        audit = fairness_audit(
            score, self.groups, self.attributes, k=spec.k, X=p.X_test, feature_names=p.feature_names,
            samples=self.samples, seed=spec.seed, proxy_cache=None if cache is None else cache.audits,
            mitigation=spec.fairness, gain_without_mitigation=without,
            gain_with_mitigation=lift.incremental_conversions if spec.fairness != "none" else None,
            dropped_features=self.dropped)
        return lift, audit
