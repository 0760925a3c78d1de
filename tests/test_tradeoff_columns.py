"""The trade-off column registry (analysis/tradeoff/columns.py): one entry per column of a real table and no other,
one formatter (analysis.formatting), a `better` direction that agrees with the synthetic CRM's ground truth, a
CSV export headed by the registry in its order whose values read back, and chart axes titled by it."""

from __future__ import annotations

import io
import math

import polars as pl
import pytest

from analysis import PRESETS, SimulationSettings, formatting, preset, run_scenarios
from analysis.charts import frontier_chart, scenario_bars
from analysis.tradeoff.columns import BETTER, COLUMNS, KINDS, column, in_table_order
from analysis.tradeoff.display import display_table, export_table, tiles

FULL, MINIMAL = PRESETS[0].name, "Privacy first"  # all data, everyone / the most minimized preset
SPECS = [PRESETS[0], preset("Coarse demographics"), preset(MINIMAL)]

#: columns whose better side is known by construction of the two scenarios: the full-data model uses every
#: feature of every customer (the most gain); "Privacy first" holds fewer customers, fewer attributes, coarser
#: ones and no sensitive data (the least exposure). Each pair differs on the demo CRM, so a flipped `better` fails.
GAIN = ("incremental_conversions", "gain_retained", "engagement_value_per_year", "true_incremental_conversions")
EXPOSURE = ("customers_held", "sample_uniqueness", "prosecutor_average_records", "records_at_risk",
            "sensitive_disclosure", "population_uniqueness", "marketer_risk", "exposure_held_data", "risk_index",
            "expected_annual_loss", "loss_p95", "sensitive_used")
#: directional columns the two scenarios do not settle, each with why (a new directional column must be placed
#: in GAIN, EXPOSURE or here: the test below fails otherwise)
UNSETTLED = {
    "gain_ci_low": "an interval bound: follows its estimate, checked in test_tradeoff",
    "gain_ci_high": "an interval bound",
    "incremental_conversions_everyone": "equals the headline gain when everyone is personalized",
    "qini_auc": "uplift only; its order between two models is an empirical result",
    "uplift_at_k": "uplift only; an empirical result",
    "lift_at_k": "targeting lift only (the demo records a campaign)",
    "epsilon_spent": "empty without differential privacy",
    "k_anonymity": "1 in both (someone is unique either way)",
    "attribute_inference_risk": "not measured when no sensitive attribute is held",
    "behavioral_uniqueness": "depends on the history kept, not on the attributes",
    "membership_advantage": "an attack's empirical result, bounded only under DP",
    "exposure_model": "follows the membership advantage",
    "trust_value": "depends on the trust assumptions",
    "net_value": "the rule's balance of both sides: its order is the point of the tool",
    "net_value_low": "an interval bound", "net_value_high": "an interval bound",
    "lowest_selection_ratio": "a fairness result, not a privacy one",
    "on_frontier": "both are on it", "on_exposure_frontier": "both are on it", "on_loss_frontier": "both are on it",
    "breaks_fairness_bound": "no bound is set by default", "allowed": "a policy outcome",
}


@pytest.fixture(scope="module")
def tradeoff(demo_crm):
    return run_scenarios(SPECS, demo_crm, simulation=SimulationSettings(n_boot=30, breach_years=3_000))


def _row(tradeoff, name: str) -> dict:
    return next(r for r in tradeoff.table.to_dicts() if r["name"] == name)


def test_every_column_of_the_table_has_exactly_one_entry_and_in_its_order(tradeoff):
    table = tradeoff.table
    assert len(table.columns) == len(set(table.columns))
    assert set(table.columns) - set(COLUMNS) == set(), "columns of the table the registry does not declare"
    assert set(COLUMNS) - set(table.columns) == set(), "declared columns the table does not have"
    assert table.columns == list(COLUMNS)  # the registry gives the table's order
    shuffled = table.select(list(reversed(table.columns))).with_columns(pl.lit(1).alias("extra"))
    assert in_table_order(shuffled).columns == [*COLUMNS, "extra"]  # an undeclared column is kept, last
    with pytest.raises(KeyError, match="'key' parameter of column must be a trade-off column"):
        column("incremental_conversion")


def test_entries_are_complete_and_headings_unique():
    headings = [c.heading for c in COLUMNS.values()]
    assert len(headings) == len(set(headings))  # a CSV header and a chart legend never repeat a name
    for key, c in COLUMNS.items():
        assert c.key == key and c.kind in KINDS and c.better in BETTER
        assert (c.label[0].isupper() or c.label.startswith("k: ")) and c.unit and "_" not in c.label, key
        assert c.help.endswith((".", ")")) and 40 < len(c.help) < 400, key
        if c.sheet_format is not None and c.unit.lower() not in c.label.lower():  # a measure says its unit
            assert c.heading == f"{c.label} ({c.unit})", key
    assert COLUMNS["risk_index"].heading == "Exposure index (0–100)"
    assert COLUMNS["name"].heading == "Scenario"


#: what each kind of figure is written by: the one formatter of analysis.formatting
WRITTEN_BY = {
    "money": formatting.money, "percent": formatting.percent, "count": formatting.count,
    "whole": lambda v: formatting.count(v, suppress=False), "number": formatting.number,
    "ratio": lambda v: formatting.number(v, digits=2), "index": formatting.index,
}


