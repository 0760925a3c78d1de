"""Sections 2 and 3 of a saved report: the processing and the data inventory (Datasheets for Datasets), and the
scenarios compared."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from analysis.data import CRMData
from analysis.report.blocks import fmt, kv, table, text
from analysis.scenario import Scenario
from analysis.store import Store
from analysis.tradeoff import Tradeoff

__all__ = ["inventory_section", "scenarios_section"]


def inventory_section(store: Store, data: CRMData, t: Tradeoff) -> dict:
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


def scenarios_section(t: Tradeoff) -> dict:
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


