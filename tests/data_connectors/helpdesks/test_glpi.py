"""The GLPI preset against GLPI's own schema, in the real MariaDB server on this machine.

The tables are created from ``glpi/glpi_tables.sql``: the CREATE TABLE statements of
glpi-project/glpi ``install/mysql/glpi-empty.sql`` at commit
0041a2e0b7624e723d3488ec51988c3203ead0f8 (GLPI 10.0), copied verbatim. The rows below are a
small hand-built helpdesk; every expected value is worked out by hand from them, with the
reasoning written beside it, and written literally.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data_connectors import helpdesks
from data_connectors.errors import SchemaError
from data_connectors.helpdesks.glpi import PRESET
from data_connectors.schema import TABLES
from data_connectors.sql import create_read_only_engine, read_dataset

SCHEMA = Path(__file__).parent / "glpi" / "glpi_tables.sql"

T = datetime  # the rows are mostly timestamps


def _row(**values: object) -> dict[str, object]:
    return values


#: The helpdesk. Ticket 106 is in GLPI's trash; user 4 requested only that ticket; users 10
#: and 11 are technicians and 12 an observer (none of them a customer).
ROWS: dict[str, list[dict[str, object]]] = {
    "glpi_users": [
        _row(
            id=2, name="anna", realname="Ivanova", firstname="Anna", date_creation=T(2023, 1, 10, 9)
        ),
        _row(id=3, name="boris", realname="Petrov", firstname="Boris", date_creation=None),
        _row(
            id=4, name="carla", realname="Rossi", firstname="Carla", date_creation=T(2023, 3, 1, 8)
        ),
        _row(
            id=10, name="lee.kim", realname="Kim", firstname="Lee", date_creation=T(2022, 5, 1, 8)
        ),
        _row(
            id=11, name="olga.tech", realname=None, firstname=None, date_creation=T(2022, 5, 1, 8)
        ),
        _row(
            id=12, name="wendy", realname="Watcher", firstname="Wendy", date_creation=T(2022, 6, 1)
        ),
    ],
    "glpi_useremails": [
        _row(id=1, users_id=2, is_default=0, email="anna.old@example.com"),
        _row(id=2, users_id=2, is_default=1, email="anna@example.com"),
        _row(id=3, users_id=3, is_default=0, email="boris@example.ru"),
        _row(id=4, users_id=4, is_default=1, email="carla@example.it"),
    ],
    "glpi_groups": [
        _row(id=1, name="Support", completename="IT > Support", groups_id=3, level=2),
        _row(id=2, name="Billing", completename="Billing", level=1),
        _row(id=3, name="IT", completename="IT", level=1),
    ],
    "glpi_itilcategories": [
        _row(id=1, name="Hardware", completename="Hardware", level=1),
        _row(id=2, name="Printer", completename="Hardware > Printer", itilcategories_id=1, level=2),
        _row(id=3, name="Invoices", completename="Invoices", level=1),
    ],
    # The six request types of install/empty_data.php (same ids, names and default flags) and
    # one an administrator added.
    "glpi_requesttypes": [
        _row(id=1, name="Helpdesk", is_helpdesk_default=1, is_followup_default=1),
        _row(id=2, name="E-Mail", is_mail_default=1, is_mailfollowup_default=1),
        _row(id=3, name="Phone"),
        _row(id=4, name="Direct"),
        _row(id=5, name="Written"),
        _row(id=6, name="Other"),
        _row(id=7, name="Chat"),
    ],
    "glpi_tickets": [
        # Taken into account at 09:30 by the clock; the delay stat (900 s) is working time under
        # an SLA calendar and must not be used when the moment itself is known.
        _row(
            id=101,
            name="Printer jams",
            date=T(2024, 1, 8, 9),
            date_creation=T(2024, 1, 8, 9, 0, 5),
            takeintoaccountdate=T(2024, 1, 8, 9, 30),
            takeintoaccount_delay_stat=900,
            solvedate=T(2024, 1, 9, 12),
            closedate=T(2024, 1, 10, 12),
            status=6,
            requesttypes_id=2,
            content="&lt;p&gt;The printer jams on every page&lt;/p&gt;",
            urgency=4,
            impact=3,
            priority=4,
            itilcategories_id=2,
            actiontime=5400,
            waiting_duration=3600,
        ),
        # No takeintoaccountdate (as in data migrated from GLPI 9): date + 600 s.
        _row(
            id=102,
            name="Invoice sent twice",
            date=T(2024, 2, 1, 10),
            takeintoaccount_delay_stat=600,
            solvedate=T(2024, 2, 2, 10),
            status=5,
            requesttypes_id=3,
            priority=3,
            itilcategories_id=3,
            actiontime=0,
        ),
        _row(
            id=103,
            name="VPN down",
            date=T(2024, 3, 5, 14),
            takeintoaccountdate=T(2024, 3, 5, 14, 20),
            takeintoaccount_delay_stat=1200,
            status=4,
            requesttypes_id=1,
            priority=5,
            itilcategories_id=0,
            actiontime=900,
        ),
        # Never taken into account: no takeintoaccountdate, delay stat 0.
        _row(
            id=104,
            name="Mouse broken",
            date=T(2024, 3, 10, 8),
            status=1,
            requesttypes_id=7,
            priority=2,
            itilcategories_id=1,
        ),
        _row(
            id=105,
            name="Refund request",
            date=T(2024, 4, 1, 11),
            takeintoaccountdate=T(2024, 4, 1, 11, 5),
            takeintoaccount_delay_stat=300,
            solvedate=T(2024, 4, 2, 16),
            closedate=T(2024, 4, 3, 9),
            status=6,
            requesttypes_id=4,
            priority=6,
            itilcategories_id=3,
            actiontime=1200,
        ),
        _row(
            id=106,
            name="Spam",
            date=T(2024, 4, 5, 9),
            status=6,
            requesttypes_id=2,
            priority=3,
            is_deleted=1,
        ),
    ],
    # type: 1 requester, 2 assigned, 3 observer (CommonITILActor).
    "glpi_tickets_users": [
        _row(id=1, tickets_id=101, users_id=2, type=1, alternative_email=""),
        _row(id=2, tickets_id=101, users_id=10, type=2, alternative_email=""),
        _row(id=3, tickets_id=101, users_id=12, type=3, alternative_email=""),
        _row(id=4, tickets_id=102, users_id=3, type=1, alternative_email=""),
        _row(id=5, tickets_id=102, users_id=11, type=2, alternative_email=""),
        _row(id=6, tickets_id=103, users_id=3, type=3, alternative_email=""),
        _row(id=7, tickets_id=103, users_id=2, type=1, alternative_email=""),
        _row(id=8, tickets_id=103, users_id=3, type=1, alternative_email=""),
        _row(id=9, tickets_id=103, users_id=11, type=2, alternative_email=""),
        _row(id=10, tickets_id=104, users_id=0, type=1, alternative_email="Dana@Example.org "),
        _row(id=11, tickets_id=105, users_id=3, type=1, alternative_email=""),
        _row(id=12, tickets_id=105, users_id=10, type=2, alternative_email=""),
        _row(id=13, tickets_id=105, users_id=11, type=2, alternative_email=""),
        _row(id=14, tickets_id=106, users_id=4, type=1, alternative_email=""),
    ],
    "glpi_groups_tickets": [
        _row(id=1, tickets_id=101, groups_id=1, type=2),
        _row(id=2, tickets_id=101, groups_id=2, type=1),
        _row(id=3, tickets_id=102, groups_id=2, type=2),
        _row(id=4, tickets_id=104, groups_id=1, type=2),
        _row(id=5, tickets_id=105, groups_id=2, type=1),
        _row(id=6, tickets_id=105, groups_id=3, type=2),
        _row(id=7, tickets_id=105, groups_id=1, type=2),
    ],
    # Status changes (search option 12, linked_action 0, raw values) and actor links (15 added,
    # 16 removed; search option 8 assigned group, 71 requester group, 5 technician).
    "glpi_logs": [
        _row(itemtype="Ticket", items_id=101, id_search_option=12, old_value="1", new_value="2"),
        _row(itemtype="Ticket", items_id=101, id_search_option=12, old_value="2", new_value="5"),
        _row(itemtype="Ticket", items_id=101, id_search_option=12, old_value="5", new_value="2"),
        _row(itemtype="Ticket", items_id=101, id_search_option=12, old_value="2", new_value="5"),
        _row(itemtype="Ticket", items_id=101, id_search_option=12, old_value="5", new_value="6"),
        _row(
            itemtype="Ticket",
            items_id=101,
            itemtype_link="Group",
            linked_action=15,
            id_search_option=8,
            old_value="",
            new_value="Billing (2)",
        ),
        _row(
            itemtype="Ticket",
            items_id=101,
            itemtype_link="Group",
            linked_action=16,
            id_search_option=8,
            old_value="Billing (2)",
            new_value="",
        ),
        _row(
            itemtype="Ticket",
            items_id=101,
            itemtype_link="Group",
            linked_action=15,
            id_search_option=8,
            old_value="",
            new_value="Support (1)",
        ),
        _row(
            itemtype="Ticket",
            items_id=101,
            itemtype_link="Group",
            linked_action=16,
            id_search_option=71,
            old_value="IT (3)",
            new_value="",
        ),
        _row(
            itemtype="Ticket",
            items_id=101,
            itemtype_link="User",
            linked_action=16,
            id_search_option=5,
            old_value="olga.tech (11)",
            new_value="",
        ),
        _row(itemtype="Ticket", items_id=102, id_search_option=12, old_value="1", new_value="2"),
        _row(itemtype="Ticket", items_id=102, id_search_option=12, old_value="2", new_value="5"),
        _row(itemtype="Ticket", items_id=102, id_search_option=12, old_value="5", new_value="4"),
        _row(itemtype="Ticket", items_id=102, id_search_option=12, old_value="4", new_value="5"),
        _row(itemtype="Ticket", items_id=102, id_search_option=12, old_value="5", new_value="2"),
        _row(itemtype="Ticket", items_id=102, id_search_option=12, old_value="2", new_value="5"),
        # A priority change whose values look like a reopening, and a Problem with id 102.
        _row(itemtype="Ticket", items_id=102, id_search_option=3, old_value="5", new_value="3"),
        _row(itemtype="Problem", items_id=102, id_search_option=12, old_value="5", new_value="2"),
        _row(itemtype="Ticket", items_id=103, id_search_option=12, old_value="1", new_value="4"),
        _row(itemtype="Ticket", items_id=105, id_search_option=12, old_value="5", new_value="6"),
        _row(itemtype="Ticket", items_id=105, id_search_option=12, old_value="6", new_value="5"),
        _row(
            itemtype="Ticket",
            items_id=105,
            itemtype_link="Group",
            linked_action=16,
            id_search_option=8,
            old_value="Billing (2)",
            new_value="",
        ),
        _row(
            itemtype="Ticket",
            items_id=105,
            itemtype_link="Group",
            linked_action=16,
            id_search_option=8,
            old_value="Support (1)",
            new_value="",
        ),
        _row(itemtype="Ticket", items_id=106, id_search_option=12, old_value="5", new_value="2"),
    ],
    "glpi_ticketsatisfactions": [
        _row(
            id=1,
            tickets_id=101,
            type=1,
            date_begin=T(2024, 1, 10, 12),
            date_answered=T(2024, 1, 11, 8, 15),
            satisfaction=4,
            comment="Fixed, but it jammed again once",
        ),
        _row(
            id=2,
            tickets_id=102,
            type=1,
            date_begin=T(2024, 2, 2, 10),
            date_answered=T(2024, 2, 3, 9),
            satisfaction=2,
            comment="Took a day to answer",
        ),
        _row(id=3, tickets_id=103, type=1, date_begin=T(2024, 3, 6, 9)),  # not answered
        _row(
            id=4,
            tickets_id=105,
            type=1,
            date_begin=T(2024, 4, 2, 16),
            date_answered=T(2024, 4, 3, 10),
            satisfaction=5,
            comment="",
        ),
        _row(
            id=5,
            tickets_id=106,
            type=1,
            date_begin=T(2024, 4, 5, 10),
            date_answered=T(2024, 4, 6, 10),
            satisfaction=5,
            comment="In the trash with its ticket",
        ),
        # Zero stars, which GLPI's form cannot give but its API accepts.
        _row(
            id=6,
            tickets_id=104,
            type=1,
            date_begin=T(2024, 3, 11, 9),
            date_answered=T(2024, 3, 12, 9, 30),
            satisfaction=0,
            comment="zero stars through the API",
        ),
    ],
}


def create_glpi_tables(engine: sa.Engine) -> None:
    """Run the CREATE TABLE statements of the schema fixture."""
    statements = [s.strip() for s in SCHEMA.read_text(encoding="utf-8").split(";\n")]
    with engine.begin() as connection:
        for statement in statements:
            if "CREATE TABLE" in statement:
                connection.exec_driver_sql(statement)


def insert_rows(engine: sa.Engine, rows: dict[str, list[dict[str, object]]]) -> None:
    with engine.begin() as connection:
        for table, table_rows in rows.items():
            for row in table_rows:
                target = sa.table(table, *(sa.column(c) for c in row))
                connection.execute(sa.insert(target).values(row))


@pytest.fixture
def writer(mariadb_url: str):
    engine = sa.create_engine(mariadb_url)
    yield engine
    engine.dispose()


@pytest.fixture
def glpi_url(mariadb_url: str, writer: sa.Engine) -> str:
    """A MariaDB database holding GLPI's tables and :data:`ROWS`."""
    create_glpi_tables(writer)
    insert_rows(writer, ROWS)
    return mariadb_url


