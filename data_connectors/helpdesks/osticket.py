"""osTicket (MySQL / MariaDB): users, tickets, threads and thread events as the canonical tables.

Schema source
-------------
osTicket's own installer and upgrade patches in ``osTicket/osTicket``:

* ``setup/inc/streams/core/install-mysql.sql`` at commit
  ``d3fa2181302e376552d977a428de354db2581b36`` — tables ``ticket``, ``thread``,
  ``thread_entry``, ``thread_event`` (with its ``state`` enum), ``department``, ``help_topic``,
  ``sla``, ``user``, ``user_email``, ``staff``, ``team``, ``ticket_status``,
  ``ticket_priority``;
* ``include/upgrader/streams/core/26fd79dc-00c949a6.patch.sql`` (v1.11, "Database
  Optimization", commit ``d0618f71f84d08e8630b5f7c4894e7a961b65caf``) — moves the event kinds
  into their own ``event`` table (``id``, ``name``, ``description``; "reopened" is 3,
  "transferred" 6) referenced by ``thread_event.event_id``;
* ``include/upgrader/streams/core/9b5550da-e6978154.patch.sql`` (v1.14, "Thread Type", commit
  ``132fc8bd83a7594bc4c034bc3bdc20f102e50f96``) — rebuilds ``thread_event`` with
  ``thread_type`` and ``event_id`` and without ``state``;
* ``ticket__cdata`` is not in the installer: osTicket builds it from the "Ticket Details" form
  (``TicketForm::buildDynamicDataView`` in ``include/class.dynamic_forms.php``, a ``CREATE TABLE
  ... AS SELECT`` of one column per form field). Its ``priority`` column holds the priority's id
  (the model ``TicketCData`` in ``include/class.ticket.php`` joins ``priority`` to
  ``Priority.priority_id``).

Every table name is the option ``table_prefix`` (the installer's default ``ost_``) plus the name
above, checked by :func:`~data_connectors.helpdesks.identifier_option` and then quoted by
SQLAlchemy. Option ``events`` says where an event's kind is kept: ``"table"`` (osTicket 1.11 and
later, the default) or ``"state"`` (osTicket 1.10, ``thread_event.state``). osTicket before 1.10
(``ticket_thread``, ``ticket_event``) is not supported.
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from data_connectors.helpdesks import HelpdeskPreset, identifier_option
from data_connectors.mapping import Mapping, TableMapping
from data_connectors.schema import TABLES

DEFAULT_PREFIX = "ost_"

#: Where a thread event's kind lives: the ``event`` table (1.11+) or ``thread_event.state``.
EVENT_STYLES: tuple[str, ...] = ("table", "state")

#: ``ticket.source`` (``enum('Web','Email','Phone','API','Other')``) → canonical channel word.
CHANNELS: dict[str, str] = {
    "Web": "web",
    "Email": "email",
    "Phone": "phone",
    "API": "api",
    "Other": "other",
}

#: ``thread.object_type`` of a ticket's thread (tasks have ``'A'``).
TICKET_THREAD = "T"
#: ``thread_entry.type``: the customer's message, an agent's response (internal notes are 'N').
MESSAGE, RESPONSE = "M", "R"
#: Event kinds counted per ticket.
REOPENED, TRANSFERRED = "reopened", "transferred"

#: Source table → the columns the queries read (nothing else is ever selected).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "ticket": (
        "ticket_id",
        "user_id",
        "status_id",
        "dept_id",
        "topic_id",
        "staff_id",
        "team_id",
        "source",
        "closed",
        "created",
    ),
    "ticket__cdata": ("ticket_id", "subject", "priority"),
    "ticket_status": ("id", "name", "state"),
    "ticket_priority": ("priority_id", "priority_desc"),
    "department": ("id", "name"),
    "help_topic": ("topic_id", "topic"),
    "staff": ("staff_id", "firstname", "lastname", "username"),
    "team": ("team_id", "name"),
    "thread": ("id", "object_id", "object_type"),
    "thread_entry": ("id", "thread_id", "type", "body", "created"),
    "thread_event": ("thread_id", "event_id", "state"),
    "event": ("id", "name"),
    "user": ("id", "created", "default_email_id"),
    "user_email": ("id", "address"),
}


def _tables(prefix: str) -> SimpleNamespace:
    """The source tables under ``prefix`` (names reach SQL quoted by SQLAlchemy)."""
    return SimpleNamespace(
        **{
            name: sa.table(prefix + name, *(sa.column(c) for c in columns))
            for name, columns in _COLUMNS.items()
        }
    )


def _customers(t: SimpleNamespace) -> sa.Select:
    """One row per osTicket user; the e-mail is the user's default address."""
    return sa.select(
        t.user.c.id.label("customer_id"),
        t.user.c.created.label("signup_date"),
        t.user_email.c.address.label("email"),
    ).select_from(t.user.outerjoin(t.user_email, t.user_email.c.id == t.user.c.default_email_id))


