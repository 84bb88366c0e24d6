"""GLPI (MySQL / MariaDB): requesters, tickets and satisfaction surveys as the canonical tables.

Schema source
-------------
GLPI's own schema and code in ``glpi-project/glpi``. The two install files are read at commit
``0041a2e0b7624e723d3488ec51988c3203ead0f8`` (the GLPI 10.0 schema); the constants in ``src/``
are the same in GLPI 10.0 and 11 (``src/CommonITILActor.php`` was read at
``0042059c82075d3223c145cb3609a83019fc0cd2``):

* ``install/mysql/glpi-empty.sql`` — tables ``glpi_tickets``, ``glpi_tickets_users``,
  ``glpi_groups_tickets``, ``glpi_groups``, ``glpi_users``, ``glpi_useremails``,
  ``glpi_itilcategories``, ``glpi_requesttypes``, ``glpi_ticketsatisfactions``, ``glpi_logs``
  (``glpi_itilfollowups`` was read too; the notes on ``first_response_at`` say why it is not
  used);
* ``install/empty_data.php`` — the request types every installation starts with: 1 Helpdesk,
  2 E-Mail, 3 Phone, 4 Direct, 5 Written, 6 Other;
* ``src/CommonITILObject.php`` — statuses ``INCOMING`` 1 (new), ``ASSIGNED`` 2 (processing,
  assigned), ``PLANNED`` 3 (processing, planned), ``WAITING`` 4 (pending), ``SOLVED`` 5,
  ``CLOSED`` 6; search option 12 is ``glpi_tickets.status``, 8 the assigned ("technician")
  group; priorities 1 very low … 5 very high, 6 major;
* ``src/CommonITILActor.php`` — actor types ``REQUESTER`` 1, ``ASSIGN`` 2, ``OBSERVER`` 3, and
  the search option an actor change is logged under (8 for an assigned group);
* ``src/Log.php`` — ``Log::constructHistory`` stores a ticket's own field changes with their
  raw values (a status change is logged as ``old_value`` '5', ``new_value`` '2'); removing a
  linked item is ``HISTORY_DEL_RELATION`` (16) with ``itemtype_link`` naming its type;
* ``src/UserEmail.php`` — ``getDefaultForUser``: the ``is_default`` address, else another;
* ``src/Ticket.php`` — ``takeintoaccount_delay_stat`` is counted in the SLA calendar's working
  time when a calendar applies, while ``takeintoaccountdate`` is the moment itself.

Not supported: GLPI 11's configurable satisfaction scale (``inquest_max_rate`` other than 5):
its answers above 5 are rejected by validation, and reported, rather than rescaled.
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from data_connectors.helpdesks import HelpdeskPreset
from data_connectors.mapping import Mapping, TableMapping

#: ``CommonITILActor`` types in ``glpi_tickets_users.type`` / ``glpi_groups_tickets.type``.
REQUESTER, ASSIGNED = 1, 2

#: ``glpi_tickets.status`` → canonical word (GLPI's own English labels, lower case).
STATUSES: dict[int, str] = {
    1: "new",
    2: "processing (assigned)",
    3: "processing (planned)",
    4: "pending",
    5: "solved",
    6: "closed",
}

#: ``glpi_tickets.priority`` → canonical word.
PRIORITIES: dict[int, str] = {
    1: "very low",
    2: "low",
    3: "medium",
    4: "high",
    5: "very high",
    6: "major",
}

#: ``glpi_requesttypes.name`` of the request types GLPI installs (compared in lower case) →
#: canonical channel word. Any other request type is its own name in lower case ("Chat" → chat).
CHANNELS: dict[str, str] = {
    "helpdesk": "web",
    "e-mail": "email",
    "phone": "phone",
    "direct": "in person",
    "written": "written",
    "other": "other",
}

#: ``glpi_logs`` entries this preset counts.
TICKET_ITEMTYPE = "Ticket"
STATUS_OPTION = 12  # search option of glpi_tickets.status
ASSIGNED_GROUP_OPTION = 8  # search option of the assigned ("technician") group
FIELD_UPDATE = 0  # linked_action of a change to one of the ticket's own fields
HISTORY_DEL_RELATION = 16  # linked_action of a removed link (here: a group taken off)
#: Statuses (as logged, text) after which a move to any other status is a reopening.
SOLVED_OR_CLOSED: tuple[str, ...] = ("5", "6")

#: Source table → the columns the queries read (nothing else is ever selected).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "glpi_tickets": (
        "id",
        "name",
        "date",
        "date_creation",
        "solvedate",
        "takeintoaccountdate",
        "takeintoaccount_delay_stat",
        "status",
        "requesttypes_id",
        "content",
        "priority",
        "itilcategories_id",
        "actiontime",
        "is_deleted",
    ),
    "glpi_tickets_users": ("id", "tickets_id", "users_id", "type", "alternative_email"),
    "glpi_groups_tickets": ("id", "tickets_id", "groups_id", "type"),
    "glpi_groups": ("id", "name", "completename"),
    "glpi_users": ("id", "name", "realname", "firstname", "date_creation"),
    "glpi_useremails": ("id", "users_id", "is_default", "email"),
    "glpi_itilcategories": ("id", "completename"),
    "glpi_requesttypes": ("id", "name"),
    "glpi_ticketsatisfactions": ("id", "tickets_id", "date_answered", "satisfaction", "comment"),
    "glpi_logs": (
        "items_id",
        "itemtype",
        "itemtype_link",
        "linked_action",
        "id_search_option",
        "old_value",
        "new_value",
    ),
}


def _tables() -> SimpleNamespace:
    """GLPI's tables (fixed names: GLPI has no table prefix option), quoted by SQLAlchemy."""
    return SimpleNamespace(
        **{
            name.removeprefix("glpi_"): sa.table(name, *(sa.column(c) for c in columns))
            for name, columns in _COLUMNS.items()
        }
    )


