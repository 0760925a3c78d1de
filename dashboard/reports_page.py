"""Reports page (placeholder until the reports feature lands)."""

import streamlit as st

st.title("Reports")
st.info("Saved reports for ethics boards will appear here.")
