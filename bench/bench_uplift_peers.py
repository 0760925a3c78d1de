"""PrivacyLift's uplift models against scikit-uplift 0.5.1 on the same split and the same features.

Datasets (every model sees exactly the features PrivacyLift builds for the status-quo scenario, and the same
70 / 30 training / held-out split of ``analysis.minimize``):

- **synthetic CRM** (``analysis.demo``: 50,000 customers, seed 7; a randomized campaign with two arms and a
  control, known true uplift). scikit-uplift's models take one treatment, so the side-by-side table treats
  any arm as treated (as the issue's Hillstrom measure did): every model learns "contacted or not", and the
  truth of a customer is the mean of their two arms' uplifts (each treated customer got either with
  probability ½). A second table gives PrivacyLift's own multi-arm figures (the best-arm policy).
- **Bank + a randomized uplift** (``data/bank.csv``, 4,521 real customers through ``data/bank_marketing.toml``):
  the sample has no treatment, so a randomized one is made: half the customers at random are "treated", a
  treated customer who did not subscribe does so with probability τ(x) > 0 and one who did is lost with
  probability −τ(x) when τ(x) < 0, τ a known function of age, balance, housing loan and the previous
  campaign's outcome (an assumption of this benchmark). The true uplift of a customer is (1 − y₀)·τ⁺ − y₀·τ⁻
  given their real outcome y₀. Results are averaged over ``--repeats`` draws of the treatment.
- **Bank, targeting** (the real outcome, no treatment): only a response model applies (scikit-uplift has none).

Models: ours — the status quo (T-learner with logistic regression, the former default) and ``auto`` (the
learner chosen by cross-validated Qini on the training split, then refitted); scikit-uplift — ``TwoModels``
with logistic regressions (TwoModels-LR), ``SoloModel`` and ``ClassTransformation`` with scikit-learn's
``HistGradientBoostingClassifier`` at its defaults (HGB). Figures: Qini coefficient (scikit-uplift's
``qini_auc_score`` definition) with a 95 % bootstrap interval, uplift@30 % (``overall``), the true share of
the oracle's incremental conversions at 30 % (ground truth), and fit + predict time (CPU seconds of this
process, one native thread; wall seconds beside them).

Run: ``python bench/bench_uplift_peers.py [--customers 50000] [--repeats 5] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from threadpoolctl import threadpool_limits  # noqa: E402

from analysis import Scenario, load_crm  # noqa: E402
from analysis.lift import bootstrap_qini, metrics  # noqa: E402
from analysis.lift.evaluate import train_and_measure  # noqa: E402
from analysis.lift.learners import build_learner, family_classifier  # noqa: E402
from analysis.lift.models import ResponseModel, TwoModelUplift, make_classifier  # noqa: E402
from analysis.lift.policy import top_mean  # noqa: E402
from analysis.lift.selection import gains_score, select_learner, select_response_model  # noqa: E402
from analysis.minimize import prepare  # noqa: E402

K = 0.3


def _timed(work):
    cpu, wall = time.process_time(), time.perf_counter()
    out = work()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def synthetic_crm(customers: int, folder: Path) -> dict:
    from analysis.demo import ensure_demo

    p = prepare(Scenario(name="Status quo"), load_crm(ensure_demo(folder / "crm.duckdb", customers=customers)))
    return dict(X_train=p.X_train, y_train=p.y_train, t_train=p.treatment_train, X_test=p.X_test,
                y_test=p.y_test, t_test=p.treatment_test, control=p.control, true_uplift=p.true_uplift_test,
                features=len(p.feature_names))


def bank(folder: Path):
    from analysis.dictionary import load_dictionary
    from analysis.store import Store

    store = Store(folder / "bank.duckdb")
    store.ingest(load_dictionary(ROOT / "data" / "bank_marketing.toml"), [ROOT / "data" / "bank.csv"])
    return prepare(Scenario(name="Status quo"), load_crm(store))


def bank_randomized(p, seed: int) -> dict:
    """The Bank customers with a randomized treatment and a known uplift (module docstring)."""
    names = p.feature_names
    X = np.vstack([p.X_train, p.X_test])
    y0 = np.r_[p.y_train, p.y_test].astype(np.int64)
    column = {name: X[:, names.index(name)] for name in names}
    age, balance = column["age"] * 82 + 18, column["balance"] * 110_000 - 10_000
    housing = column.get("housing", np.zeros(len(X)))
    success = column.get("poutcome=success", np.zeros(len(X)))
    tau = (0.12 * ((age < 30) | (age > 60)) + 0.08 * (balance > 1500) - 0.06 * housing + 0.10 * success
           - 0.02)
    rng = np.random.default_rng(seed)
    t = (rng.random(len(X)) < 0.5).astype(np.int64)
    draw = rng.random(len(X))
    y = np.where(t == 1, np.where(y0 == 1, (draw >= np.maximum(-tau, 0)).astype(int),
                                  (draw < np.maximum(tau, 0)).astype(int)), y0)
    truth = (1 - y0) * np.maximum(tau, 0) - y0 * np.maximum(-tau, 0)
    n = len(p.y_train)
    return dict(X_train=X[:n], y_train=y[:n], t_train=t[:n], X_test=X[n:], y_test=y[n:], t_test=t[n:],
                control=0, true_uplift=truth[n:, None], features=len(names))


def binary(d: dict) -> dict:
    """Any arm counts as treated; the truth is the mean of the arms' uplifts."""
    return {**d, "t_train": (d["t_train"] != d["control"]).astype(np.int64),
            "t_test": (d["t_test"] != d["control"]).astype(np.int64), "control": 0,
            "true_uplift": d["true_uplift"].mean(axis=1, keepdims=True)}


