"""Choose a scenario's learner by cross-validated Qini on its **training split only** (the held-out split that
measures the gain is never seen), cheaply enough to run for every scenario.

Candidates: the S-, T-, X- and DR-learners each with logistic regression and with early-stopped gradient
boosting, and the class transformation with boosting (:data:`CANDIDATES`, :mod:`analysis.lift.learners`). Each is
scored by the Qini coefficient of its ranking on the validation fold (several arms: the Qini of the best-arm
policy, the headline of :mod:`analysis.lift.evaluate`), averaged over :data:`FOLDS` folds; the highest mean
wins, ties going to the simpler learner (the order of :data:`CANDIDATES`). Without a treatment the response
models (logistic, boosting) are scored by the normalized area under the cumulative gains curve instead.

What keeps it cheap (``bench/bench_models.py --selection`` measures it against training one model):

- **shared folds**: one set of folds (stratified by arm and outcome, seeded) for every candidate;
- **shared outcome models**: the T-learner's outcome models of a fold are the X-learner's first stage (with 3
  or more folds the DR-learner's cross-fitted outcome probabilities also come from models fitted once per pair
  of folds; with 2 it cross-fits inside each fold's training half as it does when trained for good);
- **early stopping** picks the boosting rounds of each fit, and the grids are small (one setting per family:
  the rounds are the only tuned parameter);
- at most :data:`MAX_ROWS` training customers take part (a seeded subsample of larger splits): the choice
  costs a bounded time however large the CRM, while the chosen learner is then trained on the whole split.

A choice depends only on the training arrays, the seed and these settings; it is kept under a sha256 of
exactly those, in ``cache`` (any mutable mapping, e.g. :class:`analysis.simulation.ModelCache`'s ``choices``)
and in a small memo of this process, so a scenario with the same training data never selects twice.

Example
-------
>>> from analysis.lift.models import toy_campaign
>>> X, y, t = toy_campaign(4000, base=0.1)
>>> choice = select_learner(X, y, t, candidates=("t_learner/logistic", "class_transformation/logistic"))
>>> choice.chosen in ("t_learner/logistic", "class_transformation/logistic"), choice.folds
(True, 2)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from threadpoolctl import threadpool_limits

from analysis.errors import must_be
from analysis.lift import metrics
from analysis.lift.learners import FAMILIES, LEARNER_NAMES, build_learner, cross_fit_folds, family_classifier
from analysis.lift.models import ResponseModel, TwoModelUplift, check_arms

__all__ = ["CANDIDATES", "RESPONSE_CANDIDATES", "FOLDS", "MAX_ROWS", "Selection", "select_learner",
           "select_response_model", "policy_qini"]

#: the S-, T-, X- and DR-learners with each family, and the class transformation with boosting (as
#: scikit-uplift's ClassTransformation is usually run), simplest first
CANDIDATES = tuple(f"{learner}/{family}" for learner in LEARNER_NAMES[:4] for family in FAMILIES) + (
    "class_transformation/hgb",)
#: every learner with every family (what ``candidates`` may hold)
ALLOWED = tuple(f"{learner}/{family}" for learner in LEARNER_NAMES for family in FAMILIES)
#: response models for data without a treatment (targeting lift)
RESPONSE_CANDIDATES = tuple(f"response/{family}" for family in FAMILIES)
#: cross-validation folds: 2 (each candidate learns from one half and is scored on the other, both ways) — an
#: assumption: on the synthetic CRM 3 folds cost 1.5× as much for no better choice (bench/bench_models.py)
FOLDS = 2
#: most training customers the selection uses (a seeded subsample beyond): an assumption chosen so that the
#: selection costs at most about 3× training one model on CRM-sized data (bench/bench_models.py)
MAX_ROWS = 10_000
#: fewest customers of an arm for a cross-validated choice; with fewer the T-learner with logistic regression
#: is kept without scores (assumption: 10 per arm and fold)
MIN_ARM_ROWS = 20
#: bump when the candidates or the procedure change: cached choices then no longer match
VERSION = "1"
#: choices made in this process, by the same key (the most recent :data:`MEMO_SIZE`): the same training data,
#: seed and settings always give the same choice, so a repeated scenario (another test, another page of the
#: app, another k) never selects twice
MEMO_SIZE = 256
_MEMO: OrderedDict[str, "Selection"] = OrderedDict()
_MEMO_LOCK = threading.Lock()


@dataclass(frozen=True)
class Selection:
    """The learner chosen for a scenario and the cross-validated score of every candidate."""

    chosen: str  #: e.g. "x_learner/logistic"
    cv_score: float  #: mean over the folds of the chosen candidate's validation score
    cv_score_sd: float  #: standard deviation of that score over the folds
    metric: str  #: "qini" (one treatment arm), "policy qini" (several) or "gains" (no treatment)
    scores: tuple[tuple[str, tuple[float, ...]], ...]  #: each candidate's score on each fold
    folds: int
    rows: int  #: training customers that took part
    rows_total: int  #: training customers of the split

    def to_dict(self) -> dict:
        """Plain JSON values: the choice, its score, and every candidate's mean score."""
        return {
            "chosen": self.chosen, "cv_score": _plain(self.cv_score), "cv_score_sd": _plain(self.cv_score_sd),
            "metric": self.metric, "folds": self.folds, "rows": self.rows, "rows_total": self.rows_total,
            "candidates": [{"name": name, "cv_score": _plain(_mean(values))} for name, values in self.scores],
        }


