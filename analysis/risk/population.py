"""Population uniqueness from a sample's class-size distribution (Pitman, Zayatz; Dankar's rule).

Both models follow ARX (``RiskModelPopulationUniqueness``, ``ModelPitman``, ``ModelZayatz``) and work on
the distribution ``c_i`` = number of classes of size ``i`` in a sample of ``n`` records drawn from a
population of ``N`` (sampling fraction ``pi = n / N``). Results are the estimated *share of the
population* that is unique on the quasi-identifiers.

Pitman (Pitman 1996; Hoshino 2001): the class sizes follow a Pitman sampling formula with parameters
theta > -alpha, 0 < alpha < 1, fitted by maximum likelihood, i.e. the roots of

    sum_{i=1}^{u-1} 1/(theta + i*alpha)   = sum_{i=1}^{n-1} 1/(theta + i)
    sum_{i=1}^{u-1} i/(theta + i*alpha)   = sum_{j>=2} c_j sum_{i=1}^{j-1} 1/(i - alpha)

(u = number of classes), written with digamma functions. The expected number of population uniques is
Gamma(theta + 1) / Gamma(theta + alpha) * N ** alpha.

Zayatz (1991): P(population unique | sample unique) =
(c_1/u) h(1; N, 1, n) / sum_j (c_j/u) h(1; N, j, n), with h the hypergeometric probability that a
population class of size j yields exactly one sampled record; population uniques = c_1 * P / pi.

Dankar et al. (2012) decision rule, as ARX applies it: pi <= 0.1 -> Pitman (Zayatz when Pitman does not
converge); otherwise min(Zayatz, SNB). SNB is not implemented here, so for pi > 0.1 Zayatz alone is used
(a gap, said in ``population_uniqueness_model``).
"""

from __future__ import annotations

import math

import numpy as np

# scipy is imported inside the estimators: it costs seconds to import, and only a profile given a population
# size needs it (``python -m analysis risk`` without --population never loads it)

__all__ = ["population_uniqueness", "pitman", "zayatz"]

#: Dankar et al. 2012 (as used by ARX): sampling fractions up to 10 % use the Pitman model.
DANKAR_PITMAN_LIMIT = 0.1


def zayatz(sizes: np.ndarray, classes: np.ndarray, n: int, population: int) -> float:
    """Zayatz estimate of the share of the population that is unique."""
    from scipy import stats

    u = classes.sum()
    c1 = classes[sizes == 1].sum()
    if c1 == 0:
        return 0.0
    # h(1; N, j, n): population of N with j "successes", n drawn, exactly one success.
    h = stats.hypergeom(population, sizes, n).pmf(1)
    h1 = stats.hypergeom(population, 1, n).pmf(1)
    denominator = float(np.sum(classes / u * h))
    if denominator <= 0:
        return float("nan")
    conditional = (c1 / u) * h1 / denominator
    pi = n / population
    return float(c1 * conditional / pi / population)


def pitman(sizes: np.ndarray, classes: np.ndarray, n: int, population: int) -> float:
    """Pitman estimate of the share of the population that is unique (NaN when the fit fails)."""
    from scipy import optimize, special

    u = float(classes.sum())
    c1 = float(classes[sizes == 1].sum())
    if c1 == 0:
        return 0.0
    c2 = float(classes[sizes == 2].sum()) or 1.0  # ARX: overestimate when there are no pairs
    c = c1 * (c1 - 1) / c2
    denominator = (2 * c1 * u + c1 * c) - n * c
    if denominator == 0:
        return float("nan")
    t0 = (n * u * c - c1 * (n - 1) * (2 * u + c)) / denominator
    a0 = (t0 * (c1 - n) + (n - 1) * c1) / (n * u)
    big = sizes >= 2
    big_sizes, big_classes = sizes[big].astype(float), classes[big].astype(float)

    def equations(x: np.ndarray) -> np.ndarray:
        t, a = x
        if not (0 < a < 1) or t <= -a:
            return np.array([1e6, 1e6])
        o1 = (special.digamma(u + t / a) - special.digamma(t / a + 1)) / a
        o2 = special.digamma(n + t) - special.digamma(t + 1)
        o3 = (u - 1) / a - (t / a) * o1
        o4 = float(np.sum(big_classes * (special.digamma(big_sizes - a) - special.digamma(1 - a))))
        return np.array([o1 - o2, o3 - o4])

    if not (0 < a0 < 1) or not np.isfinite(t0):
        a0, t0 = 0.5, max(t0, 1.0) if np.isfinite(t0) else 1.0
    solution = optimize.root(equations, np.array([t0, a0]), method="hybr")
    t, a = solution.x
    if not solution.success or not (0 < a < 1) or t <= -a or np.max(np.abs(equations(solution.x))) > 1e-6 * max(1.0, u):
        return float("nan")
    log_uniques = special.gammaln(t + 1) - special.gammaln(t + a) + a * math.log(population)
    uniques = math.exp(log_uniques)
    if not (0 <= uniques <= population):
        return float("nan")
    return uniques / population


def population_uniqueness(
    sizes: np.ndarray, classes: np.ndarray, n: int, population: int
) -> tuple[float, str]:
    """Dankar's rule over the models above: ``(share of the population unique, model used)``."""
    sizes = np.asarray(sizes, dtype=np.int64)
    classes = np.asarray(classes, dtype=np.int64)
    pi = n / population
    if pi <= DANKAR_PITMAN_LIMIT:
        value = pitman(sizes, classes, n, population)
        if math.isfinite(value):
            return value, "pitman"
        return zayatz(sizes, classes, n, population), "zayatz (Pitman did not converge)"
    return zayatz(sizes, classes, n, population), "zayatz (sampling fraction > 0.1; SNB not implemented)"
