"""Drill-down through AppTest: a chosen point lists exactly the answers behind it.

A Plotly selection is seeded in session state, as the browser would send it; the expected rows are
counted here with SQL on the demo database, independently of the app's code.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.pages.apptest import PAGES, new_app


def _low_nps_callbacks_per_month(db: Path) -> pd.Series:
    """Low NPS answers (0–6) asking for a callback, counted per calendar month."""
    with sqlite3.connect(db) as connection:
        rows = pd.read_sql(
            "SELECT responded_at FROM surveys WHERE survey_type = 'nps' AND score <= 6 "
            "AND callback_requested = 1",
            connection,
        )
    months = pd.to_datetime(rows["responded_at"], format="ISO8601").dt.to_period("M")
    return months.value_counts().sort_index()


def _select_point(at, chart_key: str, x: str) -> None:
    at.session_state[chart_key] = {
        "selection": {
            "points": [{"x": x, "y": 0, "curve_number": 0, "point_number": 0}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }


def test_choosing_a_callback_bar_lists_the_low_scores_that_asked(app_env):
    counts = _low_nps_callbacks_per_month(app_env)
    month = counts.idxmax()
    at = new_app()
    at.run()
    at.switch_page(PAGES["loyalty"]).run()
    _select_point(at, "loyalty.callbacks", month.start_time.strftime("%Y-%m-%d"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    titles = [m.value for m in at.markdown if m.value.startswith("**The ")]
    expected = f"**The {counts[month]:,} answers behind {month.start_time:%d %b %Y}"
    assert any(t.startswith(expected) for t in titles), titles
    behind = [
        frame.value
        for frame in at.dataframe
        if {"score", "responded_at"} <= set(frame.value.columns)
        and len(frame.value) == counts[month]
    ]
    assert behind, "the drill-down table is missing"
    assert (behind[0]["score"] <= 6).all()


def test_cohort_resolution_median_counts_open_tickets(app_env):
    """The Kaplan–Meier median on the Service quality page equals one computed here with
    scipy.stats.ecdf straight from SQL rows: resolved tickets are events, open ones are censored
    at the data's end + 1 day, contacts closed or abandoned without a resolution are left out."""
    from scipy import stats

    from tests.pages.test_pages import _default_period

    start, end = _default_period(app_env)
    with sqlite3.connect(app_env) as connection:
        tickets = pd.read_sql(
            "SELECT channel, created_at, resolved_at, status, abandoned FROM tickets", connection
        )
    created = pd.to_datetime(tickets["created_at"], format="ISO8601")
    resolved = pd.to_datetime(tickets["resolved_at"], format="ISO8601")
    cohort = tickets.loc[(created.dt.normalize() >= start) & (created.dt.normalize() <= end)]
    channel = cohort["channel"].value_counts().idxmax()
    mine = cohort["channel"] == channel
    ended = resolved.isna() & (
        (tickets["abandoned"] == 1) | tickets["status"].str.lower().isin(["closed", "abandoned"])
    )
    chosen = mine.reindex(tickets.index, fill_value=False) & ~ended
    as_of = end + pd.Timedelta(days=1)
    seconds = ((resolved.fillna(as_of) - created).dt.total_seconds())[chosen]
    seconds = seconds[seconds >= 0]
    observed = resolved[seconds.index].notna()
    curve = stats.ecdf(stats.CensoredData.right_censored(seconds, ~observed)).sf
    event_times = np.unique(seconds[observed])
    expected = event_times[curve.evaluate(event_times) <= 0.5][0] / 60

    at = new_app()
    at.run()
    at.switch_page(PAGES["service_quality"]).run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(f.value for f in at.dataframe if "resolved_median" in f.value.columns)
    row = table.set_index("group").loc[channel]
    assert row["median"] == pytest.approx(expected)
    assert row["median"] >= row["resolved_median"]
