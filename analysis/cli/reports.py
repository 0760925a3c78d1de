"""``python -m analysis report | verify | review``: saved reports for ethics boards."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from analysis.cli._common import _err
from analysis.report import FILES, build_report, record_review, save_report, verify_report
from analysis.report.registry import check_review_chain
from analysis.report.signing import key_id, public_key_hex, trusted_public_key
from analysis.cli.scenarios import assumptions_from_args, business_from_args, policy_from_args, simulation_from_args
from analysis.scenario import ScenarioError

__all__ = ["cmd_report", "cmd_verify", "cmd_review"]


def cmd_report(args) -> int:
    """``python -m analysis report``: build, save and register a report; prints where and its id. Every option of
    ``simulate`` (business settings, assumptions and region, policy, population, robustness draws) reaches it."""
    from analysis.scenario import PRESETS, load_scenarios

    out = Path(args.out)
    if out.exists():
        return _err(f"{out} already exists: saved reports are never overwritten. Choose a new --out directory.")
    from analysis.cli._source import store_or_error, uses_warehouse, warehouse_of

    warehouse = None
    if uses_warehouse(args):
        from analysis.warehouse import WarehouseCRM

        warehouse = warehouse_of(args)
        db = WarehouseCRM(warehouse)
    else:
        db = store_or_error(args)
        if not Path(db).exists():
            return _err(f"database {args.db} does not exist: ingest data or run `python -m analysis generate --db`.")
    try:
        specs = list(PRESETS) if args.scenarios is None else load_scenarios(args.scenarios)
    except ScenarioError as exc:
        return _err(str(exc))
    try:
        return _report(args, specs, db, out)
    finally:
        if warehouse is not None:
            warehouse.close()


def _report(args, specs, db, out: Path) -> int:
    started = time.perf_counter()
    content = build_report(
        specs, db, title=args.title, purpose=args.purpose, settings=business_from_args(args),
        assumptions=assumptions_from_args(args), policy=policy_from_args(args),
        simulation=simulation_from_args(args), robustness_draws=args.draws,
        progress=lambda m: print(f"… {m}", file=sys.stderr, flush=True))
    print("… rendering HTML and PDF", file=sys.stderr, flush=True)
    saved = save_report(content, out)
    print(f"Saved report {saved.report_id[:16]} in {out} ({time.perf_counter() - started:.1f} s):")
    for name in FILES:
        print(f"  {name:12} {(out / name).stat().st_size:>10,} bytes  sha256 {saved.hashes[name]}")
    print(f"Registered in {saved.registry}.")
    public = trusted_public_key()
    print(f"Signed (Ed25519) with key {key_id(public)}; check it with `python -m analysis verify {out} --public-key "
          f"{public_key_hex(public)}`.")
    return 0


def cmd_verify(args) -> int:
    """``python -m analysis verify DIR [--db]``: exit 0 when every check passes, 1 with the problems otherwise."""
    d = Path(args.dir)
    if not d.is_dir():
        return _err(f"{d} is not a directory.")
    r = verify_report(d, args.db, public_key=args.public_key, rerun=not args.no_rerun,
                      progress=lambda m: print(f"… {m}", file=sys.stderr, flush=True))
    for c in r.checks:
        print(f"ok: {c}")
    for p in r.problems:
        print(f"FAILED: {p}", file=sys.stderr)
    print(("Verified: the report is intact and its figures reproduce." if r.ok and r.reran else
           "Verified: the report is intact (its figures were not re-run)." if r.ok else
           f"Verification failed ({len(r.problems)} problem(s)).") + f" ({r.seconds:.1f} s)")
    return 0 if r.ok else 1


def cmd_review(args) -> int:
    """``python -m analysis review DIR --decision … --reviewer … --comment …``."""
    d = Path(args.dir)
    if not (d / "manifest.json").exists():
        return _err(f"{d} is not a saved report (no manifest.json).")
    problems = check_review_chain(d, trusted_public_key())
    if problems:
        return _err("the review log was tampered with, so no review can be added: " + " ".join(problems))
    e = record_review(d, args.decision, args.reviewer, args.comment)
    print(f"Recorded review #{e['seq']} ({e['decision'].replace('_', ' ')}) by {e['reviewer']} at {e['time']} UTC; "
          f"entry hash {e['hash'][:16]}.")
    return 0
