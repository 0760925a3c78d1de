"""The data dictionaries (TOML) that :func:`analysis.synthetic.generate` writes beside the customers, the
campaign and the events: each column's role, type, notice wording and declared categories (domain knowledge
for DP, never the data). The benchmarks write smaller dictionaries from the same declarations
(:func:`dictionary_columns`)."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.dictionary.write import dictionary_toml
from analysis.synthetic import truth

_SOURCE = {"source": "synthetic: analysis.synthetic (PrivacyLift), fake people", "license": "CC0-1.0"}


def _col(role: str, type_: str, notice: str | None = None, category: str | None = None, **more) -> dict:
    """One column's fields; ``notice`` and ``category`` where it holds something about a person."""
    return {"role": role, "notice": notice, "category": category, "type": type_, **more}


def _consent(purpose: str) -> tuple[tuple[str, dict], ...]:
    """A consent flag and the time its answer was last given or withdrawn."""
    at = f"consent_{purpose}_at"
    when = f"When the {purpose} answer was last given or withdrawn."
    return ((f"consent_{purpose}", _col("consent", "boolean", purpose=purpose, changed_at=at)),
            (at, _col("other", "timestamp", description=when)))


#: every column the generator writes (``customer_id`` is in every dataset), as its dictionary declares it
COLUMNS = {
    "customer_id": _col("other", "text", description="Customer number, e.g. C0000001."),
    "full_name": _col("direct_identifier", "text", "your name", "contact"),
    "email": _col("direct_identifier", "text", "your e-mail address", "contact",
                  description="Unique; on the reserved example.* domains."),
    "phone": _col("direct_identifier", "text", "your phone number", "contact",
                  description="In the 555-01xx range reserved for fiction."),
    "age": _col("quasi_identifier", "integer", "your age", "demographic", bounds=[18, 100],
                generalize="band", levels=[5, 10, 20], protected=True),
    "gender": _col("quasi_identifier", "category", "your gender", "demographic", values=truth.GENDERS,
                   protected=True, description="F, M or X."),
    "zip": _col("quasi_identifier", "text", "your ZIP code", "location", generalize="prefix",
                levels=[3, 2, 1], description="5-digit ZIP code."),
    "region": _col("quasi_identifier", "category", "the region you live in", "location",
                   values=truth.REGIONS, generalize="merge_rare", levels=[0.05],
                   description="From the first digit of the ZIP code."),
    "credit_band": _col("sensitive", "category", "your credit rating", "financial",
                        order=truth.CREDIT_BANDS),
    "financial_distress": _col("sensitive", "boolean", "signs that money is tight for you", "financial"),
    "health_interest": _col("sensitive", "boolean", "your interest in health products", "health",
                            description="Inferred interest in health products (shows in pharmacy purchases)."),
    "tenure_months": _col("behavioral", "integer", "how long you have been a customer", "behavioral",
                          bounds=[0, 240]),
    **{name: column for purpose in truth.CONSENT_PURPOSES for name, column in _consent(purpose)},
    "erasure_requested": _col("other", "boolean", description="The customer asked for erasure: never stored."),
    "arm": _col("treatment", "category", control="control",
                description="control, email or discount; randomized."),
    "converted": _col("outcome", "boolean", primary=True, positive="true"),
    "revenue": _col("outcome", "float", bounds=[0, 1000],
                    description="Order value in dollars when converted, else 0."),
    "event_time": _col("timestamp", "timestamp"),
    "event_type": _col("behavioral", "category", "your visits, the e-mails you open and what you buy",
                       "behavioral", values=truth.EVENT_TYPES, description="visit, email_open or purchase."),
    "channel": _col("behavioral", "category", "whether you use our website, our app, our shops or e-mail",
                    "behavioral", values=truth.CHANNELS, description="web, app, store or email."),
    "amount": _col("behavioral", "float", "how much you spend", "transactional", bounds=[0, 2000],
                   description="Purchase amount in dollars; 0 for other events."),
    "product_category": _col("behavioral", "category", "which kinds of products you look at and buy",
                             "transactional", values=truth.PRODUCT_CATEGORIES,
                             description="Product viewed, bought or featured: grocery, apparel, electronics, "
                                         "home, beauty, pharmacy, sports, books."),
}


def dictionary_columns(names: Iterable[str], fields: Iterable[str] | None = None) -> dict[str, dict]:
    """The declarations of the named columns, in that order, with only ``fields`` of each (all when None)."""
    keep = None if fields is None else set(fields)
    return {n: {k: v for k, v in COLUMNS[n].items() if keep is None or k in keep} for n in names}


def _dataset(name: str, entity: str, description: str, names: str, **more) -> str:
    header = {"name": name, "entity": entity, "key": "customer_id", **more, "description": description}
    return dictionary_toml(header | _SOURCE, dictionary_columns(names.split()))


#: dataset -> (file stem, dictionary text)
DATASETS = {
    "customers": ("crm_customers", _dataset(
        "crm_customers", "customers",
        "Synthetic CRM customers: identifiers, demographics, sensitive attributes, consent.",
        "customer_id full_name email phone age gender zip region credit_band financial_distress "
        "health_interest tenure_months consent_personalization consent_personalization_at consent_marketing "
        "consent_marketing_at consent_analytics consent_analytics_at erasure_requested",
        erased="erasure_requested")),
    "campaign": ("crm_campaign", _dataset(
        "crm_campaign", "customers",
        "A randomized campaign: control, e-mail or discount (1/3 each), and its outcome.",
        "customer_id arm converted revenue")),
    "events": ("crm_events", _dataset(
        "crm_events", "events", "Visits, e-mail opens and purchases in the 730 days before the as-of date.",
        "customer_id event_time event_type channel amount product_category")),
}
