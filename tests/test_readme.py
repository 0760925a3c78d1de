"""The README is executed (as Datasette tests its documentation): every TOML, shell and Python block runs, so the
README cannot drift from the code.

- **TOML blocks** start with a comment naming the file and what it is (``# <name> — scenarios``); each is
  written to that file in a temporary folder and loaded as what it says: a data dictionary, scenarios or
  assumptions.
- **Shell blocks** then run in that folder, in README order, with bash (``set -euo pipefail``), against a small
  generated CRM: ``.venv/bin/python`` is this interpreter, ``data/`` holds copies of the shipped sample files, and
  ``my_crm.csv`` (the file the dictionary example describes) is generated here from the synthetic CRM.
- **Python blocks** run last, in a fresh interpreter, in the same folder.
- Blocks marked ``<!-- not run by tests/test_readme.py: … -->`` start long-running servers or the whole suite;
  they must be exactly the known set of ``make`` commands.

It also checks the README's statements that are not code: the set-up timings come from ``bench/bench_setup.py``
and state the machine, and every file, README section and ``analysis.…`` name the docs mention exists.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```\s*$", re.S | re.M)
SKIP = "<!-- not run by tests/test_readme.py"
#: the blocks not run: they start the app's server, the suite or JupyterLab (each line one `make` command)
SKIPPED_COMMANDS = {"make run", "make test", "make notebooks", "make notebooks-run"}
TIMEOUT = 600


def blocks(text: str | None = None) -> list[tuple[str, str, bool]]:
    """(language, code, skipped) for every fenced block, in order."""
    text = README.read_text(encoding="utf-8") if text is None else text
    out = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip().splitlines()
        skipped = bool(before) and before[-1].startswith(SKIP)
        out.append((match.group(1), match.group(2), skipped))
    return out


def test_every_block_is_of_a_kind_this_test_runs():
    kinds = {lang for lang, _, _ in blocks()}
    assert kinds <= {"toml", "sh", "python"}, kinds
    assert {"toml", "sh", "python"} <= kinds


def test_only_the_known_long_running_blocks_are_not_run():
    skipped = [code for lang, code, skip in blocks() if skip]
    # the warehouse examples need a PostgreSQL server or a Spark cluster: tests/test_warehouse.py runs them on
    # throwaway ones; every command there reads a --source, never the README's files
    warehouse = [code for code in skipped if "--source" in code]
    for code in warehouse:
        commands = [line for line in code.splitlines() if line.startswith("python -m analysis")]
        assert commands and all("--source" in c for c in commands), code
    commands = {line.split("#")[0].strip() for code in skipped if code not in warehouse
                for line in code.splitlines() if line.strip()}
    assert commands == SKIPPED_COMMANDS
    assert all(lang == "sh" for lang, _, skip in blocks() if skip)


# ---- running the README ------------------------------------------------------------------------------------
def _toml_target(code: str) -> tuple[str, str]:
    """(file name, kind) from the block's first line, ``# name.toml — what it is``."""
    first = code.splitlines()[0]
    match = re.match(r"#\s*([\w.\-]+\.toml)\s+—\s+(.+)$", first)
    assert match, f"a TOML block must start with '# <file>.toml — <what it is>'; got {first!r}"
    return match.group(1), match.group(2)


def _load_toml_block(path: Path, kind: str) -> str:
    """Load the file as what its header says; returns a word on what was loaded."""
    import analysis
    from analysis.scenario import load_scenarios

    if "dictionary" in kind:
        d = analysis.load_dictionary(path)
        assert d.columns and d.name
        return f"dictionary {d.name} ({len(d.columns)} columns; notes: {'; '.join(d.notes)})"
    if "scenario" in kind:
        specs = load_scenarios(path)
        assert specs and all(isinstance(s, analysis.Scenario) for s in specs)
        return f"{len(specs)} scenarios"
    if "assumption" in kind:
        assumptions = analysis.load_assumptions(path)
        assert assumptions.overridden == set(tomllib.loads(path.read_text()))
        return f"assumptions overriding {sorted(assumptions.overridden)}"
    raise AssertionError(f"unknown kind of TOML block: {kind!r}")


