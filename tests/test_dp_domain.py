"""Differential privacy that holds (issue 18): a DP model's one-hot levels come from the dictionary's declared
``values``, never from the data — one customer with a rare category must not add a feature (revealing that
person outside the ε budget). A categorical column without declared values is left out of the DP model, with a
note; event counts per value likewise."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis import Scenario, Store, load_crm
from analysis.dictionary import parse_dictionary
from analysis.minimize import prepare

SECRET = b"dp-domain-secret-0123456789"
N = 400

DICTIONARY = """
[dataset]
name = "people"
key = "id"
[columns.id]
role = "other"
type = "integer"
[columns.gender]
role = "quasi_identifier"
category = "demographic"
type = "category"
{values}
[columns.tier]
role = "behavioral"
type = "category"
[columns.age]
role = "quasi_identifier"
type = "integer"
bounds = [18, 100]
[columns.arm]
role = "treatment"
control = "control"
[columns.bought]
role = "outcome"
type = "boolean"
"""


def crm(tmp_path, genders: list[str], values: str):
    rng = np.random.default_rng(5)
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "people.csv"
    pl.DataFrame({"id": np.arange(1, N + 1), "gender": genders, "tier": rng.choice(["gold", "basic"], N),
                  "age": rng.integers(18, 90, N), "arm": np.where(np.arange(N) % 2 == 0, "mail", "control"),
                  "bought": rng.random(N) < 0.2}).write_csv(path)
    db = tmp_path / "crm.duckdb"
    Store(db).ingest(parse_dictionary(DICTIONARY.format(values=values)), [path], secret=SECRET)
    return load_crm(Store(db))


def genders(unique: str | None) -> list[str]:
    out = ["F" if i % 2 else "M" for i in range(N)]
    if unique is not None:
        out[7] = unique  # one customer, in the training split or not: the features must not depend on it
    return out


DP = Scenario(name="dp", epsilon=1.0)


def test_dp_levels_come_from_declared_values_whatever_the_data(tmp_path):
    declared = 'values = ["F", "M", "X"]'
    with_x = prepare(DP, crm(tmp_path / "a", genders("X"), declared))
    without_x = prepare(DP, crm(tmp_path / "b", genders(None), declared))
    levels = [f for f in with_x.feature_names if f.startswith("gender=")]
    assert levels == ["gender=F", "gender=M", "gender=X"]
    assert with_x.feature_names == without_x.feature_names  # one person's value adds no feature
    # the non-DP model still reads levels from the data (it makes no privacy promise)
    plain = prepare(Scenario(name="plain"), crm(tmp_path / "c", genders(None), declared))
    assert {f for f in plain.feature_names if f.startswith("gender=")} == {"gender=F", "gender=M"}


def test_a_column_without_declared_values_is_left_out_of_the_dp_model_with_a_note(tmp_path):
    data = crm(tmp_path, genders("X"), "")
    p = prepare(DP, data)
    assert not any(f.startswith(("gender=", "tier=")) for f in p.feature_names)
    assert any("gender: left out of the DP model (no declared values" in n for n in p.notes)
    assert any(n.startswith("tier: left out of the DP model") for n in p.notes)
    assert "age" in p.feature_names  # numeric with bounds: kept
    plain = prepare(Scenario(name="plain"), data)
    assert {"gender=F", "gender=M"} <= set(plain.feature_names)


def test_a_value_outside_the_declared_ones_is_refused_at_ingest(tmp_path):
    from analysis import IngestError

    with pytest.raises(IngestError, match="not among the declared values") as info:
        crm(tmp_path, genders("Q"), 'values = ["F", "M", "X"]')
    assert "'Q'" not in str(info.value)  # a quasi-identifier's cell is never echoed


def test_demo_dp_scenario_uses_declared_domains_only(demo_crm):
    p = prepare(Scenario(name="dp", epsilon=1.0), demo_crm)
    schema = demo_crm.schema
    for f in p.feature_names:
        if "=" in f:
            column, value = f.split("=", 1)
            spec = next((c for c in schema.columns if c.name == column), None) or schema.events.column(column)
            assert value.split(" (last")[0] in (spec.domain or ("false", "true")), f
    assert p.notes == ["zip: left out of the DP model (no declared values in the dictionary; categories read from "
                       "the data would reveal rare ones outside the privacy budget)"]
