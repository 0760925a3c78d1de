"""A scenario's differences from the status quo in plain words (the report's "Differs from using all data by")."""

from __future__ import annotations

import re

import pytest

from analysis.scenario import FIELDS, LABEL_FIELDS, PRESETS, Scenario, describe_changes, describe_differences, differences
from analysis.scenario.describe import NOTHING_CHANGED
from test_scenario_fields import SAMPLES

#: what raw JSON or code would look like in a sentence for people
RAW = re.compile(r"[{}\[\]\"]|\b[a-z]+_[a-z_]+\b|\bTrue\b|\bFalse\b|\bNone\b")


def _one_field(name):
    base = {"name": "One field", name: SAMPLES[name]}
    if name == "consent_rate":
        base["consent"] = "opt_in"
    return Scenario(**base)


@pytest.mark.parametrize("name", [n for n in FIELDS if n not in LABEL_FIELDS])
def test_each_field_is_described_with_its_label_and_no_raw_values(name):
    words = differences(_one_field(name))
    owner = "consent" if name == "consent_rate" else name
    assert len(words) == 1, words
    label = FIELDS[owner].label.split(" (")[0]
    assert words[0].startswith(label + ": "), words
    # column names are the user's own (they may contain underscores); everything else is words
    value = words[0][len(label) + 2:]
    for column in ("job, title", "zip code", "zip", "age"):
        value = value.replace(f"“{column}”", "").replace(column, "")
    assert not RAW.search(value), words


def test_presets_in_words():
    said = {p.name: describe_differences(p) for p in PRESETS}
    assert said["Status quo (full data)"] == NOTHING_CHANGED
    assert said["No sensitive attributes"] == "Leave out of the model: sensitive attributes"
    assert said["Opt-out regime"] == "Consent: a simulated opt-out regime (10 % opt out)"
    assert said["90-day retention"] == "History kept: the last 90 days"
    first = said["Privacy first"].split("; ")
    assert len(first) == 6 and "Encrypt the database at rest: yes" in first
    assert not any(RAW.search(s) for s in said.values()), said


def test_the_consent_share_is_said_with_its_regime_and_names_are_quoted_when_they_hold_a_comma():
    s = Scenario(name="x", consent="opt_in", consent_rate=0.25, exclude_columns=("job, title", "zip"))
    assert differences(s) == ("Leave out these columns: “job, title”, zip",
                              "Consent: a simulated opt-in regime (25 % opt in)")


def test_describe_changes_reads_a_saved_reports_mapping_and_never_fails():
    assert describe_changes({"exclude_roles": ["sensitive"]}) == "Leave out of the model: sensitive attributes"
    assert describe_changes({}) == NOTHING_CHANGED
    # an older or hand-edited report: unknown fields and invalid values are still written, not refused
    said = describe_changes({"epsilon": -1, "colour": "blue"})
    assert said == "Privacy budget ε: -1; colour: blue"
    with pytest.raises(ValueError, match="The 'changes' parameter of describe_changes must be a mapping"):
        describe_changes('{"epsilon": 1}')
    with pytest.raises(ValueError, match="The 'spec' parameter of differences must be a Scenario"):
        differences({"epsilon": 1})
