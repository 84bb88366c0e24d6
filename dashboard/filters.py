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


def _period_bounds(period: object, default_start: date, last: date) -> tuple[date, date]:
    """A date_input range may be half-picked (one date) while the user is choosing."""
    if isinstance(period, tuple | list):
        if len(period) == 2:
            return period[0], period[1]
        if len(period) == 1:
            return period[0], period[0]
    if isinstance(period, date):
        return period, period
    return default_start, last
