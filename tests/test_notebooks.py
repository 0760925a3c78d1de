"""The analyst notebooks (notebooks/*.ipynb) run top to bottom and show what they promise, and are kept in sync
with their jupytext ``py:percent`` pair, with the outputs of a full run stored (so they read on GitHub too).

Each notebook is executed the way nbmake does it (nbclient, kernel ``python3``, working directory
``notebooks/``). A probe cell appended in memory (never saved) prints the notebook's key figures as JSON,
so the assertions test the notebook's own variables, not a re-computation.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
#: seconds a whole notebook may take (the brief: well under a minute each on 2 cores)
TIME_LIMIT = 90
PROBE_MARK = "__PRIVACYLIFT_PROBE__"


def _execute(name: str, probe: str) -> tuple[nbformat.NotebookNode, dict, float]:
    """Run notebook ``name`` with a probe cell printing ``probe`` (an expression giving a dict) as JSON."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"import json as _json\nprint({PROBE_MARK!r}, _json.dumps({probe}))"))
    client = NotebookClient(nb, kernel_name="python3", timeout=TIME_LIMIT,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        if "ipywidgets" in str(error) and "progress bar" in str(error):
            pytest.fail("DuckDB refuses `SET enable_progress_bar` inside a Jupyter kernel without ipywidgets; "
                        "analysis/store/_ingest.py must tolerate duckdb.InvalidInputException there.\n" + str(error))
        raise
    seconds = time.perf_counter() - start
    text = _stdout(nb.cells[-1])
    payload = text.split(PROBE_MARK, 1)[1].strip()
    return nb, json.loads(payload), seconds


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _all_stdout(nb) -> str:
    return "\n".join(_stdout(c) for c in nb.cells if c.cell_type == "code")


def _has_figure(nb) -> int:
    """How many code cells display a plotly figure."""
    count = 0
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") in ("display_data", "execute_result") and (
                "application/vnd.plotly.v1+json" in o.get("data", {}) or "plotly" in str(o.get("data", {}).get("text/html", ""))
            ):
                count += 1
                break
    return count


# --------------------------------------------------------------------------------------- execution
@pytest.mark.slow
def test_tour_runs_and_recommends():
    probe = ("{'names': tradeoff.table['name'].to_list(), 'frontier': tradeoff.table.filter(pl.col('on_frontier'))"
             "['name'].to_list(), 'recommendation': tradeoff.recommendation, 'best': best, "
             "'waterfall_total': float(steps['amount'][-1]), 'net_value_best': float(tradeoff.table.filter("
             "pl.col('name') == best)['net_value'][0]), 'mitigation_rows': mitigations.height, "
             "'quasi': contributions['quasi'].to_list(), 'customers': CUSTOMERS, "
             "'decision': tradeoff.decision.scenario, 'allowed': tradeoff.table.filter(pl.col('allowed'))"
             ".sort('net_value', descending=True)['name'].to_list(), 'sentence': decision.sentence, "
             "'draws': robust.draws, 'strict': strict.decision.scenario, "
             "'audited': [a.name for a in no_sensitive.attributes], 'quota_meets': quota.meets_four_fifths, "
             "'quota_cost': quota.gain_cost}")
    nb, figures, seconds = _execute("01_tradeoff_tour.ipynb", probe)
    print(f"01_tradeoff_tour: {seconds:.1f} s")
    out = _all_stdout(nb)
    assert "Recommendation: " in out and len(figures["recommendation"]) > 40
    assert figures["recommendation"] in out
    assert len(figures["names"]) == 9 and figures["frontier"]  # every preset applies to the demo
    # the notebook shows the one recommendation: the highest net value among the allowed scenarios
    assert figures["best"] == figures["decision"] == figures["allowed"][0]
    assert figures["sentence"] in out and figures["draws"] == 300
    assert figures["strict"] is None  # k ≥ 5: no preset keeps groups of five identical customers
    # the waterfall ends on the table's net value of that scenario
    assert figures["waterfall_total"] == pytest.approx(figures["net_value_best"], rel=1e-9)
    assert figures["mitigation_rows"] >= 2
    assert set(figures["quasi"]) == {"age", "gender", "zip", "region"}
    assert "could be singled out" in out  # the plain-language risk sentences
    # who is targeted: every sensitive or protected attribute audited; the group quota meets the 0.8 line
    assert set(figures["audited"]) == {"age", "gender", "credit_band", "financial_distress", "health_interest"}
    assert figures["quota_meets"] is True and figures["quota_cost"] is not None
    assert "four-fifths line" in out
    # frontier, risk drivers, loss distribution, exceedance, mitigation, waterfall, two fairness charts
    assert _has_figure(nb) >= 8
    assert seconds < TIME_LIMIT


