"""Erasure requests honoured in the store: remove customers by key from every table, all or nothing.

What :func:`erase` guarantees (the ingest's lock and copy, :mod:`analysis.store._ingest_env`):

- **Everything first, checked.** The key file is read and every key checked against the key type of the
  customers dataset (not UTF-8, no key, a line that is not a valid key: one :class:`ErasureError` listing every
  problem with its line numbers, never the keys). Keys are normalized exactly as an ingest's ``--erasure-list``
  (:func:`analysis.store._ingest_checks.key_sql`: spaces around removed, case ignored).
- **Every table.** Rows whose key matches are deleted from every keyed dataset (customers, campaign, events …)
  and from the synthetic ground truth; the keys' pseudonyms join ``_pl_erased`` so later ingests drop them too.
- **A log of counts, never keys.** :class:`ErasureReport` and the ``_pl_erasure_log`` table hold how many keys
  were asked for and found, and the rows removed per table.
- **All or nothing.** Written into a copy of the database in one transaction, checkpointed, fsynced and
  renamed onto the original under the ingest lock; on any problem the database stays byte for byte as it was.

Example
-------
>>> report = erase("crm.duckdb", "erasure_requests.txt")   # doctest: +SKIP
>>> report.rows_removed   # doctest: +SKIP
(('crm_campaign', 3), ('crm_customers', 3), ('crm_events', 41), ('_pl_ground_truth', 3))

SQL note: f-strings here only splice ``quote_ident(...)`` results and fixed fragments; values are bound.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import duckdb

from analysis.dictionary import parse_dictionary
from analysis.errors import ProblemsError
from analysis.pseudonym import SECRET_ENV, load_or_create_secret, secret_path
from analysis.store import _catalog as catalog
from analysis.store._features import GROUND_TRUTH_TABLE, table_exists
from analysis.store._gateway import StoreError, execute, memory, quote_ident, run_scalar, transaction
from analysis.store._erasure import load_erasure_list as _load_erasure_list
from analysis.store._erasure import params_of as _params
from analysis.store._ingest import _another_secret, _now, _secret_check
from analysis.store._ingest_checks import Problem, erasure_token_sql, hmac_params
from analysis.store._ingest_env import _exclusive_lock, written_copy

__all__ = ["ErasureError", "ErasureReport", "erase", "ERASURE_LOG"]

#: one row per table per erasure: what was removed (counts only)
ERASURE_LOG = "_pl_erasure_log"
_LOG_DDL = (f"CREATE TABLE IF NOT EXISTS {ERASURE_LOG} (erasure_id VARCHAR NOT NULL, erased_at TIMESTAMP NOT NULL, "
            "keys_requested BIGINT NOT NULL, keys_found BIGINT NOT NULL, table_name VARCHAR NOT NULL, "
            "rows_removed BIGINT NOT NULL)")


class ErasureError(ProblemsError):
    """The erasure request cannot be honoured as given; nothing was changed. ``problems`` lists them all."""

    def __init__(self, problems: Sequence[Problem]):
        problems = list(problems)
        super().__init__(f"Erasure failed with {len(problems)} problem(s); nothing was changed", problems)


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure did: counts only (never a key or a pseudonym)."""

    #: distinct keys in the file
    keys_requested: int
    #: keys that matched at least one stored row
    keys_found: int
    #: keys erased by an earlier erasure or ingest and no longer stored anywhere
    keys_already_erased: int
    #: (table, rows removed), every keyed dataset and the ground truth
    rows_removed: tuple[tuple[str, int], ...]
    seconds: float

    @property
    def keys_not_found(self) -> int:
        return self.keys_requested - self.keys_found - self.keys_already_erased

    def to_dict(self) -> dict[str, Any]:
        return {"keys_requested": self.keys_requested, "keys_found": self.keys_found,
                "keys_already_erased": self.keys_already_erased, "keys_not_found": self.keys_not_found,
                "rows_removed": dict(self.rows_removed), "seconds": self.seconds}


