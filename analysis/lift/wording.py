"""Plain words for a model's ranking quality, for the app, the reports and the notebooks alike: a Qini
coefficient is never shown as a bare number — with its interval, and a negative one as "ranks … worse than
random".

Example
-------
>>> describe_qini(-0.010, -0.031, 0.012, arm="Mens E-Mail")
"The model ranks the arm 'Mens E-Mail' worse than random: Qini −0.010 (95 % interval −0.031 to 0.012). The interval includes 0: this ranking cannot be told apart from random targeting."
>>> describe_qini(0.065, 0.031, 0.098)
'The model ranks customers better than random: Qini 0.065 (95 % interval 0.031 to 0.098).'
>>> describe_qini(0.056, -0.004, 0.121, arm="email")
"The model's ranking of the arm 'email' is not clearly better than random: Qini 0.056 (95 % interval −0.004 to 0.121, which includes 0)."
"""

from __future__ import annotations

import math

from analysis.formatting import number, percent

__all__ = ["describe_qini", "describe_selection", "describe_arms"]


def _q(value: float) -> str:
    """A Qini coefficient to three decimals (a typographic minus)."""
    return f"{value:.3f}".replace("-", "\u2212")


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def describe_qini(qini, low=None, high=None, *, arm=None, policy=False, confidence=0.95) -> str:
    """One or two sentences on a Qini coefficient and its bootstrap interval.

    Parameters
    ----------
    qini : float — the Qini coefficient (1 perfect, 0 random, below 0 worse than random).
    low, high : float — its interval (``LiftResult.qini_ci_low`` / ``qini_ci_high``, or a per-arm entry's).
    arm : str, optional — the treatment arm the figure is about.
    policy : bool — the figure is the best-arm policy's (several arms).
    confidence : float — the interval's level.
    """
    subject = (f"the arm {arm!r}" if arm is not None else
               "customers, each with their best arm," if policy else "customers")
    if not _finite(qini):
        return (f"How well the model ranks {subject} could not be measured (too few treated or control "
                "customers among the held-out ones).")
    has_interval = _finite(low) and _finite(high)
    interval = (f"{percent(confidence, digits=0)} interval {_q(low)} to {_q(high)}" if has_interval else
                "no interval: too few customers to resample")
    figure = f"Qini {_q(qini)} ({interval})"
    if qini < 0:
        text = f"The model ranks {subject} worse than random: {figure}."
        if has_interval and high >= 0:
            text += " The interval includes 0: this ranking cannot be told apart from random targeting."
        return text
    if has_interval and low > 0:
        return f"The model ranks {subject} better than random: {figure}."
    if has_interval:
        figure = figure[:-1] + ", which includes 0)"
    return f"The model's ranking of {subject} is not clearly better than random: {figure}."


def describe_arms(lift) -> list[str]:
    """One sentence per treatment arm of a :class:`~analysis.lift.evaluate.LiftResult` (its ``per_arm``)."""
    return [describe_qini(entry.get("qini_auc"), entry.get("qini_ci_low"), entry.get("qini_ci_high"),
                          arm=str(entry.get("arm"))) for entry in lift.per_arm]


def describe_selection(lift) -> str:
    """Which learner a result rests on, and why (the selection, or differential privacy)."""
    selection = lift.selection
    if not selection:
        return f"Model: {lift.model}." + (f" {lift.model_note}" if lift.model_note else "")
    if selection.get("chosen") is None:
        return f"Model: {lift.model}. {selection.get('reason', '')}".strip()
    if not selection.get("candidates"):
        return (f"Model: {selection['chosen']} (kept without a cross-validated choice: too few customers in an "
                "arm to compare candidates).")
    score = selection.get("cv_score")
    shown = "—" if score is None else number(score, digits=2)
    metric = {"qini": "Qini", "policy qini": "Qini of the best-arm policy", "gains": "gains area"}.get(
        selection.get("metric"), selection.get("metric"))
    return (f"Model: {selection['chosen']}, chosen among {len(selection.get('candidates', []))} candidates by "
            f"its cross-validated {metric} on the training customers only ({shown} over "
            f"{selection.get('folds')} folds of {selection.get('rows'):,} customers).")
