"""Zammad (PostgreSQL, or MySQL/MariaDB up to Zammad 5.x) read as the canonical tables.

Written against Zammad's own migrations in the public repository zammad/zammad:
``db/migrate/20120101000001_create_base.rb`` (users, organizations, roles, permissions,
groups, histories) and ``db/migrate/20120101000010_create_ticket.rb`` (tickets, states,
priorities, articles), both at commit 5df98684da64aed93cc29e4be029d81566520906, plus the later
``CreateTicketReopenTime`` migration that adds ``tickets.last_close_at``. Value conventions come
from the seeds (``db/seeds/ticket_states.rb``, ``ticket_state_types.rb``,
``ticket_article_types.rb``, ``ticket_article_senders.rb``, ``user_nr_1.rb``) and from
``app/models/concerns/has_history.rb`` (how a changed ticket attribute is written to
``histories``).

Every query is SQLAlchemy Core over the table definitions below (identifiers quoted by
SQLAlchemy, constants bound as parameters); booleans are compared with ``IS TRUE`` / ``IS FALSE``
and strings with ``=`` / ``LIKE`` on Zammad's lower-case seed names, which behave the same on
PostgreSQL and on MySQL/MariaDB.

Rules chosen here (also in :data:`PRESET` ``notes``):

* **Customers** are the users holding a role (active) that grants the ``ticket.customer``
  permission, plus any user a ticket names as its customer. The permission, not the role name,
  decides, as in Zammad itself (the "Customer" role can be renamed).
* **ticket_id** is ``tickets.number`` (the "Ticket#31001" that customers, agents and survey
  e-mails quote), not the internal ``tickets.id``.
* **reopens** counts the ticket's state changes in ``histories`` from a state of type ``closed``
  to one of type new/open/pending (not to ``merged`` or ``removed``).
* **transfers** counts the ticket's group changes in ``histories``.
* **resolved_at** is ``last_close_at`` (else ``close_at``) while the ticket's current state is of
  type ``closed``; a reopened ticket that is open again, or a merged one, is not resolved.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from data_connectors.helpdesks import HelpdeskPreset, identifier_option
from data_connectors.mapping import Mapping, TableMapping
from data_connectors.schema import TABLES

#: Zammad's user 1 is the system user "-": an owner_id of 1 means "not assigned".
UNASSIGNED_USER_ID = 1
#: The permission that makes a user a customer in Zammad.
CUSTOMER_PERMISSION = "ticket.customer"
#: Leaving a ``closed``-type state for one of these state types is not a reopen; any other
#: (new, open, pending reminder, pending action, ...) is (``db/seeds/ticket_state_types.rb``).
NOT_REOPENED_INTO = ("closed", "merged", "removed")
#: Article type name prefixes that are social-media channels (``ticket_article_types.rb``).
SOCIAL_PREFIXES = ("twitter", "facebook", "telegram", "whatsapp", "instagram")
#: Choices of the ``segment`` option.
SEGMENT_CHOICES = ("vip", "organization")

_TIMESTAMP = sa.DateTime()  # timestamp(3) / datetime(3), UTC without a zone


def _tables(schema: str | None) -> dict[str, sa.Table]:
    """The Zammad tables the preset reads, with only the columns it reads."""
    metadata = sa.MetaData(schema=schema)

    def table(name: str, *columns: sa.Column[Any]) -> sa.Table:
        return sa.Table(name, metadata, sa.Column("id", sa.Integer, primary_key=True), *columns)

    def link(name: str, *columns: str) -> sa.Table:  # join tables have no id column
        return sa.Table(name, metadata, *(sa.Column(c, sa.Integer) for c in columns))

    def named(table_name: str, *columns: sa.Column[Any]) -> sa.Table:  # lookup tables
        return table(table_name, sa.Column("name", sa.String(250)), *columns)

    return {
        "users": table(
            "users",
            sa.Column("organization_id", sa.Integer),
            sa.Column("login", sa.String(255)),
            sa.Column("firstname", sa.String(100)),
            sa.Column("lastname", sa.String(100)),
            sa.Column("email", sa.String(255)),
            sa.Column("country", sa.String(100)),
            sa.Column("vip", sa.Boolean),
            sa.Column("created_at", _TIMESTAMP),
        ),
        "organizations": table("organizations", sa.Column("name", sa.String(100))),
        "roles": table("roles", sa.Column("active", sa.Boolean)),
        "roles_users": link("roles_users", "user_id", "role_id"),
        "permissions": table("permissions", sa.Column("name", sa.String(255))),
        "permissions_roles": link("permissions_roles", "role_id", "permission_id"),
        "groups": table("groups", sa.Column("name", sa.String(160))),
        "ticket_state_types": named("ticket_state_types"),
        "ticket_states": named("ticket_states", sa.Column("state_type_id", sa.Integer)),
        "ticket_priorities": named("ticket_priorities"),
        "ticket_article_types": named("ticket_article_types"),
        "ticket_article_senders": named("ticket_article_senders"),
        "tickets": table(
            "tickets",
            sa.Column("group_id", sa.Integer),
            sa.Column("priority_id", sa.Integer),
            sa.Column("state_id", sa.Integer),
            sa.Column("number", sa.String(60)),
            sa.Column("title", sa.String(250)),
            sa.Column("owner_id", sa.Integer),
            sa.Column("customer_id", sa.Integer),
            sa.Column("first_response_at", _TIMESTAMP),
            sa.Column("close_at", _TIMESTAMP),
            sa.Column("last_close_at", _TIMESTAMP),
            sa.Column("create_article_type_id", sa.Integer),
            sa.Column("type", sa.String(100)),
            sa.Column("created_at", _TIMESTAMP),
        ),
        "ticket_articles": table(
            "ticket_articles",
            sa.Column("ticket_id", sa.Integer),
            sa.Column("sender_id", sa.Integer),
            sa.Column("body", sa.Text),
            sa.Column("internal", sa.Boolean),
        ),
        "history_types": named("history_types"),
        "history_objects": named("history_objects"),
        "history_attributes": named("history_attributes"),
        "histories": table(
            "histories",
            sa.Column("history_type_id", sa.Integer),
            sa.Column("history_object_id", sa.Integer),
            sa.Column("history_attribute_id", sa.Integer),
            sa.Column("o_id", sa.Integer),
            sa.Column("id_from", sa.Integer),
            sa.Column("id_to", sa.Integer),
        ),
    }


def _text(column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    """An integer id as text (CAST AS VARCHAR / CHAR), the canonical form of identifiers."""
    return sa.cast(column, sa.String)


def _ticket_changes(t: dict[str, sa.Table], attribute: str) -> sa.Select[Any]:
    """``histories`` rows recording a change of ``attribute`` (``state``, ``group``) of a ticket,
    as HasHistory#history_update writes them: type ``updated``, object ``Ticket``, the old and
    new ids in ``id_from`` / ``id_to``."""
    h = t["histories"]
    return (
        sa.select(h.c.o_id.label("ticket_id"), sa.func.count().label("changes"))
        .join(t["history_types"], t["history_types"].c.id == h.c.history_type_id)
        .join(t["history_objects"], t["history_objects"].c.id == h.c.history_object_id)
        .join(t["history_attributes"], t["history_attributes"].c.id == h.c.history_attribute_id)
        .where(
            t["history_types"].c.name == "updated",
            t["history_objects"].c.name == "Ticket",
            t["history_attributes"].c.name == attribute,
        )
        .group_by(h.c.o_id)
    )


def _reopen_counts(t: dict[str, sa.Table]) -> sa.Subquery:
    """Per ticket, the state changes out of a ``closed``-type state into an open one."""
    h = t["histories"]
    states, types = t["ticket_states"], t["ticket_state_types"]
    old_state, new_state = states.alias("old_state"), states.alias("new_state")
    old_type, new_type = types.alias("old_state_type"), types.alias("new_state_type")
    return (
        _ticket_changes(t, "state")
        .join(old_state, old_state.c.id == h.c.id_from)
        .join(old_type, old_type.c.id == old_state.c.state_type_id)
        .join(new_state, new_state.c.id == h.c.id_to)
        .join(new_type, new_type.c.id == new_state.c.state_type_id)
        .where(old_type.c.name == "closed", new_type.c.name.not_in(NOT_REOPENED_INTO))
        .subquery("reopen_counts")
    )


def _transfer_counts(t: dict[str, sa.Table]) -> sa.Subquery:
    """Per ticket, the moves from one group to another (HasHistory logs real changes only)."""
    return _ticket_changes(t, "group").subquery("transfer_counts")


def _first_customer_articles(t: dict[str, sa.Table]) -> sa.Subquery:
    """Per ticket, the id of its first article sent by the customer and visible to them."""
    articles, senders = t["ticket_articles"], t["ticket_article_senders"]
    return (
        sa.select(articles.c.ticket_id, sa.func.min(articles.c.id).label("article_id"))
        .join(senders, senders.c.id == articles.c.sender_id)
        .where(senders.c.name == "Customer", articles.c.internal.is_(sa.false()))
        .group_by(articles.c.ticket_id)
        .subquery("first_customer_article")
    )


def _channel(type_name: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The article type that created the ticket; social-media types become ``social``."""
    social = sa.or_(*(type_name.like(f"{prefix}%") for prefix in SOCIAL_PREFIXES))
    return sa.case((social, "social"), else_=type_name)


