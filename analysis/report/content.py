"""Build the content of a saved report: one JSON-ready dict from which the HTML and PDF are rendered.

The dict has machine-readable parts (``reproduce``: specs, fingerprints, seeds, versions, settings;
``headline``: the figures :func:`analysis.report.verify_report` re-computes; ``results``: the simulate JSON)
and presentation parts (``sections``: ICO DPIA / model-card ordered sections made of blocks; ``charts``:
plotly JSON). Renderers only lay blocks out: every number is formatted here, once.

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

import numpy as np
import plotly.graph_objects as go
import polars as pl

from analysis import charts, formatting
from analysis.formatting import SMALL_CELL, small
from analysis.breach.assumptions import Assumptions, assumptions_table, load_assumptions
from analysis.data import CRMData, load_crm
from analysis.scenario import Scenario
from analysis.simulation import SimulationSettings
from analysis.store import Store
from analysis.tradeoff import BusinessSettings, Tradeoff, run_scenarios, waterfall_steps
from analysis.transparency.report import transparency_section

__all__ = ["FORMAT", "SMALL_CELL", "build_content", "compute", "headline_figures", "suppress", "fmt"]

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
    "on_frontier",
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


def fmt(value: Any, kind: str = "number") -> str:
    """Format one figure for people (:mod:`analysis.formatting`): number, count, share (%), money, int."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "count":
        return formatting.count(value)
    if kind == "share":
        return formatting.percent(value)
    if kind == "money":
        return formatting.money(value)
    if kind == "int":
        return formatting.count(value, suppress=False)
    return formatting.number(value)


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> dict:
    return {"type": "table", "columns": list(columns), "rows": [[str(c) for c in r] for r in rows], "caption": caption}


def text(s: str) -> dict:
    return {"type": "text", "text": s}


def kv(pairs: Sequence[tuple[str, Any]]) -> dict:
    return {"type": "kv", "pairs": [[str(k), str(v)] for k, v in pairs]}


def bullets(items: Sequence[str]) -> dict:
    return {"type": "list", "items": [str(i) for i in items]}


def chart(chart_id: str, caption: str = "") -> dict:
    return {"type": "chart", "id": chart_id, "caption": caption}


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
            progress: Callable[[str], None] | None = None) -> tuple[Tradeoff, CRMData, Assumptions]:
    """Run the scenarios on the database, or on a warehouse CRM (:class:`analysis.warehouse.WarehouseCRM`) given as
    ``db`` (the same call for building and for verifying)."""
    if isinstance(db, CRMData):
        data = db
    else:
        store = Store(db)
        if not store.exists:
            raise FileNotFoundError(f"The database {str(db)!r} does not exist.")
        data = load_crm(store)
    assumptions = load_assumptions(assumption_overrides or None)
    t = run_scenarios(list(specs), data, settings=settings, assumptions=assumptions, simulation=simulation,
                      progress=progress)
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
    """The frontier scenario with the highest net value (the one :func:`analysis.tradeoff.runner.recommendation`
    recommends)."""
    if t.table.is_empty():
        return None
    return t.table.filter(pl.col("on_frontier")).sort("net_value", descending=True)["name"][0]


def _overrides(a: Assumptions) -> dict:
    return {k: {"value": a[k].value, "low": a[k].low, "high": a[k].high} for k in sorted(a.overridden)}


# ---- sections 1–4 ------------------------------------------------------------------------------------------
def _purpose(title: str, purpose: str, author: str, created: str, db: str, t: Tradeoff) -> dict:
    return {"id": "purpose", "heading": "Purpose and scope", "blocks": [
        text(purpose or "The purpose was not stated: the board should ask for it before deciding."),
        kv([("Title", title), ("Prepared by", author or "—"), ("Created (UTC)", created),
            ("Database", Path(db).name), ("Dataset fingerprint", t.data_fingerprint),
            ("Scenarios compared", len(t.results)),
            ("Need for this assessment", "Personalization profiles customers from their CRM data; the board "
             "weighs the engagement it earns against the privacy exposure and breach cost it takes on "
             "(ICO DPIA step 1).")]),
    ]}