def _text(value: sa.ColumnElement) -> sa.ColumnElement[str]:
    """``CAST(value AS CHAR)``: customer ids mix user ids and e-mail addresses, and casting both
    gives them one collation (the connection's), which MySQL needs to put them in one column."""
    return sa.cast(value, sa.String)


def _requester_key(link: sa.FromClause) -> sa.ColumnElement[str]:
    """The customer id of a requester link: the user's id, or for a requester known only by
    e-mail (``users_id`` 0, GLPI's anonymous requester) the address trimmed and in lower case."""
    return sa.case(
        (link.c.users_id > 0, _text(link.c.users_id)),
        else_=_text(sa.func.lower(sa.func.trim(link.c.alternative_email))),
    )


def _is_requester(link: sa.FromClause) -> sa.ColumnElement[bool]:
    """A requester link that names someone: a user, or an e-mail address."""
    return sa.and_(
        link.c.type == REQUESTER,
        sa.or_(link.c.users_id > 0, sa.func.trim(link.c.alternative_email) != ""),
    )


def _first_link(links: sa.TableClause, condition: sa.ColumnElement[bool], name: str) -> sa.Subquery:
    """Per ticket, the id of the earliest-added link (lowest ``id``) that meets ``condition``."""
    return (
        sa.select(links.c.tickets_id, sa.func.min(links.c.id).label("link_id"))
        .where(condition)
        .group_by(links.c.tickets_id)
        .subquery(name)
    )


def _first_requester(t: SimpleNamespace, name: str) -> tuple[sa.FromClause, sa.Subquery]:
    """An alias of ``glpi_tickets_users`` and the subquery that picks each ticket's first
    requester in it (join ``first.c.link_id == link.c.id``)."""
    first = _first_link(t.tickets_users, _is_requester(t.tickets_users), f"{name}_first")
    return t.tickets_users.alias(name), first


