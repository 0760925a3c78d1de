"""Control as a simulation: customers change their minds, ask to see their data and ask to be erased.

Over the horizon, month by month, with the yearly rates of :mod:`analysis.breach.assumptions` (``control_*``;
labelled assumptions or sourced, each with a range, all overridable)::

    kept'     = kept × (1 − deletion / 12)                                   customers not erased
    eligible' = eligible × (1 − (withdrawal + deletion) / 12) + update / 12 × (kept − eligible)

``eligible`` starts at the share the scenario may personalize (:class:`analysis.consent.gain.PersonalizedGain`):
consenters of its purpose, or under legitimate interest everyone who has not objected (an objection counts as
a withdrawal). The gain of a month is the measured gain a campaign × campaigns a month × value of a conversion
× ``eligible / eligible at the start`` — the business keeps contacting the same share of those it may
personalize, and people who change their minds are assumed to sit anywhere in the model's ranking (an
assumption: if the most responsive customers withdraw most, the loss is larger). The same months with nobody
changing their mind are the *static* comparison.

Trust uses the trust model unchanged (:func:`analysis.breach.trust.trust_effects`) with the consented and
personalized shares averaged over the horizon. Withdrawals and preference updates go through a self-service
page (no per-request cost); access and deletion requests cost ``control_request_cost`` each and must be
answered within ``control_deadline_days`` (GDPR Art. 12(3): one month): the staff needed is what the busiest
5 % of deadline windows need (Poisson arrivals).

Example
-------
>>> r = control_over_time(customers=10_000, eligible_share=0.5, gain_per_campaign=100.0,
...                       campaigns_per_year=12, value_per_conversion=40.0)
>>> r.gain_value < r.gain_value_static
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from analysis import formatting
from analysis.breach.assumptions import AssumptionsLike, load_assumptions
from analysis.breach.trust import TrustInputs, trust_effects

__all__ = ["CONTROL_PARAMETERS", "ControlResult", "control_over_time", "simulate_control"]

#: the assumptions this model reads
CONTROL_PARAMETERS = ("control_withdrawal_rate", "control_preference_update_rate", "control_deletion_request_rate",
                      "control_access_request_rate", "control_request_cost", "control_deadline_days",
                      "control_hours_per_request", "control_staff_hours_per_month")
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class ControlResult:
    """What honouring customers' choices does over the horizon (money in USD over the whole horizon)."""

    horizon_years: int
    customers: int
    #: one row per year: year, kept_share, eligible_share, personalized_share_of_start, gain_value,
    #: gain_value_static, requests, request_cost
    table: pl.DataFrame = field(repr=False)
    gain_value: float
    gain_value_static: float
    trust_value: float | None
    trust_value_static: float | None
    operating_cost: float
    requests_per_year: float
    #: requests in the busiest 5 % of deadline windows, and the people needed to answer them in time
    requests_busy_window: int
    staff_needed: int
    deadline_days: float
    rates: dict[str, float]

    @property
    def lost_gain(self) -> float:
        return self.gain_value_static - self.gain_value

    @property
    def net_effect(self) -> float:
        """Gain and trust against nobody changing their mind, minus the cost of handling requests."""
        trust = 0.0 if self.trust_value is None else self.trust_value - (self.trust_value_static or 0.0)
        return -self.lost_gain + trust - self.operating_cost

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("horizon_years", "customers", "gain_value", "gain_value_static",
                                             "trust_value", "trust_value_static", "operating_cost",
                                             "requests_per_year", "requests_busy_window", "staff_needed",
                                             "deadline_days", "rates")}
        out.update(lost_gain=self.lost_gain, net_effect=self.net_effect, by_year=self.table.to_dicts())
        return out

    def sentences(self) -> list[str]:
        """The result in plain words (for the app and the report)."""
        h = self.horizon_years
        start, end = self.table["eligible_share"][0], self.table["eligible_share"][-1]
        years = f"{h} year{'s' if h != 1 else ''}"
        lines = [
            f"Over {years}, the share of customers you may personalize goes from "
            f"{formatting.percent(self.rates['start_eligible_share'])} to {formatting.percent(end)} "
            f"(after year 1: {formatting.percent(start)}).",
            f"Honouring these choices costs {formatting.money(self.lost_gain)} of engagement value over {years} "
            f"({formatting.money(self.gain_value)} instead of {formatting.money(self.gain_value_static)} if nobody "
            "changed their mind).",
            f"Expect about {formatting.number(self.requests_per_year)} access and deletion requests a year, "
            f"{formatting.money(self.operating_cost)} over {years} at "
            f"{formatting.money(self.rates['request_cost'])} each.",
            f"To answer every request within {formatting.number(self.deadline_days)} days (GDPR Art. 12(3)), plan "
            f"for {self.requests_busy_window} request(s) in a busy period: {self.staff_needed} person(s) on call.",
        ]
        if self.trust_value is not None and self.trust_value_static is not None:
            lines.append(f"Trust over {years}: {formatting.money(self.trust_value)} against "
                         f"{formatting.money(self.trust_value_static)} if nobody changed their mind.")
        return lines


