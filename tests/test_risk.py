"""Risk engine: hand-computed cases, the ARX test vector, pycanon cross-checks, edge cases, registry."""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest

from analysis import risk
import analysis.risk.profile  # noqa: F401  (monkeypatched below)
from analysis.risk.explain import plain_share

QI = ["age band", 'zip "3"', "gen-der"]


def hand_frame() -> pl.DataFrame:
    """Classes over (age band, zip "3", gen-der): sizes 3, 2, 1, 1 -> n = 7, J = 4."""
    return pl.DataFrame({
        "age band": ["20s", "20s", "20s", "30s", "30s", "40s", "50s"],
        'zip "3"': ["100", "100", "100", "200", "200", "300", "300"],
        "gen-der": ["f", "f", "f", "m", "m", "f", "m"],
        "illness": ["flu", "cold", "flu", "flu", "flu", "cold", "hiv"],
        "income": [1, 2, 3, 1, 1, 2, 3],
    })


# Expected figures of every registered metric on hand_frame() (quasi = QI, sensitive = "illness"),
# computed by hand. The meta-test below fails when a metric of risk.METRICS has no case here.
HAND = {
    "records": 7,
    "classes": 4,
    "k": 1,
    "sample_uniqueness": 2 / 7,
    "prosecutor_highest": 1.0,
    "prosecutor_average_records": 4 / 7,
    "prosecutor_average_classes": (1 / 3 + 1 / 2 + 1 + 1) / 4,
    "records_at_risk": 7 / 7,  # 1/3 > 0.2 too
    "null_classes": 0,
    "l_diversity": 1,
    # class {flu, cold, flu}: H = -(2/3 ln 2/3 + 1/3 ln 1/3); the others have H = 0.
    "entropy_l_diversity": 1.0,
    # p: flu 4/7, cold 2/7, hiv 1/7. Class {hiv}: ½(4/7 + 2/7 + 6/7) = 6/7.
    "t_closeness": 6 / 7,
    "delta_disclosure": math.log(7),
    "beta_likeness": 6.0,
}
# With population = 70 (π = 0.1): F_j = 10 f_j.
HAND_POPULATION = {"marketer": 4 * 0.1 / 7, "journalist_highest": 0.1, "journalist_average": 4 * 0.1 / 7}


def test_hand_case_every_figure():
    profile = risk.risk_profile(hand_frame(), QI, ["illness"])
    flat = {**profile.reidentification.to_dict(), **profile.disclosures[0].to_dict()}
    for name, expected in HAND.items():
        assert flat[name] == pytest.approx(expected), name
    with_population = risk.reidentification(hand_frame(), QI, population=70)
    for name, expected in HAND_POPULATION.items():
        assert getattr(with_population, name) == pytest.approx(expected), name
    assert 0 <= with_population.population_uniqueness <= 1


def test_records_at_risk_threshold_boundary():
    # 1/f > t, strictly: with t = 1/3, the class of 3 is not at risk; the 2 and the two 1s are (4 of 7).
    r = risk.reidentification(hand_frame(), QI, threshold=1 / 3)
    assert r.records_at_risk == pytest.approx(4 / 7)
    assert risk.reidentification(hand_frame(), QI, threshold=1.0).records_at_risk == 0


def test_class_sizes_distribution():
    d = risk.class_sizes(hand_frame(), QI)
    assert d.to_dicts() == [
        {"class_size": 1, "classes": 2, "records": 2, "null_classes": 0},
        {"class_size": 2, "classes": 1, "records": 2, "null_classes": 0},
        {"class_size": 3, "classes": 1, "records": 3, "null_classes": 0},
    ]


def test_arx_test_vector_issue_259():
    """ARX issue 259: three classes of size 2 plus one suppressed row -> average 0.5, highest 0.5,
    uniqueness 0. Suppression is a boolean column named by ``suppressed=``; those rows are left out."""
    frame = pl.DataFrame({
        "age": ["a", "a", "b", "b", "c", "c", "*"],
        "zip": ["1", "1", "2", "2", "3", "3", "*"],
        "suppressed": [False] * 6 + [True],
    })
    r = risk.reidentification(frame, ["age", "zip"], suppressed="suppressed")
    assert (r.prosecutor_average_records, r.prosecutor_highest, r.sample_uniqueness) == (0.5, 0.5, 0.0)
    assert (r.records, r.suppressed_records) == (6, 1)
    # Without the mask, the suppressed row is a unique class of its own.
    assert risk.reidentification(frame, ["age", "zip"]).sample_uniqueness == pytest.approx(1 / 7)


