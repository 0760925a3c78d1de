"""The catalog of a PrivacyLift database: which datasets it holds, with their dictionaries and provenance.

The catalog lives in the same DuckDB file as the data, in tables whose names start with ``_pl_``:

``_pl_datasets``
    one row per dataset: ``name`` (primary key, also the table name), ``entity``, ``key``,
    ``dictionary_toml`` (the dictionary text, so the store describes itself), ``dictionary_sha256``,
    ``rows`` (rows stored now) and ``ingested_at`` (UTC).
``_pl_provenance``
    one row per file per ingest: ``ingest_id``, ``dataset``, ``file_name``, ``file_sha256`` (of the file's
    bytes), ``rows_read``, ``rows_stored``, ``rows_rejected``, ``rows_erased``, ``skipped_columns``,
    ``dictionary_sha256``, ``started_at``, ``finished_at`` (UTC) and ``superseded`` (true once a later
    ``replace`` ingest of the same dataset replaced these rows).
``_pl_erased``
    ``key_pseudonym``: the keyed pseudonym (never the raw key) of every customer who asked for erasure,
    so that later ingests of any dataset drop them too.
``_pl_meta``
    ``name``/``value`` pairs; ``secret_check`` = HMAC of a fixed text under the pseudonymization secret,
    so an ingest with a different secret (whose pseudonyms would not join) is refused.

Example
-------
>>> from analysis.store._gateway import memory
>>> con = memory()
>>> ensure_catalog(con)
>>> list_datasets(con)
[]
>>> len(data_fingerprint(con))
64
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

import duckdb
import polars as pl

from analysis.dictionary import Dictionary, parse_dictionary
from analysis.store._gateway import execute, run, run_scalar

__all__ = [
    "CATALOG_PREFIX",
    "DatasetInfo",
    "ensure_catalog",
    "list_datasets",
    "provenance",
    "data_fingerprint",
]

#: tables whose names start with this belong to the catalog; no dataset may use it
CATALOG_PREFIX = "_pl_"

_DDL = (
    """CREATE TABLE IF NOT EXISTS _pl_datasets (
        name VARCHAR PRIMARY KEY, entity VARCHAR NOT NULL, key VARCHAR, dictionary_toml VARCHAR NOT NULL,
        dictionary_sha256 VARCHAR NOT NULL, rows BIGINT NOT NULL, ingested_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS _pl_provenance (
        ingest_id VARCHAR NOT NULL, dataset VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
        file_sha256 VARCHAR NOT NULL, rows_read BIGINT NOT NULL, rows_stored BIGINT NOT NULL,
        rows_rejected BIGINT NOT NULL, rows_erased BIGINT NOT NULL, skipped_columns VARCHAR[] NOT NULL,
        dictionary_sha256 VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL,
        superseded BOOLEAN NOT NULL DEFAULT false)""",
    "CREATE TABLE IF NOT EXISTS _pl_erased (key_pseudonym VARCHAR PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS _pl_meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
)


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset held in the store."""

    name: str
    entity: str
    key: str | None
    dictionary: Dictionary
    rows: int


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the catalog tables when missing (idempotent)."""
    for ddl in _DDL:
        execute(con, ddl)


def _has_catalog(con: duckdb.DuckDBPyConnection) -> bool:
    n = run_scalar(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = current_schema() AND table_name = ?",
        ["_pl_datasets"],
    )
    return bool(n)


def list_datasets(con: duckdb.DuckDBPyConnection) -> list[DatasetInfo]:
    """Every dataset in the store, by name, with its dictionary parsed back from the stored TOML.

    Example
    -------
    >>> from analysis.store._gateway import connect
    >>> [d.name for d in list_datasets(connect("data/privacylift.duckdb"))]   # doctest: +SKIP
    ['bank_marketing']
    """
    if not _has_catalog(con):
        return []
    df = run(con, "SELECT name, entity, key, dictionary_toml, rows FROM _pl_datasets ORDER BY name")
    return [
        DatasetInfo(
            name=r["name"],
            entity=r["entity"],
            key=r["key"],
            dictionary=parse_dictionary(r["dictionary_toml"], source=f"stored dictionary of {r['name']!r}"),
            rows=int(r["rows"]),
        )
        for r in df.iter_rows(named=True)
    ]


def provenance(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The provenance log: one row per file per ingest, oldest first (empty frame when nothing was ingested)."""
    if not _has_catalog(con):
        ensure_schema = {
            "ingest_id": pl.Utf8, "dataset": pl.Utf8, "file_name": pl.Utf8, "file_sha256": pl.Utf8,
            "rows_read": pl.Int64, "rows_stored": pl.Int64, "rows_rejected": pl.Int64, "rows_erased": pl.Int64,
            "skipped_columns": pl.List(pl.Utf8), "dictionary_sha256": pl.Utf8,
            "started_at": pl.Datetime("us"), "finished_at": pl.Datetime("us"), "superseded": pl.Boolean,
        }  # fmt: skip
        return pl.DataFrame(schema=ensure_schema)
    return run(con, "SELECT * FROM _pl_provenance ORDER BY started_at, ingest_id, file_name")


def data_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """A stable id of what is loaded: sha256 over the sorted (dataset, dictionary sha256, file sha256s, rows).

    Two stores loaded from the same files with the same dictionaries have the same fingerprint, whatever
    the ingest times; any change of data, dictionary or erasures changes it.
    """
    if not _has_catalog(con):
        entries: list[Any] = []
    else:
        df = run(
            con,
            """SELECT d.name, d.dictionary_sha256, d.rows,
                      coalesce(list_sort(list(DISTINCT p.file_sha256) FILTER (WHERE p.file_sha256 IS NOT NULL)),
                               []) AS files
               FROM _pl_datasets d
               LEFT JOIN _pl_provenance p ON p.dataset = d.name AND NOT p.superseded
               GROUP BY d.name, d.dictionary_sha256, d.rows ORDER BY d.name""",
        )
        entries = [[r["name"], r["dictionary_sha256"], list(r["files"]), int(r["rows"])] for r in df.iter_rows(named=True)]
    payload = json.dumps(entries, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


# --- internal helpers used by the ingest (same transaction) -------------------------------------------


def _record_dataset(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, rows: int, at: datetime) -> None:
    execute(
        con,
        "INSERT OR REPLACE INTO _pl_datasets VALUES (?, ?, ?, ?, ?, ?, ?)",
        [dictionary.name, dictionary.entity, dictionary.key, dictionary.text, dictionary.sha256, rows, at],
    )


def _stored_datasets(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, dictionary_toml) of every dataset in the catalog."""
    return [tuple(r) for r in run(con, "SELECT name, dictionary_toml FROM _pl_datasets ORDER BY name").rows()]


def _set_rows(con: duckdb.DuckDBPyConnection, name: str, rows: int) -> None:
    execute(con, "UPDATE _pl_datasets SET rows = ? WHERE name = ?", [rows, name])


def _supersede(con: duckdb.DuckDBPyConnection, dataset: str) -> None:
    execute(con, "UPDATE _pl_provenance SET superseded = true WHERE dataset = ?", [dataset])


def _record_provenance(con: duckdb.DuckDBPyConnection, rows: Sequence[Sequence[Any]]) -> None:
    for row in rows:  # one row per file: a handful, not a data loop
        execute(con, "INSERT INTO _pl_provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false)", list(row))


def _meta(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    return run_scalar(con, "SELECT value FROM _pl_meta WHERE name = ?", [name])


def _set_meta(con: duckdb.DuckDBPyConnection, name: str, value: str) -> None:
    execute(con, "INSERT OR REPLACE INTO _pl_meta VALUES (?, ?)", [name, value])