def values(series: pd.Series) -> list[object]:
    """Cells as plain values, missing ones as None (literal comparison)."""
    return [None if pd.isna(v) else v for v in series.tolist()]


# --- the canonical result ------------------------------------------------------------------------


@pytest.mark.database
def test_customers_are_the_requesters_of_live_tickets(glpi_url):
    dataset, report = read_dataset(glpi_url, preset="glpi")
    customers = dataset.customers
    # Users 2 and 3 requested live tickets; "Dana@Example.org " requested 104 by e-mail only.
    # User 4 requested only ticket 106 (in the trash); 10 and 11 are technicians, 12 observes.
    assert values(customers["customer_id"]) == ["2", "3", "dana@example.org"]
    assert values(customers["signup_date"]) == [
        T(2023, 1, 10, 9),  # glpi_users.date_creation
        T(2024, 2, 1, 10),  # no date_creation: first live ticket as requester (102, not 103)
        T(2024, 3, 10, 8),  # e-mail requester: date of ticket 104
    ]
    # Anna's default address (is_default 1), not her first; Boris has no default: his only one.
    assert values(customers["email"]) == [
        "anna@example.com",
        "boris@example.ru",
        "dana@example.org",
    ]
    assert values(customers["churn_date"]) == [None, None, None]
    assert report.rows_read["customers"] == 3


