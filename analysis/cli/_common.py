"""What every command shares: the one error shape (exit 2), progress on stderr, strict JSON output, and
user text neutralized in everything printed (:func:`analysis.usertext.plain`: a right-to-left override or a
terminal escape in a dataset, column or scenario name is shown as an escape, never acted on)."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Iterator

from analysis.usertext import plain

__all__ = ["_err", "_progress", "_dump", "_say", "_warn", "environment_message", "neutralized_output"]

#: the longest error message printed (a 100,000-character name is never echoed whole)
MAX_MESSAGE = 4000


def _say(text: str = "", *, file=None) -> None:
    """Print one line (or several) of output, user text neutralized."""
    print(plain(text, newlines=True), file=file or sys.stdout)


def _err(message: str) -> int:
    print(f"error: {plain(message, newlines=True, limit=MAX_MESSAGE)}", file=sys.stderr)
    return 2


def _warn(message: str) -> None:
    print(f"warning: {plain(message, newlines=True, limit=MAX_MESSAGE)}", file=sys.stderr)


def _progress(message: str) -> None:
    print(f"… {plain(message)}", file=sys.stderr, flush=True)


class _Neutralizing:
    """A text stream whose every write has control and bidi characters escaped (JSON stays valid: such a
    character inside a JSON string becomes its own ``\\uXXXX`` escape)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(plain(text, newlines=True))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextmanager
def neutralized_output() -> Iterator[None]:
    """While a command runs, everything it prints (stdout and stderr) is neutralized: the class of bug where one
    forgotten ``print`` lets a right-to-left override or a terminal escape from a name through is closed here."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Neutralizing(saved[0]), _Neutralizing(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def environment_message(exc: OSError) -> str:
    """An operating-system error in words: what, on which file (never a traceback)."""
    if getattr(exc, "strerror", None) and getattr(exc, "filename", None):
        what = {13: "permission denied", 30: "the file system is read-only", 28: "the disk is full"}.get(
            exc.errno, exc.strerror.lower())
        return f"cannot use {exc.filename}: {what}. Nothing was changed."
    return str(exc) or type(exc).__name__


def _json_default(o):
    import numpy as np

    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.ndarray,)):
        return o.tolist()
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


def _dump(obj) -> str:
    return json.dumps(_finite(obj), indent=2, default=_json_default, ensure_ascii=False, allow_nan=False)


def _finite(obj):
    """NaN/inf → None so the JSON is strict."""
    import math

    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj
