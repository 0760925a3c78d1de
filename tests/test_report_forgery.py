"""A forged report cannot pass verify (issue 18): each forgery below once passed as "Verified" with the registry
rewritten to match. Now the manifest is signed with a key outside the report folder (Ed25519), the PDF is bound to
its JSON, every review entry is signed, every value of report.json is re-computed, and the registry is never
trusted — and verify says, in a line, what was forged.

A careful forger is simulated: report.json is rewritten in PrivacyLift's own form, report.html re-rendered and
report.pdf re-rendered from the forged JSON (so hashes and bindings agree with it), manifest.json's hashes redone,
and registry.jsonl rewritten to match (or signed with the forger's own key).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import PRESETS, SimulationSettings
from analysis.report import SIGNATURE_FILE, build_report, load_report, record_review, render_html, render_pdf
from analysis.report import save_report, verify_report
from analysis.report.registry import _entry_hash, report_json_bytes

ROOT = Path(__file__).resolve().parent.parent
FAST = SimulationSettings(n_boot=30, breach_years=3000, attack_samples=300)
DP = next(p for p in PRESETS if p.epsilon == 1.0)


@pytest.fixture(scope="module")
def saved(demo_db, tmp_path_factory):
    """The status quo against DP at ε = 1, rejected by a board member."""
    content = build_report([PRESETS[0], DP], demo_db, title="Forgery target", simulation=FAST)
    root = tmp_path_factory.mktemp("reports")
    report = save_report(content, root / "r1", pdf_bytes=render_pdf(content, charts=False))
    record_review(report.dir, "rejected", "Board chair", "Not enough gain for the exposure")
    return report


@pytest.fixture()
def copy_dir(saved, tmp_path):
    dst = tmp_path / "reports"
    shutil.copytree(saved.dir.parent, dst)
    return dst / saved.dir.name


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rewrite_registry(folder: Path) -> None:
    """The forger's registry: every line about the report redone from the files as they are now, unsigned."""
    manifest_bytes = (folder / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    reg = folder.parent / "registry.jsonl"
    lines = []
    for line in reg.read_text().splitlines():
        e = json.loads(line)
        e.pop("signature", None)
        if e["event"] == "saved":
            e["hashes"] = {n: f["sha256"] for n, f in manifest["files"].items()}
            e["manifest_sha256"] = _sha(manifest_bytes)
        lines.append(json.dumps(e))
    reviews = [json.loads(x) for x in (folder / "reviews.jsonl").read_text().splitlines()]
    lines = [x for x in lines if json.loads(x)["event"] == "saved"] + [
        json.dumps({"event": "review", "report_id": r["report_id"], "seq": r["seq"], "decision": r["decision"],
                    "reviewer": r["reviewer"], "time": r["time"], "hash": r["hash"]}) for r in reviews]
    reg.write_text("\n".join(lines) + "\n")


def forge_content(folder: Path, change) -> dict:
    """Change report.json as a careful forger would: HTML and PDF re-rendered, manifest and registry redone."""
    content = load_report(folder)
    change(content)
    data = {"report.json": report_json_bytes(content), "report.html": render_html(content).encode(),
            "report.pdf": render_pdf(content, charts=False)}
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, blob in data.items():
        (folder / name).write_bytes(blob)
        manifest["files"][name] = {"sha256": _sha(blob), "bytes": len(blob)}
    (folder / "manifest.json").write_bytes((json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    rewrite_registry(folder)
    return content


def problems_naming(result, *words) -> list[str]:
    return [p for p in result.problems if all(w in p for w in words)]


def test_the_untouched_report_verifies(saved, demo_db):
    r = verify_report(saved.dir, demo_db)  # the database lies outside the report's folders: named, as --db
    assert r.ok, r.problems
    assert any("signature of the trusted key" in c for c in r.checks)
    assert any("every value of report.json reproduces" in c for c in r.checks)


def test_forged_recommendation_and_a_changed_figure_fail_and_are_named(copy_dir, demo_db):
    """Two forgeries of report.json in one copy (one re-run, to keep the suite fast), each named in its line."""
    content = load_report(copy_dir)
    other = next(n for n in content["headline"] if n != content["recommended"])

    def change(c):
        c["recommended"] = other
        c["results"][0]["risk"]["sample_uniqueness"] = 0.001  # deep in the results, not a headline figure

    forge_content(copy_dir, change)
    # the forger even signs the new manifest with a key of their own
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    theirs = Ed25519PrivateKey.generate()
    manifest = (copy_dir / "manifest.json").read_bytes()
    (copy_dir / SIGNATURE_FILE).write_text(json.dumps({"algorithm": "Ed25519", "key_id": "f0f0f0f0f0f0f0f0",
                                                       "signature": theirs.sign(b"privacylift manifest v1\n" +
                                                                                manifest).hex()}))
    r = verify_report(copy_dir, demo_db)
    assert not r.ok and r.reran
    assert problems_naming(r, "manifest.json is not signed by the trusted key", "f0f0f0f0f0f0f0f0")
    assert problems_naming(r, "recommendation was forged", repr(other)), r.problems
    assert problems_naming(r, "results[0]['risk']['sample_uniqueness']", "0.001"), r.problems


def test_epsilon_changed_from_1_to_0_01_fails_and_is_named(copy_dir):
    def change(c):
        spec = next(s for s in c["reproduce"]["scenarios"] if s["epsilon"] == 1.0)
        spec["epsilon"] = 0.01

    forge_content(copy_dir, change)
    r = verify_report(copy_dir, rerun=False)  # named before anything is re-run
    assert not r.ok
    assert problems_naming(r, "settings of scenario", DP.name, "epsilon = 1.0 → 0.01"), r.problems


def test_pdf_from_another_report_fails_and_is_named(copy_dir):
    other = copy.deepcopy(load_report(copy_dir))
    other["title"] = "Another report"
    pdf = render_pdf(other, charts=False)
    (copy_dir / "report.pdf").write_bytes(pdf)
    manifest = json.loads((copy_dir / "manifest.json").read_text())
    manifest["files"]["report.pdf"] = {"sha256": _sha(pdf), "bytes": len(pdf)}
    (copy_dir / "manifest.json").write_bytes((json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    rewrite_registry(copy_dir)
    r = verify_report(copy_dir, rerun=False)
    assert not r.ok
    assert problems_naming(r, "manifest.json is not signed by the trusted key")
    assert problems_naming(r, "report.pdf belongs to another report"), r.problems


def test_decision_flipped_from_rejected_to_approved_fails_and_is_named(copy_dir):
    log = copy_dir / "reviews.jsonl"
    entry = json.loads(log.read_text())
    assert entry["decision"] == "rejected"
    entry["decision"] = "approved"
    entry["hash"] = _entry_hash(entry)  # the chain's hash redone: only the signature gives it away
    log.write_text(json.dumps(entry) + "\n")
    rewrite_registry(copy_dir)
    r = verify_report(copy_dir, rerun=False)
    assert not r.ok
    assert problems_naming(r, "reviews.jsonl entry 1 (approved by 'Board chair')", "not signed by the trusted key")
    assert not problems_naming(r, "manifest.json")  # the report itself is intact


def test_cli_verify_prints_what_was_forged(copy_dir):
    log = copy_dir / "reviews.jsonl"
    entry = json.loads(log.read_text())
    entry["decision"] = "approved"
    entry["hash"] = _entry_hash(entry)
    log.write_text(json.dumps(entry) + "\n")
    rewrite_registry(copy_dir)
    p = subprocess.run([sys.executable, "-m", "analysis", "verify", str(copy_dir), "--no-rerun"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1, p.stderr
    assert "FAILED: reviews.jsonl entry 1 (approved by 'Board chair') is not signed by the trusted key" in p.stderr
    assert "Traceback" not in p.stderr


def test_verify_needs_a_trusted_key_and_refuses_a_key_inside_the_reports_folder(saved, tmp_path, monkeypatch):
    from analysis.report.signing import SIGNING_KEY_ENV, SigningKeyError

    monkeypatch.setenv(SIGNING_KEY_ENV, str(tmp_path / "nowhere" / "k"))
    r = verify_report(saved.dir, rerun=False)
    assert not r.ok and problems_naming(r, "No trusted public key")
    monkeypatch.setenv(SIGNING_KEY_ENV, str(tmp_path / "reports" / "signing.key"))
    with pytest.raises(SigningKeyError, match="inside the reports folder"):
        save_report(load_report(saved.dir), tmp_path / "reports" / "new", pdf_bytes=b"%PDF")
