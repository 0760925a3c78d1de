"""Who the synthetic customers are: age, gender, ZIP code and region, tenure, credit band, sensitive
attributes, and the hidden traits (activity, spend, app preference, propensities, lapse) their events come
from.

A stage of :func:`analysis.synthetic.truth.simulate`; its coefficients are assumptions of this synthetic
world.
"""

from __future__ import annotations

import numpy as np

from analysis.synthetic._maths import logistic
from analysis.synthetic._world import (
    GENDER_SHARES,
    HISTORY_DAYS,
    LAPSED_SHARE,
    N_ZIP3,
    RECENT_DAYS,
    REGION_OF_DIGIT,
    REGIONS,
    ZIPS_PER_ZIP3,
)

_DIGIT_SHARES = np.array([0.07, 0.13, 0.11, 0.15, 0.10, 0.07, 0.10, 0.12, 0.035, 0.115])


def _zip_universe(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """ZIP codes and their population weights: ZIP3 areas of Zipf-like size, ZIPs of lognormal size.

    Each first digit (hence each region) gets a fixed share of the population, so region shares do not
    depend on the seed; which ZIP3 areas exist and how big each is does.
    """
    digit_share = _DIGIT_SHARES / _DIGIT_SHARES.sum()
    per_digit = np.maximum(1, np.round(N_ZIP3 * digit_share)).astype(np.int64)
    digit = np.repeat(np.arange(10), per_digit)
    rank_in_digit = np.arange(digit.size) - np.repeat(np.cumsum(per_digit) - per_digit, per_digit)
    tails = np.argsort(rng.random((10, 100)), axis=1)  # distinct two-digit tails inside each first digit
    zip3 = digit * 100 + tails[digit, rank_in_digit]
    area_weight = 1.0 / np.arange(1, zip3.size + 1) ** 0.8  # Zipf-like area sizes (assumption)
    area_weight = area_weight[rng.permutation(zip3.size)]
    area_weight = area_weight / np.bincount(digit, area_weight)[digit] * digit_share[digit]
    last_two = np.argsort(rng.random((zip3.size, 100)), axis=1)[:, :ZIPS_PER_ZIP3]
    zips = (zip3[:, None] * 100 + last_two).ravel()
    zip_weight = rng.lognormal(0.0, 0.9, size=(zip3.size, ZIPS_PER_ZIP3))
    weight = (area_weight[:, None] * zip_weight / zip_weight.sum(axis=1, keepdims=True)).ravel()
    return zips, weight / weight.sum()


def people(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    age = np.clip(18 + np.floor(83 * rng.beta(2.0, 3.2, n)), 18, 100).astype(np.int64)
    gender = rng.choice(3, size=n, p=GENDER_SHARES).astype(np.int8)
    zips, zip_weight = _zip_universe(rng)
    zip_code = zips[rng.choice(zips.size, size=n, p=zip_weight)]
    region_codes = np.array([REGIONS.index(r) for r in REGION_OF_DIGIT], dtype=np.int8)
    region = region_codes[zip_code // 10_000]
    tenure = np.minimum(np.floor(rng.exponential(60.0, n)), np.minimum(240, (age - 18) * 12)).astype(np.int64)
    activity = np.exp(rng.normal(0.0, 0.8, n) - 0.32)  # lognormal, mean 1
    spend = np.exp(rng.normal(np.log(45.0), 0.5, n))  # typical order value, dollars
    age_c = (age - 45) / 15
    credit_latent = 0.25 * age_c + 0.3 * np.log(spend / 45.0) + rng.normal(0.0, 1.0, n)
    credit_band = np.searchsorted(np.array([-1.05, -0.35, 0.65]), credit_latent).astype(np.int8)
    distress_score = -2.9 + 2.0 * (credit_band == 0) + 0.9 * (credit_band == 1) - 0.25 * age_c
    distress = rng.random(n) < logistic(distress_score)
    health = rng.random(n) < logistic(-1.6 + 0.45 * age_c)
    return {
        "age": age,
        "gender": gender,
        "zip_code": zip_code.astype(np.int64),
        "region": region,
        "tenure_months": tenure,
        "activity": activity,
        "spend": spend,
        "credit_band": credit_band,
        "financial_distress": distress,
        "health_interest": health,
        "app_preference": logistic(-0.5 * age_c + rng.normal(0.0, 1.0, n)),
        "open_propensity": rng.beta(2.0, 3.0, n),
        "purchase_propensity": rng.beta(2.0, 6.0, n),
        "lapsed": rng.random(n) < LAPSED_SHARE,
        "lapse_days": rng.uniform(RECENT_DAYS, HISTORY_DAYS - 30, n),
    }
