"""Keyed pseudonyms for direct identifiers: the secret, and a reference implementation.

A direct identifier (name, e-mail, phone, ...) is replaced at ingest by
``HMAC-SHA256(secret, value)`` written as lowercase hex and truncated to 32 characters
(128 bits). The same value always maps to the same pseudonym under one secret (so tables
still join), different values map to different pseudonyms, and without the secret the
pseudonym cannot be reversed by trying candidate values (HMAC, RFC 2104, Krawczyk et al. 1997).

The store computes pseudonyms inside DuckDB, vectorized (see ``analysis/store/_ingest.py``);
:func:`pseudonymize` here is the plain-Python reference used to cross-check it.

The secret comes from the environment variable ``PRIVACYLIFT_SECRET`` (hex or text) when it is
set, else from the key file named by ``PRIVACYLIFT_KEY_FILE``, else from a file ``<database>.key``
beside the database; a key file is created on first use with mode 0600 (readable only by its owner)
and refused when others can read it.

What the secret protects: without it, a pseudonym cannot be linked back to a person by trying candidate
values (every phone number, every e-mail of a known domain). Whoever holds both the database *and* the
secret can do exactly that for low-entropy identifiers (a phone number has ~10^7 candidates: seconds).
So keep the secret away from the data: in the environment, or in a key file outside the data folder.
What it does not protect: the stored non-identifying columns (age, region, purchases …) are in the clear
in the database; they are protected only by access to the file.

Example
-------
>>> pseudonymize(["ana@example.org", None], b"0123456789abcdef").to_list()
['76f87255c46390f8db8de34733a3bdc4', None]
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import time
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import polars as pl

__all__ = [
    "SECRET_ENV",
    "KEY_FILE_ENV",
    "secret_source",
    "key_beside_database",
    "PSEUDONYM_LENGTH",
    "MIN_SECRET_BYTES",
    "load_or_create_secret",
    "create_key_file",
    "secret_path",
    "pseudonymize",
    "hmac_pads",
]

#: environment variable that, when set, holds the secret (hex or text) and wins over the key file
SECRET_ENV = "PRIVACYLIFT_SECRET"
#: environment variable naming a key file (keep it outside the data folder); used when PRIVACYLIFT_SECRET is unset
KEY_FILE_ENV = "PRIVACYLIFT_KEY_FILE"
#: hex characters kept from the 64-character HMAC-SHA256 digest: 32 hex = 128 bits, far beyond any
#: collision risk for CRM sizes (birthday bound ~2^64 values). Design choice of this project.
PSEUDONYM_LENGTH = 32
#: shortest accepted secret: 16 bytes = 128 bits, so the key cannot be guessed by brute force
#: (NIST SP 800-107 Rev. 1, 2012, sec. 5.3.4: an HMAC key should have at least the security strength wanted).
MIN_SECRET_BYTES = 16
#: bytes of a newly created secret (32 = the SHA-256 block-size recommendation of RFC 2104, 1997: >= hash length)
NEW_SECRET_BYTES = 32
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")


def secret_path(db_path: str | Path) -> Path:
    """The key file of a database: ``$PRIVACYLIFT_KEY_FILE`` when set, else ``<db>.key`` beside it."""
    named = os.environ.get(KEY_FILE_ENV)
    if named:
        return Path(named).expanduser()
    p = Path(db_path)
    return p.with_name(p.name + ".key")


def secret_source(db_path: str | Path) -> str:
    """Where :func:`load_or_create_secret` takes the secret of a database from, in words."""
    if os.environ.get(SECRET_ENV):
        return f"the environment variable {SECRET_ENV}"
    return f"the key file {secret_path(db_path)}"


def key_beside_database(db_path: str | Path) -> bool:
    """True when the secret would come from a key file in the database's own folder (anyone who copies the
    folder gets both, and can reverse low-entropy pseudonyms)."""
    if os.environ.get(SECRET_ENV):
        return False
    return secret_path(db_path).resolve().parent == Path(db_path).resolve().parent


def _secret_from_env(value: str) -> bytes:
    value = value.strip()
    raw = bytes.fromhex(value) if _HEX.match(value) else value.encode("utf-8")
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(
            f"The '{SECRET_ENV}' environment variable must hold a secret of at least {MIN_SECRET_BYTES} bytes "
            f"(hex or text). Got {len(raw)} bytes instead."
        )
    return raw


def _read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PermissionError(
            f"The key file {path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"make it private with `chmod 600 {path}`."
        )
    # A concurrent first use may have created the file and not yet written it: wait briefly.
    for _ in range(50):
        text = path.read_text(encoding="ascii").strip()
        if text:
            break
        time.sleep(0.02)
    if not _HEX.match(text) or len(text) // 2 < MIN_SECRET_BYTES:
        raise ValueError(
            f"The key file {path} must hold at least {MIN_SECRET_BYTES} bytes as hex. "
            f"Got {len(text)} characters instead."
        )
    return bytes.fromhex(text)


def load_or_create_secret(db_path: str | Path) -> bytes:
    """The pseudonymization secret of a database.

    ``PRIVACYLIFT_SECRET`` (hex, or else text as UTF-8) wins when set. Otherwise the key file
    (``$PRIVACYLIFT_KEY_FILE``, else ``<db>.key``) is read, or created on first use with 32 random bytes and
    mode 0600; a key file that others can read is refused (PermissionError).

    Parameters
    ----------
    db_path : path of the DuckDB database file (need not exist yet).

    Returns
    -------
    bytes : the secret (at least 16 bytes).

    Example
    -------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> s = load_or_create_secret(d / "crm.duckdb")   # doctest: +SKIP
    >>> s == load_or_create_secret(d / "crm.duckdb")  # doctest: +SKIP
    True
    """
    env = os.environ.get(SECRET_ENV)
    if env:
        return _secret_from_env(env)
    path = secret_path(db_path)
    if os.environ.get(KEY_FILE_ENV) and not path.parent.is_dir():
        raise FileNotFoundError(f"The folder of the key file named by {KEY_FILE_ENV} ({path.parent}) does not exist.")
    secret = secrets.token_bytes(NEW_SECRET_BYTES)
    if not create_key_file(path, secret):
        return _read_key_file(path)
    return secret


def create_key_file(path: Path, key: bytes) -> bool:
    """Write ``key`` as hex into a new file only its owner can read (mode 0600), synced to disk. False, and
    nothing written, when the file exists already (another process may have created it meanwhile)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        os.write(fd, key.hex().encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def hmac_pads(secret: bytes) -> tuple[bytes, bytes]:
    """The inner and outer HMAC-SHA256 key blocks ``(K xor ipad, K xor opad)`` (RFC 2104).

    With them, ``HMAC(K, m) = SHA256(opad_key || SHA256(ipad_key || m))``, which the store evaluates in SQL.
    """
    if not isinstance(secret, (bytes, bytearray)) or len(secret) == 0:
        raise ValueError(f"The 'secret' parameter must be non-empty bytes. Got {type(secret).__name__} instead.")
    key = bytes(secret)
    if len(key) > 64:  # SHA-256 block size
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\x00")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _as_list(values: Any) -> tuple[list[Any], str]:
    if isinstance(values, pl.Series):
        return values.to_list(), values.name or "pseudonym"
    if isinstance(values, np.ndarray):
        return values.tolist(), "pseudonym"
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(
            "The 'values' parameter of pseudonymize must be a list, numpy array or polars Series. "
            f"Got {type(values).__name__} instead."
        )
    return list(values), "pseudonym"


def pseudonymize(values: Any, secret: bytes) -> pl.Series:
    """Reference pseudonyms: ``hmac.new(secret, str(v).encode(), sha256).hexdigest()[:32]``; None stays None.

    Values are turned into text as DuckDB does for text and integers (``str``), so this agrees with the
    store for text identifiers and integer keys. Used to cross-check the vectorized SQL version.

    Example
    -------
    >>> pseudonymize([42, 42, 43], b"k" * 16).n_unique()
    2
    """
    if not isinstance(secret, (bytes, bytearray)) or len(secret) == 0:
        raise ValueError(f"The 'secret' parameter must be non-empty bytes. Got {type(secret).__name__} instead.")
    items, name = _as_list(values)
    key = bytes(secret)
    out = [
        None if v is None else hmac.new(key, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]
        for v in items
    ]
    return pl.Series(name, out, dtype=pl.Utf8)
