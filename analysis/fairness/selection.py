"""Selection audit: among the customers a scenario's model would target, the selection rate of each group.

The rates are fairlearn's (one ``MetricFrame`` with ``selection_rate`` over every attribute's groups); their
ratio (lowest over highest group: the four-fifths rule of the EEOC Uniform Guidelines on Employee Selection
Procedures, 1978, 29 CFR 1607.4(D), is the reference line at 0.8) and difference (highest − lowest) are what
fairlearn's ``demographic_parity_ratio`` and ``demographic_parity_difference`` return for those rates (a test
checks both against fairlearn fed one row per customer). fairlearn is given one row per (attribute, group,
targeted or not) weighted by its count of customers: the same figures in milliseconds instead of ~13 µs a
customer (one MetricFrame per attribute with ``control_features`` costs ~3× more: the audit is meant to add
little to a sweep).

Intervals (95 %): Wilson's for a group's rate (as anonymeter's attacks); for the ratio Katz's log interval of a
risk ratio, and Wald's for the difference, both between the lowest and the highest group, with ``z`` widened by
Bonferroni over the G·(G − 1)/2 pairs of G groups, since the two are picked as the extremes.

Groups of fewer than 5 customers (:data:`analysis.formatting.SMALL_CELL`) are suppressed: they are shown as one
row ("2 groups of fewer than 5 customers", their labels left out), without a rate, and take no part in the
ratio or the difference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import polars as pl
from scipy.stats import norm

from analysis.formatting import SMALL_CELL

__all__ = ["GroupRate", "SelectionAudit", "selection_audit", "wilson", "FOUR_FIFTHS", "CONFIDENCE"]

#: the reference line of the four-fifths rule (EEOC Uniform Guidelines on Employee Selection Procedures 1978,
#: 29 CFR 1607.4(D)): a group selected at under 4/5 of the rate of the most selected group
FOUR_FIFTHS = 0.8
CONFIDENCE = 0.95
#: joins an attribute's name and a group's label into one cell of the MetricFrame
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class GroupRate:
    """One group's share targeted (None when the group is suppressed)."""

    group: str
    customers: int
    selected: int | None
    selection_rate: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def suppressed(self) -> bool:
        return self.selection_rate is None


@dataclass(frozen=True)
class SelectionAudit:
    """Selection rates of one attribute's groups, their ratio and difference."""

    attribute: str
    groups: tuple[GroupRate, ...]
    #: lowest over highest rate among the groups shown (None with fewer than two such groups)
    ratio: float | None
    ratio_ci: tuple[float, float] | None
    #: highest minus lowest rate
    difference: float | None
    difference_ci: tuple[float, float] | None
    #: the least and the most targeted groups shown
    lowest: str | None
    highest: str | None

    @property
    def meets_four_fifths(self) -> bool | None:
        return None if self.ratio is None else self.ratio >= FOUR_FIFTHS - 1e-12


