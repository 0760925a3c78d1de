"""Build the content of a saved report: one JSON-ready dict from which the HTML and PDF are rendered.

The dict has machine-readable parts (``reproduce``: specs, fingerprints, seeds, versions, settings, the policy and
the dataset by name and fingerprint — never a server path; ``headline``: the figures
:func:`analysis.report.verify_report` re-computes; ``recommendation``: the same object as ``simulate --json``'s;
``results``: the simulate JSON's scenarios) and presentation parts (``sections``: ICO DPIA / model-card ordered
sections made of blocks, built here and in :mod:`.inventory`, :mod:`.recommendation` and :mod:`.risks`;
``charts``: plotly JSON). Renderers only lay blocks out: every number is formatted here, once.

Privacy of the report: aggregates only; any count of customers from 1 to 4 is replaced by ``"<5"``
(:data:`SMALL_CELL`); no key, pseudonym or row ever enters the dict.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Sequence

import plotly.graph_objects as go
import polars as pl

from analysis import charts
from analysis.formatting import SMALL_CELL, small
from analysis.breach.assumptions import Assumptions, assumptions_table, load_assumptions
from analysis.data import CRMData, load_crm
from analysis.scenario import Scenario
from analysis.simulation import SimulationSettings
from analysis.store import Store
from analysis.tradeoff import BusinessSettings, Tradeoff, run_scenarios, waterfall_steps
from analysis.transparency.report import transparency_section
from analysis.tradeoff.policy import Policy, load_policy
from analysis.report.blocks import bullets, chart, fmt, kv, table, text
from analysis.report.inventory import inventory_section as _inventory, scenarios_section as _scenarios
from analysis.report.risks import (  # residual_risk and the thresholds are part of this module's API
    LEVELS, LIKELIHOOD_THRESHOLDS, SEVERITY_THRESHOLDS, residual_risk, risks_section as _risks,
)

__all__ = ["FORMAT", "SMALL_CELL", "LEVELS", "LIKELIHOOD_THRESHOLDS", "SEVERITY_THRESHOLDS", "build_content",
           "compute", "dataset_reference", "headline_figures", "residual_risk", "suppress", "fmt", "bullets", "chart",
           "kv", "table", "text"]

FORMAT = "privacylift-report/1"
#: Counts of customers below this are shown as "<5" (the usual small-cell rule of statistical disclosure
#: control; threshold 5 is a PrivacyLift convention, as in many national statistics offices' output checks).
#: keys of the results JSON that count customers (suppressed when 1–4)
COUNT_KEYS = frozenset({
    "records", "customers_held", "population", "n_train", "n_test", "suppressed_records", "rows",
    "rows_read", "rows_stored", "rows_rejected", "rows_erased", "customers", "eligible", "personalized",
})
#: headline figures re-computed by verify (name in the trade-off table)
HEADLINE = (
    "incremental_conversions", "gain_ci_low", "gain_ci_high", "gain_retained", "risk_index", "k_anonymity",
    "sample_uniqueness", "prosecutor_average_records", "records_at_risk", "attribute_inference_risk",
    "membership_advantage", "expected_annual_loss", "loss_p95", "trust_value", "net_value", "customers_held",
    "on_frontier", "exposure_held_data", "exposure_model", "net_value_low", "net_value_high",
    "incremental_conversions_everyone", "population_uniqueness", "marketer_risk", "allowed", "recommended",
    "lowest_selection_ratio", "lowest_ratio_attribute", "breaks_fairness_bound",
)
PACKAGES = ("polars", "duckdb", "numpy", "scipy", "scikit-learn", "diffprivlib", "plotly", "kaleido", "fpdf2",
            "scikit-uplift", "pycanon")


# ---- small helpers -------------------------------------------------------------------------------------

def suppress(obj: Any, key: str | None = None) -> Any:
    """Recursively: NaN/inf → None, customer counts of 1–4 → "<5" (keys in :data:`COUNT_KEYS`)."""
    if isinstance(obj, dict):
        return {str(k): suppress(v, str(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [suppress(v, key) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):  # numpy scalar
        return suppress(obj.item(), key)
    if key in COUNT_KEYS:
        return small(obj)
    return obj


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def code_fingerprint() -> str:
    """sha256 of the analysis package's source files: a report built by other code may not reproduce."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _figure_json(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


