"""The store: a DuckDB file with the CRM, its dictionaries and provenance — and every SQL statement of
PrivacyLift (modules of this package), run through one gateway with bound parameters."""

from ._gateway import quote_ident
from ._ingest import IngestError, IngestReport, Problem, ingest
from ._store import Store

__all__ = ["IngestError", "IngestReport", "Problem", "Store", "ingest", "quote_ident"]
