"""``--source``: the DuckDB store (``--db``, the default) or a warehouse (PostgreSQL, Spark), read-only."""

from __future__ import annotations

__all__ = ["store_or_error", "uses_warehouse", "warehouse_of"]


def uses_warehouse(args) -> bool:
    return bool(getattr(args, "source", None)) and args.source.strip().lower() not in ("duckdb", "store")


def warehouse_of(args):
    """The warehouse ``--source`` names, described by the ``--dictionary`` files (opened read-only)."""
    from analysis.dictionary import load_dictionary
    from analysis.store._remote import SourceError
    from analysis.warehouse import open_source

    if not args.dictionary:
        raise SourceError("--source needs a --dictionary per dataset, each naming its table ([dataset] table).")
    return open_source(args.source, [load_dictionary(p) for p in args.dictionary], spark_master=args.spark_master)


def store_or_error(args):
    """Without ``--source``: the store of ``--db`` (a message when neither is given)."""
    if not args.db:
        raise ValueError("give --db (the PrivacyLift store) or --source (a warehouse) with --dictionary files.")
    return args.db
