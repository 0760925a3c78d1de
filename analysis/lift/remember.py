"""Predictions of a fitted model on one matrix, computed once.

A scenario's model scores the same held-out customers for its lift, its own-population figure, its fairness
audit and its personalized gain; each used to call ``predict_uplift`` (or ``predict_score``) again — on a
sampled CRM's 60,000 held-out customers with gradient boosting that was about a third of a sweep (bench/README.md,
issue 14). :func:`remember_predictions` keeps the first answer for that matrix and hands out copies: the
figures are exactly those of calling the model again (a fitted model's predictions are a function of ``X``).

Example
-------
>>> import numpy as np
>>> from analysis.lift.models import TwoModelUplift, make_classifier
>>> rng = np.random.default_rng(0)
>>> X = rng.random((500, 2)); t = rng.integers(0, 2, 500); y = (rng.random(500) < 0.3).astype(int)
>>> model = remember_predictions(TwoModelUplift(make_classifier("logistic")).fit(X, y, t), X)
>>> bool((model.predict_uplift(X) == model.predict_uplift(X.copy())).all())
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["remember_predictions"]

#: the prediction methods remembered (those the scenario's measures call on the held-out customers)
METHODS = ("predict_uplift", "predict_score", "predict_proba_arms")


def _same(Z, X: np.ndarray) -> bool:
    if Z is X:
        return True
    return (isinstance(Z, np.ndarray) and Z.shape == X.shape and Z.dtype == X.dtype
            and np.array_equal(Z, X, equal_nan=X.dtype.kind == "f"))


def remember_predictions(model, X: np.ndarray):
    """``model`` with its prediction methods remembering their answer for ``X`` (and for an equal array);
    any other matrix is predicted as before. The model keeps its class (``isinstance`` checks still hold).
    Returns ``model``."""
    X = np.asarray(X)
    for name in METHODS:
        method = getattr(model, name, None)
        if method is None:
            continue
        memo: list[np.ndarray] = []

        def remembered(Z, *args, _method=method, _memo=memo, **kwargs):
            if args or kwargs or not _same(Z, X):
                return _method(Z, *args, **kwargs)
            if not _memo:
                _memo.append(np.asarray(_method(Z)))
            return _memo[0].copy()

        setattr(model, name, remembered)
    return model
