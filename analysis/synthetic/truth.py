"""The simulation behind :mod:`analysis.synthetic`: people, events, true uplift, consent, campaign.

Private module: :func:`simulate` returns plain numpy arrays; :mod:`analysis.synthetic` turns them into
polars frames, files and data dictionaries. Every coefficient below is an **assumption** of this synthetic
world (chosen so that the averages land where the module docstring of :mod:`analysis.synthetic` says),
not a figure from a source. Each stage draws from its own child of one ``numpy.random.SeedSequence``, so
changing one stage does not reshuffle the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: days of event history before the as-of date
HISTORY_DAYS = 730
SECONDS_PER_DAY = 86_400
#: the retention window whose loss the ground truth makes measurable
RECENT_DAYS = 90
#: recency recorded for a customer with no event at all (one day past the history)
NO_EVENT_RECENCY_DAYS = HISTORY_DAYS + 1

GENDERS = ("F", "M", "X")
GENDER_SHARES = (0.49, 0.49, 0.02)  # assumption (brief: ~49/49/2 %)
CREDIT_BANDS = ("poor", "fair", "good", "excellent")
EVENT_TYPES = ("visit", "email_open", "purchase")
CHANNELS = ("web", "app", "store", "email")
PRODUCT_CATEGORIES = ("grocery", "apparel", "electronics", "home", "beauty", "pharmacy", "sports", "books")
#: ZIP first digit -> region (loosely the US national ZIP areas); "Mountain" is kept rare (< 5 %) on purpose
REGION_OF_DIGIT = (
    "Northeast", "Northeast", "Southeast", "Southeast", "Midwest",
    "Midwest", "Central", "South Central", "Mountain", "Pacific",
)  # fmt: skip
REGIONS = tuple(dict.fromkeys(REGION_OF_DIGIT))
_DIGIT_SHARES = np.array([0.07, 0.13, 0.11, 0.15, 0.10, 0.07, 0.10, 0.12, 0.035, 0.115])
#: a few thousand ZIPs grouped in ZIP3 areas (assumption; the US has ~42,000 ZIPs in ~900 ZIP3s)
N_ZIP3 = 320
ZIPS_PER_ZIP3 = 12
#: mean events per customer over the whole history (brief: ~12-20)
MEAN_EVENTS = 16.0
#: share of customers who stopped being active before the as-of date (assumption)
LAPSED_SHARE = 0.25

#: the purposes customers answer consent for, and the share of consenters who withdraw each year (assumptions of
#: this synthetic world: marketing e-mails are dropped most often, analytics least)
CONSENT_PURPOSES = ("personalization", "marketing", "analytics")
WITHDRAWALS_PER_YEAR = {"personalization": 0.10, "marketing": 0.15, "analytics": 0.05}
CONSENT_ACTIONS = ("given", "withdrawn")
DAYS_PER_MONTH = 30.44

_NON_PHARMACY = tuple(c for c in PRODUCT_CATEGORIES if c != "pharmacy")
_NON_PHARMACY_SHARES = np.array([0.30, 0.17, 0.10, 0.14, 0.11, 0.09, 0.09])


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


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x, dtype=float)


def _calibrate_intercept(score: np.ndarray, target: float) -> float:
    """Intercept c with mean(logistic(c + score)) == target (bisection; the mean is increasing in c)."""
    low, high = -30.0, 30.0
    for _ in range(60):
        mid = (low + high) / 2
        if _logistic(mid + score).mean() < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


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


def _people(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
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
    distress = rng.random(n) < _logistic(distress_score)
    health = rng.random(n) < _logistic(-1.6 + 0.45 * age_c)
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
        "app_preference": _logistic(-0.5 * age_c + rng.normal(0.0, 1.0, n)),
        "open_propensity": rng.beta(2.0, 3.0, n),
        "purchase_propensity": rng.beta(2.0, 6.0, n),
        "lapsed": rng.random(n) < LAPSED_SHARE,
        "lapse_days": rng.uniform(RECENT_DAYS, HISTORY_DAYS - 30, n),
    }


def _events(rng: np.random.Generator, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
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


def _drivers(ev: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
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


def _truth(rng: np.random.Generator, p: dict, d: dict, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Control conversion probability and true uplift per arm (probability differences)."""
    n = p["age"].size
    fresh = np.exp(-d["recency_days"] / 45.0)  # 1 = active today, ~0.14 at 90 days
    recent = np.log1p(d["purchases_last_90d"])
    loyal = np.log1p(d["purchases_91_730d"])
    opens = d["email_open_share"]
    age_c = (p["age"] - 45) / 15
    health_older = p["health_interest"] & (p["age"] >= 50)
    p_control = _logistic(-3.1 + 0.45 * recent + 0.35 * loyal + 0.7 * fresh + 0.15 * np.log(p["activity"]))
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


