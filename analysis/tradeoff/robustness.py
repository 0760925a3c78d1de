"""How robust the recommendation is to the assumptions: redraw them within their ranges, re-apply the rule.

**Method.** A Latin hypercube of ``draws`` points (scipy's ``qmc.LatinHypercube``, seeded) over every assumption
that has a range (``low`` < ``high`` in :mod:`analysis.breach.assumptions`): each draw sets each such assumption's
value (a PERT's mode) uniformly within its range. Nothing is retrained and nothing about the data is measured
again: the gains, exposure figures and policy checks that do not depend on assumptions are reused. Per draw and
scenario the expected annual breach loss is the simulated one scaled by the ratio of the closed-form expected
loss (:func:`analysis.breach.montecarlo.analytic_expected_loss`) under the draw to the one under the assumptions
in force (so the draw at today's values reproduces today's figure exactly); trust effects are recomputed in closed
form; when the policy checks the 1-in-20-year loss, it is re-simulated with a small Monte Carlo
(:data:`LOSS_YEARS` years, the scenario's seed). The rule (:mod:`analysis.tradeoff.decision`) is applied to each
draw's net values.

Not redrawn: the per-breach variation of the cost per record (``cost_per_record_factor``, already drawn inside
every simulated breach), figures without a range (legal ceilings, sourced multipliers), and the business settings
(value per conversion, campaigns a year: inputs of the business). The sampling uncertainty of the gains is in the
net value's interval, not here.

**Which assumptions flip it.** For each redrawn assumption, the one threshold that best separates the draws the
pick loses from those it wins (a decision stump: the largest drop in Gini impurity); the two with the largest drop
are ``flipped_by``, each with the side of the threshold where the pick loses, the share of all its losses that
fall there and who wins instead.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import qmc

from analysis.breach.assumptions import Assumptions, pert_mean
from analysis.breach.montecarlo import analytic_expected_loss, simulate_breach
from analysis.breach.trust import trust_net_value
from analysis.formatting import money, number, percent
from analysis.tradeoff.policy import Policy, tolerance_at, why_not

if TYPE_CHECKING:
    from analysis.tradeoff.runner import Tradeoff

__all__ = ["DRAWS", "LOSS_YEARS", "MIN_LOSSES", "NOT_REDRAWN", "Flip", "Robustness", "robustness", "redrawn_keys",
           "value_in_words"]

#: draws of the Latin hypercube (a few hundred: the share won is then known to about ±3 points)
DRAWS = 300
#: simulated years per draw when the policy re-checks the 1-in-20-year loss
LOSS_YEARS = 4000
#: fewer losing draws than this: too few to say what makes the pick lose (an engineering threshold)
MIN_LOSSES = 3
#: assumptions with a range that are not redrawn, and why
NOT_REDRAWN = {"cost_per_record_factor": "per-breach variation, already drawn inside every simulated breach"}


@dataclass(frozen=True)
class Flip:
    """An assumption whose value decides whether the pick keeps winning (one row of the robustness table)."""

    assumption: str
    label: str
    #: the pick loses mostly when the value is "above" or "below" the threshold
    direction: str
    threshold: float
    unit: str
    low: float
    high: float
    #: share of all the pick's losses that fall on that side
    share_of_losses: float
    #: share of the draws on that side that the pick loses
    loss_rate: float
    #: the scenario that wins most often on that side (None: no scenario meets the policy there)
    winner: str | None
    #: the drop in Gini impurity of the split (what ranks the assumptions)
    strength: float
    #: the assumption's distribution: for a PERT the value drawn is its mode (most likely value)
    distribution: str = "fixed"

    def phrase(self) -> str:
        return _phrase(self)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "when": self.phrase() if self.share_of_losses > 0 else None}


@dataclass(frozen=True)
class Robustness:
    scenario: str
    draws: int
    share_won: float
    #: the two assumptions that flip the pick most (fewer when it never or rarely loses)
    flipped_by: tuple[Flip, ...]
    #: every redrawn assumption, strongest first (the report's table)
    assumptions: tuple[Flip, ...] = field(repr=False)
    #: scenario → share of draws it wins ("(none allowed)" when no scenario met the policy)
    winners: dict[str, float] = field(default_factory=dict)
    seed: int = 0

    @property
    def sentence(self) -> str:
        """The one sentence for executives."""
        share = percent(self.share_won, digits=0)
        if share in ("100 %", "0 %") and 0 < self.share_won < 1:
            share = percent(self.share_won, digits=1)
        head = f"“{self.scenario}” stays the recommendation in {share} of {self.draws} plausible sets of " \
               "assumptions (each redrawn within its range)"
        if self.share_won >= 1.0:
            return head + "."
        if not self.flipped_by:
            lost = round((1 - self.share_won) * self.draws)
            return head + f"; it loses in only {lost} of them, too few to say what makes it lose."
        first = self.flipped_by[0]
        text = f"{head}; it loses mainly when {first.phrase()}"
        if len(self.flipped_by) > 1:
            text += f", or when {self.flipped_by[1].phrase()}"
        if first.winner:
            text += f" (then “{first.winner}” wins most often)"
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        return {"draws": self.draws, "share_won": self.share_won, "seed": self.seed,
                "flipped_by": [f.to_dict() for f in self.flipped_by],
                "assumptions": [f.to_dict() for f in self.assumptions], "winners": dict(self.winners),
                "sentence": self.sentence, "method": "latin hypercube over every assumption with a range; "
                "models reused, breach loss rescaled in closed form, trust recomputed"}


def redrawn_keys(assumptions: Assumptions) -> list[str]:
    """The assumptions the draws move: those with a range (low < high), except :data:`NOT_REDRAWN`."""
    return [k for k, a in assumptions.items() if a.low is not None and a.high is not None and a.high > a.low
            and k not in NOT_REDRAWN]


def _short_label(label: str) -> str:
    return label.split(" (")[0].strip()


def value_in_words(x: float, unit: str) -> str:
    """An assumption's value in its unit, for people (money, percent, days, number)."""
    if unit.startswith("USD") or unit.startswith("EUR"):
        return money(x) if unit.startswith("USD") else f"€{money(x, currency='')}"
    if unit in ("share", "probability", "share per year"):
        return percent(x)
    if unit == "days":
        return f"{x:,.0f} days"
    return number(x)


