"""Sensitive-attribute disclosure from a per-class count matrix (numpy, vectorized).

The counts come from one DuckDB GROUP BY over the quasi-identifiers (``store._risk.class_table``): a
column per sensitive value. Values of one column may arrive in several batches (very many values);
every statistic below is accumulated batch by batch, so the result does not depend on the batching.
Definitions: REFERENCES.md §2, pycanon ``aux_anonymity.py``.
"""

from __future__ import annotations

import numpy as np


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