# ---- computing ------------------------------------------------------------------------------------------
def compute(specs: Sequence[Scenario], db: str | Path, *, settings: BusinessSettings,
            simulation: SimulationSettings, assumption_overrides: dict | None,
            progress: Callable[[str], None] | None = None, policy: Policy | dict | None = None,
            robustness_draws: int | None = None, cache: Any = None,
            data: CRMData | None = None) -> tuple[Tradeoff, CRMData, Assumptions]:
    """Run the scenarios on the database, or on a warehouse CRM (:class:`analysis.warehouse.WarehouseCRM`) given as
    ``db`` (the same call for building and for verifying; ``data`` and ``cache`` let the app reuse what it loaded
    and trained)."""
    if isinstance(db, CRMData):
        data = db
    else:
        store = Store(db)
        if not store.exists:
            raise FileNotFoundError(f"The database {Path(db).name!r} does not exist.")
        data = data if data is not None and data.fingerprint == store.fingerprint() else load_crm(store)
    assumptions = load_assumptions(assumption_overrides or None)
    t = run_scenarios(list(specs), data, settings=settings, assumptions=assumptions, simulation=simulation,
                      progress=progress, policy=policy, robustness_draws=robustness_draws, cache=cache)
    return t, data, assumptions


def headline_figures(t: Tradeoff) -> dict[str, dict[str, Any]]:
    """The figures verify re-computes, per scenario (suppressed like the rest of the report)."""
    out = {}
    if not t.table.is_empty():
        for row in t.table.iter_rows(named=True):
            out[row["name"]] = suppress({k: row.get(k) for k in HEADLINE})
    for row in t.not_applicable.iter_rows(named=True):
        out[row["name"]] = {"not_applicable": row["reason"]}
    return out


def recommended_name(t: Tradeoff) -> str | None:
    """The recommended scenario: :attr:`Tradeoff.decision` (the highest net value among the scenarios that meet
    the privacy policy), the same pick the app, the notebooks and ``simulate`` show."""
    return None if t.decision is None else t.decision.scenario


def _overrides(a: Assumptions) -> dict:
    out = {}
    for k in sorted(a.overridden):
        x = a[k]
        out[k] = {**({"region": x.region, "year": x.year} if x.region else {}),
                  "value": x.value, "low": x.low, "high": x.high}
    return out


def dataset_reference(db: str | Path, t: Tradeoff) -> dict[str, Any]:
    """How a report names its data: the dataset's name, the database's file name (and its path relative to the
    working directory when it lies inside it), the fingerprint and the customers — never an absolute path."""
    path = Path(db).resolve()
    try:
        relative = str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        relative = None
    return {**t.dataset, "database": path.name, "database_path": relative}


# ---- sections 1–4 ------------------------------------------------------------------------------------------
def _purpose(title: str, purpose: str, author: str, created: str, db: str, t: Tradeoff) -> dict:
    return {"id": "purpose", "heading": "Purpose and scope", "blocks": [
        text(purpose or "The purpose was not stated: the board should ask for it before deciding."),
        kv([("Title", title), ("Prepared by", author or "—"), ("Created (UTC)", created),
            ("Dataset", t.dataset.get("name", "—")), ("Database", Path(db).name),
            ("Dataset fingerprint", t.data_fingerprint),
            ("Scenarios compared", len(t.results)),
            ("Need for this assessment", "Personalization profiles customers from their CRM data; the board "
             "weighs the engagement it earns against the privacy exposure and breach cost it takes on "
             "(ICO DPIA step 1).")]),
    ]}


def _explain_profile(profile) -> list[str]:
    """``analysis.risk.profile.explain(profile)``; metric by metric when it fails on one (its "factor" field overflows
    ``math.exp`` for counts above ~709), so one sentence never costs the others."""
    from analysis.risk.profile import explain

    try:
        return explain(profile)
    except (OverflowError, ValueError):
        pass
    reid = profile.reidentification
    out = [f"{fmt(reid.records, 'count')} customers held were measured."]
    for metric, value, context in (("k", reid.k, {"quasi": reid.quasi}),
                                   ("sample_uniqueness", reid.sample_uniqueness, {"quasi": reid.quasi}),
                                   ("prosecutor_average_records", reid.prosecutor_average_records,
                                    {"quasi": reid.quasi}),
                                   ("records_at_risk", reid.records_at_risk, {"threshold": reid.threshold})):
        try:
            out += explain(metric, value, **context)
        except (OverflowError, ValueError):
            out.append(f"{metric.replace('_', ' ')}: {fmt(value)}")
    for d in profile.disclosures:
        try:
            out += explain(d, quasi=profile.quasi)
        except (OverflowError, ValueError):
            out.append(f"{d.column}: l-diversity {d.l_diversity}, t-closeness {fmt(d.t_closeness)}")
    return out


