"""The committee's action register on SQLite, PostgreSQL and MariaDB: history, optimistic
locking with field-wise merges, two concurrent writers, and a workspace that cannot be written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import pytest

from analysis.committee import OPEN_STATUSES
from data_connectors.actions import STATUSES, ActionStore
from data_connectors.errors import DataSourceError
from data_connectors.workspace import Workspace

NEW = {
    "meeting_month": "2026-10",
    "department": "Billing",
    "decision": "Send a confirmation e-mail after every refund",
    "target_kind": "theme",
    "target": "Payments",
    "owner_role": "Head of Billing",
    "due_date": date(2026, 11, 30),
    "status": "open",
}


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:
    workspace = Workspace.open(db_url)
    yield workspace
    workspace.close()


@pytest.fixture
def store(workspace: Workspace) -> ActionStore:
    return ActionStore(workspace)


def test_open_statuses_are_statuses():
    assert set(OPEN_STATUSES) <= set(STATUSES)


def test_an_action_is_saved_with_its_history(store):
    action = store.create("Anna", **NEW)
    assert (action.version, action.status, action.closed_at) == (1, "open", None)
    assert action.due_date == date(2026, 11, 30) and action.created_by == "Anna"
    table = store.actions()
    assert table["decision"].tolist() == [NEW["decision"]]
    assert str(table["due_date"].iloc[0].date()) == "2026-11-30"
    history = store.history(action.id)
    assert set(history["field"]) == set(NEW)
    assert (history["changed_by"] == "Anna").all() and history["old"].isna().all()
    assert history.loc[history["field"] == "due_date", "new"].item() == "2026-11-30"


def test_closing_stamps_closed_at_and_records_who_changed_what(store):
    action = store.create("Anna", **NEW)
    result = store.update(action, {"status": "closed", "outcome_note": "Done in week 45"}, "Ivan")
    assert result.written == ("status", "outcome_note") and not result.conflicts
    closed = result.action
    assert closed.version == 2 and closed.closed_at is not None and closed.updated_by == "Ivan"
    changes = store.history(action.id).query("version == 2")
    assert changes[["field", "old", "new", "changed_by"]].fillna("").values.tolist() == [
        ["status", "open", "closed", "Ivan"],
        ["outcome_note", "", "Done in week 45", "Ivan"],
    ]
    reopened = store.update(closed, {"status": "in progress"}, "Anna").action
    assert reopened.closed_at is None and reopened.version == 3


def test_a_stale_edit_of_other_fields_is_merged_not_lost(store):
    seen = store.create("Anna", **NEW)  # both sessions load version 1
    first = store.update(seen, {"status": "in progress"}, "Anna")
    second = store.update(seen, {"due_date": date(2026, 12, 15)}, "Ivan")
    assert second.written == ("due_date",) and not second.conflicts
    assert second.others["field"].tolist() == ["status"]  # what changed meanwhile, and by whom
    assert second.others["changed_by"].tolist() == ["Anna"]
    stored = store.get(seen.id)
    assert (stored.status, stored.due_date, stored.version) == (
        "in progress",
        date(2026, 12, 15),
        first.action.version + 1,
    )


def test_a_text_both_editors_changed_keeps_both_texts(store):
    seen = store.create("Anna", **NEW)
    store.update(seen, {"outcome_note": "Refund e-mails live"}, "Anna")
    result = store.update(seen, {"outcome_note": "Complaints halved"}, "Ivan")
    assert result.merged == ("outcome_note",)
    note = store.get(seen.id).outcome_note
    assert "Refund e-mails live" in note and "Complaints halved" in note and "[Ivan]" in note


def test_a_field_both_editors_changed_differently_keeps_the_stored_value_and_says_so(store):
    seen = store.create("Anna", **NEW)
    store.update(seen, {"status": "closed"}, "Anna")
    result = store.update(seen, {"status": "dropped", "owner_role": "Billing lead"}, "Ivan")
    assert result.written == ("owner_role",)
    (conflict,) = result.conflicts
    assert (conflict.field, conflict.yours, conflict.theirs, conflict.changed_by) == (
        "status",
        "dropped",
        "closed",
        "Anna",
    )
    stored = store.get(seen.id)
    assert (stored.status, stored.owner_role) == ("closed", "Billing lead")
    # Deciding for their own value, the author saves again from the version they now see.
    assert store.update(stored, {"status": "dropped"}, "Ivan").action.status == "dropped"


def test_two_concurrent_writers_lose_no_change(db_url):
    """Two sessions (own connection pools) save different fields of one action at once, each
    from the version it last saw; every change of both ends up stored, each version once."""
    setup = Workspace.open(db_url)
    action = ActionStore(setup).create("Anna", **NEW)
    edits = {
        "Anna": [("owner_role", f"Head of Billing {i}") for i in range(6)],
        "Ivan": [("target", f"Payments {i}") for i in range(6)],
    }
    errors: list[BaseException] = []

    def write(editor: str) -> None:
        workspace = Workspace.open(db_url)
        try:
            store, seen = ActionStore(workspace), action
            for field, value in edits[editor]:
                # From the version this session last saw: usually stale, the other writes too.
                seen = store.update(seen, {field: value}, editor).action
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            workspace.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in edits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store = ActionStore(setup)
    stored = store.get(action.id)
    history = store.history(action.id)
    setup.close()
    assert errors == []
    assert (stored.owner_role, stored.target) == ("Head of Billing 5", "Payments 5")
    assert stored.version == 1 + 12
    assert history.groupby("version").size().index.tolist() == list(range(1, 14))
    assert sorted(history.query("version > 1")["new"]) == sorted(
        value for changes in edits.values() for _, value in changes
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": "  "}, "decision is required"),
        ({"status": "finished"}, "status must be one of"),
        ({"due_date": "next week"}, "due date must be a date"),
        ({"meeting_month": "2026-13"}, "meeting month must be written YYYY-MM"),
        ({"target_kind": "person"}, "target kind must be one of"),
        ({"agent": "Agent 007"}, "unknown action field"),
    ],
)
def test_invalid_fields_are_refused_with_their_name(sqlite_url, changes, message):
    workspace = Workspace.open(sqlite_url)
    store = ActionStore(workspace)
    with pytest.raises(ValueError, match=message):
        store.create("Anna", **{**NEW, **changes})
    assert store.actions().empty
    workspace.close()


def test_a_read_only_workspace_gives_a_clear_message_and_keeps_what_was_saved(tmp_path):
    path = tmp_path / "workspace.sqlite"
    workspace = Workspace.open(f"sqlite:///{path}")
    saved = ActionStore(workspace).create("Anna", **NEW)
    workspace.close()
    # Read-only as a read-only file is for anyone but root (the tests run as root).
    read_only = Workspace(f"sqlite:///file:{path}?mode=ro&uri=true")
    store = ActionStore(read_only)
    with pytest.raises(DataSourceError, match="could not save the action.*readonly.*nothing"):
        store.update(saved, {"status": "closed"}, "Ivan")
    with pytest.raises(DataSourceError, match="could not save the action"):
        store.create("Ivan", **NEW)
    assert store.get(saved.id) == saved
    assert len(store.actions()) == 1
    read_only.close()