def _ticket_threads(t: SimpleNamespace) -> sa.ColumnElement[bool]:
    return t.thread.c.object_type == TICKET_THREAD


def _first_response(t: SimpleNamespace) -> sa.Subquery:
    """Per ticket, the time of the first agent response posted at or after its creation."""
    ticket = t.ticket.alias("responded_ticket")
    return (
        sa.select(
            t.thread.c.object_id.label("ticket_id"),
            sa.func.min(t.thread_entry.c.created).label("first_response_at"),
        )
        .select_from(
            t.thread.join(t.thread_entry, t.thread_entry.c.thread_id == t.thread.c.id).join(
                ticket, ticket.c.ticket_id == t.thread.c.object_id
            )
        )
        .where(
            _ticket_threads(t),
            t.thread_entry.c.type == RESPONSE,
            t.thread_entry.c.created >= ticket.c.created,
        )
        .group_by(t.thread.c.object_id)
        .subquery("first_response")
    )


def _first_message(t: SimpleNamespace) -> sa.Subquery:
    """Per ticket, the id of its first customer message (the lowest entry id)."""
    return (
        sa.select(
            t.thread.c.object_id.label("ticket_id"),
            sa.func.min(t.thread_entry.c.id).label("entry_id"),
        )
        .select_from(t.thread.join(t.thread_entry, t.thread_entry.c.thread_id == t.thread.c.id))
        .where(_ticket_threads(t), t.thread_entry.c.type == MESSAGE)
        .group_by(t.thread.c.object_id)
        .subquery("first_message")
    )


def _event_counts(t: SimpleNamespace, events: str) -> tuple[sa.Subquery, tuple[str, ...]]:
    """Per ticket, the number of 'reopened' and 'transferred' events in its thread."""
    joined = t.thread.join(t.thread_event, t.thread_event.c.thread_id == t.thread.c.id)
    if events == "table":
        joined = joined.join(t.event, t.event.c.id == t.thread_event.c.event_id)
        kind = t.event.c.name
        needs = ("thread_event", "event")
    else:
        kind = t.thread_event.c.state
        needs = ("thread_event",)
    counts = (
        sa.select(
            t.thread.c.object_id.label("ticket_id"),
            sa.func.count(sa.case((kind == REOPENED, 1))).label("reopens"),
            sa.func.count(sa.case((kind == TRANSFERRED, 1))).label("transfers"),
        )
        .select_from(joined)
        .where(_ticket_threads(t), kind.in_((REOPENED, TRANSFERRED)))
        .group_by(t.thread.c.object_id)
        .subquery("event_counts")
    )
    return counts, needs


def _agent(staff: sa.TableClause) -> sa.ColumnElement[str]:
    """The agent's full name, else the user name (NULL while the ticket is unassigned)."""
    full_name = sa.func.nullif(
        sa.func.trim(sa.func.concat_ws(" ", staff.c.firstname, staff.c.lastname)), ""
    )
    return sa.func.coalesce(full_name, sa.func.nullif(staff.c.username, ""))


