"""SQL of the sampling design (:mod:`analysis.sampling`): draws, populations and exposure over every customer.

Every random draw is a seeded hash of the customer key (:func:`analysis.store._risk.uniform_sql`, uniform in
[0, 1) and independent between streams), so the same customer gets the same draw in the sample and in a count
over everyone, in any order, in any process. Streams: 0 the sample, 1 the test split, 2 erasure, 3 the consent
ranking (11–13: the attacks' targets).

Identifiers from dictionaries go through ``quote_ident``; values (seeds, shares, sizes, thresholds, category
lists) are bound parameters. f-strings only splice ``quote_ident`` results, internal names (``"__u_test"`` …)
and fixed fragments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

import duckdb
import polars as pl

from analysis.store._gateway import execute, quote_ident, run, run_scalar
from analysis.store._risk import draw_sql, uniform_sql

__all__ = [
    "PopulationPlan",
    "STREAM_SAMPLE", "STREAM_TEST", "STREAM_ERASURE", "STREAM_CONSENT",
    "uniform",
    "binary_outcome_sql",
    "draw_sample",
    "sample_events",
    "plan_population",
    "population_counts",
    "count_held",
    "sample_flags",
    "rare_values",
    "generalized_sql",
    "materialize_exposed",
    "sampled_rows",
    "trace_matches",
]

STREAM_SAMPLE, STREAM_TEST, STREAM_ERASURE, STREAM_CONSENT = 0, 1, 2, 3
#: internal columns the sample table carries (the draws of each customer)
U_TEST, U_ERASURE, U_CONSENT = "__u_test", "__u_erasure", "__u_consent"
#: the exposed table's row identity: a 64-bit hash of the customer key (matches the events' keys)
WHO = "__who"


def uniform(key_sql: str, stream: int) -> str:
    """SQL of a customer's seeded uniform draw in [0, 1) (``$seed`` is bound; ``stream`` is an internal int)."""
    return uniform_sql(key_sql, stream)


def binary_outcome_sql(column: str, column_type: str | None, positive: str | None) -> tuple[str, dict]:
    """SQL of the 0/1 outcome the model learns (as :func:`analysis.minimize` reads it), for the strata."""
    c = quote_ident(column)
    if column_type == "boolean":
        return f"coalesce(CAST({c} AS BOOLEAN), false)", {}
    if positive is not None:
        return f"coalesce(lower(CAST({c} AS VARCHAR)) = $positive, false)", {"positive": positive.lower()}
    return f"coalesce(TRY_CAST({c} AS DOUBLE), 0) > 0", {}


def draw_sample(con: duckdb.DuckDBPyConnection, name: str, relation: str, key: str, *, strata: Sequence[str],
                params: dict, size: int, total: int, seed: int) -> int:
    """``CREATE TABLE name``: a stratified random sample of ``size`` customers of ``relation`` (SQL), with
    proportional allocation (each stratum keeps its share, rounded) and, within a stratum, the customers of
    smallest draw. The table has every column of ``relation`` and the draws ``__u_test``, ``__u_erasure``,
    ``__u_consent``. Returns its row count.

    Only the customers whose draw is below a cut somewhat above ``size / total`` are ranked (the rest can
    never be chosen); if that leaves a stratum short, the draw is made again over everyone.
    """
    k = quote_ident(key)
    stratum = " || '|' || ".join(f"coalesce(CAST({s} AS VARCHAR), '∅')" for s in strata) or "''"
    alloc = f"{name}_alloc"
    # quote_ident results, internal names and fixed fragments only.
    execute(con, f"""
        CREATE OR REPLACE TEMP TABLE {quote_ident(alloc)} AS
        SELECT {stratum} AS "__stratum", CAST(round($size * count(*) / $total) AS BIGINT) AS take
        FROM ({relation}) AS c GROUP BY 1""", {**params, "size": int(size), "total": int(total)})
    wanted = int(run_scalar(con, f"SELECT sum(take) FROM {quote_ident(alloc)}") or 0)
    cut = min(1.0, 1.25 * size / total + 1e-3)
    got = 0
    for attempt_cut in (cut, 1.0) if cut < 1.0 else (1.0,):
        execute(con, f"""
            CREATE OR REPLACE TABLE {quote_ident(name)} AS
            WITH d AS (
                SELECT c.*, {stratum} AS "__stratum", {uniform(k, STREAM_SAMPLE)} AS "__u_sample"
                FROM ({relation}) AS c WHERE {uniform(k, STREAM_SAMPLE)} < $cut
            )
            SELECT d.* EXCLUDE ("__stratum", "__u_sample"),
                   {uniform(k, STREAM_TEST)} AS {U_TEST},
                   {uniform(k, STREAM_ERASURE)} AS {U_ERASURE},
                   {uniform(k, STREAM_CONSENT)} AS {U_CONSENT}
            FROM d JOIN {quote_ident(alloc)} AS a USING ("__stratum")
            QUALIFY row_number() OVER (PARTITION BY d."__stratum" ORDER BY d."__u_sample", d.{k}) <= a.take""",
                {**params, "seed": int(seed), "cut": attempt_cut})
        got = int(run_scalar(con, f"SELECT count(*) FROM {quote_ident(name)}"))
        if got >= wanted:
            break
    execute(con, f"DROP TABLE IF EXISTS {quote_ident(alloc)}")
    return got


