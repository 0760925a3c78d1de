"""Point labels that cannot overlap: placed in pixels, checked against every other label, marker and error bar.

A label is an annotation anchored to its point with a pixel offset, so its box moves with the point when the
figure is resized while its size stays the same. The figure's height is fixed (the plot area's height is exact);
only its width follows the page. A placement is accepted only when, at the *narrowest* plot area the chart
supports (:data:`MIN_PLOT_WIDTH`), each pair of boxes is separated along y, or along x **in the same order as
their anchor points** (or with anchors at the same x): such a gap only grows as the plot gets wider, so no overlap
appears at any larger width (a 1440 px page or a 390 px phone alike). Boxes must also lie inside the plot area at
that width, which again holds for every wider one.

Widths of text are estimated generously (per-character widths of DejaVu Sans, the widest of the fonts a browser
falls back to here, plus 10 %), so the boxes tested here contain the drawn text.

>>> boxes = place([Anchor(0.2, 0.5, 5.5)], [Label("Status quo", 0)], obstacles=[], width=240, height=300)
>>> boxes[0] is not None
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Anchor", "Label", "Box", "Obstacle", "text_width", "place", "overlap", "FONT_SIZE",
           "MIN_PLOT_WIDTH", "LABEL_HEIGHT"]

#: narrowest plot area (px) the labels are placed for: a 390 px phone less Streamlit's padding and the axes
MIN_PLOT_WIDTH = 240.0
FONT_SIZE = 12
#: an annotation's box: the text line (1.3 em, rounded up) and 1 px of padding each side, as plotly.js draws it
LABEL_HEIGHT = 18.0
#: space kept between a label and anything else (px)
GAP = 2.0
_PAD = 2.0

# widths in em of DejaVu Sans (digits and common punctuation; other characters use the widest common value)
_EM = {**{d: 0.64 for d in "0123456789"}, " ": 0.32, ",": 0.32, ".": 0.32, "·": 0.32, "(": 0.39, ")": 0.39,
       "-": 0.36, "=": 0.84, "%": 0.95, "i": 0.28, "l": 0.28, "j": 0.28, "t": 0.4, "f": 0.36, "r": 0.41,
       "m": 0.97, "w": 0.82, "W": 0.99, "M": 0.86}
_DEFAULT_EM = 0.66


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of the drawn width of one line of ``text`` in px."""
    return 1.1 * size * sum(_EM.get(c, 0.72 if c.isupper() else _DEFAULT_EM) for c in text)


@dataclass(frozen=True)
class Anchor:
    """A point in plot fractions (0–1 from the left, 0–1 from the bottom) and the half-size of its marker (px)."""

    fx: float
    fy: float
    half: float


@dataclass(frozen=True)
class Label:
    """Text to place next to anchor number ``anchor``."""

    text: str
    anchor: int

    @property
    def size(self) -> tuple[float, float]:
        return text_width(self.text) + 2 * _PAD, LABEL_HEIGHT


@dataclass(frozen=True)
class Box:
    """A box relative to its anchor: pixel offsets (x right, y **up**) of its edges, and the anchor's fractions."""

    fx: float
    fy: float
    x0: float
    x1: float
    y0: float
    y1: float
    #: how plotly draws it: xanchor, yanchor, xshift, yshift (an annotation at the anchor's data coordinates)
    xanchor: str = "center"
    yanchor: str = "middle"
    xshift: float = 0.0
    yshift: float = 0.0
    #: drawn with a leader line: the text is centred ``ax`` px right and ``ay`` px down from the point
    arrow: bool = False
    ax: float = 0.0
    ay: float = 0.0

    def at(self, width: float, height: float) -> tuple[float, float, float, float]:
        """Edges in px at a plot of ``width`` × ``height`` (x from the left, y from the bottom)."""
        px, py = self.fx * width, self.fy * height
        return px + self.x0, px + self.x1, py + self.y0, py + self.y1


@dataclass(frozen=True)
class Obstacle:
    """Something a label must not cover, anchored like a box: a marker, an error bar (as a thin box)."""

    box: Box


def overlap(a: Box, b: Box, width: float, height: float, gap: float = 0.0) -> bool:
    """Whether two boxes overlap (closer than ``gap``) at that plot size."""
    ax0, ax1, ay0, ay1 = a.at(width, height)
    bx0, bx1, by0, by1 = b.at(width, height)
    return not (ax1 + gap <= bx0 or bx1 + gap <= ax0 or ay1 + gap <= by0 or by1 + gap <= ay0)


