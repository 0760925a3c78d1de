"""The fairness audit joins the decision: the privacy policy's optional bound on the lowest selection-rate ratio
(the four-fifths rule), on hand-made cases and on the synthetic CRM through every surface it reaches — the
trade-off table, the recommendation, ``simulate --json``, the report and the frontier chart."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from analysis import ModelCache, SimulationSettings, preset, run_scenarios
from analysis.charts import frontier_chart
from analysis.dictionary import ColumnSpec
from analysis.fairness import audited_attribute, fairness_audit
from analysis.fairness.selection import FOUR_FIFTHS
from analysis.tradeoff.decision import decide
from analysis.tradeoff.policy import Policy, PolicyError, constraint, load_policy
from analysis.tradeoff.runner import lowest_ratio

FAST = SimulationSettings(n_boot=50, breach_years=2_000, attack_samples=1000)
TOLERANCE = ((1e5, 0.1), (1e6, 0.02))
HEALTH = audited_attribute(ColumnSpec("health_interest", "sensitive", type="boolean"))


def _rows(**ratios):
    base = {"risk_index": 10.0, "sensitive_used": [], "consent": "ignore", "k_anonymity": 10, "loss_p95": 1.0,
            "lowest_ratio_attribute": "health_interest", "least_targeted": "customers with health interest",
            "most_targeted": "customers without health interest"}
    return [{**base, "name": n, "net_value": v, "net_value_low": v - 5, "net_value_high": v + 5,
             "lowest_selection_ratio": r} for n, (v, r) in ratios.items()]


# ---- the constraint on hand-made tables ---------------------------------------------------------------------
def test_a_ratio_just_under_the_bound_is_not_allowed_and_just_over_it_is():
    rows = _rows(under=(300.0, 0.79), at=(200.0, 0.8), over=(150.0, 0.81), unmeasured=(100.0, None))
    d = decide(rows, Policy(min_selection_ratio=0.8), horizon_years=1, risk_tolerance=TOLERANCE)
    assert dict(d.not_allowed) == {"under": "customers with health interest are targeted at 0.79× the rate of "
                                            "customers without health interest, under the policy's bound of 0.8 "
                                            "(the four-fifths rule)"}
    assert d.scenario == "at" and d.allowed == ("at", "over", "unmeasured") and d.below_fairness_bound == ("under",)
    assert d.to_dict()["below_fairness_bound"] == ["under"] and d.to_dict()["policy"]["min_selection_ratio"] == 0.8
    # off by default: the same table, nothing ruled out on fairness
    off = decide(rows, Policy(), horizon_years=1, risk_tolerance=TOLERANCE)
    assert off.scenario == "under" and not off.not_allowed and off.below_fairness_bound == ()
    # another bound, without the four-fifths label
    strict = decide(rows, Policy(min_selection_ratio=0.9), horizon_years=1, risk_tolerance=TOLERANCE)
    assert strict.scenario == "unmeasured" and "under the policy's bound of 0.9" in strict.because("over")
    assert "four-fifths" not in strict.because("over")


def _audit(small_group: int):
    """Two groups of 10, each half targeted, and a third group of ``small_group`` customers none of whom is."""
    groups = pl.DataFrame({"health_interest": ["true"] * 10 + ["false"] * 10 + ["missing"] * small_group})
    score = np.r_[np.tile([1.0, 0.0], 10), np.full(small_group, -1.0)]
    k = 10.5 / len(score)  # the top 10 exactly
    return SimpleNamespace(fairness=fairness_audit(score, groups, [HEALTH], k=k))


def test_a_group_too_small_to_show_is_not_a_breach():
    suppressed = lowest_ratio(_audit(4))  # 4 customers never targeted: under 5, not shown, not in the ratio
    assert suppressed["lowest_selection_ratio"] == pytest.approx(1.0)
    shown = lowest_ratio(_audit(5))  # 5 customers never targeted: shown, and their ratio is 0
    assert shown["lowest_selection_ratio"] == 0.0
    assert shown["least_targeted"] == "customers whose health interest is not known"
    rows = [{**_rows(x=(1.0, None))[0], **lowest_ratio(_audit(n)), "name": f"{n} never targeted"} for n in (4, 5)]
    d = decide(rows, Policy(min_selection_ratio=0.8), horizon_years=1, risk_tolerance=TOLERANCE)
    assert d.allowed == ("4 never targeted",) and d.below_fairness_bound == ("5 never targeted",)
    assert "customers whose health interest is not known are targeted at 0× the rate" in d.because("5 never targeted")
    # no audited attribute: nothing to measure, nothing breached
    assert lowest_ratio(SimpleNamespace(fairness=None))["lowest_selection_ratio"] is None


def test_the_bound_is_sourced_off_by_default_and_set_from_toml_or_options(tmp_path):
    from analysis.cli import build_parser
    from analysis.cli.scenarios import policy_from_args

    c = constraint("min_selection_ratio")
    assert c.default is None and c.when_on == FOUR_FIFTHS == 0.8 and c.kind == "sourced" and c.year == 1978
    assert "29 CFR 1607.4(D)" in c.source and "four-fifths" in c.source
    row = next(r for r in Policy(min_selection_ratio=0.8).rows() if r["key"] == "min_selection_ratio")
    assert (row["value"], row["default"], row["overridden"]) == ("0.8", "off", True)
    path = tmp_path / "policy.toml"
    for text, value in (("min_selection_ratio = true", 0.8), ("min_selection_ratio = 0.75", 0.75),
                        ("[policy]\nmin_selection_ratio = false", None), ("min_selection_ratio = 1", 1.0)):
        path.write_text(text, encoding="utf-8")
        assert load_policy(path).min_selection_ratio == value, text
    for bad in (0, 1.2, "high"):
        with pytest.raises(PolicyError, match="The 'min_selection_ratio' parameter of Policy must be a number in"):
            load_policy({"min_selection_ratio": bad})

    def parsed(*options):
        return policy_from_args(build_parser().parse_args(["simulate", "--db", "x.duckdb", *options]))

    assert parsed().min_selection_ratio is None
    assert parsed("--min-selection-ratio", "0.8").min_selection_ratio == 0.8
    assert parsed("--min-selection-ratio", "on").min_selection_ratio == 0.8
    path.write_text("min_selection_ratio = 0.9", encoding="utf-8")
    assert parsed("--policy", str(path), "--min-selection-ratio", "off").min_selection_ratio is None
    assert parsed("--policy", str(path)).min_selection_ratio == 0.9
    with pytest.raises(PolicyError, match="'--min-selection-ratio' option must be a number, on or 'off'"):
        parsed("--min-selection-ratio", "fair")


# ---- the chart marks the scenarios that break it -----------------------------------------------------------
def _points(breaks):
    return pl.DataFrame({"name": ["Status quo", "No sensitive", "Quota", "Privacy first"],
                         "incremental_conversions": [120.0, 100.0, 90.0, 60.0], "risk_index": [70.0, 50.0, 72.0, 20.0],
                         "on_frontier": [True, True, False, True], "breaks_fairness_bound": breaks})


def _trace(fig, prefix):
    return [t for t in fig.data if t.name and t.name.startswith(prefix)]


def test_the_frontier_rings_the_scenarios_below_the_bound():
    fig = frontier_chart(_points([True, True, False, False]), current="Status quo", fairness_bound=0.8)
    ring = _trace(fig, "Targets a group below the fairness bound")
    assert len(ring) == 1 and ring[0].name.endswith("(selection-rate ratio under 0.8)")
    assert list(ring[0].text) == ["Status quo", "No sensitive"] and ring[0].showlegend
    assert list(ring[0].x) == [70.0, 50.0] and list(ring[0].y) == [120.0, 100.0]  # drawn on their points
    assert ring[0].marker.symbol == "circle-open" and ring[0].marker.size > 20  # around the star too
    # nothing breaks it, or no policy column: no ring, no legend entry
    for fig in (frontier_chart(_points([False] * 4)), frontier_chart(_points([False] * 4).drop("breaks_fairness_bound"))):
        assert not _trace(fig, "Targets a group")
    with pytest.raises(ValueError, match="'breaks_fairness_bound' column of 'points' in frontier_chart must be boolean"):
        frontier_chart(_points([1, 0, 0, 0]))
    # labels are placed clear of the ring: a ringed point's label starts outside it
    fig = frontier_chart(_points([False, False, True, False]))
    label = next(a for a in fig.layout.annotations if a.name == "label Quota")
    assert max(abs(label.xshift or 0), abs(label.yshift or 0), abs(label.ax or 0), abs(label.ay or 0)) >= 13.5


def test_numbered_points_say_which_break_the_bound():
    names = [f"A scenario with a long name number {i}" for i in range(9)]
    points = pl.DataFrame({"name": names, "incremental_conversions": [100.0 - i for i in range(9)],
                           "risk_index": [50.0 + 0.1 * i for i in range(9)], "on_frontier": [True] + [False] * 8,
                           "breaks_fairness_bound": [i % 2 == 0 for i in range(9)]})
    fig = frontier_chart(points)
    keys = [t.name for t in fig.data if t.name and t.name[0].isdigit()]
    assert len(keys) == 9
    assert all(("below the fairness bound" in k) == (i % 2 == 0) for i, k in enumerate(keys))
    assert _trace(fig, "Targets a group below the fairness bound of the policy")


# ---- the synthetic CRM: the bound decides, every surface shows it -------------------------------------------
SPECS = [preset("Status quo (full data)"), preset("No sensitive attributes"),
         preset("No sensitive attributes").replace(name="Quota", fairness="group_quota")]
#: only the fairness bound decides (the quota reads the sensitive attributes; the status quo is over the cap)
ONLY_FAIRNESS = {"sensitive_needs_consent": False, "max_exposure_index": False}


@pytest.fixture(scope="module")
def runs(demo_crm):
    cache = ModelCache()
    on = run_scenarios(SPECS, demo_crm, simulation=FAST, cache=cache, robustness_draws=20,
                       policy={**ONLY_FAIRNESS, "min_selection_ratio": True})
    off = run_scenarios(SPECS, demo_crm, simulation=FAST, cache=cache, robustness_draws=0, policy=ONLY_FAIRNESS)
    return SimpleNamespace(on=on, off=off, cache=cache)


def test_the_table_carries_each_scenarios_lowest_ratio_and_the_bound_decides(runs):
    t = runs.on
    rows = {r["name"]: r for r in t.table.to_dicts()}
    for name, row in rows.items():
        ratios = {a.name: a.selection.ratio for a in t.result(name).fairness.attributes if a.selection.ratio is not None}
        worst = min(ratios, key=ratios.get)
        assert (row["lowest_ratio_attribute"], row["lowest_selection_ratio"]) == (worst, pytest.approx(ratios[worst]))
        assert row["breaks_fairness_bound"] == (row["lowest_selection_ratio"] < 0.8) == (not row["allowed"]), name
    # the ground truth: the status quo targets the financially distressed (or another group) far more; the
    # per-group quota meets the bound, so it is the pick when only the bound decides
    assert rows["Status quo (full data)"]["breaks_fairness_bound"] and not rows["Quota"]["breaks_fairness_bound"]
    d = t.decision
    assert d.scenario == "Quota" and set(d.below_fairness_bound) == {"Status quo (full data)", "No sensitive attributes"}
    because = d.because("Status quo (full data)")
    quo = rows["Status quo (full data)"]
    assert because.startswith(f"{quo['least_targeted']} are targeted at ") and f"the rate of {quo['most_targeted']}" in because
    assert "under the policy's bound of 0.8 (the four-fifths rule)" in because
    assert "the policy's fairness bound" in t.recommendation
    # the same table without the bound: the pick is the highest net value of all three
    off = runs.off
    assert not off.table["breaks_fairness_bound"].any() and off.decision.below_fairness_bound == ()
    assert off.decision.scenario == off.table.sort("net_value", descending=True)["name"][0]
    assert off.table["lowest_selection_ratio"].to_list() == t.table["lowest_selection_ratio"].to_list()


def test_simulate_json_with_the_bound_on(runs, demo_db, tmp_path, capsys):
    from analysis.cli import main
    from analysis.scenario.files import scenarios_to_toml

    path = tmp_path / "scenarios.toml"
    path.write_text(scenarios_to_toml(SPECS[:2]), encoding="utf-8")
    assert main(["simulate", "--db", str(demo_db), "--scenarios", str(path), "--json", "--draws", "0",
                 "--min-selection-ratio", "0.8", "--sensitive-needs-consent", "no", "--max-exposure", "off",
                 "--value-per-conversion", "40"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["settings"]["policy"]["min_selection_ratio"] == 0.8
    library = {r["name"]: r for r in runs.on.table.to_dicts()}
    for s in out["scenarios"]:
        row = library[s["name"]]
        assert s["lowest_selection_ratio"] == pytest.approx(row["lowest_selection_ratio"])
        assert s["lowest_ratio_attribute"] == row["lowest_ratio_attribute"]
        assert s["breaks_fairness_bound"] is True and s["allowed"] is False
        assert "× the rate of" in s["not_allowed_because"]
        assert min(a["ratio"] for a in s["fairness"] if a["ratio"] is not None) == pytest.approx(
            s["lowest_selection_ratio"])
    rec = out["recommendation"]
    assert rec["scenario"] is None and set(rec["below_fairness_bound"]) == {s.name for s in SPECS[:2]}


def test_a_report_with_the_bound_on_records_it_and_marks_the_breaches(runs, demo_db, demo_crm):
    from analysis.report import build_report

    policy = {**ONLY_FAIRNESS, "min_selection_ratio": 0.8}
    content = build_report(SPECS, demo_db, title="Fairness bound", simulation=FAST, policy=policy,
                           robustness_draws=20, cache=runs.cache, data=demo_crm)
    assert content["reproduce"]["policy"]["min_selection_ratio"] == 0.8
    assert content["recommendation"]["scenario"] == "Quota"
    section = next(s for s in content["sections"] if s["id"] == "tradeoffs")
    tables = {b["columns"][0] if b["columns"][0] != "Scenario" else b["columns"][1]: b
              for b in section["blocks"] if b["type"] == "table"}
    constraints = {r[0]: r for r in tables["Constraint"]["rows"]}
    fair = constraints[constraint("min_selection_ratio").label]
    assert fair[1:3] == ["0.8", "off"] and "29 CFR 1607.4(D)" in fair[3] and "1978" in fair[3]
    scenarios = {r[0]: r for r in tables["Under the policy"]["rows"]}
    assert tables["Under the policy"]["columns"][-1] == "Lowest selection-rate ratio (1 = even)"  # its registry heading
    assert scenarios["Status quo (full data)"][-1].endswith(", below the bound")
    assert "× the rate of" in scenarios["Status quo (full data)"][2]
    assert not scenarios["Quota"][-1].endswith("below the bound") and "(" in scenarios["Quota"][-1]
    headline = content["headline"]["Status quo (full data)"]
    assert headline["breaks_fairness_bound"] is True and headline["lowest_selection_ratio"] < 0.8
    ring = [t for t in content["charts"]["frontier"]["data"]
            if str(t.get("name", "")).startswith("Targets a group below the fairness bound")]
    assert len(ring) == 1 and set(ring[0]["text"]) == {"Status quo (full data)", "No sensitive attributes"}


def test_the_text_table_shows_each_scenarios_lowest_ratio(runs, capsys):
    from analysis.cli.scenarios import _print_table

    _print_table(runs.on)
    out = capsys.readouterr().out
    lines = {line[1:32].strip(): line for line in out.splitlines() if line[:1] in " *" and line[1:32].strip()}
    for row in runs.on.table.iter_rows(named=True):
        line = lines[row["name"][:31]]
        assert f" {row['lowest_selection_ratio']:.2f}  " in line and line.startswith("*") == row["recommended"]
    assert "ratio = the lowest selection-rate ratio over every audited attribute" in out
    assert "Not allowed by the privacy policy:" in out and "× the rate of" in out