def sample_events(con: duckdb.DuckDBPyConnection, name: str, *, events: str, event_key: str, columns: Sequence[str],
                  sample: str, key: str) -> None:
    """``CREATE TABLE name``: the events (``columns``) of the sampled customers, read in one scan, so the
    features of every retention window are computed from them without scanning every event again."""
    cols = ", ".join(quote_ident(c) for c in dict.fromkeys([event_key, *columns]))
    execute(con, f"""
        CREATE OR REPLACE TABLE {quote_ident(name)} AS
        SELECT {cols} FROM {quote_ident(events)}
        WHERE {quote_ident(event_key)} IN (SELECT {quote_ident(key)} FROM {quote_ident(sample)})""")


# ---- populations -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PopulationPlan:
    """Who is erased and who is held, over every customer, as SQL predicates (see :mod:`analysis.sampling`).

    ``selected`` customers are the ``m`` first by (belongs to ``first_group``, then largest consent draw):
    ``in_first`` is the SQL-free description — all of the first group when ``m`` exceeds it, plus those of the
    other group with a draw ≥ ``threshold``; or only those of the first group with a draw ≥ ``threshold``.
    """

    regime: str
    seed: int
    erasure_rate: float
    consent_column: str | None
    first_group: bool = True  #: consent value ranked first (True for opt-in, False for opt-out)
    whole_first_group: bool = False  #: m exceeds the first group: all of it, plus the other group's top draws
    threshold: float | None = None  #: the smallest consent draw selected in the group the cut falls in
    selects_none: bool = False


def _consent_sql(column: str | None) -> str:
    return "false" if column is None else f"coalesce(CAST({quote_ident(column)} AS BOOLEAN), false)"


def _selected_sql(plan: PopulationPlan, u_consent: str) -> str:
    consent = _consent_sql(plan.consent_column)
    group = consent if plan.first_group else f"(NOT {consent})"
    if plan.selects_none:
        return "false"
    if plan.whole_first_group:
        cut = "false" if plan.threshold is None else f"{u_consent} >= $threshold"
        return f"({group} OR {cut})"
    return "false" if plan.threshold is None else f"({group} AND {u_consent} >= $threshold)"


def predicates(plan: PopulationPlan, *, u_erasure: str, u_consent: str) -> tuple[str, str, dict]:
    """SQL ``(allowed, erased, params)`` of a plan, given the SQL of the erasure and consent draws."""
    params: dict[str, Any] = {}
    if plan.erasure_rate > 0:
        erased = f"({u_erasure} < $erasure)"
        params["erasure"] = float(plan.erasure_rate)
    else:
        erased = "false"
    if plan.regime == "ignore":
        allowed = "true"
    elif plan.regime == "consented_only":
        allowed = _consent_sql(plan.consent_column)
    else:
        selected = _selected_sql(plan, u_consent)
        allowed = selected if plan.regime == "opt_in" else f"(NOT {selected})"
    if plan.threshold is not None and "$threshold" in allowed:
        params["threshold"] = float(plan.threshold)
    params["seed"] = int(plan.seed)  # the draws' seed (dropped by the caller when no draw is used)
    return f"({allowed} AND NOT {erased})", erased, params


def _kth_largest(con, relation: str, key: str, condition: str, m: int, seed: int) -> float | None:
    if m <= 0:
        return None
    u = uniform(quote_ident(key), STREAM_CONSENT)
    return run_scalar(
        con, f"SELECT min(u) FROM (SELECT {u} AS u FROM ({relation}) AS c WHERE {condition} ORDER BY u DESC LIMIT $m)",
        {"seed": int(seed), "m": int(m)})


