"""The bad-input corpus (tests/bad_inputs/cases.toml): every malformed input gives a clear error naming its
file, column and row, and leaves the database byte-identical; inputs that only look odd load correctly.

Decisions (issue 8):
- A UTF-8 byte-order mark (Excel's "CSV UTF-8") is accepted, in data files and dictionaries: it is stripped,
  the first column keeps its name.
- Formula-like text (``=cmd|...``, ``+``, ``-``, ``@``) is data: stored unchanged, neutralized only when
  exported as CSV (``dashboard.downloads.safe_csv``).
- SQL-like and unicode column and dataset names are plain names: stored and read back, never run.
- A 10 MB single field is refused (DuckDB's line limit), naming the row; its content is never echoed.

Cases marked ``xfail`` in cases.toml are known bugs of the ingest (strict: they flip once fixed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analysis.dictionary import DictionaryError, load_dictionary
from analysis.pseudonym import pseudonymize
from analysis.store._ingest import IngestError, ingest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
SPEC = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))
CASES = SPEC["case"]
OK_CASES = SPEC["ok"]
SECRET = b"bad-inputs-secret-0123456789"
ERRORS = {"IngestError": IngestError, "DictionaryError": DictionaryError}
#: raw direct identifiers of good.csv: never in an error message
RAW_IDENTIFIERS = ("@example.org", "Ana Lima", "Ben Stone", "Twombly")


def files_beside(folder: Path) -> list[str]:
    """Files in the database's folder; the lock file ``<db>.lock`` is created by design and kept."""
    return sorted(n for n in os.listdir(folder) if not n.endswith(".lock"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_db(tmp_path_factory) -> Path:
    """A database holding the corpus's good.csv (built once, copied per case)."""
    db = tmp_path_factory.mktemp("good") / "crm.duckdb"
    report = ingest(db, load_dictionary(CORPUS / "customers.toml"), [CORPUS / "good.csv"], secret=SECRET)
    assert report.rows_stored == 6
    return db


@pytest.fixture
def fresh_db(good_db, tmp_path) -> Path:
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "crm.duckdb"
    shutil.copyfile(good_db, db)
    return db


def huge_field_csv(folder: Path) -> Path:
    """good.csv's header and first row, then a row whose zip is one 10 MB field."""
    lines = (CORPUS / "good.csv").read_text(encoding="utf-8").splitlines()
    parts = lines[2].split(",")
    parts[4] = "Z" * (10 * 1024 * 1024)
    path = folder / "huge_field.csv"
    path.write_text("\n".join([lines[0], lines[1], ",".join(parts), lines[3]]) + "\n", encoding="utf-8")
    return path


def quoted_newline_huge_csv(folder: Path) -> Path:
    """good.csv with row 2's name a quoted field holding a newline and 3 MB (an e-mail address inside)."""
    lines = (CORPUS / "good.csv").read_text(encoding="utf-8").splitlines()
    parts = lines[2].split(",")
    parts[2] = '"Ben Stone\nben@example.org ' + "Q" * (3 * 1024 * 1024) + '"'
    path = folder / "quoted_newline_huge.csv"
    path.write_text("\n".join([lines[0], lines[1], ",".join(parts), lines[3]]) + "\n", encoding="utf-8")
    return path


GENERATED = {"huge_field.csv": huge_field_csv, "quoted_newline_huge.csv": quoted_newline_huge_csv}


def resolve(name: str, folder: Path) -> Path:
    if name.startswith("generated:"):
        return GENERATED[name.removeprefix("generated:")](folder)
    if name.startswith("missing:"):
        return folder / name.removeprefix("missing:")
    return CORPUS / name


def attempt(case: dict, db: Path, folder: Path):
    files = [resolve(f, folder) for f in case["files"]]
    dictionary = load_dictionary(CORPUS / case["dictionary"])
    erasure = CORPUS / case["erasure"] if "erasure" in case else None
    return ingest(db, dictionary, files, secret=SECRET, erasure_list=erasure)


def matching_problems(case: dict, error: Exception) -> list:
    fragments = case.get("fragments", [])
    if isinstance(error, DictionaryError):
        return [p for p in error.problems if all(f in p for f in fragments)
                and ("column" not in case or f"column {case['column']!r}" in p)]
    return [p for p in error.problems
            if ("file" not in case or p.file == case["file"] or Path(p.file).name == case["file"])
            and ("column" not in case or p.column == case["column"])
            and ("row" not in case or p.row == case["row"])
            and all(f in p.message for f in fragments)]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_bad_input_is_refused_clearly_and_database_is_unchanged(case, fresh_db, tmp_path, request):
    if "xfail" in case:
        request.applymarker(pytest.mark.xfail(strict=True, reason=case["xfail"]))
    folder = fresh_db.parent
    before, listing = sha256(fresh_db), files_beside(folder)
    with pytest.raises(ERRORS[case["error"]]) as info:
        attempt(case, fresh_db, tmp_path)
    error = info.value
    message = str(error)
    assert matching_problems(case, error), f"no problem matches {case}:\n{message}"
    # the error names the file it is about (the data file, or the dictionary file)
    named = case.get("file") if case["error"] == "IngestError" else case["dictionary"]
    if named:
        assert named in message, message
    assert not [raw for raw in RAW_IDENTIFIERS if raw in message], message
    assert not [text for text in case.get("absent", []) if text in message], message  # cell values never echoed
    if "problems" in case:
        assert len(error.problems) == case["problems"], message
    assert len(message) < 4000 and "ZZZZZZZZ" not in message  # a 10 MB field is never echoed
    assert sha256(fresh_db) == before
    assert files_beside(folder) == listing  # no temp copy, WAL or lock left beside the database


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in OK_CASES])
def test_odd_but_valid_input_loads(case, fresh_db, tmp_path):
    db = tmp_path / "empty" / "crm.duckdb" if case.get("empty_db") else fresh_db
    report = attempt(case, db, tmp_path)
    assert report.rows_stored == case["rows"]
    for fragment in case.get("warnings", []):
        assert any(fragment in w for w in report.warnings), report.warnings
    d = load_dictionary(CORPUS / case["dictionary"])
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {r[0] for r in con.sql("SHOW TABLES").fetchall()}
        stored = con.sql(f"SELECT * FROM {_quoted(d.name)}").pl()  # quoted name of a test dictionary
        customers = None if case.get("empty_db") else con.sql("SELECT count(*) FROM customers").fetchall()[0][0]
    finally:
        con.close()
    if not case.get("empty_db"):
        assert "customers" in tables and customers == 6  # the earlier dataset is intact
    expected_columns = [c for c in d.column_names if c != d.erased]
    assert [c for c in stored.columns if c != "_row_id"] == expected_columns
    check = OK_CHECKS.get(case["id"])
    if check:
        check(stored)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _check_bom(stored: pl.DataFrame) -> None:
    assert stored["customer_id"].to_list() == [1, 2, 3, 4, 5, 6]


