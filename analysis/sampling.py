"""The sampling design: exact where it is cheap, sampled where it is statistics.

A CRM of at most ``sample_size`` customers (:attr:`analysis.simulation.SimulationSettings.sample_size`, default
:data:`DEFAULT_SAMPLE_SIZE`) is modelled whole, exactly as before. A larger one is not read into Python:

- **Counted over every customer, in DuckDB** (a :class:`~analysis.store.Workspace`: memory limit, spills to
  disk): who is held and who is erased (:func:`population_counts`), what is held and its re-identification,
  disclosure and attribute-inference risk (:func:`exposed_table`, generalization in SQL), behavioural
  uniqueness (its targets are sampled as before, matched against every held customer), consent rates.
- **Estimated on a stratified random sample** of ``sample_size`` customers (:func:`sample`): the model is
  trained on the sample's training part and its gain measured, with its bootstrap interval, on the sample's
  held-out part, and scaled to the whole population. Strata are the treatment arm × the outcome, with
  proportional allocation (each stratum keeps its share of the CRM, rounded), so the sample has the CRM's arm
  and response mix exactly and no weights are needed; within a stratum the customers of smallest seeded draw
  are taken (a simple random sample of the stratum). The bootstrap resamples the sampled held-out customers,
  so the interval is that of an estimate from a sample of that size: it includes the sampling error (with
  proportional strata a plain bootstrap slightly overstates it). Figures say they come from a sample
  (:class:`SampleInfo`, in the scenario's notes).

Every draw — the sample, the test split, erasure, the consent ranking — is a seeded hash of the customer key
(:mod:`analysis.store._sample`), so the sample's customers are held or erased exactly as they are in the counts
over everyone.

Example
-------
>>> from analysis import Store, load_crm, Scenario                      # doctest: +SKIP
>>> crm = load_crm(Store("crm.duckdb"))                                  # doctest: +SKIP
>>> frame, info = sample(crm, 200_000, seed=0)                           # doctest: +SKIP
>>> info.note()                                                          # doctest: +SKIP
'Gain figures are estimated on a stratified random sample of 100,000 of 10,000,000 customers …'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from analysis.data import CRMData
from analysis.formatting import count
from analysis.store import _features
from analysis.store import _sample as sql
from analysis.store._workspace import Table

__all__ = ["DEFAULT_SAMPLE_SIZE", "SampleInfo", "is_sampled", "training_epsilon", "sample", "sample_flags", "population_counts",
           "count_held", "sample_ground_truth", "sample_event_features", "rare_values", "exposed_table", "measured", "held_event_points",
           "trace_uniqueness"]

#: PrivacyLift assumption (engineering): up to 100,000 customers are modelled whole; above, a stratified sample
#: of that size. 100,000 customers give a held-out part of 30,000: uplift@k intervals of about ±1.4 points at
#: k = 30 % for a 3-arm campaign (√2 × those of the former 200,000, whose held-out 60,000 gave ±1 point), and
#: the nine presets on 1M customers in about 40 s of CPU instead of 68 s (bench/README.md, issue 14). Set
#: ``SimulationSettings.sample_size`` higher for narrower intervals; the figures say they come from a sample.
DEFAULT_SAMPLE_SIZE = 100_000
#: exposure tables kept per CRM (each holds what one scenario holds about every customer, in DuckDB)
EXPOSURES_KEPT = 3


@dataclass(frozen=True)
class SampleInfo:
    """How a scenario's gain figures were estimated."""

    customers: int  #: customers in the sample
    population: int  #: customers in the CRM
    seed: int
    strata: tuple[str, ...]  #: the columns the sample is stratified by
    size: int = 0  #: the sample size asked for (SimulationSettings.sample_size)

    @property
    def fraction(self) -> float:
        return self.customers / self.population

    def note(self) -> str:
        by = " × ".join(self.strata) if self.strata else "none"
        return (f"Gain figures are estimated on a stratified random sample of {count(self.customers)} of "
                f"{count(self.population)} customers (strata: {by}) and scaled to all of them; their intervals "
                "include the sampling error. Exposure, held records and consent are counted over every customer.")

    def to_dict(self) -> dict:
        return {"customers": self.customers, "population": self.population, "seed": self.seed,
                "strata": list(self.strata), "size": self.size}


