"""One trustworthy answer: the decision rule under the privacy policy, the interval on net value, robustness over
the assumptions, and the figures behind it (exposure parts, DP's bound, the consent headline, population risk) —
on the synthetic CRM with known ground truth and on hand-made tables."""

from __future__ import annotations

import math

import polars as pl
import pytest

from analysis import PRESETS, BusinessSettings, SimulationSettings, load_assumptions, preset, run_scenarios
from analysis.tradeoff import exposure_parts
from analysis.tradeoff.decision import decide, net_value_interval
from analysis.tradeoff.policy import CONSTRAINTS, Policy, PolicyError, load_policy, tolerance_at

FAST = SimulationSettings(n_boot=50, breach_years=5_000, attack_samples=1000)
STATUS_QUO = PRESETS[0]
DP = preset("Differential privacy ε=0.1")
DP_DISCARDED = DP.replace(name="DP ε=0.1, training data deleted", discard_training_data=True)
SPECS = [STATUS_QUO, preset("Consent only"), preset("Privacy first"), DP, DP_DISCARDED]


@pytest.fixture(scope="module")
def tradeoff(demo_crm):
    return run_scenarios(SPECS, demo_crm, simulation=FAST, robustness_draws=120)


def _row(t, name):
    return t.table.filter(pl.col("name") == name).row(0, named=True)


# ---- the figures behind the answer (synthetic CRM) -----------------------------------------------------------
def test_dp_lowers_the_model_part_and_deleting_the_training_data_lowers_the_index(tradeoff):
    quo, dp, gone = (tradeoff.result(n) for n in (STATUS_QUO.name, DP.name, DP_DISCARDED.name))
    quo_parts, dp_parts, gone_parts = exposure_parts(quo), exposure_parts(dp), exposure_parts(gone)
    bound = (math.exp(0.1) - 1) / (math.exp(0.1) + 1)
    assert dp_parts.dp_bound == pytest.approx(bound) and dp_parts.model_advantage <= bound + 1e-12
    assert dp_parts.model < quo_parts.model  # DP at ε = 0.1 protects what the model reveals …
    assert dp_parts.held_data == pytest.approx(quo_parts.held_data)  # … not the data still held
    # deleting the training data leaves only the model and the contact details: the index falls below the status quo
    assert gone_parts.held_data == 0 and gone.risk is None and gone.categories_held == ("contact",)
    assert gone_parts.total < quo_parts.total and gone_parts.model == pytest.approx(dp_parts.model)
    assert gone.breach.expected_annual_loss < quo.breach.expected_annual_loss
    assert gone.lift == dp.lift  # an exposure-only field: the same model, not retrained


def test_consent_only_headline_is_at_most_its_everyone_figure(tradeoff, demo_crm):
    """The headline of a consent regime personalizes only consenters (the others get the default treatment);
    the figure with everyone personalized stays beside it, labelled."""
    r = tradeoff.result("Consent only")
    h = r.personalization
    assert not r.personalizes_everyone and r.headline[0] == h.incremental_conversions
    assert h.incremental_conversions <= r.lift.incremental_conversions  # only consenters personalized
    assert h.true_incremental_conversions <= r.lift.true_incremental_conversions  # the ground truth agrees
    assert h.ci_low <= h.incremental_conversions <= h.ci_high
    consented = demo_crm.customers["consent_personalization"].cast(pl.Float64).mean()
    assert h.eligible_share == pytest.approx(consented, abs=0.01)
    assert h.personalized == min(round(r.spec.k * r.population), h.eligible)
    row = _row(tradeoff, "Consent only")
    assert row["incremental_conversions"] == h.incremental_conversions and row["personalized"] == "consenters only"
    assert row["incremental_conversions_everyone"] == r.lift.incremental_conversions
    d = r.to_dict()["headline"]
    assert d["everyone_figure"] == r.lift.incremental_conversions and "default treatment" in d["personalized"]
    quo = tradeoff.result(STATUS_QUO.name)
    assert _row(tradeoff, STATUS_QUO.name)["personalized"] == "everyone" and quo.personalizes_everyone
    assert quo.headline[0] == quo.lift.incremental_conversions


