"""Gain, exposure, breach loss and trust side by side for many scenarios; net value, the Pareto frontier,
sweeps, and a plain-language recommendation computed from the figures.

Example
-------
>>> from analysis import Store, PRESETS, run_scenarios   # doctest: +SKIP
>>> t = run_scenarios(PRESETS, Store("data/demo/crm.duckdb"))   # doctest: +SKIP
>>> t.table.select("name", "net_value", "on_frontier")   # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Sequence

import polars as pl

from .assumptions import Assumptions, load_assumptions
from .frontier import pareto_frontier
from .minimize import CRMData, load_crm
from .scenario import PRESETS, Scenario
from .simulate import ModelCache, ScenarioResult, SimulationSettings, simulate
from .trust import TrustInputs, TrustResult, trust_effects

__all__ = [
    "BusinessSettings",
    "Tradeoff",
    "run_scenarios",
    "risk_index",
    "RISK_INDEX_FORMULA",
    "sweep",
    "trust_inputs",
    "waterfall_steps",
    "recommendation",
    "SWEEPS",
]

#: Weights of the exposure index (assumptions: re-identification counts most, then what can be inferred
#: about a person, then what the model leaks). Shown with the formula wherever the index is.
RISK_WEIGHTS = {"reidentification": 0.4, "behavioral": 0.2, "sensitive_disclosure": 0.25, "membership": 0.15}
RISK_INDEX_FORMULA = (
    "Exposure index = 100 × (share of customers held) × (0.4 × average re-identification risk "
    "+ 0.2 × share unique from 4 of their events + 0.25 × sensitive-attribute disclosure "
    "+ 0.15 × membership-inference advantage), where sensitive-attribute disclosure is the attribute-inference "
    "risk when sensitive attributes are held (0 when none is held); 0 = nothing exposed, 100 = everyone held "
    "and fully exposed. "
    "The weights are PrivacyLift assumptions."
)


_REQUIREMENTS = {"horizon_years": "1 or 3", "risk_tolerance": "pairs of (loss > 0, probability in (0, 1])"}


@dataclass(frozen=True)
class BusinessSettings:
    """Business inputs of the net value (all PrivacyLift assumptions; override them for your business).

    Parameters
    ----------
    value_per_conversion : float
        Contribution margin of one extra conversion, USD (assumption: 40).
    campaigns_per_year : int
        Personalized campaigns a year, each earning the measured incremental conversions (assumption: 12,
        a monthly programme).
    horizon_years : int
        Horizon of the net value (1 or 3 years are shown; default 3).
    current_practice : str
        The scenario that describes what the business does today (marked on charts).
    risk_tolerance : tuple of (loss USD, largest acceptable yearly probability of exceeding it)
        The risk appetite drawn over loss exceedance curves (pyfair's risk tolerance curve). Assumption:
        a 10 % chance a year of losing $100k, 2 % of $1M, 0.5 % of $10M.
    """

    value_per_conversion: float = 40.0
    campaigns_per_year: int = 12
    horizon_years: int = 3
    current_practice: str = PRESETS[0].name
    risk_tolerance: tuple[tuple[float, float], ...] = ((1e5, 0.10), (1e6, 0.02), (1e7, 0.005))

    def tolerance_frame(self) -> pl.DataFrame:
        """The risk tolerance curve, for :func:`analysis.charts.exceedance_chart` (columns loss, probability)."""
        return pl.DataFrame(list(self.risk_tolerance), schema={"loss": pl.Float64, "probability": pl.Float64},
                            orient="row")

    def __post_init__(self) -> None:
        for name, ok in (
            ("value_per_conversion", self.value_per_conversion >= 0),
            ("campaigns_per_year", self.campaigns_per_year >= 0),
            ("horizon_years", self.horizon_years in (1, 3)),
            ("risk_tolerance", all(l > 0 and 0 < p <= 1 for l, p in self.risk_tolerance)),
        ):
            if not ok:
                raise ValueError(
                    f"The {name!r} parameter of BusinessSettings must be "
                    f"{_REQUIREMENTS.get(name, '≥ 0')}. Got {getattr(self, name)!r} instead."
                )


def risk_index(result: ScenarioResult) -> float:
    """The transparent composite exposure index of :data:`RISK_INDEX_FORMULA`, 0–100."""
    if not result.ok:
        return float("nan")
    held_share = result.customers_held / result.population if result.population else 0.0
    reid = result.risk.reidentification.prosecutor_average_records if result.risk is not None else 0.0
    memb = result.membership.risk if result.membership is not None else 0.0
    behav = result.behavioral_uniqueness or 0.0
    w = RISK_WEIGHTS
    return 100.0 * held_share * (
        w["reidentification"] * reid
        + w["behavioral"] * behav
        + w["sensitive_disclosure"] * sensitive_disclosure(result)
        + w["membership"] * memb
    )


def sensitive_disclosure(result: ScenarioResult) -> float:
    """How surely a sensitive attribute of a person known to the attacker is disclosed by what is held: the
    attribute-inference risk (link the person's quasi-identifiers to the held records, read the value) when
    sensitive attributes are held (1 when no quasi-identifier is held to measure it with); 0 when none is held."""
    if result.risk is None or not result.risk.sensitive:
        return 0.0
    return result.attribute.risk if result.attribute is not None else 1.0


def trust_inputs(result: ScenarioResult, data: CRMData) -> TrustInputs:
    """The trust-model inputs of one scenario (consent shares, sensitive use) as :func:`run_scenarios` builds them."""
    spec = result.spec
    n = max(result.population, 1)
    consent_col = data.schema.consent_column(spec.consent_purpose)
    actual = float(data.customers[consent_col].cast(pl.Float64).mean()) if consent_col else 0.0
    held_share = result.customers_held / n
    uses_sensitive = any(c in data.schema.sensitive for c in result.columns_used)
    if spec.consent == "ignore":
        consented, uses_nonconsented = actual, actual < 1.0
    elif spec.consent == "opt_out":
        consented, uses_nonconsented = held_share, False  # the opt-out regime counts as consent here
    else:
        consented, uses_nonconsented = held_share, False
    personalized = spec.k if uses_nonconsented else min(spec.k, consented)
    return TrustInputs(
        customers=int(result.population),
        consented_share=float(min(max(consented, 0.0), 1.0)),
        personalized_share=float(personalized),
        uses_sensitive=uses_sensitive,
        uses_nonconsented=uses_nonconsented,
    )


@dataclass(frozen=True)
class Tradeoff:
    """Many scenarios measured on one dataset, compared."""

    results: tuple[ScenarioResult, ...]
    trust: dict[str, TrustResult]
    settings: BusinessSettings
    #: one row per applicable scenario (see :func:`run_scenarios` for the columns)
    table: pl.DataFrame
    #: scenarios that do not apply, with the reason
    not_applicable: pl.DataFrame
    recommendation: str
    data_fingerprint: str
    assumptions: Assumptions = field(repr=False)

    def result(self, name: str) -> ScenarioResult:
        for r in self.results:
            if r.spec.name == name:
                return r
        raise KeyError(name)

    def curves(self) -> pl.DataFrame:
        """The headline lift curve of every applicable scenario, for :func:`analysis.charts.lift_curve_chart`."""
        frames = [r.curve.with_columns(pl.lit(r.spec.name).alias("scenario")) for r in self.results if r.ok and r.curve is not None]
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

    def exceedance(self) -> pl.DataFrame:
        frames = [
            r.breach.exceedance.with_columns(pl.lit(r.spec.name).alias("scenario")) for r in self.results if r.ok
        ]
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

    def to_dict(self) -> list[dict[str, Any]]:
        """The simulate JSON: one object per scenario (applicable or not)."""
        rows = {r["name"]: r for r in self.table.to_dicts()}
        out = []
        for r in self.results:
            d = r.to_dict()
            if r.ok:
                row = rows[r.spec.name]
                d["risk"]["risk_index"] = row["risk_index"]
                d["trust"] = self.trust[r.spec.name].to_dict()
                d["engagement_value_per_year"] = row["engagement_value_per_year"]
                d["net_value"] = row["net_value"]
                d["net_value_horizon_years"] = self.settings.horizon_years
                d["on_frontier"] = row["on_frontier"]
                d["dominated_by"] = row["dominated_by"]
                d["on_loss_frontier"] = row["on_loss_frontier"]
            out.append(d)
        return out


def _row(result: ScenarioResult, trust: TrustResult, settings: BusinessSettings) -> dict[str, Any]:
    lift = result.lift
    value_year = lift.incremental_conversions * settings.value_per_conversion * settings.campaigns_per_year
    h = settings.horizon_years
    trust_value = trust.net_value[float(h)] if float(h) in trust.net_value else trust.net_value[h]
    net = h * (value_year - result.breach.expected_annual_loss) + trust_value
    reid = result.risk.reidentification if result.risk is not None else None
    return {
        "name": result.spec.name,
        "description": result.spec.description,
        "fingerprint": result.fingerprint,
        "kind": lift.kind,
        "incremental_conversions": lift.incremental_conversions,
        "gain_ci_low": lift.ci_low,
        "gain_ci_high": lift.ci_high,
        "gain_retained": result.gain_retained,
        "true_incremental_conversions": lift.true_incremental_conversions,
        "qini_auc": lift.qini_auc,
        "uplift_at_k": lift.uplift_at_k,
        "lift_at_k": lift.lift_at_k,
        "epsilon_spent": lift.epsilon_spent,
        "customers_held": result.customers_held,
        "k_anonymity": None if reid is None else reid.k,
        "sample_uniqueness": None if reid is None else reid.sample_uniqueness,
        "prosecutor_average_records": None if reid is None else reid.prosecutor_average_records,
        "records_at_risk": None if reid is None else reid.records_at_risk,
        "attribute_inference_risk": None if result.attribute is None else result.attribute.risk,
        "sensitive_disclosure": sensitive_disclosure(result) if result.ok else None,
        "behavioral_uniqueness": result.behavioral_uniqueness,
        "membership_advantage": None if result.membership is None else result.membership.risk,
        "risk_index": risk_index(result),
        "expected_annual_loss": result.breach.expected_annual_loss,
        "loss_p95": result.breach.p95,
        "trust_value": trust_value,
        "engagement_value_per_year": value_year,
        "net_value": net,
    }


def run_scenarios(
    specs: Iterable[Scenario] = PRESETS,
    data: CRMData | Any = None,
    *,
    settings: BusinessSettings | None = None,
    assumptions: Assumptions | None = None,
    simulation: SimulationSettings | None = None,
    cache: ModelCache | None = None,
    progress: Callable[[str], None] | None = None,
) -> Tradeoff:
    """Simulate every scenario and compare them.

    The full-data model (the first preset, with the same seed and k as the first scenario) is the reference of
    ``gain_retained``; it is trained once even if it is not in ``specs``.

    Table columns: name, description, fingerprint, kind, incremental_conversions, gain_ci_low, gain_ci_high,
    gain_retained, true_incremental_conversions, qini_auc, uplift_at_k, lift_at_k, epsilon_spent,
    customers_held, k_anonymity, sample_uniqueness, prosecutor_average_records, records_at_risk,
    attribute_inference_risk, sensitive_disclosure, behavioral_uniqueness, membership_advantage, risk_index, expected_annual_loss, loss_p95, trust_value,
    engagement_value_per_year, net_value, on_frontier, dominated_by, on_loss_frontier, is_current.
    """
    specs = list(specs)
    if not specs:
        raise ValueError("run_scenarios needs at least one scenario.")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("Scenario names must be unique within one comparison.")
    settings = settings or BusinessSettings()
    assumptions = assumptions if assumptions is not None else load_assumptions()
    simulation = simulation or SimulationSettings()
    cache = cache if cache is not None else ModelCache()
    if not isinstance(data, CRMData):
        data = load_crm(data)
    first = specs[0]
    reference_spec = PRESETS[0].replace(seed=first.seed, k=first.k)
    reference = simulate(
        reference_spec, data, assumptions=assumptions, settings=simulation, cache=cache, progress=progress
    )
    results = []
    for s in specs:
        r = simulate(
            s, data, reference=reference, assumptions=assumptions, settings=simulation, cache=cache, progress=progress
        )
        results.append(r)
    trust = {r.spec.name: trust_effects(trust_inputs(r, data), assumptions) for r in results if r.ok}
    rows = [_row(r, trust[r.spec.name], settings) for r in results if r.ok]
    na = pl.DataFrame(
        [{"name": r.spec.name, "reason": r.reason} for r in results if not r.ok],
        schema={"name": pl.String, "reason": pl.String},
    )
    if rows:
        table = pl.DataFrame(rows, infer_schema_length=None)
        table = pareto_frontier(table, gain="incremental_conversions", risk="risk_index")
        loss = pareto_frontier(
            table.select("name", "incremental_conversions", "expected_annual_loss"),
            gain="incremental_conversions",
            risk="expected_annual_loss",
        ).select("name", pl.col("on_frontier").alias("on_loss_frontier"))
        table = table.join(loss, on="name", how="left", maintain_order="left")
        table = table.with_columns((pl.col("name") == settings.current_practice).alias("is_current"))
        if table["dominated_by"].dtype != pl.String:
            table = table.with_columns(pl.col("dominated_by").list.join(", "))
    else:
        table = pl.DataFrame()
    t = Tradeoff(
        results=tuple(results),
        trust=trust,
        settings=settings,
        table=table,
        not_applicable=na,
        recommendation="",
        data_fingerprint=data.fingerprint,
        assumptions=assumptions,
    )
    return replace(t, recommendation=recommendation(t))


# ---- words -------------------------------------------------------------------------------------------
def _money(x: float) -> str:
    sign = "−" if x < 0 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}${x / 1e6:,.1f}M"
    if x >= 1e3:
        return f"{sign}${x / 1e3:,.0f}k"
    return f"{sign}${x:,.0f}"


def recommendation(t: Tradeoff) -> str:
    """One paragraph, generated from the figures only (no text written for any one scenario)."""
    if t.table.is_empty():
        return "No scenario applies to this dataset, so there is nothing to compare yet."
    tab = t.table
    h = t.settings.horizon_years
    frontier = tab.filter(pl.col("on_frontier"))
    best = frontier.sort("net_value", descending=True).row(0, named=True)
    current_rows = tab.filter(pl.col("is_current"))
    parts = []
    if current_rows.height:
        cur = current_rows.row(0, named=True)
        if best["name"] == cur["name"]:
            parts.append(
                f"The current practice ({cur['name']}) has the highest {h}-year net value among the scenarios "
                f"that no other beats on both gain and exposure ({_money(cur['net_value'])})."
            )
        else:
            ratio = (best["incremental_conversions"] / cur["incremental_conversions"]
                     if cur["incremental_conversions"] > 0 else float("nan"))
            if not math.isfinite(ratio):
                gain_text = "changes its engagement gain"
            elif ratio >= 1.0:
                gain_text = f"earns {ratio - 1:.0%} more engagement gain" if ratio > 1.005 else "keeps its engagement gain"
            else:
                gain_text = f"keeps {ratio:.0%} of its engagement gain"
            parts.append(
                f"Moving from the current practice ({cur['name']}) to “{best['name']}” {gain_text}, "
                f"changes the exposure index from {cur['risk_index']:.1f} to {best['risk_index']:.1f} and the "
                f"expected annual breach loss from {_money(cur['expected_annual_loss'])} to "
                f"{_money(best['expected_annual_loss'])}; over {h} years its net value is "
                f"{_money(abs(best['net_value'] - cur['net_value']))} "
                f"{'higher' if best['net_value'] >= cur['net_value'] else 'lower'}."
            )
            if best["gain_ci_low"] <= cur["incremental_conversions"] <= best["gain_ci_high"]:
                parts.append(
                    "The difference in engagement gain is within the measurement's 95 % interval: the case rests "
                    "on lower exposure and loss, not on more gain."
                )
        if not cur["on_frontier"] and cur["dominated_by"]:
            parts.append(
                f"The current practice is dominated: {cur['dominated_by']} gain at least as much with less exposure."
            )
    else:
        parts.append(f"“{best['name']}” has the highest {h}-year net value on the frontier ({_money(best['net_value'])}).")
    safest = frontier.sort("risk_index").row(0, named=True)
    if safest["name"] != best["name"]:
        parts.append(
            f"The least exposed scenario on the frontier, “{safest['name']}”, has an exposure index of "
            f"{safest['risk_index']:.1f} and {safest['incremental_conversions']:,.0f} incremental conversions a campaign."
        )
    losing = tab.filter(pl.col("incremental_conversions") <= 0)
    if losing.height:
        parts.append(
            f"{losing.height} scenario(s) ({', '.join(losing['name'].to_list())}) earn no measurable gain over "
            "random targeting."
        )
    if t.not_applicable.height:
        parts.append(f"{t.not_applicable.height} preset(s) do not apply to this dataset (see the list).")
    return " ".join(parts)


def waterfall_steps(t: Tradeoff, name: str) -> pl.DataFrame:
    """From gross engagement value to net value over the horizon, for :func:`analysis.charts.waterfall_chart`."""
    row = t.table.filter(pl.col("name") == name).row(0, named=True)
    h = t.settings.horizon_years
    trust = t.trust[name]
    by_cause = trust.table.filter(pl.col("horizon_years") == float(h)).select("cause", "value")
    steps = [(f"Engagement gain ({h} years)", h * row["engagement_value_per_year"], "relative")]
    steps.append(("Expected breach losses", -h * row["expected_annual_loss"], "relative"))
    for cause, value in by_cause.iter_rows():
        steps.append((f"Trust: {cause.replace('_', ' ')}", float(value), "relative"))
    steps.append(("Net value", row["net_value"], "total"))
    return pl.DataFrame(steps, schema={"step": pl.String, "amount": pl.Float64, "kind": pl.String}, orient="row")


# ---- sweeps ------------------------------------------------------------------------------------------
#: parameter → (field of Scenario, default grid, axis label, which side is more private)
SWEEPS = {
    "epsilon": ("epsilon", (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0), "Privacy budget ε (log scale)", "left"),
    "retention": ("retention_days", (30, 60, 90, 180, 365, 730), "Days of behaviour kept", "left"),
    "consent_rate": ("consent_rate", (0.1, 0.3, 0.5, 0.7, 0.9), "Share of customers who opt in", "left"),
}


def sweep(
    parameter: str,
    data: CRMData | Any,
    *,
    base: Scenario | None = None,
    values: Sequence[float] | None = None,
    assumptions: Assumptions | None = None,
    simulation: SimulationSettings | None = None,
    cache: ModelCache | None = None,
) -> pl.DataFrame:
    """Lift and exposure as one parameter moves (ε, retention window, opt-in rate).

    Returns a long frame for :func:`analysis.charts.sweep_chart`: columns ``x``, ``metric``, ``value``,
    ``ci_low``, ``ci_high`` with metrics "Gain retained (%)", "Exposure index" and "Membership advantage (%)".
    """
    if parameter not in SWEEPS:
        raise ValueError(f"The 'parameter' parameter of sweep must be one of {', '.join(SWEEPS)}. Got {parameter!r} instead.")
    field_name, grid, _, _ = SWEEPS[parameter]
    values = list(values or grid)
    if not isinstance(data, CRMData):
        data = load_crm(data)
    cache = cache if cache is not None else ModelCache()
    simulation = simulation or SimulationSettings(n_boot=100, breach_years=10_000)
    assumptions = assumptions if assumptions is not None else load_assumptions()
    base = base or PRESETS[0]
    if parameter == "consent_rate":
        base = base.replace(consent="opt_in")
    reference = simulate(base.replace(name="reference", epsilon=None, retention_days=None, consent="ignore", consent_rate=None), data,
                         assumptions=assumptions, settings=simulation, cache=cache)
    rows = []
    for v in values:
        spec = base.replace(name=f"{parameter}={v}", **{field_name: v})
        r = simulate(spec, data, reference=reference, assumptions=assumptions, settings=simulation, cache=cache)
        if not r.ok:
            continue
        base_gain = reference.lift.incremental_conversions or float("nan")
        rows.append((v, "Gain retained (%)", 100 * r.lift.incremental_conversions / base_gain,
                     100 * r.lift.ci_low / base_gain, 100 * r.lift.ci_high / base_gain))
        rows.append((v, "Exposure index", risk_index(r), None, None))
        if r.membership is not None:
            rows.append((v, "Membership advantage (%)", 100 * r.membership.risk, 100 * r.membership.risk_ci_low,
                         100 * r.membership.risk_ci_high))
    return pl.DataFrame(
        rows,
        schema={"x": pl.Float64, "metric": pl.String, "value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64},
        orient="row",
    )
