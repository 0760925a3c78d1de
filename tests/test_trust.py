"""Trust model: hand-computed effects, directions, sensitivity table, validation."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.breach.assumptions import load_assumptions
from analysis.breach.trust import (
    TRUST_PARAMETERS, TrustInputs, annual_breach_probability, trust_effects, trust_sensitivity,
)

RESPECTFUL = TrustInputs(customers=10_000, consented_share=0.6, personalized_share=0.6, uses_sensitive=False,
                         uses_nonconsented=False, annual_breach_probability=0.0, customer_value=100.0)


def _by_cause(result, horizon):
    rows = result.table.filter(pl.col("horizon_years") == horizon)
    return dict(zip(rows["cause"], rows["customers"]))


def test_hand_computed_effects():
    r = trust_effects(RESPECTFUL)
    assert _by_cause(r, 1) == pytest.approx({"consented_personalization": 120, "sensitive_attributes": 0,
                                             "nonconsented_data": 0, "breach_reputation": 0})
    assert _by_cause(r, 3)["consented_personalization"] == pytest.approx(6_000 * (1 - 0.98**3))  # 352.848
    assert r.net_value[3] == pytest.approx(35_284.8)

    creepy = TrustInputs(customers=10_000, consented_share=0.5, personalized_share=1.0, uses_sensitive=True,
                         uses_nonconsented=True, annual_breach_probability=0.1, customer_value=100.0)
    c = _by_cause(trust_effects(creepy), 1)
    assert c == pytest.approx({"consented_personalization": 5_000 * 0.02,
                               "sensitive_attributes": -10_000 * 0.02,
                               "nonconsented_data": -5_000 * 0.03,
                               "breach_reputation": -10_000 * 0.1 * 0.01})
    assert trust_effects(creepy).net_customers[1] == pytest.approx(100 - 200 - 150 - 10)


def test_breach_probability_defaults_to_the_frequency_assumption():
    x = replace(RESPECTFUL, annual_breach_probability=None, customer_value=None)
    r = trust_effects(x, {"breach_frequency": {"low": 0.1, "value": 0.1, "high": 0.1}})
    assert r.annual_breach_probability == pytest.approx(1 - math.exp(-0.1))
    assert r.customer_value == load_assumptions().value("customer_value")
    expected = 1 - math.exp(-load_assumptions().mean("breach_frequency"))
    assert annual_breach_probability() == pytest.approx(expected)


inputs = st.builds(
    lambda customers, consented, personalized, sensitive, nonconsented, p, value: TrustInputs(
        customers=customers, consented_share=consented, personalized_share=personalized * consented,
        uses_sensitive=sensitive, uses_nonconsented=nonconsented, annual_breach_probability=p,
        customer_value=value),
    st.integers(1, 10**6), st.floats(0.05, 1), st.floats(0.05, 1), st.booleans(), st.booleans(),
    st.floats(0, 1), st.floats(1, 1_000))


@settings(max_examples=60, deadline=None)
@given(x=inputs)
def test_directions(x):
    """Creepy use and breaches cost value; consented personalization earns it; effects grow with time."""
    base = trust_effects(x).net_value
    if not x.uses_sensitive:
        assert trust_effects(replace(x, uses_sensitive=True)).net_value[3] < base[3]
    if not x.uses_nonconsented and x.consented_share < 1:
        widened = replace(x, uses_nonconsented=True, personalized_share=1.0)
        assert _by_cause(trust_effects(widened), 3)["nonconsented_data"] < 0
    if x.annual_breach_probability < 0.9:
        assert trust_effects(replace(x, annual_breach_probability=x.annual_breach_probability + 0.1)
                             ).net_value[3] < base[3]
    result = trust_effects(x)
    for cause in ("consented_personalization", "sensitive_attributes", "nonconsented_data",
                  "breach_reputation"):
        one, three = _by_cause(result, 1)[cause], _by_cause(result, 3)[cause]
        assert abs(three) >= abs(one) and (one == 0 or math.copysign(1, one) == math.copysign(1, three))
    assert _by_cause(trust_effects(x), 1)["consented_personalization"] >= 0


def test_sensitivity_table_is_a_tornado():
    x = TrustInputs(customers=100_000, consented_share=0.5, personalized_share=1.0, uses_sensitive=True,
                    uses_nonconsented=True, customer_value=200.0)
    t = trust_sensitivity(x)
    assert set(t["parameter"]) == set(TRUST_PARAMETERS) | {"breach_frequency"}
    assert t["swing"].reverse().is_sorted()
    for row in t.iter_rows(named=True):
        lo, hi = sorted((row["net_value_at_low"], row["net_value_at_high"]))
        assert lo <= row["net_value_base"] <= hi  # the model is monotone in every parameter
    assert (t["swing"] > 0).all()
    # a parameter not in play does not move anything
    quiet = trust_sensitivity(replace(RESPECTFUL, annual_breach_probability=0.05))
    swings = dict(zip(quiet["parameter"], quiet["swing"]))
    assert swings["trust_sensitive_churn"] == 0 and swings["trust_nonconsented_churn"] == 0
    assert swings["trust_consented_retention_lift"] > 0 and "breach_frequency" not in swings


def test_trust_parameters_are_labelled_assumptions_with_ranges():
    a = load_assumptions()
    for key in TRUST_PARAMETERS:
        assert a[key].kind == "assumption" and a[key].year is None
        assert a[key].low is not None and a[key].low <= a[key].value <= a[key].high


def test_to_dict_is_json():
    d = json.loads(json.dumps(trust_effects(RESPECTFUL, horizons=(1, 3, 5)).to_dict()))
    assert list(d["by_horizon"]) == ["1", "3", "5"]
    assert d["by_horizon"]["3"]["net_value"] == pytest.approx(35_284.8)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: replace(RESPECTFUL, personalized_share=0.9), "'personalized_share' parameter of TrustInputs"),
    (lambda: replace(RESPECTFUL, consented_share=1.2), "'consented_share' parameter of TrustInputs"),
    (lambda: replace(RESPECTFUL, customers=-5), "'customers' parameter of TrustInputs"),
    (lambda: replace(RESPECTFUL, annual_breach_probability=2.0), "'annual_breach_probability' parameter"),
    (lambda: trust_effects(RESPECTFUL, horizons=(0,)), "'horizons' parameter of trust_effects"),
])
def test_bad_inputs_name_the_field(make, message):
    with pytest.raises(ValueError, match=message):
        make()