@pytest.mark.slow
def test_bring_your_own_data_shows_errors_and_a_targeting_lift():
    probe = ("{'problems': problems.to_dicts(), 'rows': report.rows_stored, 'kinds': sorted(kinds), "
             "'k': reid.k, 'uniqueness': reid.sample_uniqueness, 'provenance_rows': store.provenance().height, "
             "'bad_db_has_data': bad_db.exists() and bool(analysis.Store(bad_db).datasets())}")
    nb, figures, seconds = _execute("02_bring_your_own_data.ipynb", probe)
    print(f"02_bring_your_own_data: {seconds:.1f} s")
    out = _all_stdout(nb)
    # the broken dictionary: all three mistakes are listed at once
    assert "3 problem(s)" in out and "quasi_identifer" in out and "'money'" in out and "'decimal'" in out
    # the malformed CSV: refused with located problems, nothing written
    located = {(p["column"], p["row"]) for p in figures["problems"]}
    assert ("default", 3) in located and ("balance", 4) in located
    assert not figures["bad_db_has_data"]
    # the real sample: all 4,521 clients, with provenance
    assert figures["rows"] == 4521 and figures["provenance_rows"] >= 1
    assert figures["kinds"] == ["targeting"]  # no randomized treatment in the bank data
    assert "Lift kind measured: targeting" in out
    assert figures["k"] >= 1 and 0 < figures["uniqueness"] < 1
    assert _has_figure(nb) >= 3
    assert seconds < TIME_LIMIT


@pytest.mark.slow
def test_differential_privacy_sweep_and_budget():
    probe = ("{'gain': {str(k): v for k, v in gain.items()}, 'epsilons': EPSILONS, "
             "'spent': dp_result.lift.epsilon_spent, 'asked': dp_spec.epsilon, "
             "'accountant_spent': float(accountant.total()[0]), "
             "'bound': membership['DP bound (%)'].to_list(), "
             "'advantage': membership['measured advantage (%)'].to_list()}")
    nb, figures, seconds = _execute("03_differential_privacy.ipynb", probe)
    print(f"03_differential_privacy: {seconds:.1f} s")
    out = _all_stdout(nb)
    eps = figures["epsilons"]
    gain = {float(k): v for k, v in figures["gain"].items()}
    assert sorted(gain) == sorted(map(float, eps))
    assert gain[10.0] >= gain[0.03]  # less noise, at least as much gain
    # ε spent is recorded and equals the ε asked for (parallel composition over disjoint arms)
    assert figures["spent"] == pytest.approx(figures["asked"])
    # the manual accountant: 0.5 + 0.4 spent, the third query (0.5) refused and not counted
    assert figures["accountant_spent"] == pytest.approx(0.9)
    assert "query 3 refused" in out
    # the DP bound grows with ε, and every measured advantage stays under it (2 points of slack for sampling)
    assert figures["bound"] == sorted(figures["bound"])
    assert all(a <= b + 2 for a, b in zip(figures["advantage"], figures["bound"]))
    assert "conservative" in out and "large" in out
    assert _has_figure(nb) >= 1
    assert seconds < TIME_LIMIT


# --------------------------------------------------------------------------------------- hygiene
def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOK_FILES} >= {"01_tradeoff_tour", "02_bring_your_own_data",
                                                 "03_differential_privacy"}


def _stored_sources_sha256(nb) -> str:
    import importlib.util

    spec = importlib.util.spec_from_file_location("execute_notebooks", NOTEBOOKS / "tools" / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sources_sha256(nb)


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebook_outputs_are_stored_and_paired(path: Path):
    """The stored outputs are those of one run, top to bottom, of the cells as they are now (``make
    notebooks-run`` re-executes them); every figure is stored as plotly JSON and as a PNG (what GitHub shows)."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), (
        f"{path.name}: outputs are missing or not from one run; run `make notebooks-run`")
    stamp = nb.metadata.get("privacylift", {})
    assert stamp.get("sources_sha256") == _stored_sources_sha256(nb), (
        f"{path.name}: its cells changed since the outputs were stored; run `make notebooks-run`")
    for i, cell in enumerate(code):
        assert not [o for o in cell.outputs if o.output_type == "error"], f"{path.name}: code cell {i} failed"
        for o in cell.outputs:
            data = o.get("data", {})
            if "application/vnd.plotly.v1+json" in data:
                assert "image/png" in data, f"{path.name}: code cell {i} has a figure without its PNG"
            assert "text/html" not in data or "<script" not in data["text/html"], "no plotly.js inside outputs"
    assert _has_figure(nb) >= 1
    assert path.stat().st_size < 2_000_000, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB"
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    pair = path.with_suffix(".py")
    assert pair.exists(), f"{path.name} has no py:percent pair"
    from_py = jupytext.read(pair, fmt="py:percent")
    cells = lambda n: [(c.cell_type, c.source.strip()) for c in n.cells]  # noqa: E731
    assert cells(from_py) == cells(nb), (
        f"{path.name} and {pair.name} differ: run `.venv/bin/jupytext --sync notebooks/{pair.name}`")


def test_every_py_notebook_has_its_ipynb():
    for py in NOTEBOOKS.glob("*.py"):
        assert py.with_suffix(".ipynb").exists(), f"{py.name} has no .ipynb pair"