def wilson(successes: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a share (vectorized).

    >>> [round(float(v), 4) for v in np.ravel(wilson(np.array([3]), np.array([10]), 1.96))]
    [0.1078, 0.6032]
    """
    s, n = np.asarray(successes, float), np.asarray(n, float)
    center = (s + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * np.sqrt(s * (n - s) / n + z * z / 4)
    return np.clip(center - half, 0, 1), np.clip(center + half, 0, 1)


def _z(groups: int) -> float:
    pairs = max(1, groups * (groups - 1) // 2)
    return float(norm.ppf(1 - (1 - CONFIDENCE) / (2 * pairs)))


def _ratio_interval(s_low, n_low, s_high, n_high, z):
    if s_high == 0:
        return None
    if s_low == 0 or s_low == n_low or s_high == n_high:  # Katz with 0.5 added to each count
        s_low, n_low, s_high, n_high = s_low + 0.5, n_low + 1, s_high + 0.5, n_high + 1
    ratio = (s_low / n_low) / (s_high / n_high)
    se = math.sqrt(max(0.0, 1 / s_low - 1 / n_low + 1 / s_high - 1 / n_high))
    return (ratio * math.exp(-z * se), ratio * math.exp(z * se))


def _difference_interval(p_low, n_low, p_high, n_high, z):
    d = p_high - p_low
    se = math.sqrt(p_low * (1 - p_low) / n_low + p_high * (1 - p_high) / n_high)
    return (d - z * se, d + z * se)


def _counts(selected: np.ndarray, groups: pl.DataFrame) -> pl.DataFrame:
    """(attribute, group, targeted, customers) for every audited attribute, counted in polars."""
    frame = groups.with_columns(pl.Series("_selected", selected.astype(np.int8)))
    parts = [frame.group_by(pl.col(c).alias("group"), "_selected").len("customers")
             .with_columns(pl.lit(c).alias("attribute")) for c in groups.columns]
    return pl.concat(parts).select("attribute", "group", "_selected", "customers")


def selection_audit(selected: np.ndarray, groups: pl.DataFrame, *,
                    order: dict[str, Sequence[str]] | None = None) -> list[SelectionAudit]:
    """The selection audit of every attribute (column) of ``groups``.

    Parameters
    ----------
    selected : bool array, one per customer: targeted or not
    groups : one String column per audited attribute (:func:`~analysis.fairness.groups.group_labels`)
    order : optional display order of each attribute's groups

    Example
    -------
    >>> groups = pl.DataFrame({"member": ["yes"] * 10 + ["no"] * 10})
    >>> selected = np.array([True] * 6 + [False] * 4 + [True] * 3 + [False] * 7)
    >>> audit = selection_audit(selected, groups)[0]
    >>> [(g.group, g.selection_rate) for g in audit.groups], round(audit.ratio, 3)
    ([('no', 0.3), ('yes', 0.6)], 0.5)
    """
    if not groups.width:
        return []
    from fairlearn.metrics import MetricFrame, selection_rate

    counts = _counts(np.asarray(selected, bool), groups)
    size: dict[tuple[str, str], int] = {}
    chosen: dict[tuple[str, str], int] = {}
    for attribute, group, picked, customers in counts.iter_rows():  # a few rows per group, not per customer
        size[(attribute, group)] = size.get((attribute, group), 0) + customers
        if picked:
            chosen[(attribute, group)] = customers
    big = [size[(a, g)] >= SMALL_CELL for a, g in zip(counts["attribute"], counts["group"])]
    shown = counts.filter(pl.Series(big, dtype=pl.Boolean))
    rates: dict[tuple[str, str], float] = {}
    if shown.height:
        # one MetricFrame over every (attribute, group) cell, each row weighted by its count of customers
        y = shown["_selected"].to_numpy()
        # a list, not an array: fairlearn 0.15 refuses a one-element array ("too many dimensions", issue 20)
        cells = (shown["attribute"] + SEPARATOR + shown["group"]).to_list()
        frame = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=cells,
                            sample_params={"sample_weight": shown["customers"].to_numpy().astype(float)})
        rates = {tuple(str(cell).split(SEPARATOR, 1)): float(v) for cell, v in frame.by_group.items()}
    z_group = float(norm.ppf(1 - (1 - CONFIDENCE) / 2))
    out = []
    for attribute in groups.columns:
        names = [g for a, g in size if a == attribute]
        wanted = list(order.get(attribute, ())) if order else []
        names.sort(key=lambda g: (wanted.index(g) if g in wanted else len(wanted), g))
        rows = []
        z = _z(sum(1 for g in names if size[(attribute, g)] >= SMALL_CELL))
        small = [g for g in names if size[(attribute, g)] < SMALL_CELL]
        for g in names:
            n = int(size[(attribute, g)])
            if n < SMALL_CELL:
                continue
            s = int(chosen.get((attribute, g), 0))
            low, high = wilson(np.array([s]), np.array([n]), z_group)
            rows.append(GroupRate(g, n, s, rates[(attribute, g)], float(low[0]), float(high[0])))
        if small:  # one row for them all, without their labels (a rare value can say who is in the data)
            label = f"{len(small)} group{'s' if len(small) > 1 else ''} of fewer than {SMALL_CELL} customers"
            rows.append(GroupRate(label, sum(size[(attribute, g)] for g in small), None, None, None, None))
        visible = [r for r in rows if not r.suppressed]
        if len(visible) < 2:
            out.append(SelectionAudit(attribute, tuple(rows), None, None, None, None, None, None))
            continue
        lo = min(visible, key=lambda r: (r.selection_rate, r.group))
        hi = max(visible, key=lambda r: (r.selection_rate, r.group))
        # demographic_parity_ratio / _difference: min ÷ max and max − min of the groups' rates
        r_value = lo.selection_rate / hi.selection_rate if hi.selection_rate > 0 else None
        d_value = hi.selection_rate - lo.selection_rate
        out.append(SelectionAudit(
            attribute, tuple(rows), r_value,
            _ratio_interval(lo.selected, lo.customers, hi.selected, hi.customers, z) if r_value is not None else None,
            d_value, _difference_interval(lo.selection_rate, lo.customers, hi.selection_rate, hi.customers, z),
            lo.group, hi.group,
        ))
    return out
