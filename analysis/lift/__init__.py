"""The engagement-gain stage: uplift / targeting-lift metrics (:mod:`.metrics`, scikit-uplift's definitions),
the models (:mod:`.models`, scikit-learn and diffprivlib on the scikit-learn contract) and the measurement of one
scenario's model (:mod:`.evaluate`).

The metrics are imported eagerly (numpy only); the models and the evaluation load scikit-learn and diffprivlib
on first use, so ``import analysis.lift`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module

from analysis.lift.metrics import *  # noqa: F403
from analysis.lift.metrics import __all__ as _metrics_all

_LAZY = {"LiftResult": "evaluate", "train_and_measure": "evaluate", "LEARNERS": "evaluate"}

__all__ = [*_metrics_all, *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"analysis.lift.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'analysis.lift' has no attribute {name!r}")