def test_ordered_t_closeness_by_hand():
    # income ordered 1 < 2 < 3; p = (3/7, 2/7, 2/7). Class {3} (size 1): q - p = (-3/7, -2/7, 5/7),
    # cumulative (-3/7, -5/7, 0) -> (1/2)(8/7) = 4/7. Class {1,1}: q - p = (4/7, -2/7, -2/7),
    # cumulative (4/7, 2/7, 0) -> 3/7. Maximum 4/7.
    d = risk.disclosure(hand_frame(), QI, "income")
    assert d.t_closeness_kind == "ordered"
    assert d.t_closeness == pytest.approx(4 / 7)
    # An explicit order over a text column gives the same figure.
    text = hand_frame().with_columns(pl.col("income").cast(pl.String).replace({"1": "low", "2": "mid", "3": "high"}))
    same = risk.disclosure(text, QI, "income", order=["low", "mid", "high"])
    assert (same.t_closeness_kind, same.t_closeness) == ("ordered", pytest.approx(4 / 7))
    assert risk.disclosure(text, QI, "income").t_closeness_kind == "categorical"


def test_batches_of_values_give_the_same_answer(monkeypatch):
    rng = np.random.default_rng(3)
    frame = pl.DataFrame({"a": rng.integers(0, 5, 400), "b": rng.integers(0, 4, 400),
                          "s": rng.integers(0, 40, 400), "c": rng.choice(["x", "y", None], 400)})
    one = risk.risk_profile(frame, ["a", "b"], ["s", "c"]).to_dict()
    monkeypatch.setattr(risk.profile, "VALUES_PER_QUERY", 7)
    batched = risk.risk_profile(frame, ["a", "b"], ["s", "c"]).to_dict()
    for column in ("s", "c"):
        for metric, value in one["sensitive"][column].items():
            assert batched["sensitive"][column][metric] == pytest.approx(value), (column, metric)
    assert batched["k"] == one["k"] and batched["classes"] == one["classes"]


# --------------------------------------------------------------------------- pycanon
def random_frame(seed: int, rows: int = 300) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame({
        "age": rng.integers(20, 26, rows),
        "zip code": rng.choice(["A", "B", "C"], rows),
        "sex": rng.choice(["f", "m"], rows),
        "diagnosis": rng.choice(["flu", "cold", "hiv", "none"], rows, p=[0.4, 0.3, 0.1, 0.2]),
        "score": rng.integers(0, 5, rows),
    })


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equal_to_pycanon(seed):
    from pycanon import anonymity

    frame = random_frame(seed)
    quasi = ["age", "zip code", "sex"]
    df = frame.to_pandas()
    profile = risk.risk_profile(frame, quasi, ["diagnosis", "score"])
    text, numeric = profile.disclosures
    assert profile.reidentification.k == anonymity.k_anonymity(df, quasi)
    assert text.l_diversity == anonymity.l_diversity(df, quasi, ["diagnosis"])
    assert numeric.l_diversity == anonymity.l_diversity(df, quasi, ["score"])
    for ours, column in ((text, "diagnosis"), (numeric, "score")):
        # pycanon truncates exp(entropy) to an int.
        assert math.floor(ours.entropy_l_diversity + 1e-9) == anonymity.entropy_l_diversity(df, quasi, [column])
        assert ours.t_closeness == pytest.approx(anonymity.t_closeness(df, quasi, [column]))
        assert ours.delta_disclosure == pytest.approx(anonymity.delta_disclosure(df, quasi, [column]))
        assert ours.beta_likeness == pytest.approx(anonymity.basic_beta_likeness(df, quasi, [column]))
    assert (text.t_closeness_kind, numeric.t_closeness_kind) == ("categorical", "ordered")


def test_sample_uniqueness_cross_check_with_polars():
    frame = random_frame(5, rows=200)
    quasi = ["age", "zip code", "sex", "score"]
    sizes = frame.group_by(quasi).len()
    expected = sizes.filter(pl.col("len") == 1).height / frame.height
    r = risk.reidentification(frame, quasi)
    assert r.sample_uniqueness == pytest.approx(expected)
    assert r.classes == sizes.height and r.k == sizes["len"].min()


# --------------------------------------------------------------------------- edge cases
def test_empty_frame_is_a_clear_error():
    with pytest.raises(ValueError, match="no records"):
        risk.reidentification(hand_frame().head(0), QI)
    with pytest.raises(ValueError, match="no records"):
        risk.risk_profile(hand_frame().head(0), QI, ["illness"])


def test_all_rows_suppressed_is_a_clear_error():
    frame = hand_frame().with_columns(pl.lit(True).alias("gone"))
    with pytest.raises(ValueError, match="no records"):
        risk.reidentification(frame, QI, suppressed="gone")
    with pytest.raises(ValueError, match="no records"):
        risk.disclosure(frame, QI, "illness", suppressed="gone")


