"""``python -m analysis ingest | generate | risk``: data in, synthetic data, the stored data's exposure."""

from __future__ import annotations

import sys
import time

from analysis.cli._common import _dump, _err, _progress, _say, _warn

__all__ = ["cmd_ingest", "cmd_generate", "cmd_risk"]


def cmd_ingest(args) -> int:
    from analysis.dictionary import load_dictionary
    from analysis.store import Store

    dictionary = load_dictionary(args.dictionary)
    report = Store(args.db).ingest(dictionary, args.files, erasure_list=args.erasure_list)
    d = report.to_dict()
    for warning in report.warnings:
        _warn(warning)
    if args.json:
        print(_dump(d))
    else:
        _say(
            f"Loaded {d['rows_stored']:,} of {d['rows_read']:,} rows into dataset {d['dataset']!r} "
            f"({d['rows_erased']:,} erased, {d['rows_rejected']:,} rejected) in {d['seconds']:.2f} s."
        )
        if d["skipped_columns"]:
            _say(f"Not loaded (not in the dictionary): {', '.join(map(repr, d['skipped_columns']))}")
        if d["pseudonymized_columns"]:
            _say(f"Pseudonymized: {', '.join(map(repr, d['pseudonymized_columns']))}")
        for line in d.get("notes", ()):
            _say(f"Note: {line}")
    return 0


def cmd_generate(args) -> int:
    from analysis.synthetic import generate

    started = time.perf_counter()
    files = generate(args.customers, seed=args.seed, out_dir=args.out)
    print(
        f"Generated {files.n_customers:,} customers and {files.n_events:,} events in "
        f"{time.perf_counter() - started:.1f} s into {args.out}",
        file=sys.stderr,
    )
    if args.db:
        from analysis.demo import ingest_generated

        ingest_generated(files, args.db, progress=_progress)
        print(f"Ingested into {args.db}", file=sys.stderr)
    return 0


def cmd_risk(args) -> int:
    from analysis.cli._source import store_or_error, uses_warehouse, warehouse_of
    from analysis.store import Store

    if uses_warehouse(args):
        warehouse = warehouse_of(args)
        try:
            return _risk(args, warehouse, warehouse.description)
        finally:
            warehouse.close()
    store = Store(store_or_error(args))
    if not store.exists:
        return _err(f"database {args.db} does not exist.")
    return _risk(args, store, args.db)


def _risk(args, store, where: str) -> int:
    from analysis.risk.profile import explain, risk_profile

    schema = store.schema()
    quasi = [c for c in args.quasi.split(",") if c] if args.quasi else list(schema.quasi_identifiers)
    sensitive = [c for c in args.sensitive.split(",") if c] if args.sensitive else []
    known = {schema.key, *schema.column_names}
    for c in quasi + sensitive:
        if c not in known:
            return _err(f"unknown column {c!r}; columns in {where}: {', '.join(map(repr, sorted(known)))}")
        if hasattr(store, "pulled_summary") and (c == schema.key or schema.column(c).role == "direct_identifier"):
            return _err(f"column {c!r} is a direct identifier or the key: on a warehouse it is never read (it is "
                        "not pseudonymized there).")
    # measured in place, in DuckDB (memory limit, spills to disk) or in the warehouse: no customer row is read
    table = store.customers_table(quasi + sensitive, schema=schema)
    profile = risk_profile(table, quasi, sensitive, threshold=args.threshold, population=args.population)
    d = profile.to_dict()
    pulled = getattr(store, "pulled_summary", None)
    if pulled is not None:
        d["source"] = {"engine": store.description, "pulled": pulled()}
    if args.json:
        print(_dump(d))
    else:
        for line in explain(profile):
            _say(line)
        if pulled is not None:
            rows = sum(p["rows"] for p in pulled())
            _say(f"Measured in {store.description}: {rows:,} rows of aggregates left the engine "
                  f"({len(pulled())} queries; no customer row, key or identifier).")
    return 0
