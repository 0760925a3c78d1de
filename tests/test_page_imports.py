"""Pages reach the analysis pipeline only through ``dashboard.state`` (checked by import inspection): a page may
import from ``analysis`` only what presents or describes (charts, formatting, words, constants, error classes,
the scenario it edits, the report files it lists), never a step that reads the data, trains or simulates."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted({*ROOT.glob("dashboard/*_page.py"), *ROOT.glob("dashboard/*section*.py"),
                ROOT / "dashboard" / "decision_settings.py", ROOT / "dashboard" / "frame.py", ROOT / "app.py"})

#: whole modules a page may use: they draw, format or describe, or are the scenario the page edits
MODULES = ("analysis.charts", "analysis.formatting", "analysis.usertext", "analysis.errors", "analysis.scenario")
#: single names of other modules, each with why it is no pipeline step
NAMES = {
    "analysis": {"PRESETS", "Scenario", "ScenarioError", "IngestError", "formatting"},  # inputs, errors, a module
    "analysis.simulation": {"SAMPLING_FRACTION"},  # a labelled assumption shown as a default
    "analysis.risk": {"explain"},  # sentences about a result already measured
    "analysis.breach.assumptions": {"AssumptionError", "assumptions_table", "COST_PER_RECORD_SERIES",
                                    "DEFAULT_REGION"},  # the assumptions themselves, for the editor
    "analysis.tradeoff": {"SWEEPS", "DP_PROTECTS", "RISK_INDEX_FORMULA", "RULE",
                          "waterfall_steps"},  # words, and a measured Tradeoff reshaped for its chart
    "analysis.tradeoff.frontier": {"FRONTIER_TITLE"},
    "analysis.tradeoff.policy": {"CONSTRAINTS", "PolicyError", "constraint"},  # the policy's declarations
    "analysis.fairness": {"FOUR_FIFTHS", "feature_words"},
    "analysis.dictionary": {"CATEGORIES", "ROLES", "TYPES", "DictionaryError",
                            "parse_dictionary"},  # the user's pasted dictionary, checked before the upload
    "analysis.transparency": {"DEFAULT_CONTACT", "notice_diff", "to_html", "to_json",
                              "to_markdown"},  # rendering and comparing notices state wrote
    "analysis.report": {"DECISIONS", "FILES", "list_reports", "load_report", "read_reviews", "record_review",
                        "render_html", "save_report"},  # the saved report files and their review log
}


def _allowed(module: str, name: str | None) -> bool:
    if any(module == m or module.startswith(m + ".") for m in MODULES):
        return True
    return name is not None and name in NAMES.get(module, ())


def offenders(source: str, where: str = "page") -> list[str]:
    """Every import of ``analysis`` in ``source`` that is not allowed (with its line)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == "analysis" or node.module.startswith("analysis.")):
            out += [f"{where}:{node.lineno} from {node.module} import {a.name}" for a in node.names
                    if not _allowed(node.module, a.name)]
        elif isinstance(node, ast.Import):
            out += [f"{where}:{node.lineno} import {a.name}" for a in node.names
                    if a.name.split(".")[0] == "analysis" and not _allowed(a.name, None)]
    return out


def test_pages_import_pipeline_steps_only_through_state():
    assert len(PAGES) >= 11
    found = [o for p in PAGES for o in offenders(p.read_text(), str(p.relative_to(ROOT)))]
    assert found == []


@pytest.mark.parametrize("line", [
    "from analysis.minimize import prepare",
    "from analysis import risk_profile, PRESETS",
    "from analysis.breach.montecarlo import mitigation_value",
    "import analysis.tradeoff",
    "from analysis.report import build_report",
])
def test_the_check_catches_a_page_calling_a_step(line):
    assert len(offenders(line)) == 1


def test_every_allowed_name_exists():
    for module, names in NAMES.items():
        loaded = importlib.import_module(module)
        missing = [n for n in names if not hasattr(loaded, n) and importlib.util.find_spec(f"{module}.{n}") is None]
        assert missing == [], module


def test_state_is_split_by_role_into_small_modules():
    parts = sorted((ROOT / "dashboard" / "state").glob("*.py"))
    assert {p.stem for p in parts} >= {"__init__", "source", "settings", "caches", "steps"}
    assert {p.name: n for p in parts if (n := len(p.read_text().splitlines())) > 200} == {}
