"""How exposed customers are by the data a scenario holds and by the model it trains.

Re-identification over quasi-identifiers (k-anonymity, sample uniqueness, prosecutor / marketer /
journalist risk, records at risk, population uniqueness), sensitive-attribute disclosure (distinct and
entropy l-diversity, t-closeness, δ-disclosure, β-likeness), which quasi-identifier drives the risk,
and attacks (attribute inference, membership inference, behavioural uniqueness) with Wilson intervals.
Definitions are those of ARX, sdcMicro, pycanon and anonymeter (REFERENCES.md §1–§2); the heavy work is
one DuckDB GROUP BY per measure family (SQL in :mod:`analysis.store._risk`).

Conventions
-----------
- NULL in a quasi-identifier is a value of its own: those records form their own classes, counted in
  ``null_classes``. NULL in a sensitive column is a value of its own too (last in an ordering).
- Suppressed records (ARX's notion: records removed from the release but still in the table) are
  marked by a boolean column named with ``suppressed=``; they are left out of every measure.

Example
-------
>>> import polars as pl
>>> df = pl.DataFrame({"age": [30, 30, 40, 40, 50], "zip": ["A", "A", "B", "B", "C"]})
>>> r = reidentification(df, ["age", "zip"])
>>> r.k, r.sample_uniqueness, r.prosecutor_highest
(1, 0.2, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import polars as pl

from analysis.risk import _common as common
from analysis.risk.attacks import (
    AttackResult,
    attribute_inference,
    behavioral_uniqueness,
    membership_inference,
)
from analysis.risk.disclosure import DisclosureAccumulator, streamed_figures
from analysis.risk.drivers import quasi_contributions
from analysis.risk.explain import EXPLANATIONS, METRICS, Metric, explain
from analysis.risk.population import population_uniqueness as _population_uniqueness
from analysis.store import _risk as store
from analysis.store._workspace import Table

__all__ = [
    "class_sizes",
    "Reidentification",
    "reidentification",
    "Disclosure",
    "disclosure",
    "quasi_contributions",
    "RiskProfile",
    "risk_profile",
    "AttackResult",
    "attribute_inference",
    "membership_inference",
    "behavioral_uniqueness",
    "EXPLANATIONS",
    "METRICS",
    "Metric",
    "explain",
]

#: ARX's default highest-risk threshold for "records at risk" is 0.2 (ARX risk analysis view, 2015
#: onwards; REFERENCES.md §1). An assumption of convention, not a law.
DEFAULT_THRESHOLD = 0.2
#: Assumption (engineering): sensitive values counted per DuckDB query; more values go in batches.
VALUES_PER_QUERY = 256


# --------------------------------------------------------------------------- re-identification
@dataclass(frozen=True)
class Reidentification:
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

    def to_dict(self) -> dict:
        return common.plain(self)


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


# --------------------------------------------------------------------------- disclosure
@dataclass(frozen=True)
class Disclosure:
    """Sensitive-attribute disclosure of one column across the quasi-identifier classes (REFERENCES §2).

    Attributes
    ----------
    column : the sensitive column.
    l_diversity : smallest number of distinct sensitive values in a class (distinct l-diversity).
    entropy_l_diversity : exp of the smallest within-class entropy (pycanon truncates it to an int).
    t_closeness : largest Earth Mover's Distance between a class's distribution and the overall one:
        ½ Σ|q − p| ("categorical") or (1/(m−1)) Σ_i |Σ_{k≤i}(q_k − p_k)| ("ordered").
    t_closeness_kind : "categorical" or "ordered" (numeric columns, or an explicit order, are ordered).
    delta_disclosure : max |ln(q/p)| over values present in a class.
    beta_likeness : basic β-likeness, max (q − p)/p.
    """

    column: str
    l_diversity: int
    entropy_l_diversity: float
    t_closeness: float
    t_closeness_kind: str
    delta_disclosure: float
    beta_likeness: float

    def to_dict(self) -> dict:
        return common.plain(self)


def _value_plan(con, view: str, frame: pl.DataFrame | Table, column: str, order: Sequence[Any] | None,
                suppressed: str | None, subject: str) -> tuple[list, np.ndarray, bool]:
    """Values of a sensitive column in the order used, their overall counts, and whether ordered."""
    counts = store.value_counts(con, view, column, suppressed=suppressed)
    values, totals = counts["value"].to_list(), counts["n"].to_numpy()
    if order is None:
        return values, totals, common.is_numeric(frame, column)
    if isinstance(order, str) or not isinstance(order, Sequence):
        raise common.bad("orders", subject, f"a mapping to a sequence of values (for {column!r})", order)
    rank = {v: i for i, v in enumerate(order)}
    missing = [v for v in values if v is not None and v not in rank]
    if missing:
        raise common.bad("orders", subject, f"an order listing every value of {column!r} (missing "
                         f"{missing[:5]})", list(order))
    positions = np.array([rank.get(v, len(rank)) for v in values])  # NULL last
    keep = np.argsort(positions, kind="stable")
    return [values[i] for i in keep], totals[keep], True


def _has_null(con, view: str, frame: pl.DataFrame | Table, quasi: tuple) -> bool:
    if isinstance(frame, Table):
        return True  # the flag is computed in the same pass; asking first would cost a scan
    return any(frame[q].null_count() for q in quasi)


def _measure(frame: pl.DataFrame | Table, quasi: tuple, sensitive: tuple, orders: Mapping[str, Sequence] | None,
             suppressed: str | None, subject: str) -> tuple[np.ndarray, np.ndarray, int, tuple[Disclosure, ...]]:
    """One GROUP BY over the quasi-identifiers (in batches when very many sensitive values): the
    class-size distribution and the disclosure figures of every sensitive column."""
    orders = dict(orders or {})
    columns = [*quasi, *sensitive, *([suppressed] if suppressed else [])]
    with common.registered(frame, columns) as (con, view):
        plans = {c: _value_plan(con, view, frame, c, orders.get(c), suppressed, subject) for c in sensitive}
        items = [(c, i, v) for c in sensitive for i, v in enumerate(plans[c][0])]
        batches = [items[i:i + VALUES_PER_QUERY] for i in range(0, max(len(items), 1), VALUES_PER_QUERY)]
        has_null = _has_null(con, view, frame, quasi)
        if len(batches) == 1:
            sizes, classes, null_classes, results = streamed_figures(con, view, quasi, sensitive, plans, has_null,
                                                                     suppressed)
            if len(sizes) == 0:
                raise ValueError(f"{subject}: the data has no records (all rows are suppressed).")
            disclosures = tuple(
                Disclosure(column=c, t_closeness_kind="ordered" if plans[c][2] else "categorical", **results[c])
                for c in sensitive)
            return sizes, classes, null_classes, disclosures
        accumulators: dict[str, DisclosureAccumulator] = {}
        f = null_flags = None
        for batch in batches:
            grouped: dict[str, list] = {}
            for column, _, value in batch:
                grouped.setdefault(column, []).append(value)
            table = store.class_table(con, view, quasi, list(grouped.items()), suppressed=suppressed,
                                      with_null_flag=has_null and f is None, ordered=len(batches) > 1)
            if f is None:
                f = table["f"].to_numpy()
                null_flags = table["has_null"].to_numpy() if has_null else np.zeros(len(f), dtype=bool)
            position = 0
            for column, values in grouped.items():
                width = len(values)
                counts = table.select([f"c{position + i}" for i in range(width)]).to_numpy()
                first = next(i for c, i, _ in batch if c == column)
                totals = plans[column][1][first:first + width]
                if column not in accumulators:
                    accumulators[column] = DisclosureAccumulator(f, plans[column][1], plans[column][2])
                accumulators[column].add(counts, totals)
                position += width
    if len(f) == 0:
        raise ValueError(f"{subject}: the data has no records (all rows are suppressed).")
    sizes, classes = np.unique(f, return_counts=True)
    disclosures = tuple(
        Disclosure(column=c, t_closeness_kind="ordered" if plans[c][2] else "categorical",
                   **accumulators[c].result())
        for c in sensitive
    )
    return sizes, classes, int(null_flags.sum()), disclosures


def disclosure(frame: pl.DataFrame, quasi: Sequence[str], sensitive: str, *,
               order: Sequence[Any] | None = None, suppressed: str | None = None) -> Disclosure:
    """Disclosure of the ``sensitive`` column across the classes of ``quasi``.

    ``order`` lists the sensitive values from lowest to highest for the ordered t-closeness; numeric
    columns are ordered by value without it, other columns use the categorical (equal) distance.

    Example
    -------
    >>> df = pl.DataFrame({"zip": ["A", "A", "B", "B"], "illness": ["flu", "flu", "flu", "cold"]})
    >>> d = disclosure(df, ["zip"], "illness")
    >>> d.l_diversity, d.t_closeness
    (1, 0.25)
    """
    subject = "disclosure"
    common.check_frame(frame, subject)
    quasi = common.check_columns(frame, quasi, "quasi", subject)
    sensitive = common.check_column(frame, sensitive)
    suppressed = _check_suppressed(frame, suppressed, subject)
    orders = None if order is None else {sensitive: order}
    return _measure(frame, quasi, (sensitive,), orders, suppressed, subject)[3][0]


# --------------------------------------------------------------------------- profile
@dataclass(frozen=True)
class RiskProfile:
    """Re-identification and disclosure of one exposed dataset."""

    reidentification: Reidentification
    disclosures: tuple[Disclosure, ...]
    quasi: tuple[str, ...]
    sensitive: tuple[str, ...]

    def to_dict(self) -> dict:
        """Flat headline figures, plus ``sensitive: {column: {...}}`` (the JSON of reports and the CLI)."""
        r = self.reidentification.to_dict()
        out = {key: r[key] for key in (
            "records", "classes", "k", "sample_uniqueness", "prosecutor_highest",
            "prosecutor_average_records", "prosecutor_average_classes", "records_at_risk", "threshold",
            "marketer", "journalist_highest", "journalist_average", "population_uniqueness",
            "population_uniqueness_model", "null_classes", "suppressed_records")}
        out["quasi"] = list(self.quasi)
        out["sensitive"] = {
            d.column: {"l_diversity": d.l_diversity, "entropy_l_diversity": d.entropy_l_diversity,
                       "t_closeness": d.t_closeness, "t_closeness_kind": d.t_closeness_kind,
                       "delta_disclosure": d.delta_disclosure, "beta_likeness": d.beta_likeness}
            for d in self.disclosures
        }
        return out


def risk_profile(frame: pl.DataFrame, quasi: Sequence[str], sensitive: Sequence[str] = (), *,
                 threshold: float = DEFAULT_THRESHOLD, population: int | None = None,
                 orders: Mapping[str, Sequence[Any]] | None = None,
                 suppressed: str | None = None) -> RiskProfile:
    """Re-identification over ``quasi`` and disclosure of every ``sensitive`` column, in one pass.

    Example
    -------
    >>> df = pl.DataFrame({"age": [30, 30, 40, 40], "sex": ["f", "f", "m", "m"], "debt": [0, 1, 1, 1]})
    >>> p = risk_profile(df, ["age", "sex"], ["debt"])
    >>> p.to_dict()["k"], p.to_dict()["sensitive"]["debt"]["l_diversity"]
    (2, 1)
    """
    subject = "risk_profile"
    common.check_frame(frame, subject)
    quasi = common.check_columns(frame, quasi, "quasi", subject)
    sensitive = common.check_columns(frame, sensitive, "sensitive", subject, allow_empty=True)
    overlap = set(quasi) & set(sensitive)
    if overlap:
        raise common.bad("sensitive", subject, "columns that are not quasi-identifiers", sorted(overlap))
    threshold = common.check_fraction(threshold, "threshold", subject)
    suppressed = _check_suppressed(frame, suppressed, subject)
    if orders is not None:
        if not isinstance(orders, Mapping):
            raise common.bad("orders", subject, "a mapping of column -> ordered values", orders)
        for column in orders:
            if column not in sensitive:
                raise common.bad("orders", subject, "keyed by sensitive columns", column)
    if sensitive:
        sizes, classes, null_classes, disclosures = _measure(frame, quasi, sensitive, orders, suppressed, subject)
    else:
        d = class_sizes(frame, quasi, suppressed=suppressed)
        sizes, classes, null_classes = d["class_size"].to_numpy(), d["classes"].to_numpy(), int(d["null_classes"].sum())
        disclosures = ()
    if len(sizes) == 0:
        raise ValueError(f"{subject}: the data has no records (all rows are suppressed).")
    reid = _from_distribution(sizes, classes, null_classes, quasi=quasi, threshold=threshold,
                              population=population, suppressed_records=_suppressed_count(frame, suppressed),
                              subject=subject)
    return RiskProfile(reidentification=reid, disclosures=disclosures, quasi=quasi, sensitive=sensitive)