def _results(t: Tradeoff) -> dict:
    tab = t.table
    h = t.settings.horizon_years
    blocks: list[dict] = [chart("frontier", "Gain against exposure; the line joins scenarios no other beats on both.")]
    if tab.is_empty():
        return {"id": "results", "heading": "Results", "blocks": [text("No scenario applies to this dataset.")]}
    rows = [[r["name"], r["kind"], r["personalized"], fmt(r["incremental_conversions"], "int"),
             f"[{fmt(r['gain_ci_low'], 'int')}, {fmt(r['gain_ci_high'], 'int')}]",
             fmt(r["incremental_conversions_everyone"], "int") if r["personalized"] != "everyone" else "—",
             fmt(r["gain_retained"], "share"), fmt(r["true_incremental_conversions"], "int")]
            for r in tab.iter_rows(named=True)]
    blocks.append(table(["Scenario", "Lift kind", "Personalized", "Incremental conversions / campaign", "95 % CI",
                         "Everyone personalized (not allowed by the regime)", "Gain retained",
                         "True gain (synthetic)"], rows,
                        "Engagement gain (uplift needs a randomized treatment; targeting lift otherwise). Consent "
                        "regimes personalize only consenters; the figure with everyone personalized is beside it."))
    blocks.append(chart("lift_curves", "Each scenario's curve against random targeting (dashed)."))
    rows = [[r["name"], fmt(r["risk_index"]), fmt(r["exposure_held_data"]), fmt(r["exposure_model"]),
             fmt(r["k_anonymity"], "int"), fmt(r["sample_uniqueness"], "share"),
             fmt(r["prosecutor_average_records"], "share"), fmt(r["records_at_risk"], "share"),
             fmt(r["population_uniqueness"], "share"), fmt(r["marketer_risk"], "share"),
             fmt(r["customers_held"], "count")] for r in tab.iter_rows(named=True)]
    population = t.simulation.population_for(max(t.dataset.get("customers", 1), 1))
    blocks.append(table(["Scenario", "Exposure index", "of which held data", "of which the model", "k",
                         "Unique in the data", "Average re-identification risk", "Records at risk",
                         "Unique in the population (estimate)", "Marketer risk", "Customers held"], rows,
                        "Exposure of what is held and of the model. Population figures assume the customers come "
                        f"from {fmt(population, 'count')} people"
                        + (" (a PrivacyLift assumption: 1 % sampling; set --population)"
                           if t.simulation.population is None else "") + "."))
    from analysis.tradeoff.index import DP_PROTECTS

    blocks.append(text(DP_PROTECTS))
    for r in t.results:
        if not r.ok:
            continue
        sentences = _explain_profile(r.risk) if r.risk is not None else ["No quasi-identifier is held."]
        attacks = []
        for a in (r.attribute, r.membership):
            if a is not None:
                name = "Attribute inference" if a.attack != "membership_inference" else "Membership inference"
                attacks.append(f"{name}: success {fmt(a.success_rate, 'share')} (95 % CI {fmt(a.ci_low, 'share')}–"
                               f"{fmt(a.ci_high, 'share')}) against a control of {fmt(a.control_rate, 'share')}; "
                               f"risk {fmt(a.risk)} (CI {fmt(a.risk_ci_low)}–{fmt(a.risk_ci_high)}).")
        blocks.append({"type": "subheading", "text": r.spec.name})
        blocks.append(bullets(sentences + attacks))
    rows = [[r["name"], fmt(b.p10, "money"), fmt(b.median, "money"), fmt(b.p90, "money"), fmt(b.p95, "money"),
             fmt(b.expected_annual_loss, "money"), fmt(b.probability_of_breach, "share")]
            for r, b in ((row, t.result(row["name"]).breach) for row in tab.iter_rows(named=True))]
    blocks.append(table(["Scenario", "p10", "Median", "p90", "p95", "Expected / year", "P(breach in a year)"], rows,
                        "Annual breach loss (FAIR-style Monte Carlo, USD)"))
    blocks.append(chart("exceedance", "Chance per year that breach losses exceed each amount."))
    rows = [[r["name"], fmt(t.trust[r["name"]].net_customers[h], "int"), fmt(r["trust_value"], "money"),
             fmt(r["engagement_value_per_year"], "money"), fmt(r["expected_annual_loss"], "money"),
             fmt(r["net_value"], "money"), "yes" if r["on_frontier"] else "no", r["dominated_by"] or "—"]
            for r in tab.iter_rows(named=True)]
    blocks.append(table(["Scenario", f"Trust: net customers ({h} y)", f"Trust value ({h} y)", "Engagement value / year",
                         "Expected breach loss / year", f"Net value ({h} y)", "On frontier", "Dominated by"], rows,
                        "Trust effects and net value"))
    return {"id": "results", "heading": "Results", "blocks": blocks}