@pytest.mark.database
def test_tickets_map_every_filled_column(glpi_url):
    dataset, report = read_dataset(glpi_url, preset="glpi")
    tickets = dataset.tickets
    assert report.rows_read["tickets"] == 5  # 106 is in the trash
    assert values(tickets["ticket_id"]) == ["101", "102", "103", "104", "105"]
    # First requester = requester link added first: 103's observer link 6 (Boris) is not a
    # requester, its requester links are 7 (Anna) and 8 (Boris).
    assert values(tickets["customer_id"]) == ["2", "3", "2", "dana@example.org", "3"]
    assert values(tickets["created_at"]) == [
        T(2024, 1, 8, 9),
        T(2024, 2, 1, 10),
        T(2024, 3, 5, 14),
        T(2024, 3, 10, 8),
        T(2024, 4, 1, 11),
    ]
    # Request types 2 E-Mail, 3 Phone, 1 Helpdesk, 7 Chat (custom), 4 Direct.
    assert values(tickets["channel"]) == ["email", "phone", "web", "chat", "in person"]
    # First assigned group (type 2); requester groups (type 1) never count; 105 has IT (link 6)
    # before Support (link 7).
    assert values(tickets["department"]) == ["Support", "Billing", None, "Support", "IT"]
    assert values(tickets["team"]) == ["IT > Support", "Billing", None, "IT > Support", "IT"]
    assert values(tickets["category"]) == [
        "Hardware > Printer",
        "Invoices",
        None,  # itilcategories_id 0
        "Hardware",
        "Invoices",
    ]
    assert values(tickets["subject"]) == [
        "Printer jams",
        "Invoice sent twice",
        "VPN down",
        "Mouse broken",
        "Refund request",
    ]
    assert values(tickets["text"])[0] == "&lt;p&gt;The printer jams on every page&lt;/p&gt;"
    # First assigned technician: "realname firstname", else the login (user 11 has no names).
    assert values(tickets["agent"]) == ["Kim Lee", "olga.tech", "olga.tech", None, "Kim Lee"]
    assert values(tickets["priority"]) == ["high", "medium", "very high", "low", "major"]
    assert values(tickets["status"]) == ["closed", "solved", "pending", "new", "closed"]
    assert values(tickets["resolved_at"]) == [
        T(2024, 1, 9, 12),
        T(2024, 2, 2, 10),
        None,
        None,
        T(2024, 4, 2, 16),
    ]
    # actiontime; 0 (102, 104) is nothing recorded.
    assert values(tickets["handle_seconds"]) == [5400.0, None, 900.0, None, 1200.0]
    for column in ("wait_seconds", "abandoned", "is_complaint", "first_contact_resolved"):
        assert not dataset.has("tickets", column)


