"""What the entry script prepares for the pages on every run: source, data, filters."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import data
from dashboard.errors import show_error
from dashboard.filters import coverage, sidebar_filters
from dashboard.sources import SourceSpec, configured_source
from data_connectors.errors import LoyaltyLensError
from data_connectors.sql import mask_url

_KEY = "app.context"


@dataclass(frozen=True)
class AppContext:
    spec: SourceSpec
    choice: str  # a key of data.DATA_CHOICES
    loaded: data.Loaded | None
    error: LoyaltyLensError | None
    view: data.View | None


def prepare() -> AppContext:
    """Load the chosen data and draw the sidebar (data choice, filters, source indicator)."""
    spec = configured_source()
    choice = _data_choice()
    loaded, error, view = None, None, None
    try:
        if spec.kind == "demo" and choice != "uploads":
            data.ensure_demo_database()
        loaded = data.current(spec, choice)
    except LoyaltyLensError as exc:
        error = exc
    if loaded is not None:
        start, end, slice_ = sidebar_filters(loaded)
        view = data.view(loaded, start, end, slice_)
    _source_indicator(spec, loaded)
    ctx = AppContext(spec, choice, loaded, error, view)
    st.session_state[_KEY] = ctx
    return ctx


def _data_choice() -> str:
    """Helpdesk database, uploaded exports or both: offered once exports have been uploaded."""
    try:
        has_uploads = not data.workspace().is_empty()
    except LoyaltyLensError as exc:
        st.sidebar.warning(f"Uploaded exports are unavailable: {exc}")
        return "helpdesk"
    if not has_uploads:
        return "helpdesk"
    # Options are the labels themselves: a bound selectbox writes its label into the link.
    by_label = {label: key for key, label in data.DATA_CHOICES.items()}
    label = st.sidebar.selectbox(
        "Data",
        list(by_label),
        key="data",
        bind="query-params",
        help="Uploaded exports are kept in the app's workspace database; combined, an uploaded "
        "record replaces the helpdesk database's record with the same id.",
    )
    return by_label[label]


def get() -> AppContext:
    return st.session_state[_KEY]


def require_view() -> data.View:
    """The filtered data for a page, or stop the page with the source's error message."""
    ctx = get()
    if ctx.view is None:
        if ctx.error is not None:
            show_error(ctx.error)
        st.stop()
    return ctx.view


def _source_indicator(spec: SourceSpec, loaded: data.Loaded | None) -> None:
    with st.sidebar:
        st.divider()
        if loaded is None:
            st.caption(f":red[●] Source unavailable: {mask_url(spec.url)}")
            return
        info = loaded.dataset.source
        first, last = coverage(loaded)
        name = info.name if info else mask_url(spec.url)
        read_at = f" · read {info.loaded_at:%Y-%m-%d %H:%M} UTC" if info else ""
        st.caption(f":green[●] **{name}**  \nData {first:%d %b %Y} – {last:%d %b %Y}{read_at}")
        rejected = sum(int(r.summary()["rejected"].sum()) for r in loaded.reports.values())
        if rejected:
            st.caption(
                f":orange[{rejected:,} row(s) rejected by validation are left out] — "
                "see Data sources."
            )
