"""Speed of the breach Monte Carlo.

Run: ``python bench/bench_breach.py`` (from the repository root). Prints the best and median wall time of
``simulate_breach`` over a few repeats for 100,000 and 1,000,000 simulated years, at the default breach
frequency and at a high one (more breaches to draw), and of ``mitigation_value`` (8 distinct simulations).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.breach import Holding, mitigation_value, simulate_breach  # noqa: E402

HOLDING = Holding(records=250_000, categories=("contact", "demographic", "financial", "transactional"),
                  pseudonymized=False)
HIGH_FREQUENCY = {"breach_frequency": {"low": 1, "value": 2, "high": 5}}


def _time(fn, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    simulate_breach(HOLDING, years=1_000)  # warm-up (imports, first allocation)
    print(f"{'case':<66} {'best s':>8} {'median s':>9}")
    cases = (("default frequency (E≈0.077/yr)", None), ("high frequency (E≈2.3/yr)", HIGH_FREQUENCY))
    for label, assumptions in cases:
        for years in (100_000, 1_000_000):
            best, median = _time(lambda: simulate_breach(HOLDING, assumptions, years=years, seed=1), 5)
            case = f"simulate_breach {years:>9,} years, {label}"
            print(f"{case:<66} {best:8.3f} {median:9.3f}")
    best, median = _time(lambda: mitigation_value(HOLDING, years=100_000, seed=1), 3)
    print(f"{'mitigation_value 100,000 years (8 distinct simulations)':<66} {best:8.3f} {median:9.3f}")


if __name__ == "__main__":
    main()