@pytest.mark.parametrize("value", [0.0, 3, 0.004321, 0.6712, 36.397, 1_234.5, -12_400.0, 1_401_014.92])
def test_figures_are_written_by_analysis_formatting(value):
    for key, c in COLUMNS.items():
        if c.kind in WRITTEN_BY:
            assert c.format(value) == WRITTEN_BY[c.kind](value), key
        assert c.format(None) == c.format(math.nan) == "—", key
    assert COLUMNS["customers_held"].format(3) == "<5"  # a small cell of customers is never shown
    assert COLUMNS["k_anonymity"].format(1) == "1"  # k = 1 is the finding, not a cell
    assert COLUMNS["net_value"].format(-12_400) == "−$12.4K" and COLUMNS["gain_retained"].format(0.6712) == "67.1 %"
    assert (COLUMNS["on_frontier"].format(True), COLUMNS["sensitive_used"].format([])) == ("yes", "none")


def test_the_table_people_see_writes_each_cell_by_its_column(tradeoff):
    shown = display_table(tradeoff.table)
    assert shown.columns == [c.heading for c in COLUMNS.values()]
    for key, c in COLUMNS.items():
        assert shown[c.heading].to_list() == [c.format(v) for v in tradeoff.table[key].to_list()], key


def test_better_agrees_with_the_ground_truth_of_the_synthetic_crm(tradeoff):
    full, minimal = _row(tradeoff, FULL), _row(tradeoff, MINIMAL)
    directional = {k for k, c in COLUMNS.items() if c.better != "neither"}
    assert directional == set(GAIN) | set(EXPOSURE) | set(UNSETTLED)  # every directional column is placed
    assert not set(GAIN) & set(EXPOSURE) and not (set(GAIN) | set(EXPOSURE)) & set(UNSETTLED)
    size = {"sensitive_used": len}
    for key in GAIN + EXPOSURE:
        winner, loser = (full, minimal) if key in GAIN else (minimal, full)
        won, lost = (size.get(key, float)(r[key]) for r in (winner, loser))
        assert won != lost, key
        assert (won > lost) == (COLUMNS[key].better == "higher"), key
    # across the whole sweep: the best gain is the full data's, the best exposure the most minimized one's
    rows = tradeoff.table.to_dicts()
    for key, best in (("incremental_conversions", FULL), ("risk_index", MINIMAL), ("expected_annual_loss", MINIMAL)):
        pick = max if COLUMNS[key].better == "higher" else min
        assert pick(rows, key=lambda r: r[key])["name"] == best, key
    # the tiles colour a change by the same direction: lower exposure shows green ("inverse")
    tile = {t.key: t for t in tiles(tradeoff.table, MINIMAL, ["risk_index", "incremental_conversions"],
                                    baseline=FULL)}
    assert tile["risk_index"].delta_color == "inverse" and tile["risk_index"].difference < 0
    assert tile["incremental_conversions"].delta_color == "normal"


def test_csv_export_is_headed_by_the_registry_and_reads_back(tradeoff):
    table = tradeoff.table
    exported = export_table(table)
    assert exported.columns == [c.heading for c in COLUMNS.values()]
    back = pl.read_csv(io.StringIO(exported.write_csv()), infer_schema_length=None)
    assert back.columns == exported.columns and back.height == table.height
    for key, c in COLUMNS.items():
        read, held = back[c.heading].to_list(), table[key].to_list()
        if c.kind == "list":
            assert [v or None for v in read] == [", ".join(v) or None for v in held], key
        elif c.kind == "count":  # customers: a small cell is written <5, others read back as whole numbers
            assert read == [f"<{formatting.SMALL_CELL}" if formatting.is_small(v) else v for v in held] or \
                   [int(v) for v in read] == held, key
        elif c.kind == "flag":
            assert read == held, key
        elif c.kind == "text":
            assert [v or None for v in read] == [v or None for v in held], key
        else:
            assert [v is None for v in read] == [v is None for v in held], key
            assert [v for v in read if v is not None] == pytest.approx([v for v in held if v is not None],
                                                                    rel=1e-12), key
    small = table.head(1).with_columns(pl.lit(3).alias("customers_held"))
    assert export_table(small)["Customers held"].to_list() == ["<5"]  # never a small cell in a file


def test_chart_axes_are_titled_by_the_registry(tradeoff):
    fig = frontier_chart(tradeoff.table)
    assert fig.layout.xaxis.title.text.startswith(COLUMNS["risk_index"].heading + "<br>")
    assert fig.layout.yaxis.title.text.startswith(COLUMNS["incremental_conversions"].heading + " ·")
    other = frontier_chart(tradeoff.table, risk="expected_annual_loss")
    assert other.layout.xaxis.title.text.startswith(COLUMNS["expected_annual_loss"].heading)
    numeric = [k for k, c in COLUMNS.items() if c.sheet_format is not None and tradeoff.table[k].null_count() == 0]
    assert len(numeric) > 20
    bars = scenario_bars(tradeoff.table, metrics=numeric)
    assert [t.name for t in bars.data] == [COLUMNS[k].heading for k in numeric]
    axes = [bars.layout[f"xaxis{i if i > 1 else ''}"].title.text for i in range(1, len(numeric) + 1)]
    assert axes == [COLUMNS[k].unit for k in numeric]  # each panel's axis: its column's unit
