"""How fast the synthetic CRM is generated and written.

Run: ``python bench/bench_generate.py [N ...]`` (default: 50,000 and 1,000,000 customers, Parquet, seed 7).
Prints, per size and format, the seconds to simulate in memory and to write the files, the event count
and the MB written.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.synthetic import generate, generate_frames  # noqa: E402


def bench(n_customers: int, file_format: str = "parquet") -> dict[str, float]:
    started = time.perf_counter()
    generate_frames(n_customers, seed=7)
    in_memory = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        files = generate(n_customers, seed=7, out_dir=out, file_format=file_format)
        total = time.perf_counter() - started
        written = sum(p.stat().st_size for p in Path(out).iterdir())
    return {
        "customers": n_customers,
        "format": file_format,
        "seconds_in_memory": round(in_memory, 2),
        "seconds_with_files": round(total, 2),
        "events": files.n_events,
        "mb_written": round(written / 1e6, 1),
    }


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [50_000, 1_000_000]
    for n in sizes:
        for fmt in ("parquet", "csv"):
            print(bench(n, fmt), flush=True)