def _score(d, uplift) -> dict:
    y, t, truth = d["y_test"], d["t_test"], d["true_uplift"][:, 0]
    low, high = bootstrap_qini(y, uplift, t, n_boot=200, seed=0)
    return {"qini": metrics.qini_auc_score(y, uplift, t), "qini_low": low, "qini_high": high,
            "uplift_at_30": metrics.uplift_at_k(y, uplift, t, "overall", K),
            "true_share_of_oracle": top_mean(truth, uplift, K) / top_mean(truth, truth, K)}


def compare(d: dict) -> list[dict]:
    """Every model on one binary-treatment dataset: metrics and fit + predict time."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklift.models import ClassTransformation, SoloModel, TwoModels

    rows = []
    for model in ("status quo", "auto"):
        def work(model=model):
            if model == "status quo":
                name = "t_learner/logistic"
                fitted = TwoModelUplift(make_classifier("logistic")).fit(d["X_train"], d["y_train"], d["t_train"])
            else:
                name = select_learner(d["X_train"], d["y_train"], d["t_train"], seed=0).chosen
                fitted = build_learner(name).fit(d["X_train"], d["y_train"], d["t_train"])
            return name, fitted.predict_uplift(d["X_test"])[:, 0]

        (name, uplift), cpu, wall = _timed(work)
        rows.append({"library": "PrivacyLift", "model": f"{model} ({name})", **_score(d, uplift),
                     "cpu_s": cpu, "wall_s": wall})
    peers = {
        "TwoModels-LR": lambda: TwoModels(LogisticRegression(max_iter=1000), LogisticRegression(max_iter=1000)),
        "SoloModel-HGB": lambda: SoloModel(HistGradientBoostingClassifier(random_state=0)),
        "ClassTransformation-HGB": lambda: ClassTransformation(HistGradientBoostingClassifier(random_state=0)),
    }
    for name, make in peers.items():
        def work(make=make):
            model = make()
            model.fit(d["X_train"], d["y_train"], d["t_train"])
            return model.predict(d["X_test"])

        uplift, cpu, wall = _timed(work)
        rows.append({"library": "scikit-uplift 0.5.1", "model": name, **_score(d, np.asarray(uplift)),
                     "cpu_s": cpu, "wall_s": wall})
    return rows


def multi_arm(d: dict) -> list[dict]:
    rows = []
    for model in ("logistic", "auto"):
        (result, _), cpu, wall = _timed(lambda model=model: train_and_measure(
            d["X_train"], d["y_train"], d["X_test"], d["y_test"], treatment_train=d["t_train"],
            treatment_test=d["t_test"], control=d["control"], model=model, true_uplift_test=d["true_uplift"],
            k=K, n_boot=200, seed=0))
        rows.append({"model": result.model, "policy_qini": result.qini_auc, "qini_low": result.qini_ci_low,
                     "qini_high": result.qini_ci_high, "uplift_at_30": result.uplift_at_k,
                     "true_share_of_oracle": result.share_of_oracle,
                     "per_arm_qini": {e["arm"]: e["qini_auc"] for e in result.per_arm},
                     "cv_score": None if result.selection is None else result.selection["cv_score"],
                     "cpu_s_with_bootstrap": cpu, "wall_s": wall})
    return rows


def targeting(p) -> list[dict]:
    rows = []
    for model in ("status quo", "auto"):
        def work(model=model):
            family = "logistic" if model == "status quo" else select_response_model(
                p.X_train, p.y_train, seed=0).chosen.split("/")[1]
            classifier = make_classifier("logistic") if model == "status quo" else family_classifier(family)
            fitted = ResponseModel(classifier).fit(p.X_train, p.y_train)
            return f"response/{family}", fitted.predict_score(p.X_test)

        (name, score), cpu, wall = _timed(work)
        rows.append({"model": f"{model} ({name})", "lift_at_30": metrics.lift_at_k(p.y_test, score, K),
                     "gains_score": gains_score(p.y_test, score), "cpu_s": cpu, "wall_s": wall})
    return rows


def _mean_rows(runs: list[list[dict]]) -> list[dict]:
    out = []
    for rows in zip(*runs):
        merged = dict(rows[0])
        for key, value in rows[0].items():
            if isinstance(value, float):
                values = [r[key] for r in rows]
                merged[key], merged[key + "_sd"] = float(np.mean(values)), float(np.std(values, ddof=1))
        merged["model"] = " / ".join(sorted({r["model"] for r in rows}))
        out.append(merged)
    return out


def run(customers: int = 50_000, repeats: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1):
        folder = Path(tmp)
        crm = synthetic_crm(customers, folder)
        bank_p = bank(folder)
        out = {"load": os.getloadavg(), "synthetic_crm": {
            "customers": customers, "train": len(crm["y_train"]), "test": len(crm["y_test"]),
            "features": crm["features"], "binary": compare(binary(crm)), "multi_arm": multi_arm(crm)}}
        runs = [compare(bank_randomized(bank_p, seed)) for seed in range(repeats)]
        out["bank_randomized"] = {"customers": len(bank_p.y_train) + len(bank_p.y_test), "repeats": repeats,
                                  "features": len(bank_p.feature_names), "binary": _mean_rows(runs)}
        out["bank_targeting"] = targeting(bank_p)
        out["load_after"] = os.getloadavg()
    return out


def _table(rows: list[dict], sd: bool = False) -> str:
    def f(row, key, digits=3):
        value = row.get(key)
        text = "—" if value is None else f"{value:.{digits}f}"
        spread = sd and key + "_sd" in row and key not in ("qini_low", "qini_high")
        return text + (f" ± {row[key + '_sd']:.{digits}f}" if spread else "")

    lines = ["| library | model | Qini [95 % interval] | uplift@30 % | true share of oracle | CPU s | wall s |",
             "|---|---|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['library']} | {r['model']} | {f(r, 'qini')} [{f(r, 'qini_low')}, {f(r, 'qini_high')}] "
                     f"| {f(r, 'uplift_at_30')} | {f(r, 'true_share_of_oracle')} | {f(r, 'cpu_s', 2)} | "
                     f"{f(r, 'wall_s', 2)} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = run(args.customers, args.repeats)
    if args.json:
        print(json.dumps(out, indent=2, default=float))
        return
    c = out["synthetic_crm"]
    print(f"load average {out['load'][0]:.1f} before, {out['load_after'][0]:.1f} after\n")
    print(f"## Synthetic CRM: {c['customers']:,} customers ({c['train']:,} train / {c['test']:,} held out, "
          f"{c['features']} features), any arm = treated\n")
    print(_table(c["binary"]))
    print("\nMulti-arm (PrivacyLift only: the best-arm policy; CPU includes the bootstrap intervals)\n")
    print("| model | policy Qini [95 % interval] | uplift@30 % | true share of oracle | per-arm Qini | CV score | CPU s |")
    print("|---|---|---:|---:|---|---:|---:|")
    for r in c["multi_arm"]:
        arms = ", ".join(f"{a} {q:.3f}" for a, q in r["per_arm_qini"].items())
        cv = "—" if r["cv_score"] is None else f"{r['cv_score']:.3f}"
        print(f"| {r['model']} | {r['policy_qini']:.3f} [{r['qini_low']:.3f}, {r['qini_high']:.3f}] | "
              f"{r['uplift_at_30']:.3f} | {r['true_share_of_oracle']:.3f} | {arms} | {cv} | "
              f"{r['cpu_s_with_bootstrap']:.2f} |")
    b = out["bank_randomized"]
    print(f"\n## Bank ({b['customers']:,} real customers, {b['features']} features) with a randomized uplift: "
          f"mean ± sd over {b['repeats']} treatment draws\n")
    print(_table(b["binary"], sd=True))
    print("\n## Bank, targeting (real outcome, no treatment; scikit-uplift has no response model)\n")
    print("| model | lift@30 % | gains score | CPU s | wall s |\n|---|---:|---:|---:|---:|")
    for r in out["bank_targeting"]:
        print(f"| {r['model']} | {r['lift_at_30']:.3f} | {r['gains_score']:.3f} | {r['cpu_s']:.2f} | "
              f"{r['wall_s']:.2f} |")


if __name__ == "__main__":
    main()
