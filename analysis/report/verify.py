"""Verify a saved report without trusting anything in its folder or the registry.

What :func:`verify_report` checks, each failure a line naming what was changed:

1. ``manifest.sig`` is the trusted key's Ed25519 signature of ``manifest.json`` (:mod:`.signing`): any change
   of a file *and* its hash in the manifest, or of the manifest, fails here, whoever rewrote the registry.
2. Every file's sha256 matches the (signed) manifest.
3. ``report.pdf`` is bound to this ``report.json`` (its metadata carries the JSON's sha256): a PDF taken from
   another report is named as such; ``report.html`` equals the HTML rebuilt from report.json.
4. The review log chains from the manifest, and every entry carries the trusted key's signature: a decision
   flipped from rejected to approved, with its hashes redone, is found. The registry is only an index; its
   signed lines serve to find a log whose last entries were cut.
5. With ``rerun``: each scenario's settings still match its fingerprint, the data's fingerprint matches, and the
   whole report is rebuilt from its own inputs and compared value by value — **every** figure, table cell, text
   and chart of report.json, not only the headline.
"""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path
from typing import Any, Callable

from analysis.report.registry import (
    FILES, RELATIVE_TOLERANCE, SIGNATURE_FILE, VerifyResult, _sha256, check_review_chain, read_registry,
    read_reviews, registry_line_signed, report_json_bytes,
)

__all__ = ["verify_report", "compare_content", "pdf_binding"]

#: differences listed one by one before "… and N more"
MAX_LISTED = 25
_PDF_BINDING = re.compile(rb"privacylift-report-json-sha256 ([0-9a-f]{64})")
#: parts of report.json that describe where and with what it ran, not what it found (compared apart)
_CONTEXT = ("reproduce.db", "reproduce.package_versions", "reproduce.code_fingerprint")


def pdf_binding(pdf: bytes) -> str | None:
    """The sha256 of the report.json a PDF was rendered from (None when it carries none)."""
    found = _PDF_BINDING.search(pdf)
    return found.group(1).decode("ascii") if found else None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or not all(isinstance(x, (int, float)) for x in (a, b)):
        return a == b
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9)


