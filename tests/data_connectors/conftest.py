"""Databases for the connector tests: SQLite in a temporary file, and an isolated schema
(PostgreSQL) or database (MariaDB) on the servers named by the environment.

``LOYALTY_LENS_TEST_POSTGRES_URL`` / ``LOYALTY_LENS_TEST_MARIADB_URL`` override the server URLs.
An unreachable server skips its tests, unless ``LOYALTY_LENS_REQUIRE_DATABASES=1`` (set in CI),
which makes it a failure.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from data_connectors.sql import mask_url
from data_connectors.sql_schema import canonical_metadata

POSTGRES_URL = os.environ.get(
    "LOYALTY_LENS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get(
    "LOYALTY_LENS_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
REQUIRE_DATABASES = os.environ.get("LOYALTY_LENS_REQUIRE_DATABASES") == "1"

#: The databases every connector test runs against (fixture names without ``_url``).
DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.database),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.database),
]


def _row(**values: object) -> dict[str, object]:
    return values


#: A small hand-built helpdesk. Timestamps are whole seconds (MariaDB DATETIME drops
#: fractions); revenue 98000.25 needs double precision (a single FLOAT would read 98000.2).
#: Survey R04 has an
#: NPS score of 11: validation must reject that row and keep every other.
CANONICAL_ROWS: dict[str, list[dict[str, object]]] = {
    "customers": [
        _row(
            customer_id="0042",
            signup_date=datetime(2021, 11, 30, 8, 0, 0),
            churn_date=datetime(2023, 12, 31, 18, 0, 0),
            segment="SMB",
            region="EU",
            acquisition_channel="ads",
            referred_by=None,
            revenue=0.0,
            email="zero@example.com",
        ),
        _row(
            customer_id="C01",
            signup_date=datetime(2023, 1, 15, 9, 0, 0),
            churn_date=None,
            segment="SMB",
            region="EU",
            acquisition_channel="referral",
            referred_by="C02",
            revenue=98000.25,
            email="anna@example.com",
        ),
        _row(
            customer_id="C02",
            signup_date=datetime(2022, 6, 1, 10, 30, 0),
            churn_date=datetime(2024, 2, 29, 17, 30, 0),
            segment="Enterprise",
            region="US",
            acquisition_channel="ads",
            referred_by=None,
            revenue=98000.5,
            email=None,
        ),
        _row(
            customer_id="C03",
            signup_date=datetime(2024, 3, 10, 12, 0, 0),
            churn_date=None,
            segment=None,
            region="RU",
            acquisition_channel="organic",
            referred_by="C01",
            revenue=None,
            email="boris@example.ru",
        ),
    ],
    "tickets": [
        _row(
            ticket_id="T01",
            customer_id="C01",
            created_at=datetime(2024, 1, 20, 9, 15, 0),
            channel="email",
            department="Billing",
            category="invoice",
            subject="Invoice",
            text="Счёт выставлен дважды",
            is_complaint=True,
            agent="a1",
            team="L1",
            priority="high",
            first_response_at=datetime(2024, 1, 20, 10, 0, 0),
            resolved_at=datetime(2024, 1, 22, 16, 0, 0),
            status="closed",
            wait_seconds=None,
            handle_seconds=600.0,
            abandoned=False,
            transfers=2,
            reopens=1,
            first_contact_resolved=False,
        ),
        _row(
            ticket_id="T02",
            customer_id="C02",
            created_at=datetime(2024, 2, 1, 0, 0, 0),
            channel="phone",
            department="Support",
            category="login",
            subject=None,
            text=None,
            is_complaint=False,
            agent="a2",
            team="L1",
            priority="low",
            first_response_at=datetime(2024, 2, 1, 0, 0, 30),
            resolved_at=None,
            status="open",
            wait_seconds=30.0,
            handle_seconds=240.5,
            abandoned=False,
            transfers=0,
            reopens=0,
            first_contact_resolved=True,
        ),
        _row(
            ticket_id="T03",
            customer_id="C01",
            created_at=datetime(2024, 3, 31, 23, 59, 59),
            channel="chat",
            department="Support",
            category="bug",
            subject="App crashes",
            text="It crashes",
            is_complaint=None,
            agent=None,
            team=None,
            priority=None,
            first_response_at=None,
            resolved_at=None,
            status="new",
            wait_seconds=12.5,
            handle_seconds=None,
            abandoned=None,
            transfers=0,
            reopens=0,
            first_contact_resolved=None,
        ),
        _row(
            ticket_id="T04",
            customer_id="0042",
            created_at=datetime(2024, 4, 1, 0, 0, 0),
            channel="web",
            department="Sales",
            category="pricing",
            subject="Discount?",
            text="Any discount?",
            is_complaint=False,
            agent="a3",
            team="L2",
            priority="low",
            first_response_at=datetime(2024, 4, 1, 8, 0, 0),
            resolved_at=datetime(2024, 4, 2, 8, 0, 0),
            status="closed",
            wait_seconds=0.0,
            handle_seconds=120.0,
            abandoned=True,
            transfers=1,
            reopens=0,
            first_contact_resolved=True,
        ),
    ],
    "surveys": [
        _row(
            response_id="R01",
            customer_id="C01",
            ticket_id="T01",
            responded_at=datetime(2024, 1, 23, 11, 0, 0),
            survey_type="csat",
            score=2.0,
            comment="Slow",
            reason="long wait",
            callback_requested=True,
        ),
        _row(
            response_id="R02",
            customer_id="C02",
            ticket_id="T02",
            responded_at=datetime(2024, 2, 2, 9, 0, 0),
            survey_type="nps",
            score=9.0,
            comment="Great",
            reason=None,
            callback_requested=False,
        ),
        _row(
            response_id="R03",
            customer_id="C01",
            ticket_id=None,
            responded_at=datetime(2024, 3, 15, 14, 0, 0),
            survey_type="ces",
            score=6.0,
            comment=None,
            reason=None,
            callback_requested=None,
        ),
        _row(
            response_id="R04",
            customer_id="C03",
            ticket_id=None,
            responded_at=datetime(2024, 3, 20, 10, 0, 0),
            survey_type="nps",
            score=11.0,
            comment="eleven",
            reason=None,
            callback_requested=False,
        ),
        _row(
            response_id="R05",
            customer_id="0042",
            ticket_id="T04",
            responded_at=datetime(2024, 4, 3, 12, 0, 0),
            survey_type="nps",
            score=0.0,
            comment=None,
            reason="issue not resolved",
            callback_requested=True,
        ),
    ],
    "qa_reviews": [
        _row(ticket_id="T01", criterion="greeting", score=4.0),
        _row(ticket_id="T01", criterion="tone", score=5.0),
        _row(ticket_id="T02", criterion="greeting", score=3.0),
    ],
}


def _reachable(url: str) -> sa.Engine:
    """A writable engine on the server, or skip (fail when databases are required)."""
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        engine.connect().close()
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0]
        message = f"database server {mask_url(url)} is not reachable: {reason}"
        if REQUIRE_DATABASES:
            pytest.fail(f"{message} (LOYALTY_LENS_REQUIRE_DATABASES=1)")
        pytest.skip(message)
    return engine


def _isolated(
    server_url: str, configure: Callable[[sa.engine.URL, str], sa.engine.URL]
) -> Iterator[str]:
    """Create a fresh ``ll_test_<uuid8>`` schema/database, yield its URL, drop it afterwards."""
    admin = _reachable(server_url)
    name = f"ll_test_{uuid.uuid4().hex[:8]}"
    with admin.begin() as connection:
        connection.execute(sa.schema.CreateSchema(name))
    try:
        yield configure(make_url(server_url), name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.schema.DropSchema(name, cascade=admin.name == "postgresql"))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite database file (created empty)."""
    path = tmp_path / "helpdesk.db"
    sqlite3.connect(path).close()
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the PostgreSQL database, made the default through search_path."""

    def with_search_path(url: sa.engine.URL, schema: str) -> sa.engine.URL:
        own = url.query.get("options", "")
        return url.update_query_dict({"options": f"{own} -c search_path={schema}".strip()})

    yield from _isolated(POSTGRES_URL, with_search_path)


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh database on the MariaDB (or MySQL) server."""
    yield from _isolated(MARIADB_URL, lambda url, name: url.set(database=name))


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty isolated database of each kind in turn."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def writer(db_url: str) -> Iterator[sa.Engine]:
    """A writable engine on ``db_url``, for setting up data (reads go through the reader)."""
    engine = sa.create_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def write_canonical(writer: sa.Engine) -> Callable[..., None]:
    """Write :data:`CANONICAL_ROWS` as canonical tables; ``omit`` drops tables ("surveys")
    or columns ("tickets.created_at")."""

    def write(omit: Iterable[str] = ()) -> None:
        omit = set(omit)
        metadata = canonical_metadata()
        with writer.begin() as connection:
            for name, table in metadata.tables.items():
                if name in omit:
                    continue
                dropped = {c.name for c in table.columns if f"{name}.{c.name}" in omit}
                if dropped:
                    kept = [c for c in table.columns if c.name not in dropped]
                    columns = [sa.Column(c.name, c.type) for c in kept]
                    table = sa.Table(name, sa.MetaData(), *columns)
                table.create(connection)
                rows = [
                    {k: v for k, v in row.items() if k not in dropped}
                    for row in CANONICAL_ROWS[name]
                ]
                connection.execute(sa.insert(table), rows)

    return write


@pytest.fixture
def canonical_rows() -> dict[str, list[dict[str, object]]]:
    """The rows :func:`write_canonical` writes (:data:`CANONICAL_ROWS`)."""
    return CANONICAL_ROWS


@pytest.fixture
def canonical_url(db_url: str, write_canonical: Callable[..., None]) -> str:
    """``db_url`` holding the canonical tables with :data:`CANONICAL_ROWS`."""
    write_canonical()
    return db_url
