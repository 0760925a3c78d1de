"""Issue 20: every figure is a function of the spec, the data and the code — not of thread counts or timing."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from analysis.store import _features


def _events_con(threads: int) -> duckdb.DuckDBPyConnection:
    rng = np.random.default_rng(0)
    n = 1_500_000  # > 10 row groups: DuckDB aggregates them on several threads
    events = pl.DataFrame({
        "customer_id": rng.integers(0, 20_000, n).astype(str),
        "event_time": (np.datetime64("2026-01-01T00:00:00", "us")
                       - rng.integers(0, 700 * 86400, n).astype("timedelta64[s]")).astype("datetime64[us]"),
        "amount": np.round(rng.gamma(2.0, 40.0, n), 2) * (rng.random(n) < 0.4),
    })
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {threads}")
    con.register("ev_in", events)
    con.execute("CREATE TABLE ev AS SELECT * FROM ev_in")
    return con


def test_event_amount_totals_do_not_depend_on_threads_or_runs():
    frames = []
    for threads in (1, 4, 4):
        con = _events_con(threads)
        frames.append(_features.event_features(con, table="ev", key="customer_id", timestamp="event_time",
                                               amount_columns=["amount"]))
        con.close()
    for other in frames[1:]:
        assert frames[0].equals(other)  # bit for bit (a DOUBLE sum differed in the last bits)


def test_amounts_that_cannot_be_summed_exactly_count_as_missing():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE ev AS SELECT * FROM (VALUES ('a', TIMESTAMP '2026-01-01', 10.25), "
                "('a', TIMESTAMP '2026-01-02', 'nan'::DOUBLE), ('b', TIMESTAMP '2026-01-02', 'inf'::DOUBLE), "
                "('b', TIMESTAMP '2026-01-03', 0.1)) AS t(customer_id, event_time, amount)")
    out = _features.event_features(con, table="ev", key="customer_id", timestamp="event_time",
                                   amount_columns=["amount"])
    assert out["amount_total"].to_list() == [10.25, 0.1]
