"""The client committee's action register, kept in the workspace database with its history.

An action is a decision of the committee: the department that owns it, the theme or KPI it
targets, the role that owns it (a role, not a person: the committee is blame-free), a due date,
a status and an outcome note. Every change is a row of ``committee_action_history`` (action,
version it produced, when in UTC, who, field, old and new value).

Concurrent edits (two browser sessions) never lose a change: optimistic locking. Each action
has a ``version``; an edit is made *from* the version its author saw (``base``). Saving
re-reads the stored action in the same transaction and merges field by field:

* a field only the author changed is written;
* a field someone else changed meanwhile, and the author did not, keeps the other value;
* a text field (decision, outcome note) both changed is written with *both* texts;
* any other field both changed to different values keeps the stored value and is returned as a
  :class:`Conflict` (yours, theirs, who, when) for the author to decide.

The stored action's row is locked before it is read (:func:`_lock`) and written with
``UPDATE … WHERE id = :id AND version = :read``; should another writer still slip in between,
the merge is redone on the newer version. Every write runs in
:meth:`Workspace.transaction`: a database that cannot be written (read-only file, full disk,
lost server) raises :class:`~data_connectors.errors.DataSourceError` and nothing saved before is
touched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from data_connectors.errors import DataSourceError
from data_connectors.workspace import TABLE_OPTIONS, TIMESTAMP, Workspace, utc_now

#: Statuses in their usual order; the first two are open.
STATUSES = ("open", "in progress", "closed", "dropped")
FINISHED = ("closed", "dropped")
#: What an action targets: a scorecard KPI or a complaint theme.
TARGET_KINDS = ("kpi", "theme")
#: Fields an editor sets, in form order.
EDITABLE = (
    "meeting_month",
    "department",
    "decision",
    "target_kind",
    "target",
    "owner_role",
    "due_date",
    "status",
    "outcome_note",
)
#: Free-text fields: when two editors change one, both texts are kept.
TEXT_FIELDS = ("decision", "outcome_note")
#: Retries when another writer saves between the read and the write of an update.
MAX_ATTEMPTS = 5
NAME_LENGTH = 200

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

METADATA = sa.MetaData()

ACTIONS = sa.Table(
    "committee_actions",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("meeting_month", sa.String(7), nullable=False),
    sa.Column("department", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("decision", sa.Text(), nullable=False),
    sa.Column("target_kind", sa.String(8), nullable=False),
    sa.Column("target", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("owner_role", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("due_date", sa.Date(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("outcome_note", sa.Text()),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("created_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    sa.Column("updated_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("closed_at", TIMESTAMP),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
    **TABLE_OPTIONS,
)

HISTORY = sa.Table(
    "committee_action_history",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("action_id", sa.Integer(), sa.ForeignKey(ACTIONS.c.id), nullable=False, index=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("changed_at", TIMESTAMP, nullable=False),
    sa.Column("changed_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("old", sa.Text()),
    sa.Column("new", sa.Text()),
    sqlite_autoincrement=True,
    **TABLE_OPTIONS,
)

#: Columns of :meth:`ActionStore.history`.
HISTORY_COLUMNS = ["action_id", "version", "changed_at", "changed_by", "field", "old", "new"]


@dataclass(frozen=True)
class Action:
    """One stored action (timestamps naive UTC)."""

    id: int
    meeting_month: str
    department: str
    decision: str
    target_kind: str
    target: str
    owner_role: str
    due_date: date
    status: str
    outcome_note: str | None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    closed_at: datetime | None
    version: int


#: Columns of :meth:`ActionStore.actions`.
ACTION_COLUMNS = [f.name for f in fields(Action)]


@dataclass(frozen=True)
class Conflict:
    """A field both editors changed to different values: the stored value was kept."""

    field: str
    yours: object
    theirs: object
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class SaveResult:
    """What :meth:`ActionStore.update` did.

    ``action``: the action as stored now. ``written``: fields set to the author's value;
    ``merged``: text fields saved with both texts; ``conflicts``: fields kept as another editor
    left them; ``others``: the history rows other editors wrote since the author's version.
    """

    action: Action
    written: tuple[str, ...]
    merged: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    others: pd.DataFrame


def _text(name: str, value: object, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(f"{name.replace('_', ' ')} is required")
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name.replace('_', ' ')} must be text, got {value!r}")
    text = value.strip()
    if name not in TEXT_FIELDS and len(text) > NAME_LENGTH:
        raise ValueError(f"{name.replace('_', ' ')} is longer than {NAME_LENGTH} characters")
    return text


def _checked(name: str, value: object) -> object:
    """One editable field's value, normalised; ValueError naming the field if it is invalid."""
    if name == "due_date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"due date must be a date (YYYY-MM-DD), got {value!r}") from None
    if name == "status" and value not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {value!r}")
    if name == "target_kind" and value not in TARGET_KINDS:
        raise ValueError(f"target kind must be one of {', '.join(TARGET_KINDS)}, got {value!r}")
    if name == "meeting_month" and not (isinstance(value, str) and _MONTH.fullmatch(value)):
        raise ValueError(f"meeting month must be written YYYY-MM, got {value!r}")
    return _text(name, value, required=name != "outcome_note")