def _my_crm_csv(path: Path) -> None:
    """The CSV the README's dictionary describes, from the synthetic CRM (one extra column: not loaded)."""
    from analysis.synthetic import generate_frames

    frames = generate_frames(600, seed=3)
    table = frames["customers"].join(frames["campaign"], on="customer_id").select(
        "customer_id", "age", "gender", "credit_band", "consent_personalization", "consent_personalization_at",
        pl.col("arm").alias("segment"), pl.when(pl.col("converted")).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("y"),
        "erasure_requested", pl.col("email").alias("email_not_in_the_dictionary"))
    table.write_csv(path, separator=";")


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory) -> dict:
    """Run the whole README once in a temporary folder; what each block printed."""
    work = tmp_path_factory.mktemp("readme")
    (work / "data").mkdir()
    for name in ("bank.csv", "bank_marketing.toml", "assumptions.example.toml"):
        shutil.copy2(ROOT / "data" / name, work / "data" / name)
    _my_crm_csv(work / "my_crm.csv")
    found = blocks()
    out: dict = {"toml": [], "sh": [], "python": [], "work": work}
    for lang, code, skipped in found:
        if lang == "toml":
            name, kind = _toml_target(code)
            (work / name).write_text(code, encoding="utf-8")
            out["toml"].append((name, _load_toml_block(work / name, kind)))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRIVACYLIFT_SECRET": "readme-test-secret-0123456789"}
    env.pop("PRIVACYLIFT_DB", None)
    python = shlex.quote(sys.executable)
    for lang, code, skipped in found:
        if lang != "sh" or skipped:
            continue
        script = "set -euo pipefail\n" + code.replace(".venv/bin/python", python)
        done = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT)
        assert done.returncode == 0, f"README shell block failed:\n{code}\n--- stderr ---\n{done.stderr[-3000:]}"
        out["sh"].append((code, done.stdout + done.stderr))
    for lang, code, skipped in found:
        if lang != "python":
            continue
        done = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT)
        assert done.returncode == 0, f"README Python block failed:\n{code}\n--- stderr ---\n{done.stderr[-3000:]}"
        out["python"].append((code, done.stdout))
    return out


@pytest.mark.slow
def test_every_toml_block_loads_as_what_it_says(readme_run):
    loaded = dict(readme_run["toml"])
    assert set(loaded) == {"my_crm.toml", "plans.toml", "my_assumptions.toml", "crm_customers.toml"}
    # the dictionary names its key without declaring it: accepted, as an identifier, with a note
    assert "key column 'customer_id' is not declared" in loaded["my_crm.toml"]
    assert loaded["plans.toml"] == "2 scenarios"


@pytest.mark.slow
def test_every_shell_block_runs(readme_run):
    work = readme_run["work"]
    said = "\n".join(output for _, output in readme_run["sh"])
    assert len(readme_run["sh"]) == sum(1 for lang, _, skip in blocks() if lang == "sh" and not skip)
    # the ingest of the dictionary example says what it assumed and what it left out
    assert "Note: key column 'customer_id' is not declared under [columns]" in said
    assert "Pseudonymized: 'customer_id'" in said and "email_not_in_the_dictionary" in said
    assert (work / "reports" / "first-review" / "report.pdf").exists()
    assert "Lean and private" in (work / "notice.md").read_text() or (work / "notice.md").stat().st_size > 500
    assert "Lean and private" in said
    risk = json.loads((work / "bank-risk.json").read_text())
    assert risk["records"] == 4521 and risk["k"] >= 1  # the bank sample's risk profile, as JSON
    # nothing was written into the repository
    assert not (ROOT / "crm.duckdb").exists() and not (ROOT / "my_crm.duckdb").exists()


@pytest.mark.slow
def test_every_python_block_runs(readme_run):
    [(code, printed)] = readme_run["python"]
    assert "incremental_conversions" in printed and (readme_run["work"] / "frontier.html").exists()


# ---- what the README says, beside its code -------------------------------------------------------------------
def _outside_code(text: str) -> str:
    return FENCE.sub("", text)


