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
every simulated breach), figures without a range (legal ceilings, sourced multipliers), assumptions no net value
depends on (checked one at a time at both ends of their range), and the business settings (value per conversion,
campaigns a year: inputs of the business). The sampling uncertainty of the gains is in the
net value's interval, not here.

**Which assumptions flip it.** The pick's lead in net value over the best other allowed scenario is fitted
linearly on every assumption's position in its range, over the draws (a standardized regression, as in global
sensitivity analysis; the Latin hypercube keeps the positions nearly uncorrelated): the slope is how much the lead
moves across the whole range. The assumptions that move it most are ``flipped_by`` (at most two, and only where at
least a third of the losses fall on their losing side), each with the value at which the lead would vanish were it
to move alone (kept inside its range), the side where the pick loses, the share of its losses that fall there
and who wins instead.
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
    #: how much the pick's lead over the best alternative moves across the range (USD; what ranks them)
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


def _moves(nets, a0: Assumptions, key: str) -> bool:
    """Does any scenario's net value change between the two ends of ``key``'s range (others as they are)?"""
    x = a0[key]
    at_low, at_high = nets(a0.with_values_in_range({key: x.low})), nets(a0.with_values_in_range({key: x.high}))
    scale = max(1.0, float(np.max(np.abs(at_low))))
    return bool(np.max(np.abs(at_high - at_low)) > 1e-9 * scale)


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


def _lead(net: np.ndarray, allowed: np.ndarray, pick: int) -> np.ndarray:
    """The pick's lead in net value over the best other allowed scenario (+inf: no rival; −inf: not allowed)."""
    others = np.where(allowed, net, -np.inf)
    others[:, pick] = -np.inf
    rival = others.max(axis=1)
    return np.where(allowed[:, pick], net[:, pick] - rival, -np.inf)


def _swings(unit: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Least-squares slope of the lead on each assumption's position in its range (0 = low, 1 = high): how much
    the lead moves across the whole range, the others drawn as they are (a linear, global sensitivity)."""
    finite = np.isfinite(lead)
    if finite.sum() <= unit.shape[1] + 1:
        return np.zeros(unit.shape[1])
    design = np.column_stack([np.ones(int(finite.sum())), unit[finite]])
    coefficients, *_ = np.linalg.lstsq(design, lead[finite], rcond=None)
    return coefficients[1:]


def robustness(t: "Tradeoff", policy: Policy, scenario: str, *, draws: int = DRAWS, seed: int = 0) -> Robustness:
    """Redraw the assumptions of ``t`` within their ranges and count how often ``scenario`` stays the pick."""
    rows = t.table.to_dicts()
    names = [r["name"] for r in rows]
    pick = names.index(scenario)
    a0 = t.assumptions
    h = t.settings.horizon_years
    results = [t.result(n) for n in names]
    base_loss = np.array([r["expected_annual_loss"] for r in rows])
    base_analytic = np.array([analytic_expected_loss(res.holding, a0) for res in results])
    value_year = np.array([r["engagement_value_per_year"] for r in rows])

    def nets(a: Assumptions) -> np.ndarray:
        out = np.empty(len(rows))
        for s, res in enumerate(results):
            analytic = analytic_expected_loss(res.holding, a)
            loss = base_loss[s] * analytic / base_analytic[s] if base_analytic[s] > 0 else analytic
            out[s] = h * (value_year[s] - loss) + trust_net_value(t.trust_inputs[names[s]], a, horizon=h)
        return out

    # only the assumptions some net value depends on are redrawn (one at a time at each end of its range)
    keys = [k for k in redrawn_keys(a0) if _moves(nets, a0, k)]
    lows = np.array([a0[k].low for k in keys])
    highs = np.array([a0[k].high for k in keys])
    unit = qmc.LatinHypercube(d=len(keys), seed=seed).random(draws) if keys else np.zeros((draws, 0))
    values = lows + unit * (highs - lows)
    tolerance = tolerance_at(t.settings.risk_tolerance)
    fixed_policy = replace(policy, loss_within_tolerance=False)  # the checks no assumption changes
    static = np.array([not why_not(r, fixed_policy, tolerance) for r in rows])
    net = np.empty((draws, len(rows)))
    allowed = np.repeat(static[None, :], draws, axis=0)
    for d in range(draws):
        a = a0.with_values_in_range(dict(zip(keys, values[d].tolist())))
        net[d] = nets(a)
        for s, res in enumerate(results):
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
    lead = _lead(net, allowed, pick)
    swings = _swings(unit, lead)
    base_allowed = np.array([bool(r["allowed"]) if "allowed" in r else True for r in rows])[None, :]
    lead_today = float(_lead(nets(a0)[None, :], base_allowed, pick)[0])
    flips = []
    for j, k in enumerate(keys):
        swing = float(swings[j])
        direction = "above" if swing < 0 else "below"
        today = (a0[k].value - lows[j]) / (highs[j] - lows[j])
        # where the lead would vanish with this assumption alone moving (kept inside the range)
        crossing = today - lead_today / swing if swing != 0 and math.isfinite(lead_today) else 0.5
        crossing = min(max(crossing, 0.05), 0.95)
        threshold = float(lows[j] + crossing * (highs[j] - lows[j]))
        side = values[:, j] > threshold if direction == "above" else values[:, j] <= threshold
        share = float(lost[side].sum() / lost.sum()) if lost.any() else 0.0
        rate = float(lost[side].mean()) if side.any() else 0.0
        strength = abs(swing)
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
    # named only where "it loses mainly when …" holds: at least a third of the losses on that side
    flipped = tuple([f for f in flips if enough and f.strength > 1e-9 and f.share_of_losses >= 1 / 3][:2])
    share_won = float(1.0 - lost.mean()) if draws else math.nan
    return Robustness(scenario, draws, share_won, flipped, tuple(flips), winners, seed)