def _shown(value: object) -> str | None:
    """A value as the history stores it."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _merge_text(theirs: str | None, yours: str | None, editor: str) -> str:
    """Both texts of a field two editors changed: the stored one, then the author's."""
    return f"{theirs or ''}\n\n[{editor}]: {yours or ''}".strip()


class ActionStore:
    """The action register in ``workspace`` (its tables are created when missing)."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        workspace.create_tables(METADATA)

    def create(self, editor: str, **values: object) -> Action:
        """Save a new action (every field of :data:`EDITABLE`; ``outcome_note`` optional).

        ValueError names an invalid or missing field; DataSourceError when it cannot be saved.
        """
        missing = set(EDITABLE) - set(values) - {"outcome_note"}
        unknown = set(values) - set(EDITABLE)
        if missing or unknown:
            raise ValueError(
                f"an action needs {', '.join(sorted(missing))}"
                if missing
                else f"unknown action field(s): {', '.join(sorted(unknown))}"
            )
        checked = {name: _checked(name, values.get(name)) for name in EDITABLE}
        now, who = utc_now(), _text("editor", editor)
        stamps = {"created_at": now, "created_by": who, "updated_at": now, "updated_by": who}
        closed = {"closed_at": now if checked["status"] in FINISHED else None}
        with self._workspace.transaction("save the action") as connection:
            result = connection.execute(
                sa.insert(ACTIONS).values(**checked, **stamps, **closed, version=1)
            )
            action_id = result.inserted_primary_key[0]
            connection.execute(
                sa.insert(HISTORY),
                [
                    _history(action_id, 1, now, who, name, None, checked[name])
                    for name in EDITABLE
                    if checked[name] is not None
                ],
            )
            return _read(connection, action_id)

    def update(self, base: Action, changes: Mapping[str, object], editor: str) -> SaveResult:
        """Save ``changes`` made from ``base`` (the version the editor saw), merged with any
        change saved since (see the module docstring). Unchanged fields are ignored.

        Setting ``status`` to closed or dropped stamps ``closed_at``; reopening clears it.
        """
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValueError(f"unknown action field(s): {', '.join(sorted(unknown))}")
        checked = {name: _checked(name, value) for name, value in changes.items()}
        wanted = {name: v for name, v in checked.items() if v != getattr(base, name)}
        who = _text("editor", editor)
        for _ in range(MAX_ATTEMPTS):
            with self._workspace.transaction("save the action") as connection:
                _lock(connection, base.id)
                current = _read(connection, base.id)
                others = _history_since(connection, base.id, base.version)
                values, written, merged, conflicts = _merge(base, current, wanted, who, others)
                if not values:
                    return SaveResult(current, (), (), conflicts, others)
                now = utc_now()
                if "status" in values:
                    values["closed_at"] = now if values["status"] in FINISHED else None
                version = current.version + 1
                stored = connection.execute(
                    sa.update(ACTIONS)
                    .where(ACTIONS.c.id == base.id, ACTIONS.c.version == current.version)
                    .values(**values, version=version, updated_at=now, updated_by=who)
                )
                if stored.rowcount != 1:
                    continue  # another writer saved in between: merge again on its version
                connection.execute(
                    sa.insert(HISTORY),
                    [
                        _history(base.id, version, now, who, name, getattr(current, name), value)
                        for name, value in values.items()
                        if name in EDITABLE
                    ],
                )
                action = _read(connection, base.id)
            return SaveResult(action, written, merged, conflicts, others)
        raise DataSourceError(
            "could not save the action: it was changed by others on every attempt; "
            "reload it and try again"
        )

    def get(self, action_id: int) -> Action:
        """The stored action ``action_id`` (KeyError if there is none)."""
        with self._workspace.transaction("read the action") as connection:
            return _read(connection, action_id)

    def actions(self) -> pd.DataFrame:
        """Every action, newest first, columns :data:`ACTION_COLUMNS` (``due_date`` as a
        midnight Timestamp)."""
        with self._workspace.transaction("read the actions") as connection:
            rows = connection.execute(sa.select(ACTIONS).order_by(ACTIONS.c.id.desc())).all()
        frame = pd.DataFrame([dict(row._mapping) for row in rows], columns=ACTION_COLUMNS)
        return frame.astype(
            {
                "due_date": "datetime64[us]",
                "created_at": "datetime64[us]",
                "updated_at": "datetime64[us]",
                "closed_at": "datetime64[us]",
            }
        )

    def history(self, action_id: int | None = None) -> pd.DataFrame:
        """The change history (of one action, or all), oldest first: :data:`HISTORY_COLUMNS`."""
        query = sa.select(*(HISTORY.c[c] for c in HISTORY_COLUMNS)).order_by(HISTORY.c.id)
        if action_id is not None:
            query = query.where(HISTORY.c.action_id == action_id)
        with self._workspace.transaction("read the action history") as connection:
            rows = connection.execute(query).all()
        return pd.DataFrame([dict(row._mapping) for row in rows], columns=HISTORY_COLUMNS)


def _lock(connection: sa.Connection, action_id: int) -> None:
    """Hold the action's row until the transaction ends, before reading it: a no-op UPDATE
    locks the row on PostgreSQL and MariaDB and takes SQLite's write lock (where a SELECT
    alone would not even open the transaction), so a concurrent save waits instead of
    slipping in between the read and the write."""
    connection.execute(
        sa.update(ACTIONS).where(ACTIONS.c.id == action_id).values(version=ACTIONS.c.version)
    )


def _read(connection: sa.Connection, action_id: int) -> Action:
    query = sa.select(ACTIONS).where(ACTIONS.c.id == action_id)
    row = connection.execute(query).first()
    if row is None:
        raise KeyError(f"there is no action {action_id}")
    return Action(**row._mapping)


def _history(
    action_id: int, version: int, when: datetime, who: str, name: str, old: object, new: object
) -> dict[str, object]:
    return {
        "action_id": action_id,
        "version": version,
        "changed_at": when,
        "changed_by": who,
        "field": name,
        "old": _shown(old),
        "new": _shown(new),
    }


def _history_since(connection: sa.Connection, action_id: int, version: int) -> pd.DataFrame:
    query = (
        sa.select(*(HISTORY.c[c] for c in HISTORY_COLUMNS))
        .where(HISTORY.c.action_id == action_id, HISTORY.c.version > version)
        .order_by(HISTORY.c.id)
    )
    return pd.DataFrame(
        [dict(row._mapping) for row in connection.execute(query)], columns=HISTORY_COLUMNS
    )


def _merge(
    base: Action, current: Action, wanted: dict[str, object], editor: str, others: pd.DataFrame
) -> tuple[dict[str, object], tuple[str, ...], tuple[str, ...], tuple[Conflict, ...]]:
    """(values to write, fields written, text fields merged, conflicts) — see module doc."""
    values: dict[str, object] = {}
    written, merged, conflicts = [], [], []
    for name, yours in wanted.items():
        theirs = getattr(current, name)
        if theirs == getattr(base, name):
            values[name] = yours
            written.append(name)
        elif theirs == yours:
            continue
        elif name in TEXT_FIELDS:
            values[name] = _merge_text(theirs, yours, editor)
            merged.append(name)
        else:
            changes = others.loc[others["field"] == name]
            by, at = (
                (changes["changed_by"].iloc[-1], changes["changed_at"].iloc[-1])
                if len(changes)
                else (current.updated_by, current.updated_at)
            )
            conflicts.append(Conflict(name, yours, theirs, by, at))
    return values, tuple(written), tuple(merged), tuple(conflicts)
