"""The report section a board signs off with: what customers would be told, whose consent licenses the gain,
the record of processing and retention schedule, and what honouring customers' choices costs over time.

Blocks are the report's plain block dicts (text, list, kv, table), laid out by the HTML and PDF renderers; every
figure is formatted here with :mod:`analysis.formatting` (counts under 5 suppressed).
"""

from __future__ import annotations

from typing import Any, Sequence

from analysis import formatting
from analysis.transparency.build import DEFAULT_CONTACT, notice
from analysis.transparency.diff import notice_diff
from analysis.transparency.record import record_of_processing, retention_schedule
from analysis.tradeoff.columns import COLUMNS
from analysis.tradeoff.display import INTERVAL

__all__ = ["transparency_section", "SECTION_ID", "HEADING"]

SECTION_ID = "transparency"
HEADING = "Transparency, consent and control"


def _text(s: str) -> dict:
    return {"type": "text", "text": s}


def _list(items: Sequence[str]) -> dict:
    return {"type": "list", "items": [str(i) for i in items]}


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> dict:
    return {"type": "table", "columns": list(columns), "rows": [[str(c) for c in r] for r in rows],
            "caption": caption}


def _gain(p) -> tuple[str, str]:
    if p is None or p.incremental_conversions is None:
        return "—", "—"
    return (formatting.number(p.incremental_conversions),
            f"[{formatting.number(p.ci_low)}, {formatting.number(p.ci_high)}]")


def transparency_section(t, data, recommended: str | None, *, contact: str = DEFAULT_CONTACT) -> dict:
    """The section for a :class:`~analysis.tradeoff.Tradeoff` on ``data``; the recommended scenario's notice in
    full (else the first scenario that applies)."""
    from analysis.consent.control import simulate_control

    ok = [r for r in t.results if r.ok]
    blocks: list[dict] = [_text(
        "What customers would be told under each scenario (a notice generated from the data dictionary and the "
        "scenario, never from column names), whose consent licenses the personalization, and what honouring "
        "customers' choices costs over time. Reading ease is Flesch's score (60 or more is plain English).")]
    if not ok:
        blocks.append(_text("No scenario applies to this dataset, so there is no notice to show."))
        return {"id": SECTION_ID, "heading": HEADING, "blocks": blocks}
    notices = {r.spec.name: notice(r.spec, data, contact=contact) for r in ok}
    blocks.append(_table(
        ["Scenario", "Flesch reading ease", "Plain English (60 or more)", "Words", "Kinds of data held"],
        [[name, formatting.number(n.readability.flesch_reading_ease), "yes" if n.readability.plain else "no",
          formatting.count(n.readability.words, suppress=False), len(n.collected)] for name, n in notices.items()],
        "Reading ease of each scenario's customer notice"))
    rows = []
    for r in ok:
        p = r.personalization
        gain, interval = _gain(p)
        rows.append([r.spec.name, r.spec.consent_purpose, (p.legal_basis if p else r.spec.effective_legal_basis)
                     .replace("_", " "), "—" if p is None else formatting.count(p.eligible),
                     "—" if p is None else formatting.percent(p.eligible_share),
                     "—" if p is None else formatting.count(p.personalized), gain, interval])
    blocks.append(_table(
        ["Scenario", "Purpose", "Legal basis", "May be personalized", "Share of customers", "Personalized",
         COLUMNS["incremental_conversions"].heading, INTERVAL], rows,
        "Only customers the legal basis covers for the scenario's purpose are personalized; the others get the "
        "default treatment"))
    chosen = recommended if recommended in notices else next(iter(notices))
    n = notices[chosen]
    blocks.append(_text(f"The notice of “{chosen}”, as a customer would read it:"))
    for heading, paragraphs, items in n.sections():
        blocks.append(_text(f"{heading}."))
        blocks += [_text(p) for p in paragraphs]
        if items:
            blocks.append(_list(items))
    current = t.settings.current_practice
    if current in notices and current != chosen:
        blocks.append(_text("What would change for customers:"))
        blocks.append(_list(notice_diff(notices[current], n).lines()))
    result = next(r for r in ok if r.spec.name == chosen)
    record = record_of_processing(result.spec, data, customer_notice=n)
    blocks.append(_table(["Purpose", "Legal basis", "Data", "Kept", "Recipients", "Security measures"],
                         [[r["purpose"], f"{r['legal_basis']} ({r['legal_basis_article']})", r["data"],
                           r["retention"], r["recipients"], r["security_measures"]]
                          for r in record.table.iter_rows(named=True)],
                         f"Record of processing (GDPR Art. 30(1)) of “{chosen}”; data subjects: customers; "
                         "transfers to third countries: to be completed by the business"))
    schedule = retention_schedule(result.spec, data, customer_notice=n)
    blocks.append(_table(["Data", "Kept", "Deletion"],
                         [[r["data"], r["retention"], r["deletion"]] for r in schedule.iter_rows(named=True)],
                         "Retention schedule"))
    try:
        control = simulate_control(result, data, settings=t.settings, assumptions=t.assumptions)
    except ValueError as exc:
        blocks.append(_text(f"Control over time could not be simulated: {exc}"))
    else:
        blocks.append(_text(f"Honouring customers' choices under “{chosen}” (withdrawals, preference updates, "
                            "access and deletion requests at the control_* assumptions' rates):"))
        blocks.append(_list(control.sentences()))
    return {"id": SECTION_ID, "heading": HEADING, "blocks": blocks}
