"""Validated sets of the models' default numbers, with overrides: load, check, list.

The defaults themselves, each with its source and year or labelled an assumption, are the registry
:data:`DEFAULT_ASSUMPTIONS` of :mod:`analysis.breach.defaults` (re-exported here with every name of that
module). Each one can be overridden from a TOML file or a mapping with :func:`load_assumptions`;
:func:`assumptions_table` lists them for the app and the reports.

The distributions an assumption may have (fixed, PERT, lognormal) and their means are
:mod:`analysis.breach.distributions` (re-exported here too).

Example
-------
>>> a = load_assumptions({"breach_frequency": {"low": 0.02, "value": 0.1, "high": 0.4}})
>>> a["breach_frequency"].value, round(a.mean("breach_frequency"), 3)
(0.1, 0.137)
>>> "breach_frequency" in a.overridden
True
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import polars as pl

from analysis.breach.defaults import (
    COST_PER_RECORD_SERIES,
    DEFAULT_ASSUMPTIONS,
    DEFAULT_REGION,
    DISTRIBUTIONS,
    KINDS,
    REGIONS,
    Assumption,
    AssumptionError,
    _show,
    cost_per_record,
)
from analysis.breach.distributions import PERT_GAMMA, Z_90, _mean_of, lognormal_parameters, pert_mean
from analysis.dictionary import CATEGORIES

__all__ = [
    "Assumption",
    "Assumptions",
    "AssumptionsLike",
    "AssumptionError",
    "DEFAULT_ASSUMPTIONS",
    "DISTRIBUTIONS",
    "KINDS",
    "PERT_GAMMA",
    "Z_90",
    "COST_PER_RECORD_SERIES",
    "REGIONS",
    "DEFAULT_REGION",
    "cost_per_record",
    "load_assumptions",
    "assumptions_table",
    "pert_mean",
    "lognormal_parameters",
]

#: units whose values are fractions and must lie in [0, 1].
_UNIT_FRACTIONS = ("probability", "share", "multiplier")
_FIELDS = ("value", "low", "high")


def _fail(key: str, requirement: str, got: Any) -> AssumptionError:
    return AssumptionError(f"The '{key}' assumption must be {requirement}. Got {_show(got)} instead.")


def _validate(a: Assumption) -> None:
    for name in _FIELDS:
        v = getattr(a, name)
        if v is None:
            continue
        field = f"{a.key}.{name}"
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise _fail(field, "a finite number", v)
        if v < 0:
            raise _fail(field, "≥ 0", v)
        if a.unit in _UNIT_FRACTIONS and v > 1:
            raise _fail(field, f"≤ 1 (a {a.unit})", v)
        if a.unit == "days" and v <= 0:
            raise _fail(field, "> 0 (days)", v)
    if a.distribution in ("pert", "lognormal") and (a.low is None or a.high is None):
        raise _fail(f"{a.key}.low", f"given with high (a {a.distribution} distribution needs both)", a.low)
    if a.low is not None and a.high is not None and a.low > a.high:
        raise _fail(f"{a.key}.low", f"≤ its high ({a.high:g})", a.low)
    if a.distribution == "lognormal" and a.low <= 0:
        raise _fail(f"{a.key}.low", "> 0 (a lognormal 90 % interval)", a.low)
    low = -math.inf if a.low is None else a.low
    high = math.inf if a.high is None else a.high
    if not low <= a.value <= high:
        raise AssumptionError(
            f"The '{a.key}.value' assumption must be within [low, high] = [{low:g}, {high:g}]. "
            f"Got {_show(a.value)} instead; set low and high too.")


_DEFAULTS_BY_KEY = {a.key: a for a in DEFAULT_ASSUMPTIONS}


class Assumptions(Mapping[str, Assumption]):
    """A validated, read-only set of assumptions: ``a[key] -> Assumption``; ``a.value(key)``, ``a.mean(key)``.

    Build it with :func:`load_assumptions`. ``overridden`` holds the keys whose value, low or high differ
    from the defaults.
    """

    def __init__(self, items: Mapping[str, Assumption], overridden: frozenset[str] = frozenset()):
        for a in items.values():
            _validate(a)
        self._items = dict(items)
        self.overridden = frozenset(overridden)

    def __getitem__(self, key: str) -> Assumption:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Assumptions({len(self)} keys, overridden={sorted(self.overridden)})"

    def value(self, key: str) -> float:
        """The point value of ``key``."""
        return self._items[key].value

    def mean(self, key: str) -> float:
        """The mean of ``key``'s distribution (the value itself when fixed)."""
        return _mean_of(self._items[key])

    def with_values(self, **values: float) -> Assumptions:
        """A copy with some point values replaced (keys with dots: pass a dict via ``**{...}``)."""
        return self.with_overrides({k: {"value": v} for k, v in values.items()})

    def with_values_in_range(self, values: Mapping[str, float]) -> Assumptions:
        """A copy with point values replaced, each within its own [low, high] (checked; the rest is not
        re-validated: this is the fast path of the robustness draws, which redraw values inside their ranges).

        >>> load_assumptions().with_values_in_range({"breach_frequency": 0.2}).value("breach_frequency")
        0.2
        """
        items = dict(self._items)
        for key, v in values.items():
            a = items[key]
            v = float(v)
            if a.low is None or a.high is None or not a.low <= v <= a.high:
                raise _fail(f"{key}.value", f"within its range [{a.low}, {a.high}]", v)
            items[key] = replace(a, value=v)
        out = Assumptions.__new__(Assumptions)
        out._items = items
        out.overridden = frozenset(self.overridden | {k for k in values if items[k] != _DEFAULTS_BY_KEY[k]})
        return out

    def with_overrides(self, overrides: Mapping[str, Any]) -> Assumptions:
        """A copy with overrides applied (same format as :func:`load_assumptions`)."""
        items = dict(self._items)
        changed = set(self.overridden)
        for key, fields in _flatten(overrides).items():
            items[key] = _apply(items, key, fields)
            if items[key] != _DEFAULTS_BY_KEY[key]:
                changed.add(key)
            else:
                changed.discard(key)
        return Assumptions(items, frozenset(changed))

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Every assumption as a JSON-ready dict, keyed by ``key``."""
        return {k: {**asdict(a), "overridden": k in self.overridden} for k, a in self._items.items()}

    def fingerprint(self) -> str:
        """A short hash of every value, low and high: a cache key and an id for reports."""
        payload = json.dumps({k: (a.value, a.low, a.high) + ((a.region, a.year) if a.region else ())
                              for k, a in sorted(self._items.items())})
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _flatten(overrides: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables ({"category_weight": {"health": {...}}}) → {"category_weight.health": {...}}."""
    flat: dict[str, Any] = {}
    for name, fields in overrides.items():
        key = f"{prefix}{name}"
        if key in _DEFAULTS_BY_KEY or not isinstance(fields, Mapping):
            flat[key] = fields
        elif set(fields) <= {*_FIELDS, "mode"}:
            flat[key] = fields  # looks like a leaf: let _apply report the unknown key
        else:
            flat.update(_flatten(fields, prefix=f"{key}."))
    return flat


