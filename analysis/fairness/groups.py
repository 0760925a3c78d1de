"""Which attributes are audited and which group each customer belongs to.

Audited: every column with role ``sensitive`` and every column the dictionary marks ``protected = true`` (age,
sex: not secret, but not to be discriminated on). They are read from the customer view the store holds, also
when a scenario leaves them out of its model: the model never sees them, the audit does.

Groups: a boolean or categorical attribute's values (the dictionary's ``order`` first, when it gives one);
a numeric attribute in its dictionary bands — the widest band width of its ``levels`` when it is generalized by
``band`` (the coarsest level: the largest groups, the steadiest rates; a partial band at a bound joins its
neighbour, so ages from 18 in 20-year bands are 18–39, 40–59, 60–79, 80–100), otherwise its quartiles on the stored
customers. A missing value is its own group, "missing"; beyond 30 values of a categorical attribute, the rarer
ones share the group "other".

>>> import polars as pl
>>> from analysis.dictionary import ColumnSpec
>>> age = audited_attribute(ColumnSpec("age", "quasi_identifier", type="integer", bounds=(18, 100),
...                                    generalize="band", levels=(5, 10, 20), protected=True))
>>> group_labels(pl.DataFrame({"age": [23, 41, 19, None]}), [age])["age"].to_list()
['18–39', '40–59', '18–39', 'missing']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import polars as pl

from analysis.dictionary import NUMERIC_TYPES, ColumnSpec
from analysis.formatting import number

__all__ = ["AuditedAttribute", "audited_attribute", "audited_attributes", "group_labels", "MISSING"]

#: the group of customers whose attribute is not known
MISSING = "missing"
#: quartiles when a numeric attribute has no band levels in its dictionary (PrivacyLift assumption)
QUANTILE_GROUPS = 4
#: most groups of a categorical attribute; the rarer values share one group, "other" (as the model's one-hot
#: levels, analysis.minimize.MAX_LEVELS_ONE_HOT)
MAX_GROUPS = 30
OTHER = "other"


@dataclass(frozen=True)
class AuditedAttribute:
    """One attribute the audit groups customers by."""

    name: str
    #: "sensitive" (its role) or "protected" (the dictionary's flag)
    reason: str
    #: "boolean", "category" or "numeric"
    kind: str
    #: the dictionary's category (health, financial, demographic …), or None
    category: str | None = None
    #: numeric: the band width from the dictionary (None: quartiles)
    band: float | None = None
    #: numeric: the domain bounds from the dictionary (labels of the outer bands)
    bounds: tuple[float, float] | None = None
    #: categorical: the dictionary's order of the values, lowest first
    order: tuple[str, ...] = ()

    @property
    def words(self) -> str:
        """The attribute in plain words: ``health_interest`` → ``health interest``."""
        return self.name.replace("_", " ").strip()


def audited_attribute(c: ColumnSpec) -> AuditedAttribute:
    kind = "boolean" if c.type == "boolean" else "numeric" if c.type in NUMERIC_TYPES else "category"
    band = None
    if kind == "numeric" and c.generalize == "band" and c.levels:
        band = float(max(c.levels))
    return AuditedAttribute(name=c.name, reason="sensitive" if c.role == "sensitive" else "protected", kind=kind,
                            category=c.category, band=band, bounds=c.bounds, order=tuple(c.order))


def audited_attributes(schema) -> tuple[AuditedAttribute, ...]:
    """The audited attributes of a :class:`~analysis.schema.CRMSchema` (or anything with ``columns``)."""
    return tuple(audited_attribute(c) for c in schema.columns if c.role == "sensitive" or c.protected)


def _edge(value: float) -> str:
    return number(value) if not float(value).is_integer() else f"{int(value):,}".replace("-", "−")


def _band_starts(x: pl.Series, a: AuditedAttribute, integer: bool) -> tuple[pl.Series, float | None, float | None]:
    """Each value's band start; a partial first or last band inside the bounds (18–19 of 20-year bands from
    18) is merged into its neighbour. Returns (starts, first band start, last band start)."""
    w = a.band
    start = (x / w).floor() * w
    first = last = None
    if a.bounds is not None:
        lo, hi = a.bounds
        first, last = math.floor(lo / w) * w, math.floor(hi / w) * w
        if lo > first and last > first:
            first += w
        if hi < last + w - (1 if integer else 0) and last > first:
            last -= w
        start = start.clip(first, last)
    return start.fill_nan(None), first, last


def _band_label(start: float, a: AuditedAttribute, integer: bool, first, last) -> str:
    low, high = start, start + a.band - (1 if integer else 0)
    if a.bounds is not None:
        low = a.bounds[0] if start == first else low
        high = a.bounds[1] if start == last else high
    return _edge(low) if low == high else f"{_edge(low)}–{_edge(high)}"


def _banded(values: pl.Series, a: AuditedAttribute, reference: pl.Series) -> pl.Series:
    x = values.cast(pl.Float64)
    if a.band is not None:
        integer = values.dtype.is_integer() and float(a.band).is_integer()
        start, first, last = _band_starts(x, a, integer)
        names = {v: _band_label(v, a, integer, first, last) for v in start.drop_nulls().unique().to_list()}
        return start.replace_strict(names, default=None, return_dtype=pl.String).alias(values.name)
    ref = reference.cast(pl.Float64).drop_nulls().drop_nans()
    if ref.len() == 0:
        return pl.Series(values.name, [None] * values.len(), dtype=pl.String)
    edges = sorted(set(np.quantile(ref.to_numpy(), np.linspace(0, 1, QUANTILE_GROUPS + 1))[1:-1].tolist()))
    if not edges:
        return pl.Series(values.name, ["all"] * values.len(), dtype=pl.String).set(x.is_null(), None)
    names = ([f"up to {_edge(edges[0])}"] + [f"{_edge(lo)}–{_edge(hi)}" for lo, hi in zip(edges, edges[1:])]
             + [f"over {_edge(edges[-1])}"])
    codes = pl.Series(np.searchsorted(np.asarray(edges), x.fill_null(np.nan).to_numpy(), side="left"))
    labels = pl.Series(names, dtype=pl.String).gather(codes)
    return labels.set(x.is_null() | x.is_nan(), None).alias(values.name)


def group_labels(customers: pl.DataFrame, attributes: Sequence[AuditedAttribute], *,
                 reference: pl.DataFrame | None = None) -> pl.DataFrame:
    """One String column per audited attribute: each customer's group ("missing" when unknown).

    ``reference`` (default: ``customers``) gives the quartiles of numeric attributes without band levels.
    """
    reference = customers if reference is None else reference
    out = {}
    for a in attributes:
        s = customers[a.name]
        if a.kind == "numeric":
            labels = _banded(s, a, reference[a.name])
        elif a.kind == "boolean":
            labels = s.cast(pl.Boolean).cast(pl.String) if s.dtype != pl.String else s.str.to_lowercase()
        else:
            labels = s.cast(pl.String)
            if labels.n_unique() > MAX_GROUPS:
                common = labels.value_counts(sort=True).drop_nulls()[labels.name][: MAX_GROUPS - 1]
                labels = pl.select(pl.when(labels.is_in(common.implode()) | labels.is_null()).then(labels)
                                   .otherwise(pl.lit(OTHER))).to_series().alias(a.name)
        out[a.name] = labels.fill_null(MISSING)
    return pl.DataFrame(out) if out else pl.DataFrame()
