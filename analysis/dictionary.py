"""Data dictionaries: what every column of a CRM dataset is.

A dictionary is a TOML file, one per dataset (see the README, "Data dictionary").
It is parsed into frozen dataclasses; every problem found is collected and raised
together in one :class:`DictionaryError` that names the file, the column and the field.

Example
-------
>>> d = parse_dictionary('''
... [dataset]
... name = "demo"
... entity = "customers"
... key = "id"
... [columns.id]
... role = "other"
... [columns.age]
... role = "quasi_identifier"
... type = "integer"
... bounds = [17, 100]
... ''')
>>> d.columns_with_role("quasi_identifier")
('age',)
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from analysis.generalization import GENERALIZATIONS, LEVEL_WORDS, generalization_problem

__all__ = [
    "ROLES",
    "CATEGORIES",
    "TYPES",
    "ENTITIES",
    "ColumnSpec",
    "Dictionary",
    "DictionaryError",
    "parse_dictionary",
    "load_dictionary",
    "joint_problems",
]

#: What a column is, in privacy terms.
ROLES = (
    "direct_identifier",  # name, email, phone: pseudonymized at ingest, never stored raw
    "quasi_identifier",  # age, gender, postcode: identifying in combination
    "sensitive",  # health, financial distress: disclosure harms the person
    "behavioral",  # tracked behaviour: visits, purchases, amounts
    "consent",  # a consent flag for one purpose
    "treatment",  # the randomized campaign arm
    "outcome",  # what the campaign tries to cause
    "timestamp",  # when an event happened (events tables)
    "other",  # anything else (keys, technical columns)
)
#: What kind of personal data a column holds (drives breach cost per record).
CATEGORIES = (
    "contact",
    "demographic",
    "location",
    "financial",
    "health",
    "behavioral",
    "transactional",
    "other",
)
TYPES = ("integer", "float", "category", "boolean", "date", "timestamp", "text")
ENTITIES = ("customers", "events")
NUMERIC_TYPES = ("integer", "float")
#: the longest dataset or column name (a 100,000-character name is refused with a short message)
MAX_NAME = 200

_COLUMN_FIELDS = {
    "role",
    "category",
    "type",
    "bounds",
    "control",
    "positive",
    "primary",
    "purpose",
    "description",
    "generalize",
    "levels",
    "order",
    "changed_at",
    "notice",
    "values",
    "protected",
}
_DATASET_FIELDS = {"name", "entity", "key", "csv", "erased", "description", "source", "license", "table",
                   "ground_truth"}
_CSV_FIELDS = {"delimiter", "quote", "escape", "header", "encoding", "null"}


class DictionaryError(ValueError):
    """A data dictionary has one or more problems; ``problems`` lists them all."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Data dictionary {source} has {len(self.problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a dataset, as the dictionary declares it."""

    name: str
    #: one of :data:`ROLES`
    role: str
    #: one of :data:`CATEGORIES`, or None
    category: str | None = None
    #: one of :data:`TYPES`, or None (then read as text)
    type: str | None = None
    #: numeric domain bounds (low, high) for differential privacy; domain knowledge, never read from data
    bounds: tuple[float, float] | None = None
    #: treatment: the value meaning "not treated" (the control group)
    control: str | None = None
    #: outcome: the value that counts as success (for non-boolean outcomes)
    positive: str | None = None
    #: outcome: the one lift is measured on
    primary: bool = False
    #: consent: the purpose consented to ("personalization", "marketing", ...)
    purpose: str | None = None
    #: how a quasi-identifier is generalized: "band" (numeric), "prefix" (codes), "merge_rare", "top_code"
    generalize: str | None = None
    #: generalization levels: band widths, prefix lengths, rare-share thresholds or top-code caps, mildest first
    levels: tuple[float, ...] = ()
    #: ordered categories (for ordered t-closeness), lowest first
    order: tuple[str, ...] = ()
    #: the declared values of a categorical column (domain knowledge, like ``bounds``: never read from the data);
    #: differentially private models one-hot encode exactly these, and the ingest refuses any other value
    values: tuple[str, ...] = ()
    description: str = ""
    #: consent: the timestamp (or date) column of when the answer was last given or withdrawn
    changed_at: str | None = None
    #: plain words a customer notice uses for this column ("your age"); None: the category's words
    notice: str | None = None
    #: not secret, but not to be discriminated on (e.g. age, sex): audited for whom the targeting singles out
    #: (:mod:`analysis.fairness`) like every ``sensitive`` column
    protected: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def domain(self) -> tuple[str, ...]:
        """The declared categories (``values``, else ``order``); empty when none is declared."""
        return self.values or self.order


