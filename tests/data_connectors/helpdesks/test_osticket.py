"""The osTicket preset against osTicket's own tables, created in the real MariaDB server.

The tables are translated column by column (names, MySQL types, NULL-ability, defaults) from
osTicket's installer and upgrade patches in ``osTicket/osTicket``:

* ``setup/inc/streams/core/install-mysql.sql`` @ ``d3fa2181302e376552d977a428de354db2581b36``
  — every table below as osTicket 1.10 creates it (``thread_event`` with its ``state`` enum);
* ``include/upgrader/streams/core/26fd79dc-00c949a6.patch.sql`` (v1.11) @ ``d0618f71f84d08e8`` —
  the ``event`` table and its rows (``reopened`` = 3, ``transferred`` = 6);
* ``include/upgrader/streams/core/8b923d61-9b5550da.patch.sql`` (v1.14, ticket merge)
  @ ``d5b5ae7a4270f8b9`` — ``ticket.ticket_pid``, ``ticket.sort``, ``thread_entry.extra``;
* ``include/upgrader/streams/core/9b5550da-e6978154.patch.sql`` (v1.14, thread type)
  @ ``132fc8bd83a7594b`` — ``thread_event`` rebuilt with ``thread_type`` and ``event_id``,
  without ``state``.

``ticket__cdata`` is built by osTicket itself (``TicketForm::buildDynamicDataView``, a ``CREATE
TABLE ... AS SELECT`` over the ticket form's answers): on MariaDB 10.11 that gives
``ticket_id int(11) unsigned NOT NULL`` and ``mediumtext`` answer columns, as declared here.

The helpdesk below is built by hand; every expected value is written out from it (see the
comments by each figure).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from data_connectors import helpdesks
from data_connectors.errors import SchemaError
from data_connectors.helpdesks import osticket
from data_connectors.schema import TABLES
from data_connectors.sql import create_read_only_engine, read_dataset

#: osTicket 1.14 and later (event table) and osTicket 1.10 (thread_event.state).
MODERN, LEGACY = "1.14", "1.10"


def _uint(width: int) -> mysql.INTEGER:
    return mysql.INTEGER(display_width=width, unsigned=True)


def _utiny(width: int) -> mysql.TINYINT:
    return mysql.TINYINT(display_width=width, unsigned=True)


def _col(name: str, type_: sa.types.TypeEngine, *, null: bool = True, default=None, pk=False):
    """A column as the installer writes it: ``NOT NULL`` unless ``null``, ``default`` verbatim."""
    return sa.Column(
        name,
        type_,
        primary_key=pk,
        autoincrement=pk,
        nullable=null and not pk,
        server_default=None if default is None else sa.text(default),
    )


def osticket_metadata(prefix: str, version: str = MODERN) -> sa.MetaData:
    """The osTicket tables the preset reads, named ``prefix`` + name, as in ``version``."""
    metadata = sa.MetaData()
    modern = version == MODERN

    def table(name: str, *columns: sa.Column) -> None:
        sa.Table(prefix + name, metadata, *columns, mysql_charset="utf8")

    table(
        "department",
        _col("id", _uint(11), pk=True),
        _col("pid", _uint(11)),
        _col("tpl_id", _uint(10), null=False, default="'0'"),
        _col("sla_id", _uint(10), null=False, default="'0'"),
        _col("email_id", _uint(10), null=False, default="'0'"),
        _col("autoresp_email_id", _uint(10), null=False, default="'0'"),
        _col("manager_id", _uint(10), null=False, default="'0'"),
        _col("flags", _uint(10), null=False, default="0"),
        _col("name", mysql.VARCHAR(128), null=False, default="''"),
        _col("signature", mysql.TEXT(), null=False),
        _col("ispublic", _utiny(1), null=False, default="'1'"),
        _col("group_membership", mysql.TINYINT(1), null=False, default="'0'"),
        _col("ticket_auto_response", mysql.TINYINT(1), null=False, default="'1'"),
        _col("message_auto_response", mysql.TINYINT(1), null=False, default="'0'"),
        _col("path", mysql.VARCHAR(128), null=False, default="'/'"),
        _col("updated", mysql.DATETIME(), null=False),
        _col("created", mysql.DATETIME(), null=False),
    )
    table(
        "help_topic",
        _col("topic_id", _uint(11), pk=True),
        _col("topic_pid", _uint(10), null=False, default="'0'"),
        _col("isactive", _utiny(1), null=False, default="'1'"),
        _col("ispublic", _utiny(1), null=False, default="'1'"),
        _col("noautoresp", _utiny(3), null=False, default="'0'"),
        _col("flags", _uint(10), default="'0'"),
        _col("status_id", _uint(10), null=False, default="'0'"),
        _col("priority_id", _uint(10), null=False, default="'0'"),
        _col("dept_id", _uint(10), null=False, default="'0'"),
        _col("staff_id", _uint(10), null=False, default="'0'"),
        _col("team_id", _uint(10), null=False, default="'0'"),
        _col("sla_id", _uint(10), null=False, default="'0'"),
        _col("page_id", _uint(10), null=False, default="'0'"),
        _col("sequence_id", _uint(10), null=False, default="'0'"),
        _col("sort", _uint(10), null=False, default="'0'"),
        _col("topic", mysql.VARCHAR(32), null=False, default="''"),
        _col("number_format", mysql.VARCHAR(32)),
        _col("notes", mysql.TEXT()),
        _col("created", mysql.DATETIME(), null=False),
        _col("updated", mysql.DATETIME(), null=False),
    )
    table(
        "staff",
        _col("staff_id", _uint(11), pk=True),
        _col("dept_id", _uint(10), null=False, default="'0'"),
        _col("role_id", _uint(10), null=False, default="'0'"),
        _col("username", mysql.VARCHAR(32), null=False, default="''"),
        _col("firstname", mysql.VARCHAR(32)),
        _col("lastname", mysql.VARCHAR(32)),
        _col("passwd", mysql.VARCHAR(128)),
        _col("backend", mysql.VARCHAR(32)),
        _col("email", mysql.VARCHAR(128)),
        _col("phone", mysql.VARCHAR(24), null=False, default="''"),
        _col("phone_ext", mysql.VARCHAR(6)),
        _col("mobile", mysql.VARCHAR(24), null=False, default="''"),
        _col("signature", mysql.TEXT(), null=False),
        _col("lang", mysql.VARCHAR(16)),
        _col("timezone", mysql.VARCHAR(64)),
        _col("locale", mysql.VARCHAR(16)),
        _col("notes", mysql.TEXT()),
        _col("isactive", mysql.TINYINT(1), null=False, default="'1'"),
        _col("isadmin", mysql.TINYINT(1), null=False, default="'0'"),
        _col("isvisible", _utiny(1), null=False, default="'1'"),
        _col("onvacation", _utiny(1), null=False, default="'0'"),
        _col("assigned_only", _utiny(1), null=False, default="'0'"),
        _col("show_assigned_tickets", _utiny(1), null=False, default="'0'"),
        _col("change_passwd", _utiny(1), null=False, default="'0'"),
        _col("max_page_size", _uint(11), null=False, default="'0'"),
        _col("auto_refresh_rate", _uint(10), null=False, default="'0'"),
        _col(
            "default_signature_type",
            mysql.ENUM("none", "mine", "dept"),
            null=False,
            default="'none'",
        ),
        _col(
            "default_paper_size",
            mysql.ENUM("Letter", "Legal", "Ledger", "A4", "A3"),
            null=False,
            default="'Letter'",
        ),
        _col("extra", mysql.TEXT()),
        _col("permissions", mysql.TEXT()),
        _col("created", mysql.DATETIME(), null=False),
        _col("lastlogin", mysql.DATETIME()),
        _col("passwdreset", mysql.DATETIME()),
        _col("updated", mysql.DATETIME(), null=False),
    )
    table(
        "team",
        _col("team_id", _uint(10), pk=True),
        _col("lead_id", _uint(10), null=False, default="'0'"),
        _col("flags", _uint(10), null=False, default="1"),
        _col("name", mysql.VARCHAR(125), null=False, default="''"),
        _col("notes", mysql.TEXT()),
        _col("created", mysql.DATETIME(), null=False),
        _col("updated", mysql.DATETIME(), null=False),
    )
    table(
        "thread",
        _col("id", _uint(11), pk=True),
        _col("object_id", _uint(11), null=False),
        _col("object_type", mysql.CHAR(1), null=False),
        _col("extra", mysql.TEXT()),
        _col("lastresponse", mysql.DATETIME()),
        _col("lastmessage", mysql.DATETIME()),
        _col("created", mysql.DATETIME(), null=False),
    )
    table(
        "thread_entry",
        _col("id", _uint(11), pk=True),
        _col("pid", _uint(11), null=False, default="'0'"),
        _col("thread_id", _uint(11), null=False, default="'0'"),
        _col("staff_id", _uint(11), null=False, default="'0'"),
        _col("user_id", _uint(11), null=False, default="0"),
        _col("type", mysql.CHAR(1), null=False, default="''"),
        _col("flags", _uint(11), null=False, default="'0'"),
        _col("poster", mysql.VARCHAR(128), null=False, default="''"),
        _col("editor", _uint(10)),
        _col("editor_type", mysql.CHAR(1)),
        _col("source", mysql.VARCHAR(32), null=False, default="''"),
        _col("title", mysql.VARCHAR(255)),
        _col("body", mysql.TEXT(), null=False),
        _col("format", mysql.VARCHAR(16), null=False, default="'html'"),
        _col("ip_address", mysql.VARCHAR(64), null=False, default="''"),
        *([_col("extra", mysql.TEXT())] if modern else []),
        _col("created", mysql.DATETIME(), null=False),
        _col("updated", mysql.DATETIME(), null=False),
    )
    table(
        "ticket",
        _col("ticket_id", _uint(11), pk=True),
        *([_col("ticket_pid", _uint(11))] if modern else []),
        _col("number", mysql.VARCHAR(20)),
        _col("user_id", _uint(11), null=False, default="'0'"),
        _col("user_email_id", _uint(11), null=False, default="'0'"),
        _col("status_id", _uint(10), null=False, default="'0'"),
        _col("dept_id", _uint(10), null=False, default="'0'"),
        _col("sla_id", _uint(10), null=False, default="'0'"),
        _col("topic_id", _uint(10), null=False, default="'0'"),
        _col("staff_id", _uint(10), null=False, default="'0'"),
        _col("team_id", _uint(10), null=False, default="'0'"),
        _col("email_id", _uint(11), null=False, default="'0'"),
        _col("lock_id", _uint(11), null=False, default="'0'"),
        _col("flags", _uint(10), null=False, default="'0'"),
        *([_col("sort", _uint(11), null=False, default="'0'")] if modern else []),
        _col("ip_address", mysql.VARCHAR(64), null=False, default="''"),
        _col(
            "source",
            mysql.ENUM("Web", "Email", "Phone", "API", "Other"),
            null=False,
            default="'Other'",
        ),
        _col("source_extra", mysql.VARCHAR(40)),
        _col("isoverdue", _utiny(1), null=False, default="'0'"),
        _col("isanswered", _utiny(1), null=False, default="'0'"),
        _col("duedate", mysql.DATETIME()),
        _col("est_duedate", mysql.DATETIME()),
        _col("reopened", mysql.DATETIME()),
        _col("closed", mysql.DATETIME()),
        _col("lastupdate", mysql.DATETIME()),
        _col("created", mysql.DATETIME(), null=False),
        _col("updated", mysql.DATETIME(), null=False),
    )
    event_kind = (
        [
            _col("thread_type", mysql.CHAR(1), default="''"),
            _col("event_id", _uint(11)),
        ]
        if modern
        else []
    )
    table(
        "thread_event",
        _col("id", _uint(10), pk=True),
        _col("thread_id", _uint(11), null=False, default="'0'"),
        *event_kind,
        _col("staff_id", _uint(11), null=False),
        _col("team_id", _uint(11), null=False),
        _col("dept_id", _uint(11), null=False),
        _col("topic_id", _uint(11), null=False),
        *(
            []
            if modern
            else [
                _col(
                    "state",
                    mysql.ENUM(
                        "created",
                        "closed",
                        "reopened",
                        "assigned",
                        "transferred",
                        "overdue",
                        "edited",
                        "viewed",
                        "error",
                        "collab",
                        "resent",
                    ),
                    null=False,
                )
            ]
        ),
        _col("data", mysql.VARCHAR(1024)),
        _col("username", mysql.VARCHAR(128), null=False, default="'SYSTEM'"),
        _col("uid", _uint(11)),
        _col("uid_type", mysql.CHAR(1), null=False, default="'S'"),
        _col("annulled", _utiny(1), null=False, default="'0'"),
        _col("timestamp", mysql.DATETIME(), null=False),
    )
    if modern:
        table(
            "event",
            _col("id", _uint(10), pk=True),
            _col("name", mysql.VARCHAR(60), null=False),
            _col("description", mysql.VARCHAR(60)),
        )
    table(
        "ticket_status",
        _col("id", mysql.INTEGER(11), pk=True),
        _col("name", mysql.VARCHAR(60), null=False, default="''"),
        _col("state", mysql.VARCHAR(16)),
        _col("mode", _uint(11), null=False, default="'0'"),
        _col("flags", _uint(11), null=False, default="'0'"),
        _col("sort", _uint(11), null=False, default="'0'"),
        _col("properties", mysql.TEXT(), null=False),
        _col("created", mysql.DATETIME(), null=False),
        _col("updated", mysql.DATETIME(), null=False),
    )
    table(
        "ticket_priority",
        _col("priority_id", mysql.TINYINT(4), pk=True),
        _col("priority", mysql.VARCHAR(60), null=False, default="''"),
        _col("priority_desc", mysql.VARCHAR(30), null=False, default="''"),
        _col("priority_color", mysql.VARCHAR(7), null=False, default="''"),
        _col("priority_urgency", _utiny(1), null=False, default="'0'"),
        _col("ispublic", mysql.TINYINT(1), null=False, default="'1'"),
    )
    table(
        "ticket__cdata",
        sa.Column("ticket_id", _uint(11), primary_key=True, autoincrement=False),
        _col("subject", mysql.MEDIUMTEXT()),
        _col("priority", mysql.MEDIUMTEXT()),
    )
    table(
        "user",
        _col("id", _uint(10), pk=True),
        _col("org_id", _uint(10), null=False),
        _col("default_email_id", mysql.INTEGER(10), null=False),
        _col("status", _uint(11), null=False, default="'0'"),
        _col("name", mysql.VARCHAR(128), null=False),
        _col("created", mysql.DATETIME(), null=False),
        _col("updated", mysql.DATETIME(), null=False),
    )
    table(
        "user_email",
        _col("id", _uint(10), pk=True),
        _col("user_id", _uint(10), null=False),
        _col("flags", _uint(10), null=False, default="0"),
        _col("address", mysql.VARCHAR(128), null=False),
        sa.UniqueConstraint("address"),
    )
    return metadata


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


#: osTicket's event rows as the v1.11 patch inserts them (id, name).
EVENTS = [
    (1, "created"),
    (2, "closed"),
    (3, "reopened"),
    (4, "assigned"),
    (5, "released"),
    (6, "transferred"),
    (7, "referred"),
    (8, "overdue"),
    (9, "edited"),
    (10, "viewed"),
    (11, "error"),
    (12, "collab"),
    (13, "resent"),
    (14, "deleted"),
]
EVENT_IDS = {name: id_ for id_, name in EVENTS}

#: (thread_id, event, timestamp, annulled). Thread 6 is a task's ('A'), with object_id 4 like
#: ticket 4: its events must not count for the ticket.
THREAD_EVENTS = [
    (1, "created", "2024-03-04 09:00:00", 0),
    (1, "transferred", "2024-03-04 09:10:00", 0),  # Support -> Billing
    (1, "closed", "2024-03-05 12:00:00", 1),  # annulled by the reopening
    (1, "reopened", "2024-03-05 15:00:00", 0),
    (1, "closed", "2024-03-06 17:00:00", 0),
    (2, "created", "2024-03-10 14:00:00", 0),
    (2, "transferred", "2024-03-10 14:02:00", 0),
    (2, "transferred", "2024-03-10 16:00:00", 0),
    (2, "assigned", "2024-03-10 16:05:00", 0),  # an assignment is not a transfer
    (3, "created", "2024-04-01 08:00:00", 0),
    (3, "closed", "2024-04-02 09:00:00", 1),
    (3, "reopened", "2024-04-02 10:00:00", 0),
    (3, "closed", "2024-04-03 09:00:00", 1),
    (3, "reopened", "2024-04-03 10:00:00", 0),
    (4, "created", "2024-04-15 23:59:59", 0),
    (4, "closed", "2024-04-16 10:00:00", 0),
    (5, "created", "2024-05-02 11:00:00", 0),
    (6, "transferred", "2024-04-16 00:05:00", 0),  # the task's
    (6, "reopened", "2024-04-16 00:06:00", 0),  # the task's
]


def helpdesk_rows(version: str = MODERN) -> dict[str, list[dict[str, object]]]:
    """A small osTicket helpdesk, by source table name (without prefix)."""
    stamp = {"created": at("2024-01-01 00:00:00"), "updated": at("2024-01-01 00:00:00")}
    rows: dict[str, list[dict[str, object]]] = {
        "department": [
            {"id": i, "name": name, "signature": "", **stamp}
            for i, name in [(1, "Support"), (2, "Billing"), (3, "Sales")]
        ],
        "help_topic": [
            {"topic_id": i, "topic": name, **stamp}
            for i, name in [(1, "General Inquiry"), (2, "Invoices"), (3, "Pricing")]
        ],
        # osTicket's default statuses and priorities
        "ticket_status": [
            {"id": i, "name": name, "state": state, "properties": "{}", **stamp}
            for i, name, state in [
                (1, "Open", "open"),
                (2, "Resolved", "closed"),
                (3, "Closed", "closed"),
                (4, "Archived", "archived"),
                (5, "Deleted", "deleted"),
            ]
        ],
        "ticket_priority": [
            {"priority_id": i, "priority": key, "priority_desc": desc, "priority_urgency": 5 - i}
            for i, key, desc in [
                (1, "low", "Low"),
                (2, "normal", "Normal"),
                (3, "high", "High"),
                (4, "emergency", "Emergency"),
            ]
        ],
        "staff": [
            {"staff_id": 1, "username": "mlopez", "firstname": "Maria", "lastname": "Lopez"},
            {"staff_id": 2, "username": "jdoe", "firstname": None, "lastname": None},
        ],
        "team": [
            {"team_id": 1, "name": "Level I Support", **stamp},
            {"team_id": 2, "name": "Billing desk", **stamp},
        ],
        "user": [
            {"id": 1, "default_email_id": 1, "name": "Anna Petrova", "created": "2024-01-05 09:00"},
            {"id": 2, "default_email_id": 3, "name": "Boris Ivanov", "created": "2024-02-10 14:30"},
            {"id": 3, "default_email_id": 4, "name": "Chen Wei", "created": "2024-03-01 08:00"},
        ],
        "user_email": [
            {"id": 1, "user_id": 1, "address": "anna@example.com"},
            {"id": 2, "user_id": 2, "address": "boris.old@example.ru"},
            {"id": 3, "user_id": 2, "address": "boris@example.ru"},
            {"id": 4, "user_id": 3, "address": "chen@example.com"},
        ],
        "ticket": [
            # ticket 3 was reopened by an osTicket that left the reopening time in `closed`
            {
                "ticket_id": i,
                "number": number,
                "user_id": user,
                "status_id": status,
                "dept_id": dept,
                "topic_id": topic,
                "staff_id": staff,
                "team_id": team,
                "source": source,
                "created": created,
                "closed": closed,
                "updated": created,
            }
            for i, number, user, status, dept, topic, staff, team, source, created, closed in [
                (1, "481516", 1, 3, 2, 2, 1, 2, "Email", "2024-03-04 09:00", "2024-03-06 17:00"),
                (2, "623420", 2, 1, 1, 1, 2, 1, "Phone", "2024-03-10 14:00", None),
                (3, "731001", 1, 1, 3, 3, 0, 0, "Web", "2024-04-01 08:00", "2024-04-03 10:00"),
                (4, "845002", 3, 2, 1, 1, 1, 1, "API", "2024-04-15 23:59:59", "2024-04-16 10:00"),
                (5, "900003", 2, 1, 2, 0, 0, 0, "Other", "2024-05-02 11:00", None),
            ]
        ],
        # no details row for ticket 3; priority holds the priority's id, as osTicket stores it
        "ticket__cdata": [
            {"ticket_id": 1, "subject": "Charged twice", "priority": "3"},
            {"ticket_id": 2, "subject": "Cannot log in", "priority": "2"},
            {"ticket_id": 4, "subject": "Webhook retries", "priority": "1"},
            {"ticket_id": 5, "subject": "Urgent: account locked", "priority": "4"},
        ],
        "thread": [
            {"id": i, "object_id": i, "object_type": "T", "created": stamp["created"]}
            for i in range(1, 6)
        ]
        + [{"id": 6, "object_id": 4, "object_type": "A", "created": stamp["created"]}],
        "thread_entry": [
            {
                "id": i,
                "thread_id": thread,
                "staff_id": staff,
                "user_id": user,
                "type": kind,
                "body": body,
                "created": created,
                "updated": created,
            }
            for i, thread, staff, user, kind, body, created in [
                (1, 1, 0, 1, "M", "<p>Я оплатила счёт дважды</p>", "2024-03-04 09:00:00"),
                (2, 1, 1, 0, "N", "<p>Checking with finance</p>", "2024-03-04 09:20:00"),
                (3, 1, 1, 0, "R", "<p>Refund is on its way</p>", "2024-03-04 09:45:30"),
                (4, 1, 0, 1, "M", "<p>Thanks!</p>", "2024-03-04 10:30:00"),
                (5, 1, 1, 0, "R", "<p>You are welcome</p>", "2024-03-04 11:00:00"),
                (6, 2, 0, 2, "M", "Login fails with error 500", "2024-03-10 14:00:00"),
                (7, 2, 2, 0, "R", "Please clear cookies", "2024-03-10 14:05:00"),
                (8, 3, 0, 1, "M", "<p>Any discount for 50 seats?</p>", "2024-04-01 08:00:00"),
                (9, 3, 1, 0, "N", "<p>Ask the sales lead</p>", "2024-04-01 08:30:00"),
                (10, 6, 1, 0, "R", "<p>Task done</p>", "2024-04-16 00:01:00"),  # task thread
                (11, 4, 0, 3, "M", "<p>Webhooks are retried forever</p>", "2024-04-15 23:59:59"),
                (12, 4, 1, 0, "R", "<p>Fixed in 2.3</p>", "2024-04-16 00:10:00"),
                (13, 5, 0, 2, "M", "<p>My account is locked</p>", "2024-05-02 11:00:00"),
            ]
        ],
        "thread_event": [
            {
                "thread_id": thread,
                **(
                    {"thread_type": "A" if thread == 6 else "T", "event_id": EVENT_IDS[name]}
                    if version == MODERN
                    else {"state": name}
                ),
                "staff_id": 1,
                "team_id": 0,
                "dept_id": 0,
                "topic_id": 0,
                "annulled": annulled,
                "timestamp": timestamp,
            }
            for thread, name, timestamp, annulled in THREAD_EVENTS
        ],
    }
    for row in rows["staff"]:
        row.update(signature="", **stamp)
    for row in rows["user"]:
        row.update(org_id=0, updated=row["created"])
    if version == MODERN:
        rows["event"] = [{"id": i, "name": name, "description": ""} for i, name in EVENTS]
    return rows


@pytest.fixture
def build_helpdesk(mariadb_url: str) -> Iterator:
    """``build(prefix, version, omit=())``: create the osTicket tables and fill them."""
    engine = sa.create_engine(mariadb_url)

    def build(prefix: str = "ost_", version: str = MODERN, omit: tuple[str, ...] = ()) -> str:
        metadata = osticket_metadata(prefix, version)
        rows = helpdesk_rows(version)
        with engine.begin() as connection:
            for name, source_rows in rows.items():
                if name in omit:
                    continue
                table = metadata.tables[prefix + name]
                table.create(connection)
                connection.execute(sa.insert(table), source_rows)
        return mariadb_url

    yield build
    engine.dispose()


def by_ticket(frame: pd.DataFrame, column: str) -> dict[str, object]:
    """``ticket_id -> value`` with missing values as None."""
    values = frame.set_index("ticket_id")[column]
    return {key: None if pd.isna(value) else value for key, value in values.items()}


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


#: The canonical tickets, worked out by hand from :func:`helpdesk_rows`.
EXPECTED_TICKETS: dict[str, dict[str, object]] = {
    "customer_id": {"1": "1", "2": "2", "3": "1", "4": "3", "5": "2"},
    "created_at": {
        "1": ts("2024-03-04 09:00"),
        "2": ts("2024-03-10 14:00"),
        "3": ts("2024-04-01 08:00"),
        "4": ts("2024-04-15 23:59:59"),
        "5": ts("2024-05-02 11:00"),
    },
    "channel": {"1": "email", "2": "phone", "3": "web", "4": "api", "5": "other"},
    "department": {"1": "Billing", "2": "Support", "3": "Sales", "4": "Support", "5": "Billing"},
    "category": {
        "1": "Invoices",
        "2": "General Inquiry",
        "3": "Pricing",
        "4": "General Inquiry",
        "5": None,  # topic_id 0: no help topic
    },
    "subject": {
        "1": "Charged twice",
        "2": "Cannot log in",
        "3": None,  # no ticket__cdata row
        "4": "Webhook retries",
        "5": "Urgent: account locked",
    },
    # the first 'M' entry, as stored (HTML); later messages and agent posts are not the text
    "text": {
        "1": "<p>Я оплатила счёт дважды</p>",
        "2": "Login fails with error 500",
        "3": "<p>Any discount for 50 seats?</p>",
        "4": "<p>Webhooks are retried forever</p>",
        "5": "<p>My account is locked</p>",
    },
    "agent": {"1": "Maria Lopez", "2": "jdoe", "3": None, "4": "Maria Lopez", "5": None},
    "team": {
        "1": "Billing desk",
        "2": "Level I Support",
        "3": None,
        "4": "Level I Support",
        "5": None,
    },
    "priority": {"1": "High", "2": "Normal", "3": None, "4": "Low", "5": "Emergency"},
    # first 'R' entry: ticket 1 after 45 min 30 s (the 09:20 note does not count), ticket 2
    # after 5 min, ticket 4 after 10 min 1 s (the task's 00:01 reply does not count); tickets 3
    # (a note only) and 5 have no response
    "first_response_at": {
        "1": ts("2024-03-04 09:45:30"),
        "2": ts("2024-03-10 14:05"),
        "3": None,
        "4": ts("2024-04-16 00:10"),
        "5": None,
    },
    # ticket 3 is open again although `closed` still holds a time
    "resolved_at": {
        "1": ts("2024-03-06 17:00"),
        "2": None,
        "3": None,
        "4": ts("2024-04-16 10:00"),
        "5": None,
    },
    "status": {"1": "Closed", "2": "Open", "3": "Open", "4": "Resolved", "5": "Open"},
    # 'transferred' events: ticket 1 once, ticket 2 twice (its assignment is no transfer);
    # the task thread's transfer and reopening do not count for ticket 4
    "transfers": {"1": 1, "2": 2, "3": 0, "4": 0, "5": 0},
    "reopens": {"1": 1, "2": 0, "3": 2, "4": 0, "5": 0},
}


@pytest.mark.database
@pytest.mark.parametrize(
    ("prefix", "options"),
    [("ost_", {}), ("help_", {"table_prefix": "help_"})],
    ids=["default-prefix", "help_-prefix"],
)
def test_reads_the_helpdesk_as_canonical_tables(build_helpdesk, prefix, options):
    url = build_helpdesk(prefix)
    dataset, report = read_dataset(url, preset="osticket", **options)

    assert report.is_clean, report.problems
    assert report.rows_read == {"customers": 3, "tickets": 5, "surveys": 0}

    customers = dataset.customers.set_index("customer_id")
    assert customers["signup_date"].to_dict() == {
        "1": ts("2024-01-05 09:00"),
        "2": ts("2024-02-10 14:30"),
        "3": ts("2024-03-01 08:00"),
    }
    # the default address, not Boris's older one
    assert customers["email"].to_dict() == {
        "1": "anna@example.com",
        "2": "boris@example.ru",
        "3": "chen@example.com",
    }
    assert customers["churn_date"].isna().all()

    tickets = dataset.tickets
    assert sorted(tickets["ticket_id"]) == ["1", "2", "3", "4", "5"]
    for column, expected in EXPECTED_TICKETS.items():
        assert by_ticket(tickets, column) == expected, column
    response_seconds = (tickets["first_response_at"] - tickets["created_at"]).dt.total_seconds()
    assert by_ticket(tickets.assign(s=response_seconds), "s") == {
        "1": 2730.0,
        "2": 300.0,
        "3": None,
        "4": 601.0,
        "5": None,
    }

    assert dataset.surveys.empty
    assert list(dataset.surveys.columns) == TABLES["surveys"].column_names

    filled = helpdesks.get("osticket").fills
    for table, columns in filled.items():
        assert {c for c in columns if dataset.has(table, c)} == set(columns), table


@pytest.mark.database
def test_osticket_1_10_keeps_the_event_kind_in_thread_event_state(build_helpdesk):
    url = build_helpdesk(version=LEGACY)
    dataset, report = read_dataset(url, preset="osticket", events="state")

    assert report.is_clean, report.problems
    assert by_ticket(dataset.tickets, "transfers") == EXPECTED_TICKETS["transfers"]
    assert by_ticket(dataset.tickets, "reopens") == EXPECTED_TICKETS["reopens"]
    with pytest.raises(SchemaError, match="'ost_event'"):
        read_dataset(url, preset="osticket")  # 1.11+ reading needs the event table


@pytest.mark.database
def test_a_date_range_reads_the_tickets_created_in_it(build_helpdesk):
    url = build_helpdesk("help_")
    dataset, _ = read_dataset(
        url, preset="osticket", table_prefix="help_", since=datetime(2024, 4, 1), until=None
    )
    assert sorted(dataset.tickets["ticket_id"]) == ["3", "4", "5"]
    assert len(dataset.customers) == 3  # customers are always read whole


@pytest.mark.database
def test_tables_under_another_prefix_are_not_read(build_helpdesk):
    url = build_helpdesk("help_")
    with pytest.raises(SchemaError) as caught:
        read_dataset(url, preset="osticket")  # default prefix ost_
    customers, tickets = caught.value.problems  # surveys need no table
    assert customers.startswith("table 'customers' is missing") and "'ost_user'" in customers
    assert tickets.startswith("table 'tickets' is missing") and "'ost_ticket'" in tickets
    assert "'help_" not in str(caught.value)


@pytest.mark.database
def test_a_missing_table_is_named_and_only_its_canonical_table_fails(build_helpdesk):
    url = build_helpdesk("help_", omit=("help_topic",))
    with pytest.raises(SchemaError) as caught:
        read_dataset(url, preset="osticket", table_prefix="help_")
    assert len(caught.value.problems) == 1
    (problem,) = caught.value.problems
    assert problem.startswith("table 'tickets' is missing")
    assert "'help_help_topic'" in problem


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"table_prefix": "ost_; drop"}, "table_prefix may hold only"),
        ({"table_prefix": "ost-"}, "table_prefix may hold only"),
        ({"table_prefix": 7}, "table_prefix may hold only"),
        ({"events": "states"}, "events must be one of table, state"),
        ({"prefix": "ost_"}, "osticket has no option"),
    ],
    ids=["injection", "dash", "not-text", "events", "unknown-option"],
)
def test_bad_options_raise_before_any_sql(options, message):
    seen: list[str] = []

    def capture(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", capture)
    try:
        with pytest.raises(ValueError, match=message):
            # an unreachable server: only option checking can answer before connecting
            read_dataset("mysql+pymysql://nobody@127.0.0.1:1/none", preset="osticket", **options)
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", capture)
    assert seen == []


@pytest.mark.database
def test_the_reader_connection_cannot_write(build_helpdesk):
    url = build_helpdesk()
    ticket = sa.table("ost_ticket", sa.column("ticket_id"), sa.column("status_id"))
    engine = create_read_only_engine(url)
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError):
            connection.execute(sa.update(ticket).values(status_id=5))
            connection.commit()
    finally:
        engine.dispose()
    writer = sa.create_engine(url)
    try:
        with writer.connect() as connection:
            statuses = connection.execute(sa.select(ticket.c.status_id)).scalars().all()
    finally:
        writer.dispose()
    assert sorted(statuses) == [1, 1, 1, 2, 3]


def test_every_canonical_column_is_either_filled_or_explained():
    preset = helpdesks.get("osticket")
    for table in ("customers", "tickets", "surveys"):
        filled = set(preset.fills[table])
        explained = {k.split(".", 1)[1] for k in preset.cannot if k.startswith(f"{table}.")}
        assert not filled & explained, table
        assert filled | explained == set(TABLES[table].column_names), table
    mapping = preset.mapping()
    for table, columns in preset.fills.items():
        query = mapping.tables[table].query
        assert set(columns) <= set(query.selected_columns.keys()), table
    assert set(mapping.tables["surveys"].query.selected_columns.keys()) == set(
        TABLES["surveys"].column_names
    )


def test_table_names_reach_sql_quoted_and_prefixed():
    mapping = helpdesks.get("osticket").mapping(table_prefix="Help_2")
    needed = {name for table in mapping.tables.values() for _, name in table.needs}
    assert needed == {
        "Help_2" + name
        for name in (
            "user",
            "user_email",
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
            "thread_event",
            "event",
        )
    }
    sql = str(mapping.tables["tickets"].query.compile(dialect=mysql.dialect()))
    assert "`Help_2ticket`" in sql  # mixed case is quoted, so it reaches MySQL as written
    assert osticket.DEFAULT_PREFIX == "ost_"
