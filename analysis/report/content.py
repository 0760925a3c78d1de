"""Build the content of a saved report: one JSON-ready dict from which the HTML and PDF are rendered.

The dict has machine-readable parts (``reproduce``: specs, fingerprints, seeds, versions, settings, the policy and
the dataset by name and fingerprint — never a server path; ``headline``: the figures
:func:`analysis.report.verify_report` re-computes; ``recommendation``: the same object as ``simulate --json``'s;
``results``: the simulate JSON's scenarios) and presentation parts (``sections``: ICO DPIA / model-card ordered
sections made of blocks, built in :mod:`.sections`, :mod:`.inventory`, :mod:`.recommendation`,
:mod:`.risks` and :mod:`.fairness`; ``charts``: plotly JSON). Renderers only lay blocks out: every number is
formatted there, once.

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
from analysis.breach.assumptions import Assumptions, load_assumptions
from analysis.data import CRMData, load_crm
from analysis.scenario import Scenario
from analysis.simulation import SimulationSettings
from analysis.store import Store
from analysis.tradeoff import BusinessSettings, Tradeoff, run_scenarios, waterfall_steps
from analysis.transparency.report import transparency_section
from analysis.tradeoff.policy import Policy, load_policy
from analysis.report.blocks import bullets, chart, fmt, kv, table, text
from analysis.report.inventory import inventory_section as _inventory, scenarios_section as _scenarios
from analysis.report.sections import (  # noqa: F401  (REFERENCES_CITED: importable from here as before)
    REFERENCES_CITED, assumptions_section as _assumptions, methods_section as _methods,
    purpose_section as _purpose, results_section as _results, signoff_section as _signoff,
)
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
    root = Path(__file__).resolve().parents[1]  # analysis/ (this file is analysis/report/content.py)
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


# ---- sections built in .sections, .inventory, .recommendation, .risks and .fairness -------------------
def _tradeoffs(t: Tradeoff, recommended: str | None) -> dict:
    from analysis.report.recommendation import tradeoffs_section

    return tradeoffs_section(t, recommended, chart)


def _fairness(t: Tradeoff, recommended: str | None) -> dict:
    from analysis.report.fairness import fairness_section

    return fairness_section(t, recommended)


# ---- the whole content ---------------------------------------------------------------------------------------
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