def _tickets_query(t: dict[str, sa.Table]) -> sa.Select[Any]:
    tickets, states, state_types = t["tickets"], t["ticket_states"], t["ticket_state_types"]
    owner = t["users"].alias("owner")
    article = t["ticket_articles"].alias("first_article")
    first, reopens, transfers = (
        _first_customer_articles(t),
        _reopen_counts(t),
        _transfer_counts(t),
    )
    full_name = sa.func.nullif(
        sa.func.trim(sa.func.concat_ws(" ", owner.c.firstname, owner.c.lastname)), ""
    )
    resolved = sa.case(
        (
            state_types.c.name == "closed",
            sa.func.coalesce(tickets.c.last_close_at, tickets.c.close_at),
        )
    )
    source = (
        tickets.outerjoin(t["groups"], t["groups"].c.id == tickets.c.group_id)
        .outerjoin(states, states.c.id == tickets.c.state_id)
        .outerjoin(state_types, state_types.c.id == states.c.state_type_id)
        .outerjoin(t["ticket_priorities"], t["ticket_priorities"].c.id == tickets.c.priority_id)
        .outerjoin(
            t["ticket_article_types"],
            t["ticket_article_types"].c.id == tickets.c.create_article_type_id,
        )
        .outerjoin(
            owner,
            sa.and_(owner.c.id == tickets.c.owner_id, owner.c.id != UNASSIGNED_USER_ID),
        )
        .outerjoin(first, first.c.ticket_id == tickets.c.id)
        .outerjoin(article, article.c.id == first.c.article_id)
        .outerjoin(reopens, reopens.c.ticket_id == tickets.c.id)
        .outerjoin(transfers, transfers.c.ticket_id == tickets.c.id)
    )
    return sa.select(
        tickets.c.number.label("ticket_id"),
        _text(tickets.c.customer_id).label("customer_id"),
        tickets.c.created_at.label("created_at"),
        _channel(t["ticket_article_types"].c.name).label("channel"),
        t["groups"].c.name.label("department"),
        tickets.c.type.label("category"),
        tickets.c.title.label("subject"),
        article.c.body.label("text"),
        sa.func.coalesce(full_name, owner.c.login).label("agent"),
        t["ticket_priorities"].c.name.label("priority"),
        tickets.c.first_response_at.label("first_response_at"),
        resolved.label("resolved_at"),
        states.c.name.label("status"),
        sa.func.coalesce(transfers.c.changes, 0).label("transfers"),
        sa.func.coalesce(reopens.c.changes, 0).label("reopens"),
    ).select_from(source)


