"""The CRM as the analysis sees it: customer-level columns (from every customers dataset, joined on the
key) and, optionally, an events dataset — resolved from the dictionaries stored with the data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from analysis.dictionary import ColumnSpec, Dictionary

__all__ = ["CRMSchema", "SchemaError", "resolve_schema", "ROW_ID"]

#: The stable row id made at ingest for datasets without a key.
ROW_ID = "_row_id"


class SchemaError(ValueError):
    """The loaded datasets do not form one CRM (no customers dataset, keys that do not join, …)."""


@dataclass(frozen=True)
class CRMSchema:
    """Which tables and columns make up the customer view and the event history."""

    key: str
    #: (table, key column, stored columns) per customers dataset, the first one drives the join
    customer_tables: tuple[tuple[str, str, tuple[str, ...]], ...]
    #: customer-level columns (key excluded), in dataset order
    columns: tuple[ColumnSpec, ...]
    events: Dictionary | None = None
    events_table: str | None = None

    # ---- lookups -------------------------------------------------------------------------------------
    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def names(self, *roles: str) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.role in roles)

    @property
    def quasi_identifiers(self) -> tuple[str, ...]:
        return self.names("quasi_identifier")

    @property
    def sensitive(self) -> tuple[str, ...]:
        return self.names("sensitive")

    @property
    def treatment(self) -> ColumnSpec | None:
        t = [c for c in self.columns if c.role == "treatment"]
        return t[0] if t else None

    @property
    def outcome(self) -> ColumnSpec | None:
        outs = [c for c in self.columns if c.role == "outcome"]
        if not outs:
            return None
        for c in outs:
            if c.primary:
                return c
        binary = [c for c in outs if c.type not in ("float",)]
        return (binary or outs)[0]

    @property
    def amount_outcome(self) -> ColumnSpec | None:
        """A continuous outcome (order value) beside the primary binary one, for incremental revenue."""
        primary = self.outcome
        for c in self.columns:
            if c.role == "outcome" and c.type == "float" and (primary is None or c.name != primary.name):
                return c
        return None

    def consent_column(self, purpose: str = "personalization") -> str | None:
        for c in self.columns:
            if c.role == "consent" and c.purpose == purpose:
                return c.name
        return None

    @property
    def has_events(self) -> bool:
        return self.events is not None

    @property
    def categories_held(self) -> tuple[str, ...]:
        cats = {c.category for c in self.columns if c.category}
        if self.events is not None:
            cats |= {c.category for c in self.events.columns if c.category}
        return tuple(sorted(cats))


def resolve_schema(datasets: Sequence) -> CRMSchema:
    """Build the CRM view from stored datasets (objects with ``name``, ``entity``, ``key``, ``dictionary``).

    Customers datasets are joined on their keys (each must have one, unless there is only one, which then
    uses the row id made at ingest); the first events dataset gives the behavioural history.
    """
    # the dataset describing people (identifiers, quasi-identifiers) drives the join; then by name
    customers = sorted(
        (d for d in datasets if d.entity == "customers"),
        key=lambda d: (-len(d.dictionary.columns_with_role("direct_identifier", "quasi_identifier")), d.name),
    )
    events = [d for d in datasets if d.entity == "events"]
    if not customers:
        raise SchemaError("No customers dataset is loaded: ingest one (entity = \"customers\") first.")
    if len(customers) > 1:
        missing = [d.name for d in customers if not d.key]
        if missing:
            raise SchemaError(
                f"Datasets {', '.join(missing)} have no key: several customers datasets are joined on their "
                "keys, so each needs [dataset] key = \"…\"."
            )
    _check_keys_join(customers + events[:1])
    tables = []
    columns: list[ColumnSpec] = []
    seen: dict[str, str] = {}
    key = customers[0].key or ROW_ID
    for d in customers:
        dkey = d.key or ROW_ID
        stored = []
        for c in d.dictionary.columns:
            if c.name == dkey or c.name == d.dictionary.erased:
                continue
            if c.name in seen:
                raise SchemaError(
                    f"Column {c.name!r} is declared in both datasets {seen[c.name]!r} and {d.name!r}: "
                    "rename one of them in its dictionary."
                )
            seen[c.name] = d.name
            stored.append(c.name)
            columns.append(c)
        tables.append((d.name, dkey, tuple(stored)))
    ev = events[0] if events else None
    return CRMSchema(
        key=key,
        customer_tables=tuple(tables),
        columns=tuple(columns),
        events=ev.dictionary if ev else None,
        events_table=ev.name if ev else None,
    )


def _check_keys_join(datasets: Sequence) -> None:
    """Keys are joined as stored: a pseudonymized key (role ``direct_identifier``, also an undeclared key) never
    equals a key stored as is, so every joined dataset must store its key the same way."""
    keyed = [(d.name, d.dictionary.column(d.key).role == "direct_identifier") for d in datasets
             if d.key and d.key in d.dictionary.column_names]
    if len({hashed for _, hashed in keyed}) > 1:
        hashed = [n for n, h in keyed if h]
        plain = [n for n, h in keyed if not h]
        raise SchemaError(
            f"The keys of datasets {', '.join(hashed)} are pseudonymized (role direct_identifier, or not declared "
            f"under [columns]) but those of {', '.join(plain)} are stored as is, so they cannot be joined: declare "
            "the key the same way in every dictionary and ingest again."
        )
