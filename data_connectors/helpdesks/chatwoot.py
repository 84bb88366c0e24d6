"""Chatwoot (PostgreSQL): contacts, conversations and CSAT answers read from Chatwoot's own tables.

Schema source
-------------
``chatwoot/chatwoot`` ``db/schema.rb`` at commit ff525f5612ff2edf1c67e59fbd8d48e0f0d69e2f
(``ActiveRecord::Schema[7.0].define(version: 2024_09_23_215335)``): tables ``contacts``,
``conversations``, ``inboxes``, ``teams``, ``users``, ``messages``, ``reporting_events``,
``csat_survey_responses``, ``taggings`` and ``tags``. Enum values come from the models:
``app/models/conversation.rb`` (``status: open 0, resolved 1, pending 2, snoozed 3``;
``priority: low 0, medium 1, high 2, urgent 3``), ``app/models/message.rb``
(``message_type: incoming 0, outgoing 1, activity 2, template 3``) and ``app/models/contact.rb``
(``contact_type: visitor 0, lead 1, customer 2``). Reporting event names and times come from
``app/listeners/reporting_event_listener.rb``; labels are acts-as-taggable-on tags
(``app/models/concerns/labelable.rb``: ``acts_as_taggable_on :labels``); the e-mail subject is
``conversations.additional_attributes->>'mail_subject'`` (``app/mailboxes/imap/imap_mailbox.rb``).

How each derived column is read
-------------------------------
* ``first_response_at``: the earliest ``first_response`` reporting event (its end time, i.e. the
  first human reply); else ``conversations.first_reply_created_at``; else the first outgoing,
  public message sent by a user (an agent; bot and template messages are not replies).
* ``resolved_at``: the latest ``conversation_resolved`` event, only while the conversation is
  resolved (a reopened conversation that is open again has none; nor has a resolved one whose
  events are gone).
* ``reopens``: the larger of (``conversation_opened`` events after the first resolution) and
  (resolutions − 1). Recent Chatwoot versions record ``conversation_opened`` (the listener
  read here); older ones wrote only resolutions, which the second count covers. An ``opened``
  event before any resolution (a bot hand-off from pending) is not a reopen.
* Event times are ``event_end_time``, else ``created_at`` (events written before Chatwoot stored
  event times).

Reporting events are summarised once, grouped by conversation (a few rows per conversation);
messages, the largest table, are looked up per conversation through its ``conversation_id``
index instead of being grouped whole.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from data_connectors.helpdesks import HelpdeskPreset, identifier_option
from data_connectors.mapping import Mapping, TableMapping
from data_connectors.schema import TABLES

SOURCE = (
    "chatwoot/chatwoot db/schema.rb at commit ff525f5612ff2edf1c67e59fbd8d48e0f0d69e2f "
    "(schema version 2024_09_23_215335); enums from app/models/conversation.rb, "
    "app/models/message.rb and app/models/contact.rb; event names from "
    "app/listeners/reporting_event_listener.rb"
)

#: ``conversations.status`` (app/models/conversation.rb).
STATUS = {0: "open", 1: "resolved", 2: "pending", 3: "snoozed"}
RESOLVED = 1
#: ``conversations.priority`` (NULL: no priority set).
PRIORITY = {0: "low", 1: "medium", 2: "high", 3: "urgent"}
#: ``contacts.contact_type``, read as the customer segment.
CONTACT_TYPE = {0: "visitor", 1: "lead", 2: "customer"}
#: ``messages.message_type``.
INCOMING, OUTGOING = 0, 1

#: ``inboxes.channel_type`` (a Rails class name) → canonical channel. Any other type is read as
#: its class name without ``Channel::``, in lower case ("Channel::Zalo" → "zalo").
CHANNELS = {
    "Channel::WebWidget": "chat",
    "Channel::Email": "email",
    "Channel::Api": "api",
    "Channel::FacebookPage": "social",
    "Channel::Instagram": "social",
    "Channel::TwitterProfile": "social",
    "Channel::Tiktok": "social",
    "Channel::Whatsapp": "messaging",
    "Channel::Sms": "messaging",
    "Channel::TwilioSms": "messaging",
    "Channel::Telegram": "messaging",
    "Channel::Line": "messaging",
    "Channel::Voice": "phone",
}

#: ``reporting_events.name`` values the tickets query reads.
FIRST_RESPONSE, RESOLUTION, OPENED = (
    "first_response",
    "conversation_resolved",
    "conversation_opened",
)


def _tables(schema: str | None) -> dict[str, sa.TableClause]:
    """The Chatwoot tables, with only the columns the queries read (types as in schema.rb)."""

    def table(name: str, *columns: tuple[str, Any]) -> sa.TableClause:
        return sa.table(name, *(sa.column(c, t) for c, t in columns), schema=schema)

    integer, text, stamp = sa.Integer(), sa.String(), sa.DateTime()
    return {
        "contacts": table(
            "contacts",
            ("id", integer),
            ("account_id", integer),
            ("email", text),
            ("created_at", stamp),
            ("country_code", text),
            ("contact_type", integer),
        ),
        "conversations": table(
            "conversations",
            ("id", integer),
            ("account_id", integer),
            ("inbox_id", integer),
            ("status", integer),
            ("assignee_id", integer),
            ("created_at", stamp),
            ("contact_id", sa.BigInteger()),
            ("additional_attributes", JSONB()),
            ("team_id", sa.BigInteger()),
            ("first_reply_created_at", stamp),
            ("priority", integer),
        ),
        "inboxes": table("inboxes", ("id", integer), ("channel_type", text)),
        "teams": table("teams", ("id", sa.BigInteger()), ("name", text)),
        "users": table("users", ("id", integer), ("name", text)),
        "messages": table(
            "messages",
            ("id", integer),
            ("content", sa.Text()),
            ("conversation_id", integer),
            ("message_type", integer),
            ("created_at", stamp),
            ("private", sa.Boolean()),
            ("sender_type", text),
        ),
        "reporting_events": table(
            "reporting_events",
            ("name", text),
            ("conversation_id", integer),
            ("created_at", stamp),
            ("event_end_time", stamp),
        ),
        "csat_survey_responses": table(
            "csat_survey_responses",
            ("id", sa.BigInteger()),
            ("account_id", sa.BigInteger()),
            ("conversation_id", sa.BigInteger()),
            ("rating", integer),
            ("feedback_message", sa.Text()),
            ("contact_id", sa.BigInteger()),
            ("created_at", stamp),
        ),
        "taggings": table(
            "taggings",
            ("tag_id", integer),
            ("taggable_type", text),
            ("taggable_id", integer),
            ("context", text),
        ),
        "tags": table("tags", ("id", integer), ("name", text)),
    }


def _text_id(column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    """An integer id as text (canonical ids are text)."""
    return sa.cast(column, sa.Text())


def _blank_is_null(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Chatwoot writes "" for some absent strings (``country_code``'s default): read as NULL."""
    return sa.func.nullif(column, "")