def test_timings_come_from_the_bench_command_and_state_the_machine():
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- bench_setup:start -->", "<!-- bench_setup:end -->"
    assert text.count(start) == text.count(end) == 1
    measured = text.split(start, 1)[1].split(end, 1)[0]
    assert re.search(r"Measured \d{4}-\d{2}-\d{2} with `\.venv/bin/python bench/bench_setup\.py` on \d+ cores "
                     r"\(.+\), \d+ GB", measured), measured
    assert "load average" in measured
    for row in ("fresh venv", "first Overview drawn", "`python -m pytest -n 2`"):
        assert row in measured, row
    # no other duration is claimed anywhere else in the README's prose
    prose = _outside_code(text.replace(measured, ""))
    claims = re.findall(r"\b(?:about|around|~)?\s*\d+(?:\.\d+)?\s*(?:s|sec|seconds?|min|minutes?|hours?)\b", prose)
    assert claims == [], claims


#: paths the docs mention that are made on demand, not shipped
GENERATED = ("data/demo/", "data/uploads/", "data/reports/", ".venv", "reports/", "crm-files")
DOCS = ("README.md", "notebooks/README.md", "data/README.md", "bench/README.md", "requirements.txt",
        "requirements-test.txt", "requirements-notebooks.txt", "Makefile", "data/assumptions.example.toml")


def _mentioned_paths(text: str) -> set[str]:
    tops = ("analysis/", "dashboard/", "data/", "notebooks/", "bench/", "tests/", ".streamlit/", ".ci/")
    found = set()
    for token in re.findall(r"`([^`\s]+)`", text) + re.findall(r"\b(?:analysis|dashboard|data|notebooks|bench|tests)"
                                                              r"/[\w./\-]+\.(?:py|md|toml|csv|txt|ipynb)\b", text):
        token = token.rstrip(".,;:)")
        if token.startswith(tops) or token in ("app.py", "Makefile", "pyproject.toml") or \
                re.fullmatch(r"requirements[\w-]*\.txt", token):
            found.add(token)
    return found


@pytest.mark.parametrize("doc", DOCS)
def test_every_file_the_docs_mention_exists(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    base = (ROOT / doc).parent
    missing = [p for p in _mentioned_paths(text) if not p.startswith(GENERATED) and "*" not in p
               and "<" not in p and "NN_" not in p and not (ROOT / p).exists() and not (base / p).exists()]
    assert missing == [], f"{doc} mentions files that do not exist: {missing}"


def test_every_readme_section_referred_to_exists():
    headings = {m.group(1).strip() for m in re.finditer(r"^#{2,3} (.+)$", README.read_text(), re.M)}
    sources = [ROOT / d for d in DOCS] + sorted(ROOT.glob("analysis/**/*.py")) + sorted(ROOT.glob("tests/*.py"))
    refs = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        refs += [(path.name, m.group(1)) for m in re.finditer(r'README(?:\.md)?,? "([^"]+)"', text)]
        refs += [(path.name, m.group(1)) for m in re.finditer(r"README(?:\.md)?[, ]+[“\"]([^”\"]+)[”\"]", text)]
    assert refs  # requirements.txt and analysis/dictionary.py refer to sections
    unknown = [(f, r) for f, r in refs if not any(h == r or h.startswith(r + " (") for h in headings)]
    assert unknown == [], f"references to README sections that do not exist: {unknown}"


def test_every_file_a_test_docstring_names_exists():
    """A test module's docstring that names a file (``recipe in TOOLCHAIN.md``) names one in the repository."""
    import ast

    names = {p.name for p in ROOT.rglob("*") if ".git" not in p.parts and ".venv" not in p.parts}
    wrong = []
    for test in sorted((ROOT / "tests").glob("*.py")):
        doc = ast.get_docstring(ast.parse(test.read_text(encoding="utf-8"))) or ""
        for mentioned in re.findall(r"\b[\w\-]+\.(?:md|toml|txt|ipynb)\b", doc):
            if mentioned not in names:
                wrong.append((test.name, mentioned))
    assert wrong == []


def test_every_analysis_name_the_docs_mention_exists():
    """``analysis.load_assumptions``, ``analysis.scenario.describe_differences`` …: each resolves."""
    missing = []
    for doc in DOCS:
        for dotted in set(re.findall(r"\banalysis(?:\.[A-Za-z_]\w*)+", (ROOT / doc).read_text(encoding="utf-8"))):
            parts = dotted.split(".")
            obj = None
            for i in range(len(parts), 0, -1):
                try:
                    obj = importlib.import_module(".".join(parts[:i]))
                except ImportError:
                    continue
                for attribute in parts[i:]:
                    obj = getattr(obj, attribute, None)
                break
            if obj is None:
                missing.append((doc, dotted))
    assert missing == [], missing