def _inventory(store: Store, data: CRMData, t: Tradeoff) -> dict:
    schema = data.schema
    blocks: list[dict] = [text("What is held, from the data dictionaries stored with the data (Datasheets "
                               "for Datasets: composition, collection, preprocessing).")]
    datasets = store.datasets()
    blocks.append(table(["Dataset", "Entity", "Rows", "Columns", "Source", "Licence", "Dictionary sha256"], [
        [d.name, d.entity, fmt(d.rows, "count"), len(d.dictionary.columns), d.dictionary.source or "—",
         d.dictionary.license or "—", d.dictionary.sha256[:16] + "…"] for d in datasets], "Datasets"))
    cols = [(d.name, c) for d in datasets for c in d.dictionary.columns]
    frame = pl.DataFrame({"role": [c.role for _, c in cols], "category": [c.category or "—" for _, c in cols],
                          "column": [c.name for _, c in cols]}, schema={"role": pl.String, "category": pl.String,
                                                                         "column": pl.String})
    by = frame.group_by("role", "category").agg(pl.len().alias("n"), pl.col("column").sort().str.join(", "))
    by = by.sort("role", "category")
    blocks.append(table(["Role", "Category", "Columns", "Names"], by.rows(), "Columns by role and category"))
    consent_rows = []
    for c in schema.columns:
        if c.role == "consent":
            rate = data.column_summary(c.name)[1]
            consent_rows.append([c.name, c.purpose or "—", fmt(rate, "share")])
    blocks.append(table(["Consent column", "Purpose", "Share who consented"], consent_rows,
                        "Consent basis") if consent_rows else text("No consent column is declared: "
                                                                   "the lawful basis must be stated by the business."))
    retention = sorted({s.spec.retention_days for s in t.results}, key=lambda r: (r is not None, r or 0))
    blocks.append(kv([("Event history held", "yes" if schema.has_events else "no"),
                      ("Retention windows compared", ", ".join("all history" if r is None else f"{r} days"
                                                               for r in retention)),
                      ("Customers in the analysis", fmt(data.n_customers, "count"))]))
    if hasattr(store, "pulled_summary"):  # a warehouse: what left the engine, query by query (no value)
        pulled = store.pulled_summary()
        blocks.append(text(f"Measured where the data lives, in {store.description}: the engine joined, counted and "
                           "sampled; only the aggregates and the minimized sample below left it. No direct "
                           "identifier and no customer key was pulled; nothing was written to the warehouse."))
        blocks.append(table(["What was pulled", "Rows", "Columns"],
                            [[p["what"], fmt(p["rows"], "count"), str(len(p["columns"]))] for p in pulled],
                            "Provenance: what left the warehouse"))
        blocks.append(kv([("Rows pulled in all", fmt(sum(p["rows"] for p in pulled), "count")),
                          ("Customers in the warehouse", fmt(getattr(data, "population", data.n_customers),
                                                             "count"))]))
        return {"id": "inventory", "heading": "The processing and the data inventory", "blocks": blocks}
    prov = store.provenance()
    rows = [[r["dataset"], Path(r["file_name"]).name, r["file_sha256"], fmt(r["rows_read"], "count"),
             fmt(r["rows_stored"], "count"), fmt(r["rows_rejected"], "count"), fmt(r["rows_erased"], "count"),
             str(r["finished_at"])[:19], "yes" if r["superseded"] else "no"] for r in prov.iter_rows(named=True)]
    blocks.append(table(["Dataset", "File", "sha256", "Read", "Stored", "Rejected", "Erased", "Ingested (UTC)",
                         "Superseded"], rows, "Provenance: every file ingested"))
    return {"id": "inventory", "heading": "The processing and the data inventory", "blocks": blocks}