def _tickets(t: SimpleNamespace, events: str) -> tuple[sa.Select, tuple[str, ...]]:
    """One row per ticket, with its lookups, first response, first message and event counts."""
    first_response = _first_response(t)
    first_message = _first_message(t)
    message = t.thread_entry.alias("first_message_entry")
    counts, event_tables = _event_counts(t, events)
    ticket = t.ticket
    channel = sa.case(
        *((ticket.c.source == source, word) for source, word in CHANNELS.items()),
        else_=sa.func.lower(ticket.c.source),
    )
    # Reopening sets `closed` to NULL in current osTicket but left the old close time in
    # earlier releases: an open ticket is never resolved, whatever `closed` holds.
    resolved_at = sa.case((t.ticket_status.c.state == "open", sa.null()), else_=ticket.c.closed)
    query = sa.select(
        ticket.c.ticket_id.label("ticket_id"),
        ticket.c.user_id.label("customer_id"),
        ticket.c.created.label("created_at"),
        channel.label("channel"),
        t.department.c.name.label("department"),
        t.help_topic.c.topic.label("category"),
        t.ticket__cdata.c.subject.label("subject"),
        message.c.body.label("text"),
        _agent(t.staff).label("agent"),
        t.team.c.name.label("team"),
        t.ticket_priority.c.priority_desc.label("priority"),
        first_response.c.first_response_at.label("first_response_at"),
        resolved_at.label("resolved_at"),
        t.ticket_status.c.name.label("status"),
        sa.func.coalesce(counts.c.transfers, 0).label("transfers"),
        sa.func.coalesce(counts.c.reopens, 0).label("reopens"),
    ).select_from(
        ticket.outerjoin(t.department, t.department.c.id == ticket.c.dept_id)
        .outerjoin(t.help_topic, t.help_topic.c.topic_id == ticket.c.topic_id)
        .outerjoin(t.ticket_status, t.ticket_status.c.id == ticket.c.status_id)
        .outerjoin(t.staff, t.staff.c.staff_id == ticket.c.staff_id)
        .outerjoin(t.team, t.team.c.team_id == ticket.c.team_id)
        .outerjoin(t.ticket__cdata, t.ticket__cdata.c.ticket_id == ticket.c.ticket_id)
        .outerjoin(t.ticket_priority, t.ticket_priority.c.priority_id == t.ticket__cdata.c.priority)
        .outerjoin(first_response, first_response.c.ticket_id == ticket.c.ticket_id)
        .outerjoin(first_message, first_message.c.ticket_id == ticket.c.ticket_id)
        .outerjoin(message, message.c.id == first_message.c.entry_id)
        .outerjoin(counts, counts.c.ticket_id == ticket.c.ticket_id)
    )
    needs = (
        "ticket",
        "ticket__cdata",
        "ticket_status",
        "ticket_priority",
        "department",
        "help_topic",
        "staff",
        "team",
        "thread",
        "thread_entry",
        *event_tables,
    )
    return query, needs


def _no_surveys() -> sa.Select:
    """osTicket keeps no survey answers: the canonical columns, and no row."""
    return sa.select(*(sa.null().label(c) for c in TABLES["surveys"].column_names)).where(
        sa.false()
    )


def build(table_prefix: str = DEFAULT_PREFIX, events: str = "table") -> Mapping:
    """The mapping for osTicket tables named ``table_prefix`` + name.

    Raises
    ------
    ValueError
        ``table_prefix`` holds anything but letters, digits and underscores, or ``events`` is
        not one of :data:`EVENT_STYLES` (checked before any SQL is built).
    """
    prefix = identifier_option("table_prefix", table_prefix)
    if events not in EVENT_STYLES:
        raise ValueError(f"events must be one of {', '.join(EVENT_STYLES)}, got {events!r}")
    t = _tables(prefix)
    tickets, ticket_needs = _tickets(t, events)

    def needs(*names: str) -> tuple[tuple[None, str], ...]:
        return tuple((None, prefix + name) for name in names)

    return Mapping(
        {
            "customers": TableMapping(query=_customers(t), needs=needs("user", "user_email")),
            "tickets": TableMapping(query=tickets, needs=needs(*ticket_needs)),
            "surveys": TableMapping(query=_no_surveys()),
        }
    )


_NO_SURVEYS = (
    "osTicket has no satisfaction or NPS survey: upload the survey answers as a file; they join "
    "to these tickets by ticket id (ticket.ticket_id) and to customers by customer id "
    "(user.id) or e-mail (the user's default address)."
)

