"""Consent in the synthetic world: today's answers for personalization, marketing and analytics (not random:
they lean on age, engagement and uplift), and the history of gives and withdrawals behind them.

A stage of :func:`analysis.synthetic.truth.simulate`; its coefficients are assumptions of this synthetic
world.
"""

from __future__ import annotations

import numpy as np

from analysis.synthetic._maths import calibrate_intercept, logistic, zscore
from analysis.synthetic._world import (
    CONSENT_PURPOSES,
    DAYS_PER_MONTH,
    HISTORY_DAYS,
    SECONDS_PER_DAY,
    WITHDRAWALS_PER_YEAR,
)


def consent(rng, p, d, t, counts, opt_in_rate: float) -> dict[str, np.ndarray]:
    age_c = (p["age"] - 45) / 15
    engagement = zscore(np.log1p(counts))
    score = -0.55 * age_c + 0.35 * engagement + 0.45 * zscore(t["uplift_email"]) + 0.3 * t["fresh"]
    propensity = logistic(calibrate_intercept(score, opt_in_rate) + score)
    personalization = rng.random(propensity.size) < propensity
    # marketing: same kind of people, other weights, tied to the personalization answer (assumption)
    marketing_rate = float(np.clip(opt_in_rate + 0.05, 0.01, 0.99))
    score_m = -0.25 * age_c + 0.2 * engagement + 0.3 * zscore(t["uplift_discount"]) + 1.2 * personalization
    propensity_m = logistic(calibrate_intercept(score_m, marketing_rate) + score_m)
    marketing = rng.random(propensity.size) < propensity_m
    return {
        "consent_personalization": personalization,
        "consent_marketing": marketing,
        "opt_in_propensity": propensity,
        "opt_in_propensity_marketing": propensity_m,
    }


def analytics_consent(rng, p, c, counts, opt_in_rate: float) -> dict[str, np.ndarray]:
    """Analytics consent: asked of everyone, given more often (mean ``opt_in_rate + 0.2``), and tied to the two
    other answers (assumption): a customer who said yes to personalization or marketing mostly says yes here."""
    age_c = (p["age"] - 45) / 15
    engagement = zscore(np.log1p(counts))
    rate = float(np.clip(opt_in_rate + 0.2, 0.01, 0.99))
    score = (-0.15 * age_c + 0.15 * engagement + 1.0 * c["consent_personalization"]
             + 0.6 * c["consent_marketing"])
    propensity = logistic(calibrate_intercept(score, rate) + score)
    return {"consent_analytics": rng.random(propensity.size) < propensity, "opt_in_propensity_analytics": propensity}


def consent_history(rng: np.random.Generator, p: dict, answers: dict, propensities: dict) -> dict:
    """When each answer was given or withdrawn, consistent with today's answers.

    Each answer follows a two-state chain from sign-up to the as-of date: consenters withdraw at the purpose's
    yearly rate (:data:`WITHDRAWALS_PER_YEAR`), the others give consent at the rate that keeps their own opt-in
    propensity as the long-run share (rate × q / (1 − q)). A two-state chain is reversible, so the history is
    drawn backwards from today's answer (the answers themselves, drawn earlier, are unchanged). Events inside
    the history are kept (with the sign-up answer when it was a yes); each customer's latest change is returned
    whether or not it lies inside the history.
    """
    n = p["age"].size
    join_day = HISTORY_DAYS - p["tenure_months"] * DAYS_PER_MONTH
    changed, customers, purposes, days, actions = [], [], [], [], []
    for code, purpose in enumerate(CONSENT_PURPOSES):
        withdraw = WITHDRAWALS_PER_YEAR[purpose] / 365.0
        q = np.clip(propensities[purpose], 0.02, 0.95)
        give = withdraw * q / (1.0 - q)
        state = answers[purpose].astype(bool).copy()
        t = np.full(n, float(HISTORY_DAYS))
        last = np.full(n, np.nan)
        active = np.arange(n)
        while active.size:
            rate = np.where(state[active], withdraw, give[active])
            back = t[active] - rng.exponential(1.0 / rate)
            done = back <= join_day[active]
            moved = active[~done]
            when = back[~done]
            inside = when >= 0
            customers.append(moved[inside])
            purposes.append(np.full(int(inside.sum()), code, dtype=np.int8))
            days.append(when[inside])
            actions.append(np.where(state[moved[inside]], 0, 1).astype(np.int8))  # the state it changed to
            first = np.isnan(last[moved])
            last[moved[first]] = when[first]
            state[moved] = ~state[moved]
            t[moved] = when
            # keep going back while inside the history (the latest change of everyone who moved is now known)
            active = moved[when > 0]
        last = np.where(np.isnan(last), join_day, last)
        changed.append(np.floor(last * SECONDS_PER_DAY).astype(np.int64))
        signup = (join_day >= 0) & state  # the answer at sign-up (state after walking back to it) was a yes
        customers.append(np.flatnonzero(signup))
        purposes.append(np.full(int(signup.sum()), code, dtype=np.int8))
        days.append(join_day[signup])
        actions.append(np.zeros(int(signup.sum()), dtype=np.int8))
    customer = np.concatenate(customers)
    second = np.floor(np.concatenate(days) * SECONDS_PER_DAY).astype(np.int64)
    purpose_code = np.concatenate(purposes)
    order = np.lexsort((purpose_code, second, customer))
    return {
        "consent_changed_second": tuple(changed),
        "consent_event_customer": customer[order],
        "consent_event_purpose": purpose_code[order],
        "consent_event_second": second[order],
        "consent_event_action": np.concatenate(actions)[order],
    }
