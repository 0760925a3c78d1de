"""The default numbers of the breach and trust models, each with its source and year or labelled an assumption.

The registry :data:`DEFAULT_ASSUMPTIONS` is plain data (a tuple of frozen :class:`Assumption`). Figures read
from a public source carry it (see ``/work/shared/REFERENCES.md`` §5); figures marked ``secondary`` were read
in a secondary source, not the original; everything else is ``kind="assumption"`` and says so. The cost per
record is a regional series (:data:`COST_PER_RECORD_SERIES`, :func:`cost_per_record`).

Validating, overriding and listing them is :mod:`analysis.breach.assumptions`, which re-exports every name here.

Example
-------
>>> a = next(a for a in DEFAULT_ASSUMPTIONS if a.key == "fine_probability")
>>> a.value, a.year, a.kind
(0.33, 2024, 'sourced')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Assumption",
    "AssumptionError",
    "DEFAULT_ASSUMPTIONS",
    "DISTRIBUTIONS",
    "KINDS",
    "COST_PER_RECORD_SERIES",
    "REGIONS",
    "DEFAULT_REGION",
    "cost_per_record",
]

KINDS = ("sourced", "assumption")
DISTRIBUTIONS = ("fixed", "pert", "lognormal")

_IBM_2024 = "IBM / Ponemon, Cost of a Data Breach Report 2024"
_IBM_CPR = "IBM / Ponemon, Cost of a Data Breach (average cost per record series)"
_GDPR = "Regulation (EU) 2016/679 (GDPR), Art. 83"
_CCPA = "California Civil Code §1798.150 (CCPA)"
_ASSUMED = "PrivacyLift assumption"
_DATAGRAIL_2022 = "DataGrail, 2022 Data Privacy Trends report (requests received in 2021)"
_GARTNER_DSR = "Gartner estimate of the cost of a manually handled privacy request, via DataGrail Privacy Trends 2023"
_GDPR_12 = "Regulation (EU) 2016/679 (GDPR), Art. 12(3)"


class AssumptionError(ValueError):
    """An assumption (default or override) is invalid; the message names the field."""


def _show(v: Any) -> str:
    """-1.0 → "-1", 0.25 → "0.25", "x" → "'x'"."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return str(int(v))
    return repr(v)


@dataclass(frozen=True)
class Assumption:
    """One default number of the models, with where it comes from."""

    #: registry key, dotted for families ("category_weight.health")
    key: str
    #: the point value (the mode for PERT, the typical value for lognormal)
    value: float
    #: unit in plain words ("USD per record", "per year", "probability", ...)
    unit: str
    #: what it is, in the user's words
    label: str
    #: publication it comes from, or "PrivacyLift assumption"
    source: str
    #: year of the figure (None for assumptions)
    year: int | None
    #: read in a secondary source, not the original
    secondary: bool
    #: "sourced" or "assumption"
    kind: str
    #: lower bound (PERT minimum, 5th percentile for lognormal, sensitivity low for fixed)
    low: float | None = None
    #: upper bound (PERT maximum, 95th percentile for lognormal, sensitivity high for fixed)
    high: float | None = None
    #: how the figure was obtained or why it is plausible
    note: str = ""
    #: one of :data:`DISTRIBUTIONS`
    distribution: str = "fixed"
    #: the region a regional series' figure is for ("global", "united_states"); None for other figures
    region: str | None = None


def _a(key, value, unit, label, *, low=None, high=None, dist="fixed", note="", source=_ASSUMED,
       year=None, secondary=False, kind="assumption", region=None) -> Assumption:
    return Assumption(key, float(value), unit, label, source, year, secondary, kind,
                      None if low is None else float(low), None if high is None else float(high), note, dist,
                      region)


