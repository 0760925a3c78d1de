"""Uplift and targeting-lift metrics, with scikit-uplift's signatures and definitions.

Two kinds of lift are measured, and every figure says which one it is:

- **uplift** (the data has a randomized treatment): customers are ranked by predicted uplift, highest first;
  at each cutoff with ``n_t``/``n_c`` treated/control customers and ``y_t``/``y_c`` responders,
  the Qini curve is ``y_t - y_c * n_t / n_c`` and the uplift curve ``(y_t/n_t - y_c/n_c) * (n_t + n_c)``.
  ``qini_auc_score``, ``uplift_auc_score`` and ``uplift_at_k`` equal scikit-uplift 0.5.1's functions
  (``sklift.metrics``; REFERENCES.md §4), which the tests check on random inputs.
- **targeting** (no treatment): only a response lift can be measured — cumulative gains and
  ``lift_at_k`` = response rate of the top k over the base rate.

Business figures: :func:`incremental_conversions_at_k` (uplift at k × customers targeted); their bootstrap
intervals, and the Qini coefficient's, are in :mod:`analysis.lift.bootstrap`.

Differences from scikit-uplift, on purpose: the inputs only need to hold values in {0, 1} (one class may be
missing; scikit-uplift insists on both); an empty group inside the top k gives ``nan`` without a warning
(scikit-uplift gives ``nan`` with a ``RuntimeWarning``).

Example
-------
>>> import numpy as np
>>> y = np.array([1, 0, 1, 0, 0, 1]); t = np.array([1, 1, 0, 0, 1, 0])
>>> score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
>>> round(float(uplift_at_k(y, score, t, strategy="overall", k=4)), 3)
0.0
"""

from __future__ import annotations

from numbers import Integral, Real
import numpy as np
import polars as pl

from analysis.errors import must_be

__all__ = [
    "qini_curve",
    "perfect_qini_curve",
    "qini_auc_score",
    "uplift_curve",
    "perfect_uplift_curve",
    "uplift_auc_score",
    "uplift_at_k",
    "response_rate_by_percentile",
    "cumulative_gains_curve",
    "lift_at_k",
    "incremental_conversions_at_k",
    "curve_frame",
    "CURVE_KINDS",
]

#: Curves :func:`curve_frame` draws: an uplift result's headline is ``qini``, a targeting one's ``gains``.
CURVE_KINDS = ("qini", "uplift", "gains")
STRATEGIES = ("overall", "by_group")


# --------------------------------------------------------------------------- argument checks


def _fail(name: str, where: str, what: str, got: object) -> ValueError:
    return ValueError(must_be(name, where, what, got, show=str))


def _as_1d(values, name: str, where: str, *, binary: bool = False) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise _fail(name, where, "a 1-d array", f"shape {array.shape}")
    if binary:
        distinct = np.unique(array)
        if not np.isin(distinct, (0, 1)).all():
            raise _fail(name, where, "a 1-d array of 0/1 values", f"values {distinct[:5]}")
        return array.astype(np.float64)
    if not np.issubdtype(array.dtype, np.number) and array.dtype != bool:
        raise _fail(name, where, "a numeric 1-d array", f"dtype {array.dtype}")
    return array.astype(np.float64)


def _arrays(where: str, y_true, score, treatment=None, *, binary_y: bool = True):
    y = _as_1d(y_true, "y_true", where, binary=binary_y)
    s = _as_1d(score, "uplift" if treatment is not None else "score", where)
    if len(s) != len(y):
        raise _fail("uplift" if treatment is not None else "score", where,
                    f"as long as y_true ({len(y)})", f"length {len(s)}")
    if treatment is None:
        return y, s
    t = _as_1d(treatment, "treatment", where, binary=True)
    if len(t) != len(y):
        raise _fail("treatment", where, f"as long as y_true ({len(y)})", f"length {len(t)}")
    return y, s, t


def _top_count(k, n: int, where: str, *, allow_all: bool = False) -> int:
    """Rows in the top k: int(n * k) for a float share, k itself for a count (scikit-uplift's rule)."""
    if isinstance(k, (Integral, np.integer)) and not isinstance(k, bool):
        if not (0 < k < n or (allow_all and k == n)):
            raise _fail("k", where, f"a count in [1, {n if allow_all else n - 1}] or a share in (0, 1)", k)
        return int(k)
    if isinstance(k, Real) and not isinstance(k, bool):
        if not (0 < k < 1 or (allow_all and k == 1)):
            raise _fail("k", where, f"a share in (0, {']' if allow_all else ')'} or a count of rows", k)
        return int(n * k)
    raise _fail("k", where, "a float share or an int count", repr(k))


