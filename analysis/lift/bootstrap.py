"""Percentile bootstrap intervals of the lift figures: incremental conversions (or revenue) at k and the Qini
coefficient, for all resamples at once.

The test customers are resampled with the model held fixed: an interval says how far the figure of *this*
model could be from its value on all customers like the test set, not how much another training run would
differ. Every function draws the same resamples for the same seed (``rng.integers(0, n, (n_boot, n))`` from
``numpy.random.default_rng(seed)``), so intervals computed with one seed come from the same resamples.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> t = rng.integers(0, 2, 2000); score = rng.random(2000)
>>> y = (rng.random(2000) < 0.1 + 0.2 * t * score).astype(int)
>>> low, high = bootstrap_qini(y, score, t, n_boot=100)
>>> bool(low < qini_auc_score(y, score, t) < high)
True
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Callable

import numpy as np

from analysis.lift.metrics import (
    _arrays,
    _fail,
    _mean_where,
    _order,
    _targeted,
    qini_auc_score,
)

__all__ = ["bootstrap_ci", "bootstrap_incremental", "bootstrap_qini", "bootstrap_uplift"]

#: resamples handled together (bounds memory: a block is ``chunk × n`` counts)
CHUNK = 32


def bootstrap_ci(statistic: Callable[..., float], *arrays, n_boot=200, confidence=0.95, seed=0):
    """Percentile bootstrap interval of ``statistic(*arrays)``, resampling rows of all arrays together.

    The resampling indices are drawn for all resamples at once (``rng.integers(0, n, (n_boot, n))`` from
    ``numpy.random.default_rng(seed)``); the statistic is called once per resample. Resamples where the
    statistic is ``nan`` are ignored.

    Example
    -------
    >>> low, high = bootstrap_ci(np.mean, np.arange(100.0), n_boot=100)
    >>> bool(low < 49.5 < high)
    True
    """
    if not arrays:
        raise _fail("arrays", "bootstrap_ci", "at least one array", "none")
    arrays = [np.asarray(a) for a in arrays]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise _fail("arrays", "bootstrap_ci", "arrays of one length", [len(a) for a in arrays])
    _check_bootstrap(n_boot, confidence, "bootstrap_ci")
    indices = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    values = np.array([statistic(*(a[row] for a in arrays)) for row in indices], dtype=np.float64)
    return _percentile_interval(values, confidence)


def _check_bootstrap(n_boot, confidence, where: str) -> None:
    if not isinstance(n_boot, (Integral, np.integer)) or isinstance(n_boot, bool) or n_boot < 2:
        raise _fail("n_boot", where, "an int >= 2", repr(n_boot))
    if not isinstance(confidence, Real) or not 0 < confidence < 1:
        raise _fail("confidence", where, "a float in (0, 1)", repr(confidence))


def _percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    tail = (1 - confidence) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def _resample_counts(n: int, order: np.ndarray, n_boot: int, seed):
    """Blocks of resamples as counts per row, the rows in score order (``order``): ``(m, n)`` each."""
    indices = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))  # same draw as bootstrap_ci
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    for start in range(0, n_boot, CHUNK):
        block = rank[indices[start:start + CHUNK]]
        m = block.shape[0]
        yield start, np.bincount((block + n * np.arange(m)[:, None]).ravel(), minlength=m * n).reshape(m, n)


def bootstrap_incremental(y_true, score, treatment=None, *, k=0.3, population=None, n_boot=200,
                          confidence=0.95, seed=0) -> tuple[float, float, float]:
    """Incremental conversions at k with a percentile bootstrap interval: ``(estimate, ci_low, ci_high)``.

    With a ``treatment``: :func:`~analysis.lift.metrics.incremental_conversions_at_k` (the uplift kind).
    Without: the extra responders reached by targeting the top k instead of k customers at random,
    ``(rate_top_k − base_rate) × targeted`` (the targeting kind). ``y_true`` may be an amount to get revenue.

    Vectorized: the resamples are the same as :func:`bootstrap_ci`'s with the same seed, turned into counts
    per row, so the top k of every resample comes from one sort of the sample (ties across distinct rows at
    the cutoff may be broken differently from re-sorting each resample).
    """
    where = "bootstrap_incremental"
    if treatment is None:
        y, s = _arrays(where, y_true, score, binary_y=False)
        t = np.ones_like(y)
    else:
        y, s, t = _arrays(where, y_true, score, treatment, binary_y=False)
    _check_bootstrap(n_boot, confidence, where)
    take, targeted = _targeted(k, y.size, population, where)
    order = _order(s)
    y, t = y[order], t[order]
    columns = np.column_stack([t, y * t, 1 - t, y * (1 - t), y])  # in score order
    top, total = np.empty((n_boot, columns.shape[1])), np.empty((n_boot, columns.shape[1]))
    for start, counts in _resample_counts(order.size, order, n_boot, seed):
        before = np.cumsum(counts, axis=1) - counts
        in_top = np.clip(take - before, 0, counts)
        top[start:start + len(counts)] = in_top @ columns
        total[start:start + len(counts)] = counts @ columns
    if treatment is None:
        estimate = (y[:take].mean() - y.mean()) * targeted
        values = (top[:, 4] / take - total[:, 4] / y.size) * targeted
    else:
        in_top, treated = np.arange(y.size) < take, t == 1
        estimate = (_mean_where(y, in_top & treated) - _mean_where(y, in_top & ~treated)) * targeted
        with np.errstate(invalid="ignore", divide="ignore"):
            values = (top[:, 1] / top[:, 0] - top[:, 3] / top[:, 2]) * targeted
    low, high = _percentile_interval(values, confidence)
    return float(estimate), low, high


def _trapezoid(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Area under each row's piecewise-linear curve through (x, y) (rows = resamples)."""
    return np.sum(np.diff(x, axis=1) * (y[:, 1:] + y[:, :-1]) / 2, axis=1)


