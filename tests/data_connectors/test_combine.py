"""Combining datasets: later sources win, supplied columns add up, cross-source keys resolve."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pandas as pd
import pytest

from data_connectors.combine import combine
from data_connectors.dataset import DTYPES, Dataset, SourceInfo
from data_connectors.schema import RECORD_KEYS, TABLES

AS_OF = pd.Timestamp("2026-06-30 12:00")


def part(name: str, version: str, **records: list[dict[str, object]]) -> Dataset:
    """A dataset as a source delivers it: the given rows in canonical dtypes, every other table
    empty, ``supplied`` = the columns the rows name. It is not re-validated on its own, so a
    part may refer to rows that only another part holds (an upload of survey answers about the
    database's tickets)."""
    tables, supplied = {}, {}
    for table, schema in TABLES.items():
        given = pd.DataFrame(records.get(table, []))
        frame = given.reindex(columns=schema.column_names)
        tables[table] = frame.astype({c.name: DTYPES[c.kind] for c in schema.columns})
        supplied[table] = frozenset(given.columns)
    source = SourceInfo(name, "sql", f"{name}.db", datetime(2026, 6, 1, tzinfo=UTC), version)
    return Dataset(tables, supplied, source)


CUSTOMERS = [
    {"customer_id": "C1", "signup_date": datetime(2023, 1, 15), "segment": "SMB"},
    {"customer_id": "C2", "signup_date": datetime(2023, 2, 1), "segment": "Enterprise"},
]


def ticket(ticket_id: str, **values: object) -> dict[str, object]:
    created = datetime(2024, 3, 1)
    return {"ticket_id": ticket_id, "customer_id": "C1", "created_at": created, **values}


def survey(response_id: str, ticket_id: str | None, score: float) -> dict[str, object]:
    return {
        "response_id": response_id,
        "customer_id": "C1",
        "ticket_id": ticket_id,
        "responded_at": datetime(2024, 3, 2),
        "survey_type": "nps",
        "score": score,
    }


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, object]]:
    """Rows limited to ``columns``, with None for every missing value."""
    frame = frame[columns]
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_the_later_dataset_wins_on_a_repeated_record():
    helpdesk = part(
        "helpdesk",
        "v1",
        customers=CUSTOMERS,
        tickets=[ticket("T1", status="open"), ticket("T2", status="open")],
        qa_reviews=[
            {"ticket_id": "T1", "criterion": "tone", "score": 5.0},
            {"ticket_id": "T1", "criterion": "greeting", "score": 4.0},
        ],
    )
    uploads = part(
        "uploads",
        "u1",
        customers=[{"customer_id": "C2", "signup_date": datetime(2022, 12, 1), "segment": "SMB"}],
        tickets=[ticket("T2", status="closed"), ticket("T3", status="new")],
        qa_reviews=[{"ticket_id": "T1", "criterion": "tone", "score": 2.0}],
    )

    combined, report = combine([helpdesk, uploads], as_of=AS_OF)

    assert report.is_clean
    assert records(combined.customers, ["customer_id", "signup_date", "segment"]) == [
        {"customer_id": "C1", "signup_date": pd.Timestamp("2023-01-15"), "segment": "SMB"},
        {"customer_id": "C2", "signup_date": pd.Timestamp("2022-12-01"), "segment": "SMB"},
    ]
    assert records(combined.tickets, ["ticket_id", "status"]) == [
        {"ticket_id": "T1", "status": "open"},
        {"ticket_id": "T2", "status": "closed"},
        {"ticket_id": "T3", "status": "new"},
    ]
    assert records(combined.qa_reviews, ["ticket_id", "criterion", "score"]) == [
        {"ticket_id": "T1", "criterion": "greeting", "score": 4.0},
        {"ticket_id": "T1", "criterion": "tone", "score": 2.0},
    ]
    # the other order: the helpdesk's rows win
    reversed_order, _ = combine([uploads, helpdesk], as_of=AS_OF)
    assert records(reversed_order.tickets, ["ticket_id", "status"])[-2:] == [
        {"ticket_id": "T1", "status": "open"},
        {"ticket_id": "T2", "status": "open"},
    ]


