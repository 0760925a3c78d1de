"""A synthetic CRM with known ground truth: customers, a randomized campaign, two years of events.

Four datasets, deterministic for a seed (same seed and options -> byte-identical files):

``crm_customers``
    direct identifiers (``full_name``, ``email``, ``phone``: fake, e-mails on the reserved ``example.*``
    domains, phones in the 555-01xx range reserved for fiction), quasi-identifiers (``age``, ``gender``,
    ``zip``, ``region``), sensitive attributes (``credit_band``, ``financial_distress``, ``health_interest``),
    ``tenure_months``, three consent flags (personalization, marketing, analytics) each with the time of its
    latest answer (``consent_<purpose>_at``), and ``erasure_requested``.
``crm_campaign``
    the arm of a randomized campaign (``control`` / ``email`` / ``discount``, 1/3 each), ``converted`` and
    ``revenue``.
``crm_events``
    visits, e-mail opens and purchases (with amount and product category) in the 730 days before the as-of
    date, ~16 per customer, with per-customer activity levels, late joiners and ~25 % lapsed customers.
``ground_truth``
    never a feature: ``p_control`` (conversion probability without contact), ``uplift_email`` and
    ``uplift_discount`` (true individual uplift as a probability difference: 0.03 = 3 percentage points),
    ``opt_in_propensity`` (personalization) and ``opt_in_propensity_marketing``, ``erased``, and the
    behaviour the truth was computed from (``recency_days``, ``purchases_last_90d``, ``purchases_91_730d``,
    ``email_open_share``; read back from the generated events).
``consent_events``
    never ingested either: every consent given or withdrawn in the 730 days (``customer_id``, ``purpose``,
    ``event_time``, ``action``), the history behind each customer's latest answer.

The structure the ground truth carries (every coefficient is an assumption of this synthetic world, see
:mod:`analysis.synthetic.truth`; the figures are at 50,000 customers, seed 7):

- **Uplift depends mostly on behaviour.** E-mail uplift rises with recency of the last event
  (``exp(-days/45)``), purchases in the last 90 days, purchases 91-730 days ago (long-term loyalty: a
  90-day retention window loses this part of the signal; correlation of ``uplift_email`` with
  ``purchases_91_730d`` ~0.5) and the e-mail-open share; a little on age (older: slightly lower).
- **Sensitive attributes matter.** Discount uplift is ~9 points higher with ``financial_distress``;
  ``health_interest`` adds 3 points of e-mail uplift for customers aged 50+. Health interest is visible in the
  events: ~24 % of such a customer's products are pharmacy, against ~4 % otherwise.
- **Some are harmed by contact.** Dormant customers (no event for 150+ days) who neither open e-mails nor
  were loyal lose up to 6 points when e-mailed: ~14 % of customers have a negative e-mail uplift.
- **Magnitudes.** Control conversion ~10 %; mean uplift ~+3.5 points (e-mail) and ~+4 points (discount);
  the top decile by true uplift averages ~9 (e-mail) and ~12 (discount) points.
- **Consent is not random.** The opt-in propensity for personalization rises for younger, more engaged and
  more responsive customers (consenters average ~45 years and ~+4.7 points of e-mail uplift, non-consenters
  ~53 years and ~+2.5), so a model trained on consenters alone is biased for everyone. Its mean is
  ``opt_in_rate``; marketing consent has other weights, leans on the personalization answer and a mean of
  ``opt_in_rate + 0.05``; analytics consent leans on both and has a mean of ``opt_in_rate + 0.2``.
- **Consent moves.** Consenters withdraw at 10 % (personalization), 15 % (marketing) and 5 % (analytics) a year,
  and others give consent at the rate that keeps each customer's own propensity as the long-run share
  (:data:`analysis.synthetic.truth.WITHDRAWALS_PER_YEAR`); today's answers are the draws above, and the
  history behind them is drawn backwards from them.
- **Identifiability as in real populations.** ~3,500 ZIPs in ~320 ZIP3 areas of Zipf-like size: at 50,000
  customers ~67 % are unique on (age, gender, zip), ~25 % on (age, gender, ZIP3), ~0 % on age alone.

Example
-------
>>> frames = generate_frames(2_000, seed=1)
>>> sorted(frames)
['campaign', 'consent_events', 'customers', 'events', 'ground_truth']
>>> frames["customers"].height
2000
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis.errors import must_be
from analysis.synthetic import truth

__all__ = ["AS_OF", "GeneratedFiles", "generate", "generate_frames", "FILE_FORMATS"]

#: the end of the event history by default (events lie in the 730 days before it)
AS_OF = date(2026, 6, 30)
FILE_FORMATS = ("parquet", "csv")

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


@dataclass(frozen=True)
class GeneratedFiles:
    """Where :func:`generate` wrote each dataset and its data dictionary."""

    customers: Path
    campaign: Path
    events: Path
    ground_truth: Path
    consent_events: Path
    customers_dictionary: Path
    campaign_dictionary: Path
    events_dictionary: Path
    n_customers: int
    n_events: int
    seed: int

    def data_files(self) -> list[tuple[Path, Path]]:
        """``[(dictionary, data file)]`` in ingest order: customers, campaign, events.

        The ground truth and the consent events are not among them: they are never ingested.
        """
        return [
            (self.customers_dictionary, self.customers),
            (self.campaign_dictionary, self.campaign),
            (self.events_dictionary, self.events),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def _fail(name: str, what: str, value: Any, subject: str) -> None:
    raise ValueError(must_be(name, subject, what, value))


def _check(n_customers, seed, opt_in_rate, erasure_rate, as_of, subject: str) -> date:
    if isinstance(n_customers, bool) or not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        _fail("n_customers", "an int >= 1", n_customers, subject)
    if n_customers > 50_000_000:
        _fail("n_customers", "an int <= 50,000,000", n_customers, subject)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        _fail("seed", "an int >= 0", seed, subject)
    for name, value in (("opt_in_rate", opt_in_rate), ("erasure_rate", erasure_rate)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if name == "opt_in_rate" and not (ok and 0 < value < 1):
            _fail(name, "a float in (0, 1)", value, subject)
        if name == "erasure_rate" and not (ok and 0 <= value < 1):
            _fail(name, "a float in [0, 1)", value, subject)
    if isinstance(as_of, date) and not isinstance(as_of, datetime):
        return as_of
    try:
        return date.fromisoformat(as_of)
    except (TypeError, ValueError):
        _fail("as_of", "an ISO date string such as '2026-06-30'", as_of, subject)
        raise  # unreachable


def _labels(values: tuple[str, ...], codes: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(codes.astype(np.int64))


def _frames(sim: truth.Simulation, n: int, as_of: date) -> dict[str, pl.DataFrame]:
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


_SOURCE = 'source = "synthetic: analysis.synthetic (PrivacyLift), fake people"\nlicense = "CC0-1.0"'


def _toml_list(values) -> str:
    """A TOML array of strings: the declared categories of a column (domain knowledge for DP, never the data)."""
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


_CUSTOMERS_TOML = f'''[dataset]
name = "crm_customers"
entity = "customers"
key = "customer_id"
erased = "erasure_requested"
description = "Synthetic CRM customers: identifiers, demographics, sensitive attributes, consent."
{_SOURCE}

[columns.customer_id]
role = "other"
type = "text"
description = "Customer number, e.g. C0000001."

[columns.full_name]
role = "direct_identifier"
notice = "your name"
category = "contact"
type = "text"

[columns.email]
role = "direct_identifier"
notice = "your e-mail address"
category = "contact"
type = "text"
description = "Unique; on the reserved example.* domains."

[columns.phone]
role = "direct_identifier"
notice = "your phone number"
category = "contact"
type = "text"
description = "In the 555-01xx range reserved for fiction."

[columns.age]
role = "quasi_identifier"
notice = "your age"
category = "demographic"
type = "integer"
bounds = [18, 100]
generalize = "band"
levels = [5, 10, 20]
protected = true

[columns.gender]
role = "quasi_identifier"
notice = "your gender"
category = "demographic"
type = "category"
values = {_toml_list(truth.GENDERS)}
protected = true
description = "F, M or X."

[columns.zip]
role = "quasi_identifier"
notice = "your ZIP code"
category = "location"
type = "text"
generalize = "prefix"
levels = [3, 2, 1]
description = "5-digit ZIP code."

[columns.region]
role = "quasi_identifier"
notice = "the region you live in"
category = "location"
type = "category"
values = {_toml_list(truth.REGIONS)}
generalize = "merge_rare"
levels = [0.05]
description = "From the first digit of the ZIP code."

[columns.credit_band]
role = "sensitive"
notice = "your credit rating"
category = "financial"
type = "category"
order = ["poor", "fair", "good", "excellent"]

[columns.financial_distress]
role = "sensitive"
notice = "signs that money is tight for you"
category = "financial"
type = "boolean"

[columns.health_interest]
role = "sensitive"
notice = "your interest in health products"
category = "health"
type = "boolean"
description = "Inferred interest in health products (shows in pharmacy purchases)."

[columns.tenure_months]
role = "behavioral"
notice = "how long you have been a customer"
category = "behavioral"
type = "integer"
bounds = [0, 240]

[columns.consent_personalization]
role = "consent"
purpose = "personalization"
type = "boolean"
changed_at = "consent_personalization_at"

[columns.consent_personalization_at]
role = "other"
type = "timestamp"
description = "When the personalization answer was last given or withdrawn."

[columns.consent_marketing]
role = "consent"
purpose = "marketing"
type = "boolean"
changed_at = "consent_marketing_at"

[columns.consent_marketing_at]
role = "other"
type = "timestamp"
description = "When the marketing answer was last given or withdrawn."

[columns.consent_analytics]
role = "consent"
purpose = "analytics"
type = "boolean"
changed_at = "consent_analytics_at"

[columns.consent_analytics_at]
role = "other"
type = "timestamp"
description = "When the analytics answer was last given or withdrawn."

[columns.erasure_requested]
role = "other"
type = "boolean"
description = "The customer asked for erasure: never stored."
'''

_CAMPAIGN_TOML = f'''[dataset]
name = "crm_campaign"
entity = "customers"
key = "customer_id"
description = "A randomized campaign: control, e-mail or discount (1/3 each), and its outcome."
{_SOURCE}

[columns.customer_id]
role = "other"
type = "text"

[columns.arm]
role = "treatment"
type = "category"
control = "control"
description = "control, email or discount; randomized."

[columns.converted]
role = "outcome"
type = "boolean"
primary = true
positive = "true"

[columns.revenue]
role = "outcome"
type = "float"
bounds = [0, 1000]
description = "Order value in dollars when converted, else 0."
'''

_EVENTS_TOML = f'''[dataset]
name = "crm_events"
entity = "events"
key = "customer_id"
description = "Visits, e-mail opens and purchases in the 730 days before the as-of date."
{_SOURCE}

[columns.customer_id]
role = "other"
type = "text"

[columns.event_time]
role = "timestamp"
type = "timestamp"

[columns.event_type]
role = "behavioral"
notice = "your visits, the e-mails you open and what you buy"
category = "behavioral"
type = "category"
values = {_toml_list(truth.EVENT_TYPES)}
description = "visit, email_open or purchase."

[columns.channel]
role = "behavioral"
notice = "whether you use our website, our app, our shops or e-mail"
category = "behavioral"
type = "category"
values = {_toml_list(truth.CHANNELS)}
description = "web, app, store or email."

[columns.amount]
role = "behavioral"
notice = "how much you spend"
category = "transactional"
type = "float"
bounds = [0, 2000]
description = "Purchase amount in dollars; 0 for other events."

[columns.product_category]
role = "behavioral"
notice = "which kinds of products you look at and buy"
category = "transactional"
type = "category"
values = {_toml_list(truth.PRODUCT_CATEGORIES)}
description = """Product viewed, bought or featured: grocery, apparel, electronics, home, beauty, \
pharmacy, sports, books."""
'''

#: dataset -> (file stem, dictionary text)
_DATASETS = {
    "customers": ("crm_customers", _CUSTOMERS_TOML),
    "campaign": ("crm_campaign", _CAMPAIGN_TOML),
    "events": ("crm_events", _EVENTS_TOML),
}


def generate_frames(
    n_customers: int = 50_000,
    *,
    seed: int = 7,
    opt_in_rate: float = 0.45,
    erasure_rate: float = 0.01,
    as_of: str | date = AS_OF.isoformat(),
) -> dict[str, pl.DataFrame]:
    """Generate the synthetic CRM in memory.

    Parameters
    ----------
    n_customers : int
        Number of customers (events are ~16 per customer).
    seed : int
        Seed; the same seed and options give the same data.
    opt_in_rate : float
        Expected share consenting to personalization (assumption of the demo: 0.45).
    erasure_rate : float
        Expected share of customers who asked for erasure (assumption of the demo: 0.01).
    as_of : str or date
        End of the event history (ISO date); events lie in the 730 days before it.

    Returns
    -------
    dict of polars.DataFrame
        ``customers``, ``campaign``, ``events``, ``ground_truth`` and ``consent_events`` (see the module
        docstring).

    Example
    -------
    >>> f = generate_frames(1_000, seed=3)
    >>> f["campaign"]["arm"].unique().sort().to_list()
    ['control', 'discount', 'email']
    """
    day = _check(n_customers, seed, opt_in_rate, erasure_rate, as_of, "generate_frames")
    sim = truth.simulate(
        int(n_customers), int(seed), opt_in_rate=float(opt_in_rate), erasure_rate=float(erasure_rate)
    )
    return _frames(sim, int(n_customers), day)


def generate(
    n_customers: int = 50_000,
    *,
    seed: int = 7,
    out_dir: str | Path,
    file_format: str = "parquet",
    opt_in_rate: float = 0.45,
    erasure_rate: float = 0.01,
    as_of: str = AS_OF.isoformat(),
) -> GeneratedFiles:
    """Write the synthetic CRM and its data dictionaries into ``out_dir``.

    Files: ``crm_customers``, ``crm_campaign``, ``crm_events`` (``.parquet`` or ``.csv``) each with its
    dictionary (``.toml``) beside it, and ``ground_truth.parquet`` and ``consent_events.parquet`` (always
    Parquet; never ingest them).
    Existing files of the same names are replaced. Parameters as in :func:`generate_frames`, plus
    ``out_dir`` (created if missing) and ``file_format`` (``"parquet"`` or ``"csv"``).

    Example
    -------
    >>> import tempfile
    >>> files = generate(1_000, seed=3, out_dir=tempfile.mkdtemp())
    >>> [d.name for d, _ in files.data_files()]
    ['crm_customers.toml', 'crm_campaign.toml', 'crm_events.toml']
    """
    if file_format not in FILE_FORMATS:
        _fail("file_format", f"one of {', '.join(FILE_FORMATS)}", file_format, "generate")
    if not isinstance(out_dir, (str, Path)) or str(out_dir) == "":
        _fail("out_dir", "a directory path", out_dir, "generate")
    day = _check(n_customers, seed, opt_in_rate, erasure_rate, as_of, "generate")
    frames = generate_frames(
        n_customers, seed=seed, opt_in_rate=opt_in_rate, erasure_rate=erasure_rate, as_of=day
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for dataset, (stem, toml_text) in _DATASETS.items():
        data_path = out / f"{stem}.{file_format}"
        _write(frames[dataset], data_path, file_format)
        dict_path = out / f"{stem}.toml"
        dict_path.write_text(toml_text, encoding="utf-8")
        paths[dataset] = data_path
        paths[f"{dataset}_dictionary"] = dict_path
    for never_ingested in ("ground_truth", "consent_events"):
        paths[never_ingested] = out / f"{never_ingested}.parquet"
        _write(frames[never_ingested], paths[never_ingested], "parquet")
    return GeneratedFiles(
        **paths, n_customers=int(n_customers), n_events=frames["events"].height, seed=int(seed)
    )


def _write(frame: pl.DataFrame, path: Path, file_format: str) -> None:
    """Write atomically (a temporary file renamed into place), so a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    if file_format == "parquet":
        frame.write_parquet(tmp, compression="zstd", statistics=True)
    else:
        frame.write_csv(tmp, datetime_format="%Y-%m-%d %H:%M:%S")
    tmp.replace(path)
