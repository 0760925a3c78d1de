"""A GDPR Art. 30-style record of processing and a retention schedule, from the dictionary and a scenario.

Art. 30(1) asks for: the controller's name and contact (a); the purposes (b); the categories of data subjects
and of personal data (c); the categories of recipients (d); transfers to third countries (e); the time limits for
erasure of each category (f); and the security measures (g). PrivacyLift knows (b), (c), (f) and (g) from the
dictionary and the scenario, and (d) only as far as access restriction says; what it cannot know — the
controller, processors and transfers — is marked "to be completed by the business", never guessed.

Rows are the cross of purposes and the data categories each one uses; the CSV is safe to open in a spreadsheet
(text cells starting with ``= + - @`` get a leading quote).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import polars as pl

from analysis.consent.purposes import SUBJECTS_DPV
from analysis.data import CRMData
from analysis.scenario import Scenario
from analysis.transparency.build import DEFAULT_CONTACT, notice
from analysis.transparency.model import Notice

__all__ = ["RecordOfProcessing", "record_of_processing", "retention_schedule", "TO_COMPLETE"]

TO_COMPLETE = "to be completed by the business"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _retention(days: int | None) -> str:
    return "for the customer relationship (no limit set)" if days is None else f"{days} days, then deleted"


@dataclass(frozen=True)
class RecordOfProcessing:
    """The record (one row per purpose and data category) and its header facts."""

    scenario: str
    fingerprint: str
    controller: str
    contact: str
    #: purpose, purpose_id, purpose_dpv, legal_basis, legal_basis_dpv, legal_basis_article, data_category, data,
    #: data_category_dpv, source, data_subjects, recipients, retention, retention_days, security_measures,
    #: security_measures_dpv, transfers
    table: pl.DataFrame

    def to_csv(self) -> bytes:
        frame = self.table.with_columns(pl.col(c).map_elements(_safe, return_dtype=pl.String)
                                        for c, t in self.table.schema.items() if t == pl.String)
        buffer = io.BytesIO()
        frame.write_csv(buffer)
        return buffer.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {"format": "privacylift-record-of-processing/1", "article": "GDPR Art. 30(1)",
                "scenario": self.scenario, "scenario_fingerprint": self.fingerprint, "controller": self.controller,
                "contact": self.contact, "data_subjects": ["customers"], "data_subjects_dpv": [SUBJECTS_DPV],
                "transfers_to_third_countries": TO_COMPLETE, "processing": self.table.to_dicts()}


def _recipients(spec: Scenario) -> str:
    staff = ("a small team that needs the data (access restricted)" if spec.access_restriction
             else "staff who work on marketing and analytics")
    return f"{staff}; processors: {TO_COMPLETE}"


def record_of_processing(spec: Scenario, data: CRMData, *, controller: str = TO_COMPLETE,
                         contact: str = DEFAULT_CONTACT, customer_notice: Notice | None = None) -> RecordOfProcessing:
    """The Art. 30 record of ``spec`` on ``data`` (module docstring)."""
    n = customer_notice or notice(spec, data, contact=contact, readability=False)
    safeguards = [s for s in n.safeguards if s.dpv is not None or s.id == "generalization"]
    measures = "; ".join(s.id.replace("_", " ") for s in safeguards)
    measures_dpv = "; ".join(s.dpv for s in safeguards if s.dpv)
    rows = []
    for p in n.purposes:
        items = [d for d in n.collected if d.source in ("profile", "activity") and d.category in p.categories]
        for item in items or [None]:
            rows.append({
                "purpose": p.title, "purpose_id": p.id, "purpose_dpv": p.dpv, "legal_basis": p.basis_title,
                "legal_basis_dpv": p.basis_dpv, "legal_basis_article": p.basis_article,
                "data_category": TO_COMPLETE if item is None else item.category,
                "data": TO_COMPLETE if item is None else item.title,
                "data_category_dpv": None if item is None else item.dpv,
                "source": None if item is None else item.source,
                "data_subjects": "customers",
                "recipients": _recipients(spec),
                "retention": TO_COMPLETE if item is None else _retention(item.retention_days),
                "retention_days": None if item is None else item.retention_days,
                "security_measures": measures or "none recorded",
                "security_measures_dpv": measures_dpv,
                "transfers": TO_COMPLETE,
            })
    schema = {"purpose": pl.String, "purpose_id": pl.String, "purpose_dpv": pl.String, "legal_basis": pl.String,
              "legal_basis_dpv": pl.String, "legal_basis_article": pl.String, "data_category": pl.String,
              "data": pl.String, "data_category_dpv": pl.String, "source": pl.String, "data_subjects": pl.String,
              "recipients": pl.String, "retention": pl.String, "retention_days": pl.Int64,
              "security_measures": pl.String, "security_measures_dpv": pl.String, "transfers": pl.String}
    return RecordOfProcessing(scenario=spec.name, fingerprint=spec.fingerprint, controller=controller,
                              contact=contact, table=pl.DataFrame(rows, schema=schema))


def retention_schedule(spec: Scenario, data: CRMData, *, customer_notice: Notice | None = None) -> pl.DataFrame:
    """One row per kind of data held: how long it is kept and how it is deleted.

    Columns: data, data_category, data_category_dpv, source, retention, retention_days, iso8601, deletion.
    """
    n = customer_notice or notice(spec, data, readability=False)
    rows = [{"data": d.title, "data_category": d.category, "data_category_dpv": d.dpv, "source": d.source,
             "retention": _retention(d.retention_days), "retention_days": d.retention_days,
             "iso8601": None if d.retention_days is None else f"P{d.retention_days}D",
             "deletion": ("older records deleted at every load (retention window); all of a customer's records on "
                          "request within one month (erasure, GDPR Art. 17 and 12(3))" if d.retention_days
                          else "all of a customer's records on request within one month (erasure, GDPR Art. 17 "
                               "and 12(3)), and when the customer relationship ends")}
            for d in n.collected]
    schema = {"data": pl.String, "data_category": pl.String, "data_category_dpv": pl.String, "source": pl.String,
              "retention": pl.String, "retention_days": pl.Int64, "iso8601": pl.String, "deletion": pl.String}
    return pl.DataFrame(rows, schema=schema)
