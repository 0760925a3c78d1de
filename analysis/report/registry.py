"""Saving, registering and reviewing reports (append-only, signed, tamper-evident).

A report directory holds ``report.json``, ``report.html``, ``report.pdf`` (each written to a temporary name
then renamed; the PDF carries the sha256 of report.json in its metadata), then ``manifest.json`` (sha256 and
size of each) and ``manifest.sig``, the Ed25519 signature of the manifest's bytes (:mod:`.signing`; the key is
never in the report folder). A directory is created exclusively: a saved report is never overwritten.
``registry.jsonl`` (by default beside the report directories) gets one signed line per saved report and per
review, appended under an ``fcntl`` lock; it is an index, never trusted by verify. ``reviews.jsonl`` in the
report directory is the review log: each entry holds the hash of the previous one (the first, the manifest's
hash) and is signed, so editing, removing, reordering or forging a line is found without the registry.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

__all__ = [
    "FILES", "DECISIONS", "SIGNATURE_FILE", "SavedReport", "VerifyResult", "save_report", "record_review",
    "read_reviews", "read_registry", "list_reports", "review_status", "report_json_bytes", "check_review_chain",
]

FILES = ("report.json", "report.html", "report.pdf")
#: the manifest's signature, beside it
SIGNATURE_FILE = "manifest.sig"
DECISIONS = ("approved", "changes_requested", "rejected")
#: relative tolerance of re-computed headline figures (runs are seeded: only floating-point noise differs)
RELATIVE_TOLERANCE = 1e-9
_GENESIS_NOTE = "the first review chains to the manifest's hash"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_json_bytes(content: dict) -> bytes:
    """The exact bytes of ``report.json`` for ``content`` (what the PDF is bound to)."""
    return (json.dumps(content, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")


def _canonical(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _append_line(path: Path, record: dict) -> None:
    """Append one JSON line under an exclusive lock (several writers may append at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append({"_unreadable_line": number})
    return out


@dataclass(frozen=True)
class SavedReport:
    """Where a report was saved, with its id and the sha256 of each file."""

    dir: Path
    report_id: str
    hashes: dict[str, str]
    manifest_sha256: str
    registry: Path

    def to_dict(self) -> dict[str, Any]:
        return {"dir": str(self.dir), "report_id": self.report_id, "hashes": dict(self.hashes),
                "manifest_sha256": self.manifest_sha256, "registry": str(self.registry)}


def _registry_path(out_dir: Path, registry: str | Path | None) -> Path:
    return Path(registry) if registry is not None else out_dir.parent / "registry.jsonl"


def save_report(content: dict, out_dir: str | Path, *, registry: str | Path | None = None,
                render: Callable[[dict], tuple[str, bytes]] | None = None,
                pdf_bytes: bytes | None = None, html_text: str | None = None) -> SavedReport:
    """Write report.json/html/pdf and manifest.json into a new directory and register it (see module doc).

    Raises
    ------
    FileExistsError
        When ``out_dir`` already exists (a saved report is never overwritten).
    """
    from analysis.report.html import render_html
    from analysis.report.pdf import render_pdf
    from analysis.report.signing import check_key_outside, sign

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    check_key_outside(out_dir.parent)
    try:
        os.mkdir(out_dir)  # exclusive: fails if it exists, even if another process just made it
    except FileExistsError:
        raise FileExistsError(f"The report directory {str(out_dir)!r} already exists: saved reports are never "
                              "overwritten. Choose a new --out directory.") from None
    data = {
        "report.json": report_json_bytes(content),
        "report.html": (html_text if html_text is not None else render_html(content)).encode("utf-8"),
        "report.pdf": pdf_bytes if pdf_bytes is not None else render_pdf(content),
    }
    for name in FILES:
        _write_atomic(out_dir / name, data[name])
    hashes = {name: _sha256(data[name]) for name in FILES}
    manifest = {"report_id": content["id"], "title": content["title"], "created": content["created"],
                "saved": _now(), "files": {n: {"sha256": hashes[n], "bytes": len(data[n])} for n in FILES}}
    manifest_bytes = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8")
    signature = sign("manifest", manifest_bytes)
    _write_atomic(out_dir / "manifest.json", manifest_bytes)
    _write_atomic(out_dir / SIGNATURE_FILE, (json.dumps(signature, indent=1, sort_keys=True) + "\n").encode())
    reg = _registry_path(out_dir, registry)
    try:
        shown_dir = str(out_dir.resolve().relative_to(reg.parent.resolve()))
    except ValueError:
        shown_dir = str(out_dir.resolve())
    _append_signed(reg, {"event": "saved", "report_id": content["id"], "title": content["title"],
                         "created": content["created"], "saved": manifest["saved"], "dir": shown_dir,
                         "hashes": hashes, "manifest_sha256": _sha256(manifest_bytes),
                         "data_fingerprint": content["reproduce"]["data_fingerprint"],
                         "scenarios": [s["name"] for s in content["reproduce"]["scenarios"]]})
    return SavedReport(out_dir, content["id"], hashes, _sha256(manifest_bytes), reg)


def _append_signed(path: Path, record: dict) -> None:
    from analysis.report.signing import sign

    _append_line(path, {**record, "signature": sign("registry", _canonical(record))})


def registry_line_signed(record: dict, public) -> bool:
    """Whether a registry line carries ``public``'s signature of its content."""
    from analysis.report.signing import verify

    sig = record.get("signature")
    body = {k: v for k, v in record.items() if k != "signature"}
    return isinstance(sig, dict) and verify(public, "registry", _canonical(body), sig.get("signature", ""))


# ---- reviews -------------------------------------------------------------------------------------------------
def _entry_hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k not in ("hash", "signature")}
    return _sha256(_canonical(body))


