"""Text that came from a user (dataset, column, scenario and reviewer names, purposes, file names), made safe to
show: every control and invisible format character (a right-to-left override U+202E, zero-width characters,
escape sequences of a terminal, …) is written as a visible escape, and a very long text is cut.

Used by the CLI for everything it prints and by the report renderers for every text they draw; the app's
``dashboard/safe_text.py`` adds Markdown escaping on top.

>>> plain("invoice\\u202efdp.exe")
'invoice\\\\u202efdp.exe'
>>> plain("\\x1b[31mred\\x1b[0m")
'\\\\x1b[31mred\\\\x1b[0m'
>>> plain("two\\nlines"), plain("two\\nlines", newlines=True)
('two\\\\nlines', 'two\\nlines')
>>> len(plain("x" * 100_000, limit=80))
80
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["plain", "UNSAFE_CATEGORIES"]

#: Unicode categories shown as escapes: controls, formats (bidi overrides, zero-width), private use, surrogates,
#: line and paragraph separators
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def plain(text: Any, *, limit: int | None = None, newlines: bool = False) -> str:
    """``text`` with unsafe characters escaped (newlines and tabs kept when ``newlines``), cut to ``limit``."""
    text = str(text)
    keep = "\n\t" if newlines else ""
    out = "".join(ch if ch in keep or unicodedata.category(ch) not in UNSAFE_CATEGORIES else _escape(ch)
                  for ch in text)
    if limit is not None and len(out) > limit:
        out = out[: max(limit - 1, 0)] + "…"
    return out
