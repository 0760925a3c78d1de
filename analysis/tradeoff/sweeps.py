"""Lift and exposure as one dial moves (ε, retention window, opt-in rate)."""

from __future__ import annotations

from typing import Any, Sequence

import polars as pl

from analysis.breach.assumptions import Assumptions, load_assumptions
from analysis.data import CRMData, load_crm
from analysis.scenario import PRESETS, Scenario
from analysis.simulation import ModelCache, SimulationSettings, simulate
from analysis.tradeoff.index import risk_index

__all__ = ['SWEEPS', 'sweep']


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
