"""Follow-up marks on low scores, kept in the workspace database as an append-only history.

Table ``followups`` (DESIGN.md: response_id, status, handled_at, note), one row per status
change: ``event_id`` (increasing), ``response_id``, ``status`` (one of
:data:`analysis.followup.STATUSES`), ``note``, ``editor`` (who saved it), ``handled_at`` (when it
was saved, naive UTC) and ``seen_event_id`` (the latest mark on that answer the editor had seen,
NULL when none). The current status of an answer is its latest row; the first "contacted" or
"resolved" row times the contact (:func:`analysis.followup.current_state`).

Rows are only ever inserted, never updated or deleted, so two people marking the same answer at
the same time both keep their change: :meth:`FollowupStore.mark` saves the new row and returns,
in the same transaction, the marks others saved since the one the editor had seen, for the page
to show. Every write runs in :meth:`Workspace.transaction`: a workspace that cannot be written
(read-only file, full disk, lost server) raises :class:`DataSourceError` with a clear message
and rolls back, leaving everything saved before as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analysis.followup import (
    CONTACTED,
    EVENT_COLUMNS,
    FOLLOWED_TYPES,
    NOT_REACHED,
    RESOLVED,
    STATUSES,
    empty_events,
)
from analysis.loyalty_views import low_score_mask
from data_connectors.workspace import TABLE_OPTIONS, TIMESTAMP, Workspace, send_rows, utc_now

#: Who the simulated marks of the embedded demo are by (:func:`demo_history`).
DEMO_EDITOR = "demo (simulated)"
ID_LENGTH = 200
EDITOR_LENGTH = 200
NOTE_LENGTH = 4000

METADATA = sa.MetaData()

FOLLOWUPS = sa.Table(
    "followups",
    METADATA,
    sa.Column("event_id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("response_id", sa.String(ID_LENGTH), nullable=False, index=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("note", sa.Text()),
    sa.Column("editor", sa.String(EDITOR_LENGTH), nullable=False),
    sa.Column("handled_at", TIMESTAMP, nullable=False),
    sa.Column("seen_event_id", sa.Integer()),
    sqlite_autoincrement=True,  # an event id is never reused, so "newer" is always "higher"
    **TABLE_OPTIONS,
)


@dataclass(frozen=True)
class SavedMark:
    """What :meth:`FollowupStore.mark` saved, and what others saved on the same answer
    after the mark the editor had seen (``meanwhile``, :data:`EVENT_COLUMNS`, oldest first):
    both are kept; the new mark is the latest."""

    event_id: int
    handled_at: datetime
    meanwhile: pd.DataFrame


def _text(name: str, value: object, length: int, *, required: bool) -> str | None:
    """``value`` trimmed; ValueError when required and blank, or longer than ``length``."""
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be text, got {value!r}")
    text = (value or "").strip()
    if required and not text:
        raise ValueError(f"{name} must not be empty")
    if len(text) > length:
        raise ValueError(f"{name} must have at most {length:,} characters, got {len(text):,}")
    return text or None


class FollowupStore:
    """Follow-up marks in ``workspace`` (its ``followups`` table is created when missing)."""

    def __init__(self, workspace: Workspace) -> None:
        workspace.create_tables(METADATA)
        self._workspace = workspace

    def events(self) -> pd.DataFrame:
        """Every mark, oldest first, columns :data:`EVENT_COLUMNS` (``handled_at`` naive UTC)."""
        query = sa.select(*(FOLLOWUPS.c[c] for c in EVENT_COLUMNS)).order_by(FOLLOWUPS.c.event_id)
        with self._workspace.transaction("read the follow-ups") as connection:
            rows = connection.execute(query).all()
        return _frame(rows)

    def mark(
        self,
        response_id: str,
        status: str,
        *,
        editor: str,
        note: str | None = None,
        seen_event_id: int | None = None,
    ) -> SavedMark:
        """Save a status change of answer ``response_id`` by ``editor``, with an optional note.

        ``seen_event_id`` is the latest mark on this answer the editor had on screen (None when
        it had none): marks on it committed since, by anyone, are returned in ``meanwhile`` (a
        save running at the very same moment in another transaction may not be among them, but
        is kept all the same: rows are only ever added).

        Raises
        ------
        ValueError
            Unknown status, blank answer id or editor, or text longer than allowed.
        DataSourceError
            The workspace cannot be written; nothing was changed.
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        values = {
            "response_id": _text("response_id", response_id, ID_LENGTH, required=True),
            "status": status,
            "note": _text("note", note, NOTE_LENGTH, required=False),
            "editor": _text("editor", editor, EDITOR_LENGTH, required=True),
            "handled_at": utc_now(),
            "seen_event_id": seen_event_id,
        }
        newer = FOLLOWUPS.c.response_id == values["response_id"]
        if seen_event_id is not None:
            newer &= FOLLOWUPS.c.event_id > seen_event_id
        query = sa.select(*(FOLLOWUPS.c[c] for c in EVENT_COLUMNS)).where(newer)
        with self._workspace.transaction("save the follow-up") as connection:
            meanwhile = connection.execute(query.order_by(FOLLOWUPS.c.event_id)).all()
            result = connection.execute(sa.insert(FOLLOWUPS).values(values))
        return SavedMark(result.inserted_primary_key[0], values["handled_at"], _frame(meanwhile))

    def add_history(self, history: pd.DataFrame) -> int:
        """Insert ready-made marks (``response_id``, ``status``, ``note``, ``editor``,
        ``handled_at``) in one transaction, in the order given; return how many.

        For the embedded demo's simulated history (:func:`demo_history`) only: the app's own
        marks go through :meth:`mark`.
        """
        unknown = set(history["status"]) - set(STATUSES)
        if unknown:
            raise ValueError(f"unknown follow-up status(es): {', '.join(sorted(unknown))}")
        columns = ["response_id", "status", "note", "editor", "handled_at"]
        rows = history[columns].assign(handled_at=pd.to_datetime(history["handled_at"]))
        with self._workspace.transaction("save the demo follow-up history") as connection:
            if len(rows):
                send_rows(connection, sa.insert(FOLLOWUPS), rows)
        return len(rows)