def _scenarios(t: Tradeoff) -> dict:
    blocks = [text("Each scenario is one way the business could use its data. Its fingerprint (sha256 of the "
                   "fields that change results) identifies it; the full spec is in report.json.")]
    for r in t.results:
        spec = r.spec
        default = Scenario(name=spec.name).spec_dict()
        changed = {k: v for k, v in spec.spec_dict().items() if k not in ("name", "description") and v != default[k]}
        blocks.append(kv([("Scenario", spec.name), ("In words", spec.description or "—"),
                          ("Fingerprint", spec.fingerprint),
                          ("Differs from using all data by", json.dumps(changed, ensure_ascii=False) if changed else
                           "nothing (all data, all history, everyone)"),
                          ("Status", "applies" if r.ok else f"does not apply: {r.reason}")]))
    return {"id": "scenarios", "heading": "Scenarios compared", "blocks": blocks}


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
    rows = [[r["name"], r["kind"], fmt(r["incremental_conversions"], "int"),
             f"[{fmt(r['gain_ci_low'], 'int')}, {fmt(r['gain_ci_high'], 'int')}]", fmt(r["gain_retained"], "share"),
             fmt(r["true_incremental_conversions"], "int")] for r in tab.iter_rows(named=True)]
    blocks.append(table(["Scenario", "Lift kind", "Incremental conversions / campaign", "95 % CI",
                         "Gain retained", "True gain (synthetic)"], rows,
                        "Engagement gain (uplift needs a randomized treatment; targeting lift otherwise)"))
    blocks.append(chart("lift_curves", "Each scenario's curve against random targeting (dashed)."))
    rows = [[r["name"], fmt(r["risk_index"]), fmt(r["k_anonymity"], "int"), fmt(r["sample_uniqueness"], "share"),
             fmt(r["prosecutor_average_records"], "share"), fmt(r["records_at_risk"], "share"),
             fmt(r["customers_held"], "count")] for r in tab.iter_rows(named=True)]
    blocks.append(table(["Scenario", "Exposure index", "k", "Unique in the data", "Average re-identification risk",
                         "Records at risk", "Customers held"], rows, "Exposure of what is held"))
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
    blocks = [text(t.recommendation)]
    if recommended:
        blocks.append(chart("waterfall", f"From gross engagement value to net value for “{recommended}”."))
    if t.not_applicable.height:
        blocks.append(table(["Scenario", "Why it does not apply"], t.not_applicable.rows(), "Not applicable"))
    return {"id": "tradeoffs", "heading": "Trade-offs and recommendation", "blocks": blocks}


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
#: CNIL PIA's four levels, used for likelihood and severity
LEVELS = ("negligible", "limited", "significant", "maximum")
#: Thresholds of the levels (PrivacyLift assumptions, not from a source): annual probability of a breach for
#: likelihood; exposure index (0–100) for severity, one level up when health or financial data are held.
LIKELIHOOD_THRESHOLDS = (0.01, 0.05, 0.20)
SEVERITY_THRESHOLDS = (5.0, 20.0, 50.0)


def _level(value: float, thresholds: Sequence[float]) -> int:
    return int(sum(value >= x for x in thresholds))


def residual_risk(probability_of_breach: float, exposure_index: float, categories: Sequence[str]) -> tuple[str, str, str]:
    """(likelihood, severity, residual) in words; residual from the CNIL-style 4 × 4 matrix: the score
    (L+1)(S+1) of 1–16 read as low (≤ 2), medium (≤ 6), high (≤ 9), very high."""
    likelihood = _level(probability_of_breach, LIKELIHOOD_THRESHOLDS)
    severity = _level(exposure_index, SEVERITY_THRESHOLDS)
    if {"health", "financial"} & set(categories):
        severity = min(3, severity + 1)
    score = (likelihood + 1) * (severity + 1)
    residual = "low" if score <= 2 else "medium" if score <= 6 else "high" if score <= 9 else "very high"
    return LEVELS[likelihood], LEVELS[severity], residual


