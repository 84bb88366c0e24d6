"""Upload exports: helpdesk and survey exports in, a clear report out, valid rows kept."""

import streamlit as st

from dashboard.uploading import stored_uploads, upload_panels

st.title("Upload exports")
st.caption(
    "CSV (any common encoding and delimiter), XLSX or Parquet exports of tickets, survey answers "
    "or customers. Exports of Zendesk, Freshdesk, ServiceNow, Jira Service Management, Chatwoot, "
    "Delighted, SurveyMonkey, Typeform and Google Forms are recognised by their headers; anything "
    "else is mapped here. Valid rows are kept in the app's workspace with where they came from; "
    "the same file twice adds nothing, and a newer export updates rows by id. Choose what the "
    "pages show under **Data** in the sidebar."
)
files = st.file_uploader(
    "Exports",
    type=["csv", "tsv", "tab", "txt", "xls", "xlsx", "xlsm", "parquet", "pq"],
    accept_multiple_files=True,
    key="uploads.files",
)
upload_panels([(file.name, file.getvalue()) for file in files or []])

stored_uploads()
