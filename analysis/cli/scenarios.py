"""``python -m analysis simulate``: run scenarios (default: the presets) and compare them."""

from __future__ import annotations

from analysis.cli._common import _dump, _err, _progress

__all__ = ["cmd_simulate"]


def _load_specs(path: str | None):
    from analysis.scenario import PRESETS, load_scenarios

    return list(PRESETS) if path is None else load_scenarios(path)


def _business(args):
    from analysis.tradeoff.settings import BusinessSettings

    return BusinessSettings(
        value_per_conversion=args.value_per_conversion,
        campaigns_per_year=args.campaigns_per_year,
        horizon_years=args.horizon,
    )


def cmd_simulate(args) -> int:
    from analysis.cli._source import store_or_error, uses_warehouse, warehouse_of
    from analysis.store import Store

    specs = _load_specs(args.scenarios)
    if uses_warehouse(args):
        from analysis.warehouse import WarehouseCRM

        warehouse = warehouse_of(args)
        try:
            data = WarehouseCRM(warehouse)
            return _simulate(args, specs, data, data.note())
        finally:
            warehouse.close()
    store = Store(store_or_error(args))
    if not store.exists:
        return _err(f"database {args.db} does not exist: ingest data or run `python -m analysis generate --db`.")
    return _simulate(args, specs, store, None)


def _simulate(args, specs, data, note: str | None) -> int:
    from analysis.breach.assumptions import load_assumptions
    from analysis.tradeoff.runner import run_scenarios

    t = run_scenarios(
        specs,
        data,
        settings=_business(args),
        assumptions=load_assumptions(args.assumptions),
        progress=_progress,
    )
    if args.json:
        if note is not None:  # the JSON keeps its shape (one object per scenario); what was pulled goes to stderr
            _progress(data.note())
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
    sampled = next((r.sample for r in t.results if r.ok and r.sample is not None), None)
    if sampled is not None:
        print(sampled.note())
    if note is not None:
        print(data.note())
    print()
    print(t.recommendation)
    return 0
