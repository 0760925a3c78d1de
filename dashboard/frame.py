"""The frame around every page: the restored link, the sidebar (dataset in use, business settings)."""

from __future__ import annotations

import streamlit as st

from analysis import PRESETS

from analysis.scenario import url

from . import state, widgets
from .safe_text import md

_RESTORED = "url_restored"


def restore_from_url() -> None:
    """Once per session: a shared link's scenario becomes the builder's scenario."""
    if st.session_state.get(_RESTORED):
        return
    st.session_state[_RESTORED] = True
    params = {k: st.query_params[k] for k in url.URL_KEYS if k in st.query_params}
    if not params:
        return
    spec, warnings = url.from_params(params, name=state.YOUR_SCENARIO)
    widgets.reset_builder(spec)
    st.session_state["url_warnings"] = warnings


def draw() -> None:
    restore_from_url()
    for message in st.session_state.pop("url_warnings", []):
        st.warning(md(message), icon=":material/link_off:")  # the link's text is user text
    source = state.data_source()
    st.sidebar.markdown("### PrivacyLift")
    st.sidebar.caption("Personalization gain against privacy exposure and breach cost.")
    st.sidebar.markdown(f"**Data in use:** {md(source.label, limit=80)}")
    if source.origin == "upload":
        st.sidebar.button("Back to the default data", key="frame_default_data", on_click=_forget_upload)
    widgets.business_sidebar([p.name for p in PRESETS])


def _forget_upload() -> None:
    st.session_state.pop(state.DB, None)
    if "db" in st.query_params:
        del st.query_params["db"]


def sync_url() -> None:
    """Write the builder's scenario (and the uploaded dataset, if any) into the URL."""
    wanted = url.to_params(state.current_scenario())
    db = st.session_state.get(state.DB)
    if db:
        from pathlib import Path

        wanted["db"] = f"uploads/{Path(db).stem}"
    present = {k: st.query_params[k] for k in (*url.URL_KEYS, "db") if k in st.query_params}
    if present != wanted:
        for k in present:
            if k not in wanted:
                del st.query_params[k]
        st.query_params.update(wanted)