def test_one_row():
    p = risk.risk_profile(hand_frame().head(1), QI, ["illness", "income"])
    r = p.reidentification
    assert (r.records, r.classes, r.k, r.sample_uniqueness, r.prosecutor_highest) == (1, 1, 1, 1.0, 1.0)
    assert [(d.l_diversity, d.t_closeness) for d in p.disclosures] == [(1, 0.0), (1, 0.0)]


def test_all_identical_rows():
    frame = pl.DataFrame({"a": [1] * 50, "b": ["x"] * 50, "s": ["v"] * 50})
    p = risk.risk_profile(frame, ["a", "b"], ["s"])
    assert (p.reidentification.k, p.reidentification.classes, p.reidentification.sample_uniqueness) == (50, 1, 0.0)
    d = p.disclosures[0]  # one sensitive value: l = 1, t = 0
    assert (d.l_diversity, d.entropy_l_diversity, d.t_closeness, d.delta_disclosure) == (1, 1.0, 0.0, 0.0)


def test_nulls_in_a_quasi_identifier_form_their_own_class():
    frame = pl.DataFrame({"a": [1, 1, None, None, None], "b": ["x", "x", "x", "x", None], "s": list("pqpqp")})
    r = risk.reidentification(frame, ["a", "b"])
    assert (r.classes, r.null_classes, r.k) == (3, 2, 1)
    assert risk.class_sizes(frame, ["a", "b"])["null_classes"].sum() == 2
    assert any("missing" in s for s in risk.explain(r))
    assert risk.disclosure(frame, ["a", "b"], "s").l_diversity == 1


def test_unknown_column_names_it_and_lists_the_others():
    with pytest.raises(ValueError, match=r"'postcode' is not in the data.*'age band'"):
        risk.reidentification(hand_frame(), ["age band", "postcode"])
    with pytest.raises(ValueError, match="'nope' is not in the data"):
        risk.risk_profile(hand_frame(), QI, ["nope"])


@pytest.mark.parametrize("call, parameter", [
    (lambda: risk.reidentification(hand_frame(), QI, threshold=0), "threshold"),
    (lambda: risk.reidentification(hand_frame(), QI, threshold=1.5), "threshold"),
    (lambda: risk.reidentification(hand_frame(), QI, population=3), "population"),
    (lambda: risk.reidentification(hand_frame(), []), "quasi"),
    (lambda: risk.reidentification(hand_frame(), "age band"), "quasi"),
    (lambda: risk.reidentification(hand_frame(), ["age band", "age band"]), "quasi"),
    (lambda: risk.risk_profile(hand_frame(), QI, ["age band"]), "sensitive"),
    (lambda: risk.disclosure(hand_frame(), QI, "illness", order=["flu", "cold"]), "orders"),
    (lambda: risk.reidentification(hand_frame(), QI, suppressed="illness"), "suppressed"),
])
def test_bad_arguments_one_message_shape(call, parameter):
    with pytest.raises(ValueError, match=rf"The '{parameter}' parameter of \w+ must be .* Got .* instead\."):
        call()


def test_not_a_polars_frame():
    with pytest.raises(ValueError, match="must be a polars DataFrame"):
        risk.reidentification(hand_frame().to_pandas(), QI)


# --------------------------------------------------------------------------- population uniqueness
def test_population_uniqueness_estimates():
    rng = np.random.default_rng(1)
    n_population = 200_000
    population = pl.DataFrame({"age": rng.integers(18, 91, n_population),
                               "zip": rng.zipf(1.3, n_population) % 5000, "g": rng.integers(0, 2, n_population)})
    quasi = ["age", "zip", "g"]
    truth = risk.reidentification(population, quasi).sample_uniqueness
    sample = population.sample(fraction=0.05, seed=2)
    r = risk.reidentification(sample, quasi, population=n_population)
    assert r.population_uniqueness_model == "pitman"
    # Pitman lands near the truth, far closer than the sample's own uniqueness.
    assert abs(r.population_uniqueness - truth) < 0.25 * truth
    assert abs(r.population_uniqueness - truth) < abs(r.sample_uniqueness - truth) / 4
    large = risk.reidentification(population.sample(fraction=0.3, seed=2), quasi, population=n_population)
    assert large.population_uniqueness_model.startswith("zayatz")
    assert abs(large.population_uniqueness - truth) < 0.1 * truth
    # The whole population: every model must give back the sample uniqueness.
    whole = risk.reidentification(population, quasi, population=n_population)
    assert whole.population_uniqueness == pytest.approx(truth)
    assert risk.reidentification(population, quasi).population_uniqueness is None