def _in_account(table: sa.TableClause, account_id: int | None) -> list[sa.ColumnElement[bool]]:
    return [] if account_id is None else [table.c.account_id == account_id]


def _customers(t: dict[str, sa.TableClause], account_id: int | None) -> sa.Select[Any]:
    contacts = t["contacts"].c
    return sa.select(
        _text_id(contacts.id).label("customer_id"),
        contacts.created_at.label("signup_date"),
        sa.case(CONTACT_TYPE, value=contacts.contact_type).label("segment"),
        _blank_is_null(contacts.country_code).label("region"),
        _blank_is_null(contacts.email).label("email"),
    ).where(*_in_account(t["contacts"], account_id))


def _event_summary(t: dict[str, sa.TableClause]) -> sa.Subquery:
    """Per conversation: first response, last resolution, resolutions, reopenings."""
    events = t["reporting_events"].c
    at = sa.func.coalesce(events.event_end_time, events.created_at)
    first_resolution = sa.func.min(sa.case((events.name == RESOLUTION, at))).over(
        partition_by=events.conversation_id
    )
    timed = (
        sa.select(
            events.conversation_id,
            events.name,
            at.label("at"),
            first_resolution.label("first_resolution_at"),
        )
        .where(events.name.in_([FIRST_RESPONSE, RESOLUTION, OPENED]))
        .subquery("chatwoot_events")
    )
    e = timed.c
    resolution = e.name == RESOLUTION
    reopening = sa.and_(e.name == OPENED, e.at > e.first_resolution_at)
    return (
        sa.select(
            e.conversation_id,
            sa.func.min(sa.case((e.name == FIRST_RESPONSE, e.at))).label("first_response_at"),
            sa.func.max(sa.case((resolution, e.at))).label("last_resolution_at"),
            sa.func.count(sa.case((resolution, e.conversation_id))).label("resolutions"),
            sa.func.count(sa.case((reopening, e.conversation_id))).label("reopenings"),
        )
        .group_by(e.conversation_id)
        .subquery("chatwoot_event_summary")
    )