def _walk(a: Any, b: Any, path: str, out: list[tuple[str, Any, Any]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            _walk(a.get(k, "<missing>"), b.get(k, "<missing>"), f"{path}[{k!r}]" if path else k, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append((path, f"{len(a)} items", f"{len(b)} items"))
        for i, (x, y) in enumerate(zip(a, b)):
            _walk(x, y, f"{path}[{i}]", out)
    elif not _same(a, b):
        out.append((path, a, b))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _words(path: str, a: Any, b: Any) -> str:
    if path == "recommended":
        return f"the recommendation was forged or no longer holds: the report recommends {a!r}, the re-run {b!r}."
    if path == "id":
        return "the report id no longer matches its scenarios, data, title and date: they were changed."
    return f"report.json {path}: the report says {_short(a)}, the re-run gives {_short(b)}."


def _order(path: str) -> tuple[int, str]:
    for i, head in enumerate(("recommended", "id", "title", "headline", "reproduce", "results", "sections")):
        if path.startswith(head):
            return i, path
    return 9, path


def compare_content(saved: dict, rebuilt: dict) -> list[str]:
    """Every value of ``saved`` the rebuilt report does not reproduce, in words (most important first)."""
    diffs: list[tuple[str, Any, Any]] = []
    _walk(saved, rebuilt, "", diffs)
    diffs = [d for d in diffs if not any(d[0].startswith(_pathname(c)) for c in _CONTEXT)]
    diffs.sort(key=lambda d: _order(d[0]))
    lines = [_words(*d) for d in diffs[:MAX_LISTED]]
    if len(diffs) > MAX_LISTED:
        lines.append(f"… and {len(diffs) - MAX_LISTED} more values of report.json differ from the re-run.")
    return lines


def _pathname(dotted: str) -> str:
    head, _, tail = dotted.partition(".")
    return f"{head}[{tail!r}]" if tail else head


def _spec_problems(content: dict) -> list[str]:
    """Scenarios whose settings no longer match their fingerprint, naming the settings that changed (against
    the report's own summary of each scenario)."""
    from analysis.scenario import Scenario, ScenarioError

    problems = []
    summaries = {}
    for section in content.get("sections", []):
        for block in section.get("blocks", []):
            pairs = dict(block.get("pairs", [])) if block.get("type") == "kv" else {}
            if "Scenario" in pairs and "Fingerprint" in pairs:
                summaries[pairs["Fingerprint"]] = pairs.get("Differs from using all data by", "")
    for s in content["reproduce"]["scenarios"]:
        fields = {k: v for k, v in s.items() if k != "fingerprint"}
        try:
            spec = Scenario(**fields)
        except (ScenarioError, TypeError) as exc:
            problems.append(f"report.json: scenario {str(s.get('name'))[:60]!r} is not a valid scenario any more: {exc}")
            continue
        if spec.fingerprint == s.get("fingerprint"):
            continue
        said = summaries.get(s.get("fingerprint"), "")
        try:
            before = json.loads(said) if said.startswith("{") else {}
        except json.JSONDecodeError:
            before = {}
        changed = [f"{k} = {before.get(k, 'its default')!r} → {v!r}" for k, v in fields.items()
                   if k in before and before[k] != v]
        default = Scenario(name=spec.name).spec_dict()
        changed += [f"{k} = its default → {v!r}" for k, v in fields.items()
                    if k not in before and k not in ("name", "description") and v != default.get(k)]
        problems.append(f"report.json: the settings of scenario {spec.name[:60]!r} were changed after the report was "
                        f"built — they no longer match its fingerprint ({'; '.join(changed) or 'see the spec'}).")
    return problems


def verify_report(report_dir: str | Path, db: str | Path | None = None, *, rerun: bool = True,
                  registry: str | Path | None = None, public_key: str | None = None,
                  progress: Callable[[str], None] | None = None) -> VerifyResult:
    """Check a saved report (see the module docstring); ``public_key`` (hex) is the key it must be signed with
    (default: ``PRIVACYLIFT_SIGNING_PUBLIC_KEY``, else this machine's signing key).

    Examples
    --------
    >>> r = verify_report("data/reports/q3-review")   # doctest: +SKIP
    >>> r.ok, r.problems   # doctest: +SKIP
    (True, ())
    """
    from analysis.report.signing import ALGORITHM, key_id, trusted_public_key, verify

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
    manifest_bytes = manifest_path.read_bytes()
    try:
        manifest = json.loads(manifest_bytes)
        expected = {n: manifest["files"][n]["sha256"] for n in FILES}
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
        problems.append("manifest.json was altered: it is no longer a valid manifest.")
        return result()
    # 1. the signature, against a key from outside the folder
    public = trusted_public_key(public_key)
    manifest_signed = False
    try:
        signature = json.loads((d / SIGNATURE_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        signature = None
    if public is None:
        problems.append("No trusted public key to check the signature with: pass --public-key (the key printed "
                        "when the report was saved) or set PRIVACYLIFT_SIGNING_PUBLIC_KEY.")
    elif not isinstance(signature, dict):
        problems.append(f"{SIGNATURE_FILE} is missing or unreadable: the report is not signed.")
    elif not verify(public, "manifest", manifest_bytes, signature.get("signature", "")):
        other = signature.get("key_id")
        who = (f" (it claims key {str(other)[:16]}, the trusted key is {key_id(public)})"
               if other != key_id(public) else "")
        problems.append(f"manifest.json is not signed by the trusted key{who}: the report's files or their hashes "
                        "were changed after it was saved (a rewritten registry cannot make up for this).")
    else:
        checks.append(f"manifest.json: {ALGORITHM} signature of the trusted key {key_id(public)} is valid.")
        manifest_signed = True
    # 2. the files against the manifest
    authentic = False  # report.json is the one that was signed
    for name in FILES:
        path = d / name
        if not path.exists():
            problems.append(f"{name} is missing.")
        elif _sha256(path.read_bytes()) != expected[name]:
            problems.append(f"{name} was altered: its sha256 no longer matches manifest.json.")
        else:
            checks.append(f"{name}: sha256 matches the manifest.")
            authentic = authentic or (name == "report.json" and manifest_signed)
    # 3. the renderings belong to this report.json
    content = None
    try:
        json_bytes = (d / "report.json").read_bytes()
        content = json.loads(json_bytes)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        problems.append("report.json is unreadable.")
    if (d / "report.pdf").exists() and content is not None:
        bound = pdf_binding((d / "report.pdf").read_bytes())
        if bound is None:
            problems.append("report.pdf carries no binding to a report.json: it was not made by PrivacyLift's save.")
        elif bound != _sha256(json_bytes):
            problems.append(f"report.pdf belongs to another report: it was rendered from a report.json with sha256 "
                            f"{bound[:16]}…, this report.json has {_sha256(json_bytes)[:16]}….")
        else:
            checks.append("report.pdf is bound to this report.json (its metadata carries the JSON's sha256).")
    if content is not None and (d / "report.html").exists():
        from analysis.report.content import FORMAT
        from analysis.report.html import render_html

        if content.get("format") != FORMAT:
            problems.append(f"report.json has format {content.get('format')!r}; this version reads {FORMAT!r}.")
            return result()
        if render_html(content) != (d / "report.html").read_text(encoding="utf-8", errors="replace"):
            problems.append("report.html differs from the HTML rebuilt from report.json.")
        else:
            checks.append("report.html equals the HTML rebuilt from report.json.")
        if report_json_bytes(content) != json_bytes:
            problems.append("report.json is not in the form PrivacyLift writes: it was edited by hand.")
    # 4. the review log, signed entry by entry; the registry's signed lines to find a cut log
    chain = check_review_chain(d, public)
    problems += chain
    if not chain:
        checks.append(f"review log: {len(read_reviews(d))} entries, hash chain intact"
                      + (", every entry signed by the trusted key." if public is not None else "."))
    reg = Path(registry) if registry is not None else d.parent / "registry.jsonl"
    lines = [e for e in read_registry(reg) if e.get("report_id") == manifest.get("report_id")]
    signed = [e for e in lines if public is not None and registry_line_signed(e, public)]
    if len(signed) < len(lines):
        checks.append(f"registry.jsonl: {len(lines) - len(signed)} line(s) about this report are not signed by the "
                      "trusted key and were ignored.")
    logged = {e.get("hash") for e in signed if e.get("event") == "review"}
    missing = logged - {e.get("hash") for e in read_reviews(d)}
    if missing:
        problems.append(f"reviews.jsonl lacks {len(missing)} signed review(s) recorded in the registry: the log was cut.")
    if content is None:
        return result()
    problems += _spec_problems(content)
    if not rerun or (problems and authentic):
        return result()
    # re-run even when a check above failed, unless report.json is the signed one: the comparison names what
    # was forged in it
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
    from analysis.report.content import build_content, code_fingerprint
    from analysis.scenario import Scenario
    from analysis.simulation import SimulationSettings
    from analysis.store import Store
    from analysis.tradeoff.settings import BusinessSettings

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
    specs = [Scenario(**{k: v for k, v in s.items() if k != "fingerprint"}) for s in rep["scenarios"]]
    business = dict(rep["business_settings"])
    if "risk_tolerance" in business:
        business["risk_tolerance"] = tuple(tuple(p) for p in business["risk_tolerance"])
    rebuilt = build_content(specs, db, title=content["title"], purpose=content.get("purpose", ""),
                            author=content.get("author", ""), settings=BusinessSettings(**business),
                            simulation=SimulationSettings(**rep["simulation"]),
                            assumptions=rep["assumption_overrides"] or None, created=content["created"],
                            progress=progress, policy=rep.get("policy"),
                            robustness_draws=rep.get("robustness_draws"))
    _same_place(content, rebuilt)
    diffs = compare_content(content, rebuilt)
    problems += diffs
    if diffs:
        if rep.get("code_fingerprint") and rep["code_fingerprint"] != code_fingerprint():
            problems.append("Note: the PrivacyLift analysis code changed since the report was built (code "
                            f"fingerprint {rep['code_fingerprint'][:16]}… → {code_fingerprint()[:16]}…), which "
                            "may explain the differences; re-run with the version the report was built with.")
    else:
        n = sum(1 for _ in _leaves(content))
        checks.append(f"every value of report.json reproduces ({n:,} figures, cells and texts; headline figures of "
                      f"{len(content['headline'])} scenario(s) included).")
    return result(reran=True)


def _same_place(saved: dict, rebuilt: dict) -> None:
    """Where the database lies is not a finding: show the saved report's name for it in the rebuilt one."""
    saved_pairs = {p[0]: p for s in saved["sections"] for b in s["blocks"] if b.get("type") == "kv" for p in b["pairs"]}
    for s in rebuilt["sections"]:
        for b in s["blocks"]:
            if b.get("type") == "kv":
                b["pairs"] = [list(saved_pairs["Database"]) if p[0] == "Database" and "Database" in saved_pairs
                              else p for p in b["pairs"]]


def _leaves(obj: Any):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _leaves(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _leaves(v)
    else:
        yield obj