def _customers_query(t: dict[str, sa.Table], segment: str) -> sa.Select[Any]:
    users, organizations = t["users"], t["organizations"]
    roles, permissions = t["roles"], t["permissions"]
    with_customer_role = (
        sa.select(t["roles_users"].c.user_id)
        .join(roles, roles.c.id == t["roles_users"].c.role_id)
        .join(t["permissions_roles"], t["permissions_roles"].c.role_id == roles.c.id)
        .join(permissions, permissions.c.id == t["permissions_roles"].c.permission_id)
        .where(permissions.c.name == CUSTOMER_PERMISSION, roles.c.active.is_(sa.true()))
    )
    ticket_customers = sa.select(t["tickets"].c.customer_id)
    if segment == "organization":
        segment_column: sa.ColumnElement[Any] = organizations.c.name
        source: sa.FromClause = users.outerjoin(
            organizations, organizations.c.id == users.c.organization_id
        )
    else:
        segment_column = sa.case((users.c.vip.is_(sa.true()), "vip"), else_="standard")
        source = users
    return (
        sa.select(
            _text(users.c.id).label("customer_id"),
            users.c.created_at.label("signup_date"),
            segment_column.label("segment"),
            users.c.country.label("region"),
            users.c.email.label("email"),
        )
        .select_from(source)
        .where(sa.or_(users.c.id.in_(with_customer_role), users.c.id.in_(ticket_customers)))
    )


def _surveys_query(t: dict[str, sa.Table]) -> sa.Select[Any]:
    """No rows: Zammad keeps no survey answers. The columns still carry canonical types, so the
    canonical ``surveys`` table is present (empty) and uploads can fill it."""
    tickets = t["tickets"]
    return sa.select(
        _text(tickets.c.id).label("response_id"),
        _text(tickets.c.customer_id).label("customer_id"),
        tickets.c.number.label("ticket_id"),
        tickets.c.created_at.label("responded_at"),
        sa.literal("csat").label("survey_type"),
        sa.literal(0).label("score"),
    ).where(sa.false())


