"""Scenario → the data the model may learn from and the data the business would hold.

:func:`prepare` applies one :class:`~analysis.Scenario` to the CRM :func:`analysis.data.load_crm` read:
erasure, consent regime, feature minimization, generalization of quasi-identifiers, retention, and builds the
model matrices (every feature scaled into [0, 1] with domain bounds from the dictionary, so differentially
private training never reads bounds from the data). :func:`not_applicable` says why a scenario does not
apply to a dataset. This module holds the typed result (:class:`Prepared`), the checks against the dataset,
the seeded populations (test split, erasure, consent) and :func:`prepare` itself; the generalization of
quasi-identifiers is in :mod:`analysis.generalize` and the model's features and matrices in
:mod:`analysis.features` (their names are importable from here too).

A CRM larger than ``sample_size`` is modelled on a stratified sample and its exposure is a DuckDB table over
every held customer, generalized in SQL (:mod:`analysis.sampling`); smaller ones are prepared whole, in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from analysis import sampling
from analysis.dictionary import NUMERIC_TYPES
from analysis.features import (  # the model's features; importable from here as before
    MAX_HISTORY_DAYS,
    MAX_LEVELS_ONE_HOT,  # noqa: F401
    _binary_outcome,
    _declared_event_columns,
    _feature_columns,
    _matrix,
    _uses_events,
)
from analysis.generalization import generalization_problem
from analysis.generalize import (  # noqa: F401  (generalization of quasi-identifiers; importable from here)
    DEFAULT_BAND_LEVELS,
    DEFAULT_RARE_LEVELS,
    generalization_rules,
    generalize_column,
)
from analysis.scenario import FEATURE_ROLES, Scenario, ScenarioError
from analysis.data import CRMData
from analysis.sampling import DEFAULT_SAMPLE_SIZE, SampleInfo
from analysis.schema import CRMSchema
from analysis.store._workspace import Table

__all__ = ["Prepared", "prepare", "not_applicable", "generalize_column", "TEST_SHARE", "Exposed", "exposed",
           "sensitive_orders"]

#: Share of customers held out to measure every scenario (the same customers for every scenario of a seed).
TEST_SHARE = 0.3


@dataclass
class Prepared:
    """One scenario's matrices and exposed data (in memory only; never saved)."""

    spec: Scenario
    feature_names: list[str]
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    treatment_train: np.ndarray | None
    treatment_test: np.ndarray | None
    control: str | None
    revenue_test: np.ndarray | None
    true_uplift_test: np.ndarray | None
    #: test customers inside the scenario's own population (consenters, for consent regimes)
    own_population_test: np.ndarray
    #: what is held about every held customer: a polars frame, or (sampled CRMs) a DuckDB workspace table
    #: whose ``__who`` identifies a customer and ``__attack_target`` is the raw first sensitive column
    exposed: pl.DataFrame | Table
    #: the true values of the first sensitive column for the held customers (what an attacker would infer;
    #: None for a sampled CRM, whose exposed table carries them)
    attack_target: pl.Series | None
    quasi: tuple[str, ...]
    sensitive: tuple[str, ...]
    #: keys of the customers held (in memory only; to measure their event traces; None for a sampled CRM)
    held_keys: pl.Series | None
    #: the events' retention window actually kept (None: all), and whether events are held at all
    events_held: bool
    population: int
    customers_held: int
    columns_used: tuple[str, ...]
    categories_held: tuple[str, ...]
    notes: list[str]
    #: row positions in ``data.customers`` (or in ``rows`` on a sampled CRM) of the training and the held-out
    #: customers (to read attributes the model never sees, e.g. for the fairness audit)
    train_index: np.ndarray | None = None
    test_index: np.ndarray | None = None
    #: how the gain figures were sampled (None: the CRM was modelled whole)
    sample: SampleInfo | None = None
    #: the customer rows (as read, before generalization) that ``train_index`` and ``test_index`` point into:
    #: the stratified sample on a sampled CRM, else None (``data.customers``)
    rows: pl.DataFrame | None = field(default=None, repr=False, compare=False)


