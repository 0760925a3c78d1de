"""PrivacyLift's executive dashboard: routes to the pages and draws the frame (nothing is computed here).

Run with ``streamlit run app.py``; the data is ``$PRIVACYLIFT_DB`` if set, else the demo CRM.
"""

import streamlit as st

from dashboard import frame

# The browser tab's icon is an emoji: Streamlit draws it as an inline SVG. A ":material/…:" icon would make the
# browser fetch an SVG from fonts.gstatic.com (it fails offline); the page icons below use the font Streamlit serves.
st.set_page_config(page_title="PrivacyLift", page_icon="🛡️", layout="wide")

PAGES = [
    st.Page("dashboard/overview_page.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("dashboard/builder_page.py", title="Scenario builder", icon=":material/tune:"),
    st.Page("dashboard/compare_page.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("dashboard/risk_page.py", title="Privacy risk", icon=":material/fingerprint:"),
    st.Page("dashboard/breach_page.py", title="Breach impact", icon=":material/crisis_alert:"),
    st.Page("dashboard/notice_page.py", title="Customer notice", icon=":material/policy:"),
    st.Page("dashboard/data_page.py", title="Data", icon=":material/database:"),
    st.Page("dashboard/reports_page.py", title="Reports", icon=":material/description:"),
]

page = st.navigation(PAGES)
frame.draw()
page.run()
frame.sync_url()
