"""The fairness and proxy-discrimination audit: hand-computed rates against fairlearn, small groups, the synthetic
CRM's ground truth (sensitive attributes drive uplift and behaviour), a shuffled attribute (nothing to find), the
group quota and its cost, and the Bank Marketing sample through its dictionary alone."""

from __future__ import annotations

import math
from analysis.data import CRMData
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from fairlearn.metrics import (
    MetricFrame, demographic_parity_difference, demographic_parity_ratio, selection_rate,
)

from analysis import ModelCache, SimulationSettings, Store, load_dictionary, preset, simulate
from analysis.dictionary import ColumnSpec, DictionaryError, parse_dictionary
from analysis.fairness import (
    FOUR_FIFTHS, audited_attribute, audited_attributes, group_labels, proxy_audit, quota_scores, selection_audit,
)

DATA = Path(__file__).resolve().parent.parent / "data"
FAST = SimulationSettings(n_boot=60, breach_years=2_000)


# ---- hand-computed -----------------------------------------------------------------------------------
def test_selection_rates_match_a_hand_count_and_row_level_fairlearn():
    # 40 customers: group a 20 (12 targeted), b 15 (3 targeted), c 5 (2 targeted)
    groups = np.array(["a"] * 20 + ["b"] * 15 + ["c"] * 5)
    selected = np.array([1] * 12 + [0] * 8 + [1] * 3 + [0] * 12 + [1] * 2 + [0] * 3, bool)
    audit = selection_audit(selected, pl.DataFrame({"g": groups}))[0]
    rates = {g.group: g.selection_rate for g in audit.groups}
    assert rates == pytest.approx({"a": 12 / 20, "b": 3 / 15, "c": 2 / 5})
    assert audit.ratio == pytest.approx((3 / 15) / (12 / 20))  # lowest over highest: 1/3
    assert audit.difference == pytest.approx(12 / 20 - 3 / 15)
    assert (audit.lowest, audit.highest) == ("b", "a") and audit.meets_four_fifths is False
    # the same figures from fairlearn fed one row per customer
    frame = MetricFrame(metrics=selection_rate, y_true=selected, y_pred=selected, sensitive_features=groups)
    assert frame.by_group.to_dict() == pytest.approx(rates)
    assert audit.ratio == pytest.approx(demographic_parity_ratio(selected, selected, sensitive_features=groups))
    assert audit.difference == pytest.approx(
        demographic_parity_difference(selected, selected, sensitive_features=groups))
    # Wilson 95 % interval of group b, by hand: (s + z²/2)/(n + z²) ± z/(n + z²)·√(s(n−s)/n + z²/4)
    z, s, n = 1.959964, 3, 15
    centre, half = (s + z * z / 2) / (n + z * z), z / (n + z * z) * math.sqrt(s * (n - s) / n + z * z / 4)
    b = next(g for g in audit.groups if g.group == "b")
    assert (b.ci_low, b.ci_high) == pytest.approx((centre - half, centre + half), abs=1e-6)
    # Katz log interval of the ratio, z widened by Bonferroni over the 3 pairs of 3 groups
    zb = 2.393980
    se = math.sqrt(1 / 3 - 1 / 15 + 1 / 12 - 1 / 20)
    assert audit.ratio_ci == pytest.approx((audit.ratio * math.exp(-zb * se), audit.ratio * math.exp(zb * se)),
                                           rel=1e-5)


def test_small_groups_are_suppressed_and_left_out_of_the_ratio():
    groups = np.array(["big"] * 30 + ["other"] * 30 + ["tiny"] * 3)
    selected = np.array([1] * 15 + [0] * 15 + [1] * 12 + [0] * 18 + [0] * 3, bool)
    audit = selection_audit(selected, pl.DataFrame({"g": groups}))[0]
    assert [g.group for g in audit.groups] == ["big", "other", "1 group of fewer than 5 customers"]
    tiny = audit.groups[-1]
    assert tiny.suppressed and tiny.selected is None and tiny.ci_low is None and tiny.customers == 3
    assert audit.ratio == pytest.approx(0.4 / 0.5)  # the tiny group (rate 0) takes no part
    # a weighted MetricFrame over the groups shown agrees
    shown = groups != "tiny"
    assert audit.ratio == pytest.approx(demographic_parity_ratio(selected[shown], selected[shown],
                                                                 sensitive_features=groups[shown]))


def test_numeric_attributes_in_their_dictionary_bands_or_quartiles():
    age = audited_attribute(ColumnSpec("age", "quasi_identifier", type="integer", bounds=(18, 100),
                                       generalize="band", levels=(5, 10, 20), protected=True))
    balance = audited_attribute(ColumnSpec("balance", "sensitive", type="integer"))
    frame = pl.DataFrame({"age": [18, 39, 40, 79, 80, 100, None, 55], "balance": [1, 2, 3, 4, 5, 6, 7, None]})
    labels = group_labels(frame, [age, balance])
    assert labels["age"].to_list() == ["18–39", "18–39", "40–59", "60–79", "80–100", "80–100", "missing", "40–59"]
    assert labels["balance"].null_count() == 0 and labels["balance"][-1] == "missing"
    assert labels["balance"].n_unique() == 5  # four quartiles and the missing group