@pytest.mark.database
def test_first_response_is_the_take_into_account_moment(glpi_url):
    tickets = read_dataset(glpi_url, preset="glpi")[0].tickets
    assert values(tickets["first_response_at"]) == [
        T(2024, 1, 8, 9, 30),  # takeintoaccountdate, not date + 900 s of calendar time
        T(2024, 2, 1, 10, 10),  # no takeintoaccountdate: 10:00 + 600 s
        T(2024, 3, 5, 14, 20),
        None,  # never taken into account (delay stat 0)
        T(2024, 4, 1, 11, 5),
    ]


@pytest.mark.database
def test_reopens_and_transfers_come_from_the_history(glpi_url):
    tickets = read_dataset(glpi_url, preset="glpi")[0].tickets
    # 101: 5 → 2 once (5 → 6 is closing). 102: 5 → 4 and 5 → 2; its priority change 5 → 3 and
    # Problem 102's 5 → 2 do not count. 105: 6 → 5 stays solved.
    assert values(tickets["reopens"]) == [1, 2, 0, 0, 0]
    # Assigned groups taken off: 101 Billing; 105 Billing and Support. Removing 101's requester
    # group (option 71) or technician (a User) is no transfer.
    assert values(tickets["transfers"]) == [1, 0, 0, 0, 2]


