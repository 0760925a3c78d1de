"""``python -m analysis erase``: honour erasure requests by key in every table of the store, all or nothing."""

from __future__ import annotations

from analysis.cli._common import _dump

__all__ = ["cmd_erase"]


def cmd_erase(args) -> int:
    """Print what was removed: counts only (small counts as "<5"), never a key."""
    from analysis.formatting import count
    from analysis.store import erase

    report = erase(args.db, args.keys)
    d = report.to_dict()
    if args.json:
        print(_dump({**d, "keys_requested": _small(d["keys_requested"]), "keys_found": _small(d["keys_found"]),
                     "keys_already_erased": _small(d["keys_already_erased"]),
                     "keys_not_found": _small(d["keys_not_found"]),
                     "rows_removed": {t: _small(n) for t, n in d["rows_removed"].items()}}))
        return 0
    print(f"Erased {count(report.keys_found)} of {count(report.keys_requested)} customer key(s) from {args.db} "
          f"in {report.seconds:.2f} s.")
    for table, n in report.rows_removed:
        print(f"  {table}: {count(n)} row(s) removed")
    if report.keys_already_erased:
        print(f"{count(report.keys_already_erased)} key(s) had been erased before.")
    if report.keys_not_found:
        print(f"warning: {count(report.keys_not_found)} key(s) matched no stored customer (check how the keys are "
              "written; they are matched exactly as an ingest's erasure list). They are remembered, so a later "
              "ingest drops them.")
    return 0


def _small(n: int):
    from analysis.formatting import small

    return small(n)
