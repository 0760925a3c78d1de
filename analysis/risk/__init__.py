"""The exposure stage: re-identification (:mod:`.profile`), sensitive-attribute disclosure (:mod:`.disclosure`),
population uniqueness (:mod:`.population`), attacks (:mod:`.attacks`), which quasi-identifier drives the risk
(:mod:`.drivers`) and plain-language explanations (:mod:`.explain`). Definitions: ARX, sdcMicro, pycanon and
anonymeter (REFERENCES.md §1–§2); every SQL statement is in :mod:`analysis.store._risk`.
"""

from analysis.risk.profile import *  # noqa: F403
from analysis.risk.profile import __all__  # noqa: F401
