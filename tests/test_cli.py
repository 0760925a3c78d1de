"""The command line end to end: ingest, simulate, risk (with awkward column names), generate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis import scenario

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def test_simulate_json_on_a_scenarios_file(demo_db, tmp_path):
    specs = [scenario.PRESETS[0], scenario.preset("Coarse demographics"),
             scenario.Scenario(name="No events", use_events=False, exclude_roles=("sensitive",))]
    path = tmp_path / "plans.toml"
    path.write_text(scenario.scenarios_to_toml(specs), encoding="utf-8")
    proc = cli("simulate", "--db", str(demo_db), "--scenarios", str(path), "--json", "--draws", "40")
    whole = json.loads(proc.stdout)
    assert set(whole) == {"dataset", "settings", "scenarios", "recommendation"}
    assert {"name", "fingerprint", "customers"} <= set(whole["dataset"]) and whole["dataset"]["database"] == demo_db.name
    out = whole["scenarios"]
    assert [o["name"] for o in out] == [s.name for s in specs]
    assert [o["fingerprint"] for o in out] == [s.fingerprint for s in specs]
    rec = whole["recommendation"]
    assert {"scenario", "reason", "runner_up", "within_interval", "not_allowed", "robustness"} <= set(rec)
    assert set(rec["robustness"]) >= {"draws", "share_won", "flipped_by"} and rec["robustness"]["draws"] == 40
    allowed = [o for o in out if o["allowed"]]
    assert allowed and rec["scenario"] == max(allowed, key=lambda o: o["net_value"])["name"]
    assert {n["scenario"] for n in rec["not_allowed"]} == {o["name"] for o in out if not o["allowed"]}
    for o in out:
        lift = o["lift"]
        assert lift["kind"] == "uplift" and lift["k"] == 0.3
        assert lift["ci_low"] <= lift["incremental_conversions"] <= lift["ci_high"]
        assert {"qini_auc", "uplift_at_k", "gain_retained"} <= set(lift)
        assert {"k", "sample_uniqueness", "risk_index"} <= set(o["risk"])
        assert {"expected_annual_loss", "p95"} <= set(o["breach"])
        assert "net_value" in o and "on_frontier" in o
    assert "training" in proc.stderr  # progress on stderr, not in the JSON
    table = cli("simulate", "--db", str(demo_db), "--scenarios", str(path)).stdout
    assert "Coarse demographics" in table and "frontier" in table


def test_simulate_reports_bad_specs_and_missing_db(demo_db, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[[scenario]]\nname = "Too private"\nepsilon = 0\n', encoding="utf-8")
    proc = cli("simulate", "--db", str(demo_db), "--scenarios", str(path), check=False)
    assert proc.returncode == 2 and "'epsilon'" in proc.stderr and "'Too private'" in proc.stderr
    proc = cli("simulate", "--db", str(tmp_path / "none.duckdb"), check=False)
    assert proc.returncode == 2 and "does not exist" in proc.stderr


AWKWARD = """
[dataset]
name = "odd names"
entity = "customers"
key = "id"

[columns.id]
role = "other"

[columns."age \\"years\\""]
role = "quasi_identifier"
type = "integer"

[columns.post-code]
role = "quasi_identifier"
type = "text"

[columns."job title"]
role = "quasi_identifier"
type = "category"

[columns."credit; DROP TABLE x"]
role = "sensitive"
type = "category"
"""


@pytest.fixture(scope="module")
def awkward_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("awkward")
    rng = np.random.default_rng(3)
    n = 400
    frame = pl.DataFrame({
        "id": [f"K{i}" for i in range(n)],
        'age "years"': rng.integers(20, 30, n),
        "post-code": [f"{z:03d}" for z in rng.integers(0, 5, n)],
        "job title": rng.choice(["a", "b"], n),
        "credit; DROP TABLE x": rng.choice(["low", "high", "mid"], n),
    })
    frame.write_csv(d / "odd.csv")
    (d / "odd.toml").write_text(AWKWARD, encoding="utf-8")
    db = d / "odd.duckdb"
    proc = cli("ingest", "--db", str(db), "--dictionary", str(d / "odd.toml"), str(d / "odd.csv"))
    assert "Loaded 400 of 400 rows" in proc.stdout
    return db, frame


def test_risk_json_with_awkward_column_names(awkward_db):
    db, frame = awkward_db
    quasi = ['age "years"', "post-code", "job title"]
    proc = cli("risk", "--db", str(db), "--quasi", ",".join(quasi), "--sensitive", "credit; DROP TABLE x",
               "--threshold", "0.5", "--json")
    out = json.loads(proc.stdout)
    sizes = frame.group_by(quasi).len()["len"]
    assert out["records"] == 400 and out["classes"] == sizes.len() and out["k"] == sizes.min()
    assert out["sample_uniqueness"] == pytest.approx((sizes == 1).sum() / 400)
    assert out["prosecutor_highest"] == pytest.approx(1 / sizes.min())
    assert out["prosecutor_average_records"] == pytest.approx(sizes.len() / 400)
    assert out["records_at_risk"] == pytest.approx(sizes.filter(1 / sizes > 0.5).sum() / 400)
    assert out["threshold"] == 0.5
    credit = out["sensitive"]["credit; DROP TABLE x"]
    assert {"l_diversity", "entropy_l_diversity", "t_closeness"} <= set(credit)
    assert 1 <= credit["l_diversity"] <= 3
    readable = cli("risk", "--db", str(db), "--quasi", ",".join(quasi)).stdout
    assert "customers" in readable


def test_risk_unknown_column_is_a_clear_error(awkward_db):
    db, _ = awkward_db
    proc = cli("risk", "--db", str(db), "--quasi", "age,post-code", check=False)
    assert proc.returncode == 2
    assert "unknown column 'age'" in proc.stderr and "post-code" in proc.stderr


def test_generate_writes_deterministic_files_and_ingests(tmp_path):
    cli("generate", "--customers", "1500", "--seed", "3", "--out", str(tmp_path / "a"), "--db",
        str(tmp_path / "a.duckdb"))
    cli("generate", "--customers", "1500", "--seed", "3", "--out", str(tmp_path / "b"))
    for name in ("crm_customers.parquet", "crm_events.parquet", "crm_campaign.parquet", "ground_truth.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    from analysis import Store

    store = Store(tmp_path / "a.duckdb")
    assert {d.name for d in store.datasets()} == {"crm_customers", "crm_campaign", "crm_events"}
    assert store.ground_truth() is not None
