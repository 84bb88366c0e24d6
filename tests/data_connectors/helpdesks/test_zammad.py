"""The Zammad preset against Zammad's own schema on the real PostgreSQL and MariaDB servers.

The tables are created from Zammad's migrations in the public repository zammad/zammad at commit
5df98684da64aed93cc29e4be029d81566520906: ``db/migrate/20120101000001_create_base.rb`` (users,
organizations, roles, permissions, groups, histories) and
``db/migrate/20120101000010_create_ticket.rb`` (tickets, states, priorities, articles), plus
``tickets.last_close_at`` and ``groups.reopen_time_in_days`` from the later
``CreateTicketReopenTime`` migration. Rails (``ActiveRecord::Migration[4.2]``) types translate as
Rails does: ``string limit: n`` → VARCHAR(n); ``integer`` and ``references`` → INTEGER;
``boolean`` → BOOLEAN / TINYINT(1); ``timestamp limit: 3`` → TIMESTAMP(3) / DATETIME(3);
``text`` over 64 KB → MEDIUMTEXT / LONGTEXT on MySQL; ids → SERIAL / INT AUTO_INCREMENT; MySQL
tables in ``utf8`` as config/database/database.yml sets. Indexes and foreign keys are left out:
they change no column name or type. Lookup rows use the ids and names of Zammad's seeds
(db/seeds/ticket_states.rb, ticket_state_types.rb, ticket_article_types.rb,
ticket_article_senders.rb, user_nr_1.rb); history rows are written the way
app/models/concerns/has_history.rb writes a changed ticket attribute.

Every expected value below was worked out by hand from the rows, not by running the preset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import make_url

from data_connectors import helpdesks
from data_connectors.errors import SchemaError
from data_connectors.helpdesks.zammad import PRESET, build
from data_connectors.schema import TABLES
from data_connectors.sql import create_read_only_engine, probe, read_dataset

# --- Zammad's DDL ---------------------------------------------------------------------------

#: ``t.timestamp limit: 3`` / ``t.timestamps limit: 3``.
TIMESTAMP3 = (
    sa.DateTime()
    .with_variant(postgresql.TIMESTAMP(precision=3), "postgresql")
    .with_variant(mysql.DATETIME(fsp=3), "mysql", "mariadb")
)
#: ``t.text limit: 500.kilobytes + 1`` and ``limit: 20.megabytes + 1``.
TEXT_500KB = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
TEXT_20MB = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def _string(name: str, limit: int, *, null: bool = True, default: str | None = None) -> sa.Column:
    return sa.Column(name, sa.String(limit), nullable=null, server_default=default)


def _integer(name: str, *, null: bool = True, default: str | None = None) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=null, server_default=default)


def _boolean(name: str, *, null: bool = True, default: bool | None = None) -> sa.Column:
    server_default = None if default is None else (sa.true() if default else sa.false())
    return sa.Column(name, sa.Boolean, nullable=null, server_default=server_default)


def _timestamp(name: str, *, null: bool = True) -> sa.Column:
    return sa.Column(name, TIMESTAMP3, nullable=null)


def _table(metadata: sa.MetaData, name: str, *columns: sa.Column, with_id: bool = True) -> None:
    """``create_table name do |t| ... t.timestamps limit: 3, null: false end`` (with ``id``)."""
    sa.Table(
        name,
        metadata,
        *([sa.Column("id", sa.Integer, primary_key=True)] if with_id else []),
        *columns,
        mysql_charset="utf8",
    )


def _audited(*columns: sa.Column) -> tuple[sa.Column, ...]:
    """The columns almost every Zammad table ends with."""
    return (
        *columns,
        _integer("updated_by_id", null=False),
        _integer("created_by_id", null=False),
        _timestamp("created_at", null=False),
        _timestamp("updated_at", null=False),
    )


def _stamped(*columns: sa.Column) -> tuple[sa.Column, ...]:
    return (*columns, _timestamp("created_at", null=False), _timestamp("updated_at", null=False))


def zammad_metadata() -> sa.MetaData:
    """The Zammad tables the preset reads, column for column as the migrations create them."""
    m = sa.MetaData()
    # create_base.rb
    _table(
        m,
        "users",
        *_audited(
            _integer("organization_id"),
            _string("login", 255, null=False),
            _string("firstname", 100, default=""),
            _string("lastname", 100, default=""),
            _string("email", 255, default=""),
            _string("image", 100),
            _string("image_source", 200),
            _string("web", 100, default=""),
            _string("password", 100),
            _string("phone", 100, default=""),
            _string("fax", 100, default=""),
            _string("mobile", 100, default=""),
            _string("department", 200, default=""),
            _string("street", 120, default=""),
            _string("zip", 100, default=""),
            _string("city", 100, default=""),
            _string("country", 100, default=""),
            _string("address", 500, default=""),
            _boolean("vip", default=False),
            _boolean("verified", null=False, default=False),
            _boolean("active", null=False, default=True),
            _string("note", 5000, default=""),
            _timestamp("last_login"),
            _string("source", 200),
            _integer("login_failed", null=False, default="0"),
            _boolean("out_of_office", null=False, default=False),
            sa.Column("out_of_office_start_at", sa.Date),
            sa.Column("out_of_office_end_at", sa.Date),
            _integer("out_of_office_replacement_id"),
            _string("preferences", 8000),
        ),
    )
    _table(
        m,
        "groups",
        *_audited(
            _integer("signature_id"),
            _integer("email_address_id"),
            _string("name", 160, null=False),
            _integer("assignment_timeout"),
            _string("follow_up_possible", 100, null=False, default="yes"),
            _boolean("follow_up_assignment", null=False, default=True),
            _boolean("active", null=False, default=True),
            _string("note", 250),
            _integer("reopen_time_in_days"),  # CreateTicketReopenTime
        ),
    )
    _table(
        m,
        "roles",
        *_audited(
            _string("name", 100, null=False),
            sa.Column("preferences", TEXT_500KB),
            _boolean("default_at_signup", default=False),
            _boolean("active", null=False, default=True),
            _string("note", 250),
        ),
    )
    _table(
        m,
        "permissions",
        *_stamped(
            _string("name", 255, null=False),
            _string("note", 500),
            _string("preferences", 10_000),
            _boolean("active", null=False, default=True),
            _boolean("allow_signup", null=False, default=False),
        ),
    )
    _table(m, "permissions_roles", _integer("role_id"), _integer("permission_id"), with_id=False)
    _table(
        m,
        "organizations",
        *_audited(
            _string("name", 100, null=False),
            _boolean("shared", null=False, default=True),
            _string("domain", 250, default=""),
            _boolean("domain_assignment", null=False, default=False),
            _boolean("active", null=False, default=True),
            _string("note", 5000, default=""),
        ),
    )
    _table(m, "roles_users", _integer("user_id"), _integer("role_id"), with_id=False)
    for lookup in ("history_types", "history_attributes"):
        _table(m, lookup, *_stamped(_string("name", 250, null=False)))
    _table(m, "history_objects", *_stamped(_string("name", 250, null=False), _string("note", 250)))
    _table(
        m,
        "histories",
        _integer("history_type_id", null=False),
        _integer("history_object_id", null=False),
        _integer("history_attribute_id"),
        _integer("o_id", null=False),
        _integer("related_o_id"),
        _integer("related_history_object_id"),
        _integer("id_to"),
        _integer("id_from"),
        _string("value_from", 500),
        _string("value_to", 500),
        _integer("created_by_id", null=False),
        _timestamp("created_at", null=False),
        _timestamp("updated_at", null=False),
    )
    # create_ticket.rb
    _table(
        m, "ticket_state_types", *_audited(_string("name", 250, null=False), _string("note", 250))
    )
    _table(
        m,
        "ticket_states",
        *_audited(
            _integer("state_type_id", null=False),
            _string("name", 250, null=False),
            _integer("next_state_id"),
            _boolean("ignore_escalation", null=False, default=False),
            _boolean("default_create", null=False, default=False),
            _boolean("default_follow_up", null=False, default=False),
            _string("note", 250),
            _boolean("active", null=False, default=True),
        ),
    )
    _table(
        m,
        "ticket_priorities",
        *_audited(
            _string("name", 250, null=False),
            _boolean("default_create", null=False, default=False),
            _string("ui_icon", 100),
            _string("ui_color", 100),
            _string("note", 250),
            _boolean("active", null=False, default=True),
        ),
    )
    _table(
        m,
        "tickets",
        *_audited(
            _integer("group_id", null=False),
            _integer("priority_id", null=False),
            _integer("state_id", null=False),
            _integer("organization_id"),
            _string("number", 60, null=False),
            _string("title", 250, null=False),
            _integer("owner_id", null=False),
            _integer("customer_id", null=False),
            _string("note", 250),
            _timestamp("first_response_at"),
            _timestamp("first_response_escalation_at"),
            _integer("first_response_in_min"),
            _integer("first_response_diff_in_min"),
            _timestamp("close_at"),
            _timestamp("close_escalation_at"),
            _integer("close_in_min"),
            _integer("close_diff_in_min"),
            _timestamp("update_escalation_at"),
            _integer("update_in_min"),
            _integer("update_diff_in_min"),
            _timestamp("last_contact_at"),
            _timestamp("last_contact_agent_at"),
            _timestamp("last_contact_customer_at"),
            _timestamp("last_owner_update_at"),
            _integer("create_article_type_id"),
            _integer("create_article_sender_id"),
            _integer("article_count"),
            _timestamp("escalation_at"),
            _timestamp("pending_time"),
            _string("type", 100),
            sa.Column("time_unit", sa.Numeric(6, 2)),
            sa.Column("preferences", TEXT_500KB),
            _timestamp("last_close_at"),  # CreateTicketReopenTime
        ),
    )
    _table(
        m,
        "ticket_article_types",
        *_audited(
            _string("name", 250, null=False),
            _string("note", 250),
            _boolean("communication", null=False),
            _boolean("active", null=False, default=True),
        ),
    )
    _table(
        m,
        "ticket_article_senders",
        *_audited(_string("name", 250, null=False), _string("note", 250)),
    )
    _table(
        m,
        "ticket_articles",
        _integer("ticket_id", null=False),
        _integer("type_id", null=False),
        _integer("sender_id", null=False),
        _string("from", 3000),
        _string("to", 3000),
        _string("cc", 3000),
        _string("subject", 3000),
        _string("reply_to", 300),
        _string("message_id", 3000),
        _string("message_id_md5", 32),
        _string("in_reply_to", 3000),
        _string("content_type", 20, null=False, default="text/plain"),
        _string("references", 3200),
        sa.Column("body", TEXT_20MB, nullable=False),
        _boolean("internal", null=False, default=False),
        sa.Column("preferences", TEXT_500KB),
        _integer("updated_by_id", null=False),
        _integer("created_by_id", null=False),
        _integer("origin_by_id"),
        _timestamp("created_at", null=False),
        _timestamp("updated_at", null=False),
    )
    return m


# --- A small hand-built helpdesk --------------------------------------------------------------

SEEDED = datetime(2022, 12, 1, 0, 0, 0)
AUDIT = {"created_by_id": 1, "updated_by_id": 1, "created_at": SEEDED, "updated_at": SEEDED}
STAMPS = {"created_at": SEEDED, "updated_at": SEEDED}


def _lookup(names: dict[int, str], **extra: Any) -> list[dict[str, Any]]:
    return [{"id": i, "name": name, **extra, **AUDIT} for i, name in names.items()]


def _user(id_: int, login: str, created: datetime = SEEDED, **values: Any) -> dict[str, Any]:
    return {"id": id_, "login": login, **AUDIT, "created_at": created, **values}


def _ticket(id_: int, **values: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "number": f"3100{id_}",
        "priority_id": 2,
        "create_article_type_id": None,
        "type": None,
        "first_response_at": None,
        "close_at": None,
        "last_close_at": None,
        **AUDIT,
        **values,
    }


def _article(id_: int, ticket: int, sender: int, body: str, at: datetime, **values: Any) -> dict:
    return {
        "id": id_,
        "ticket_id": ticket,
        "type_id": 1,
        "sender_id": sender,
        "body": body,
        **AUDIT,
        "created_at": at,
        "updated_at": at,
        **values,
    }


#: history_types / history_objects / history_attributes ids used below.
UPDATED, CREATED = 1, 2
TICKET, ARTICLE = 1, 2
STATE, GROUP, OWNER = 1, 2, 3


def _change(id_: int, ticket: int, attribute: int, old: int, new: int, at: datetime) -> dict:
    """A history row as HasHistory#history_update writes a changed ``<attribute>_id``."""
    return {
        "id": id_,
        "history_type_id": UPDATED,
        "history_object_id": TICKET,
        "history_attribute_id": attribute,
        "o_id": ticket,
        "id_from": old,
        "id_to": new,
        "value_from": str(old),
        "value_to": str(new),
        "created_by_id": 2,
        "created_at": at,
        "updated_at": at,
    }