def test_population_risk_and_ordered_t_closeness_are_in_the_results(tradeoff):
    r = tradeoff.result(STATUS_QUO.name)
    reid = r.risk.reidentification
    assert reid.population_uniqueness is not None and 0 <= reid.population_uniqueness <= reid.sample_uniqueness
    assert reid.marketer is not None and 0 < reid.marketer <= reid.prosecutor_average_records
    credit = next(d for d in r.risk.disclosures if d.column == "credit_band")  # order = poor … excellent
    assert credit.t_closeness_kind == "ordered"
    assert _row(tradeoff, STATUS_QUO.name)["population_uniqueness"] == reid.population_uniqueness
    d = r.to_dict()["risk"]
    assert d["population_uniqueness"] is not None and d["marketer"] is not None


# ---- the rule ------------------------------------------------------------------------------------------------
def test_the_pick_is_the_highest_net_value_among_the_allowed(tradeoff):
    d = tradeoff.decision
    allowed = tradeoff.table.filter(pl.col("allowed")).sort("net_value", descending=True)
    assert d.scenario == allowed["name"][0] and d.runner_up == allowed["name"][1]
    assert d.within_interval == (allowed["net_value"][1] >= allowed["net_value_low"][0])
    # the status quo uses sensitive attributes without consent: not allowed, and it says why
    because = d.because(STATUS_QUO.name)
    assert because and "without the customers' consent" in because and "GDPR Art. 9(2)(a)" in because
    assert set(allowed["name"]) == set(d.allowed)
    # the frontier keeps its meaning and is never the rule: a scenario can be on it and not allowed
    assert tradeoff.table.filter(pl.col("on_frontier") & ~pl.col("allowed")).height + \
        tradeoff.table.filter(~pl.col("on_frontier") & pl.col("allowed")).height >= 0
    assert "not the rule" in tradeoff.recommendation and d.scenario in tradeoff.recommendation


def _rows(**nets):
    base = {"risk_index": 10.0, "sensitive_used": [], "consent": "ignore", "k_anonymity": 10, "loss_p95": 1.0}
    return [{**base, "name": n, "net_value": v, "net_value_low": v - 50, "net_value_high": v + 50, **extra}
            for n, (v, extra) in nets.items()]


def test_decide_on_a_hand_made_table():
    rows = _rows(a=(100.0, {}), b=(120.0, {"sensitive_used": ["health"]}), c=(90.0, {}), d=(30.0, {"risk_index": 80.0}))
    d = decide(rows, Policy(), horizon_years=3, risk_tolerance=((1e5, 0.1), (1e6, 0.02)))
    assert (d.scenario, d.runner_up, d.within_interval) == ("a", "c", True)  # 90 ≥ 100 − 50
    assert dict(d.not_allowed) == {"b": pytest.approx(d.because("b")), "d": d.because("d")}
    assert "health" in d.because("b") and "exposure index (80.0) is above the policy's cap (50)" in d.because("d")
    relaxed = decide(rows, Policy(sensitive_needs_consent=False, max_exposure_index=None), horizon_years=3,
                     risk_tolerance=((1e5, 0.1),))
    assert relaxed.scenario == "b" and not relaxed.not_allowed
    strict = decide(rows, Policy(min_k=20), horizon_years=3, risk_tolerance=((1e5, 0.1),))
    assert strict.scenario is None and len(strict.not_allowed) == 4 and "None of the 4 scenarios" in strict.reason
    far = decide(_rows(a=(500.0, {}), c=(90.0, {})), Policy(), horizon_years=1, risk_tolerance=((1e5, 0.1),))
    assert not far.within_interval and "not clearly apart" not in far.reason
    tie = decide(_rows(x=(100.0, {}), y=(100.0, {})), Policy(), horizon_years=1, risk_tolerance=((1e5, 0.1),))
    assert tie.scenario == "x"  # a tie keeps the table's order (sorted by exposure: the less exposed first)


def test_loss_tolerance_reads_the_risk_tolerance_curve_at_one_in_twenty():
    assert tolerance_at(((1e5, 0.10), (1e6, 0.02))) == pytest.approx(math.exp(
        math.log(1e5) + (math.log(0.05) - math.log(0.1)) / (math.log(0.02) - math.log(0.1)) * math.log(10)))
    assert tolerance_at(((1e6, 0.01),)) == 1e6
    rows = _rows(a=(100.0, {"loss_p95": 5e5}), b=(50.0, {"loss_p95": 1e5}))
    d = decide(rows, Policy(loss_within_tolerance=True), horizon_years=1, risk_tolerance=((1e5, 0.10), (1e6, 0.02)))
    assert d.scenario == "b" and "1-in-20-year breach loss ($500K) is above the risk tolerance" in d.because("a")


