"""Saved reports for ethics boards: complete, readable, reproducible and tamper-evident.

One content dict (``report.json``) is built from scenario specs run on a database; ``report.html``
(self-contained, interactive charts, offline) and ``report.pdf`` (static charts, paginated, bound to the JSON by
its sha256) are pure functions of it. :func:`save_report` writes the three files and a manifest of their sha256
into a new directory, signs the manifest (Ed25519, with a key kept outside the report folder: see
:mod:`analysis.report.signing`) and appends a signed line to the registry; :func:`record_review` appends a signed
board decision to the hash-chained review log; :func:`verify_report` checks the signature against a trusted
public key, the hashes, the PDF's binding, the HTML against its JSON, the signed review chain (never trusting
the registry file), and re-runs the scenarios on the data to compare every value of report.json.

Sections follow the ICO DPIA and Model Card structure: 1 purpose and scope, 2 the processing and data
inventory, 3 scenarios compared, 4 results, 5 trade-offs and recommendation, 6 risks and measures with residual
risk, 7 assumptions with sources, 8 methods and versions, 9 sign-off and review log.

Example
-------
>>> from analysis import PRESETS
>>> from analysis.report import build_report, save_report, verify_report   # doctest: +SKIP
>>> content = build_report(PRESETS[:2], "data/demo/crm.duckdb", title="Q3 review")   # doctest: +SKIP
>>> saved = save_report(content, "data/reports/q3-review")   # doctest: +SKIP
>>> verify_report(saved.dir).ok   # doctest: +SKIP
True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Sequence

from analysis.report.content import build_content
from analysis.report.html import render_html
from analysis.report.pdf import render_pdf
from analysis.report.registry import (
    DECISIONS, FILES, SIGNATURE_FILE, SavedReport, VerifyResult, list_reports, read_registry, read_reviews,
    record_review, review_status, save_report,
)
from analysis.report.signing import trusted_public_key
from analysis.report.verify import verify_report
from analysis.breach.assumptions import Assumptions
from analysis.errors import must_be
from analysis.scenario import Scenario
from analysis.simulation import SimulationSettings
from analysis.tradeoff.settings import BusinessSettings

__all__ = [
    "DECISIONS", "FILES", "SIGNATURE_FILE", "SavedReport", "VerifyResult", "build_report", "render_html",
    "render_pdf", "save_report", "load_report", "record_review", "read_reviews", "review_status", "list_reports",
    "read_registry", "verify_report", "trusted_public_key",
]


def build_report(specs: Sequence[Scenario], db: str | Path, *, title: str = "Personalization and privacy: "
                 "scenario review", purpose: str = "", author: str = "",
                 settings: BusinessSettings | None = None, simulation: SimulationSettings | None = None,
                 assumptions: Assumptions | dict | str | Path | None = None,
                 progress: Callable[[str], None] | None = None, policy: Any = None,
                 robustness_draws: int | None = None, cache: Any = None, data: Any = None) -> dict[str, Any]:
    """Run ``specs`` on the database and return the report content (JSON-ready dict).

    Parameters
    ----------
    specs : sequence of Scenario
        The scenarios compared (names unique); the first preset is the reference of "gain retained".
    db : str or Path
        The PrivacyLift DuckDB file; its dataset name, file name and fingerprint are recorded for
        :func:`verify_report` (never its absolute path).
    title, purpose, author : str
        Shown in section 1 (escaped in HTML).
    settings, simulation : BusinessSettings, SimulationSettings, optional
        Recorded in the report so a re-run uses the same.
    assumptions : Assumptions, mapping, TOML path or None
        Overrides of the default breach/trust assumptions (the overridden values are recorded).
    policy : Policy, mapping, TOML path or None
        The privacy policy the recommendation applies (recorded).
    robustness_draws : int, optional
        Assumption redraws of the robustness figure (default 300; 0 skips it).
    cache, data : ModelCache, CRMData, optional
        Reuse trained models and the loaded data (the app passes its own).

    Examples
    --------
    >>> content = build_report(PRESETS[:2], "data/demo/crm.duckdb", title="Review")   # doctest: +SKIP
    >>> [s["heading"] for s in content["sections"]][0]   # doctest: +SKIP
    'Purpose and scope'
    """
    specs = list(specs)
    if not specs or not all(isinstance(s, Scenario) for s in specs):
        raise ValueError(f"The 'specs' parameter of build_report must be a non-empty list of Scenario. "
                         f"Got {specs!r} instead.")
    for name, value in (("title", title), ("purpose", purpose), ("author", author)):
        if not isinstance(value, str) or len(value) > 10_000 or (name == "title" and not value.strip()):
            got = f"a text of {len(value):,} characters" if isinstance(value, str) and value.strip() else value
            raise ValueError(must_be(name, "build_report", "text of at most 10000 characters"
                                     + (" (not empty)" if name == "title" else ""), got,
                                     show=str if isinstance(got, str) and value.strip() else repr))
    return build_content(specs, db, title=title, purpose=purpose, author=author, settings=settings,
                         simulation=simulation, assumptions=assumptions, progress=progress, policy=policy,
                         robustness_draws=robustness_draws, cache=cache, data=data)


def load_report(report_dir: str | Path) -> dict[str, Any]:
    """The content (``report.json``) of a saved report."""
    return json.loads((Path(report_dir) / "report.json").read_text(encoding="utf-8"))
