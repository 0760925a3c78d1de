"""How exposed customers are by the data a scenario holds and by the model it trains.

Re-identification over quasi-identifiers (k-anonymity, sample uniqueness, prosecutor / marketer /
journalist risk, records at risk, population uniqueness), sensitive-attribute disclosure (distinct and
entropy l-diversity, t-closeness, δ-disclosure, β-likeness), which quasi-identifier drives the risk,
and attacks (attribute inference, membership inference, behavioural uniqueness) with Wilson intervals.
Definitions are those of ARX, sdcMicro, pycanon and anonymeter (REFERENCES.md §1–§2); the heavy work is
one DuckDB GROUP BY per measure family (SQL in :mod:`analysis.store._risk`).

This module measures disclosure (:class:`Disclosure`) and the whole profile of a dataset in one pass
(:func:`risk_profile`); the re-identification figures are in :mod:`analysis.risk.reidentify`, the attacks,
drivers and explanations in their own modules, and every public name is importable from here (and from
:mod:`analysis.risk`).

Conventions
-----------
- NULL in a quasi-identifier is a value of its own: those records form their own classes, counted in
  ``null_classes``. NULL in a sensitive column is a value of its own too (last in an ordering).
- Suppressed records (ARX's notion: records removed from the release but still in the table) are
  marked by a boolean column named with ``suppressed=``; they are left out of every measure.

Example
-------
Everyone in zip "B" has debt, so knowing that a customer lives there tells it (l-diversity 1):

>>> import polars as pl
>>> df = pl.DataFrame({"zip": list("AABBB"), "debt": ["yes", "no", "yes", "yes", "yes"]})
>>> d = disclosure(df, ["zip"], "debt")
>>> d.l_diversity, round(d.t_closeness, 2)
(1, 0.3)
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
from analysis.risk.reidentify import (
    DEFAULT_THRESHOLD,
    Reidentification,
    _check_suppressed,
    _from_distribution,
    _suppressed_count,
    class_sizes,
    reidentification,
)
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

#: Assumption (engineering): sensitive values counted per DuckDB query; more values go in batches.
VALUES_PER_QUERY = 256


# --------------------------------------------------------------------------- disclosure
@dataclass(frozen=True)
class Disclosure(common.Plain):
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
