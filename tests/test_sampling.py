"""The sampled path on the demo CRM with a small sample size: the sample's strata, its draws and the counts over
everyone agree; exposure generalized in SQL equals the polars generalization; attacks measured in place agree
with the in-memory ones."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis import PRESETS, Scenario, preset
from analysis import sampling
from analysis.minimize import TEST_SHARE, prepare
from analysis.risk.profile import class_sizes, risk_profile
from analysis.store._workspace import Table

SIZE = 4_000


def test_the_sample_keeps_every_stratum_share(demo_crm):
    frame, info = sampling.sample(demo_crm, SIZE, seed=0)
    assert abs(frame.height - SIZE) <= 6 and info.population == demo_crm.n_customers
    assert info.strata == ("arm", "converted")
    assert frame["customer_id"].is_sorted() and frame["customer_id"].n_unique() == frame.height
    everyone = demo_crm.customers.group_by("arm", "converted").len()
    sampled = frame.group_by("arm", "converted").len()
    both = everyone.join(sampled, on=["arm", "converted"], suffix="_sample")
    expected = (both["len"] * SIZE / demo_crm.n_customers).round()
    assert (both["len_sample"] == expected).all()  # proportional allocation, exactly (rounded)
    other, _ = sampling.sample(demo_crm, SIZE, seed=1)
    assert other["customer_id"].is_in(frame["customer_id"].implode()).mean() < 0.6  # another seed, another sample


def test_draws_are_independent_between_streams(demo_crm):
    """The test split of the sampled customers is a fair 30 %: the sample draw does not leak into it."""
    spec = Scenario(name="e", erasure_rate=0.2)
    is_test, erased, allowed = sampling.sample_flags(demo_crm, spec, SIZE, TEST_SHARE)
    assert abs(is_test.mean() - TEST_SHARE) < 0.03
    assert abs(erased.mean() - 0.2) < 0.03 and not (allowed & erased).any()
    assert abs(erased[is_test].mean() - erased[~is_test].mean()) < 0.04


@pytest.mark.parametrize("spec, held", [
    (PRESETS[0], lambda n, c: n),
    (preset("Consent only"), lambda n, c: c),
    (Scenario(name="o", consent="opt_out", consent_rate=0.25), lambda n, c: n - round(0.25 * n)),
    (Scenario(name="i", consent="opt_in", consent_rate=0.2), lambda n, c: round(0.2 * n)),
    (Scenario(name="i2", consent="opt_in", consent_rate=0.8), lambda n, c: round(0.8 * n)),
])
def test_counts_over_everyone_follow_the_regime(demo_crm, spec, held):
    """Held customers counted in DuckDB are exactly what the regime implies (the same counts as in memory)."""
    n = demo_crm.n_customers
    consenters = int(demo_crm.customers["consent_personalization"].sum())
    population, counted = sampling.population_counts(demo_crm, spec)
    assert population == n and counted == held(n, consenters)
    whole = prepare(spec, demo_crm, sample_size=None)
    assert whole.customers_held == counted


def test_opt_in_selects_consenters_first_in_the_sample_too(demo_crm):
    frame, _ = sampling.sample(demo_crm, SIZE, seed=0)
    consent = frame["consent_personalization"].fill_null(False).to_numpy()
    _, _, low = sampling.sample_flags(demo_crm, Scenario(name="i", consent="opt_in", consent_rate=0.2), SIZE,
                                      TEST_SHARE)
    _, _, high = sampling.sample_flags(demo_crm, Scenario(name="j", consent="opt_in", consent_rate=0.8), SIZE,
                                       TEST_SHARE)
    assert consent[low].all()  # 20 % < the consent rate: only consenters opt in
    assert high[consent].all() and high.sum() > consent.sum()  # 80 %: every consenter, then others


@pytest.mark.parametrize("name", ["Status quo (full data)", "Coarse demographics", "Consent only", "Privacy first"])
def test_exposure_generalized_in_sql_equals_the_polars_one(demo_crm, name):
    """Held customers and their generalized quasi-identifiers, measured over everyone in DuckDB, give the same
    class sizes and risk profile as the in-memory path (bands, ZIP prefixes and merged rare values in SQL)."""
    spec = preset(name)
    sampled = prepare(spec, demo_crm, sample_size=SIZE)
    whole = prepare(spec, demo_crm, sample_size=None)
    assert isinstance(sampled.exposed, Table) and sampled.sample is not None
    assert sampled.quasi == whole.quasi and sampled.customers_held == whole.customers_held
    assert class_sizes(sampled.exposed, list(sampled.quasi)).equals(class_sizes(whole.exposed, list(whole.quasi)))
    a = risk_profile(sampled.exposed, sampled.quasi, sampled.sensitive).to_dict()
    b = risk_profile(whole.exposed, whole.quasi, whole.sensitive).to_dict()
    assert a == b  # the same counts give bit-identical figures
    assert any("stratified random sample" in note for note in sampled.notes)


def test_attacks_in_place_agree_with_the_in_memory_ones(demo_crm):
    from analysis.exposure import attribute as _attribute, behavioral as _behavioral
    from analysis.simulation import SimulationSettings

    settings = SimulationSettings()
    sampled = prepare(PRESETS[0], demo_crm, sample_size=SIZE)
    whole = prepare(PRESETS[0], demo_crm, sample_size=None)
    a, b = _attribute(sampled, demo_crm, settings, 0), _attribute(whole, demo_crm, settings, 0)
    assert a.n_attacks == b.n_attacks == settings.attack_samples
    assert abs(a.success_rate - b.success_rate) < 0.05  # two random draws of 2,000 targets
    u, v = _behavioral(sampled, demo_crm, settings, 0), _behavioral(whole, demo_crm, settings, 0)
    assert 0.3 < v < 1 and abs(u - v) < 0.05
    short = prepare(preset("90-day retention"), demo_crm, sample_size=SIZE)
    assert _behavioral(short, demo_crm, settings, 0) < u - 0.2  # less history, fewer unique traces


def test_the_model_sees_the_sample_and_figures_say_so(demo_crm):
    from analysis import SimulationSettings, simulate

    p = prepare(PRESETS[0], demo_crm, sample_size=SIZE)
    assert len(p.y_train) + len(p.y_test) == p.sample.customers
    assert p.population == demo_crm.n_customers
    r = simulate(PRESETS[0], demo_crm, settings=SimulationSettings(n_boot=50, breach_years=2_000,
                                                                   attack_samples=500, sample_size=SIZE))
    assert r.sample is not None and r.to_dict()["lift"]["sample"]["customers"] == r.sample.customers
    assert r.lift.n_test == len(p.y_test)
    # scaled to the whole population: the same share targeted of every customer
    assert r.lift.incremental_conversions == pytest.approx(r.lift.uplift_at_k * r.spec.k * r.population)
    assert r.personalization is not None and r.personalization.eligible == demo_crm.n_customers


def test_sample_size_is_checked():
    from analysis import SimulationSettings

    with pytest.raises(ValueError, match="'sample_size' parameter of SimulationSettings"):
        SimulationSettings(sample_size=10)
    assert SimulationSettings(sample_size=None).sample_size is None


def test_merge_rare_uses_the_shares_of_everyone():
    from analysis.minimize import generalize_column

    s = pl.Series("job", ["a", "a", "b", "c"])
    assert generalize_column(s, "merge_rare", 0.3, rare=["c"]).to_list() == ["a", "a", "b", "Other"]
    assert generalize_column(s, "merge_rare", 0.3).to_list() == ["a", "a", "Other", "Other"]
    assert np.array_equal(generalize_column(s, "merge_rare", 0.3, rare=[]).to_numpy(), s.to_numpy())


def test_risk_drivers_in_sql_equal_the_polars_ones(demo_crm):
    """quasi_contributions on a sampled CRM's exposure table (rules applied in SQL) equals the in-memory one."""
    from analysis.risk.drivers import quasi_contributions

    spec = preset("Coarse demographics")
    sampled = prepare(spec, demo_crm, sample_size=SIZE)
    whole = prepare(spec, demo_crm, sample_size=None)
    rules = {"age": ("band", 20.0), "zip": ("prefix", 1.0), "region": ("merge_rare", 0.2)}
    a = quasi_contributions(sampled.exposed, list(sampled.quasi), generalizers=rules)
    b = quasi_contributions(whole.exposed, list(whole.quasi), generalizers=rules)
    assert a.equals(b)
    with pytest.raises(ValueError, match="generalizers"):
        quasi_contributions(sampled.exposed, list(sampled.quasi), generalizers={"age": lambda s: s // 10})
