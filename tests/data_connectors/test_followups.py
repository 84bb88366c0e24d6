"""The follow-up store against real SQLite, PostgreSQL and MariaDB workspaces.

Each test gets a fresh database of each kind (``db_url`` in conftest.py). Concurrency is tested
with two stores on two separate connection pools, as two browser sessions on two app servers
would have, and with threads writing at the same moment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pandas as pd
import pytest

from analysis.followup import EVENT_COLUMNS, current_state
from data_connectors.errors import DataSourceError
from data_connectors.followups import DEMO_EDITOR, NOTE_LENGTH, FollowupStore, demo_history
from data_connectors.workspace import Workspace


@pytest.fixture
def store(db_url: str) -> Iterator[FollowupStore]:
    workspace = Workspace.open(db_url)
    yield FollowupStore(workspace)
    workspace.close()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def test_marks_read_back_in_order_with_who_and_when(store):
    before = utc_now()
    first = store.mark("R1", "contacted", editor=" Ann ", note="  reached her  ")
    store.mark("R1", "resolved", editor="Bob", seen_event_id=first.event_id)
    after = utc_now()
    events = store.events()
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert events[["response_id", "status", "editor"]].values.tolist() == [
        ["R1", "contacted", "Ann"],
        ["R1", "resolved", "Bob"],
    ]
    assert events["note"].iloc[0] == "reached her" and pd.isna(events["note"].iloc[1])
    assert events["event_id"].is_monotonic_increasing
    assert events["handled_at"].between(before, after).all()
    assert events["handled_at"].iloc[0] == first.handled_at  # microseconds kept (DATETIME(6))
    state = current_state(events)  # the frame is what the analysis reads
    assert state.loc["R1", "status"] == "resolved"
    assert state.loc["R1", "contacted_at"] == first.handled_at


def test_an_empty_store_reads_as_empty_events(store):
    events = store.events()
    assert events.empty and list(events.columns) == list(EVENT_COLUMNS)
    assert str(events["handled_at"].dtype) == "datetime64[ns]"


def test_two_sessions_marking_the_same_answer_both_keep_their_change(db_url):
    """Both sessions saw the answer without marks; both save: both rows stay, and the second
    learns of the first."""
    first_workspace, second_workspace = Workspace.open(db_url), Workspace.open(db_url)
    first, second = FollowupStore(first_workspace), FollowupStore(second_workspace)
    saved_first = first.mark("R7", "contacted", editor="Ann", note="called", seen_event_id=None)
    saved_second = second.mark("R7", "resolved", editor="Bob", note="fixed", seen_event_id=None)
    # Bob has now seen Ann's mark: the next time there is nothing new to report to him.
    again = second.mark("R7", "resolved", editor="Bob", seen_event_id=saved_second.event_id)
    events = first.events()
    first_workspace.close()
    second_workspace.close()
    assert events[["editor", "status"]].values.tolist() == [
        ["Ann", "contacted"],
        ["Bob", "resolved"],
        ["Bob", "resolved"],
    ]
    assert events["note"].iloc[:2].tolist() == ["called", "fixed"]
    assert saved_first.meanwhile.empty
    assert saved_second.meanwhile[["editor", "status"]].values.tolist() == [["Ann", "contacted"]]
    assert again.meanwhile.empty


def test_simultaneous_writers_lose_nothing(db_url):
    writers, marks = 4, 5
    workspaces = [Workspace.open(db_url) for _ in range(writers)]
    stores = [FollowupStore(workspace) for workspace in workspaces]
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(index: int) -> None:
        try:
            start.wait()
            for mark in range(marks):
                stores[index].mark("R1", "contacted", editor=f"writer {index}", note=str(mark))
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = stores[0].events()
    for workspace in workspaces:
        workspace.close()
    assert failures == []
    assert len(events) == writers * marks
    assert events["event_id"].is_unique
    assert events.groupby("editor")["note"].apply(list).to_dict() == {
        f"writer {i}": [str(m) for m in range(marks)] for i in range(writers)
    }


def test_a_read_only_workspace_says_so_and_keeps_what_was_saved(tmp_path):
    path = tmp_path / "workspace.sqlite"
    workspace = Workspace.open(f"sqlite:///{path}")
    FollowupStore(workspace).mark("R1", "contacted", editor="Ann")
    workspace.close()
    # Opened read-only (a read-only file stops any user but root, who runs the tests).
    read_only = Workspace(f"sqlite:///file:{path}?mode=ro&uri=true")
    store = FollowupStore(read_only)
    with pytest.raises(DataSourceError, match="could not save the follow-up.*readonly.*nothing"):
        store.mark("R1", "resolved", editor="Bob", note="typed")
    events = store.events()
    read_only.close()
    assert events[["status", "editor"]].values.tolist() == [["contacted", "Ann"]]


def test_a_read_only_workspace_without_the_table_gives_a_clear_message(tmp_path):
    path = tmp_path / "workspace.sqlite"
    Workspace.open(f"sqlite:///{path}").close()
    read_only = Workspace(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(DataSourceError, match="could not create the workspace tables.*readonly"):
        FollowupStore(read_only)
    read_only.close()


#: Marks the store refuses, and the message that says why.
BAD_MARKS = [
    ({"status": "called"}, "status must be one of new, contacted"),
    ({"editor": "  "}, "editor must not be empty"),
    ({"response_id": ""}, "response_id must not be empty"),
    ({"note": "x" * (NOTE_LENGTH + 1)}, f"note must have at most {NOTE_LENGTH:,}"),
    ({"note": 5}, "note must be text"),
]


def test_bad_marks_are_refused_and_nothing_is_written(tmp_path):
    workspace = Workspace.open(f"sqlite:///{tmp_path / 'workspace.sqlite'}")
    store = FollowupStore(workspace)
    for arguments, message in BAD_MARKS:
        values = {"response_id": "R1", "status": "contacted", "editor": "Ann", **arguments}
        with pytest.raises(ValueError, match=message):
            store.mark(values.pop("response_id"), values.pop("status"), **values)
    assert store.events().empty
    workspace.close()


def test_the_demo_history_is_plausible_and_round_trips(tmp_path):
    answered = pd.Timestamp("2026-03-02 09:00")
    surveys = pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(400)],
            "responded_at": [answered + pd.Timedelta(hours=i) for i in range(400)],
            "survey_type": ["csat", "nps", "csat", "ces"] * 100,
            "score": [1, 6, 4, 7] * 100,  # low CSAT, detractor, not low, CES (not followed up)
            "department": ["Billing", "Support"] * 200,
        }
    )
    now = answered + pd.Timedelta(hours=300)
    history = demo_history(surveys, now)
    assert history.equals(demo_history(surveys, now))  # deterministic
    followed = set(surveys["response_id"].iloc[::4]) | set(surveys["response_id"].iloc[1::4])
    assert set(history["response_id"]) <= followed
    assert (history["handled_at"] <= now).all() and (history["editor"] == DEMO_EDITOR).all()
    order = {"could not reach": 0, "contacted": 1, "resolved": 2}
    for _, marks in history.groupby("response_id"):
        assert marks["status"].map(order).is_monotonic_increasing  # attempt, contact, resolved
    stamps = history.merge(surveys, on="response_id")
    assert (stamps["handled_at"] > stamps["responded_at"]).all()

    workspace = Workspace.open(f"sqlite:///{tmp_path / 'workspace.sqlite'}")
    store = FollowupStore(workspace)
    assert store.add_history(history) == len(history)
    saved = store.events()
    workspace.close()
    assert saved[["response_id", "status", "editor"]].values.tolist() == (
        history[["response_id", "status", "editor"]].values.tolist()
    )
    assert saved["handled_at"].tolist() == history["handled_at"].tolist()