@dataclass(frozen=True)
class Dictionary:
    """A parsed data dictionary."""

    name: str
    entity: str
    columns: tuple[ColumnSpec, ...]
    key: str | None = None
    #: a column whose true values mark customers who asked for erasure; they are never stored
    erased: str | None = None
    csv: tuple[tuple[str, Any], ...] = ()
    description: str = ""
    source: str = ""
    license: str = ""
    #: where the dataset lives in a warehouse source (``--source``): a table name such as ``crm.customers``
    #: (schema-qualified), or on Spark a Parquet path; None: the store (ingested files)
    table: str | None = None
    #: synthetic data only: the warehouse table of the generator's ground truth (scores scenarios, never a feature)
    ground_truth: str | None = None
    #: sha256 of the TOML text the dictionary was parsed from
    sha256: str = ""
    #: the TOML text itself (stored with the data so the store is self-describing)
    text: str = field(default="", repr=False, compare=False)
    #: what the parser assumed for the user (an undeclared key or erasure flag), in words, for the ingest to report
    notes: tuple[str, ...] = field(default=(), compare=False)

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"Column {name!r} is not in the dictionary of dataset {self.name!r}.")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def columns_with_role(self, *roles: str) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.role in roles)

    def columns_in_category(self, *categories: str) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.category in categories)

    @property
    def csv_options(self) -> dict[str, Any]:
        return dict(self.csv)

    @property
    def timestamp_column(self) -> str | None:
        ts = self.columns_with_role("timestamp")
        return ts[0] if ts else None

    @property
    def primary_outcome(self) -> str | None:
        outs = [c for c in self.columns if c.role == "outcome"]
        for c in outs:
            if c.primary:
                return c.name
        binary = [c for c in outs if c.type in (None, "boolean", "category", "text", "integer")]
        return (binary or outs)[0].name if outs else None


def _as_tuple_of_str(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


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
        control = spec.get("control")
        if control is not None:
            if role != "treatment":
                problems.append(f"{where}: 'control' only applies to role 'treatment' (role is {role!r})")
            control = str(control).lower() if isinstance(control, bool) else str(control)
        if role == "treatment" and ctype in ("float", "date", "timestamp"):
            problems.append(f"{where}: a treatment's values are the names of its arms: declare it type 'category', "
                            f"'text', 'integer' or 'boolean', not {ctype!r}")
        if role == "treatment" and control is None:
            problems.append(f"{where}: a treatment column needs 'control' (the value meaning not treated)")
        positive = spec.get("positive")
        if positive is not None:
            if role != "outcome":
                problems.append(f"{where}: 'positive' only applies to role 'outcome' (role is {role!r})")
            positive = str(positive).lower() if isinstance(positive, bool) else str(positive)
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
            problems.append(f"{where}: 'primary' only applies to role 'outcome' (role is {role!r})")
        purpose = spec.get("purpose")
        if purpose is not None and role != "consent":
            problems.append(f"{where}: 'purpose' only applies to role 'consent' (role is {role!r})")
        if role == "consent" and ctype is None:
            ctype = "boolean"  # an answer is yes or no: read as true/false (text would never count as consent)
        elif role == "consent" and ctype in TYPES and ctype != "boolean":
            problems.append(f"{where}: a consent column holds yes/no answers: declare type 'boolean' (true/false), "
                            f"not {ctype!r}")
        if role == "consent" and not purpose:
            problems.append(f"{where}: a consent column needs 'purpose' (e.g. \"personalization\")")
        changed_at = spec.get("changed_at")
        if changed_at is not None and role != "consent":
            problems.append(f"{where}: 'changed_at' only applies to role 'consent' (role is {role!r})")
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
