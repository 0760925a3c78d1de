"""The byte-bounded cache (analysis.lru): least recently used entries leave first, the total never exceeds the
budget, and sizes are what the objects hold (arrays' buffers, polars' estimated size)."""

from __future__ import annotations

import pickle

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from analysis import ModelCache
from analysis.lru import ByteLRU, sizeof


def _sized(n: int) -> bytes:
    return b"x" * n


def test_hand_made_entries_leave_in_least_recently_used_order():
    cache = ByteLRU(max_bytes=100, sizer=len)
    for key in "abcd":
        cache.put(key, _sized(25))
    assert cache.total_bytes == 100 and list(cache) == ["a", "b", "c", "d"]
    assert cache.get("a") is not None  # a read makes "a" the most recent
    cache.put("e", _sized(30))  # 130 > 100: "b" then "c" leave (the two least recently used)
    assert list(cache) == ["d", "a", "e"] and cache.total_bytes == 80 and cache.evictions == 2
    cache.put("d", _sized(10))  # replacing an entry re-measures it and makes it the most recent
    assert list(cache) == ["a", "e", "d"] and cache.total_bytes == 65
    cache.put("huge", _sized(101))  # larger than the whole budget: not kept, nothing else evicted
    assert "huge" not in cache and cache.rejected == 1 and len(cache) == 3
    del cache["a"]
    assert cache.total_bytes == 40 and cache.get("a") is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("put get".split()), st.integers(0, 7), st.integers(1, 60)),
                max_size=60))
def test_the_total_never_exceeds_the_budget_and_matches_a_reference_lru(operations):
    cache, reference = ByteLRU(max_bytes=120, sizer=len), {}  # reference: key -> size, in recency order
    for op, key, size in operations:
        if op == "get":
            if key in reference:
                reference[key] = reference.pop(key)
            assert (cache.get(key) is not None) == (key in reference)
        else:
            cache.put(key, _sized(size))
            reference.pop(key, None)
            reference[key] = size
            while sum(reference.values()) > 120:
                reference.pop(next(iter(reference)))
        assert cache.total_bytes <= 120
        assert list(cache) == list(reference) and cache.total_bytes == sum(reference.values())


def test_sizes_count_what_objects_hold():
    a = np.zeros(10_000)
    assert 80_000 <= sizeof(a) <= 80_200
    assert 80_000 <= sizeof(a[:10]) <= 80_200  # a view keeps its whole base alive
    assert 80_000 <= sizeof((a, a, a[5:])) <= 80_400  # one buffer, counted once per entry
    frame = pl.DataFrame({"x": np.arange(50_000, dtype=np.int64), "y": np.ones(50_000)})
    assert sizeof({"frame": frame}) >= frame.estimated_size() >= 800_000


def test_a_breach_result_measures_close_to_its_pickled_size():
    from analysis import Holding, simulate_breach

    result = simulate_breach(Holding(records=5_000, categories=("contact",)), years=20_000, seed=1)
    measured, pickled = sizeof(result), len(pickle.dumps(result))
    assert pickled > 160_000  # the simulated years
    assert 0.8 <= measured / pickled <= 1.3


def test_the_model_cache_stays_within_its_budget_and_forgets_the_oldest():
    cache = ModelCache(max_bytes=1_000_000)
    for i in range(30):
        cache.put_result(("spec", i), np.zeros(12_500))  # 100 kB each
        assert cache.memory.total_bytes <= 1_000_000
    assert cache.get_result(("spec", 0)) is None and cache.get_result(("spec", 29)) is not None
    cache.choices["learner"] = "gradient boosting"  # the learner choices and audits share the budget
    assert cache.choices["learner"] == "gradient boosting" and ("model-choice", "learner") in cache.memory
    assert ModelCache().memory.max_bytes is None  # notebooks and the CLI: unbounded, as before


def test_a_budget_must_be_a_positive_int():
    with pytest.raises(ValueError, match="'max_bytes' parameter of ByteLRU must be an int > 0 or None"):
        ByteLRU(max_bytes=0)
