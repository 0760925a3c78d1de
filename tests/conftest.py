"""Shared fixtures: a small synthetic CRM database built once per test session (per xdist worker)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Reports are signed with a key kept outside any report folder: the tests' own, never the user's ~/.config one
# (subprocesses — the CLI, the app server — inherit it, so what one signs the other verifies).
os.environ["PRIVACYLIFT_SIGNING_KEY"] = str(Path(tempfile.mkdtemp(prefix="privacylift-signing-")) / "signing.key")
#: customers in the test demo: small enough to build in a few seconds, large enough for stable lift
TEST_CUSTOMERS = int(os.environ.get("PRIVACYLIFT_TEST_CUSTOMERS", "12000"))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """Path of a seeded synthetic CRM database (customers, campaign, events, ground truth)."""
    from analysis.demo import ensure_demo

    db = tmp_path_factory.mktemp("demo") / "crm.duckdb"
    ensure_demo(db, customers=TEST_CUSTOMERS, seed=7)
    return db


@pytest.fixture(scope="session")
def demo_store(demo_db):
    from analysis import Store

    return Store(demo_db)


@pytest.fixture(scope="session")
def demo_crm(demo_store):
    """The demo CRM loaded once (read-only use!)."""
    from analysis import load_crm

    return load_crm(demo_store)


# a throwaway PostgreSQL cluster and a local SparkSession (tests marked postgres / spark)
from warehouse_fixtures import pg_socket_dir, spark  # noqa: E402,F401
