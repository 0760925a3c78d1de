"""The layout's never-rules, checked by inspecting imports and source: ``analysis`` never imports streamlit or
``dashboard``; SQL runs only in ``analysis/store``; importing the CLI loads no ML stack; no module of the library or
the app is over ~400 lines (split by role instead)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_CALLS = {"execute", "sql", "query", "executemany", "fetchall", "fetch_arrow_table"}


def _modules(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _runtime_nodes(tree: ast.AST):
    """Every node but those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_analysis_never_imports_streamlit_or_dashboard():
    offenders = [str(p.relative_to(ROOT)) for p, tree in _modules("analysis")
                 if _imported(tree) & {"streamlit", "dashboard"}]
    assert offenders == []


def test_duckdb_connections_are_used_only_in_the_store():
    """Outside ``analysis/store`` no module imports duckdb nor calls a connection's execute/sql."""
    offenders = []
    for folder in ("analysis", "dashboard"):
        for path, tree in _modules(folder):
            if path.is_relative_to(ROOT / "analysis" / "store"):
                continue
            if "duckdb" in _imported(tree):
                offenders.append(f"{path.relative_to(ROOT)} imports duckdb")
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in SQL_CALLS and isinstance(node.func.value, ast.Name)
                        and node.func.value.id in {"con", "conn", "connection", "db", "duckdb"}):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {node.func.attr}")
    assert offenders == []


#: the most lines a module of ``analysis``, ``dashboard`` or ``app.py`` may have (issue 16: "no module over ~400
#: lines"): past it a module holds more than one role; split it by role
MAX_MODULE_LINES = 400


def test_no_module_is_over_400_lines():
    paths = [ROOT / "app.py", *(ROOT / "analysis").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]
    long = {str(p.relative_to(ROOT)): n for p in paths if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_light_commands_do_not_import_the_ml_stack():
    code = ("import sys; from analysis.cli import build_parser; import analysis.cli.data; "
            "import analysis, analysis.risk, analysis.store; "
            "print(sorted(m for m in ('sklearn', 'diffprivlib', 'plotly', 'streamlit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_every_example_in_analysis_runs_as_a_doctest():
    """The suite collects ``analysis`` with --doctest-modules, so every ``>>>`` example in a docstring runs
    (or says ``# doctest: +SKIP`` where it needs a database or a server)."""
    import tomllib

    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "analysis" in options["testpaths"] and "--doctest-modules" in options["addopts"].split()
    with_examples = [p for p in (ROOT / "analysis").rglob("*.py") if ">>> " in p.read_text(encoding="utf-8")]
    assert len(with_examples) >= 20, len(with_examples)