def _default_email(t: SimpleNamespace, users_id: sa.ColumnElement) -> sa.ColumnElement[str]:
    """The user's default address, else another one: GLPI's own choice
    (``UserEmail::getDefaultForUser``: ``ORDER BY is_default DESC LIMIT 1``; the lowest id
    breaks ties here)."""
    emails = t.useremails
    return (
        sa.select(emails.c.email)
        .where(emails.c.users_id == users_id)
        .order_by(emails.c.is_default.desc(), emails.c.id)
        .limit(1)
        .scalar_subquery()
    )


def _requester_email(t: SimpleNamespace, link: sa.FromClause) -> sa.ColumnElement[str]:
    """The e-mail address of a requester link: the user's default one, or the address of a
    requester known only by e-mail (as its customer id)."""
    return sa.case(
        (link.c.users_id > 0, _text(_default_email(t, link.c.users_id))),
        else_=_text(sa.func.lower(sa.func.trim(link.c.alternative_email))),
    )


def _live_tickets(t: SimpleNamespace) -> sa.ColumnElement[bool]:
    """Tickets not in GLPI's trash."""
    return t.tickets.c.is_deleted == 0


def _customers(t: SimpleNamespace) -> sa.Select:
    """Everyone who requested a ticket that is not in the trash: registered users (id = user
    id) and requesters known only by e-mail (id = the address)."""
    link, ticket = t.tickets_users, t.tickets
    requested = link.join(ticket, ticket.c.id == link.c.tickets_id)
    opened = sa.func.coalesce(ticket.c.date, ticket.c.date_creation)

    first_ticket = (
        sa.select(sa.func.min(opened))
        .select_from(requested)
        .where(link.c.users_id == t.users.c.id, link.c.type == REQUESTER, _live_tickets(t))
        .scalar_subquery()
    )
    email = _default_email(t, t.users.c.id)
    requesters = (
        sa.select(link.c.users_id)
        .select_from(requested)
        .where(link.c.type == REQUESTER, link.c.users_id > 0, _live_tickets(t))
    )
    users = sa.select(
        _text(t.users.c.id).label("customer_id"),
        sa.func.coalesce(t.users.c.date_creation, first_ticket).label("signup_date"),
        _text(email).label("email"),
    ).where(t.users.c.id.in_(requesters))

    address = sa.func.lower(sa.func.trim(link.c.alternative_email))
    anonymous = (
        sa.select(
            _text(address).label("customer_id"),
            sa.func.min(opened).label("signup_date"),
            _text(address).label("email"),
        )
        .select_from(requested)
        .where(_is_requester(link), link.c.users_id == 0, _live_tickets(t))
        .group_by(address)
    )
    everyone = sa.union_all(users, anonymous).subquery("glpi_requesters")
    return sa.select(everyone.c.customer_id, everyone.c.signup_date, everyone.c.email)


def _log_counts(t: SimpleNamespace) -> sa.Subquery:
    """Per ticket, its reopenings and group transfers as GLPI's history logged them.

    A reopening is a logged status change from solved or closed to any other status; a
    transfer is an assigned group taken off the ticket (moving a ticket to another group
    removes the old one).
    """
    log = t.logs
    reopened = sa.and_(
        log.c.linked_action == FIELD_UPDATE,
        log.c.id_search_option == STATUS_OPTION,
        log.c.old_value.in_(SOLVED_OR_CLOSED),
        log.c.new_value.not_in(SOLVED_OR_CLOSED),
    )
    transferred = sa.and_(
        log.c.linked_action == HISTORY_DEL_RELATION,
        log.c.itemtype_link == "Group",
        log.c.id_search_option == ASSIGNED_GROUP_OPTION,
    )
    return (
        sa.select(
            log.c.items_id.label("ticket_id"),
            sa.func.count(sa.case((reopened, 1))).label("reopens"),
            sa.func.count(sa.case((transferred, 1))).label("transfers"),
        )
        .where(log.c.itemtype == TICKET_ITEMTYPE, sa.or_(reopened, transferred))
        .group_by(log.c.items_id)
        .subquery("glpi_log_counts")
    )


