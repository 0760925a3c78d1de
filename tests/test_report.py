"""Saved reports: content, HTML/PDF renderings, privacy of the files, registry, review chain, verify."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from analysis import PRESETS, SimulationSettings
from analysis.report import content as rc
from analysis.report import (
    FILES, build_report, list_reports, load_report, read_reviews, record_review, render_html, render_pdf,
    review_status, save_report, verify_report,
)
from analysis.report.html import embed_json
from analysis.report.registry import check_review_chain, compare_headlines

XSS = "<script>alert(1)</script>"
FAST = SimulationSettings(n_boot=40, breach_years=4000, attack_samples=400)
SECTION_HEADINGS = ("Purpose and scope", "The processing and the data inventory", "Scenarios compared", "Results",
                    "Trade-offs and recommendation", "Risks and measures, with residual risk",
                    "Transparency, consent and control", "Who is targeted: fairness and proxy discrimination",
                    "Assumptions with sources", "Methods and versions", "Sign-off and review")


@pytest.fixture(scope="module")
def saved(demo_db, tmp_path_factory):
    """One report (status quo + 'privacy first' renamed to a script tag) saved under a reports folder."""
    specs = [PRESETS[0], PRESETS[-1].replace(name=XSS, description=f"notes {XSS} & more")]
    content = build_report(specs, demo_db, title=f"Board review {XSS}", purpose="Test <b>purpose</b>",
                           author="Analyst & co", simulation=FAST)
    root = tmp_path_factory.mktemp("reports")
    return save_report(content, root / "r1")


@pytest.fixture()
def copy(saved, tmp_path):
    """A copy of the reports folder (registry included) that a test may damage."""
    dst = tmp_path / "reports"
    shutil.copytree(saved.dir.parent, dst)
    return dst / saved.dir.name


def _flip_byte(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i] = (data[i] + 1) % 256
    path.write_bytes(bytes(data))


# ---- content ---------------------------------------------------------------------------------------------
def test_sections_in_dpia_order_and_reproducibility_fields(saved):
    c = load_report(saved.dir)
    assert [s["heading"] for s in c["sections"]] == list(SECTION_HEADINGS)
    assert [s["number"] for s in c["sections"]] == list(range(1, len(SECTION_HEADINGS) + 1))
    rep = c["reproduce"]
    assert rep["data_fingerprint"] == c["results"][0]["data_fingerprint"]
    assert [s["fingerprint"] for s in rep["scenarios"]] == [PRESETS[0].fingerprint, PRESETS[-1].fingerprint]
    assert rep["simulation"]["n_boot"] == FAST.n_boot
    assert {"polars", "duckdb", "scikit-learn", "diffprivlib", "python"} <= set(rep["package_versions"])
    assert set(c["charts"]) == {"frontier", "lift_curves", "exceedance", "waterfall", "fairness"}
    assert c["recommended"] in c["headline"]


def test_headline_matches_the_results_json(saved):
    """Two routes to one figure: the trade-off table (headline) and the simulate JSON (results)."""
    c = load_report(saved.dir)
    for r in c["results"]:
        h = c["headline"][r["name"]]
        assert h["incremental_conversions"] == pytest.approx(r["headline"]["incremental_conversions"])
        assert h["incremental_conversions_everyone"] == pytest.approx(r["lift"]["incremental_conversions"])
        assert h["expected_annual_loss"] == pytest.approx(r["breach"]["expected_annual_loss"])
        assert h["risk_index"] == pytest.approx(r["risk"]["risk_index"])


def test_small_counts_are_suppressed():
    assert rc.suppress({"records": 3, "customers_held": 0, "rows": 5, "k": 2, "x": [{"population": 4}]}) == \
        {"records": "<5", "customers_held": 0, "rows": 5, "k": 2, "x": [{"population": "<5"}]}
    assert rc.fmt(4, "count") == "<5" and rc.fmt(12_345, "count") == "12,345"
    assert rc.suppress({"a": float("nan")}) == {"a": None}


@pytest.mark.parametrize("p, index, categories, expected", [
    (0.001, 1.0, (), ("negligible", "negligible", "low")),
    (0.07, 76.0, (), ("significant", "maximum", "very high")),  # (2+1)(3+1) = 12
    (0.03, 10.0, ("health",), ("limited", "significant", "medium")),  # (1+1)(2+1) = 6
    (0.30, 3.0, (), ("maximum", "negligible", "medium")),  # (3+1)(0+1) = 4
])
def test_residual_risk_matrix(p, index, categories, expected):
    assert rc.residual_risk(p, index, categories) == expected


def test_compare_headlines_tolerates_noise_only():
    saved = {"A": {"net_value": 1000.0, "k_anonymity": 3, "on_frontier": True}}
    assert compare_headlines(saved, {"A": {"net_value": 1000.0 * (1 + 1e-13), "k_anonymity": 3, "on_frontier": True}}) == []
    problems = compare_headlines(saved, {"A": {"net_value": 1000.1, "k_anonymity": 3, "on_frontier": True}})
    assert len(problems) == 1 and "net_value" in problems[0] and "'A'" in problems[0]
    assert compare_headlines(saved, {}) != []


# ---- renderings ------------------------------------------------------------------------------------------
def test_html_rebuilt_from_json_equals_saved(saved):
    assert render_html(load_report(saved.dir)) == (saved.dir / "report.html").read_text(encoding="utf-8")


def test_user_text_is_escaped_and_script_name_shown_as_text(saved):
    html_text = (saved.dir / "report.html").read_text(encoding="utf-8")
    assert XSS not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "Test &lt;b&gt;purpose&lt;/b&gt;" in html_text and "Analyst &amp; co" in html_text
    # script elements: one per chart, packed plotly.js, its loader — nothing else
    n_charts = len(load_report(saved.dir)["charts"])
    assert len(re.findall(r"<script\b", html_text)) == n_charts + 2
    assert html_text.count("plotly-js-gzip") == 2  # plotly.js inlined once (element + loader reference)


def test_embedded_json_cannot_close_its_script():
    obj = {"name": "</script><!-- <script>alert(1)</script> & \u2028"}
    text = embed_json(obj)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == obj


def test_pdf_opens_and_has_the_sections(saved):
    from pypdf import PdfReader

    reader = PdfReader(saved.dir / "report.pdf")
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    for i, heading in enumerate(SECTION_HEADINGS, start=1):
        assert f"{i}. {heading}" in flat
    # page 1: the executive summary with the pick; no raw JSON and no name listed three times anywhere
    first = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    c = load_report(saved.dir)
    assert "Executive summary" in first and f"The pick {c['recommended']}" in first and "What it costs" in first
    assert "Leave out of the model: sensitive attributes" in flat and "exclude_roles" not in flat
    assert "customer_id, customer_id" not in flat and "customer_id (in 3 datasets)" in flat
    assert XSS in flat  # Unicode font: the name is printed as text, as is
    assert reader.outline  # sections are bookmarked


def test_pdf_without_charts_prints_their_data(saved):
    from pypdf import PdfReader
    import io

    data = render_pdf(load_report(saved.dir), charts=False)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "its data instead" in text


def test_review_log_shown_when_rebuilt(saved):
    reviews = [{"time": "2025-01-01T00:00:00+00:00", "reviewer": "Ada <i>", "decision": "approved",
                "comment": "fine", "hash": "ab" * 32}]
    page = render_html(load_report(saved.dir), reviews=reviews)
    assert "Ada &lt;i&gt;" in page and "approved" in page


# ---- privacy of the files ----------------------------------------------------------------------------------
def _leaks(text: str, single: set, names: set, phones: set) -> set:
    """Identifiers of the data found in ``text``: tokens (keys, e-mails, pseudonyms), two-word names, phones."""
    tokens = set(re.findall(r"[\w@.+\-']+", text))
    words = re.findall(r"[^\W\d_][\w'\-]*", text)
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:])}
    digits = {re.sub(r"\D", "", m) for m in re.findall(r"[\d()+][\d\s().+\-]{6,}\d", text)}
    return (single & tokens) | (names & pairs) | (phones & digits)


def test_no_identifier_or_pseudonym_in_any_report_file(saved, demo_store):
    from pypdf import PdfReader

    from analysis import generate_frames
    from conftest import TEST_CUSTOMERS

    customers = generate_frames(TEST_CUSTOMERS, seed=7)["customers"]
    stored = demo_store.customers()
    single = set(customers["customer_id"].to_list()) | set(customers["email"].to_list())
    single |= set(stored["customer_id"].to_list())
    for col in ("full_name", "email", "phone"):
        single |= set(stored[col].drop_nulls().to_list())  # the pseudonyms
    names = set(customers["full_name"].to_list())
    phones = {re.sub(r"\D", "", p) for p in customers["phone"].to_list()}
    some_name, some_phone = customers["full_name"][0], customers["phone"][0]
    # the detector finds planted identifiers (so this test can fail)
    planted = f"x {stored['email'][0]} y {some_name}, tel {some_phone}."
    assert len(_leaks(planted, single, names, phones)) == 3

    html_text = (saved.dir / "report.html").read_text(encoding="utf-8")
    html_text = re.sub(r'<script id="plotly-js-gzip"[^>]*>[^<]*</script>', "", html_text)
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(saved.dir / "report.pdf").pages)
    for label, text in (("json", (saved.dir / "report.json").read_text(encoding="utf-8")), ("html", html_text),
                        ("pdf", pdf_text), ("manifest", (saved.dir / "manifest.json").read_text()),
                        ("registry", saved.registry.read_text())):
        assert not _leaks(text, single, names, phones), label


def test_who_is_targeted_in_json_html_and_pdf(saved):
    from pypdf import PdfReader

    c = load_report(saved.dir)
    section = next(s for s in c["sections"] if s["id"] == "fairness")
    tables = {b["caption"]: b for b in section["blocks"] if b["type"] == "table"}
    ratios = next(b for caption, b in tables.items() if caption.startswith("Selection-rate ratio"))
    assert ratios["columns"][1:] == ["age", "gender", "credit_band", "financial_distress", "health_interest"]
    assert len(ratios["rows"]) == 2 and "(below 0.8)" in " ".join(ratios["rows"][0])  # the status quo
    groups = next(b for caption, b in tables.items() if caption.startswith("Share targeted in every group"))
    assert all(row[2] == "<5" or int(row[2].replace(",", "")) >= 5 for row in groups["rows"])
    for r in c["results"]:  # the simulate JSON's audit rides along in report.json
        assert {a["attribute"] for a in r["fairness"]} == {"age", "gender", "credit_band", "financial_distress",
                                                           "health_interest"}
    assert "four-fifths" in json.dumps(c["charts"]["fairness"])
    html_text = (saved.dir / "report.html").read_text(encoding="utf-8")
    assert "Who is targeted: fairness and proxy discrimination" in html_text and "chart-fairness" in html_text
    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(saved.dir / "report.pdf").pages))
    assert "Who is targeted" in pdf_text and "four-fifths" in pdf_text


def test_class_size_table_suppresses_small_cells(saved):
    c = load_report(saved.dir)
    risks = next(s for s in c["sections"] if s["id"] == "risks")
    tables = [b for b in risks["blocks"] if b["type"] == "table" and b["columns"][0].startswith("Group size")]
    assert tables
    for t in tables:
        for _, groups, customers in t["rows"]:
            assert customers == "<5" or int(customers.replace(",", "")) >= 5
            if customers == "<5":
                assert groups == "<5"


# ---- registry, reviews, verify -----------------------------------------------------------------------------
def test_saving_twice_into_one_dir_fails_and_registry_is_append_only(saved):
    reg = saved.registry
    before = reg.read_text()
    with pytest.raises(FileExistsError, match="never overwritten"):
        save_report(load_report(saved.dir), saved.dir)
    assert reg.read_text() == before
    listed = list_reports(saved.dir.parent)
    assert [r["report_id"] for r in listed] == [saved.report_id] and listed[0]["exists"]


def test_verify_passes_on_a_fresh_report(saved, demo_db):
    r = verify_report(saved.dir, demo_db)
    assert r.ok, r.problems
    assert r.reran and any("reproduce" in c for c in r.checks)


def test_report_names_its_data_without_a_server_path(saved, demo_db, tmp_path):
    """report.json records the dataset by name and fingerprint; verify finds the database by them (or --db)."""
    text = (saved.dir / "report.json").read_text(encoding="utf-8")
    assert str(demo_db.parent) not in text and str(saved.dir.parent) not in text
    assert not re.search(r'"/(tmp|root|home|work)/', text)  # no absolute path at all
    c = load_report(saved.dir)
    assert c["dataset"]["database"] == demo_db.name and c["dataset"]["fingerprint"] == c["reproduce"]["data_fingerprint"]
    assert c["dataset"]["name"] and c["dataset"]["customers"] > 0
    # moved elsewhere: not found, and the message says what to pass
    moved = tmp_path / "reports"
    shutil.copytree(saved.dir.parent, moved)
    r = verify_report(moved / saved.dir.name)
    assert not r.ok and any("was not found; pass --db" in p for p in r.problems), r.problems
    # the database beside the reports folder is found by its name and fingerprint
    shutil.copy(demo_db, tmp_path / demo_db.name)
    key = demo_db.with_name(demo_db.name + ".key")
    if key.exists():
        shutil.copy(key, tmp_path / key.name)
    r = verify_report(moved / saved.dir.name)
    assert r.ok, r.problems
    assert any("found by its name and fingerprint" in c for c in r.checks)


@pytest.mark.parametrize("name", [*FILES, "manifest.json"])
def test_verify_fails_on_one_altered_byte(copy, name):
    _flip_byte(copy / name)
    r = verify_report(copy, rerun=False)
    assert not r.ok
    assert any(name in p or (name == "manifest.json" and "manifest" in p) for p in r.problems), r.problems


def test_verify_fails_on_a_changed_dataset(saved, demo_db, tmp_path):
    from analysis import Store, generate, load_dictionary

    db = tmp_path / "changed.duckdb"
    shutil.copy(demo_db, db)
    key = demo_db.with_name(demo_db.name + ".key")
    if key.exists():
        shutil.copy(key, db.with_name(db.name + ".key"))
    files = generate(200, seed=99, out_dir=tmp_path / "gen")
    dictionary, data = next((d, p) for d, p in files.data_files() if "campaign" in d.name)
    Store(db).ingest(load_dictionary(dictionary), [data])
    r = verify_report(saved.dir, db)
    assert not r.ok and any("dataset changed" in p for p in r.problems)


def test_verify_fails_when_a_figure_no_longer_reproduces(copy, demo_db):
    """Edit report.json *and* its manifest hash consistently: only the re-run can catch it."""
    import hashlib

    content = load_report(copy)
    name = content["recommended"]
    content["headline"][name]["net_value"] += 1000.0
    data = (json.dumps(content, ensure_ascii=False, indent=1) + "\n").encode()
    (copy / "report.json").write_bytes(data)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["report.json"]["sha256"] = hashlib.sha256(data).hexdigest()
    # the executive summary quotes the figure: a careful forger re-renders report.html too
    page = render_html(content).encode("utf-8")
    (copy / "report.html").write_bytes(page)
    manifest["files"]["report.html"]["sha256"] = hashlib.sha256(page).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    (copy.parent / "registry.jsonl").unlink()  # a forger without the registry
    r = verify_report(copy, demo_db)
    assert not r.ok and any("net_value" in p and name in p for p in r.problems), r.problems


def test_review_chain_detects_an_edited_line(copy):
    record_review(copy, "changes_requested", "Board member A", "Explain the ε choice")
    record_review(copy, "approved", "Board member B", "OK <now>")
    assert review_status(copy) == "approved" and check_review_chain(copy) == []
    assert verify_report(copy, rerun=False).ok
    log = copy / "reviews.jsonl"
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0].replace("Explain", "Ignore"), lines[1]]) + "\n")
    problems = check_review_chain(copy)
    assert problems and "entry 1 (" in problems[0] and "was edited" in problems[0]
    assert not verify_report(copy, rerun=False).ok


def test_review_chain_detects_a_removed_line_and_a_cut_log(copy):
    for who in ("A", "B", "C"):
        record_review(copy, "approved", who)
    log = copy / "reviews.jsonl"
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert any("does not chain" in p for p in check_review_chain(copy))
    log.write_text("\n".join(lines[:2]) + "\n")  # the last line cut: the chain holds, the registry does not
    assert check_review_chain(copy) == []
    r = verify_report(copy, rerun=False)
    assert not r.ok and any("cut" in p for p in r.problems)
    assert len(read_reviews(copy)) == 2


def test_review_arguments_are_checked(copy):
    with pytest.raises(ValueError, match="'decision' parameter"):
        record_review(copy, "maybe", "A")
    with pytest.raises(ValueError, match="'reviewer' parameter"):
        record_review(copy, "approved", "  ")


def test_the_code_fingerprint_covers_the_whole_analysis_package(monkeypatch):
    """A report built by other modelling code must not verify as reproducible: the fingerprint reads every
    source file of ``analysis`` (it used to read only ``analysis/report``)."""
    from pathlib import Path

    from analysis.report.content import code_fingerprint

    read: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or original(self))
    code_fingerprint()
    package = Path(__file__).resolve().parents[1] / "analysis"
    assert {p.resolve() for p in read} == set(package.rglob("*.py"))
