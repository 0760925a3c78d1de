"""The blocks a report section is made of (tables, text, key–value pairs, lists, charts), and the one way a
figure is written in them (:func:`fmt`, over :mod:`analysis.formatting`)."""

from __future__ import annotations

import math
from typing import Any, Sequence

from analysis import formatting

__all__ = ["fmt", "table", "text", "kv", "bullets", "chart"]


def fmt(value: Any, kind: str = "number") -> str:
    """Format one figure for people (:mod:`analysis.formatting`): number, count, share (%), money, int."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "count":
        return formatting.count(value)
    if kind == "share":
        return formatting.percent(value)
    if kind == "money":
        return formatting.money(value)
    if kind == "int":
        return formatting.count(value, suppress=False)
    return formatting.number(value)


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> dict:
    return {"type": "table", "columns": list(columns), "rows": [[str(c) for c in r] for r in rows], "caption": caption}


def text(s: str) -> dict:
    return {"type": "text", "text": s}


def kv(pairs: Sequence[tuple[str, Any]]) -> dict:
    return {"type": "kv", "pairs": [[str(k), str(v)] for k, v in pairs]}


def bullets(items: Sequence[str]) -> dict:
    return {"type": "list", "items": [str(i) for i in items]}


def chart(chart_id: str, caption: str = "") -> dict:
    return {"type": "chart", "id": chart_id, "caption": caption}


