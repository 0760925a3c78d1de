"""SQL that reads the loaded CRM back: the customer view and behavioural features from events.

Every identifier that comes from a dictionary is quoted with ``quote_ident``; every value (window length,
seeds) is a bound parameter. The f-strings below only splice quoted identifiers and fixed fragments.
"""

from __future__ import annotations

from typing import Sequence

import duckdb
import polars as pl

from analysis.store._gateway import execute, quote_ident, run, run_scalar

__all__ = [
    "customers_select",
    "create_view",
    "count_customers",
    "sorted_rows",
    "column_summary",
    "customer_frame",
    "event_features",
    "events_as_of",
    "category_values_of",
    "held_points_table",
    "ground_truth_frame",
    "store_ground_truth",
    "table_exists",
    "COUNT_CAP",
]

#: Domain caps for event counts in one window (a customer with more events is clipped): an assumption that
#: bounds every behavioural feature for differential privacy without reading the data.
COUNT_CAP = 200
#: categorical event columns with at most this many values also get counts in the recent sub-window
RECENT_SPLIT_MAX_VALUES = 5
GROUND_TRUTH_TABLE = "_pl_ground_truth"
#: the exact type amounts are summed in (a sum that does not depend on row order): 6 decimals, < 10^32
AMOUNT_DECIMAL = "38, 6"


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        run_scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])
    )


def customers_select(
    tables: Sequence[tuple[str, str, Sequence[str]]],
    columns: Sequence[str] | None = None,
) -> str:
    """SQL joining the customer-level tables on their key (no ORDER BY), with every column or only ``columns``.

    ``tables`` is a list of ``(table, key, columns)``; the first table drives the join (LEFT JOIN the rest),
    and its key is returned under its own name. With ``columns``, only the tables holding one of them are
    joined (keys are unique per dataset, so leaving a LEFT JOIN out never changes the rows).
    """
    first_table, first_key, first_cols = tables[0]
    wanted = None if columns is None else set(columns)
    select = [f"t0.{quote_ident(first_key)} AS {quote_ident(first_key)}"]
    select += [f"t0.{quote_ident(c)}" for c in first_cols if c != first_key and (wanted is None or c in wanted)]
    joins = []
    for i, (table, key, cols) in enumerate(tables[1:], start=1):
        used = [c for c in cols if c != key and (wanted is None or c in wanted)]
        if wanted is not None and not used:
            continue
        alias = f"t{i}"
        joins.append(
            f"LEFT JOIN {quote_ident(table)} AS {alias} "
            f"ON {alias}.{quote_ident(key)} = t0.{quote_ident(first_key)}"
        )
        select += [f"{alias}.{quote_ident(c)}" for c in used]
    return f"SELECT {', '.join(select)} FROM {quote_ident(first_table)} AS t0 " + " ".join(joins)


def customer_frame(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[tuple[str, str, Sequence[str]]],
) -> pl.DataFrame:
    """Join the customer-level tables on their key, sorted by the key (see :func:`customers_select`)."""
    return run(con, customers_select(tables) + f" ORDER BY t0.{quote_ident(tables[0][1])}")


def create_view(con: duckdb.DuckDBPyConnection, name: str, select: str) -> None:
    """``CREATE VIEW name AS select`` (``select`` built here, from quoted identifiers only; no values)."""
    execute(con, f"CREATE OR REPLACE VIEW {quote_ident(name)} AS {select}")


def count_customers(con: duckdb.DuckDBPyConnection, tables: Sequence[tuple[str, str, Sequence[str]]]) -> int:
    """Customers in the view: the rows of the first customers table (the join is a LEFT JOIN on unique keys)."""
    return int(run_scalar(con, f"SELECT count(*) FROM {quote_ident(tables[0][0])}"))


def column_summary(con: duckdb.DuckDBPyConnection, tables: Sequence[tuple[str, str, Sequence[str]]],
                   column: str) -> tuple[int, float | None]:
    """``(non-null customers, mean)`` of one customer-level column, over every customer."""
    relation = customers_select(tables, [column])
    c = quote_ident(column)
    # sum / count (not avg): for a 0/1 column both are exact integers, so the share is the correctly rounded one
    row = run(con, f"SELECT count({c}) AS n, sum(CAST({c} AS DOUBLE)) / count({c}) AS mean FROM ({relation}) AS c").row(0)
    return int(row[0]), (None if row[1] is None else float(row[1]))


