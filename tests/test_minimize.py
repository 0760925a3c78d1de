"""Scenario → data: generalization, populations, features, bounds, applicability."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis.minimize import TEST_SHARE, generalize_column, not_applicable, prepare
from analysis.scenario import PRESETS, Scenario, ScenarioError, preset


def test_generalize_by_hand():
    assert generalize_column(pl.Series("a", [17, 23, 29, 30]), "band", 10).to_list() == [10, 20, 20, 30]
    assert generalize_column(pl.Series("a", [17.5, 99.0]), "top_code", 90).to_list() == [17.5, 90.0]
    assert generalize_column(pl.Series("z", ["02139", "10001", None]), "prefix", 2).to_list() == ["02", "10", None]
    s = pl.Series("job", ["a"] * 8 + ["b", "c"])
    assert generalize_column(s, "merge_rare", 0.15).to_list() == ["a"] * 8 + ["Other", "Other"]


def test_populations_and_split(demo_crm):
    full = prepare(PRESETS[0], demo_crm)
    n = demo_crm.n_customers
    assert full.population == n and full.customers_held == n
    assert len(full.y_train) + len(full.y_test) == n
    assert abs(len(full.y_test) / n - TEST_SHARE) < 0.02
    consent = prepare(preset("Consent only"), demo_crm)
    share = demo_crm.customers["consent_personalization"].mean()
    assert consent.customers_held == int(demo_crm.customers["consent_personalization"].sum())
    assert abs(len(consent.y_train) / (n * (1 - TEST_SHARE)) - share) < 0.03
    # the model is applied to (and measured on) everyone: the same test customers
    assert len(consent.y_test) == len(full.y_test)
    assert consent.own_population_test.mean() == pytest.approx(share, abs=0.03)
    erased = prepare(Scenario(name="e", erasure_rate=0.2), demo_crm)
    assert erased.population == pytest.approx(0.8 * n, rel=0.05)
    opt_out = prepare(Scenario(name="o", consent="opt_out", consent_rate=0.25), demo_crm)
    assert opt_out.customers_held == n - round(0.25 * n)
    opt_in = prepare(Scenario(name="i", consent="opt_in", consent_rate=0.2), demo_crm)
    assert opt_in.customers_held == round(0.2 * n)


def test_feature_minimization_and_matrix_bounds(demo_crm):
    full = prepare(PRESETS[0], demo_crm)
    no_sens = prepare(preset("No sensitive attributes"), demo_crm)
    sensitive = set(demo_crm.schema.sensitive)
    assert sensitive <= set(full.columns_used)
    assert not sensitive & set(no_sens.columns_used)
    assert not any(name.split("=")[0] in sensitive for name in no_sens.feature_names)
    assert "health" in full.categories_held and "health" not in no_sens.categories_held
    assert full.X_train.min() >= 0.0 and full.X_train.max() <= 1.0  # scaled into domain bounds
    no_events = prepare(Scenario(name="n", use_events=False), demo_crm)
    assert "recency_days" in full.feature_names and "recency_days" not in no_events.feature_names
    # identifiers, consent, treatment and outcome are never features
    banned = {"email", "full_name", "phone", "consent_personalization", "arm", "converted", "revenue"}
    assert not banned & {n.split("=")[0] for n in full.feature_names}


def test_generalization_coarsens_what_is_held(demo_crm):
    raw = prepare(PRESETS[0], demo_crm).exposed
    coarse = prepare(preset("Coarse demographics"), demo_crm).exposed
    assert coarse["age"].n_unique() < raw["age"].n_unique()
    assert set(coarse["age"].unique().to_list()) <= set(range(10, 101, 10))
    assert coarse["zip"].str.len_chars().max() == 2
    level1 = prepare(Scenario(name="g1", generalization_level=1), demo_crm).exposed
    assert raw["zip"].n_unique() > level1["zip"].n_unique() > coarse["zip"].n_unique()


def test_retention_window_shortens_history(demo_crm):
    full = prepare(PRESETS[0], demo_crm)
    short = prepare(preset("90-day retention"), demo_crm)
    i_full = full.feature_names.index("events")
    i_short = short.feature_names.index("events")
    assert (short.X_train[:, i_short] <= full.X_train[:, i_full] + 1e-12).all()
    assert short.X_train[:, i_short].mean() < full.X_train[:, i_full].mean()


def test_dp_features_never_use_data_bounds(demo_crm):
    p = prepare(Scenario(name="dp", epsilon=1.0), demo_crm)
    assert p.X_train.min() >= 0 and p.X_train.max() <= 1
    # every numeric feature of the demo dictionary has bounds; the text ZIP code has no declared values
    assert [n.split(":")[0] for n in p.notes] == ["zip"]


def test_not_applicable_and_bad_columns(demo_crm):
    schema = demo_crm.schema
    assert not_applicable(PRESETS[0], schema) is None
    with pytest.raises(ScenarioError, match=r"'exclude_columns'.*'Plan'.*'nope'"):
        prepare(Scenario(name="Plan", exclude_columns=("nope",)), demo_crm)
    with pytest.raises(ScenarioError, match=r"'generalize'.*'Plan'.*'band'.*'gender', but .*needs a numeric column"):
        prepare(Scenario(name="Plan", generalize=(("gender", "band", 5),)), demo_crm)
    with pytest.raises(ScenarioError, match=r"'converted' of role 'outcome'; only columns a model learns from"):
        prepare(Scenario(name="Plan", generalize=(("converted", "merge_rare", 0.1),)), demo_crm)
    with pytest.raises(ScenarioError, match=r"'zip', but the prefix lengths .* whole numbers .*; got 2.5\.$"):
        prepare(Scenario(name="Plan", generalize=(("zip", "prefix", 2.5),)), demo_crm)
    with pytest.raises(ScenarioError, match="unknown column 'ghost'"):
        prepare(Scenario(name="Plan", generalize=(("ghost", "prefix", 2),)), demo_crm)


def test_same_seed_same_matrices(demo_crm):
    a = prepare(Scenario(name="a", consent="opt_in"), demo_crm)
    b = prepare(Scenario(name="b", consent="opt_in"), demo_crm)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    c = prepare(Scenario(name="c", consent="opt_in", seed=1), demo_crm)
    assert not np.array_equal(a.y_test, c.y_test) or len(a.y_test) != len(c.y_test)
