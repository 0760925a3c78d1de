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
    from analysis.risk.profile import explain, risk_profile
    from analysis.store import Store

    store = Store(args.db)
    if not store.exists:
        return _err(f"database {args.db} does not exist.")
    schema = store.schema()
    quasi = [c for c in args.quasi.split(",") if c] if args.quasi else list(schema.quasi_identifiers)
    sensitive = [c for c in args.sensitive.split(",") if c] if args.sensitive else []
    known = {schema.key, *schema.column_names}
    for c in quasi + sensitive:
        if c not in known:
            return _err(f"unknown column {c!r}; columns in {args.db}: {', '.join(map(repr, sorted(known)))}")
    # measured in place, in DuckDB (memory limit, spills to disk): no customer row is read into Python
    table = store.customers_table(quasi + sensitive, schema=schema)
    profile = risk_profile(table, quasi, sensitive, threshold=args.threshold, population=args.population)
    d = profile.to_dict()
    if args.json:
        print(_dump(d))
    else:
        for line in explain(profile):
            _say(line)
    return 0
