"""The SQL reader against real SQLite, PostgreSQL and MariaDB databases.

Every database test runs on the three kinds (``db_url`` / ``canonical_url`` fixtures in
conftest.py), each in its own freshly created file, schema or database.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from data_connectors.errors import DataSourceError, SchemaError
from data_connectors.mapping import Mapping
from data_connectors.sql import (
    create_read_only_engine,
    mask_url,
    probe,
    read_dataset,
    source_version,
)
from data_connectors.sql_schema import canonical_metadata

EXAMPLE_MAPPING = Path(__file__).parents[2] / "data_connectors/mappings/example_custom.toml"

#: The helpdesk example_custom.toml describes: source table -> (canonical table, canonical
#: column -> source column). Written independently of the mapping file, so the test checks it.
HELPDESK: dict[str, tuple[str, dict[str, str]]] = {
    "contacts": (
        "customers",
        {
            "customer_id": "id",
            "signup_date": "created",
            "churn_date": "closed_on",
            "segment": "tier",
            "region": "country",
            "acquisition_channel": "source",
            "referred_by": "referrer",
            "revenue": "mrr",
            "email": "mail",
        },
    ),
    "conv": (
        "tickets",
        {
            "ticket_id": "id",
            "customer_id": "contact_id",
            "created_at": "Opened At",
            "channel": "medium",
            "department": "dept",
            "category": "topic",
            "subject": "title",
            "text": "body",
            "is_complaint": "complaint",
            "agent": "assignee",
            "team": "team",
            "priority": "prio",
            "first_response_at": "first_reply",
            "resolved_at": "solved",
            "status": "state",
            "wait_seconds": "queue_secs",
            "handle_seconds": "talk_secs",
            "abandoned": "dropped",
            "transfers": "hops",
            "reopens": "reopened",
            "first_contact_resolved": "fcr",
        },
    ),
    "csat": (
        "surveys",
        {
            "response_id": "id",
            "customer_id": "contact_id",
            "ticket_id": "conv_id",
            "responded_at": "answered",
            "survey_type": "kind",
            "score": "rating",
            "comment": "remark",
            "reason": "why",
            "callback_requested": "call_me",
        },
    ),
}
#: Columns of the helpdesk that no mapping names: they must never be read.
UNMAPPED = {"contacts": "password_hash", "conv": "internal_note"}

#: A statement per backend that runs far longer than the 1 s limit of the timeout test.
SLOW_TICKETS_SQL = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < 2000000000) SELECT tickets.* FROM tickets, (SELECT count(*) AS c FROM n) AS slow",
    "postgresql": "SELECT tickets.* FROM tickets CROSS JOIN pg_sleep(20)",
    "mysql": "SELECT * FROM tickets WHERE SLEEP(20) = 0",
    "mariadb": "SELECT * FROM tickets WHERE SLEEP(20) = 0",
}

SELECT_STAR = re.compile(r"select\s+(\S+\.)?\*", re.IGNORECASE)


def ids(frame: pd.DataFrame, column: str) -> list[str]:
    """One column's values, in order."""
    return frame[column].tolist()


def _values(params: object) -> list[object]:
    """Parameter values, whether the driver takes them as a mapping or a sequence."""
    return list(params.values()) if isinstance(params, dict) else list(params or ())


@pytest.fixture
def statements() -> Iterator[list[tuple[str, object]]]:
    """Every (statement, parameters) any engine sends to a database during the test."""
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append((statement, parameters))

    sa.event.listen(sa.Engine, "before_cursor_execute", capture)
    yield seen
    sa.event.remove(sa.Engine, "before_cursor_execute", capture)