def _rates(assumptions: AssumptionsLike) -> dict[str, float]:
    a = load_assumptions(assumptions)
    return {
        "withdrawal": a.value("control_withdrawal_rate"),
        "update": a.value("control_preference_update_rate"),
        "deletion": a.value("control_deletion_request_rate"),
        "access": a.value("control_access_request_rate"),
        "request_cost": a.value("control_request_cost"),
        "deadline_days": a.value("control_deadline_days"),
        "hours_per_request": a.value("control_hours_per_request"),
        "staff_hours_per_month": a.value("control_staff_hours_per_month"),
    }


def _check(name: str, value: Any, ok: bool, what: str) -> None:
    if not ok:
        from analysis.errors import must_be

        raise ValueError(must_be(name, "control_over_time", what, value))


def control_over_time(*, customers: int, eligible_share: float, gain_per_campaign: float, campaigns_per_year: int,
                      value_per_conversion: float, horizon_years: int = 3, assumptions: AssumptionsLike = None,
                      trust: TrustInputs | None = None) -> ControlResult:
    """The control simulation from plain figures (see the module docstring; :func:`simulate_control` takes a
    scenario result)."""
    _check("customers", customers, isinstance(customers, int) and customers >= 0, "an int ≥ 0")
    _check("eligible_share", eligible_share, isinstance(eligible_share, (int, float))
           and 0 <= eligible_share <= 1, "a share in [0, 1]")
    _check("horizon_years", horizon_years, isinstance(horizon_years, int) and 1 <= horizon_years <= 30,
           "an int in [1, 30]")
    r = _rates(assumptions)
    months = 12 * horizon_years
    kept = np.empty(months + 1)
    eligible = np.empty(months + 1)
    kept[0], eligible[0] = 1.0, float(eligible_share)
    for m in range(months):  # one step a month: a few dozen scalar steps, not a loop over customers
        kept[m + 1] = kept[m] * (1 - r["deletion"] / 12)
        eligible[m + 1] = (eligible[m] * (1 - (r["withdrawal"] + r["deletion"]) / 12)
                           + r["update"] / 12 * (kept[m] - eligible[m]))
    relative = eligible[1:] / eligible_share if eligible_share > 0 else np.zeros(months)
    per_month = gain_per_campaign * campaigns_per_year / 12 * value_per_conversion
    gain = per_month * relative
    requests = customers * kept[1:] * (r["deletion"] + r["access"]) / 12
    year = np.repeat(np.arange(1, horizon_years + 1), 12)
    table = pl.DataFrame({"year": year, "kept": kept[1:], "eligible": eligible[1:], "relative": relative,
                          "gain": gain, "requests": requests}).group_by("year", maintain_order=True).agg(
        pl.col("kept").last().alias("kept_share"), pl.col("eligible").last().alias("eligible_share"),
        pl.col("relative").last().alias("personalized_share_of_start"), pl.col("gain").sum().alias("gain_value"),
        pl.lit(per_month * 12).alias("gain_value_static"), pl.col("requests").sum(),
        (pl.col("requests").sum() * r["request_cost"]).alias("request_cost"))
    per_year = customers * (r["deletion"] + r["access"])
    window = r["deadline_days"] / DAYS_PER_MONTH
    busy = int(stats.poisson.ppf(0.95, per_year / 12 * window)) if per_year > 0 else 0
    staff = math.ceil(busy * r["hours_per_request"] / (r["staff_hours_per_month"] * window)) if busy else 0
    trust_dynamic = trust_static = None
    if trust is not None:
        scale = float(relative.mean()) if eligible_share > 0 else 1.0
        consented = min(1.0, trust.consented_share * scale)
        personalized = trust.personalized_share * scale
        if not trust.uses_nonconsented:
            personalized = min(personalized, consented)
        moved = replace(trust, consented_share=consented, personalized_share=min(1.0, personalized))
        trust_dynamic = trust_effects(moved, assumptions, horizons=(horizon_years,)).net_value[horizon_years]
        trust_static = trust_effects(trust, assumptions, horizons=(horizon_years,)).net_value[horizon_years]
    return ControlResult(
        horizon_years=horizon_years, customers=customers, table=table, gain_value=float(gain.sum()),
        gain_value_static=float(per_month * months), trust_value=trust_dynamic, trust_value_static=trust_static,
        operating_cost=float(requests.sum() * r["request_cost"]), requests_per_year=per_year,
        requests_busy_window=busy, staff_needed=staff, deadline_days=r["deadline_days"],
        rates={**r, "start_eligible_share": float(eligible_share)})


def simulate_control(result, data, *, settings=None, assumptions: AssumptionsLike = None,
                     horizon_years: int | None = None) -> ControlResult:
    """The control simulation of one scenario result (its purpose, legal basis and measured gain with only
    eligible customers personalized) on its data, with the business settings' campaigns and value."""
    from analysis.tradeoff.inputs import trust_inputs
    from analysis.tradeoff.settings import BusinessSettings

    settings = settings or BusinessSettings()
    if not result.ok or result.personalization is None:
        raise ValueError(f"Scenario {result.spec.name!r} has no measured gain to simulate control on"
                         f" ({result.reason or 'not measured'}).")
    p = result.personalization
    gain = p.incremental_conversions if p.incremental_conversions is not None else 0.0
    return control_over_time(customers=int(result.population), eligible_share=float(p.eligible_share),
                             gain_per_campaign=float(gain), campaigns_per_year=settings.campaigns_per_year,
                             value_per_conversion=settings.value_per_conversion,
                             horizon_years=horizon_years or settings.horizon_years, assumptions=assumptions,
                             trust=trust_inputs(result, data))
