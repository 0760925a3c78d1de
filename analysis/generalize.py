"""Generalization of quasi-identifiers: coarsening one column, and the rules a scenario sets.

:func:`generalize_column` applies one of the four methods that :mod:`analysis.generalization` describes
(band, top-code, prefix, merge rare values) to a column; :func:`generalization_rules` lists the
``(column, method, parameter)`` rules of a :class:`~analysis.Scenario`: the dictionary's (or the default)
levels for its ``generalization_level``, then its explicit ``generalize`` rules.
:func:`analysis.minimize.prepare` applies them to what is held and what the model sees; a sampled CRM applies
the same rules in SQL
(:mod:`analysis.store._sample`).
"""

from __future__ import annotations

import polars as pl

from analysis.dictionary import NUMERIC_TYPES, ColumnSpec
from analysis.scenario import Scenario
from analysis.schema import CRMSchema

__all__ = ["generalize_column", "generalization_rules", "DEFAULT_BAND_LEVELS", "DEFAULT_RARE_LEVELS"]

#: Default generalization levels when the dictionary gives none (mildest first).
DEFAULT_BAND_LEVELS = (5.0, 10.0, 20.0)
DEFAULT_RARE_LEVELS = (0.01, 0.05, 0.10)


def generalize_column(series: pl.Series, method: str, parameter: float, *, rare=None) -> pl.Series:
    """Generalize one quasi-identifier: ``band`` (lower bound of a band of width p), ``prefix`` (first p
    characters), ``top_code`` (values above p become p), ``merge_rare`` (categories under a share p → "Other";
    ``rare`` gives the categories to merge when the shares come from more data than the series, a sample).

    >>> generalize_column(pl.Series([23, 37, 41]), "band", 10).to_list()
    [20, 30, 40]
    >>> generalize_column(pl.Series(["02139", "02141"]), "prefix", 3).to_list()
    ['021', '021']
    """
    name = series.name
    if method == "band":
        width = float(parameter)
        out = (series.cast(pl.Float64) / width).floor() * width
        if series.dtype.is_integer() and float(width).is_integer():
            out = out.cast(series.dtype)
        return out.alias(name)
    if method == "top_code":
        return series.clip(upper_bound=parameter).alias(name)
    if method == "prefix":
        return series.cast(pl.String).str.slice(0, int(parameter)).alias(name)
    if method == "merge_rare":
        s = series.cast(pl.String)
        if rare is None:
            counts = s.value_counts()
            total = max(series.len(), 1)
            rare = counts.filter(pl.col("count") / total < parameter)[s.name]
        else:
            rare = pl.Series(s.name, list(rare), dtype=pl.String)
        return pl.select(
            pl.when(s.is_in(rare.implode())).then(pl.lit("Other")).otherwise(s).alias(name)
        ).to_series()
    raise ValueError(f"Unknown generalization {method!r}.")


def _level_rule(c: ColumnSpec, level: int) -> tuple[str, float] | None:
    method = c.generalize
    levels = c.levels
    if method is None:
        if c.type in NUMERIC_TYPES:
            method, levels = "band", levels or DEFAULT_BAND_LEVELS
        elif c.type in ("category", None):
            method, levels = "merge_rare", levels or DEFAULT_RARE_LEVELS
        else:  # a yes/no column has nothing to coarsen; text, dates and times only as the dictionary says
            return None
    if not levels:
        levels = DEFAULT_BAND_LEVELS if method == "band" else DEFAULT_RARE_LEVELS
    return method, levels[min(level, len(levels)) - 1]


def generalization_rules(spec: Scenario, schema: CRMSchema) -> list[tuple[str, str, float]]:
    rules: list[tuple[str, str, float]] = []
    if spec.generalization_level > 0:
        for c in schema.columns:
            if c.role == "quasi_identifier":
                r = _level_rule(c, spec.generalization_level)
                if r is not None:
                    rules.append((c.name, r[0], r[1]))
    rules.extend((c, m, float(p)) for c, m, p in spec.generalize)
    return rules
