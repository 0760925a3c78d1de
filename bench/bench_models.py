"""Speed of one scenario's train-and-measure step (``analysis.lift.evaluate.train_and_measure``).

100,000 synthetic customers × 30 features in [0, 1], a randomized campaign with 3 arms and a control
(equal shares), 70 % training / 30 % test, k = 30 %, 200 bootstrap resamples; each model timed cold-ish
(best of ``--repeat`` runs). ``--threads`` is passed to ``train_and_measure``: 1 (its default) limits the
native thread pools (OpenMP, BLAS) to one thread; 0 lets them use every core.

``--selection`` measures instead what ``model="auto"`` costs (``analysis.lift.selection``): on the synthetic CRM
(``analysis.demo``, the status-quo scenario's features and split) at each ``--customers`` size, the CPU time of
the selection (every candidate cross-validated on the training split) against **training one model**: each
candidate learner fitted once on the whole training split (their mean is "one model"; the status quo's
T-learner with logistic regression is shown beside it). CPU seconds of this process with one native thread
(wall seconds too: on a loaded machine they are longer). The bar: selection ≤ 3 × one model.

Run: ``python bench/bench_models.py [--rows 100000] [--repeat 2] [--threads 1] [--json]``
     ``python bench/bench_models.py --selection [--customers 12000 50000 100000] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.lift.evaluate import train_and_measure  # noqa: E402

MODELS = (("hgb", None), ("logistic", None), ("dp_logistic", 1.0), ("dp_gaussian_nb", 1.0))


def campaign(rows: int, features: int = 30, arms: int = 3, seed: int = 0):
    """Synthetic campaign: each arm's uplift depends on a different feature."""
    rng = np.random.default_rng(seed)
    X = rng.random((rows, features))
    arm = rng.integers(0, arms + 1, rows)  # 0 = control
    base = 0.08 + 0.1 * X[:, 1] + 0.05 * X[:, 3]
    per_arm = [0.12 * (X[:, 0] - 0.3), 0.1 * (X[:, 2] - 0.5), np.full(rows, 0.02)]
    true_uplift = np.column_stack(per_arm)[:, :arms]
    effect = np.where(arm > 0, true_uplift[np.arange(rows), np.maximum(arm - 1, 0)], 0.0)
    y = (rng.random(rows) < base + effect).astype(int)
    revenue = y * rng.gamma(2.0, 30.0, rows)
    return X, y, arm, true_uplift, revenue


def run(rows: int = 100_000, repeat: int = 2, threads: int | None = 1) -> list[dict]:
    X, y, arm, true_uplift, revenue = campaign(rows)
    cut = int(rows * 0.7)
    figures = []
    for model, epsilon in MODELS:
        seconds = []
        for _ in range(repeat):
            start = time.perf_counter()
            result, _ = train_and_measure(
                X[:cut], y[:cut], X[cut:], y[cut:], treatment_train=arm[:cut], treatment_test=arm[cut:],
                model=model, epsilon=epsilon, revenue_test=revenue[cut:], true_uplift_test=true_uplift[cut:],
                k=0.3, n_boot=200, seed=0, threads=threads)
            seconds.append(time.perf_counter() - start)
        figures.append({"model": model, "epsilon": epsilon, "rows": rows, "train_rows": cut,
                        "features": X.shape[1], "arms": 3, "threads": threads or "all",
                        "seconds_best": round(min(seconds), 3), "seconds_all": [round(s, 3) for s in seconds],
                        "qini_auc": round(result.qini_auc, 4),
                        "share_of_oracle": round(result.share_of_oracle, 3)})
    return figures


def _best_cpu(work, repeat: int):
    """(result, best CPU seconds, wall seconds of that run) over ``repeat`` runs."""
    best = None
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        out = work()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if best is None or cpu < best[1]:
            best = (out, cpu, wall)
    return best


def selection_cost(customers: int, repeat: int = 2) -> dict:
    """Selection vs training one model on the synthetic CRM of ``customers`` (module docstring)."""
    import os
    import tempfile

    from threadpoolctl import threadpool_limits

    from analysis import Scenario, load_crm
    from analysis.demo import ensure_demo
    from analysis.lift.learners import build_learner
    from analysis.lift.models import TwoModelUplift, make_classifier
    from analysis.lift.selection import CANDIDATES, FOLDS, MAX_ROWS, select_learner
    from analysis.minimize import prepare

    with tempfile.TemporaryDirectory() as tmp:
        p = prepare(Scenario(name="Status quo"), load_crm(ensure_demo(Path(tmp) / "crm.duckdb", customers=customers)))
    X, y, t = p.X_train, p.y_train.astype(np.int64), p.treatment_train
    load = os.getloadavg()[0]
    with threadpool_limits(1):
        fits = {name: _best_cpu(lambda name=name: build_learner(name).fit(X, y, t), repeat)[1:]
                for name in CANDIDATES}
        status_quo = _best_cpu(lambda: TwoModelUplift(make_classifier("logistic")).fit(X, y, t), repeat)[1:]
        choice, cpu, wall = _best_cpu(lambda: select_learner(X, y, t, seed=0), repeat)
    one_model = float(np.mean([c for c, _ in fits.values()]))
    return {"customers": customers, "train_rows": len(y), "features": X.shape[1], "folds": FOLDS,
            "selection_rows": min(len(y), MAX_ROWS), "load_before": round(load, 1),
            "load_after": round(os.getloadavg()[0], 1), "selection_cpu_s": round(cpu, 3),
            "selection_wall_s": round(wall, 3), "one_model_cpu_s": round(one_model, 3),
            "status_quo_cpu_s": round(status_quo[0], 3), "ratio_to_one_model": round(cpu / one_model, 2),
            "ratio_to_status_quo": round(cpu / status_quo[0], 2), "chosen": choice.chosen,
            "candidates_cpu_s": {name: round(c, 3) for name, (c, _) in fits.items()}}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="0 = every core")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--selection", action="store_true", help="cost of model='auto' against one model")
    parser.add_argument("--customers", type=int, nargs="+", default=[12_000, 50_000, 100_000])
    args = parser.parse_args(argv)
    if args.selection:
        figures = [selection_cost(n, args.repeat) for n in args.customers]
        if args.json:
            print(json.dumps(figures, indent=2))
            return
        print("| customers | train rows | rows in CV | selection CPU s (wall) | one model CPU s | ratio | "
              "status quo CPU s | ratio to status quo | chosen | load |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for f in figures:
            print(f"| {f['customers']:,} | {f['train_rows']:,} | {f['selection_rows']:,} | "
                  f"{f['selection_cpu_s']:.2f} ({f['selection_wall_s']:.2f}) | {f['one_model_cpu_s']:.2f} | "
                  f"{f['ratio_to_one_model']:.2f}× | {f['status_quo_cpu_s']:.2f} | {f['ratio_to_status_quo']:.1f}× | "
                  f"{f['chosen']} | {f['load_before']}–{f['load_after']} |")
        return
    figures = run(args.rows, args.repeat, args.threads or None)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{'model':<16}{'ε':>6}{'threads':>9}{'best s':>9}  runs (s)        qini   share of oracle")
    for f in figures:
        print(f"{f['model']:<16}{str(f['epsilon'] or '-'):>6}{str(f['threads']):>9}"
              f"{f['seconds_best']:>9.2f}  {str(f['seconds_all']):<16}{f['qini_auc']:>6.3f}  "
              f"{f['share_of_oracle']:.3f}")


if __name__ == "__main__":
    main()
