"""The Pareto frontier of scenarios: most gain for the least risk.

A point *dominates* another when its gain is ≥ and its risk is ≤ (every risk, when there are several: the
trade-off table uses exposure and expected breach loss), with at least one strictly. The frontier is the set of
points no other point dominates; identical points do not dominate each other (both stay on it). Being on the
frontier says "no better option on these axes"; it is not the recommendation rule (see
:mod:`analysis.tradeoff.decision`).

Example
-------
>>> pts = pl.DataFrame({"name": ["a", "b", "c"], "gain": [1.0, 2.0, 1.5], "risk": [0.1, 0.3, 0.4]})
>>> f = pareto_frontier(pts, gain="gain", risk="risk")
>>> f.select("name", "on_frontier", "dominated_by").rows()
[('a', True, []), ('b', True, []), ('c', False, ['b'])]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import polars as pl

__all__ = ["pareto_frontier", "dominance_matrix", "FRONTIER_TITLE"]

#: the frontier chart's title wherever the trade-off table's flags are drawn (gain, exposure and expected loss)
FRONTIER_TITLE = ("Gain against exposure: filled points are on the frontier (no other scenario has at least as much "
                  "gain with no more exposure and no more expected loss)")


def _column(points: pl.DataFrame, column: str, role: str) -> np.ndarray:
    if column not in points.columns:
        raise ValueError(f"The '{role}' parameter of pareto_frontier must name a column of points "
                         f"({', '.join(points.columns)}). Got {column!r} instead.")
    if not points.schema[column].is_numeric():
        raise ValueError(f"The {column!r} column ('{role}') of pareto_frontier must be numeric. "
                         f"Got {points.schema[column]} instead.")
    values = points[column].cast(pl.Float64).to_numpy()
    if points[column].null_count() or not np.all(np.isfinite(values)):
        raise ValueError(f"The {column!r} column ('{role}') of pareto_frontier must hold finite numbers. "
                         f"Got a null, NaN or infinity instead.")
    return values


def dominance_matrix(gain: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """``m[i, j]`` is True when point j dominates point i (gain ≥, every risk ≤, one strictly). ``risk`` is one
    column of risks, or a (points × risks) array.

    >>> dominance_matrix(np.array([1.0, 2.0]), np.array([1.0, 1.0])).tolist()
    [[False, True], [False, False]]
    >>> dominance_matrix(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [1.0, 5.0]])).tolist()  # less loss: kept
    [[False, False], [False, False]]
    """
    gain = np.asarray(gain, dtype=float)
    risk = np.asarray(risk, dtype=float)
    risk = risk[:, None] if risk.ndim == 1 else risk
    no_worse = (gain[None, :] >= gain[:, None]) & (risk[None, :, :] <= risk[:, None, :]).all(axis=2)
    better = (gain[None, :] > gain[:, None]) | (risk[None, :, :] < risk[:, None, :]).any(axis=2)
    return no_worse & better


def pareto_frontier(points: pl.DataFrame, *, gain: str, risk: str | Sequence[str],
                    name: str = "name") -> pl.DataFrame:
    """Mark which points are on the gain-vs-risk Pareto frontier, and who dominates the others.

    Parameters
    ----------
    points : pl.DataFrame
        one row per scenario; other columns are kept.
    gain : str
        column to maximize (engagement gain, net value...).
    risk : str or sequence of str
        column(s) to minimize (a risk index, expected breach loss...); with several, a point must be no worse on
        every one to dominate. Rows are sorted by the first.
    name : str, default "name"
        column of unique scenario names.

    Returns
    -------
    pl.DataFrame
        ``points`` plus ``on_frontier`` (bool), ``dominated_by`` (list of names, in input order),
        ``dominated_by_text`` (comma-joined) and ``frontier_order`` (0, 1, … along the frontier line
        from the least risky point, null off the frontier); rows sorted by risk then gain, so
        ``filter(on_frontier)`` is the line in drawing order.

    Example
    -------
    >>> pts = pl.DataFrame({"name": ["x", "y"], "lift": [3, 3], "loss": [5, 5]})
    >>> pareto_frontier(pts, gain="lift", risk="loss")["on_frontier"].to_list()  # ties dominate nothing
    [True, True]
    """
    if not isinstance(points, pl.DataFrame):
        raise TypeError(f"The 'points' parameter of pareto_frontier must be a polars DataFrame. "
                        f"Got {type(points).__name__} instead.")
    reserved = {"on_frontier", "dominated_by", "dominated_by_text", "frontier_order"} & set(points.columns)
    if reserved:
        raise ValueError(f"The 'points' parameter of pareto_frontier must not already have columns "
                         f"{sorted(reserved)}. Got them instead.")
    if name not in points.columns:
        raise ValueError(f"The 'name' parameter of pareto_frontier must name a column of points "
                         f"({', '.join(points.columns)}). Got {name!r} instead.")
    names = points[name].cast(pl.String)
    if names.null_count() or names.n_unique() != points.height:
        raise ValueError(f"The {name!r} column of pareto_frontier must hold unique, non-null names. "
                         f"Got duplicates or nulls instead.")
    risks = [risk] if isinstance(risk, str) else list(risk)
    if not risks:
        raise ValueError("The 'risk' parameter of pareto_frontier must name at least one column. Got none instead.")
    g = _column(points, gain, "gain")
    r = np.column_stack([_column(points, c, "risk") for c in risks])
    dominates = dominance_matrix(g, r)
    labels = np.array(names.to_list(), dtype=object)
    dominated_by = [labels[row].tolist() for row in dominates]
    on_frontier = ~dominates.any(axis=1)
    out = points.with_columns(
        pl.Series("on_frontier", on_frontier, dtype=pl.Boolean),
        pl.Series("dominated_by", dominated_by, dtype=pl.List(pl.String)),
        pl.Series("dominated_by_text", [", ".join(d) for d in dominated_by], dtype=pl.String),
    ).sort([risks[0], gain], maintain_order=True)
    order = out["on_frontier"].cast(pl.Int64).cum_sum() - 1
    return out.with_columns(
        pl.when(pl.col("on_frontier")).then(order).otherwise(None).alias("frontier_order").cast(pl.Int64))
