"""Checking a new data dictionary against the datasets already stored beside it (identifiers and join keys).

Example
-------
>>> from analysis.dictionary import parse_dictionary
>>> a = parse_dictionary('[dataset]\\nname = "a"\\nkey = "id"\\n[columns.id]\\nrole = "other"\\ntype = "integer"')
>>> b = parse_dictionary('[dataset]\\nname = "b"\\nkey = "id"\\n[columns.id]\\nrole = "other"\\ntype = "text"')
>>> joint_problems(a, [a]), len(joint_problems(b, [a]))
([], 1)
"""

from __future__ import annotations

from typing import Sequence

from analysis.dictionary.spec import NUMERIC_TYPES, Dictionary

__all__ = ["joint_problems"]


def _key_kind(d: Dictionary) -> tuple[str, str]:
    """(how a dataset's key is stored, its type family): pseudonym or as is; number or text."""
    spec = d.column(d.key)
    return ("pseudonym" if spec.role == "direct_identifier" else "as is",
            "number" if spec.type in NUMERIC_TYPES else "text")


def joint_problems(new: Dictionary, stored: Sequence[Dictionary]) -> list[str]:
    """What makes ``new`` inconsistent with datasets already stored beside it (one sentence each).

    - A column that is a direct identifier in one dataset is one in every dataset (same name, any case):
      otherwise the raw values would be stored in the dataset that forgot to say so.
    - Keys are joined across datasets, so every key is treated the same way: pseudonymized on both sides or on
      neither, and of the same type family (numbers or text); otherwise the join silently matches nobody.

    >>> from analysis.dictionary import parse_dictionary
    >>> a = parse_dictionary('[dataset]\\nname = "a"\\nkey = "email"\\n[columns.email]\\nrole = "direct_identifier"')
    >>> b = parse_dictionary('[dataset]\\nname = "b"\\nkey = "email"\\n[columns.email]\\nrole = "other"')
    >>> print(joint_problems(b, [a])[0])
    column 'email' is a direct identifier in dataset 'a': declare it role = "direct_identifier" here too (it would be stored raw)
    """
    problems: list[str] = []
    for other in stored:
        if other.name == new.name:
            continue
        roles = {c.name.lower(): c for c in other.columns}
        for c in new.columns:
            o = roles.get(c.name.lower())
            if o is None or (o.role == "direct_identifier") == (c.role == "direct_identifier"):
                continue
            if o.role == "direct_identifier":
                problems.append(f"column {c.name!r} is a direct identifier in dataset {other.name!r}: declare it "
                                'role = "direct_identifier" here too (it would be stored raw)')
            else:
                problems.append(f"column {c.name!r} is a direct identifier here but role {o.role!r} in dataset "
                                f"{other.name!r}: a direct identifier is one in every dataset (re-ingest "
                                f"{other.name!r} with it declared so)")
        if new.key is not None and other.key is not None:
            (how, family), (other_how, other_family) = _key_kind(new), _key_kind(other)
            if how != other_how:
                problems.append(f"key {new.key!r} would be stored {how}, but key {other.key!r} of dataset "
                                f"{other.name!r} is stored {other_how}: a join key must be treated the same way "
                                "on both sides (give both the same role)")
            elif family != other_family:
                problems.append(f"key {new.key!r} is a {family} but key {other.key!r} of dataset {other.name!r} is "
                                f"a {other_family}: declare both keys with the same type")
    return list(dict.fromkeys(problems))