def read_reviews(report_dir: str | Path) -> list[dict]:
    """The review log of a saved report, oldest first (empty when no one has reviewed it)."""
    return _read_lines(Path(report_dir) / "reviews.jsonl")


def record_review(report_dir: str | Path, decision: str, reviewer: str, comment: str = "", *,
                  registry: str | Path | None = None) -> dict:
    """Append a board decision to the report's review log (and a line to the registry), signed; returns the
    entry."""
    from analysis.report.signing import check_key_outside, sign

    report_dir = Path(report_dir)
    if decision not in DECISIONS:
        raise ValueError(f"The 'decision' parameter of record_review must be one of {', '.join(DECISIONS)}. "
                         f"Got {decision!r} instead.")
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise ValueError(f"The 'reviewer' parameter of record_review must be a non-empty name. Got {reviewer!r} "
                         "instead.")
    if not isinstance(comment, str) or len(comment) > 5000:
        raise ValueError("The 'comment' parameter of record_review must be text of at most 5000 characters. "
                         f"Got {type(comment).__name__} of length {len(str(comment))} instead.")
    manifest_path = report_dir / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"{str(report_dir)!r} is not a saved report (no manifest.json).")
    check_key_outside(report_dir.parent)
    manifest_bytes = manifest_path.read_bytes()
    log = report_dir / "reviews.jsonl"
    with open(report_dir / ".reviews.lock", "w") as lock:  # one writer at a time: the chain needs the last hash
        fcntl.flock(lock, fcntl.LOCK_EX)
        previous = read_reviews(report_dir)
        entry = {"seq": len(previous) + 1, "time": _now(), "report_id": json.loads(manifest_bytes)["report_id"],
                 "decision": decision, "reviewer": reviewer.strip(), "comment": comment,
                 "prev": previous[-1].get("hash", "") if previous else _sha256(manifest_bytes)}
        entry["hash"] = _entry_hash(entry)
        entry["signature"] = sign("review", entry["hash"].encode("ascii"))
        _append_line(log, entry)
    _append_signed(_registry_path(report_dir, registry), {"event": "review", "report_id": entry["report_id"],
                                                          "seq": entry["seq"], "decision": decision,
                                                          "reviewer": entry["reviewer"], "time": entry["time"],
                                                          "hash": entry["hash"]})
    return entry