def plan_population(con: duckdb.DuckDBPyConnection, relation: str, key: str, *, regime: str, seed: int,
                    erasure_rate: float, consent_column: str | None, rate: float | None, total: int) -> PopulationPlan:
    """The plan of one scenario's populations over every customer of ``relation`` (SQL with the key and the
    consent column). Opt-in/opt-out rank customers as :func:`analysis.minimize` does: consenters (opt-in) or
    non-consenters (opt-out) first, then by the consent draw; the cut is found with one top-m query."""
    plan = PopulationPlan(regime, int(seed), float(erasure_rate), consent_column)
    if regime not in ("opt_in", "opt_out"):
        return plan
    consent = _consent_sql(consent_column)
    first = regime == "opt_in"
    group = consent if first else f"(NOT {consent})"
    m = int(round(float(rate) * total))
    n_first = int(run_scalar(con, f"SELECT count(*) FROM ({relation}) AS c WHERE {group}") or 0)
    if m <= 0:
        return PopulationPlan(regime, int(seed), float(erasure_rate), consent_column, first, selects_none=True)
    if m <= n_first:
        t = _kth_largest(con, relation, key, group, m, seed)
        return PopulationPlan(regime, int(seed), float(erasure_rate), consent_column, first, False, t)
    t = _kth_largest(con, relation, key, f"NOT {group}", m - n_first, seed)
    return PopulationPlan(regime, int(seed), float(erasure_rate), consent_column, first, True, t)


def population_counts(con: duckdb.DuckDBPyConnection, relation: str, key: str, plan: PopulationPlan) -> tuple[int, int]:
    """``(population, held)`` over every customer: those not erased, and those the scenario holds."""
    k = quote_ident(key)
    allowed, erased, params = predicates(plan, u_erasure=uniform(k, STREAM_ERASURE),
                                         u_consent=uniform(k, STREAM_CONSENT))
    sql = (f"SELECT count(*) FILTER (WHERE NOT {erased}) AS population, count(*) FILTER (WHERE {allowed}) AS held "
           f"FROM ({relation}) AS c")
    row = run(con, sql, _used(sql, params)).row(0)
    return int(row[0]), int(row[1])


def count_held(con: duckdb.DuckDBPyConnection, relation: str, key: str, plan: PopulationPlan, *,
               consent_column: str | None, held_only: bool) -> int:
    """Customers not erased, held (``held_only``) and consented in ``consent_column`` (when given)."""
    k = quote_ident(key)
    allowed, erased, params = predicates(plan, u_erasure=uniform(k, STREAM_ERASURE),
                                         u_consent=uniform(k, STREAM_CONSENT))
    conditions = [f"NOT {erased}"]
    if held_only:
        conditions.append(allowed)
    if consent_column is not None:
        conditions.append(_consent_sql(consent_column))
    sql = f"SELECT count(*) FROM ({relation}) AS c WHERE {' AND '.join(conditions)}"
    return int(run_scalar(con, sql, _used(sql, params)) or 0)


def _used(sql: str, params: dict) -> dict:
    """Only the named parameters a statement uses (DuckDB refuses extra ones)."""
    return {k: v for k, v in params.items() if re.search(rf"\${re.escape(k)}\b", sql)}


def sample_flags(con: duckdb.DuckDBPyConnection, sample: str, key: str, plan: PopulationPlan,
                 test_share: float) -> pl.DataFrame:
    """``is_test, erased, allowed`` of every sampled customer (sorted by key), by the same predicates as the
    counts over everyone."""
    allowed, erased, params = predicates(plan, u_erasure=U_ERASURE, u_consent=U_CONSENT)
    params["test_share"] = float(test_share)
    sql = (f"SELECT {U_TEST} < $test_share AS is_test, {erased} AS erased, {allowed} AS allowed "
           f"FROM {quote_ident(sample)} ORDER BY {quote_ident(key)}")
    return run(con, sql, _used(sql, params))