#: Source tables each canonical table's query reads (checked before reading).
NEEDS: dict[str, tuple[str, ...]] = {
    "customers": (
        "users",
        "organizations",
        "roles",
        "roles_users",
        "permissions",
        "permissions_roles",
        "tickets",
    ),
    "tickets": (
        "tickets",
        "groups",
        "ticket_states",
        "ticket_state_types",
        "ticket_priorities",
        "ticket_article_types",
        "ticket_article_senders",
        "ticket_articles",
        "users",
        "histories",
        "history_types",
        "history_objects",
        "history_attributes",
    ),
    "surveys": ("tickets",),
}


def build(schema: str | None = None, segment: str = "vip") -> Mapping:
    """The mapping of a Zammad database (tables in ``schema``, default the connection's)."""
    if schema is not None:
        schema = identifier_option("schema", schema) or None
    if segment not in SEGMENT_CHOICES:
        raise ValueError(f"segment must be one of {', '.join(SEGMENT_CHOICES)}, got {segment!r}")
    t = _tables(schema)
    needs = {
        name: tuple(
            (schema, table)
            for table in tables
            if table != "organizations" or segment == "organization"
        )
        for name, tables in NEEDS.items()
    }
    return Mapping(
        {
            "customers": TableMapping(query=_customers_query(t, segment), needs=needs["customers"]),
            "tickets": TableMapping(query=_tickets_query(t), needs=needs["tickets"]),
            "surveys": TableMapping(query=_surveys_query(t), needs=needs["surveys"]),
        }
    )


_NO_SURVEYS = (
    "Zammad has no survey (CSAT/NPS/CES) table: answers come from an upload, joined to these "
    "customers by e-mail or customer id (users.id) and to tickets by ticket number"
)
_NO_QA = "Zammad stores no quality reviews of tickets"

PRESET = HelpdeskPreset(
    key="zammad",
    product="Zammad",
    backends=("postgresql", "mysql"),
    build=build,
    options={
        "schema": (
            None,
            "PostgreSQL schema (MySQL/MariaDB: database) holding Zammad's tables; "
            "default: the connection's own",
        ),
        "segment": (
            "vip",
            "What fills customers.segment: 'vip' (users.vip → vip / standard) or "
            "'organization' (the customer's organization name)",
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
            "transfers",
            "reopens",
        ),
        "surveys": (),
    },
    cannot={
        "customers.churn_date": (
            "Zammad records no end of a customer relationship (users.active is a login switch "
            "with no date)"
        ),
        "customers.acquisition_channel": "Zammad does not record how a customer was won",
        "customers.referred_by": "Zammad does not record referrals",
        "customers.revenue": "Zammad holds no revenue",
        "tickets.is_complaint": (
            "Zammad has no complaint flag; a tag or ticket type used for complaints would need "
            "a custom mapping"
        ),
        "tickets.team": "Zammad has groups only; they fill department",
        "tickets.wait_seconds": "Zammad has no queue: nothing measures waiting before an answer",
        "tickets.handle_seconds": (
            "tickets.time_unit is time an agent chose to account, in a unit the admin sets, not "
            "measured handling time"
        ),
        "tickets.abandoned": "Zammad tickets cannot be abandoned (no calls or chat queues)",
        "tickets.first_contact_resolved": "Zammad records no first-contact resolution",
        **{f"surveys.{column}": _NO_SURVEYS for column in TABLES["surveys"].column_names},
        **{f"qa_reviews.{column}": _NO_QA for column in TABLES["qa_reviews"].column_names},
    },
    source=(
        "zammad/zammad @ 5df98684da64aed93cc29e4be029d81566520906: "
        "db/migrate/20120101000001_create_base.rb, db/migrate/20120101000010_create_ticket.rb; "
        "tickets.last_close_at from the CreateTicketReopenTime migration; value conventions from "
        "db/seeds/ (ticket_states, ticket_state_types, ticket_article_types, "
        "ticket_article_senders, user_nr_1) and app/models/concerns/has_history.rb"
    ),
    notes=(
        "Customers: users with an active role granting the ticket.customer permission, plus every "
        "user named as a ticket's customer; customer_id is users.id as text. segment: users.vip "
        "(vip / standard), or the organization name with segment='organization'; region: "
        "users.country. ticket_id is tickets.number (what customers and e-mails quote). "
        "channel: the article type that created the ticket (email, phone, web, chat, sms, fax, "
        "note; twitter/facebook/telegram/whatsapp/instagram → social). department: group name; "
        "category: tickets.type. text: body of the first non-internal article sent by the "
        "customer (HTML when the article's content_type is text/html). agent: the owner's name "
        "(user 1, '-', means unassigned). resolved_at: last_close_at, else close_at, while the "
        "current state is of type closed. reopens: state changes in histories from a closed-type "
        "state to a new/open/pending one; transfers: group changes in histories. Times are UTC, "
        "as Zammad stores them. Needs tickets.last_close_at (Zammad 5.x and later); MySQL/MariaDB "
        "is read for Zammad versions that still ran on it."
    ),
)
