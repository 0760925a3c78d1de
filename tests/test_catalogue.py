"""The catalogue (CATALOGUE.md) is current and complete, and everything in it is exercised by a test.

Meta-tests of issue 16: every preset, sweep, scenario field, metric, chart and assumption is documented (it has a
row in the catalogue that says what it is, from its one declaration) and tested (its name is used by a test
other than this file's; every assumption is shown to move a figure the product computes).
"""

from __future__ import annotations

import math
import pathlib
import subprocess
import sys

import pytest

from analysis.breach.defaults import DEFAULT_ASSUMPTIONS
from analysis.breach.montecarlo import Holding, analytic_components
from analysis.breach.trust import TrustInputs, trust_effects
from analysis.catalogue import catalogue, catalogue_sections
from analysis.consent.control import control_over_time
from analysis.dictionary import CATEGORIES
from analysis.breach.assumptions import load_assumptions

ROOT = pathlib.Path(__file__).resolve().parents[1]
SECTIONS = dict(catalogue_sections())


def test_the_catalogue_file_is_current():
    text = (ROOT / "CATALOGUE.md").read_text(encoding="utf-8")
    assert text == catalogue(), "CATALOGUE.md is stale: run  python -m analysis catalogue > CATALOGUE.md"


def test_the_cli_prints_the_catalogue():
    out = subprocess.run([sys.executable, "-m", "analysis", "catalogue"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out == catalogue()


@pytest.mark.parametrize("title", list(SECTIONS))
def test_every_entry_says_what_it_is(title):
    section = SECTIONS[title]
    assert section.rows, title
    names = [row[0] for row in section.rows]
    assert len(names) == len(set(names)), f"{title}: an entry is declared twice"
    for row in section.rows:
        assert len(row) == len(section.headers)
        assert all(str(cell).strip() for cell in row), f"{title}: {row[0]} has an empty cell"


def test_the_catalogue_lists_every_declaration():
    from analysis.charts import CHARTS
    from analysis.lift import metrics
    from analysis.risk.explain import METRICS
    from analysis.scenario import FIELDS, PRESETS
    from analysis.tradeoff import SWEEPS

    names = {title: {row[0].strip("`") for row in s.rows} for title, s in SECTIONS.items()}
    assert names["Presets"] == {p.name for p in PRESETS}
    assert names["Sweeps"] == set(SWEEPS)
    assert names["Scenario fields"] == set(FIELDS)
    assert names["Gain metrics"] == {n for n in metrics.__all__ if callable(getattr(metrics, n))}
    assert names["Exposure figures"] == {m.name for m in METRICS}
    assert names["Charts"] == {c.name for c in CHARTS}
    assert names["Assumptions"] == {a.key for a in DEFAULT_ASSUMPTIONS}


def _test_sources() -> str:
    here = pathlib.Path(__file__).name
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests").rglob("*.py")) if p.name != here)


@pytest.mark.parametrize("title", [t for t in SECTIONS if t != "Assumptions"])
def test_every_entry_is_used_by_a_test(title):
    """A preset, sweep, field, metric or chart no test names is untested (assumptions: the test below)."""
    sources = _test_sources()
    untested = [row[0] for row in SECTIONS[title].rows if row[0].strip("`") not in sources]
    assert untested == [], f"{title} that no test uses: {untested}"


# ---- every assumption moves a figure the product computes ---------------------------------------------------

#: assumptions that are shown as a reference for the others and feed no model (checked in tests/test_breach.py)
REFERENCE_ONLY = {"ibm_average_total_cost"}

_HOLDINGS = (
    Holding(records=200_000, categories=CATEGORIES),
    Holding(records=200_000, categories=CATEGORIES, pseudonymized=True, encrypted_at_rest=True,
            access_restricted=True, retention_days=180, incident_response=True),
    Holding(records=200_000, categories=CATEGORIES, pseudonymized=False, direct_identifiers=False),
    Holding(records=200_000, categories=CATEGORIES, pseudonymized=False),  # raw identifiers: CCPA damages apply
)
_TRUST = TrustInputs(customers=200_000, consented_share=0.4, personalized_share=0.9, uses_sensitive=True,
                     uses_nonconsented=True)


def _figures(a) -> list[float]:
    out: list[float] = []
    # at the default turnover the fixed GDPR ceilings bind; at 40 times it the turnover shares do
    large = a.with_overrides({"turnover_eur": a.value("turnover_eur") * 40})
    for h in _HOLDINGS:
        out += list(analytic_components(h, a).values()) + list(analytic_components(h, large).values())
    out += [v for v in trust_effects(_TRUST, a).to_dict().values() if isinstance(v, (int, float))]
    control = control_over_time(customers=5_000_000, eligible_share=0.6, gain_per_campaign=900.0,
                                campaigns_per_year=12, value_per_conversion=40.0, horizon_years=3, assumptions=a,
                                trust=_TRUST)
    out += [v for v in control.to_dict().values() if isinstance(v, (int, float))]
    out += list(control.rates.values())
    return out


def _moved(a) -> float:
    """Another valid value: the high end of its range, else the low end, else half of it."""
    if a.high is not None and a.high != a.value:
        return a.high
    if a.low is not None and a.low != a.value:
        return a.low
    return a.value / 2


@pytest.mark.parametrize("key", [a.key for a in DEFAULT_ASSUMPTIONS])
def test_every_assumption_moves_a_figure(key):
    base = load_assumptions()
    if key in REFERENCE_ONLY:
        assert "(reference)" in base[key].label
        return
    moved = base.with_overrides({key: {"value": _moved(base[key])}})
    before, after = _figures(base), _figures(moved)
    assert len(before) == len(after)
    assert any(not (math.isclose(x, y, rel_tol=1e-12) or (math.isnan(x) and math.isnan(y)))
               for x, y in zip(before, after)), f"moving {key} changes no breach, trust or control figure"
