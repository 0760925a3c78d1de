"""The engagement-gain stage: uplift / targeting-lift metrics (:mod:`.metrics`, scikit-uplift's definitions)
and their bootstrap intervals (:mod:`.bootstrap`), the models (:mod:`.models`, :mod:`.learners`: S-, T-, X-,
DR-learners and the class transformation on the scikit-learn contract, diffprivlib for differential privacy),
the learner selection (:mod:`.selection`), the best-arm policy's figures (:mod:`.policy`), the words for a
Qini (:mod:`.wording`) and the measurement of one scenario's model (:mod:`.evaluate`).

The metrics and intervals are imported eagerly (numpy only); the rest loads scikit-learn and diffprivlib on
first use, so ``import analysis.lift`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module

from analysis.lift.bootstrap import *  # noqa: F403
from analysis.lift.bootstrap import __all__ as _bootstrap_all
from analysis.lift.metrics import *  # noqa: F403
from analysis.lift.metrics import __all__ as _metrics_all

_LAZY = {
    "LiftResult": "evaluate", "train_and_measure": "evaluate", "LEARNERS": "evaluate",
    "Selection": "selection", "select_learner": "selection", "CANDIDATES": "selection",
    "build_learner": "learners", "describe_qini": "wording", "describe_selection": "wording",
    "describe_arms": "wording",
}

__all__ = [*_metrics_all, *_bootstrap_all, *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"analysis.lift.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'analysis.lift' has no attribute {name!r}")