def test_net_value_interval_combines_gain_and_loss_errors():
    low, high = net_value_interval(0.0, gain=10, gain_low=7, gain_high=14, loss=100, loss_low=96, loss_high=104,
                                   value_per_gain=1, horizon=1)
    assert (low, high) == (pytest.approx(-5.0), pytest.approx(math.hypot(4, 4)))


# ---- the policy as data ----------------------------------------------------------------------------------------
def test_every_constraint_has_a_default_a_source_or_assumption_label(tmp_path):
    assert {c.key for c in CONSTRAINTS} == set(Policy().to_dict())
    for c in CONSTRAINTS:
        assert c.label and c.note and c.accepts
        assert (c.kind == "sourced" and c.year) or (c.kind == "assumption" and "assumption" in c.source.lower())
    path = tmp_path / "policy.toml"
    path.write_text("[policy]\nmin_k = 5\nmax_exposure_index = false\n", encoding="utf-8")
    p = load_policy(path)
    assert (p.min_k, p.max_exposure_index, set(p.overridden)) == (5, None, {"min_k", "max_exposure_index"})
    with pytest.raises(PolicyError, match="The 'min_k' parameter of Policy must be an int ≥ 2"):
        load_policy({"min_k": 1})
    with pytest.raises(PolicyError, match="no constraint 'k_min'"):
        load_policy({"k_min": 5})
    path.write_text("min_k = = 5", encoding="utf-8")
    with pytest.raises(PolicyError, match="policy.toml' is not valid TOML"):
        load_policy(path)


# ---- robustness -----------------------------------------------------------------------------------------------
def test_robustness_counts_draws_and_reproduces_the_pick_at_todays_values(tradeoff):
    r = tradeoff.decision.robustness
    assert r.draws == 120 and 0 <= r.share_won <= 1
    assert sum(r.winners.values()) == pytest.approx(1.0)
    assert r.winners.get(tradeoff.decision.scenario, 0) == pytest.approx(r.share_won)
    assert "cost_per_record_factor" not in {f.assumption for f in r.assumptions}  # per-breach variation
    assert r.sentence.startswith(f"“{tradeoff.decision.scenario}” stays the recommendation in ")


def test_an_extreme_range_flips_the_pick_and_the_report_says_which(demo_db, demo_crm):
    """At $200 a conversion "Consent only" (more gain) beats "Privacy first" (less held); if a breached record
    could cost up to $5,000, the smaller holding wins: the report names the cost per record as what flips it."""
    from analysis.report import build_report

    specs = [STATUS_QUO, preset("Consent only"), preset("Privacy first")]
    rich = BusinessSettings(value_per_conversion=200)
    base = run_scenarios(specs, demo_crm, simulation=FAST, settings=rich, robustness_draws=150)
    extreme = load_assumptions({"cost_per_record": {"high": 5000}})
    assert extreme.value("cost_per_record") == base.assumptions.value("cost_per_record")  # today: the same
    content = build_report(specs, demo_db, title="Robustness", simulation=FAST, settings=rich, assumptions=extreme,
                           robustness_draws=150)
    rec = content["recommendation"]
    assert rec["scenario"] == base.decision.scenario == "Consent only"  # the same pick at today's values …
    robust = rec["robustness"]
    assert robust["share_won"] < base.decision.robustness.share_won - 0.1  # … which now loses in most draws
    first = robust["flipped_by"][0]
    assert (first["assumption"], first["direction"], first["winner"]) == ("cost_per_record", "above", "Privacy first")
    assert 173 < first["threshold"] < 5000 and first["share_of_losses"] > 0.5
    assert "a breached record costs more than" in robust["sentence"]
    section = next(s for s in content["sections"] if s["id"] == "tradeoffs")
    tables = [b for b in section["blocks"] if b["type"] == "table" and b["columns"][0] == "Assumption"]
    assert tables and tables[0]["rows"][0][0].startswith("Average cost of a breach per record")
    assert any(b.get("text") == robust["sentence"] for b in section["blocks"])
