"""Property tests of the risk engine (hypothesis): invariants that must hold on any data."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import risk

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUASI = ["age", "zip code", "sex"]


@st.composite
def frames(draw) -> pl.DataFrame:
    rows = draw(st.integers(1, 40))
    cell = st.one_of(st.none(), st.integers(0, 30)) if draw(st.booleans()) else st.integers(0, 30)
    column = lambda values: draw(st.lists(values, min_size=rows, max_size=rows))  # noqa: E731
    return pl.DataFrame({
        "age": column(cell),
        "zip code": column(st.integers(0, 4)),
        "sex": column(st.sampled_from(["f", "m"])),
        "income": column(st.integers(0, 3)),
    }, schema={"age": pl.Int64, "zip code": pl.Int64, "sex": pl.String, "income": pl.Int64})


@SETTINGS
@given(frames())
def test_k_is_at_most_every_class_size_and_risks_are_shares(frame):
    profile = risk.risk_profile(frame, QUASI, ["income"], population=frame.height * 3)
    r = profile.reidentification
    sizes = risk.class_sizes(frame, QUASI)
    assert r.k == sizes["class_size"].min() and (sizes["class_size"] >= r.k).all()
    assert sizes["records"].sum() == frame.height == r.records
    shares = [r.sample_uniqueness, r.prosecutor_highest, r.prosecutor_average_records, r.prosecutor_average_classes,
              r.records_at_risk, r.marketer, r.journalist_highest, r.journalist_average]
    assert all(0 <= x <= 1 for x in shares), shares
    assert 0 <= r.population_uniqueness <= 1
    # Mean of 1/f over classes >= 1 / mean f (AM-HM): the per-class average is never below the per-record one.
    assert r.prosecutor_average_classes >= r.prosecutor_average_records - 1e-12
    d = profile.disclosures[0]
    assert 1 <= d.l_diversity <= r.k
    assert 1 <= d.entropy_l_diversity <= d.l_diversity + 1e-9
    assert 0 <= d.t_closeness <= 1 + 1e-12


@SETTINGS
@given(frames())
def test_sample_uniqueness_matches_polars(frame):
    counts = frame.group_by(QUASI).len()
    expected = counts.filter(pl.col("len") == 1).height / frame.height
    r = risk.reidentification(frame, QUASI)
    assert r.sample_uniqueness == pytest.approx(expected)
    assert r.classes == counts.height
    has_null = counts.select(pl.any_horizontal(pl.col(QUASI).is_null()).sum()).item()
    assert r.null_classes == has_null


@SETTINGS
@given(frames(), st.integers(2, 10))
def test_generalizing_never_lowers_k(frame, width):
    before = risk.reidentification(frame, QUASI)
    coarse = frame.with_columns(pl.col("age") // width)
    after = risk.reidentification(coarse, QUASI)
    assert after.k >= before.k
    assert after.sample_uniqueness <= before.sample_uniqueness
    assert after.classes <= before.classes


@SETTINGS
@given(frames())
def test_adding_a_quasi_identifier_never_raises_k(frame):
    fewer = risk.reidentification(frame, QUASI[:2])
    more = risk.reidentification(frame, QUASI)
    assert more.k <= fewer.k
    assert more.sample_uniqueness >= fewer.sample_uniqueness
    assert more.records_at_risk >= fewer.records_at_risk


@SETTINGS
@given(frames())
def test_finer_classes_never_raise_l_diversity(frame):
    fewer = risk.disclosure(frame, QUASI[:1], "income")
    more = risk.disclosure(frame, QUASI, "income")
    assert more.l_diversity <= fewer.l_diversity
    assert more.t_closeness >= fewer.t_closeness - 1e-12
