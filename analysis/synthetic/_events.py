"""The event history of the synthetic customers (visits, e-mail opens, purchases with amount and product
category), and the behaviour read back from it that the ground truth is computed from.

A stage of :func:`analysis.synthetic.truth.simulate`; its coefficients are assumptions of this synthetic
world.
"""

from __future__ import annotations

import numpy as np

from analysis.synthetic._world import (
    HISTORY_DAYS,
    MEAN_EVENTS,
    NO_EVENT_RECENCY_DAYS,
    PRODUCT_CATEGORIES,
    RECENT_DAYS,
    SECONDS_PER_DAY,
)

_NON_PHARMACY = tuple(c for c in PRODUCT_CATEGORIES if c != "pharmacy")
_NON_PHARMACY_SHARES = np.array([0.30, 0.17, 0.10, 0.14, 0.11, 0.09, 0.09])


def events(rng: np.random.Generator, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    n = p["age"].size
    history_s = HISTORY_DAYS * SECONDS_PER_DAY
    start_day = np.maximum(0.0, HISTORY_DAYS - p["tenure_months"] * 30.44)
    end_day = np.where(p["lapsed"], HISTORY_DAYS - p["lapse_days"], float(HISTORY_DAYS))
    end_day = np.clip(end_day, start_day + 1.0, HISTORY_DAYS)
    window = end_day - start_day
    rate = p["activity"] * window / HISTORY_DAYS
    counts = rng.poisson(MEAN_EVENTS * rate / max(float(rate.mean()), 1e-9))  # a mean of 0: nobody active
    customer = np.repeat(np.arange(n, dtype=np.int64), counts)
    second = (start_day[customer] + rng.random(customer.size) * window[customer]) * SECONDS_PER_DAY
    second = np.minimum(second.astype(np.int64), history_s - 1)
    # one int64 sort key (customer in the high bits, second < 2**26 in the low bits): sorting the keys
    # orders the events by customer then time without an argsort
    key = np.sort((customer << 26) | second)
    customer, second = key >> 26, key & ((1 << 26) - 1)
    m = customer.size
    f32 = np.float32
    p_purchase = p["purchase_propensity"].astype(f32)
    p_open_or_purchase = (p_purchase + p["open_propensity"] * (1 - p["purchase_propensity"])).astype(f32)
    u = rng.random(m, dtype=f32)
    event_type = np.where(u < p_purchase[customer], 2, np.where(u < p_open_or_purchase[customer], 1, 0))
    event_type = event_type.astype(np.int8)
    purchase = np.flatnonzero(event_type == 2)
    web_or_app = (rng.random(m, dtype=f32) < p["app_preference"].astype(f32)[customer]).astype(np.int8)
    channel = np.where(event_type == 1, 3, web_or_app).astype(np.int8)  # 1 app, 0 web, 3 email
    channel[purchase[rng.random(purchase.size, dtype=f32) < 0.35]] = 2  # purchases in store (assumption)
    amount = np.zeros(m)
    order = p["spend"][customer[purchase]] * rng.lognormal(-0.125, 0.5, purchase.size)
    amount[purchase] = np.round(np.clip(order, 0.5, 2000.0), 2)
    # product category: an exact lookup table over 4,096 equal slices instead of a search per event
    other = np.array([PRODUCT_CATEGORIES.index(c) for c in _NON_PHARMACY], dtype=np.int8)
    edges = np.round(np.cumsum(_NON_PHARMACY_SHARES / _NON_PHARMACY_SHARES.sum()) * 4096).astype(np.int64)
    table = np.repeat(other, np.diff(np.concatenate([[0], edges])))
    category = table[rng.integers(0, 4096, m, dtype=np.int16)]
    pharmacy_share = np.where(p["health_interest"], 0.24, 0.04).astype(f32)  # assumption
    pharmacy = rng.random(m, dtype=f32) < pharmacy_share[customer]
    category[pharmacy] = PRODUCT_CATEGORIES.index("pharmacy")
    return {
        "event_customer": customer,
        "event_second": second,
        "event_type": event_type,
        "channel": channel,
        "amount": amount,
        "product_category": category.astype(np.int8),
        "counts": counts,
    }


def drivers(ev: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Per-customer behaviour read back from the events themselves (so the truth matches the data)."""
    customer, second, etype = ev["event_customer"], ev["event_second"], ev["event_type"]
    counts = ev["counts"]
    last = np.full(n, -1, dtype=np.int64)
    has = counts > 0
    last[has] = second[np.cumsum(counts)[has] - 1]  # events are sorted by customer then time
    history_s = HISTORY_DAYS * SECONDS_PER_DAY
    recency = np.where(has, (history_s - last) / SECONDS_PER_DAY, float(NO_EVENT_RECENCY_DAYS))
    purchase = etype == 2
    recent = second >= history_s - RECENT_DAYS * SECONDS_PER_DAY
    p90 = np.bincount(customer[purchase & recent], minlength=n)
    p_old = np.bincount(customer[purchase & ~recent], minlength=n)
    opens = np.bincount(customer[etype == 1], minlength=n)
    return {
        "recency_days": recency,
        "purchases_last_90d": p90,
        "purchases_91_730d": p_old,
        "email_open_share": np.where(has, opens / np.maximum(counts, 1), 0.0),
    }
