"""Drill-down through AppTest: a chosen point lists exactly the answers behind it.

A Plotly selection is seeded in session state, as the browser would send it; the expected rows are
counted here with SQL on the demo database, independently of the app's code.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

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