def _order(score: np.ndarray) -> np.ndarray:
    """Highest score first; ties in reverse input order, exactly as scikit-uplift sorts."""
    return np.argsort(score, kind="mergesort")[::-1]


def _ratio(numerator, denominator):
    numerator = np.asarray(numerator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=np.asarray(denominator) != 0)


def _auc(x, y) -> float:
    return float(np.trapezoid(y, x))


def _normalized_area(x_model, y_model, x_best, y_best) -> float:
    """(AUC_model − AUC_random) / (AUC_perfect − AUC_random); ``nan`` when the perfect curve is the random one
    (scikit-uplift raises ``ZeroDivisionError`` there)."""
    baseline = _auc([0, x_best[-1]], [0, y_best[-1]])
    room = _auc(x_best, y_best) - baseline
    return (_auc(x_model, y_model) - baseline) / room if room != 0 else float("nan")


# --------------------------------------------------------------------------- uplift curves


def _cumulative(y, score, t):
    """Counts at every distinct score cutoff: customers, treated, treated responders, control responders."""
    order = _order(score)
    y, score, t = y[order], score[order], t[order]
    cutoffs = np.r_[np.flatnonzero(np.diff(score)), score.size - 1]
    n_all = cutoffs + 1
    n_treated = np.cumsum(t)[cutoffs]
    y_treated = np.cumsum(y * t)[cutoffs]
    y_control = np.cumsum(y * (1 - t))[cutoffs]
    return n_all, n_treated, n_all - n_treated, y_treated, y_control


def qini_curve(y_true, uplift, treatment):
    """Qini curve ``y_t - y_c * n_t / n_c`` at every distinct predicted uplift, starting at (0, 0).

    Returns ``(customers_targeted, incremental_responders)`` as in ``sklift.metrics.qini_curve``.

    Example
    -------
    >>> qini_curve([1, 0, 1, 0], [0.9, 0.5, 0.4, 0.1], [1, 1, 0, 0])[1].tolist()
    [0.0, 1.0, 1.0, -1.0, 0.0]
    """
    y, s, t = _arrays("qini_curve", y_true, uplift, treatment)
    n_all, n_t, n_c, y_t, y_c = _cumulative(y, s, t)
    values = y_t - y_c * _ratio(n_t, n_c)
    return np.r_[0, n_all], np.r_[0.0, values]


def perfect_qini_curve(y_true, treatment, negative_effect=True):
    """The best possible Qini curve (``sklift.metrics.perfect_qini_curve``).

    With ``negative_effect`` the ideal ranking puts treated responders first and control responders last;
    without it, the ideal curve rises straight to the overall incremental responders and stays there.
    """
    y = _as_1d(y_true, "y_true", "perfect_qini_curve", binary=True)
    t = _as_1d(treatment, "treatment", "perfect_qini_curve", binary=True)
    if not isinstance(negative_effect, bool):
        raise _fail("negative_effect", "perfect_qini_curve", "a bool", repr(negative_effect))
    if negative_effect:
        return qini_curve(y, y * t - y * (1 - t), t)
    treated = t == 1
    overall = y[treated].sum() - treated.sum() * y[~treated].sum() / (~treated).sum()
    return np.array([0, overall, y.size]), np.array([0, overall, overall])


def qini_auc_score(y_true, uplift, treatment, negative_effect=True):
    """Qini coefficient: (AUC_model − AUC_random) / (AUC_perfect − AUC_random), as scikit-uplift.

    The random line goes straight from (0, 0) to the perfect curve's end point. 1 is a perfect ranking,
    0 random, negative worse than random.

    Example
    -------
    >>> y, t = [1, 0, 1, 0], [1, 1, 0, 0]
    >>> qini_auc_score(y, [4, 3, 1, 2], t)    # the perfect order: treated responder first, control last
    1.0
    """
    y, s, t = _arrays("qini_auc_score", y_true, uplift, treatment)
    x_model, y_model = qini_curve(y, s, t)
    x_best, y_best = perfect_qini_curve(y, t, negative_effect)
    return _normalized_area(x_model, y_model, x_best, y_best)


