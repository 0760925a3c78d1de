"""Saved reports for ethics boards: complete, readable, reproducible and tamper-evident.

One content dict (``report.json``) is built from scenario specs run on a database; ``report.html``
(self-contained, interactive charts, offline) and ``report.pdf`` (static charts, paginated) are pure functions
of it. :func:`save_report` writes the three files and a manifest of their sha256 into a new directory and
appends a line to the registry; :func:`record_review` appends a board decision to the hash-chained review log;
:func:`verify_report` checks the hashes, the chain, the HTML against its JSON, and re-runs the scenarios on the
data to check that the headline figures still reproduce.

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

import time
from pathlib import Path
from typing import Any, Callable, Sequence

from analysis.report.content import FORMAT, build_content, compute, headline_figures
from analysis.report.html import render_html
from analysis.report.pdf import render_pdf
from analysis.report.registry import (
    DECISIONS, FILES, SavedReport, VerifyResult, _sha256, check_review_chain, compare_headlines, list_reports,
    read_registry, read_reviews, record_review, review_status, save_report,
)
from analysis.breach.assumptions import Assumptions
from analysis.scenario import Scenario
from analysis.simulation import SimulationSettings
from analysis.tradeoff.settings import BusinessSettings

__all__ = [
    "DECISIONS", "FILES", "SavedReport", "VerifyResult", "build_report", "render_html", "render_pdf", "save_report",
    "load_report", "record_review", "read_reviews", "review_status", "list_reports", "read_registry",
    "verify_report",
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
            raise ValueError(f"The {name!r} parameter of build_report must be text of at most 10000 characters"
                             f"{' (not empty)' if name == 'title' else ''}. Got {value!r} instead.")
    return build_content(specs, db, title=title, purpose=purpose, author=author, settings=settings,
                         simulation=simulation, assumptions=assumptions, progress=progress, policy=policy,
                         robustness_draws=robustness_draws, cache=cache, data=data)


def load_report(report_dir: str | Path) -> dict[str, Any]:
    """The content (``report.json``) of a saved report."""
    return json.loads((Path(report_dir) / "report.json").read_text(encoding="utf-8"))


def _specs_of(content: dict) -> list[Scenario]:
    return [Scenario(**{k: v for k, v in s.items() if k != "fingerprint"}) for s in content["reproduce"]["scenarios"]]


def verify_report(report_dir: str | Path, db: str | Path | None = None, *, rerun: bool = True,
                  registry: str | Path | None = None,
                  progress: Callable[[str], None] | None = None) -> VerifyResult:
    """Check a saved report: file hashes, review chain, HTML rebuilt from JSON, and (``rerun``) the figures
    re-computed on the database: ``db``, else the database the report names (its path relative to the working
    directory, or a file of its name in the usual places — ``$PRIVACYLIFT_DB``, the working directory,
    ``data/``, ``data/demo/``, ``data/uploads/`` and the folders above the report) whose fingerprint matches.

    Any altered byte of a file fails naming the file; a changed dataset fails with both fingerprints; a
    figure that no longer reproduces fails naming the scenario and the figure.

    Examples
    --------
    >>> r = verify_report("data/reports/q3-review")   # doctest: +SKIP
    >>> r.ok, r.problems   # doctest: +SKIP
    (True, ())
    """
    started = time.perf_counter()
    d = Path(report_dir)
    checks: list[str] = []
    problems: list[str] = []

    def result(reran: bool = False) -> VerifyResult:
        return VerifyResult(d, not problems, tuple(checks), tuple(problems), reran, time.perf_counter() - started)

    manifest_path = d / "manifest.json"
    if not manifest_path.exists():
        problems.append(f"{d}: no manifest.json — not a saved report, or the save did not finish.")
        return result()
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        expected = {n: manifest["files"][n]["sha256"] for n in FILES}
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
        problems.append("manifest.json was altered: it is no longer a valid manifest.")
        return result()
    for name in FILES:
        path = d / name
        if not path.exists():
            problems.append(f"{name} is missing.")
        elif _sha256(path.read_bytes()) != expected[name]:
            problems.append(f"{name} was altered: its sha256 no longer matches manifest.json.")
        else:
            checks.append(f"{name}: sha256 matches the manifest.")
    reg = Path(registry) if registry is not None else d.parent / "registry.jsonl"
    entries = [e for e in read_registry(reg) if e.get("event") == "saved" and e.get("report_id") == manifest.get("report_id")]
    if entries:
        if _sha256(manifest_path.read_bytes()) not in {e.get("manifest_sha256") for e in entries}:
            problems.append("manifest.json was altered: its sha256 differs from the one in the registry.")
        else:
            checks.append("manifest.json: sha256 matches the registry.")
        logged = {e.get("hash") for e in read_registry(reg) if e.get("event") == "review"
                  and e.get("report_id") == manifest.get("report_id")}
        missing = logged - {e.get("hash") for e in read_reviews(d)}
        if missing:
            problems.append(f"reviews.jsonl lacks {len(missing)} review(s) recorded in the registry: the log was cut.")
    chain = check_review_chain(d)
    problems += chain
    if not chain:
        checks.append(f"review log: {len(read_reviews(d))} entries, hash chain intact.")
    if problems:
        return result()
    content = json.loads((d / "report.json").read_text(encoding="utf-8"))
    if content.get("format") != FORMAT:
        problems.append(f"report.json has format {content.get('format')!r}; this version reads {FORMAT!r}.")
        return result()
    if render_html(content) != (d / "report.html").read_text(encoding="utf-8"):
        problems.append("report.html differs from the HTML rebuilt from report.json.")
    else:
        checks.append("report.html equals the HTML rebuilt from report.json.")
    if not rerun or problems:
        return result()
    return _rerun(content, db, checks, problems, progress, result, report_dir=d)


def _candidates(rep: dict, report_dir: Path) -> list[Path]:
    """Where the database a report names may be (relative references only; never a stored absolute path)."""
    import os

    ref = rep.get("dataset") or {}
    name = ref.get("database")
    out: list[Path] = []
    if ref.get("database_path"):
        out.append(Path(ref["database_path"]))
    if rep.get("db"):  # reports of an earlier format recorded a path
        out.append(Path(rep["db"]))
    if name:
        if os.environ.get("PRIVACYLIFT_DB"):
            out.append(Path(os.environ["PRIVACYLIFT_DB"]))
        roots = [Path.cwd(), *list(report_dir.resolve().parents)[:4]]
        for root in roots:
            out += [root / name, root / "data" / name, root / "data" / "demo" / name, root / "data" / "uploads" / name]
    return out


def _find_database(rep: dict, report_dir: Path) -> Path | None:
    from analysis.store import Store

    for path in _candidates(rep, report_dir):
        if path.is_file() and (path.name == (rep.get("dataset") or {}).get("database", path.name)) and \
                Store(path).exists and Store(path).fingerprint() == rep["data_fingerprint"]:
            return path
    return None


def _rerun(content, db, checks, problems, progress, result, report_dir=None) -> VerifyResult:
    from analysis.store import Store

    rep = content["reproduce"]
    if db is None:
        db = _find_database(rep, Path(report_dir or "."))
        if db is None:
            ref = rep.get("dataset") or {}
            problems.append(f"The database the report was built from ({ref.get('database', 'unknown')}, dataset "
                            f"{ref.get('name', '?')}, fingerprint {rep['data_fingerprint'][:16]}…) was not found; "
                            "pass --db.")
            return result()
        checks.append(f"database found by its name and fingerprint: {Path(db).name}.")
    db = Path(db)
    if not Store(db).exists:
        problems.append(f"The database {db.name!r} does not exist; pass --db with the report's database.")
        return result()
    fingerprint = Store(db).fingerprint()
    if fingerprint != rep["data_fingerprint"]:
        problems.append(f"The dataset changed: {db} has fingerprint {fingerprint[:16]}…, the report was built "
                        f"on {rep['data_fingerprint'][:16]}… — its figures cannot be reproduced on this data.")
        return result()
    checks.append(f"dataset fingerprint {fingerprint[:16]}… matches.")
    business = dict(rep["business_settings"])
    if "risk_tolerance" in business:
        business["risk_tolerance"] = tuple(tuple(p) for p in business["risk_tolerance"])
    t, _, _ = compute(_specs_of(content), db, settings=BusinessSettings(**business),
                      simulation=SimulationSettings(**rep["simulation"]),
                      assumption_overrides=rep["assumption_overrides"], progress=progress,
                      policy=rep.get("policy"), robustness_draws=0)
    diffs = compare_headlines(content["headline"], json.loads(json.dumps(headline_figures(t))))
    problems += diffs
    if diffs:
        from analysis.report.content import code_fingerprint

        if rep.get("code_fingerprint") and rep["code_fingerprint"] != code_fingerprint():
            problems.append("Note: the PrivacyLift analysis code changed since the report was built (code "
                            f"fingerprint {rep['code_fingerprint'][:16]}… → {code_fingerprint()[:16]}…), which "
                            "may explain the differences; re-run with the version the report was built with.")
    else:
        checks.append(f"headline figures of {len(content['headline'])} scenario(s) reproduce.")
    return result(reran=True)
