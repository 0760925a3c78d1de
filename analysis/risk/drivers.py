"""Which quasi-identifier drives the re-identification risk (ARX α-distinction/separation and sdcMicro
SUDA2 contributions, in spirit): uniqueness when each one is removed or generalized one step."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import polars as pl

from analysis.risk import _common as common
from analysis.store import _risk as store
from analysis.store._workspace import Table

__all__ = ["quasi_contributions"]

#: ARX's default highest-risk threshold (REFERENCES.md §1); the same default as analysis.risk.profile.
DEFAULT_THRESHOLD = 0.2


def quasi_contributions(frame: pl.DataFrame | Table, quasi: Sequence[str], *,
                        generalizers: Mapping[str, Callable[[pl.Series], pl.Series] | tuple[str, float]] | None = None,
                        threshold: float = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """Which quasi-identifier drives the risk: sample uniqueness (and records at risk) when each one is
    removed, or generalized one step by ``generalizers[q]`` (a function of the column, e.g. ages to
    10-year bands, or a rule ``(method, parameter)`` as the dictionary's: ``("band", 10)``). All sets are
    measured in one pass (DuckDB GROUPING SETS). A workspace :class:`~analysis.store.Table` is measured in
    place and takes rules only (they are applied in SQL).

    Returns
    -------
    polars.DataFrame
        One row per quasi-identifier: ``quasi, uniqueness_without, drop_if_removed,
        uniqueness_generalized, drop_if_generalized`` (null without a generalizer), and the same for
        ``records_at_risk`` (``records_at_risk_without``, ``records_at_risk_generalized``). Drops are
        in sample-uniqueness points (baseline − new), sorted by ``drop_if_removed`` descending.

    Example
    -------
    >>> df = pl.DataFrame({"age": [31, 32, 45, 46], "sex": ["f", "f", "f", "f"]})
    >>> quasi_contributions(df, ["age", "sex"])["quasi"].to_list()[0]
    'age'
    """
    subject = "quasi_contributions"
    common.check_frame(frame, subject)
    quasi = common.check_columns(frame, quasi, "quasi", subject)
    threshold = common.check_fraction(threshold, "threshold", subject)
    generalizers = dict(generalizers or {})
    for column, function in generalizers.items():
        rule = isinstance(function, tuple) and len(function) == 2 and isinstance(function[0], str)
        if column not in quasi or not (callable(function) or rule) or (isinstance(frame, Table) and not rule):
            raise common.bad("generalizers", subject, "a mapping of quasi-identifier -> callable or (method, "
                             "parameter) rule (rules only for a workspace Table)", column)
    generalized_names: dict[str, str] = {}
    for i, column in enumerate(generalizers):
        name = f"__generalized_{i}"
        while name in quasi:  # never shadow a user column
            name = "_" + name
        generalized_names[column] = name
    sets = [list(quasi)]
    sets += [[c for c in quasi if c != q] for q in quasi]
    sets += [[generalized_names[c] if c == q else c for c in quasi] for q in generalized_names]
    if isinstance(frame, Table):
        rules = {generalized_names[c]: (c, *generalizers[c]) for c in generalizers}
        with common.registered(frame, []) as (con, view):
            table = store.grouping_set_distributions_generalized(con, view, list(quasi), rules, sets)
    else:
        work = frame.select(list(quasi))
        for column, function in generalizers.items():
            if not callable(function):
                from analysis.minimize import generalize_column

                method, parameter = function
                function = lambda s, m=method, p=parameter: generalize_column(s, m, p)  # noqa: E731
            series = function(frame[column])
            if not isinstance(series, pl.Series) or len(series) != frame.height:
                raise common.bad("generalizers", subject, "callables returning a Series of the same length", column)
            work = work.with_columns(series.alias(generalized_names[column]))
        with common.registered(work, work.columns) as (con, view):
            table = store.grouping_set_distributions(con, view, sets)

    def figures(set_id: int) -> tuple[float, float]:
        part = table.filter(pl.col("set_id") == set_id)
        sizes, records = part["class_size"].to_numpy(), part["records"].to_numpy()
        n = records.sum()
        return float(records[sizes == 1].sum() / n), float(records[1.0 / sizes > threshold].sum() / n)

    base_unique, _ = figures(0)
    rows = []
    gen_ids = {q: 1 + len(quasi) + i for i, q in enumerate(generalized_names)}
    for i, q in enumerate(quasi):
        unique_without, risk_without = figures(1 + i)
        unique_gen = risk_gen = None
        if q in gen_ids:
            unique_gen, risk_gen = figures(gen_ids[q])
        rows.append({
            "quasi": q, "uniqueness_without": unique_without, "drop_if_removed": base_unique - unique_without,
            "uniqueness_generalized": unique_gen,
            "drop_if_generalized": None if unique_gen is None else base_unique - unique_gen,
            "records_at_risk_without": risk_without, "records_at_risk_generalized": risk_gen,
        })
    schema = {"quasi": pl.String, "uniqueness_without": pl.Float64, "drop_if_removed": pl.Float64,
              "uniqueness_generalized": pl.Float64, "drop_if_generalized": pl.Float64,
              "records_at_risk_without": pl.Float64, "records_at_risk_generalized": pl.Float64}
    return pl.DataFrame(rows, schema=schema).sort("drop_if_removed", descending=True, maintain_order=True)
