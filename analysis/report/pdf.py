"""report.pdf: a pure function of the report content, drawn with fpdf2 (pure Python).

Unicode text needs a TrueType font: Debian's DejaVu Sans (package ``fonts-dejavu-core``) is used when present;
otherwise the built-in Helvetica with a transliteration of the few non-Latin-1 characters the report uses.
Charts are static PNGs from :func:`analysis.charts.to_png` (kaleido + Chromium); when that fails the chart's
data table is printed instead, with a note saying so.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

import polars as pl

__all__ = ["render_pdf", "FONT_DIR"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
          "BI": "DejaVuSans-BoldOblique.ttf"}
_TRANSLIT = {"—": "-", "–": "-", "−": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "ε": "eps",
             "δ": "delta", "β": "beta", "α": "alpha", "Σ": "sum", "≤": "<=", "≥": ">=", "→": "->", "≈": "~",
             "√": "sqrt", "π": "pi", "γ": "gamma", "μ": "mu", "σ": "sigma", "·": "*"}
#: rows of a chart's data table printed when the chart cannot be drawn
MAX_FALLBACK_ROWS = 30


def _pdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        footer_text = ""

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(self.body_font, "", 7)
            self.set_text_color(110)
            self.cell(0, 5, self.clean(f"{self.footer_text} · page {self.page_no()}/{{nb}}"), align="C")
            self.set_text_color(0)

    return ReportPDF


def render_pdf(content: dict, *, reviews: Sequence[dict] | None = None, charts: bool = True) -> bytes:
    """The report as a paginated, printable PDF (bytes), rebuilt from the content alone.

    Parameters
    ----------
    content : dict
        The report content (``report.json``).
    reviews : sequence of dict, optional
        The review log printed in the sign-off section.
    charts : bool, default True
        Draw charts as PNG (kaleido); False prints each chart's data table (fast, no browser needed).
    """
    pdf = _pdf_class()(format="A4")
    unicode = all((FONT_DIR / f).exists() for f in _FONTS.values())
    if unicode:
        for style, file in _FONTS.items():
            pdf.add_font("DejaVu", style, str(FONT_DIR / file))
        pdf.body_font = "DejaVu"
        pdf.clean = lambda s: str(s)
    else:
        pdf.body_font = "helvetica"
        pdf.clean = _transliterate
    pdf.set_creation_date(datetime.fromisoformat(content["created"]))
    pdf.set_title(pdf.clean(content["title"]))
    pdf.set_author(pdf.clean(content.get("author") or "PrivacyLift"))
    pdf.set_creator("PrivacyLift (fpdf2)")
    pdf.footer_text = f"{content['title'][:80]} · report {content['id'][:16]}"
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    f = pdf.body_font
    pdf.set_font(f, "B", 18)
    pdf.multi_cell(0, 8, pdf.clean(content["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(f, "", 8)
    pdf.set_text_color(90)
    pdf.multi_cell(0, 4, pdf.clean(f"Report {content['id'][:16]} · created {content['created']} UTC · dataset "
                                   f"{content['reproduce']['data_fingerprint'][:16]} · {content['format']}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(3)
    with _chart_server(charts and bool(content.get("charts"))):
        _sections(pdf, content, reviews, charts)
    return bytes(pdf.output())


@contextlib.contextmanager
def _chart_server(wanted: bool):
    """Keep one kaleido browser for all charts (~0.2 s a chart instead of ~1.8 s); harmless when it fails."""
    started = False
    if wanted:
        try:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            started = True
        except Exception:  # noqa: BLE001 - no server: to_png starts a browser per chart, or fails per chart
            started = False
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            yield
    finally:
        if started:
            import kaleido

            try:
                kaleido.stop_sync_server(silence_warnings=True)
            except Exception:  # noqa: BLE001
                pass


def _sections(pdf, content: dict, reviews: Sequence[dict] | None, charts: bool) -> None:
    f = pdf.body_font
    for s in content["sections"]:
        if s["number"] > 1:
            pdf.add_page()
        pdf.set_font(f, "B", 14)
        pdf.start_section(pdf.clean(f"{s['number']}. {s['heading']}"))
        pdf.multi_cell(0, 8, pdf.clean(f"{s['number']}. {s['heading']}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        for block in s["blocks"]:
            _block(pdf, block, content, reviews, charts)


def _transliterate(s: Any) -> str:
    s = str(s)
    for a, b in _TRANSLIT.items():
        s = s.replace(a, b)
    return s.encode("latin-1", "replace").decode("latin-1")


def _text(pdf, s: str, *, size: float = 9, style: str = "", height: float = 4.6) -> None:
    pdf.set_font(pdf.body_font, style, size)
    pdf.multi_cell(0, height, pdf.clean(s), new_x="LMARGIN", new_y="NEXT")


def _table(pdf, columns: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> None:
    if caption:
        _text(pdf, caption, size=9, style="B")
    if not rows:
        _text(pdf, "None.", size=8)
        pdf.ln(2)
        return
    n = len(columns)
    size = 7.5 if n <= 5 else 6.5 if n <= 7 else 5.8
    pdf.set_font(pdf.body_font, "", size)
    with pdf.table(line_height=size * 0.5, text_align="LEFT", wrapmode="CHAR" if n > 6 else "WORD",
                   padding=0.8) as t:
        head = t.row()
        for c in columns:
            head.cell(pdf.clean(c))
        for r in rows:
            row = t.row()
            for c in r:
                row.cell(pdf.clean(c))
    pdf.ln(2)


def _chart(pdf, block: dict, content: dict, draw: bool) -> None:
    import plotly.io as pio

    from analysis.charts import chart_data, to_png

    spec = content.get("charts", {}).get(block["id"])
    if spec is None:
        _text(pdf, f"Chart {block['id']}: no data.", size=8, style="I")
        return
    fig = pio.from_json(json.dumps(spec))
    reason = "charts were not drawn for this PDF"
    if draw:
        try:
            png = to_png(fig, width=900, height=480, scale=1.5)
            if pdf.will_page_break(98):
                pdf.add_page()
            pdf.image(io.BytesIO(png), w=pdf.epw)
            if block.get("caption"):
                _text(pdf, block["caption"], size=7.5, style="I")
            pdf.ln(2)
            return
        except RuntimeError as error:
            reason = f"the chart could not be drawn ({str(error)[:160]})"
    data = chart_data(fig)
    title = (fig.layout.title.text or block["id"]) if fig.layout.title else block["id"]
    _text(pdf, f"{title} — {reason}; its data instead:", size=8, style="I")
    if data.height > MAX_FALLBACK_ROWS:  # evenly spaced rows, first and last kept
        step = max(1, data.height // MAX_FALLBACK_ROWS)
        data = data.with_row_index("i").filter((pl.col("i") % step == 0) | (pl.col("i") == data.height - 1)).drop("i")
    labelled = "label" in data.columns and data["label"].null_count() < data.height
    rows = [[str(r["trace"]), *([_short(r["label"])] if labelled else []), _short(r["x"]), _short(r["y"])]
            for r in data.iter_rows(named=True)]
    _table(pdf, ["Series", *(["Point"] if labelled else []), "x", "y"], rows)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}"
    return "" if v is None else str(v)


def _block(pdf, block: dict, content: dict, reviews: Sequence[dict] | None, draw: bool) -> None:
    from analysis.report.html import REVIEW_COLUMNS, review_rows

    kind = block["type"]
    if kind == "text":
        _text(pdf, block["text"])
        pdf.ln(1.5)
    elif kind == "subheading":
        pdf.ln(1)
        _text(pdf, block["text"], size=10.5, style="B", height=6)
    elif kind == "list":
        for item in block["items"]:
            _text(pdf, f"• {item}" if pdf.body_font == "DejaVu" else f"- {item}", size=8.5)
        pdf.ln(1.5)
    elif kind == "kv":
        _table(pdf, ["Item", "Value"], block["pairs"])
    elif kind == "table":
        _table(pdf, block["columns"], block["rows"], block.get("caption", ""))
    elif kind == "chart":
        _chart(pdf, block, content, draw)
    elif kind == "review_log":
        _text(pdf, "Review log", size=10.5, style="B", height=6)
        if reviews:
            _table(pdf, REVIEW_COLUMNS, review_rows(reviews))
        else:
            _text(pdf, "No review recorded yet when this PDF was rendered.", size=8.5)
