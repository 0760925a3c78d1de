"""Pareto frontier against a brute-force check; ties, duplicates, order, errors."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.tradeoff.frontier import pareto_frontier


def brute_force(points: list[tuple[str, float, float]]) -> dict[str, set[str]]:
    """name → names of the points that dominate it, by the definition, with plain loops."""
    out = {}
    for n, g, r in points:
        out[n] = {m for m, g2, r2 in points if g2 >= g and r2 <= r and (g2 > g or r2 < r)}
    return out


def test_hand_case():
    pts = pl.DataFrame({"name": ["full", "dp", "minimal", "bad"], "gain": [10.0, 8.0, 3.0, 2.0],
                        "risk": [0.9, 0.4, 0.1, 0.5]})
    f = pareto_frontier(pts, gain="gain", risk="risk")
    assert f["name"].to_list() == ["minimal", "dp", "bad", "full"]  # by risk
    assert dict(zip(f["name"], f["on_frontier"])) == {"full": True, "dp": True, "minimal": True, "bad": False}
    assert dict(zip(f["name"], f["dominated_by"].to_list()))["bad"] == ["dp", "minimal"]  # input order
    assert dict(zip(f["name"], f["dominated_by_text"]))["bad"] == "dp, minimal"
    assert f.filter(pl.col("on_frontier"))["frontier_order"].to_list() == [0, 1, 2]
    assert f.filter(~pl.col("on_frontier"))["frontier_order"].to_list() == [None]


def test_ties_and_duplicates():
    pts = pl.DataFrame({"name": list("abcde"), "gain": [1, 1, 1, 2, 2], "risk": [1, 1, 2, 1, 1]})
    f = pareto_frontier(pts, gain="gain", risk="risk")
    d = dict(zip(f["name"], f["dominated_by"].to_list()))
    # d and e duplicate each other: neither dominates, both on the frontier; they dominate everything else
    assert d == {"a": ["d", "e"], "b": ["d", "e"], "c": ["a", "b", "d", "e"], "d": [], "e": []}
    same_gain = pl.DataFrame({"name": ["x", "y"], "gain": [5, 5], "risk": [1, 2]})  # less risk wins
    assert pareto_frontier(same_gain, gain="gain", risk="risk")["on_frontier"].to_list() == [True, False]


def test_single_point_and_extra_columns_kept():
    f = pareto_frontier(pl.DataFrame({"id": ["s"], "lift": [0.0], "loss": [0.0], "note": ["k"]}),
                        gain="lift", risk="loss", name="id")
    assert f.row(0, named=True) == {"id": "s", "lift": 0.0, "loss": 0.0, "note": "k", "on_frontier": True,
                                    "dominated_by": [], "dominated_by_text": "", "frontier_order": 0}


values = st.integers(0, 4)  # few distinct values: many ties and duplicates


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(values, values), min_size=1, max_size=25))
def test_matches_brute_force(pairs):
    points = [(f"s{i}", float(g), float(r)) for i, (g, r) in enumerate(pairs)]
    df = pl.DataFrame(points, schema=["name", "gain", "risk"], orient="row")
    f = pareto_frontier(df, gain="gain", risk="risk")
    expected = brute_force(points)
    assert {n: set(d) for n, d in zip(f["name"], f["dominated_by"].to_list())} == expected
    assert dict(zip(f["name"], f["on_frontier"])) == {n: not d for n, d in expected.items()}
    line = f.filter(pl.col("on_frontier"))
    assert line["frontier_order"].to_list() == list(range(line.height))
    assert line["risk"].is_sorted() and line["gain"].is_sorted()  # the line climbs with risk
    assert line.height >= 1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(0, 1e6)), min_size=1, max_size=40))
def test_matches_brute_force_on_floats(pairs):
    points = [(f"s{i}", g, r) for i, (g, r) in enumerate(pairs)]
    df = pl.DataFrame(points, schema=["name", "gain", "risk"], orient="row")
    f = pareto_frontier(df, gain="gain", risk="risk")
    assert {n: set(d) for n, d in zip(f["name"], f["dominated_by"].to_list())} == brute_force(points)


@pytest.mark.parametrize(("columns", "gain", "message"), [
    ({"name": ["a"], "g": [1.0], "r": [1.0]}, "gain", "'gain' parameter"),
    ({"name": ["a", "a"], "g": [1.0, 2.0], "r": [1.0, 1.0]}, "g", "unique"),
    ({"name": ["a"], "g": [math.nan], "r": [1.0]}, "g", "finite"),
    ({"name": ["a"], "g": ["x"], "r": [1.0]}, "g", "numeric"),
    ({"id": ["a"], "g": [1.0], "r": [1.0]}, "g", "'name' parameter"),
])
def test_bad_inputs(columns, gain, message):
    with pytest.raises(ValueError, match=message):
        pareto_frontier(pl.DataFrame(columns), gain=gain, risk="r")