def uplift_curve(y_true, uplift, treatment):
    """Uplift curve ``(y_t/n_t − y_c/n_c) · (n_t + n_c)`` at every distinct predicted uplift, from (0, 0)."""
    y, s, t = _arrays("uplift_curve", y_true, uplift, treatment)
    n_all, n_t, n_c, y_t, y_c = _cumulative(y, s, t)
    values = (_ratio(y_t, n_t) - _ratio(y_c, n_c)) * n_all
    return np.r_[0, n_all], np.r_[0.0, values]


def perfect_uplift_curve(y_true, treatment):
    """The best possible uplift curve (``sklift.metrics.perfect_uplift_curve``)."""
    y = _as_1d(y_true, "y_true", "perfect_uplift_curve", binary=True)
    t = _as_1d(treatment, "treatment", "perfect_uplift_curve", binary=True)
    control_responders = np.sum((y == 1) & (t == 0))
    treated_non_responders = np.sum((y == 0) & (t == 1))
    summand = y if control_responders > treated_non_responders else t
    return uplift_curve(y, 2 * (y == t) + summand, t)


def uplift_auc_score(y_true, uplift, treatment):
    """Normalized area under the uplift curve, normalized as :func:`qini_auc_score` (scikit-uplift)."""
    y, s, t = _arrays("uplift_auc_score", y_true, uplift, treatment)
    x_model, y_model = uplift_curve(y, s, t)
    x_best, y_best = perfect_uplift_curve(y, t)
    return _normalized_area(x_model, y_model, x_best, y_best)


def _mean_where(values, mask) -> float:
    count = mask.sum()
    return float(values[mask].sum() / count) if count else float("nan")


def uplift_at_k(y_true, uplift, treatment, strategy, k=0.3):
    """Response rate of the treated minus that of the control, within the top k by predicted uplift.

    ``strategy='overall'`` takes the top k of the whole sample (``int(n * k)`` rows for a share, ``k`` rows
    for an int); ``'by_group'`` takes the top k of the treated and of the control separately (scikit-uplift).

    Example
    -------
    >>> uplift_at_k([1, 0, 1, 0], [0.9, 0.5, 0.4, 0.1], [1, 1, 0, 0], strategy="overall", k=3)
    -0.5
    """
    y, s, t = _arrays("uplift_at_k", y_true, uplift, treatment)
    return _uplift_at_k(y, s, t, strategy, k, "uplift_at_k")


def _uplift_at_k(y, s, t, strategy, k, where: str) -> float:
    if strategy not in STRATEGIES:
        raise _fail("strategy", where, f"one of {STRATEGIES}", repr(strategy))
    order = _order(s)
    y, t = y[order], t[order]
    treated = t == 1
    if strategy == "overall":
        top = np.arange(y.size) < _top_count(k, y.size, where)
        return _mean_where(y, top & treated) - _mean_where(y, top & ~treated)
    n_control, n_treated = int((~treated).sum()), int(treated.sum())
    if isinstance(k, (Integral, np.integer)):
        _top_count(k, y.size, where)
        take_control = take_treated = int(k)
    else:
        _top_count(k, y.size, where)
        take_control, take_treated = int(n_control * k), int(n_treated * k)
    if take_control > n_control or take_treated > n_treated:
        raise _fail("k", where, f"at most the size of each group ({n_treated} treated, {n_control} control)",
                    k)
    y_control, y_treated = y[~treated], y[treated]
    control = y_control[:take_control].mean() if take_control else np.nan
    treated_rate = y_treated[:take_treated].mean() if take_treated else np.nan
    return float(treated_rate - control)


