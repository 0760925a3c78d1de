"""Canary test: raw direct identifiers never leave the ingest.

A seeded synthetic CRM gets unique marker names, e-mails and phones (``CANARYNAME<hex>``,
``canary<hex>@example.org``, ``CANARYPHONE<hex>``). It is ingested through the CLI, then every CLI command runs
(``simulate --json``, ``risk --json``, ``report``, ``verify``, ``review``) with every ``logging`` record at DEBUG
captured, and every page of the app is rendered with AppTest on that database. Every output, log and file
written (the DuckDB file, the report folder, the registry, the temp folder of the processes) is searched for the
raw markers: none may appear. The keyed pseudonyms of those identifiers and the customer keys (row-level data)
may be in the database, but never in a report, the CLI's JSON or a page.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.pseudonym import pseudonymize
from analysis.synthetic import generate

ROOT = Path(__file__).resolve().parents[1]
SECRET = b"canary-secret-0123456789abcdef"
CUSTOMERS = 3000
#: byte patterns no output may contain: the raw markers (each row's marker starts with one of these)
MARKERS = (b"CANARYNAME", b"CANARYPHONE", b"canary")
PAGES = ["overview_page.py", "builder_page.py", "compare_page.py", "risk_page.py", "breach_page.py",
         "data_page.py", "reports_page.py"]

RUNNER = r"""
import json, logging, sys
logging.basicConfig(stream=sys.stderr, level=logging.DEBUG, format="%(name)s %(levelname)s %(message)s")
logging.getLogger("privacylift").setLevel(logging.DEBUG)
from analysis.cli import main
for argv in json.loads(sys.argv[1]):
    print("### " + " ".join(argv[:1]), flush=True)
    print("### " + " ".join(argv[:1]), file=sys.stderr, flush=True)
    code = main(argv)
    if code != 0:
        print(f"command {argv[0]} exited with {code}", file=sys.stderr, flush=True)
        sys.exit(10 + code)
