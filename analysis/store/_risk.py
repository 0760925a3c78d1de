"""Every SQL statement of the risk engine (:mod:`analysis.risk.profile`).

Each function takes a DuckDB connection on which the caller registered the exposed data under a view
name, and returns a small polars frame. Identifiers from user data go through :func:`quote_ident`;
values (sensitive categories, seeds, limits) are bound parameters. Where an f-string builds SQL text it
only splices ``quote_ident`` results, internal column aliases (``c0``, ``c1`` …) or fixed fragments.
"""

from __future__ import annotations

import time
from typing import Any, Iterator, Sequence

import duckdb
import polars as pl

from analysis.store._gateway import _trace, execute, quote_ident, quote_idents, run_scalar
from analysis.store._gateway import run

#: classes read from DuckDB at a time by :func:`class_table_chunks` (an engineering assumption: a few MB each)
CHUNK_ROWS = 262_144


def chunks(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None, *,
           rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
    """Run one query with bound parameters and read its result ``rows`` at a time (Arrow record batches),
    so a result with millions of rows never sits in Python whole."""
    started = time.perf_counter()
    try:
        rel = con.sql(sql, params=params) if params is not None else con.sql(sql)
        reader = rel.to_arrow_reader(rows)
        for batch in reader:
            yield pl.from_arrow(batch)
    finally:
        _trace(sql, started)


__all__ = [
    "chunks",
    "count_true",
    "class_table_chunks",
    "class_size_distribution",
    "class_table",
    "grouping_set_distributions",
    "value_counts",
    "majority_attack",
    "behavioral_matches",
]


def _remote(con) -> bool:
    """A warehouse's queries (:class:`analysis.store._remote.RemoteQueries`) stand for the connection: the risk
    engine then measures a :class:`~analysis.store._remote.RemoteTable` inside PostgreSQL or Spark."""
    return not isinstance(con, duckdb.DuckDBPyConnection) and hasattr(con, "class_table_chunks")


def _table(con, view):
    return con.current(view)


def _null_flag(quasi: Sequence[str]) -> str:
    # Fixed fragment over quoted identifiers: true when any quasi-identifier of the class is NULL.
    return "(" + " OR ".join(f"{quote_ident(q)} IS NULL" for q in quasi) + ")"


def _where_kept(suppressed: str | None) -> str:
    # Rows flagged as suppressed (ARX's notion) are left out of every measure.
    return "" if suppressed is None else f"WHERE NOT coalesce({quote_ident(suppressed)}, false)"


def class_size_distribution(
    con: duckdb.DuckDBPyConnection, view: str, quasi: Sequence[str], *, suppressed: str | None = None
) -> pl.DataFrame:
    """One pass: classes by quasi-identifiers, then their size distribution.

    Columns: ``class_size, classes, records, null_classes`` ordered by size.
    """
    if _remote(con):
        return con.class_size_distribution(_table(con, view), quasi, suppressed=suppressed)
    # quote_ident results and fixed fragments only.
    sql = f"""
        WITH cls AS (
            SELECT count(*) AS f, bool_or({_null_flag(quasi)}) AS has_null
            FROM {quote_ident(view)} {_where_kept(suppressed)}
            GROUP BY {quote_idents(quasi)}
        )
        SELECT f AS class_size, count(*) AS classes, sum(f)::BIGINT AS records,
               count(*) FILTER (WHERE has_null) AS null_classes
        FROM cls GROUP BY f ORDER BY f
    """
    return run(con, sql)


def value_counts(
    con: duckdb.DuckDBPyConnection, view: str, column: str, *, suppressed: str | None = None
) -> pl.DataFrame:
    """Distinct values of one column with their counts (``value, n``), NULL included, sorted, NULL last."""
    if _remote(con):
        return con.value_counts(_table(con, view), column, suppressed=suppressed)
    sql = f"""
        SELECT {quote_ident(column)} AS value, count(*) AS n
        FROM {quote_ident(view)} {_where_kept(suppressed)}
        GROUP BY 1 ORDER BY 1 NULLS LAST
    """
    return run(con, sql)


#: (sensitive column, its values): what a class table counts in each class, one ``c<i>`` column per value
ValueColumns = Sequence[tuple[str, Sequence[Any]]]


def _class_table_sql(view: str, quasi: Sequence[str], columns: ValueColumns, *,
                     suppressed: str | None, with_null_flag: bool, ordered: bool) -> tuple[str, list]:
    parts = ["count(*) AS f"]
    if with_null_flag:
        parts.append(f"bool_or({_null_flag(quasi)}) AS has_null")
    params: list[Any] = []
    i = 0
    for column, values in columns:
        ident = quote_ident(column)
        for value in values:
            if value is None:
                parts.append(f"count(*) FILTER (WHERE {ident} IS NULL) AS c{i}")
            else:
                parts.append(f"count(*) FILTER (WHERE {ident} = ?) AS c{i}")
                params.append(value)
            i += 1
    order = f"ORDER BY {quote_idents(quasi)} NULLS LAST" if ordered else ""
    # quote_ident results, internal aliases and fixed fragments only; values are bound.
    sql = f"""
        SELECT {", ".join(parts)}
        FROM {quote_ident(view)} {_where_kept(suppressed)}
        GROUP BY {quote_idents(quasi)} {order}
    """
    return sql, params


def class_table(con: duckdb.DuckDBPyConnection, view: str, quasi: Sequence[str], columns: ValueColumns, *,
                suppressed: str | None = None, with_null_flag: bool = True,
                ordered: bool = False) -> pl.DataFrame:
    """One GROUP BY over the quasi-identifiers: the class size ``f``, its NULL flag, and per
    (sensitive column, value) the count of that value in the class (columns ``c0``, ``c1`` … in the
    order given). Values are bound parameters; a ``None`` value counts NULLs.

    ``ordered`` sorts the classes by their quasi-identifiers, so that several calls (batches of values)
    line up row by row.
    """
    if _remote(con):
        return con.class_table(_table(con, view), quasi, columns, suppressed=suppressed, with_null_flag=with_null_flag,
                               ordered=ordered)
    sql, params = _class_table_sql(view, quasi, columns, suppressed=suppressed, with_null_flag=with_null_flag,
                                   ordered=ordered)
    return run(con, sql, params or None)


def class_table_chunks(con: duckdb.DuckDBPyConnection, view: str, quasi: Sequence[str],
                       columns: ValueColumns, *, suppressed: str | None = None,
                       with_null_flag: bool = True) -> Iterator[pl.DataFrame]:
    """:func:`class_table`'s rows, classes alike (same size, NULL flag and counts) as one row with their number
    (``classes``), in chunks: exact for minima, maxima and counts over classes, and few rows leave the engine."""
    if _remote(con):
        return con.class_table_chunks(_table(con, view), quasi, columns, suppressed=suppressed,
                                      with_null_flag=with_null_flag)
    sql, params = _class_table_sql(view, quasi, columns, suppressed=suppressed, with_null_flag=with_null_flag,
                                   ordered=False)
    return chunks(con, f"SELECT *, count(*) AS classes FROM ({sql}) GROUP BY ALL", params or None)


def count_true(con: duckdb.DuckDBPyConnection, view: str, column: str) -> int:
    """Rows where a boolean column is true."""
    if _remote(con):
        return con.count_true(_table(con, view), column)
    return int(run_scalar(con, f"SELECT count(*) FROM {quote_ident(view)} WHERE {quote_ident(column)}") or 0)


def grouping_set_distributions(
    con: duckdb.DuckDBPyConnection, view: str, sets: Sequence[Sequence[str]]
) -> pl.DataFrame:
    """Class-size distributions of several quasi-identifier sets in one pass (GROUPING SETS).

    Returns ``set_id, class_size, classes, records``; ``set_id`` is the position in ``sets``. Real NULLs
    and the NULLs that GROUPING SETS puts in absent columns are told apart with ``GROUPING()``.
    """
    columns = sorted({c for s in sets for c in s})
    if not columns:
        raise ValueError("grouping_set_distributions needs at least one column.")
    position = {c: i for i, c in enumerate(columns)}
    # GROUPING(all columns) is a bit mask: bit (len-1-i) set when column i is absent from the set.
    width = len(columns)
    masks = []
    for s in sets:
        mask = 0
        for c in columns:
            if c not in s:
                mask |= 1 << (width - 1 - position[c])
        masks.append(mask)
    set_sql = ", ".join("(" + quote_idents(s) + ")" for s in sets)
    case = " ".join(f"WHEN {m} THEN {i}" for i, m in enumerate(masks))
    # quote_ident results, integer masks computed here and fixed fragments only.
    sql = f"""
        WITH cls AS (
            SELECT GROUPING({quote_idents(columns)}) AS g, count(*) AS f
            FROM {quote_ident(view)}
            GROUP BY GROUPING SETS ({set_sql})
        )
        SELECT CASE g {case} END AS set_id, f AS class_size, count(*) AS classes, sum(f)::BIGINT AS records
        FROM cls GROUP BY ALL ORDER BY set_id, class_size
    """
    return run(con, sql)


def _majority_sql(source: str, known: Sequence[str], sensitive: str, prelude: str = "") -> str:
    """The class-majority attack over ``source`` (a quoted view, or a CTE named in ``prelude``)."""
    s = quote_ident(sensitive)
    keys = quote_idents(known)
    on = " AND ".join(f"t.{quote_ident(c)} IS NOT DISTINCT FROM g.{quote_ident(c)}" for c in known)
    # quote_ident results and fixed fragments only.
    return f"""
        WITH {prelude}
        held AS (SELECT * FROM {source} WHERE "__role" IN (0, 1)),
        cells AS (SELECT {keys}, {s} AS value, count(*) AS n FROM held GROUP BY ALL),
        guess AS (
            SELECT {keys}, first(value ORDER BY n DESC, value NULLS LAST) AS guess
            FROM cells GROUP BY {keys}
        ),
        base AS (
            SELECT first(value ORDER BY n DESC, value NULLS LAST) AS guess
            FROM (SELECT {s} AS value, count(*) AS n FROM held GROUP BY 1)
        )
        SELECT t."__role" AS role, count(*) AS targets,
               count(*) FILTER (WHERE t.{s} IS NOT DISTINCT FROM coalesce(g.guess, base.guess)) AS hits_attack,
               count(*) FILTER (WHERE t.{s} IS NOT DISTINCT FROM base.guess) AS hits_base_rate
        FROM (SELECT * FROM {source} WHERE "__role" IN (1, 2)) AS t
        LEFT JOIN guess AS g ON {on}
        CROSS JOIN base
        GROUP BY 1 ORDER BY 1
    """


def grouping_set_distributions_generalized(
    con: duckdb.DuckDBPyConnection, view: str, quasi: Sequence[str], rules: dict, sets: Sequence[Sequence[str]]
) -> pl.DataFrame:
    """:func:`grouping_set_distributions` over ``view`` plus generalized copies of some columns:
    ``rules`` maps a new column name to ``(column, method, parameter)``, generalized in SQL as
    :func:`analysis.store._sample.generalized_sql` (rare values of ``merge_rare`` over the view itself).
    The columns are copied once into a temporary table of this connection."""
    from analysis.store._sample import generalized_sql, rare_values

    select = [quote_ident(q) for q in quasi]
    params: dict = {}
    integer = {row[0]: row[1] for row in run(con, f"DESCRIBE {quote_ident(view)}").select(
        "column_name", "column_type").iter_rows()}
    for i, (name, (column, method, parameter)) in enumerate(rules.items()):
        rare = rare_values(con, f"SELECT * FROM {quote_ident(view)}", column, parameter) if method == "merge_rare" else ()
        kind = integer.get(column, "").upper()
        expression, extra = generalized_sql(column, method, parameter, index=i, rare=rare,
                                            integer=kind in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"))
        select.append(f"{expression} AS {quote_ident(name)}")
        params.update(extra)
    # quote_ident results and generalized_sql fragments only; parameters are bound.
    execute(con, f"CREATE OR REPLACE TEMP TABLE pl_contributions AS SELECT {', '.join(select)} FROM {quote_ident(view)}",
            params or None)
    try:
        return grouping_set_distributions(con, "pl_contributions", sets)
    finally:
        execute(con, "DROP TABLE IF EXISTS pl_contributions")


def majority_attack(
    con: duckdb.DuckDBPyConnection, view: str, known: Sequence[str], sensitive: str
) -> pl.DataFrame:
    """Class-majority attack (view has a ``__role`` column: 0 held, 1 attacked target, 2 control target).

    The attacker looks up each target's ``known`` values among the held rows (targets of role 1 are
    part of the held data) and guesses the most frequent ``sensitive`` value there (ties: smallest
    value); a class not seen in the held data falls back to the overall majority. Returns one row per
    role 1 and 2: ``role, targets, hits_attack, hits_base_rate``.
    """
    return run(con, _majority_sql(quote_ident(view), known, sensitive))


#: 2^64, to turn DuckDB's 64-bit ``hash`` into a uniform draw in [0, 1)
HASH_RANGE = 18446744073709551616.0


def draw_sql(key_sql: str, stream: int) -> str:
    """SQL of a seeded 64-bit draw per row (``$seed`` bound): ``hash(hash(key, seed) XOR c_stream)``.

    DuckDB combines the hashes of several arguments with XOR, so ``hash(key, seed, 1)`` and ``hash(key, seed,
    2)`` differ by a constant and are strongly correlated; hashing the XOR with a per-stream constant again
    (DuckDB's integer hash is a 64-bit finalizer) makes the streams independent."""
    constant = (0x9E3779B97F4A7C15 * (int(stream) + 1)) % (1 << 64)
    return f"hash(xor(hash({key_sql}, CAST($seed AS BIGINT)), CAST({constant} AS UBIGINT)))"


def uniform_sql(key_sql: str, stream: int) -> str:
    """SQL of a seeded uniform draw in [0, 1) per row (see :func:`draw_sql`)."""
    return f"(CAST({draw_sql(key_sql, stream)} AS DOUBLE) / {HASH_RANGE})"


def majority_attack_in_place(
    con: duckdb.DuckDBPyConnection, view: str, known: Sequence[str], sensitive: str, *, key: str,
    n_attacks: int, seed: int, holdout_share: float,
) -> pl.DataFrame:
    """:func:`majority_attack` on a view of any size, its roles drawn in SQL from a seeded hash of ``key``:
    a share ``holdout_share`` is held out (people the business does not hold); the ``n_attacks`` held rows
    and held-out rows of smallest second hash are the attacked and the control targets."""
    cols = quote_idents([*known, sensitive])
    k = quote_ident(key)
    # quote_ident results and fixed fragments only; seed, share and count are bound.
    prelude = f"""
        drawn AS (
            SELECT {cols}, {uniform_sql(k, 11)} < $holdout AS out, {draw_sql(k, 12)} AS v
            FROM {quote_ident(view)} WHERE {k} IS NOT NULL
        ),
        cut AS (
            SELECT (SELECT max(v) FROM (SELECT v FROM drawn WHERE out ORDER BY v LIMIT $n)) AS t_out,
                   (SELECT max(v) FROM (SELECT v FROM drawn WHERE NOT out ORDER BY v LIMIT $n)) AS t_in
        ),
        roles AS (
            SELECT drawn.*, CASE WHEN out THEN (CASE WHEN v <= t_out THEN 2 ELSE 3 END)
                                 ELSE (CASE WHEN v <= t_in THEN 1 ELSE 0 END) END AS "__role"
            FROM drawn CROSS JOIN cut
        ),"""
    sql = _majority_sql("roles", known, sensitive, prelude)
    return run(con, sql, {"seed": int(seed), "holdout": float(holdout_share), "n": int(n_attacks)})


def behavioral_matches(
    con: duckdb.DuckDBPyConnection,
    view: str,
    *,
    key: str,
    point_columns: Sequence[str],
    points: Sequence[int],
    seed: int,
    max_customers: int,
) -> pl.DataFrame:
    """Unicity of traces (de Montjoye et al. 2015): for a seeded sample of customers, draw p of their
    own distinct points and count the customers whose trace holds all p points.

    Returns ``points, customers, unique, eligible``: per p, the sampled customers with at least p distinct
    points, how many of them are the only customer matching their p points, and how many customers in the
    whole data have at least p distinct points. Draws are ``md5`` of text (the same on every engine).
    """
    v = quote_ident(view)
    k = quote_ident(key)
    # a point is the text of its columns; draws are md5(text | seed): portable, so a warehouse computing the same
    # measure (analysis.store._remote, Ibis) draws the same targets and points as this query
    point = " || '|' || ".join(f"coalesce(CAST({quote_ident(c)} AS VARCHAR), '∅')" for c in point_columns)
    p_max = max(points)
    # quote_ident results and fixed fragments only; seed, limits and p values are bound.
    sql = f"""
        WITH pts AS (
            SELECT DISTINCT CAST({k} AS VARCHAR) AS who, {point} AS point FROM {v} WHERE {k} IS NOT NULL
        ),
        sizes AS (SELECT who, count(*) AS n_points FROM pts GROUP BY who),
        sample AS (
            SELECT who, n_points FROM sizes ORDER BY md5(who || '|' || CAST($seed AS VARCHAR)), who LIMIT $max_customers
        ),
        drawn AS (
            SELECT pts.who, pts.point,
                   row_number() OVER (PARTITION BY pts.who ORDER BY md5(pts.point || '|' || pts.who || '|' || CAST($seed AS VARCHAR)),
                                                   pts.point) AS draw
            FROM pts JOIN sample USING (who)
        ),
        wanted AS (SELECT unnest($points::INTEGER[]) AS p),
        chosen AS (
            SELECT wanted.p, drawn.who, drawn.point
            FROM drawn JOIN sample USING (who) JOIN wanted ON drawn.draw <= wanted.p AND sample.n_points >= wanted.p
            WHERE drawn.draw <= $p_max
        ),
        matches AS (
            SELECT chosen.p, chosen.who, pts.who AS other
            FROM chosen JOIN pts ON pts.point = chosen.point
            GROUP BY ALL HAVING count(*) = chosen.p
        ),
        per_target AS (SELECT p, who, count(*) AS matching FROM matches GROUP BY ALL),
        eligible AS (
            SELECT wanted.p, count(sizes.who) AS eligible
            FROM wanted LEFT JOIN sizes ON sizes.n_points >= wanted.p GROUP BY wanted.p
        )
        SELECT wanted.p AS points, count(per_target.who) AS customers,
               count(*) FILTER (WHERE per_target.matching = 1) AS unique,
               any_value(eligible.eligible) AS eligible
        FROM wanted LEFT JOIN per_target ON per_target.p = wanted.p JOIN eligible ON eligible.p = wanted.p
        GROUP BY wanted.p ORDER BY wanted.p
    """
    return run(
        con, sql, {"seed": int(seed), "max_customers": int(max_customers), "points": list(points), "p_max": p_max}
    )
