"""The named preset scenarios: the nine ways of using the CRM that every dataset is measured on by default."""

from __future__ import annotations

from analysis.scenario.spec import Scenario

__all__ = ["PRESETS", "preset", "preset_names"]

PRESETS: tuple[Scenario, ...] = (
    Scenario(
        name="Status quo (full data)",
        description="Everything we hold, about everyone, all history, no extra protection.",
    ),
    Scenario(
        name="No sensitive attributes",
        description="The model never sees health or financial-distress data.",
        exclude_roles=("sensitive",),
    ),
    Scenario(
        name="Coarse demographics",
        description="Ages in 10-year bands, ZIP codes cut to 2 digits, rare categories merged.",
        generalization_level=2,
    ),
    Scenario(
        name="90-day retention",
        description="Behaviour older than 90 days is deleted and never used.",
        retention_days=90,
    ),
    Scenario(
        name="Consent only",
        description="Only customers who agreed to personalization are used to train.",
        consent="consented_only",
    ),
    Scenario(
        name="Opt-out regime",
        description="Everyone is in unless they opt out (10 % do).",
        consent="opt_out",
        consent_rate=0.1,
    ),
    Scenario(
        name="Differential privacy ε=1",
        description="The model is trained with differential privacy at ε = 1 (a conservative budget).",
        epsilon=1.0,
    ),
    Scenario(
        name="Differential privacy ε=0.1",
        description="The model is trained with very strong differential privacy (ε = 0.1).",
        epsilon=0.1,
    ),
    Scenario(
        name="Privacy first",
        description=(
            "Consenting customers only, no sensitive data, coarse demographics, 180-day retention, "
            "encrypted and access-restricted."
        ),
        exclude_roles=("sensitive",),
        generalization_level=2,
        retention_days=180,
        consent="consented_only",
        encryption_at_rest=True,
        access_restriction=True,
    ),
)


def preset_names() -> tuple[str, ...]:
    return tuple(p.name for p in PRESETS)


def preset(name: str) -> Scenario:
    for p in PRESETS:
        if p.name == name:
            return p
    raise KeyError(f"No preset named {name!r}; presets: {', '.join(preset_names())}.")