def _words(column: sa.ColumnElement, words: dict[int, str]) -> sa.ColumnElement[str]:
    """A GLPI integer code as its word; an unknown code as its number in text."""
    return sa.case(*((column == code, word) for code, word in words.items()), else_=_text(column))


def _agent(user: sa.FromClause) -> sa.ColumnElement[str]:
    """The technician's name as GLPI shows it by default (real name, first name), else login."""
    full_name = sa.func.nullif(
        sa.func.trim(sa.func.concat_ws(" ", user.c.realname, user.c.firstname)), ""
    )
    return sa.func.coalesce(full_name, sa.func.nullif(user.c.name, ""))


def _tickets(t: SimpleNamespace) -> sa.Select:
    """One row per ticket not in the trash, with its first requester, first assigned group and
    technician, lookups and history counts."""
    ticket = t.tickets
    requester, first_requester = _first_requester(t, "requester")
    technician_link = t.tickets_users.alias("technician_link")
    first_technician = _first_link(
        t.tickets_users,
        sa.and_(t.tickets_users.c.type == ASSIGNED, t.tickets_users.c.users_id > 0),
        "first_technician",
    )
    technician = t.users.alias("technician")
    group_link = t.groups_tickets.alias("group_link")
    first_group = _first_link(
        t.groups_tickets, t.groups_tickets.c.type == ASSIGNED, "first_assigned_group"
    )
    counts = _log_counts(t)

    request_type = sa.func.lower(sa.func.trim(t.requesttypes.c.name))
    channel = sa.case(
        *((request_type == name, word) for name, word in CHANNELS.items()), else_=request_type
    )
    delay = ticket.c.takeintoaccount_delay_stat
    taken_by_delay = sa.case(
        (delay > 0, sa.func.timestampadd(sa.literal_column("SECOND"), delay, ticket.c.date))
    )
    query = (
        sa.select(
            ticket.c.id.label("ticket_id"),
            _requester_key(requester).label("customer_id"),
            sa.func.coalesce(ticket.c.date, ticket.c.date_creation).label("created_at"),
            channel.label("channel"),
            t.groups.c.name.label("department"),
            t.itilcategories.c.completename.label("category"),
            ticket.c.name.label("subject"),
            ticket.c.content.label("text"),
            _agent(technician).label("agent"),
            t.groups.c.completename.label("team"),
            _words(ticket.c.priority, PRIORITIES).label("priority"),
            sa.func.coalesce(ticket.c.takeintoaccountdate, taken_by_delay).label(
                "first_response_at"
            ),
            ticket.c.solvedate.label("resolved_at"),
            _words(ticket.c.status, STATUSES).label("status"),
            sa.func.nullif(ticket.c.actiontime, 0).label("handle_seconds"),
            sa.func.coalesce(counts.c.transfers, 0).label("transfers"),
            sa.func.coalesce(counts.c.reopens, 0).label("reopens"),
        )
        .select_from(
            ticket.outerjoin(first_requester, first_requester.c.tickets_id == ticket.c.id)
            .outerjoin(requester, requester.c.id == first_requester.c.link_id)
            .outerjoin(first_technician, first_technician.c.tickets_id == ticket.c.id)
            .outerjoin(technician_link, technician_link.c.id == first_technician.c.link_id)
            .outerjoin(technician, technician.c.id == technician_link.c.users_id)
            .outerjoin(first_group, first_group.c.tickets_id == ticket.c.id)
            .outerjoin(group_link, group_link.c.id == first_group.c.link_id)
            .outerjoin(t.groups, t.groups.c.id == group_link.c.groups_id)
            .outerjoin(t.itilcategories, t.itilcategories.c.id == ticket.c.itilcategories_id)
            .outerjoin(t.requesttypes, t.requesttypes.c.id == ticket.c.requesttypes_id)
            .outerjoin(counts, counts.c.ticket_id == ticket.c.id)
        )
        .where(_live_tickets(t))
    )
    return query


