"""The one message shape for a bad argument, as scikit-learn words it.

>>> must_be("epsilon", "Scenario 'x'", "a float in the range (0, 1000] or None", -1)
"The 'epsilon' parameter of Scenario 'x' must be a float in the range (0, 1000] or None. Got -1 instead."
>>> must_be("k", "train_and_measure", "a float share in (0, 1)", "1", show=str)
"The 'k' parameter of train_and_measure must be a float share in (0, 1). Got 1 instead."
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

__all__ = ["must_be", "short", "ProblemsError"]

#: the longest shown value in a message (a 100,000-character name is never echoed whole)
SHOWN = 60


def short(value: Any, show: Callable[[Any], str] = repr) -> str:
    """``show(value)`` cut to :data:`SHOWN` characters."""
    text = show(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def must_be(parameter: str, owner: str, requirement: str, got: Any, *, show: Callable[[Any], str] = repr) -> str:
    """``"The '<parameter>' parameter of <owner> must be <requirement>. Got <got> instead."``"""
    where = f" of {owner}" if owner else ""
    return f"The '{parameter}' parameter{where} must be {requirement}. Got {short(got, show)} instead."


class ProblemsError(ValueError):
    """An error that lists every problem found at once: ``problems`` holds them, the message gives ``head``, a
    colon and one problem a line (the dictionary's, the ingest's and the erasure's errors)."""

    def __init__(self, head: str, problems: Iterable[Any]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}:\n{lines}")