def _locked(function):
    """Build a CRM's memoized pieces one at a time (sessions of the app share a CRMData between threads)."""
    import functools

    @functools.wraps(function)
    def wrapper(data, *args, **kwargs):
        with data.lock:
            return function(data, *args, **kwargs)

    return wrapper


def training_epsilon(epsilon: float | None, info: SampleInfo | None) -> float | None:
    """The ε a differentially private model is trained with on a sample, so that it carries the noise the
    business's model would on every customer: ε × (customers / sampled customers).

    diffprivlib's logistic regression and Gaussian naive Bayes add noise of scale ∝ 1 / (n ε) (n training
    rows), so a model trained on a sample at the scenario's ε would be far noisier — and look far less useful —
    than the one the business would train on all its customers. The ε the business spends is still the
    scenario's (``epsilon_spent`` says so); attacks on the sample's model, trained on fewer rows, overstate
    the membership risk of the full model rather than understate it."""
    if epsilon is None or info is None:
        return epsilon
    return float(epsilon) * info.population / info.customers


def is_sampled(data: CRMData, sample_size: int | None) -> bool:
    """Whether a CRM is larger than the sample size (None: never sample)."""
    return sample_size is not None and data.n_customers > sample_size


def _relation(data: CRMData, columns=None) -> str:
    return _features.customers_select(data.schema.customer_tables, columns)


@_locked
def sample(data: CRMData, size: int, seed: int) -> tuple[pl.DataFrame, SampleInfo]:
    """The stratified sample of ``size`` customers for ``seed``: every customer-level column, sorted by key,
    with each customer's draws (memoized per CRM)."""
    memo = ("sample", int(size), int(seed))
    if memo not in data.memo:
        schema = data.schema
        strata, params, names = [], {}, []
        if schema.treatment is not None:
            strata.append(f"CAST(c.{_ident(schema.treatment.name)} AS VARCHAR)")
            names.append(schema.treatment.name)
        if schema.outcome is not None:
            outcome, params = sql.binary_outcome_sql(schema.outcome.name, schema.outcome.type, schema.outcome.positive)
            strata.append(outcome)
            names.append(schema.outcome.name)
        ws = data.workspace
        name = ws.unique_name(f"sample_{int(seed)}")
        with ws.cursor() as con:
            sql.draw_sample(con, name, _relation(data), schema.key, strata=strata, params=params, size=int(size),
                            total=data.n_customers, seed=int(seed))
            frame = _features.sorted_rows(con, name, schema.key)
        draws = [sql.U_TEST, sql.U_ERASURE, sql.U_CONSENT]
        info = SampleInfo(frame.height, data.n_customers, int(seed), tuple(names), int(size))
        data.memo[memo] = (frame.drop(draws), info, name)
    frame, info, _ = data.memo[memo]
    return frame, info


def _sample_table(data: CRMData, size: int, seed: int) -> str:
    sample(data, size, seed)
    return data.memo[("sample", int(size), int(seed))][2]


def _ident(name: str) -> str:
    from analysis.store import quote_ident

    return quote_ident(name)


@_locked
def _plan(data: CRMData, spec) -> sql.PopulationPlan:
    consent = data.schema.consent_column(spec.consent_purpose)
    memo = ("plan", spec.consent, spec.consent_rate, consent, spec.seed, spec.erasure_rate)
    if memo not in data.memo:
        with data.workspace.cursor() as con:
            data.memo[memo] = sql.plan_population(
                con, _relation(data, [consent] if consent else []), data.schema.key, regime=spec.consent,
                seed=spec.seed, erasure_rate=spec.erasure_rate, consent_column=consent,
                rate=spec.effective_consent_rate, total=data.n_customers)
    return data.memo[memo]


