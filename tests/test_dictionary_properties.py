"""Property tests of the data-dictionary parser: valid dictionaries round-trip, junk only ever gives
DictionaryError (never another exception), and the text is kept exactly (the store describes itself with it).

(The metric functions already have property tests: tests/test_risk_properties.py, tests/test_lift_metrics.py,
tests/test_frontier.py.)
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.dictionary import (
    CATEGORIES,
    ROLES,
    TYPES,
    Dictionary,
    DictionaryError,
    parse_dictionary,
)

# TOML basic strings: any character but controls and surrogates (json.dumps escapes quotes and backslashes)
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12)
FINITE = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


def toml_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_string(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


@st.composite
def column(draw, role: str) -> dict:
    spec: dict = {"role": role}
    if draw(st.booleans()):
        spec["category"] = draw(st.sampled_from(CATEGORIES))
    numeric = role not in ("treatment", "consent", "timestamp")
    ctype = draw(st.sampled_from(("integer", "float")) if numeric and draw(st.booleans())
                 else st.sampled_from(TYPES) | st.none())
    if role == "consent":
        ctype = "boolean"
        spec["purpose"] = draw(TEXT)
    if role == "timestamp":
        ctype = "timestamp"
    if role == "treatment":
        spec["control"] = draw(TEXT)
        if ctype in ("float", "date", "timestamp"):
            ctype = "category"  # a treatment's arms are names (issue 20)
    if ctype is not None:
        spec["type"] = ctype
    if ctype in ("integer", "float") and draw(st.booleans()):
        low = draw(FINITE)
        high = draw(st.floats(low, 1e10, allow_nan=False, exclude_min=True))
        spec["bounds"] = [low, high]
    if role == "outcome" and (draw(st.booleans()) or ctype not in ("boolean", "integer", "float")):
        spec["positive"] = draw(TEXT)  # a text, category or date outcome needs it (issue 20)
    if role == "quasi_identifier" and draw(st.booleans()):
        spec["levels"] = draw(st.lists(st.floats(0.01, 1e6), max_size=3))
        spec["order"] = draw(st.lists(TEXT, max_size=3))
    if draw(st.booleans()):
        spec["description"] = draw(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20))
    return spec


@st.composite
def valid_dictionary(draw) -> dict:
    names = draw(st.lists(TEXT, min_size=1, max_size=7, unique_by=str.lower))
    roles = [draw(st.sampled_from([r for r in ROLES if r not in ("treatment", "timestamp")])) for _ in names]
    if len(names) > 1 and draw(st.booleans()):
        roles[1] = "treatment"  # at most one
    entity = draw(st.sampled_from(("customers", "events")))
    key = names[0] if entity == "events" or draw(st.booleans()) else None
    if key is not None:
        roles[0] = draw(st.sampled_from(("other", "direct_identifier")))
    if entity == "events":
        names.append("t" if "t" not in (n.lower() for n in names) else "t_" + "x" * 13)
        roles.append("timestamp")
    columns = {n: draw(column(r)) for n, r in zip(names, roles)}
    outcomes = [n for n in names if columns[n]["role"] == "outcome"]
    if outcomes and draw(st.booleans()):
        columns[outcomes[0]]["primary"] = True
    dataset = {"name": draw(TEXT.filter(str.strip)), "entity": entity}
    if key is not None:
        dataset["key"] = key
    if draw(st.booleans()):
        dataset["csv"] = {"delimiter": draw(st.sampled_from([",", ";", "\t", "|"])), "header": draw(st.booleans())}
    return {"dataset": dataset, "columns": columns}


def to_toml(d: dict) -> str:
    ds = dict(d["dataset"])
    csv = ds.pop("csv", None)
    lines = ["[dataset]", *(f"{k} = {toml_value(v)}" for k, v in ds.items())]
    if csv is not None:
        lines += ["[dataset.csv]", *(f"{k} = {toml_value(v)}" for k, v in csv.items())]
    for name, spec in d["columns"].items():
        lines += [f"[columns.{toml_string(name)}]", *(f"{k} = {toml_value(v)}" for k, v in spec.items())]
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_dictionary())
def test_valid_dictionaries_round_trip(raw):
    text = to_toml(raw)
    d = parse_dictionary(text)
    assert isinstance(d, Dictionary)
    assert (d.name, d.entity, d.key) == (raw["dataset"]["name"], raw["dataset"]["entity"], raw["dataset"].get("key"))
    assert d.column_names == tuple(raw["columns"])
    for c in d.columns:
        spec = raw["columns"][c.name]
        assert c.role == spec["role"] and c.type == spec.get("type") and c.category == spec.get("category")
        assert c.bounds == (None if "bounds" not in spec else tuple(float(b) for b in spec["bounds"]))
        assert c.control == spec.get("control") and c.positive == spec.get("positive")
        assert c.purpose == spec.get("purpose") and c.primary == spec.get("primary", False)
        assert c.levels == tuple(float(v) for v in spec.get("levels", ()))
        assert c.order == tuple(spec.get("order", ()))
    assert d.csv_options == raw["dataset"].get("csv", {})
    # the stored text parses back to the same dictionary (the store keeps only the text)
    assert d.text == text and parse_dictionary(d.text, source="stored") == d
    outcomes = d.columns_with_role("outcome")
    assert d.primary_outcome == (None if not outcomes else d.primary_outcome)
    if outcomes:
        assert d.primary_outcome in outcomes


SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.floats() | TEXT | \
    st.sampled_from(["other", "treatment", "consent", "outcome", "integer", "band", "events", "customers", "x"])
FIELDS = st.sampled_from(["name", "entity", "key", "erased", "csv", "role", "type", "category", "bounds",
                          "control", "positive", "primary", "purpose", "generalize", "levels", "order",
                          "delimiter", "quote", "header", "description", "junk"])
VALUES = st.recursive(SCALARS.filter(lambda v: v is not None),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FIELDS, inner, max_size=4),
                      max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["dataset", "columns", "extra"]),
                       st.dictionaries(FIELDS | TEXT, VALUES, max_size=5), max_size=3))
def test_structured_junk_gives_only_dictionary_errors(raw):
    text = "\n".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in raw.items())
    try:
        d = parse_dictionary(text, source="junk.toml")
    except DictionaryError as exc:
        assert exc.problems and "junk.toml" in str(exc)
    else:
        assert isinstance(d, Dictionary) and d.columns


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_gives_only_dictionary_errors(text):
    try:
        parse_dictionary(text, source="junk.toml")
    except DictionaryError as exc:
        assert exc.problems


@settings(max_examples=100, deadline=None)
@given(valid_dictionary(), st.sampled_from(["role", "type", "category", "bounds", "control", "levels"]),
       VALUES)
def test_one_wrong_field_is_reported_with_its_column(raw, field, value):
    """Breaking one field of one column either stays valid or names that column."""
    name = next(iter(raw["columns"]))
    raw["columns"][name][field] = value
    try:
        parse_dictionary(to_toml(raw))
    except DictionaryError as exc:
        assert any(f"column {name!r}" in p or "[dataset]" in p or "primary" in p or "treatment" in p
                   for p in exc.problems), exc.problems


def test_csv_option_types_are_checked():
    with pytest.raises(DictionaryError):
        parse_dictionary('[dataset]\nname = "x"\n[dataset.csv]\nheader = "false"\n[columns.a]\nrole = "other"\n')