def _labels_of(t: dict[str, sa.TableClause], conversation_id: sa.ColumnElement[Any]) -> Any:
    """FROM and WHERE of the labels (tags) put on one conversation."""
    taggings, tags = t["taggings"], t["tags"]
    return (
        taggings.join(tags, tags.c.id == taggings.c.tag_id),
        [
            taggings.c.taggable_type == "Conversation",
            taggings.c.context == "labels",
            taggings.c.taggable_id == conversation_id,
        ],
    )


def _tickets(
    t: dict[str, sa.TableClause], account_id: int | None, complaint_label: str | None
) -> sa.Select[Any]:
    conversations, inboxes, teams, users = (
        t["conversations"],
        t["inboxes"],
        t["teams"],
        t["users"],
    )
    c, messages = conversations.c, t["messages"].c
    summary = _event_summary(t)

    def first_message(column: sa.ColumnElement[Any], *where: sa.ColumnElement[bool]) -> Any:
        return (
            sa.select(column)
            .where(messages.conversation_id == c.id, messages.private.is_(sa.false()), *where)
            .order_by(messages.created_at, messages.id)
            .limit(1)
            .correlate(conversations)
            .scalar_subquery()
        )

    first_human_reply = first_message(
        messages.created_at,
        messages.message_type == OUTGOING,
        messages.sender_type == "User",
    )
    first_customer_text = first_message(messages.content, messages.message_type == INCOMING)
    labels, on_this_conversation = _labels_of(t, c.id)
    first_label = (
        sa.select(sa.func.min(t["tags"].c.name))
        .select_from(labels)
        .where(*on_this_conversation)
        .correlate(conversations)
        .scalar_subquery()
    )
    channel = sa.case(
        CHANNELS,
        value=inboxes.c.channel_type,
        else_=sa.func.lower(sa.func.replace(inboxes.c.channel_type, "Channel::", "")),
    )
    columns = [
        _text_id(c.id).label("ticket_id"),
        _text_id(c.contact_id).label("customer_id"),
        c.created_at.label("created_at"),
        channel.label("channel"),
        teams.c.name.label("department"),
        first_label.label("category"),
        _blank_is_null(c.additional_attributes["mail_subject"].astext).label("subject"),
        first_customer_text.label("text"),
        users.c.name.label("agent"),
        sa.case(PRIORITY, value=c.priority).label("priority"),
        sa.func.coalesce(
            summary.c.first_response_at, c.first_reply_created_at, first_human_reply
        ).label("first_response_at"),
        sa.case((c.status == RESOLVED, summary.c.last_resolution_at)).label("resolved_at"),
        sa.case(STATUS, value=c.status).label("status"),
        sa.func.coalesce(
            sa.func.greatest(summary.c.reopenings, summary.c.resolutions - 1), 0
        ).label("reopens"),
    ]
    if complaint_label is not None:
        columns.append(
            sa.exists()
            .select_from(labels)
            .where(
                *on_this_conversation,
                sa.func.lower(t["tags"].c.name) == sa.func.lower(sa.literal(complaint_label)),
            )
            .correlate(conversations)
            .label("is_complaint")
        )
    joined = (
        conversations.outerjoin(inboxes, inboxes.c.id == c.inbox_id)
        .outerjoin(teams, teams.c.id == c.team_id)
        .outerjoin(users, users.c.id == c.assignee_id)
        .outerjoin(summary, summary.c.conversation_id == c.id)
    )
    return sa.select(*columns).select_from(joined).where(*_in_account(conversations, account_id))


def _surveys(t: dict[str, sa.TableClause], account_id: int | None) -> sa.Select[Any]:
    table, contacts = t["csat_survey_responses"], t["contacts"]
    answers = table.c
    return (
        sa.select(
            _text_id(answers.id).label("response_id"),
            _text_id(answers.contact_id).label("customer_id"),
            _text_id(answers.conversation_id).label("ticket_id"),
            answers.created_at.label("responded_at"),
            sa.literal("csat").label("survey_type"),
            answers.rating.label("score"),
            _blank_is_null(answers.feedback_message).label("comment"),
            _blank_is_null(contacts.c.email).label("email"),
        )
        .select_from(table.outerjoin(contacts, contacts.c.id == answers.contact_id))
        .where(*_in_account(table, account_id))
    )


def _blank_as_none(value: object) -> object:
    """Options typed into a form arrive as text: an empty one means "not set"."""
    return None if isinstance(value, str) and not value.strip() else value