def test_rare_values_share_one_group():
    from analysis.fairness.groups import MAX_GROUPS
    zip_code = audited_attribute(ColumnSpec("zip", "quasi_identifier", type="text", protected=True))
    frame = pl.DataFrame({"zip": [f"{i:05d}" for i in range(100)] + ["00001"] * 50})
    labels = group_labels(frame, [zip_code])["zip"]
    assert labels.n_unique() == MAX_GROUPS and (labels == "other").sum() == 100 - (MAX_GROUPS - 1)


def test_protected_flag_in_the_dictionary():
    text = '[dataset]\nname = "d"\nentity = "customers"\n[columns.age]\nrole = "quasi_identifier"\n' \
           'type = "integer"\nprotected = true\n[columns.health]\nrole = "sensitive"\ntype = "boolean"\n' \
           '[columns.zip]\nrole = "quasi_identifier"\n'
    d = parse_dictionary(text)
    assert [a.name for a in audited_attributes(d)] == ["age", "health"]
    assert [a.reason for a in audited_attributes(d)] == ["protected", "sensitive"]
    with pytest.raises(DictionaryError, match="column 'age': 'protected' must be true or false"):
        parse_dictionary(text.replace("protected = true", 'protected = "yes"'))


def test_quota_targets_every_cell_at_the_same_rate():
    rng = np.random.default_rng(3)
    n = 6000
    groups = pl.DataFrame({"a": rng.choice(["x", "y"], n, p=[0.8, 0.2]), "b": rng.choice(["p", "q", "r"], n)})
    score = rng.random(n) + (groups["a"] == "x").to_numpy() * 2  # the model prefers group x strongly
    chosen = np.zeros(n, bool)
    chosen[np.argsort(-quota_scores(score, groups, 0.3))[: int(0.3 * n)]] = True
    for column in groups.columns:
        audit = selection_audit(chosen, groups.select(column))[0]
        assert audit.ratio > 0.9, column
    # within a cell the model's order is kept
    cell = ((groups["a"] == "y") & (groups["b"] == "p")).to_numpy()
    adjusted = quota_scores(score, groups, 0.3)
    assert np.all(np.diff(adjusted[cell][np.argsort(-score[cell])]) < 0)


def test_proxy_auc_finds_a_planted_proxy_and_nothing_in_noise():
    rng = np.random.default_rng(5)
    n = 4000
    trait = rng.random(n) < 0.25
    X = np.column_stack([np.clip(0.35 * trait + 0.65 * rng.random(n), 0, 1), rng.random((n, 3))])
    planted = proxy_audit(X, ["pharmacy", "a", "b", "c"], trait.astype(str), attribute="t")
    assert planted.auc > 0.8 and planted.top[0][0] == "pharmacy"
    noise = proxy_audit(X[:, 1:], ["a", "b", "c"], trait.astype(str), attribute="t")
    assert noise.auc_ci[0] < 0.5 < noise.auc_ci[1]


# ---- the synthetic CRM: ground truth says sensitive attributes drive uplift and behaviour ------------------
@pytest.fixture(scope="module")
def synthetic(demo_crm):
    cache = ModelCache()
    run = {name: simulate(spec, demo_crm, settings=FAST, cache=cache) for name, spec in (
        ("status quo", preset("Status quo (full data)")),
        ("no sensitive", preset("No sensitive attributes")),
        ("no sensitive + quota", preset("No sensitive attributes").replace(name="Quota", fairness="group_quota")),
    )}
    return run


def _attribute(result, name):
    return next(a for a in result.fairness.attributes if a.name == name)


def test_status_quo_targets_the_financially_distressed_far_more(synthetic):
    audit = synthetic["status quo"].fairness
    assert {a.name for a in audit.attributes} == {"age", "gender", "credit_band", "financial_distress",
                                                  "health_interest"}
    distress = _attribute(synthetic["status quo"], "financial_distress")
    assert distress.used_by_model and distress.selection.highest == "true"
    assert distress.selection.ratio < FOUR_FIFTHS and distress.selection.ratio_ci[1] < 1  # clearly away from 1
    assert audit.meets_four_fifths is False and "financial_distress" in audit.breaking
    assert "financial distress" in distress.sentence and "uses financial distress directly" in distress.sentence


def test_health_interest_shows_through_purchases_when_health_data_is_excluded(synthetic):
    health = _attribute(synthetic["no sensitive"], "health_interest")
    assert not health.used_by_model
    assert health.proxy.auc > 0.75 and health.proxy.auc_ci[0] > 0.6  # clearly above 0.5
    assert health.proxy.top[0][0] == "product_category=pharmacy"  # the generator's pharmacy purchases
    assert "although health interest is not used" in health.sentence


