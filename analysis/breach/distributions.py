"""The distributions an assumption can have, and their means (what the Monte Carlo samples).

Distributions
-------------
``distribution="fixed"``
    a point value; ``low``/``high`` (when given) are only the range used by sensitivity views.
``distribution="pert"``
    BetaPERT(low, mode=value, high) with γ = 4, as pyfair; mean (low + 4·mode + high) / 6.
``distribution="lognormal"``
    lognormal fitted to the 90 % interval [low, high], as riskquant:
    μ = (ln low + ln high) / 2, σ = (ln high − ln low) / (2 · 1.645); ``value`` is its median, √(low · high),
    and overriding ``value`` alone moves the interval with it (same spread).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.breach.defaults import Assumption

__all__ = ["PERT_GAMMA", "Z_90", "pert_mean", "lognormal_parameters"]

#: pyfair's BetaPERT shape parameter.
PERT_GAMMA = 4.0
#: standard-normal quantile of 0.95: a 90 % interval spans ±1.645 σ.
Z_90 = 1.6448536269514722


def pert_mean(low: float, mode: float, high: float, gamma: float = PERT_GAMMA) -> float:
    """Mean of BetaPERT(low, mode, high): (low + γ·mode + high) / (γ + 2).

    >>> pert_mean(0, 1, 8)
    2.0
    """
    return (low + gamma * mode + high) / (gamma + 2.0)


def lognormal_parameters(low: float, high: float) -> tuple[float, float]:
    """(μ, σ) of the lognormal whose 90 % interval is [low, high] (riskquant's fit).

    >>> mu, sigma = lognormal_parameters(1.0, math.e ** (2 * Z_90))
    >>> round(mu, 6), round(sigma, 6)
    (1.644854, 1.0)
    """
    mu = (math.log(low) + math.log(high)) / 2.0
    sigma = (math.log(high) - math.log(low)) / (2.0 * Z_90)
    return mu, sigma


def _mean_of(a: Assumption) -> float:
    if a.distribution == "pert":
        return pert_mean(a.low, a.value, a.high)
    if a.distribution == "lognormal":
        mu, sigma = lognormal_parameters(a.low, a.high)
        return math.exp(mu + sigma**2 / 2.0)
    return a.value
