"""The typed customer notice: what a scenario means for the people whose data it uses.

A :class:`Notice` holds facts (categories, purposes with their legal basis, retention, safeguards, promises,
choices) in plain words *and* with their W3C DPV names; :mod:`.render` lays it out as Markdown, HTML and JSON,
all from :meth:`Notice.sections`, so the three always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DataItem", "PurposeItem", "Safeguard", "Choice", "Readability", "Notice"]


@dataclass(frozen=True)
class DataItem:
    """One kind of data the scenario holds."""

    #: dictionary category ("contact", …) or a source kind ("consent", "campaign") for records without one
    category: str
    #: "profile", "activity", "consent" or "campaign" (:data:`.words.SOURCES`)
    source: str
    title: str
    words: str
    dpv: str
    #: days kept; None = as long as you are a customer
    retention_days: int | None


@dataclass(frozen=True)
class PurposeItem:
    """Why data is used, and the legal basis of that use."""

    id: str
    title: str
    words: str
    dpv: str
    legal_basis: str
    basis_title: str
    basis_words: str
    basis_article: str
    basis_dpv: str
    #: categories the purpose uses (empty: not known to PrivacyLift, stated by the business)
    categories: tuple[str, ...] = ()
    #: extra plain sentences (e.g. the random control group that measures what works)
    details: tuple[str, ...] = ()
    #: the scenario's own purpose (what its model serves)
    main: bool = False


@dataclass(frozen=True)
class Safeguard:
    """Who sees the data, and how it is protected."""

    id: str
    words: str
    dpv: str | None = None


@dataclass(frozen=True)
class Choice:
    """Something a customer can do, the purposes it applies to, and how."""

    id: str
    words: str
    how: str
    #: ids of the purposes (of this notice) the choice applies to; never empty
    applies_to: tuple[str, ...]
    article: str
    dpv: str


@dataclass(frozen=True)
class Readability:
    """How easy the notice is to read."""

    flesch_reading_ease: float
    words: int
    sentences: int
    library: str
    #: the plain-language target (Flesch reading ease of 60 or more)
    target: float = 60.0

    @property
    def plain(self) -> bool:
        return self.flesch_reading_ease >= self.target


@dataclass(frozen=True)
class Notice:
    """A customer-facing transparency notice for one scenario on one dataset."""

    scenario: str
    fingerprint: str
    data_fingerprint: str
    business: str
    contact: str
    collected: tuple[DataItem, ...]
    purposes: tuple[PurposeItem, ...]
    safeguards: tuple[Safeguard, ...]
    never: tuple[str, ...]
    choices: tuple[Choice, ...]
    readability: Readability | None = field(default=None, compare=False)

    @property
    def categories(self) -> tuple[str, ...]:
        """The dictionary categories named in the notice (sorted)."""
        return tuple(sorted({d.category for d in self.collected if d.source in ("profile", "activity")}))

    def purpose(self, purpose_id: str) -> PurposeItem:
        for p in self.purposes:
            if p.id == purpose_id:
                return p
        raise KeyError(purpose_id)

    def sections(self) -> list[tuple[str, list[str], list[str]]]:
        """``(heading, paragraphs, bullet items)`` in reading order: the one text every renderer lays out."""
        from analysis.transparency.render import sections

        return sections(self)

    def text(self) -> str:
        """The notice as plain text (headings, sentences and items), e.g. for reading-ease scores."""
        out = []
        for heading, paragraphs, items in self.sections():
            out.append(heading + ".")
            out.extend(paragraphs)
            out.extend(i if i.endswith((".", "!", "?")) else i + "." for i in items)
        return "\n".join(out)
