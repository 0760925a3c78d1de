"""Command line: ``python -m analysis <command> …`` (ingest, generate, simulate, risk, report, verify, review).

Errors a user can act on are printed as one clear message on stderr with exit code 2; nothing raw (no
customer values) is ever printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Sequence

__all__ = ["main"]


def _err(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def _json_default(o):
    import numpy as np

    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.ndarray,)):
        return o.tolist()
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


def _dump(obj) -> str:
    return json.dumps(_finite(obj), indent=2, default=_json_default, ensure_ascii=False, allow_nan=False)


def _finite(obj):
    """NaN/inf → None so the JSON is strict."""
    import math

    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


# ---- commands ------------------------------------------------------------------------------------------
def cmd_ingest(args) -> int:
    from .dictionary import load_dictionary
    from .store import Store

    dictionary = load_dictionary(args.dictionary)
    report = Store(args.db).ingest(dictionary, args.files, erasure_list=args.erasure_list)
    d = report.to_dict()
    if args.json:
        print(_dump(d))
    else:
        print(
            f"Loaded {d['rows_stored']:,} of {d['rows_read']:,} rows into dataset {d['dataset']!r} "
            f"({d['rows_erased']:,} erased, {d['rows_rejected']:,} rejected) in {d['seconds']:.2f} s."
        )
        if d["skipped_columns"]:
            print(f"Not loaded (not in the dictionary): {', '.join(d['skipped_columns'])}")
        if d["pseudonymized_columns"]:
            print(f"Pseudonymized: {', '.join(d['pseudonymized_columns'])}")
    return 0


def cmd_generate(args) -> int:
    from .synthetic import generate

    started = time.perf_counter()
    files = generate(args.customers, seed=args.seed, out_dir=args.out)
    print(
        f"Generated {files.n_customers:,} customers and {files.n_events:,} events in "
        f"{time.perf_counter() - started:.1f} s into {args.out}",
        file=sys.stderr,
    )
    if args.db:
        from .demo import ingest_generated

        ingest_generated(files, args.db, progress=_progress)
        print(f"Ingested into {args.db}", file=sys.stderr)
    return 0


def _load_specs(path: str | None):
    from .scenario import PRESETS, load_scenarios

    return list(PRESETS) if path is None else load_scenarios(path)


def _business(args):
    from .tradeoff import BusinessSettings

    return BusinessSettings(
        value_per_conversion=args.value_per_conversion,
        campaigns_per_year=args.campaigns_per_year,
        horizon_years=args.horizon,
    )


def cmd_simulate(args) -> int:
    from .assumptions import load_assumptions
    from .store import Store
    from .tradeoff import run_scenarios

    store = Store(args.db)
    if not store.exists:
        return _err(f"database {args.db} does not exist: ingest data or run `python -m analysis generate --db`.")
    specs = _load_specs(args.scenarios)
    t = run_scenarios(
        specs,
        store,
        settings=_business(args),
        assumptions=load_assumptions(args.assumptions),
        progress=_progress,
    )
    if args.json:
        print(_dump(t.to_dict()))
        return 0
    rows = {r["name"]: r for r in t.table.to_dicts()} if not t.table.is_empty() else {}
    has_truth = any(r.get("true_incremental_conversions") is not None for r in rows.values())
    header = (
        f"{'scenario':32} {'kind':9} {'incr. conv.':>11} {'95% CI':>17}"
        + (f" {'true':>6}" if has_truth else "")
        + f" {'kept':>5} {'exposure':>8} {'E[loss]/yr':>11} {f'net {t.settings.horizon_years}y':>11}  frontier"
    )
    print(header)
    print("-" * len(header))
    for r in t.results:
        if not r.ok:
            print(f"{r.spec.name[:32]:32} not applicable: {r.reason}")
            continue
        row = rows[r.spec.name]
        kept = "" if row["gain_retained"] is None else f"{row['gain_retained']:.0%}"
        ci = f"[{row['gain_ci_low']:,.0f}, {row['gain_ci_high']:,.0f}]"
        true = f" {row['true_incremental_conversions']:6,.0f}" if has_truth else ""
        print(
            f"{r.spec.name[:32]:32} {row['kind']:9} {row['incremental_conversions']:11,.0f} {ci:>17}{true} "
            f"{kept:>5} {row['risk_index']:8.1f} {row['expected_annual_loss']:11,.0f} {row['net_value']:11,.0f}  "
            f"{'yes' if row['on_frontier'] else 'no'}"
        )
    print()
    print(f"incr. conv. = extra conversions per campaign when the top {t.results[0].spec.k:.0%} are contacted"
          + ("; true = the same from the synthetic ground truth" if has_truth else "")
          + "; exposure = composite index 0–100 (see --json for its parts).")
    print()
    print(t.recommendation)
    return 0


def cmd_risk(args) -> int:
    from .risk import explain, risk_profile
    from .store import Store

    store = Store(args.db)
    if not store.exists:
        return _err(f"database {args.db} does not exist.")
    frame = store.customers()
    quasi = [c for c in args.quasi.split(",") if c] if args.quasi else list(store.schema().quasi_identifiers)
    sensitive = [c for c in args.sensitive.split(",") if c] if args.sensitive else []
    known = set(frame.columns)
    for c in quasi + sensitive:
        if c not in known:
            return _err(f"unknown column {c!r}; columns in {args.db}: {', '.join(sorted(known))}")
    profile = risk_profile(frame, quasi, sensitive, threshold=args.threshold, population=args.population)
    d = profile.to_dict()
    if args.json:
        print(_dump(d))
    else:
        for line in explain(profile):
            print(line)
    return 0


def cmd_report(args) -> int:
    from .report import build_report_cli

    return build_report_cli(args)


def cmd_verify(args) -> int:
    from .report import verify_cli

    return verify_cli(args)


def cmd_review(args) -> int:
    from .report import review_cli

    return review_cli(args)


# ---- parser --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description="PrivacyLift: personalization vs privacy.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="load CSV/Parquet files described by a data dictionary into DuckDB")
    s.add_argument("--db", required=True)
    s.add_argument("--dictionary", required=True)
    s.add_argument("--erasure-list", help="file of customer keys (one per line) who asked for erasure")
    s.add_argument("--json", action="store_true")
    s.add_argument("files", nargs="+")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("generate", help="write a synthetic CRM with known ground truth")
    s.add_argument("--customers", type=int, default=50_000)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--out", required=True)
    s.add_argument("--db", help="also ingest what was generated into this database")
    s.set_defaults(func=cmd_generate)

    def business(sp):
        sp.add_argument("--assumptions", help="TOML file overriding breach/trust assumptions")
        sp.add_argument("--value-per-conversion", type=float, default=40.0,
                        help="contribution margin of one extra conversion, USD (assumption: 40)")
        sp.add_argument("--campaigns-per-year", type=int, default=12,
                        help="personalized campaigns a year (assumption: 12)")
        sp.add_argument("--horizon", type=int, default=3, choices=(1, 3))

    s = sub.add_parser("simulate", help="run scenarios (default: the presets) and compare them")
    s.add_argument("--db", required=True)
    s.add_argument("--scenarios", help="TOML or JSON file of scenarios")
    s.add_argument("--json", action="store_true")
    business(s)
    s.set_defaults(func=cmd_simulate)

    s = sub.add_parser("risk", help="re-identification and disclosure profile of the stored customers")
    s.add_argument("--db", required=True)
    s.add_argument("--quasi", help="comma-separated quasi-identifiers (default: the dictionary's)")
    s.add_argument("--sensitive", help="comma-separated sensitive columns")
    s.add_argument("--threshold", type=float, default=0.2)
    s.add_argument("--population", type=int)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_risk)

    s = sub.add_parser("report", help="write report.json/.html/.pdf for an ethics board and register it")
    s.add_argument("--db", required=True)
    s.add_argument("--scenarios")
    s.add_argument("--out", required=True)
    s.add_argument("--title", default="Personalization and privacy: scenario review")
    s.add_argument("--purpose", default="")
    business(s)
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("verify", help="check a saved report's hashes and re-run its scenarios")
    s.add_argument("dir")
    s.add_argument("--db", help="database to re-run on (default: the one recorded in the report)")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("review", help="record a board decision on a saved report")
    s.add_argument("dir")
    s.add_argument("--decision", required=True, choices=("approved", "changes_requested", "rejected"))
    s.add_argument("--reviewer", required=True)
    s.add_argument("--comment", default="")
    s.set_defaults(func=cmd_review)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from .dictionary import DictionaryError
    from .scenario import ScenarioError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DictionaryError, ScenarioError, FileNotFoundError, ValueError, KeyError) as exc:
        return _err(str(exc))
