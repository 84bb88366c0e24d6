"""Data sources: the active source, what it holds, which metrics it enables, what was rejected."""

import pandas as pd
import streamlit as st

from analysis.definitions import METRICS
from dashboard import context
from dashboard.connect import connect_form
from dashboard.errors import show_error
from dashboard.sources import PAGE_CHOICE_KEY, connect_form_allowed, demo_spec
from dashboard.widgets import validation_report
from data_connectors.schema import TABLES
from data_connectors.sql import mask_url

st.title("Data sources")
ctx = context.get()

with st.container(border=True):
    st.subheader("Active source")
    info = ctx.loaded.dataset.source if ctx.loaded else None
    st.markdown(
        f"**{info.name if info else 'Unavailable'}** · `{mask_url(ctx.spec.url)}`  \n"
        f"Configured by: {ctx.spec.origin}"
        + (
            f" · read {info.loaded_at:%Y-%m-%d %H:%M:%S} UTC · data version `{info.version[:12]}`"
            if info
            else ""
        )
    )
    if ctx.error is not None:
        show_error(ctx.error, on_sources_page=True)
    if ctx.spec.kind != "demo" and st.button(
        "Use the embedded demo instead", key="data_sources.demo"
    ):
        st.session_state[PAGE_CHOICE_KEY] = demo_spec()
        st.rerun()


if connect_form_allowed():
    connect_form(expanded=ctx.loaded is None)
else:
    st.caption(
        "Connecting another database from this page is switched off for this deployment "
        "(set `allow_connect_form = true` under `[loyalty_lens]` in secrets.toml to allow it)."
    )

if ctx.loaded is None:
    st.stop()

dataset = ctx.loaded.dataset

st.subheader("Tables")
coverage = dataset.date_coverage().set_index("table")
tables = pd.DataFrame(
    {
        "table": list(TABLES),
        "rows": [len(dataset.tables[name]) for name in TABLES],
        "first": [coverage["first"].get(name) for name in TABLES],
        "last": [coverage["last"].get(name) for name in TABLES],
    }
)
st.dataframe(
    tables,
    hide_index=True,
    key="data_sources.tables",
    column_config={
        "rows": st.column_config.NumberColumn("rows", format="localized"),
        "first": st.column_config.DatetimeColumn("first", format="YYYY-MM-DD HH:mm"),
        "last": st.column_config.DatetimeColumn("last", format="YYYY-MM-DD HH:mm"),
    },
)

left, right = st.columns(2)
with left:
    st.subheader("Optional columns")
    columns = pd.DataFrame(
        [
            {
                "table": table.name,
                "column": col.name,
                "present": dataset.has(table.name, col.name),
                "meaning": col.description,
            }
            for table in TABLES.values()
            for col in table.columns
            if not col.required
        ]
    )
    st.dataframe(
        columns,
        hide_index=True,
        key="data_sources.columns",
        column_config={"present": st.column_config.CheckboxColumn("present")},
    )
with right:
    st.subheader("Metrics available")
    metrics = pd.DataFrame(
        [
            {
                "metric": definition.name,
                "available": not dataset.missing(definition.requires),
                "needs": ", ".join(dataset.missing(definition.requires)),
            }
            for definition in METRICS.values()
        ]
    )
    st.dataframe(
        metrics,
        hide_index=True,
        key="data_sources.metrics",
        column_config={"available": st.column_config.CheckboxColumn("available")},
    )

links = ctx.loaded.links
if links is not None and links.counts["answers"].sum():
    st.subheader("Uploaded answers joined to customers")
    st.caption(
        "Each uploaded survey answer is joined by its ticket id, else its customer id, else an "
        "e-mail equal to a customer's (ignoring case and spaces)."
    )
    st.metric("Match rate", f"{links.match_rate:.1%}", border=True)
    st.dataframe(
        links.counts,
        hide_index=True,
        key="data_sources.links",
        column_config={"share": st.column_config.NumberColumn("share", format="percent")},
    )
    if not links.unmatched.empty:
        st.caption(f"{len(links.unmatched):,} answer(s) joined no customer:")
        st.dataframe(links.unmatched.head(1000), hide_index=True, key="data_sources.unmatched")

st.subheader("Validation report")
for label, report in ctx.loaded.reports.items():
    validation_report(report, title=label, key=f"data_sources.{label}")