def sorted_rows(con: duckdb.DuckDBPyConnection, table: str, key: str) -> pl.DataFrame:
    """Every row of a (small) workspace table, sorted by key."""
    return run(con, f"SELECT * FROM {quote_ident(table)} ORDER BY {quote_ident(key)}")


def events_as_of(con: duckdb.DuckDBPyConnection, table: str, timestamp: str):
    """The dataset's "now": the latest event time (so results do not depend on the day they run)."""
    return run_scalar(con, f"SELECT max({quote_ident(timestamp)}) FROM {quote_ident(table)}")


def event_features(
    con: duckdb.DuckDBPyConnection,
    *,
    table: str,
    key: str,
    timestamp: str,
    category_columns: Sequence[str] = (),
    amount_columns: Sequence[str] = (),
    window_days: int | None = None,
    recent_days: int = 90,
    category_values: dict[str, Sequence[str]] | None = None,
    as_of=None,
) -> pl.DataFrame:
    """Recency, frequency, monetary and mix features per customer from the events of the last ``window_days``.

    ``table`` may hold only some customers' events (a sample's): ``as_of`` and ``category_values`` (the values
    of each category column, :func:`category_values_of`) then come from the whole events table, so the features
    are those of the whole data.

    Features (per customer; customers with no event in the window are absent — the caller fills zeros):
    ``events`` (count), ``active_days``, ``recency_days`` (days from the last event to the dataset's as-of
    time), ``events_recent`` (count in the last ``recent_days``, when the window is longer), per category value
    ``<column>=<value>`` counts (e.g. ``event_type=purchase``), and ``<column>_total`` sums for amounts. Counts
    are capped at :data:`COUNT_CAP`. A category column with declared values (``category_values``, from the
    dictionary) gets exactly those (sorted, as values read from the data would be); otherwise its values are read from the data (up to 30).
    """
    if as_of is None:
        as_of = events_as_of(con, table, timestamp)
    if as_of is None:
        return pl.DataFrame({key: []})
    window = int(window_days) if window_days is not None else 100_000
    ts = quote_ident(timestamp)
    base = (
        f"SELECT * FROM {quote_ident(table)} "
        f"WHERE {ts} > CAST($as_of AS TIMESTAMP) - to_days(CAST($window AS INTEGER))"
    )
    aggs = [
        f"least(count(*), {COUNT_CAP}) AS events",
        f"least(count(DISTINCT CAST({ts} AS DATE)), {COUNT_CAP}) AS active_days",
        f"date_diff('day', max({ts}), CAST($as_of AS TIMESTAMP)) AS recency_days",
    ]
    named: dict = {"as_of": as_of, "window": window}
    if window_days is None or window_days > recent_days:
        named["recent"] = int(recent_days)
        aggs.append(
            f"least(count(*) FILTER (WHERE {ts} > CAST($as_of AS TIMESTAMP) - to_days(CAST($recent AS INTEGER))), "
            f"{COUNT_CAP}) AS events_recent"
        )
    for col in category_columns:
        declared = (category_values or {}).get(col)
        values = sorted(declared) if declared else run(  # given values: none is read from this table
            con,
            f"SELECT DISTINCT CAST({quote_ident(col)} AS VARCHAR) AS v FROM {quote_ident(table)} "
            f"WHERE {quote_ident(col)} IS NOT NULL ORDER BY v LIMIT 30",
        )["v"].to_list()
        for j, v in enumerate(values):
            pname = f"v_{len(named)}_{j}"
            named[pname] = v
            alias = quote_ident(f"{col}={v}")
            aggs.append(
                f"least(count(*) FILTER (WHERE CAST({quote_ident(col)} AS VARCHAR) = ${pname}), {COUNT_CAP}) AS {alias}"
            )
            # for short lists of values (event types, channels): the recent sub-window too, so a model can
            # tell recent behaviour from long-term loyalty (both matter, and retention windows cut the latter)
            if "recent" in named and len(values) <= RECENT_SPLIT_MAX_VALUES:
                alias_recent = quote_ident(f"{col}={v} (last {recent_days}d)")
                aggs.append(
                    f"least(count(*) FILTER (WHERE CAST({quote_ident(col)} AS VARCHAR) = ${pname} AND {ts} > "
                    f"CAST($as_of AS TIMESTAMP) - to_days(CAST($recent AS INTEGER))), {COUNT_CAP}) AS {alias_recent}"
                )
    for col in amount_columns:
        # A DOUBLE sum in a parallel GROUP BY adds each customer's rows in the order the threads reach them:
        # the last bits of the total changed from run to run and with the thread count (issue 20). Summed as
        # DECIMAL (amounts rounded to 1e-6, then exact integer arithmetic) the total is the same in any order.
        # NaN, ±inf and amounts beyond 10^32 cannot be DECIMAL: TRY_CAST makes them missing, like NULL.
        aggs.append(
            f"coalesce(CAST(sum(TRY_CAST({quote_ident(col)} AS DECIMAL({AMOUNT_DECIMAL}))) AS DOUBLE), 0) "
            f"AS {quote_ident(col + '_total')}"
        )
    sql = (
        f"WITH w AS ({base}) SELECT {quote_ident(key)}, {', '.join(aggs)} "
        f"FROM w GROUP BY {quote_ident(key)} ORDER BY {quote_ident(key)}"
    )
    return run(con, sql, named)


