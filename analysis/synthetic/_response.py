"""How the synthetic customers respond: the conversion probability without contact, the true uplift of the
e-mail and of the discount, and the outcome of the randomized campaign drawn from them.

A stage of :func:`analysis.synthetic.truth.simulate`; its coefficients are assumptions of this synthetic
world.
"""

from __future__ import annotations

import numpy as np

from analysis.synthetic._maths import logistic


def true_response(rng: np.random.Generator, p: dict, d: dict, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Control conversion probability and true uplift per arm (probability differences)."""
    n = p["age"].size
    fresh = np.exp(-d["recency_days"] / 45.0)  # 1 = active today, ~0.14 at 90 days
    recent = np.log1p(d["purchases_last_90d"])
    loyal = np.log1p(d["purchases_91_730d"])
    opens = d["email_open_share"]
    age_c = (p["age"] - 45) / 15
    health_older = p["health_interest"] & (p["age"] >= 50)
    p_control = logistic(-3.1 + 0.45 * recent + 0.35 * loyal + 0.7 * fresh + 0.15 * np.log(p["activity"]))
    # harm: dormant customers (no event for 150+ days) who neither open emails nor were loyal are put off
    dormant = np.clip((d["recency_days"] - 150.0) / 150.0, 0.0, 1.0)
    # win-back: loyal customers who bought nothing in the last 90 days respond well (only history older than
    # 90 days shows who they are, so a 90-day retention window cannot tell them from the put-off dormant ones)
    lapsed_loyal = (d["purchases_last_90d"] == 0) * loyal
    put_off = dormant * np.clip(1.0 - 4.0 * opens, 0.0, 1.0) * np.exp(-loyal / 0.5)
    email = (
        -0.009
        + 0.03 * fresh
        + 0.01 * recent
        + 0.012 * loyal
        + 0.035 * opens
        - 0.003 * age_c
        + 0.03 * health_older
        - 0.06 * put_off
        + 0.02 * lapsed_loyal
        + rng.normal(0.0, 0.006, n)
    )
    discount = (
        -0.009
        + 0.09 * p["financial_distress"]
        + 0.025 * fresh
        + 0.008 * recent
        + 0.012 * loyal
        + 0.035 * lapsed_loyal
        - 0.012 * (p["credit_band"] == 3)
        + 0.003 * age_c
        + rng.normal(0.0, 0.01, n)
    )
    email = np.clip(email, -p_control, 1 - p_control)
    discount = np.clip(discount, -p_control, 1 - p_control)
    return {"p_control": p_control, "uplift_email": email, "uplift_discount": discount, "fresh": fresh}


def campaign(rng: np.random.Generator, p: dict, t: dict) -> dict[str, np.ndarray]:
    n = p["age"].size
    arm = rng.integers(0, 3, n).astype(np.int8)  # randomized, 1/3 each
    uplift = np.where(arm == 1, t["uplift_email"], np.where(arm == 2, t["uplift_discount"], 0.0))
    prob = t["p_control"] + uplift
    converted = rng.random(n) < prob
    order = p["spend"] * rng.lognormal(0.3, 0.4, n) * np.where(arm == 2, 0.85, 1.0)  # discount: 15 % off
    revenue = np.where(converted, np.round(np.clip(order, 1.0, 1000.0), 2), 0.0)
    return {"arm": arm, "converted": converted, "revenue": revenue}