#: IBM / Ponemon average cost of a breach per compromised record (USD), by region and report year
#: (REFERENCES.md §5; every figure read in a secondary source). Two series that must never be mixed: an earlier
#: default ($246, "2020") was a US-like figure labelled a global average.
COST_PER_RECORD_SERIES: dict[str, dict[int, float]] = {
    "global": {2015: 154, 2016: 158, 2017: 141, 2018: 148, 2019: 150, 2020: 146, 2024: 173},
    "united_states": {2017: 225, 2018: 233, 2019: 242},
}
REGIONS = tuple(COST_PER_RECORD_SERIES)
#: the region of the default cost per record: the global average (a business may choose its region)
DEFAULT_REGION = "global"
_REGION_WORDS = {"global": "global average", "united_states": "United States"}
_SERIES_NOTES = {
    "global": "Global series: 2015 $154, 2016 $158, 2017 $141, 2018 $148, 2019 $150, 2020 $146 (all records; "
              "customer PII $150), 2024 $173. Secondary sources disagree on the 2024 figure's record type "
              "(customer PII in one, intellectual property in another): check the report before relying on it.",
    "united_states": "United States series: 2017 $225, 2018 $233, 2019 $242 (US studies of IBM / Ponemon).",
}


def cost_per_record(region: str = DEFAULT_REGION, year: int | None = None) -> Assumption:
    """The sourced cost per record of ``region`` in ``year`` (default: the region's latest figure); its
    sensitivity range is the span of the region's series.

    >>> a = cost_per_record("united_states")
    >>> a.value, a.year, (a.low, a.high)
    (242.0, 2019, (225.0, 242.0))
    """
    if region not in COST_PER_RECORD_SERIES:
        raise AssumptionError(f"The 'cost_per_record.region' assumption must be one of "
                              f"{', '.join(map(repr, REGIONS))}. Got {_show(region)} instead.")
    series = COST_PER_RECORD_SERIES[region]
    year = max(series) if year is None else year
    if isinstance(year, bool) or not isinstance(year, (int, float)) or year not in series:
        raise AssumptionError(f"The 'cost_per_record.year' assumption must be a year of the {region} series "
                              f"({', '.join(map(str, series))}). Got {_show(year)} instead.")
    year = int(year)
    return _a("cost_per_record", series[year], "USD per record",
              f"Average cost of a breach per record ({_REGION_WORDS[region]}, {year})",
              low=min(series.values()), high=max(series.values()), source=f"{_IBM_CPR}, {_REGION_WORDS[region]}",
              year=year, secondary=True, kind="sourced", region=region,
              note=_SERIES_NOTES[region] + " All-inclusive in IBM's method (detection, notification, response, "
                   "lost business). The range is the series' span (used by the robustness draws).")


_CATEGORY_WEIGHTS = {  # share of the average cost per record a category adds (assumptions)
    "contact": (0.7, 0.4, 1.0, "names, e-mail, phone: what breach notification is about"),
    "demographic": (0.3, 0.1, 0.5, "age, gender: contact + demographic = the IBM average record"),
    "location": (0.3, 0.1, 0.6, "address, postcode, geolocation"),
    "financial": (0.8, 0.4, 1.5, "card, account, income: fraud exposure"),
    "health": (1.2, 0.6, 2.0, "special category data (GDPR Art. 9)"),
    "behavioral": (0.2, 0.05, 0.5, "visits, clicks, preferences"),
    "transactional": (0.2, 0.05, 0.5, "purchases, amounts"),
    "other": (0.05, 0.0, 0.2, "technical or miscellaneous columns"),
}