ROWS: dict[str, list[dict[str, Any]]] = {
    # db/seeds: state types, states, priorities, article types and senders
    "ticket_state_types": _lookup(
        {1: "new", 2: "open", 3: "pending reminder", 4: "pending action", 5: "closed"}
        | {6: "merged", 7: "removed"}
    ),
    "ticket_states": [
        {"state_type_id": t, **row}
        for t, row in zip(
            (1, 2, 3, 5, 6, 7, 4),
            _lookup(
                {1: "new", 2: "open", 3: "pending reminder", 4: "closed", 5: "merged"}
                | {6: "removed", 7: "pending close"}
            ),
            strict=True,
        )
    ],
    "ticket_priorities": _lookup({1: "1 low", 2: "2 normal", 3: "3 high"}),
    "ticket_article_types": _lookup(
        {1: "email", 2: "sms", 3: "chat", 5: "phone", 7: "twitter direct-message"}
        | {10: "note", 11: "web", 12: "telegram personal-message"},
        communication=True,
    ),
    "ticket_article_senders": _lookup({1: "Agent", 2: "Customer", 3: "System"}),
    "groups": _lookup({1: "Users", 2: "Billing", 3: "Sales"}),
    "organizations": _lookup({1: "Acme GmbH", 2: "Zeta Ltd"}),
    # The customer role is renamed ("Kunde"): the ticket.customer permission decides. Role 4
    # grants it too but is inactive.
    "permissions": [
        {"id": 1, "name": "admin", **STAMPS},
        {"id": 2, "name": "ticket.agent", **STAMPS},
        {"id": 3, "name": "ticket.customer", **STAMPS},
    ],
    "roles": _lookup({1: "Admin", 2: "Agent", 3: "Kunde"}, active=True)
    + _lookup({4: "Former customers"}, active=False),
    "permissions_roles": [
        {"role_id": 1, "permission_id": 1},
        {"role_id": 2, "permission_id": 2},
        {"role_id": 3, "permission_id": 3},
        {"role_id": 4, "permission_id": 3},
    ],
    "users": [
        _user(1, "-", firstname="-", lastname="", email="", active=False),  # user_nr_1.rb
        _user(2, "anna", firstname="Anna", lastname="Agent", email="anna@helpdesk.example"),
        _user(3, "boris", firstname="Boris", lastname="", email="boris@helpdesk.example"),
        _user(
            4,
            "carla",
            datetime(2023, 1, 10, 8, 0, 0),
            organization_id=1,
            firstname="Carla",
            email="carla@acme.example",
            country="Germany",
            vip=True,
        ),
        _user(
            5,
            "dmitri",
            datetime(2023, 2, 1, 9, 30, 0),
            organization_id=2,
            firstname="Dmitri",
            email="dmitri@zeta.example",
            vip=False,
        ),
        _user(6, "eve", datetime(2023, 3, 5, 12, 0, 0), country="France", vip=None),
        _user(7, "frank", datetime(2023, 4, 1, 7, 15, 0), email="frank@example.org"),
        _user(8, "gina", firstname="", lastname=""),
        _user(9, "hal", datetime(2023, 5, 1), email="hal@example.org"),
    ],
    "roles_users": [
        {"user_id": 2, "role_id": 2},
        {"user_id": 3, "role_id": 2},
        {"user_id": 4, "role_id": 3},
        {"user_id": 5, "role_id": 3},
        {"user_id": 6, "role_id": 3},
        {"user_id": 8, "role_id": 2},
        {"user_id": 9, "role_id": 4},
    ],
    "tickets": [
        # Closed, reopened by the customer's follow-up, closed again.
        _ticket(
            1,
            customer_id=4,
            organization_id=1,
            group_id=2,
            state_id=4,
            owner_id=2,
            title="Invoice twice",
            type="Incident",
            create_article_type_id=1,
            created_at=datetime(2024, 3, 4, 9, 0, 0),
            first_response_at=datetime(2024, 3, 4, 9, 45, 0),
            close_at=datetime(2024, 3, 5, 10, 0, 0),
            last_close_at=datetime(2024, 3, 7, 16, 30, 0),
        ),
        # Moved Users → Billing → Sales; still open.
        _ticket(
            2,
            customer_id=5,
            organization_id=2,
            group_id=3,
            state_id=2,
            priority_id=3,
            owner_id=3,
            title="Upgrade plan",
            type="",
            create_article_type_id=5,
            created_at=datetime(2024, 3, 10, 14, 0, 0, 250_000),
            first_response_at=datetime(2024, 3, 10, 14, 5, 0),
        ),
        # Arrived as a Twitter DM, created closed, never assigned (owner 1 = "-").
        _ticket(
            3,
            customer_id=4,
            group_id=1,
            state_id=4,
            priority_id=1,
            owner_id=1,
            title="DM question",
            type="Request",
            create_article_type_id=7,
            created_at=datetime(2024, 4, 1, 0, 0, 0),
            close_at=datetime(2024, 4, 1, 12, 0, 0),
            last_close_at=datetime(2024, 4, 1, 12, 0, 0),
        ),
        # Reopened twice, now pending reminder: not resolved although close_at is set.
        _ticket(
            4,
            customer_id=7,
            group_id=1,
            state_id=3,
            owner_id=2,
            title="Form broken",
            create_article_type_id=11,
            created_at=datetime(2024, 4, 15, 10, 0, 0),
            first_response_at=datetime(2024, 4, 15, 11, 0, 0),
            close_at=datetime(2024, 4, 16, 9, 0, 0),
            last_close_at=datetime(2024, 4, 18, 9, 0, 0),
        ),
        # Created through the API without an article, closed, then merged (not a reopen).
        _ticket(
            5,
            customer_id=5,
            group_id=2,
            state_id=5,
            owner_id=8,
            title="Duplicate of 31001",
            created_at=datetime(2024, 5, 2, 8, 0, 0),
            close_at=datetime(2024, 5, 2, 9, 0, 0),
            last_close_at=datetime(2024, 5, 2, 9, 0, 0),
        ),
    ],
    "ticket_articles": [
        _article(1, 1, 2, "I was charged twice", datetime(2024, 3, 4, 9, 0, 0)),
        _article(2, 1, 1, "Sorry, refunded", datetime(2024, 3, 4, 9, 45, 0)),
        _article(3, 1, 2, "Still charged twice", datetime(2024, 3, 6, 8, 0, 0)),
        _article(4, 2, 1, "Agent logged the call", datetime(2024, 3, 10, 14, 0, 1), type_id=5),
        _article(5, 2, 2, "Wants the business plan", datetime(2024, 3, 10, 14, 2, 0), type_id=5),
        _article(6, 3, 2, "Forwarded by a colleague", datetime(2024, 4, 1, 0, 0, 0), internal=True),
        _article(7, 3, 2, "Where is my order?", datetime(2024, 4, 1, 0, 0, 5), type_id=7),
        _article(
            8,
            4,
            2,
            "<p>The contact form fails</p>",
            datetime(2024, 4, 15, 10, 0, 0),
            type_id=11,
            content_type="text/html",
        ),
    ],
    "history_types": [
        {"id": UPDATED, "name": "updated", **STAMPS},
        {"id": CREATED, "name": "created", **STAMPS},
    ],
    "history_objects": [
        {"id": TICKET, "name": "Ticket", **STAMPS},
        {"id": ARTICLE, "name": "Ticket::Article", **STAMPS},
    ],
    "history_attributes": [
        {"id": STATE, "name": "state", **STAMPS},
        {"id": GROUP, "name": "group", **STAMPS},
        {"id": OWNER, "name": "owner", **STAMPS},
    ],
    "histories": [
        # ticket 1: new → open → closed → open (reopen) → closed; owner "-" → Anna
        _change(1, 1, OWNER, 1, 2, datetime(2024, 3, 4, 9, 40, 0)),
        _change(2, 1, STATE, 1, 2, datetime(2024, 3, 4, 9, 45, 0)),
        _change(3, 1, STATE, 2, 4, datetime(2024, 3, 5, 10, 0, 0)),
        _change(4, 1, STATE, 4, 2, datetime(2024, 3, 6, 8, 0, 0)),
        _change(5, 1, STATE, 2, 4, datetime(2024, 3, 7, 16, 30, 0)),
        # ticket 2: group Users → Billing → Sales; new → open
        _change(6, 2, GROUP, 1, 2, datetime(2024, 3, 10, 15, 0, 0)),
        _change(7, 2, GROUP, 2, 3, datetime(2024, 3, 11, 9, 0, 0)),
        _change(8, 2, STATE, 1, 2, datetime(2024, 3, 11, 9, 0, 0)),
        # ticket 4: closed → open, closed → pending reminder: two reopens
        _change(9, 4, STATE, 2, 4, datetime(2024, 4, 16, 9, 0, 0)),
        _change(10, 4, STATE, 4, 2, datetime(2024, 4, 17, 10, 0, 0)),
        _change(11, 4, STATE, 2, 4, datetime(2024, 4, 18, 9, 0, 0)),
        _change(12, 4, STATE, 4, 3, datetime(2024, 4, 19, 8, 0, 0)),
        # ticket 5: new → closed → merged: no reopen
        _change(13, 5, STATE, 1, 4, datetime(2024, 5, 2, 9, 0, 0)),
        _change(14, 5, STATE, 4, 5, datetime(2024, 5, 2, 9, 30, 0)),
        # article creations of ticket 1 (type "created", no attribute): neither counts
        {
            "id": 15,
            "history_type_id": CREATED,
            "history_object_id": ARTICLE,
            "history_attribute_id": None,
            "o_id": 3,
            "related_o_id": 1,
            "related_history_object_id": TICKET,
            "created_by_id": 4,
            "created_at": datetime(2024, 3, 6, 8, 0, 0),
            "updated_at": datetime(2024, 3, 6, 8, 0, 0),
        },
    ],
}