def test_group_quota_meets_the_bound_and_its_gain_cost_is_reported(synthetic):
    plain, quota = synthetic["no sensitive"], synthetic["no sensitive + quota"]
    assert plain.fairness.meets_four_fifths is False  # age or gender groups under the line without the quota
    assert quota.fairness.meets_four_fifths is True
    assert all(a.selection.ratio >= FOUR_FIFTHS for a in quota.fairness.attributes)
    assert quota.fairness.gain_without_mitigation == pytest.approx(plain.lift.incremental_conversions)
    assert quota.fairness.gain_cost == pytest.approx(plain.lift.incremental_conversions
                                                     - quota.lift.incremental_conversions)
    assert quota.lift.true_incremental_conversions <= plain.lift.true_incremental_conversions * 1.05
    # the quota reads the audited attributes to pick whom to contact: the business holds them
    assert {"health", "financial"} <= set(quota.categories_held) and any("group quota" in n for n in quota.notes)
    assert {"health_interest", "financial_distress"} <= set(quota.columns_used)
    d = quota.to_dict()
    assert d["fairness_mitigation"]["gain_cost"] == pytest.approx(quota.fairness.gain_cost)
    assert d["spec"]["fairness"] == "group_quota"


def test_simulate_json_carries_the_audit(synthetic):
    d = synthetic["no sensitive"].to_dict()
    entry = next(a for a in d["fairness"] if a["attribute"] == "health_interest")
    assert set(entry) >= {"attribute", "groups", "ratio", "difference", "proxy_auc", "top_proxies"}
    assert set(entry["groups"][0]) == {"group", "customers", "selection_rate", "ci_low", "ci_high"}
    assert entry["top_proxies"][0]["feature"] == "product_category=pharmacy"
    for a in d["fairness"]:
        for g in a["groups"]:
            assert g["customers"] == "<5" or g["customers"] >= 5


def test_drop_proxies_leaves_the_proxies_out_and_reports_its_cost(demo_crm):
    cache = ModelCache()
    spec = preset("No sensitive attributes").replace(name="Drop proxies", fairness="drop_proxies")
    result = simulate(spec, demo_crm, settings=FAST, cache=cache)
    dropped = result.fairness.dropped_features
    assert "product_category=pharmacy" in dropped and "age" in dropped
    health = _attribute(result, "health_interest")
    assert health.proxy.auc < _proxy_auc_without_mitigation(demo_crm, cache)
    assert result.fairness.gain_cost is not None


def _proxy_auc_without_mitigation(data, cache):
    plain = simulate(preset("No sensitive attributes"), data, settings=FAST, cache=cache)
    return _attribute(plain, "health_interest").proxy.auc


def test_a_shuffled_attribute_gives_nothing_to_find(demo_crm):
    """Each sensitive column permuted, so it is independent of everything the model reads: ratios within their
    intervals of 1 and proxy AUCs within noise of 0.5. (A model that is given the permuted columns fits noise on
    them and does target by them — the audit of the status quo says so — so the null case is the scenario that
    does not use them.)"""
    rng = np.random.default_rng(11)
    sensitive = ["credit_band", "financial_distress", "health_interest"]
    customers = demo_crm.customers.with_columns(
        [pl.col(c).gather(rng.permutation(demo_crm.n_customers)) for c in sensitive])
    shuffled = CRMData(demo_crm.schema, customers, demo_crm.fingerprint + "-shuffled", demo_crm.ground_truth,
                       store=demo_crm.store)
    result = simulate(preset("No sensitive attributes"), shuffled, settings=FAST, cache=ModelCache())
    for name in sensitive:
        a = _attribute(result, name)
        low, high = a.selection.ratio_ci
        assert low <= 1 <= high, (name, a.selection.ratio, a.selection.ratio_ci)
        assert a.proxy.auc_ci[0] <= 0.5 <= a.proxy.auc_ci[1] or abs(a.proxy.auc - 0.5) < 0.03, (name, a.proxy.auc)


# ---- a real dataset through its dictionary alone ------------------------------------------------------
def test_bank_marketing_with_age_protected_gives_a_ratio_and_its_interval(tmp_path):
    store = Store(tmp_path / "bank.duckdb")
    store.ingest(load_dictionary(DATA / "bank_marketing.toml"), [DATA / "bank.csv"])
    result = simulate(preset("Status quo (full data)"), store, settings=FAST)
    age = _attribute(result, "age")
    assert age.attribute.reason == "protected" and age.used_by_model
    shown = [g.group for g in age.selection.groups if not g.suppressed]
    assert shown == ["18–39", "40–59", "60–79"] or shown == ["18–39", "40–59", "60–79", "80–100"]
    assert all(g.customers < 5 for g in age.selection.groups if g.suppressed)  # the oldest clients are few
    assert 0 < age.selection.ratio <= 1
    low, high = age.selection.ratio_ci
    assert low < age.selection.ratio < high
    # the sensitive financial columns are audited too; balance (no band levels) in quartiles
    names = {a.name for a in result.fairness.attributes}
    assert names == {"age", "default", "balance", "housing", "loan"}
    assert len(_attribute(result, "balance").selection.groups) == 4
    assert all(x.sentence.endswith(".") and x.attribute.words in x.sentence for x in result.fairness.attributes)
