"""The fairness audit of one scenario: whom its model targets, by every audited attribute, and how well its
features stand in for each (typed results, their JSON, their tables for charts).

>>> import polars as pl
>>> rng = np.random.default_rng(1)
>>> n = 2000
>>> member = rng.random(n) < 0.4
>>> X = np.column_stack([member * 0.5 + rng.random(n) * 0.5, rng.random(n)])
>>> score = X[:, 0] + rng.random(n)
>>> from analysis.dictionary import ColumnSpec
>>> attrs = (audited_attribute(ColumnSpec("member", "sensitive", type="boolean")),)
>>> groups = pl.DataFrame({"member": pl.Series(member).cast(pl.String)})
>>> audit = fairness_audit(score, groups, attrs, k=0.3, X=X, feature_names=["visits", "noise"])
>>> a = audit.attributes[0]
>>> a.selection.highest, a.selection.ratio < 0.8, a.proxy.top[0][0]
('true', True, 'visits')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import polars as pl

from analysis.fairness.groups import AuditedAttribute, audited_attribute  # noqa: F401  (doctest)
from analysis.fairness.proxies import ProxyAudit, ProxyProbe, sample_rows
from analysis.fairness.selection import FOUR_FIFTHS, SelectionAudit, selection_audit
from analysis.fairness.words import attribute_sentence
from analysis.formatting import small

__all__ = ["AttributeAudit", "FairnessAudit", "fairness_audit", "targeted", "own_columns"]


@dataclass(frozen=True)
class AttributeAudit:
    """One audited attribute in one scenario."""

    attribute: AuditedAttribute
    selection: SelectionAudit
    proxy: ProxyAudit | None
    #: the model reads the attribute itself (not only its proxies)
    used_by_model: bool
    sentence: str

    @property
    def name(self) -> str:
        return self.attribute.name

    def to_dict(self) -> dict[str, Any]:
        s, p = self.selection, self.proxy
        return {
            "attribute": self.name,
            "audited_because": self.attribute.reason,
            "used_by_model": self.used_by_model,
            "groups": [{"group": g.group, "customers": small(g.customers), "selection_rate": g.selection_rate,
                        "ci_low": g.ci_low, "ci_high": g.ci_high} for g in s.groups],
            "ratio": s.ratio,
            "ratio_ci": None if s.ratio_ci is None else list(s.ratio_ci),
            "difference": s.difference,
            "difference_ci": None if s.difference_ci is None else list(s.difference_ci),
            "lowest_group": s.lowest,
            "highest_group": s.highest,
            "meets_four_fifths": s.meets_four_fifths,
            "proxy_auc": None if p is None else p.auc,
            "proxy_auc_ci": None if p is None or p.auc_ci is None else list(p.auc_ci),
            "top_proxies": [] if p is None else [{"feature": f, "auc": a} for f, a in p.top],
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class FairnessAudit:
    """Whom a scenario targets, by audited attribute, and the mitigation it applied."""

    attributes: tuple[AttributeAudit, ...]
    k: float
    #: held-out customers audited and how many of them are targeted
    customers: int
    targeted: int
    #: the scenario's ``fairness`` field: "none", "drop_proxies" or "group_quota"
    mitigation: str = "none"
    #: incremental conversions of the same scenario without its mitigation (None without one)
    gain_without_mitigation: float | None = None
    gain_with_mitigation: float | None = None
    #: features left out by ``drop_proxies``
    dropped_features: tuple[str, ...] = field(default=())

    @property
    def worst(self) -> AttributeAudit | None:
        """The attribute with the lowest selection-rate ratio."""
        rated = [a for a in self.attributes if a.selection.ratio is not None]
        return min(rated, key=lambda a: a.selection.ratio) if rated else None

    @property
    def meets_four_fifths(self) -> bool | None:
        """Every audited attribute's ratio is at least 0.8 (None when no ratio can be computed)."""
        rated = [a.selection.meets_four_fifths for a in self.attributes if a.selection.ratio is not None]
        return all(rated) if rated else None

    @property
    def breaking(self) -> tuple[str, ...]:
        """Attributes whose ratio is under the four-fifths line."""
        return tuple(a.name for a in self.attributes if a.selection.meets_four_fifths is False)

    @property
    def gain_cost(self) -> float | None:
        """Incremental conversions given up for the mitigation."""
        if self.gain_without_mitigation is None or self.gain_with_mitigation is None:
            return None
        return self.gain_without_mitigation - self.gain_with_mitigation

    @property
    def gain_cost_share(self) -> float | None:
        """The gain given up as a share of the gain without the mitigation."""
        cost, before = self.gain_cost, self.gain_without_mitigation
        return None if cost is None or not before else cost / before

    def to_list(self) -> list[dict[str, Any]]:
        """The ``fairness`` list of ``simulate --json``."""
        return [a.to_dict() for a in self.attributes]

    def mitigation_dict(self) -> dict[str, Any]:
        return {"mitigation": self.mitigation, "four_fifths": FOUR_FIFTHS, "meets_four_fifths": self.meets_four_fifths,
                "attributes_below": list(self.breaking), "customers_audited": self.customers,
                "customers_targeted": self.targeted, "gain_without_mitigation": self.gain_without_mitigation,
                "gain_cost": self.gain_cost, "gain_cost_share": self.gain_cost_share,
                "dropped_features": list(self.dropped_features)}

    def ratios(self) -> pl.DataFrame:
        """attribute, ratio, ratio_ci_low, ratio_ci_high, difference, used_by_model, proxy_auc (for charts)."""
        rows = [{"attribute": a.name, "ratio": a.selection.ratio,
                 "ratio_ci_low": None if a.selection.ratio_ci is None else a.selection.ratio_ci[0],
                 "ratio_ci_high": None if a.selection.ratio_ci is None else a.selection.ratio_ci[1],
                 "difference": a.selection.difference, "used_by_model": a.used_by_model,
                 "proxy_auc": None if a.proxy is None else a.proxy.auc} for a in self.attributes]
        return pl.DataFrame(rows, schema={"attribute": pl.String, "ratio": pl.Float64, "ratio_ci_low": pl.Float64,
                                          "ratio_ci_high": pl.Float64, "difference": pl.Float64,
                                          "used_by_model": pl.Boolean, "proxy_auc": pl.Float64})

    def proxies(self) -> pl.DataFrame:
        """attribute, used_by_model, proxy_auc, feature, feature_auc: one row per named proxy feature."""
        rows = []
        for a in self.attributes:
            top = a.proxy.top if a.proxy is not None and a.proxy.top else ((None, None),)
            for feature, auc in top:
                rows.append({"attribute": a.name, "used_by_model": a.used_by_model,
                             "proxy_auc": None if a.proxy is None else a.proxy.auc,
                             "feature": feature, "feature_auc": auc})
        return pl.DataFrame(rows, schema={"attribute": pl.String, "used_by_model": pl.Boolean,
                                          "proxy_auc": pl.Float64, "feature": pl.String, "feature_auc": pl.Float64})

    def groups(self) -> pl.DataFrame:
        """attribute, group, customers (None when suppressed), selection_rate, ci_low, ci_high."""
        rows = [{"attribute": a.name, "group": g.group, "customers": None if g.suppressed else g.customers,
                 "selection_rate": g.selection_rate, "ci_low": g.ci_low, "ci_high": g.ci_high}
                for a in self.attributes for g in a.selection.groups]
        return pl.DataFrame(rows, schema={"attribute": pl.String, "group": pl.String, "customers": pl.Int64,
                                          "selection_rate": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64})


