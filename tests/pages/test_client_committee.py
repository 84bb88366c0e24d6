"""The Client committee page through AppTest on the small demo: the month from the link, numbers
checked with SQL, actions saved with their author, concurrent edits and a read-only workspace."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data_connectors.actions import ActionStore
from data_connectors.workspace import ENV_URL as WORKSPACE_ENV_URL
from data_connectors.workspace import Workspace
from tests.pages.apptest import PAGES, new_app


def _last_day(db: Path) -> pd.Timestamp:
    """The last contact or answer in the data."""
    with sqlite3.connect(db) as connection:
        stamps = pd.read_sql(
            "SELECT max(created_at) AS t FROM tickets UNION ALL "
            "SELECT max(responded_at) FROM surveys",
            connection,
        )["t"]
    return pd.to_datetime(stamps).max()


def _complaints(db: Path, month: pd.Timestamp) -> pd.Series:
    """Complaints per department in ``month``, counted with SQL."""
    last = month + pd.offsets.MonthEnd(0)
    with sqlite3.connect(db) as connection:
        return pd.read_sql(
            "SELECT department, SUM(is_complaint) AS n FROM tickets "
            "WHERE date(created_at) BETWEEN ? AND ? GROUP BY department ORDER BY department",
            connection,
            params=(f"{month:%Y-%m-%d}", f"{last:%Y-%m-%d}"),
        ).set_index("department")["n"]


def _open(month: str | None = None):
    at = new_app()
    if month:
        at.query_params["month"] = month
    at.run()
    at.switch_page(PAGES["client_committee"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _workspace_url() -> str:
    import os

    return os.environ[WORKSPACE_ENV_URL]


def test_defaults_to_the_last_complete_month_names_no_agent_and_drills_down(app_env):
    at = _open()
    assert not at.error, [e.value for e in at.error]
    last = _last_day(app_env)
    expected = (last.normalize().replace(day=1) - pd.Timedelta(days=1)).replace(day=1)
    if (last + pd.Timedelta(days=1)).day == 1:  # the data ends on a month's last day
        expected = last.normalize().replace(day=1)
    assert at.selectbox(key="month").value == f"{expected:%Y-%m}"
    with sqlite3.connect(app_env) as connection:
        agents = pd.read_sql("SELECT DISTINCT agent FROM tickets", connection)["agent"].dropna()
    shown = " ".join(
        [str(frame.value.to_csv()) for frame in at.dataframe]
        + [m.value for m in at.markdown]
        + [c.value for c in at.caption]
    )
    assert len(agents) and not any(agent in shown for agent in agents)
    # Choosing a department's row lists the complaints behind it.
    complaints = _complaints(app_env, expected)
    at.session_state["committee.scorecard"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    at.run()
    (behind,) = [f.value for f in at.dataframe if "resolved_at" in f.value.columns]
    assert len(behind) == complaints.iloc[0]
    titles = [m.value for m in at.markdown if m.value.startswith("**The ")]
    assert any(complaints.index[0] in t for t in titles), titles


def test_the_month_in_the_link_is_shown_and_complaints_match_sql(app_env):
    month = (_last_day(app_env).replace(day=1) - pd.DateOffset(months=2)).normalize()
    at = _open(f"{month:%Y-%m}")
    assert at.selectbox(key="month").value == f"{month:%Y-%m}"
    assert f"Scorecard — {month:%B %Y}" in [s.value for s in at.subheader]
    card = at.dataframe(key="committee.scorecard").value.set_index("Department")
    for department, count in _complaints(app_env, month).items():
        assert card.loc[department, "Complaints"].startswith(f"{int(count)} [")


def test_a_new_action_is_checked_then_saved_with_its_author(app_env):
    at = _open()
    at.text_input(key="editor.name_input").set_value("Anna").run()
    at.text_input(key="committee.new.owner").set_value("Head of Support")
    at.button(key="committee.new.save").click().run()
    assert any("decision is required" in e.value for e in at.error)
    at.text_area(key="committee.new.decision").set_value("Weekend support hours")
    at.text_input(key="committee.new.owner").set_value("Head of Support")
    at.button(key="committee.new.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    workspace = Workspace.open(_workspace_url())
    actions = ActionStore(workspace).actions()
    workspace.close()
    assert actions[["decision", "owner_role", "created_by"]].values.tolist() == [
        ["Weekend support hours", "Head of Support", "Anna"]
    ]
    register = at.dataframe(key="committee.actions").value
    assert register["decision"].tolist() == ["Weekend support hours"]


def _seed_action(**changes) -> None:
    workspace = Workspace.open(_workspace_url())
    fields = {
        "meeting_month": "2026-01",
        "department": "Billing",
        "decision": "Refund confirmation e-mails",
        "target_kind": "kpi",
        "target": "complaints",
        "owner_role": "Head of Billing",
        "due_date": date(2026, 2, 1),
        "status": "open",
    }
    ActionStore(workspace).create("Ivan", **{**fields, **changes})
    workspace.close()


def test_an_edit_from_a_stale_version_keeps_the_other_change_and_says_so(app_env):
    _seed_action()
    at = _open()
    at.session_state["committee.actions"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()  # this session now edits version 1
    workspace = Workspace.open(_workspace_url())
    store = ActionStore(workspace)
    store.update(store.get(1), {"status": "in progress"}, "Ivan")  # another session saves first
    at.text_area(key="committee.edit.1.1.outcome_note").set_value("E-mails live since June")
    at.button(key="committee.edit.1.1.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = store.get(1)
    workspace.close()
    assert (stored.status, stored.outcome_note, stored.version) == (
        "in progress",
        "E-mails live since June",
        3,
    )
    assert any("Meanwhile Ivan changed: status" in i.value for i in at.info)


@pytest.fixture
def read_only_workspace(app_env, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The workspace holds one action and is then opened read-only (tests run as root, so a
    read-only file would still be writable)."""
    _seed_action()
    path = Path(_workspace_url().removeprefix("sqlite:///"))
    monkeypatch.setenv(WORKSPACE_ENV_URL, f"sqlite:///file:{path}?mode=ro&uri=true")
    return path


def test_a_read_only_workspace_gives_a_clear_message_and_keeps_the_saved_action(
    read_only_workspace,
):
    at = _open()
    at.text_area(key="committee.new.decision").set_value("Callback option")
    at.text_input(key="committee.new.owner").set_value("Head of Support")
    at.button(key="committee.new.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(
        "could not save the action" in e.value and "nothing was changed" in e.value
        for e in at.error
    )
    register = at.dataframe(key="committee.actions").value
    assert register["decision"].tolist() == ["Refund confirmation e-mails"]
