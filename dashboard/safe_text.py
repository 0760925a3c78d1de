"""User text in the app is shown, never obeyed.

Streamlit renders Markdown (and its own extensions: ``:red[…]``, ``:material/…:``, ``$…$`` maths) in
``st.markdown``, ``st.caption``, ``st.info``/``st.warning``/``st.error``/``st.success``, widget labels, metric
labels and tab names. A column, dataset or scenario name there could embed an image the browser fetches from
any host, or a live link. Every user-supplied string a page puts into such an element goes through :func:`md`:
control and bidi characters become visible escapes (:func:`analysis.usertext.plain`) and every ASCII
punctuation character that can start Markdown (:data:`MARKDOWN_SYNTAX`) is backslash-escaped (CommonMark allows
escaping any of them), so the text shows exactly as typed and no construct — link, image, autolink, emphasis,
HTML, maths, a Streamlit directive — can start inside it; bare URLs and e-mail addresses, which GFM links
without any syntax, get an invisible word joiner where they start (:data:`WORD_JOINER`).
Tables (``st.dataframe``) and ``st.text``/``st.code`` show plain text already.

>>> print(md("![x](http://evil.example/p.png) [click](http://evil.example) ana@x.org").replace(WORD_JOINER, "⁀"))
\\!\\[x\\]\\(http⁀\\://evil\\.example/p\\.png\\) \\[click\\]\\(http⁀\\://evil\\.example\\) ana⁀\\@x\\.org
>>> print(md("The 'age_band' is *2*"))
The 'age\\_band' is \\*2\\*
"""

from __future__ import annotations

import re
from typing import Any

from analysis.usertext import plain

__all__ = ["md", "md_list", "WORD_JOINER", "MARKDOWN_SYNTAX"]

#: the ASCII punctuation that can start a Markdown construct (CommonMark, GFM autolinks and tables, Streamlit's
#: ``:directives:`` and ``$maths$``); quotes, commas and the like cannot, and are left as they are
MARKDOWN_SYNTAX = "\\`*_{}[]()#+-.!|<>~$:&@="
_PUNCTUATION = re.compile("([" + re.escape(MARKDOWN_SYNTAX) + "])")
#: GFM turns bare ``http://…``, ``www.…`` and ``name@host`` into links after escapes are resolved, so a word
#: joiner (U+2060, invisible, no line break) goes where those patterns start, which they then cannot match
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|mailto|xmpp|www)(?=\\[:.])|(?=\\@)")  # after escaping: \: \. \@


def md(text: Any, *, limit: int | None = 400) -> str:
    """``text`` safe to place inside Markdown (see the module docstring); newlines are kept as line breaks."""
    safe = _PUNCTUATION.sub(r"\\\1", plain(text, newlines=True, limit=limit))
    return _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, safe).replace("\n", "  \n")


def md_list(items, *, separator: str = ", ") -> str:
    """Several user strings joined, each made safe."""
    return separator.join(md(i, limit=120) for i in items)