def targeted(score: np.ndarray, k: float) -> np.ndarray:
    """The top share ``k`` by score (ties broken as the lift measurement breaks them)."""
    score = np.asarray(score, float)
    take = int(len(score) * k)
    chosen = np.zeros(len(score), bool)
    chosen[np.argsort(score, kind="mergesort")[::-1][:take]] = True
    return chosen


def own_columns(attribute: str, feature_names: Sequence[str]) -> tuple[str, ...]:
    """The model features that are the attribute itself (its value or one-hot levels)."""
    return tuple(f for f in feature_names if f == attribute or f.startswith(f"{attribute}="))


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.hexdigest()


def fairness_audit(score: np.ndarray, groups: pl.DataFrame, attributes: Sequence[AuditedAttribute], *, k: float,
                   X: np.ndarray | None = None, feature_names: Sequence[str] = (), samples: int = 2000,
                   seed: int = 0, proxy_cache: dict | None = None, **mitigation: Any) -> FairnessAudit:
    """Audit one scenario: ``score`` of each held-out customer (higher = targeted first), ``groups`` their
    group on every attribute (:func:`~analysis.fairness.groups.group_labels`), ``X``/``feature_names`` the
    scenario's features of the same customers (for the proxy audit; None skips it).

    ``proxy_cache``: a dict reused across scenarios whose features are the same (the probe is then run once).
    ``mitigation``: keyword fields of :class:`FairnessAudit` (mitigation, gain_without_mitigation, …).
    """
    chosen = targeted(score, k)
    order = {a.name: a.order for a in attributes}
    selections = {s.attribute: s for s in selection_audit(chosen, groups.select([a.name for a in attributes]),
                                                          order=order)}
    names = list(feature_names)
    features = probe = None
    if proxy_cache is not None and X is not None:
        # the probe reads only its sample of customers: the key hashes those rows
        read = X[sample_rows(len(X), samples, seed)]
        features = _digest(np.ascontiguousarray(read).tobytes(), "\x1f".join(names).encode(),
                           repr((len(X), samples, seed)).encode())
    out = []
    for a in attributes:
        own = own_columns(a.name, names)
        proxy = None
        if X is not None and X.shape[1]:
            key = None if features is None else _digest(features.encode(), "\x1f".join(own).encode(),
                                                       groups[a.name].hash().to_numpy().tobytes())
            proxy = proxy_cache.get(key) if key is not None else None
            if proxy is None:
                probe = probe or ProxyProbe(X, names, samples=samples, seed=seed)
                proxy = probe.audit(groups[a.name].to_numpy(), attribute=a.name, own_columns=own)
                if key is not None:
                    proxy_cache[key] = proxy
        selection = selections[a.name]
        out.append(AttributeAudit(a, selection, proxy, bool(own),
                                  attribute_sentence(a, selection, proxy, bool(own))))
    return FairnessAudit(tuple(out), k=k, customers=len(chosen), targeted=int(chosen.sum()), **mitigation)