def test_round_trip_keeps_values_and_reports_the_bad_row(canonical_url):
    dataset, report = read_dataset(canonical_url, source_name="helpdesk")

    customers = dataset.customers.set_index("customer_id")
    assert customers.index.tolist() == ["0042", "C01", "C02", "C03"]  # text ids, key order
    assert customers.loc["C02", "churn_date"] == pd.Timestamp("2024-02-29 17:30:00")
    assert pd.isna(customers.loc["C01", "churn_date"])
    assert customers.loc["C01", "referred_by"] == "C02"
    assert customers["revenue"].tolist()[:3] == [0.0, 98000.25, 98000.5]
    assert pd.isna(customers.loc["C03", "revenue"])

    tickets = dataset.tickets.set_index("ticket_id")
    assert tickets.index.tolist() == ["T01", "T02", "T03", "T04"]
    assert tickets.loc["T03", "created_at"] == pd.Timestamp("2024-03-31 23:59:59")
    assert tickets.loc["T01", "text"] == "Счёт выставлен дважды"
    assert tickets["is_complaint"].tolist() == [True, False, pd.NA, False]
    assert tickets["transfers"].tolist() == [2, 0, 0, 1]
    assert tickets["handle_seconds"].tolist()[:2] == [600.0, 240.5]

    surveys = dataset.surveys.set_index("response_id")
    assert surveys.index.tolist() == ["R01", "R02", "R03", "R05"]
    assert surveys["score"].tolist() == [2.0, 9.0, 6.0, 0.0]
    assert surveys["callback_requested"].tolist() == [True, False, pd.NA, True]
    assert dataset.qa_reviews["score"].tolist() == [4.0, 5.0, 3.0]

    problems = report.problems.drop(columns="reason").to_dict("records")
    assert problems == [
        {
            "table": "surveys",
            "row": 4,
            "record_id": "R04",
            "column": "score",
            "value": "11.0",
            "action": "row rejected",
        }
    ]
    assert report.problems.loc[0, "reason"] == "nps score must be a whole number 0–10"
    assert report.rows_read == {"customers": 4, "tickets": 4, "surveys": 5, "qa_reviews": 3}

    source = dataset.source
    assert (source.name, source.kind) == ("helpdesk", "sql")
    assert source.location == mask_url(canonical_url)
    assert source.version == source_version(canonical_url)


def test_a_ticket_with_only_the_required_columns_is_kept(canonical_url, writer):
    tickets = canonical_metadata().tables["tickets"]
    with writer.begin() as connection:
        connection.execute(
            sa.insert(tickets).values(
                ticket_id="T05", customer_id="C03", created_at=datetime(2024, 5, 1, 9, 0, 0)
            )
        )
    dataset, report = read_dataset(canonical_url)
    assert ids(dataset.tickets, "ticket_id")[-1] == "T05"
    assert ids(report.problems, "record_id") == ["R04"]


@pytest.mark.parametrize("until", [date(2024, 3, 31), datetime(2024, 3, 31, 23, 59, 59)])
def test_date_range_reads_only_rows_in_range_but_all_customers(canonical_url, until):
    dataset, report = read_dataset(canonical_url, since=datetime(2024, 2, 1), until=until)
    assert len(dataset.customers) == 4
    assert ids(dataset.tickets, "ticket_id") == ["T02", "T03"]  # both bounds inclusive
    assert ids(dataset.surveys, "response_id") == ["R02", "R03"]  # R04 read and rejected
    assert ids(dataset.qa_reviews, "ticket_id") == ["T02"]  # reviews of tickets in range
    assert report.rows_read == {"customers": 4, "tickets": 2, "surveys": 3, "qa_reviews": 1}


def _write_helpdesk(writer: sa.Engine, rows: dict[str, list[dict[str, object]]]) -> None:
    """Write the canonical rows into the HELPDESK tables, with the unmapped columns filled."""
    canonical = canonical_metadata().tables
    metadata = sa.MetaData()
    with writer.begin() as connection:
        for source, (name, renames) in HELPDESK.items():
            columns = [sa.Column(s, canonical[name].c[c].type) for c, s in renames.items()]
            records = [{renames[c]: v for c, v in row.items()} for row in rows[name]]
            if source in UNMAPPED:
                columns.append(sa.Column(UNMAPPED[source], sa.String(64)))
                records = [record | {UNMAPPED[source]: "secret"} for record in records]
            table = sa.Table(source, metadata, *columns)
            table.create(connection)
            connection.execute(sa.insert(table), records)


