"""A CRM measured where it lives: every query PrivacyLift runs on a warehouse (Ibis expressions).

The data dictionaries name the warehouse tables (``[dataset] table = "crm.customers"``); the joins, the erasure
filter, the counts, the event features and the sample are computed by the engine. What comes out is recorded in
:attr:`Warehouse.pulled` (what, how many rows, which columns — never a value) and is only:

- aggregates: row counts, counts per value, class-size distributions, per-class counts (no quasi-identifier
  value), consent rates, the latest event time, the event category vocabulary, behavioural-uniqueness counts;
- the **minimized sample**: per sampled customer its features (quasi-identifiers, sensitive, behavioural and
  consent columns), treatment, outcome, event features per retention window and, for synthetic data, the ground
  truth. No direct identifier and no key: rows carry ``row``, their rank in key order inside this sample (made
  by the engine, meaningless outside this pull), under the key's name so the analysis stages run unchanged.

Every random choice is a portable draw, ``md5(key || '|' || seed)`` (the same text on DuckDB, PostgreSQL and
Spark): the stratified sample of a CRM larger than the sample size, and the behavioural-uniqueness targets and
points (the store's query uses the same draws, :func:`analysis.store._risk.behavioral_matches`).
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta
from typing import Any, Iterator, Sequence

import ibis
import polars as pl

from analysis.dictionary import Dictionary
from analysis.schema import CRMSchema, resolve_schema
from analysis.store._catalog import DatasetInfo
from analysis.store._features import COUNT_CAP, RECENT_SPLIT_MAX_VALUES
from analysis.store._remote._connect import Connection, SourceError, connect
from analysis.store._remote._risk import RemoteQueries, RemoteTable

__all__ = ["PULLED_ROLES", "Warehouse", "md5"]

#: the customer-level roles the sample brings out (never direct_identifier, timestamp or other)
PULLED_ROLES = ("quasi_identifier", "sensitive", "behavioral", "consent", "treatment", "outcome")
#: the row identity of pulled rows (its rank in key order within the pull), a plain internal name
ROW = "__row"
_CAST = {"integer": "int64", "float": "float64", "category": "string", "text": "string", "boolean": "boolean",
         "date": "date", "timestamp": "timestamp"}


@ibis.udf.scalar.builtin
def md5(value: str) -> str:  # noqa: D103 - the engine's own md5 (lowercase hex on DuckDB, PostgreSQL, Spark)
    ...


def _draw(key, seed: int):
    return md5(key.cast("string") + "|" + str(int(seed)))


class Warehouse:
    """A CRM in PostgreSQL or Spark, described by data dictionaries that name its tables (read-only).

    Parameters
    ----------
    connection : the open source (:func:`analysis.store._remote.connect`).
    dictionaries : one per dataset, each with ``[dataset] table``.
    """

    def __init__(self, connection: Connection, dictionaries: Sequence[Dictionary]):
        self.connection = connection
        self.dictionaries = list(dictionaries)
        missing = [d.name for d in self.dictionaries if not d.table]
        if missing:
            raise SourceError(f"Dictionaries of {', '.join(missing)} name no warehouse table: add "
                              "[dataset] table = \"schema.table\" to each.")
        if not any(d.entity == "customers" for d in self.dictionaries):
            raise SourceError("No customers dictionary was given (entity = \"customers\").")
        #: what was pulled out of the warehouse: one entry per query (what, rows, columns), never a value
        self.pulled: list[dict] = []
        self._tables: dict[str, Any] = {}
        self._datasets: list | None = None
        self.queries = RemoteQueries(self._run, self._log)
        self.queries.set_batches(self._batches)

    @classmethod
    def open(cls, source: str, dictionaries: Sequence[Dictionary], *, spark_master: str | None = None) -> "Warehouse":
        return cls(connect(source, spark_master=spark_master), dictionaries)

    def __repr__(self) -> str:
        return f"Warehouse({self.connection.description})"

    @property
    def description(self) -> str:
        return self.connection.description

    def close(self) -> None:
        self.connection.close()

    # ---- running and recording ---------------------------------------------------------------------------
    def _log(self, what: str, rows: int, columns: Sequence[str] = (), seconds: float = 0.0) -> None:
        self.pulled.append({"what": what, "rows": int(rows), "columns": list(columns), "seconds": round(seconds, 3)})

    def _run(self, expr, what: str) -> pl.DataFrame:
        started = time.perf_counter()
        frame = pl.from_arrow(self.connection.backend.to_pyarrow(expr))
        if isinstance(frame, pl.Series):
            frame = frame.to_frame()
        self._log(what, frame.height, frame.columns, time.perf_counter() - started)
        return frame

    def _batches(self, expr, what: str, rows: int) -> Iterator[pl.DataFrame]:
        started, total, columns = time.perf_counter(), 0, []
        for batch in self.connection.backend.to_pyarrow_batches(expr, chunk_size=rows):
            frame = pl.from_arrow(batch)
            total += frame.height
            columns = frame.columns
            yield frame
        self._log(what, total, columns, time.perf_counter() - started)

    def pulled_summary(self) -> list[dict]:
        """The record of what left the engine (for the provenance): what, rows and columns, per query."""
        return [dict(p) for p in self.pulled]

    def pulled_rows(self) -> int:
        return sum(p["rows"] for p in self.pulled)

    # ---- tables ------------------------------------------------------------------------------------------
    def table(self, dataset: str):
        """The raw warehouse table of a dataset (never pulled whole)."""
        if dataset not in self._tables:
            d = next(d for d in self.dictionaries if d.name == dataset)
            self._tables[dataset] = self._resolve(d.table, dataset)
        return self._tables[dataset]

    def _resolve(self, name: str, label: str):
        backend = self.connection.backend
        try:
            if self.connection.kind == "spark" and ("/" in name or name.endswith(".parquet")):
                return backend.read_parquet(name, table_name=f"_pl_{label}")  # a session-local view
            parts = name.split(".")
            if len(parts) == 1:
                return backend.table(parts[0])
            return backend.table(parts[-1], database=parts[-2] if len(parts) == 2 else tuple(parts[:-1]))
        except Exception as exc:  # noqa: BLE001 - the engine's own message names the table, never data
            raise SourceError(f"Table {name!r} (dataset {label!r}) cannot be read on {self.description}: "
                              f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}") from None

    def _dictionary(self, dataset: str) -> Dictionary:
        return next(d for d in self.dictionaries if d.name == dataset)

    def _typed(self, dataset: str, columns: Sequence[str]):
        t = self.table(dataset)
        d = self._dictionary(dataset)
        missing = [c for c in columns if c not in t.columns]
        if missing:
            raise SourceError(f"Table {d.table!r} (dataset {dataset!r}) has no column "
                              f"{', '.join(repr(c) for c in missing)}.")
        return {c: t[c].cast(_CAST.get(d.column(c).type, "string")) for c in columns}

    def _erased_keys(self):
        """Keys flagged for erasure in any customers dataset (never stored by an ingest, so never measured)."""
        parts = []
        for d in self.dictionaries:
            if d.entity == "customers" and d.erased and d.key:
                t = self.table(d.name)
                parts.append(t.filter(t[d.erased].cast("boolean").fill_null(False)).select(k=t[d.key].cast("string")))
        if not parts:
            return None
        out = parts[0]
        for p in parts[1:]:
            out = out.union(p)
        return out

    def _not_erased(self, t, key: str):
        erased = self._erased_keys()
        if erased is None:
            return t
        return t.filter(~t[key].cast("string").isin(erased.k))

    # ---- the catalog -------------------------------------------------------------------------------------
    def datasets(self) -> list[DatasetInfo]:
        """The datasets with their row counts as the store would hold them (erased customers left out)."""
        if self._datasets is None:
            out = []
            for d in self.dictionaries:
                t = self.table(d.name)
                if d.key:
                    t = self._not_erased(t, d.key)
                rows = int(self._run(t.aggregate(n=t.count()), f"rows of {d.table}")["n"][0])
                out.append(DatasetInfo(name=d.name, entity=d.entity, key=d.key, dictionary=d, rows=rows))
            self._datasets = out
        return self._datasets

    def schema(self) -> CRMSchema:
        return resolve_schema(self.datasets())

    def fingerprint(self) -> str:
        """The same dataset gives the same id on every engine: dictionaries and row counts (no source name)."""
        parts = sorted((d.name, d.dictionary.sha256, d.rows) for d in self.datasets())
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    # ---- customers ---------------------------------------------------------------------------------------
    def customers(self, columns: Sequence[str] | None = None, schema: CRMSchema | None = None):
        """The customers as the store's view joins them (first table LEFT JOIN the rest on the key), erased
        customers left out, with the key and ``columns`` typed as their dictionaries say (an Ibis expression)."""
        schema = schema or self.schema()
        tables = schema.customer_tables
        first, key, first_cols = tables[0]
        wanted = None if columns is None else list(dict.fromkeys(columns))
        base = self._not_erased(self.table(first), key)
        picked = [c for c in first_cols if c != key and (wanted is None or c in wanted)]
        typed = self._typed(first, picked)
        rel = base.select(**{key: base[key].cast("string")}, **{c: typed[c] for c in picked})
        for name, other_key, cols in tables[1:]:
            used = [c for c in cols if c != other_key and (wanted is None or c in wanted)]
            if wanted is not None and not used:
                continue
            t = self.table(name)
            other_typed = self._typed(name, used)
            right = t.select(__k=t[other_key].cast("string"), **{c: other_typed[c] for c in used})
            rel = rel.left_join(right, rel[key] == right["__k"]).select([*rel.columns, *used])
        return rel

    def customers_table(self, columns: Sequence[str], schema: CRMSchema | None = None) -> RemoteTable:
        """The customers' ``columns`` as a :class:`RemoteTable` the risk engine measures in place."""
        rel = self.customers(columns, schema).select(list(dict.fromkeys(columns)))
        return RemoteTable.of(self.queries, "customers", rel)

    def count_customers(self, schema: CRMSchema | None = None) -> int:
        rel = self.customers([], schema)
        return int(self._run(rel.aggregate(n=rel.count()), "customers: count")["n"][0])

    def column_summary(self, column: str, schema: CRMSchema | None = None) -> tuple[int, float | None]:
        """``(non-null customers, mean)`` of a customer-level column (a consent flag: its rate)."""
        rel = self.customers([column], schema)
        c = rel[column]
        # PostgreSQL casts no boolean to a number: true 1, false 0, NULL stays NULL (not counted)
        c = ibis.cases((c, 1), (~c, 0)) if c.type().is_boolean() else c
        frame = self._run(rel.aggregate(n=c.count(), s=c.sum().cast("float64")), f"{column}: count and sum")
        n, s = int(frame["n"][0]), frame["s"][0]
        return n, (None if not n or s is None else float(s) / n)

    # ---- the sample --------------------------------------------------------------------------------------
    def sample_keys(self, schema: CRMSchema, size: int | None, seed: int, total: int):
        """The sampled customers' keys (an expression) with their ``__row`` (rank in key order).

        ``size`` None or at least ``total``: every customer. Else strata arm × outcome with proportional
        allocation (round half up), and within a stratum the customers of smallest draw ``md5(key|seed)``."""
        key = schema.key
        needed = [c.name for c in (schema.treatment, schema.outcome) if c is not None]
        rel = self.customers(needed, schema)
        if size is not None and size < total:
            parts = []
            if schema.treatment is not None:
                parts.append(rel[schema.treatment.name].cast("string").fill_null("∅"))
            if schema.outcome is not None:
                parts.append(_binary_outcome(rel, schema.outcome).cast("string"))
            stratum = parts[0] if parts else ibis.literal("")
            for p in parts[1:]:
                stratum = stratum + "|" + p
            rel = rel.mutate(__stratum=stratum, __u=_draw(rel[key], seed))
            counts = self._run(rel.group_by("__stratum").aggregate(n=rel.count()), "sample: customers per stratum")
            take = {s: int(size * n / total + 0.5) for s, n in counts.iter_rows()}
            alloc = ibis.cases(*[(rel["__stratum"] == s, t) for s, t in take.items()], else_=0)
            ranked = rel.mutate(__take=alloc, __rank=ibis.row_number().over(
                group_by=rel["__stratum"], order_by=[rel["__u"], rel[key]]))
            rel = ranked.filter(ranked["__rank"] < ranked["__take"])
        keys = rel.select(key)
        return keys.mutate(**{ROW: ibis.row_number().over(order_by=keys[key])})

    def pull_sample(self, numbered, schema: CRMSchema) -> pl.DataFrame:
        """The minimized rows of the sampled customers: :data:`PULLED_ROLES` columns, ``row`` as the key."""
        key = schema.key
        columns = [c.name for c in schema.columns if c.role in PULLED_ROLES]
        rel = self.customers(columns, schema)
        joined = numbered.join(rel, numbered[key] == rel[key]).select(
            **{key: numbered[ROW].cast("int64")}, **{c: rel[c] for c in columns}).order_by(key)
        return self._run(joined, "sample: features, treatment and outcome (no key, no identifier)")

    def pull_ground_truth(self, numbered, schema: CRMSchema) -> pl.DataFrame | None:
        """The synthetic generator's ground truth of the sampled customers (``[dataset] ground_truth``)."""
        d = next((d for d in self.dictionaries if d.ground_truth), None)
        if d is None:
            return None
        gt = self._resolve(d.ground_truth, "ground_truth")
        key = schema.key
        if key not in gt.columns:
            raise SourceError(f"Ground-truth table {d.ground_truth!r} has no column {key!r}.")
        kept = [c for c in gt.columns if c != key]
        joined = numbered.join(gt, numbered[key] == gt[key].cast("string")).select(
            **{key: numbered[ROW].cast("int64")}, **{c: gt[c] for c in kept}).order_by(key)
        return self._run(joined, "sample: ground truth of the synthetic generator")

    # ---- events ------------------------------------------------------------------------------------------
    def _events(self, schema: CRMSchema):
        ev = schema.events
        t = self.table(schema.events_table)
        return self._not_erased(t, ev.key) if ev.key else t

    def events_as_of(self, schema: CRMSchema):
        ev = schema.events
        t = self._events(schema)
        return self._run(t.aggregate(m=t[ev.timestamp_column].cast("timestamp").max()), "events: latest time")["m"][0]

    def category_values(self, schema: CRMSchema, columns: Sequence[str]) -> dict:
        """The first 30 values (sorted as DuckDB sorts text: by code point) of each categorical event column."""
        t = self._events(schema)
        out = {}
        for col in columns:
            v = t[col].cast("string")
            frame = self._run(t.filter(v.notnull()).select(v=v).distinct().limit(10_000), f"events: values of {col}")
            out[col] = sorted(frame["v"].to_list())[:30]
        return out

    def event_features(self, numbered, schema: CRMSchema, window_days: int | None, *, as_of, values: dict,
                       categories: Sequence[str], amounts: Sequence[str], recent_days: int = 90) -> pl.DataFrame:
        """:func:`analysis.store._features.event_features` of the sampled customers, computed by the engine
        (joined to the sample there); rows keyed by ``row``."""
        ev = schema.events
        key = schema.key
        t = self._events(schema)
        ts = t[ev.timestamp_column].cast("timestamp")
        window = int(window_days) if window_days is not None else 100_000
        as_of_ts = ibis.literal(as_of, type="timestamp")
        w = t.filter(ts > ibis.literal(as_of - timedelta(days=window), type="timestamp"))
        w = w.join(numbered, w[ev.key].cast("string") == numbered[key])
        wts = w[ev.timestamp_column].cast("timestamp")
        aggs: dict[str, Any] = {
            "events": ibis.least(w.count(), COUNT_CAP).cast("int64"),
            "active_days": ibis.least(wts.date().nunique(), COUNT_CAP).cast("int64"),
            "recency_days": as_of_ts.date().delta(wts.max().date(), unit="day").cast("int64"),
        }
        recent = None
        if window_days is None or window_days > recent_days:
            recent = wts > ibis.literal(as_of - timedelta(days=recent_days), type="timestamp")
            aggs["events_recent"] = ibis.least(w.count(where=recent), COUNT_CAP).cast("int64")
        for col in categories:
            vals = values.get(col) or []
            for v in vals:
                hit = w[col].cast("string") == v
                aggs[f"{col}={v}"] = ibis.least(w.count(where=hit), COUNT_CAP).cast("int64")
                if recent is not None and len(vals) <= RECENT_SPLIT_MAX_VALUES:
                    aggs[f"{col}={v} (last {recent_days}d)"] = ibis.least(w.count(where=hit & recent),
                                                                          COUNT_CAP).cast("int64")
        for col in amounts:
            aggs[f"{col}_total"] = w[col].cast("float64").sum().fill_null(0.0)
        grouped = w.group_by(**{key: w[ROW].cast("int64")}).aggregate(**aggs).order_by(key)
        label = "all history" if window_days is None else f"last {window_days} days"
        return self._run(grouped, f"sample: event features ({label})")

    def trace_uniqueness(self, numbered, schema: CRMSchema, held_rows: Sequence[int], window_days: int | None, *,
                         as_of, column: str, points: int, seed: int, max_customers: int) -> dict:
        """Behavioural uniqueness among the held sampled customers, computed by the engine with the store's
        query (:func:`analysis.store._risk.behavioral_matches`, portable draws): ``customers, unique, eligible``."""
        ev = schema.events
        key = schema.key
        t = self._events(schema)
        ts = t[ev.timestamp_column].cast("timestamp")
        window = int(window_days) if window_days is not None else 100_000
        held = numbered.filter(numbered[ROW].isin([int(r) for r in held_rows]))
        w = t.filter(ts > ibis.literal(as_of - timedelta(days=window), type="timestamp"))
        w = w.join(held, w[ev.key].cast("string") == held[key])
        point = (w[ev.timestamp_column].cast("timestamp").date().cast("string").fill_null("∅") + "|"
                 + w[column].cast("string").fill_null("∅"))
        pts = w.select(who=w[ev.key].cast("string"), point=point).distinct()
        sizes = pts.group_by("who").aggregate(n_points=pts.count())
        sample = sizes.order_by([_draw(sizes.who, seed), sizes.who]).limit(int(max_customers))
        drawn = pts.join(sample, "who")
        drawn = drawn.mutate(draw=ibis.row_number().over(
            group_by=drawn.who, order_by=[md5(drawn.point + "|" + drawn.who + "|" + str(int(seed))), drawn.point]))
        chosen = drawn.filter((drawn.n_points >= points) & (drawn.draw < points))
        other = pts.select(other=pts.who, opoint=pts.point)
        pairs = chosen.join(other, chosen.point == other.opoint)
        matches = pairs.group_by(["who", "other"]).aggregate(n=pairs.count())
        matches = matches.filter(matches.n == points)
        per_target = matches.group_by("who").aggregate(matching=matches.count())
        frame = self._run(
            per_target.aggregate(unique=per_target.count(where=per_target.matching == 1)).cross_join(
                chosen.aggregate(customers=chosen.who.nunique())).cross_join(
                sizes.aggregate(eligible=sizes.count(where=sizes.n_points >= points))),
            "behavioural uniqueness: counts")
        return {"points": int(points), **{c: int(frame[c][0] or 0) for c in ("customers", "unique", "eligible")}}


def _binary_outcome(rel, outcome):
    """The 0/1 outcome the model learns (as :func:`analysis.store._sample.binary_outcome_sql`)."""
    c = rel[outcome.name]
    if outcome.type == "boolean":
        return c.cast("boolean").fill_null(False)
    if outcome.positive is not None:
        return (c.cast("string").lower() == outcome.positive.lower()).fill_null(False)
    return (c.cast("float64").fill_null(0) > 0).fill_null(False)
