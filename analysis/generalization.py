"""Which generalization coarsens which column type, and what its levels must be.

A quasi-identifier is generalized by one of four methods (:func:`analysis.minimize.generalize_column` applies
them): numbers are banded or capped, codes and categories are cut to a prefix or have their rare values merged.
A yes/no column has nothing to coarsen. The data dictionary refuses a combination that cannot work when it is
read, and a scenario's explicit rules are refused when the scenario is checked against the dataset, both with
the words of :func:`generalization_problem` (issue 20: a boolean quasi-identifier under "Coarse demographics"
used to crash the model matrix).
"""

from __future__ import annotations

__all__ = ["GENERALIZATIONS", "GENERALIZABLE_TYPES", "LEVEL_WORDS", "generalization_problem"]

GENERALIZATIONS = ("band", "prefix", "merge_rare", "top_code")
_NUMBERS = ("integer", "float")  # analysis.dictionary.NUMERIC_TYPES
#: the column types each generalization applies to (None: no type declared, read as text)
GENERALIZABLE_TYPES = {
    "band": _NUMBERS,
    "top_code": _NUMBERS,
    "prefix": ("category", "text", None, "date", "timestamp"),
    "merge_rare": ("category", "text", None, "date", "timestamp"),
}
#: what the levels of each generalization are
LEVEL_WORDS = {"band": "band widths", "top_code": "caps", "prefix": "prefix lengths", "merge_rare": "rare shares"}


def generalization_problem(method: str, ctype: str | None, level: float | None = None) -> str | None:
    """Why generalization ``method`` (at ``level``, when given) cannot coarsen a column of type ``ctype``, in
    words; None when it can.

    >>> generalization_problem("band", "integer") is None
    True
    >>> generalization_problem("merge_rare", "boolean")
    "generalization 'merge_rare' does not apply to a yes/no column (type 'boolean'): it has nothing to coarsen"
    >>> generalization_problem("prefix", "text", 2.5)
    "the prefix lengths of generalization 'prefix' must be whole numbers of characters (1, 2, …); got 2.5"
    """
    if ctype not in GENERALIZABLE_TYPES[method]:
        if ctype == "boolean":
            return (f"generalization {method!r} does not apply to a yes/no column (type 'boolean'): "
                    "it has nothing to coarsen")
        if method in ("band", "top_code"):
            got = f"type {ctype!r}" if ctype else 'a column without a type (declare type "integer" or "float")'
            return f"generalization {method!r} needs a numeric column, not {got}"
        return (f"generalization {method!r} needs text, a category or a date, not type {ctype!r} (use 'band' or "
                "'top_code' for numbers, or declare codes such as ZIP codes as type \"text\")")
    if level is None:
        return None
    if method == "prefix" and (level < 1 or not float(level).is_integer()):
        return f"the prefix lengths of generalization 'prefix' must be whole numbers of characters (1, 2, …); got {level:g}"
    if method == "merge_rare" and not 0 < level < 1:
        return (f"the rare shares of generalization 'merge_rare' must be between 0 and 1 (0.05: values held by "
                f"under 5 % of customers); got {level:g}")
    return None