def test_supplied_columns_are_the_union_of_the_parts():
    helpdesk = part(
        "helpdesk", "v1", customers=CUSTOMERS, tickets=[ticket("T1", department="Billing")]
    )
    uploads = part("uploads", "u1", tickets=[ticket("T1", agent="a7")])

    combined, _ = combine([helpdesk, uploads], as_of=AS_OF)

    # T1 now comes from the upload, which has no department; the helpdesk still supplies it
    assert combined.supplied["tickets"] == {
        "ticket_id",
        "customer_id",
        "created_at",
        "department",
        "agent",
    }
    assert combined.has("customers", "segment") and combined.has("tickets", "department")
    assert not combined.has("surveys", "score")
    assert records(combined.tickets, ["ticket_id", "department", "agent"]) == [
        {"ticket_id": "T1", "department": None, "agent": "a7"}
    ]


def test_the_combined_source_names_its_parts_and_versions():
    helpdesk = part("helpdesk", "v1", customers=CUSTOMERS)
    uploads = part("uploads", "u1")

    source = combine([helpdesk, uploads], as_of=AS_OF)[0].source

    assert (source.name, source.kind) == ("helpdesk + uploads", "combined")
    assert source.location == "helpdesk.db + uploads.db"
    assert source.version == hashlib.sha256(b"v1\nu1").hexdigest()[:16]
    changed = combine([helpdesk, part("uploads", "u2")], as_of=AS_OF)[0].source
    assert changed.version != source.version


def test_cross_source_references_resolve_and_dangling_ones_are_reported():
    helpdesk = part("helpdesk", "v1", customers=CUSTOMERS, tickets=[ticket("T1")])
    uploads = part(
        "uploads",
        "u1",
        surveys=[
            survey("R1", "T1", 9.0),
            survey("R2", "T9", 3.0),  # a ticket no source has: the link is cleared
            {**survey("R3", None, 7.0), "customer_id": "C9"},  # a customer no source has: rejected
        ],
    )

    combined, report = combine([helpdesk, uploads], as_of=AS_OF)

    assert records(combined.surveys, ["response_id", "customer_id", "ticket_id"]) == [
        {"response_id": "R1", "customer_id": "C1", "ticket_id": "T1"},
        {"response_id": "R2", "customer_id": "C1", "ticket_id": None},
    ]
    assert report.problems.drop(columns="row").to_dict("records") == [
        {
            "table": "surveys",
            "record_id": "R3",
            "column": "customer_id",
            "value": "C9",
            "reason": "no customers row with customer_id = this value",
            "action": "row rejected",
        },
        {
            "table": "surveys",
            "record_id": "R2",
            "column": "ticket_id",
            "value": "T9",
            "reason": "no tickets row with ticket_id = this value",
            "action": "value cleared",
        },
    ]
    assert report.rejected["surveys"]["response_id"].tolist() == ["R3"]


def test_references_into_a_table_no_part_has_rows_of_are_kept():
    answers = part("uploads", "u1", surveys=[survey("R1", "T1", 9.0)])

    combined, report = combine([answers], as_of=AS_OF)

    assert report.is_clean
    assert records(combined.surveys, ["response_id", "customer_id", "ticket_id"]) == [
        {"response_id": "R1", "customer_id": "C1", "ticket_id": "T1"}
    ]
    assert combined.row_counts() == {"customers": 0, "tickets": 0, "surveys": 1, "qa_reviews": 0}


def test_every_canonical_table_has_a_record_key():
    assert set(RECORD_KEYS) == set(TABLES)
    for name, key in RECORD_KEYS.items():
        assert set(key) <= set(TABLES[name].required_columns)


def test_combine_needs_datasets_with_their_source():
    with pytest.raises(ValueError, match="at least one dataset"):
        combine([])
    anonymous = Dataset(part("x", "1").tables, part("x", "1").supplied, source=None)
    with pytest.raises(ValueError, match="needs its SourceInfo"):
        combine([part("helpdesk", "v1"), anonymous])
