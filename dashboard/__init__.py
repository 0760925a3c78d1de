"""PrivacyLift's Streamlit pages and widgets (UI only: every figure comes from ``analysis``)."""
