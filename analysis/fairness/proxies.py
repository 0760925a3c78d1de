"""Proxy audit: how well a scenario's own features give an audited attribute away.

"No sensitive attributes" does not mean the targeting does not use them: other features can stand in for them
(purchase history for a health interest). For each audited attribute this measures

- ``proxy_auc``: the cross-validated AUC (3 folds; one-vs-rest averaged over the groups of an attribute with
  more than two) of a small linear classifier — a ridge least-squares probe, as scikit-learn's
  ``RidgeClassifier`` — predicting the attribute from the scenario's features, *its own columns left out*
  (so a scenario that uses the attribute directly still says what its other features reveal). 0.5 = the
  features say nothing about it; 1 = they give it away. A linear probe is a lower bound: a flexible model could
  read more.
- ``top_proxies``: the features that carry it most, each by its own AUC (one feature alone, oriented so 0.5 is
  nothing and 1 everything; the best group for several groups).

It reads at most ``samples`` held-out customers (seeded), so its cost does not grow with the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.stats import rankdata

__all__ = ["ProxyAudit", "ProxyProbe", "proxy_audit", "sample_rows", "univariate_auc", "FOLDS", "RIDGE", "TOP_PROXIES"]

FOLDS = 3
#: ridge penalty of the probe on features scaled into [0, 1] (PrivacyLift assumption: light, for stability)
RIDGE = 1.0
#: how many proxy features are named
TOP_PROXIES = 3


@dataclass(frozen=True)
class ProxyAudit:
    """How well the scenario's features predict one attribute."""

    attribute: str
    auc: float | None
    #: AUC ± 1.96 standard errors (Hanley & McNeil 1982; averaged over groups one-vs-rest)
    auc_ci: tuple[float, float] | None
    #: (feature, its own AUC), strongest first
    top: tuple[tuple[str, float], ...]
    customers: int


