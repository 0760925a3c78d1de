"""One way to write a figure for people, and one small-cell rule, used by the app, the reports, the CLI and the
charts alike.

>>> money(1_234_567), money(-12_400), money(950)
('$1.23M', '−$12.4K', '$950')
>>> money(1_401_014.92, interval=(1_150_000, 1_650_000))
'$1.4M'
>>> percent(0.6712), percent(0.0004), count(1234), count(3), count(3, suppress=False)
('67.1 %', '0.04 %', '1,234', '<5', '3')
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["SMALL_CELL", "is_small", "small", "count", "compact", "money", "percent", "number", "index", "signed", "years"]

#: counts of customers from 1 to SMALL_CELL − 1 are never shown (statistical disclosure control's usual
#: threshold of 5; a PrivacyLift policy)
SMALL_CELL = 5
MINUS = "−"  # U+2212 in text meant for people; numbers (not strings) go to widgets that colour deltas


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_small(n: Any) -> bool:
    """True for a count of 1 … SMALL_CELL − 1 customers (a cell to suppress)."""
    return _finite(n) and 0 < n < SMALL_CELL


def small(n: Any) -> Any:
    """``n``, or ``"<5"`` when it is a small cell (JSON-ready: numbers stay numbers)."""
    return f"<{SMALL_CELL}" if is_small(n) else n


def count(n: Any, *, suppress: bool = True) -> str:
    """A whole number with thousands separators; small cells as ``<5`` unless ``suppress=False``."""
    if not _finite(n):
        return "—" if not isinstance(n, str) else n
    if suppress and is_small(n):
        return f"<{SMALL_CELL}"
    return f"{n:,.0f}".replace("-", MINUS)


def _significant(amount: float, digits: int) -> str:
    text = f"{amount:.{digits}g}"
    if "e" in text:  # 1e+03 and the like: write it out
        text = f"{amount:.0f}"
    return text


def compact(value: Any, *, prefix: str = "", digits: int = 3) -> str:
    """``1_234_567 -> '1.23M'``: K, M, B, T with ``digits`` significant digits ("−" for negatives)."""
    if not _finite(value):
        return "—"
    sign = MINUS if value < 0 else ""
    amount = abs(float(value))
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= threshold * 0.9995:
            return f"{sign}{prefix}{_significant(amount / threshold, digits)}{suffix}"
    return f"{sign}{prefix}{amount:.{digits}g}" if amount < 100 else f"{sign}{prefix}{amount:.0f}"


def money(value: Any, *, interval: tuple[float, float] | None = None, currency: str = "$") -> str:
    """USD with K/M/B/T and three significant digits — or only as many as the interval supports: the digits
    that the interval's half-width does not blur (at least two)."""
    if not _finite(value):
        return "—"
    digits = 3
    amount = abs(float(value))
    if interval is not None and all(_finite(v) for v in interval) and amount > 0:
        half = abs(interval[1] - interval[0]) / 2
        if half > 0:
            digits = max(2, min(3, int(math.floor(math.log10(amount))) - int(math.floor(math.log10(half))) + 1))
    return compact(value, prefix=currency, digits=digits)


def percent(share: Any, *, digits: int | None = None) -> str:
    """A share (0.671) as ``"67.1 %"``; shares under 1 % keep one significant digit."""
    if not _finite(share):
        return "—"
    value = 100 * float(share)
    if digits is None:
        digits = 1 if abs(value) >= 1 or value == 0 else max(1, -int(math.floor(math.log10(abs(value)))))
    return f"{value:.{digits}f} %".replace("-", MINUS)


def number(value: Any, *, digits: int = 3) -> str:
    """A plain figure: three significant digits under 1,000, whole numbers above."""
    if not _finite(value):
        return "—"
    text = f"{value:,.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return text.replace("-", MINUS)


def index(value: Any) -> str:
    """A figure on a 0–100 scale (the exposure index and its parts), to one decimal place.

    >>> index(36.397), index(0.4233)
    ('36.4', '0.4')
    """
    if not _finite(value):
        return "—"
    return f"{float(value):.1f}".replace("-", MINUS)


def signed(text: str, value: float) -> str:
    """``text`` (a formatted absolute value) with + or − in front, by the sign of ``value``."""
    return ("+" if value >= 0 else MINUS) + text.lstrip("+-" + MINUS)


def years(n: int) -> str:
    """A number of years in words for people: "1 year", "3 years" (never "3 year(s)").

    >>> years(1), years(3)
    ('1 year', '3 years')
    """
    return f"{n:,} year" + ("" if n == 1 else "s")