#: Worked out by hand from ROWS. Customers: users 4–6 hold the active "Kunde" role (ticket.customer
#: permission), user 7 has no role but is ticket 4's customer; agents 2, 3, 8, system user 1 and
#: user 9 (only an inactive customer role) are not customers.
EXPECTED_CUSTOMERS = [
    {
        "customer_id": "4",
        "signup_date": datetime(2023, 1, 10, 8, 0, 0),
        "segment": "vip",
        "region": "Germany",
        "email": "carla@acme.example",
    },
    {
        "customer_id": "5",
        "signup_date": datetime(2023, 2, 1, 9, 30, 0),
        "segment": "standard",
        "region": None,
        "email": "dmitri@zeta.example",
    },
    {
        "customer_id": "6",
        "signup_date": datetime(2023, 3, 5, 12, 0, 0),
        "segment": "standard",
        "region": "France",
        "email": None,
    },
    {
        "customer_id": "7",
        "signup_date": datetime(2023, 4, 1, 7, 15, 0),
        "segment": "standard",
        "region": None,
        "email": "frank@example.org",
    },
]

EXPECTED_TICKETS = [
    {
        "ticket_id": "31001",
        "customer_id": "4",
        "created_at": datetime(2024, 3, 4, 9, 0, 0),
        "channel": "email",
        "department": "Billing",
        "category": "Incident",
        "subject": "Invoice twice",
        "text": "I was charged twice",
        "agent": "Anna Agent",
        "priority": "2 normal",
        "first_response_at": datetime(2024, 3, 4, 9, 45, 0),
        "resolved_at": datetime(2024, 3, 7, 16, 30, 0),
        "status": "closed",
        "transfers": 0,
        "reopens": 1,
    },
    {
        "ticket_id": "31002",
        "customer_id": "5",
        "created_at": datetime(2024, 3, 10, 14, 0, 0, 250_000),
        "channel": "phone",
        "department": "Sales",
        "category": None,
        "subject": "Upgrade plan",
        "text": "Wants the business plan",
        "agent": "Boris",
        "priority": "3 high",
        "first_response_at": datetime(2024, 3, 10, 14, 5, 0),
        "resolved_at": None,
        "status": "open",
        "transfers": 2,
        "reopens": 0,
    },
    {
        "ticket_id": "31003",
        "customer_id": "4",
        "created_at": datetime(2024, 4, 1, 0, 0, 0),
        "channel": "social",
        "department": "Users",
        "category": "Request",
        "subject": "DM question",
        "text": "Where is my order?",
        "agent": None,
        "priority": "1 low",
        "first_response_at": None,
        "resolved_at": datetime(2024, 4, 1, 12, 0, 0),
        "status": "closed",
        "transfers": 0,
        "reopens": 0,
    },
    {
        "ticket_id": "31004",
        "customer_id": "7",
        "created_at": datetime(2024, 4, 15, 10, 0, 0),
        "channel": "web",
        "department": "Users",
        "category": None,
        "subject": "Form broken",
        "text": "<p>The contact form fails</p>",
        "agent": "Anna Agent",
        "priority": "2 normal",
        "first_response_at": datetime(2024, 4, 15, 11, 0, 0),
        "resolved_at": None,
        "status": "pending reminder",
        "transfers": 0,
        "reopens": 2,
    },
    {
        "ticket_id": "31005",
        "customer_id": "5",
        "created_at": datetime(2024, 5, 2, 8, 0, 0),
        "channel": None,
        "department": "Billing",
        "category": None,
        "subject": "Duplicate of 31001",
        "text": None,
        "agent": "gina",
        "priority": "2 normal",
        "first_response_at": None,
        "resolved_at": None,
        "status": "merged",
        "transfers": 0,
        "reopens": 0,
    },
]