def _phrase(f: Flip) -> str:
    if f.assumption == "breach_frequency" and f.threshold > 0:
        rate = pert_mean(f.low, f.threshold, f.high) if f.distribution == "pert" else f.threshold
        often = "more often" if f.direction == "above" else "less often"
        return f"breaches happen {often} than once in {1.0 / rate:,.0f} years on average"
    if f.assumption == "cost_per_record":
        return f"a breached record costs {'more' if f.direction == 'above' else 'less'} than " \
               f"{value_in_words(f.threshold, f.unit)} on average"
    more = "more" if f.direction == "above" else "less"
    plain = {
        "trust_sensitive_churn": f"personalizing with sensitive data drives away {more} than "
                                 f"{value_in_words(f.threshold, f.unit)} of the personalized customers a year",
        "trust_nonconsented_churn": f"personalizing without consent drives away {more} than "
                                    f"{value_in_words(f.threshold, f.unit)} of those customers a year",
        "trust_consented_retention_lift": f"consented personalization keeps {more} than "
                                          f"{value_in_words(f.threshold, f.unit)} extra customers a year",
        "trust_breach_reputation_churn": f"a breach drives away {more} than {value_in_words(f.threshold, f.unit)} "
                                         "of all customers",
    }
    if f.assumption in plain:
        return plain[f.assumption]
    if f.assumption == "customer_value":
        return f"a customer is worth {more} than {value_in_words(f.threshold, f.unit)}"
    most = " (its most likely value)" if f.distribution == "pert" else ""
    return f"“{_short_label(f.label)}”{most} is {f.direction} {value_in_words(f.threshold, f.unit)}"


