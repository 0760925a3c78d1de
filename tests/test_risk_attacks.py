"""Attacks: attribute inference, membership inference (overfit vs DP model), behavioural uniqueness."""

from __future__ import annotations

import math
import warnings

import numpy as np
import polars as pl
import pytest

from analysis import risk
from analysis.risk._common import wilson


def test_wilson_interval_by_hand():
    # z = 1.959964; centre = (s + z²/2)/(n + z²); half = z/(n + z²)·√(s(n−s)/n + z²/4)
    z = 1.959963984540054
    centre = (30 + z * z / 2) / (100 + z * z)
    half = z / (100 + z * z) * math.sqrt(30 * 70 / 100 + z * z / 4)
    assert wilson(30, 100, 0.95) == pytest.approx((centre, centre - half, centre + half))
    assert wilson(0, 10, 0.95)[1] == pytest.approx(0.0, abs=1e-12) and wilson(10, 10, 0.95)[2] == pytest.approx(1.0)


def people(rows: int, seed: int, linked: bool) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 91, rows)
    post = rng.integers(0, 300, rows)
    if linked:  # the sensitive value is written in the record: knowing (age, post code) reveals it
        status = rng.choice(["good", "late", "default", "collections"], rows)
    else:
        status = rng.choice(["good", "late"], rows, p=[0.8, 0.2])
    return pl.DataFrame({"age": age, "post code": post.astype(str), "credit status": status})


def test_attribute_inference_on_revealing_data():
    frame = people(4000, 0, linked=True)  # most (age, post code) pairs are unique
    result = risk.attribute_inference(frame, ["age", "post code"], "credit status", n_attacks=500, seed=1)
    assert result.n_attacks == 500
    assert result.success_rate > 0.8 and result.control_rate < 0.4
    assert result.risk > 0.6 and result.ci_low <= result.success_rate <= result.ci_high
    assert 0 <= result.risk_ci_low <= result.risk <= result.risk_ci_high <= 1
    same = risk.attribute_inference(frame, ["age", "post code"], "credit status", n_attacks=500, seed=1)
    assert same == result  # seeded
    assert "credit status" in risk.explain(result, quasi=["age", "post code"], column="credit status")[0]


def test_attribute_inference_on_coarse_independent_data_is_near_zero():
    frame = people(12000, 1, linked=False).with_columns(pl.col("age") // 40)
    for control in ("base_rate", "same_attack"):
        result = risk.attribute_inference(frame, ["age"], "credit status", n_attacks=2000, seed=2, control=control)
        assert result.risk_ci_low == 0.0 and result.risk < 0.1, result


def test_attribute_inference_arguments():
    frame = people(50, 0, linked=True)
    with pytest.raises(ValueError, match="The 'control' parameter of attribute_inference"):
        risk.attribute_inference(frame, ["age"], "credit status", control="guess")
    with pytest.raises(ValueError, match="'salary' is not in the data"):
        risk.attribute_inference(frame, ["age"], "salary")
    with pytest.raises(ValueError, match="at least 2 records"):
        risk.attribute_inference(frame.head(1), ["age"], "credit status")


def noisy_classification(rows: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(rows, 5))
    y = ((X[:, 0] + 0.5 * X[:, 1] + rng.normal(0, 0.7, rows)) > 0).astype(np.int64)
    return X[: rows // 2], y[: rows // 2], X[rows // 2:], y[rows // 2:]


def test_membership_inference_overfit_tree_vs_dp_model():
    from sklearn.tree import DecisionTreeClassifier

    X_train, y_train, X_out, y_out = noisy_classification(3000, 0)
    tree = DecisionTreeClassifier(random_state=0).fit(X_train, y_train)  # no depth limit: memorizes
    leaky = risk.membership_inference(tree.predict_proba, X_train, y_train, X_out, y_out, seed=0)
    assert leaky.n_attacks == 1500
    assert leaky.risk > 0.15 and leaky.risk_ci_low > 0.05

    from diffprivlib.models import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        private = LogisticRegression(epsilon=0.1, data_norm=math.sqrt(5), random_state=0).fit(X_train, y_train)
    safe = risk.membership_inference(private.predict_proba, X_train, y_train, X_out, y_out, seed=0)
    assert safe.risk < 0.06 and safe.risk_ci_low == 0.0
    assert safe.risk < leaky.risk_ci_low
    assert "coin flip" in risk.explain(safe)[0]


def test_membership_inference_checks_labels():
    with pytest.raises(ValueError, match="class indices"):
        risk.membership_inference(lambda X: np.full((len(X), 2), 0.5), np.zeros((4, 1)), np.array([0, 1, 2, 0]),
                                  np.zeros((4, 1)), np.array([0, 1, 1, 0]))


def test_behavioral_uniqueness_by_hand():
    # Three customers on a triangle of points: every point is shared by two customers, every pair of
    # points belongs to one customer only.
    events = pl.DataFrame({
        "customer id": ["a", "a", "b", "b", "c", "c", "c"],
        "day": [1, 2, 1, 3, 2, 3, 3],
        "shop": ["x", "x", "x", "x", "x", "x", "x"],
    })
    table = risk.behavioral_uniqueness(events, key="customer id", point_columns=["day", "shop"], points=(1, 2, 3))
    assert table["points"].to_list() == [1, 2, 3]
    assert table["customers"].to_list() == [3, 3, 0]  # nobody has 3 distinct points
    assert table["unique"].to_list()[:2] == [0, 3]
    assert table["share"].to_list()[:2] == [0.0, 1.0] and table["share"][2] is None
    assert table["eligible"].to_list() == [3, 3, 0]  # customers of the whole data with at least p points


def test_behavioral_uniqueness_rises_with_points():
    rng = np.random.default_rng(0)
    customers, per_customer = 3000, 12
    events = pl.DataFrame({
        "customer": np.repeat(np.arange(customers), per_customer),
        "day": rng.integers(0, 60, customers * per_customer),
        "shop": rng.zipf(1.6, customers * per_customer) % 40,
    })
    table = risk.behavioral_uniqueness(events, key="customer", point_columns=["day", "shop"], max_customers=800)
    shares = table["share"].to_list()
    assert table["customers"].to_list() == [800] * 4
    assert shares == sorted(shares) and shares[-1] > 0.9 and shares[0] < shares[-1]
    again = risk.behavioral_uniqueness(events, key="customer", point_columns=["day", "shop"], max_customers=800)
    assert again.equals(table)
    with pytest.raises(ValueError, match="The 'points' parameter of behavioral_uniqueness"):
        risk.behavioral_uniqueness(events, key="customer", point_columns=["day"], points=(0,))
