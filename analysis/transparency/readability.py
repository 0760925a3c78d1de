"""Reading ease of a notice: Flesch reading ease, computed by textstat (0.7.8: offline, no NLTK download).

Flesch reading ease = 206.835 − 1.015 × (words / sentences) − 84.6 × (syllables / words) (Flesch 1948);
60–70 is plain English, higher is easier. The target of a PrivacyLift notice is 60 or more.
"""

from __future__ import annotations

from importlib import metadata

from analysis.transparency.model import Readability

__all__ = ["score", "TARGET"]

TARGET = 60.0


def score(text: str) -> Readability:
    """The reading ease of English ``text``.

    >>> score("We keep your data safe. You can ask us to delete it.").flesch_reading_ease > 60
    True
    """
    import textstat

    return Readability(flesch_reading_ease=round(float(textstat.flesch_reading_ease(text)), 1),
                       words=int(textstat.lexicon_count(text)), sentences=int(textstat.sentence_count(text)),
                       library=f"textstat {metadata.version('textstat')}", target=TARGET)