@pytest.mark.database
def test_answered_satisfactions_are_csat_answers(glpi_url):
    dataset, report = read_dataset(glpi_url, preset="glpi")
    # Read: 1, 2, 4 and 6. Left out: 3 (not answered), 5 (its ticket is in the trash).
    assert report.rows_read["surveys"] == 4
    surveys = dataset.surveys
    assert values(surveys["response_id"]) == ["1", "2", "4"]
    assert values(surveys["ticket_id"]) == ["101", "102", "105"]
    assert values(surveys["customer_id"]) == ["2", "3", "3"]
    assert values(surveys["email"]) == ["anna@example.com", "boris@example.ru", "boris@example.ru"]
    assert values(surveys["responded_at"]) == [
        T(2024, 1, 11, 8, 15),
        T(2024, 2, 3, 9),
        T(2024, 4, 3, 10),
    ]
    assert values(surveys["survey_type"]) == ["csat", "csat", "csat"]
    assert values(surveys["score"]) == [4.0, 2.0, 5.0]
    assert values(surveys["comment"]) == [
        "Fixed, but it jammed again once",
        "Took a day to answer",
        None,  # empty comment
    ]
    # Zero stars is no 1–5 CSAT answer: validation rejects survey 6 and says why.
    problems = report.problems
    assert problems[["table", "record_id", "column", "action"]].values.tolist() == [
        ["surveys", "6", "score", "row rejected"]
    ]
    assert problems["reason"].tolist() == ["csat score must be a whole number 1–5"]
    rejected = report.rejected["surveys"]
    assert rejected[["customer_id", "email"]].values.tolist() == [
        ["dana@example.org", "dana@example.org"]  # e-mail-only requester of ticket 104
    ]


