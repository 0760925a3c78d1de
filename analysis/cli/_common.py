"""What every command shares: the one error shape (exit 2), progress on stderr, strict JSON output."""

from __future__ import annotations

import json
import sys

__all__ = ["_err", "_progress", "_dump"]


def _err(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


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
