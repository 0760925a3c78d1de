"""The built-in demo: a seeded synthetic CRM (50,000 customers) generated and ingested on first use."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import polars as pl

from analysis.dictionary import load_dictionary
from analysis.store import Store

__all__ = ["DEMO_DIR", "DEMO_DB", "DEMO_CUSTOMERS", "DEMO_SEED", "ensure_demo", "ingest_generated"]

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_DB = DEMO_DIR / "crm.duckdb"
DEMO_CUSTOMERS = 50_000
DEMO_SEED = 7


def ingest_generated(files, db: str | Path, *, progress: Callable[[str], None] | None = None) -> Store:
    """Ingest what :func:`analysis.synthetic.generate` wrote (customers, campaign, events) and keep its
    ground truth beside the data (used to score scenarios, never as a feature)."""
    store = Store(db)
    for dictionary_path, data_path in files.data_files():
        d = load_dictionary(dictionary_path)
        if progress:
            progress(f"ingesting {d.name}")
        store.ingest(d, [data_path])
    store.attach_ground_truth(pl.read_parquet(files.ground_truth))
    return store


def ensure_demo(
    db: str | Path | None = None,
    *,
    customers: int = DEMO_CUSTOMERS,
    seed: int = DEMO_SEED,
    progress: Callable[[str], None] | None = None,
) -> Store:
    """Return the demo store, building it first if it does not exist (safe if several processes start at once:
    one builds into a temporary folder and renames it into place while the others wait)."""
    from analysis.synthetic import generate

    db = Path(db) if db is not None else DEMO_DB
    if db.exists():
        return Store(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db.parent / (db.name + ".build.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if db.exists():
            return Store(db)
        work = Path(tempfile.mkdtemp(prefix=".demo-build-", dir=db.parent))
        try:
            if progress:
                progress(f"generating {customers:,} synthetic customers")
            files = generate(customers, seed=seed, out_dir=work / "files")
            tmp_db = work / db.name
            ingest_generated(files, tmp_db, progress=progress)
            key = tmp_db.with_name(tmp_db.name + ".key")
            if key.exists():
                os.replace(key, db.with_name(db.name + ".key"))
            os.replace(tmp_db, db)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return Store(db)
