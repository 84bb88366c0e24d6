"""Global filters in the sidebar, bound to the URL's query parameters.

Each widget uses ``bind="query-params"`` with its key as the parameter name, so a copied link
(``?period=2026-08-01&period=2026-10-31&department=Billing``) opens the same view.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analysis.views import DIMENSIONS, Slice, options
from dashboard.data import Loaded

DEFAULT_PERIOD_DAYS = 90
LABELS = {
    "department": "Department",
    "channel": "Channel",
    "segment": "Segment",
    "region": "Region",
}


def coverage(loaded: Loaded) -> tuple[date, date]:
    """First and last day with contacts or survey answers."""
    stamps = pd.concat(
        [loaded.dataset.tickets["created_at"], loaded.dataset.surveys["responded_at"]]
    ).dropna()
    if stamps.empty:
        today = date.today()
        return today, today
    return stamps.min().date(), stamps.max().date()


def sidebar_filters(loaded: Loaded) -> tuple[date, date, Slice]:
    """Draw the global filters; return the period and the dimension slice."""
    first, last = coverage(loaded)
    default_start = max(first, last - timedelta(days=DEFAULT_PERIOD_DAYS - 1))
    _warn_about_unusable_link_values(loaded, first, last)
    with st.sidebar:
        st.subheader("Filters")
        period = st.date_input(
            "Period",
            value=(default_start, last),
            min_value=first,
            max_value=last,
            key="period",
            bind="query-params",
            help="Metrics cover this period; changes compare with the period of equal length "
            "just before it.",
        )
        start, end = _period_bounds(period, default_start, last)
        selected = {}
        for dim, table in DIMENSIONS.items():
            frame = loaded.tickets if table == "tickets" else loaded.dataset.customers
            values = options(frame, dim)
            if not values:
                continue  # the source has no such column: no filter to offer
            selected[dim] = tuple(
                st.multiselect(
                    LABELS[dim],
                    values,
                    key=dim,
                    bind="query-params",
                    placeholder="All",
                )
            )
    return start, end, Slice(selected)


def _warn_about_unusable_link_values(loaded: Loaded, first: date, last: date) -> None:
    """A shared link whose values this data lacks would silently show another view: say so.

    Streamlit drops invalid bound query parameters, so they are checked before the widgets.
    """
    dropped = []
    for dim, table in DIMENSIONS.items():
        frame = loaded.tickets if table == "tickets" else loaded.dataset.customers
        known = set(options(frame, dim))
        dropped += [f"{LABELS[dim]} “{v}”" for v in st.query_params.get_all(dim) if v not in known]
    for value in st.query_params.get_all("period"):
        day = pd.to_datetime(value, errors="coerce", format="ISO8601")
        if pd.isna(day) or not first <= day.date() <= last:
            dropped.append(
                f"period date “{value}” (data covers {first:%d %b %Y} – {last:%d %b %Y})"
            )
    if dropped:
        st.warning(
            "The link asked for values this data does not have, so they are not applied: "
            + "; ".join(dropped)
            + "."
        )


def _period_bounds(period: object, default_start: date, last: date) -> tuple[date, date]:
    """A date_input range may be half-picked (one date) while the user is choosing."""
    if isinstance(period, tuple | list):
        if len(period) == 2:
            return min(period), max(period)  # a hand-edited link may give them reversed
        if len(period) == 1:
            return period[0], period[0]
    if isinstance(period, date):
        return period, period
    return default_start, last
