"""The workspace store against real SQLite, PostgreSQL and MariaDB databases.

Each test gets a fresh database of each kind (``db_url`` in conftest.py) and reads what it stored
back as the app can: through :func:`data_connectors.sql.read_dataset` like any SQL source, or
through :meth:`Workspace.read` to combine with another source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from data_connectors.combine import combine
from data_connectors.dataset import DTYPES, SourceInfo
from data_connectors.errors import DataSourceError
from data_connectors.file_mapping import FileMapping, ScoreScale
from data_connectors.mapping import Mapping
from data_connectors.schema import TABLES
from data_connectors.sql import read_dataset
from data_connectors.validation import validate
from data_connectors.workspace import (
    ENV_URL,
    META,
    REPO_ROOT,
    UPLOAD_COLUMNS,
    StoreResult,
    Workspace,
    default_workspace_url,
)
from tests.data_connectors.test_combine import records


def rows(table: str, *entries: dict[str, object]) -> pd.DataFrame:
    """Canonical rows of ``table`` holding the columns the entries name, in canonical dtypes."""
    frame = pd.DataFrame(list(entries))
    return frame.astype({c: DTYPES[TABLES[table].column(c).kind] for c in frame.columns})


def sha(tag: str) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()


def store(workspace: Workspace, table: str, frame: pd.DataFrame, tag: str) -> StoreResult:
    """Store ``frame`` as the file ``<tag>.csv`` whose content hash is derived from ``tag``."""
    return workspace.store(
        table, frame, file_name=f"{tag}.csv", sha256=sha(tag), mapping_json="{}", rows_rejected=0
    )


def read(workspace: Workspace, table: str, columns: list[str]) -> list[dict[str, object]]:
    """The rows of ``table`` as the app reads them (through ``read_dataset``), limited to
    ``columns``, with None for every missing value."""
    dataset, report = read_dataset(workspace.url, Mapping.identity())
    assert report.is_clean, report.problems
    return records(dataset.tables[table], columns)


CUSTOMERS = rows(
    "customers",
    {"customer_id": "C1", "signup_date": datetime(2023, 1, 15, 9, 0)},
    {"customer_id": "C2", "signup_date": datetime(2023, 2, 1, 10, 30)},
)


def tickets(*entries: dict[str, object]) -> pd.DataFrame:
    """Tickets of customer C1 created on 1 March 2024, with the given other values."""
    base = {"customer_id": "C1", "created_at": datetime(2024, 3, 1, 8, 0)}
    return rows("tickets", *({**base, **entry} for entry in entries))


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:
    """A new workspace in an empty database of each kind."""
    opened = Workspace.open(db_url)
    yield opened
    opened.close()


@pytest.fixture
def with_customers(workspace: Workspace) -> Workspace:
    """The workspace holding CUSTOMERS (so that tickets' customer ids resolve)."""
    store(workspace, "customers", CUSTOMERS, "customers")
    return workspace


def test_an_empty_workspace_reads_as_a_valid_empty_dataset(workspace):
    dataset, report = read_dataset(workspace.url, Mapping.identity())
    assert report.is_clean
    assert dataset.row_counts() == {"customers": 0, "tickets": 0, "surveys": 0, "qa_reviews": 0}
    assert workspace.is_empty()
    assert workspace.uploads().columns.tolist() == UPLOAD_COLUMNS
    assert workspace.uploads().empty


def test_stored_rows_read_back_through_read_dataset(workspace):
    started = datetime.now(UTC).replace(tzinfo=None)
    customers = rows(
        "customers",
        {
            "customer_id": "C1",
            "signup_date": datetime(2023, 1, 15, 9, 0),
            "segment": "SMB",
            "revenue": 98000.25,
            "email": "anna@example.com",
        },
        {
            "customer_id": "c1",
            "signup_date": datetime(2023, 2, 1, 10, 30),
            "segment": None,
            "revenue": None,
            "email": None,
        },
    )  # "C1" and "c1" are two customers on every backend
    ticket_rows = rows(
        "tickets",
        {
            "ticket_id": "T1",
            "customer_id": "C1",
            "created_at": datetime(2024, 1, 20, 9, 15, 0, 250000),  # fractions of a second kept
            "text": "Счёт выставлен дважды",
            "is_complaint": True,
            "transfers": 2,
            "handle_seconds": 600.5,
            "resolved_at": datetime(2024, 1, 22, 16, 0),
        },
        {
            "ticket_id": "T2",
            "customer_id": "c1",
            "created_at": datetime(2024, 2, 1, 0, 0),
            "text": None,
            "is_complaint": None,
            "transfers": None,
            "handle_seconds": None,
            "resolved_at": None,
        },
    )
    surveys = rows(
        "surveys",
        {
            "response_id": "R1",
            "customer_id": "C1",
            "ticket_id": "T1",
            "responded_at": datetime(2024, 1, 23, 11, 0),
            "survey_type": "nps",
            "score": 9.0,
            "comment": "Отлично 👍",
            "callback_requested": False,
        },
        {
            "response_id": "R2",
            "customer_id": "c1",
            "ticket_id": None,
            "responded_at": datetime(2024, 2, 2, 9, 0),
            "survey_type": "csat",
            "score": 2.0,
            "comment": None,
            "callback_requested": None,
        },
    )
    reviews = rows("qa_reviews", {"ticket_id": "T1", "criterion": "greeting", "score": 4.0})
    hostile_name = "tickets'); DROP TABLE uploads; --.csv"

    for table, frame in [("customers", customers), ("surveys", surveys), ("qa_reviews", reviews)]:
        store(workspace, table, frame, table)
    result = workspace.store(
        "tickets",
        ticket_rows,
        file_name=hostile_name,
        sha256=sha("tickets").upper(),
        mapping_json='{"table": "tickets"}',
        rows_rejected=3,
        note="January export",
    )

    assert (result.duplicate, result.inserted, result.updated) == (False, 2, 0)
    dataset, report = read_dataset(workspace.url, Mapping.identity())
    assert report.is_clean
    assert dataset.tickets.columns.tolist() == TABLES["tickets"].column_names  # no upload_id
    by_id = dataset.customers.sort_values("customer_id", ignore_index=True)  # "C1" < "c1"
    pd.testing.assert_frame_equal(by_id[customers.columns], customers)
    pd.testing.assert_frame_equal(dataset.tickets[ticket_rows.columns], ticket_rows)
    pd.testing.assert_frame_equal(dataset.surveys[surveys.columns], surveys)
    pd.testing.assert_frame_equal(dataset.qa_reviews, reviews)

    uploads = workspace.uploads()
    assert uploads.drop(columns="uploaded_at").to_dict("records")[0] == {
        "id": result.upload.id,
        "file_name": hostile_name,
        "sha256": sha("tickets"),
        "table_name": "tickets",
        "rows_accepted": 2,
        "rows_rejected": 3,
        "rows_current": 2,
        "mapping_json": '{"table": "tickets"}',
        "note": "January export",
    }  # newest first
    assert uploads["table_name"].tolist() == ["tickets", "qa_reviews", "surveys", "customers"]
    assert started <= uploads["uploaded_at"].min() <= uploads["uploaded_at"].max()
    assert uploads["uploaded_at"].max() <= datetime.now(UTC).replace(tzinfo=None)
    assert workspace.row_counts() == {"customers": 2, "tickets": 2, "surveys": 2, "qa_reviews": 1}
    assert not workspace.is_empty()


def test_the_same_file_twice_is_stored_once(with_customers):
    workspace = with_customers
    first = store(workspace, "tickets", tickets({"ticket_id": "T1"}), "export")
    again = store(workspace, "tickets", tickets({"ticket_id": "T1", "status": "new"}), "export")

    assert again == StoreResult(first.upload, duplicate=True, inserted=0, updated=0)
    assert workspace.row_counts()["tickets"] == 1
    assert read(workspace, "tickets", ["ticket_id", "status"]) == [
        {"ticket_id": "T1", "status": None}  # the second copy changed nothing
    ]
    assert workspace.uploads()["table_name"].tolist() == ["tickets", "customers"]

    # the same file may also feed another table: that is a new upload
    other_table = store(
        workspace,
        "customers",
        rows("customers", {"customer_id": "C3", "signup_date": datetime(2024, 1, 1)}),
        "export",
    )
    assert (other_table.duplicate, other_table.inserted) == (False, 1)


@pytest.fixture
def overlapping(with_customers: Workspace) -> tuple[Workspace, StoreResult, StoreResult]:
    """Export A with T1–T3, then export B repeating T2 with changed values and adding T4."""
    workspace = with_customers
    first = store(
        workspace,
        "tickets",
        tickets(
            {"ticket_id": "T1", "status": "open", "transfers": 0},
            {"ticket_id": "T2", "status": "open", "transfers": 0},
            {"ticket_id": "T3", "status": "open", "transfers": 1},
        ),
        "A",
    )
    second = store(
        workspace,
        "tickets",
        tickets(
            {"ticket_id": "T2", "status": "closed", "transfers": 3},
            {"ticket_id": "T4", "status": "new", "transfers": 0},
        ),
        "B",
    )
    return workspace, first, second


def test_an_overlapping_export_updates_records_by_id(overlapping):
    workspace, first, second = overlapping

    assert (first.inserted, first.updated) == (3, 0)
    assert (second.duplicate, second.inserted, second.updated) == (False, 1, 1)
    assert read(workspace, "tickets", ["ticket_id", "status", "transfers"]) == [
        {"ticket_id": "T1", "status": "open", "transfers": 0},
        {"ticket_id": "T2", "status": "closed", "transfers": 3},
        {"ticket_id": "T3", "status": "open", "transfers": 1},
        {"ticket_id": "T4", "status": "new", "transfers": 0},
    ]
    owned = workspace.uploads().set_index("file_name")["rows_current"].to_dict()
    assert owned == {"B.csv": 2, "A.csv": 2, "customers.csv": 2}


def test_deleting_an_upload_keeps_records_a_later_upload_owns(overlapping):
    workspace, first, second = overlapping

    assert workspace.delete_upload(first.upload.id) == 2  # T1 and T3; T2 now belongs to B
    assert read(workspace, "tickets", ["ticket_id", "status"]) == [
        {"ticket_id": "T2", "status": "closed"},
        {"ticket_id": "T4", "status": "new"},
    ]
    assert workspace.uploads()["file_name"].tolist() == ["B.csv", "customers.csv"]

    assert workspace.delete_upload(second.upload.id) == 2
    assert workspace.row_counts() == {"customers": 2, "tickets": 0, "surveys": 0, "qa_reviews": 0}
    with pytest.raises(ValueError, match=f"no upload with id {second.upload.id}"):
        workspace.delete_upload(second.upload.id)


def test_an_update_keeps_what_the_new_export_does_not_have(with_customers):
    workspace = with_customers
    store(
        workspace,
        "tickets",
        tickets(
            {"ticket_id": "T1", "department": "Billing", "status": "open"},
        ),
        "full",
    )
    lean = tickets({"ticket_id": "T1", "status": "closed"}, {"ticket_id": "T5", "status": "new"})
    assert "department" not in lean.columns

    store(workspace, "tickets", lean, "lean")

    assert read(workspace, "tickets", ["ticket_id", "department", "status"]) == [
        {"ticket_id": "T1", "department": "Billing", "status": "closed"},
        {"ticket_id": "T5", "department": None, "status": "new"},
    ]


def test_quality_reviews_are_replaced_per_ticket_and_criterion(with_customers):
    workspace = with_customers
    store(workspace, "tickets", tickets({"ticket_id": "T1"}, {"ticket_id": "T2"}), "tickets")
    store(
        workspace,
        "qa_reviews",
        rows(
            "qa_reviews",
            {"ticket_id": "T1", "criterion": "greeting", "score": 4.0},
            {"ticket_id": "T1", "criterion": "tone", "score": 5.0},
        ),
        "reviews-1",
    )

    result = store(
        workspace,
        "qa_reviews",
        rows(
            "qa_reviews",
            {"ticket_id": "T1", "criterion": "tone", "score": 2.0},
            {"ticket_id": "T2", "criterion": "greeting", "score": 1.0},
            {"ticket_id": "T2", "criterion": "greeting", "score": 3.0},  # repeated: the last wins
        ),
        "reviews-2",
    )

    assert (result.inserted, result.updated, result.upload.rows_accepted) == (1, 1, 3)
    assert read(workspace, "qa_reviews", ["ticket_id", "criterion", "score"]) == [
        {"ticket_id": "T1", "criterion": "greeting", "score": 4.0},
        {"ticket_id": "T1", "criterion": "tone", "score": 2.0},
        {"ticket_id": "T2", "criterion": "greeting", "score": 3.0},
    ]


def test_read_gives_uploads_to_combine_with_the_helpdesk(workspace):
    answers = rows(
        "surveys",
        {
            "response_id": "R1",
            "customer_id": "C1",
            "ticket_id": "T1",
            "responded_at": datetime(2024, 3, 2, 10, 0),
            "survey_type": "nps",
            "score": 10.0,
            "comment": "Быстро",
        },
        {
            "response_id": "R2",
            "customer_id": "C2",
            "ticket_id": "T9",
            "responded_at": datetime(2024, 3, 3, 10, 0),
            "survey_type": "nps",
            "score": 6.0,
            "comment": None,
        },
    )
    store(workspace, "surveys", answers, "answers")

    uploads = workspace.read()

    pd.testing.assert_frame_equal(uploads.surveys[answers.columns], answers)
    assert uploads.supplied["surveys"] == set(answers.columns)
    assert uploads.supplied["tickets"] == frozenset() and uploads.tickets.empty
    assert (uploads.source.kind, uploads.source.version) == ("upload", workspace.version())

    helpdesk, _ = validate(
        {"customers": CUSTOMERS, "tickets": tickets({"ticket_id": "T1"})},
        partial=True,
        source=SourceInfo("helpdesk", "sql", "helpdesk.db", datetime.now(UTC), "v1"),
    )
    combined, report = combine([helpdesk, uploads])
    assert records(combined.surveys, ["response_id", "ticket_id", "score"]) == [
        {"response_id": "R1", "ticket_id": "T1", "score": 10.0},
        {"response_id": "R2", "ticket_id": None, "score": 6.0},  # T9 is in neither source
    ]
    assert report.problems[["record_id", "column", "action"]].to_dict("records") == [
        {"record_id": "R2", "column": "ticket_id", "action": "value cleared"}
    ]


NPS_EXPORT = FileMapping(
    table="surveys",
    columns={
        "response_id": "Response ID",
        "customer_id": "Email",
        "responded_at": "Дата",
        "score": "How likely are you to recommend us?",
        "comment": "Why?",
    },
    constants={"survey_type": "nps"},
    day_first=True,
    score_scale=ScoreScale(
        low=1,
        high=10,
        reversed=True,
        labels={"Очень доволен": 1, "😀": 2.5},
        dont_know=("N/A", "Не знаю"),
    ),
    preset="typeform",
)
TICKETS_EXPORT = FileMapping(table="tickets", columns={"ticket_id": "#", "created_at": "Opened"})


def test_saved_mappings_round_trip(workspace):
    workspace.save_mapping(" Typeform NPS ", NPS_EXPORT)  # the name is trimmed
    workspace.save_mapping("Desk", TICKETS_EXPORT)
    assert workspace.saved_mappings() == {"Desk": TICKETS_EXPORT, "Typeform NPS": NPS_EXPORT}
    assert list(workspace.saved_mappings()) == ["Desk", "Typeform NPS"]

    workspace.save_mapping("Desk", NPS_EXPORT)  # saving under a used name replaces it
    assert workspace.saved_mappings() == {"Desk": NPS_EXPORT, "Typeform NPS": NPS_EXPORT}

    workspace.delete_mapping("Desk")
    assert workspace.saved_mappings() == {"Typeform NPS": NPS_EXPORT}
    with pytest.raises(ValueError, match="no mapping is saved under the name 'Desk'"):
        workspace.delete_mapping("Desk")
    with pytest.raises(ValueError, match="1 to 200 characters"):
        workspace.save_mapping("  ", NPS_EXPORT)


def test_a_reopened_workspace_sees_everything(db_url):
    first = Workspace.open(db_url)
    store(first, "customers", CUSTOMERS, "customers")
    first.save_mapping("Desk", TICKETS_EXPORT)
    uploads, version = first.uploads(), first.version()
    first.close()

    for reopened in (Workspace.open(db_url), Workspace(db_url)):
        try:
            assert reopened.row_counts()["customers"] == 2
            pd.testing.assert_frame_equal(reopened.uploads(), uploads)
            assert reopened.saved_mappings() == {"Desk": TICKETS_EXPORT}
            assert reopened.version() == version
        finally:
            reopened.close()


def test_version_changes_with_every_change_of_the_rows(with_customers):
    workspace = with_customers
    seen = [workspace.version()]
    a = store(workspace, "tickets", tickets({"ticket_id": "T1"}, {"ticket_id": "T2"}), "A")
    seen.append(workspace.version())
    store(workspace, "tickets", tickets({"ticket_id": "T1"}, {"ticket_id": "T2"}), "A")
    assert workspace.version() == seen[-1]  # a duplicate stores nothing
    b = store(workspace, "tickets", tickets({"ticket_id": "T2", "status": "closed"}), "B")
    seen.append(workspace.version())
    workspace.delete_upload(b.upload.id)  # same uploads as after A alone, but T2 is gone
    seen.append(workspace.version())
    workspace.delete_upload(a.upload.id)
    seen.append(workspace.version())
    workspace.save_mapping("Desk", TICKETS_EXPORT)  # not data
    assert workspace.version() == seen[-1]
    assert len(set(seen)) == len(seen)


def test_a_database_that_is_not_a_workspace_is_refused(db_url, write_canonical, writer):
    write_canonical()  # a helpdesk database: the canonical tables, no workspace marker
    with pytest.raises(DataSourceError, match="is not a Loyalty Lens workspace"):
        Workspace.open(db_url)
    assert "uploads" not in sa.inspect(writer).get_table_names()


def test_a_workspace_of_another_schema_version_is_refused(db_url, writer):
    Workspace.open(db_url).close()
    with writer.begin() as connection:
        connection.execute(sa.update(META).where(META.c.key == "schema_version").values(value="2"))
    with pytest.raises(DataSourceError, match="has schema version 2; .* reads version 1"):
        Workspace.open(db_url)


@pytest.mark.parametrize(
    ("table", "frame", "digest", "message"),
    [
        ("complaints", CUSTOMERS, sha("x"), "unknown canonical table 'complaints'"),
        ("customers", CUSTOMERS.assign(upload_id=1), sha("x"), "no canonical column.*upload_id"),
        ("customers", CUSTOMERS.drop(columns="signup_date"), sha("x"), "required.*signup_date"),
        ("customers", CUSTOMERS.assign(customer_id=["C1", None]), sha("x"), "1 row.*customer_id"),
        ("customers", CUSTOMERS, "not-a-hash", "64 hex digits"),
    ],
)
def test_rows_that_cannot_be_stored_are_refused(sqlite_url, table, frame, digest, message):
    workspace = Workspace.open(sqlite_url)
    with pytest.raises(ValueError, match=message):
        workspace.store(
            table, frame, file_name="f.csv", sha256=digest, mapping_json="{}", rows_rejected=0
        )
    assert workspace.uploads().empty
    workspace.close()


def test_the_default_workspace_is_sqlite_in_var_unless_configured(monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    assert default_workspace_url() == f"sqlite:///{REPO_ROOT / 'var' / 'workspace.sqlite'}"
    monkeypatch.setenv(ENV_URL, "postgresql+psycopg://app@db.internal/loyalty")
    assert default_workspace_url() == "postgresql+psycopg://app@db.internal/loyalty"
    assert Workspace().url == "postgresql+psycopg://app@db.internal/loyalty"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("oracle://scott:tiger@db/orcl", "cannot be kept in oracle"),
        ("not a url", "not a valid workspace database URL"),
    ],
)
def test_unusable_workspace_urls_are_refused(url, message):
    with pytest.raises(DataSourceError, match=message) as raised:
        Workspace(url)
    assert "tiger" not in str(raised.value)