# --------------------------------------------------------------------------- drivers
def test_quasi_contributions():
    rng = np.random.default_rng(0)
    frame = pl.DataFrame({"age": rng.integers(18, 91, 2000), "sex": rng.choice(["f", "m"], 2000),
                          "region": rng.integers(0, 3, 2000)})
    quasi = ["age", "sex", "region"]
    table = risk.quasi_contributions(frame, quasi, generalizers={"age": lambda s: s // 10})
    assert table["quasi"][0] == "age"  # the most varied column drives uniqueness
    base = risk.reidentification(frame, quasi).sample_uniqueness
    for row in table.iter_rows(named=True):
        without = [q for q in quasi if q != row["quasi"]]
        expected = risk.reidentification(frame, without).sample_uniqueness
        assert row["uniqueness_without"] == pytest.approx(expected)
        assert row["drop_if_removed"] == pytest.approx(base - expected)
    age = table.filter(pl.col("quasi") == "age").row(0, named=True)
    banded = risk.reidentification(frame.with_columns(pl.col("age") // 10), quasi).sample_uniqueness
    assert age["uniqueness_generalized"] == pytest.approx(banded)
    assert table.filter(pl.col("quasi") == "sex")["drop_if_generalized"].is_null().all()
    # One quasi-identifier: removing it leaves one class of everyone.
    single = risk.quasi_contributions(frame, ["age"])
    assert single["uniqueness_without"][0] == 0.0


# --------------------------------------------------------------------------- explanations & registry
def test_plain_share_wording():
    assert [plain_share(x) for x in (0, 0.25, 0.3, 0.013, 0.95, 1, 0.5)] == [
        "no", "1 in 4", "3 in 10", "1 in 77", "all but 1 in 20", "all", "1 in 2"]


def test_explain_issue_example():
    assert risk.explain("sample_uniqueness", 0.25, quasi=["age", "gender", "postcode"]) == [
        "1 in 4 customers could be singled out by age, gender and postcode alone (25.0 %)."]


def test_explain_profile_fills_numbers():
    sentences = risk.explain(risk.risk_profile(hand_frame(), QI, ["illness"]))
    assert sentences[0] == "The data holds 7 customer records."
    assert any("2 in 7 customers could be singled out" in s for s in sentences)
    assert all("{" not in s for s in sentences)


def test_every_metric_is_tested_and_explained():
    names = [m.name for m in risk.METRICS]
    assert len(names) == len(set(names))
    tested = set(HAND) | set(HAND_POPULATION) | {"population_uniqueness", "drop_if_removed", "attribute_inference",
                                                  "membership_inference", "behavioral_uniqueness"}
    assert set(names) <= tested, set(names) - tested
    assert set(names) == set(risk.EXPLANATIONS), set(names) ^ set(risk.EXPLANATIONS)
    for metric in risk.METRICS:
        assert metric.label and metric.definition and metric.source
        context = {"quasi": ["age"], "column": "income", "control": 0.1, "threshold": 0.2, "model": "Pitman"}
        sentence = risk.explain(metric.name, 0.25 if metric.name not in ("records", "classes", "k") else 4, **context)[0]
        assert "{" not in sentence and (sentence[0].isupper() or sentence[0].isdigit())


def test_profile_to_dict_is_json_with_headline_keys():
    d = risk.risk_profile(hand_frame(), QI, ["illness"], population=70).to_dict()
    json.dumps(d)
    for key in ("records", "classes", "k", "sample_uniqueness", "prosecutor_highest", "prosecutor_average_records",
                "prosecutor_average_classes", "records_at_risk", "threshold", "marketer", "journalist_highest",
                "journalist_average", "population_uniqueness"):
        assert key in d
    assert set(d["sensitive"]["illness"]) >= {"l_diversity", "entropy_l_diversity", "t_closeness", "delta_disclosure"}


def test_classes_alike_count_as_often_as_there_are_of_them():
    """The profile reads classes alike (same size, NULL flag and counts) as one row with their number, so that
    few rows leave the engine; every class still counts. By hand: zips a, b, c are three unique classes holding
    "y" (alike), d a class of two holding "y" and "n"; a and b also have a NULL quasi-identifier."""
    from analysis.risk import risk_profile

    df = pl.DataFrame({"zip": ["a", "b", "c", "d", "d"], "band": [None, None, "x", "x", "x"],
                       "debt": ["y", "y", "y", "n", "y"]})
    p = risk_profile(df, ["zip", "band"], ["debt"]).to_dict()
    assert (p["records"], p["classes"], p["k"], p["null_classes"]) == (5, 4, 1, 2)
    assert p["sample_uniqueness"] == pytest.approx(3 / 5)
    assert p["prosecutor_average_classes"] == pytest.approx((1 + 1 + 1 + 1 / 2) / 4)
    assert p["sensitive"]["debt"]["l_diversity"] == 1