def test_mapped_tables_and_columns_give_the_canonical_result(
    canonical_url, writer, canonical_rows, statements
):
    _write_helpdesk(writer, canonical_rows)
    expected, expected_report = read_dataset(canonical_url)
    statements.clear()
    dataset, report = read_dataset(canonical_url, Mapping.from_file(EXAMPLE_MAPPING))
    assert not [s for s, _ in statements if any(c in s for c in UNMAPPED.values())]
    for name in ("customers", "tickets", "surveys"):
        pd.testing.assert_frame_equal(dataset.tables[name], expected.tables[name])
        assert dataset.supplied[name] == expected.supplied[name]
    assert dataset.qa_reviews.empty  # not mapped: not read
    pd.testing.assert_frame_equal(report.problems, expected_report.problems)


def test_a_schema_named_in_the_mapping_qualifies_every_table(canonical_url, writer):
    schema = sa.inspect(writer).default_schema_name  # ll_test_… / the database / "main"
    expected, _ = read_dataset(canonical_url)
    dataset, _ = read_dataset(canonical_url, Mapping.identity(schema=schema))
    for name, frame in expected.tables.items():
        pd.testing.assert_frame_equal(dataset.tables[name], frame)
    with pytest.raises(SchemaError, match="no source table 'nowhere.customers'"):
        read_dataset(canonical_url, Mapping.identity(schema="nowhere"))


def test_custom_sql_is_wrapped_so_the_date_range_applies(canonical_url):
    mapping = Mapping.from_dict(
        {
            "customers": {"table": "customers"},
            "tickets": {
                "sql": "SELECT * FROM tickets WHERE channel <> 'phone' AND ticket_id LIKE 'T%'"
            },
            "surveys": {"table": "surveys"},
            "qa_reviews": {"table": "qa_reviews"},
        }
    )
    dataset, report = read_dataset(canonical_url, mapping, until=datetime(2024, 2, 1))
    assert ids(dataset.tickets, "ticket_id") == ["T01"]  # T02 (phone) filtered by the SQL
    # ("%" reaches the database intact: SQLAlchemy escapes it for pyformat drivers)
    assert ids(dataset.qa_reviews, "criterion") == ["greeting", "tone"]  # of T01 only
    assert ids(dataset.surveys, "response_id") == ["R01"]
    assert len(dataset.customers) == 4
    assert report.is_clean


def test_reads_only_mapped_columns_with_bound_date_bounds(canonical_url, writer, statements):
    with writer.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE tickets ADD COLUMN internal_note VARCHAR(64)")
    statements.clear()
    read_dataset(canonical_url, since=datetime(2024, 2, 1), until=date(2024, 3, 31))

    assert statements
    for statement, _ in statements:
        assert "internal_note" not in statement
        assert not SELECT_STAR.search(statement), statement
        assert "2024" not in statement  # dates never pasted into the SQL
    bounded = [
        statement
        for statement, params in statements
        if any(str(value).startswith("2024-02-01") for value in _values(params))
    ]
    assert len(bounded) == 3  # tickets, surveys, and qa_reviews through tickets


@pytest.mark.parametrize(
    "statement",
    [
        sa.insert(sa.table("customers", sa.column("customer_id"), sa.column("signup_date"))).values(
            customer_id="C99", signup_date=datetime(2024, 5, 1)
        ),
        sa.update(sa.table("customers", sa.column("segment"))).values(segment="hacked"),
    ],
    ids=["insert", "update"],
)
def test_the_reader_connection_cannot_write(canonical_url, writer, statement):
    engine = create_read_only_engine(canonical_url)
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError):
            connection.execute(statement)
            connection.commit()
    finally:
        engine.dispose()
    with writer.connect() as connection:
        segments = connection.execute(sa.text("SELECT segment FROM customers")).scalars().all()
    assert len(segments) == 4 and "hacked" not in segments


