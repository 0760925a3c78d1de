"""Exposure on the synthetic CRM: the structure real populations show (REFERENCES §6)."""

from __future__ import annotations


from analysis import reidentification
from analysis.minimize import generalize_column
from analysis.risk import explain


def test_uniqueness_rises_as_quasi_identifiers_are_added(demo_crm):
    frame = demo_crm.customers
    order = ["age", "gender", "region", "zip"]
    shares = [reidentification(frame, order[: i + 1]).sample_uniqueness for i in range(len(order))]
    ks = [reidentification(frame, order[: i + 1]).k for i in range(len(order))]
    assert shares == sorted(shares) and shares[0] < 0.01 < 0.3 < shares[-1]
    assert ks == sorted(ks, reverse=True)


def test_generalizing_lowers_uniqueness(demo_crm):
    frame = demo_crm.customers.select("age", "gender", "zip")
    raw = reidentification(frame, ["age", "gender", "zip"]).sample_uniqueness
    coarse = frame.with_columns(generalize_column(frame["age"], "band", 10), generalize_column(frame["zip"], "prefix", 2))
    assert reidentification(coarse, ["age", "gender", "zip"]).sample_uniqueness < raw / 5


def test_plain_language_names_the_share_and_the_attributes(demo_crm):
    r = reidentification(demo_crm.customers, ["age", "gender", "zip"])
    sentences = explain("sample_uniqueness", r.sample_uniqueness, quasi=["age", "gender", "zip"])
    assert any("age, gender and zip" in s for s in sentences)
