"""Scenarios: frozen, hashable specs of one way to use the CRM, and the registry of named presets.

A :class:`Scenario` only *describes* a choice (which data, how coarse, how long, whose, how private); the
code that computes it lives in :mod:`analysis.minimize` and :mod:`analysis.simulation`. Its
:attr:`Scenario.fingerprint` (sha256 of the canonical JSON of every field that changes a result — name and
description excluded) is the cache key and the id in saved reports.

Example
-------
>>> s = Scenario(name="DP", epsilon=1.0)
>>> s.fingerprint == Scenario(name="another name", epsilon=1.0).fingerprint
True
>>> Scenario(name="bad", epsilon=-1)
Traceback (most recent call last):
...
analysis.scenario.ScenarioError: The 'epsilon' parameter of Scenario 'bad' must be a number > 0 or None. Got -1 instead.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterable

from analysis.dictionary import CATEGORIES, GENERALIZATIONS

__all__ = [
    "Scenario",
    "ScenarioError",
    "PRESETS",
    "preset",
    "preset_names",
    "scenarios_from_toml",
    "scenarios_to_toml",
    "scenarios_from_json",
    "scenarios_to_json",
    "load_scenarios",
    "CONSENT_REGIMES",
    "MODELS",
]

CONSENT_REGIMES = ("ignore", "consented_only", "opt_in", "opt_out")
MODELS = ("logistic", "hgb")
DP_MODELS = ("logistic", "gaussian_nb")
FEATURE_ROLES = ("quasi_identifier", "sensitive", "behavioral")
#: Not part of the fingerprint: they name a scenario, they do not change its figures.
LABEL_FIELDS = ("name", "description")


class ScenarioError(ValueError):
    """A scenario spec is invalid; the message names the scenario and the field."""


@dataclass(frozen=True)
class Scenario:
    """One way the business could use its CRM data.

    Parameters
    ----------
    name : str
        A short label shown everywhere.
    description : str
        One plain-language line.
    exclude_roles : tuple of str
        Column roles the model may not use (``"sensitive"``, ``"quasi_identifier"``, ``"behavioral"``).
    exclude_categories : tuple of str
        Data categories the model may not use (``"health"``, ``"financial"``, ``"location"`` …).
    exclude_columns : tuple of str
        Columns the model may not use, by name.
    use_events : bool
        Build behavioural features (recency, frequency, monetary, channel mix) from the events history.
    generalization_level : int
        0 = as collected; 1–3 = each quasi-identifier generalized to its dictionary ``levels[level-1]``
        (age bands of 5/10/20 years, ZIP prefixes of 3/2/1 digits, rare categories merged, top-coding).
    generalize : tuple of (column, method, parameter)
        Explicit generalizations, applied after the level: ``("age", "band", 10)``, ``("zip", "prefix", 3)``,
        ``("income", "top_code", 100000)``, ``("job", "merge_rare", 0.05)``.
    retention_days : int or None
        Only events of the last N days are kept and used; None keeps all history.
    consent : {"ignore", "consented_only", "opt_in", "opt_out"}
        Whose data is used: everyone; only those who consented to ``consent_purpose``; or a simulated
        opt-in / opt-out regime with ``consent_rate``.
    consent_rate : float or None
        opt_in: the share who opt in (default 0.3); opt_out: the share who opt out (default 0.1).
    consent_purpose : str
        The consent purpose that licenses personalization.
    erasure_rate : float
        Share of customers who exercised their right to erasure (removed everywhere), 0–0.5.
    epsilon : float or None
        Train with differential privacy (diffprivlib) at this ε; None trains without DP.
    dp_model : {"logistic", "gaussian_nb"}
        The diffprivlib model when ``epsilon`` is set.
    model : {"hgb", "logistic"}
        The scikit-learn model without DP: logistic regression (default: fast, and the most stable ranking on
        CRM-sized data) or histogram gradient boosting.
    pseudonymization, encryption_at_rest, access_restriction : bool
        Mitigations that do not change the model but change what a breach exposes.
    k : float
        Targeting budget: the share of customers contacted (0–1].
    seed : int
        Seed of the training split, the simulated consent/erasure draws and the models.
    """

    name: str
    description: str = ""
    exclude_roles: tuple[str, ...] = ()
    exclude_categories: tuple[str, ...] = ()
    exclude_columns: tuple[str, ...] = ()
    use_events: bool = True
    generalization_level: int = 0
    generalize: tuple[tuple[str, str, float], ...] = ()
    retention_days: int | None = None
    consent: str = "ignore"
    consent_rate: float | None = None
    consent_purpose: str = "personalization"
    erasure_rate: float = 0.0
    epsilon: float | None = None
    dp_model: str = "logistic"
    model: str = "logistic"
    pseudonymization: bool = True
    encryption_at_rest: bool = False
    access_restriction: bool = False
    k: float = 0.3
    seed: int = 0

    def __post_init__(self) -> None:
        # normalize lists from TOML/JSON into tuples so the spec stays hashable
        for f in ("exclude_roles", "exclude_categories", "exclude_columns"):
            v = getattr(self, f)
            if isinstance(v, str):
                v = (v,)
            object.__setattr__(self, f, tuple(v))
        gen = tuple(tuple(g) for g in self.generalize)
        object.__setattr__(self, "generalize", gen)
        _validate(self)

    # ---- identity ---------------------------------------------------------------------------------------
    def spec_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["exclude_roles"] = list(self.exclude_roles)
        d["exclude_categories"] = list(self.exclude_categories)
        d["exclude_columns"] = list(self.exclude_columns)
        d["generalize"] = [list(g) for g in self.generalize]
        return d

    @property
    def fingerprint(self) -> str:
        """sha256 (first 16 hex digits) of the canonical JSON of the fields that change results."""
        d = {k: v for k, v in self.spec_dict().items() if k not in LABEL_FIELDS}
        d["exclude_roles"] = sorted(d["exclude_roles"])
        d["exclude_categories"] = sorted(d["exclude_categories"])
        d["exclude_columns"] = sorted(d["exclude_columns"])
        for key in ("epsilon", "consent_rate", "erasure_rate", "k"):
            if d[key] is not None:
                d[key] = float(d[key])
        d["generalize"] = [[c, m, float(p)] for c, m, p in d["generalize"]]
        canonical = json.dumps(d, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def replace(self, **changes: Any) -> "Scenario":
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(changes)
        return Scenario(**d)

    @property
    def effective_consent_rate(self) -> float | None:
        if self.consent == "opt_in":
            return 0.3 if self.consent_rate is None else self.consent_rate
        if self.consent == "opt_out":
            return 0.1 if self.consent_rate is None else self.consent_rate
        return None

    @property
    def is_private(self) -> bool:
        return self.epsilon is not None


def _fail(spec_name: str, field: str, must: str, got: Any) -> None:
    raise ScenarioError(f"The {field!r} parameter of Scenario {spec_name!r} must be {must}. Got {got!r} instead.")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _validate(s: Scenario) -> None:
    n = s.name if isinstance(s.name, str) else repr(s.name)
    if not isinstance(s.name, str) or not s.name.strip():
        _fail(n, "name", "a non-empty string", s.name)
    if len(s.name) > 120:
        _fail(n, "name", "at most 120 characters", s.name[:20] + "…")
    for r in s.exclude_roles:
        if r not in FEATURE_ROLES:
            _fail(n, "exclude_roles", f"a list of roles among {', '.join(FEATURE_ROLES)}", r)
    for c in s.exclude_categories:
        if c not in CATEGORIES:
            _fail(n, "exclude_categories", f"a list of categories among {', '.join(CATEGORIES)}", c)
    for c in s.exclude_columns:
        if not isinstance(c, str) or not c:
            _fail(n, "exclude_columns", "a list of column names", c)
    if not isinstance(s.use_events, bool):
        _fail(n, "use_events", "true or false", s.use_events)
    if not isinstance(s.generalization_level, int) or isinstance(s.generalization_level, bool) or not (
        0 <= s.generalization_level <= 3
    ):
        _fail(n, "generalization_level", "an integer from 0 to 3", s.generalization_level)
    for g in s.generalize:
        if len(g) != 3 or not isinstance(g[0], str) or g[1] not in GENERALIZATIONS or not _is_number(g[2]) or g[2] <= 0:
            _fail(
                n,
                "generalize",
                f"a list of [column, method, parameter > 0] with method among {', '.join(GENERALIZATIONS)}",
                list(g),
            )
    if s.retention_days is not None and (
        not isinstance(s.retention_days, int) or isinstance(s.retention_days, bool) or s.retention_days < 1
    ):
        _fail(n, "retention_days", "a whole number of days ≥ 1, or None for all history", s.retention_days)
    if s.consent not in CONSENT_REGIMES:
        _fail(n, "consent", f"one of {', '.join(CONSENT_REGIMES)}", s.consent)
    if s.consent_rate is not None:
        if s.consent not in ("opt_in", "opt_out"):
            _fail(n, "consent_rate", "None unless consent is 'opt_in' or 'opt_out'", s.consent_rate)
        if not _is_number(s.consent_rate) or not (0 < s.consent_rate < 1):
            _fail(n, "consent_rate", "a share between 0 and 1 (exclusive)", s.consent_rate)
    if not isinstance(s.consent_purpose, str) or not s.consent_purpose:
        _fail(n, "consent_purpose", "a purpose name", s.consent_purpose)
    if not _is_number(s.erasure_rate) or not (0 <= s.erasure_rate <= 0.5):
        _fail(n, "erasure_rate", "a share from 0 to 0.5", s.erasure_rate)
    if s.epsilon is not None and (not _is_number(s.epsilon) or not (s.epsilon > 0) or s.epsilon > 1000):
        _fail(n, "epsilon", "a number > 0 or None", s.epsilon)
    if s.dp_model not in DP_MODELS:
        _fail(n, "dp_model", f"one of {', '.join(DP_MODELS)}", s.dp_model)
    if s.model not in MODELS:
        _fail(n, "model", f"one of {', '.join(MODELS)}", s.model)
    for f in ("pseudonymization", "encryption_at_rest", "access_restriction"):
        if not isinstance(getattr(s, f), bool):
            _fail(n, f, "true or false", getattr(s, f))
    if not _is_number(s.k) or not (0 < s.k <= 1):
        _fail(n, "k", "a share of customers in (0, 1]", s.k)
    if not isinstance(s.seed, int) or isinstance(s.seed, bool) or s.seed < 0:
        _fail(n, "seed", "a whole number ≥ 0", s.seed)


# ---- presets ---------------------------------------------------------------------------------------------
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


# ---- files -----------------------------------------------------------------------------------------------
def _from_mapping(d: dict, *, where: str) -> Scenario:
    names = {f.name for f in fields(Scenario)}
    unknown = sorted(set(d) - names)
    label = d.get("name", "?")
    if unknown:
        raise ScenarioError(
            f"{where}: Scenario {label!r} has unknown field(s) {', '.join(map(repr, unknown))}; "
            f"known fields: {', '.join(sorted(names))}."
        )
    if "name" not in d:
        raise ScenarioError(f"{where}: a scenario needs a 'name'.")
    try:
        return Scenario(**d)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except TypeError as exc:
        raise ScenarioError(f"{where}: Scenario {label!r}: {exc}") from None


def _clean_for_file(s: Scenario, *, drop_defaults: bool) -> dict[str, Any]:
    d = s.spec_dict()
    if drop_defaults:
        default = Scenario(name=s.name).spec_dict()
        d = {k: v for k, v in d.items() if k in ("name",) or v != default[k]}
    return d


def scenarios_to_json(scenarios: Iterable[Scenario], *, indent: int | None = 2) -> str:
    return json.dumps(
        [dict(s.spec_dict(), fingerprint=s.fingerprint) for s in scenarios], indent=indent, ensure_ascii=False
    )


def scenarios_from_json(text: str, *, source: str = "<json>") -> list[Scenario]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{source}: not valid JSON ({exc}).") from None
    if isinstance(raw, dict):
        raw = raw.get("scenarios", [raw])
    out = []
    for i, d in enumerate(raw, start=1):
        if not isinstance(d, dict):
            raise ScenarioError(f"{source}: scenario #{i} is not an object.")
        d = {k: v for k, v in d.items() if k != "fingerprint"}
        out.append(_from_mapping(d, where=f"{source} (scenario #{i})"))
    return _unique(out, source)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


def scenarios_to_toml(scenarios: Iterable[Scenario]) -> str:
    """TOML with one ``[[scenario]]`` table per spec (defaults omitted; ``None`` fields omitted)."""
    blocks = []
    for s in scenarios:
        d = _clean_for_file(s, drop_defaults=True)
        lines = ["[[scenario]]"] + [f"{k} = {_toml_value(v)}" for k, v in d.items() if v is not None]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def scenarios_from_toml(text: str, *, source: str = "<toml>") -> list[Scenario]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML ({exc}).") from None
    items = raw.get("scenario")
    if not isinstance(items, list) or not items:
        raise ScenarioError(f"{source}: no [[scenario]] tables found.")
    out = [_from_mapping(d, where=f"{source} (scenario #{i})") for i, d in enumerate(items, start=1)]
    return _unique(out, source)


def _unique(specs: list[Scenario], source: str) -> list[Scenario]:
    seen: set[str] = set()
    for s in specs:
        if s.name in seen:
            raise ScenarioError(f"{source}: two scenarios are named {s.name!r}; names must be unique.")
        seen.add(s.name)
    return specs


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read scenarios from a ``.toml`` or ``.json`` file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{p}: cannot read the scenarios file ({exc}).") from None
    if p.suffix.lower() == ".json":
        return scenarios_from_json(text, source=str(p))
    return scenarios_from_toml(text, source=str(p))