# ---- applicability and validation against a dataset ---------------------------------------------------
def not_applicable(spec: Scenario, schema: CRMSchema) -> str | None:
    """Why a scenario does not apply to a dataset (None when it applies)."""
    if spec.retention_days is not None and not schema.has_events:
        return "retention window: the dataset has no events history"
    if "sensitive" in spec.exclude_roles and not schema.sensitive:
        return "no sensitive columns to drop: the dictionary declares none"
    if spec.consent == "consented_only" and schema.consent_column(spec.consent_purpose) is None:
        return f"consent only: no consent column for purpose {spec.consent_purpose!r}"
    if spec.generalization_level > 0 and not schema.quasi_identifiers:
        return "generalization: the dictionary declares no quasi-identifiers"
    if schema.outcome is None:
        return "no outcome column (role 'outcome') to measure lift on"
    try:
        _check_against(spec, schema)
    except ScenarioError as exc:  # columns this dataset does not have: a plain reason, never a crash later
        return str(exc)[0].lower() + str(exc)[1:].rstrip(".")
    if not _learnable(spec, schema):
        return ("the model would have no feature to learn from: every column it could use is excluded"
                + (" or has no declared bounds or values for differential privacy" if spec.epsilon is not None
                   else ""))
    return None


def _learnable(spec: Scenario, schema: CRMSchema) -> bool:
    """Whether any feature is left for the model (the columns of :func:`_matrix`, or event history)."""
    if _uses_events(spec, schema):
        return True
    for c in _feature_columns(spec, schema):
        if spec.epsilon is None or c.type == "boolean" or (c.bounds if c.type in NUMERIC_TYPES else c.domain):
            return True
    return False


def _check_against(spec: Scenario, schema: CRMSchema) -> None:
    names = set(schema.column_names)
    for c in spec.exclude_columns:
        if c not in names:
            raise ScenarioError(
                f"The 'exclude_columns' parameter of Scenario {spec.name!r} names unknown column {c!r}; "
                f"known columns: {', '.join(sorted(names))}."
            )
    for col, method, parameter in spec.generalize:
        if col not in names:
            raise ScenarioError(
                f"The 'generalize' parameter of Scenario {spec.name!r} names unknown column {col!r}; "
                f"known columns: {', '.join(sorted(names))}."
            )
        c = schema.column(col)
        if c.role not in FEATURE_ROLES:
            raise ScenarioError(
                f"The 'generalize' parameter of Scenario {spec.name!r} applies {method!r} to column {col!r} of "
                f"role {c.role!r}; only columns a model learns from can be generalized "
                f"(roles {', '.join(FEATURE_ROLES)})."
            )
        problem = generalization_problem(method, c.type, parameter)
        if problem is not None:
            raise ScenarioError(
                f"The 'generalize' parameter of Scenario {spec.name!r} applies {method!r} to column {col!r}, "
                f"but {problem}."
            )
    if spec.epsilon is not None and schema.outcome is not None and schema.outcome.type == "float":
        raise ScenarioError(
            f"The 'epsilon' parameter of Scenario {spec.name!r} needs a binary outcome to train a DP classifier."
        )


# ---- populations -------------------------------------------------------------------------------------
def _draws(n: int, seed: int, stream: int) -> np.ndarray:
    return np.random.default_rng([seed, stream]).random(n)


