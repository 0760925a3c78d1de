"""The columns of the trade-off table (:attr:`analysis.tradeoff.Tradeoff.table`), declared once each: key, a plain
label, unit, how a figure of it is written (:mod:`analysis.formatting`), which direction is better, and one
sentence of help. The table's column order, every table the app and the report show, the CSV export, the chart
axis titles and the metric tiles' labels and help are derived from :data:`COLUMNS` (see :mod:`.display`).

Adding a column is one :func:`_declare` here plus the code that computes it (``analysis/tradeoff/runner.py``);
``tests/test_tradeoff_columns.py`` fails while either is missing, and CATALOGUE.md lists every
column (``analysis.catalogue``, checked by ``tests/test_catalogue.py``).

>>> COLUMNS["net_value"].heading
'Net value over the horizon (USD)'
>>> COLUMNS["net_value"].format(-12_400), COLUMNS["customers_held"].format(3), COLUMNS["on_frontier"].format(True)
('−$12.4K', '<5', 'yes')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from analysis import formatting
from analysis.errors import must_be

__all__ = ["Column", "COLUMNS", "KINDS", "BETTER", "column", "columns_markdown", "in_table_order"]

#: how a figure is written: money ($12.4K), percent (a share: 67.1 %), count (customers: small cells are <5),
#: whole (an estimate in whole units, never a cell: 1,234), number (three significant digits), index (0–100),
#: ratio (two digits), flag (yes / no), list (comma-joined), text
KINDS = ("money", "percent", "count", "whole", "number", "index", "ratio", "flag", "list", "text")
#: which direction of a column is better for the business or the people in the data
BETTER = ("higher", "lower", "neither")
#: kinds whose unit is not a measure: the heading does not repeat it
_WORDS = frozenset({"flag", "list", "text"})
#: what ``st.column_config.NumberColumn(format=...)`` shows a numeric kind as
_SHEET = {"money": "dollar", "percent": "percent", "count": "%.0f", "whole": "%.0f", "index": "%.1f",
          "ratio": "%.2f", "number": "%.3g"}


@dataclass(frozen=True)
class Column:
    """One column of the trade-off table."""

    key: str
    #: plain words for executives (a table header, an axis title, a metric tile)
    label: str
    #: the unit, also for words ("name", "yes / no"); shown in parentheses after the label of a measure
    unit: str
    #: how a figure of it is written (one of :data:`KINDS`)
    kind: str
    #: which direction is better (one of :data:`BETTER`)
    better: str
    #: one careful sentence: what the figure is and how it is measured
    help: str

    @property
    def heading(self) -> str:
        """The label with its unit in parentheses (unless the label already says it or it is words): what a
        table header, a CSV header and a chart axis show."""
        if self.kind in _WORDS or self.unit.lower() in self.label.lower():
            return self.label
        return f"{self.label} ({self.unit})"

    @property
    def title(self) -> str:
        """What a metric tile shows above its figure: the label when the figure carries its unit ($, %) or is a
        plain count the label names; the heading when the figure needs its scale (an index, ε, a ratio)."""
        return self.label if self.kind in ("money", "percent", "count", "whole") else self.heading

    @property
    def lower_is_better(self) -> bool:
        return self.better == "lower"

    @property
    def sheet_format(self) -> str | None:
        """The number format of a spreadsheet-like table (Streamlit's ``NumberColumn``); None for words."""
        return _SHEET.get(self.kind)

    def format(self, value: Any) -> str:
        """One figure of this column for people (:mod:`analysis.formatting`; small cells of a count are <5)."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "—"
        if self.kind == "flag":
            return "yes" if value else "no"
        if self.kind == "list":
            return ", ".join(str(v) for v in value) or "none"
        if self.kind == "text" or isinstance(value, str):
            return str(value) or "—"
        if self.kind == "money":
            return formatting.money(value)
        if self.kind == "percent":
            return formatting.percent(value)
        if self.kind == "count":
            return formatting.count(value)
        if self.kind == "whole":
            return formatting.count(value, suppress=False)
        if self.kind == "index":
            return formatting.index(value)
        return formatting.number(value, digits=2 if self.kind == "ratio" else 3)


def _declare(key: str, label: str, unit: str, kind: str, better: str, help: str) -> Column:
    if kind not in KINDS:
        raise ValueError(must_be("kind", f"the column {key!r}", f"one of {KINDS}", kind))
    if better not in BETTER:
        raise ValueError(must_be("better", f"the column {key!r}", f"one of {BETTER}", better))
    return Column(key, label, unit, kind, better, help)


_GAIN = ("measured on held-out customers; for consent regimes only the customers who consented are "
         "personalized")
_DECLARED = (
    _declare("name", "Scenario", "name", "text", "neither", "The scenario's name, as its specification gives it."),
    _declare("description", "What the scenario does", "words", "text", "neither",
             "The scenario's choices in one sentence, as its specification describes them."),
    _declare("fingerprint", "Fingerprint", "hash", "text", "neither",
             "A short hash of the scenario's choices: the same fingerprint means the same choices, and it is the "
             "scenario's id in saved reports."),
    _declare("kind", "Lift kind", "uplift or targeting", "text", "neither",
             "Uplift when the data records a randomized campaign (the campaign's causal effect); targeting lift "
             "otherwise (who converts, not who converts because of the campaign)."),
    _declare("incremental_conversions", "Extra conversions a campaign", "customers", "whole", "higher",
             "Conversions the campaign adds by targeting with this scenario's model rather than at random, "
             f"{_GAIN}."),
    _declare("gain_ci_low", "Extra conversions, low end of the 95 % interval", "customers", "whole", "higher",
             "The lower bound of the bootstrap 95 % interval of the extra conversions a campaign."),
    _declare("gain_ci_high", "Extra conversions, high end of the 95 % interval", "customers", "whole", "higher",
             "The upper bound of the bootstrap 95 % interval of the extra conversions a campaign."),
    _declare("incremental_conversions_everyone", "Extra conversions if everyone were personalized", "customers",
             "whole", "higher",
             "The extra conversions with every customer personalized, which a consent regime does not allow: "
             "shown beside the headline figure for comparison only."),
    _declare("personalized", "Personalized", "who", "text", "neither",
             "Who the campaign may personalize under the scenario's legal basis: everyone, consenters only, or "
             "all who have not objected."),
    _declare("gain_retained", "Gain kept vs full data", "%", "percent", "higher",
             "The scenario's extra conversions as a share of those of the full-data model trained with the same "
             "seed (empty when the full-data model adds nothing)."),
    _declare("true_incremental_conversions", "True extra conversions (synthetic data)", "customers", "whole",
             "higher",
             "The campaign's true effect on the same customers, known only from the synthetic generator's ground "
             "truth (empty on real data): a check of the measured figure."),
    _declare("qini_auc", "Qini coefficient", "area", "number", "higher",
             "The area between the model's Qini curve and random targeting (scikit-uplift's qini_auc_score); 0 "
             "is no better than random (uplift only)."),
    _declare("uplift_at_k", "Uplift among the targeted", "%", "percent", "higher",
             "Conversion rate of treated minus control customers among those the model ranks highest "
             "(scikit-uplift's uplift_at_k, uplift only)."),
    _declare("lift_at_k", "Lift among the targeted", "× the average rate", "number", "higher",
             "The conversion rate of the customers the model ranks highest over the average rate, 1 being no "
             "better than random (targeting lift only)."),
    _declare("epsilon_spent", "Privacy budget spent (ε)", "ε", "number", "lower",
             "The differential-privacy budget the model's training spent (empty without differential privacy); "
             "a smaller ε bounds more tightly what the model can reveal about any one customer."),
    _declare("customers_held", "Customers held", "customers", "count", "lower",
             "How many customers' records the scenario keeps and uses; counts of 1 to 4 are shown as <5."),
    _declare("k_anonymity", "k: customers in the smallest look-alike group", "customers", "whole", "higher",
             "The size of the smallest group of customers who share every identifying attribute held (k of "
             "k-anonymity, Sweeney 2002); k = 1 means someone is unique, so it is shown even when small."),
    _declare("sample_uniqueness", "Customers unique on identifying attributes", "%", "percent", "lower",
             "The share of customers held whom no one else matches on the identifying attributes held (ARX; "
             "sdcMicro): each can be singled out by those attributes alone."),
    _declare("prosecutor_average_records", "Average re-identification risk", "%", "percent", "lower",
             "The average over customers held of 1 ÷ the size of their look-alike group: the chance an attacker "
             "who knows a person is in the data picks out their record (prosecutor model, ARX)."),
    _declare("records_at_risk", "Records at re-identification risk", "%", "percent", "lower",
             "The share of customers held whose re-identification risk (1 ÷ their group's size) is above the "
             "risk threshold t of the simulation settings (ARX)."),
    _declare("attribute_inference_risk", "Attribute-inference risk", "0–1", "number", "lower",
             "How much better than a control an attacker infers a sensitive attribute from the other attributes "
             "held (anonymeter, Giomi et al. 2023); 0 is no better than guessing from the control."),
    _declare("sensitive_disclosure", "Sensitive-attribute disclosure", "0–1", "number", "lower",
             "The attribute-inference risk when sensitive attributes are held and 0 when none is: the part of "
             "the exposure index that weighs sensitive data."),
    _declare("behavioral_uniqueness", "Customers unique from 4 of their events", "%", "percent", "lower",
             "The share of customers whose 4 own events match no one else's (de Montjoye et al. 2015): "
             "behaviour alone can single them out."),
    _declare("membership_advantage", "Membership-inference advantage", "0–1", "number", "lower",
             "How much better than chance an attacker with the model tells whether a person's data trained it "
             "(2 × accuracy − 1 of a loss-threshold attack, Yeom et al. 2018)."),
    _declare("population_uniqueness", "Customers estimated unique in the population", "%", "percent", "lower",
             "The estimated share of the customers held who are unique in the whole population they come from, "
             "not only in the data (Pitman or Zayatz model, Dankar et al. 2012)."),
    _declare("marketer_risk", "Marketer risk", "%", "percent", "lower",
             "The expected share of customers held an attacker re-identifies when linking the whole data set to "
             "a population register (marketer model, ARX)."),
    _declare("exposure_held_data", "Exposure index: held data part", "0–100", "index", "lower",
             "The part of the exposure index from what is held: re-identification, behavioural uniqueness and "
             "sensitive-attribute disclosure, scaled by the share of customers held."),
    _declare("exposure_model", "Exposure index: model part", "0–100", "index", "lower",
             "The part of the exposure index from the trained model: the membership-inference advantage it does "
             "not rule out, capped by differential privacy, scaled by the share of customers held."),
    _declare("risk_index", "Exposure index", "0–100", "index", "lower",
             "Held-data part plus model part, 0 for nothing exposed and 100 for everyone held and fully exposed "
             "(its formula and weights, PrivacyLift assumptions, are in RISK_INDEX_FORMULA)."),
    _declare("expected_annual_loss", "Expected breach loss a year", "USD", "money", "lower",
             "The mean yearly loss from breaches of what the scenario holds, over the simulated years of a "
             "FAIR-style Monte Carlo with the assumptions in force."),
    _declare("loss_p95", "Breach loss in a 1-in-20 bad year", "USD", "money", "lower",
             "The 95th percentile of the simulated yearly breach losses: a year this bad or worse comes about "
             "once in twenty."),
    _declare("trust_value", "Trust effects over the horizon", "USD", "money", "higher",
             "The value of customers kept or lost through trust (consented personalization, sensitive data, "
             "data used without consent, breach reputation) over the horizon of the business settings."),
    _declare("engagement_value_per_year", "Engagement value a year", "USD", "money", "higher",
             "Extra conversions a campaign × value per conversion × campaigns a year, from the business "
             "settings."),
    _declare("net_value", "Net value over the horizon", "USD", "money", "higher",
             "Engagement value minus expected breach losses over the horizon, plus trust effects: what the "
             "recommendation ranks scenarios by."),
    _declare("net_value_low", "Net value, low end of the 95 % interval", "USD", "money", "higher",
             "The lower bound of the net value's 95 % interval (gain and breach-loss intervals combined in "
             "quadrature as independent errors)."),
    _declare("net_value_high", "Net value, high end of the 95 % interval", "USD", "money", "higher",
             "The upper bound of the net value's 95 % interval (gain and breach-loss intervals combined in "
             "quadrature as independent errors)."),
    _declare("consent", "Consent regime", "regime", "text", "neither",
             "Whose data is used: everyone (ignore), those who consented (consented_only), or a simulated opt-in "
             "or opt-out regime."),
    _declare("sensitive_used", "Sensitive attributes used", "columns", "list", "lower",
             "The sensitive columns (special-category data under GDPR Art. 9) the scenario's model uses."),
    _declare("lowest_selection_ratio", "Lowest selection-rate ratio", "1 = even", "ratio", "higher",
             "Over every audited attribute, the selection rate of the least targeted group over that of the most "
             "targeted one (1 = every group targeted alike; the four-fifths rule's line is 0.8); groups under 5 "
             "customers take no part."),
    _declare("lowest_ratio_attribute", "Attribute with the lowest ratio", "attribute", "text", "neither",
             "The audited attribute whose groups are targeted least evenly."),
    _declare("least_targeted", "Least targeted group", "group", "text", "neither",
             "The group of that attribute the model selects least often, in words."),
    _declare("most_targeted", "Most targeted group", "group", "text", "neither",
             "The group of that attribute the model selects most often, in words."),
    _declare("on_frontier", "On the frontier", "yes / no", "flag", "higher",
             "No other scenario has at least as much gain with no more exposure and no more expected loss (and "
             "one strictly better); being on it is not the recommendation's rule."),
    _declare("dominated_by", "Dominated by", "scenarios", "text", "neither",
             "The scenarios that beat this one on gain, exposure and expected loss at once (empty on the "
             "frontier)."),
    _declare("dominated_by_text", "Dominated by, as text", "scenarios", "text", "neither",
             "The same scenarios as 'Dominated by', comma-joined, for files that hold no lists."),
    _declare("frontier_order", "Place along the frontier", "rank", "whole", "neither",
             "0, 1, … along the frontier line from the least exposure to the most (empty off the frontier): the "
             "order the chart joins its points in."),
    _declare("on_exposure_frontier", "On the gain–exposure frontier", "yes / no", "flag", "higher",
             "No other scenario has at least as much gain with no more exposure index (one of them strictly)."),
    _declare("on_loss_frontier", "On the gain–loss frontier", "yes / no", "flag", "higher",
             "No other scenario has at least as much gain with no more expected breach loss (one of them "
             "strictly)."),
    _declare("is_current", "Current practice", "yes / no", "flag", "neither",
             "The scenario the business settings name as today's practice, the baseline of the recommendation."),
    _declare("breaks_fairness_bound", "Below the fairness bound", "yes / no", "flag", "lower",
             "The lowest selection-rate ratio is under the privacy policy's min_selection_ratio (never when the "
             "policy sets no bound)."),
    _declare("allowed", "Allowed by the policy", "yes / no", "flag", "higher",
             "The scenario meets every constraint of the privacy policy in force."),
    _declare("not_allowed_because", "Not allowed, because", "reasons", "text", "neither",
             "Each constraint of the privacy policy the scenario breaks, in words (empty when it is allowed)."),
    _declare("recommended", "Recommended", "yes / no", "flag", "neither",
             "The one scenario the rule recommends: the highest net value among those the policy allows."),
)
#: every column of the trade-off table, in the table's order
COLUMNS: dict[str, Column] = {c.key: c for c in _DECLARED}
if len(COLUMNS) != len(_DECLARED):  # pragma: no cover - a declaration error, caught on import
    raise ValueError("Every trade-off column must be declared once.")


def column(key: str) -> Column:
    """The column ``key`` (a clear error naming the known keys otherwise)."""
    try:
        return COLUMNS[key]
    except KeyError:
        raise KeyError(must_be("key", "column", f"a trade-off column ({', '.join(COLUMNS)})", key)) from None


def in_table_order(table: pl.DataFrame) -> pl.DataFrame:
    """``table`` with the declared columns first, in the registry's order; any column not declared is kept
    after them (so a test can see it, rather than losing it without a word)."""
    declared = [k for k in COLUMNS if k in table.columns]
    return table.select(declared + [c for c in table.columns if c not in COLUMNS])


def columns_markdown() -> str:
    """The registry as a Markdown table (key, label, unit, better, help)."""
    lines = ["| key | label | unit | better | what it is |", "|---|---|---|---|---|"]
    lines += [f"| `{c.key}` | {c.label} | {c.unit} | {c.better} | {c.help} |" for c in COLUMNS.values()]
    return "\n".join(lines)