def _surveys(t: SimpleNamespace) -> sa.Select:
    """Answered satisfaction surveys of tickets not in the trash, as CSAT answers."""
    survey, ticket = t.ticketsatisfactions, t.tickets
    requester, first_requester = _first_requester(t, "respondent")
    return (
        sa.select(
            survey.c.id.label("response_id"),
            _requester_key(requester).label("customer_id"),
            survey.c.tickets_id.label("ticket_id"),
            survey.c.date_answered.label("responded_at"),
            sa.literal("csat").label("survey_type"),
            survey.c.satisfaction.label("score"),
            sa.func.nullif(sa.func.trim(survey.c.comment), "").label("comment"),
            _requester_email(t, requester).label("email"),
        )
        .select_from(
            survey.join(ticket, ticket.c.id == survey.c.tickets_id)
            .outerjoin(first_requester, first_requester.c.tickets_id == ticket.c.id)
            .outerjoin(requester, requester.c.id == first_requester.c.link_id)
        )
        .where(survey.c.satisfaction.is_not(None), _live_tickets(t))
    )


def _needs(*names: str) -> tuple[tuple[None, str], ...]:
    return tuple((None, name) for name in names)


def build() -> Mapping:
    """The mapping for a GLPI database (the database named in the URL)."""
    t = _tables()
    return Mapping(
        {
            "customers": TableMapping(
                query=_customers(t),
                needs=_needs("glpi_users", "glpi_useremails", "glpi_tickets_users", "glpi_tickets"),
            ),
            "tickets": TableMapping(
                query=_tickets(t),
                needs=_needs(
                    "glpi_tickets",
                    "glpi_tickets_users",
                    "glpi_users",
                    "glpi_groups_tickets",
                    "glpi_groups",
                    "glpi_itilcategories",
                    "glpi_requesttypes",
                    "glpi_logs",
                ),
            ),
            "surveys": TableMapping(
                query=_surveys(t),
                needs=_needs(
                    "glpi_ticketsatisfactions",
                    "glpi_tickets",
                    "glpi_tickets_users",
                    "glpi_useremails",
                ),
            ),
        }
    )


