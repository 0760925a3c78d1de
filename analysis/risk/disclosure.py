"""Sensitive-attribute disclosure from a per-class count matrix (numpy, vectorized).

The counts come from one DuckDB GROUP BY over the quasi-identifiers (``store._risk.class_table``): a
column per sensitive value. Values of one column may arrive in several batches (very many values);
every statistic below is accumulated batch by batch, so the result does not depend on the batching.
Definitions: REFERENCES.md §2, pycanon ``aux_anonymity.py``.

:func:`streamed_figures` reads the class table in chunks of classes (its SQL in :mod:`analysis.store._risk`):
every figure is a minimum or a maximum over classes, so chunks combine exactly and memory does not grow with the
number of classes.
"""

from __future__ import annotations

import numpy as np

from analysis.store import _risk as store


class DisclosureAccumulator:
    """Per-class running statistics of one sensitive column; ``result()`` gives the maxima/minima."""

    def __init__(self, class_sizes: np.ndarray, total_counts: np.ndarray, ordered: bool,
                 records: int | None = None):
        """``records``: the number of records of all classes, when ``class_sizes`` covers only some classes
        (a chunk of them); default their sum."""
        self.f = class_sizes.astype(np.float64)
        self.n = float(self.f.sum() if records is None else records)
        self.m = int(len(total_counts))
        self.ordered = ordered
        j = len(self.f)
        self.distinct = np.zeros(j, dtype=np.int64)
        self.entropy = np.zeros(j)
        self.abs_diff = np.zeros(j)
        self.cumulative = np.zeros(j)
        self.emd_ordered = np.zeros(j)
        self.delta = np.zeros(j)
        self.beta = np.full(j, -np.inf)

    def add(self, counts: np.ndarray, totals: np.ndarray) -> None:
        """Counts (classes × values of this batch) and the overall counts of those values."""
        q = counts / self.f[:, None]
        p = totals.astype(np.float64) / self.n
        present = counts > 0
        self.distinct += present.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            logq = np.where(present, np.log(np.where(present, q, 1.0)), 0.0)
            self.entropy -= (q * logq).sum(axis=1)
            ratio = np.where(present, np.abs(logq - np.log(p)[None, :]), 0.0)
        diff = q - p[None, :]
        self.abs_diff += np.abs(diff).sum(axis=1)
        self.delta = np.maximum(self.delta, ratio.max(axis=1))
        self.beta = np.maximum(self.beta, (diff / p[None, :]).max(axis=1))
        if self.ordered:
            running = self.cumulative[:, None] + np.cumsum(diff, axis=1)
            self.emd_ordered += np.abs(running).sum(axis=1)
            self.cumulative = running[:, -1]

    def result(self) -> dict:
        if self.ordered:
            per_class_t = self.emd_ordered / (self.m - 1) if self.m > 1 else np.zeros_like(self.f)
        else:
            per_class_t = 0.5 * self.abs_diff
        return {
            "l_diversity": int(self.distinct.min()),
            "entropy_l_diversity": float(np.exp(self.entropy.min())),
            # Rounding noise of the sums (1e-16) is not disclosure: clip at 0.
            "t_closeness": float(max(0.0, per_class_t.max())),
            "delta_disclosure": float(max(0.0, self.delta.max())),
            "beta_likeness": float(max(0.0, self.beta.max())),
        }


def streamed_figures(con, view: str, quasi: tuple, sensitive: tuple, plans: dict, has_null: bool,
              suppressed: str | None) -> tuple[np.ndarray, np.ndarray, int, dict[str, dict]]:
    """One GROUP BY, its classes read in chunks — the classes alike as one row with their number (``classes``):
    memory does not grow with the number of classes.

    Every figure is a minimum or maximum over classes (or a count), so chunk results combine exactly, and a class
    counts as often as its row says."""
    grouped = [(c, plans[c][0]) for c in sensitive]
    histogram: dict[int, int] = {}
    null_classes = 0
    parts: dict[str, list[dict]] = {c: [] for c in sensitive}
    for table in store.class_table_chunks(con, view, quasi, grouped, suppressed=suppressed,
                                          with_null_flag=has_null):
        if table.height == 0:
            continue
        f, alike = table["f"].to_numpy(), table["classes"].to_numpy()
        if has_null:
            null_classes += int(alike[table["has_null"].to_numpy()].sum())
        sizes, where = np.unique(f, return_inverse=True)
        for size, n in zip(sizes, np.bincount(where, weights=alike)):
            histogram[int(size)] = histogram.get(int(size), 0) + int(n)
        position = 0
        for column, values in grouped:
            width = len(values)
            counts = table.select([f"c{position + i}" for i in range(width)]).to_numpy()
            totals = plans[column][1]
            accumulator = DisclosureAccumulator(f, totals, plans[column][2], records=int(totals.sum()))
            accumulator.add(counts, totals)
            parts[column].append(accumulator.result())
            position += width
    sizes = np.array(sorted(histogram), dtype=np.int64)
    classes = np.array([histogram[int(x)] for x in sizes], dtype=np.int64)
    return sizes, classes, null_classes, {c: combine(parts[c]) for c in sensitive if parts[c]}


def combine(results: list[dict]) -> dict:
    """The figures of all classes from the figures of chunks of classes (minima and maxima)."""
    return {
        "l_diversity": min(r["l_diversity"] for r in results),
        "entropy_l_diversity": min(r["entropy_l_diversity"] for r in results),
        "t_closeness": max(r["t_closeness"] for r in results),
        "delta_disclosure": max(r["delta_disclosure"] for r in results),
        "beta_likeness": max(r["beta_likeness"] for r in results),
    }
