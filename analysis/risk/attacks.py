"""Attacks that measure risk empirically, with confidence intervals as anonymeter does.

- :func:`attribute_inference`: guess a sensitive value from what the scenario retains.
- :func:`membership_inference`: tell a model's training rows from held-out rows by their loss.
- :func:`behavioral_uniqueness`: share of customers singled out by p of their own events.

Success rates carry Wilson intervals (anonymeter ``stats/confidence.py``, REFERENCES.md §2); the risk
``(r_attack − r_control) / (1 − r_control)`` is clipped to [0, 1] with anonymeter's error propagation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Callable, Sequence

import numpy as np
import polars as pl

from analysis.risk import _common as common
from analysis.store import _risk as store
from analysis.store._workspace import Table

__all__ = ["AttackResult", "attribute_inference", "membership_inference", "behavioral_uniqueness"]

#: Assumption (engineering, as anonymeter's usual control split): 20 % of the records are held out as
#: people the business does not hold, the control group of the attribute-inference attack.
HOLDOUT_SHARE = 0.2
#: anonymeter's default number of attacks (``n_attacks=2000`` in its evaluators' examples).
DEFAULT_ATTACKS = 2000


@dataclass(frozen=True)
class AttackResult(common.Plain):
    """Outcome of one attack.

    ``success_rate`` is the raw share of successful attacks, ``ci_low``/``ci_high`` its Wilson interval;
    ``control_*`` the same for the control (a guess that uses no one's record). ``risk`` is the
    excess success over the control, normalised and clipped to [0, 1] (anonymeter), with its interval;
    for membership inference it is the advantage 2·accuracy − 1.
    """

    attack: str
    n_attacks: int
    successes: int
    success_rate: float
    ci_low: float
    ci_high: float
    control_rate: float
    control_ci_low: float
    control_ci_high: float
    risk: float
    risk_ci_low: float
    risk_ci_high: float
    confidence: float


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _residual_risk(attack: tuple[int, int], control: tuple[int, int], confidence: float) -> tuple:
    """anonymeter ``residual_success``: value from the Wilson centres, error propagated from both."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)

    def centre_error(s: int, n: int) -> tuple[float, float]:
        centre, _, _ = common.wilson(s, n, confidence)
        return centre, z / (n + z * z) * math.sqrt(s * (n - s) / n + z * z / 4)

    a, da = centre_error(*attack)
    c, dc = centre_error(*control)
    if c >= 1:
        return 0.0, 0.0, 0.0
    value = (a - c) / (1 - c)
    error = math.sqrt((da / (1 - c)) ** 2 + (dc * (a - 1) / (1 - c) ** 2) ** 2)
    return _clip(value), _clip(value - error), _clip(value + error)


def attribute_inference(frame: pl.DataFrame | Table, known: Sequence[str], sensitive: str, *,
                        n_attacks: int = DEFAULT_ATTACKS, seed: int = 0, confidence: float = 0.95,
                        control: str = "base_rate", key: str | None = None) -> AttackResult:
    """Attribute-inference attack on the exposed data (anonymeter-style).

    The records are split (seeded): 80 % held by the business, 20 % held out (people it does not
    hold). The attacker knows the ``known`` columns of a target held in the data, looks them up among
    the held records and guesses the most frequent ``sensitive`` value of that class (a class-majority
    lookup; ties go to the smallest value). The control guesses for held-out people without using
    anyone's record: the overall most frequent value (``control="base_rate"``), or the same lookup
    (``control="same_attack"``, anonymeter's control, which credits inference that generalizes to
    people not in the data).

    A workspace :class:`~analysis.store.Table` is attacked in place (any size): its split and targets are
    drawn in SQL from a seeded hash of the column ``key``, which then is required.

    Example
    -------
    >>> df = pl.DataFrame({"zip": [str(i % 50) for i in range(1000)], "ill": [i % 7 == 0 for i in range(1000)]})
    >>> attribute_inference(df, ["zip"], "ill", n_attacks=200).attack
    'attribute_inference'
    """
    subject = "attribute_inference"
    common.check_frame(frame, subject)
    known = common.check_columns(frame, known, "known", subject)
    sensitive = common.check_column(frame, sensitive)
    if sensitive in known:
        raise common.bad("sensitive", subject, "a column that is not among the known ones", sensitive)
    n_attacks = common.check_int(n_attacks, "n_attacks", subject, minimum=1)
    confidence = common.check_confidence(confidence, subject)
    if "__role" in (*known, sensitive):
        raise common.bad("known", subject, "columns not named '__role' (reserved)", list(known))
    if control not in ("base_rate", "same_attack"):
        raise common.bad("control", subject, "'base_rate' or 'same_attack'", control)
    if frame.height < 2:
        raise ValueError(f"{subject}: needs at least 2 records (one held, one held out); got {frame.height}.")
    if isinstance(frame, Table):
        if key is None:
            raise common.bad("key", subject, "the column that identifies a row of a workspace Table", key)
        key = common.check_column(frame, key)
        with common.registered(frame, []) as (con, view):
            table = store.majority_attack_in_place(con, view, known, sensitive, key=key, n_attacks=n_attacks,
                                                   seed=seed, holdout_share=HOLDOUT_SHARE)
    else:
        rng = np.random.default_rng(seed)
        order = rng.permutation(frame.height)
        n_holdout = max(1, int(round(HOLDOUT_SHARE * frame.height)))
        holdout, held = order[:n_holdout], order[n_holdout:]
        role = np.zeros(frame.height, dtype=np.int8)
        role[holdout] = 3  # held out, not attacked
        role[held[:n_attacks]] = 1  # `held` is already shuffled: its head is a random sample
        role[holdout[:n_attacks]] = 2
        work = frame.select([*known, sensitive]).with_columns(pl.Series("__role", role))
        with common.registered(work, work.columns) as (con, view):
            table = store.majority_attack(con, view, known, sensitive)
    by_role = {int(r["role"]): r for r in table.iter_rows(named=True)}
    if 1 not in by_role or 2 not in by_role:
        raise ValueError(f"{subject}: too few records to draw both attacked and control targets.")
    attacked, controlled = by_role[1], by_role[2]
    s, n = int(attacked["hits_attack"]), int(attacked["targets"])
    cs = int(controlled["hits_base_rate" if control == "base_rate" else "hits_attack"])
    cn = int(controlled["targets"])
    _, low, high = common.wilson(s, n, confidence)
    _, clow, chigh = common.wilson(cs, cn, confidence)
    risk, rlow, rhigh = _residual_risk((s, n), (cs, cn), confidence)
    return AttackResult("attribute_inference", n, s, s / n, low, high, cs / cn, clow, chigh,
                        risk, rlow, rhigh, confidence)


def _losses(predict_proba: Callable, X: Any, y: Any) -> np.ndarray:
    proba = np.asarray(predict_proba(X), dtype=np.float64)
    labels = np.asarray(y)
    if proba.ndim != 2 or len(proba) != len(labels):
        raise ValueError("membership_inference: predict_proba must return one row of probabilities per row of X.")
    if not np.issubdtype(labels.dtype, np.integer) and not np.issubdtype(labels.dtype, np.bool_):
        raise ValueError("membership_inference: y must hold integer class indices (columns of predict_proba).")
    labels = labels.astype(np.int64)
    if labels.min() < 0 or labels.max() >= proba.shape[1]:
        raise ValueError("membership_inference: y must hold class indices 0..C-1 of predict_proba's columns.")
    return -np.log(np.clip(proba[np.arange(len(labels)), labels], 1e-12, 1.0))


def _best_threshold(loss: np.ndarray, member: np.ndarray) -> float:
    """Loss threshold τ maximizing the accuracy of "member when loss ≤ τ" (vectorized sweep)."""
    order = np.argsort(loss, kind="stable")
    sorted_loss, sorted_member = loss[order], member[order]
    # Predict member for the first i rows: correct = members among them + non-members after them.
    members_before = np.concatenate([[0], np.cumsum(sorted_member)])
    nonmembers_after = (~sorted_member).sum() - np.concatenate([[0], np.cumsum(~sorted_member)])
    correct = members_before + nonmembers_after
    # Only cut between distinct loss values.
    cut_ok = np.concatenate([[True], sorted_loss[1:] != sorted_loss[:-1], [True]])
    best = int(np.argmax(np.where(cut_ok, correct, -1)))
    if best == 0:
        return -np.inf
    return float(sorted_loss[best - 1])


def membership_inference(predict_proba: Callable, X_members: Any, y_members: Any, X_nonmembers: Any,
                         y_nonmembers: Any, *, seed: int = 0, confidence: float = 0.95) -> AttackResult:
    """Loss-threshold membership-inference attack on a trained model (Yeom et al. 2018).

    Members are training rows, non-members held-out rows; a balanced sample of each is drawn (seeded).
    On one half the attacker picks the loss threshold with the best accuracy ("member when the loss
    −ln p(true class) ≤ τ"); the accuracy is measured on the other half. The control is a coin flip
    (0.5); ``risk`` is the membership advantage 2·accuracy − 1, clipped to [0, 1], with the Wilson
    interval mapped the same way. ``y`` are class indices (columns of ``predict_proba``).
    """
    subject = "membership_inference"
    confidence = common.check_confidence(confidence, subject)
    if not callable(predict_proba):
        raise common.bad("predict_proba", subject, "a callable", predict_proba)
    member_loss = _losses(predict_proba, X_members, y_members)
    nonmember_loss = _losses(predict_proba, X_nonmembers, y_nonmembers)
    m = min(len(member_loss), len(nonmember_loss))
    if m < 2:
        raise ValueError(f"{subject}: needs at least 2 members and 2 non-members; got {m}.")
    rng = np.random.default_rng(seed)
    member_loss = rng.permutation(member_loss)[:m]
    nonmember_loss = rng.permutation(nonmember_loss)[:m]
    half = m // 2
    calibrate_loss = np.concatenate([member_loss[:half], nonmember_loss[:half]])
    calibrate_member = np.concatenate([np.ones(half, bool), np.zeros(half, bool)])
    tau = _best_threshold(calibrate_loss, calibrate_member)
    test_loss = np.concatenate([member_loss[half:], nonmember_loss[half:]])
    test_member = np.concatenate([np.ones(m - half, bool), np.zeros(m - half, bool)])
    successes = int(((test_loss <= tau) == test_member).sum())
    n = len(test_loss)
    _, low, high = common.wilson(successes, n, confidence)
    accuracy = successes / n
    return AttackResult("membership_inference", n, successes, accuracy, low, high, 0.5, 0.5, 0.5,
                        _clip(2 * accuracy - 1), _clip(2 * low - 1), _clip(2 * high - 1), confidence)


def behavioral_uniqueness(events: pl.DataFrame | Table, *, key: str, point_columns: Sequence[str],
                          points: Sequence[int] = (1, 2, 3, 4), seed: int = 0,
                          max_customers: int = 20000) -> pl.DataFrame:
    """Share of customers made unique by p of their own events (unicity; de Montjoye et al. 2015,
    Science 347:536; Tournier & de Montjoye 2022, Science Advances).

    Each event is a point described by ``point_columns`` (e.g. day and shop, or day and amount band).
    For a seeded sample of up to ``max_customers`` customers having at least p distinct points, p of
    their points are drawn at random; the customer is unique when no other customer's trace holds all
    p. Points are compared by the text of their columns; the seeded draws are md5 of text, the same on DuckDB,
    PostgreSQL and Spark.

    Returns
    -------
    polars.DataFrame
        ``points, customers, unique, share, ci_low, ci_high`` (Wilson 95 %), and ``eligible``: the customers
        of the whole data with at least p distinct points (the share applies to them).
    """
    subject = "behavioral_uniqueness"
    common.check_frame(events, subject)
    key = common.check_column(events, key)
    point_columns = common.check_columns(events, point_columns, "point_columns", subject)
    if key in point_columns:
        raise common.bad("point_columns", subject, "columns other than the key", list(point_columns))
    if isinstance(points, (str, bytes)) or not isinstance(points, Sequence) or not points or any(
            isinstance(p, bool) or not isinstance(p, int) or p < 1 for p in points):
        raise common.bad("points", subject, "a non-empty sequence of ints >= 1", points)
    seed = common.check_int(seed, "seed", subject, minimum=0)
    max_customers = common.check_int(max_customers, "max_customers", subject, minimum=1)
    with common.registered(events, [key, *point_columns]) as (con, view):
        table = store.behavioral_matches(con, view, key=key, point_columns=point_columns,
                                         points=sorted(set(points)), seed=seed, max_customers=max_customers)
    rows = []
    for r in table.iter_rows(named=True):
        n, s = int(r["customers"]), int(r["unique"])
        _, low, high = common.wilson(s, n, 0.95)
        rows.append({"points": int(r["points"]), "customers": n, "unique": s,
                     "share": s / n if n else None, "ci_low": low if n else None, "ci_high": high if n else None,
                     "eligible": int(r["eligible"] or 0)})
    return pl.DataFrame(rows, schema={"points": pl.Int64, "customers": pl.Int64, "unique": pl.Int64,
                                      "share": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
                                      "eligible": pl.Int64})
