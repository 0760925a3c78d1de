"""User text in a chart is shown, never obeyed.

plotly.js reads a few HTML tags in every text of a figure — trace names, category labels, hover text, titles,
annotations — including ``<a href>`` (a live link) and ``<span style>``. A column or scenario name is user text,
and it reaches those places as data *and* inside hover templates. So every finished figure goes through
:func:`inert`: each ``<`` that does not open one of the plain formatting tags PrivacyLift's own charts use
(``<b>``, ``<i>``, ``<br>``, ``<sup>``, ``<sub>``, ``<em>``, ``<extra>``) becomes ``&lt;``, which plotly shows as
``<`` and never parses as a tag. Figures without such text are returned untouched.

>>> import plotly.graph_objects as go
>>> fig = inert(go.Figure(go.Bar(x=['<a href="http://x.example">age</a>'], y=[1], hovertemplate="<b>%{x}</b>")))
>>> fig.data[0].x[0], fig.data[0].hovertemplate
('&lt;a href="http://x.example">age&lt;/a>', '<b>%{x}</b>')
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable

import numpy as np
import plotly.graph_objects as go

__all__ = ["inert", "inert_text", "with_inert_text"]

_LIVE = re.compile(r"<(?!/?(?:b|i|em|sup|sub|extra)>|br ?/?>)", re.IGNORECASE)


def inert_text(text: str) -> str:
    """``text`` with every ``<`` that could open a link, a span or an image written as ``&lt;``."""
    return _LIVE.sub("&lt;", text)


def _walk(obj: Any) -> tuple[Any, bool]:
    if isinstance(obj, str):
        safe = inert_text(obj) if "<" in obj else obj
        return safe, safe is not obj
    if isinstance(obj, dict):
        changed = False
        for k, v in obj.items():
            obj[k], c = _walk(v)
            changed |= c
        return obj, changed
    if isinstance(obj, (list, tuple)):
        items = [_walk(v) for v in obj]
        if any(c for _, c in items):
            return type(obj)(v for v, _ in items) if isinstance(obj, tuple) else [v for v, _ in items], True
        return obj, False
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "OU":
        items = [_walk(v) for v in obj.tolist()]
        if any(c for _, c in items):
            return np.array([v for v, _ in items], dtype=object), True
    return obj, False


def inert(fig: go.Figure) -> go.Figure:
    """The figure with user text made inert (see the module docstring)."""
    as_dict, changed = _walk(fig.to_dict())
    return go.Figure(as_dict) if changed else fig


def with_inert_text(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """A chart builder whose figures always go through :func:`inert`."""

    @functools.wraps(build)
    def safe(*args, **kwargs) -> go.Figure:
        return inert(build(*args, **kwargs))

    return safe
