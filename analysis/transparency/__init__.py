"""Transparency as outputs: the customer notice of a scenario (:mod:`.build`, typed in :mod:`.model`, rendered by
:mod:`.render` as Markdown, HTML and JSON with W3C DPV names), its reading ease (:mod:`.readability`), what changes
for customers between two scenarios (:mod:`.diff`), and the GDPR Art. 30 record of processing with its retention
schedule (:mod:`.record`).

>>> from analysis import notice   # doctest: +SKIP
>>> print(to_markdown(notice(preset("90-day retention"), store)))   # doctest: +SKIP
"""

from __future__ import annotations

from analysis._lazy import lazy_exports

_EXPORTS = {
    "notice": "build", "held_categories": "build", "DEFAULT_CONTACT": "build",
    "Notice": "model", "DataItem": "model", "PurposeItem": "model", "Choice": "model", "Safeguard": "model",
    "Readability": "model",
    "to_markdown": "render", "to_html": "render", "to_json": "render", "sections": "render",
    "notice_diff": "diff", "NoticeDiff": "diff",
    "record_of_processing": "record", "retention_schedule": "record", "RecordOfProcessing": "record",
    "transparency_section": "report",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
