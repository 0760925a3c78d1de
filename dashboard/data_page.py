"""Data: what is held (aggregates only), and uploading a new dataset with its data dictionary."""

import polars as pl
import streamlit as st

from analysis.dictionary import CATEGORIES, ROLES, TYPES, DictionaryError, parse_dictionary
from analysis import IngestError

from dashboard import ingest_helpers as ingest
from dashboard import profile, state, uploads
from dashboard.safe_text import md, md_list

st.title("Data")
source = state.data_source()
data = state.load_data()

st.subheader("What is held")
st.caption(f"Dataset in use: {md(source.label)}. Aggregates only; counts under {profile.SMALL_CELL} are hidden.")
st.dataframe(profile.dataset_rows(state.store(source)), hide_index=True, key="d_datasets")
left, right = st.columns([3, 2])
left.markdown("**Columns by role and data category**")
left.dataframe(profile.columns_by_role(data), hide_index=True, key="d_roles")
right.markdown("**Consent rates**")
rates = profile.consent_rates(data)
if rates.height:
    right.dataframe(rates, hide_index=True, key="d_consent",
                    column_config={"consent_rate": st.column_config.NumberColumn("consent rate", format="percent")})
else:
    right.info("No consent columns in this dataset.")
if data.schema.outcome is None:
    st.warning("This dataset has no outcome column: gains cannot be measured until one column has "
               "role = \"outcome\".")

st.divider()
st.subheader("Load your own data")
st.caption("Upload a CSV or Parquet file and its data dictionary (TOML), or describe the columns here. "
           "Direct identifiers are replaced by keyed pseudonyms on the way in; uploaded files are deleted "
           "right after loading. Nothing is stored if any check fails. What you load is yours: other visitors "
           f"cannot open it unless you share its link, and it is deleted after {uploads.UPLOAD_TTL_HOURS} hours.")
files = st.file_uploader("Data file(s) with the same columns", type=["csv", "parquet"],
                         accept_multiple_files=True, key="d_files")
mode = st.radio("Data dictionary", ["Upload a dictionary (TOML)", "Describe the columns here"],
                key="d_mode", horizontal=True)

dictionary_text = None
if mode == "Upload a dictionary (TOML)":
    toml_file = st.file_uploader("Data dictionary (TOML)", type=["toml"], key="d_dictionary")
    if toml_file is not None:
        dictionary_text = toml_file.getvalue().decode("utf-8", errors="replace")
elif files:
    first = files[0]
    try:
        sample = ingest.read_sample(first.getvalue(), first.name)
    except Exception as exc:  # unreadable upload: say so in plain words
        st.error(f"“{md(first.name)}” could not be read as CSV or Parquet: {md(str(exc))}")
        sample = None
    if sample is not None:
        name = st.text_input("Dataset name", value=ingest.safe_name(first.name.rsplit(".", 1)[0]),
                             key="d_name")
        st.caption("For each column pick its role (what it is in privacy terms), its data category and type. "
                   "Only names and types are shown, never values.")
        plan = st.data_editor(
            ingest.column_plan(sample), key="d_plan", hide_index=True, disabled=["column", "found type"],
            column_config={
                "role": st.column_config.SelectboxColumn("role", options=list(ROLES), required=True),
                "category": st.column_config.SelectboxColumn("category", options=list(CATEGORIES)),
                "type": st.column_config.SelectboxColumn("type", options=list(TYPES), required=True),
            })
        plan = plan if isinstance(plan, pl.DataFrame) else pl.from_pandas(plan)
        positive = st.text_input("Outcome value that counts as a success (for a text outcome, e.g. yes)",
                                 key="d_positive")
        delimiter = ingest.sniff_delimiter(first.getvalue()) if first.name.lower().endswith(".csv") else ","
        dictionary_text = ingest.dictionary_toml(name, plan, delimiter=delimiter, positive=positive)
        with st.expander("The dictionary built from your choices"):
            st.code(dictionary_text, language="toml")

if st.button("Check and load", key="d_ingest", type="primary", disabled=not files or not dictionary_text):
    try:
        dictionary = parse_dictionary(dictionary_text, source="the data dictionary")
        with st.spinner("Checking and loading…"):
            path, report = ingest.ingest_upload(dictionary, [(f.name, f.getvalue()) for f in files])
    except (IngestError, DictionaryError) as exc:
        st.error("Nothing was loaded: the data has problems. Fix them and try again.")
        st.dataframe(ingest.problems_table(exc, getattr(exc, "display_names", {})), hide_index=True,
                     key="d_problems")
    else:
        st.session_state[state.DB] = str(path)
        st.session_state["d_last_report"] = report
        st.rerun()

report = st.session_state.get("d_last_report")
if report is not None and source.origin == "upload":
    st.success(f"Loaded “{md(report.dataset)}”: {report.rows_stored:,} rows stored, {report.rows_erased:,} erased "
               f"on request, {len(report.pseudonymized_columns)} column(s) pseudonymized"
               + (f", skipped (not in the dictionary): {md_list(report.skipped_columns)}"
                  if report.skipped_columns else "") + ". It is now the dataset in use on every page.")
    for warning in getattr(report, "warnings", ()):
        st.warning(md(warning))
upload_id = uploads.upload_id_of(source.path) if source.origin == "upload" else None
if upload_id is not None and uploads.is_owner(upload_id):
    shared = st.toggle("Let anyone with this page's link open this dataset (its aggregates, on every page) until "
                       "it expires", value=uploads.is_shared(upload_id), key="d_share")
    if shared != uploads.is_shared(upload_id):
        uploads.set_shared(upload_id, shared)
    st.caption("The link in the address bar carries the scenario you built and this upload's random id, never "
               "any data. " + ("Anyone who has it can open this dataset." if shared else
                               "Only this browser can open it with that link."))