def _class_size_table(t: Tradeoff, data: CRMData, name: str) -> dict | None:
    """Class-size distribution of what a scenario holds, binned, rows of fewer than 5 customers shown "<5"."""
    from analysis.minimize import prepare
    from analysis.risk.profile import class_sizes

    result = t.result(name)
    spec = result.spec
    # the same path as the sweep: modelled whole, or (a large CRM) exposure counted over everyone in DuckDB
    p = prepare(spec, data, sample_size=None if result.sample is None else result.sample.size)
    if not p.quasi or p.exposed.height == 0:
        return None
    sizes = class_sizes(p.exposed, list(p.quasi))
    edges = [1, 2, 3, 4, 5, 10, 20, 50, 100]
    labels = ["1", "2", "3", "4", "5–9", "10–19", "20–49", "50–99", "100+"]
    index = np.searchsorted(np.array(edges), sizes["class_size"].to_numpy(), side="right") - 1
    binned = sizes.with_columns(pl.Series("bin", np.array(labels)[index])).group_by("bin").agg(
        pl.col("classes").sum(), pl.col("records").sum())
    order = {b: i for i, b in enumerate(labels)}
    rows = sorted(binned.rows(), key=lambda r: order[r[0]])
    return table(["Group size (identical profiles)", "Groups", "Customers"],
                 [[b, fmt(c, "count") if r >= SMALL_CELL else f"<{SMALL_CELL}", fmt(r, "count")] for b, c, r in rows],
                 f"How many customers share their profile with how many others — “{name}” "
                 f"(quasi-identifiers: {', '.join(p.quasi)}; cells under {SMALL_CELL} customers suppressed)")


def _risks(t: Tradeoff, data: CRMData, a: Assumptions, simulation: SimulationSettings, recommended: str | None) -> dict:
    from analysis.breach.montecarlo import mitigation_value

    blocks: list[dict] = [text(
        "Security risks (illegitimate access, unwanted modification, disappearance) of what each scenario holds, "
        "rated on CNIL's four levels. Likelihood: the simulated chance of at least one breach a year "
        f"(levels at {', '.join(fmt(x, 'share') for x in LIKELIHOOD_THRESHOLDS)}). Severity: the exposure index "
        f"(levels at {', '.join(str(x) for x in SEVERITY_THRESHOLDS)}), one level higher when health or financial "
        "data are held. These thresholds are PrivacyLift assumptions.")]
    rows = []
    for r in t.results:
        if not r.ok:
            continue
        row = t.table.filter(pl.col("name") == r.spec.name).row(0, named=True)
        lk, sv, residual = residual_risk(r.breach.probability_of_breach, row["risk_index"], r.categories_held)
        rows.append([r.spec.name, lk, sv, residual, ", ".join(r.categories_held)])
    blocks.append(table(["Scenario", "Likelihood", "Severity", "Residual risk", "Categories held"], rows,
                        "Residual risk after each scenario's measures"))
    years = min(simulation.breach_years, 20_000)
    for r in t.results:
        if not r.ok:
            continue
        mv = mitigation_value(r.holding, a, years=years, seed=r.spec.seed)
        blocks.append({"type": "subheading", "text": f"Measures — {r.spec.name}"})
        blocks.append(table(["Measure", "In this scenario", "Expected loss / year without", "With", "Saves / year"],
                            [[m["label"], "yes" if m["in_scenario"] else "no", fmt(m["expected_loss_off"], "money"),
                              fmt(m["expected_loss_on"], "money"), fmt(m["value"], "money")]
                             for m in mv.iter_rows(named=True)]))
    for name in dict.fromkeys(n for n in (t.settings.current_practice, recommended) if n):
        if name in t.table["name"]:
            block = _class_size_table(t, data, name)
            if block:
                blocks.append(block)
    return {"id": "risks", "heading": "Risks and measures, with residual risk", "blocks": blocks}


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
        kv([("Bootstrap resamples", simulation.n_boot), ("Simulated breach years", f"{simulation.breach_years:,}"),
            ("Attack samples", simulation.attack_samples), ("Risk threshold t", simulation.risk_threshold),
            ("Seeds", ", ".join(sorted({str(r.spec.seed) for r in t.results})))]),
        table(["Package", "Version"], sorted(versions.items()), "Software versions"),
        table(["Metric", "Definition", "Source"], [[m.label, m.definition, m.source] for m in METRICS],
              "Definitions"),
        bullets(REFERENCES_CITED)]}


