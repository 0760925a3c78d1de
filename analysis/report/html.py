"""report.html: a pure function of the report content (plus, optionally, the review log).

Self-contained and offline: plotly.js is inlined once (gzip + base64, unpacked by the browser's
``DecompressionStream``: ~2.0 MB instead of 4.8 MB), each chart's plotly JSON sits in a
``<script type="application/json">`` with every ``<``, ``>`` and ``&`` written as a JSON ``\\u`` escape, so no
text inside it can close the script. Every other text goes through :func:`html.escape`.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
from typing import Any, Sequence

from analysis.usertext import plain
from analysis.report.summary import LONG_TOKEN, cell_text, executive_summary, kv_value

__all__ = ["render_html", "embed_json"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1b1b1b;
line-height:1.45;background:#fff}
main{max-width:1100px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:1.7em;margin:.2em 0}h2{border-bottom:2px solid #0072B2;padding-bottom:4px;margin-top:2em}
h3{margin:1.4em 0 .4em;font-size:1.05em}
.table{overflow-x:auto;margin:.6em 0 1.2em}
table{border-collapse:collapse;font-size:.86em;width:100%}
caption{text-align:left;font-weight:600;padding:4px 0;caption-side:top}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:normal;
word-break:normal;hyphens:manual}
th{background:#f2f5f8}
td.long,dd.long{overflow-wrap:anywhere}
dl.kv{display:grid;grid-template-columns:minmax(160px,30%) minmax(0,1fr);gap:2px 12px;margin:.6em 0 1.2em}
dl.kv dt{font-weight:600}dl.kv dd{margin:0}
.summary{border:2px solid #0072B2;border-radius:6px;padding:8px 18px 4px;margin:1em 0 1.6em;background:#f5f9fc}
.summary h2{border:0;margin:.3em 0 .4em}.summary dl.kv{grid-template-columns:minmax(120px,20%) minmax(0,1fr)}
.meta{color:#555;font-size:.9em}.chart{width:100%;min-height:420px}.caption{color:#555;font-size:.88em}
nav ol{columns:2}.nojs{color:#a00}
@media print{.chart{break-inside:avoid}h2{break-after:avoid}}
"""

_LOADER = """<script>
(function(){
  function draw(){
    document.querySelectorAll('script[data-chart]').forEach(function(el){
      var fig=JSON.parse(el.textContent);var div=document.getElementById(el.getAttribute('data-chart'));
      Plotly.newPlot(div,fig.data||[],fig.layout||{},{responsive:true,displaylogo:false});
    });
  }
  var packed=document.getElementById('plotly-js-gzip');
  if(!packed){draw();return;}
  if(typeof DecompressionStream==='undefined'){
    document.querySelectorAll('.chart').forEach(function(d){d.textContent='This browser cannot unpack the '+
      'charts (it needs DecompressionStream); the figures are in the tables and in report.json.';});return;}
  var raw=atob(packed.textContent.trim());var bytes=new Uint8Array(raw.length);
  for(var i=0;i<raw.length;i++){bytes[i]=raw.charCodeAt(i);}
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(function(js){
    var s=document.createElement('script');s.textContent=js;document.head.appendChild(s);draw();});
})();
</script>"""


@functools.lru_cache(maxsize=2)
def _plotly_js(compress: bool) -> str:
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs()
    if not compress:
        return "<script>" + js.replace("</script", "<\\/script") + "</script>"
    packed = base64.b64encode(gzip.compress(js.encode("utf-8"), 9, mtime=0)).decode("ascii")
    return f'<script id="plotly-js-gzip" type="application/octet-stream">{packed}</script>'