ZAMMAD_SERVERS = [
    pytest.param("postgres", id="postgres", marks=pytest.mark.database),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.database),
]


@pytest.fixture(params=ZAMMAD_SERVERS)
def server_url(request: pytest.FixtureRequest) -> str:
    """An empty isolated schema (PostgreSQL) or database (MariaDB)."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def zammad_writer(server_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(server_url)
    yield engine
    engine.dispose()


@pytest.fixture
def zammad_url(server_url: str, zammad_writer: sa.Engine) -> str:
    """``server_url`` holding Zammad's tables filled with :data:`ROWS`."""
    metadata = zammad_metadata()
    with zammad_writer.begin() as connection:
        metadata.create_all(connection)
        for name, rows in ROWS.items():
            for row in rows:  # one by one: the server fills each row's omitted defaults
                connection.execute(sa.insert(metadata.tables[name]).values(row))
    return server_url


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as plain dicts, missing values as None."""
    return [
        {column: None if pd.isna(value) else value for column, value in row.items()}
        for row in frame[columns].to_dict("records")
    ]


def _own_schema(url: str) -> str:
    """The isolated schema (PostgreSQL search_path) or database (MariaDB) of the fixture."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return re.search(r"search_path=(\w+)", parsed.query["options"]).group(1)
    return parsed.database