@pytest.mark.parametrize(
    ("omit", "mapping", "expected"),
    [
        ({"surveys"}, None, ["table 'surveys' is missing"]),
        (
            {"tickets.created_at", "surveys.score"},
            None,
            ["column tickets.created_at is missing", "column surveys.score is missing"],
        ),
        (
            (),
            {
                "tickets": {"table": "tickets", "columns": {"agent": "owner"}},
                "surveys": {"table": "answers"},
            },
            ["column tickets.agent is missing: no column 'owner'", "no source table 'answers'"],
        ),
    ],
    ids=["table", "required-columns", "mapped-names"],
)
def test_missing_tables_and_columns_are_all_named(db_url, write_canonical, omit, mapping, expected):
    write_canonical(omit=omit)
    if mapping is not None:
        mapping = Mapping.from_dict({"customers": {"table": "customers"}, **mapping})
    with pytest.raises(SchemaError) as caught:
        read_dataset(db_url, mapping)
    assert len(caught.value.problems) == len(expected)
    for fragment in expected:
        assert fragment in str(caught.value)


def test_identity_skips_absent_optional_columns_and_tables(db_url, write_canonical, statements):
    write_canonical(omit={"tickets.agent", "qa_reviews"})
    statements.clear()
    dataset, report = read_dataset(db_url)
    assert not dataset.has("tickets", "agent") and dataset.has("tickets", "team")
    assert dataset.qa_reviews.empty and "qa_reviews" not in report.rows_read
    assert not any(re.search(r"\bagent\b", s) for s, _ in statements)


def test_source_names_reach_sql_only_quoted(canonical_url):
    hostile = Mapping.from_dict(
        {
            "customers": {"table": "customers"},
            "tickets": {"table": "tickets; DROP TABLE customers; --"},
            "surveys": {"table": "surveys", "columns": {"comment": 'x" FROM surveys; --'}},
        }
    )
    with pytest.raises(SchemaError, match="DROP TABLE customers"):
        read_dataset(canonical_url, hostile)
    assert len(read_dataset(canonical_url)[0].customers) == 4


def test_a_slow_query_times_out_naming_its_table(canonical_url):
    slow_sql = SLOW_TICKETS_SQL[make_url(canonical_url).get_backend_name()]
    mapping = Mapping.from_dict(
        {
            "customers": {"table": "customers"},
            "tickets": {"sql": slow_sql},
            "surveys": {"table": "surveys"},
        }
    )
    start = time.monotonic()
    with pytest.raises(DataSourceError, match="reading tickets .* timed out after 1 s") as caught:
        read_dataset(canonical_url, mapping, timeout_seconds=1)
    assert caught.value.part == "tickets"
    assert time.monotonic() - start < 10


def test_source_version_changes_with_the_data_only(canonical_url, writer):
    tickets = canonical_metadata().tables["tickets"]
    first = source_version(canonical_url)
    assert source_version(canonical_url) == first
    with writer.begin() as connection:
        connection.execute(
            sa.insert(tickets).values(
                ticket_id="T05", customer_id="C01", created_at=datetime(2024, 5, 1, 9, 0, 0)
            )
        )
    added = source_version(canonical_url)
    assert added != first
    with writer.begin() as connection:
        connection.execute(
            sa.update(tickets)
            .where(tickets.c.ticket_id == "T02")
            .values(resolved_at=datetime(2024, 6, 1, 12, 0, 0))
        )
    assert source_version(canonical_url) not in (first, added)  # a ticket got resolved


