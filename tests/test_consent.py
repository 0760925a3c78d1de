"""Purpose-based consent and control over time: who a scenario may personalize, counted against the synthetic
CRM's own answers; the control simulation against hand-computed cases; the consent history of the generator."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from analysis import PRESETS, Scenario, SimulationSettings, generate_frames, simulate
from analysis.consent.control import control_over_time, simulate_control
from analysis.consent.gain import eligible_customers, targeting
from analysis.consent.purposes import LEGAL_BASES, PURPOSES, legal_basis, purpose
from analysis.dictionary import DictionaryError, parse_dictionary
from analysis.lift.evaluate import train_and_measure
from analysis.minimize import prepare
from analysis.synthetic import truth

from conftest import TEST_CUSTOMERS

FAST = SimulationSettings(n_boot=20, breach_years=2_000, attack_samples=300)


@pytest.fixture(scope="module")
def raw_customers() -> pl.DataFrame:
    """The generator's own customers (the same seed as the test database), erased ones removed as at ingest."""
    return generate_frames(TEST_CUSTOMERS, seed=7)["customers"].filter(~pl.col("erasure_requested"))


def _trained(spec, data):
    p = prepare(spec, data)
    _, model = train_and_measure(p.X_train, p.y_train, p.X_test, p.y_test, treatment_train=p.treatment_train,
                                 treatment_test=p.treatment_test, control=p.control, model="logistic", k=spec.k,
                                 population=p.population, n_boot=10, seed=spec.seed)
    return p, model


@pytest.mark.parametrize("purpose_name", ["marketing", "analytics"])
def test_a_scenario_for_one_purpose_personalizes_only_that_purposes_consenters(demo_crm, raw_customers,
                                                                               purpose_name):
    spec = Scenario(name=f"{purpose_name} only", consent="consented_only", consent_purpose=purpose_name, k=0.3)
    consenters = raw_customers.filter(pl.col(f"consent_{purpose_name}"))["customer_id"]
    # who may be personalized: exactly the purpose's consenters, counted on the generator's own answers
    eligible = eligible_customers(spec, demo_crm)
    assert int(eligible.sum()) == consenters.len()
    assert set(demo_crm.customers["customer_id"].filter(pl.Series(eligible)).to_list()) == set(consenters.to_list())
    # whom the model personalizes among the held-out customers: consenters only, and as many as the budget allows
    p, model = _trained(spec, demo_crm)
    t = targeting(spec, demo_crm, p, model)
    picked = set(t.keys.filter(pl.Series(t.personalized)).to_list())
    assert picked and picked <= set(consenters.to_list())
    assert t.personalized_count == min(round(spec.k * p.population), consenters.len())
    assert t.personalized.sum() == round(t.share * t.eligible.sum())
    # the other purpose's consenters who did not consent to this one are never personalized
    other = "analytics" if purpose_name == "marketing" else "marketing"
    only_other = raw_customers.filter(pl.col(f"consent_{other}") & ~pl.col(f"consent_{purpose_name}"))
    assert only_other.height > 0 and not picked & set(only_other["customer_id"].to_list())
    # the scenario result counts the same customers
    r = simulate(spec, demo_crm, settings=FAST)
    assert r.personalization.purpose == purpose_name and r.personalization.legal_basis == "consent"
    assert r.personalization.eligible == consenters.len()
    assert r.personalization.personalized == t.personalized_count


def test_legitimate_interest_personalizes_everyone_who_has_not_objected(demo_crm):
    n = demo_crm.n_customers
    assert eligible_customers(PRESETS[0], demo_crm).sum() == n  # status quo: legitimate interest, nobody objected
    opt_out = next(p for p in PRESETS if p.consent == "opt_out")
    assert eligible_customers(opt_out, demo_crm).sum() == n - round(opt_out.consent_rate * n)
    erased = Scenario(name="erased", erasure_rate=0.1)
    assert 0.85 * n < eligible_customers(erased, demo_crm).sum() < 0.95 * n  # erased customers never
    explicit = Scenario(name="everyone trained, consenters personalized", legal_basis="consent")
    assert eligible_customers(explicit, demo_crm).sum() == demo_crm.customers["consent_personalization"].sum()


