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

This module checks the arguments and writes the files; :mod:`analysis.synthetic.truth` simulates the
population (its stages in the modules beside it), ``_frames`` turns the simulation into polars frames and
``_dictionaries`` holds the data dictionaries written beside the files (:func:`dictionary_columns`: the
declarations of some of their columns, for a smaller dictionary of the same data).

Example
-------
>>> frames = generate_frames(2_000, seed=1)
>>> sorted(frames)
['campaign', 'consent_events', 'customers', 'events', 'ground_truth']
>>> frames["customers"].height
2000
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis.errors import must_be
from analysis.synthetic import _dictionaries, _frames, truth
from analysis.synthetic._dictionaries import dictionary_columns

__all__ = ["AS_OF", "GeneratedFiles", "generate", "generate_frames", "FILE_FORMATS", "dictionary_columns"]

#: the end of the event history by default (events lie in the 730 days before it)
AS_OF = date(2026, 6, 30)
FILE_FORMATS = ("parquet", "csv")


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
    return _frames.to_frames(sim, int(n_customers), day)


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
    for dataset, (stem, toml_text) in _dictionaries.DATASETS.items():
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
