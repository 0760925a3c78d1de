"""The scenario in the URL: compact query fields so a view can be shared and reopened as it was.

Fields (all optional; absent = the default of :class:`analysis.Scenario`)::

    xr=sensitive,behavioral     roles left out of the model
    xc=health,location          data categories left out of the model
    xcol=zip                    columns left out of the model
    ev=0                        no behavioural features from the events history
    gen=2                       generalization level 0-3
    ret=90                      days of history kept
    consent=opt_in&cr=0.3       consent regime and rate
    er=0.05                     share of customers who asked for erasure
    eps=1                       differential privacy budget (absent = no DP)
    dpm=gaussian_nb             DP model; model=logistic the non-DP model
    mit=p,e,a | none            mitigations: pseudonymization, encryption at rest, access restriction
    k=0.3                       share of customers targeted
    seed=0

Example
-------
>>> from analysis import Scenario
>>> fields = scenario_to_params(Scenario(name="x", epsilon=1.0, retention_days=90))
>>> fields["eps"], fields["ret"]
('1', '90')
>>> scenario_from_params(fields, name="x")[0] == Scenario(name="x", epsilon=1.0, retention_days=90)
True
"""

from __future__ import annotations

from typing import Any, Mapping

from analysis import Scenario, ScenarioError

#: every query field this module owns (other fields, e.g. ``db``, are left alone)
FIELDS = ("xr", "xc", "xcol", "ev", "gen", "ret", "consent", "cr", "er", "eps", "dpm", "model", "mit", "k",
          "seed")
_MITIGATIONS = {"p": "pseudonymization", "e": "encryption_at_rest", "a": "access_restriction"}


def _number(value: float) -> str:
    return f"{value:g}"


def scenario_to_params(spec: Scenario) -> dict[str, str]:
    """The compact query fields of ``spec`` (defaults left out)."""
    default = Scenario(name=spec.name)
    out: dict[str, str] = {}
    if spec.exclude_roles:
        out["xr"] = ",".join(sorted(spec.exclude_roles))
    if spec.exclude_categories:
        out["xc"] = ",".join(sorted(spec.exclude_categories))
    if spec.exclude_columns:
        out["xcol"] = ",".join(sorted(spec.exclude_columns))
    if spec.use_events != default.use_events:
        out["ev"] = "1" if spec.use_events else "0"
    if spec.generalization_level:
        out["gen"] = str(spec.generalization_level)
    if spec.retention_days is not None:
        out["ret"] = str(spec.retention_days)
    if spec.consent != default.consent:
        out["consent"] = spec.consent
    if spec.consent_rate is not None:
        out["cr"] = _number(spec.consent_rate)
    if spec.erasure_rate:
        out["er"] = _number(spec.erasure_rate)
    if spec.epsilon is not None:
        out["eps"] = _number(spec.epsilon)
    if spec.dp_model != default.dp_model:
        out["dpm"] = spec.dp_model
    if spec.model != default.model:
        out["model"] = spec.model
    mitigations = [letter for letter, f in _MITIGATIONS.items() if getattr(spec, f)]
    if mitigations != ["p"]:
        out["mit"] = ",".join(mitigations) or "none"
    if spec.k != default.k:
        out["k"] = _number(spec.k)
    if spec.seed:
        out["seed"] = str(spec.seed)
    return out


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _parse_field(key: str, value: str) -> dict[str, Any]:
    """One query field as Scenario keyword arguments; ValueError with a plain message if unreadable."""
    if key == "xr":
        return {"exclude_roles": _split(value)}
    if key == "xc":
        return {"exclude_categories": _split(value)}
    if key == "xcol":
        return {"exclude_columns": _split(value)}
    if key == "ev":
        if value not in ("0", "1"):
            raise ValueError("ev must be 0 or 1")
        return {"use_events": value == "1"}
    if key in ("gen", "ret", "seed"):
        field = {"gen": "generalization_level", "ret": "retention_days", "seed": "seed"}[key]
        return {field: int(value)}
    if key == "consent":
        return {"consent": value}
    if key in ("cr", "er", "eps", "k"):
        field = {"cr": "consent_rate", "er": "erasure_rate", "eps": "epsilon", "k": "k"}[key]
        number = float(value)
        if number != number:  # NaN
            raise ValueError(f"{key} must be a number")
        return {field: number}
    if key == "dpm":
        return {"dp_model": value}
    if key == "model":
        return {"model": value}
    if key == "mit":
        letters = () if value == "none" else _split(value)
        unknown = [x for x in letters if x not in _MITIGATIONS]
        if unknown:
            raise ValueError(f"mit must list p, e, a or say none; got {', '.join(unknown)}")
        return {f: letter in letters for letter, f in _MITIGATIONS.items()}
    raise KeyError(key)


def scenario_from_params(params: Mapping[str, str], *, name: str,
                         base: Scenario | None = None) -> tuple[Scenario, list[str]]:
    """Decode the query fields into a Scenario named ``name``.

    Returns the scenario and a list of plain warnings. An unreadable field is skipped (with a warning);
    if the fields together make an invalid scenario, ``base`` (or the default scenario) is returned.
    """
    base = (base or Scenario(name=name)).replace(name=name)
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    for key in FIELDS:
        if key not in params:
            continue
        value = str(params[key])
        try:
            changes.update(_parse_field(key, value))
        except (ValueError, KeyError) as exc:
            warnings.append(f"The link's '{key}={value}' could not be read ({exc}); it was ignored.")
    try:
        return base.replace(**changes), warnings
    except ScenarioError as exc:
        warnings.append(f"The scenario in the link is not valid, so the defaults are shown. {exc}")
        return base, warnings
