"""report.pdf: a pure function of the report content, drawn with fpdf2 (pure Python).

Unicode text needs a TrueType font: Debian's DejaVu Sans (package ``fonts-dejavu-core``) is used when present;
otherwise the built-in Helvetica with a transliteration of the few non-Latin-1 characters the report uses.
Charts are static PNGs from :func:`analysis.charts.to_png` (kaleido + Chromium); when that fails the chart's
data table is printed instead, with a note saying so.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

import polars as pl

from analysis.report.summary import LONG_TOKEN, cell_text, executive_summary, kv_value
from analysis.usertext import plain

__all__ = ["render_pdf", "FONT_DIR", "column_widths"]

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

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            #: how full each page was left (0–1 of the printable height), for the layout tests
            self.fills: list[float] = []

        def add_page(self, *args, **kwargs):
            if self.page:
                self.fills.append(self.filled())
            super().add_page(*args, **kwargs)

        def filled(self) -> float:
            return (self.get_y() - self.t_margin) / (self.h - self.t_margin - self.b_margin)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(self.body_font, "", 7)
            self.set_text_color(110)
            self.cell(0, 5, self.clean(f"{self.footer_text} · page {self.page_no()}/{{nb}}"), align="C")
            self.set_text_color(0)

    return ReportPDF


def render_pdf(content: dict, *, reviews: Sequence[dict] | None = None, charts: bool = True) -> bytes:
    """The report as a paginated, printable PDF (bytes), rebuilt from the content alone.

    Page 1 carries the executive summary (the pick, why, how sure, what it costs); sections follow one another
    and start a new page only when little room is left on the current one.

    Parameters
    ----------
    content : dict
        The report content (``report.json``).
    reviews : sequence of dict, optional
        The review log printed in the sign-off section.
    charts : bool, default True
        Draw charts as PNG (kaleido); False prints each chart's data table (fast, no browser needed).
    """
    return bytes(_render(content, reviews=reviews, charts=charts).output())


def _render(content: dict, *, reviews: Sequence[dict] | None = None, charts: bool = True):
    """The laid-out fpdf2 document (its ``fills`` say how full each page was left)."""
    pdf = _pdf_class()(format="A4")
    unicode = all((FONT_DIR / f).exists() for f in _FONTS.values())
    if unicode:
        for style, file in _FONTS.items():
            pdf.add_font("DejaVu", style, str(FONT_DIR / file))
        pdf.body_font = "DejaVu"
        pdf.clean = lambda s: plain(s, newlines=True)  # a right-to-left override in a name is shown, not obeyed
    else:
        pdf.body_font = "helvetica"
        pdf.clean = lambda s: _transliterate(plain(s, newlines=True))
    created = content.get("created")
    try:
        pdf.set_creation_date(datetime.fromisoformat(created))
    except (TypeError, ValueError):
        pass
    title = str(content.get("title") or "PrivacyLift report")
    pdf.set_title(pdf.clean(title))
    pdf.set_author(pdf.clean(content.get("author") or "PrivacyLift"))
    pdf.set_creator("PrivacyLift (fpdf2)")
    # the PDF is bound to its report.json: verify finds a PDF taken from another report (report.verify)
    from analysis.report.registry import report_json_bytes

    pdf.set_keywords(f"privacylift-report-json-sha256 {hashlib.sha256(report_json_bytes(content)).hexdigest()}")
    pdf.footer_text = f"{title[:80]} · report {str(content.get('id', ''))[:16]}"
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    f = pdf.body_font
    pdf.set_font(f, "B", 18)
    pdf.multi_cell(0, 8, pdf.clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(f, "", 8)
    pdf.set_text_color(90)
    fingerprint = str((content.get("reproduce") or {}).get("data_fingerprint", ""))[:16]
    pdf.multi_cell(0, 4, pdf.clean(f"Report {str(content.get('id', ''))[:16]} · created {created} UTC · dataset "
                                   f"{fingerprint} · {content.get('format', '')}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(3)
    _summary(pdf, content)
    with _chart_server(charts and bool(content.get("charts"))):
        _sections(pdf, content, reviews, charts)
    pdf.fills.append(pdf.filled())
    return pdf


def _summary(pdf, content: dict) -> None:
    """The executive summary, framed, on page 1."""
    summary = executive_summary(content)
    if summary is None:
        return
    top = pdf.get_y()
    pdf.set_font(pdf.body_font, "B", 13)
    pdf.set_x(pdf.l_margin + 3)
    pdf.multi_cell(pdf.epw - 6, 7, pdf.clean("Executive summary"), new_x="LMARGIN", new_y="NEXT")
    for heading, text in summary["lines"]:
        pdf.set_x(pdf.l_margin + 3)
        pdf.set_font(pdf.body_font, "B", 9.5)
        pdf.multi_cell(pdf.epw - 6, 5, pdf.clean(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(pdf.l_margin + 3)
        pdf.set_font(pdf.body_font, "B" if heading == "The pick" else "", 11 if heading == "The pick" else 9)
        pdf.multi_cell(pdf.epw - 6, 5 if heading == "The pick" else 4.6, pdf.clean(text), new_x="LMARGIN",
                       new_y="NEXT", align="L")
        pdf.ln(1.2)
    pdf.set_draw_color(0, 114, 178)
    pdf.set_line_width(0.6)
    pdf.rect(pdf.l_margin, top - 1, pdf.epw, pdf.get_y() - top + 2)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    pdf.ln(5)


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


#: a section starts on a new page only when less than this is left on the current one (mm)
SECTION_ROOM = 60


def _sections(pdf, content: dict, reviews: Sequence[dict] | None, charts: bool) -> None:
    f = pdf.body_font
    for i, s in enumerate(content.get("sections", []), start=1):
        heading = f"{s.get('number', i)}. {s.get('heading', '')}"
        if pdf.will_page_break(SECTION_ROOM):
            pdf.add_page()
        else:
            pdf.ln(4)
        pdf.set_font(f, "B", 14)
        pdf.start_section(pdf.clean(heading))
        pdf.multi_cell(0, 8, pdf.clean(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        for block in s.get("blocks", []):
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
    columns = [pdf.clean(c) for c in columns]
    rows = [[pdf.clean(cell_text(c)) for c in r] + [""] * (len(columns) - len(r)) for r in rows]
    n = len(columns)
    size = 7.5 if n <= 5 else 6.5 if n <= 7 else 5.8
    widths, size = column_widths(pdf, columns, rows, size)
    pdf.set_font(pdf.body_font, "", size)
    # words are never broken (every column is at least as wide as its longest word); only tokens longer than
    # LONG_TOKEN characters (hashes, paths) may wrap inside
    with pdf.table(line_height=size * 0.5, text_align="LEFT", wrapmode="WORD", padding=_PADDING,
                   col_widths=widths, width=min(sum(widths), pdf.epw)) as t:
        head = t.row()
        for c in columns:
            head.cell(c)
        for r in rows:
            row = t.row()
            for c in r[:n]:
                row.cell(c)
    pdf.ln(2)


_PADDING = 0.8


def column_widths(pdf, columns: Sequence[str], rows: Sequence[Sequence[str]], size: float,
                  smallest: float = 5.0) -> tuple[list[float], float]:
    """Column widths (mm, summing to the page width) and the font size that let every word of every cell — and
    of the bold header — fit its column on one line, so no word is broken ("Valu e"). The font shrinks, down to
    ``smallest``, until the longest words fit side by side; the room left goes to the columns with the longest
    text. A token longer than :data:`LONG_TOKEN` characters counts as that many characters: it may wrap."""
    pad = 2 * _PADDING + 1.2

    def widest_word(text: str, style: str) -> float:
        pdf.set_font(pdf.body_font, style, size)
        words = [w[:LONG_TOKEN] for w in str(text).split()] or [""]
        return max(pdf.get_string_width(w) for w in words)

    while True:
        least = [max([widest_word(columns[i], "B")] + [widest_word(r[i], "") for r in rows]) + pad
                 for i in range(len(columns))]
        if sum(least) <= pdf.epw or size <= smallest:
            break
        size = round(size - 0.3, 2)
    pdf.set_font(pdf.body_font, "", size)
    natural = [max([pdf.get_string_width(str(columns[i])) * 1.1] + [pdf.get_string_width(str(r[i])) for r in rows])
               + pad for i in range(len(columns))]
    room = pdf.epw - sum(least)
    wants = [max(0.0, n - m) for n, m in zip(natural, least)]
    if room <= 0 or sum(wants) == 0:
        scale = pdf.epw / sum(least)
        return [w * scale for w in least], size
    share = min(1.0, room / sum(wants))
    widths = [m + w * share for m, w in zip(least, wants)]
    left = pdf.epw - sum(widths)  # all text fits on one line: spread what is left evenly
    return [w + left / len(widths) - 1e-6 for w in widths], size


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
            # drawn at the figure's own height: its labels are placed for it (analysis.charts.labels)
            tall = int(fig.layout.height or 480)
            png = to_png(fig, width=900, height=tall, scale=1.5)
            full = min(pdf.epw * tall / 900, pdf.h - pdf.t_margin - pdf.b_margin - 12)
            room = pdf.h - pdf.b_margin - pdf.get_y() - 8
            if room < 0.7 * full:
                pdf.add_page()
                room = full
            height = min(full, room)
            pdf.image(io.BytesIO(png), h=height, w=height * 900 / tall,
                      x=pdf.l_margin + (pdf.epw - height * 900 / tall) / 2)
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

    kind = block.get("type") if isinstance(block, dict) else None
    if kind == "text":
        _text(pdf, block["text"])
        pdf.ln(1.5)
    elif kind == "subheading":
        pdf.ln(1)
        _text(pdf, block["text"], size=10.5, style="B", height=6)
    elif kind == "list":
        for item in block.get("items", []):
            _text(pdf, f"• {item}" if pdf.body_font == "DejaVu" else f"- {item}", size=8.5)
        pdf.ln(1.5)
    elif kind == "kv":
        _table(pdf, ["Item", "Value"], [[k, kv_value(k, v)] for k, v in block["pairs"]])
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
    elif isinstance(block, dict):  # a block of a type this renderer does not know (newer content): by its shape
        if "columns" in block and "rows" in block:
            _table(pdf, block["columns"], block["rows"], block.get("caption", ""))
        elif "pairs" in block:
            _table(pdf, ["Item", "Value"], [[k, kv_value(k, v)] for k, v in block["pairs"]])
        else:
            if block.get("text"):
                _text(pdf, str(block["text"]))
            for item in block.get("items", []) if isinstance(block.get("items"), list) else []:
                _text(pdf, f"- {item}", size=8.5)