def demo_history(surveys: pd.DataFrame, now: datetime, *, seed: int = 7) -> pd.DataFrame:
    """A simulated follow-up history of the low CSAT/NPS answers, for the embedded demo only.

    Deterministic for ``seed``. Each department gets its own typical delay (median 20–100
    minutes); per answer: 12 % never contacted; otherwise a first attempt after a log-normal
    delay (σ = 0.9), which fails ("could not reach") 20 % of the time and is followed by a
    contact 1–6 h later; 70 % of the contacted answers are marked resolved 1–48 h after contact.
    Marks later than ``now`` are dropped. Every mark is by :data:`DEMO_EDITOR`. Columns
    ``response_id``, ``status``, ``note``, ``editor``, ``handled_at``, in time order.
    """
    rng = np.random.default_rng(seed)
    low = surveys.loc[
        (surveys["survey_type"].isin(FOLLOWED_TYPES) & low_score_mask(surveys)).to_numpy()
    ]
    departments = low["department"] if "department" in low else pd.Series(index=low.index)
    codes, names = pd.factorize(departments.fillna(""), sort=True)
    median_minutes = np.linspace(20, 100, max(len(names), 1))[codes]
    n = len(low)
    delay = pd.to_timedelta(median_minutes * rng.lognormal(0, 0.9, n), unit="min")
    contacted = rng.random(n) >= 0.12
    failed_first = contacted & (rng.random(n) < 0.2)
    retry = pd.to_timedelta(rng.uniform(60, 360, n), unit="min")
    resolved = contacted & (rng.random(n) < 0.7)
    later = pd.to_timedelta(rng.uniform(1, 48, n), unit="h")
    answered = pd.to_datetime(low["responded_at"]).to_numpy()
    first = answered + delay.to_numpy()
    contact = np.where(failed_first, first + retry.to_numpy(), first)
    marks = [
        (failed_first, NOT_REACHED, first, "No answer; left a message."),
        (contacted, CONTACTED, contact, "Called back and apologised."),
        (resolved, RESOLVED, contact + later.to_numpy(), "Fixed; the customer confirmed."),
    ]
    history = pd.concat(
        [
            pd.DataFrame(
                {
                    "response_id": low["response_id"].to_numpy()[chosen],
                    "status": status,
                    "note": note,
                    "editor": DEMO_EDITOR,
                    "handled_at": stamps[chosen],
                }
            )
            for chosen, status, stamps, note in marks
        ],
        ignore_index=True,
    )
    history["handled_at"] = history["handled_at"].dt.floor("s")  # as a clock stamps a save
    history = history.loc[history["handled_at"] <= pd.Timestamp(now)]
    return history.sort_values("handled_at", kind="stable").reset_index(drop=True)


def _frame(rows: list[sa.Row]) -> pd.DataFrame:
    """Event rows as a frame with the dtypes of :func:`analysis.followup.empty_events`."""
    empty = empty_events()
    if not rows:
        return empty
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(EVENT_COLUMNS))
    return frame.astype(empty.dtypes.to_dict())