def _auc_columns(y: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """AUC of every column of ``ranks`` (average ranks of scores) for the binary labels ``y``."""
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return np.full(ranks.shape[1], np.nan)
    return (ranks[y].sum(axis=0) - n1 * (n1 + 1) / 2) / (n1 * n0)


def _oriented_best(ranks: np.ndarray, codes: np.ndarray, targets: np.ndarray) -> np.ndarray:
    best = np.full(ranks.shape[1], 0.5)
    for c in targets:
        auc = _auc_columns(codes == c, ranks)
        best = np.fmax(best, np.fmax(auc, 1 - auc))
    return best


def univariate_auc(X: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each feature's own AUC for the attribute (oriented ≥ 0.5; the best group one-vs-rest).

    >>> X = np.array([[0.1, 1.0], [0.2, 0.0], [0.9, 1.0], [0.8, 0.0]])
    >>> univariate_auc(X, np.array([0, 0, 1, 1])).tolist()
    [1.0, 0.5]
    """
    classes = np.unique(codes)
    return _oriented_best(rankdata(X, axis=0), codes, classes[1:] if len(classes) == 2 else classes)


def _hanley_mcneil(auc: float, n1: int, n0: int) -> float:
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    return math.sqrt(max(0.0, (auc * (1 - auc) + (n1 - 1) * (q1 - auc * auc) + (n0 - 1) * (q2 - auc * auc))
                         / (n1 * n0)))


def sample_rows(n: int, samples: int, seed: int) -> np.ndarray:
    """The (sorted) rows a probe reads: at most ``samples`` of ``n``, seeded."""
    return np.sort(np.random.default_rng([seed, 11]).permutation(n)[:samples]) if n > samples else np.arange(n)


class ProxyProbe:
    """The scenario's features of (at most ``samples``) held-out customers, prepared once for the probes of
    every attribute: the folds' Gram matrices and each feature's ranks."""

    def __init__(self, X: np.ndarray, feature_names: Sequence[str], *, samples: int = 2000, seed: int = 0):
        X = np.asarray(X, float)
        n = len(X)
        rows = sample_rows(n, samples, seed)
        fold = np.random.default_rng([seed, 12]).permutation(len(rows)) % FOLDS
        # rows in fold order, so each fold is one slice (views, not copies)
        by_fold = np.argsort(fold, kind="stable")
        self.rows = rows[by_fold]
        self.bounds = np.r_[0, np.cumsum(np.bincount(fold, minlength=FOLDS))]
        self.names = list(feature_names)
        self.n = len(self.rows)
        self.X1 = np.hstack([X[self.rows], np.ones((self.n, 1))])
        self.grams = [self._fold(self.X1, f).T @ self._fold(self.X1, f) for f in range(FOLDS)]
        self.gram = sum(self.grams)
        self.ranks = rankdata(self.X1[:, :-1], axis=0) if self.n else np.zeros((0, X.shape[1]))

    def _fold(self, array: np.ndarray, f: int) -> np.ndarray:
        return array[self.bounds[f]:self.bounds[f + 1]]

    def audit(self, labels: np.ndarray, *, attribute: str, own_columns: Sequence[str] = ()) -> ProxyAudit:
        labels = np.asarray(labels)[self.rows]
        own = set(own_columns)
        keep = np.array([i for i, f in enumerate(self.names) if f not in own], int)
        values, codes = np.unique(labels, return_inverse=True)
        counts = np.bincount(codes, minlength=len(values))
        groups = np.flatnonzero(counts >= 2 * FOLDS)  # smaller groups stay in, as the others' customers
        if len(groups) < 2 or not len(keep):
            return ProxyAudit(attribute, None, None, (), self.n)
        targets = groups[1:] if len(groups) == 2 and len(values) == 2 else groups
        Y = (codes[:, None] == targets[None, :]).astype(float)
        cols = np.r_[keep, self.X1.shape[1] - 1]  # the features kept and the intercept
        penalty = RIDGE * np.eye(len(cols))
        penalty[-1, -1] = 0.0  # the intercept is not penalized
        X1 = self.X1[:, cols] if len(cols) < self.X1.shape[1] else self.X1
        XY = X1.T @ Y
        scores = np.empty(Y.shape)
        for f in range(FOLDS):
            Xf, Yf = self._fold(X1, f), self._fold(Y, f)
            A = (self.gram - self.grams[f])[np.ix_(cols, cols)] + penalty
            try:
                beta = np.linalg.solve(A, XY - Xf.T @ Yf)
            except np.linalg.LinAlgError:
                beta = np.linalg.lstsq(A, XY - Xf.T @ Yf, rcond=None)[0]
            self._fold(scores, f)[:] = Xf @ beta
        aucs, ses = [], []
        for j in range(len(targets)):
            y = Y[:, j].astype(bool)
            auc = float(_auc_columns(y, rankdata(scores[:, j])[:, None])[0])
            aucs.append(auc)
            ses.append(_hanley_mcneil(auc, int(y.sum()), int((~y).sum())))
        auc, se = float(np.mean(aucs)), float(np.mean(ses))
        own_auc = _oriented_best(self.ranks[:, keep], codes, targets)
        order = np.argsort(-own_auc, kind="stable")[:TOP_PROXIES]
        top = tuple((self.names[keep[i]], float(own_auc[i])) for i in order if own_auc[i] > 0.5)
        return ProxyAudit(attribute, auc, (max(0.0, auc - 1.96 * se), min(1.0, auc + 1.96 * se)), top, self.n)


def proxy_audit(X: np.ndarray, feature_names: Sequence[str], labels: np.ndarray, *, attribute: str,
                own_columns: Sequence[str] = (), samples: int = 2000, seed: int = 0) -> ProxyAudit:
    """How well the features ``X`` (customers × features) predict ``labels`` (each customer's group).

    ``own_columns``: feature names that *are* the attribute (left out of the probe). Groups with fewer than
    :data:`FOLDS` × 2 customers among those read are not predicted (their customers count as the others').
    Several attributes on the same features: build one :class:`ProxyProbe` and call its ``audit``.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> trait = rng.random(3000) < 0.3
    >>> X = np.column_stack([np.clip(trait * 0.4 + rng.random(3000) * 0.6, 0, 1), rng.random(3000)])
    >>> audit = proxy_audit(X, ["pharmacy", "noise"], trait.astype(str), attribute="trait")
    >>> audit.auc > 0.8, audit.top[0][0]
    (True, 'pharmacy')
    """
    return ProxyProbe(X, feature_names, samples=samples, seed=seed).audit(labels, attribute=attribute,
                                                                         own_columns=own_columns)
