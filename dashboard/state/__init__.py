"""Where the app's data comes from, the session's settings, and every cache of the dashboard's results (Streamlit
caching of results lives only here). Pages reach ``analysis``'s pipeline only through these names.

- :mod:`dashboard.state.source`: the active database (an upload, ``$PRIVACYLIFT_DB`` or the demo) and
  ``load_data()``.
- :mod:`dashboard.state.settings`: the session's scenarios, business numbers, assumption overrides and privacy
  policy; the shared cache's byte budget (``cache_budget()``, ``$PRIVACYLIFT_CACHE_MB``).
- :mod:`dashboard.state.caches`: the one byte-bounded result cache shared by all sessions (``memory()``), the model
  cache over it, ``run_tradeoff`` and ``run_sweep``.
- :mod:`dashboard.state.steps`: the other pipeline steps pages show (what a scenario holds, its risk profile,
  what mitigations buy, notices, reports), each kept by fingerprints.
"""

from dashboard.state.caches import memo, memory, model_cache, run_sweep, run_tradeoff  # noqa: F401
from dashboard.state.settings import (  # noqa: F401
    ASSUMPTION_OVERRIDES, CACHE_HITS, CACHE_MB, CACHE_MB_ENV, CACHE_MISSES, CURRENT, DB, POLICY, SAVED,
    YOUR_SCENARIO, assumption_overrides, assumptions, business_settings, cache_budget, current_scenario, policy,
    saved_scenarios, scenario_choices, set_assumption_overrides, set_policy,
)
from dashboard.state.source import (  # noqa: F401
    ROOT, UNAVAILABLE, UPLOAD_NAME, UPLOAD_TTL_HOURS, UPLOADS, DataSource, _fingerprint, _load, _stamp, data_source,
    db_from_query, load_data, may_open, purge_expired, read_meta, store, upload_id_of, upload_path,
)
from dashboard.state.steps import (  # noqa: F401
    MITIGATION_YEARS, build_report, class_sizes, exposed, mitigation_value, not_applicable, notice,
    quasi_contributions, record_of_processing, retention_schedule, risk_profile, simulate_control,
    trust_sensitivity,
)