def _check_arguments(db_path: Any, keys_file: Any, lock_timeout: Any) -> tuple[Path, Path]:
    from analysis.errors import must_be

    if not isinstance(db_path, (str, Path)) or str(db_path) in ("", ":memory:"):
        raise ValueError(must_be("db_path", "erase", "a database file path", db_path))
    if not isinstance(keys_file, (str, Path)) or str(keys_file) == "":
        raise ValueError(must_be("keys_file", "erase", "a path to a file of keys, one per line", keys_file))
    if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float)) or lock_timeout < 0:
        raise ValueError(must_be("lock_timeout", "erase", "a number >= 0", lock_timeout))
    return Path(db_path), Path(keys_file)


def _secret(db: Path, secret: bytes | None) -> bytes:
    if secret is not None:
        return bytes(secret)
    if not os.environ.get(SECRET_ENV) and not secret_path(db).exists():
        raise ErasureError([Problem(str(db), None, None, f"no pseudonymization secret: set {SECRET_ENV} or keep "
                                    f"the key file {secret_path(db).name} beside the database (keys are matched "
                                    "by their pseudonyms)")])
    try:
        return load_or_create_secret(db)
    except (OSError, ValueError) as exc:
        raise ErasureError([Problem(str(secret_path(db)), None, None, str(exc))]) from None


def erase(db_path: str | Path, keys_file: str | Path, *, secret: bytes | None = None,
          lock_timeout: float = 30.0) -> ErasureReport:
    """Remove the customers listed in ``keys_file`` (one key per line) from every table of the store.

    Parameters
    ----------
    db_path : an existing PrivacyLift database.
    keys_file : UTF-8 text, one customer key per line (blank lines ignored), normalized as an ingest's erasure
        list.
    secret : pseudonymization secret; default the database's (``PRIVACYLIFT_SECRET`` or ``<db>.key``).
    lock_timeout : seconds to wait for an ingest into the same database to finish.

    Raises
    ------
    ErasureError : a problem with the database or the key file (nothing changed).
    TimeoutError : another ingest held the lock longer than ``lock_timeout``.
    """
    db, path = _check_arguments(db_path, keys_file, lock_timeout)
    clock = time.perf_counter()
    if not db.is_file():
        raise ErasureError([Problem(str(db), None, None, "the database does not exist")])
    if not path.is_file():
        raise ErasureError([Problem(str(path), None, None, "file not found")])
    key = _secret(db, secret)
    with _exclusive_lock(db, float(lock_timeout)):
        con = memory()
        try:
            execute(con, "SET temp_directory = ''")  # keys never spill to disk
            return _erase(con, db, path, key, clock)
        finally:
            con.close()


def _keyed_datasets(con) -> list[tuple[str, Any]]:
    """(name, dictionary) of every stored dataset with a key, customers datasets with people's columns first."""
    out = []
    for name, toml in catalog._stored_datasets(con):
        d = parse_dictionary(toml, source=f"stored dictionary of {name!r}")
        if d.key is not None:
            out.append((name, d))
    people = lambda d: len(d.columns_with_role("direct_identifier", "quasi_identifier"))  # noqa: E731
    return sorted(out, key=lambda nd: (nd[1].entity != "customers", -people(nd[1]), nd[0]))


def _matches(role: str, key: str) -> str:
    """SQL: a stored row's key equals the erasure key ``e`` — the one normalization of keys: a pseudonymized key
    holds the pseudonym of its trimmed, lower-cased text; a key stored as is matches ignoring case and spaces."""
    column = quote_ident(key)
    return f"{column} = e.p" if role == "direct_identifier" else f"lower(trim(CAST({column} AS VARCHAR))) = e.v"