# --- Without a database -------------------------------------------------------------------------


def test_the_registry_finds_the_preset():
    assert helpdesks.get("zammad") is PRESET
    assert PRESET.backends == ("postgresql", "mysql")


@pytest.mark.parametrize("table", ["customers", "tickets", "surveys"])
def test_every_canonical_column_is_filled_or_explained_once(table):
    filled = set(PRESET.fills[table])
    explained = {key.split(".", 1)[1] for key in PRESET.cannot if key.startswith(f"{table}.")}
    assert filled.isdisjoint(explained)
    assert filled | explained == set(TABLES[table].column_names)


@pytest.mark.parametrize("table", ["customers", "tickets"])
def test_fills_names_exactly_what_the_queries_select(table):
    query = build().tables[table].query
    assert list(query.selected_columns.keys()) == list(PRESET.fills[table])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"schema": "zammad; drop table users"}, "schema may hold only"),
        ({"schema": 5}, "schema may hold only"),
        ({"segment": "country"}, "segment must be one of vip, organization"),
        ({"table_prefix": "z_"}, "zammad has no option(s) table_prefix"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        PRESET.mapping(**options)


def test_the_schema_option_qualifies_every_table():
    mapping = PRESET.mapping(schema="helpdesk", segment="organization")
    for table_mapping in mapping.tables.values():
        assert {schema for schema, _ in table_mapping.needs} == {"helpdesk"}
        sql = str(table_mapping.query.compile(dialect=postgresql.dialect()))
        sources = re.findall(r"(?:FROM|JOIN) (\w+(?:\.\w+)?)", sql)
        assert sources and all(source.startswith("helpdesk.") for source in sources)


# --- Against the real servers -------------------------------------------------------------------


def test_reads_the_canonical_tables_from_zammad(zammad_url):
    dataset, report = read_dataset(zammad_url, preset="zammad", as_of=pd.Timestamp("2024-06-01"))

    assert report.is_clean, report.problems.to_dict("records")
    assert report.rows_read == {"customers": 4, "tickets": 5, "surveys": 0}
    assert records(dataset.customers, list(EXPECTED_CUSTOMERS[0])) == EXPECTED_CUSTOMERS
    assert records(dataset.tickets, list(EXPECTED_TICKETS[0])) == EXPECTED_TICKETS


def test_the_figures_the_pages_use(zammad_url):
    """The same read, as the totals a reviewer would check by hand."""
    dataset, _ = read_dataset(zammad_url, preset="zammad", as_of=pd.Timestamp("2024-06-01"))
    tickets = dataset.tickets

    assert int(tickets["reopens"].sum()) == 3  # ticket 1 once, ticket 4 twice
    assert int(tickets["transfers"].sum()) == 2  # ticket 2: Users → Billing → Sales
    assert tickets["resolved_at"].notna().sum() == 2  # tickets 1 and 3 are closed now
    first_response = (tickets["first_response_at"] - tickets["created_at"]).dropna()
    assert sorted(first_response.dt.total_seconds()) == [299.75, 2700.0, 3600.0]
    assert tickets["channel"].value_counts().to_dict() == {
        "email": 1,
        "phone": 1,
        "social": 1,
        "web": 1,
    }
    assert tickets["department"].value_counts().to_dict() == {"Billing": 2, "Users": 2, "Sales": 1}
    assert dataset.surveys.empty
    assert not dataset.has("surveys", "score") and not dataset.has("tickets", "is_complaint")


def test_the_connection_test_counts_what_a_read_would_get(zammad_url):
    assert probe(zammad_url, preset="zammad") == {"customers": 4, "tickets": 5, "surveys": 0}


def test_segment_by_organization(zammad_url):
    dataset, _ = read_dataset(zammad_url, preset="zammad", segment="organization")
    assert records(dataset.customers, ["customer_id", "segment"]) == [
        {"customer_id": "4", "segment": "Acme GmbH"},
        {"customer_id": "5", "segment": "Zeta Ltd"},
        {"customer_id": "6", "segment": None},
        {"customer_id": "7", "segment": None},
    ]


def test_a_date_range_reads_the_tickets_in_it_and_every_customer(zammad_url):
    dataset, report = read_dataset(
        zammad_url, preset="zammad", since=date(2024, 4, 1), until=date(2024, 4, 30)
    )
    assert dataset.tickets["ticket_id"].tolist() == ["31003", "31004"]
    assert dataset.tickets["reopens"].tolist() == [0, 2]
    assert report.rows_read == {"customers": 4, "tickets": 2, "surveys": 0}


def test_the_schema_option_reads_the_named_schema(zammad_url):
    dataset, _ = read_dataset(zammad_url, preset="zammad", schema=_own_schema(zammad_url))
    assert dataset.tickets["ticket_id"].tolist() == ["31001", "31002", "31003", "31004", "31005"]
    with pytest.raises(SchemaError) as caught:
        read_dataset(zammad_url, preset="zammad", schema="ll_no_such_schema")
    assert len(caught.value.problems) == 3  # customers, tickets and surveys


@pytest.mark.parametrize(
    ("dropped", "unusable"),
    [
        ("histories", ["tickets"]),
        ("permissions_roles", ["customers"]),
        ("users", ["customers", "tickets"]),
    ],
)
def test_a_missing_zammad_table_is_named(zammad_url, zammad_writer, dropped, unusable):
    with zammad_writer.begin() as connection:
        zammad_metadata().tables[dropped].drop(connection)
    with pytest.raises(SchemaError) as caught:
        read_dataset(zammad_url, preset="zammad")
    problems = caught.value.problems
    assert [re.match(r"table '(\w+)' is missing", p).group(1) for p in problems] == unusable
    assert all(f"'{dropped}'" in problem for problem in problems)


@pytest.mark.parametrize(
    "statement",
    [
        sa.insert(sa.table("groups", sa.column("id"), sa.column("name"))).values(
            id=99, name="Intruders"
        ),
        sa.update(sa.table("tickets", sa.column("title"))).values(title="hacked"),
    ],
    ids=["insert", "update"],
)
def test_the_reader_cannot_write_to_zammad(zammad_url, zammad_writer, statement):
    engine = create_read_only_engine(zammad_url)
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError):
            connection.execute(statement)
            connection.commit()
    finally:
        engine.dispose()
    tables = zammad_metadata().tables
    with zammad_writer.connect() as connection:
        groups = connection.execute(sa.select(tables["groups"].c.name).order_by("id"))
        assert groups.scalars().all() == ["Users", "Billing", "Sales"]
        titles = connection.execute(sa.select(tables["tickets"].c.title)).scalars().all()
        assert "hacked" not in titles and len(titles) == 5
