"""``notice(spec, data)``: the customer notice of one scenario, from the data dictionary and the scenario.

What the notice says is what the scenario does, and only that:

- *What we collect*: the data categories the scenario holds (as :func:`analysis.minimize.prepare` decides them:
  the columns its model may use, the contact details when the dataset has direct identifiers, the activity
  history when it uses events), plus the consent answers and campaign history the dataset records. Named by the
  dictionary's ``notice`` words, else by the category's plain words; never by column names.
- *Why*: the scenario's purpose with its legal basis, and each other purpose the dictionary records consent for.
- *How long*: the activity history for the scenario's retention window; "as long as you are a customer" only for
  what the scenario keeps in full.
- *Who sees it*: from the mitigations (access restriction, pseudonymization, encryption) and differential privacy.
- *What we never do*: only promises the scenario keeps (what it leaves out of the model, consent-only use).
- *Your choices*: say no to (or object to) each purpose, see, fix and delete your data — each with the purposes
  it applies to and how.
"""

from __future__ import annotations

from dataclasses import replace

from analysis.consent.purposes import CATEGORY_DPV, MEASURES_DPV, legal_basis, purpose
from analysis.data import CRMData
from analysis.dictionary import ColumnSpec
from analysis.minimize import _feature_columns, _uses_events, generalization_rules, not_applicable
from analysis.scenario import Scenario, ScenarioError
from analysis.transparency.model import Choice, DataItem, Notice, PurposeItem, Safeguard
from analysis.transparency.words import ACTIVITY_TITLES, CATEGORY_TITLES, CATEGORY_WORDS, RIGHTS, join_words

__all__ = ["notice", "DEFAULT_CONTACT", "held_categories"]

#: who customers write to when the business gives no address
DEFAULT_CONTACT = "our privacy team"
#: the order of categories in a notice
_ORDER = ("contact", "demographic", "location", "financial", "health", "behavioral", "transactional", "other")


def _words(columns: list[ColumnSpec], category: str) -> str:
    named = [c.notice for c in columns if c.notice]
    if len(named) < len(columns):
        named.append(CATEGORY_WORDS[category])
    return join_words(named)


def _by_category(columns: list[ColumnSpec]) -> dict[str, list[ColumnSpec]]:
    out: dict[str, list[ColumnSpec]] = {}
    for c in columns:
        out.setdefault(c.category or "other", []).append(c)
    return {k: out[k] for k in _ORDER if k in out}


def _held(spec: Scenario, data: CRMData) -> tuple[list[ColumnSpec], list[ColumnSpec], list[ColumnSpec]]:
    """(profile columns the model may use, direct identifiers, activity columns held) — as prepare() decides."""
    schema = data.schema
    profile = _feature_columns(spec, schema)
    identifiers = [c for c in schema.columns if c.role == "direct_identifier"]
    activity = []
    if _uses_events(spec, schema) and schema.events is not None:
        activity = [c for c in schema.events.columns if c.category]
    return profile, identifiers, activity


def held_categories(spec: Scenario, data: CRMData) -> tuple[str, ...]:
    """The data categories a scenario holds (the same set as ``prepare(spec, data).categories_held``)."""
    profile, identifiers, activity = _held(spec, data)
    cats = {c.category for c in profile if c.category} | {c.category for c in activity}
    if identifiers:
        cats.add("contact")
    return tuple(sorted(cats))


def _collected(spec: Scenario, data: CRMData) -> list[DataItem]:
    schema = data.schema
    profile, identifiers, activity = _held(spec, data)
    items = []
    if identifiers:
        items.append(DataItem("contact", "profile", CATEGORY_TITLES["contact"], _words(identifiers, "contact"),
                              CATEGORY_DPV["contact"], None))
    for category, columns in _by_category(profile).items():
        if category == "contact" and identifiers:
            words = join_words([items[0].words, _words(columns, category)])
            items[0] = replace(items[0], words=words)
            continue
        items.append(DataItem(category, "profile", CATEGORY_TITLES[category], _words(columns, category),
                              CATEGORY_DPV[category], None))
    for category, columns in _by_category(activity).items():
        items.append(DataItem(category, "activity", ACTIVITY_TITLES.get(category, CATEGORY_TITLES[category]),
                              _words(columns, category), CATEGORY_DPV[category], spec.retention_days))
    consent = [c for c in schema.columns if c.role == "consent"]
    if consent:
        when = " and when you gave or changed them" if any(c.changed_at for c in consent) else ""
        items.append(DataItem("consent", "consent", "Your consent answers", f"your answers to our questions about consent{when}",
                              "dpv:ConsentRecord", None))
    if schema.treatment is not None or schema.outcome is not None:
        items.append(DataItem("campaign", "campaign", "Our offers to you",
                              "the offers we sent you and what you did next", CATEGORY_DPV["behavioral"], None))
    return items


def _purposes(spec: Scenario, data: CRMData, collected: list[DataItem]) -> list[PurposeItem]:
    main = purpose(spec.consent_purpose)
    basis = legal_basis(spec.effective_legal_basis)
    used = tuple(dict.fromkeys(d.category for d in collected if d.source in ("profile", "activity")))
    details = []
    if data.schema.treatment is not None:
        details.append("To learn what works, some customers are picked at random to get no offer for a while.")
    out = [PurposeItem(main.id, main.title, main.words, main.dpv, basis.id, basis.title, basis.words, basis.article,
                       basis.dpv, categories=used, details=tuple(details), main=True)]
    consent = legal_basis("consent")
    for c in data.schema.columns:
        if c.role == "consent" and c.purpose and c.purpose not in {p.id for p in out}:
            other = purpose(c.purpose)
            out.append(PurposeItem(other.id, other.title, other.words, other.dpv, consent.id, consent.title,
                                   consent.words, consent.article, consent.dpv))
    return out