def test_records_of_other_modules_get_their_own_tables_and_transactions(db_url):
    notes = sa.MetaData()
    table = sa.Table(
        "test_notes",
        notes,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text),
    )
    workspace = Workspace.open(db_url)
    workspace.create_tables(notes)
    workspace.create_tables(notes)  # idempotent
    with workspace.transaction("save a note") as connection:
        connection.execute(sa.insert(table), [{"id": 1, "text": "kept"}])
    with pytest.raises(DataSourceError, match=r"could not save a note in the workspace.*nothing"):
        with workspace.transaction("save a note") as connection:
            connection.execute(sa.insert(table), [{"id": 2, "text": "rolled back"}])
            connection.execute(sa.insert(table), [{"id": 1, "text": "duplicate key"}])
    with workspace.transaction("read the notes") as connection:
        kept = connection.execute(sa.select(table.c.text).order_by(table.c.id)).scalars().all()
    workspace.close()
    assert kept == ["kept"]


def test_a_read_only_workspace_file_gives_a_clear_message_and_keeps_what_was_saved(tmp_path):
    path = tmp_path / "workspace.sqlite"
    notes = sa.MetaData()
    table = sa.Table("test_notes", notes, sa.Column("id", sa.Integer, primary_key=True))
    workspace = Workspace.open(f"sqlite:///{path}")
    workspace.create_tables(notes)
    with workspace.transaction("save a note") as connection:
        connection.execute(sa.insert(table), [{"id": 1}])
    workspace.close()
    # Opened read-only (as a read-only file is for a user other than root, who may write anyway).
    workspace = Workspace(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(DataSourceError, match="could not save a note.*readonly.*nothing"):
        with workspace.transaction("save a note") as connection:
            connection.execute(sa.insert(table), [{"id": 2}])
    with workspace.transaction("read the notes") as connection:
        assert connection.execute(sa.select(table.c.id)).scalars().all() == [1]
    workspace.close()
