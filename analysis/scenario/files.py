"""Scenarios in files: TOML (``[[scenario]]`` tables) and JSON, with errors that name the file, the scenario and
the field."""

from __future__ import annotations

import json
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any, Iterable

from analysis.dictionary.write import toml_value
from analysis.errors import short
from analysis.scenario.spec import Scenario, ScenarioError

__all__ = ["scenarios_from_toml", "scenarios_to_toml", "scenarios_from_json", "scenarios_to_json", "load_scenarios"]

def _from_mapping(d: dict, *, where: str) -> Scenario:
    names = {f.name for f in fields(Scenario)}
    unknown = sorted(set(d) - names)
    label = short(d.get("name", "?"))
    if unknown:
        raise ScenarioError(
            f"{where}: Scenario {label} has unknown field(s) {', '.join(map(repr, unknown))}; "
            f"known fields: {', '.join(sorted(names))}."
        )
    if "name" not in d:
        raise ScenarioError(f"{where}: a scenario needs a 'name'.")
    try:
        return Scenario(**d)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except TypeError as exc:
        raise ScenarioError(f"{where}: Scenario {label}: {exc}") from None


def _clean_for_file(s: Scenario, *, drop_defaults: bool) -> dict[str, Any]:
    d = s.spec_dict()
    if drop_defaults:
        default = Scenario(name=s.name).spec_dict()
        d = {k: v for k, v in d.items() if k in ("name",) or v != default[k]}
    return d


def scenarios_to_json(scenarios: Iterable[Scenario], *, indent: int | None = 2) -> str:
    return json.dumps(
        [dict(s.spec_dict(), fingerprint=s.fingerprint) for s in scenarios], indent=indent, ensure_ascii=False
    )


def scenarios_from_json(text: str, *, source: str = "<json>") -> list[Scenario]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{source}: not valid JSON ({exc}).") from None
    if isinstance(raw, dict):
        raw = raw.get("scenarios", [raw])
    out = []
    for i, d in enumerate(raw, start=1):
        if not isinstance(d, dict):
            raise ScenarioError(f"{source}: scenario #{i} is not an object.")
        d = {k: v for k, v in d.items() if k != "fingerprint"}
        out.append(_from_mapping(d, where=f"{source} (scenario #{i})"))
    return _unique(out, source)


def scenarios_to_toml(scenarios: Iterable[Scenario]) -> str:
    """TOML with one ``[[scenario]]`` table per spec (defaults omitted; ``None`` fields omitted)."""
    blocks = []
    for s in scenarios:
        d = _clean_for_file(s, drop_defaults=True)
        lines = ["[[scenario]]"] + [f"{k} = {toml_value(v)}" for k, v in d.items() if v is not None]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def scenarios_from_toml(text: str, *, source: str = "<toml>") -> list[Scenario]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML ({exc}).") from None
    items = raw.get("scenario")
    if not isinstance(items, list) or not items:
        raise ScenarioError(f"{source}: no [[scenario]] tables found.")
    out = [_from_mapping(d, where=f"{source} (scenario #{i})") for i, d in enumerate(items, start=1)]
    return _unique(out, source)


def _unique(specs: list[Scenario], source: str) -> list[Scenario]:
    seen: set[str] = set()
    for s in specs:
        if s.name in seen:
            raise ScenarioError(f"{source}: two scenarios are named {s.name!r}; names must be unique.")
        seen.add(s.name)
    return specs


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read scenarios from a ``.toml`` or ``.json`` file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{p}: cannot read the scenarios file ({exc}).") from None
    if p.suffix.lower() == ".json":
        return scenarios_from_json(text, source=str(p))
    return scenarios_from_toml(text, source=str(p))