def _account_id(value: object) -> int | None:
    """A positive account id, from an int or its digits as text (a form field, a secret)."""
    value = _blank_as_none(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return value
    raise ValueError(f"account_id must be a positive whole number, got {value!r}")


def build(
    schema: str | None = None,
    account_id: int | str | None = None,
    complaint_label: str | None = None,
) -> Mapping:
    """The Chatwoot mapping.

    Parameters
    ----------
    schema : str, optional
        PostgreSQL schema holding Chatwoot's tables; default: the connection's search_path.
    account_id : int or str, optional
        Read only this Chatwoot account (an installation can host several); default: all.
        Digits as text are accepted; an empty text means "all".
    complaint_label : str, optional
        A conversation label that marks complaints (compared case-insensitively); with it,
        ``tickets.is_complaint`` is read, else (or when empty) it is left out.

    Raises
    ------
    ValueError
        An option has the wrong type or shape.
    """
    if schema is not None:
        schema = identifier_option("schema", schema) or None  # "" means the search_path too
    account_id = _account_id(account_id)
    complaint_label = _blank_as_none(complaint_label)
    if complaint_label is not None and not isinstance(complaint_label, str):
        raise ValueError(f"complaint_label must be a label (text), got {complaint_label!r}")
    t = _tables(schema)

    def needs(*names: str) -> tuple[tuple[str | None, str], ...]:
        return tuple((schema, name) for name in names)

    return Mapping(
        {
            "customers": TableMapping(query=_customers(t, account_id), needs=needs("contacts")),
            "tickets": TableMapping(
                query=_tickets(t, account_id, complaint_label),
                needs=needs(
                    "conversations",
                    "inboxes",
                    "teams",
                    "users",
                    "messages",
                    "reporting_events",
                    "taggings",
                    "tags",
                ),
            ),
            "surveys": TableMapping(
                query=_surveys(t, account_id), needs=needs("csat_survey_responses", "contacts")
            ),
        }
    )


PRESET = HelpdeskPreset(
    key="chatwoot",
    product="Chatwoot",
    backends=("postgresql",),
    build=build,
    options={
        "schema": (None, "PostgreSQL schema of Chatwoot's tables (default: the search_path)"),
        "account_id": (None, "Read only this Chatwoot account id (default: every account)"),
        "complaint_label": (
            None,
            "Conversation label that marks a complaint; fills tickets.is_complaint when set",
        ),
    },
    fills={
        "customers": ("customer_id", "signup_date", "segment", "region", "email"),
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
            "priority",
            "first_response_at",
            "resolved_at",
            "status",
            "reopens",
        ),
        "surveys": (
            "response_id",
            "customer_id",
            "ticket_id",
            "responded_at",
            "survey_type",
            "score",
            "comment",
            "email",
        ),
    },
    cannot={
        "customers.churn_date": "Chatwoot has no end of a customer relationship",
        "customers.acquisition_channel": "Chatwoot does not record how a contact was won",
        "customers.referred_by": "Chatwoot does not record referrals",
        "customers.revenue": "Chatwoot holds no revenue",
        "tickets.team": "Chatwoot has one grouping level, teams, read as department",
        "tickets.is_complaint": (
            "Chatwoot has no complaint flag; set the complaint_label option to the label "
            "your team puts on complaints"
        ),
        "tickets.wait_seconds": (
            "Chatwoot keeps only the current wait (conversations.waiting_since), not past waits"
        ),
        "tickets.handle_seconds": "Chatwoot records no handling time",
        "tickets.abandoned": "Chatwoot does not mark abandoned conversations",
        "tickets.transfers": (
            "reassignments are stored only as activity-message text (in the agent's language), "
            "not as data"
        ),
        "tickets.first_contact_resolved": (
            "not recorded; resolved conversations with no reopens are the nearest measure"
        ),
        "surveys.survey_type": (
            "only csat: Chatwoot stores no NPS or CES; upload NPS answers and they join by "
            "customer e-mail or id"
        ),
        "surveys.reason": "Chatwoot's CSAT has a rating and free-text feedback, no chosen reason",
        "surveys.callback_requested": "Chatwoot's CSAT does not ask for a callback",
        **{
            f"qa_reviews.{column}": "Chatwoot keeps no quality reviews"
            for column in TABLES["qa_reviews"].column_names
        },
    },
    source=SOURCE,
    notes=(
        "ticket_id is conversations.id, unique across accounts; the number Chatwoot shows and "
        "puts in links is display_id, counted per account. customer_id is contacts.id (one "
        "contact per account: the same person in two accounts is two customers). segment is "
        "the contact type (visitor, lead, customer): anonymous website visitors are contacts "
        "too. region is the contact's country. category is the conversation's first label in "
        "alphabetical order. agent is the assignee's name: committee views group by "
        "department, not by person. Times are UTC, as Chatwoot stores them. See the module "
        "docstring for first response, resolution and reopen rules."
    ),
)
