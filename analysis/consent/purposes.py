"""Purposes and legal bases: the plain words a customer reads and the W3C DPV names other privacy tools read.

Purposes come from the data dictionary (each consent column names one) and from the scenario (the purpose its
model serves, :attr:`analysis.Scenario.consent_purpose`). A purpose PrivacyLift does not know keeps its own
name, in plain words, and the DPV root class ``dpv:Purpose``.

DPV names are plain strings from the Data Privacy Vocabulary (W3C DPVCG, DPV 2.0, 2024; prefixes ``dpv:``
https://w3id.org/dpv# and ``pd:`` https://w3id.org/dpv/pd#), so no vocabulary package is needed.

Example
-------
>>> purpose("marketing").dpv, legal_basis("consent").dpv
('dpv:DirectMarketing', 'dpv:Consent')
>>> purpose("loyalty_points").words
'for loyalty points'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Purpose", "LegalBasis", "PURPOSES", "LEGAL_BASES", "purpose", "legal_basis", "CATEGORY_DPV",
           "SUBJECTS_DPV", "MEASURES_DPV", "DURATION_DPV"]


@dataclass(frozen=True)
class Purpose:
    """Why data is used, in a customer's words and in DPV."""

    #: the name the dictionary and the scenario use ("personalization")
    id: str
    #: a short title ("Offers chosen for you")
    title: str
    #: what it is for, to finish "We use your data …" ("to choose which offers we send you")
    words: str
    #: the DPV purpose class
    dpv: str


@dataclass(frozen=True)
class LegalBasis:
    """A lawful basis of GDPR Art. 6(1), in plain words and in DPV."""

    id: str
    title: str
    #: one short sentence for the notice
    words: str
    #: the customer's choice it gives, to finish "You can …"
    choice: str
    article: str
    dpv: str


#: the purposes PrivacyLift knows (others keep their own name)
PURPOSES: tuple[Purpose, ...] = (
    Purpose("personalization", "Offers chosen for you", "to choose which offers we send you",
            "dpv:ServicePersonalisation"),
    Purpose("marketing", "News and offers by e-mail", "to send you news and offers", "dpv:DirectMarketing"),
    Purpose("analytics", "Learning what works", "to count what works and what does not, in totals only",
            "dpv:ServiceUsageAnalytics"),
    Purpose("profiling", "A profile of your tastes", "to build a profile of what you like",
            "dpv:Personalisation"),
)

LEGAL_BASES: tuple[LegalBasis, ...] = (
    LegalBasis("consent", "Your consent", "We only do this if you said yes.",
               "say no at any time, and we stop", "GDPR Art. 6(1)(a)", "dpv:Consent"),
    LegalBasis("legitimate_interest", "Our legitimate interest",
               "We do this because it helps us serve you well. You can tell us to stop.",
               "tell us to stop at any time, and we stop", "GDPR Art. 6(1)(f) and Art. 21", "dpv:LegitimateInterest"),
    LegalBasis("contract", "Our contract with you", "We need this to serve you as a customer.",
               "end the contract", "GDPR Art. 6(1)(b)", "dpv:Contract"),
)

#: data category (dictionary) → DPV personal-data class
CATEGORY_DPV = {
    "contact": "pd:Contact",
    "demographic": "pd:Demographic",
    "location": "pd:Location",
    "financial": "pd:Financial",
    "health": "pd:Health",
    "behavioral": "pd:Behavioural",
    "transactional": "pd:Transactional",
    "other": "dpv:PersonalData",
}
#: the people the data is about
SUBJECTS_DPV = "dpv:Customer"
#: safeguard → DPV technical or organisational measure
MEASURES_DPV = {
    "pseudonymization": "dpv:Pseudonymisation",
    "encryption_at_rest": "dpv:EncryptionAtRest",
    "access_restriction": "dpv:AccessControlMethod",
    "differential_privacy": "dpv:DifferentialPrivacy",
    "retention": "dpv:StorageDeletion",
}
#: how long data is kept (a duration), in DPV
DURATION_DPV = "dpv:StorageDuration"

_BY_ID = {p.id: p for p in PURPOSES}
_BASES = {b.id: b for b in LEGAL_BASES}


def purpose(name: str) -> Purpose:
    """The known purpose ``name``, or plain words made from the name itself."""
    known = _BY_ID.get(name)
    if known is not None:
        return known
    words = " ".join(name.replace("_", " ").replace("-", " ").split())
    return Purpose(name, words[:1].upper() + words[1:], f"for {words}", "dpv:Purpose")


def legal_basis(name: str) -> LegalBasis:
    """The legal basis ``name`` (one of :data:`LEGAL_BASES`)."""
    try:
        return _BASES[name]
    except KeyError:
        raise ValueError(f"The 'name' parameter of legal_basis must be one of "
                         f"{', '.join(repr(b) for b in _BASES)}. Got {name!r} instead.") from None
