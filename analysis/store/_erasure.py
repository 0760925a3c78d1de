"""Erasure at ingest: who asked to be forgotten, and removing them from every table (used by :mod:`._ingest`).

Keys are normalized one way on both sides (:func:`analysis.store._ingest_checks.key_sql`): spaces around a text
key are removed, and an erasure request matches a key whatever its case. ``_pl_erased`` keeps only the keyed
pseudonym of that normalized text (:func:`~analysis.store._ingest_checks.erasure_token_sql`), never the key.
An erasure reaches every table that holds customer keys: each keyed dataset and the synthetic ground truth.

SQL note: f-strings below only splice ``quote_ident(...)`` results, internal aliases and fixed fragments;
values are bound parameters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from analysis.dictionary import Dictionary, parse_dictionary
from analysis.store import _catalog as catalog
from analysis.store._features import GROUND_TRUTH_TABLE
from analysis.store._gateway import execute, quote_ident, run, run_scalar
from analysis.store._ingest_checks import Problem, Source, erasure_keys, erasure_token_sql, key_sql, typed_sql

__all__ = ["load_erasure_list", "erasures", "erase_elsewhere", "params_of"]

_QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')


def params_of(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the named parameters a statement uses (DuckDB refuses extra ones); a column named like a
    parameter (``"$pl_ipad"``) is a quoted identifier, not a use."""
    bare = _QUOTED.sub('""', sql)
    return {k: v for k, v in params.items() if re.search(rf"\${re.escape(k)}\b", bare)}


def load_erasure_list(con: duckdb.DuckDBPyConnection, d: Dictionary, path: Path) -> list[Problem]:
    """Read an erasure list into ``memory.main.erasure_keys`` (``k`` normalized like the data's keys, ``line``)."""
    frame, problems = erasure_keys(path, d)
    if problems:
        return problems
    spec = d.column(d.key)
    typed = key_sql(d, "k", "VARCHAR")  # normalized exactly as the data's keys
    con.register("erasure_frame", frame)
    execute(con, "CREATE TABLE erasure_list AS SELECT * FROM erasure_frame")
    con.unregister("erasure_frame")
    execute(con, f"CREATE TABLE erasure_keys AS SELECT {typed} AS k, line FROM erasure_list")
    bad = run(con, "SELECT min(line, 5) AS lines, count(*) AS n FROM erasure_keys WHERE k IS NULL").row(0, named=True)
    if bad["n"]:
        lines = ", ".join(str(x) for x in sorted(bad["lines"]))
        problems.append(Problem(str(path), d.key, None, f"{bad['n']} line(s) are not a valid {spec.type or 'text'} "
                                f"key (lines {lines})"))
    return problems


def _key_pseudonym(d: Dictionary, ref: str, src_type: str) -> str:
    """SQL: the erasure pseudonym of the key of column reference ``ref`` (what ``_pl_erased`` holds)."""
    return erasure_token_sql(key_sql(d, ref, src_type))


