"""The synthetic CRM: determinism, dictionaries, and the ground-truth structure the product exists to show."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.dictionary import load_dictionary
from analysis.synthetic import AS_OF, GeneratedFiles, generate, generate_frames

N = 20_000


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return generate_frames(N, seed=11, erasure_rate=0.05)


@pytest.fixture(scope="module")
def joined(frames) -> pl.DataFrame:
    customers, campaign, truth = frames["customers"], frames["campaign"], frames["ground_truth"]
    return customers.join(campaign, on="customer_id").join(truth, on="customer_id")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _all_files(files: GeneratedFiles) -> list:
    return [files.ground_truth] + [p for pair in files.data_files() for p in pair]


# -- determinism and files ---------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path, file_format):
    a = generate(5_000, seed=3, out_dir=tmp_path / "a", file_format=file_format)
    b = generate(5_000, seed=3, out_dir=tmp_path / "b", file_format=file_format)
    c = generate(5_000, seed=4, out_dir=tmp_path / "c", file_format=file_format)
    assert [_digest(p) for p in _all_files(a)] == [_digest(p) for p in _all_files(b)]
    for name in ("customers", "campaign", "events", "ground_truth"):
        assert _digest(getattr(a, name)) != _digest(getattr(c, name))
    assert a.n_customers == 5_000 and a.seed == 3 and a.n_events > 0
    assert [d.stem for d, _ in a.data_files()] == ["crm_customers", "crm_campaign", "crm_events"]
    assert all(data.suffix == f".{file_format}" for _, data in a.data_files())
    assert a.ground_truth.suffix == ".parquet"


def test_files_hold_the_same_data_as_generate_frames(tmp_path):
    files = generate(3_000, seed=5, out_dir=tmp_path)
    mem = generate_frames(3_000, seed=5)
    for name, path in [("customers", files.customers), ("campaign", files.campaign), ("events", files.events),
                       ("ground_truth", files.ground_truth)]:  # fmt: skip
        assert pl.read_parquet(path).equals(mem[name]), name
    assert files.n_events == mem["events"].height


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_dictionaries_parse_and_declare_every_column_of_their_file(tmp_path, file_format):
    files = generate(2_000, seed=1, out_dir=tmp_path, file_format=file_format)
    expected = {"crm_customers": "customers", "crm_campaign": "customers", "crm_events": "events"}
    for dictionary_path, data_path in files.data_files():
        d = load_dictionary(dictionary_path)
        data = pl.read_parquet(data_path) if file_format == "parquet" else pl.read_csv(data_path)
        assert d.name == dictionary_path.stem and d.entity == expected[d.name]
        assert list(d.column_names) == data.columns
        assert d.key == "customer_id"
        for spec in d.columns:  # every numeric column lies inside its declared bounds
            if spec.bounds is not None:
                assert data[spec.name].min() >= spec.bounds[0] and data[spec.name].max() <= spec.bounds[1]
    customers = load_dictionary(files.customers_dictionary)
    assert customers.erased == "erasure_requested"
    assert customers.columns_with_role("direct_identifier") == ("full_name", "email", "phone")
    assert customers.columns_with_role("quasi_identifier") == ("age", "gender", "zip", "region")
    sensitive = ("credit_band", "financial_distress", "health_interest")
    assert customers.columns_with_role("sensitive") == sensitive
    purposes = {customers.column(c).purpose for c in customers.columns_with_role("consent")}
    assert purposes == {"personalization", "marketing", "analytics"}
    assert customers.column("age").levels == (5.0, 10.0, 20.0)
    zip_code = customers.column("zip")
    assert zip_code.generalize == "prefix" and zip_code.levels == (3.0, 2.0, 1.0)
    assert customers.column("region").generalize == "merge_rare"
    assert customers.column("credit_band").order == ("poor", "fair", "good", "excellent")
    campaign = load_dictionary(files.campaign_dictionary)
    assert campaign.column("arm").control == "control" and campaign.primary_outcome == "converted"
    assert load_dictionary(files.events_dictionary).timestamp_column == "event_time"


# -- customers, campaign and events look as specified ------------------------------------------------


def test_customer_columns(frames):
    c = frames["customers"]
    assert c["customer_id"].n_unique() == N and c["customer_id"][0] == "C0000001"
    assert c["email"].n_unique() == N and c["email"].str.contains(r"@example\.(com|org|net)$").all()
    assert c["phone"].str.contains(r"^\+1-\d{3}-555-01\d{2}$").all()
    assert c["zip"].str.contains(r"^\d{5}$").all()
    assert 2_000 <= c["zip"].n_unique() <= 6_000
    # region is a function of the first ZIP digit
    assert c.group_by(pl.col("zip").str.slice(0, 1)).agg(pl.col("region").n_unique())["region"].max() == 1
    assert c["age"].min() >= 18 and c["age"].max() <= 100
    assert c["tenure_months"].min() >= 0 and c["tenure_months"].max() <= 240
    shares = c["gender"].value_counts(normalize=True).sort("gender")["proportion"].to_list()
    assert shares == pytest.approx([0.49, 0.49, 0.02], abs=0.015)
    assert set(c["credit_band"].unique()) == {"poor", "fair", "good", "excellent"}


def test_campaign_is_randomized_in_three_arms(frames):
    camp = frames["campaign"]
    shares = camp["arm"].value_counts(normalize=True)["proportion"].to_numpy()
    assert np.allclose(shares, 1 / 3, atol=0.02)
    converted = camp["converted"].to_numpy()
    revenue = camp["revenue"].to_numpy()
    assert ((revenue > 0) == converted).all() and revenue.max() <= 1000


def test_events_history(frames):
    ev = frames["events"]
    per_customer = ev.height / N
    assert 12 <= per_customer <= 20
    start = datetime.combine(AS_OF, datetime.min.time())
    assert ev["event_time"].min() >= start - timedelta(days=730) and ev["event_time"].max() < start
    assert ev.select(pl.col("customer_id").is_sorted()).item()
    purchase = ev["event_type"] == "purchase"
    assert (ev.filter(~purchase)["amount"] == 0).all() and (ev.filter(purchase)["amount"] > 0).all()
    assert set(ev["event_type"].unique()) == {"visit", "email_open", "purchase"}
    assert set(ev["channel"].unique()) == {"web", "app", "store", "email"}
    assert "pharmacy" in set(ev["product_category"].unique())
    # lapsed customers: a good share has had no event in the last 180 days, most had one in the last 90
    recency = frames["ground_truth"]["recency_days"]
    assert 0.15 <= (recency > 180).mean() <= 0.45 and (recency <= 90).mean() > 0.5


def test_as_of_moves_the_history():
    ev = generate_frames(500, seed=2, as_of="2020-01-01")["events"]
    assert ev["event_time"].max() < datetime(2020, 1, 1) and ev["event_time"].min() >= datetime(2018, 1, 1)


def test_ground_truth_drivers_match_the_events(frames):
    """The behaviour the truth is computed from, recomputed from the events file by another route."""
    ev = frames["events"]
    end = datetime.combine(AS_OF, datetime.min.time())
    cut = end - timedelta(days=90)
    per = ev.group_by("customer_id").agg(
        recent=((pl.col("event_type") == "purchase") & (pl.col("event_time") >= cut)).sum(),
        old=((pl.col("event_type") == "purchase") & (pl.col("event_time") < cut)).sum(),
        last=pl.col("event_time").max(),
    )
    gt = frames["ground_truth"].join(per, on="customer_id", how="left")
    assert (gt["purchases_last_90d"] == gt["recent"].fill_null(0)).all()
    assert (gt["purchases_91_730d"] == gt["old"].fill_null(0)).all()
    days = ((end - gt["last"]).dt.total_seconds() / 86_400).fill_null(731)
    assert np.allclose(gt["recency_days"].to_numpy(), days.to_numpy(), atol=1e-6)


# -- ground-truth structure --------------------------------------------------------------------------


def test_magnitudes_of_conversion_and_uplift(joined):
    assert 0.08 <= joined["p_control"].mean() <= 0.12
    assert 0.02 <= joined["uplift_email"].mean() <= 0.045
    assert 0.03 <= joined["uplift_discount"].mean() <= 0.055
    p = joined["p_control"]
    for arm in ("uplift_email", "uplift_discount"):  # probabilities stay probabilities
        assert ((p + joined[arm]) >= 0).all() and ((p + joined[arm]) <= 1).all()


@pytest.mark.parametrize("arm", ["email", "discount"])
def test_treated_top_decile_by_true_uplift_beats_the_average(joined, arm):
    u = joined[f"uplift_{arm}"].to_numpy()
    top = u >= np.quantile(u, 0.9)
    assert u[top].mean() > 2 * u.mean()
    # and observed: the treated top decile's conversion gain over its controls beats the average gain
    d = joined.with_columns(top=pl.Series(top))
    rate = d.group_by("top", "arm").agg(pl.col("converted").mean()).sort("top", "arm")
    r = {(t, a): v for t, a, v in rate.iter_rows()}
    overall = d.group_by("arm").agg(pl.col("converted").mean())
    o = dict(overall.iter_rows())
    assert r[(True, arm)] - r[(True, "control")] > 1.5 * (o[arm] - o["control"])


@pytest.mark.parametrize("arm", ["email", "discount"])
def test_mean_true_uplift_matches_the_randomized_difference(joined, arm):
    treated = joined.filter(pl.col("arm") == arm)["converted"].to_numpy()
    control = joined.filter(pl.col("arm") == "control")["converted"].to_numpy()
    diff = treated.mean() - control.mean()
    se = np.sqrt(treated.var() / treated.size + control.var() / control.size)
    assert abs(diff - joined[f"uplift_{arm}"].mean()) < 4 * se
    assert abs(control.mean() - joined.filter(pl.col("arm") == "control")["p_control"].mean()) < 4 * np.sqrt(
        control.var() / control.size
    )


def test_some_customers_are_harmed_by_contact(joined):
    harmed = (joined["uplift_email"] < 0).mean()
    assert 0.08 <= harmed <= 0.2
    # the harmed are the dormant ones
    assert joined.filter(pl.col("uplift_email") < 0)["recency_days"].median() > 180


def test_a_good_model_measures_uplift_on_a_30_percent_holdout():
    """Ranking by the true uplift (the best model), the top 30 % of a 30 % hold-out of 50,000 shows a gain
    whose 95 % confidence interval excludes zero."""
    f = generate_frames(50_000, seed=7)
    d = f["campaign"].join(f["ground_truth"], on="customer_id")
    hold = d.filter(pl.Series(np.random.default_rng(0).random(d.height) < 0.3))
    top = hold.filter(pl.col("uplift_email") >= pl.col("uplift_email").quantile(0.7))
    t = top.filter(pl.col("arm") == "email")["converted"].to_numpy()
    c = top.filter(pl.col("arm") == "control")["converted"].to_numpy()
    se = np.sqrt(t.var() / t.size + c.var() / c.size)
    assert t.mean() - c.mean() - 1.96 * se > 0


def test_sensitive_attributes_drive_uplift(joined):
    by_distress = joined.group_by("financial_distress").agg(pl.col("uplift_discount").mean())
    distressed = by_distress.sort("financial_distress")
    assert distressed["uplift_discount"][1] - distressed["uplift_discount"][0] > 0.05
    older = joined.filter(pl.col("age") >= 50)
    older_health = older.group_by("health_interest").agg(pl.col("uplift_email").mean())
    gap = older_health.sort("health_interest")["uplift_email"].diff()[1]
    assert gap > 0.015


def test_consent_is_not_random(joined):
    yes = joined.filter(pl.col("consent_personalization"))
    no = joined.filter(~pl.col("consent_personalization"))
    assert yes.height / N == pytest.approx(0.45, abs=0.02)
    assert no["age"].mean() - yes["age"].mean() > 3
    assert yes["uplift_email"].mean() - no["uplift_email"].mean() > 0.01
    # the opt-in propensity is what drives consent
    assert yes["opt_in_propensity"].mean() > no["opt_in_propensity"].mean() + 0.1
    marketing = joined["consent_marketing"].mean()
    assert marketing == pytest.approx(0.50, abs=0.02)
    both = joined.select(pl.col("consent_marketing", "consent_personalization").cast(float)).to_numpy()
    assert np.corrcoef(both.T)[0, 1] > 0.1


@pytest.mark.parametrize("rate", [0.2, 0.7])
def test_opt_in_rate_sets_the_consent_share(rate):
    c = generate_frames(10_000, seed=5, opt_in_rate=rate)["customers"]
    assert c["consent_personalization"].mean() == pytest.approx(rate, abs=0.02)


def test_uniqueness_rises_as_quasi_identifiers_are_added(frames):
    c = frames["customers"]

    def unique_share(cols):
        return c.group_by(cols).len().filter(pl.col("len") == 1)["len"].sum() / c.height

    age, age_gender_zip = unique_share(["age"]), unique_share(["age", "gender", "zip"])
    coarse = unique_share([pl.col("age") // 10, "gender", pl.col("zip").str.slice(0, 3)])
    assert age < 0.01 and age_gender_zip > 0.5 and age_gender_zip > 20 * max(age, 1 / N)
    assert age < coarse < age_gender_zip
    # merge_rare at 5 % has something to merge: one region is rare
    assert c["region"].value_counts(normalize=True)["proportion"].min() < 0.05


def test_a_90_day_window_loses_signal(joined):
    u = joined["uplift_email"].to_numpy()
    old = joined["purchases_91_730d"].to_numpy().astype(float)
    assert np.corrcoef(u, old)[0, 1] > 0.2
    # beyond what the last 90 days tell: regress on what a 90-day window keeps, old purchases still explain
    kept = np.column_stack(
        [
            np.ones_like(u),
            np.log1p(joined["purchases_last_90d"].to_numpy()),
            np.exp(-np.minimum(joined["recency_days"].to_numpy(), 90) / 45),
        ]
    )
    residual = u - kept @ np.linalg.lstsq(kept, u, rcond=None)[0]
    assert np.corrcoef(residual, np.log1p(old))[0, 1] > 0.15


def test_health_interest_shows_in_pharmacy_purchases(frames):
    purchases = frames["events"].filter(pl.col("event_type") == "purchase").join(
        frames["customers"].select("customer_id", "health_interest"), on="customer_id"
    )
    pharmacy = (pl.col("product_category") == "pharmacy").mean()
    share = purchases.group_by("health_interest").agg(pharmacy).sort("health_interest")
    assert share["product_category"][1] > 3 * share["product_category"][0]


def test_erased_share(frames):
    erased = frames["customers"]["erasure_requested"]
    assert abs(erased.mean() - 0.05) < 4 * np.sqrt(0.05 * 0.95 / N)
    assert (frames["ground_truth"]["erased"] == erased).all()
    assert generate_frames(2_000, seed=1, erasure_rate=0.0)["customers"]["erasure_requested"].sum() == 0


# -- arguments and small sizes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_customers": 0}, "n_customers"),
        ({"n_customers": 2.5}, "n_customers"),
        ({"seed": -1}, "seed"),
        ({"opt_in_rate": 1.0}, "opt_in_rate"),
        ({"erasure_rate": -0.1}, "erasure_rate"),
        ({"as_of": "June"}, "as_of"),
        ({"file_format": "xlsx"}, "file_format"),
    ],
)
def test_bad_arguments_are_refused_with_one_message_shape(tmp_path, kwargs, name):
    args = {"n_customers": 10, "out_dir": tmp_path, **kwargs}
    shape = rf"^The '{name}' parameter of generate must be .+\. Got .+ instead\.$"
    with pytest.raises(ValueError, match=shape):
        generate(**args)
    assert not list(tmp_path.iterdir())


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 300), seed=st.integers(0, 2**32))
def test_any_small_population_is_consistent(n, seed):
    f = generate_frames(n, seed=seed)
    ids = f["customers"]["customer_id"]
    assert ids.n_unique() == n
    assert f["campaign"]["customer_id"].equals(ids) and f["ground_truth"]["customer_id"].equals(ids)
    assert f["events"]["customer_id"].is_in(ids.implode()).all()
    assert f["ground_truth"].null_count().sum_horizontal().item() == 0
    assert AS_OF == date(2026, 6, 30)