"""


def hits(data: bytes) -> list[bytes]:
    return [m for m in MARKERS if m in data]


def canary_files(folder: Path) -> dict:
    """generate() output whose customers carry unique marker identifiers; returns paths and the raw values."""
    files = generate(CUSTOMERS, seed=11, out_dir=folder / "input", file_format="csv")
    customers = pl.read_csv(files.customers, infer_schema_length=0)
    rng = np.random.default_rng(5)
    tags = [uuid.UUID(int=int(rng.integers(1 << 62)) << 64 | int(rng.integers(1 << 62))).hex
            for _ in range(customers.height)]
    customers = customers.with_columns(
        pl.Series("full_name", [f"CANARYNAME{t}" for t in tags]),
        pl.Series("email", [f"canary{t}@example.org" for t in tags]),
        pl.Series("phone", [f"CANARYPHONE{t}" for t in tags]),
    )
    customers.write_csv(files.customers)
    return {"files": files, "names": customers["full_name"].to_list(), "emails": customers["email"].to_list(),
            "phones": customers["phone"].to_list(), "keys": customers["customer_id"].to_list()}


@pytest.fixture(scope="module")
def canary(tmp_path_factory):
    folder = tmp_path_factory.mktemp("leakcheck")
    data = canary_files(folder)
    files = data["files"]
    db = folder / "out" / "crm.duckdb"
    db.parent.mkdir()
    report = folder / "out" / "reports" / "board-1"
    tmp = folder / "out" / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PRIVACYLIFT_SECRET": SECRET.hex(), "TMPDIR": str(tmp)}
    outputs: dict[str, str] = {}
    # 1. the real command line, as a user types it
    first = subprocess.run([sys.executable, "-m", "analysis", "ingest", "--db", str(db), "--dictionary",
                            str(files.customers_dictionary), "--json", str(files.customers)],
                           capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    outputs["ingest stdout"], outputs["ingest stderr"] = first.stdout, first.stderr
    # 2. every other command in one process (one interpreter start), every log record at DEBUG on stderr
    commands = [
        ["ingest", "--db", str(db), "--dictionary", str(files.campaign_dictionary), str(files.campaign)],
        ["ingest", "--db", str(db), "--dictionary", str(files.events_dictionary), str(files.events)],
        ["simulate", "--db", str(db), "--json"],
        ["risk", "--db", str(db), "--json"],
        ["risk", "--db", str(db)],
    ]
    commands += [
        ["report", "--db", str(db), "--out", str(report), "--purpose", "leak check"],
        ["verify", str(report), "--db", str(db)],
        ["review", str(report), "--decision", "approved", "--reviewer", "Board chair", "--comment", "ok"],
    ]
    rest = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(commands)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)
    assert rest.returncode == 0, rest.stderr[-4000:]
    outputs["commands stdout"], outputs["commands stderr"] = rest.stdout, rest.stderr
    return {**data, "folder": folder, "db": db, "report": report, "outputs": outputs}


def test_control_markers_are_findable_where_they_are(canary):
    """Positive control: the scan finds the markers in the input files (so a miss elsewhere means something)."""
    raw = canary["files"].customers.read_bytes()
    assert all(m in raw for m in MARKERS)
    assert sum(e.encode() in raw for e in canary["emails"]) == CUSTOMERS


def test_cli_outputs_and_logs_hold_no_raw_identifier(canary):
    outputs = canary["outputs"]
    assert "DEBUG" in outputs["commands stderr"] and "privacylift.sql" in outputs["commands stderr"]  # logs on
    assert json.loads(outputs["ingest stdout"])["pseudonymized_columns"] == ["full_name", "email", "phone"]
    for name, text in outputs.items():
        assert not hits(text.encode()), name


def test_no_file_written_holds_a_raw_identifier(canary):
    written = [p for p in (canary["folder"] / "out").rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert "crm.duckdb" in names
    assert {"report.json", "report.html", "registry.jsonl"} <= names, sorted(names)
    for path in written:
        assert not hits(path.read_bytes()), path
        if path.suffix == ".pdf":  # compressed streams: search the extracted text too
            from pypdf import PdfReader

            text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
            assert len(text) > 100 and not hits(text.encode()), path


def test_database_scan_would_find_markers_stored_raw(canary, tmp_path):
    """Positive control for the DuckDB file: the same file with the identifiers declared role 'other' is
    stored raw, and the byte scan finds the markers in it (compression does not hide them)."""
    from analysis.dictionary import parse_dictionary
    from analysis.store._ingest import ingest

    files = canary["files"]
    text = files.customers_dictionary.read_text(encoding="utf-8").replace('role = "direct_identifier"',
                                                                         'role = "other"')
    control = tmp_path / "control.duckdb"
    ingest(control, parse_dictionary(text), [files.customers], secret=SECRET)
    raw = control.read_bytes()
    assert set(hits(raw)) == set(MARKERS)
    assert sum(e.encode() in raw for e in canary["emails"]) > CUSTOMERS // 2


def test_reports_and_cli_json_hold_no_pseudonym_nor_customer_key(canary):
    pseudonyms = set()
    for values in (canary["names"], canary["emails"], canary["phones"]):
        pseudonyms.update(pseudonymize(values, SECRET).to_list())
    # the database does hold them (so the search below looks for the right strings)
    assert sum(p.encode() in canary["db"].read_bytes() for p in list(pseudonyms)[:200]) > 0
    keys = set(canary["keys"])
    texts = dict(canary["outputs"])
    if canary["report"].exists():
        for path in canary["report"].rglob("*"):
            if path.is_file() and path.suffix in (".json", ".html", ".jsonl", ".txt", ".md"):
                texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    for name, text in texts.items():
        found = set(re.findall(r"[0-9a-f]{32}", text)) & pseudonyms
        assert not found, (name, sorted(found)[:3])
        ids = set(re.findall(r"C\d{7}", text)) & keys
        assert not ids, (name, sorted(ids)[:3])


def test_every_app_page_shows_no_raw_identifier_nor_pseudonym(canary, monkeypatch, caplog, capsys):
    if not (ROOT / "app.py").exists():
        pytest.skip("app.py does not exist yet (the dashboard helper's)")
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PRIVACYLIFT_DB", str(canary["db"]))
    monkeypatch.setenv("PRIVACYLIFT_SECRET", SECRET.hex())
    caplog.set_level(logging.DEBUG, logger="privacylift")
    pseudonyms = set(pseudonymize(canary["emails"][:500] + canary["names"][:500], SECRET).to_list())
    shown = []
    at = AppTest.from_file("../app.py", default_timeout=300)
    at.run()
    for page in PAGES:
        if not (ROOT / "dashboard" / page).exists():
            continue
        at.switch_page(f"dashboard/{page}")
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        if page == "overview_page.py":  # the page reads the canary database, not the demo
            held = [m.value for m in at.metric if m.label == "Customers held"]
            assert held and 0.9 * CUSTOMERS <= float(re.sub(r"[^\d.]", "", held[0])) <= CUSTOMERS, held
        text = "\n".join(str(node.proto) for node in _walk(at._tree) if getattr(node, "proto", None) is not None)
        assert len(text) > 200, page
        shown.append(text)
        assert not hits(text.encode()), page
        assert not set(re.findall(r"[0-9a-f]{32}", text)) & pseudonyms, page
    captured = capsys.readouterr()
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for text in (captured.out, captured.err, logs):
        assert not hits(text.encode())
    assert len(shown) >= 5


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)