# ---- exposure ----------------------------------------------------------------------------------------
def rare_values(con: duckdb.DuckDBPyConnection, relation: str, column: str, share: float) -> list:
    """Values of a column whose share of all customers is under ``share`` (what ``merge_rare`` merges)."""
    c = quote_ident(column)
    sql = (f"SELECT CAST({c} AS VARCHAR) AS v FROM ({relation}) AS c GROUP BY 1 "
           f"HAVING count(*) < $share * (SELECT count(*) FROM ({relation}) AS c2) AND v IS NOT NULL ORDER BY 1")
    return run(con, sql, {"share": float(share)})["v"].to_list()


def generalized_sql(column: str, method: str, parameter: float, *, integer: bool, index: int,
                    rare: Sequence[str] = ()) -> tuple[str, dict]:
    """SQL of one generalized quasi-identifier (as :func:`analysis.minimize.generalize_column`), with its
    parameter bound as ``$g<index>``."""
    c = quote_ident(column)
    p = f"$g{index}"
    if method == "band":
        width = float(parameter)
        banded = f"floor(CAST({c} AS DOUBLE) / {p}) * {p}"
        if integer and width.is_integer():
            banded = f"CAST({banded} AS BIGINT)"
        return banded, {f"g{index}": width}
    if method == "top_code":
        return f"CASE WHEN {c} > {p} THEN {p} ELSE {c} END", {f"g{index}": float(parameter)}
    if method == "prefix":
        return f"left(CAST({c} AS VARCHAR), {p})", {f"g{index}": int(parameter)}
    if method == "merge_rare":
        v = f"CAST({c} AS VARCHAR)"
        return f"CASE WHEN list_contains({p}, {v}) THEN 'Other' ELSE {v} END", {f"g{index}": list(rare)}
    raise ValueError(f"Unknown generalization {method!r}.")


def materialize_exposed(con: duckdb.DuckDBPyConnection, name: str, relation: str, key: str, *,
                        columns: Sequence[tuple[str, str, dict]], plan: PopulationPlan) -> None:
    """``CREATE TABLE name``: what a scenario holds about every held customer — ``__who`` (a hash of the key),
    then ``(output name, SQL, params)`` columns (generalized quasi-identifiers, sensitive columns …)."""
    k = quote_ident(key)
    allowed, _, params = predicates(plan, u_erasure=uniform(k, STREAM_ERASURE),
                                    u_consent=uniform(k, STREAM_CONSENT))
    select = [f"hash({k}) AS {WHO}"]
    for out, expression, extra in columns:
        select.append(f"{expression} AS {quote_ident(out)}")
        params.update(extra)
    sql = f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT {', '.join(select)} FROM ({relation}) AS c WHERE {allowed}"
    execute(con, sql, _used(sql, params))