@_locked
def sample_flags(data: CRMData, spec, size: int, test_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(is_test, erased, allowed)`` over the sample's rows (sorted by key), by the counts' predicates."""
    plan = _plan(data, spec)
    with data.workspace.cursor() as con:
        flags = sql.sample_flags(con, _sample_table(data, size, spec.seed), data.schema.key, plan, test_share)
    return tuple(flags[c].to_numpy() for c in ("is_test", "erased", "allowed"))


@_locked
def population_counts(data: CRMData, spec) -> tuple[int, int]:
    """``(population, held)``: customers not erased and customers the scenario holds, over everyone."""
    plan = _plan(data, spec)
    memo = ("counts", plan)
    if memo not in data.memo:
        consent = plan.consent_column
        with data.workspace.cursor() as con:
            data.memo[memo] = sql.population_counts(con, _relation(data, [consent] if consent else []),
                                                    data.schema.key, plan)
    return data.memo[memo]


@_locked
def count_held(data: CRMData, spec, *, consent_column: str | None = None, held_only: bool = True) -> int:
    """Customers over everyone who are not erased, held by the scenario (``held_only``) and, with
    ``consent_column``, consented to it (who a legal basis lets the business personalize)."""
    plan = _plan(data, spec)
    memo = ("count_held", plan, consent_column, held_only)
    if memo not in data.memo:
        columns = [c for c in (plan.consent_column, consent_column) if c]
        with data.workspace.cursor() as con:
            data.memo[memo] = sql.count_held(con, _relation(data, columns), data.schema.key, plan,
                                             consent_column=consent_column, held_only=held_only)
    return data.memo[memo]


@_locked
def sample_ground_truth(data: CRMData, size: int, seed: int) -> pl.DataFrame | None:
    """The ground truth of the sampled customers (synthetic data only)."""
    if not data.has_ground_truth:
        return None
    memo = ("truth", int(size), int(seed))
    if memo not in data.memo:
        with data.workspace.cursor() as con:
            data.memo[memo] = sql.sampled_rows(con, _sample_table(data, size, seed), data.schema.key,
                                               f"SELECT * FROM {_ident(_features.GROUND_TRUTH_TABLE)}",
                                               data.schema.key)
    return data.memo[memo]


@_locked
def sample_event_features(data: CRMData, window_days: int | None, size: int, seed: int) -> pl.DataFrame:
    """Behavioural features of the sampled customers only: their events are copied once (one scan of every
    event, in DuckDB), and each retention window's features are computed from that copy."""
    ev = data.schema.events
    if ev is None:
        return pl.DataFrame({data.schema.key: []})
    memo = ("sample_events", int(size), int(seed))
    if memo not in data.memo:
        cats, amounts = data.event_columns()
        ws = data.workspace
        name = ws.unique_name(f"sample_events_{int(seed)}")
        with ws.cursor() as con:
            sql.sample_events(con, name, events=data.schema.events_table, event_key=ev.key,
                              columns=[ev.timestamp_column, *cats, *amounts], sample=_sample_table(data, size, seed),
                              key=data.schema.key)
        data.memo[memo] = name
    return data.event_features(window_days, source=data.memo[memo])


@_locked
def rare_values(data: CRMData, column: str, share: float) -> list:
    """Values of a column held by fewer than ``share`` of all customers (``merge_rare``), over everyone."""
    memo = ("rare", column, float(share))
    if memo not in data.memo:
        with data.workspace.cursor() as con:
            data.memo[memo] = sql.rare_values(con, _relation(data, [column]), column, share)
    return data.memo[memo]


@_locked
def exposed_table(data: CRMData, spec, columns, rules, attack_target: str | None) -> Table:
    """What the scenario holds about every held customer, as a workspace table: its customer-level columns,
    quasi-identifiers generalized in SQL, and the raw ``attack_target`` as ``__attack_target`` (what an
    attacker would infer). Only the columns the measures read are materialized."""
    plan = _plan(data, spec)
    rule_of = {c: (m, p) for c, m, p in rules}
    wanted = tuple(c.name for c in columns)
    memo = ("exposed", wanted, tuple(rules), plan, attack_target)
    if memo in data.memo:
        data.memo[memo] = data.memo.pop(memo)  # the most recently used is kept longest
        return data.memo[memo]
    select = []
    for i, c in enumerate(columns):
        if c.name in rule_of:
            method, parameter = rule_of[c.name]
            rare = rare_values(data, c.name, parameter) if method == "merge_rare" else ()
            expression, params = sql.generalized_sql(c.name, method, parameter, integer=c.type == "integer",
                                                     index=i, rare=rare)
        else:
            expression, params = _ident(c.name), {}
        select.append((c.name, expression, params))
    if attack_target is not None:
        select.append(("__attack_target", _ident(attack_target), {}))
    needed = list(wanted) + ([attack_target] if attack_target else []) + (
        [plan.consent_column] if plan.consent_column else [])
    ws = data.workspace
    name = ws.unique_name("exposed")
    with ws.cursor() as con:
        sql.materialize_exposed(con, name, _relation(data, needed), data.schema.key, columns=select, plan=plan)
    table = ws.table(name)
    kept = [k for k in data.memo if k[0] == "exposed"]
    for old in kept[: max(0, len(kept) - EXPOSURES_KEPT + 1)]:
        ws.drop(data.memo.pop(old).name)
    data.memo[memo] = table
    data.memo[("plan_of", name)] = plan
    return table


@_locked
def measured(data: CRMData, key: tuple, compute):
    """A measure of an exposure table, computed once per CRM (scenarios that hold the same data — the status
    quo, its retention and DP variants — share their risk profile and attacks)."""
    memo = ("measured", *key)
    if memo not in data.memo:
        data.memo[memo] = compute()
    return data.memo[memo]


@_locked
def held_event_points(data: CRMData, held_keys: pl.Series, window_days: int | None) -> Table | None:
    """The (key, day, point) of every retained event of the held customers, as a workspace table (the caller
    drops it); None without events in the window or without a column describing what was bought."""
    column = data.point_column()
    ev = data.schema.events
    if column is None or ev is None:
        return None
    ws = data.workspace
    name = ws.unique_name("points")
    with ws.cursor() as con:
        con.register("_pl_w_held", pl.DataFrame({"k": held_keys}))
        try:
            made = _features.held_points_table(con, name, table=data.schema.events_table, key=ev.key,
                                               timestamp=ev.timestamp_column, column=column, held="_pl_w_held",
                                               held_key="k", window_days=window_days)
        finally:
            con.unregister("_pl_w_held")
    return ws.table(name) if made else None


@_locked
def trace_uniqueness(data: CRMData, held: Table, window_days: int | None, *, points: int, seed: int,
                     max_customers: int) -> dict | None:
    """Behavioural uniqueness among every held customer, for a seeded sample of ``max_customers`` of them:
    ``targets``, ``customers`` (targets with at least ``points`` distinct points) and ``unique``."""
    column = data.point_column()
    ev = data.schema.events
    if column is None or ev is None:
        return None
    # the measure depends only on who is held (the plan), the window and the draws: shared across scenarios
    memo = ("trace", data.memo.get(("plan_of", held.name), held.name), window_days, points, seed, max_customers)
    if memo in data.memo:
        return data.memo[memo]
    with data.workspace.cursor() as con:
        if "events_as_of" not in data.memo:
            data.memo["events_as_of"] = _features.events_as_of(con, data.schema.events_table, ev.timestamp_column)
        as_of = data.memo["events_as_of"]
        result = None if as_of is None else sql.trace_matches(
            con, events=data.schema.events_table, event_key=ev.key, timestamp=ev.timestamp_column, column=column,
            as_of=as_of, window_days=window_days, held=held.name, points=points, seed=seed,
            max_customers=max_customers)
    data.memo[memo] = result
    return result
