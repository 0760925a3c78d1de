"""Safe ingest of CSV / Parquet CRM files into a PrivacyLift DuckDB file.

What :func:`ingest` guarantees:

- **Validation first, all problems at once.** Every file is checked (missing column, value not of its
  type, empty key, duplicate keys, outcome not binary, treatment without control or only control,
  empty file, not UTF-8, NUL bytes, unreadable Parquet) before anything is written; :class:`IngestError`
  lists every :class:`Problem` with its file, column and row.
- **Minimization.** Only dictionary columns are stored; the others are reported as ``skipped_columns``
  and are not even loaded into memory.
- **Pseudonyms, never raw identifiers.** Direct identifiers (and a key whose role is
  ``direct_identifier``) are replaced by ``HMAC-SHA256(secret, value)`` (32 hex) inside the SELECT that
  writes the table, computed by DuckDB's ``sha256`` (RFC 2104 construction, key blocks bound as parameters).
  Raw values live only in a private in-memory DuckDB with spilling to disk switched off.
- **Erasure.** Rows flagged in the dictionary's ``erased`` column and keys of an erasure list are dropped
  before anything is stored; their keys are kept only as pseudonyms in ``_pl_erased``, so later ingests of
  any dataset drop them too, and rows with those keys already stored in other datasets are deleted.
- **All or nothing.** The database file is copied beside itself, the copy is written in one transaction,
  checkpointed, fsynced and renamed onto the original (``os.replace``). A failure anywhere leaves the
  original byte for byte as it was. An exclusive lock on ``<db>.lock`` serializes ingests.

Example
-------
>>> from analysis.dictionary import load_dictionary
>>> report = ingest("crm.duckdb", load_dictionary("data/bank_marketing.toml"), ["data/bank.csv"])  # doctest: +SKIP
>>> report.rows_stored  # doctest: +SKIP
4521

SQL note: f-strings in this module only splice ``quote_ident(...)`` results, internal aliases and fixed
fragments; values are bound parameters.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import duckdb

from analysis.dictionary import Dictionary, joint_problems, parse_dictionary
from analysis.errors import ProblemsError
from analysis.pseudonym import key_beside_database, load_or_create_secret, secret_source
from analysis.store import _catalog as catalog
from analysis.store._erasure import erase_elsewhere, erasures, load_erasure_list, params_of
from analysis.store._gateway import (
    StoreError,
    execute,
    explain_duckdb_error,
    memory,
    quote_ident,
    run,
    run_scalar,
    transaction,
)
from analysis.store._ingest_env import (
    _exclusive_lock,
    check_arguments,
    check_environment,
    database_lock,
    written_copy,
)
from analysis.store._ingest_checks import (
    Problem,
    Source,
    column_type,
    join_problems,
    hmac_params,
    hmac_sql,
    key_sql,
    scan_and_load,
    typed_sql,
    validate,
)

__all__ = ["IngestReport", "IngestError", "Problem", "StoreError", "ingest", "database_lock", "ROW_ID"]

#: the row id column added to a dataset without a key: 1-based row number in file order
ROW_ID = "_row_id"
_SECRET_CHECK = b"privacylift secret check v1"
#: how keys are normalized (recorded in ``_pl_meta``): a store whose erasure pseudonyms were made another way
#: cannot match erasure requests, so it is refused rather than silently erasing nobody
KEY_NORMALIZATION = "keys trimmed; erasure matches ignore case; direct-identifier keys lower-cased (v1)"
#: a join of two keyed datasets in which fewer than this share of the smaller side's keys find a partner is an
#: error, not a silent zero (PrivacyLift assumption: 5 %, far below any real CRM-to-campaign overlap)
MIN_JOIN_SHARE = 0.05


class IngestError(ProblemsError):
    """The input has problems; nothing was written. ``problems`` lists them all."""

    def __init__(self, dataset: str, problems: Sequence[Problem]):
        self.dataset = dataset
        problems = list(problems)
        super().__init__(f"Ingest of dataset {dataset!r} failed with {len(problems)} problem(s); nothing was written",
                         problems)


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did (counts over all its files)."""

    dataset: str
    files: tuple[str, ...]
    rows_read: int
    rows_stored: int
    #: rows refused by validation; always 0 after a successful all-or-nothing ingest
    rows_rejected: int
    #: rows dropped because the customer asked for erasure (flag column, erasure list or earlier erasures)
    rows_erased: int
    #: file columns not in the dictionary, hence not stored
    skipped_columns: tuple[str, ...]
    #: columns stored as keyed pseudonyms
    pseudonymized_columns: tuple[str, ...]
    seconds: float
    #: things the ingest did or noticed that did not stop it (keys trimmed, keys equal up to case, a key file
    #: beside the database, erasure keys found nowhere), in words
    warnings: tuple[str, ...] = ()

    #: what was assumed for the user (an undeclared key is pseudonymized, …), from :attr:`Dictionary.notes`
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("files", "skipped_columns", "pseudonymized_columns", "warnings", "notes"):
            d[k] = list(d[k])
        return d


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _dictionary_problems(d: Dictionary) -> list[Problem]:
    where = f"dictionary of {d.name!r}"
    problems = []
    if d.name.lower().startswith(catalog.CATALOG_PREFIX):
        problems.append(Problem(where, None, None, f"dataset names starting with {catalog.CATALOG_PREFIX!r} are reserved"))
    seen: dict[str, str] = {}
    for c in d.column_names:
        if c.lower() in seen:
            problems.append(Problem(where, c, None, f"same name as column {seen[c.lower()]!r} up to case "
                                    "(DuckDB names are case-insensitive)"))
        seen[c.lower()] = c
    if d.key is None and ROW_ID in seen:
        problems.append(Problem(where, ROW_ID, None, f"{ROW_ID!r} is reserved for the row id of a dataset without key"))
    return problems