@pytest.mark.parametrize("call", [read_dataset, source_version])
@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql+psycopg://postgres:s3cret@127.0.0.1:notaport/test",
            re.escape(
                "not a valid database URL: postgresql+psycopg://postgres:***@127.0.0.1:notaport/test"
            ),
        ),
        (
            "nosuch+driver://u:s3cret@db.example/helpdesk",
            re.escape(
                "unsupported database driver 'nosuch+driver' in nosuch+driver://u:***@db.example"
            ),
        ),
        ("postgresql+asyncpg://u:s3cret@db.example/helpdesk", "unsupported database driver"),
        ("mysql+mysqldb://root:s3cret@127.0.0.1:1/test", "not installed|could not connect"),
        ("sqlite://", re.escape("the SQLite URL names no database file")),
        (
            "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test",
            re.escape("could not connect to postgresql+psycopg://postgres:***@127.0.0.1:1/test: ")
            + ".*refused",
        ),
        (
            "mysql+pymysql://root:s3cret@127.0.0.1:1/test",
            re.escape("could not connect to mysql+pymysql://root:***@127.0.0.1:1/test: ")
            + "Can't connect",
        ),
    ],
    ids=[
        "malformed",
        "unknown-dialect",
        "async-driver",
        "driver",
        "sqlite-memory",
        "pg-port",
        "mysql-port",
    ],
)
def test_unusable_urls_give_a_plain_message_without_the_password(call, url, message):
    with pytest.raises(DataSourceError, match=message) as caught:
        call(url)
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.database
@pytest.mark.parametrize("server", ["postgres", "mariadb"])
def test_bad_credentials_give_a_plain_message_without_the_password(request, server):
    url = make_url(request.getfixturevalue(f"{server}_url"))
    bad = url.set(username="ll_nobody", password="s3cret").render_as_string(hide_password=False)
    expected = re.escape(f"could not connect to {mask_url(bad)}: ")
    with pytest.raises(DataSourceError, match=expected) as caught:
        read_dataset(bad)
    assert "s3cret" not in str(caught.value)


def test_missing_sqlite_file_is_named_and_not_created(tmp_path):
    path = tmp_path / "nowhere" / "helpdesk.db"
    expected = re.escape(f"SQLite database file not found: {path}")
    with pytest.raises(DataSourceError, match=expected):
        read_dataset(f"sqlite:///{path}")
    assert not path.exists() and not path.parent.exists()


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql+psycopg://u:s3cret@db:5432/helpdesk?sslmode=require",
            "postgresql+psycopg://u:***@db:5432/helpdesk?sslmode=require",
        ),
        ("mysql+pymysql://root@db/helpdesk", "mysql+pymysql://root@db/helpdesk"),
        ("sqlite:///data/helpdesk.db", "sqlite:///data/helpdesk.db"),
        ("postgresql://u:p%40ss@db/helpdesk", "postgresql://u:***@db/helpdesk"),
        ("postgresql://u:s3cret@db:notaport/helpdesk", "postgresql://u:***@db:notaport/helpdesk"),
        ("u:s3cret@db", "u:***@db"),
    ],
)
def test_mask_url(url, masked):
    assert mask_url(url) == masked


def test_sqlite_reader_cannot_write_through_an_attached_file(sqlite_url, tmp_path):
    """mode=ro guards the main file only; PRAGMA query_only must stop writes to ATTACHed ones."""
    sa.create_engine(sqlite_url).dispose()
    other = tmp_path / "other.sqlite"
    sa.create_engine(f"sqlite:///{other}").connect().close()  # an existing, writable file
    engine = create_read_only_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"ATTACH DATABASE '{other}' AS other")
            with pytest.raises(sa.exc.DBAPIError, match="readonly|read-only|query_only"):
                connection.exec_driver_sql("CREATE TABLE other.t (x INTEGER)")
    finally:
        engine.dispose()


def test_probe_counts_rows_per_table_without_reading_them(canonical_url):
    """The hand-built helpdesk (conftest CANONICAL_ROWS) holds 4 customers, 4 tickets,
    5 survey answers and 3 quality reviews."""
    assert probe(canonical_url) == {"customers": 4, "tickets": 4, "surveys": 5, "qa_reviews": 3}
