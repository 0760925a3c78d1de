"""Parameter constraints of a scenario field, after scikit-learn's ``_param_validation``: each constraint checks a
value, says in words what it accepts (for the one message shape of :func:`analysis.errors.must_be`), and reads and
writes the value as text for a URL.

>>> Interval(float, 0, 1, closed="right").describe()
'a number in the range (0, 1]'
>>> Interval(float, 0, 1000, closed="right", none=True).check(None)
True
>>> Options(("a", "b")).describe()
"one of 'a', 'b'"
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

__all__ = ["Constraint", "Interval", "Options", "Boolean", "Text", "ListOf", "Generalizations", "Names"]


class Constraint:
    """What values a field accepts; ``to_text``/``from_text`` carry it in a URL."""

    none: bool = False

    def check(self, value: Any) -> bool:
        if value is None:
            return self.none
        return self._check(value)

    def describe(self) -> str:
        return self._describe() + (" or None" if self.none else "")

    def normalize(self, value: Any) -> Any:
        """The canonical form used by the fingerprint (e.g. floats for numbers, sorted lists)."""
        return value

    def to_text(self, value: Any) -> str:
        return "" if value is None else self._to_text(value)

    def from_text(self, text: str) -> Any:
        if self.none and text in ("", "none", "None"):
            return None
        return self._from_text(text)

    # subclasses
    def _check(self, value: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _to_text(self, value: Any) -> str:
        return str(value)

    def _from_text(self, text: str) -> Any:
        return text


def _is_number(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


@dataclass(frozen=True)
class Interval(Constraint):
    """A number (``int`` or ``float``) within [low, high], each end open or closed."""

    type: type
    low: float | None
    high: float | None
    closed: str = "both"  # both | left | right | neither
    none: bool = False

    def _check(self, value: Any) -> bool:
        if self.type is int:
            if not isinstance(value, Integral) or isinstance(value, bool):
                return False
        elif not _is_number(value) or not math.isfinite(float(value)):
            return False
        if self.low is not None:
            if value < self.low or (value == self.low and self.closed in ("right", "neither")):
                return False
        if self.high is not None:
            if value > self.high or (value == self.high and self.closed in ("left", "neither")):
                return False
        return True

    def _describe(self) -> str:
        what = "a whole number" if self.type is int else "a number"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        return f"{what} in the range {left}{lo}, {hi}{right}"

    def normalize(self, value: Any) -> Any:
        if value is None:
            return None
        return int(value) if self.type is int else float(value)

    def _to_text(self, value: Any) -> str:
        return str(int(value)) if self.type is int else f"{float(value):g}"

    def _from_text(self, text: str) -> Any:
        if self.type is int:
            if not text.strip().lstrip("-").isdigit():
                raise ValueError("not a whole number")
            return int(text)
        number = float(text)
        if not math.isfinite(number):
            raise ValueError("not a finite number")
        return number


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of strings."""

    options: tuple[str, ...]
    none: bool = False

    def _check(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.options

    def _describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)


@dataclass(frozen=True)
class Boolean(Constraint):
    none: bool = False

    def _check(self, value: Any) -> bool:
        return isinstance(value, bool)

    def _describe(self) -> str:
        return "true or false"

    def _to_text(self, value: Any) -> str:
        return "1" if value else "0"

    def _from_text(self, text: str) -> Any:
        if text not in ("0", "1"):
            raise ValueError("must be 0 or 1")
        return text == "1"


def _clean_text(value: str) -> bool:
    """No control or format characters (right-to-left overrides, zero-width joiners, NUL, newlines)."""
    return not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


@dataclass(frozen=True)
class Text(Constraint):
    """A string of printable characters (no control or bidirectional-override characters)."""

    max_length: int = 120
    empty: bool = False
    none: bool = False

    def _check(self, value: Any) -> bool:
        return (isinstance(value, str) and len(value) <= self.max_length and _clean_text(value)
                and (self.empty or bool(value.strip())))

    def _describe(self) -> str:
        first = "a string" if self.empty else "a non-empty string"
        return f"{first} of at most {self.max_length} printable characters (no control characters)"


@dataclass(frozen=True)
class ListOf(Constraint):
    """A list of strings among ``options`` (in the URL: comma-separated)."""

    options: tuple[str, ...]
    none: bool = False

    def _check(self, value: Any) -> bool:
        return isinstance(value, tuple) and all(isinstance(v, str) and v in self.options for v in value)

    def _describe(self) -> str:
        return "a list of values among " + ", ".join(self.options)

    def normalize(self, value: Any) -> Any:
        return sorted(value)

    def _to_text(self, value: Any) -> str:
        return ",".join(sorted(value))

    def _from_text(self, text: str) -> Any:
        return tuple(v.strip() for v in text.split(",") if v.strip())


@dataclass(frozen=True)
class Names(Constraint):
    """A list of column names (any characters but control ones; in the URL: a JSON list, so commas survive)."""

    max_length: int = 200
    none: bool = False

    def _check(self, value: Any) -> bool:
        return isinstance(value, tuple) and all(
            isinstance(v, str) and v and len(v) <= self.max_length and _clean_text(v) for v in value)

    def _describe(self) -> str:
        return "a list of column names"

    def normalize(self, value: Any) -> Any:
        return sorted(value)

    def _to_text(self, value: Any) -> str:
        return json.dumps(sorted(value), ensure_ascii=False, separators=(",", ":"))

    def _from_text(self, text: str) -> Any:
        value = json.loads(text)
        if not isinstance(value, list):
            raise ValueError("must be a JSON list of names")
        return tuple(value)


@dataclass(frozen=True)
class Generalizations(Constraint):
    """A list of ``(column, method, parameter > 0)`` with method among ``methods``."""

    methods: tuple[str, ...]
    none: bool = False

    def _check(self, value: Any) -> bool:
        return isinstance(value, tuple) and all(
            isinstance(g, tuple) and len(g) == 3 and isinstance(g[0], str) and g[0] and _clean_text(g[0])
            and g[1] in self.methods and _is_number(g[2]) and math.isfinite(g[2]) and g[2] > 0
            for g in value)

    def _describe(self) -> str:
        return f"a list of [column, method, parameter > 0] with method among {', '.join(self.methods)}"

    def normalize(self, value: Any) -> Any:
        return [[c, m, float(p)] for c, m, p in value]

    def _to_text(self, value: Any) -> str:
        return json.dumps([[c, m, p] for c, m, p in value], ensure_ascii=False, separators=(",", ":"))

    def _from_text(self, text: str) -> Any:
        value = json.loads(text)
        if not isinstance(value, list) or not all(isinstance(g, list) and len(g) == 3 for g in value):
            raise ValueError("must be a JSON list of [column, method, parameter]")
        return tuple(tuple(g) for g in value)
