"""Gain, exposure, breach loss and trust side by side for many scenarios: the table of net value, the Pareto
frontiers and the one recommendation (:func:`run_scenarios`). The exposure index is in :mod:`.index`, the rule in
:mod:`.decision` (with the policy of :mod:`.policy` and the robustness of :mod:`.robustness`), the words in
:mod:`.words`, sweeps in :mod:`.sweeps` and the waterfall in :mod:`.steps`.

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
from analysis.breach.trust import TrustInputs, TrustResult, trust_effects
from analysis.data import CRMData, load_crm
from analysis.scenario import PRESETS, Scenario
from analysis.simulation import ModelCache, ScenarioResult, SimulationSettings, simulate
from analysis.tradeoff.columns import in_table_order
from analysis.tradeoff.decision import Recommendation, decide, net_value_interval
from analysis.tradeoff.frontier import pareto_frontier
from analysis.tradeoff.index import exposure_parts, sensitive_disclosure
from analysis.tradeoff.inputs import trust_inputs
from analysis.tradeoff.policy import Policy, breaks_selection_bound, load_policy
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
    #: the one recommendation (the rule of :mod:`analysis.tradeoff.decision`); every surface shows this
    decision: Recommendation | None = None
    policy: Policy = field(default_factory=Policy)
    simulation: SimulationSettings = field(default_factory=SimulationSettings)
    #: the trust-model inputs of each applicable scenario (reused by the robustness draws)
    trust_inputs: dict[str, TrustInputs] = field(default_factory=dict, repr=False)
    #: name (the stored customers table(s)), fingerprint and customers of the dataset compared on
    dataset: dict[str, Any] = field(default_factory=dict)

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
        """One object per scenario (applicable or not): the ``scenarios`` of :meth:`to_json`."""
        rows = {r["name"]: r for r in self.table.to_dicts()}
        out = []
        for r in self.results:
            d = r.to_dict()
            if r.ok:
                row = rows[r.spec.name]
                d["risk"]["risk_index"] = row["risk_index"]
                d["risk"]["exposure_parts"] = exposure_parts(r).to_dict()
                d["trust"] = self.trust[r.spec.name].to_dict()
                d["engagement_value_per_year"] = row["engagement_value_per_year"]
                d["net_value"] = row["net_value"]
                d["net_value_interval"] = [row["net_value_low"], row["net_value_high"]]
                d["net_value_horizon_years"] = self.settings.horizon_years
                d["on_frontier"] = row["on_frontier"]
                d["dominated_by"] = row["dominated_by"]
                d["on_exposure_frontier"] = row["on_exposure_frontier"]
                d["on_loss_frontier"] = row["on_loss_frontier"]
                d["lowest_selection_ratio"] = row["lowest_selection_ratio"]
                d["lowest_ratio_attribute"] = row["lowest_ratio_attribute"]
                d["breaks_fairness_bound"] = row["breaks_fairness_bound"]
                d["allowed"] = row["allowed"]
                d["not_allowed_because"] = row["not_allowed_because"] or None
                d["recommended"] = row["recommended"]
            out.append(d)
        return out

    def settings_dict(self) -> dict[str, Any]:
        """Everything that decided the figures besides the data and the specs (the ``settings`` of the JSON)."""
        return {
            "business": {**self.settings.__dict__, "risk_tolerance": [list(p) for p in self.settings.risk_tolerance]},
            "policy": self.policy.to_dict(),
            "simulation": dict(self.simulation.__dict__),
            "assumptions": {"fingerprint": self.assumptions.fingerprint(),
                            "overridden": {k: {"value": self.assumptions[k].value, "low": self.assumptions[k].low,
                                               "high": self.assumptions[k].high,
                                               **({"region": self.assumptions[k].region,
                                                   "year": self.assumptions[k].year}
                                                  if self.assumptions[k].region else {})}
                                           for k in sorted(self.assumptions.overridden)}},
        }

    def to_json(self, **dataset: Any) -> dict[str, Any]:
        """``simulate --json``: ``{"dataset", "settings", "scenarios", "recommendation"}`` (``dataset`` adds to
        the dataset's name, fingerprint and customers, e.g. the database's file name)."""
        return {"dataset": {**self.dataset, **dataset}, "settings": self.settings_dict(), "scenarios": self.to_dict(),
                "recommendation": None if self.decision is None else self.decision.to_dict()}


def _row(result: ScenarioResult, trust: TrustResult, settings: BusinessSettings, data: CRMData) -> dict[str, Any]:
    lift = result.lift
    gain, gain_low, gain_high, true_gain = result.headline
    per_conversion = settings.value_per_conversion * settings.campaigns_per_year
    value_year = gain * per_conversion
    h = settings.horizon_years
    trust_value = trust.net_value[float(h)] if float(h) in trust.net_value else trust.net_value[h]
    b = result.breach
    net = h * (value_year - b.expected_annual_loss) + trust_value
    net_low, net_high = net_value_interval(net, gain=gain, gain_low=gain_low, gain_high=gain_high,
                                           loss=b.expected_annual_loss, loss_low=b.mean_ci_low,
                                           loss_high=b.mean_ci_high, value_per_gain=per_conversion, horizon=h)
    reid = result.risk.reidentification if result.risk is not None else None
    parts = exposure_parts(result)
    return {
        "name": result.spec.name,
        "description": result.spec.description,
        "fingerprint": result.fingerprint,
        "kind": lift.kind,
        "incremental_conversions": gain,
        "gain_ci_low": gain_low,
        "gain_ci_high": gain_high,
        "incremental_conversions_everyone": lift.incremental_conversions,
        "personalized": ("everyone" if result.personalizes_everyone else
                         "consenters only" if result.spec.effective_legal_basis == "consent"
                         else "all who have not objected"),
        "gain_retained": result.gain_retained,
        "true_incremental_conversions": true_gain,
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
        "population_uniqueness": None if reid is None else reid.population_uniqueness,
        "marketer_risk": None if reid is None else reid.marketer,
        "exposure_held_data": parts.held_data,
        "exposure_model": parts.model,
        "risk_index": parts.total,
        "expected_annual_loss": b.expected_annual_loss,
        "loss_p95": b.p95,
        "trust_value": trust_value,
        "engagement_value_per_year": value_year,
        "net_value": net,
        "net_value_low": net_low,
        "net_value_high": net_high,
        "consent": result.spec.consent,
        "sensitive_used": [c for c in result.columns_used if c in data.schema.sensitive],
        **lowest_ratio(result),
    }


def lowest_ratio(result: ScenarioResult) -> dict[str, Any]:
    """The scenario's lowest selection-rate ratio over every audited attribute, its attribute, and the least and
    the most targeted groups of that attribute in words (all None when the dictionary audits no attribute or no
    ratio can be measured: groups of fewer than 5 customers take no part)."""
    from analysis.fairness.words import group_words

    worst = None if result.fairness is None else result.fairness.worst
    if worst is None:
        return {"lowest_selection_ratio": None, "lowest_ratio_attribute": None, "least_targeted": None,
                "most_targeted": None}
    s = worst.selection
    return {"lowest_selection_ratio": s.ratio, "lowest_ratio_attribute": worst.name,
            "least_targeted": group_words(worst.attribute, s.lowest),
            "most_targeted": group_words(worst.attribute, s.highest)}


def run_scenarios(
    specs: Iterable[Scenario] = PRESETS,
    data: CRMData | Any = None,
    *,
    settings: BusinessSettings | None = None,
    assumptions: Assumptions | None = None,
    simulation: SimulationSettings | None = None,
    cache: ModelCache | None = None,
    progress: Callable[[str], None] | None = None,
    policy: Policy | Any = None,
    robustness_draws: int | None = None,
) -> Tradeoff:
    """Simulate every scenario, compare them, and recommend one (the rule of :mod:`analysis.tradeoff.decision`:
    the highest net value among the scenarios that meet ``policy``), with how robust it is to the assumptions
    (``robustness_draws`` redraws, default :data:`analysis.tradeoff.robustness.DRAWS`; 0 skips it).

    The full-data model (the first preset, with the same seed and k as the first scenario) is the reference of
    ``gain_retained``; it is trained once even if it is not in ``specs``.

    Table columns: those of :data:`analysis.tradeoff.columns.COLUMNS`, in its order (each with its label, unit,
    format, better direction and help).
    For consent regimes the gain columns are the headline with only consenters personalized
    (``incremental_conversions_everyone`` keeps the figure with everyone personalized).
    """
    from analysis.tradeoff import robustness as robust
    from analysis.tradeoff.words import recommendation

    specs = list(specs)
    if not specs:
        raise ValueError("run_scenarios needs at least one scenario.")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("Scenario names must be unique within one comparison.")
    settings = settings or BusinessSettings()
    policy = load_policy(policy)
    draws = robust.DRAWS if robustness_draws is None else int(robustness_draws)
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
    inputs = {r.spec.name: trust_inputs(r, data) for r in results if r.ok}
    trust = {name: trust_effects(x, assumptions) for name, x in inputs.items()}
    rows = [_row(r, trust[r.spec.name], settings, data) for r in results if r.ok]
    na = pl.DataFrame(
        [{"name": r.spec.name, "reason": r.reason} for r in results if not r.ok],
        schema={"name": pl.String, "reason": pl.String},
    )
    if rows:
        table = pl.DataFrame(rows, infer_schema_length=None,
                             schema_overrides={"sensitive_used": pl.List(pl.String),
                                               "lowest_selection_ratio": pl.Float64,
                                               "lowest_ratio_attribute": pl.String, "least_targeted": pl.String,
                                               "most_targeted": pl.String})
        table = pareto_frontier(table, gain="incremental_conversions", risk=["risk_index", "expected_annual_loss"])
        for risk, column in (("risk_index", "on_exposure_frontier"), ("expected_annual_loss", "on_loss_frontier")):
            two = pareto_frontier(table.select("name", "incremental_conversions", risk),
                                  gain="incremental_conversions", risk=risk)
            table = table.join(two.select("name", pl.col("on_frontier").alias(column)), on="name", how="left",
                               maintain_order="left")
        table = table.with_columns((pl.col("name") == settings.current_practice).alias("is_current"))
        if table["dominated_by"].dtype != pl.String:
            table = table.with_columns(pl.col("dominated_by").list.join(", "))
    else:
        table = pl.DataFrame()
    decision = decide(table.to_dicts() if rows else [], policy, horizon_years=settings.horizon_years,
                      risk_tolerance=settings.risk_tolerance)
    if rows:
        because = dict(decision.not_allowed)
        table = table.with_columns(
            pl.Series("breaks_fairness_bound", [breaks_selection_bound(r, policy) for r in table.to_dicts()],
                      dtype=pl.Boolean),
            pl.Series("allowed", [n not in because for n in table["name"]], dtype=pl.Boolean),
            pl.Series("not_allowed_because", [because.get(n, "") for n in table["name"]], dtype=pl.String),
            (pl.col("name") == (decision.scenario or "")).alias("recommended"))
        table = in_table_order(table)
    t = Tradeoff(
        results=tuple(results),
        trust=trust,
        settings=settings,
        table=table,
        not_applicable=na,
        recommendation="",
        data_fingerprint=data.fingerprint,
        assumptions=assumptions,
        decision=decision,
        policy=policy,
        simulation=simulation,
        trust_inputs=inputs,
        dataset={"name": " + ".join(name for name, _, _ in data.schema.customer_tables),
                 "fingerprint": data.fingerprint, "customers": data.n_customers},
    )
    if decision.scenario is not None and draws > 0:
        t = replace(t, decision=replace(decision, robustness=robust.robustness(t, policy, decision.scenario,
                                                                               draws=draws)))
    return replace(t, recommendation=recommendation(t))