@pytest.mark.database
def test_a_date_range_applies_to_tickets_and_surveys_but_not_customers(glpi_url):
    dataset, report = read_dataset(glpi_url, preset="glpi", since=date(2024, 3, 1))
    assert values(dataset.tickets["ticket_id"]) == ["103", "104", "105"]
    assert values(dataset.surveys["response_id"]) == ["4"]  # 6 is read and rejected
    assert report.rows_read == {"customers": 3, "tickets": 3, "surveys": 2}


# --- missing tables and read-only access ---------------------------------------------------------


@pytest.mark.database
@pytest.mark.parametrize(
    ("dropped", "tables"),
    [
        ("glpi_logs", ["tickets"]),
        ("glpi_ticketsatisfactions", ["surveys"]),
        ("glpi_tickets_users", ["customers", "tickets", "surveys"]),
    ],
)
def test_a_missing_table_is_a_schema_error_naming_it(glpi_url, writer, dropped, tables):
    with writer.begin() as connection:
        connection.execute(sa.schema.DropTable(sa.table(dropped)))
    with pytest.raises(SchemaError) as caught:
        read_dataset(glpi_url, preset="glpi")
    assert len(caught.value.problems) == len(tables)
    for table, problem in zip(tables, caught.value.problems, strict=True):
        assert problem.startswith(f"table '{table}' is missing")
        assert f"'{dropped}'" in problem


@pytest.mark.database
@pytest.mark.parametrize(
    "statement",
    [
        sa.update(sa.table("glpi_tickets", sa.column("name"))).values(name="hacked"),
        sa.delete(sa.table("glpi_ticketsatisfactions")),
    ],
    ids=["update", "delete"],
)
def test_a_write_through_the_read_only_engine_fails(glpi_url, writer, statement):
    engine = create_read_only_engine(glpi_url)
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError):
            connection.execute(statement)
            connection.commit()
    finally:
        engine.dispose()
    with writer.connect() as connection:
        names = connection.execute(sa.text("SELECT name FROM glpi_tickets")).scalars().all()
        answers = connection.execute(sa.text("SELECT COUNT(*) FROM glpi_ticketsatisfactions"))
        assert "hacked" not in names and answers.scalar() == 6


# --- the preset's declaration --------------------------------------------------------------------


def test_the_preset_is_registered_and_takes_no_options():
    assert helpdesks.get("glpi") is PRESET
    assert PRESET.backends == ("mysql",) and PRESET.options == {}
    with pytest.raises(ValueError, match="glpi has no option"):
        PRESET.mapping(table_prefix="glpi_")


def test_every_canonical_column_is_either_filled_or_explained():
    for table in ("customers", "tickets", "surveys"):
        filled = set(PRESET.fills[table])
        explained = {k.split(".")[1] for k in PRESET.cannot if k.startswith(f"{table}.")}
        assert not filled & explained, table
        assert filled | explained == set(TABLES[table].column_names), table
    assert all(reason.strip() for reason in PRESET.cannot.values())
    assert "0041a2e0b7624e723d3488ec51988c3203ead0f8" in PRESET.source


def test_the_schema_fixture_is_the_cited_glpi_schema():
    text = SCHEMA.read_text(encoding="utf-8")
    assert "glpi-project/glpi" in text and "0041a2e0b7624e723d3488ec51988c3203ead0f8" in text
    created = sorted(line.split("`")[1] for line in text.splitlines() if "CREATE TABLE" in line)
    assert created == sorted(
        [
            "glpi_groups",
            "glpi_groups_tickets",
            "glpi_itilcategories",
            "glpi_itilfollowups",
            "glpi_logs",
            "glpi_requesttypes",
            "glpi_tickets",
            "glpi_tickets_users",
            "glpi_ticketsatisfactions",
            "glpi_useremails",
            "glpi_users",
        ]
    )
