"""Who a scenario may personalize, and the gain counted with only them personalized.

A scenario names the purpose its model serves (``consent_purpose``) and the legal basis it rests on
(:attr:`~analysis.Scenario.effective_legal_basis`). When the gain is counted, only customers that basis covers
are personalized; everyone else gets the default treatment (they are not contacted by the model, so they add
nothing to the incremental conversions):

- **consent**: the customers who consented to *that* purpose (the dictionary's consent column whose
  ``purpose`` it is; in the simulated opt-in regime, those who opt in);
- **legitimate interest**: everyone who has not objected (in the opt-out regime, all but those who opt out).

Customers who asked for erasure are never personalized. The business contacts the same number of customers as
without the rule (``k`` × customers) when enough of them may be personalized, else all who may be: the share of
the eligible customers it contacts is ``min(1, k × customers / eligible)``. The gain is measured on the held-out
customers who may be personalized, as :func:`analysis.lift.evaluate.train_and_measure` measures the headline
(best-arm policy, bootstrap interval), and scaled to the eligible customers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from analysis.data import CRMData
from analysis.lift.bootstrap import bootstrap_incremental
from analysis import sampling
from analysis.minimize import Prepared, modelled_populations  # the same seeded draws as prepare()
from analysis.scenario import Scenario

__all__ = ["PersonalizedGain", "Targeting", "eligible_customers", "targeting", "personalized_gain"]

#: fewest held-out eligible customers for a gain to be measured (below it the figure is not shown)
MIN_MEASURED = 50
#: ``bootstrap_incremental`` takes a share below 1: "everyone eligible" is measured at this share
_ALMOST_ALL = 1 - 1e-9


@dataclass(frozen=True)
class PersonalizedGain:
    """The gain with only the customers the legal basis covers personalized (counts at the business's scale)."""

    purpose: str
    legal_basis: str
    #: customers who may be personalized (consenters of the purpose, or all who have not objected)
    eligible: int
    eligible_share: float
    #: customers the model personalizes: min(k × customers, eligible)
    personalized: int
    #: "uplift" or "targeting", as the headline lift
    kind: str
    #: None when fewer than MIN_MEASURED held-out customers may be personalized
    incremental_conversions: float | None
    ci_low: float | None
    ci_high: float | None
    #: from the ground truth of the customers personalized (synthetic data only)
    true_incremental_conversions: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Targeting:
    """Who is personalized among the held-out customers (in memory only; never saved or shown)."""

    #: keys of the held-out customers, in the order of ``Prepared.X_test``
    keys: pl.Series
    eligible: np.ndarray
    personalized: np.ndarray
    score: np.ndarray
    #: the share of the eligible customers contacted
    share: float
    eligible_count: int
    personalized_count: int


def _rule(spec: Scenario) -> tuple[bool, bool]:
    """(held customers only, consenters of the purpose only): whom the legal basis covers."""
    if spec.effective_legal_basis == "consent":
        return True, spec.consent != "opt_in"
    return spec.consent in ("ignore", "opt_out"), False


def eligible_customers(spec: Scenario, data: CRMData, p: Prepared | None = None) -> np.ndarray:
    """Who may be personalized: a boolean mask over ``data.customers`` (see the module docstring) — over the
    customers ``p`` modelled when it was prepared on a sample of a large CRM."""
    frame, _, erased, allowed = modelled_populations(spec, data, None if p is None else p.sample)
    column = data.schema.consent_column(spec.consent_purpose)
    consented = (frame[column].fill_null(False).cast(pl.Boolean).to_numpy() if column
                 else np.zeros(frame.height, bool))
    held_only, consent_only = _rule(spec)
    mask = allowed if held_only else np.ones(frame.height, bool)
    if consent_only:
        mask = mask & consented
    return mask & ~erased


def _eligible_count(spec: Scenario, data: CRMData, p: Prepared, eligible_all: np.ndarray) -> int:
    """Customers who may be personalized, over everyone (counted in DuckDB for a sampled CRM)."""
    if p.sample is None:
        return int(eligible_all.sum())
    held_only, consent_only = _rule(spec)
    column = data.schema.consent_column(spec.consent_purpose) if consent_only else None
    if consent_only and column is None:
        return 0
    return sampling.count_held(data, spec, consent_column=column, held_only=held_only)


def _scores(model: Any, p: Prepared) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(score, matched rows of the best-arm policy, treated) over the held-out customers."""
    if p.treatment_test is None:
        return np.asarray(model.predict_score(p.X_test), dtype=float), None, None
    uplift = model.predict_uplift(p.X_test)
    best = np.argmax(uplift, axis=1)
    score = uplift[np.arange(len(best)), best]
    arms = np.asarray(model.arms_)
    is_control = p.treatment_test == p.control
    matched = is_control | (p.treatment_test == arms[1:][best])
    return score, matched, ~is_control


def targeting(spec: Scenario, data: CRMData, p: Prepared, model: Any) -> Targeting:
    """The held-out customers the scenario may personalize, and those its model picks (the top of them)."""
    frame, is_test, erased, _ = modelled_populations(spec, data, p.sample)
    test = is_test & ~erased
    eligible_all = eligible_customers(spec, data, p)
    eligible = eligible_all[test]
    if eligible.size != len(p.y_test):
        raise ValueError("targeting: the prepared data does not belong to this scenario and dataset.")
    eligible_count = _eligible_count(spec, data, p, eligible_all)
    personalized_count = min(int(round(spec.k * p.population)), eligible_count)
    share = personalized_count / eligible_count if eligible_count else 0.0
    score = _scores(model, p)[0]
    picked = np.zeros(eligible.size, bool)
    rows = np.flatnonzero(eligible)
    take = int(round(share * rows.size))
    if take:
        picked[rows[np.argsort(-score[rows], kind="stable")[:take]]] = True
    keys = frame[data.schema.key].filter(pl.Series(test))
    return Targeting(keys=keys, eligible=eligible, personalized=picked, score=score, share=share,
                     eligible_count=eligible_count, personalized_count=personalized_count)


def personalized_gain(spec: Scenario, data: CRMData, p: Prepared, model: Any, *, n_boot: int = 200,
                      seed: int = 0) -> PersonalizedGain:
    """The gain with only the customers the legal basis covers personalized (module docstring)."""
    t = targeting(spec, data, p, model)
    kind = "targeting" if p.treatment_test is None else "uplift"
    base = dict(purpose=spec.consent_purpose, legal_basis=spec.effective_legal_basis, eligible=t.eligible_count,
                eligible_share=t.eligible_count / p.population if p.population else 0.0,
                personalized=t.personalized_count, kind=kind)
    if t.personalized_count == 0:
        return PersonalizedGain(**base, incremental_conversions=0.0, ci_low=0.0, ci_high=0.0,
                                true_incremental_conversions=0.0 if p.true_uplift_test is not None else None)
    score, matched, treated = _scores(model, p)
    rows = t.eligible if matched is None else t.eligible & matched
    if rows.sum() < MIN_MEASURED:
        return PersonalizedGain(**base, incremental_conversions=None, ci_low=None, ci_high=None)
    share = min(t.share, _ALMOST_ALL)
    options = dict(k=share, population=t.eligible_count, n_boot=n_boot, seed=seed)
    if treated is None:
        estimate, low, high = bootstrap_incremental(p.y_test[rows], score[rows], **options)
    else:
        estimate, low, high = bootstrap_incremental(p.y_test[rows], score[rows],
                                                            treated[rows].astype(float), **options)
    truth = None
    if p.true_uplift_test is not None and matched is not None:
        uplift = model.predict_uplift(p.X_test)
        best = np.argmax(uplift, axis=1)
        true = p.true_uplift_test[np.arange(len(best)), best] if p.true_uplift_test.ndim == 2 \
            else p.true_uplift_test
        truth = float(true[t.personalized].mean()) * t.personalized_count if t.personalized.any() else 0.0
    return PersonalizedGain(**base, incremental_conversions=float(estimate), ci_low=float(low), ci_high=float(high),
                            true_incremental_conversions=truth)