def _tradeoffs(t: Tradeoff, recommended: str | None) -> dict:
    from analysis.report.recommendation import tradeoffs_section

    return tradeoffs_section(t, recommended, chart)


def _assumptions(a: Assumptions) -> dict:
    tab = assumptions_table(a)
    rows = [[r["label"], fmt(r["value"]), "—" if r["low"] is None else f"{fmt(r['low'])}–{fmt(r['high'])}",
             r["unit"], r["distribution"], f"{r['source']}{'' if r['year'] is None else ', ' + str(r['year'])}"
             f"{' (secondary)' if r['secondary'] else ''}", r["kind"], "yes" if r["overridden"] else "no"]
            for r in tab.iter_rows(named=True)]
    return {"id": "assumptions", "heading": "Assumptions with sources", "blocks": [
        text("Every figure the breach and trust models use, with its source and year, or labelled a PrivacyLift "
             "assumption. Overridden values are marked."),
        table(["Assumption", "Value", "Range", "Unit", "Distribution", "Source", "Kind", "Overridden"], rows)]}


# ---- sections 6, 8, 9 ----------------------------------------------------------------------------------------
REFERENCES_CITED = (
    "ARX Data Anonymization Tool (Prasser et al.): RiskModelSampleSummary, population uniqueness (Dankar et al. 2012).",
    "pycanon 1.0.1 (Sáinz-Pardo Díaz & López García 2022): k, l-diversity, t-closeness, δ-disclosure, β-likeness.",
    "sdcMicro (Templ et al.): individual risk, sample uniqueness, SUDA2 contributions.",
    "anonymeter (Giomi et al. 2023): attack success rates with Wilson intervals, risk against a control.",
    "scikit-uplift 0.5.1: qini_auc_score, uplift_at_k; causalml cumulative gain.",
    "FAIR (Open Group); riskquant (Netflix): Poisson frequency, lognormal magnitude; pyfair: BetaPERT γ = 4.",
    "IBM / Ponemon Cost of a Data Breach 2024; GDPR Art. 83; CCPA §1798.150.",
    "diffprivlib 0.6.6 (IBM): differentially private models and budget accounting.",
    "ICO DPIA template; CNIL PIA methodology; Model Cards (Mitchell et al. 2019); Datasheets for Datasets "
    "(Gebru et al.): the structure of this report.",
)


def _methods(t: Tradeoff, simulation: SimulationSettings, versions: dict[str, str]) -> dict:
    from analysis.risk.profile import METRICS
    from analysis.tradeoff.index import RISK_INDEX_FORMULA

    return {"id": "methods", "heading": "Methods and versions", "blocks": [
        text("Each scenario is prepared from the stored data (minimization), a model is trained on a seeded "
             "training split and measured on held-out customers (bootstrap intervals), what the scenario holds "
             "is measured for re-identification and disclosure and attacked (attribute and membership "
             "inference), and a breach of it is priced by Monte Carlo."),
        text(RISK_INDEX_FORMULA),
        *[text(note) for note in _method_notes()],
        kv([("Bootstrap resamples", simulation.n_boot), ("Simulated breach years", f"{simulation.breach_years:,}"),
            ("Attack samples", simulation.attack_samples), ("Risk threshold t", simulation.risk_threshold),
            ("Seeds", ", ".join(sorted({str(r.spec.seed) for r in t.results})))]),
        table(["Package", "Version"], sorted(versions.items()), "Software versions"),
        table(["Metric", "Definition", "Source"], [[m.label, m.definition, m.source] for m in METRICS],
              "Definitions"),
        bullets(REFERENCES_CITED)]}


def _method_notes() -> tuple[str, ...]:
    from analysis.report.recommendation import METHOD_NOTES

    return METHOD_NOTES


def _signoff() -> dict:
    blank = "______________________________"
    return {"id": "signoff", "heading": "Sign-off and review", "blocks": [
        text("To be completed by the board (ICO DPIA sign-off; CNIL validation)."),
        kv([("Measures approved by", blank), ("Residual risk accepted by", blank), ("DPO advice", blank),
            ("DPO advice accepted or overruled (with reasons)", blank), ("Consultation of data subjects", blank),
            ("Review date", blank)]),
        {"type": "review_log"}]}


# ---- the whole content ---------------------------------------------------------------------------------------
def _fairness(t: Tradeoff, recommended: str | None) -> dict:
    from analysis.report.fairness import fairness_section

    return fairness_section(t, recommended)


