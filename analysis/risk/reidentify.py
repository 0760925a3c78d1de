"""Re-identification risk over quasi-identifiers, from the distribution of equivalence-class sizes.

:func:`class_sizes` is one DuckDB GROUP BY (SQL in :mod:`analysis.store._risk`); :func:`reidentification`
turns the class-size distribution into every figure of :class:`Reidentification`: k-anonymity, sample
uniqueness, prosecutor / marketer / journalist risk, records at risk and population uniqueness
(:mod:`analysis.risk.population`). Definitions are those of ARX, sdcMicro and pycanon (REFERENCES.md §1);
the conventions on NULL values and suppressed records are those of :mod:`analysis.risk.profile`, which
combines these figures with sensitive-attribute disclosure in one pass and re-exports every name here.

Example
-------
>>> import polars as pl
>>> df = pl.DataFrame({"age": [30, 30, 40, 40, 50], "zip": ["A", "A", "B", "B", "C"]})
>>> r = reidentification(df, ["age", "zip"])
>>> r.k, r.classes, r.prosecutor_average_records
(1, 3, 0.6)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import polars as pl

from analysis.risk import _common as common
from analysis.risk.population import population_uniqueness as _population_uniqueness
from analysis.store import _risk as store
from analysis.store._workspace import Table

__all__ = ["DEFAULT_THRESHOLD", "Reidentification", "class_sizes", "reidentification"]

#: ARX's default highest-risk threshold for "records at risk" is 0.2 (ARX risk analysis view, 2015
#: onwards; REFERENCES.md §1). An assumption of convention, not a law.
DEFAULT_THRESHOLD = 0.2


@dataclass(frozen=True)
class Reidentification(common.Plain):
    """Re-identification risk over a set of quasi-identifiers (REFERENCES.md §1).

    Attributes
    ----------
    records, classes : number of records n and of equivalence classes J.
    k : smallest class size.
    sample_uniqueness : share of records alone in their class (f_j = 1).
    prosecutor_highest : 1 / k.
    prosecutor_average_records : J / n, the mean over records of 1/f_j (ARX "success rate").
    prosecutor_average_classes : (1/J) Σ 1/f_j, the mean over classes (pycanon ``average_rir``).
    records_at_risk : Σ {f_j : 1/f_j > threshold} / n (ARX).
    threshold : the threshold t used above.
    marketer : (1/n) Σ f_j / F_j with F_j = f_j / π (π = n / population); None without a population.
    journalist_highest, journalist_average : 1 / min F_j and max(J / Σ F_j, marketer) (ARX); with no
        population F = f, so they equal the prosecutor figures.
    population_uniqueness : estimated share of the population unique on the quasi-identifiers
        (Pitman or Zayatz under Dankar's rule, see :mod:`analysis.risk.population`); None without a
        population.
    population_uniqueness_model : which model produced it ("none" without a population).
    quasi : the quasi-identifiers.
    null_classes : classes holding a NULL quasi-identifier (NULL is a value of its own).
    suppressed_records : records left out because they are marked suppressed.
    """

    records: int
    classes: int
    k: int
    sample_uniqueness: float
    prosecutor_highest: float
    prosecutor_average_records: float
    prosecutor_average_classes: float
    records_at_risk: float
    threshold: float
    marketer: float | None
    journalist_highest: float
    journalist_average: float
    population_uniqueness: float | None
    population_uniqueness_model: str
    quasi: tuple[str, ...]
    null_classes: int
    suppressed_records: int = 0


def _check_suppressed(frame: pl.DataFrame, suppressed: str | None, subject: str) -> str | None:
    if suppressed is None:
        return None
    common.check_column(frame, suppressed)
    if not common.is_boolean(frame, suppressed):
        raise common.bad("suppressed", subject, "the name of a boolean column", suppressed)
    return suppressed


def _check_population(population: Any, records: int, subject: str) -> int | None:
    if population is None:
        return None
    if isinstance(population, bool) or not isinstance(population, int) or population < records:
        raise common.bad("population", subject, f"an int >= the number of records ({records})", population)
    return population


def _from_distribution(sizes: np.ndarray, classes: np.ndarray, null_classes: int, *, quasi: tuple,
                       threshold: float, population: int | None, suppressed_records: int,
                       subject: str) -> Reidentification:
    """Every re-identification figure from the class-size distribution (sizes, classes per size)."""
    sizes = sizes.astype(np.int64)
    classes = classes.astype(np.int64)
    records_per_size = sizes * classes
    n = int(records_per_size.sum())
    if n == 0:
        raise ValueError(f"{subject}: the data has no records (all rows are suppressed).")
    population = _check_population(population, n, subject)
    j = int(classes.sum())
    k = int(sizes.min())
    at_risk = 1.0 / sizes > threshold
    prosecutor_average_records = j / n
    if population is None:
        marketer = None
        journalist_highest, journalist_average = 1.0 / k, prosecutor_average_records
        uniqueness, model = None, "none"
    else:
        pi = n / population
        # F_j estimated as f_j / π: every class is assumed sampled at the same rate.
        marketer = min(1.0, j * pi / n)
        journalist_highest = min(1.0, pi / k)
        journalist_average = max(min(1.0, j / (n / pi)), marketer)
        uniqueness, model = _population_uniqueness(sizes, classes, n, population)
    return Reidentification(
        records=n,
        classes=j,
        k=k,
        sample_uniqueness=float(records_per_size[sizes == 1].sum() / n),
        prosecutor_highest=1.0 / k,
        prosecutor_average_records=prosecutor_average_records,
        prosecutor_average_classes=float((classes / sizes).sum() / j),
        records_at_risk=float(records_per_size[at_risk].sum() / n),
        threshold=threshold,
        marketer=marketer,
        journalist_highest=journalist_highest,
        journalist_average=journalist_average,
        population_uniqueness=uniqueness,
        population_uniqueness_model=model,
        quasi=quasi,
        null_classes=int(null_classes),
        suppressed_records=suppressed_records,
    )


def _suppressed_count(frame: pl.DataFrame | Table, suppressed: str | None) -> int:
    if suppressed is None:
        return 0
    if isinstance(frame, Table):
        with frame.cursor() as con:
            return store.count_true(con, frame.name, suppressed)
    return int(frame[suppressed].fill_null(False).sum())


def class_sizes(frame: pl.DataFrame, quasi: Sequence[str], *, suppressed: str | None = None) -> pl.DataFrame:
    """Distribution of equivalence-class sizes over ``quasi``.

    Returns
    -------
    polars.DataFrame
        ``class_size`` (f), ``classes`` (how many classes have that size), ``records`` (f × classes),
        ``null_classes`` (of those, classes with a NULL quasi-identifier), by increasing size.

    Example
    -------
    >>> class_sizes(pl.DataFrame({"g": ["a", "a", "b"]}), ["g"])["classes"].to_list()
    [1, 1]
    """
    subject = "class_sizes"
    common.check_frame(frame, subject)
    quasi = common.check_columns(frame, quasi, "quasi", subject)
    suppressed = _check_suppressed(frame, suppressed, subject)
    with common.registered(frame, [*quasi, *([suppressed] if suppressed else [])]) as (con, view):
        return store.class_size_distribution(con, view, quasi, suppressed=suppressed)


def reidentification(frame: pl.DataFrame, quasi: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD,
                     population: int | None = None, suppressed: str | None = None) -> Reidentification:
    """Re-identification risk of ``frame`` over the quasi-identifiers ``quasi``.

    Parameters
    ----------
    frame : the exposed data (polars).
    quasi : quasi-identifier column names (any characters).
    threshold : records whose prosecutor risk 1/f exceeds it count as "at risk" (ARX default 0.2).
    population : size N of the population the data was sampled from. Gives marketer and journalist
        risk with F_j estimated as f_j / π (π = n/N, a uniform sampling fraction: an estimate, not a
        population table), and the population uniqueness (Pitman/Zayatz, Dankar's rule).
    suppressed : name of a boolean column marking suppressed records, left out of every figure.

    Example
    -------
    >>> df = pl.DataFrame({"age band": ["20s", "20s", "30s", "30s"], "sex": ["f", "f", "m", "m"]})
    >>> reidentification(df, ["age band", "sex"]).prosecutor_average_records
    0.5
    """
    subject = "reidentification"
    common.check_frame(frame, subject)
    quasi = common.check_columns(frame, quasi, "quasi", subject)
    threshold = common.check_fraction(threshold, "threshold", subject)
    suppressed = _check_suppressed(frame, suppressed, subject)
    distribution = class_sizes(frame, quasi, suppressed=suppressed)
    return _from_distribution(
        distribution["class_size"].to_numpy(), distribution["classes"].to_numpy(),
        int(distribution["null_classes"].sum()), quasi=quasi, threshold=threshold,
        population=population, suppressed_records=_suppressed_count(frame, suppressed), subject=subject)