def _apart_for_good(a: Box, b: Box, width: float, height: float) -> bool:
    """Separated along y (the height is fixed), or along x in the order of their anchors: then at every larger
    width too."""
    ax0, ax1, ay0, ay1 = a.at(width, height)
    bx0, bx1, by0, by1 = b.at(width, height)
    if ax1 + GAP <= bx0 and a.fx <= b.fx:
        return True
    if bx1 + GAP <= ax0 and b.fx <= a.fx:
        return True
    return ay1 + GAP <= by0 or by1 + GAP <= ay0


def _inside(box: Box, width: float, height: float) -> bool:
    x0, x1, y0, y1 = box.at(width, height)
    return x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height


def _candidates(anchor: Anchor, w: float, h: float, rings: int) -> list[Box]:
    """Spots around a marker, nearest first: right, left, above, below and the four corners, touching it; then
    up to three rings further out in twelve directions and, with ``rings`` > 4, farther spots straight above and
    below (past the error bars); the far ones are joined to their point by a leader line."""
    d = anchor.half + GAP + 1
    c = d * 0.7
    out = [Box(anchor.fx, anchor.fy, x0, x1, y0, y1, xa, ya, xs, ys) for x0, x1, y0, y1, xa, ya, xs, ys in (
        (d, d + w, -h / 2, h / 2, "left", "middle", d, 0.0),
        (-d - w, -d, -h / 2, h / 2, "right", "middle", -d, 0.0),
        (-w / 2, w / 2, d, d + h, "center", "bottom", 0.0, d),
        (-w / 2, w / 2, -d - h, -d, "center", "top", 0.0, -d),
        (c, c + w, c, c + h, "left", "bottom", c, c),
        (-c - w, -c, c, c + h, "right", "bottom", -c, c),
        (c, c + w, -c - h, -c, "left", "top", c, -c),
        (-c - w, -c, -c - h, -c, "right", "top", -c, -c),
    )]
    reaches = [(14.0 * ring, _ALL_WAYS) for ring in range(1, min(rings, 4))]
    # beyond, only up and down (past the error bars, which are vertical): the room left and right is the others'
    reaches += [(r, _UP_DOWN) for r in _FAR[:max(0, rings - 4) * 2]]
    for reach, angles in reaches:
        # the text's centre sits at (dx, dy) from the point: far enough that the text clears the marker
        for angle in angles:
            ux, uy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            dx = ux * (anchor.half + GAP + reach + w / 2)
            dy = uy * (anchor.half + GAP + reach + h / 2)
            out.append(Box(anchor.fx, anchor.fy, dx - w / 2, dx + w / 2, dy - h / 2, dy + h / 2,
                           arrow=True, ax=dx, ay=-dy))
    return out


_ALL_WAYS = (0, 180, 90, 270, 30, 150, 210, 330, 60, 120, 240, 300)
_UP_DOWN = (90, 270, 80, 100, 260, 280)
_FAR = (56.0, 72.0, 90.0, 110.0, 135.0, 165.0, 200.0, 240.0)


def place(anchors: Sequence[Anchor], labels: Sequence[Label], *, obstacles: Sequence[Obstacle],
          width: float = MIN_PLOT_WIDTH, height: float, rings: int = 1) -> list[Box | None]:
    """Place each label (in order, greedily) at the first spot around its anchor that keeps it apart for good
    from every label already placed and from every obstacle, inside the plot; None when no spot is free.

    ``width`` × ``height`` is the smallest plot area (px) the placement must hold for.
    """
    placed: list[Box] = []
    out: list[Box | None] = []
    for label in labels:
        anchor = anchors[label.anchor]
        w, h = label.size
        found = None
        for box in _candidates(anchor, w, h, rings):
            if not _inside(box, width, height):
                continue
            if all(_apart_for_good(box, o.box, width, height) for o in obstacles) and \
                    all(_apart_for_good(box, p, width, height) for p in placed):
                found = box
                break
        out.append(found)
        if found is not None:
            placed.append(found)
    return out


def marker_obstacle(anchor: Anchor) -> Obstacle:
    """The square a marker covers."""
    return Obstacle(Box(anchor.fx, anchor.fy, -anchor.half, anchor.half, -anchor.half, anchor.half))


def bar_obstacle(fx: float, fy_low: float, fy_high: float, height: float, half_width: float = 5.0) -> Obstacle:
    """An error bar from ``fy_low`` to ``fy_high`` (plot fractions) at ``fx`` on a plot ``height`` px tall, with
    its caps (``half_width`` px), as a box anchored at its middle."""
    mid = (fy_low + fy_high) / 2
    half = (fy_high - fy_low) / 2 * height
    return Obstacle(Box(fx, mid, -half_width, half_width, -half, half))