def category_values_of(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str]) -> dict:
    """The first 30 values (sorted) of each categorical event column: one feature each."""
    return {
        col: run(
            con,
            f"SELECT DISTINCT CAST({quote_ident(col)} AS VARCHAR) AS v FROM {quote_ident(table)} "
            f"WHERE {quote_ident(col)} IS NOT NULL ORDER BY v LIMIT 30",
        )["v"].to_list()
        for col in columns
    }


def held_points_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    table: str,
    key: str,
    timestamp: str,
    column: str,
    held: str,
    held_key: str,
    window_days: int | None = None,
) -> bool:
    """``CREATE TABLE name``: each event of the last ``window_days`` as a point (customer key, ``day``, ``point``:
    one descriptive column) — for behavioural uniqueness — of the customers whose key is in ``held`` (a view or
    table with column ``held_key``), in DuckDB: the events never become a polars frame. Returns False (and creates nothing) when no event at all lies in
    the window."""
    as_of = events_as_of(con, table, timestamp)
    window = int(window_days) if window_days is not None else 100_000
    ts = quote_ident(timestamp)
    params = {"as_of": as_of, "window": window}
    in_window = f"{ts} > CAST($as_of AS TIMESTAMP) - to_days(CAST($window AS INTEGER))"
    if as_of is None or not run_scalar(
            con, f"SELECT count(*) > 0 FROM (SELECT 1 FROM {quote_ident(table)} WHERE {in_window} LIMIT 1)", params):
        return False
    k = quote_ident(key)
    execute(
        con,
        f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT {k} AS {k}, CAST({ts} AS DATE) AS day, "
        f"CAST({quote_ident(column)} AS VARCHAR) AS point FROM {quote_ident(table)} "
        f"WHERE {in_window} AND {k} IN (SELECT {quote_ident(held_key)} FROM {quote_ident(held)})",
        params,
    )
    return True


def store_ground_truth(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame,
                       held_in: Sequence[tuple[str, str]] = ()) -> None:
    """Keep the synthetic generator's ground truth beside the data (never used as a feature).

    ``held_in``: (table, key) of customers datasets; a ground-truth row is kept only when its key is stored in
    every one of them (so the keys of erased customers are not kept here either)."""
    kept = " AND ".join(
        f"EXISTS (SELECT 1 FROM {quote_ident(table)} AS h WHERE CAST(h.{quote_ident(key)} AS VARCHAR) = "
        f"trim(CAST(g.{quote_ident(key)} AS VARCHAR)))" for table, key in held_in) or "true"
    con.register("_pl_gt_in", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(GROUND_TRUTH_TABLE)} AS "
                    f"SELECT * FROM _pl_gt_in AS g WHERE {kept}")
    finally:
        con.unregister("_pl_gt_in")


def ground_truth_frame(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    if not table_exists(con, GROUND_TRUTH_TABLE):
        return None
    return run(con, f"SELECT * FROM {quote_ident(GROUND_TRUTH_TABLE)}")
