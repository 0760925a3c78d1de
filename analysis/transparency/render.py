"""A :class:`~analysis.transparency.model.Notice` as Markdown, HTML and JSON — all three from one list of
sections, so they always say the same thing. User text (dictionary words, scenario names, the contact) is
escaped for each format."""

from __future__ import annotations

import html
import re
from typing import Any

from analysis import formatting
from analysis.consent.purposes import DURATION_DPV, SUBJECTS_DPV
from analysis.transparency.model import Notice
from analysis.transparency.words import CATEGORY_WORDS, join_words

__all__ = ["sections", "title", "footer", "to_markdown", "to_html", "to_json", "FORMAT"]

FORMAT = "privacylift-notice/1"
#: characters that would start Markdown emphasis, links, HTML or tables inside a line of user text
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$#])")


def title(n: Notice) -> str:
    who = n.business.strip()
    return "How we use your data" if who.lower() == "we" else f"How {who} uses your data"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def sections(n: Notice) -> list[tuple[str, list[str], list[str]]]:
    """``(heading, paragraphs, items)`` in reading order (the footer is separate: :func:`footer`)."""
    out = [("About this notice", ["This notice says what data we keep about you, why we use it, how long we keep "
                                  "it, and what you can do about it."], [])]
    out.append(("What we collect", ["We keep these kinds of data about you."],
                [f"{d.title}." if d.words == CATEGORY_WORDS.get(d.category) else f"{d.title}: {d.words}."
                 for d in n.collected]))
    why = []
    for p in n.purposes:
        text = f"{p.title}: we use your data {p.words}. {p.basis_words}"
        why.append(" ".join([text, *p.details]))
    out.append(("Why we use it", [], why))
    limited: dict[int, list[str]] = {}
    for d in n.collected:
        if d.retention_days is not None:
            limited.setdefault(d.retention_days, []).append(d.title[:1].lower() + d.title[1:])
    kept = [f"We keep {join_words(limited[days])} for {days} days. Then we delete it." for days in sorted(limited)]
    # "as long as you are a customer": for everything only when the scenario keeps everything
    kept.append("We keep the rest of your data as long as you are a customer." if limited
                else "We keep your data as long as you are a customer.")
    out.append(("How long we keep it", [], kept))
    out.append(("Who sees it", [], [s.words for s in n.safeguards]))
    if n.never:
        out.append(("What we never do", [], list(n.never)))
    out.append(("Your choices", ["You can do these things at any time. It is free."],
                [f"{c.words} {c.how}" for c in n.choices]))
    return out


def footer(n: Notice) -> str:
    """For the business, not the customer: which scenario and data the notice describes, and its reading ease."""
    parts = [f"Notice of the scenario “{n.scenario}” (fingerprint {n.fingerprint}, data {n.data_fingerprint[:16]})."]
    if n.readability is not None:
        r = n.readability
        parts.append(f"Flesch reading ease {formatting.number(r.flesch_reading_ease)} "
                     f"({'meets' if r.plain else 'below'} the plain-English target of {r.target:g}; {r.library}).")
    return " ".join(parts)


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(n: Notice) -> str:
    lines = [f"# {_md(title(n))}", ""]
    for heading, paragraphs, items in sections(n):
        lines += [f"## {_md(heading)}", ""]
        for p in paragraphs:
            lines += [_md(p), ""]
        if items:
            lines += [f"- {_md(i)}" for i in items] + [""]
    lines += ["---", "", f"*{_md(footer(n))}*", ""]
    return "\n".join(lines)


_CSS = ("body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
        "color:#1a1a1a}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:1.6rem}footer{margin-top:2rem;"
        "font-size:.85rem;color:#555;border-top:1px solid #ddd;padding-top:.6rem}")


def to_html(n: Notice, *, standalone: bool = True) -> str:
    """The notice as HTML (a standalone document, or a fragment to embed with ``standalone=False``)."""
    e = html.escape
    body = [f"<h1>{e(title(n))}</h1>"]
    for heading, paragraphs, items in sections(n):
        body.append(f"<section><h2>{e(heading)}</h2>")
        body += [f"<p>{e(p)}</p>" for p in paragraphs]
        if items:
            body.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
        body.append("</section>")
    body.append(f"<footer>{e(footer(n))}</footer>")
    inner = "\n".join(body)
    if not standalone:
        return f'<article class="privacylift-notice" lang="en">\n{inner}\n</article>'
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title(n))}</title>'
            f"<style>{_CSS}</style></head><body>\n{inner}\n</body></html>\n")


def to_json(n: Notice) -> dict[str, Any]:
    """Machine-readable: W3C DPV names for purposes, legal bases, data categories, measures and rights."""
    return {
        "format": FORMAT,
        "language": "en",
        "scenario": n.scenario,
        "scenario_fingerprint": n.fingerprint,
        "data_fingerprint": n.data_fingerprint,
        "title": title(n),
        "contact": n.contact,
        "data_subjects": [SUBJECTS_DPV],
        "data_categories": [{"category": d.category, "source": d.source, "dpv": d.dpv, "title": d.title,
                             "words": d.words, "storage": {"dpv": DURATION_DPV, "days": d.retention_days,
                                                           "iso8601": None if d.retention_days is None
                                                           else f"P{d.retention_days}D",
                                                           "until": "end of the customer relationship"
                                                           if d.retention_days is None else None}}
                            for d in n.collected],
        "purposes": [{"id": p.id, "dpv": p.dpv, "title": p.title, "words": p.words, "main": p.main,
                      "legal_basis": {"id": p.legal_basis, "dpv": p.basis_dpv, "article": p.basis_article},
                      "data_categories": [next(d.dpv for d in n.collected if d.category == c) for c in p.categories],
                      "details": list(p.details)} for p in n.purposes],
        "technical_measures": [{"id": s.id, "dpv": s.dpv, "words": s.words} for s in n.safeguards],
        "never": list(n.never),
        "rights": [{"id": c.id, "dpv": c.dpv, "article": c.article, "applies_to": list(c.applies_to),
                    "words": c.words, "how": c.how} for c in n.choices],
        "readability": None if n.readability is None else {
            "flesch_reading_ease": n.readability.flesch_reading_ease, "words": n.readability.words,
            "sentences": n.readability.sentences, "target": n.readability.target, "plain": n.readability.plain,
            "library": n.readability.library},
    }
