"""The simulation's arrays as the five polars frames of the synthetic CRM: fake names, e-mails and phones,
customer numbers, timestamps from the as-of date, and category labels for the codes."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from analysis.synthetic import truth

_FIRST_NAMES = (
    "Ada", "Alan", "Alice", "Amir", "Ana", "Ben", "Carla", "Chen", "Chloe", "Dan", "Diego", "Elena", "Emma",
    "Farah", "Grace", "Hana", "Ivan", "Jade", "James", "Jon", "Kofi", "Lara", "Leo", "Lina", "Luis", "Maya",
    "Mei", "Nadia", "Noah", "Olga", "Omar", "Paul", "Priya", "Quinn", "Rosa", "Sam", "Sara", "Tariq", "Tom",
    "Uma", "Vera", "Wei", "Yara", "Yusuf", "Zoe",
)  # fmt: skip
_LAST_NAMES = (
    "Abbott", "Baker", "Castillo", "Dawson", "Ellis", "Fischer", "Garcia", "Hughes", "Ibrahim", "Jensen",
    "Kaur", "Larsen", "Moreau", "Nguyen", "Okafor", "Patel", "Quist", "Rossi", "Schmidt", "Tanaka", "Ueda",
    "Varga", "Walsh", "Xu", "Young", "Zimmer", "Novak", "Silva", "Khan", "Murphy",
)  # fmt: skip
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")  # reserved for examples (RFC 2606)


def _labels(values: tuple[str, ...], codes: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(codes.astype(np.int64))


def to_frames(sim: truth.Simulation, n: int, as_of: date) -> dict[str, pl.DataFrame]:
    """The five frames (``customers``, ``campaign``, ``events``, ``ground_truth``, ``consent_events``)."""
    width = max(7, len(str(n)))
    ids = pl.Series("customer_id", np.arange(1, n + 1)).cast(pl.String).str.zfill(width)
    customer_id = ("C" + ids).alias("customer_id")
    # seconds since 1970-01-01 at the start of the history (naive timestamps, no time zone)
    start_s = ((as_of - date(1970, 1, 1)).days - truth.HISTORY_DAYS) * truth.SECONDS_PER_DAY

    def timestamps(seconds: np.ndarray, name: str) -> pl.Series:
        return pl.Series(name, (seconds + start_s) * 1_000_000).cast(pl.Datetime("us"))

    changed = dict(zip(truth.CONSENT_PURPOSES, sim.consent_changed_second))
    first = _labels(_FIRST_NAMES, sim.first_name % len(_FIRST_NAMES))
    last = _labels(_LAST_NAMES, sim.last_name % len(_LAST_NAMES))
    number = pl.Series(np.arange(1, n + 1)).cast(pl.String)
    email = pl.concat_str(
        [first.str.to_lowercase(), pl.lit("."), last.str.to_lowercase(), number, pl.lit("@"),
         _labels(_EMAIL_DOMAINS, sim.email_domain)]  # fmt: skip
    )
    phone = pl.concat_str(
        [pl.lit("+1-"), pl.Series(sim.phone_area).cast(pl.String), pl.lit("-555-01"),
         pl.Series(sim.phone_line).cast(pl.String).str.zfill(2)]  # fmt: skip
    )
    customers = pl.DataFrame(
        {
            "customer_id": customer_id,
            "full_name": first + " " + last,
            "email": pl.select(email).to_series(),
            "phone": pl.select(phone).to_series(),
            "age": sim.age,
            "gender": _labels(truth.GENDERS, sim.gender),
            "zip": pl.Series(sim.zip_code).cast(pl.String).str.zfill(5),
            "region": _labels(truth.REGIONS, sim.region),
            "credit_band": _labels(truth.CREDIT_BANDS, sim.credit_band),
            "financial_distress": sim.financial_distress,
            "health_interest": sim.health_interest,
            "tenure_months": sim.tenure_months,
            "consent_personalization": sim.consent_personalization,
            "consent_personalization_at": timestamps(changed["personalization"], "consent_personalization_at"),
            "consent_marketing": sim.consent_marketing,
            "consent_marketing_at": timestamps(changed["marketing"], "consent_marketing_at"),
            "consent_analytics": sim.consent_analytics,
            "consent_analytics_at": timestamps(changed["analytics"], "consent_analytics_at"),
            "erasure_requested": sim.erasure_requested,
        }
    )
    campaign = pl.DataFrame(
        {
            "customer_id": customer_id,
            "arm": _labels(("control", "email", "discount"), sim.arm),
            "converted": sim.converted,
            "revenue": sim.revenue,
        }
    )
    event_time = timestamps(sim.event_second, "event_time")
    events = pl.DataFrame(
        {
            "customer_id": customer_id.gather(sim.event_customer),
            "event_time": event_time,
            "event_type": _labels(truth.EVENT_TYPES, sim.event_type),
            "channel": _labels(truth.CHANNELS, sim.channel),
            "amount": sim.amount,
            "product_category": _labels(truth.PRODUCT_CATEGORIES, sim.product_category),
        }
    )
    ground_truth = pl.DataFrame(
        {
            "customer_id": customer_id,
            "p_control": sim.p_control,
            "uplift_email": sim.uplift_email,
            "uplift_discount": sim.uplift_discount,
            "opt_in_propensity": sim.opt_in_propensity,
            "opt_in_propensity_marketing": sim.opt_in_propensity_marketing,
            "opt_in_propensity_analytics": sim.opt_in_propensity_analytics,
            "erased": sim.erasure_requested,
            "recency_days": sim.recency_days,
            "purchases_last_90d": sim.purchases_last_90d.astype(np.int64),
            "purchases_91_730d": sim.purchases_91_730d.astype(np.int64),
            "email_open_share": sim.email_open_share,
        }
    )
    consent_events = pl.DataFrame(
        {
            "customer_id": customer_id.gather(sim.consent_event_customer),
            "purpose": _labels(truth.CONSENT_PURPOSES, sim.consent_event_purpose),
            "event_time": timestamps(sim.consent_event_second, "event_time"),
            "action": _labels(truth.CONSENT_ACTIONS, sim.consent_event_action),
        }
    )
    return {"customers": customers, "campaign": campaign, "events": events, "ground_truth": ground_truth,
            "consent_events": consent_events}