def _populations(spec: Scenario, data: CRMData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is_test, erased, allowed) boolean masks over ``data.customers`` (sorted by key)."""
    n = data.n_customers
    is_test = _draws(n, spec.seed, 1) < TEST_SHARE
    erased = _draws(n, spec.seed, 2) < spec.erasure_rate if spec.erasure_rate > 0 else np.zeros(n, bool)
    consent_col = data.schema.consent_column(spec.consent_purpose)
    consent = (
        data.customers[consent_col].fill_null(False).cast(pl.Boolean).to_numpy()
        if consent_col
        else np.zeros(n, bool)
    )
    u = _draws(n, spec.seed, 3)
    if spec.consent == "ignore":
        allowed = np.ones(n, bool)
    elif spec.consent == "consented_only":
        allowed = consent.copy()
    elif spec.consent == "opt_in":
        # the r·n customers most likely to opt in: actual consenters first (selection is not random)
        m = int(round(spec.effective_consent_rate * n))
        order = np.argsort(-(consent.astype(float) + 0.999 * u), kind="stable")
        allowed = np.zeros(n, bool)
        allowed[order[:m]] = True
    else:  # opt_out: the o·n customers most likely to object leave, non-consenters first
        m = int(round(spec.effective_consent_rate * n))
        order = np.argsort(-((~consent).astype(float) + 0.999 * u), kind="stable")
        allowed = np.ones(n, bool)
        allowed[order[:m]] = False
    return is_test, erased, allowed & ~erased


def modelled_populations(spec: Scenario, data: CRMData, sample: SampleInfo | None = None
                         ) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """``(customers, is_test, erased, allowed)``: the customers :func:`prepare` modelled (everyone, sorted by key;
    or the sample it drew, given its :class:`~analysis.sampling.SampleInfo`) and their masks, the same draws."""
    if sample is None:
        return (data.customers, *_populations(spec, data))
    frame, _ = sampling.sample(data, sample.size, sample.seed)
    return (frame, *sampling.sample_flags(data, spec, sample.size, TEST_SHARE))


# ---- features ----------------------------------------------------------------------------------------
def prepare(spec: Scenario, data: CRMData, *, sample_size: int | None = DEFAULT_SAMPLE_SIZE) -> Prepared:
    """Apply a scenario to the loaded CRM: populations, features, generalization, retention, matrices.

    A CRM of more than ``sample_size`` customers is modelled on a stratified sample of that size (None: never
    sample); its exposure and counts are then over every customer, in DuckDB (:mod:`analysis.sampling`)."""
    schema = data.schema
    reason = not_applicable(spec, schema)
    if reason:
        raise ScenarioError(f"Scenario {spec.name!r} does not apply to this dataset: {reason}.")
    _check_against(spec, schema)
    notes: list[str] = []
    key = schema.key
    info = None
    if sampling.is_sampled(data, sample_size):
        frame, info = sampling.sample(data, sample_size, spec.seed)
        is_test, erased, allowed = sampling.sample_flags(data, spec, sample_size, TEST_SHARE)
        truth = sampling.sample_ground_truth(data, sample_size, spec.seed)

        def events(window):
            return sampling.sample_event_features(data, window, sample_size, spec.seed)

        notes.append(info.note())
        if spec.epsilon is not None:
            notes.append(f"The private model is trained on the sample at ε = "
                         f"{sampling.training_epsilon(spec.epsilon, info):.3g} (ε × customers / sampled), the noise "
                         f"an ε = {spec.epsilon:g} model has on every customer; the business spends ε = "
                         f"{spec.epsilon:g}.")
    else:
        frame = data.customers
        is_test, erased, allowed = _populations(spec, data)
        truth = data.ground_truth
        events = data.event_features
    rows = frame
    rules = generalization_rules(spec, schema)
    # generalization of quasi-identifiers (what is held and what the model sees)
    for col, method, p in rules:
        rare = sampling.rare_values(data, col, p) if info is not None and method == "merge_rare" else None
        frame = frame.with_columns(generalize_column(frame[col], method, p, rare=rare))
    columns = _feature_columns(spec, schema)
    event_cols: list[str] = []
    if _uses_events(spec, schema):
        ev = events(spec.retention_days)
        event_cols = [c for c in ev.columns if c != key]
        frame = frame.join(ev, on=key, how="left", maintain_order="left")
        if "recency_days" in frame.columns:
            frame = frame.with_columns(
                pl.col("recency_days").fill_null(spec.retention_days or MAX_HISTORY_DAYS)
            )
        frame = frame.with_columns([pl.col(c).fill_null(0) for c in event_cols if c != "recency_days"])
    if spec.epsilon is not None:
        event_cols = _declared_event_columns(event_cols, schema, notes)
    train_mask = ~is_test & allowed
    test_mask = is_test & ~erased
    X, names = _matrix(
        frame, columns, event_cols, train_mask, dp=spec.epsilon is not None, window=spec.retention_days, notes=notes
    )
    y = _binary_outcome(frame, schema.outcome)
    t = None
    control = None
    if schema.treatment is not None:
        t = frame[schema.treatment.name].cast(pl.String).to_numpy()
        control = schema.treatment.control
    revenue = None
    if schema.amount_outcome is not None:
        revenue = frame[schema.amount_outcome.name].cast(pl.Float64).fill_null(0).to_numpy()
    true_uplift = None
    if truth is not None and t is not None:
        arms = sorted(set(frame[schema.treatment.name].cast(pl.String).drop_nulls().unique().to_list()) - {control})
        cols = [f"uplift_{a}" for a in arms]
        gt = truth
        if all(c in gt.columns for c in cols) and key in gt.columns:
            joined = frame.select(key).join(gt.select([key] + cols), on=key, how="left", maintain_order="left")
            true_uplift = joined.select(cols).fill_null(0).to_numpy()
    held_cols = [c.name for c in columns]
    target = next(iter(schema.sensitive), None)
    if info is None:
        exposed = frame.filter(pl.Series(allowed)).select(held_cols + event_cols)
        attack_target = None if target is None else data.customers[target].filter(pl.Series(allowed))
        held_keys = frame[key].filter(pl.Series(allowed))
        population, customers_held = int((~erased).sum()), int(allowed.sum())
    else:
        exposed = sampling.exposed_table(data, spec, columns, rules, target if target in held_cols else None)
        attack_target = held_keys = None
        population, customers_held = sampling.population_counts(data, spec)
    quasi = tuple(c.name for c in columns if c.role == "quasi_identifier")
    sensitive = tuple(c.name for c in columns if c.role == "sensitive")
    cats = {c.category for c in columns if c.category}
    if any(c.role == "direct_identifier" for c in schema.columns):
        cats.add("contact")
    if event_cols and schema.events is not None:
        cats |= {c.category for c in schema.events.columns if c.category}
    consent_col = schema.consent_column(spec.consent_purpose)
    own = allowed[test_mask] if spec.consent != "ignore" else np.ones(int(test_mask.sum()), bool)
    if consent_col is None and spec.consent in ("opt_in", "opt_out"):
        notes.append("no consent column: the simulated consent regime picks customers at random")
    return Prepared(
        spec=spec,
        feature_names=names,
        X_train=X[train_mask],
        y_train=y[train_mask],
        X_test=X[test_mask],
        y_test=y[test_mask],
        treatment_train=None if t is None else t[train_mask],
        treatment_test=None if t is None else t[test_mask],
        control=control,
        revenue_test=None if revenue is None else revenue[test_mask],
        true_uplift_test=None if true_uplift is None else true_uplift[test_mask],
        own_population_test=own,
        exposed=exposed,
        attack_target=attack_target,
        quasi=quasi,
        sensitive=sensitive,
        held_keys=held_keys,
        events_held=bool(event_cols),
        population=population,
        customers_held=customers_held,
        columns_used=tuple(held_cols + event_cols),
        categories_held=tuple(sorted(cats)),
        notes=notes,
        train_index=np.flatnonzero(train_mask),
        test_index=np.flatnonzero(test_mask),
        sample=info,
        rows=None if info is None else rows,
    )


# ---- what is held, for the risk measures ------------------------------------------------------------------
@dataclass(frozen=True)
class Exposed:
    """What a scenario holds about customers (:func:`exposed`): the held table (a polars frame, or for a sampled
    CRM a DuckDB workspace table of every held customer), its quasi-identifiers and sensitive columns, how many
    customers it holds out of how many, and the dictionary ``order`` of each sensitive column that has one."""

    table: pl.DataFrame | Table
    quasi: tuple[str, ...]
    sensitive: tuple[str, ...]
    customers_held: int
    population: int
    orders: dict[str, tuple]
    notes: tuple[str, ...] = ()


def exposed(spec: Scenario, data: CRMData, *, sample_size: int | None = DEFAULT_SAMPLE_SIZE) -> Exposed:
    """The data ``spec`` holds on ``data`` and nothing of the model's matrices (the narrow entry for pages and
    notebooks that measure risk). Raises :class:`~analysis.ScenarioError` when the scenario does not apply."""
    p = prepare(spec, data, sample_size=sample_size)
    notes: list[str] = []
    orders = sensitive_orders(p, data, notes)
    return Exposed(p.exposed, p.quasi, p.sensitive, p.customers_held, p.population, orders, tuple(notes))


def sensitive_orders(p: Prepared, data: CRMData, notes: list[str]) -> dict[str, tuple]:
    """The dictionary's ``order`` of each held sensitive column (ordered t-closeness), when it lists every value
    held; otherwise the column falls back to the categorical distance, with a note."""
    orders = {}
    for column in p.sensitive:
        order = data.schema.column(column).order
        if not order:
            continue
        if not isinstance(p.exposed, pl.DataFrame):  # a sampled CRM's workspace table: the ingest refused
            orders[column] = tuple(order)            # values outside the declared order
            continue
        held = p.exposed[column].drop_nulls().cast(pl.String).unique().to_list()
        missing = sorted(set(held) - set(order))
        if missing:
            notes.append(f"{column}: its dictionary order misses {', '.join(missing[:3])}; "
                         "t-closeness uses the categorical distance")
            continue
        orders[column] = tuple(order)
    return orders
