"""The environment of an ingest: its arguments, the lock that serializes ingests, a database file and folder that
can be written as a whole, and the copy it is written through (used by :mod:`._ingest`, :mod:`._erase` and
:meth:`analysis.store.Store.attach_ground_truth`)."""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import stat
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb

from analysis.dictionary import Dictionary
from analysis.store._gateway import StoreError, connect, execute, explain_duckdb_error

__all__ = ["database_lock", "check_environment", "check_arguments", "written_copy"]


@contextmanager
def _exclusive_lock(db: Path, timeout: float) -> Iterator[None]:
    """``fcntl.flock`` on ``<db>.lock``, waiting up to ``timeout`` seconds."""
    lock_path = db.with_name(db.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"Another ingest into {db} is running: waited {timeout:g} s for the lock {lock_path}. "
                        "Try again when it has finished, or pass a larger lock_timeout."
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def database_lock(db_path: str | Path, *, timeout: float = 30.0):
    """The exclusive lock every ingest takes (``<db>.lock``); hold it for any other write to the database file.

    An ingest replaces the whole file, so a write made by another connection while an ingest runs would be lost.

    Example
    -------
    >>> with database_lock("crm.duckdb", timeout=5):   # doctest: +SKIP
    ...     pass  # write to crm.duckdb here, then CHECKPOINT and close
    """
    return _exclusive_lock(Path(db_path), float(timeout))


def check_arguments(db_path: Any, dictionary: Any, files: Any, secret: Any, lock_timeout: Any, replace: Any,
                     erasure_list: Any) -> list[Path]:
    if not isinstance(db_path, (str, Path)) or str(db_path) in ("", ":memory:"):
        raise ValueError(f"The 'db_path' parameter of ingest must be a database file path. Got {db_path!r} instead.")
    if not isinstance(dictionary, Dictionary):
        raise ValueError(
            f"The 'dictionary' parameter of ingest must be a Dictionary. Got {type(dictionary).__name__} instead."
        )
    if isinstance(files, (str, Path)) or not isinstance(files, Sequence) or not files:
        raise ValueError(f"The 'files' parameter of ingest must be a non-empty list of paths. Got {files!r} instead.")
    if secret is not None and (not isinstance(secret, (bytes, bytearray)) or not secret):
        raise ValueError(f"The 'secret' parameter of ingest must be non-empty bytes or None. Got {type(secret).__name__} instead.")
    if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float)) or lock_timeout < 0:
        raise ValueError(f"The 'lock_timeout' parameter of ingest must be a number >= 0. Got {lock_timeout!r} instead.")
    if not isinstance(replace, bool):
        raise ValueError(f"The 'replace' parameter of ingest must be True or False. Got {replace!r} instead.")
    if erasure_list is not None and not isinstance(erasure_list, (str, Path)):
        raise ValueError(f"The 'erasure_list' parameter of ingest must be a path or None. Got {erasure_list!r} instead.")
    if not all(isinstance(f, (str, Path)) for f in files):
        raise ValueError(f"The 'files' parameter of ingest must be a non-empty list of paths. Got {files!r} instead.")
    return [Path(f) for f in files]


def _writable(path: Path) -> bool:
    """Writable by us — and, as root (who may write anything), only when some write permission bit is set:
    a file or folder made read-only means "do not change it" whoever runs the ingest."""
    if not os.access(path, os.W_OK):
        return False
    return os.geteuid() != 0 or bool(stat.S_IMODE(path.stat().st_mode) & 0o222)


def check_environment(db: Path) -> None:
    """Refuse, before anything is read or written, a database that cannot be written as a whole: a read-only
    file or folder, a file that is not a DuckDB database (damaged, truncated, another kind), or a database
    another program has open for writing (its writes would be lost when the new file replaces it)."""
    folder = db.parent
    if folder.exists() and not _writable(folder):
        raise StoreError(f"The folder {folder} is read-only: an ingest writes a new copy of the database beside it "
                         "and renames it into place. Make the folder writable, or ingest into another folder.")
    if not db.exists():
        return
    if not db.is_file():
        raise StoreError(f"The database path {db} is not a file.")
    if not _writable(db):
        raise StoreError(f"The database {db} is read-only (mode {stat.S_IMODE(db.stat().st_mode):o}): nothing was "
                         "changed. Make it writable (chmod u+w) to ingest into it, or ingest into a copy.")
    connect(db, read_only=True).close()  # a damaged file or a writer's lock: a StoreError in plain words


def _temp_copy(db: Path) -> Path:
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        raise StoreError(
            f"The database {db} has a write-ahead log ({wal.name}): another program has it open for writing, "
            "or did not close it cleanly. Close it (or open and close it once with DuckDB) and ingest again."
        )
    # copies left by an ingest that was killed (we hold the lock, so none is in use): remove them
    for stale in db.parent.glob(f"{glob.escape(db.name)}.tmp-ingest-*"):
        stale.unlink(missing_ok=True)
    tmp = db.with_name(f"{db.name}.tmp-ingest-{uuid.uuid4().hex[:12]}")
    if db.exists():
        shutil.copyfile(db, tmp)
        shutil.copymode(db, tmp)
    return tmp


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def written_copy(con: duckdb.DuckDBPyConnection, db: Path, *, explain_attach: bool = False) -> Iterator[None]:
    """Write ``db`` all or nothing (hold :func:`database_lock`): inside the block a copy of it (a new file when
    it does not exist) is attached as ``pl_target`` and in use; when the block ends normally the copy is
    checkpointed, detached, fsynced and renamed onto ``db``. After an exception ``db`` is byte for byte as it
    was; the copy is removed in every case.

    Raises :class:`StoreError` when ``db`` has a write-ahead log (open for writing elsewhere); a DuckDB error on
    attaching the copy is raised as it is, or with ``explain_attach`` as a :class:`StoreError` in plain words.
    """
    tmp = _temp_copy(db)
    attached = False
    try:
        try:
            execute(con, "ATTACH ? AS pl_target", [str(tmp)])
        except duckdb.Error as exc:
            if not explain_attach:
                raise
            raise StoreError(explain_duckdb_error(db, exc)) from None
        attached = True
        execute(con, "USE pl_target")
        yield
        execute(con, "CHECKPOINT pl_target")
        execute(con, "USE memory")
        execute(con, "DETACH pl_target")
        attached = False
        _fsync(tmp)
        os.replace(tmp, db)
        _fsync(db.parent, directory=True)
    finally:
        if attached:
            try:
                execute(con, "USE memory")
                execute(con, "DETACH pl_target")
            except duckdb.Error:
                pass
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
