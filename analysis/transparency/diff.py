"""What would change for customers between two scenarios' notices, in their words.

>>> d = notice_diff(notice(preset("Status quo (full data)"), data), notice(preset("Privacy first"), data))  # doctest: +SKIP
>>> d.headline  # doctest: +SKIP
'Moving from “Status quo (full data)” to “Privacy first”, we would stop keeping your credit rating …'
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from analysis.transparency.model import Notice
from analysis.transparency.words import join_words

__all__ = ["Change", "NoticeDiff", "notice_diff"]


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is collect, retention, purpose, safeguard or promise."""

    kind: str
    #: what we would do, to finish "we would …" (collect, retention, purpose) or a whole sentence
    words: str


@dataclass(frozen=True)
class NoticeDiff:
    before: str
    after: str
    changes: tuple[Change, ...]

    @property
    def headline(self) -> str:
        """One sentence: "Moving from A to B, we would …" (or that nothing changes for customers)."""
        doing = [c.words for c in self.changes if c.kind in ("collect", "retention", "purpose")]
        start = f"Moving from “{self.before}” to “{self.after}”"
        if doing:
            return f"{start}, we would {join_words(doing)}."
        if self.changes:
            return f"{start}, we would keep the same data for the same uses; how we protect it changes."
        return f"{start} changes nothing for customers: the notice stays the same."

    def lines(self) -> list[str]:
        """The headline, then each change of safeguards and promises as a sentence."""
        return [self.headline] + [c.words for c in self.changes if c.kind in ("safeguard", "promise")]

    def to_markdown(self) -> str:
        return "\n".join(["## What would change for customers", ""] + [f"- {line}" for line in self.lines()]) + "\n"

    def to_html(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines())
        return f"<section><h2>What would change for customers</h2><ul>{items}</ul></section>"

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "headline": self.headline,
                "changes": [{"kind": c.kind, "words": c.words} for c in self.changes]}


def _lower(title: str) -> str:
    return title[:1].lower() + title[1:]


def notice_diff(before: Notice, after: Notice) -> NoticeDiff:
    """The changes from ``before`` to ``after`` (module docstring)."""
    changes: list[Change] = []
    a = {(d.category, d.source): d for d in before.collected}
    b = {(d.category, d.source): d for d in after.collected}
    gone = [_lower(a[k].title) for k in a if k not in b]
    new = [_lower(b[k].title) for k in b if k not in a]
    if gone:
        changes.append(Change("collect", f"stop keeping {join_words(gone)}"))
    if new:
        changes.append(Change("collect", f"start keeping {join_words(new)}"))
    moves: dict[tuple[int | None, int | None], list[str]] = {}
    for k in a:
        if k in b and a[k].retention_days != b[k].retention_days:
            moves.setdefault((a[k].retention_days, b[k].retention_days), []).append(_lower(b[k].title))
    for (old, now), titles in moves.items():
        what = join_words(titles)
        if now is not None and (old is None or now < old):
            changes.append(Change("retention", f"delete {what} older than {now} days"))
        elif now is None:
            changes.append(Change("retention", f"keep {what} as long as you are a customer, not only {old} days"))
        else:
            changes.append(Change("retention", f"keep {what} for {now} days instead of {old} days"))
    pa = {p.id: p for p in before.purposes}
    pb = {p.id: p for p in after.purposes}
    for pid, p in pb.items():
        if pid not in pa:
            changes.append(Change("purpose", f"start using your data {p.words}"))
        elif pa[pid].legal_basis != p.legal_basis:
            if p.legal_basis == "consent":
                changes.append(Change("purpose", f"only use your data {p.words} if you said yes"))
            else:
                changes.append(Change("purpose", f"use your data {p.words} unless you tell us to stop"))
    for pid, p in pa.items():
        if pid not in pb:
            changes.append(Change("purpose", f"stop using your data {p.words}"))
    sa = {s.id: s for s in before.safeguards}
    sb = {s.id: s for s in after.safeguards}
    changes += [Change("safeguard", f"New: {s.words}") for k, s in sb.items() if k not in sa or sa[k] != s]
    changes += [Change("safeguard", f"No longer: {s.words}") for k, s in sa.items() if k not in sb]
    changes += [Change("promise", f"New promise: {p}") for p in after.never if p not in before.never]
    changes += [Change("promise", f"No longer promised: {p}") for p in before.never if p not in after.never]
    return NoticeDiff(before.scenario, after.scenario, tuple(changes))
