"""Uploads belong to the browser session that made them.

Each upload gets a random id (18 random bytes = 144 bits, never the dataset's name), its own new database file
(nothing is ever overwritten: the id's metadata file is created exclusively) and an owner: a hash of the
browser's Streamlit session cookie (so a reload in the same browser keeps it), else of the Streamlit session. A
link naming an upload (``?db=uploads/<id>``) opens it only for its owner — or for anyone once the owner ticked
"share" — and only until it expires (:data:`UPLOAD_TTL_HOURS`), when its files are deleted. A guessed name, a
guessed id and someone else's private id all get the same answer: not found. The pseudonymization secret of an
upload is random and never stored (an upload is ingested once), so its pseudonyms cannot be reversed by anyone.

Uploads live in ``$PRIVACYLIFT_UPLOADS`` (default ``data/uploads``), one ``<id>.duckdb`` and ``<id>.json`` each.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
UPLOADS = Path(os.environ.get("PRIVACYLIFT_UPLOADS") or ROOT / "data" / "uploads")
#: an upload's id: 24 URL-safe characters (18 random bytes = 144 bits), never a name a visitor could guess
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{24}$")
#: a dataset name accepted for uploads (letters, digits, _ and -)
UPLOAD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
#: hours an upload is kept before it is deleted (PrivacyLift assumption: a working day and a night)
UPLOAD_TTL_HOURS = 24
UNAVAILABLE = ("The dataset in the link was not found among the uploads this browser may open (an upload belongs "
               "to the session that made it unless it was shared, and expires after "
               f"{UPLOAD_TTL_HOURS} hours); showing the default data.")


def upload_path(upload_id: str) -> Path | None:
    """``<uploads>/<id>.duckdb`` for a well-formed upload id, else None (never a path from user text)."""
    if not isinstance(upload_id, str) or not UPLOAD_ID.match(upload_id):
        return None
    return UPLOADS / f"{upload_id}.duckdb"


def _meta_path(upload_id: str) -> Path:
    return UPLOADS / f"{upload_id}.json"


def read_meta(upload_id: str | None) -> dict | None:
    """An upload's metadata (dataset name, owner hash, shared, created, expires); None when absent."""
    if not isinstance(upload_id, str) or not UPLOAD_ID.match(upload_id):
        return None
    try:
        return json.loads(_meta_path(upload_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_meta(upload_id: str, meta: dict, *, new: bool = False) -> None:
    path = _meta_path(upload_id)
    data = json.dumps(meta, sort_keys=True).encode("utf-8")
    if new:  # exclusive: an id is never reused, a file never overwritten
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return
    tmp = path.with_name(path.name + f".tmp-{secrets.token_hex(4)}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def owner_token() -> str:
    """Who this browser session is, as a hash: of the token in Streamlit's XSRF cookie (the same for every page
    load in one browser, and unknown to any other) when there is one, else of the Streamlit session id."""
    cookie = None
    try:
        cookie = st.context.cookies.get("_streamlit_xsrf")
    except Exception:  # no request context (tests, bare mode)
        cookie = None
    token = _unmasked(cookie) if isinstance(cookie, str) and cookie else None
    if token is None:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        token = f"session:{ctx.session_id if ctx else 'none'}"
    return hashlib.sha256(("privacylift upload owner\n" + token).encode("utf-8")).hexdigest()


def _unmasked(cookie: str) -> str | None:
    """The browser's XSRF token inside Tornado's cookie ``2|mask|masked token|time``: the cookie is re-sent with
    a new mask on every page load, the token under it stays the same for the browser."""
    try:
        version, mask, masked, _ = cookie.split("|")
        key, data = bytes.fromhex(mask), bytes.fromhex(masked)
    except ValueError:
        return None
    if version != "2" or len(key) != 4 or not data:
        return None
    return bytes(b ^ key[i % 4] for i, b in enumerate(data)).hex()


def _expired(meta: dict) -> bool:
    try:
        return datetime.fromisoformat(meta["expires"]) <= datetime.now(timezone.utc)
    except (KeyError, TypeError, ValueError):
        return True


def new_upload(label: str) -> tuple[str, Path]:
    """A fresh upload id (owned by this session) and the path its database will be written to."""
    UPLOADS.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    while True:
        upload_id = secrets.token_urlsafe(18)
        try:
            _write_meta(upload_id, {"dataset": str(label)[:200], "owner": owner_token(), "shared": False,
                                    "created": now.isoformat(),
                                    "expires": (now + timedelta(hours=UPLOAD_TTL_HOURS)).isoformat()}, new=True)
            return upload_id, upload_path(upload_id)
        except FileExistsError:  # 2^-144: never, but never overwrite either
            continue


def discard_upload(upload_id: str) -> None:
    """Delete an upload's files (after a failed ingest, or when it expires)."""
    if not UPLOAD_ID.match(upload_id):
        return
    for path in UPLOADS.glob(f"{upload_id}.*"):
        path.unlink(missing_ok=True)


def upload_id_of(path: str | Path) -> str | None:
    p = Path(path)
    return p.stem if p.parent == UPLOADS and UPLOAD_ID.match(p.stem) else None


def may_open(upload_id: str) -> bool:
    """Whether this session may open an upload: it exists, has not expired, and is its own or shared."""
    meta = read_meta(upload_id)
    path = upload_path(upload_id)
    if meta is None or path is None or not path.exists() or _expired(meta):
        return False
    return bool(meta.get("shared")) or meta.get("owner") == owner_token()


def is_owner(upload_id: str) -> bool:
    meta = read_meta(upload_id)
    return meta is not None and meta.get("owner") == owner_token()


def is_shared(upload_id: str) -> bool:
    meta = read_meta(upload_id)
    return bool(meta and meta.get("shared"))


def set_shared(upload_id: str, shared: bool) -> None:
    """The owner lets anyone with the link open the upload (or stops it)."""
    meta = read_meta(upload_id)
    if meta is None or meta.get("owner") != owner_token():
        raise PermissionError("Only the session that uploaded a dataset can share it.")
    _write_meta(upload_id, {**meta, "shared": bool(shared)})


_last_purge = [0.0]


def purge_expired(*, every_seconds: float = 60.0) -> None:
    """Delete expired uploads (at most once a minute per server)."""
    if time.monotonic() - _last_purge[0] < every_seconds or not UPLOADS.is_dir():
        return
    _last_purge[0] = time.monotonic()
    for meta_file in UPLOADS.glob("*.json"):
        upload_id = meta_file.stem
        if UPLOAD_ID.match(upload_id) and _expired(read_meta(upload_id) or {}):
            discard_upload(upload_id)


def db_from_query(value: str | None) -> Path | None:
    """The upload named by a URL's ``db=uploads/<id>`` when this session may open it; else None."""
    if not value or not value.startswith("uploads/"):
        return None
    upload_id = value.removeprefix("uploads/")
    path = upload_path(upload_id)
    return path if path is not None and may_open(upload_id) else None