PRESET = HelpdeskPreset(
    key="glpi",
    product="GLPI",
    backends=("mysql",),
    build=build,
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
            "handle_seconds",
            "transfers",
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
        "customers.churn_date": (
            "GLPI does not record when a customer relationship ends (glpi_users.end_date is an "
            "account's expiry, not a customer leaving)."
        ),
        "customers.segment": (
            "GLPI has no customer segment (user categories and entities describe an "
            "organisation's own structure and are not guessed to be segments)."
        ),
        "customers.region": "GLPI stores a location per user, not a market region.",
        "customers.acquisition_channel": "GLPI does not record how a customer was won.",
        "customers.referred_by": "GLPI does not record referrals.",
        "customers.revenue": "GLPI stores no revenue.",
        "tickets.is_complaint": (
            "GLPI has no complaint flag; a category named for complaints could stand in for "
            "one, but that naming is each installation's own and is not guessed here."
        ),
        "tickets.wait_seconds": (
            "GLPI has no queue wait; its waiting_duration is the time a ticket spent pending "
            "(waiting on the requester), which is a different thing."
        ),
        "tickets.abandoned": "GLPI tickets cannot be abandoned (no live queue).",
        "tickets.first_contact_resolved": (
            "GLPI does not record first-contact resolution; deriving it from followups would "
            "be a metric, which connectors do not compute."
        ),
        "surveys.reason": "GLPI's satisfaction survey has a score and a free comment only.",
        "surveys.callback_requested": "GLPI's satisfaction survey asks for no callback.",
        "qa_reviews.score": "GLPI has no quality reviews.",
    },
    source=(
        "glpi-project/glpi install/mysql/glpi-empty.sql and install/empty_data.php "
        "@ 0041a2e0b7624e723d3488ec51988c3203ead0f8 (GLPI 10.0); constants from "
        "src/CommonITILObject.php, src/CommonITILActor.php, src/Log.php, src/Ticket.php, "
        "src/UserEmail.php"
    ),
    notes=(
        "ticket_id is glpi_tickets.id; tickets in GLPI's trash (is_deleted = 1) are left out, "
        "with their surveys. customer_id is the ticket's first requester (the requester link "
        "added first, lowest glpi_tickets_users.id; observers and technicians are never "
        "customers): the user's id, or for a requester known only by e-mail (GLPI's anonymous "
        "requester, users_id 0) the address in lower case. Customers are everyone who "
        "requested a ticket; signup_date is the user's glpi_users.date_creation, or the date "
        "of their first ticket when GLPI has none (and always for e-mail-only requesters); the "
        "e-mail is the user's default address (else their first one). "
        "created_at is glpi_tickets.date, the opening date GLPI's own statistics use (a "
        "technician may back-date it), else date_creation. channel is the request type: "
        "Helpdesk → web, E-Mail → email, Phone → phone, Direct → in person, Written → written, "
        "Other → other, any other type its own name in lower case. department is the name of "
        "the first assigned group (glpi_groups_tickets type 2) and team its full path "
        "(completename); category is the ITIL category's full path. agent is the first "
        "assigned technician, named as GLPI shows them (real name, first name), else their "
        "login. status and priority are GLPI's English labels in lower case (new, processing "
        "(assigned), processing (planned), pending, solved, closed; very low … very high, "
        "major). first_response_at is when the ticket was taken into account "
        "(takeintoaccountdate: a technician's first action: assignment, followup, task or "
        "status change; GLPI measures its time-to-own SLA against it), else date + "
        "takeintoaccount_delay_stat seconds for tickets from GLPI versions without that column "
        "(working seconds when an SLA calendar applies, so then only approximate); it is not "
        "necessarily a reply the requester saw, but followups (glpi_itilfollowups) are not used "
        "instead because GLPI's own first-response measure is this one. resolved_at is "
        "solvedate (for a reopened ticket, its latest solution). handle_seconds is actiontime, "
        "the total duration of the ticket's tasks (0, nothing recorded, is read as missing). "
        "text is glpi_tickets.content as stored: HTML, which GLPI 10 keeps HTML-escaped "
        "(&lt;p&gt;…); it is not unescaped or stripped here. "
        "reopens counts status changes logged in glpi_logs (search option 12) from solved or "
        "closed to any other status; transfers counts assigned groups taken off the ticket "
        "(glpi_logs linked_action 16, item type Group, search option 8). Both need GLPI's "
        "history: with history purged they read 0, and group changes logged by GLPI before 10 "
        "(search option 0) are not counted. "
        "Surveys are glpi_ticketsatisfactions rows with an answer (satisfaction not NULL), from "
        "the ticket's first requester (customer_id and email as above), as "
        "csat with score = satisfaction, the stars given (1–5 from GLPI's form). A 0 (possible "
        "through GLPI's API) is read as it is and rejected by validation, which reports it, "
        "rather than rescaled; GLPI 11 scales other than 5 are rejected the same way. "
        "GLPI stores no NPS or CES answers: upload them as a file; they join to these tickets "
        "by ticket id (glpi_tickets.id) and to customers by customer id (glpi_users.id) or "
        "e-mail. "
        "Entities are not filtered: every entity's tickets are read. Times are read as the "
        "database session returns GLPI's TIMESTAMP columns, in the database server's time zone."
    ),
)
