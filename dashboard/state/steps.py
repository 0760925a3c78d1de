"""The pipeline steps pages show beside a trade-off, each behind :func:`~dashboard.state.caches.memo` and keyed by
fingerprints (the data's, the scenario's — the whole scenario where the output prints its name —, the assumptions'),
so a widget that changes none of them (a slider, a chart's k) reads the kept result instead of recomputing it.

Pages call these, never the ``analysis`` step itself (tests/test_page_imports.py checks it by import inspection).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from analysis import Assumptions, BusinessSettings, CRMData, Scenario, ScenarioResult
from analysis.minimize import Exposed

from dashboard import views
from dashboard.state.caches import memo, model_cache
from dashboard.state.settings import assumptions, business_settings, policy

#: simulated years of each mitigation's on/off pair on the Breach page (a PrivacyLift choice: the page shows
#: differences between common-random-number runs, stable to well under 1 % at this many years)
MITIGATION_YEARS = 20_000


def not_applicable(spec: Scenario, data: CRMData) -> str | None:
    """Why ``spec`` does not apply to ``data`` (None when it does; read from the dictionary only)."""
    from analysis.minimize import not_applicable as reason

    return reason(spec, data.schema)


def exposed(spec: Scenario, data: CRMData) -> Exposed:
    """:func:`analysis.minimize.exposed`: what ``spec`` holds on ``data``, kept per (data, scenario)."""
    from analysis.minimize import exposed as held

    return memo(("exposed", data.fingerprint, spec.fingerprint), lambda: held(spec, data))


def risk_profile(spec: Scenario, data: CRMData, quasi: Sequence[str], *, population: int):
    """:func:`analysis.risk_profile` of what ``spec`` holds, over the attributes ``quasi`` an attacker knows."""
    from analysis import risk_profile as profile

    held = exposed(spec, data)
    return memo(("risk_profile", data.fingerprint, spec.fingerprint, tuple(quasi), int(population)),
                lambda: profile(held.table, list(quasi), held.sensitive, population=int(population),
                                orders=held.orders or None))


def class_sizes(spec: Scenario, data: CRMData, quasi: Sequence[str]):
    """:func:`analysis.risk.class_sizes` of what ``spec`` holds over ``quasi``."""
    from analysis.risk import class_sizes as sizes

    held = exposed(spec, data)
    return memo(("class_sizes", data.fingerprint, spec.fingerprint, tuple(quasi)),
                lambda: sizes(held.table, list(quasi)))


def quasi_contributions(spec: Scenario, data: CRMData, quasi: Sequence[str] | None = None):
    """:func:`analysis.quasi_contributions` of what ``spec`` holds over ``quasi`` (default: all it holds), each
    attribute also generalized one level coarser than the scenario keeps it."""
    from analysis import quasi_contributions as contributions

    held = exposed(spec, data)
    quasi = tuple(held.quasi if quasi is None else quasi)
    up = {q: g for q, g in views.one_level_up(spec, data).items() if q in quasi}
    return memo(("quasi_contributions", data.fingerprint, spec.fingerprint, quasi),
                lambda: contributions(held.table, list(quasi), generalizers=up))


def mitigation_value(result: ScenarioResult, assumption_set: Assumptions | None = None):
    """:func:`analysis.mitigation_value` of ``result``'s holding over :data:`MITIGATION_YEARS` years."""
    from analysis import mitigation_value as value

    a = assumption_set if assumption_set is not None else assumptions()
    return memo(("mitigation_value", result.holding, a.fingerprint(), MITIGATION_YEARS),
                lambda: value(result.holding, a, years=MITIGATION_YEARS))


def trust_sensitivity(result: ScenarioResult, data: CRMData, assumption_set: Assumptions | None = None, *,
                      horizon: int):
    """:func:`analysis.breach.trust.trust_sensitivity` of ``result``'s trust inputs over ``horizon`` years."""
    from analysis.breach.trust import trust_sensitivity as tornado
    from analysis.tradeoff import trust_inputs

    a = assumption_set if assumption_set is not None else assumptions()
    inputs = trust_inputs(result, data)
    return memo(("trust_sensitivity", data.fingerprint, inputs, a.fingerprint(), horizon),
                lambda: tornado(inputs, a, horizon=horizon))


def simulate_control(result: ScenarioResult, data: CRMData, *, settings: BusinessSettings | None = None,
                     assumption_set: Assumptions | None = None):
    """:func:`analysis.simulate_control` of ``result`` (requests, withdrawals and their cost over the horizon)."""
    from analysis import simulate_control as control

    settings = settings or business_settings()
    a = assumption_set if assumption_set is not None else assumptions()
    return memo(("control", data.fingerprint, result.spec, result.fingerprint, settings, a.fingerprint()),
                lambda: control(result, data, settings=settings, assumptions=a))


def notice(spec: Scenario, data: CRMData, *, contact: str, readability: bool = True):
    """:func:`analysis.notice` of ``spec`` (it prints the scenario's words: kept per whole scenario)."""
    from analysis import notice as write

    return memo(("notice", data.fingerprint, spec, contact, readability),
                lambda: write(spec, data, contact=contact, readability=readability))


def record_of_processing(spec: Scenario, data: CRMData, *, customer_notice):
    """:func:`analysis.record_of_processing` of ``spec``, from its notice."""
    from analysis import record_of_processing as record

    return memo(("record", data.fingerprint, spec, customer_notice.contact),
                lambda: record(spec, data, contact=customer_notice.contact, customer_notice=customer_notice))


def retention_schedule(spec: Scenario, data: CRMData, *, customer_notice):
    """:func:`analysis.retention_schedule` of ``spec``, from its notice."""
    from analysis import retention_schedule as schedule

    return memo(("retention", data.fingerprint, spec, customer_notice.contact),
                lambda: schedule(spec, data, customer_notice=customer_notice))


def build_report(specs: Sequence[Scenario], db: Path, data: CRMData, *, title: str, purpose: str, author: str):
    """:func:`analysis.build_report` of ``specs`` with the session's settings, assumptions and policy and the
    shared model cache (never kept: every report is built afresh, its models reused)."""
    from analysis import build_report as build

    return build(list(specs), db, title=title, purpose=purpose, author=author, settings=business_settings(),
                 assumptions=assumptions(), policy=policy(), cache=model_cache(), data=data)
