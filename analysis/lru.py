"""A cache bounded in bytes: least-recently-used entries leave first, and the total of the entries' sizes never
exceeds the budget.

The size of an entry is measured once, when it is stored, by :func:`sizeof`: numpy arrays by their buffers
(``nbytes``; a view counts the array it keeps alive), polars frames and series by ``estimated_size()``, and
every other object by ``sys.getsizeof`` plus what its attributes and items hold, each object once per entry.
Buffers two entries share are counted in both, so the total is an upper bound of the memory the cache holds.

>>> cache = ByteLRU(max_bytes=1_000)
>>> cache.put("a", b"x" * 400)
>>> cache.put("b", b"y" * 400)
>>> cache.get("a") is not None   # "a" is now the most recently used
True
>>> cache.put("c", b"z" * 400)   # over the budget: the least recently used ("b") leaves
>>> sorted(cache), cache.total_bytes <= 1_000
(['a', 'c'], True)
"""

from __future__ import annotations

import sys
import threading
import types
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any, Callable, Hashable, Iterator

import numpy as np
import polars as pl

from analysis.errors import must_be

__all__ = ["ByteLRU", "sizeof"]

_ATOMS = (str, bytes, bytearray, int, float, complex, bool, type(None), memoryview)
#: code and classes are shared by every entry, never held by one
_SHARED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def sizeof(obj: Any) -> int:
    """Bytes ``obj`` holds (see the module docstring for how each kind is counted).

    >>> sizeof(np.zeros(1_000)) >= 8_000
    True
    """
    seen: set[int] = set()
    stack = [obj]
    total = 0
    while stack:
        o = stack.pop()
        if id(o) in seen or isinstance(o, _SHARED):
            continue
        seen.add(id(o))
        if isinstance(o, np.ndarray):
            if isinstance(o.base, np.ndarray):  # a view keeps its base alive: count the base (once)
                stack.append(o.base)
                continue
            total += sys.getsizeof(o) if o.base is None else o.nbytes + 112
            if o.dtype == object:
                stack.extend(o.ravel().tolist())
        elif isinstance(o, (pl.DataFrame, pl.Series)):
            total += int(o.estimated_size())
        elif isinstance(o, _ATOMS):
            total += sys.getsizeof(o)
        elif isinstance(o, dict):
            total += sys.getsizeof(o)
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            total += sys.getsizeof(o)
            stack.extend(o)
        else:
            total += sys.getsizeof(o)
            if hasattr(o, "__dict__"):
                stack.append(vars(o))
            for cls in type(o).__mro__:
                for slot in getattr(cls, "__slots__", ()):
                    if isinstance(slot, str) and slot not in ("__dict__", "__weakref__") and hasattr(o, slot):
                        stack.append(getattr(o, slot))
    return total


class ByteLRU(MutableMapping):
    """A thread-safe mapping of at most ``max_bytes`` (None: no bound) of entries by :func:`sizeof`; storing
    past the budget evicts the least recently used entries (a read with :meth:`get` or ``[]`` makes an entry the
    most recent). An entry larger than the whole budget is not kept (counted in ``rejected``).

    ``sizer`` measures an entry (default :func:`sizeof`, called once per stored entry, outside the lock)."""

    def __init__(self, max_bytes: int | None = None, *, sizer: Callable[[Any], int] = sizeof) -> None:
        if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int)
                                      or max_bytes <= 0):
            raise ValueError(must_be("max_bytes", "ByteLRU", "an int > 0 or None", max_bytes))
        self.max_bytes = max_bytes
        self._sizer = sizer
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.RLock()
        self.total_bytes = 0
        self.evictions = 0
        self.rejected = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                return default
            self._entries.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: Any) -> None:
        size = int(self._sizer(value))
        with self._lock:
            self._discard(key)
            if self.max_bytes is not None and size > self.max_bytes:
                self.rejected += 1
                return
            self._entries[key] = (value, size)
            self.total_bytes += size
            while self.max_bytes is not None and self.total_bytes > self.max_bytes:
                _, (_, freed) = self._entries.popitem(last=False)
                self.total_bytes -= freed
                self.evictions += 1

    def size_of(self, key: Hashable) -> int:
        """The bytes ``key``'s entry was measured at (KeyError when absent)."""
        with self._lock:
            return self._entries[key][1]

    def _discard(self, key: Hashable) -> None:
        item = self._entries.pop(key, None)
        if item is not None:
            self.total_bytes -= item[1]

    def __getitem__(self, key: Hashable) -> Any:
        missing = object()
        value = self.get(key, missing)
        if value is missing:
            raise KeyError(key)
        return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        self.put(key, value)

    def __delitem__(self, key: Hashable) -> None:
        with self._lock:
            if key not in self._entries:
                raise KeyError(key)
            self._discard(key)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def __iter__(self) -> Iterator[Hashable]:
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def namespace(self, prefix: str) -> "_Namespace":
        """A mapping view whose keys are stored as ``(prefix, key)`` (same budget, same recency order)."""
        return _Namespace(self, prefix)


class _Namespace(MutableMapping):
    def __init__(self, lru: ByteLRU, prefix: str) -> None:
        self._lru, self._prefix = lru, prefix

    def __getitem__(self, key):
        return self._lru[(self._prefix, key)]

    def __setitem__(self, key, value) -> None:
        self._lru.put((self._prefix, key), value)

    def __delitem__(self, key) -> None:
        del self._lru[(self._prefix, key)]

    def __iter__(self):
        return (k[1] for k in self._lru if isinstance(k, tuple) and len(k) == 2 and k[0] == self._prefix)

    def __len__(self) -> int:
        return sum(1 for _ in self)