def embed_json(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` become ``\\u003c`` … (valid JSON escapes),
    so neither ``</script>`` nor ``<!--`` can appear in it."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _e(value: Any) -> str:
    """Escaped for HTML, with control and bidi characters (a right-to-left override in a name) shown as escapes."""
    return html.escape(plain(value, newlines=True), quote=True)


def _long(text: str) -> str:
    """The class of a cell holding a token too long to keep whole (a hash, a path): it may break anywhere."""
    return ' class="long"' if any(len(w) > LONG_TOKEN for w in text.split()) else ""


def _td(value) -> str:
    text = cell_text(value)
    return f"<td{_long(text)}>{_e(text)}</td>"


def _table(block: dict) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in block["columns"])
    body = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in block["rows"])
    caption = f"<caption>{_e(block['caption'])}</caption>" if block.get("caption") else ""
    if not block["rows"]:
        body = f'<tr><td colspan="{len(block["columns"])}">None.</td></tr>'
    return f'<div class="table"><table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _kv(pairs) -> str:
    items = []
    for k, v in pairs:
        text = kv_value(k, v)
        items.append(f"<dt>{_e(k)}</dt><dd{_long(text)}>{_e(text)}</dd>")
    return '<dl class="kv">' + "".join(items) + "</dl>"


def _summary(content: dict) -> str:
    summary = executive_summary(content)
    if summary is None:
        return ""
    return ('<section id="summary" class="summary"><h2>Executive summary</h2>' + _kv(summary["lines"])
            + "</section>")


def review_rows(reviews: Sequence[dict]) -> list[list[str]]:
    return [[r.get("time", ""), r.get("reviewer", ""), r.get("decision", "").replace("_", " "), r.get("comment", ""),
             str(r.get("hash", ""))[:16]] for r in reviews]


REVIEW_COLUMNS = ["When (UTC)", "Reviewer", "Decision", "Comment", "Entry hash"]


def _block(block: dict, content: dict, reviews: Sequence[dict] | None) -> str:
    kind = block.get("type") if isinstance(block, dict) else None
    if kind == "text":
        return f"<p>{_e(block['text'])}</p>"
    if kind == "subheading":
        return f"<h3>{_e(block['text'])}</h3>"
    if kind == "list":
        return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block.get("items", [])) + "</ul>"
    if kind == "kv":
        return _kv(block["pairs"])
    if kind == "table":
        return _table(block)
    if kind == "chart":
        fig = content.get("charts", {}).get(block["id"])
        if fig is None:
            return f'<p class="caption">Chart {_e(block["id"])}: no data.</p>'
        div = f"chart-{_e(block['id'])}"
        return (f'<figure><div class="chart" id="{div}"><noscript class="nojs">Charts need JavaScript.</noscript>'
                f'</div><script type="application/json" data-chart="{div}">{embed_json(fig)}</script>'
                f'<figcaption class="caption">{_e(block.get("caption", ""))}</figcaption></figure>')
    if kind == "review_log":
        if not reviews:
            return "<h3>Review log</h3><p>No review recorded yet (this page shows the log as it was when rendered).</p>"
        return "<h3>Review log</h3>" + _table({"columns": REVIEW_COLUMNS, "rows": review_rows(reviews),
                                                "caption": "Decisions recorded (append-only, hash-chained)"})
    return _unknown(block)


def _unknown(block: Any) -> str:
    """A block of a type this renderer does not know (newer content): drawn by its shape, never as raw JSON."""
    if not isinstance(block, dict):
        return f"<p>{_e(block)}</p>"
    if "columns" in block and "rows" in block:
        return _table(block)
    if "pairs" in block:
        return _kv(block["pairs"])
    parts = [f"<p>{_e(block['text'])}</p>"] if block.get("text") else []
    if isinstance(block.get("items"), list):
        parts.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block["items"]) + "</ul>")
    return "".join(parts)


def render_html(content: dict, *, reviews: Sequence[dict] | None = None, compress_plotly: bool = True) -> str:
    """The report as one self-contained HTML page (a pure function of its arguments).

    Parameters
    ----------
    content : dict
        The report content (``report.json``).
    reviews : sequence of dict, optional
        The review log to show in the sign-off section (the saved ``report.html`` has none; the Reports page
        re-renders with the log).
    compress_plotly : bool, default True
        Inline plotly.js gzip-compressed (needs a browser with ``DecompressionStream``: Chrome 80, Firefox 113,
        Safari 16.4); False inlines it as is (2.4 × larger).
    """
    sections = [dict(s, id=s.get("id") or f"section-{i}", number=s.get("number", i), heading=s.get("heading", ""))
                for i, s in enumerate(content.get("sections", []), start=1)]
    toc = "".join(f'<li><a href="#{_e(s["id"])}">{_e(s["heading"])}</a></li>' for s in sections)
    title = content.get("title") or "PrivacyLift report"
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Report {_e(str(content.get("id", ""))[:16])} · created {_e(content.get("created", "—"))} '
        f'UTC · dataset {_e(str((content.get("reproduce") or {}).get("data_fingerprint", ""))[:16])} · format '
        f'{_e(content.get("format", "—"))}</p>',
        _summary(content),
        f"<nav><ol>{toc}</ol></nav>",
    ]
    for s in sections:
        parts.append(f'<section id="{_e(s["id"])}"><h2>{_e(s["number"])}. {_e(s["heading"])}</h2>')
        parts.extend(_block(b, content, reviews) for b in s.get("blocks", []))
        parts.append("</section>")
    parts.append("</main>")
    if content.get("charts"):
        parts.append(_plotly_js(compress_plotly))
        parts.append(_LOADER)
    parts.append("</body></html>\n")
    return "\n".join(parts)
