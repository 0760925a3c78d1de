"""The environment of an ingest: its arguments, the lock that serializes ingests, and a database file and
folder that can be written as a whole (used by :mod:`._ingest` and :meth:`analysis.store.Store.attach_ground_truth`)."""

from __future__ import annotations

import fcntl
import os
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from analysis.dictionary import Dictionary
from analysis.store._gateway import StoreError, connect

__all__ = ["database_lock", "check_environment", "check_arguments"]


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
