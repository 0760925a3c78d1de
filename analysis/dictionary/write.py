"""Writing a data dictionary: the TOML text :func:`~analysis.dictionary.parse_dictionary` reads, from plain
mappings (the synthetic generator's dictionaries and the benchmarks' are written with it).

Example
-------
>>> columns = {"id": {"role": "other"}, "age": {"role": "quasi_identifier", "bounds": [17, 100]}}
>>> print(dictionary_toml({"name": "demo", "entity": "customers", "key": "id"}, columns))
[dataset]
name = "demo"
entity = "customers"
key = "id"
<BLANKLINE>
[columns.id]
role = "other"
<BLANKLINE>
[columns.age]
role = "quasi_identifier"
bounds = [17, 100]
<BLANKLINE>
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["dictionary_toml", "toml_value"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_value(v: Any) -> str:
    """One TOML value: a boolean, a number, a string or an array of them."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


def _table(name: str, fields: Mapping[str, Any]) -> str:
    return "\n".join([f"[{name}]"] + [f"{k} = {toml_value(v)}" for k, v in fields.items() if v is not None])


def dictionary_toml(dataset: Mapping[str, Any], columns: Mapping[str, Mapping[str, Any]]) -> str:
    """The ``[dataset]`` table and one ``[columns.<name>]`` table per column (fields that are None are left
    out; a name that is not a bare TOML key is quoted)."""
    tables = [_table("dataset", dataset)]
    for name, fields in columns.items():
        key = name if _BARE_KEY.fullmatch(name) else json.dumps(name)
        tables.append(_table(f"columns.{key}", fields))
    return "\n\n".join(tables) + "\n"