def _apply(items: Mapping[str, Assumption], key: str, fields: Any) -> Assumption:
    if key not in items:
        family, _, member = key.partition(".")
        if family == "category_weight":
            raise AssumptionError(f"The 'category_weight' assumption has no category {member!r}. "
                                  f"Use one of {', '.join(CATEGORIES)}.")
        raise AssumptionError(f"The {key!r} assumption is unknown. Known keys: {', '.join(sorted(items))}.")
    if not isinstance(fields, Mapping):
        fields = {"value": fields}
    current = items[key]
    if key == "cost_per_record" and {"region", "year"} & set(fields):
        # a region (and year) picks the sourced figure; value/low/high given beside it still apply
        region = fields.get("region", current.region or DEFAULT_REGION)
        year = fields.get("year", current.year if "region" not in fields else None)
        current = cost_per_record(region, year)
        fields = {k: v for k, v in fields.items() if k not in ("region", "year")}
    changes: dict[str, float] = {}
    for name, v in fields.items():
        target = "value" if name == "mode" else name
        if target not in _FIELDS:
            extra = " (and region or year for cost_per_record)" if key == "cost_per_record" else ""
            raise AssumptionError(f"The '{key}.{name}' assumption field is unknown. Use value, low or high{extra}.")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _fail(f"{key}.{name}", "a number", v)
        changes[target] = float(v)
    if current.distribution == "fixed" and "value" in changes and not {"low", "high"} & set(changes) \
            and current.low is not None:
        # a fixed value's range is only a sensitivity range: widen it to include the new value
        changes["low"] = min(current.low, changes["value"])
        changes["high"] = max(current.high, changes["value"])
    if current.distribution == "lognormal" and "value" in changes and not {"low", "high"} & set(changes):
        # a lognormal's value is its median, the geometric centre of its 90 % interval: move the interval with
        # it (same spread), or the new value would change nothing the Monte Carlo draws
        scale = changes["value"] / current.value
        changes["low"], changes["high"] = current.low * scale, current.high * scale
    return replace(current, **changes)


