"""The breach stage: sourced default assumptions (:mod:`.assumptions`, the numbers with their sources in
:mod:`.defaults`, their distributions in :mod:`.distributions`), the FAIR-style Monte Carlo of breach
losses (:mod:`.montecarlo`) and the trust effects of personalization and of breaches (:mod:`.trust`)."""

from analysis.breach.montecarlo import *  # noqa: F403
from analysis.breach.montecarlo import __all__  # noqa: F401
