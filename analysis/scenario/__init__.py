"""Scenarios: frozen, hashable specs of one way to use the CRM (:mod:`.spec`, each field declared once), the
registry of named presets (:mod:`.presets`), scenarios in TOML/JSON files (:mod:`.files`) and in a shared link
(:mod:`.url`).

A :class:`Scenario` only *describes* a choice (which data, how coarse, how long, whose, how private); the code
that computes it lives in :mod:`analysis.minimize` and :mod:`analysis.simulation`. Its fingerprint (sha256 of the
canonical JSON of every field that changes a result — name and description excluded) is the cache key and the
id in saved reports.
"""

from analysis.scenario.describe import describe_changes, describe_differences, differences
from analysis.scenario.files import (
    load_scenarios, scenarios_from_json, scenarios_from_toml, scenarios_to_json, scenarios_to_toml,
)
from analysis.scenario.presets import PRESETS, preset, preset_names
from analysis.scenario.spec import (
    CONSENT_REGIMES, DP_MODELS, EXPOSURE_ONLY_FIELDS, FAIRNESS_MITIGATIONS, FEATURE_ROLES, FIELDS, LABEL_FIELDS,
    LEGAL_BASES, MODELS, FieldInfo,
    Scenario, ScenarioError, field_info, fields_table,
)

__all__ = [
    "Scenario", "ScenarioError", "FieldInfo", "FIELDS", "field_info", "fields_table", "PRESETS", "preset",
    "preset_names", "scenarios_from_toml", "scenarios_to_toml", "scenarios_from_json", "scenarios_to_json",
    "load_scenarios", "CONSENT_REGIMES", "FAIRNESS_MITIGATIONS", "LEGAL_BASES", "MODELS", "DP_MODELS",
    "FEATURE_ROLES", "LABEL_FIELDS", "EXPOSURE_ONLY_FIELDS", "differences", "describe_differences", "describe_changes",
]
