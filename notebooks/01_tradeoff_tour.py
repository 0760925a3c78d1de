# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A tour of the personalization–privacy trade-off
#
# This notebook walks through what PrivacyLift measures, on a small seeded **synthetic** CRM (fake people,
# with a known ground truth): how much a personalized campaign gains under each way of using the data, how
# exposed customers are, and what a breach would cost. It uses only the public `analysis` API and polars; the
# charts are the same figures as the app and the saved reports.
#
# Raise `CUSTOMERS` for steadier figures (the app's demo uses 50,000; the 9 presets take ~25 s there).

# %% tags=["parameters"]
CUSTOMERS = 8000  # synthetic customers; small so the notebook runs in seconds
SEED = 7

# %%
import sys
import tempfile
from pathlib import Path

# Find the repository root (the folder holding analysis/) so the notebook runs from anywhere in the repo.
ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "analysis" / "__init__.py").exists())
sys.path.insert(0, str(ROOT))

import polars as pl

import analysis
from analysis import charts

_ = pl.Config.set_tbl_rows(20), pl.Config.set_tbl_width_chars(140), pl.Config.set_float_precision(3)

# %% [markdown]
# ## 1. Load the demo CRM
# `ensure_demo` generates the synthetic files and ingests them (validation, pseudonymization) into a DuckDB
# file. Here it goes to a temporary folder, so nothing is left behind.

# %%
workdir = Path(tempfile.mkdtemp(prefix="privacylift-tour-"))
store = analysis.ensure_demo(workdir / "crm.duckdb", customers=CUSTOMERS, seed=SEED)
schema = store.schema()
store.provenance().select(
    "dataset", pl.col("file_name").str.split("/").list.last().alias("file"),
    pl.col("file_sha256").str.slice(0, 12).alias("file sha256 (start)"), "rows_read", "rows_stored",
    "rows_rejected", "finished_at",
)

# %% [markdown]
# What is held, column by column: its **role** (how PrivacyLift treats it) and its **category** (what kind
# of personal data it is, which drives the breach cost).

# %%
columns = pl.DataFrame(
    [{"column": c.name, "role": c.role, "category": c.category, "type": c.type} for c in schema.columns]
)
columns.group_by("role", "category", maintain_order=True).agg(pl.col("column").str.join(", ").alias("columns"))

# %% [markdown]
# ## 2. Run the preset scenarios
# Each preset is a frozen `Scenario` spec (what is dropped, generalized, kept for how long, whose consent,
# differential privacy, mitigations). `load_crm` reads the data once; `run_scenarios` simulates each spec.

# %%
pl.DataFrame([{"name": s.name, "description": s.description} for s in analysis.PRESETS])

# %%
crm = analysis.load_crm(store)
cache = analysis.ModelCache()  # trained models, reused by every later comparison
tradeoff = analysis.run_scenarios(analysis.PRESETS, crm, cache=cache)
results = tradeoff.table.select(
    "name", "kind", "personalized", "incremental_conversions", "gain_ci_low", "gain_ci_high", "risk_index",
    "exposure_held_data", "exposure_model", "expected_annual_loss", "net_value", "allowed", "on_frontier",
).sort("risk_index")
results

# %% [markdown]
# `kind` says which lift is measured: **uplift** (the demo campaign has a randomized control group, so the
# conversions *caused* by the campaign are measured), or **targeting** when the data has no randomized
# treatment. The interval is a bootstrap 95 % interval: on a few thousand customers it is wide, so rankings
# between close scenarios are not settled here — raise `CUSTOMERS` before drawing conclusions. The exposure
# index is explained by its formula:

# %%
print(analysis.tradeoff.RISK_INDEX_FORMULA)

# %% [markdown]
# ## 3. The recommendation, the policy and the frontier
# **The rule**: the recommended scenario has the highest net value among the scenarios that meet the business's
# privacy policy (`analysis.Policy`: sensitive attributes only with consent — GDPR Art. 9(2)(a) —, an exposure
# cap, optionally a smallest group k and a 1-in-20-year loss within the risk tolerance). The app, the reports and
# `python -m analysis simulate` read the same `tradeoff.decision`. A scenario is *on the frontier* when no other
# has at least as much gain with no more exposure and no more expected loss: that is shown, but it is not the rule.

# %%
decision = tradeoff.decision
print("Recommendation:", tradeoff.recommendation)
print()
print("In one sentence:", decision.sentence)
pl.DataFrame([{"scenario": name, "not allowed, because": because} for name, because in decision.not_allowed])

# %% [markdown]
# How robust is it? Every assumption with a range is redrawn (a Latin hypercube of 300 draws; nothing is retrained)
# and the rule applied again; the table lists what makes the pick lose, strongest first.

# %%
robust = decision.robustness
pl.DataFrame([f.to_dict() for f in robust.assumptions]).select(
    "label", "low", "high", "when", "share_of_losses", "loss_rate", "winner").head(6)

# %% [markdown]
# A stricter policy is one argument away, e.g. requiring groups of at least 5 identical customers:

# %%
strict = analysis.run_scenarios(analysis.PRESETS, crm, policy={"min_k": 5}, cache=cache, robustness_draws=0)
print(strict.decision.reason)

# %%
fig = charts.frontier_chart(tradeoff.table, current=tradeoff.settings.current_practice)
fig

# %% [markdown]
# ## 4. How exposed are customers? A risk profile
# The re-identification and disclosure risk of what the current practice holds, in plain sentences.

