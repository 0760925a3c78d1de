"""Small numeric helpers the simulation stages share: the logistic link, z-scores, and the intercept that
gives a logistic score a target mean."""

from __future__ import annotations

import numpy as np


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def zscore(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x, dtype=float)


def calibrate_intercept(score: np.ndarray, target: float) -> float:
    """Intercept c with mean(logistic(c + score)) == target (bisection; the mean is increasing in c)."""
    low, high = -30.0, 30.0
    for _ in range(60):
        mid = (low + high) / 2
        if logistic(mid + score).mean() < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2