def _charts(t: Tradeoff, recommended: str | None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if t.table.is_empty():
        return out
    from analysis.tradeoff.frontier import FRONTIER_TITLE

    out["frontier"] = _figure_json(charts.frontier_chart(t.table, current=t.settings.current_practice
                                                         if t.settings.current_practice in t.table["name"] else None,
                                                         title=FRONTIER_TITLE,
                                                         fairness_bound=t.policy.min_selection_ratio))
    curves = t.curves()
    if curves.height:
        kind = curves["kind"][0] if "kind" in curves.columns else "qini"
        kind = kind if kind in ("qini", "uplift", "gains") else "qini"
        out["lift_curves"] = _figure_json(charts.lift_curve_chart(curves.filter(pl.col("kind") == curves["kind"][0])
                                                                  if "kind" in curves.columns else curves, kind=kind))
    out["exceedance"] = _figure_json(charts.exceedance_chart(t.exceedance(), tolerance=t.settings.tolerance_frame()))
    if recommended:
        out["waterfall"] = _figure_json(charts.waterfall_chart(waterfall_steps(t, recommended)))
    from analysis.report.fairness import fairness_chart_json

    fairness = fairness_chart_json(t, recommended)
    if fairness is not None:
        out["fairness"] = _figure_json(fairness)
    return out


def build_content(specs: Sequence[Scenario], db: str | Path, *, title: str, purpose: str = "", author: str = "",
                  settings: BusinessSettings | None = None, simulation: SimulationSettings | None = None,
                  assumptions: Assumptions | dict | str | Path | None = None, created: str | None = None,
                  progress: Callable[[str], None] | None = None, policy: Policy | dict | None = None,
                  robustness_draws: int | None = None, cache: Any = None,
                  data: CRMData | None = None) -> dict[str, Any]:
    """Run ``specs`` on the database ``db`` and return the report content (see the module docstring)."""
    settings = settings or BusinessSettings()
    simulation = simulation or SimulationSettings()
    policy = load_policy(policy)
    overrides = _overrides(load_assumptions(assumptions))
    warehouse = getattr(db, "warehouse", None)  # a WarehouseCRM: measured in the warehouse
    source = None if warehouse is None else warehouse.description  # never a credential
    created = created or datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    if warehouse is None:
        db = str(Path(db).resolve())
    t, data, a = compute(specs, db, settings=settings, simulation=simulation, assumption_overrides=overrides,
                         progress=progress, policy=policy, robustness_draws=robustness_draws, cache=cache, data=data)
    store = Store(db) if warehouse is None else warehouse
    reference = dataset_reference(db, t) if warehouse is None else {**t.dataset, "source": source}
    db = db if warehouse is None else source
    recommended = recommended_name(t)
    scenarios = [dict(s.spec_dict(), fingerprint=s.fingerprint) for s in specs]
    identity = json.dumps({"specs": [s["fingerprint"] for s in scenarios], "data": t.data_fingerprint,
                           "created": created, "title": title}, sort_keys=True)
    sections = [_purpose(title, purpose, author, created, db, t), _inventory(store, data, t), _scenarios(t),
                _results(t), _tradeoffs(t, recommended), _risks(t, data, a, simulation, recommended),
                transparency_section(t, data, recommended), _fairness(t, recommended),
                _assumptions(a), _methods(t, simulation, _versions()), _signoff()]
    for i, s in enumerate(sections, start=1):
        s["number"] = i
    from analysis.tradeoff.robustness import DRAWS

    draws = DRAWS if robustness_draws is None else int(robustness_draws)
    content = {
        "format": FORMAT,
        "id": hashlib.sha256(identity.encode()).hexdigest(),
        "title": title,
        "purpose": purpose,
        "author": author,
        "created": created,
        "dataset": reference,
        "recommended": recommended,
        "recommendation": None if t.decision is None else t.decision.to_dict(),
        "reproduce": {
            "dataset": reference,
            **({"source": source, "pulled": warehouse.pulled_summary()} if warehouse is not None else {}),
            "data_fingerprint": t.data_fingerprint,
            "scenarios": scenarios,
            "seeds": {s.name: s.seed for s in specs},
            "business_settings": t.settings_dict()["business"],
            "simulation": dict(simulation.__dict__),
            "policy": policy.to_dict(),
            "robustness_draws": draws,
            "assumption_overrides": overrides,
            "assumptions_fingerprint": a.fingerprint(),
            "package_versions": _versions(),
            "code_fingerprint": code_fingerprint(),
        },
        "headline": headline_figures(t),
        "results": suppress(t.to_dict()),
        "sections": sections,
        "charts": _charts(t, recommended),
    }
    return json.loads(json.dumps(suppress(content), allow_nan=False))
