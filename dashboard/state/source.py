"""Where the app's data comes from.

- The active database: an upload chosen in this session (or named by the URL's ``db=uploads/<id>``), else
  ``$PRIVACYLIFT_DB``, else the demo CRM built on first start.
- Uploads belong to the browser session that made them (:mod:`dashboard.uploads`).
- ``load_data()``: the CRM loaded once per (database path, store fingerprint) with ``st.cache_resource``; the
  fingerprint is re-read only when the file's inode, size or modification time changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from analysis import CRMData, Store, load_crm

from dashboard.state.settings import DB
from dashboard.uploads import (  # noqa: F401  (re-exported: pages and tests use them through state)
    UNAVAILABLE, UPLOAD_NAME, UPLOAD_TTL_HOURS, UPLOADS, db_from_query, may_open, purge_expired, read_meta,
    upload_id_of, upload_path,
)

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class DataSource:
    """The database in use and how it was chosen (for the sidebar)."""

    path: Path
    label: str
    origin: str  # "upload" | "environment" | "demo"


def _demo_path() -> str:
    from analysis.demo import DEMO_DB, ensure_demo

    if DEMO_DB.exists():
        return str(DEMO_DB)
    with st.status("Building the demo CRM (first start only, a few seconds)…", expanded=True) as status:
        store = ensure_demo(progress=lambda message: status.write(message))
        status.update(label="Demo CRM ready", state="complete", expanded=False)
    return str(store.path)


def data_source() -> DataSource:
    """The active database (see the module docstring for the order)."""
    purge_expired()
    chosen = st.session_state.get(DB)
    upload_id = upload_id_of(chosen) if chosen else None
    if chosen is not None and (upload_id is None or not may_open(upload_id)):
        st.session_state.pop(DB, None)  # expired, deleted, or never this session's
        chosen = None
        st.warning(f"The uploaded dataset is no longer available (uploads are deleted after {UPLOAD_TTL_HOURS} "
                   "hours); showing the default data.")
    if chosen is None:
        wanted = st.query_params.get("db")
        from_url = db_from_query(wanted)
        if wanted and from_url is None and st.session_state.get("db_refused") != wanted:
            st.session_state["db_refused"] = wanted  # said once, not on every call of this run
            st.warning(UNAVAILABLE)
        if from_url is not None:
            st.session_state[DB] = chosen = str(from_url)
    if chosen is not None:
        meta = read_meta(upload_id_of(chosen)) or {}
        return DataSource(Path(chosen), f"Upload: {meta.get('dataset') or 'dataset'}", "upload")
    env = os.environ.get("PRIVACYLIFT_DB")
    if env:
        return DataSource(Path(env), Path(env).name, "environment")
    return DataSource(Path(_demo_path()), "Demo CRM (synthetic customers)", "demo")


def store(source: DataSource | None = None) -> Store:
    """The :class:`~analysis.Store` of ``source`` (default: the active database; what the Data page lists)."""
    return Store((source or data_source()).path)


@st.cache_resource(show_spinner="Loading the CRM…", max_entries=4)
def _load(path: str, fingerprint: str) -> CRMData:
    return load_crm(Store(path))


@st.cache_resource(show_spinner=False, max_entries=16)
def _fingerprint(path: str, stamp: tuple) -> str:
    return Store(path).fingerprint()


def _stamp(path: Path) -> tuple:
    """What changes whenever the database does: inode, size and modification time of the file and its WAL."""
    out = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            s = p.stat()
        except OSError:
            out.append(None)
        else:
            out.append((s.st_ino, s.st_size, s.st_mtime_ns))
    return tuple(out)


def load_data() -> CRMData:
    """The active CRM, loaded once per database path and content fingerprint (the fingerprint itself is read
    again only when the file changed: opening DuckDB for it took ~0.15 s of every page run)."""
    source = data_source()
    return _load(str(source.path), _fingerprint(str(source.path), _stamp(source.path)))
