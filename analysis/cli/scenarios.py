"""``python -m analysis simulate``: run scenarios (default: the presets), compare them and recommend one."""

from __future__ import annotations

from pathlib import Path

from analysis.cli._common import _dump, _err, _progress

__all__ = ["cmd_simulate", "business_from_args", "policy_from_args", "assumptions_from_args",
           "simulation_from_args"]


def _load_specs(path: str | None):
    from analysis.scenario import PRESETS, load_scenarios

    return list(PRESETS) if path is None else load_scenarios(path)


def business_from_args(args):
    """The business settings of ``simulate`` and ``report`` (every option reaches both)."""
    from analysis.tradeoff.settings import BusinessSettings

    extra = {} if not getattr(args, "current_practice", None) else {"current_practice": args.current_practice}
    return BusinessSettings(
        value_per_conversion=args.value_per_conversion,
        campaigns_per_year=args.campaigns_per_year,
        horizon_years=args.horizon,
        **extra,
    )


def _limit(text: str | None, kind: type, name: str, *, on: bool = False):
    if text is None:
        return None
    if str(text).lower() in ("off", "none", "no"):
        return False
    if on and str(text).lower() in ("on", "yes"):
        return True  # the constraint's value when switched on
    try:
        return kind(text)
    except ValueError:
        from analysis.tradeoff.policy import PolicyError

        raise PolicyError(f"The '--{name}' option must be a number{', on' if on else ''} or 'off'. "
                          f"Got {text!r} instead.") from None


def policy_from_args(args):
    """The privacy policy: the ``--policy`` file, then the single options on top of it."""
    from analysis.tradeoff.policy import load_policy

    base = load_policy(getattr(args, "policy", None))
    changes = base.to_dict()
    for key, value in (("min_k", _limit(getattr(args, "min_k", None), int, "min-k")),
                       ("max_exposure_index", _limit(getattr(args, "max_exposure", None), float, "max-exposure")),
                       ("min_selection_ratio", _limit(getattr(args, "min_selection_ratio", None), float,
                                                      "min-selection-ratio", on=True))):
        if value is not None:
            changes[key] = value
    for key, option in (("sensitive_needs_consent", "sensitive_needs_consent"),
                        ("loss_within_tolerance", "loss_within_tolerance")):
        value = getattr(args, option, None)
        if value is not None:
            changes[key] = value == "yes"
    return load_policy(changes)


def assumptions_from_args(args):
    """The ``--assumptions`` file with the ``--region`` of the cost per record on top."""
    from analysis.breach.assumptions import load_assumptions

    a = load_assumptions(args.assumptions)
    if getattr(args, "region", None):
        a = a.with_overrides({"cost_per_record": {"region": args.region}})
    return a


def simulation_from_args(args, **kwargs):
    from analysis.simulation import SimulationSettings

    extra = {}
    for name, option, low in (("n_boot", "bootstrap", 1), ("breach_years", "breach-years", 1000)):
        value = getattr(args, option.replace("-", "_"), None)
        if value is None:
            continue
        if value < low:
            raise ValueError(f"The '--{option}' option must be a whole number of at least {low:,}. "
                             f"Got {value:,} instead.")
        extra[name] = value
    return SimulationSettings(population=getattr(args, "population", None), **{**extra, **kwargs})


def cmd_simulate(args) -> int:
    from analysis.cli._source import store_or_error, uses_warehouse, warehouse_of
    from analysis.store import Store

    simulation_from_args(args)  # options checked before anything is opened
    specs = _load_specs(args.scenarios)
    if uses_warehouse(args):
        from analysis.warehouse import WarehouseCRM

        warehouse = warehouse_of(args)
        try:
            data = WarehouseCRM(warehouse)
            return _simulate(args, specs, data, data.note(), None)
        finally:
            warehouse.close()
    store = Store(store_or_error(args))
    if not store.exists:
        return _err(f"database {args.db} does not exist: ingest data or run `python -m analysis generate --db`.")
    return _simulate(args, specs, store, None, Path(args.db).name)


def _simulate(args, specs, data, note: str | None, database: str | None) -> int:
    from analysis.tradeoff.runner import run_scenarios

    t = run_scenarios(
        specs,
        data,
        settings=business_from_args(args),
        assumptions=assumptions_from_args(args),
        simulation=simulation_from_args(args),
        policy=policy_from_args(args),
        robustness_draws=args.draws,
        progress=_progress,
    )
    if args.json:
        if note is not None:  # the JSON keeps its shape; what was pulled from the warehouse goes to stderr
            _progress(note)
        print(_dump(t.to_json(**({} if database is None else {"database": database}))))
        return 0
    _print_table(t)
    if note is not None:
        print(note)
    return 0


def _print_table(t) -> None:
    rows = {r["name"]: r for r in t.table.to_dicts()} if not t.table.is_empty() else {}
    has_truth = any(r.get("true_incremental_conversions") is not None for r in rows.values())
    header = (
        f"{'scenario':32} {'kind':9} {'incr. conv.':>11} {'95% CI':>17}"
        + (f" {'true':>6}" if has_truth else "")
        + f" {'kept':>5} {'exposure':>8} {'E[loss]/yr':>11} {f'net {t.settings.horizon_years}y':>11} {'ratio':>5}"
        + "  policy   frontier"
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
        mark = "*" if row["recommended"] else " "
        ratio = "—" if row.get("lowest_selection_ratio") is None else f"{row['lowest_selection_ratio']:.2f}"
        print(
            f"{mark}{r.spec.name[:31]:31} {row['kind']:9} {row['incremental_conversions']:11,.0f} {ci:>17}{true} "
            f"{kept:>5} {row['risk_index']:8.1f} {row['expected_annual_loss']:11,.0f} {row['net_value']:11,.0f} "
            f"{ratio:>5}  "
            f"{'allowed' if row['allowed'] else 'no':8} {'yes' if row['on_frontier'] else 'no'}"
        )
    print()
    print(f"incr. conv. = extra conversions per campaign when the top {t.results[0].spec.k:.0%} are contacted "
          "(consent regimes: only consenters personalized)"
          + ("; true = the same from the synthetic ground truth" if has_truth else "")
          + "; exposure = composite index 0–100 (see --json for its held-data and model parts); ratio = the lowest "
          "selection-rate ratio over every audited attribute (1 = every group targeted at the same rate; see --json "
          "for each attribute); * = recommended.")
    sampled = next((r.sample for r in t.results if r.ok and r.sample is not None), None)
    if sampled is not None:
        print(sampled.note())
    print()
    print(t.recommendation)
    if t.decision is not None and t.decision.not_allowed:
        print()
        print("Not allowed by the privacy policy:")
        for name, because in t.decision.not_allowed:
            print(f"  {name}: {because}")
