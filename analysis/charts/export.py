"""Static images and the plotted data of a figure (for "download the data" buttons)."""

from __future__ import annotations

import base64
import math

import numpy as np
import plotly.graph_objects as go
import polars as pl


def to_png(fig: go.Figure, *, width: int = 900, height: int = 500, scale: float = 1.0) -> bytes:
    """Render a figure to PNG bytes with kaleido (which drives the system Chromium).

    Raises
    ------
    RuntimeError
        When kaleido or Chromium is missing or fails; the message says what to install.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> to_png(go.Figure(go.Scatter(x=[1, 2], y=[1, 2])), width=200, height=150)[:4]  # doctest: +SKIP
    b'\\x89PNG'
    """
    if not isinstance(fig, go.Figure):
        raise ValueError(f"The 'fig' parameter of to_png must be a plotly Figure. "
                         f"Got {type(fig).__name__} instead.")
    for name, value in (("width", width), ("height", height)):
        if not isinstance(value, int) or isinstance(value, bool) or not 10 <= value <= 10_000:
            raise ValueError(f"The '{name}' parameter of to_png must be an int from 10 to 10000. "
                             f"Got {value!r} instead.")
    if not isinstance(scale, (int, float)) or not 0 < scale <= 10:
        raise ValueError(f"The 'scale' parameter of to_png must be a number in (0, 10]. "
                         f"Got {scale!r} instead.")
    try:
        image = fig.to_image(format="png", width=width, height=height, scale=scale)
    except Exception as error:  # kaleido raises several types (ChromeNotFoundError, ValueError, ...)
        raise RuntimeError(
            "Could not render the chart as PNG with kaleido. Kaleido needs a Chromium browser: install the "
            "Debian package 'chromium' (it is found at /usr/bin/chromium) or set BROWSER_PATH. "
            f"Kaleido said: {type(error).__name__}: {error}"
        ) from error
    if not image.startswith(b"\x89PNG"):
        raise RuntimeError("Kaleido returned something that is not a PNG image.")
    return image


def _values(raw: object) -> list | None:
    """A trace's x or y as a plain list (handles tuples, numpy arrays and plotly's base64 'bdata')."""
    if raw is None:
        return None
    if isinstance(raw, dict) and "bdata" in raw:
        array = np.frombuffer(base64.b64decode(raw["bdata"]), dtype=np.dtype(raw["dtype"]))
        return array.tolist()
    if isinstance(raw, (str, bytes)):
        return None
    return np.asarray(raw, dtype=object).ravel().tolist()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def chart_data(fig: go.Figure) -> pl.DataFrame:
    """The data a figure plots, one row per point: ``trace``, ``label``, ``x``, ``y``.

    ``label`` is the point's own text when the trace has one per point — on the frontier chart, the scenario's
    name; on bars, the value written on the bar — else null. Bars drawn from a ``base`` (tornado charts) report
    the value they reach, not their length. ``x`` and ``y`` are Float64 when every value in the column is a
    number, else String. Annotations, shapes and legend-only entries (no data) are left out.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> chart_data(go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="a", text=["p", "q"]))).rows()
    [('a', 'p', 1.0, 3.0), ('a', 'q', 2.0, 4.0)]
    """
    if not isinstance(fig, go.Figure):
        raise ValueError(f"The 'fig' parameter of chart_data must be a plotly Figure. "
                         f"Got {type(fig).__name__} instead.")
    names: list[str] = []
    labels: list[str | None] = []
    xs: list = []
    ys: list = []
    for index, trace in enumerate(fig.data):
        x, y = _values(getattr(trace, "x", None)), _values(getattr(trace, "y", None))
        if x is None or y is None:
            continue
        length = min(len(x), len(y))
        x, y = x[:length], y[:length]
        if length and all(v is None for v in x) and all(v is None for v in y):
            continue  # a legend entry (a key row), not data
        base = _values(getattr(trace, "base", None)) if trace.type == "bar" else None
        if base is not None:
            base = base * length if len(base) == 1 else base
            horizontal = trace.orientation == "h"
            moved = x if horizontal else y
            moved = [v + b if _is_number(v) and _is_number(b) else v for v, b in zip(moved, base)]
            x, y = (moved, y) if horizontal else (x, moved)
        text = _values(getattr(trace, "text", None))
        labels += [None if v is None else str(v) for v in text[:length]] + [None] * (length - len(text)) \
            if text is not None else [None] * length
        names += [trace.name if trace.name is not None else f"trace {index}"] * length
        xs += x
        ys += y
    return pl.DataFrame({"trace": pl.Series(names, dtype=pl.String), "label": pl.Series(labels, dtype=pl.String),
                         "x": _column(xs), "y": _column(ys)})


def _column(values: list) -> pl.Series:
    if all(_is_number(v) for v in values):
        return pl.Series([float(v) for v in values], dtype=pl.Float64)
    return pl.Series([_text(v) for v in values], dtype=pl.String)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if _is_number(value):
        number = float(value)
        return str(int(number)) if math.isfinite(number) and number.is_integer() else repr(number)
    return str(value)
