"""The decision rule: one recommended scenario, computed once and shown the same on every surface.

**The rule.** The recommended scenario is the one with the highest net value over the horizon among the
scenarios that meet the business's privacy policy (:mod:`analysis.tradeoff.policy`). Scenarios that break a
constraint are listed as *not allowed, because …*. Ties go to the less exposed scenario. Being on the Pareto
frontier (no other scenario has at least as much gain with no more exposure and no more expected loss) is shown
beside it but is never the rule: a frontier scenario may break the policy or earn less.

**How sure.** Each scenario's net value carries a 95 % interval (:func:`net_value_interval`): the bootstrap
interval of its measured gain (the held-out customers resampled; in money: × value per conversion × campaigns a
year × years) and the Monte Carlo interval of its simulated expected breach loss (× years), combined in
quadrature as independent errors. When the runner-up's net value lies inside the pick's interval the two are not
clearly apart and the recommendation says so. What the assumptions themselves could change is the robustness
figure (:mod:`analysis.tradeoff.robustness`).

Every surface (the app's Overview, builder and Compare pages, the reports, the notebooks and
``python -m analysis simulate``) reads :attr:`analysis.tradeoff.runner.Tradeoff.decision`, which
:func:`analysis.tradeoff.runner.run_scenarios` builds with :func:`decide`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from analysis.formatting import money
from analysis.tradeoff.policy import Policy, breaks_selection_bound, tolerance_at, why_not

if TYPE_CHECKING:
    from analysis.tradeoff.robustness import Robustness

__all__ = ["RULE", "Recommendation", "decide", "net_value_interval"]

RULE = ("The recommended scenario has the highest net value over the horizon among the scenarios that meet the "
        "privacy policy. Being on the frontier (no other scenario has at least as much gain with no more exposure "
        "and no more expected loss) is shown beside it, but is not the rule.")


def net_value_interval(net: float, *, gain: float, gain_low: float, gain_high: float, loss: float,
                       loss_low: float, loss_high: float, value_per_gain: float, horizon: float) -> tuple[float, float]:
    """95 % interval of a net value from the gain's bootstrap interval and the expected loss's Monte Carlo
    interval, combined in quadrature (less gain or more loss lowers it).

    >>> low, high = net_value_interval(100.0, gain=10, gain_low=8, gain_high=13, loss=5, loss_low=4, loss_high=6,
    ...                                value_per_gain=10, horizon=1)
    >>> round(low, 2), round(high, 2)   # 100 − √(20² + 1²), 100 + √(30² + 1²)
    (79.98, 130.02)
    """
    def fin(x: float) -> float:
        return x if math.isfinite(x) else 0.0

    down_gain = horizon * value_per_gain * max(0.0, fin(gain - gain_low))
    up_gain = horizon * value_per_gain * max(0.0, fin(gain_high - gain))
    up_loss = horizon * max(0.0, fin(loss_high - loss))
    down_loss = horizon * max(0.0, fin(loss - loss_low))
    return net - math.hypot(down_gain, up_loss), net + math.hypot(up_gain, down_loss)


@dataclass(frozen=True)
class Recommendation:
    """The one recommendation of a comparison (see the module docstring for the rule)."""

    #: the recommended scenario, None when no scenario meets the policy
    scenario: str | None
    #: why, in one or two sentences generated from the figures
    reason: str
    runner_up: str | None
    #: the runner-up's net value lies inside the pick's 95 % interval
    within_interval: bool
    #: (scenario, because …) for every applicable scenario that breaks the policy
    not_allowed: tuple[tuple[str, str], ...]
    policy: Policy
    horizon_years: int
    net_value: float | None = None
    net_value_low: float | None = None
    net_value_high: float | None = None
    runner_up_net_value: float | None = None
    #: scenarios that meet the policy, in the order they were compared
    allowed: tuple[str, ...] = ()
    robustness: "Robustness | None" = field(default=None, compare=False)
    rule: str = RULE
    #: scenarios whose lowest selection-rate ratio is under the policy's fairness bound (empty when it is off)
    below_fairness_bound: tuple[str, ...] = ()

    def because(self, name: str) -> str | None:
        """Why ``name`` is not allowed (None when it is)."""
        return dict(self.not_allowed).get(name)

    @property
    def sentence(self) -> str:
        """One plain sentence for executives: the pick and how robust it is."""
        if self.scenario is None:
            return self.reason
        if self.robustness is not None:
            return self.robustness.sentence
        return f"We recommend “{self.scenario}”."

    def to_dict(self) -> dict[str, Any]:
        """The ``recommendation`` object of ``simulate --json`` and of report.json."""
        return {
            "scenario": self.scenario,
            "reason": self.reason,
            "rule": self.rule,
            "runner_up": self.runner_up,
            "within_interval": self.within_interval,
            "net_value": self.net_value,
            "net_value_interval": [self.net_value_low, self.net_value_high],
            "runner_up_net_value": self.runner_up_net_value,
            "horizon_years": self.horizon_years,
            "allowed": list(self.allowed),
            "not_allowed": [{"scenario": s, "because": b} for s, b in self.not_allowed],
            "policy": self.policy.to_dict(),
            "below_fairness_bound": list(self.below_fairness_bound),
            "robustness": None if self.robustness is None else self.robustness.to_dict(),
            "sentence": self.sentence,
        }


def allowed_mask(rows: Sequence[Mapping[str, Any]], policy: Policy, tolerance: float) -> list[str]:
    """For each row, "" when it meets the policy, else the reasons joined with "; "."""
    return ["; ".join(why_not(r, policy, tolerance)) for r in rows]


def decide(rows: Sequence[Mapping[str, Any]], policy: Policy, *, horizon_years: int,
           risk_tolerance: tuple[tuple[float, float], ...]) -> Recommendation:
    """Apply the rule to the rows of a trade-off table (columns: name, net_value, net_value_low,
    net_value_high, risk_index, sensitive_used, consent, k_anonymity, loss_p95; with a fairness bound
    lowest_selection_ratio, lowest_ratio_attribute, least_targeted, most_targeted), in their order."""
    tolerance = tolerance_at(risk_tolerance)
    reasons = allowed_mask(rows, policy, tolerance)
    not_allowed = tuple((r["name"], because) for r, because in zip(rows, reasons) if because)
    unfair = tuple(r["name"] for r in rows if breaks_selection_bound(r, policy))
    allowed = [r for r, because in zip(rows, reasons) if not because]
    h = horizon_years
    if not rows:
        return Recommendation(None, "No scenario applies to this dataset, so there is nothing to recommend.", None,
                              False, (), policy, h)
    if not allowed:
        return Recommendation(
            None, f"None of the {len(rows)} scenarios meets the privacy policy, so none is recommended: change the "
                  "scenarios or the policy (each scenario's reason is listed).", None, False, not_allowed, policy, h,
            below_fairness_bound=unfair)
    ranked = sorted(allowed, key=lambda r: -r["net_value"])  # stable: ties keep the table's order
    best = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None
    within = runner is not None and runner["net_value"] >= best["net_value_low"]
    interval = (best["net_value_low"], best["net_value_high"])
    reason = (f"“{best['name']}” has the highest {h}-year net value ({money(best['net_value'], interval=interval)}, "
              f"95 % interval {money(interval[0])} to {money(interval[1])}) of the {len(allowed)} scenario"
              f"{'s' if len(allowed) != 1 else ''} that meet the privacy policy"
              + (f"; {len(not_allowed)} do not." if not_allowed else "."))
    if runner is not None:
        if within:
            reason += (f" The runner-up, “{runner['name']}” ({money(runner['net_value'])}), is within that interval: "
                       "on these measurements the two are not clearly apart.")
        else:
            reason += f" The runner-up, “{runner['name']}”, earns {money(runner['net_value'])}."
    return Recommendation(best["name"], reason, None if runner is None else runner["name"], within, not_allowed,
                          policy, h, best["net_value"], interval[0], interval[1],
                          None if runner is None else runner["net_value"], tuple(r["name"] for r in allowed),
                          below_fairness_bound=unfair)