def ingest(
    db_path: str | Path,
    dictionary: Dictionary,
    files: Sequence[str | Path],
    *,
    erasure_list: str | Path | None = None,
    secret: bytes | None = None,
    replace: bool = True,
    lock_timeout: float = 30.0,
) -> IngestReport:
    """Validate CSV/Parquet files against a dictionary and store them, pseudonymized, all or nothing.

    Parameters
    ----------
    db_path : the DuckDB file (created when missing).
    dictionary : the parsed data dictionary; the table is named ``dictionary.name``.
    files : CSV or Parquet files with the same columns (read in this order).
    erasure_list : optional text file, one key per line: customers to drop (here and in every later ingest).
    secret : pseudonymization secret; default :func:`analysis.pseudonym.load_or_create_secret` of ``db_path``.
    replace : replace a dataset of the same name (True) or append to it (False; same dictionary needed).
    lock_timeout : seconds to wait for another ingest into the same database to finish.

    Returns
    -------
    IngestReport

    Raises
    ------
    IngestError : listing every problem of the input (nothing written).
    TimeoutError : another ingest held the lock longer than ``lock_timeout``.
    StoreError : the database or its folder cannot be written (read-only, damaged, open for writing elsewhere).
    PermissionError : the key file can be read by other users.

    Example
    -------
    >>> from analysis.dictionary import load_dictionary
    >>> ingest("/tmp/crm.duckdb", load_dictionary("data/bank_marketing.toml"), ["data/bank.csv"]).rows_stored  # doctest: +SKIP
    4521
    """
    paths = check_arguments(db_path, dictionary, files, secret, lock_timeout, replace, erasure_list)
    clock = time.perf_counter()
    started_at = _now()
    db = Path(db_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    check_environment(db)
    notes: list[str] = []
    if secret is None and key_beside_database(db):
        notes.append(f"the pseudonymization secret is {secret_source(db)}, beside the database: anyone with a copy "
                     "of the folder can reverse low-entropy pseudonyms (phone numbers) by trying candidates. Keep "
                     "it elsewhere: PRIVACYLIFT_SECRET, or PRIVACYLIFT_KEY_FILE outside the data folder")
    key = bytes(secret) if secret is not None else load_or_create_secret(db)
    with _exclusive_lock(db, float(lock_timeout)):
        con = memory()
        try:
            execute(con, "SET temp_directory = ''")  # raw values never spill to disk
            try:
                execute(con, "SET enable_progress_bar = false")
            except duckdb.InvalidInputException:
                pass  # inside Jupyter without ipywidgets DuckDB refuses to touch the setting (and draws no bar)
            sources = [Source(i, p, str(p)) for i, p in enumerate(paths)]
            problems = _dictionary_problems(dictionary)
            for src in sources:
                problems += scan_and_load(con, dictionary, src)
            problems += validate(con, dictionary, sources)
            if erasure_list is not None:
                problems += load_erasure_list(con, dictionary, Path(erasure_list))
            if problems:
                raise IngestError(dictionary.name, problems)
            counts = _write(con, db, dictionary, sources, key, replace, started_at, erasure_list is not None, notes)
        finally:
            con.close()
    skipped = tuple(dict.fromkeys(c for s in sources for c in s.skipped))
    pseudonymized = dictionary.columns_with_role("direct_identifier")
    return IngestReport(
        dataset=dictionary.name,
        files=tuple(str(p) for p in paths),
        rows_read=sum(s.rows for s in sources),
        rows_stored=sum(s.rows for s in sources) - sum(counts),
        rows_rejected=0,
        rows_erased=sum(counts),
        skipped_columns=skipped,
        pseudonymized_columns=pseudonymized,
        seconds=time.perf_counter() - clock,
        warnings=tuple(dict.fromkeys([w for s in sources for w in s.warnings] + notes)),
        notes=dictionary.notes,
    )


def _secret_check(secret: bytes) -> str:
    """What the catalog keeps (``secret_check``) to recognise the secret a database was pseudonymized with: an HMAC
    of a fixed text, never the secret."""
    return hmac.new(secret, _SECRET_CHECK, hashlib.sha256).hexdigest()


def _another_secret(con, check: str) -> bool:
    """The database in use was pseudonymized with another secret than the one of ``check``."""
    stored = catalog._meta(con, "secret_check")
    return stored is not None and stored != check


def _write(con, db: Path, d: Dictionary, sources: list[Source], secret: bytes, replace: bool,
           started_at: datetime, has_erasure_list: bool, notes: list[str]) -> list[int]:
    """Copy, write in one transaction, checkpoint, rename. Returns rows erased per file."""
    try:
        with written_copy(con, db, explain_attach=True):
            return _write_into(con, db, d, sources, secret, replace, started_at, has_erasure_list, notes)
    except duckdb.IOException as exc:  # a damaged database shows only when one of its pages is read
        raise StoreError(explain_duckdb_error(db, exc)) from None


def _write_into(con, db: Path, d: Dictionary, sources: list[Source], secret: bytes, replace: bool,
                started_at: datetime, has_erasure_list: bool, notes: list[str]) -> list[int]:
    """The write inside the attached copy ``pl_target``: checks against what is stored, then one transaction."""
    catalog.ensure_catalog(con)
    pads = hmac_params(secret)
    check = _secret_check(secret)
    problems = []
    if _another_secret(con, check):
        problems.append(Problem(str(db), None, None, "this database was pseudonymized with a different secret; "
                                "pseudonyms would not match (check PRIVACYLIFT_SECRET or the .key file)"))
    stored = dict(catalog._stored_datasets(con))
    exists = d.name in stored
    normalization = catalog._meta(con, "key_normalization")
    if stored and normalization != KEY_NORMALIZATION:
        problems.append(Problem(str(db), None, None, "this database was written by an earlier PrivacyLift that "
                                "stored keys and erasure records another way (untrimmed, case-sensitive), so "
                                "erasure requests could silently match nobody; ingest the source files into a "
                                "new database"))
    others = [parse_dictionary(t, source=f"stored dictionary of {n!r}") for n, t in stored.items()]
    problems += [Problem(f"dictionary of {d.name!r}", None, None, p) for p in joint_problems(d, others)]
    for other in stored:
        if other != d.name and other.lower() == d.name.lower():
            problems.append(Problem(f"dictionary of {d.name!r}", None, None, f"the store already has dataset "
                                    f"{other!r}: names equal up to case would share one table (DuckDB names "
                                    "are case-insensitive); use the same name to replace it, or another name"))
    if exists and not replace and parse_dictionary(stored[d.name]).sha256 != d.sha256:
        problems.append(Problem(f"dictionary of {d.name!r}", None, None, "replace=False appends, but the stored "
                                "dataset has a different dictionary; ingest with replace=True"))
    if problems:
        raise IngestError(d.name, problems)
    dropped, erasure_notes = erasures(con, d, sources, pads, has_erasure_list)
    notes += erasure_notes
    if exists and not replace:
        _check_append_keys(con, d, sources, pads)
    finished_at = _now()
    with transaction(con):
        execute(con, "INSERT INTO _pl_erased SELECT p FROM memory.main.new_erased")
        erase_elsewhere(con, d, stored, exists and not replace, pads)
        rows = _store_table(con, d, sources, pads, replace or not exists)
        problems = join_problems(con, d, others, MIN_JOIN_SHARE)
        if problems:
            raise IngestError(d.name, problems)
        catalog._record_dataset(con, d, rows, finished_at)
        catalog._set_meta(con, "secret_check", check)
        catalog._set_meta(con, "key_normalization", KEY_NORMALIZATION)
        if replace:
            catalog._supersede(con, d.name)
        ingest_id = uuid.uuid4().hex
        catalog._record_provenance(con, [
            (ingest_id, d.name, s.name, s.sha256, s.rows, s.rows - n, 0, n, list(s.skipped), d.sha256,
             started_at, finished_at) for s, n in zip(sources, dropped)])
    return dropped


def _column_sql(d: Dictionary, name: str, src_type: str) -> str:
    spec = d.column(name)
    ref = f"c{d.column_names.index(name)}"
    typed = key_sql(d, ref, src_type) if name == d.key else typed_sql(ref, column_type(spec, d), src_type)
    return hmac_sql(typed) if spec.role == "direct_identifier" else typed


def _store_table(con, d: Dictionary, sources: list[Source], pads: dict, create: bool) -> int:
    """Create (or append to) the dataset table, one file after the other; returns its row count.

    Each statement reads one in-memory table in order, so the stored rows keep the file order without a sort.
    Without a key, ``_row_id`` is the row's position in the input (files in order, 1-based); erased rows leave
    gaps, so a row keeps its id whatever is erased.
    """
    table = quote_ident(d.name)
    stored_cols = [c for c in d.column_names if c != d.erased]
    offset = 0
    if d.key is None and not create:
        offset = int(run_scalar(con, f"SELECT coalesce(max({quote_ident(ROW_ID)}), 0) FROM {table}"))
    if create:
        execute(con, f"DROP TABLE IF EXISTS {table}")
    for s in sources:
        cols = ", ".join(f"{_column_sql(d, c, s.present[c])} AS {quote_ident(c)}" for c in stored_cols)
        row_id = f"rowid + {offset + 1} AS {quote_ident(ROW_ID)}, " if d.key is None else ""
        keep = f" WHERE rowid NOT IN (SELECT r FROM memory.main.drop_{s.index})" if s.dropped else ""
        select = f"SELECT {row_id}{cols} FROM {s.table}{keep}"
        sql = f"CREATE TABLE {table} AS {select}" if create else f"INSERT INTO {table} {select}"
        execute(con, sql, params_of(sql, pads))
        create = False
        offset += s.rows
    return int(run_scalar(con, f"SELECT count(*) FROM {table}"))


def _check_append_keys(con, d: Dictionary, sources: list[Source], pads: dict) -> None:
    """replace=False on customers: new keys must not already be stored."""
    if d.key is None or d.entity != "customers":
        return
    problems = []
    stored = quote_ident(d.key)
    for s in sources:
        value = _column_sql(d, d.key, s.present[d.key])
        sql = (f"SELECT count(*) AS n, min(rowid + 1, 5) AS rows FROM {s.table} "
               f"WHERE {value} IN (SELECT {stored} FROM {quote_ident(d.name)})")
        n, rows = run(con, sql, params_of(sql, pads)).row(0)
        if n:
            problems.append(Problem(s.name, d.key, sorted(rows)[0], f"duplicate key: {n} key(s) are already stored "
                                    f"in dataset {d.name!r} (rows {', '.join(map(str, sorted(rows)))})"))
    if problems:
        raise IngestError(d.name, problems)
