"""Validation on deliberately broken rows: every problem reported, every valid row kept."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from data_connectors.errors import SchemaError
from data_connectors.schema import TABLES
from data_connectors.validation import PROBLEM_COLUMNS, validate

AS_OF = pd.Timestamp("2026-06-30 12:00")


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c3", "c4", "c5"],
            "signup_date": [
                "2025-01-05",
                "2025-02-01",
                "2025-03-01",
                "2025-03-02",
                "soon",
                "2025-04-01",
            ],
            "churn_date": [None, "2024-12-31", None, None, None, "2026-05-01"],
            "segment": ["SMB", "SMB", "Consumer", "Consumer", "SMB", "Enterprise"],
            "referred_by": [None, "c1", "c99", None, None, "c1"],
        }
    )


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4", "t5"],
            "customer_id": ["c1", "c2", "c404", "c4", "c1"],
            "created_at": [
                "2026-01-10 09:00",
                "2026-01-11 10:00",
                "2026-01-12",
                "2026-02-01",
                "2027-01-01",
            ],
            "first_response_at": ["2026-01-10 09:05", "2026-01-11 09:59", None, None, None],
            "transfers": [0, 2, 1, "two", 0],
            "is_complaint": ["yes", "нет", "TRUE", "0", "maybe"],
            "wait_seconds": [12.5, -3, None, 40, 5],
        }
    )


def _surveys() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": [1, 2, 3, 4, 5, 6, 7],
            "customer_id": ["c1", "c1", "c2", "c5", "c5", "c1", None],
            "ticket_id": ["t1", None, "t2", None, "t999", None, None],
            "responded_at": ["2026-01-10 12:00"] * 7,
            "survey_type": ["nps", "CSAT", "ces", "nps", "csat", "stars", "nps"],
            "score": [10, 6, 7, 9.5, 4, 3, 8],
        }
    )


@pytest.fixture()
def result():
    return validate(
        {"customers": _customers(), "tickets": _tickets(), "surveys": _surveys()}, as_of=AS_OF
    )


def _problems_at(report, table: str) -> dict[int, set[tuple[str, str]]]:
    rows: dict[int, set[tuple[str, str]]] = {}
    for p in report.problems.loc[report.problems["table"] == table].itertuples():
        rows.setdefault(p.row, set()).add((p.column, p.reason))
    return rows


def test_every_problem_reported_with_table_row_column_and_reason(result):
    _, report = result
    assert list(report.problems.columns) == PROBLEM_COLUMNS
    assert _problems_at(report, "customers") == {
        2: {("churn_date", "churn_date is before signup_date")},
        3: {("referred_by", "no customers row with customer_id = this value")},
        4: {("customer_id", "duplicate customer_id (first at row 3)")},
        5: {("signup_date", "not an ISO 8601 date/time")},
    }
    assert _problems_at(report, "tickets") == {
        2: {
            ("first_response_at", "first_response_at is before created_at"),
            ("wait_seconds", "not a number ≥ 0"),
        },
        3: {("customer_id", "no customers row with customer_id = this value")},
        4: {("transfers", "not a whole number ≥ 0")},
        5: {
            ("created_at", "date is in the future"),
            ("is_complaint", "not true/false (or yes/no, 1/0)"),
        },
    }
    assert _problems_at(report, "surveys") == {
        2: {("score", "csat score must be a whole number 1–5")},
        4: {("score", "nps score must be a whole number 0–10")},
        5: {("ticket_id", "no tickets row with ticket_id = this value")},
        6: {("survey_type", "must be one of: nps, csat, ces")},
        7: {("customer_id", "required value is missing")},
    }


def test_problem_rows_carry_the_offending_value_and_record_id(result):
    _, report = result
    bad_date = report.problems.query("table == 'customers' and column == 'signup_date'").iloc[0]
    assert (bad_date["record_id"], bad_date["value"]) == ("c4", "soon")
    transfers = report.problems.query("table == 'tickets' and column == 'transfers'").iloc[0]
    assert (transfers["record_id"], transfers["value"]) == ("t4", "two")


def test_valid_rows_are_all_kept_with_parsed_values(result):
    dataset, report = result
    # Rows whose only problems are in optional columns are kept with those values cleared.
    assert dataset.customers["customer_id"].tolist() == ["c1", "c3", "c5"]
    assert dataset.tickets["ticket_id"].tolist() == ["t1", "t2", "t4"]
    assert dataset.surveys["response_id"].tolist() == ["1", "3", "5"]
    t1 = dataset.tickets.iloc[0]
    assert t1["created_at"] == pd.Timestamp("2026-01-10 09:00")
    assert bool(t1["is_complaint"]) is True
    assert t1["wait_seconds"] == 12.5
    assert dataset.surveys.iloc[0]["survey_type"] == "nps"
    summary = report.summary().set_index("table")
    # read, accepted, rejected, values cleared
    assert summary.loc["customers"].tolist() == [6, 3, 3, 1]
    assert summary.loc["tickets"].tolist() == [5, 3, 2, 4]
    assert summary.loc["surveys"].tolist() == [7, 3, 4, 1]


def test_bad_optional_values_are_cleared_and_their_rows_kept(result):
    dataset, report = result
    t2 = dataset.tickets.set_index("ticket_id").loc["t2"]
    assert pd.isna(t2["first_response_at"]) and pd.isna(t2["wait_seconds"])
    assert bool(t2["is_complaint"]) is False  # the good values of the row stay
    assert pd.isna(dataset.tickets.set_index("ticket_id").loc["t4", "transfers"])
    assert pd.isna(dataset.customers.set_index("customer_id").loc["c3", "referred_by"])
    assert pd.isna(dataset.surveys.set_index("response_id").loc["5", "ticket_id"])
    actions = report.problems.set_index(["table", "row", "column"])["action"]
    assert actions[("tickets", 2, "wait_seconds")] == "value cleared"
    assert actions[("tickets", 3, "customer_id")] == "row rejected"
    assert actions[("customers", 2, "churn_date")] == "row rejected"  # what the row is about


def test_future_churn_date_is_a_scheduled_cancellation():
    customers = pd.DataFrame(
        {"customer_id": ["c1"], "signup_date": ["2025-01-01"], "churn_date": ["2026-12-31"]}
    )
    dataset, report = validate({"customers": customers}, as_of=AS_OF, partial=True)
    assert report.is_clean
    assert dataset.customers["churn_date"].iloc[0] == pd.Timestamp("2026-12-31")


def test_non_iso_dates_are_not_guessed():
    customers = pd.DataFrame(
        {"customer_id": ["c1", "c2"], "signup_date": ["01/02/2025", "2025-02-01"]}
    )
    dataset, report = validate({"customers": customers}, as_of=AS_OF, partial=True)
    assert dataset.customers["customer_id"].tolist() == ["c2"]
    assert report.problems["reason"].tolist() == ["not an ISO 8601 date/time"]


def test_duplicate_ids_on_a_large_table_are_found_quickly():
    ids = [f"t{i}" for i in range(200_000)] + ["t5", "t7"]
    tickets = pd.DataFrame({"ticket_id": ids, "customer_id": "c1", "created_at": "2026-01-01"})
    _, report = validate({"tickets": tickets}, as_of=AS_OF, partial=True)
    assert report.problems["reason"].tolist() == [
        "duplicate ticket_id (first at row 6)",
        "duplicate ticket_id (first at row 8)",
    ]


def test_booleans_in_several_languages():
    tickets = pd.DataFrame(
        {
            "ticket_id": list("abcdefgh"),
            "customer_id": ["c1"] * 8,
            "created_at": ["2026-01-01"] * 8,
            "abandoned": ["Yes", "no", "да", "Нет", 1, 0, "1.0", True],
        }
    )
    customers = pd.DataFrame({"customer_id": ["c1"], "signup_date": ["2025-01-01"]})
    surveys = pd.DataFrame(columns=TABLES["surveys"].required_columns)
    dataset, report = validate(
        {"customers": customers, "tickets": tickets, "surveys": surveys}, as_of=AS_OF
    )
    assert report.is_clean
    assert dataset.tickets["abandoned"].tolist() == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
    ]


def test_rejected_rows_download_as_csv_with_reason(result):
    _, report = result
    frame = pd.read_csv(io.BytesIO(report.rejected_csv()), dtype=str)
    assert len(frame) == 3 + 2 + 4
    assert {"table", "row", "rejection_reason"} <= set(frame.columns)
    row = frame.query("table == 'surveys' and row == '4'").iloc[0]
    assert row["rejection_reason"] == "score: nps score must be a whole number 0–10"
    assert row["score"] == "9.5"  # the value as it was read


def test_missing_table_and_required_columns_named_all_at_once():
    customers = _customers().drop(columns="signup_date")
    tickets = _tickets().drop(columns=["created_at", "customer_id"])
    with pytest.raises(SchemaError) as err:
        validate({"customers": customers, "tickets": tickets}, as_of=AS_OF)
    assert err.value.problems == [
        "table 'customers' lacks required column(s): signup_date",
        "table 'tickets' lacks required column(s): customer_id, created_at",
        "table 'surveys' is missing",
    ]


def test_optional_columns_supplied_are_reported():
    dataset, _ = validate(
        {"customers": _customers(), "tickets": _tickets(), "surveys": _surveys()}, as_of=AS_OF
    )
    assert dataset.has("tickets", "wait_seconds")
    assert not dataset.has("tickets", "department")
    assert not dataset.has("qa_reviews", "score")
    assert "department" in dataset.tickets.columns  # present as an all-missing column
    assert dataset.missing([("tickets", "is_complaint"), ("customers", "region")]) == [
        "customers.region"
    ]


def test_timezone_aware_timestamps_are_converted_to_utc():
    customers = pd.DataFrame(
        {
            "customer_id": ["c1"],
            "signup_date": pd.to_datetime(["2025-01-01 03:00"]).tz_localize("Europe/Moscow"),
        }
    )
    surveys = pd.DataFrame(columns=TABLES["surveys"].required_columns)
    tickets = pd.DataFrame(columns=TABLES["tickets"].required_columns)
    dataset, _ = validate(
        {"customers": customers, "tickets": tickets, "surveys": surveys}, as_of=AS_OF
    )
    assert dataset.customers["signup_date"].iloc[0] == pd.Timestamp("2025-01-01 00:00")


def test_unknown_table_name_is_an_argument_error():
    with pytest.raises(ValueError, match="unknown canonical tables: complaints"):
        validate({"complaints": pd.DataFrame()})


def test_partial_upload_of_one_table_validates_alone():
    surveys = _surveys().iloc[[0, 2]]  # valid answers whose ticket and customer are elsewhere
    dataset, report = validate({"surveys": surveys}, as_of=AS_OF, partial=True)
    assert report.is_clean  # foreign keys into absent tables are not checked
    assert dataset.surveys["response_id"].tolist() == ["1", "3"]
    assert dataset.customers.empty and dataset.tickets.empty
    with pytest.raises(SchemaError, match="table 'customers' is missing"):
        validate({"surveys": surveys}, as_of=AS_OF)


def test_rejected_rows_csv_defuses_spreadsheet_formulas():
    surveys = pd.DataFrame(
        {
            "response_id": ["r1"],
            "customer_id": ['=HYPERLINK("http://x")'],
            "responded_at": ["2026-01-01"],
            "survey_type": ["nps"],
            "score": [12],
        }
    )
    _, report = validate({"surveys": surveys}, as_of=AS_OF, partial=True)
    frame = pd.read_csv(io.BytesIO(report.rejected_csv()), dtype=str)
    assert frame.loc[0, "customer_id"] == '\'=HYPERLINK("http://x")'
