"""Reading one data dictionary: parse its TOML, collect every problem, declare the columns it only names.

:func:`parse_dictionary` checks every field of ``[dataset]``, ``[dataset.csv]`` and each ``[columns.<name>]``
and raises one :class:`~analysis.dictionary.spec.DictionaryError` listing all problems; :func:`load_dictionary`
reads a file (errors name it).

Example
-------
>>> d = parse_dictionary('[dataset]\\nname = "demo"\\nkey = "id"\\n[columns.age]\\nrole = "quasi_identifier"')
>>> d.column_names, d.column("id").role
(('age', 'id'), 'direct_identifier')
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from pathlib import Path
from typing import Any

from analysis.dictionary.spec import (
    CATEGORIES,
    ENTITIES,
    NUMERIC_TYPES,
    ROLES,
    TYPES,
    ColumnSpec,
    Dictionary,
    DictionaryError,
)
from analysis.generalization import GENERALIZATIONS, LEVEL_WORDS, generalization_problem

__all__ = ["parse_dictionary", "load_dictionary", "MAX_NAME", "IMPLIED_KEY", "IMPLIED_ERASED"]

#: the longest dataset or column name (a 100,000-character name is refused with a short message)
MAX_NAME = 200

_COLUMN_FIELDS = {"role", "category", "type", "bounds", "control", "positive", "primary", "purpose", "description",
                  "generalize", "levels", "order", "changed_at", "notice", "values", "protected"}
_DATASET_FIELDS = {"name", "entity", "key", "csv", "erased", "description", "source", "license", "table",
                   "ground_truth"}
_CSV_FIELDS = {"delimiter", "quote", "escape", "header", "encoding", "null"}


def _as_tuple_of_str(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _only_for(where: str, name: str, owner: str, role: Any) -> str:
    return f"{where}: {name!r} only applies to role {owner!r} (role is {role!r})"


def _role_value(spec: dict, name: str, owner: str, role: Any, where: str, problems: list[str]) -> str | None:
    """A column's 'control' or 'positive' value as text (TOML true/false read as "true"/"false"), a field of
    columns of role ``owner`` only."""
    value = spec.get(name)
    if value is None:
        return None
    if role != owner:
        problems.append(_only_for(where, name, owner, role))
    return str(value).lower() if isinstance(value, bool) else str(value)


def parse_dictionary(text: str, *, source: str = "<text>") -> Dictionary:
    """Parse the TOML text of a data dictionary; raise :class:`DictionaryError` listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DictionaryError(source, [f"not valid TOML: {exc}"]) from None
    problems: list[str] = []
    ds = raw.get("dataset")
    if not isinstance(ds, dict):
        problems.append("missing [dataset] table (with name and entity)")
        ds = {}
    for k in sorted(set(ds) - _DATASET_FIELDS):
        problems.append(f"[dataset]: unknown field {k!r} (known: {', '.join(sorted(_DATASET_FIELDS))})")
    name = ds.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("[dataset]: 'name' must be a non-empty string")
        name = ""
    elif len(name) > MAX_NAME:
        problems.append(f"[dataset]: 'name' must be at most {MAX_NAME} characters; got {len(name):,}")
        name = name[:MAX_NAME]
    entity = ds.get("entity", "customers")
    if entity not in ENTITIES:
        problems.append(f"[dataset]: 'entity' must be one of {', '.join(ENTITIES)}; got {entity!r}")
    key = ds.get("key")
    if key is not None and not isinstance(key, str):
        problems.append(f"[dataset]: 'key' must be a column name; got {key!r}")
        key = None
    erased = ds.get("erased")
    if erased is not None and not isinstance(erased, str):
        problems.append(f"[dataset]: 'erased' must be a column name; got {erased!r}")
        erased = None
    for field_name in ("table", "ground_truth"):
        value = ds.get(field_name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problems.append(f"[dataset]: {field_name!r} must be a table name such as \"crm.customers\"; got {value!r}")
    csv = ds.get("csv", {})
    if not isinstance(csv, dict):
        problems.append("[dataset.csv] must be a table")
        csv = {}
    for k in sorted(set(csv) - _CSV_FIELDS):
        problems.append(f"[dataset.csv]: unknown field {k!r} (known: {', '.join(sorted(_CSV_FIELDS))})")
    if "header" in csv and not isinstance(csv["header"], bool):
        problems.append(f"[dataset.csv]: 'header' must be true or false; got {csv['header']!r}")
    for opt in ("quote", "escape"):
        if opt in csv and (not isinstance(csv[opt], str) or len(csv[opt]) > 1):
            problems.append(f"[dataset.csv]: '{opt}' must be one character (or \"\" for none); got {csv[opt]!r}")
    if "null" in csv and not isinstance(csv["null"], str):
        problems.append(f"[dataset.csv]: 'null' must be a string (the text that means missing); got {csv['null']!r}")
    if "encoding" in csv and (not isinstance(csv["encoding"], str)
                              or csv["encoding"].lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig")):
        problems.append(f"[dataset.csv]: 'encoding' must be \"utf-8\" (convert other encodings first); "
                        f"got {csv['encoding']!r}")
    if "delimiter" in csv and (not isinstance(csv["delimiter"], str) or len(csv["delimiter"]) != 1):
        problems.append(f"[dataset.csv]: 'delimiter' must be one character; got {csv['delimiter']!r}")
    elif csv.get("delimiter") is not None and csv.get("delimiter") == csv.get("quote", '"'):
        problems.append(f"[dataset.csv]: 'delimiter' and 'quote' cannot be the same character ({csv['delimiter']!r})")

    cols_raw = raw.get("columns")
    if not isinstance(cols_raw, dict) or not cols_raw:
        problems.append("no [columns.<name>] tables: the dictionary must declare at least one column")
        cols_raw = {}
    for k in sorted(set(raw) - {"dataset", "columns"}):
        problems.append(f"unknown top-level table {k!r} (expected [dataset] and [columns.<name>])")

    columns: list[ColumnSpec] = []
    for cname, spec in cols_raw.items():
        where = f"column {cname!r}"
        if len(cname) > MAX_NAME:
            problems.append(f"column {cname[:40]!r}…: a column name must be at most {MAX_NAME} characters; got "
                            f"{len(cname):,}")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be a table like [columns.{cname}] with a 'role'")
            continue
        for k in sorted(set(spec) - _COLUMN_FIELDS):
            problems.append(f"{where}: unknown field {k!r} (known: {', '.join(sorted(_COLUMN_FIELDS))})")
        role = spec.get("role")
        if role is None:
            problems.append(f"{where}: missing 'role' (one of: {', '.join(ROLES)})")
        elif role not in ROLES:
            problems.append(f"{where}: unknown role {role!r} (one of: {', '.join(ROLES)})")
        category = spec.get("category")
        if category is not None and category not in CATEGORIES:
            problems.append(f"{where}: unknown category {category!r} (one of: {', '.join(CATEGORIES)})")
        ctype = spec.get("type")
        if ctype is not None and ctype not in TYPES:
            problems.append(f"{where}: unknown type {ctype!r} (one of: {', '.join(TYPES)})")
        bounds = spec.get("bounds")
        bounds_t: tuple[float, float] | None = None
        if bounds is not None:
            ok = (
                isinstance(bounds, list)
                and len(bounds) == 2
                and all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds)
            )
            if not ok:
                problems.append(f"{where}: 'bounds' must be [low, high] numbers; got {bounds!r}")
            elif bounds[0] >= bounds[1]:
                problems.append(f"{where}: 'bounds' low ({bounds[0]}) must be below high ({bounds[1]})")
            else:
                bounds_t = (float(bounds[0]), float(bounds[1]))
            if ctype is not None and ctype not in NUMERIC_TYPES:
                problems.append(f"{where}: 'bounds' only apply to integer or float columns, not {ctype!r}")
        control = _role_value(spec, "control", "treatment", role, where, problems)
        if role == "treatment" and ctype in ("float", "date", "timestamp"):
            problems.append(f"{where}: a treatment's values are the names of its arms: declare it type 'category', "
                            f"'text', 'integer' or 'boolean', not {ctype!r}")
        if role == "treatment" and control is None:
            problems.append(f"{where}: a treatment column needs 'control' (the value meaning not treated)")
        positive = _role_value(spec, "positive", "outcome", role, where, problems)
        if role == "outcome" and positive is None and (ctype is None or ctype in TYPES) and ctype not in (
                "boolean", *NUMERIC_TYPES):
            what = f"of type {ctype!r}" if ctype else "without a type (read as text)"
            problems.append(f"{where}: an outcome {what} needs 'positive' (the value that counts as success, e.g. "
                            "\"yes\"): only yes/no and number outcomes are read without it")
        primary = spec.get("primary", False)
        if not isinstance(primary, bool):
            problems.append(f"{where}: 'primary' must be true or false")
            primary = False
        if primary and role != "outcome":
            problems.append(_only_for(where, "primary", "outcome", role))
        purpose = spec.get("purpose")
        if purpose is not None and role != "consent":
            problems.append(_only_for(where, "purpose", "consent", role))
        if role == "consent" and ctype is None:
            ctype = "boolean"  # an answer is yes or no: read as true/false (text would never count as consent)
        elif role == "consent" and ctype in TYPES and ctype != "boolean":
            problems.append(f"{where}: a consent column holds yes/no answers: declare type 'boolean' (true/false), "
                            f"not {ctype!r}")
        if role == "consent" and not purpose:
            problems.append(f"{where}: a consent column needs 'purpose' (e.g. \"personalization\")")
        changed_at = spec.get("changed_at")
        if changed_at is not None and role != "consent":
            problems.append(_only_for(where, "changed_at", "consent", role))
        if changed_at is not None and not isinstance(changed_at, str):
            problems.append(f"{where}: 'changed_at' must be the name of a timestamp column; got {changed_at!r}")
            changed_at = None
        notice = spec.get("notice")
        if notice is not None and (not isinstance(notice, str) or not notice.strip() or len(notice) > 120):
            problems.append(f"{where}: 'notice' must be plain words of at most 120 characters (e.g. \"your age\"); "
                            f"got {notice!r}")
            notice = None
        generalize = spec.get("generalize")
        if generalize is not None and generalize not in GENERALIZATIONS:
            problems.append(f"{where}: unknown generalization {generalize!r} (one of: {', '.join(GENERALIZATIONS)})")
        levels = spec.get("levels", [])
        if not isinstance(levels, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in levels
        ):
            problems.append(f"{where}: 'levels' must be a list of positive numbers; got {levels!r}")
            levels = []
        if generalize in GENERALIZATIONS and ctype in TYPES + (None,):
            problem = generalization_problem(generalize, ctype) or next(
                filter(None, (generalization_problem(generalize, ctype, v) for v in levels)), None)
            if problem is None and not levels and generalize in ("prefix", "top_code"):
                problem = (f"generalization {generalize!r} needs 'levels' ({LEVEL_WORDS[generalize]}, mildest "
                           "first): there is no default")
            if problem is not None:
                problems.append(f"{where}: {problem}")
        protected = spec.get("protected", False)
        if not isinstance(protected, bool):
            problems.append(f"{where}: 'protected' must be true or false; got {protected!r}")
            protected = False
        order = spec.get("order", [])
        if not isinstance(order, list):
            problems.append(f"{where}: 'order' must be a list of values, lowest first")
            order = []
        values = spec.get("values", [])
        if not isinstance(values, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                   for v in values):
            problems.append(f"{where}: 'values' must be a list of the column's categories; got {values!r}")
            values = []
        elif len(set(map(str, values))) != len(values):
            problems.append(f"{where}: 'values' lists a category more than once")
        elif values and (ctype in NUMERIC_TYPES or ctype in ("boolean", "date", "timestamp")):
            problems.append(f"{where}: 'values' only apply to category or text columns, not {ctype!r}")
        elif values and order and set(map(str, order)) - set(map(str, values)):
            problems.append(f"{where}: every value of 'order' must be among 'values'")
        columns.append(
            ColumnSpec(
                name=str(cname),
                role=str(role),
                category=category,
                type=ctype,
                bounds=bounds_t,
                control=control,
                positive=positive,
                primary=primary,
                purpose=purpose,
                generalize=generalize,
                levels=tuple(float(v) for v in levels),
                order=_as_tuple_of_str(order),
                values=_as_tuple_of_str(values),
                description=str(spec.get("description", "")),
                changed_at=changed_at,
                notice=notice,
                protected=protected,
            )
        )
    by_name = {c.name: c for c in columns}
    for c in columns:
        if c.changed_at is None:
            continue
        target = by_name.get(c.changed_at)
        if target is None:
            problems.append(f"column {c.name!r}: changed_at column {c.changed_at!r} is not declared under [columns]")
        elif target.type not in ("timestamp", "date") or target.role != "other":
            problems.append(f"column {c.changed_at!r}: the changed_at column of {c.name!r} must have role 'other' and "
                            f"type 'timestamp' or 'date' (role {target.role!r}, type {target.type!r})")
    columns, notes = _implied_columns(columns, key, erased)
    if erased is not None and erased == key:
        problems.append(f"[dataset]: the erased flag {erased!r} cannot be the key column")
    elif erased is not None:
        etype = next(c.type for c in columns if c.name == erased)
        if etype not in (None, "boolean"):
            problems.append(f"column {erased!r}: the erased flag column must have type 'boolean', not {etype!r}")
    if entity == "events":
        if key is None:
            problems.append("[dataset]: an events dataset needs 'key' (the customer key it joins on)")
        if not any(c.role == "timestamp" for c in columns):
            problems.append("an events dataset needs one column with role 'timestamp'")
    if sum(1 for c in columns if c.role == "outcome" and c.primary) > 1:
        problems.append("more than one outcome column is marked primary = true")
    if sum(1 for c in columns if c.role == "treatment") > 1:
        problems.append("more than one treatment column: declare one (its values are the arms)")
    if key is not None and any(c.name == key and c.role not in ("other", "direct_identifier") for c in columns):
        problems.append(f"column {key!r}: the key column must have role 'other' or 'direct_identifier'")
    if problems:
        raise DictionaryError(source, problems)
    return Dictionary(
        name=name,
        entity=entity,
        columns=tuple(columns),
        key=key,
        erased=erased,
        csv=tuple(sorted(csv.items())),
        description=str(ds.get("description", "")),
        source=str(ds.get("source", "")),
        license=str(ds.get("license", "")),
        table=ds.get("table") if isinstance(ds.get("table"), str) else None,
        ground_truth=ds.get("ground_truth") if isinstance(ds.get("ground_truth"), str) else None,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        notes=tuple(notes),
    )


#: the description of a key that the dictionary names but does not declare under [columns]
IMPLIED_KEY = "The dataset key, not declared under [columns]: treated as an identifier (pseudonymized)."
#: the description of an erasure flag that the dictionary names but does not declare under [columns]
IMPLIED_ERASED = "The erasure flag, not declared under [columns]: read as true/false, never stored."


def _implied_columns(columns: list[ColumnSpec], key: str | None,
                     erased: str | None) -> tuple[list[ColumnSpec], list[str]]:
    """A ``key`` or ``erased`` column named in [dataset] but not declared under [columns] is declared for the
    user: the key as a direct identifier (stored as a keyed pseudonym), the erasure flag as a boolean. Returns the
    columns and one note per column so declared (the ingest reports them)."""
    names = {c.name for c in columns}
    notes = []
    if key is not None and key not in names:
        columns = [*columns, ColumnSpec(name=key, role="direct_identifier", type="text", description=IMPLIED_KEY)]
        table = key if key.replace("_", "").replace("-", "").isalnum() else '"' + key.replace('"', '\\"') + '"'
        notes.append(f"key column {key!r} is not declared under [columns]: it is treated as an identifier and "
                     f"stored as a keyed pseudonym (declare [columns.{table}] with role = \"other\" to keep it "
                     "as is)")
    if erased is not None and erased not in names and erased != key:
        columns = [*columns, ColumnSpec(name=erased, role="other", type="boolean", description=IMPLIED_ERASED)]
        notes.append(f"erased column {erased!r} is not declared under [columns]: it is read as true/false and "
                     "never stored")
    return columns, notes


def load_dictionary(path: str | Path) -> Dictionary:
    """Read and parse a dictionary file; errors name the file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DictionaryError(str(p), [f"cannot read the file: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DictionaryError(str(p), [f"not UTF-8 text (byte {exc.start})"]) from None
    return parse_dictionary(text, source=str(p))