def _erase(con, db: Path, path: Path, secret: bytes, clock: float) -> ErasureReport:
    try:
        with written_copy(con, db):
            requested, found, already, removed = _erase_in(con, db, path, secret)
    except StoreError as exc:  # the database cannot be copied (a write-ahead log: open for writing elsewhere)
        raise ErasureError([Problem(str(db), None, None, str(exc))]) from None
    except duckdb.Error as exc:
        raise ErasureError([Problem(str(db), None, None, f"cannot read the database ({type(exc).__name__})")]) from None
    return ErasureReport(keys_requested=requested, keys_found=found, keys_already_erased=already,
                         rows_removed=tuple(removed), seconds=time.perf_counter() - clock)


def _erase_in(con, db: Path, path: Path, secret: bytes) -> tuple[int, int, int, list[tuple[str, int]]]:
    """The erasure inside the attached copy ``pl_target``: keys requested, found, already erased, rows removed."""
    if not catalog._has_catalog(con):
        raise ErasureError([Problem(str(db), None, None, "not a PrivacyLift database (no catalog)")])
    datasets = _keyed_datasets(con)
    if not datasets or datasets[0][1].entity != "customers":
        raise ErasureError([Problem(str(db), None, None, "no customers dataset with a key: there is nothing to "
                                    "erase by key")])
    driver = datasets[0][1]
    if _another_secret(con, _secret_check(secret)):
        raise ErasureError([Problem(str(db), None, None, "the pseudonymization secret is not this database's "
                                    "(check PRIVACYLIFT_SECRET or the .key file): keys would not match")])
    execute(con, "USE memory")
    problems = _load_erasure_list(con, driver, path)
    if not problems and not run_scalar(con, "SELECT count(*) FROM memory.main.erasure_keys"):
        problems = [Problem(str(path), None, None, "no keys: the file has no non-blank line")]
    if problems:
        raise ErasureError(problems)
    execute(con, "USE pl_target")
    pads = hmac_params(secret)
    # each key's pseudonym (what _pl_erased and pseudonymized keys hold) and its text (what a key stored as is
    # holds): matching the text is matching the pseudonym, without hashing every stored row
    sql = (f"CREATE TABLE memory.main.erase_p AS SELECT DISTINCT {erasure_token_sql('k')} AS p, "
           "lower(CAST(k AS VARCHAR)) AS v FROM memory.main.erasure_keys")
    execute(con, sql, _params(sql, pads))
    requested = int(run_scalar(con, "SELECT count(*) FROM memory.main.erase_p"))
    tables = [(name, _matches(d.column(d.key).role, d.key)) for name, d in datasets]
    if table_exists(con, GROUND_TRUTH_TABLE):
        tables.append((GROUND_TRUTH_TABLE, _matches("other", driver.key)))
    hits = " OR ".join(f"EXISTS (SELECT 1 FROM {quote_ident(t)} WHERE {m})" for t, m in tables)
    found = int(run_scalar(con, f"SELECT count(*) FROM memory.main.erase_p e WHERE {hits}"))
    already = int(run_scalar(con, f"SELECT count(*) FROM memory.main.erase_p e WHERE e.p IN "
                                  f"(SELECT key_pseudonym FROM _pl_erased) AND NOT ({hits})"))
    erasure_id, at = uuid.uuid4().hex, _now()
    removed = []
    with transaction(con):
        execute(con, _LOG_DDL)
        for table, match in tables:
            where = f"WHERE EXISTS (SELECT 1 FROM memory.main.erase_p e WHERE {match})"
            n = int(run_scalar(con, f"SELECT count(*) FROM {quote_ident(table)} {where}"))
            execute(con, f"DELETE FROM {quote_ident(table)} {where}")
            removed.append((table, n))
            if table != GROUND_TRUTH_TABLE:
                catalog._set_rows(con, table, int(run_scalar(con, f"SELECT count(*) FROM {quote_ident(table)}")))
            execute(con, f"INSERT INTO {ERASURE_LOG} VALUES (?, ?, ?, ?, ?, ?)",
                    [erasure_id, at, requested, found, table, n])
        execute(con, "INSERT INTO _pl_erased SELECT p FROM memory.main.erase_p "
                     "WHERE p NOT IN (SELECT key_pseudonym FROM _pl_erased)")
    return requested, found, already, removed
