"""Speed of the issue-13 outputs on a synthetic CRM: the customer notice of every preset (with its Flesch score),
the record of processing, the notice diff, and ``erase`` of 1 and 1,000 keys (all or nothing: copy, delete from
every table, checkpoint, rename) against the database size.

Run: ``.venv/bin/python bench/bench_transparency.py [--customers 50000] [--seed 7]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import PRESETS, Store, load_crm  # noqa: E402
from analysis.demo import ingest_generated  # noqa: E402
from analysis.store._erase import erase  # noqa: E402
from analysis.synthetic import generate  # noqa: E402
from analysis.transparency import notice, notice_diff, record_of_processing  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(args.customers, seed=args.seed, out_dir=Path(tmp) / "files")
        db = Path(tmp) / "crm.duckdb"
        ingest_generated(files, db)
        data = load_crm(Store(db))
        started = time.perf_counter()
        notice(PRESETS[0], data)  # first call loads textstat's dictionary
        first = time.perf_counter() - started
        print(f"{args.customers:,} customers, {files.n_events:,} events, database {db.stat().st_size / 1e6:.1f} MB")
        print(f"first notice (textstat import included): {first:.2f} s")
        notices = {}
        for p in PRESETS:
            started = time.perf_counter()
            notices[p.name] = notice(p, data)
            print(f"  notice {p.name:30} {1000 * (time.perf_counter() - started):7.1f} ms  "
                  f"Flesch {notices[p.name].readability.flesch_reading_ease:5.1f}  "
                  f"{notices[p.name].readability.words} words")
        started = time.perf_counter()
        record_of_processing(PRESETS[-1], data)
        notice_diff(notices[PRESETS[0].name], notices[PRESETS[-1].name])
        print(f"record of processing + diff: {1000 * (time.perf_counter() - started):.1f} ms")
        keys = data.customers[data.schema.key]
        for n in (1, 1000):
            path = Path(tmp) / f"keys{n}.txt"
            path.write_text("\n".join(keys.slice(n, n).to_list()), encoding="utf-8")
            started = time.perf_counter()
            report = erase(db, path)
            removed = sum(r for _, r in report.rows_removed)
            print(f"erase {n:>5,} key(s): {time.perf_counter() - started:.2f} s ({removed:,} rows removed from "
                  f"{len(report.rows_removed)} tables)")


if __name__ == "__main__":
    main()
