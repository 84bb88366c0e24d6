"""The Data sources page's form: connect a helpdesk database for this session, test it first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.definitions import METRICS
from dashboard.errors import show_error
from dashboard.sources import PAGE_CHOICE_KEY, SourceSpec, secret_connections
from data_connectors import helpdesks
from data_connectors.errors import LoyaltyLensError
from data_connectors.mapping import Mapping
from data_connectors.sql import probe

CANONICAL = "Canonical tables (a database made for Loyalty Lens)"
ENTER_URL = "Enter a URL"
OWN_MAPPING = "Another database, with a mapping file"


def connect_form(*, expanded: bool) -> None:
    """Choose what the database is (a helpdesk product preset, the canonical tables, or a
    mapping file), give its URL and options, test the connection, and use it."""
    with st.expander("Connect a helpdesk database", expanded=expanded):
        st.caption(
            "A SQLAlchemy URL, e.g. `postgresql+psycopg://user:pass@host/db` or "
            "`mysql+pymysql://user:pass@host/db`. It is opened read-only; give it an account "
            "that can only read. For a permanent setting use `.streamlit/secrets.toml`."
        )
        saved = secret_connections()
        if saved:
            name = st.selectbox(
                "Connection from secrets.toml",
                [ENTER_URL, *saved],
                key="data_sources.secret",
                help="Connections under [connections.<name>]; their URLs are not shown.",
            )
            if name != ENTER_URL:
                _test_and_use(saved[name])
                return
        products = {helpdesks.get(key).product: key for key in helpdesks.PRESET_KEYS}
        kind = st.selectbox(
            "The database is", [*products, CANONICAL, OWN_MAPPING], key="data_sources.kind"
        )
        url = st.text_input("Database URL", type="password", key="data_sources.url").strip()
        preset = products.get(kind)
        options = _preset_options(preset) if preset else {}
        mapping_path = (
            st.text_input("Mapping file", key="data_sources.mapping").strip()
            if kind == OWN_MAPPING
            else None
        )
        spec = SourceSpec(
            "sql", url, mapping_path or None, "Data sources page", preset, tuple(options.items())
        )
        _test_and_use(spec)


def _test_and_use(spec: SourceSpec) -> None:
    test, use = st.columns(2)
    if test.button("Test connection", key="data_sources.test", disabled=not spec.url):
        _test(spec)
    if use.button(
        "Use this database", type="primary", key="data_sources.use", disabled=not spec.url
    ):
        st.session_state[PAGE_CHOICE_KEY] = spec
        st.rerun()
    if st.session_state.get(PAGE_CHOICE_KEY) and st.button("Back to the configured source"):
        del st.session_state[PAGE_CHOICE_KEY]
        st.rerun()


def _preset_options(key: str) -> dict[str, str]:
    preset = helpdesks.get(key)
    st.caption(preset.notes)
    with st.popover("What this preset reads", icon=":material/info:"):
        for table, columns in preset.fills.items():
            st.markdown(f"**{table}**: {', '.join(columns)}")
        for column, why in preset.cannot.items():
            st.markdown(f"- not available: **{column}** — {why}")
        st.caption(f"Written against {preset.source}")
    values = {
        name: st.text_input(
            name,
            value="" if default is None else str(default),
            help=help_text,
            key=f"data_sources.{key}.{name}",
        ).strip()
        for name, (default, help_text) in preset.options.items()
    }
    return {name: value for name, value in values.items() if value}  # empty: the default


def _test(spec: SourceSpec) -> None:
    """Connect and count what each canonical table would get, without reading the rows."""
    try:
        mapping = Mapping.from_file(spec.mapping_path) if spec.mapping_path else None
        counts = probe(spec.url, mapping, **spec.read_arguments())
    except ValueError as error:  # a bad option or mapping file
        st.error(str(error))
    except LoyaltyLensError as error:
        show_error(error, on_sources_page=True)
    else:
        st.success("Connected. Rows found per table:")
        st.dataframe(
            pd.DataFrame({"table": list(counts), "rows": list(counts.values())}),
            hide_index=True,
            key="data_sources.test_counts",
        )
        if spec.preset:
            _preset_metrics(helpdesks.get(spec.preset), counts)


def _preset_metrics(preset: helpdesks.HelpdeskPreset, counts: dict[str, int]) -> None:
    """Which metrics the preset's columns enable, given the rows found."""
    filled = {(t, c) for t, columns in preset.fills.items() if counts.get(t) for c in columns}
    rows = [
        {
            "metric": definition.name,
            "enabled": set(definition.requires) <= filled,
            "needs": ", ".join(f"{t}.{c}" for t, c in definition.requires if (t, c) not in filled),
        }
        for definition in METRICS.values()
    ]
    st.caption("Metrics this database enables:")
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="data_sources.test_metrics")