#: What every function taking assumptions accepts: an Assumptions, overrides (mapping or TOML path), or None.
AssumptionsLike = Assumptions | Mapping[str, Any] | str | Path | None


_DEFAULTS: list[Assumptions] = []


def _defaults() -> Assumptions:
    """The validated defaults, built once (an Assumptions is read-only)."""
    if not _DEFAULTS:
        _DEFAULTS.append(Assumptions(_DEFAULTS_BY_KEY))
    return _DEFAULTS[0]


def load_assumptions(path_or_mapping: AssumptionsLike = None) -> Assumptions:
    """The default assumptions, with overrides from a TOML file or a mapping.

    Parameters
    ----------
    path_or_mapping : str, Path, mapping, Assumptions or None
        ``None``: the defaults. A TOML path or a mapping: ``key = number`` sets the value;
        ``[key]`` tables (or dicts) set ``value`` (alias ``mode``), ``low`` and ``high``.
        Setting only the value of a fixed assumption widens its sensitivity range to include it.
        ``cost_per_record`` also takes ``region`` (:data:`REGIONS`) and ``year``: they pick the sourced
        figure of :data:`COST_PER_RECORD_SERIES` (default: the global average's latest year).
        Dotted keys may be nested tables: ``[category_weight.health]``.

    Raises
    ------
    AssumptionError
        unknown key or field, negative number, low > high, a probability/share above 1, unknown category.

    Example
    -------
    >>> load_assumptions({"cost_per_record": 200}).value("cost_per_record")
    200.0
    >>> load_assumptions({"cost_per_record": {"region": "united_states"}}).value("cost_per_record")
    242.0
    >>> try:
    ...     load_assumptions({"breach_frequency": {"low": -1}})
    ... except AssumptionError as exc:
    ...     print(exc)
    The 'breach_frequency.low' assumption must be ≥ 0. Got -1 instead.
    """
    if isinstance(path_or_mapping, Assumptions):
        return path_or_mapping
    defaults = _defaults()
    if path_or_mapping is None:
        return defaults
    if isinstance(path_or_mapping, (str, Path)):
        try:
            overrides = tomllib.loads(Path(path_or_mapping).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise AssumptionError(
                f"The assumptions file {str(path_or_mapping)!r} is not valid TOML: {exc}") from exc
        overrides.pop("meta", None)  # free-form [meta] table for notes
    elif isinstance(path_or_mapping, Mapping):
        overrides = path_or_mapping
    else:
        raise TypeError(f"The 'path_or_mapping' parameter of load_assumptions must be a path, a mapping "
                        f"or None. Got {type(path_or_mapping).__name__} instead.")
    return defaults.with_overrides(overrides)


def assumptions_table(assumptions: Assumptions | None = None) -> pl.DataFrame:
    """One row per assumption, for the UI and the reports.

    Columns: key, label, value, low, high, distribution, mean, unit, source, year, secondary, kind,
    overridden, note, region.

    >>> assumptions_table().filter(pl.col("key") == "cost_per_record")["source"][0][:3]
    'IBM'
    """
    a = load_assumptions(assumptions)
    rows = [{"key": k, "label": x.label, "value": x.value, "low": x.low, "high": x.high,
             "distribution": x.distribution, "mean": a.mean(k), "unit": x.unit, "source": x.source,
             "year": x.year, "secondary": x.secondary, "kind": x.kind, "overridden": k in a.overridden,
             "note": x.note, "region": x.region} for k, x in a.items()]
    schema = {"key": pl.String, "label": pl.String, "value": pl.Float64, "low": pl.Float64,
              "high": pl.Float64, "distribution": pl.String, "mean": pl.Float64, "unit": pl.String,
              "source": pl.String, "year": pl.Int64, "secondary": pl.Boolean, "kind": pl.String,
              "overridden": pl.Boolean, "note": pl.String, "region": pl.String}
    return pl.DataFrame(rows, schema=schema)
