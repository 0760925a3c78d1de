"""The data dictionaries (TOML) that :func:`analysis.synthetic.generate` writes beside the customers, the
campaign and the events: each column's role, type, notice wording and declared categories."""

from __future__ import annotations

import json

from analysis.synthetic import truth

_SOURCE = 'source = "synthetic: analysis.synthetic (PrivacyLift), fake people"\nlicense = "CC0-1.0"'


def _toml_list(values) -> str:
    """A TOML array of strings: the declared categories of a column (domain knowledge for DP, never the data)."""
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


_CUSTOMERS_TOML = f'''[dataset]
name = "crm_customers"
entity = "customers"
key = "customer_id"
erased = "erasure_requested"
description = "Synthetic CRM customers: identifiers, demographics, sensitive attributes, consent."
{_SOURCE}

[columns.customer_id]
role = "other"
type = "text"
description = "Customer number, e.g. C0000001."

[columns.full_name]
role = "direct_identifier"
notice = "your name"
category = "contact"
type = "text"

[columns.email]
role = "direct_identifier"
notice = "your e-mail address"
category = "contact"
type = "text"
description = "Unique; on the reserved example.* domains."

[columns.phone]
role = "direct_identifier"
notice = "your phone number"
category = "contact"
type = "text"
description = "In the 555-01xx range reserved for fiction."

[columns.age]
role = "quasi_identifier"
notice = "your age"
category = "demographic"
type = "integer"
bounds = [18, 100]
generalize = "band"
levels = [5, 10, 20]
protected = true

[columns.gender]
role = "quasi_identifier"
notice = "your gender"
category = "demographic"
type = "category"
values = {_toml_list(truth.GENDERS)}
protected = true
description = "F, M or X."

[columns.zip]
role = "quasi_identifier"
notice = "your ZIP code"
category = "location"
type = "text"
generalize = "prefix"
levels = [3, 2, 1]
description = "5-digit ZIP code."

[columns.region]
role = "quasi_identifier"
notice = "the region you live in"
category = "location"
type = "category"
values = {_toml_list(truth.REGIONS)}
generalize = "merge_rare"
levels = [0.05]
description = "From the first digit of the ZIP code."

[columns.credit_band]
role = "sensitive"
notice = "your credit rating"
category = "financial"
type = "category"
order = ["poor", "fair", "good", "excellent"]

[columns.financial_distress]
role = "sensitive"
notice = "signs that money is tight for you"
category = "financial"
type = "boolean"

[columns.health_interest]
role = "sensitive"
notice = "your interest in health products"
category = "health"
type = "boolean"
description = "Inferred interest in health products (shows in pharmacy purchases)."

[columns.tenure_months]
role = "behavioral"
notice = "how long you have been a customer"
category = "behavioral"
type = "integer"
bounds = [0, 240]

[columns.consent_personalization]
role = "consent"
purpose = "personalization"
type = "boolean"
changed_at = "consent_personalization_at"

[columns.consent_personalization_at]
role = "other"
type = "timestamp"
description = "When the personalization answer was last given or withdrawn."

[columns.consent_marketing]
role = "consent"
purpose = "marketing"
type = "boolean"
changed_at = "consent_marketing_at"

[columns.consent_marketing_at]
role = "other"
type = "timestamp"
description = "When the marketing answer was last given or withdrawn."

[columns.consent_analytics]
role = "consent"
purpose = "analytics"
type = "boolean"
changed_at = "consent_analytics_at"

[columns.consent_analytics_at]
role = "other"
type = "timestamp"
description = "When the analytics answer was last given or withdrawn."

[columns.erasure_requested]
role = "other"
type = "boolean"
description = "The customer asked for erasure: never stored."
'''

_CAMPAIGN_TOML = f'''[dataset]
name = "crm_campaign"
entity = "customers"
key = "customer_id"
description = "A randomized campaign: control, e-mail or discount (1/3 each), and its outcome."
{_SOURCE}

[columns.customer_id]
role = "other"
type = "text"

[columns.arm]
role = "treatment"
type = "category"
control = "control"
description = "control, email or discount; randomized."

[columns.converted]
role = "outcome"
type = "boolean"
primary = true
positive = "true"

[columns.revenue]
role = "outcome"
type = "float"
bounds = [0, 1000]
description = "Order value in dollars when converted, else 0."
'''

_EVENTS_TOML = f'''[dataset]
name = "crm_events"
entity = "events"
key = "customer_id"
description = "Visits, e-mail opens and purchases in the 730 days before the as-of date."
{_SOURCE}

[columns.customer_id]
role = "other"
type = "text"

[columns.event_time]
role = "timestamp"
type = "timestamp"

[columns.event_type]
role = "behavioral"
notice = "your visits, the e-mails you open and what you buy"
category = "behavioral"
type = "category"
values = {_toml_list(truth.EVENT_TYPES)}
description = "visit, email_open or purchase."

[columns.channel]
role = "behavioral"
notice = "whether you use our website, our app, our shops or e-mail"
category = "behavioral"
type = "category"
values = {_toml_list(truth.CHANNELS)}
description = "web, app, store or email."

[columns.amount]
role = "behavioral"
notice = "how much you spend"
category = "transactional"
type = "float"
bounds = [0, 2000]
description = "Purchase amount in dollars; 0 for other events."

[columns.product_category]
role = "behavioral"
notice = "which kinds of products you look at and buy"
category = "transactional"
type = "category"
values = {_toml_list(truth.PRODUCT_CATEGORIES)}
description = """Product viewed, bought or featured: grocery, apparel, electronics, home, beauty, \
pharmacy, sports, books."""
'''

#: dataset -> (file stem, dictionary text)
DATASETS = {
    "customers": ("crm_customers", _CUSTOMERS_TOML),
    "campaign": ("crm_campaign", _CAMPAIGN_TOML),
    "events": ("crm_events", _EVENTS_TOML),
}
