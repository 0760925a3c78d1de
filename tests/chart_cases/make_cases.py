"""Rebuild the frontier tables the label tests draw: the nine presets on the 50,000-customer demo and on the
UCI Bank Marketing sample, as the app computes them (default settings).

    .venv/bin/python tests/chart_cases/make_cases.py     # about a minute on 2 cores
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

COLUMNS = ["name", "incremental_conversions", "gain_ci_low", "gain_ci_high", "risk_index", "on_frontier"]


def main() -> None:
    from analysis import PRESETS, Store, load_crm, load_dictionary, run_scenarios
    from analysis.demo import ensure_demo

    with tempfile.TemporaryDirectory() as tmp:
        demo = ensure_demo(Path(tmp) / "demo" / "crm.duckdb", customers=50_000, seed=7)
        bank = Store(Path(tmp) / "bank.duckdb")
        bank.ingest(load_dictionary(ROOT / "data" / "bank_marketing.toml"), [ROOT / "data" / "bank.csv"])
        for name, store in (("demo", demo), ("bank", bank)):
            table = run_scenarios(list(PRESETS), load_crm(store)).table.select(COLUMNS)
            table.write_csv(HERE / f"frontier_{name}.csv")
            print(f"wrote {HERE / f'frontier_{name}.csv'} ({table.height} scenarios)")


if __name__ == "__main__":
    main()
