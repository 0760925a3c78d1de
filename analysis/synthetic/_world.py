"""The fixed facts of the synthetic world: the length of the history, the categories, the population's shares
and the consent rates.

Every figure here is an **assumption** of this synthetic world (see :mod:`analysis.synthetic.truth`), not a
figure from a source. :mod:`analysis.synthetic.truth` re-exports them all.
"""

from __future__ import annotations

#: days of event history before the as-of date
HISTORY_DAYS = 730
SECONDS_PER_DAY = 86_400
#: the retention window whose loss the ground truth makes measurable
RECENT_DAYS = 90
#: recency recorded for a customer with no event at all (one day past the history)
NO_EVENT_RECENCY_DAYS = HISTORY_DAYS + 1

GENDERS = ("F", "M", "X")
GENDER_SHARES = (0.49, 0.49, 0.02)  # assumption (brief: ~49/49/2 %)
CREDIT_BANDS = ("poor", "fair", "good", "excellent")
EVENT_TYPES = ("visit", "email_open", "purchase")
CHANNELS = ("web", "app", "store", "email")
PRODUCT_CATEGORIES = ("grocery", "apparel", "electronics", "home", "beauty", "pharmacy", "sports", "books")
#: ZIP first digit -> region (loosely the US national ZIP areas); "Mountain" is kept rare (< 5 %) on purpose
REGION_OF_DIGIT = (
    "Northeast", "Northeast", "Southeast", "Southeast", "Midwest",
    "Midwest", "Central", "South Central", "Mountain", "Pacific",
)  # fmt: skip
REGIONS = tuple(dict.fromkeys(REGION_OF_DIGIT))
#: a few thousand ZIPs grouped in ZIP3 areas (assumption; the US has ~42,000 ZIPs in ~900 ZIP3s)
N_ZIP3 = 320
ZIPS_PER_ZIP3 = 12
#: mean events per customer over the whole history (brief: ~12-20)
MEAN_EVENTS = 16.0
#: share of customers who stopped being active before the as-of date (assumption)
LAPSED_SHARE = 0.25

#: the purposes customers answer consent for, and the share of consenters who withdraw each year (assumptions of
#: this synthetic world: marketing e-mails are dropped most often, analytics least)
CONSENT_PURPOSES = ("personalization", "marketing", "analytics")
WITHDRAWALS_PER_YEAR = {"personalization": 0.10, "marketing": 0.15, "analytics": 0.05}
CONSENT_ACTIONS = ("given", "withdrawn")
DAYS_PER_MONTH = 30.44