@pytest.mark.parametrize(("consent", "basis", "expected"), [
    ("ignore", None, "legitimate_interest"), ("consented_only", None, "consent"), ("opt_in", None, "consent"),
    ("opt_out", None, "legitimate_interest"), ("ignore", "consent", "consent"),
    ("consented_only", "legitimate_interest", "legitimate_interest"),
])
def test_the_legal_basis_follows_the_consent_regime_unless_declared(consent, basis, expected):
    assert Scenario(name="s", consent=consent, legal_basis=basis).effective_legal_basis == expected


def test_only_consenters_personalized_changes_the_counted_gain(demo_crm):
    """With a budget larger than the consenters, the consent scenario personalizes all of them and no more; its
    counted gain is measured on them alone (not on everyone the model could reach)."""
    spec = Scenario(name="Consent, big budget", consent="consented_only", k=0.8)
    r = simulate(spec, demo_crm, settings=FAST)
    p = r.personalization
    assert p.personalized == p.eligible == demo_crm.customers["consent_personalization"].sum()
    assert p.true_incremental_conversions is not None and p.incremental_conversions is not None
    everyone = simulate(spec.replace(name="everyone", legal_basis="legitimate_interest"), demo_crm, settings=FAST)
    assert everyone.personalization.personalized > p.personalized


# ---- control over time ------------------------------------------------------------------------------------
def test_raising_the_withdrawal_rate_lowers_the_gain_over_three_years(demo_crm):
    result = simulate(PRESETS[-1], demo_crm, settings=FAST)  # "Privacy first": consenters only, no sensitive data
    assert result.personalization.incremental_conversions > 0
    low = simulate_control(result, demo_crm, assumptions={"control_withdrawal_rate": 0.02}, horizon_years=3)
    high = simulate_control(result, demo_crm, assumptions={"control_withdrawal_rate": 0.25}, horizon_years=3)
    assert low.gain_value_static == pytest.approx(high.gain_value_static)
    assert high.gain_value < low.gain_value
    assert high.gain_value < high.gain_value_static  # more leave than the 3 % a year who give consent later
    assert high.table["eligible_share"][-1] < result.personalization.eligible_share < low.table["eligible_share"][-1]
    assert high.trust_value < low.trust_value  # fewer consented customers personalized, less retained
    assert high.lost_gain > low.lost_gain


def test_eligible_share_and_costs_match_a_hand_computation():
    a = {"control_withdrawal_rate": 0.12, "control_preference_update_rate": 0.0,
         "control_deletion_request_rate": {"value": 0.0, "low": 0.0}, "control_access_request_rate": 100e-6,
         "control_request_cost": 1000.0}
    r = control_over_time(customers=1_000_000, eligible_share=0.5, gain_per_campaign=100.0, campaigns_per_year=12,
                          value_per_conversion=10.0, horizon_years=2, assumptions=a)
    assert r.table["eligible_share"].to_list() == pytest.approx([0.5 * 0.99 ** 12, 0.5 * 0.99 ** 24])
    # a month's gain is 100 conversions × 10 USD × the share still eligible
    months = np.arange(1, 25)
    assert r.gain_value == pytest.approx(float((1000 * 0.99 ** months).sum()))
    assert r.gain_value_static == pytest.approx(24_000)
    assert r.requests_per_year == pytest.approx(100) and r.operating_cost == pytest.approx(200 * 1000)
    from scipy import stats

    window = 30 / (365.25 / 12)
    assert r.requests_busy_window == int(stats.poisson.ppf(0.95, 100 / 12 * window))
    assert r.staff_needed == math.ceil(r.requests_busy_window * 5 / (140 * window))
    slower = control_over_time(customers=1_000_000, eligible_share=0.5, gain_per_campaign=100.0,
                               campaigns_per_year=12, value_per_conversion=10.0, horizon_years=2,
                               assumptions={**a, "control_deadline_days": 90})
    assert slower.requests_busy_window > r.requests_busy_window and slower.staff_needed <= r.staff_needed
    assert any("one" in s or "30 days" in s for s in r.sentences())


def test_control_arguments_are_checked():
    with pytest.raises(ValueError, match="The 'eligible_share' parameter of control_over_time must be"):
        control_over_time(customers=10, eligible_share=1.5, gain_per_campaign=1.0, campaigns_per_year=1,
                          value_per_conversion=1.0)


# ---- purposes, legal bases, dictionary ------------------------------------------------------------------
def test_purposes_and_bases_carry_dpv_names_and_plain_words():
    assert len({p.id for p in PURPOSES}) == len(PURPOSES)
    for p in PURPOSES:
        assert p.dpv.startswith("dpv:") and p.words.startswith("to ")
    for b in LEGAL_BASES:
        assert b.dpv.startswith("dpv:") and "GDPR Art. 6(1)" in b.article
    assert purpose("loyalty_points").dpv == "dpv:Purpose" and purpose("loyalty_points").words == "for loyalty points"
    with pytest.raises(ValueError, match="The 'name' parameter of legal_basis"):
        legal_basis("vital_interest")


