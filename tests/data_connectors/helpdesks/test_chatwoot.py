"""The Chatwoot preset against Chatwoot's own tables in the real PostgreSQL server.

``chatwoot/schema.sql`` creates the tables the preset reads exactly as Chatwoot's
``db/schema.rb`` (commit ff525f56, schema version 2024_09_23_215335) defines them; :data:`ROWS`
is a small hand-built Chatwoot: two accounts, inboxes of six channel types, teams, agents,
contacts, conversations with their messages, reporting events (including conversations reopened
once and twice) and CSAT answers. The expected canonical values are worked out by hand from
these rows and written out literally below.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from data_connectors import helpdesks
from data_connectors.errors import SchemaError
from data_connectors.helpdesks.chatwoot import PRESET
from data_connectors.schema import TABLES
from data_connectors.sql import create_read_only_engine, read_dataset

SCHEMA_SQL = Path(__file__).with_name("chatwoot") / "schema.sql"

# messages.message_type and content_type (app/models/message.rb)
INCOMING, OUTGOING, TEMPLATE = 0, 1, 3
INPUT_CSAT = 9


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def stamped(when: str, **values: object) -> dict[str, object]:
    """A row created (and last updated) at ``when``."""
    return {"created_at": at(when), "updated_at": at(when), **values}


def message(
    id: int, conversation: int, kind: int, when: str, content: str, sender: str, **more: object
) -> dict[str, object]:
    """A message of ``conversation`` (its account and inbox are looked up in CONVERSATIONS)."""
    account, inbox = CONVERSATIONS[conversation]
    sender_type, _, sender_id = sender.partition(":")
    return stamped(
        when,
        id=id,
        conversation_id=conversation,
        account_id=account,
        inbox_id=inbox,
        message_type=kind,
        content=content,
        sender_type=sender_type or None,
        sender_id=int(sender_id) if sender_id else None,
        **more,
    )


def csat_request(id: int, conversation: int, when: str) -> dict[str, object]:
    """The CSAT survey message Chatwoot posts when a conversation is resolved."""
    return message(
        id,
        conversation,
        TEMPLATE,
        when,
        "Please rate the conversation",
        "",
        content_type=INPUT_CSAT,
    )


def event(conversation: int, name: str, start: str, end: str) -> dict[str, object]:
    account, inbox = CONVERSATIONS[conversation]
    seconds = (at(end) - at(start)).total_seconds()
    return stamped(
        end,
        name=name,
        value=seconds,
        value_in_business_hours=seconds,
        account_id=account,
        inbox_id=inbox,
        conversation_id=conversation,
        event_start_time=at(start),
        event_end_time=at(end),
    )


#: conversation id -> (account id, inbox id)
CONVERSATIONS = {10: (1, 1), 11: (1, 2), 12: (1, 3), 13: (1, 1), 14: (2, 4), 15: (2, 5), 16: (2, 6)}

ROWS: dict[str, list[dict[str, object]]] = {
    "accounts": [
        stamped("2023-12-01 00:00:00", id=1, name="Acme"),
        stamped("2023-12-01 00:00:00", id=2, name="Globex"),
    ],
    "users": [
        stamped(
            "2023-12-01 00:00:00",
            id=1,
            name="Alice Martin",
            display_name="Alice",
            email="alice@acme.test",
            uid="alice@acme.test",
        ),
        stamped(
            "2023-12-01 00:00:00",
            id=2,
            name="Bob Stone",
            email="bob@acme.test",
            uid="bob@acme.test",
        ),
    ],  # fmt: skip
    "teams": [
        stamped("2023-12-01 00:00:00", id=1, name="Billing", account_id=1),
        stamped("2023-12-01 00:00:00", id=2, name="Support", account_id=1),
        stamped("2023-12-01 00:00:00", id=3, name="Support", account_id=2),
    ],
    "inboxes": [
        stamped(
            "2023-12-01 00:00:00",
            id=1,
            channel_id=1,
            account_id=1,
            name="Website",
            channel_type="Channel::WebWidget",
        ),
        stamped(
            "2023-12-01 00:00:00",
            id=2,
            channel_id=1,
            account_id=1,
            name="Support mail",
            channel_type="Channel::Email",
        ),
        stamped(
            "2023-12-01 00:00:00",
            id=3,
            channel_id=1,
            account_id=1,
            name="WhatsApp",
            channel_type="Channel::Whatsapp",
        ),
        stamped(
            "2023-12-01 00:00:00",
            id=4,
            channel_id=1,
            account_id=2,
            name="Facebook page",
            channel_type="Channel::FacebookPage",
        ),
        stamped(
            "2023-12-01 00:00:00",
            id=5,
            channel_id=1,
            account_id=2,
            name="Shop API",
            channel_type="Channel::Api",
        ),
        stamped(
            "2023-12-01 00:00:00",
            id=6,
            channel_id=1,
            account_id=2,
            name="Hotline",
            channel_type="Channel::Voice",
        ),
    ],  # fmt: skip
    # Contact ids overlap conversation ids on purpose: contact 14's label must not become
    # conversation 14's category.
    "contacts": [
        stamped(
            "2024-01-02 09:00:00",
            id=11,
            account_id=1,
            name="Anna Weber",
            email="anna@example.com",
            country_code="Germany",
            contact_type=2,
            additional_attributes={"country": "Germany", "city": "Berlin"},
        ),
        stamped(
            "2024-01-05 10:00:00",
            id=12,
            account_id=1,
            name="Boris Ivanov",
            phone_number="+79001234567",
            contact_type=1,
        ),  # country_code "" (default)
        stamped(
            "2024-02-01 08:00:00",
            id=13,
            account_id=2,
            name="Visitor 1f3a",
            country_code="Singapore",
            contact_type=0,
        ),
        stamped(
            "2024-02-10 12:00:00",
            id=14,
            account_id=2,
            name="Dana Scott",
            email="dana@example.com",
            country_code="United States",
            contact_type=2,
        ),
    ],  # fmt: skip
    "conversations": [
        stamped(
            "2024-03-01 09:00:00",
            id=10,
            account_id=1,
            inbox_id=1,
            display_id=1,
            contact_id=11,
            team_id=2,
            assignee_id=1,
            status=1,
            priority=2,
            first_reply_created_at=at("2024-03-01 09:00:45"),
        ),
        stamped(
            "2024-03-04 08:00:00",
            id=11,
            account_id=1,
            inbox_id=2,
            display_id=2,
            contact_id=11,
            team_id=1,
            assignee_id=2,
            status=1,
            priority=3,
            first_reply_created_at=at("2024-03-04 10:30:00"),
            additional_attributes={
                "source": "email",
                "mail_subject": "Charged twice for invoice 42",
            },
        ),
        # no reporting events and no first_reply_created_at (a database from before
        # Chatwoot kept them): the first response comes from the messages
        stamped(
            "2024-03-10 14:00:00",
            id=12,
            account_id=1,
            inbox_id=3,
            display_id=3,
            contact_id=12,
            status=0,
        ),
        # resolved, then reopened: open again now; first_reply_created_at not filled
        stamped(
            "2024-03-12 10:00:00",
            id=13,
            account_id=1,
            inbox_id=1,
            display_id=4,
            contact_id=12,
            team_id=2,
            assignee_id=1,
            status=0,
            priority=1,
        ),
        # display ids start again at 1 in account 2
        stamped(
            "2024-04-01 16:00:00",
            id=14,
            account_id=2,
            inbox_id=4,
            display_id=1,
            contact_id=13,
            team_id=3,
            assignee_id=2,
            status=2,
            priority=0,
            first_reply_created_at=at("2024-04-01 16:10:00"),
        ),
        stamped(
            "2024-04-03 10:00:00",
            id=15,
            account_id=2,
            inbox_id=5,
            display_id=2,
            contact_id=13,
            status=3,
            priority=1,
            snoozed_until=at("2024-04-05 09:00:00"),
        ),
        stamped(
            "2024-04-08 11:00:00",
            id=16,
            account_id=2,
            inbox_id=6,
            display_id=3,
            contact_id=13,
            team_id=3,
            assignee_id=2,
            status=1,
        ),
    ],  # fmt: skip
    "messages": [
        message(
            101, 10, INCOMING, "2024-03-01 09:00:00", "My card payment failed twice", "Contact:11"
        ),
        message(102, 10, OUTGOING, "2024-03-01 09:00:45", "Looking into it now", "User:1"),
        csat_request(103, 10, "2024-03-01 09:20:05"),
        message(104, 10, INCOMING, "2024-03-02 09:30:00", "It failed again", "Contact:11"),
        message(105, 10, OUTGOING, "2024-03-02 09:45:00", "Fixed for good now", "User:1"),
        message(
            111,
            11,
            INCOMING,
            "2024-03-04 08:00:00",
            "I was charged twice for invoice 42",
            "Contact:11",
            content_type=8,
        ),
        message(
            112, 11, OUTGOING, "2024-03-04 08:30:00", "Check Stripe first", "User:2", private=True
        ),  # a private note is not a reply
        message(113, 11, OUTGOING, "2024-03-04 10:30:00", "Refund issued", "User:2"),
        csat_request(114, 11, "2024-03-04 12:00:05"),
        message(115, 11, INCOMING, "2024-03-05 09:00:00", "Still charged twice", "Contact:11"),
        message(116, 11, OUTGOING, "2024-03-05 10:30:00", "Second refund issued", "User:2"),
        message(117, 11, INCOMING, "2024-03-06 08:00:00", "Now it is refunded twice", "Contact:11"),
        message(118, 11, OUTGOING, "2024-03-06 08:40:00", "Reversed one refund", "User:2"),
        csat_request(119, 11, "2024-03-06 09:00:05"),
        message(121, 12, INCOMING, "2024-03-10 14:00:00", "Hello, is anyone there?", "Contact:12"),
        message(
            122, 12, OUTGOING, "2024-03-10 14:00:05", "Our team replies soon", "AgentBot:1"
        ),  # a bot is not a first response
        message(123, 12, TEMPLATE, "2024-03-10 14:00:10", "We are away until 14:30", ""),
        message(
            124, 12, OUTGOING, "2024-03-10 14:10:00", "His number is in CRM", "User:1", private=True
        ),
        message(125, 12, OUTGOING, "2024-03-10 14:30:00", "Hi Boris, how can I help?", "User:1"),
        message(131, 13, INCOMING, "2024-03-12 10:00:00", "The app logs me out", "Contact:12"),
        message(132, 13, OUTGOING, "2024-03-12 10:05:00", "Please update the app", "User:1"),
        csat_request(133, 13, "2024-03-12 11:00:05"),
        message(
            134, 13, INCOMING, "2024-03-13 09:00:00", "Updated, still logged out", "Contact:12"
        ),
        # the agent's reply is not among the messages: first_reply_created_at keeps it
        message(141, 14, INCOMING, "2024-04-01 16:00:00", "Where is my order #123?", "Contact:13"),
        message(
            151, 15, INCOMING, "2024-04-03 10:00:00", "Order sync webhook failed", "Contact:13"
        ),
        message(161, 16, INCOMING, "2024-04-08 11:00:00", "Incoming call", "Contact:13"),
        message(
            162, 16, OUTGOING, "2024-04-08 11:00:30", "Connecting you to an agent", "AgentBot:1"
        ),
        csat_request(163, 16, "2024-04-08 11:30:05"),
    ],  # fmt: skip
    "reporting_events": [
        # 10: written before Chatwoot recorded conversation_opened: resolved twice
        event(10, "first_response", "2024-03-01 09:00:00", "2024-03-01 09:00:45"),
        event(10, "conversation_resolved", "2024-03-01 09:00:00", "2024-03-01 09:20:00"),
        event(10, "conversation_resolved", "2024-03-01 09:00:00", "2024-03-02 10:00:00"),
        # 11: reopened twice, resolved three times
        event(11, "first_response", "2024-03-04 08:00:00", "2024-03-04 10:30:00"),
        event(11, "conversation_resolved", "2024-03-04 08:00:00", "2024-03-04 12:00:00"),
        event(11, "conversation_opened", "2024-03-04 12:00:00", "2024-03-05 09:00:00"),
        event(11, "conversation_resolved", "2024-03-04 08:00:00", "2024-03-05 11:00:00"),
        event(11, "conversation_opened", "2024-03-05 11:00:00", "2024-03-06 08:00:00"),
        event(11, "conversation_resolved", "2024-03-04 08:00:00", "2024-03-06 09:00:00"),
        # 13: resolved once, reopened, open now
        event(13, "first_response", "2024-03-12 10:00:00", "2024-03-12 10:05:00"),
        event(13, "conversation_resolved", "2024-03-12 10:00:00", "2024-03-12 11:00:00"),
        event(13, "conversation_opened", "2024-03-12 11:00:00", "2024-03-13 09:00:00"),
        # 16: a bot hand-off opens it (pending -> open) before any resolution: not a reopen;
        # the reply was spoken on the call, so the event is its only trace
        event(16, "conversation_opened", "2024-04-08 11:00:00", "2024-04-08 11:02:00"),
        event(16, "first_response", "2024-04-08 11:02:00", "2024-04-08 11:03:00"),
        event(16, "conversation_resolved", "2024-04-08 11:00:00", "2024-04-08 11:30:00"),
        # an event the preset does not read
        event(16, "reply_time", "2024-04-08 11:02:00", "2024-04-08 11:03:00"),
    ],
    "csat_survey_responses": [
        stamped(
            "2024-03-01 09:25:00",
            id=1,
            account_id=1,
            conversation_id=10,
            message_id=103,
            rating=5,
            feedback_message="Quick and friendly",
            contact_id=11,
            assigned_agent_id=1,
        ),
        stamped(
            "2024-03-06 09:30:00",
            id=2,
            account_id=1,
            conversation_id=11,
            message_id=119,
            rating=2,
            feedback_message="Had to write three times",
            contact_id=11,
            assigned_agent_id=2,
        ),
        stamped(
            "2024-03-12 11:10:00",
            id=3,
            account_id=1,
            conversation_id=13,
            message_id=133,
            rating=3,
            feedback_message="",
            contact_id=12,
            assigned_agent_id=1,
        ),
        stamped(
            "2024-04-08 11:45:00",
            id=4,
            account_id=2,
            conversation_id=16,
            message_id=163,
            rating=4,
            contact_id=13,
            assigned_agent_id=2,
        ),
    ],  # fmt: skip
    "tags": [
        {"id": 1, "name": "payments", "taggings_count": 1},
        {"id": 2, "name": "billing", "taggings_count": 1},
        {"id": 3, "name": "complaint", "taggings_count": 1},
        {"id": 4, "name": "vip", "taggings_count": 1},
    ],
    "taggings": [
        {"tag_id": 1, "taggable_type": "Conversation", "taggable_id": 10, "context": "labels"},
        {"tag_id": 3, "taggable_type": "Conversation", "taggable_id": 11, "context": "labels"},
        {"tag_id": 2, "taggable_type": "Conversation", "taggable_id": 11, "context": "labels"},
        {"tag_id": 4, "taggable_type": "Contact", "taggable_id": 14, "context": "labels"},
    ],
}

#: The canonical tickets, worked out by hand from ROWS (see the comments there).
TICKETS = {
    "ticket_id": ["10", "11", "12", "13", "14", "15", "16"],
    "customer_id": ["11", "11", "12", "12", "13", "13", "13"],
    "created_at": [
        at("2024-03-01 09:00:00"),
        at("2024-03-04 08:00:00"),
        at("2024-03-10 14:00:00"),
        at("2024-03-12 10:00:00"),
        at("2024-04-01 16:00:00"),
        at("2024-04-03 10:00:00"),
        at("2024-04-08 11:00:00"),
    ],
    "channel": ["chat", "email", "messaging", "chat", "social", "api", "phone"],
    "department": ["Support", "Billing", None, "Support", "Support", None, "Support"],
    "category": ["payments", "billing", None, None, None, None, None],
    "subject": [None, "Charged twice for invoice 42", None, None, None, None, None],
    "text": [
        "My card payment failed twice",
        "I was charged twice for invoice 42",
        "Hello, is anyone there?",
        "The app logs me out",
        "Where is my order #123?",
        "Order sync webhook failed",
        "Incoming call",
    ],
    "agent": ["Alice Martin", "Bob Stone", None, "Alice Martin", "Bob Stone", None, "Bob Stone"],
    "priority": ["high", "urgent", None, "medium", "low", "medium", None],
    "first_response_at": [
        at("2024-03-01 09:00:45"),  # event
        at("2024-03-04 10:30:00"),  # event (the 08:30 private note is not a reply)
        at("2024-03-10 14:30:00"),  # first public outgoing message by an agent
        at("2024-03-12 10:05:00"),  # event
        at("2024-04-01 16:10:00"),  # conversations.first_reply_created_at
        None,  # never answered
        at("2024-04-08 11:03:00"),  # event only
    ],
    "resolved_at": [
        at("2024-03-02 10:00:00"),  # latest of two resolutions
        at("2024-03-06 09:00:00"),  # latest of three
        None,
        None,  # resolved once, but open again
        None,
        None,
        at("2024-04-08 11:30:00"),
    ],
    "status": ["resolved", "resolved", "open", "open", "pending", "snoozed", "resolved"],
    "reopens": [1, 2, 0, 1, 0, 0, 0],
}


@pytest.fixture
def chatwoot_url(postgres_url: str) -> str:
    """An isolated PostgreSQL schema holding Chatwoot's tables with :data:`ROWS`."""
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(SCHEMA_SQL.read_text(encoding="utf-8"))
            metadata = sa.MetaData()
            metadata.reflect(connection)
            for name, rows in ROWS.items():
                for row in rows:  # one by one: rows set different columns (defaults apply)
                    connection.execute(sa.insert(metadata.tables[name]).values(row))
    finally:
        engine.dispose()
    return postgres_url


