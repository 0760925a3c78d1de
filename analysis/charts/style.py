"""Palette, number formats, checks and layout helpers shared by every chart.

Theme decision: figures carry the empty plotly template ``"none"``. In the app,
``st.plotly_chart(fig, theme="streamlit")`` then applies Streamlit's own template,
so backgrounds, fonts and grids follow the light or dark theme; in notebooks,
HTML reports and PNG exports plotly.js' neutral defaults apply (white background,
dark grey text). The empty template also keeps the figure JSON small (plotly's
default template alone is ~8 KB). Colours are set only on data (Okabe–Ito, which
reads on white and on dark backgrounds) and on neutral greys for baselines.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import polars as pl

from analysis.formatting import compact, money

#: Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable
#: with the common forms of colour-vision deficiency.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order used for series (scenarios). Black is left out (invisible on a dark
#: theme) and yellow comes last (weak on white).
SERIES_COLORS = (
    PALETTE["blue"],
    PALETTE["orange"],
    PALETTE["bluish_green"],
    PALETTE["reddish_purple"],
    PALETTE["sky_blue"],
    PALETTE["vermillion"],
    PALETTE["yellow"],
)
def _preset_color_order() -> tuple[str, ...]:
    """Preset scenarios in the order they take colours: the status quo and the last preset ("Privacy first", the
    pair the Compare page opens with) first, then the others in their registry order."""
    from analysis.scenario.presets import PRESETS

    names = [p.name for p in PRESETS]
    return (names[0], names[-1], *names[1:-1])


def scenario_color(name: str) -> str:
    """The colour a scenario prefers: presets by :func:`_preset_color_order`, any other name by a hash of the
    name (sha256, so the same in every process). :func:`scenario_colors` gives a chart its colours."""
    name, order = str(name), _preset_color_order()
    if name in order:
        return SERIES_COLORS[order.index(name) % len(SERIES_COLORS)]
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return SERIES_COLORS[int.from_bytes(digest[:4], "big") % len(SERIES_COLORS)]


def scenario_colors(names: Sequence[object]) -> dict[str, str]:
    """One colour per scenario of a chart, the same in every chart (app, report, notebook) that shows it.

    Each scenario takes its preferred colour (:func:`scenario_color`); when two scenarios of the same chart prefer
    the same colour, the one first in a fixed order (presets in :func:`_preset_color_order`, then other names
    alphabetically — never the order they are drawn in) keeps it and the other takes the next free colour. So the
    charts of one page, which show the same scenarios, agree, and a scenario keeps its colour across pages unless
    it meets another that prefers the same one. Beyond seven scenarios colours repeat.

    >>> scenario_colors(["Privacy first", "Status quo (full data)"]) == {
    ...     "Status quo (full data)": SERIES_COLORS[0], "Privacy first": SERIES_COLORS[1]}
    True
    """
    unique = list(dict.fromkeys(str(n) for n in names))
    order = _preset_color_order()
    rank = {n: (0, order.index(n), n) if n in order else (1, 0, n) for n in unique}
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in sorted(unique, key=rank.__getitem__):
        preferred = scenario_color(name)
        start = SERIES_COLORS.index(preferred)
        free = [SERIES_COLORS[(start + i) % len(SERIES_COLORS)] for i in range(len(SERIES_COLORS))]
        color = next((c for c in free if c not in taken), preferred)
        taken.add(color)
        out[name] = color
        if len(taken) == len(SERIES_COLORS):
            taken = set()
    return {n: out[n] for n in unique}


GAIN_COLOR = PALETTE["bluish_green"]
RISK_COLOR = PALETTE["vermillion"]
TOTAL_COLOR = PALETTE["blue"]
#: Mid grey: readable on white and on Streamlit's dark background.
NEUTRAL_COLOR = "#8C8C8C"
TEMPLATE = "none"
MAX_CURVE_POINTS = 201
SIGNIFICANT_DIGITS = 4


# --------------------------------------------------------------------------- checks
def check_frame(data: object, *, name: str, chart: str, columns: Sequence[str],
                numeric: Sequence[str] = (), nullable: Sequence[str] = ()) -> pl.DataFrame:
    """Check that ``data`` is a polars frame with ``columns``; numeric ones numeric, no nulls
    (except in ``nullable`` columns, where null or NaN means "not available")."""
    if not isinstance(data, pl.DataFrame):
        raise ValueError(
            f"The '{name}' parameter of {chart} must be a polars DataFrame. "
            f"Got {type(data).__name__} instead."
        )
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"The '{name}' parameter of {chart} must have the column '{missing[0]}'. "
            f"Got columns {list(data.columns)} instead."
        )
    for column in numeric:
        if column not in data.columns:
            continue
        dtype = data.schema[column]
        if not (dtype.is_numeric() or dtype in (pl.Boolean, pl.Null)):
            raise ValueError(
                f"The '{column}' column of '{name}' in {chart} must be numeric. Got {dtype} instead."
            )
        if column in nullable:
            continue
        if data[column].null_count() or (dtype.is_float() and data[column].is_nan().any()):
            raise ValueError(
                f"The '{column}' column of '{name}' in {chart} must have no missing values. "
                f"Got {data[column].null_count() + int(dtype.is_float() and data[column].is_nan().sum())} "
                "missing instead."
            )
    return data


def check_choice(value: object, *, name: str, chart: str, choices: Sequence[object]) -> None:
    if value not in choices:
        raise ValueError(
            f"The '{name}' parameter of {chart} must be one of {list(choices)}. Got {value!r} instead."
        )


# ------------------------------------------------------------------------- numbers
def round_sig(values: object, digits: int = SIGNIFICANT_DIGITS) -> list[float]:
    """Round to ``digits`` significant figures (vectorized) and return plain floats."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        return []
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.where(array == 0, 0, np.floor(np.log10(np.abs(array))))
    factor = 10.0 ** (digits - 1 - magnitude)
    rounded = np.round(array * factor) / factor
    rounded = np.where(np.isfinite(array), rounded, array)
    return rounded.tolist()


