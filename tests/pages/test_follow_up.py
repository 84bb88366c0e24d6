"""The Follow-up page through AppTest on the small demo: queue, marks, who, errors, two sessions.

Expected counts are read straight from the demo database with SQL, not from the app; saved marks
are read back from the workspace database through the store.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_connectors.followups import FollowupStore
from data_connectors.workspace import ENV_URL as WORKSPACE_ENV_URL
from data_connectors.workspace import Workspace
from tests.pages.apptest import PAGES, new_app

PHONE_NOTE = "Called back, she asked for a text to +7 912 345-67-89"


@pytest.fixture
def workspace_url(app_env: Path, tmp_path: Path) -> str:
    """The workspace database app_env points the app at."""
    return f"sqlite:///{tmp_path / 'workspace.sqlite'}"


def events(url: str) -> pd.DataFrame:
    workspace = Workspace.open(url)
    try:
        return FollowupStore(workspace).events()
    finally:
        workspace.close()


def open_page(user: dict | None = None) -> AppTest:
    at = new_app()
    if user is not None:
        at.user = user
    at.run()
    at.switch_page(PAGES["follow_up"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The one table holding ``column`` (read-only tables keep no key in AppTest)."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def mark(at: AppTest, status: str, note: str) -> str:
    """Mark the answer the page offers first; return its response_id."""
    picked = at.selectbox(key="follow_up.answer").value
    at.radio(key="follow_up.new_status").set_value(status)
    at.text_area(key=f"follow_up.note.{picked}").input(note)
    at.button(key="follow_up.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return picked


def low_scores_in_default_period(db: Path) -> pd.DataFrame:
    """CSAT 1–2 and NPS 0–6 answers in the app's default period, the last 90 days with data."""
    with sqlite3.connect(db) as connection:
        surveys = pd.read_sql(
            "SELECT response_id, survey_type, score, responded_at FROM surveys", connection
        )
        last_contact = pd.read_sql("SELECT max(created_at) AS t FROM tickets", connection)["t"]
    surveys["responded_at"] = pd.to_datetime(surveys["responded_at"])
    last = max(surveys["responded_at"].max(), pd.to_datetime(last_contact).iloc[0]).normalize()
    day = surveys["responded_at"].dt.normalize()
    low = ((surveys["survey_type"] == "csat") & (surveys["score"] <= 2)) | (
        (surveys["survey_type"] == "nps") & (surveys["score"] <= 6)
    )
    return surveys.loc[low & (day >= last - pd.Timedelta(days=89)) & (day <= last)]


def test_the_queue_lists_every_low_score_and_nothing_is_judged_before_a_mark(app_env):
    at = open_page()
    assert at.title[0].value == "Follow-up"
    assert not at.error
    expected = len(low_scores_in_default_period(app_env))
    assert expected > 0
    assert any(
        c.value.startswith(f"{expected:,} of {expected:,} low scores shown") for c in at.caption
    )
    assert any("No follow-up mark has been saved" in i.value for i in at.info)
    assert at.text_input(key="editor.name_input").value == ""
    assert len(frame_with(at, "why_hard")) > 0


def test_a_mark_is_saved_with_the_typed_name_and_the_note_is_cleared(app_env, workspace_url):
    at = open_page()
    at.text_input(key="editor.name_input").input("Ada").run()
    picked = mark(at, "contacted", PHONE_NOTE)
    assert [s.value for s in at.success] == [f"Saved the mark on {picked}."]
    saved = events(workspace_url)
    assert saved[["response_id", "status", "editor", "note"]].values.tolist() == [
        [picked, "contacted", "Ada", PHONE_NOTE]
    ]
    # Contacted, it has left the open queue; shown with every status, its note box is empty
    # and its history shows the mark, with the phone number masked.
    labels = at.selectbox(key="follow_up.answer").options  # formatted: "R… · CSAT 1–2 · new"
    assert labels and not any(label.startswith(f"{picked} ·") for label in labels)
    at.multiselect(key="follow_up.status").set_value([]).run()
    at.selectbox(key="follow_up.answer").set_value(picked).run()
    assert at.text_area(key=f"follow_up.note.{picked}").value == ""
    history = frame_with(at, "event_id")
    assert history["note"].tolist() == ["Called back, she asked for a text to [phone]"]
    # Tracking has begun: the compliance section no longer says no mark was saved.
    assert not any("No follow-up mark has been saved" in i.value for i in at.info)
    # The typed name survives a visit to another page.
    at.switch_page(PAGES["overview"]).run()
    at.switch_page(PAGES["follow_up"]).run()
    assert at.text_input(key="editor.name_input").value == "Ada"


