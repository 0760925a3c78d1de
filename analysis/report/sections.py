"""The report's own sections: purpose and scope, results, assumptions with sources, methods and versions,
and sign-off.

Each function returns one section (``id``, ``heading`` and blocks of :mod:`.blocks`, every number formatted
by :func:`~analysis.report.blocks.fmt`) from the trade-off the report ran;
:func:`analysis.report.content.build_content` puts them in order beside the sections of :mod:`.inventory`,
:mod:`.recommendation`, :mod:`.risks`, :mod:`.fairness` and :mod:`analysis.transparency.report`. Aggregates
only: no key, pseudonym or row.
"""

from __future__ import annotations

from pathlib import Path

from analysis.breach.assumptions import Assumptions, assumptions_table
from analysis.report.blocks import bullets, chart, fmt, kv, table, text
from analysis.formatting import years
from analysis.simulation import SimulationSettings
from analysis.tradeoff import Tradeoff
from analysis.tradeoff.columns import COLUMNS
from analysis.tradeoff.display import INTERVAL, cells, headings, interval

__all__ = ["purpose_section", "results_section", "assumptions_section", "methods_section", "signoff_section",
           "REFERENCES_CITED"]


def purpose_section(title: str, purpose: str, author: str, created: str, db: str, t: Tradeoff) -> dict:
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


def results_section(t: Tradeoff) -> dict:
    tab = t.table
    h = t.settings.horizon_years
    blocks: list[dict] = [chart("frontier", "Gain against exposure; the line joins scenarios no other beats on both.")]
    if tab.is_empty():
        return {"id": "results", "heading": "Results", "blocks": [text("No scenario applies to this dataset.")]}
    gain = ["name", "kind", "personalized", "incremental_conversions"]
    rest = ["incremental_conversions_everyone", "gain_retained", "true_incremental_conversions"]
    rows = [[*cells(r, gain), interval(r, "gain_ci_low", "gain_ci_high"),
             *cells({**r, "incremental_conversions_everyone": None} if r["personalized"] == "everyone" else r, rest)]
            for r in tab.iter_rows(named=True)]
    blocks.append(table([*headings(gain), INTERVAL, *headings(rest)], rows,
                        "Engagement gain (uplift needs a randomized treatment; targeting lift otherwise). Consent "
                        "regimes personalize only consenters; the figure with everyone personalized, which the "
                        "regime does not allow, is beside it."))
    blocks.append(chart("lift_curves", "Each scenario's curve against random targeting (dashed)."))
    exposure = ["name", "risk_index", "exposure_held_data", "exposure_model", "k_anonymity", "sample_uniqueness",
                "prosecutor_average_records", "records_at_risk", "population_uniqueness", "marketer_risk",
                "customers_held"]
    rows = [cells(r, exposure) for r in tab.iter_rows(named=True)]
    population = t.simulation.population_for(max(t.dataset.get("customers", 1), 1))
    blocks.append(table(headings(exposure), rows,
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
    rows = [[r["name"], fmt(b.p10, "money"), fmt(b.median, "money"), fmt(b.p90, "money"),
             *cells({"loss_p95": b.p95, "expected_annual_loss": b.expected_annual_loss},
                    ["loss_p95", "expected_annual_loss"]), fmt(b.probability_of_breach, "share")]
            for r, b in ((row, t.result(row["name"]).breach) for row in tab.iter_rows(named=True))]
    blocks.append(table([COLUMNS["name"].heading, "p10", "Median", "p90", *headings(["loss_p95", "expected_annual_loss"]),
                         "P(breach in a year)"], rows,
                        "Annual breach loss (FAIR-style Monte Carlo, USD)"))
    blocks.append(chart("exceedance", "Chance per year that breach losses exceed each amount."))
    value = ["trust_value", "engagement_value_per_year", "expected_annual_loss", "net_value", "on_frontier",
             "dominated_by"]
    rows = [[r["name"], fmt(t.trust[r["name"]].net_customers[h], "int"), *cells(r, value)]
            for r in tab.iter_rows(named=True)]
    blocks.append(table([COLUMNS["name"].heading, f"Trust: net customers ({years(h)})", *headings(value)], rows,
                        f"Trust effects and net value; the horizon is {years(h)}"))
    return {"id": "results", "heading": "Results", "blocks": blocks}


def assumptions_section(a: Assumptions) -> dict:
    tab = assumptions_table(a)
    rows = [[r["label"], fmt(r["value"]), "—" if r["low"] is None else f"{fmt(r['low'])}–{fmt(r['high'])}",
             r["unit"], r["distribution"], f"{r['source']}{'' if r['year'] is None else ', ' + str(r['year'])}"
             f"{' (secondary)' if r['secondary'] else ''}", r["kind"], "yes" if r["overridden"] else "no"]
            for r in tab.iter_rows(named=True)]
    return {"id": "assumptions", "heading": "Assumptions with sources", "blocks": [
        text("Every figure the breach and trust models use, with its source and year, or labelled a PrivacyLift "
             "assumption. Overridden values are marked."),
        table(["Assumption", "Value", "Range", "Unit", "Distribution", "Source", "Kind", "Overridden"], rows)]}


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


def methods_section(t: Tradeoff, simulation: SimulationSettings, versions: dict[str, str]) -> dict:
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


def signoff_section() -> dict:
    blank = "______________________________"
    return {"id": "signoff", "heading": "Sign-off and review", "blocks": [
        text("To be completed by the board (ICO DPIA sign-off; CNIL validation)."),
        kv([("Measures approved by", blank), ("Residual risk accepted by", blank), ("DPO advice", blank),
            ("DPO advice accepted or overruled (with reasons)", blank), ("Consultation of data subjects", blank),
            ("Review date", blank)]),
        {"type": "review_log"}]}