def downsample_index(length: int, max_points: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread points, first and last kept."""
    if length <= max_points:
        return np.arange(length)
    return np.unique(np.round(np.linspace(0, length - 1, max_points)).astype(int))


def format_number(value: float, *, prefix: str = "") -> str:
    """``1_234_567 -> '1.23M'`` (:func:`analysis.formatting.compact`; "n/a" when not finite)."""
    return compact(value, prefix=prefix) if math.isfinite(value) else "n/a"


def format_money(value: float) -> str:
    """``1_234_567 -> '$1.23M'`` (:func:`analysis.formatting.money`)."""
    return money(value) if math.isfinite(value) else "n/a"


def format_moneys(values: object) -> list[str]:
    """Money labels for a short array (axis ticks, ≤ a few hundred hover labels)."""
    return [format_money(v) for v in np.asarray(values, dtype=float).tolist()]


def log_ticks(low: float, high: float, *, money: bool = False) -> tuple[list[float], list[str]]:
    """Tick positions 1-2-5 × 10^d covering [low, high] (> 0), labelled '1.2M' or '$1.2M'."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    decades = 10.0 ** np.arange(first, last + 1)
    steps = (1.0,) if last - first > 4 else (1.0, 2.0, 5.0)
    ticks = np.sort(np.outer(decades, steps).ravel())
    ticks = ticks[(ticks >= low / 1.0001) & (ticks <= high * 1.0001)]
    if ticks.size < 2:
        ticks = np.array(round_sig([low, high], 2))
    if money:
        return ticks.tolist(), format_moneys(ticks)
    return ticks.tolist(), [f"{t:g}" if t < 1e3 else format_number(t) for t in ticks.tolist()]


def log_money_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick positions 1-2-5 × 10^d covering [low, high] (> 0), labelled '$1.2M'."""
    return log_ticks(low, high, money=True)


def linear_money_ticks(low: float, high: float, count: int = 6) -> tuple[list[float], list[str]]:
    """About ``count`` round tick positions over [low, high], labelled '$1.2M'."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = np.arange(math.floor(low / step), math.ceil(high / step) + 1) * step
    return round_sig(ticks, 6), format_moneys(ticks)


# -------------------------------------------------------------------------- layout
def new_figure(title: str, *, x_title: str, y_title: str, height: int = 480) -> go.Figure:
    fig = go.Figure()
    style(fig, title, height=height)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


#: a title line holds at most this many characters, so a title reads on a phone (about 360 px) without clipping
TITLE_CHARS = 40
_TITLE_LINE = 21  # px per line of a 16 px title


def wrap_title(title: str, width: int = TITLE_CHARS) -> list[str]:
    """Lines of at most ``width`` characters, broken between words (explicit ``<br>`` breaks are kept).

    >>> wrap_title("Engagement gain against exposure risk: the best trade-offs lie on the line")
    ['Engagement gain against exposure risk:', 'the best trade-offs lie on the line']
    """
    lines: list[str] = []
    for part in str(title).split("<br>"):
        line = ""
        for word in part.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


def title_margin(title: str) -> int:
    """The top margin (px) a wrapped title needs, with room for a one-line hint just above the plot."""
    return 34 + _TITLE_LINE * len(wrap_title(title)) + 8


def style(fig: go.Figure, title: str, *, height: int = 480) -> go.Figure:
    top = title_margin(title)
    fig.update_layout(
        template=TEMPLATE,
        title={"text": "<br>".join(wrap_title(title)), "x": 0.01, "xanchor": "left", "yref": "container", "y": 1,
               "yanchor": "top", "pad": {"t": 16}, "font": {"size": 16}},
        height=height,
        margin={"l": 70, "r": 30, "t": top, "b": 110},
        # the legend sits below the x-axis title whatever the figure's height (a fixed ~75 px under the plot)
        legend={"orientation": "h", "yanchor": "top", "y": -min(0.6, 75 / max(height - top - 110, 1)), "x": 0},
        hoverlabel={"namelength": -1},
    )
    fig.update_xaxes(showgrid=True, gridcolor="rgba(140,140,140,0.25)", zeroline=False, automargin=True)
    fig.update_yaxes(showgrid=True, gridcolor="rgba(140,140,140,0.25)", zeroline=False, automargin=True)
    return fig


#: px per row of a vertical legend (12 px text), as plotly.js draws it
LEGEND_ROW = 19


def legend_below(fig: go.Figure, *, rows: int, plot_height: int, below_axis: int = 75,
                 extra_top: int = 0) -> go.Figure:
    """A vertical legend under the x-axis title, one entry a row, and a figure tall enough for a plot area of
    ``plot_height`` px plus that legend: its height is the same at any width (a horizontal legend wraps into
    more rows on a phone and squeezes the plot)."""
    top = int(fig.layout.margin.t or 80) + extra_top
    bottom = below_axis + rows * LEGEND_ROW + 16
    fig.update_layout(height=top + plot_height + bottom, margin={"t": top, "b": bottom},
                      legend={"orientation": "v", "yanchor": "top", "y": -below_axis / plot_height, "x": 0,
                              "xanchor": "left", "font": {"size": 12}, "tracegroupgap": 0})
    return fig


def note_lines(text: str, width: int = 56) -> list[str]:
    """A hint broken into lines of at most ``width`` characters (it must read on a phone)."""
    return wrap_title(text, width)


def empty_figure(title: str, message: str = "No data to show yet.") -> go.Figure:
    """A figure that says there is nothing to draw (pages show it as their empty state)."""
    fig = go.Figure()
    style(fig, title, height=300)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": 16})
    return fig


def note(fig: go.Figure, text: str, *, x: float, y: float, xanchor: str = "left",
         yanchor: str = "bottom", name: str | None = None, strong: bool = False, width: int = 44) -> None:
    """A plain-language hint in paper coordinates (e.g. "← less exposure"), broken into lines of at most
    ``width`` characters so it reads on a phone.

    ``strong`` hints are bold in the theme's text colour; others are small and grey. A hint above the plot that
    takes more than one line makes the top margin (and the figure) taller by those lines, so the plot keeps its
    height and the hint stays clear of the title.
    """
    lines = wrap_title(text, width)
    font = {"size": 13} if strong else {"size": 12, "color": NEUTRAL_COLOR}
    text = "<br>".join(lines)
    fig.add_annotation(text=f"<b>{text}</b>" if strong else text, x=x, y=y, xref="paper", yref="paper",
                       showarrow=False, xanchor=xanchor, yanchor=yanchor, font=font, name=name)
    if y >= 1 and yanchor == "bottom" and len(lines) > 1:
        extra = _NOTE_LINE * (len(lines) - 1)
        fig.update_layout(margin={"t": int(fig.layout.margin.t or 80) + extra},
                          height=int(fig.layout.height or 480) + extra)


_NOTE_LINE = 16
