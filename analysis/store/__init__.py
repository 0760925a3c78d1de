"""The store: a DuckDB file with the CRM, its dictionaries and provenance — and every SQL statement of
PrivacyLift (modules of this package), run through one gateway with bound parameters."""

from analysis.store._erase import ErasureError, ErasureReport, erase
from analysis.store._gateway import StoreError, quote_ident
from analysis.store._ingest import IngestError, IngestReport, Problem, ingest
from analysis.store._store import Store

__all__ = ["ErasureError", "ErasureReport", "IngestError", "IngestReport", "Problem", "Store", "StoreError", "erase",
           "ingest", "quote_ident"]
