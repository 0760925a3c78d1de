"""Fairness mitigations a scenario can choose (its ``fairness`` field), and what they cost in gain.

``group_quota``
    Re-rank within groups: every customer's score is replaced by its rank among the customers of its cell (the
    combination of its groups on every audited attribute), as a share, with a seeded random offset inside each
    rank; how many of each cell are targeted is rounded so the shares add up (:func:`quota_scores`). The top k
    take the same share k of every cell, so every group of every attribute is targeted at about the rate k
    and every ratio is near 1. The model and the order *within* each cell are unchanged. The quota reads the
    audited attributes when it picks whom to contact: the business has to hold them.
``drop_proxies``
    Before training, every feature that on its own predicts an audited attribute with an AUC of at least
    :data:`PROXY_DROP_AUC` on the training customers is left out (the attribute's own columns too).

The gain is measured the same way as for any scenario (:func:`quota_lift` repeats the measurement of
:func:`analysis.lift.evaluate.train_and_measure` on the re-ranked scores), so the cost of a mitigation is the
difference in incremental conversions against the same scenario without it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import polars as pl
from scipy.stats import rankdata

from analysis.fairness.proxies import _oriented_best

__all__ = ["MITIGATIONS", "quota_scores", "proxies_to_drop", "quota_lift", "PROXY_DROP_AUC"]

#: the values of a scenario's ``fairness`` field
MITIGATIONS = ("none", "drop_proxies", "group_quota")
#: a feature whose own AUC for an audited attribute reaches this is a proxy to drop (PrivacyLift assumption:
#: about 5 standard errors above 0.5 for a group of 100 among 2,000 customers, where one feature alone starts to
#: tell groups apart clearly; the user can leave out more columns by name)
PROXY_DROP_AUC = 0.65


def quota_scores(score: np.ndarray, groups: pl.DataFrame, k: float) -> np.ndarray:
    """Scores re-ranked so the top share ``k`` takes the same share of every cell of ``groups`` (one column per
    audited attribute; a cell is one combination of their groups).

    How many of a cell are targeted is rounded systematically: ``floor(k·C_c) − floor(k·C_{c−1})`` with
    ``C_c`` the customers in the cells up to c (cells in order of their groups, the attribute with the smallest
    group first), so the counts add up to the top k exactly and every run of consecutive cells — each group of
    the first attribute, each group of the second within it, … — gets its share within one customer; a cell of
    one is targeted once in every 1/k such cells. Within a cell the model's order is kept: its best-scored
    customers are the ones targeted. Returns a score: 1 + a share for the customers targeted, a share in [0, 1)
    for the others (each by its rank within its cell).

    >>> s = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.3])
    >>> g = pl.DataFrame({"a": ["x", "x", "x", "y", "y", "y"]})
    >>> top = np.argsort(-quota_scores(s, g, 1 / 3))[:2]
    >>> sorted(g["a"].gather(top).to_list())
    ['x', 'y']
    """
    score = np.asarray(score, float)
    if groups.width == 0 or len(score) == 0:
        return score
    smallest = sorted(groups.columns, key=lambda c: groups[c].value_counts()["count"].min())
    frame = groups.select(smallest).with_columns(pl.Series("_score", score), pl.int_range(pl.len()).alias("_row"))
    frame = frame.sort([*smallest, "_score"], descending=[False] * len(smallest) + [True], maintain_order=True)
    cell = pl.struct(smallest).rank("dense") if len(smallest) > 1 else pl.col(smallest[0]).rank("dense")
    frame = frame.with_columns(cell.alias("_cell")).with_columns(
        pl.int_range(1, pl.len() + 1).over("_cell").alias("_rank"),
        pl.len().over("_cell").alias("_size"),
        pl.int_range(1, pl.len() + 1).alias("_upto"),  # customers in the cells before this one, and this one
    )
    ends = frame.group_by("_cell").agg(pl.col("_upto").max().alias("_end"), pl.col("_size").first())
    ends = ends.with_columns(
        ((pl.col("_end") * k).floor() - ((pl.col("_end") - pl.col("_size")) * k).floor()).alias("_quota"))
    frame = frame.join(ends.select("_cell", "_quota"), on="_cell", how="left")
    within = 1 - (frame["_rank"].cast(pl.Float64) - 0.5) / frame["_size"].cast(pl.Float64)
    adjusted = (frame["_rank"] <= frame["_quota"]).cast(pl.Float64) + within
    out = np.empty(len(score))
    out[frame["_row"].to_numpy()] = adjusted.to_numpy()
    return out


def proxies_to_drop(X: np.ndarray, feature_names: Sequence[str], labels: pl.DataFrame, *,
                    own: dict[str, Sequence[str]], samples: int = 2000, seed: int = 0) -> list[str]:
    """Features to leave out for ``drop_proxies``: each audited attribute's own columns and every feature
    whose own AUC for an attribute (on at most ``samples`` training customers) reaches :data:`PROXY_DROP_AUC`."""
    names = list(feature_names)
    drop = {f for cols in own.values() for f in cols if f in names}
    n = X.shape[0]
    rows = np.sort(np.random.default_rng([seed, 13]).permutation(n)[:samples]) if n > samples else np.arange(n)
    ranks = rankdata(X[rows], axis=0)
    for attribute in labels.columns:
        codes = np.unique(labels[attribute].to_numpy()[rows].astype(str), return_inverse=True)[1]
        classes = np.unique(codes)
        if len(classes) < 2:
            continue
        auc = _oriented_best(ranks, codes, classes[1:] if len(classes) == 2 else classes)
        drop |= {names[i] for i in np.flatnonzero(auc >= PROXY_DROP_AUC)}
    return [f for f in names if f in drop]


def _top_mean(values: np.ndarray, score: np.ndarray, k: float) -> float:
    take = int(len(score) * k)
    return float(values[np.argsort(score, kind="mergesort")[::-1][:take]].mean()) if take else float("nan")


def quota_lift(lift, model, X_test: np.ndarray, groups: pl.DataFrame, *, y_test, treatment_test, control, k,
               population, revenue_test=None, true_uplift_test=None, n_boot=200, seed=0):
    """The scenario's :class:`~analysis.lift.evaluate.LiftResult` measured again with the quota's targeting:
    the same model and held-out customers, the scores re-ranked within groups (:func:`quota_scores`).
    Returns ``(lift, adjusted scores of every held-out customer)``."""
    from analysis.lift import metrics
    from analysis.lift.bootstrap import bootstrap_incremental

    population = float(len(y_test) if population is None else population)
    options = dict(k=k, population=population, n_boot=n_boot, seed=seed)
    y = np.asarray(y_test, float)
    if lift.kind != "uplift":
        score = quota_scores(model.predict_score(X_test), groups, k)
        estimate, low, high = bootstrap_incremental(y, score, **options)
        money = (bootstrap_incremental(np.asarray(revenue_test, float), score, **options)
                 if revenue_test is not None else (None,) * 3)
        return replace(lift, lift_at_k=metrics.lift_at_k(y, score, k), incremental_conversions=estimate,
                       ci_low=low, ci_high=high, incremental_revenue=money[0], revenue_ci_low=money[1],
                       revenue_ci_high=money[2], true_incremental_conversions=None,
                       curve=metrics.curve_frame("gains", y, score)), score
    arms = np.asarray(treatment_test)
    uplift = model.predict_uplift(X_test)
    fitted_arms = getattr(model, "arms_", None)
    arm_labels = (np.asarray(fitted_arms)[1:] if fitted_arms is not None
                  else np.array([a for a in np.unique(arms) if a != control]))
    best = np.argmax(uplift, axis=1)
    score = quota_scores(uplift[np.arange(len(best)), best], groups, k)
    is_control = arms == control
    matched = is_control | (arms == arm_labels[best])
    treated = (~is_control).astype(float)
    estimate, low, high = bootstrap_incremental(y[matched], score[matched], treated[matched], **options)
    money = (None,) * 3
    if revenue_test is not None:
        r = np.asarray(revenue_test, float)
        money = bootstrap_incremental(r[matched], score[matched], treated[matched], **options)
    truth = None
    if true_uplift_test is not None:
        t = np.asarray(true_uplift_test, float)
        t = t[:, None] if t.ndim == 1 else t
        t = t[:, -len(arm_labels):]
        truth = _top_mean(t[np.arange(len(best)), best], score, k) * k * population
    adjusted = replace(
        lift,
        qini_auc=metrics.qini_auc_score(y[matched], score[matched], treated[matched]),
        uplift_auc=metrics.uplift_auc_score(y[matched], score[matched], treated[matched]),
        uplift_at_k=metrics.uplift_at_k(y[matched], score[matched], treated[matched], "overall", k),
        incremental_conversions=estimate, ci_low=low, ci_high=high,
        incremental_revenue=money[0], revenue_ci_low=money[1], revenue_ci_high=money[2],
        true_incremental_conversions=truth,
        curve=metrics.curve_frame("qini", y[matched], score[matched], treated[matched]),
    )
    return adjusted, score
