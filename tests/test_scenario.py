"""Scenario specs: identity, files, validation, presets."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.scenario import (
    PRESETS,
    Scenario,
    ScenarioError,
    load_scenarios,
    preset,
    scenarios_from_json,
    scenarios_from_toml,
    scenarios_to_json,
    scenarios_to_toml,
)

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def test_fingerprint_is_stable_across_processes():
    """Same spec → same fingerprint in another interpreter (no hash randomization, no dict order)."""
    code = "from analysis.scenario import PRESETS; print(' '.join(p.fingerprint for p in PRESETS))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"},
    ).stdout.split()
    assert out == [p.fingerprint for p in PRESETS]


def test_fingerprint_ignores_labels_and_order_but_not_content():
    a = Scenario(name="a", exclude_roles=("sensitive", "behavioral"), epsilon=1)
    b = Scenario(name="b", description="other words", exclude_roles=("behavioral", "sensitive"), epsilon=1.0)
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint != a.replace(epsilon=2.0).fingerprint
    assert a.fingerprint != a.replace(encryption_at_rest=True).fingerprint
    assert len({p.fingerprint for p in PRESETS}) == len(PRESETS)


def test_specs_are_hashable_and_frozen():
    s = Scenario(name="x", exclude_columns=["a", "b"], generalize=[["age", "band", 10]])
    assert s.exclude_columns == ("a", "b") and s.generalize == (("age", "band", 10),)
    assert hash(s) == hash(Scenario(name="x", exclude_columns=("a", "b"), generalize=(("age", "band", 10),)))
    with pytest.raises(AttributeError):
        s.epsilon = 1.0  # type: ignore[misc]


def test_toml_and_json_round_trip_every_preset(tmp_path):
    assert scenarios_from_toml(scenarios_to_toml(PRESETS)) == list(PRESETS)
    assert scenarios_from_json(scenarios_to_json(PRESETS)) == list(PRESETS)
    (tmp_path / "s.toml").write_text(scenarios_to_toml(PRESETS[:3]), encoding="utf-8")
    (tmp_path / "s.json").write_text(scenarios_to_json(PRESETS[3:]), encoding="utf-8")
    assert load_scenarios(tmp_path / "s.toml") + load_scenarios(tmp_path / "s.json") == list(PRESETS)
    data = json.loads(scenarios_to_json(PRESETS[:1]))
    assert data[0]["fingerprint"] == PRESETS[0].fingerprint


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"epsilon": 0}, "epsilon"),
        ({"epsilon": -1}, "epsilon"),
        ({"retention_days": 0}, "retention_days"),
        ({"retention_days": 1.5}, "retention_days"),
        ({"consent": "maybe"}, "consent"),
        ({"consent_rate": 0.5}, "consent_rate"),
        ({"consent": "opt_in", "consent_rate": 1.5}, "consent_rate"),
        ({"erasure_rate": 0.9}, "erasure_rate"),
        ({"k": 0}, "k"),
        ({"exclude_roles": ("treatment",)}, "exclude_roles"),
        ({"exclude_categories": ("secret",)}, "exclude_categories"),
        ({"generalization_level": 4}, "generalization_level"),
        ({"generalize": (("age", "blur", 3),)}, "generalize"),
        ({"model": "deep"}, "model"),
        ({"encryption_at_rest": "yes"}, "encryption_at_rest"),
    ],
)
def test_bad_specs_name_the_scenario_and_the_field(changes, field):
    with pytest.raises(ScenarioError) as err:
        Scenario(name="My plan", **changes)
    message = str(err.value)
    assert f"'{field}'" in message and "'My plan'" in message and "Got" in message


def test_file_errors_name_file_scenario_and_field(tmp_path):
    p = tmp_path / "plans.toml"
    p.write_text('[[scenario]]\nname = "ok"\n\n[[scenario]]\nname = "bad"\nepsilon = -2\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"plans.toml \(scenario #2\).*'epsilon'.*'bad'"):
        load_scenarios(p)
    p.write_text('[[scenario]]\nname = "x"\nepsilonn = 1\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown field.*'epsilonn'"):
        load_scenarios(p)
    p.write_text('[[scenario]]\nname = "x"\n[[scenario]]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="two scenarios are named 'x'"):
        load_scenarios(p)


def test_presets_cover_the_issue_and_describe_themselves():
    names = {p.name for p in PRESETS}
    assert len(PRESETS) >= 8
    assert all(p.description and len(p.description) < 140 for p in PRESETS)
    assert preset("Differential privacy ε=0.1").epsilon == 0.1
    assert preset("90-day retention").retention_days == 90
    assert preset("Consent only").consent == "consented_only"
    assert {"Status quo (full data)", "No sensitive attributes", "Coarse demographics", "Opt-out regime"} <= names
    with pytest.raises(KeyError, match="No preset named"):
        preset("nope")