def _plain(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _mean(values) -> float:
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else float("nan")


def _fail(name: str, where: str, what: str, got: object) -> ValueError:
    return ValueError(must_be(name, where, what, got, show=str))


def policy_qini(y, uplift, treatment, arms) -> float:
    """Qini coefficient of the best-arm policy: customers ranked by their best arm's predicted uplift, scored
    on those who received that arm or the control (one arm: the plain Qini coefficient)."""
    uplift = np.asarray(uplift, dtype=np.float64).reshape(len(y), -1)
    best = np.argmax(uplift, axis=1)
    treatment = np.asarray(treatment)
    matched = (treatment == arms[0]) | (treatment == np.asarray(arms)[1:][best])
    treated = (treatment[matched] != arms[0]).astype(np.float64)
    if treated.sum() == 0 or treated.sum() == treated.size:
        return float("nan")
    return metrics.qini_auc_score(y[matched], uplift[matched, best[matched]], treated)


def gains_score(y, score) -> float:
    """Normalized area between the cumulative gains curve and random targeting (1 perfect, 0 random)."""
    x, curve = metrics.cumulative_gains_curve(y, score)
    best_x, best = metrics.cumulative_gains_curve(y, y)
    random = curve[-1] * x[-1] / 2
    room = np.trapezoid(best, best_x) - random
    return float((np.trapezoid(curve, x) - random) / room) if room > 0 else float("nan")


def _subsample(n: int, max_rows: int, seed) -> np.ndarray:
    if n <= max_rows:
        return np.arange(n)
    return np.sort(np.random.default_rng([seed, 1]).choice(n, max_rows, replace=False))


def _key(*parts) -> str:
    digest = hashlib.sha256(VERSION.encode())
    for part in parts:
        array = np.ascontiguousarray(part if isinstance(part, np.ndarray) else np.asarray(repr(part)))
        digest.update(str((array.dtype.str, array.shape)).encode())
        digest.update(array.astype(str).tobytes() if array.dtype == object else array.tobytes())
    return digest.hexdigest()


def _recall(key: str, cache):
    if cache is not None and key in cache:
        return cache[key]
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            choice = _MEMO[key]
            if cache is not None:
                cache[key] = choice
            return choice
    return None


def _remember(key: str, choice: "Selection", cache) -> "Selection":
    if cache is not None:
        cache[key] = choice
    with _MEMO_LOCK:
        _MEMO[key] = choice
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    return choice


def _check(candidates, allowed, folds, max_rows, where):
    if not candidates or any(c not in allowed for c in candidates):
        raise _fail("candidates", where, f"a non-empty sequence of {allowed}", repr(candidates))
    if not isinstance(folds, int) or folds < 2:
        raise _fail("folds", where, "an int >= 2", repr(folds))
    if not isinstance(max_rows, int) or max_rows < 100:
        raise _fail("max_rows", where, "an int >= 100", repr(max_rows))


def _choose(scores: dict, metric: str, folds: int, rows: int, rows_total: int, fallback: str) -> Selection:
    means = {name: _mean(values) for name, values in scores.items()}
    finite = [name for name in scores if np.isfinite(means[name])]
    chosen = max(finite, key=lambda name: means[name]) if finite else fallback  # max keeps the first of ties
    values = np.asarray(scores.get(chosen, [np.nan]), dtype=np.float64)
    sd = float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else float("nan")
    return Selection(chosen, means.get(chosen, float("nan")), sd, metric,
                     tuple((name, tuple(float(v) for v in values)) for name, values in scores.items()),
                     folds, rows, rows_total)


def select_learner(X, y, treatment, *, arms=None, seed=0, candidates=CANDIDATES, folds=FOLDS, max_rows=MAX_ROWS,
                   cache=None, threads=1) -> Selection:
    """Choose the uplift learner by cross-validated Qini on these (training) rows; see the module docstring.

    Parameters
    ----------
    X, y, treatment : the training split (features, 0/1 outcome, arm labels).
    arms : the arms, control first (default: sorted labels).
    seed : seeds the subsample, the folds and every model.
    candidates : names ``"<learner>/<family>"`` to choose from.
    folds, max_rows : cross-validation folds; most customers used.
    cache : mutable mapping, optional — choices already made, by a sha256 of the inputs and settings.
    threads : native threads the fits may use (default 1, as :func:`analysis.lift.evaluate.train_and_measure`;
        None: the libraries' default).
    """
    where = "select_learner"
    _check(candidates, ALLOWED, folds, max_rows, where)
    X, y, treatment = np.asarray(X, dtype=np.float64), np.asarray(y), np.asarray(treatment)
    arms = check_arms(treatment, arms, where)
    key = _key("uplift", X, y, treatment, arms, seed, candidates, folds, max_rows, threads)
    known = _recall(key, cache)
    if known is not None:
        return known
    with threadpool_limits(threads) if threads else nullcontext():
        choice = _select(X, y, treatment, arms, seed, candidates, folds, max_rows)
    return _remember(key, choice, cache)


def _select(X, y, treatment, arms, seed, candidates, folds, max_rows) -> Selection:
    total = len(y)
    metric = "qini" if len(arms) == 2 else "policy qini"
    if min(int(np.sum(treatment == arm)) for arm in arms) < max(MIN_ARM_ROWS, 2 * folds):
        return _choose({}, metric, folds, 0, total, "t_learner/logistic")
    rows = _subsample(total, max_rows, seed)
    # arms as codes 0 (control), 1, … : every fit below compares integers, not labels
    codes = np.zeros(total, dtype=np.int64)
    for index, arm in enumerate(arms):
        codes[treatment == arm] = index
    X, y, treatment, arms = X[rows], y[rows], codes[rows], np.arange(len(arms))
    fold = cross_fit_folds(treatment, y, folds, seed)
    families = sorted({name.split("/")[1] for name in candidates})
    need_t = {f for f in families if any(c in candidates for c in (f"t_learner/{f}", f"x_learner/{f}"))}
    need_dr = {f for f in families if f"dr_learner/{f}" in candidates} if folds > 2 else set()
    outcome = {f: [TwoModelUplift(family_classifier(f, random_state=seed), arms=arms).fit(
        X[fold != k], y[fold != k], treatment[fold != k]) for k in range(folds)] for f in need_t}
    # outcome models that saw neither fold j nor fold k: the DR-learner's cross-fitting inside fold k's
    # training rows (rows of fold j get their outcome probabilities from the model without j and k)
    pairs = {f: {frozenset(p): TwoModelUplift(family_classifier(f, random_state=seed), arms=arms).fit(
        *(a[~np.isin(fold, p)] for a in (X, y, treatment))) for p in combinations(range(folds), 2)}
        for f in need_dr}
    scores = {name: [] for name in candidates}
    for k in range(folds):
        train, valid = fold != k, fold == k
        Xt, yt, tt = X[train], y[train], treatment[train]
        for name in candidates:
            learner, family = name.split("/")
            model = build_learner(name, arms=arms, random_state=seed)
            if learner == "t_learner":
                model = outcome[family][k]
            elif learner == "x_learner":
                model.fit(Xt, yt, tt, outcome_model=outcome[family][k])
            elif learner == "dr_learner" and folds > 2:
                nuisance = np.empty((int(train.sum()), len(arms)))
                for j in set(range(folds)) - {k}:
                    inner = fold[train] == j
                    nuisance[inner] = pairs[family][frozenset((j, k))].predict_proba_arms(Xt[inner])
                model.fit(Xt, yt, tt, nuisance=nuisance)
            else:
                model.fit(Xt, yt, tt)
            scores[name].append(policy_qini(y[valid], model.predict_uplift(X[valid]), treatment[valid], arms))
    return _choose(scores, metric, folds, len(rows), total, "t_learner/logistic")


def select_response_model(X, y, *, seed=0, candidates=RESPONSE_CANDIDATES, folds=FOLDS, max_rows=MAX_ROWS,
                          cache=None, threads=1) -> Selection:
    """Choose the response model (no treatment) by cross-validated normalized gains area."""
    where = "select_response_model"
    _check(candidates, RESPONSE_CANDIDATES, folds, max_rows, where)
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    key = _key("response", X, y, seed, candidates, folds, max_rows, threads)
    known = _recall(key, cache)
    if known is not None:
        return known
    total = len(y)
    rows = _subsample(total, max_rows, seed)
    X, y = X[rows], y[rows]
    fold = cross_fit_folds(np.zeros(len(y)), y, folds, seed)
    scores = {name: [] for name in candidates}
    with threadpool_limits(threads) if threads else nullcontext():
        for k in range(folds):
            train, valid = fold != k, fold == k
            for name in candidates:
                model = ResponseModel(family_classifier(name.split("/")[1], random_state=seed)).fit(X[train],
                                                                                                  y[train])
                scores[name].append(gains_score(y[valid], model.predict_score(X[valid])))
    return _remember(key, _choose(scores, "gains", folds, len(rows), total, "response/logistic"), cache)