PRESET = HelpdeskPreset(
    key="osticket",
    product="osTicket",
    backends=("mysql",),
    build=build,
    options={
        "table_prefix": (
            DEFAULT_PREFIX,
            "Prefix of osTicket's table names, as chosen at installation (default ost_); "
            "letters, digits and underscores only.",
        ),
        "events": (
            "table",
            "Where thread events keep their kind: 'table' for osTicket 1.11 and later (the "
            "event table), 'state' for osTicket 1.10 (the thread_event.state column).",
        ),
    },
    fills={
        "customers": ("customer_id", "signup_date", "email"),
        "tickets": (
            "ticket_id",
            "customer_id",
            "created_at",
            "channel",
            "department",
            "category",
            "subject",
            "text",
            "agent",
            "team",
            "priority",
            "first_response_at",
            "resolved_at",
            "status",
            "transfers",
            "reopens",
        ),
        "surveys": (),
    },
    cannot={
        "customers.churn_date": "osTicket does not record when a customer relationship ends.",
        "customers.segment": (
            "osTicket has no customer segment (user.org_id names an organisation, not a segment)."
        ),
        "customers.region": "osTicket stores no region for a user.",
        "customers.acquisition_channel": "osTicket does not record how a customer was won.",
        "customers.referred_by": "osTicket does not record referrals.",
        "customers.revenue": "osTicket stores no revenue.",
        "tickets.is_complaint": (
            "osTicket has no complaint flag; a help topic named for complaints could stand in "
            "for one, but that naming is each installation's own and is not guessed here."
        ),
        "tickets.wait_seconds": "osTicket tickets have no queue wait (no voice or chat queue).",
        "tickets.handle_seconds": "osTicket does not track time spent on a ticket.",
        "tickets.abandoned": "osTicket tickets cannot be abandoned (no live queue).",
        "tickets.first_contact_resolved": (
            "osTicket does not record first-contact resolution; counting replies would be a "
            "metric, which connectors do not compute."
        ),
        **{f"surveys.{column}": _NO_SURVEYS for column in TABLES["surveys"].column_names},
        "qa_reviews.score": "osTicket has no quality reviews.",
    },
    source=(
        "osTicket/osTicket setup/inc/streams/core/install-mysql.sql "
        "@ d3fa2181302e376552d977a428de354db2581b36; upgrade patches "
        "include/upgrader/streams/core/26fd79dc-00c949a6.patch.sql (v1.11, event table) "
        "@ d0618f71f84d08e8630b5f7c4894e7a961b65caf and 9b5550da-e6978154.patch.sql "
        "(v1.14, thread_event rebuilt) @ 132fc8bd83a7594bc4c034bc3bdc20f102e50f96; "
        "ticket__cdata from TicketForm::buildDynamicDataView (include/class.dynamic_forms.php)"
    ),
    notes=(
        "ticket_id is osTicket's internal ticket.ticket_id, not the ticket number shown to "
        "customers (ticket.number, which may be empty and is not unique by constraint). "
        "customer_id is user.id; the e-mail is the user's default address. "
        "channel is ticket.source in lower case (web, email, phone, api, other). "
        "department and category are the department's and help topic's own names, without "
        "their parents. priority is the priority's description (Low, Normal, High, Emergency) "
        "found through ticket__cdata.priority. agent is the ticket's current assignee (osTicket "
        "may set it to the closing agent); team is the assigned team. "
        "first_response_at is the first agent response (thread entry of type 'R') posted at or "
        "after creation; internal notes ('N') do not count. text is the first customer message "
        "(type 'M') as stored, usually HTML. resolved_at is ticket.closed unless the ticket's "
        "status is an open one. reopens and transfers count the ticket's 'reopened' and "
        "'transferred' thread events (transfers between departments; agent reassignments, "
        "'assigned' events, are not counted). "
        "The sla table (and ticket.sla_id, isoverdue, est_duedate) is not read: the canonical "
        "tables have no SLA column. Times are read as stored: osTicket writes them with the "
        "database server's clock, in its time zone."
    ),
)
