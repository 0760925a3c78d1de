"""The plain words of a customer notice: data categories, sources, safeguards and rights.

Every sentence here is written for a customer (short, common words; Flesch reading ease is measured on the
whole notice, :mod:`.readability`). Column names never appear: a column is named by its dictionary ``notice``
words, or else by its category's words below.
"""

from __future__ import annotations

__all__ = ["CATEGORY_TITLES", "ACTIVITY_TITLES", "CATEGORY_WORDS", "SOURCES", "RIGHTS", "join_words"]

#: category → a short title for the notice
CATEGORY_TITLES = {
    "contact": "How to reach you",
    "demographic": "Basic facts about you",
    "location": "Where you live",
    "financial": "Your money situation",
    "health": "Your health",
    "behavioral": "What you do with us",
    "transactional": "What you buy",
    "other": "Other details",
}
#: titles of the activity history's categories (events), where they differ
ACTIVITY_TITLES = {
    "behavioral": "Your activity with us",
    "transactional": "Your purchases",
}
#: category → words used when none of its columns has ``notice`` words in the dictionary
CATEGORY_WORDS = {
    "contact": "your contact details",
    "demographic": "basic facts about you",
    "location": "the area you live in",
    "financial": "facts about your money",
    "health": "facts about your health",
    "behavioral": "how you use our shop",
    "transactional": "what you buy and what you spend",
    "other": "other details you gave us",
}
#: where a data item comes from: your profile (one row per customer) or your activity history (events)
SOURCES = {
    "profile": "your profile",
    "activity": "your activity history",
    "consent": "your answers to our questions about consent",
    "campaign": "the offers we sent you and what you did next",
}
#: right → (words, GDPR article, DPV name)
RIGHTS = {
    "withdraw": ("Say no to this at any time", "GDPR Art. 7(3)", "eu-gdpr:A7-3"),
    "object": ("Tell us to stop at any time", "GDPR Art. 21", "eu-gdpr:A21"),
    "access": ("See the data we hold about you", "GDPR Art. 15", "eu-gdpr:A15"),
    "rectify": ("Fix data that is wrong", "GDPR Art. 16", "eu-gdpr:A16"),
    "erase": ("Ask us to delete your data", "GDPR Art. 17", "eu-gdpr:A17"),
}


def join_words(items: list[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"`` (duplicates dropped, order kept).

    >>> join_words(["your age", "your gender", "your age"])
    'your age and your gender'
    >>> join_words(["your visits and clicks", "how much you spend"])
    'your visits and clicks; and how much you spend'
    """
    items = list(dict.fromkeys(i for i in items if i))
    if len(items) <= 1:
        return "".join(items)
    if any(" and " in i for i in items):  # items that hold "and" themselves: semicolons keep them apart
        return "; ".join(items[:-1]) + "; and " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]
