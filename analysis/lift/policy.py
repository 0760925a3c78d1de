"""What a fitted uplift model earns on the held-out customers: the best-arm policy (the headline), each arm
against the control, and the ground truth where there is one.

**The best-arm policy** scores each customer by the predicted uplift of their best arm and targets the top k,
each with that arm. Its figures are measured on the test customers who received the arm the model recommends
for them, against the control (customers who received another arm say nothing about this policy): the Qini
curve and coefficient of that ranking — the multi-treatment Qini, after the modified uplift curves of Zhao et
al. 2017 — uplift@k, incremental conversions (and revenue) at k with bootstrap intervals, and the **expected
response under the policy** (Zhao et al. 2017): the response rate if the top k got their best arm and everyone
else nothing, estimated by inverse probability weighting with the arms' shares of the test set (a randomized
campaign), beside the response rate with no contact at all. With one treatment arm all of this is the usual
uplift evaluation. The matched customers stand for everyone when the arms were randomized in equal shares
(with unequal shares those of the most frequent arm weigh more in the curve: an assumption to state).

**Each arm** is also measured against the control on its own: the customers scored by that arm's predicted
uplift, with its Qini curve, coefficient and interval, and a sentence (:func:`analysis.lift.wording.describe_qini`)
— a negative Qini reads "the model ranks the arm … worse than random", with its interval.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.lift import metrics
from analysis.lift.bootstrap import bootstrap_uplift
from analysis.lift.wording import describe_qini

__all__ = ["measure_policy", "top_mean", "policy_response_rates"]


def _plain(value):
    if isinstance(value, np.generic):
        value = value.item()
    return value


def top_mean(values: np.ndarray, score: np.ndarray, k: float) -> float:
    """Mean of ``values`` over the top ``int(n · k)`` rows by ``score`` (ties in scikit-uplift's order)."""
    take = int(len(score) * k)
    return float(values[np.argsort(score, kind="mergesort")[::-1][:take]].mean()) if take else float("nan")


def policy_response_rates(y, arms_test, arms, best, best_score, k) -> tuple[float, float]:
    """Expected response rate under the best-arm policy at k, and under no contact (Zhao et al. 2017):
    ``Σ y·1{t = π(x)}/e(t) / Σ 1{t = π(x)}/e(t)`` with ``e`` each arm's share of the test customers."""
    n = len(y)
    take = int(n * k)
    targeted = np.zeros(n, dtype=bool)
    targeted[np.argsort(best_score, kind="mergesort")[::-1][:take]] = True
    policy = np.where(targeted, np.asarray(arms)[1:][best], arms[0])
    shares = {arm: np.mean(arms_test == arm) for arm in arms}
    weight = np.array([1.0 / shares[arm] if shares[arm] > 0 else 0.0 for arm in arms_test.tolist()])
    follows = arms_test == policy
    control = arms_test == arms[0]
    policy_rate = float(np.sum(y * weight * follows) / np.sum(weight * follows)) if follows.any() else float("nan")
    control_rate = float(y[control].mean()) if control.any() else float("nan")
    return policy_rate, control_rate


def _measure(y, score, treated, revenue, *, k, population, n_boot, seed, policy=False, arm=None):
    if treated.sum() == 0 or treated.sum() == treated.size:
        nan = float("nan")
        return dict(qini_auc=nan, uplift_auc=nan, uplift_at_k=nan, incremental_conversions=nan, ci_low=nan,
                    ci_high=nan, qini_ci_low=nan, qini_ci_high=nan, revenue=None,
                    qini_description=describe_qini(nan, arm=arm, policy=policy))
    boot = bootstrap_uplift(y, score, treated, k=k, population=population, revenue=revenue, n_boot=n_boot,
                            seed=seed)
    qini = metrics.qini_auc_score(y, score, treated)
    estimate, low, high = boot["conversions"]
    return dict(qini_auc=qini, uplift_auc=metrics.uplift_auc_score(y, score, treated),
                uplift_at_k=metrics.uplift_at_k(y, score, treated, "overall", k),
                incremental_conversions=estimate, ci_low=low, ci_high=high,
                qini_ci_low=boot["qini"][0], qini_ci_high=boot["qini"][1], revenue=boot["revenue"],
                qini_description=describe_qini(qini, *boot["qini"], arm=arm, policy=policy))


def measure_policy(uplift, y_test, arms_test, arms, *, k, population, revenue=None, true_uplift=None,
                   true_revenue=None, n_boot=200, seed=0) -> dict:
    """The headline (best-arm policy), per-arm figures and curves of predicted ``uplift`` ``(n, n_arms − 1)``.

    ``true_uplift`` / ``true_revenue``: ground-truth uplift (probability / amount) per customer and arm,
    ``(n, n_arms − 1)``. Returns the fields of :class:`~analysis.lift.evaluate.LiftResult` it fills.
    """
    n_test = len(y_test)
    several = len(arms) > 2
    best = np.argmax(uplift, axis=1)
    best_score = uplift[np.arange(n_test), best]
    is_control = arms_test == arms[0]
    matched = is_control | (arms_test == np.asarray(arms)[1:][best])
    treated = (~is_control).astype(np.float64)
    options = dict(k=k, population=population, n_boot=n_boot, seed=seed)
    headline = _measure(y_test[matched], best_score[matched], treated[matched],
                        None if revenue is None else revenue[matched], policy=several, **options)
    money = headline.pop("revenue") or (None, None, None)
    targeted = k * population
    truth = oracle = true_money = None
    if true_uplift is not None:
        truth = top_mean(true_uplift[np.arange(n_test), best], best_score, k) * targeted
        best_true = true_uplift.max(axis=1)
        oracle = top_mean(best_true, best_true, k) * targeted
    if true_revenue is not None:
        true_money = top_mean(true_revenue[np.arange(n_test), best], best_score, k) * targeted
    policy_rate, control_rate = policy_response_rates(y_test, arms_test, arms, best, best_score, k)
    per_arm, curves = [], []
    for column, arm in enumerate(np.asarray(arms)[1:]):
        rows = is_control | (arms_test == arm)
        if several:
            entry = _measure(y_test[rows], uplift[rows, column], treated[rows], None, arm=_plain(arm), **options)
            entry.pop("revenue")
        else:
            entry = {**headline, "qini_description": describe_qini(
                headline["qini_auc"], headline["qini_ci_low"], headline["qini_ci_high"], arm=_plain(arm))}
        entry = {"arm": _plain(arm), **entry}
        if true_uplift is not None:
            entry["true_incremental_conversions"] = top_mean(true_uplift[:, column], uplift[:, column], k) * targeted
        per_arm.append(entry)
        if treated[rows].sum() and (1 - treated[rows]).sum():
            curves.append(metrics.curve_frame("qini", y_test[rows], uplift[rows, column], treated[rows])
                          .with_columns(pl.lit(str(_plain(arm))).alias("arm")))
    curve = metrics.curve_frame("qini", y_test[matched], best_score[matched], treated[matched])
    return dict(
        **headline, incremental_revenue=money[0], revenue_ci_low=money[1], revenue_ci_high=money[2],
        true_incremental_conversions=truth, oracle_incremental_conversions=oracle,
        true_incremental_revenue=true_money, policy_response_rate=policy_rate,
        control_response_rate=control_rate, per_arm=tuple(per_arm), curve=curve,
        arm_curves=pl.concat(curves) if curves else None,
    )
