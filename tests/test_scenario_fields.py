"""Meta-tests of the scenario field declarations: every field travels through TOML, JSON, the URL and the
builder's widgets unchanged, is validated with the one message shape, and is documented."""

from __future__ import annotations

import re

import pytest

from analysis.scenario import FIELDS, Scenario, ScenarioError, fields_table
from analysis.scenario import url
from analysis.scenario.files import scenarios_from_json, scenarios_from_toml, scenarios_to_json, scenarios_to_toml

#: one valid, non-default value per field (a new field without a value here fails the first test)
SAMPLES = {
    "name": "Sample, with a comma",
    "description": "Described",
    "exclude_roles": ("behavioral", "sensitive"),
    "exclude_categories": ("health", "location"),
    "exclude_columns": ("job, title", "zip"),
    "use_events": False,
    "generalization_level": 2,
    "generalize": (("age", "band", 10.0), ("zip code", "prefix", 3.0)),
    "retention_days": 90,
    "consent": "opt_in",
    "consent_rate": 0.4,
    "consent_purpose": "marketing",
    "legal_basis": "consent",
    "erasure_rate": 0.05,
    "epsilon": 0.5,
    "dp_model": "gaussian_nb",
    "model": "hgb",
    "pseudonymization": False,
    "encryption_at_rest": True,
    "access_restriction": True,
    "discard_training_data": True,
    "fairness": "group_quota",
    "k": 0.25,
    "seed": 4_294_967_295,
}
#: one invalid value per field
INVALID = {
    "name": "x" * 121, "description": "a\u202eb", "exclude_roles": ("outcome",), "exclude_categories": ("secret",),
    "exclude_columns": ("",), "use_events": "yes", "generalization_level": 4, "generalize": (("age", "band", 0),),
    "retention_days": 0, "consent": "always", "consent_rate": 1.0, "consent_purpose": "", "legal_basis": "contract", "erasure_rate": 0.6,
    "epsilon": 1001.0, "dp_model": "svm", "model": "forest", "pseudonymization": 1, "encryption_at_rest": None,
    "access_restriction": "no", "discard_training_data": 0, "fairness": "quota", "k": 0.00001, "seed": 2**32,
}


def test_every_field_has_a_sample_an_invalid_value_a_label_and_help():
    assert set(SAMPLES) == set(FIELDS) == set(INVALID)
    for name, info in FIELDS.items():
        assert info.label and info.help.endswith((".", ")")), name
        assert info.changes in ("nothing", "exposure", "model")


def _with(name, value):
    base = {"name": "Round trip"}
    if name == "consent_rate":
        base["consent"] = "opt_in"
    base[name] = value
    return Scenario(**base)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_field_round_trips_through_toml_json_and_url(name):
    spec = _with(name, SAMPLES[name])
    assert getattr(spec, name) == SAMPLES[name]
    assert scenarios_from_toml(scenarios_to_toml([spec])) == [spec]
    assert scenarios_from_json(scenarios_to_json([spec])) == [spec]
    if FIELDS[name].url:
        decoded, warnings = url.from_params(url.to_params(spec), name=spec.name)
        assert warnings == [] and decoded == spec
        assert FIELDS[name].url in url.to_params(spec)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_field_round_trips_through_the_builder_widgets(name):
    from dashboard.widgets import BUILDER_FIELDS, spec_from_widgets, widget_values

    spec = _with(name, SAMPLES[name]).replace(name="Your scenario")
    current = spec if name not in BUILDER_FIELDS else Scenario(name="Your scenario")
    assert spec_from_widgets(widget_values(spec), current) == spec


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_value_gets_the_one_message_shape(name):
    with pytest.raises(ScenarioError) as caught:
        _with(name, INVALID[name])
    message = str(caught.value)
    assert re.fullmatch(r"The '\w+' parameter of Scenario .{1,130} must be .+\. Got .{1,62} instead\.", message), message
    assert f"'{name}'" in message or name == "name"


def test_changes_decide_the_fingerprints():
    base = Scenario(name="a")
    for name, info in FIELDS.items():
        other = _with(name, SAMPLES[name]).replace(name="a" if name != "name" else SAMPLES["name"])
        if name == "consent_rate":
            base_for = base.replace(consent="opt_in")
        else:
            base_for = base
        assert (other.fingerprint != base_for.fingerprint) == (info.changes != "nothing"), name
        assert (other.model_fingerprint != base_for.model_fingerprint) == (info.changes == "model"), name


def test_fields_table_documents_every_field():
    table = fields_table()
    for name, info in FIELDS.items():
        assert f"| `{name}` |" in table and info.help in table
    assert "Parameters" in Scenario.__doc__ and all(f"    {n} :" in Scenario.__doc__ for n in FIELDS)