#: The registry: every default number used by ``analysis.breach.montecarlo`` and ``analysis.breach.trust``.
DEFAULT_ASSUMPTIONS: tuple[Assumption, ...] = (
    # --- frequency ------------------------------------------------------------------------------------
    _a("breach_frequency", 0.05, "per year", "Breaches of the customer database per year (ASSUMPTION)",
       low=0.01, high=0.25, dist="pert",
       note="No public source gives this rate for one company's customer database; set it from your own "
            "threat assessment. PERT(low, mode, high) sampled per simulated year, then Poisson."),
    # --- records exposed ------------------------------------------------------------------------------
    _a("reachable_share", 0.8, "share", "Share of held records stored where an attacker can reach them",
       low=0.5, high=1.0),
    _a("breach_records_fraction", 0.2, "share", "Share of reachable records taken in one breach",
       low=0.01, high=1.0, dist="pert", note="PERT sampled per breach."),
    _a("history_days", 1095, "days", "History kept when retention is unlimited",
       low=365, high=3650,
       note="Retention multiplier on behavioral and transactional data (event history) = "
            "min(1, retention_days / history_days)."),
    # --- cost per record ------------------------------------------------------------------------------
    cost_per_record(DEFAULT_REGION),
    _a("lost_business_share_of_record_cost", 0.3, "share",
       "Part of the per-record cost that is lost business (modelled separately here)",
       low=0.2, high=0.4,
       note="Removed from the per-record cost so lost business is not counted twice."),
    _a("cost_per_record_factor", 0.9, "multiplier of the average",
       "Per-breach variation of the cost per record", low=0.45, high=1.8, dist="lognormal",
       note="90 % interval chosen so the factor's mean is ≈ 1 (0.98): the sourced average stays "
            "the average."),
    *(_a(f"category_weight.{c}", w, "weight (× cost per record)", f"Cost weight of {c} data",
         low=lo, high=hi,
         note=n + ". A record's cost = cost per record × sum of the held categories' weights.")
      for c, (w, lo, hi, n) in _CATEGORY_WEIGHTS.items()),
    _a("notification_response_cost", 100_000, "USD per breach",
       "Fixed cost of a breach whatever its size (forensics, legal, notification set-up)",
       low=20_000, high=500_000, dist="pert"),
    # --- mitigations ----------------------------------------------------------------------------------
    _a("encryption_multiplier", 1 - 13 / 233, "multiplier", "Encryption at rest: per-record cost multiplier",
       source=_IBM_CPR, year=2018, secondary=True, kind="sourced",
       note="IBM 2018: encryption cut $13 per record; 1 − 13 / 233 (2018 average $233). Also removes "
            "CCPA statutory damages (non-encrypted data only)."),
    _a("incident_response_multiplier", 1 - 14 / 233, "multiplier",
       "Incident-response team: per-record cost multiplier",
       source=_IBM_CPR, year=2018, secondary=True, kind="sourced",
       note="IBM 2018: an incident-response team cut $14 per record; 1 − 14 / 233."),
    _a("pseudonymization_multiplier", 0.6, "multiplier",
       "Pseudonymized identifiers: per-record cost multiplier", low=0.4, high=0.85),
    _a("no_direct_identifiers_multiplier", 0.4, "multiplier",
       "No direct identifiers held: per-record cost multiplier", low=0.2, high=0.7),
    _a("access_restriction_multiplier", 0.5, "multiplier",
       "Access restriction: multiplier on the reachable share", low=0.25, high=0.8),
    # --- regulatory: GDPR -----------------------------------------------------------------------------
    _a("gdpr_art83_4_fixed_eur", 10_000_000, "EUR", "GDPR Art. 83(4) ceiling, fixed part",
       source=_GDPR + "(4)", year=2016, kind="sourced", note="Whichever is higher of this and the share."),
    _a("gdpr_art83_4_turnover_share", 0.02, "share", "GDPR Art. 83(4) ceiling, share of annual turnover",
       source=_GDPR + "(4)", year=2016, kind="sourced"),
    _a("gdpr_art83_5_fixed_eur", 20_000_000, "EUR", "GDPR Art. 83(5) ceiling, fixed part",
       source=_GDPR + "(5)", year=2016, kind="sourced"),
    _a("gdpr_art83_5_turnover_share", 0.04, "share", "GDPR Art. 83(5) ceiling, share of annual turnover",
       source=_GDPR + "(5)", year=2016, kind="sourced"),
    _a("gdpr_upper_tier_probability", 0.3, "probability",
       "Share of fines imposed under the higher Art. 83(5) tier", low=0.1, high=0.6,
       note="Security failures (Art. 32) fall under 83(4); infringing principles (Art. 5(1)(f)) "
            "under 83(5)."),
    _a("fine_probability", 0.33, "probability", "Probability a breach leads to a fine",
       low=0.2, high=0.5, source=_IBM_2024, year=2024, kind="sourced",
       note="IBM 2024: about a third of organizations paid fines (any regulator). The range is an "
            "assumption."),
    _a("fine_share_of_ceiling", 0.01, "share", "A fine as a share of the GDPR ceiling",
       low=0.001, high=0.1, dist="pert", note="PERT sampled per fine."),
    _a("turnover_eur", 50_000_000, "EUR per year", "Worldwide annual turnover (USER INPUT; default assumed)"),
    _a("eur_usd", 1.08, "USD per EUR", "Exchange rate", low=1.0, high=1.2),
    # --- regulatory: CCPA -----------------------------------------------------------------------------
    _a("ccpa_damages_per_consumer", 250, "USD per consumer", "CCPA statutory damages per consumer",
       low=100, high=750, dist="pert", source=_CCPA + " (bounds); mode assumed", year=2018,
       note="$100–$750 per consumer per incident for non-encrypted, non-redacted personal information. "
            "The mode ($250) is an assumption."),
    _a("ccpa_claim_probability", 0.25, "probability",
       "Probability a qualifying breach ends in statutory damages (class action, settlement)",
       low=0.05, high=0.6),
    _a("california_share", 0.12, "share", "Share of customers living in California", low=0.0, high=0.4,
       note="Set 0 when no customers live in California."),
    # --- lost business ------------------------------------------------------------------------------
    _a("breach_churn", 0.03, "share", "Share of affected customers who leave after a breach",
       low=0.01, high=0.07),
    _a("customer_value", 250, "USD per customer", "Customer lifetime value (USER INPUT; default assumed)",
       low=50, high=1000),
    # --- trust (analysis.breach.trust) ---------------------------------------------------------------------
    _a("trust_consented_retention_lift", 0.02, "share per year",
       "Personalization customers consented to: extra share of them kept each year", low=0.0, high=0.05),
    _a("trust_sensitive_churn", 0.02, "share per year",
       "Personalization using sensitive attributes: extra share of personalized customers lost each year",
       low=0.005, high=0.05),
    _a("trust_nonconsented_churn", 0.03, "share per year",
       "Personalization on non-consented data: extra share of those customers lost each year",
       low=0.01, high=0.08),
    _a("trust_breach_reputation_churn", 0.01, "share", "Share of ALL customers who leave after a breach "
       "(reputation; the affected customers' churn is in the breach model)", low=0.0, high=0.03),
    # --- control: customers' choices over time (analysis.consent.control) ------------------------------
    _a("control_withdrawal_rate", 0.08, "share per year",
       "Consenters who withdraw their consent (or, under legitimate interest, object) each year",
       low=0.02, high=0.25,
       note="No public benchmark was found for one company's CRM; the synthetic CRM's own world uses 5-15 % by "
            "purpose. Withdrawals go through a self-service preference page (no per-request cost)."),
    _a("control_preference_update_rate", 0.03, "share per year",
       "Customers without consent who give it later each year (preference updates)", low=0.0, high=0.10,
       note="Self-service, like withdrawals."),
    _a("control_deletion_request_rate", 84e-6, "share per year",
       "Deletion requests a year per customer (erasure, GDPR Art. 17)", low=42e-6, high=0.002,
       source=_DATAGRAIL_2022, year=2021, secondary=True, kind="sourced",
       note="84 deletion requests per million identities in 2021 (42 in 2020), US consumer brands. The high end "
            "(0.2 %) is an assumption for a GDPR-aware customer base."),
    _a("control_access_request_rate", 16e-6, "share per year",
       "Access requests a year per customer (see your data, GDPR Art. 15)", low=5e-6, high=0.001,
       source=_DATAGRAIL_2022, year=2021, secondary=True, kind="sourced",
       note="6 % of 266 requests per million identities in 2021 were access requests. The range is an assumption."),
    _a("control_request_cost", 1524, "USD per request", "Cost of handling one access or deletion request",
       low=200, high=3000, source=_GARTNER_DSR, year=2023, secondary=True, kind="sourced",
       note="About $1,400 in 2019 and $1,524 in 2023 for a request handled by hand; the low end (automated "
            "handling) and the high end are assumptions."),
    _a("control_deadline_days", 30, "days", "Deadline to answer an access or deletion request",
       low=30, high=90, source=_GDPR_12, year=2016, kind="sourced",
       note="'Without undue delay and in any event within one month', extendable by two further months for "
            "complex or numerous requests (high end). One month is taken as 30 days."),
    _a("control_hours_per_request", 5, "hours per request", "Staff time to handle one request by hand",
       low=1, high=20),
    _a("control_staff_hours_per_month", 140, "hours per month", "Working hours of one person in a month",
       low=120, high=160),
    # --- sanity reference (not used in computations) ----------------------------------------------
    _a("ibm_average_total_cost", 4_880_000, "USD per breach", "Average total cost of a breach (reference)",
       source=_IBM_2024, year=2024, kind="sourced",
       note="2023: $4.45M; US $9.36M; breaches of 2,100–113,000 records. Used only as a sanity check."),
)