def sampled_rows(con: duckdb.DuckDBPyConnection, table: str, key: str, relation: str, key_column: str,
                 columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Rows of ``relation`` whose ``key_column`` is among the sampled keys of ``table`` (e.g. the ground truth
    of the sample), sorted by key."""
    cols = "*" if columns is None else ", ".join(quote_ident(c) for c in columns)
    kc = quote_ident(key_column)
    sql = (f"SELECT {cols} FROM ({relation}) AS r WHERE {kc} IN (SELECT {quote_ident(key)} FROM {quote_ident(table)}) "
           f"ORDER BY {kc}")
    return run(con, sql)


def trace_matches(con: duckdb.DuckDBPyConnection, *, events: str, event_key: str, timestamp: str,
                  column: str, as_of: Any, window_days: int | None, held: str, points: int, seed: int,
                  max_customers: int) -> dict:
    """Unicity of traces (de Montjoye et al. 2015) among every held customer, for a seeded sample of them.

    The ``max_customers`` held customers of smallest seeded draw are the targets; ``points`` of each target's
    distinct points (day, ``column``) are drawn; a target is unique when no other held customer's events hold
    all of them. Returns ``targets, customers, unique``: the targets, those with at least ``points`` distinct
    points, and how many of those are the only customer matching them.

    The matching never groups pairs of customers over every event: each target's candidates are the customers
    holding its rarest drawn point (one scan), then only they are checked for the second point (one scan) and
    the few left for every other point (one scan), so the work is the size of the rarest point's holders, not of
    every shared point. Temporary tables live on this connection only.
    """
    ts = quote_ident(timestamp)
    window = int(window_days) if window_days is not None else 100_000
    # the events of the window as (customer hash, point hash): quote_ident results and fixed fragments only
    ev = f"""(SELECT hash({quote_ident(event_key)}) AS who,
                     hash(CAST({ts} AS DATE), CAST({quote_ident(column)} AS VARCHAR)) AS point
              FROM {quote_ident(events)}
              WHERE {ts} > CAST($as_of AS TIMESTAMP) - to_days(CAST($window AS INTEGER))
                AND {quote_ident(event_key)} IS NOT NULL)"""
    window_params = {"as_of": as_of, "window": window}
    execute(con, f"""
        CREATE OR REPLACE TEMP TABLE pl_targets AS
        SELECT {WHO} AS who FROM {quote_ident(held)} ORDER BY {draw_sql(WHO, 13)}, {WHO} LIMIT $m""",
            {"seed": int(seed), "m": int(max_customers)})
    execute(con, f"""
        CREATE OR REPLACE TEMP TABLE pl_chosen AS
        WITH tpts AS (SELECT DISTINCT ev.who, ev.point FROM {ev} AS ev SEMI JOIN pl_targets AS t ON ev.who = t.who),
        drawn AS (
            SELECT who, point, count(*) OVER (PARTITION BY who) AS n_points,
                   row_number() OVER (PARTITION BY who ORDER BY hash(point, who, $seed), point) AS draw
            FROM tpts
        )
        SELECT who, point, draw FROM drawn WHERE n_points >= $p AND draw <= $p""",
            {**window_params, "seed": int(seed), "p": int(points)})
    # each target's rarest drawn point (its holders are the only possible matches)
    execute(con, f"""
        CREATE OR REPLACE TEMP TABLE pl_check AS
        WITH freq AS (
            SELECT ev.point, count(*) AS n FROM {ev} AS ev
            WHERE ev.point IN (SELECT point FROM pl_chosen) GROUP BY ev.point
        ),
        ranked AS (
            SELECT c.who, c.point, row_number() OVER (PARTITION BY c.who ORDER BY f.n, c.draw) AS step
            FROM pl_chosen AS c JOIN freq AS f USING (point)
        )
        SELECT who, point, step FROM ranked""", window_params)
    execute(con, f"""
        CREATE OR REPLACE TEMP TABLE pl_candidates AS
        SELECT DISTINCT c.who, ev.who AS other
        FROM {ev} AS ev JOIN (SELECT who, point FROM pl_check WHERE step = 1) AS c ON ev.point = c.point""",
            window_params)
    # the second point: candidates × their target's second point, materialized so that the join builds its hash
    # table on them (a few million rows) and streams the events past it
    if int(points) >= 2:
        execute(con, """
            CREATE OR REPLACE TEMP TABLE pl_wanted AS
            SELECT k.who, k.other, c.point FROM pl_candidates AS k JOIN pl_check AS c ON c.who = k.who AND c.step = 2""")
        execute(con, f"""
            CREATE OR REPLACE TEMP TABLE pl_candidates AS
            SELECT DISTINCT w.who, w.other FROM {ev} AS ev
            JOIN pl_wanted AS w ON ev.who = w.other AND ev.point = w.point""", window_params)
    # every other point at once: the few candidates left must hold all of them
    if int(points) >= 3:
        execute(con, """
            CREATE OR REPLACE TEMP TABLE pl_wanted AS
            SELECT k.who, k.other, c.point FROM pl_candidates AS k JOIN pl_check AS c ON c.who = k.who AND c.step >= 3""")
        execute(con, f"""
            CREATE OR REPLACE TEMP TABLE pl_candidates AS
            SELECT w.who, w.other FROM {ev} AS ev
            JOIN pl_wanted AS w ON ev.who = w.other AND ev.point = w.point
            GROUP BY w.who, w.other HAVING count(DISTINCT w.point) = $rest""", {**window_params, "rest": int(points) - 2})
    row = run(con, f"""
        WITH held_matches AS (
            SELECT k.who, count(*) AS matching FROM pl_candidates AS k
            SEMI JOIN {quote_ident(held)} AS h ON k.other = h.{WHO}
            GROUP BY k.who
        )
        SELECT (SELECT count(*) FROM pl_targets) AS targets,
               (SELECT count(DISTINCT who) FROM pl_chosen) AS customers,
               (SELECT count(*) FROM held_matches WHERE matching = 1) AS unique""").row(0, named=True)
    for name in ("pl_targets", "pl_chosen", "pl_check", "pl_candidates", "pl_wanted"):
        execute(con, f"DROP TABLE IF EXISTS {name}")
    return {key: int(value or 0) for key, value in row.items()}