def test_a_logged_in_user_is_recorded_by_name(app_env, workspace_url):
    at = open_page(user={"is_logged_in": True, "name": "Grace Hopper", "email": "g@example.com"})
    assert any("Changes are saved as **Grace Hopper**" in c.value for c in at.sidebar.caption)
    assert not [t for t in at.text_input if t.key == "editor.name_input"]
    mark(at, "resolved", "")
    assert events(workspace_url)["editor"].tolist() == ["Grace Hopper"]


def test_two_sessions_marking_the_same_answer_keep_both_changes(app_env, workspace_url):
    first, second = open_page(), open_page()  # the first stays nameless: "anonymous"
    second.text_input(key="editor.name_input").input("Bob").run()
    picked = mark(first, "contacted", "reached")
    assert mark(second, "resolved", "refund agreed") == picked
    warnings = [w.value for w in second.warning]
    assert any(
        f"anonymous marked {picked} “contacted”" in w and "Both marks are kept" in w
        for w in warnings
    )
    assert events(workspace_url)[["editor", "status", "note"]].values.tolist() == [
        ["anonymous", "contacted", "reached"],
        ["Bob", "resolved", "refund agreed"],
    ]


def test_a_read_only_workspace_says_so_keeps_the_typed_note_and_loses_nothing(
    app_env, workspace_url, monkeypatch, tmp_path
):
    workspace = Workspace.open(workspace_url)
    FollowupStore(workspace).mark("R-earlier", "contacted", editor="Ann")
    workspace.close()
    path = tmp_path / "workspace.sqlite"
    monkeypatch.setenv(WORKSPACE_ENV_URL, f"sqlite:///file:{path}?mode=ro&uri=true")
    at = open_page()
    picked = mark(at, "contacted", PHONE_NOTE)
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "The mark was not saved: could not save the follow-up" in errors[0]
    assert "readonly" in errors[0] and "Your note is kept below" in errors[0]
    assert at.text_area(key=f"follow_up.note.{picked}").value == PHONE_NOTE
    assert not at.success
    assert events(workspace_url)["response_id"].tolist() == ["R-earlier"]


def test_the_demo_history_fills_the_compliance_tile_with_the_right_share(app_env, workspace_url):
    at = open_page()
    at.button(key="follow_up.simulate").click().run()
    assert not at.exception and not at.error
    saved = events(workspace_url)
    assert len(saved) > 0 and set(saved["editor"]) == {"demo (simulated)"}
    # Recomputed here from the saved marks and the demo's answers: judged = low scores of the
    # default period answered after tracking began (first mark − 60 min); within = first
    # contacted/resolved mark at most 60 min after the answer; never contacted and answered
    # within the last hour: not yet due, left out.
    low = low_scores_in_default_period(app_env)
    contacts = saved.loc[saved["status"].isin(["contacted", "resolved"])]
    first_contact = contacts.groupby("response_id")["handled_at"].min()
    since = saved["handled_at"].min() - pd.Timedelta(minutes=60)
    tracked = low.loc[low["responded_at"] >= since]
    waited = tracked["response_id"].map(first_contact) - tracked["responded_at"]
    hour_ago = pd.Timestamp.now(tz="UTC").tz_localize(None) - pd.Timedelta(minutes=60)
    judged = tracked.loc[waited.notna() | (tracked["responded_at"] < hour_ago)]
    within = int((waited <= pd.Timedelta(minutes=60)).sum())
    tile = [m for m in at.metric if m.label == "Contacted within target"][0]
    assert tile.value == f"{100 * within / len(judged):.1f}%"
    assert any(f"n = {len(judged):,}" in c.value for c in at.caption)
    # Drill-down, with selections seeded in session state as the browser sends them: the first
    # department's row lists its judged and pending low scores; the last week's point lists the
    # tracked low scores answered that week (counted here from the demo database).
    first = at.dataframe(key="follow_up.by_department").value.iloc[0]
    monday = (
        low["responded_at"].max() - pd.Timedelta(days=low["responded_at"].max().weekday())
    ).normalize()
    in_week = tracked["responded_at"].between(
        monday, monday + pd.Timedelta(days=7), inclusive="left"
    )
    at.session_state["follow_up.by_department"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    at.session_state["follow_up.trend"] = {
        "selection": {
            "points": [{"x": f"{monday:%Y-%m-%d}", "y": 0, "curve_number": 1, "point_number": 0}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    titles = [m.value for m in at.markdown]
    expected = int(first["within"] + first["late"] + first["not_yet_due"])
    assert f"**The {expected:,} low scores behind {first['group']}**" in titles
    week_title = (
        f"**The {int(in_week.sum()):,} low scores behind the period from {monday:%d %b %Y}**"
    )
    assert week_title in titles