def _stump(x: np.ndarray, lost: np.ndarray) -> tuple[float, float, str, float, float]:
    """(strength, threshold, direction, share of losses, loss rate) of the best one-threshold split."""
    n = len(x)
    total = lost.sum()
    order = np.argsort(x, kind="stable")
    xs, ls = x[order], lost[order].astype(float)
    left_n = np.arange(1, n)
    left_l = np.cumsum(ls)[:-1]
    right_n = n - left_n
    right_l = total - left_l
    valid = xs[1:] > xs[:-1]
    if not valid.any() or total == 0 or total == n:
        return 0.0, float(np.median(x)), "above", 0.0, 0.0

    def gini(count, losses):
        p = losses / count
        return 2 * p * (1 - p) * count

    drop = gini(n, total) - gini(left_n, left_l) - gini(right_n, right_l)
    drop = np.where(valid, drop, -np.inf)
    i = int(np.argmax(drop))
    threshold = float((xs[i] + xs[i + 1]) / 2)
    rate_left, rate_right = left_l[i] / left_n[i], right_l[i] / right_n[i]
    if rate_right >= rate_left:
        return float(drop[i] / n), threshold, "above", float(right_l[i] / total), float(rate_right)
    return float(drop[i] / n), threshold, "below", float(left_l[i] / total), float(rate_left)


def robustness(t: "Tradeoff", policy: Policy, scenario: str, *, draws: int = DRAWS, seed: int = 0) -> Robustness:
    """Redraw the assumptions of ``t`` within their ranges and count how often ``scenario`` stays the pick."""
    rows = t.table.to_dicts()
    names = [r["name"] for r in rows]
    pick = names.index(scenario)
    a0 = t.assumptions
    h = t.settings.horizon_years
    keys = redrawn_keys(a0)
    lows = np.array([a0[k].low for k in keys])
    highs = np.array([a0[k].high for k in keys])
    unit = qmc.LatinHypercube(d=len(keys), seed=seed).random(draws) if keys else np.zeros((draws, 0))
    values = lows + unit * (highs - lows)
    results = [t.result(n) for n in names]
    base_loss = np.array([r["expected_annual_loss"] for r in rows])
    base_analytic = np.array([analytic_expected_loss(res.holding, a0) for res in results])
    value_year = np.array([r["engagement_value_per_year"] for r in rows])
    tolerance = tolerance_at(t.settings.risk_tolerance)
    fixed_policy = replace(policy, loss_within_tolerance=False)  # the checks no assumption changes
    static = np.array([not why_not(r, fixed_policy, tolerance) for r in rows])
    net = np.empty((draws, len(rows)))
    allowed = np.repeat(static[None, :], draws, axis=0)
    for d in range(draws):
        a = a0.with_values_in_range(dict(zip(keys, values[d].tolist())))
        for s, res in enumerate(results):
            analytic = analytic_expected_loss(res.holding, a)
            loss = base_loss[s] * analytic / base_analytic[s] if base_analytic[s] > 0 else analytic
            net[d, s] = h * (value_year[s] - loss) + trust_net_value(t.trust_inputs[names[s]], a, horizon=h)
            if policy.loss_within_tolerance and allowed[d, s]:
                p95 = simulate_breach(res.holding, a, years=LOSS_YEARS, seed=res.spec.seed, keep_losses=False,
                                      exceedance_points=2).p95
                allowed[d, s] = p95 <= tolerance
    masked = np.where(allowed, net, -np.inf)
    any_allowed = allowed.any(axis=1)
    winner = np.where(any_allowed, masked.argmax(axis=1), -1)  # argmax: ties go to the first (table order)
    lost = winner != pick
    label = {i: n for i, n in enumerate(names)}
    winners = {}
    for i in np.unique(winner):
        winners[label.get(int(i), "(none allowed)")] = float(np.mean(winner == i))
    flips = []
    for j, k in enumerate(keys):
        strength, threshold, direction, share, rate = _stump(values[:, j], lost)
        side = values[:, j] > threshold if direction == "above" else values[:, j] <= threshold
        there = winner[side & lost]
        top = None
        if there.size:
            counts = np.bincount(there + 1)
            best = int(np.argmax(counts)) - 1
            top = label.get(best)
        flips.append(Flip(k, a0[k].label, direction, threshold, a0[k].unit, float(lows[j]), float(highs[j]), share,
                          rate, top, strength, a0[k].distribution))
    flips.sort(key=lambda f: -f.strength)
    enough = int(lost.sum()) >= MIN_LOSSES
    flipped = tuple(f for f in flips[:2] if enough and f.strength > 1e-9 and f.share_of_losses > 0)
    share_won = float(1.0 - lost.mean()) if draws else math.nan
    return Robustness(scenario, draws, share_won, flipped, tuple(flips), winners, seed)