_BASE = '''[dataset]
name = "d"
key = "id"
[columns.id]
role = "other"
[columns.c]
role = "consent"
purpose = "marketing"
'''


@pytest.mark.parametrize(("extra", "message"), [
    ('changed_at = "c_at"\n[columns.c_at]\nrole = "other"\ntype = "text"\n', "type 'timestamp' or 'date'"),
    ('changed_at = "nowhere"\n', "changed_at column 'nowhere' is not declared"),
    ('changed_at = 3\n', "'changed_at' must be the name of a timestamp column"),
    ('notice = ""\n', "'notice' must be plain words"),
])
def test_dictionary_consent_timestamps_and_notice_words_are_checked(extra, message):
    with pytest.raises(DictionaryError, match=message):
        parse_dictionary(_BASE + extra)


def test_dictionary_accepts_a_consent_timestamp_and_notice_words():
    d = parse_dictionary(_BASE + 'changed_at = "c_at"\nnotice = "your answer"\n[columns.c_at]\nrole = "other"\n'
                         'type = "timestamp"\n')
    assert d.column("c").changed_at == "c_at" and d.column("c").notice == "your answer"
    with pytest.raises(DictionaryError, match="'changed_at' only applies to role 'consent'"):
        parse_dictionary(_BASE + '[columns.x]\nrole = "other"\nchanged_at = "c"\n')


# ---- the synthetic CRM's consent history ------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic():
    return generate_frames(20_000, seed=3)


def test_the_consent_history_leads_to_todays_answers(synthetic):
    customers, events = synthetic["customers"], synthetic["consent_events"]
    start = events["event_time"].min()
    for p in truth.CONSENT_PURPOSES:
        last = (events.filter(pl.col("purpose") == p).group_by("customer_id")
                .agg(pl.col("event_time").max().alias("last"), pl.col("action").sort_by("event_time").last()))
        joined = customers.select("customer_id", pl.col(f"consent_{p}").alias("yes"),
                                  pl.col(f"consent_{p}_at").alias("at")).join(last, on="customer_id", how="left")
        # no event after the latest answer, and the latest event (when it is the latest answer) says today's answer
        assert joined.filter(pl.col("last") > pl.col("at")).height == 0
        at_last = joined.filter(pl.col("last") == pl.col("at"))
        assert at_last.height > 0
        expected = at_last.select(pl.when(pl.col("yes")).then(pl.lit("given")).otherwise(pl.lit("withdrawn")))
        assert (at_last["action"] == expected.to_series()).all()
        # a yes given inside the history is always logged
        assert joined.filter(pl.col("yes") & (pl.col("at") >= start) & pl.col("last").is_null()).height == 0


@pytest.mark.parametrize("purpose_name", truth.CONSENT_PURPOSES)
def test_withdrawals_happen_at_the_synthetic_worlds_yearly_rate(synthetic, purpose_name):
    customers, events = synthetic["customers"], synthetic["consent_events"]
    end = events["event_time"].max()
    year = events.filter((pl.col("purpose") == purpose_name) & (pl.col("event_time") > end - pl.duration(days=365)))
    withdrawn = year.filter(pl.col("action") == "withdrawn").height
    given = year.filter(pl.col("action") == "given").height
    consenters_a_year_ago = customers[f"consent_{purpose_name}"].sum() + withdrawn - given
    rate = withdrawn / consenters_a_year_ago
    assert rate == pytest.approx(truth.WITHDRAWALS_PER_YEAR[purpose_name], rel=0.2)


def test_purposes_have_correlated_realistic_rates(synthetic):
    c = synthetic["customers"]
    rates = {p: c[f"consent_{p}"].mean() for p in truth.CONSENT_PURPOSES}
    assert rates["personalization"] == pytest.approx(0.45, abs=0.02)
    assert rates["personalization"] < rates["marketing"] < rates["analytics"]
    answers = c.select([pl.col(f"consent_{p}").cast(float) for p in truth.CONSENT_PURPOSES]).to_numpy()
    corr = np.corrcoef(answers.T)
    assert (corr[np.triu_indices(3, 1)] > 0.1).all()