def execute(url: str, statement: sa.Executable) -> None:
    """Run one statement through a writable connection (test set-up only)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(statement)
    finally:
        engine.dispose()


def table(name: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in ROWS[name][0]))


def tickets_as_lists(frame: pd.DataFrame) -> dict[str, list[object]]:
    """The checked ticket columns as plain lists (missing values as None)."""
    return {
        column: [None if pd.isna(v) else v for v in frame[column].tolist()] for column in TICKETS
    }


@pytest.mark.database
def test_chatwoot_reads_as_the_canonical_tables(chatwoot_url):
    dataset, report = read_dataset(chatwoot_url, preset="chatwoot")

    assert report.is_clean
    assert report.rows_read == {"customers": 4, "tickets": 7, "surveys": 4}

    customers = dataset.customers
    assert customers["customer_id"].tolist() == ["11", "12", "13", "14"]
    assert customers["signup_date"].tolist() == [
        pd.Timestamp("2024-01-02 09:00:00"),
        pd.Timestamp("2024-01-05 10:00:00"),
        pd.Timestamp("2024-02-01 08:00:00"),
        pd.Timestamp("2024-02-10 12:00:00"),
    ]
    assert customers["segment"].tolist() == ["customer", "lead", "visitor", "customer"]
    assert customers["region"].fillna("-").tolist() == [
        "Germany",
        "-",
        "Singapore",
        "United States",
    ]
    assert customers["email"].fillna("-").tolist() == [
        "anna@example.com",
        "-",
        "-",
        "dana@example.com",
    ]
    assert customers["churn_date"].isna().all()

    assert tickets_as_lists(dataset.tickets) == TICKETS
    assert dataset.tickets["is_complaint"].isna().all()  # no complaint_label given

    surveys = dataset.surveys
    assert surveys["response_id"].tolist() == ["1", "2", "3", "4"]
    assert surveys["customer_id"].tolist() == ["11", "11", "12", "13"]
    assert surveys["ticket_id"].tolist() == ["10", "11", "13", "16"]
    assert surveys["responded_at"].tolist() == [
        pd.Timestamp("2024-03-01 09:25:00"),
        pd.Timestamp("2024-03-06 09:30:00"),
        pd.Timestamp("2024-03-12 11:10:00"),
        pd.Timestamp("2024-04-08 11:45:00"),
    ]
    assert surveys["survey_type"].tolist() == ["csat"] * 4
    assert surveys["score"].tolist() == [5.0, 2.0, 3.0, 4.0]
    assert surveys["comment"].fillna("-").tolist() == [
        "Quick and friendly",
        "Had to write three times",
        "-",  # "" is no comment
        "-",
    ]
    assert surveys["email"].fillna("-").tolist() == [
        "anna@example.com",
        "anna@example.com",
        "-",
        "-",
    ]

    for name, columns in PRESET.fills.items():
        assert dataset.supplied[name] == frozenset(columns), name
    assert dataset.qa_reviews.empty


@pytest.mark.database
def test_first_response_and_resolution_times(chatwoot_url):
    dataset, _ = read_dataset(chatwoot_url, preset="chatwoot")
    tickets = dataset.tickets.set_index("ticket_id")
    first_response = (tickets["first_response_at"] - tickets["created_at"]).dt.total_seconds()
    resolution = (tickets["resolved_at"] - tickets["created_at"]).dt.total_seconds()
    assert first_response.fillna(-1).tolist() == [45.0, 9000.0, 1800.0, 300.0, 600.0, -1, 180.0]
    assert resolution.dropna().to_dict() == {"10": 90000.0, "11": 176400.0, "16": 1800.0}


@pytest.mark.database
def test_one_account_is_read_alone(chatwoot_url):
    dataset, report = read_dataset(chatwoot_url, preset="chatwoot", account_id=2)
    assert report.is_clean
    assert dataset.customers["customer_id"].tolist() == ["13", "14"]
    assert dataset.tickets["ticket_id"].tolist() == ["14", "15", "16"]
    assert dataset.tickets["channel"].tolist() == ["social", "api", "phone"]
    assert dataset.surveys["response_id"].tolist() == ["4"]


@pytest.mark.database
def test_a_complaint_label_fills_is_complaint(chatwoot_url):
    dataset, _ = read_dataset(chatwoot_url, preset="chatwoot", complaint_label="Complaint")
    assert dataset.tickets["is_complaint"].tolist() == [
        False,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert dataset.has("tickets", "is_complaint")


@pytest.mark.database
def test_the_date_range_applies_to_conversations_and_answers(chatwoot_url):
    dataset, report = read_dataset(chatwoot_url, preset="chatwoot", since=date(2024, 3, 12))
    assert dataset.tickets["ticket_id"].tolist() == ["13", "14", "15", "16"]
    assert dataset.tickets["reopens"].tolist() == [1, 0, 0, 0]  # events outside still count
    assert dataset.surveys["response_id"].tolist() == ["3", "4"]
    assert report.rows_read == {"customers": 4, "tickets": 4, "surveys": 2}


@pytest.mark.database
def test_an_unknown_channel_type_keeps_its_own_name(chatwoot_url):
    execute(
        chatwoot_url,
        sa.update(table("inboxes"))
        .where(sa.column("id") == 5)
        .values(channel_type="Channel::Zalo"),
    )
    dataset, _ = read_dataset(chatwoot_url, preset="chatwoot", account_id=2)
    assert dataset.tickets["channel"].tolist() == ["social", "zalo", "phone"]


@pytest.mark.database
def test_a_missing_chatwoot_table_is_named(chatwoot_url):
    execute(chatwoot_url, sa.text("DROP TABLE csat_survey_responses"))
    with pytest.raises(SchemaError) as caught:
        read_dataset(chatwoot_url, preset="chatwoot")
    assert len(caught.value.problems) == 1
    assert "table 'surveys' is missing" in str(caught.value)
    assert "'csat_survey_responses'" in str(caught.value)


@pytest.mark.database
def test_the_schema_option_qualifies_every_table(chatwoot_url):
    engine = sa.create_engine(chatwoot_url)
    try:
        schema = sa.inspect(engine).default_schema_name
    finally:
        engine.dispose()
    # a session whose search_path does not reach the Chatwoot tables
    elsewhere = (
        make_url(chatwoot_url)
        .update_query_dict({"options": "-c search_path=pg_catalog"})
        .render_as_string(hide_password=False)
    )
    with pytest.raises(SchemaError) as caught:
        read_dataset(elsewhere, preset="chatwoot")
    assert len(caught.value.problems) == 3

    expected, _ = read_dataset(chatwoot_url, preset="chatwoot")
    dataset, report = read_dataset(elsewhere, preset="chatwoot", schema=schema)
    assert report.is_clean
    for name in ("customers", "tickets", "surveys"):
        pd.testing.assert_frame_equal(dataset.tables[name], expected.tables[name])


@pytest.mark.database
def test_the_reader_cannot_write_to_chatwoot(chatwoot_url):
    answers = table("csat_survey_responses")
    engine = create_read_only_engine(chatwoot_url)
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError):
            connection.execute(sa.update(answers).values(rating=1))
            connection.commit()
    finally:
        engine.dispose()
    writer = sa.create_engine(chatwoot_url)
    try:
        with writer.connect() as connection:
            ratings = connection.execute(sa.select(sa.column("rating")).select_from(answers))
            assert sorted(ratings.scalars()) == [2, 3, 4, 5]
    finally:
        writer.dispose()


def test_the_preset_is_registered_and_documents_every_column():
    assert helpdesks.get("chatwoot") is PRESET
    assert PRESET.backends == ("postgresql",)
    assert "ff525f5612ff2edf1c67e59fbd8d48e0f0d69e2f" in PRESET.source
    filled = {f"{t}.{c}" for t, columns in PRESET.fills.items() for c in columns}
    for key in filled | set(PRESET.cannot):
        name, column = key.split(".")
        assert column in TABLES[name].column_names, key
    for name, columns in PRESET.fills.items():
        assert set(TABLES[name].required_columns) <= set(columns), name
    # every optional column is either filled or explained (survey_type: only csat)
    documented = filled | set(PRESET.cannot)
    for name in ("customers", "tickets", "surveys"):
        for column in TABLES[name].column_names:
            assert f"{name}.{column}" in documented, f"{name}.{column}"
    assert filled & set(PRESET.cannot) == {"surveys.survey_type"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"schema": "chatwoot; DROP TABLE contacts"}, "schema may hold only"),
        ({"account_id": "two"}, "account_id must be a positive whole number"),
        ({"account_id": True}, "account_id must be a positive whole number"),
        ({"account_id": 0}, "account_id must be a positive whole number"),
        ({"account_id": 2.0}, "account_id must be a positive whole number"),
        ({"complaint_label": 3}, "complaint_label must be a label"),
        ({"table_prefix": "cw_"}, "chatwoot has no option(s) table_prefix"),
    ],
)
def test_bad_options_raise_value_error(options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        PRESET.mapping(**options)


def _parameters(mapping_options: dict[str, object]) -> list[object]:
    query = PRESET.mapping(**mapping_options).tables["tickets"].query
    return list(query.compile(dialect=postgresql.dialect()).params.values())


def test_options_typed_into_a_form_are_read_as_text():
    assert 2 in _parameters({"account_id": " 2 "})
    assert _parameters({"account_id": ""}) == _parameters({})  # empty: every account
    assert _parameters({"complaint_label": " "}) == _parameters({})  # empty: not read
    assert "is_complaint" not in PRESET.mapping(complaint_label="").tables["tickets"].signature()


def test_option_values_reach_sql_as_bound_parameters():
    hostile = "complaint') OR TRUE --"
    tickets = PRESET.mapping(account_id=2, complaint_label=hostile).tables["tickets"]
    compiled = tickets.query.compile(dialect=postgresql.dialect())
    assert hostile not in str(compiled) and "OR TRUE" not in str(compiled)
    assert hostile in compiled.params.values()
    assert 2 in compiled.params.values()
    assert tickets.needs[0] == (None, "conversations")
    schema_tickets = PRESET.mapping(schema="support").tables["tickets"]
    assert all(schema == "support" for schema, _ in schema_tickets.needs)
    assert "FROM support.conversations" in str(schema_tickets.query)
