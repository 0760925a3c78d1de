"""A scenario in a shared link: every field that has a URL key (see :data:`analysis.scenario.FIELDS`) is written
as text when it differs from its default, and read back through the field's constraint, so a link can carry any
scenario and never an invalid one.

>>> from analysis.scenario import Scenario
>>> params = to_params(Scenario(name="x", epsilon=1.0, retention_days=90, generalize=(("age", "band", 10),)))
>>> params["eps"], params["ret"], params["gz"]
('1', '90', '[["age","band",10]]')
>>> from_params(params, name="x")[0] == Scenario(name="x", epsilon=1.0, retention_days=90,
...                                              generalize=(("age", "band", 10),))
True
>>> from_params({"k": "1e-9"}, name="x")[1]
["The scenario in the link is not valid, so the defaults are shown: the 'k' parameter must be a number in the range [0.01, 1). Got 1e-09 instead."]
"""

from __future__ import annotations

from typing import Any, Mapping

from analysis.errors import short
from analysis.scenario.spec import DEFAULTS, FIELDS, Scenario, ScenarioError

__all__ = ["URL_KEYS", "to_params", "from_params"]

#: query key → field name, for every field a link can carry
URL_KEYS: dict[str, str] = {info.url: name for name, info in FIELDS.items() if info.url}


def to_params(spec: Scenario) -> dict[str, str]:
    """The query fields of ``spec`` (fields at their default left out)."""
    out: dict[str, str] = {}
    for key, name in URL_KEYS.items():
        value = getattr(spec, name)
        info = FIELDS[name]
        if info.constraint.normalize(value) != info.constraint.normalize(DEFAULTS[name]):
            out[key] = "none" if value is None else info.constraint.to_text(value)
    return out


def from_params(params: Mapping[str, Any], *, name: str, base: Scenario | None = None) -> tuple[Scenario, list[str]]:
    """Decode query fields into a Scenario named ``name``; returns it and plain warnings.

    An unreadable field is skipped with a warning; when the fields together make an invalid scenario, ``base``
    (or the default scenario) is returned with the validation message — never an exception.
    """
    base = (base or Scenario(name=name)).replace(name=name)
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    for key, field_name in URL_KEYS.items():
        if key not in params:
            continue
        text = str(params[key])
        try:
            changes[field_name] = FIELDS[field_name].constraint.from_text(text)
        except (ValueError, TypeError) as exc:
            warnings.append(f"The link's '{key}={short(text, str)}' could not be read ({exc}); it was ignored.")
    try:
        return base.replace(**changes), warnings
    except ScenarioError as exc:
        reason = str(exc).replace(f" of Scenario {name!r}", "")
        reason = reason[0].lower() + reason[1:]
        warnings.append(f"The scenario in the link is not valid, so the defaults are shown: {reason}")
        return base, warnings