def _signoff() -> dict:
    blank = "______________________________"
    return {"id": "signoff", "heading": "Sign-off and review", "blocks": [
        text("To be completed by the board (ICO DPIA sign-off; CNIL validation)."),
        kv([("Measures approved by", blank), ("Residual risk accepted by", blank), ("DPO advice", blank),
            ("DPO advice accepted or overruled (with reasons)", blank), ("Consultation of data subjects", blank),
            ("Review date", blank)]),
        {"type": "review_log"}]}


# ---- the whole content ---------------------------------------------------------------------------------------
def _charts(t: Tradeoff, recommended: str | None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if t.table.is_empty():
        return out
    out["frontier"] = _figure_json(charts.frontier_chart(t.table, current=t.settings.current_practice
                                                         if t.settings.current_practice in t.table["name"] else None))
    curves = t.curves()
    if curves.height:
        kind = curves["kind"][0] if "kind" in curves.columns else "qini"
        kind = kind if kind in ("qini", "uplift", "gains") else "qini"
        out["lift_curves"] = _figure_json(charts.lift_curve_chart(curves.filter(pl.col("kind") == curves["kind"][0])
                                                                  if "kind" in curves.columns else curves, kind=kind))
    out["exceedance"] = _figure_json(charts.exceedance_chart(t.exceedance(), tolerance=t.settings.tolerance_frame()))
    if recommended:
        out["waterfall"] = _figure_json(charts.waterfall_chart(waterfall_steps(t, recommended)))
    return out


def build_content(specs: Sequence[Scenario], db: str | Path, *, title: str, purpose: str = "", author: str = "",
                  settings: BusinessSettings | None = None, simulation: SimulationSettings | None = None,
                  assumptions: Assumptions | dict | str | Path | None = None, created: str | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run ``specs`` on the database ``db`` and return the report content (see the module docstring)."""
    settings = settings or BusinessSettings()
    simulation = simulation or SimulationSettings()
    overrides = _overrides(load_assumptions(assumptions))
    warehouse = getattr(db, "warehouse", None)  # a WarehouseCRM: measured in the warehouse
    source = None if warehouse is None else warehouse.description  # never a credential
    created = created or datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    if warehouse is None:
        db = str(Path(db).resolve())
    t, data, a = compute(specs, db, settings=settings, simulation=simulation, assumption_overrides=overrides,
                         progress=progress)
    store = Store(db) if warehouse is None else warehouse
    db = db if warehouse is None else source
    recommended = recommended_name(t)
    scenarios = [dict(s.spec_dict(), fingerprint=s.fingerprint) for s in specs]
    identity = json.dumps({"specs": [s["fingerprint"] for s in scenarios], "data": t.data_fingerprint,
                           "created": created, "title": title}, sort_keys=True)
    sections = [_purpose(title, purpose, author, created, db, t), _inventory(store, data, t), _scenarios(t),
                _results(t), _tradeoffs(t, recommended), _risks(t, data, a, simulation, recommended),
                transparency_section(t, data, recommended),
                _assumptions(a), _methods(t, simulation, _versions()), _signoff()]
    for i, s in enumerate(sections, start=1):
        s["number"] = i
    content = {
        "format": FORMAT,
        "id": hashlib.sha256(identity.encode()).hexdigest(),
        "title": title,
        "purpose": purpose,
        "author": author,
        "created": created,
        "recommended": recommended,
        "reproduce": {
            "db": None if warehouse is not None else db,
            **({"source": source, "pulled": warehouse.pulled_summary()} if warehouse is not None else {}),
            "data_fingerprint": t.data_fingerprint,
            "scenarios": scenarios,
            "seeds": {s.name: s.seed for s in specs},
            "business_settings": dict(settings.__dict__),
            "simulation": dict(simulation.__dict__),
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