def _qini_values(n_all, n_treated, y_treated, y_control):
    """``y_t − y_c · n_t / n_c`` (the ratio 0 where there is no control), as ``metrics.qini_curve``."""
    n_control = n_all - n_treated
    return y_treated - y_control * (n_treated / np.maximum(n_control, 1)) * (n_control > 0)


def _qini_block(counts, cumulative, t, treated_responder, control_responder, ends) -> np.ndarray:
    """The Qini coefficient of each resample of a block (rows in score order; ``cumulative`` = the counts'
    cumulative sum along the rows)."""
    m = len(counts)
    # cumulative counts at the end of each tie group (a resample's distinct scores are among them; a group the
    # resample left out repeats the previous point, which adds no area)
    n_all = cumulative[:, ends]
    n_t = np.cumsum(counts * t, axis=1)[:, ends]
    y_t = np.cumsum(counts * treated_responder, axis=1)[:, ends]
    y_c = np.cumsum(counts * control_responder, axis=1)[:, ends]
    zero = np.zeros((m, 1))
    model_area = _trapezoid(np.hstack([zero, n_all]), np.hstack([zero, _qini_values(n_all, n_t, y_t, y_c)]))
    # the perfect ranking (negative_effect): treated responders, everyone else, control responders
    a, c, size, treated = y_t[:, -1], y_c[:, -1], n_all[:, -1], n_t[:, -1]
    end = _qini_values(size, treated, a, c)
    x_best = np.column_stack([np.zeros(m), a, size - c, size])
    q_best = np.column_stack([np.zeros(m), a, a, end])
    baseline = size * end / 2
    room = _trapezoid(x_best, q_best) - baseline
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(room != 0, (model_area - baseline) / room, np.nan)


def bootstrap_qini(y_true, uplift, treatment, *, n_boot=200, confidence=0.95, seed=0) -> tuple[float, float]:
    """Percentile bootstrap interval of the Qini coefficient (``qini_auc_score`` with ``negative_effect``).

    Each resample's coefficient equals :func:`~analysis.lift.metrics.qini_auc_score` of that resample (the
    curve at every distinct predicted uplift, the same normalization), computed from counts per row for all
    resamples at once; the resamples are those of :func:`bootstrap_ci` with the same seed.
    """
    y, s, t = _arrays("bootstrap_qini", y_true, uplift, treatment)
    _check_bootstrap(n_boot, confidence, "bootstrap_qini")
    return bootstrap_uplift(y, s, t, n_boot=n_boot, confidence=confidence, seed=seed)["qini"]


def bootstrap_uplift(y_true, uplift, treatment, *, k=0.3, population=None, revenue=None, n_boot=200,
                     confidence=0.95, seed=0) -> dict:
    """The uplift figures' intervals from one set of resamples: ``{"conversions": (estimate, low, high),
    "revenue": (estimate, low, high) or None, "qini": (low, high)}`` — each as :func:`bootstrap_incremental`
    and :func:`bootstrap_qini` give them with the same seed (one pass over the resamples instead of three)."""
    where = "bootstrap_uplift"
    y, s, t = _arrays(where, y_true, uplift, treatment)
    money = None if revenue is None else _arrays(where, revenue, uplift, treatment, binary_y=False)[0]
    _check_bootstrap(n_boot, confidence, where)
    take, targeted = _targeted(k, y.size, population, where)
    order = _order(s)
    y, s, t = y[order], s[order], t[order]
    ends = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]
    outcomes = [y] if money is None else [y, money[order]]
    columns = np.column_stack([t, 1 - t] + [v * t for v in outcomes] + [v * (1 - t) for v in outcomes])
    top, qini = np.empty((n_boot, columns.shape[1])), np.empty(n_boot)
    for start, counts in _resample_counts(y.size, order, n_boot, seed):
        cumulative = np.cumsum(counts, axis=1)
        top[start:start + len(counts)] = np.clip(take - (cumulative - counts), 0, counts) @ columns
        qini[start:start + len(counts)] = _qini_block(counts, cumulative, t, y * t, y * (1 - t), ends)
    in_top, treated = np.arange(y.size) < take, t == 1
    out = {"qini": _percentile_interval(qini, confidence), "revenue": None}
    for index, (name, values) in enumerate(zip(("conversions", "revenue"), outcomes)):
        estimate = (_mean_where(values, in_top & treated) - _mean_where(values, in_top & ~treated)) * targeted
        with np.errstate(invalid="ignore", divide="ignore"):
            resampled = (top[:, 2 + index] / top[:, 0] - top[:, 2 + len(outcomes) + index] / top[:, 1]) * targeted
        out[name] = (float(estimate), *_percentile_interval(resampled, confidence))
    return out


def _qini_of_resample(y, uplift, t, rows) -> float:
    """One resample's Qini coefficient the slow way (for the tests)."""
    return qini_auc_score(y[rows], uplift[rows], t[rows])
