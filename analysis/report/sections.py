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
from analysis.simulation import SimulationSettings
from analysis.tradeoff import Tradeoff

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