def response_rate_by_percentile(y_true, uplift, treatment, group, strategy="overall", bins=10):
    """Response rate, its variance and group size in each of ``bins`` equal slices by predicted uplift.

    As ``sklift.metrics.response_rate_by_percentile``: slices follow ``numpy.array_split``.
    """
    y, s, t = _arrays("response_rate_by_percentile", y_true, uplift, treatment)
    if group not in ("treatment", "control"):
        raise _fail("group", "response_rate_by_percentile", "'treatment' or 'control'", repr(group))
    if strategy not in STRATEGIES:
        raise _fail("strategy", "response_rate_by_percentile", f"one of {STRATEGIES}", repr(strategy))
    if not isinstance(bins, int) or isinstance(bins, bool) or not 0 < bins < y.size:
        raise _fail("bins", "response_rate_by_percentile", f"an int in [1, {y.size - 1}]", repr(bins))
    order = _order(s)
    y, t = y[order], t[order]
    in_group = t == (1 if group == "treatment" else 0)
    if strategy == "by_group":
        y, in_group = y[in_group], np.ones(int(in_group.sum()), dtype=bool)
    sizes = np.full(bins, y.size // bins) + (np.arange(bins) < y.size % bins)
    slice_of = np.repeat(np.arange(bins), sizes)
    group_size = np.bincount(slice_of, weights=in_group, minlength=bins).astype(np.int64)
    responders = np.bincount(slice_of, weights=y * in_group, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = responders / group_size
        variance = rate * (1 - rate) / group_size
    return rate, variance, group_size


# --------------------------------------------------------------------------- targeting (no treatment)


def cumulative_gains_curve(y_true, score):
    """Cumulative responders reached by targeting the top customers by score, at each distinct score.

    Returns ``(customers_targeted, responders_reached)``; random targeting is the straight line to the end.
    """
    y, s = _arrays("cumulative_gains_curve", y_true, score)
    order = _order(s)
    y, s = y[order], s[order]
    cutoffs = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]
    return np.r_[0, cutoffs + 1], np.r_[0.0, np.cumsum(y)[cutoffs]]


def lift_at_k(y_true, score, k=0.3):
    """Response rate of the top k by score over the overall response rate (1 = no better than random).

    ``k`` is a share in (0, 1] (``int(n * k)`` rows) or a count of rows in [1, n].

    Example
    -------
    >>> lift_at_k([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1], k=0.5)
    2.0
    """
    y, s = _arrays("lift_at_k", y_true, score)
    take = _top_count(k, y.size, "lift_at_k", allow_all=True)
    base = y.mean()
    return float(y[_order(s)[:take]].mean() / base) if base > 0 else float("nan")


# --------------------------------------------------------------------------- business figures


def _targeted(k, n: int, population, where: str) -> tuple[int, float]:
    """Rows of the sample in the top k, and customers targeted out of ``population`` at the same share."""
    take = _top_count(k, n, where)
    if population is None:
        return take, float(take)
    if not isinstance(population, Real) or isinstance(population, bool) or population <= 0:
        raise _fail("population", where, "a number of customers > 0", repr(population))
    share = k if not isinstance(k, (Integral, np.integer)) else k / n
    return take, float(share) * float(population)


def incremental_conversions_at_k(y_true, uplift, treatment, *, k=0.3, population=None):
    """Incremental conversions from treating the top k by predicted uplift: uplift_at_k('overall') × targeted.

    ``y_true`` may also be an amount (e.g. spend) to get incremental revenue. The customers targeted are
    ``int(n * k)`` of the sample, or ``k × population`` when a ``population`` size is given.

    Example
    -------
    >>> incremental_conversions_at_k([1, 0, 0, 0], [0.9, 0.5, 0.4, 0.1], [1, 0, 1, 0], k=2, population=1000)
    500.0
    """
    y, s, t = _arrays("incremental_conversions_at_k", y_true, uplift, treatment, binary_y=False)
    _, targeted = _targeted(k, y.size, population, "incremental_conversions_at_k")
    return _uplift_at_k(y, s, t, "overall", k, "incremental_conversions_at_k") * targeted


# --------------------------------------------------------------------------- chart data


def curve_frame(kind: str, y_true, score, treatment=None, *, points: int = 101) -> pl.DataFrame:
    """A curve on a regular grid of the share targeted, with its random-targeting baseline, for charts.

    Columns: ``fraction_targeted`` (0 → 1), ``value`` (incremental responders for ``qini``/``uplift``,
    responders reached for ``gains``, in customers of the sample), ``random`` (the straight line to the
    curve's end: targeting at random), ``kind``.

    Example
    -------
    >>> curve_frame("gains", [1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2], points=3)["value"].to_list()
    [0.0, 2.0, 2.0]
    """
    if kind not in CURVE_KINDS:
        raise _fail("kind", "curve_frame", f"one of {CURVE_KINDS}", repr(kind))
    if not isinstance(points, int) or points < 2:
        raise _fail("points", "curve_frame", "an int >= 2", repr(points))
    if kind == "gains":
        x, y = cumulative_gains_curve(y_true, score)
    else:
        if treatment is None:
            raise _fail("treatment", "curve_frame", f"an array for a '{kind}' curve", "None")
        x, y = (qini_curve if kind == "qini" else uplift_curve)(y_true, score, treatment)
    grid = np.linspace(0.0, 1.0, points)
    return pl.DataFrame({
        "fraction_targeted": grid,
        "value": np.interp(grid, x / x[-1], y),
        "random": grid * y[-1],
        "kind": [kind] * points,
    })