def erasures(con, d: Dictionary, sources: list[Source], pads: dict, has_list: bool) -> tuple[list[int], list[str]]:
    """Build memory tables ``new_erased`` (pseudonyms) and ``drop_<i>`` (rows to drop).

    Returns the rows dropped per file and warnings (erasure requests that match no incoming row)."""
    names = d.column_names
    parts = []
    if d.key is not None and d.erased is not None:
        k, e = names.index(d.key), names.index(d.erased)
        for s in sources:
            flag = typed_sql(f"c{e}", "boolean", s.present[d.erased])
            parts.append(f"SELECT {_key_pseudonym(d, f'c{k}', s.present[d.key])} AS p FROM {s.table} WHERE {flag}")
    if has_list:
        parts.append(f"SELECT {erasure_token_sql('k')} AS p FROM memory.main.erasure_keys")
    union = " UNION ALL ".join(parts) if parts else "SELECT NULL::VARCHAR AS p WHERE false"
    sql = (f"CREATE TABLE memory.main.new_erased AS SELECT DISTINCT p FROM ({union}) "
           "WHERE p IS NOT NULL AND p NOT IN (SELECT key_pseudonym FROM _pl_erased)")
    execute(con, sql, params_of(sql, pads))
    counts = []
    for s in sources:
        conditions = []
        if d.erased is not None:
            conditions.append(f"coalesce({typed_sql(f'c{names.index(d.erased)}', 'boolean', s.present[d.erased])}, false)")
        if d.key is not None:
            p = _key_pseudonym(d, f"c{names.index(d.key)}", s.present[d.key])
            conditions.append(f"{p} IN (SELECT key_pseudonym FROM _pl_erased UNION ALL "
                              "SELECT p FROM memory.main.new_erased)")
        where = " OR ".join(conditions) or "false"
        sql = f"CREATE TABLE memory.main.drop_{s.index} AS SELECT rowid AS r FROM {s.table} WHERE {where}"
        execute(con, sql, params_of(sql, pads))
        s.dropped = int(run_scalar(con, f"SELECT count(*) FROM memory.main.drop_{s.index}"))
        counts.append(s.dropped)
    warnings = []
    if has_list and d.key is not None:
        k = names.index(d.key)
        incoming = " UNION ALL ".join(f"SELECT {_key_pseudonym(d, f'c{k}', s.present[d.key])} AS p FROM {s.table}"
                                      for s in sources if d.key in s.present)
        sql = (f"SELECT count(*) FROM memory.main.erasure_keys WHERE {erasure_token_sql('k')} NOT IN "
               f"(SELECT p FROM ({incoming}) WHERE p IS NOT NULL)")
        unmatched = int(run_scalar(con, sql, params_of(sql, pads)) or 0)
        if unmatched:
            warnings.append(f"{unmatched} key(s) of the erasure list match no row of these files (compared without "
                            "surrounding spaces and ignoring case); they are remembered, so any later ingest drops "
                            "them too")
    return counts, warnings


def _stored_key_pseudonym(spec_role: str, key: str) -> str:
    """SQL: the erasure pseudonym of a stored key column (a direct-identifier key is stored as that pseudonym)."""
    return quote_ident(key) if spec_role == "direct_identifier" else erasure_token_sql(quote_ident(key))


def _columns_of(con, table: str) -> list[str]:
    return run(con, "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
                    "AND table_name = ? ORDER BY ordinal_position", [table])["column_name"].to_list()


def erase_elsewhere(con, d: Dictionary, stored: dict[str, str], include_self: bool, pads: dict) -> None:
    """Delete already-stored rows of newly erased keys in every table holding customer keys: each keyed dataset
    (events of erased customers) and the ground truth of synthetic data."""
    if not run_scalar(con, "SELECT count(*) FROM memory.main.new_erased"):
        return
    keys: dict[str, str] = {}  # key column name -> role, of every keyed dataset (for the ground truth)
    for name, toml in stored.items():
        other = parse_dictionary(toml, source=f"stored dictionary of {name!r}")
        if other.key is None:
            continue
        keys.setdefault(other.key, other.column(other.key).role)
        if name == d.name and not include_self:
            continue
        p = _stored_key_pseudonym(other.column(other.key).role, other.key)
        sql = f"DELETE FROM {quote_ident(name)} WHERE {p} IN (SELECT p FROM memory.main.new_erased)"
        execute(con, sql, params_of(sql, pads))
        catalog._set_rows(con, name, int(run_scalar(con, f"SELECT count(*) FROM {quote_ident(name)}")))
    if d.key is not None:
        keys.setdefault(d.key, d.column(d.key).role)
    truth = _columns_of(con, GROUND_TRUTH_TABLE)
    for key in (k for k in keys if k in truth):
        # the ground truth holds the generator's raw keys: compare their erasure pseudonym
        p = erasure_token_sql(f"trim(CAST({quote_ident(key)} AS VARCHAR))")
        sql = f"DELETE FROM {quote_ident(GROUND_TRUTH_TABLE)} WHERE {p} IN (SELECT p FROM memory.main.new_erased)"
        execute(con, sql, params_of(sql, pads))
