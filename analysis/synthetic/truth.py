"""The simulation behind :mod:`analysis.synthetic`: people, events, true uplift, consent, campaign.

Private module: :func:`simulate` returns plain numpy arrays; :mod:`analysis.synthetic` turns them into
polars frames, files and data dictionaries. Every coefficient of the simulation is an **assumption** of this
synthetic world (chosen so that the averages land where the module docstring of :mod:`analysis.synthetic`
says), not a figure from a source. Each stage draws from its own child of one ``numpy.random.SeedSequence``,
so changing one stage does not reshuffle the others.

This module holds the result (:class:`Simulation`) and the order of the stages (:func:`simulate`), and
re-exports the world's constants (``HISTORY_DAYS``, the categories, ``WITHDRAWALS_PER_YEAR``, ...). The stages
live beside it: ``_population`` (who the customers are), ``_events`` (their events and the behaviour read back
from them), ``_response`` (true uplift and the campaign), ``_consent`` (answers and their history); the
constants are in ``_world`` and the shared numeric helpers in ``_maths``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.synthetic import _consent, _events, _population, _response
from analysis.synthetic._world import (
    CHANNELS,
    CONSENT_ACTIONS,
    CONSENT_PURPOSES,
    CREDIT_BANDS,
    DAYS_PER_MONTH,
    EVENT_TYPES,
    GENDERS,
    GENDER_SHARES,
    HISTORY_DAYS,
    LAPSED_SHARE,
    MEAN_EVENTS,
    NO_EVENT_RECENCY_DAYS,
    N_ZIP3,
    PRODUCT_CATEGORIES,
    RECENT_DAYS,
    REGIONS,
    REGION_OF_DIGIT,
    SECONDS_PER_DAY,
    WITHDRAWALS_PER_YEAR,
    ZIPS_PER_ZIP3,
)

__all__ = ["CHANNELS", "CONSENT_ACTIONS", "CONSENT_PURPOSES", "CREDIT_BANDS", "DAYS_PER_MONTH",
           "EVENT_TYPES", "GENDERS", "GENDER_SHARES", "HISTORY_DAYS", "LAPSED_SHARE", "MEAN_EVENTS",
           "NO_EVENT_RECENCY_DAYS", "N_ZIP3", "PRODUCT_CATEGORIES", "RECENT_DAYS", "REGIONS",
           "REGION_OF_DIGIT", "SECONDS_PER_DAY", "WITHDRAWALS_PER_YEAR", "ZIPS_PER_ZIP3", "Simulation",
           "simulate"]


@dataclass(frozen=True)
class Simulation:
    """Arrays of one simulated population (customer arrays have length n, event arrays the event count)."""

    # customers
    age: np.ndarray
    gender: np.ndarray  # codes into GENDERS
    zip_code: np.ndarray  # int 0..99999
    region: np.ndarray  # codes into REGIONS
    credit_band: np.ndarray  # codes into CREDIT_BANDS
    financial_distress: np.ndarray
    health_interest: np.ndarray
    tenure_months: np.ndarray
    consent_personalization: np.ndarray
    consent_marketing: np.ndarray
    consent_analytics: np.ndarray
    #: per purpose (CONSENT_PURPOSES order): seconds after the start of the history of the customer's latest answer
    #: (sign-up or last change; negative before the history)
    consent_changed_second: tuple[np.ndarray, ...]
    erasure_requested: np.ndarray
    first_name: np.ndarray  # codes into names lists
    last_name: np.ndarray
    email_domain: np.ndarray
    phone_area: np.ndarray
    phone_line: np.ndarray
    # campaign
    arm: np.ndarray  # 0 control, 1 email, 2 discount
    converted: np.ndarray
    revenue: np.ndarray
    # events (sorted by customer, then time)
    event_customer: np.ndarray
    event_second: np.ndarray  # seconds after the start of the history
    event_type: np.ndarray  # codes into EVENT_TYPES
    channel: np.ndarray  # codes into CHANNELS
    amount: np.ndarray
    product_category: np.ndarray  # codes into PRODUCT_CATEGORIES
    # ground truth and its drivers
    p_control: np.ndarray
    uplift_email: np.ndarray
    uplift_discount: np.ndarray
    opt_in_propensity: np.ndarray
    opt_in_propensity_marketing: np.ndarray
    opt_in_propensity_analytics: np.ndarray
    # consent events in the history (sorted by customer, then time): given or withdrawn, per purpose
    consent_event_customer: np.ndarray
    consent_event_purpose: np.ndarray  # codes into CONSENT_PURPOSES
    consent_event_second: np.ndarray
    consent_event_action: np.ndarray  # codes into CONSENT_ACTIONS
    recency_days: np.ndarray
    purchases_last_90d: np.ndarray
    purchases_91_730d: np.ndarray
    email_open_share: np.ndarray


def simulate(n: int, seed: int, *, opt_in_rate: float, erasure_rate: float) -> Simulation:
    """Simulate ``n`` customers with seed ``seed`` (arguments already checked by the caller)."""
    # spawn(9)'s first seven children are spawn(7)'s: the streams added later reshuffle nothing drawn before
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(9)]
    people_rng, event_rng, truth_rng, consent_rng, campaign_rng, erase_rng, name_rng, analytics_rng, history_rng = (
        streams)
    p = _population.people(people_rng, n)
    ev = _events.events(event_rng, p)
    d = _events.drivers(ev, n)
    t = _response.true_response(truth_rng, p, d, ev["counts"])
    c = _consent.consent(consent_rng, p, d, t, ev["counts"], opt_in_rate)
    c.update(_consent.analytics_consent(analytics_rng, p, c, ev["counts"], opt_in_rate))
    history = _consent.consent_history(
        history_rng, p, {purpose: c[f"consent_{purpose}"] for purpose in CONSENT_PURPOSES},
        {"personalization": c["opt_in_propensity"], "marketing": c["opt_in_propensity_marketing"],
         "analytics": c["opt_in_propensity_analytics"]})
    camp = _response.campaign(campaign_rng, p, t)
    erased = erase_rng.random(n) < erasure_rate
    return Simulation(
        age=p["age"],
        gender=p["gender"],
        zip_code=p["zip_code"],
        region=p["region"],
        credit_band=p["credit_band"],
        financial_distress=p["financial_distress"],
        health_interest=p["health_interest"],
        tenure_months=p["tenure_months"],
        consent_personalization=c["consent_personalization"],
        consent_marketing=c["consent_marketing"],
        consent_analytics=c["consent_analytics"],
        consent_changed_second=history["consent_changed_second"],
        erasure_requested=erased,
        first_name=name_rng.integers(0, 1 << 16, n),
        last_name=name_rng.integers(0, 1 << 16, n),
        email_domain=name_rng.integers(0, 3, n),
        phone_area=name_rng.integers(201, 990, n),
        phone_line=name_rng.integers(0, 100, n),
        arm=camp["arm"],
        converted=camp["converted"],
        revenue=camp["revenue"],
        event_customer=ev["event_customer"],
        event_second=ev["event_second"],
        event_type=ev["event_type"],
        channel=ev["channel"],
        amount=ev["amount"],
        product_category=ev["product_category"],
        p_control=t["p_control"],
        uplift_email=t["uplift_email"],
        uplift_discount=t["uplift_discount"],
        opt_in_propensity=c["opt_in_propensity"],
        opt_in_propensity_marketing=c["opt_in_propensity_marketing"],
        opt_in_propensity_analytics=c["opt_in_propensity_analytics"],
        consent_event_customer=history["consent_event_customer"],
        consent_event_purpose=history["consent_event_purpose"],
        consent_event_second=history["consent_event_second"],
        consent_event_action=history["consent_event_action"],
        recency_days=d["recency_days"],
        purchases_last_90d=d["purchases_last_90d"],
        purchases_91_730d=d["purchases_91_730d"],
        email_open_share=d["email_open_share"],
    )
