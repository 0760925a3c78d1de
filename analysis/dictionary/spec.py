"""What a data dictionary declares: the vocabulary (roles, categories, types) and its frozen dataclasses.

:class:`Dictionary` holds one dataset's :class:`ColumnSpec` columns; :class:`DictionaryError` lists every problem
found in one. Parsing the TOML is :mod:`analysis.dictionary.parse`.

Example
-------
>>> d = Dictionary("demo", "customers", (ColumnSpec("id", "other"), ColumnSpec("age", "quasi_identifier",
...                                                                          type="integer")), key="id")
>>> d.columns_with_role("quasi_identifier"), d.column("age").is_numeric
(('age',), True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analysis.errors import ProblemsError

__all__ = ["ROLES", "CATEGORIES", "TYPES", "ENTITIES", "NUMERIC_TYPES", "ColumnSpec", "Dictionary", "DictionaryError"]

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


class DictionaryError(ProblemsError):
    """A data dictionary has one or more problems; ``problems`` lists them all."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        super().__init__(f"Data dictionary {source} has {len(problems)} problem(s)", problems)


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