# %%
from analysis.risk import explain

current = tradeoff.result(tradeoff.settings.current_practice)
reid = current.risk.reidentification
print(f"{reid.records:,} customers held; quasi-identifiers: {', '.join(reid.quasi)}")
# One sentence per headline metric (explain(current.risk) gives the whole set in one call).
sentences = [
    *explain("k", reid.k, quasi=reid.quasi),
    *explain("sample_uniqueness", reid.sample_uniqueness, quasi=reid.quasi),
    *explain("prosecutor_average_records", reid.prosecutor_average_records, quasi=reid.quasi),
    *explain("records_at_risk", reid.records_at_risk, threshold=reid.threshold),
]
for disclosure in current.risk.disclosures:
    sentences += explain(disclosure, quasi=reid.quasi)
sentences += explain(current.membership)
for sentence in sentences:
    print("•", sentence)

# %% [markdown]
# Which quasi-identifier drives the risk? `quasi_contributions` measures how many customers stop being unique
# when each one is removed, or generalized one step (ages to 10-year bands, ZIP codes to 3 digits).

# %%
from analysis.minimize import generalize_column

customers = store.customers()
quasi = list(schema.quasi_identifiers)
generalizers = {
    c.name: (lambda s, m=c.generalize, p=c.levels[0]: generalize_column(s, m, p))
    for c in schema.columns
    if c.name in quasi and c.generalize and c.levels
}
contributions = analysis.quasi_contributions(customers, quasi, generalizers=generalizers)
contributions

# %%
fig = charts.risk_by_quasi_chart(contributions)
fig

# %% [markdown]
# ## 5. What would a breach cost?
# A FAIR-style Monte Carlo of one year of breaches, given what the scenario holds (records × categories ×
# mitigations). Every input has a source or is labelled an assumption (`analysis.assumptions_table`).

# %%
breach = analysis.simulate_breach(current.holding, years=20_000, seed=SEED)
print(f"Expected annual loss ${breach.expected_annual_loss:,.0f}; median ${breach.median:,.0f}; "
      f"p95 ${breach.p95:,.0f}; chance of at least one breach a year {breach.probability_of_breach:.1%}")
fig = charts.loss_distribution_chart(
    breach.annual_losses, percentiles={"median (p50)": breach.median, "p90": breach.p90, "p95": breach.p95}
)
fig

# %%
fig = charts.exceedance_chart(tradeoff.exceedance(), tolerance=tradeoff.settings.tolerance_frame())
fig

# %% [markdown]
# What each safeguard buys, everything else as the current practice holds it:

# %%
mitigations = analysis.mitigation_value(current.holding, years=20_000, seed=SEED)
mitigations.select("label", "in_scenario", "expected_loss_off", "expected_loss_on", "value")

# %%
# mitigation_chart takes the saving per safeguard, without and with it (one row per safeguard).
fig = charts.mitigation_chart(
    mitigations.filter(pl.col("mitigation") != "all").select(
        pl.col("label").alias("mitigation"),
        pl.col("expected_loss_off").alias("expected_loss_without"),
        pl.col("expected_loss_on").alias("expected_loss_with"),
        pl.col("value").alias("saving"),
    )
)
fig

# %% [markdown]
# ## 6. From gross gain to net value
# The waterfall of the recommended scenario: the engagement gain over the horizon, minus expected breach
# losses, plus or minus the trust effects (churn, loyalty).

# %%
best = tradeoff.decision.scenario
steps = analysis.waterfall_steps(tradeoff, best)
print(best)
steps

# %%
fig = charts.waterfall_chart(steps, title=f"Net value of “{best}”")
fig

# %% [markdown]
# ## 7. Who is targeted
# Personalizing on health or financial distress without explicit consent is the dilemma behind all of this —
# and leaving a column out of the model is not the same as not using the trait. For every attribute the
# dictionary marks `sensitive` or `protected = true`, each scenario's audit says what share of each group
# its model would contact (on the held-out customers), the ratio of the least to the most targeted group
# against the four-fifths line (0.8, EEOC Uniform Guidelines 1978), and how well the scenario's *other*
# features predict the attribute (a cross-validated AUC: 0.5 = not at all). Groups under 5 customers are not
# shown.

# %%
no_sensitive = tradeoff.result("No sensitive attributes").fairness
for attribute in no_sensitive.attributes:
    print("•", attribute.sentence)
fig = charts.fairness_chart(no_sensitive.ratios(), title="Who is targeted without sensitive attributes")
fig

# %%
no_sensitive.proxies()

# %% [markdown]
# A scenario can mitigate: `fairness = "group_quota"` re-ranks customers within their groups so every group
# is contacted at the same rate (the business then has to hold the attributes), `"drop_proxies"` leaves out
# the features that give an attribute away. What it costs in gain is measured like any other choice.

# %%
quota_spec = analysis.preset("No sensitive attributes").replace(name="No sensitive data, group quota",
                                                                 fairness="group_quota")
quota = analysis.simulate(quota_spec, crm).fairness
print(f"Every attribute at or above the four-fifths line: {quota.meets_four_fifths}; the quota costs "
      f"{quota.gain_cost:,.0f} extra conversions a campaign ({quota.gain_cost_share:.0%} of the gain without it).")
fig = charts.fairness_chart(quota.ratios(), title="Who is targeted with the group quota")
fig
