"""The catalogue of what PrivacyLift computes, built from the declarations themselves.

Every preset, sweep, scenario field, metric, chart, trade-off column and assumption is declared once in its
stage
(:data:`analysis.scenario.PRESETS`, :data:`analysis.tradeoff.SWEEPS`, the scenario fields,
:mod:`analysis.lift.metrics`, :data:`analysis.risk.explain.METRICS`, :data:`analysis.charts.CHARTS`,
:data:`analysis.tradeoff.columns.COLUMNS`, :data:`analysis.breach.defaults.DEFAULT_ASSUMPTIONS`). :func:`catalogue` lists them for people, and
``CATALOGUE.md`` at the repository root is its output (``python -m analysis catalogue > CATALOGUE.md``);
``tests/test_catalogue.py`` checks that the file is current, that every entry says what it is, and that every
entry is exercised by a test.

Example
-------
>>> sections = dict(catalogue_sections())
>>> "Status quo (full data)" in [row[0] for row in sections["Presets"].rows]
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Section", "catalogue_sections", "catalogue"]


@dataclass(frozen=True)
class Section:
    """One table of the catalogue: an introduction, column headers and one row per entry (its name first)."""

    intro: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def markdown(self) -> str:
        def cell(text: object) -> str:
            return str(text).replace("|", "\\|").replace("\n", " ")

        lines = [self.intro, "", "| " + " | ".join(self.headers) + " |",
                 "|" + "---|" * len(self.headers)]
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines)


def _first_line(obj: object) -> str:
    doc = (getattr(obj, "__doc__", None) or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _presets() -> Section:
    from analysis.scenario import PRESETS
    from analysis.scenario.describe import describe_differences

    rows = tuple((p.name, p.description, describe_differences(p)) for p in PRESETS)
    return Section("The scenarios that run when none are given (`analysis.scenario.PRESETS`), each against "
                   "the first, the status quo.", ("preset", "what it does", "differences from the status quo"),
                   rows)


def _sweeps() -> Section:
    from analysis.tradeoff.sweeps import SWEEPS

    rows = tuple((key, f"`{field}`", ", ".join(f"{v:g}" for v in grid), label,
                  "lower" if side == "left" else "higher")
                 for key, (field, grid, label, side) in SWEEPS.items())
    return Section("The privacy dials `analysis.sweep` moves one at a time (`analysis.tradeoff.SWEEPS`).",
                   ("sweep", "scenario field", "default grid", "axis", "more private when"), rows)


def _fields() -> Section:
    from analysis.scenario import FIELDS

    rows = tuple((f"`{name}`", info.label, info.changes, info.help) for name, info in FIELDS.items())
    return Section("The fields of a scenario (`analysis.Scenario`); what each accepts, its default and URL key "
                   "are in `analysis.scenario.fields_table()`.", ("field", "label", "changes", "what it means"),
                   rows)


def _lift_metrics() -> Section:
    from analysis.lift import metrics

    rows = tuple((f"`{name}`", _first_line(getattr(metrics, name)))
                 for name in metrics.__all__ if callable(getattr(metrics, name)))
    return Section("The gain metrics (`analysis.lift.metrics`), with scikit-uplift 0.5.1's definitions and "
                   "signatures (REFERENCES.md §4).", ("metric", "definition"), rows)


def _risk_metrics() -> Section:
    from analysis.risk.explain import METRICS

    rows = tuple((f"`{m.name}`", m.label, m.definition, m.source) for m in METRICS)
    return Section("The exposure figures (`analysis.risk.explain.METRICS`), each with its definition and source.",
                   ("figure", "label", "definition", "source"), rows)


def _charts() -> Section:
    from analysis.charts import CHARTS

    rows = tuple((f"`{c.name}`", c.description) for c in CHARTS)
    return Section("The charts (`analysis.charts.CHARTS`): each is built once and used by the app, the notebooks "
                   "and the reports.", ("chart", "what it shows"), rows)


def _assumptions() -> Section:
    from analysis.breach.defaults import DEFAULT_ASSUMPTIONS

    def year(a) -> str:
        return "—" if a.year is None else str(a.year)

    rows = tuple((f"`{a.key}`", a.label, f"{a.value:g}", a.unit, a.source, year(a)) for a in DEFAULT_ASSUMPTIONS)
    return Section("The default numbers of the breach, trust and control models (`analysis.assumptions_table()`); "
                   "any of them can be overridden from a TOML file (`--assumptions`, README).",
                   ("assumption", "label", "default", "unit", "source", "year"), rows)


def _columns() -> Section:
    from analysis.tradeoff.columns import COLUMNS

    rows = tuple((f"`{c.key}`", c.label, c.unit, c.better, c.help) for c in COLUMNS.values())
    return Section("The columns of the trade-off table (`analysis.tradeoff.columns.COLUMNS`): the one name, unit "
                   "and direction every table, tile, CSV and chart axis uses.",
                   ("column", "label", "unit", "better", "what it is"), rows)


def catalogue_sections() -> tuple[tuple[str, Section], ...]:
    """The catalogue's sections, in order: (title, :class:`Section`)."""
    return (("Presets", _presets()), ("Sweeps", _sweeps()), ("Scenario fields", _fields()),
            ("Gain metrics", _lift_metrics()), ("Exposure figures", _risk_metrics()), ("Charts", _charts()),
            ("Trade-off columns", _columns()), ("Assumptions", _assumptions()))


def catalogue() -> str:
    """The catalogue as Markdown: the text of ``CATALOGUE.md``."""
    parts = ["# PrivacyLift catalogue", "",
             "What PrivacyLift computes, listed from the declarations in `analysis` "
             "(regenerate with `python -m analysis catalogue > CATALOGUE.md`; a test fails when it is stale)."]
    for title, section in catalogue_sections():
        parts += ["", f"## {title}", "", section.markdown()]
    return "\n".join(parts) + "\n"