def _check_crlf(stored: pl.DataFrame) -> None:
    assert stored["arm"].to_list() == ["email", "control"] * 3
    assert not any("\r" in v for v in stored["converted"].to_list())


def _check_quoted_newline(stored: pl.DataFrame) -> None:
    assert stored["full_name"][1] == pseudonymize(["Ben\nStone"], SECRET)[0]


FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3"]


def _check_formula(stored: pl.DataFrame) -> None:
    assert stored["zip"].to_list()[:4] == FORMULAS  # accepted unchanged as data
    assert stored["full_name"][4] == pseudonymize(['=HYPERLINK("http://evil.example","x")'], SECRET)[0]


def _check_sql_names(stored: pl.DataFrame) -> None:
    assert stored["年齢 âge 🙂"].to_list() == [34, 51]
    assert stored["?"].to_list() == ["x", "y"]
    assert stored['name"; DROP TABLE customers; --'].to_list() == pseudonymize(["Ana", "Ben"], SECRET).to_list()


def _check_unicode(stored: pl.DataFrame) -> None:
    assert stored["städt"].to_list() == ["München", "Zürich"]
    assert stored["表情"].to_list() == ["🙂", "☃"]
    assert stored["prénom"].to_list() == pseudonymize(["Zoë", "Åsa"], SECRET).to_list()


def _check_erasure_case_and_spaces(stored: pl.DataFrame) -> None:
    # " C1 "-style keys were trimmed; "C1 ", "c3", " C5" in the erasure list erased C1, C3 and C5
    assert stored["customer_id"].to_list() == ["C2", "C4", "C6"]


def _check_gzip(stored: pl.DataFrame) -> None:
    assert stored["customer_id"].to_list() == [1, 2, 3, 4, 5, 6]


OK_CHECKS = {
    "erasure_matches_keys_ignoring_case_and_spaces": _check_erasure_case_and_spaces,
    "gzip_csv_is_read": _check_gzip,
    "utf8_byte_order_mark": _check_bom,
    "crlf_line_ends": _check_crlf,
    "quoted_newline_in_field": _check_quoted_newline,
    "formula_like_strings": _check_formula,
    "sql_like_names": _check_sql_names,
    "unicode_names": _check_unicode,
}


