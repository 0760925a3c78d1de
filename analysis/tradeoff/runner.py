"""Gain, exposure, breach loss and trust side by side for many scenarios: the table of net value and the
Pareto frontiers (:func:`run_scenarios`). The exposure index is in :mod:`.index`, the words in :mod:`.words`,
sweeps in :mod:`.sweeps` and the waterfall in :mod:`.steps`.

Example
-------
>>> from analysis import Store, PRESETS, run_scenarios   # doctest: +SKIP
>>> t = run_scenarios(PRESETS, Store("data/demo/crm.duckdb"))   # doctest: +SKIP
>>> t.table.select("name", "net_value", "on_frontier")   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

import polars as pl

from analysis.breach.assumptions import Assumptions, load_assumptions
from analysis.breach.trust import TrustResult, trust_effects
from analysis.data import CRMData, load_crm
from analysis.scenario import PRESETS, Scenario
from analysis.simulation import ModelCache, ScenarioResult, SimulationSettings, simulate
from analysis.tradeoff.frontier import pareto_frontier
from analysis.tradeoff.index import risk_index, sensitive_disclosure
from analysis.tradeoff.inputs import trust_inputs
from analysis.tradeoff.settings import BusinessSettings

__all__ = ["Tradeoff", "run_scenarios"]

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
    from analysis.tradeoff.words import recommendation

    return replace(t, recommendation=recommendation(t))


