"""Uplift and targeting metrics: equal to scikit-uplift 0.5.1, hand-computed tiny cases, properties."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklift import metrics as sklift_metrics

from analysis import lift

# ------------------------------------------------------------------------ the same numbers as scikit-uplift


def _random_case(seed: int):
    """Random y, t (both classes present) and a score: continuous for even seeds, much tied for odd ones."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 80))
    y = rng.integers(0, 2, n)
    t = rng.integers(0, 2, n)
    y[:2], t[:2], t[2] = (0, 1), (0, 1), 1 - t[3]  # both classes of y and t present
    t[0], t[1] = 0, 1
    score = rng.normal(size=n) if seed % 2 == 0 else rng.integers(0, 4, n) / 3
    return y, t, score


def _sklift(function, *args, **kwargs):
    """scikit-uplift's value, or the exception type it raises (it raises on some degenerate inputs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return function(*args, **kwargs)
        except (ValueError, ZeroDivisionError) as error:
            return type(error)


SEEDS = range(60)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["qini_curve", "uplift_curve"])
def test_curves_equal_sklift(seed, name):
    y, t, score = _random_case(seed)
    x_ref, y_ref = getattr(sklift_metrics, name)(y, score, t)
    x_ours, y_ours = getattr(lift, name)(y, score, t)
    np.testing.assert_array_equal(x_ours, x_ref)
    np.testing.assert_allclose(y_ours, y_ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_perfect_curves_equal_sklift(seed):
    y, t, _ = _random_case(seed)
    for ours, ref in [(lift.perfect_uplift_curve(y, t), sklift_metrics.perfect_uplift_curve(y, t)),
                      (lift.perfect_qini_curve(y, t), sklift_metrics.perfect_qini_curve(y, t)),
                      (lift.perfect_qini_curve(y, t, False), sklift_metrics.perfect_qini_curve(y, t, False))]:
        np.testing.assert_allclose(ours[0], ref[0])
        np.testing.assert_allclose(ours[1], ref[1], atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_auc_scores_equal_sklift(seed):
    y, t, score = _random_case(seed)
    compared = 0
    for negative_effect in (True, False):
        ref = _sklift(sklift_metrics.qini_auc_score, y, score, t, negative_effect)
        if isinstance(ref, float):
            assert lift.qini_auc_score(y, score, t, negative_effect) == pytest.approx(ref, abs=1e-12)
            compared += 1
    ref = _sklift(sklift_metrics.uplift_auc_score, y, score, t)
    ours = lift.uplift_auc_score(y, score, t)
    if ref is ZeroDivisionError:  # perfect curve = random line: scikit-uplift divides by zero, we say nan
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(ref, abs=1e-12)
    assert compared >= 1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("strategy", ["overall", "by_group"])
@pytest.mark.parametrize("k", [0.1, 0.3, 0.5, 0.95, 1, 3, 7])
def test_uplift_at_k_equals_sklift(seed, strategy, k):
    y, t, score = _random_case(seed)
    ref = _sklift(sklift_metrics.uplift_at_k, y, score, t, strategy, k)
    if ref is ValueError:
        with pytest.raises(ValueError, match="The 'k' parameter of uplift_at_k must be"):
            lift.uplift_at_k(y, score, t, strategy, k)
    else:
        np.testing.assert_allclose(lift.uplift_at_k(y, score, t, strategy, k), ref, equal_nan=True)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("strategy", ["overall", "by_group"])
@pytest.mark.parametrize("group", ["treatment", "control"])
def test_response_rate_by_percentile_equals_sklift(seed, strategy, group):
    y, t, score = _random_case(seed)
    ref = _sklift(sklift_metrics.response_rate_by_percentile, y, score, t, group, strategy, bins=5)
    for ours, theirs in zip(lift.response_rate_by_percentile(y, score, t, group, strategy, bins=5), ref):
        np.testing.assert_allclose(ours, theirs, equal_nan=True)


# --------------------------------------------------------------------------- hand-computed tiny case
# Six customers, already in score order (scores 0.9 … 0.4, all distinct):
#   row:       1  2  3  4  5  6
#   treated:   1  1  0  0  1  0
#   responded: 1  0  1  0  0  1
Y6 = np.array([1, 0, 1, 0, 0, 1])
T6 = np.array([1, 1, 0, 0, 1, 0])
S6 = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])


def test_hand_computed_qini_curve():
    # Q = y_t − y_c·n_t/n_c at each cutoff:
    # 1: 1−0 = 1 (no control yet: ratio taken as 0); 2: 1; 3: 1 − 1·2/1 = −1; 4: 1 − 1·2/2 = 0;
    # 5: 1 − 1·3/2 = −0.5; 6: 1 − 2·3/3 = −1
    x, q = lift.qini_curve(Y6, S6, T6)
    assert x.tolist() == [0, 1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(q, [0, 1, 1, -1, 0, -0.5, -1])


def test_hand_computed_uplift_curve():
    # (y_t/n_t − y_c/n_c)·n: 1: 1·1; 2: (1/2)·2 = 1; 3: (1/2 − 1)·3 = −1.5; 4: 0; 5: (1/3 − 1/2)·5 = −5/6;
    # 6: (1/3 − 2/3)·6 = −2
    np.testing.assert_allclose(lift.uplift_curve(Y6, S6, T6)[1], [0, 1, 1, -1.5, 0, -5 / 6, -2])


def test_hand_computed_qini_auc():
    # Model area (trapezoids over x = 0…6): 0.5 + 1 + 0 − 0.5 − 0.25 − 0.75 = 0.
    # Perfect order scores y·t − y·(1−t) = [1, 0, −1, 0, 0, −1]: points (0,0) (1,1) (4,1) (6,−1), area 3.5.
    # Random line to (6, −1): area −3.  Qini = (0 − (−3)) / (3.5 − (−3)) = 3 / 6.5 = 6/13.
    assert lift.qini_auc_score(Y6, S6, T6) == pytest.approx(6 / 13)


def test_hand_computed_uplift_at_k():
    # overall, top 3 (k=0.5 → int(6·0.5)): treated rows 1,2 → 1/2; control row 3 → 1; uplift −0.5
    assert lift.uplift_at_k(Y6, S6, T6, "overall", 0.5) == pytest.approx(-0.5)
    # overall, top 4: treated 1/2, control (rows 3, 4) 1/2 → 0
    assert lift.uplift_at_k(Y6, S6, T6, "overall", 4) == pytest.approx(0.0)
    # top 2 holds no control customer: the control rate is undefined
    assert np.isnan(lift.uplift_at_k(Y6, S6, T6, "overall", 2))
    # by_group, k=0.5: int(3·0.5)=1 of each group: treated row 1 (1), control row 3 (1) → 0
    assert lift.uplift_at_k(Y6, S6, T6, "by_group", 0.5) == pytest.approx(0.0)


def test_hand_computed_targeting_and_business_figures():
    # base rate 3/6; top 3 responders 2 → rate 2/3, lift (2/3)/(1/2) = 4/3
    assert lift.lift_at_k(Y6, S6, k=0.5) == pytest.approx(4 / 3)
    assert lift.cumulative_gains_curve(Y6, S6)[1].tolist() == [0, 1, 1, 2, 2, 2, 3]
    # uplift at top 3 is −0.5: −0.5 × 3 targeted; with 600 customers, −0.5 × 300
    assert lift.incremental_conversions_at_k(Y6, S6, T6, k=0.5) == pytest.approx(-1.5)
    assert lift.incremental_conversions_at_k(Y6, S6, T6, k=0.5, population=600) == pytest.approx(-150)
    # targeting: (2/3 − 1/2) × 3 extra responders over random targeting
    assert lift.bootstrap_incremental(Y6, S6, k=0.5, n_boot=20)[0] == pytest.approx(0.5)


# --------------------------------------------------------------------------- properties

binary_pairs = st.integers(6, 40).flatmap(
    lambda n: st.tuples(st.lists(st.integers(0, 1), min_size=n, max_size=n),
                        st.lists(st.integers(0, 1), min_size=n, max_size=n)))


@settings(max_examples=60, deadline=None)
@given(binary_pairs)
def test_perfect_ranking_scores_one(pair):
    y, t = np.array(pair[0]), np.array(pair[1])
    assume(0 < t.sum() < t.size)
    qini = lift.qini_auc_score(y, y * t - y * (1 - t), t)
    assume(not np.isnan(qini))
    assert qini == pytest.approx(1.0)
    summand = y if np.sum((y == 1) & (t == 0)) > np.sum((y == 0) & (t == 1)) else t
    auuc = lift.uplift_auc_score(y, 2 * (y == t) + summand, t)
    assume(not np.isnan(auuc))
    assert auuc == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(binary_pairs, st.integers(0, 2**32 - 1))
def test_scores_depend_only_on_the_ranking(pair, seed):
    y, t = np.array(pair[0]), np.array(pair[1])
    assume(0 < t.sum() < t.size)
    score = np.random.default_rng(seed).normal(size=y.size)
    squashed = 1 / (1 + np.exp(-3 * score)) + 5  # strictly increasing transform
    np.testing.assert_allclose(lift.qini_auc_score(y, squashed, t), lift.qini_auc_score(y, score, t),
                               equal_nan=True)
    np.testing.assert_allclose(lift.uplift_at_k(y, squashed, t, "overall", 0.5),
                               lift.uplift_at_k(y, score, t, "overall", 0.5), equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=3, max_size=50), st.integers(0, 2**32 - 1))
def test_gains_area_above_random_changes_sign_when_ranking_reversed(y, seed):
    y = np.array(y)
    score = np.random.default_rng(seed).permutation(y.size).astype(float)  # distinct scores

    def area_above_random(s):
        x, gains = lift.cumulative_gains_curve(y, s)
        return np.trapezoid(gains, x) - x[-1] * gains[-1] / 2

    assert area_above_random(-score) == pytest.approx(-area_above_random(score))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=2, max_size=50), st.integers(0, 2**32 - 1))
def test_lift_at_k_of_everyone_is_one(y, seed):
    y = np.array(y)
    assume(y.sum() > 0)
    score = np.random.default_rng(seed).normal(size=y.size)
    assert lift.lift_at_k(y, score, k=1.0) == pytest.approx(1.0)
    assert lift.lift_at_k(y, score, k=y.size) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(4))
def test_reversing_a_good_ranking_turns_uplift_negative(seed):
    rng = np.random.default_rng(seed)
    n = 4000
    x = rng.random(n)
    t = rng.integers(0, 2, n)
    y = (rng.random(n) < 0.2 + t * 0.4 * (x - 0.5)).astype(int)
    for metric in (lambda s: lift.qini_auc_score(y, s, t), lambda s: lift.uplift_auc_score(y, s, t),
                   lambda s: lift.uplift_at_k(y, s, t, "overall", 0.3)):
        assert metric(x) > 0 > metric(-x)


# --------------------------------------------------------------------------- bootstrap


@pytest.mark.parametrize("seed", range(3))
def test_vectorized_bootstrap_equals_the_generic_one(seed):
    rng = np.random.default_rng(seed)
    n = 400
    y, t, score = rng.integers(0, 2, n), rng.integers(0, 2, n), rng.normal(size=n)

    def statistic(y, s, t):
        return lift.incremental_conversions_at_k(y, s, t, k=0.3, population=10_000)

    estimate, low, high = lift.bootstrap_incremental(y, score, t, k=0.3, population=10_000, n_boot=60,
                                                     seed=seed)
    assert estimate == pytest.approx(statistic(y, score, t))
    assert (low, high) == pytest.approx(lift.bootstrap_ci(statistic, y, score, t, n_boot=60, seed=seed))

    def extra_responders(y, s):
        take = int(len(y) * 0.3)
        return (lift.lift_at_k(y, s, 0.3) - 1) * y.mean() * take

    targeting = lift.bootstrap_incremental(y, score, k=0.3, n_boot=60, seed=seed)
    assert targeting[0] == pytest.approx(extra_responders(y, score))
    assert targeting[1:] == pytest.approx(lift.bootstrap_ci(extra_responders, y, score, n_boot=60, seed=seed))


def test_bootstrap_ci_covers_a_known_mean():
    values = np.random.default_rng(0).normal(10.0, 1.0, 2000)
    low, high = lift.bootstrap_ci(np.mean, values, n_boot=300)
    assert low < 10.0 < high and high - low < 0.2  # standard error 1/sqrt(2000) ≈ 0.022


# --------------------------------------------------------------------------- chart frame and errors


@pytest.mark.parametrize("kind", lift.CURVE_KINDS)
def test_curve_frame_runs_from_origin_to_curve_end_with_random_line(kind):
    y, t, score = _random_case(4)
    frame = lift.curve_frame(kind, y, score, t, points=11)
    assert frame.columns == ["fraction_targeted", "value", "random", "kind"]
    assert frame["fraction_targeted"].to_list() == pytest.approx(np.linspace(0, 1, 11).tolist())
    end = {"qini": lift.qini_curve, "uplift": lift.uplift_curve}.get(kind)
    last = end(y, score, t)[1][-1] if end else y.sum()
    assert frame["value"][0] == 0 and frame["value"][-1] == pytest.approx(last)
    assert frame["random"][-1] == pytest.approx(last) and frame["random"][5] == pytest.approx(last / 2)
    assert set(frame["kind"]) == {kind}
    json.dumps(frame.to_dicts())


@pytest.mark.parametrize("call, message", [
    (lambda: lift.uplift_at_k(Y6, S6, T6, "best", 0.3), "The 'strategy' parameter of uplift_at_k must be"),
    (lambda: lift.uplift_at_k(Y6, S6, T6, "overall", 1.5), "The 'k' parameter of uplift_at_k must be"),
    (lambda: lift.qini_auc_score(Y6, S6, T6 * 2), "The 'treatment' parameter of qini_auc_score must be"),
    (lambda: lift.qini_curve(Y6, S6[:3], T6), "The 'uplift' parameter of qini_curve must be as long as"),
    (lambda: lift.curve_frame("qini", Y6, S6), "The 'treatment' parameter of curve_frame must be an array"),
    (lambda: lift.bootstrap_ci(np.mean, Y6, n_boot=1), "The 'n_boot' parameter of bootstrap_ci must be"),
    (lambda: lift.incremental_conversions_at_k(Y6, S6, T6, population=-1), "The 'population' parameter"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