def test_formula_cells_are_neutralized_on_csv_export(fresh_db, tmp_path):
    downloads = ROOT / "dashboard" / "downloads.py"
    if not downloads.exists():
        pytest.skip("dashboard/downloads.py does not exist yet (the dashboard helper's CSV export)")
    from dashboard.downloads import safe_csv

    attempt({"files": ["formula.csv"], "dictionary": "customers.toml"}, fresh_db, tmp_path)
    con = duckdb.connect(str(fresh_db), read_only=True)
    stored = con.sql("SELECT customer_id, zip, spend, arm FROM customers ORDER BY customer_id").pl()
    con.close()
    stored = stored.with_columns((-pl.col("spend")).alias("negative spend"), pl.lit("@risk").alias("=note"))
    text = safe_csv(stored).decode("utf-8")
    back = pl.read_csv(text.encode(), infer_schema_length=0)  # every cell as text, as a spreadsheet sees it
    for column in back.columns:
        assert not back[column].str.contains(r"^[=+@\t\r]").any(), column
    assert back.columns[-1] == "'=note"
    assert back["zip"].to_list()[:4] == ["'" + f for f in FORMULAS]
    assert back["zip"][5] == "10115"  # harmless text untouched
    assert back["negative spend"][0] == "-12.5"  # numbers stay numbers, minus sign and all


def test_unexpected_error_inside_ingest_still_leaves_database_identical(fresh_db, tmp_path, monkeypatch):
    """Whatever the failure (here a fault injected while the new table is written), nothing is written."""
    from analysis.store import _ingest

    def broken(*args, **kwargs):
        raise RuntimeError("injected fault while writing")

    monkeypatch.setattr(_ingest, "_store_table", broken)
    before, listing = sha256(fresh_db), files_beside(fresh_db.parent)
    with pytest.raises(RuntimeError, match="injected fault"):
        attempt({"files": ["good.csv"], "dictionary": "customers.toml"}, fresh_db, tmp_path)
    assert sha256(fresh_db) == before
    assert files_beside(fresh_db.parent) == listing


CLI_CASES = ["wrong_delimiter", "dictionary_unknown_role", "nul_bytes"]


def test_cli_reports_bad_input_in_one_message(good_db, tmp_path):
    """`python -m analysis ingest`: exit code 2, one `error:` message naming the file, no traceback."""
    env = {**os.environ, "PRIVACYLIFT_SECRET": SECRET.hex()}
    runs = []
    for case_id in CLI_CASES:  # started together: each pays the interpreter start-up once, in parallel
        case = next(c for c in CASES if c["id"] == case_id)
        (tmp_path / case_id).mkdir()
        db = tmp_path / case_id / "crm.duckdb"
        shutil.copyfile(good_db, db)
        files = [str(resolve(f, tmp_path)) for f in case["files"]]
        command = [sys.executable, "-m", "analysis", "ingest", "--db", str(db), "--dictionary",
                   str(CORPUS / case["dictionary"]), *files]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env=env)
        runs.append((case, db, sha256(db), proc))
    for case, db, before, proc in runs:
        stdout, stderr = proc.communicate(timeout=180)
        assert proc.returncode == 2, stderr
        assert stderr.startswith("error: ") and "Traceback" not in stderr
        assert all(f in stderr for f in case["fragments"]), stderr
        assert (case.get("file") or case["dictionary"]) in stderr
        assert stdout == ""
        assert sha256(db) == before


def test_corpus_is_complete():
    assert len(CASES) >= 30
    ids = [c["id"] for c in CASES + OK_CASES]
    assert len(ids) == len(set(ids))
    used = {"cases.toml", "make_corpus.py", "customers.toml", "good.csv"}
    for c in CASES + OK_CASES:
        used.add(c["dictionary"])
        used.update(c.get("erasure", "") and [c["erasure"]])
        for f in c["files"]:
            if ":" not in f:
                assert (CORPUS / f).is_file(), f
                used.add(f)
        assert (CORPUS / c["dictionary"]).is_file()
        assert c.get("error", "IngestError") in ERRORS
    orphans = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name not in used)
    assert orphans == [], f"corpus files no case uses: {orphans}"
    # every problem kind issue 8 names has at least one case
    for topic in ("delimiter", "missing_required_column", "duplicate_keys", "integer", "utf8", "empty_file",
                  "header_only", "ten_megabyte", "nul", "unknown_role", "conflicting_roles", "bounds",
                  "treatment_without_control", "outcome_three", "parquet_wrong_schema", "parquet_truncated"):
        assert any(topic in i for i in ids), topic
    assert {"formula_like_strings", "sql_like_names", "unicode_names", "utf8_byte_order_mark"} <= set(ids)
