"""User text is shown, never obeyed, in the CLI and in reports (issue 18): a right-to-left override (U+202E), a
terminal escape or another control character in a dataset, column or scenario name, a purpose or a reviewer name
is printed as a visible escape; a 100,000-character name is refused with a short message."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from analysis.report.content import FORMAT
from analysis.report.html import render_html
from analysis.report.pdf import render_pdf
from analysis.usertext import plain

ROOT = Path(__file__).resolve().parent.parent
RLO, ESC = "\u202e", "\x1b"
SECRET = "cli-text-secret-0123456789"


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRIVACYLIFT_SECRET": SECRET}
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env=env)


def test_plain_escapes_every_control_and_format_character():
    for ch in (RLO, ESC, "\u200b", "\u2066", "\x00", "\u2028", "\ufeff"):
        assert ch not in plain(f"a{ch}b")
    assert plain("naïve café 🙂, tab\there", newlines=True) == "naïve café 🙂, tab\there"


def test_cli_output_neutralizes_names_and_refuses_huge_ones_briefly(tmp_path):
    name = f"invoice{RLO}fdp.exe"
    column = f"age{ESC}[31m"
    (tmp_path / "d.toml").write_text(  # TOML holds the escape as \u001b, the CSV header the character itself
        f'[dataset]\nname = "{name}"\n[columns."age\\u001b[31m"]\nrole = "quasi_identifier"\ntype = "integer"\n'
        '[columns.y]\nrole = "outcome"\ntype = "boolean"\n', encoding="utf-8")
    (tmp_path / "d.csv").write_text(f'"{column}",y,extra{RLO}col\n30,true,1\n40,false,2\n', encoding="utf-8")
    p = cli("ingest", "--db", str(tmp_path / "crm.duckdb"), "--dictionary", str(tmp_path / "d.toml"),
            str(tmp_path / "d.csv"))
    assert p.returncode == 0, p.stderr
    out = p.stdout + p.stderr
    assert RLO not in out and ESC not in out
    assert "invoice\\u202efdp.exe" in out and "extra\\u202ecol" in out  # shown as escapes, still readable

    huge = tmp_path / "huge.toml"
    huge.write_text(f'[dataset]\nname = "{"n" * 100_000}"\n[columns.a]\nrole = "other"\n', encoding="utf-8")
    p = cli("ingest", "--db", str(tmp_path / "crm.duckdb"), "--dictionary", str(huge), str(tmp_path / "d.csv"))
    assert p.returncode == 2 and "at most 200 characters" in p.stderr and len(p.stderr) < 600, p.stderr[:300]

    scenarios = tmp_path / "s.toml"
    for bad, words in ((f"{'x' * 100_000}", "at most 120"), (f"Lean{RLO}tsrif ycavirp", "no control characters")):
        scenarios.write_text(f'[[scenario]]\nname = "{bad}"\n', encoding="utf-8")
        p = cli("simulate", "--db", str(tmp_path / "crm.duckdb"), "--scenarios", str(scenarios))
        assert p.returncode == 2 and words in p.stderr and len(p.stderr) < 600, p.stderr[:300]
        assert RLO not in p.stderr


def _content(text: str) -> dict:
    return {"format": FORMAT, "id": "0" * 64, "title": f"Review {text}", "author": text, "purpose": text,
            "created": "2026-01-01T00:00:00+00:00", "reproduce": {"data_fingerprint": "f" * 64}, "charts": {},
            "sections": [{"id": "purpose", "number": 1, "heading": "Purpose and scope", "blocks": [
                {"type": "text", "text": f"Purpose: {text}"},
                {"type": "kv", "pairs": [["Dataset", text]]},
                {"type": "table", "columns": ["Column", "Role"], "rows": [[text, "quasi identifier"]]},
                {"type": "review_log"}]}]}


def test_report_html_and_pdf_show_control_characters_as_escapes():
    from pypdf import PdfReader

    text = f"crm{RLO}lmth.exe{ESC}[2J"
    content = _content(text)
    reviews = [{"time": "2026-01-02T00:00:00+00:00", "reviewer": f"Dr{RLO} X", "decision": "approved",
                "comment": text, "hash": "ab" * 32}]
    page = render_html(content, reviews=reviews)
    assert RLO not in page and ESC not in page
    assert "crm\\u202elmth.exe\\x1b[2J" in page and "Dr\\u202e X" in page
    pdf = render_pdf(content, reviews=reviews, charts=False)
    extracted = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert RLO not in extracted and "u202e" in extracted
