"""Keyed pseudonyms: the SQL HMAC of the store agrees with Python's hmac; the secret is handled safely."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.pseudonym import (
    MIN_SECRET_BYTES,
    SECRET_ENV,
    hmac_pads,
    load_or_create_secret,
    pseudonymize,
    secret_path,
)
from analysis.store._gateway import memory, run
from analysis.store._ingest_checks import hmac_sql

SECRET = b"test-secret-0123456789"


def sql_pseudonyms(values: list[str | None], secret: bytes) -> list[str | None]:
    """The store's vectorized SQL HMAC over a column of text."""
    con = memory()
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Utf8})
    con.register("frame", frame)
    ipad, opad = hmac_pads(secret)
    out = run(con, f"SELECT {hmac_sql('v')} AS p FROM frame", {"pl_ipad": ipad, "pl_opad": opad})
    con.close()
    return out["p"].to_list()


def test_reference_matches_rfc2104_hmac_by_hand():
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"[:32]
    assert pseudonymize(["what do ya want for nothing?"], b"Jefe").to_list() == [expected]
    assert sql_pseudonyms(["what do ya want for nothing?"], b"Jefe") == [expected]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))),
        min_size=1,
        max_size=20,
    ),
    secret=st.binary(min_size=1, max_size=150),  # also keys longer than the 64-byte block (hashed first)
)
def test_sql_hmac_equals_python_hmac(values, secret):
    expected = [None if v is None else hmac.new(secret, v.encode(), hashlib.sha256).hexdigest()[:32] for v in values]
    assert sql_pseudonyms(values, secret) == expected
    assert pseudonymize(values, secret).to_list() == expected


def test_pseudonyms_stable_distinct_and_secret_dependent():
    values = ["ana@example.org", "ben@example.org", "ana@example.org"]
    a = pseudonymize(values, SECRET).to_list()
    assert a[0] == a[2] and a[0] != a[1]
    assert a == pseudonymize(values, SECRET).to_list()
    other = pseudonymize(values, SECRET + b"x").to_list()
    assert set(a).isdisjoint(other)
    assert all(len(p) == 32 and int(p, 16) >= 0 for p in a)


def test_pseudonymize_accepts_list_numpy_and_polars():
    expected = pseudonymize(["7", "8"], SECRET).to_list()
    assert pseudonymize(np.array([7, 8]), SECRET).to_list() == expected
    assert pseudonymize(pl.Series("id", [7, 8]), SECRET).name == "id"
    assert pseudonymize(pl.Series("id", [7, 8]), SECRET).to_list() == expected
    with pytest.raises(ValueError, match="'values' parameter"):
        pseudonymize("ana", SECRET)
    with pytest.raises(ValueError, match="'secret' parameter"):
        pseudonymize(["a"], b"")


def test_secret_file_created_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    db = tmp_path / "crm.duckdb"
    first = load_or_create_secret(db)
    path = secret_path(db)
    assert path == tmp_path / "crm.duckdb.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 32
    assert load_or_create_secret(db) == first
    assert load_or_create_secret(tmp_path / "other.duckdb") != first


def test_secret_file_readable_by_others_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    db = tmp_path / "crm.duckdb"
    load_or_create_secret(db)
    os.chmod(secret_path(db), 0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        load_or_create_secret(db)


def test_environment_secret_wins_hex_or_text(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "00" * 16 + "ff" * 16)
    assert load_or_create_secret(tmp_path / "a.duckdb") == bytes(16) + b"\xff" * 16
    assert not secret_path(tmp_path / "a.duckdb").exists()
    monkeypatch.setenv(SECRET_ENV, "a passphrase that is long enough")
    assert load_or_create_secret(tmp_path / "a.duckdb") == b"a passphrase that is long enough"
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(ValueError, match=f"at least {MIN_SECRET_BYTES} bytes"):
        load_or_create_secret(tmp_path / "a.duckdb")