def _safeguards(spec: Scenario, data: CRMData, collected: list[DataItem]) -> list[Safeguard]:
    out = []
    if spec.access_restriction:
        out.append(Safeguard("access_restriction", "Only a small team that needs your data can see it.",
                             MEASURES_DPV["access_restriction"]))
    else:
        out.append(Safeguard("staff_access", "Our staff who work on offers can see your data."))
    contact = next((d for d in collected if d.category == "contact"), None)
    if contact is not None:
        if spec.pseudonymization:
            out.append(Safeguard("pseudonymization", f"When we study your data, we replace {contact.words} with a "
                                 "code.", MEASURES_DPV["pseudonymization"]))
        else:
            out.append(Safeguard("identified", f"Staff who see your data also see {contact.words}."))
    if spec.encryption_at_rest:
        out.append(Safeguard("encryption_at_rest", "We store your data in a locked, coded form (encryption).",
                             MEASURES_DPV["encryption_at_rest"]))
    if spec.epsilon is not None:
        out.append(Safeguard("differential_privacy", "We add noise when we train our models, so they show very "
                             "little about any one person.", MEASURES_DPV["differential_privacy"]))
    profile, _, _ = _held(spec, data)
    held = {c.name: c for c in profile}
    coarse = [held[name] for name, _, _ in generalization_rules(spec, data.schema) if name in held]
    if coarse:
        words = join_words([c.notice or CATEGORY_WORDS[c.category or "other"] for c in coarse])
        out.append(Safeguard("generalization", f"For {words}, we only keep broad groups, not the exact values."))
    return out


def _never(spec: Scenario, data: CRMData) -> list[str]:
    schema = data.schema
    out = []
    columns = list(schema.columns) + (list(schema.events.columns) if schema.events is not None else [])
    if "sensitive" in spec.exclude_roles and schema.sensitive:
        out.append("We never use sensitive facts about you to choose offers.")
    for category in spec.exclude_categories:
        if any(c.category == category for c in columns):
            out.append(f"We never use {CATEGORY_WORDS[category]} to choose offers.")
    if "quasi_identifier" in spec.exclude_roles and schema.quasi_identifiers:
        quasi = [c for c in schema.columns if c.role == "quasi_identifier"]
        out.append(f"We never use {join_words([c.notice or CATEGORY_WORDS[c.category or 'other'] for c in quasi])} "
                   "to choose offers.")
    no_history = not spec.use_events or "behavioral" in spec.exclude_roles or "behavioral" in spec.exclude_categories
    if no_history and schema.has_events:
        out.append("We never use your visits and purchases to choose offers.")
    for name in spec.exclude_columns:
        c = next((c for c in schema.columns if c.name == name), None)
        if c is not None:
            out.append(f"We never use {c.notice or CATEGORY_WORDS[c.category or 'other']} to choose offers.")
    if spec.effective_legal_basis == "consent":
        out.append("We never choose offers for you unless you said yes.")
    return list(dict.fromkeys(out))


def _choices(purposes: list[PurposeItem], contact: str) -> list[Choice]:
    how = f"Write to {contact}."
    out = []
    for p in purposes:
        right = "withdraw" if p.legal_basis == "consent" else "object"
        _, article, dpv = RIGHTS[right]
        words = (f"Say no to {p.title.lower()} at any time." if right == "withdraw"
                 else f"Ask us to stop {p.title.lower()} at any time.")
        out.append(Choice(f"{right}:{p.id}", words, how, (p.id,), article, dpv))
    every = tuple(p.id for p in purposes)
    for right, answer in (("access", "We answer within one month."), ("rectify", "We fix it within one month."),
                          ("erase", "We delete it from all our records within one month.")):
        words, article, dpv = RIGHTS[right]
        out.append(Choice(right, words + ".", f"{how} {answer}", every, article, dpv))
    return out


def notice(spec: Scenario, data: CRMData, *, business: str = "we", contact: str = DEFAULT_CONTACT,
           readability: bool = True) -> Notice:
    """The customer notice of ``spec`` on ``data`` (see the module docstring).

    Parameters
    ----------
    spec : Scenario
    data : CRMData (or a Store)
    business : the business's name, for the title "How … uses your data" (default "we").
    contact : where customers write to use their choices (default "our privacy team").
    readability : compute the Flesch reading ease of the text (:mod:`analysis.transparency.readability`).
    """
    from analysis.errors import must_be

    if not isinstance(spec, Scenario):
        raise ValueError(must_be("spec", "notice", "a Scenario", type(spec).__name__))
    for name, value in (("business", business), ("contact", contact)):
        if not isinstance(value, str) or not value.strip() or len(value) > 120:
            raise ValueError(must_be(name, "notice", "a non-empty string of at most 120 characters", value))
    if not isinstance(data, CRMData):
        from analysis.data import load_crm

        data = load_crm(data)
    reason = not_applicable(spec, data.schema)
    if reason:
        raise ScenarioError(f"Scenario {spec.name!r} does not apply to this dataset: {reason}.")
    collected = _collected(spec, data)
    purposes = _purposes(spec, data, collected)
    result = Notice(scenario=spec.name, fingerprint=spec.fingerprint, data_fingerprint=data.fingerprint,
                    business=business, contact=contact, collected=tuple(collected), purposes=tuple(purposes),
                    safeguards=tuple(_safeguards(spec, data, collected)), never=tuple(_never(spec, data)),
                    choices=tuple(_choices(purposes, contact)))
    if readability:
        from analysis.transparency.readability import score

        result = replace(result, readability=score(result.text()))
    return result