def _who(e: dict) -> str:
    return f"{str(e.get('decision', '?')).replace('_', ' ')} by {str(e.get('reviewer', '?'))[:60]!r}"


def check_review_chain(report_dir: str | Path, public=None) -> list[str]:
    """Problems of the review log (empty list when intact): its hash chain from the manifest and, with a trusted
    ``public`` key, each entry's signature — so an edited decision is found even when the hashes were redone."""
    from analysis.report.signing import verify

    report_dir = Path(report_dir)
    entries = read_reviews(report_dir)
    manifest = report_dir / "manifest.json"
    prev = _sha256(manifest.read_bytes()) if manifest.exists() else None
    problems = []
    for i, e in enumerate(entries, start=1):
        if "_unreadable_line" in e:
            problems.append(f"reviews.jsonl line {e['_unreadable_line']} is not valid JSON: the log was edited.")
            prev = None
            continue
        if e.get("hash") != _entry_hash(e):
            problems.append(f"reviews.jsonl entry {i} ({_who(e)}) was edited: its content no longer matches its hash.")
        elif public is not None and not verify(public, "review", str(e.get("hash")).encode("ascii"),
                                               (e.get("signature") or {}).get("signature", "")):
            problems.append(f"reviews.jsonl entry {i} ({_who(e)}) is not signed by the trusted key: it was edited "
                            "or written outside PrivacyLift (its decision, reviewer or comment cannot be trusted).")
        if prev is not None and e.get("prev") != prev:
            problems.append(f"reviews.jsonl entry {i} does not chain to the entry before it "
                            f"({_GENESIS_NOTE}): an entry was removed, inserted or reordered.")
        if e.get("seq") != i:
            problems.append(f"reviews.jsonl entry {i} has sequence number {e.get('seq')!r}.")
        prev = e.get("hash")
    return problems


def review_status(report_dir: str | Path) -> str:
    """The latest decision ("approved", …) or "not reviewed"."""
    entries = [e for e in read_reviews(report_dir) if "decision" in e]
    return entries[-1]["decision"] if entries else "not reviewed"


# ---- registry ----------------------------------------------------------------------------------------------
def read_registry(registry: str | Path) -> list[dict]:
    return _read_lines(Path(registry))


def list_reports(reports_dir: str | Path, *, registry: str | Path | None = None) -> list[dict]:
    """Saved reports of a registry, newest first, each with ``path`` and its review ``status``."""
    reports_dir = Path(reports_dir)
    reg = Path(registry) if registry is not None else reports_dir / "registry.jsonl"
    out = []
    for e in read_registry(reg):
        if e.get("event") != "saved":
            continue
        path = Path(e["dir"]) if Path(e["dir"]).is_absolute() else reg.parent / e["dir"]
        out.append({**e, "path": path, "exists": (path / "manifest.json").exists(),
                    "status": review_status(path) if path.exists() else "missing"})
    return sorted(out, key=lambda e: e.get("saved", ""), reverse=True)


# ---- verify --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_report`: ``ok`` when every check passed; ``problems`` say what failed."""

    dir: Path
    ok: bool
    checks: tuple[str, ...]
    problems: tuple[str, ...]
    reran: bool = False
    seconds: float = 0.0
    details: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"dir": str(self.dir), "ok": self.ok, "checks": list(self.checks), "problems": list(self.problems),
                "reran": self.reran, "seconds": self.seconds}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9)
    return a == b


def compare_headlines(saved: dict, now: dict) -> list[str]:
    """Figures of ``saved`` that ``now`` no longer reproduces, in words."""
    problems = []
    for name in sorted(set(saved) | set(now)):
        if name not in now or name not in saved:
            problems.append(f"Scenario {name!r} is in only one of the saved report and the re-run.")
            continue
        for key in sorted(set(saved[name]) | set(now[name])):
            a, b = saved[name].get(key), now[name].get(key)
            if not _same(a, b):
                problems.append(f"Scenario {name!r}: {key} was {a!r} in the report, re-run gives {b!r}.")
    return problems


def iter_files(report_dir: Path) -> Iterable[Path]:
    return (report_dir / n for n in (*FILES, "manifest.json"))