def _consent(rng, p, d, t, counts, opt_in_rate: float) -> dict[str, np.ndarray]:
    age_c = (p["age"] - 45) / 15
    engagement = _zscore(np.log1p(counts))
    score = -0.55 * age_c + 0.35 * engagement + 0.45 * _zscore(t["uplift_email"]) + 0.3 * t["fresh"]
    propensity = _logistic(_calibrate_intercept(score, opt_in_rate) + score)
    personalization = rng.random(propensity.size) < propensity
    # marketing: same kind of people, other weights, tied to the personalization answer (assumption)
    marketing_rate = float(np.clip(opt_in_rate + 0.05, 0.01, 0.99))
    score_m = -0.25 * age_c + 0.2 * engagement + 0.3 * _zscore(t["uplift_discount"]) + 1.2 * personalization
    propensity_m = _logistic(_calibrate_intercept(score_m, marketing_rate) + score_m)
    marketing = rng.random(propensity.size) < propensity_m
    return {
        "consent_personalization": personalization,
        "consent_marketing": marketing,
        "opt_in_propensity": propensity,
        "opt_in_propensity_marketing": propensity_m,
    }


def _analytics_consent(rng, p, c, counts, opt_in_rate: float) -> dict[str, np.ndarray]:
    """Analytics consent: asked of everyone, given more often (mean ``opt_in_rate + 0.2``), and tied to the two
    other answers (assumption): a customer who said yes to personalization or marketing mostly says yes here."""
    age_c = (p["age"] - 45) / 15
    engagement = _zscore(np.log1p(counts))
    rate = float(np.clip(opt_in_rate + 0.2, 0.01, 0.99))
    score = (-0.15 * age_c + 0.15 * engagement + 1.0 * c["consent_personalization"]
             + 0.6 * c["consent_marketing"])
    propensity = _logistic(_calibrate_intercept(score, rate) + score)
    return {"consent_analytics": rng.random(propensity.size) < propensity, "opt_in_propensity_analytics": propensity}


def _consent_history(rng: np.random.Generator, p: dict, answers: dict, propensities: dict) -> dict:
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


def _campaign(rng: np.random.Generator, p: dict, t: dict) -> dict[str, np.ndarray]:
    n = p["age"].size
    arm = rng.integers(0, 3, n).astype(np.int8)  # randomized, 1/3 each
    uplift = np.where(arm == 1, t["uplift_email"], np.where(arm == 2, t["uplift_discount"], 0.0))
    prob = t["p_control"] + uplift
    converted = rng.random(n) < prob
    order = p["spend"] * rng.lognormal(0.3, 0.4, n) * np.where(arm == 2, 0.85, 1.0)  # discount: 15 % off
    revenue = np.where(converted, np.round(np.clip(order, 1.0, 1000.0), 2), 0.0)
    return {"arm": arm, "converted": converted, "revenue": revenue}


def simulate(n: int, seed: int, *, opt_in_rate: float, erasure_rate: float) -> Simulation:
    """Simulate ``n`` customers with seed ``seed`` (arguments already checked by the caller)."""
    # spawn(9)'s first seven children are spawn(7)'s: the streams added later reshuffle nothing drawn before
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(9)]
    people_rng, event_rng, truth_rng, consent_rng, campaign_rng, erase_rng, name_rng, analytics_rng, history_rng = (
        streams)
    p = _people(people_rng, n)
    ev = _events(event_rng, p)
    d = _drivers(ev, n)
    t = _truth(truth_rng, p, d, ev["counts"])
    c = _consent(consent_rng, p, d, t, ev["counts"], opt_in_rate)
    c.update(_analytics_consent(analytics_rng, p, c, ev["counts"], opt_in_rate))
    history = _consent_history(
        history_rng, p, {purpose: c[f"consent_{purpose}"] for purpose in CONSENT_PURPOSES},
        {"personalization": c["opt_in_propensity"], "marketing": c["opt_in_propensity_marketing"],
         "analytics": c["opt_in_propensity_analytics"]})
    camp = _campaign(campaign_rng, p, t)
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
