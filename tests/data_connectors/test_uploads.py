"""load_export: file → preset or mapping → typed values → validation, file row numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_connectors.errors import AmbiguousDatesError, SchemaError
from data_connectors.file_mapping import FileMapping, ScoreScale
from data_connectors.uploads import load_export

DATA = Path(__file__).resolve().parents[1] / "data"
AS_OF = pd.Timestamp("2026-11-01")


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


DELIGHTED_AMBIGUOUS = (
    "Response ID,Person ID,Email,Name,Score,Comment,Response timestamp,Tags,Notes\n"
    "1,p1,a@example.com,A,9,Great,03/04/2024 10:00,,\n"
    "2,p2,b@example.com,B,4,Slow,05/06/2024 11:30,,\n"
)


def test_a_recognised_export_needs_no_mapping():
    result = load_export(DATA / "presets" / "zendesk_tickets.csv", as_of=AS_OF)
    assert result.table == "tickets"
    assert result.mappings[0].preset == "zendesk"
    assert result.report.is_clean and len(result.rows) == 3


def test_the_servicenow_event_log_collapses_to_one_row_per_incident():
    """800 incidents kept in the sample (tests/data/README.md): one canonical row each."""
    result = load_export(DATA / "servicenow_incident_event_log_first800.csv", as_of=AS_OF)
    assert len(result.rows) == 800 and result.report.is_clean
    incident = result.rows.set_index("ticket_id").loc["INC0000102"]
    assert (incident["transfers"], incident["reopens"]) == (4, 1)


def test_ambiguous_dates_are_asked_about_not_guessed(tmp_path):
    path = _write(tmp_path, "delighted.csv", DELIGHTED_AMBIGUOUS)
    with pytest.raises(AmbiguousDatesError) as err:
        load_export(path, as_of=AS_OF)
    assert err.value.column == "Response timestamp"
    day_first = load_export(path, day_first=True, as_of=AS_OF).rows["responded_at"].tolist()
    month_first = load_export(path, day_first=False, as_of=AS_OF).rows["responded_at"].tolist()
    assert day_first == [pd.Timestamp("2024-04-03 10:00"), pd.Timestamp("2024-06-05 11:30")]
    assert month_first == [pd.Timestamp("2024-03-04 10:00"), pd.Timestamp("2024-05-06 11:30")]


def test_unrecognised_layout_lists_what_it_could_not_place(tmp_path):
    path = _write(tmp_path, "odd.csv", "Foo,Bar,Baz\n1,2,3\n")
    with pytest.raises(SchemaError) as err:
        load_export(path, as_of=AS_OF)
    message = str(err.value)
    assert "odd.csv" in message and "no product preset recognises" in message
    assert "file columns it could not place: Foo, Bar, Baz" in message


MANUAL_SURVEYS = (
    "Номер;Клиент;Дата;Оценка;Комментарий\n"
    "r1;c1;31.01.2024 10:00;Очень доволен;Всё отлично\n"
    "r2;c2;01.02.2024 11:00;1;Долго ждал\n"
    "r3;c3;02.02.2024 12:00;Затрудняюсь ответить;\n"
    "r4;c4;03.02.2024 13:00;7;\n"
    "r5;c5;-;4;\n"
)


def _manual_mapping(reversed_: bool = False) -> FileMapping:
    return FileMapping(
        "surveys",
        {
            "response_id": "Номер",
            "customer_id": "Клиент",
            "responded_at": "Дата",
            "score": "Оценка",
            "comment": "Комментарий",
        },
        constants={"survey_type": "csat"},
        score_scale=ScoreScale(1, 5, reversed=reversed_, labels={"очень доволен": 5}),
    )


def test_a_messy_windows_1251_export_with_a_mapping(tmp_path):
    """Windows-1251, semicolons, dd.mm.yyyy, a Russian label, a don't-know answer, a score off
    the 1–5 scale and a missing date marked "-": every row is accounted for."""
    path = _write(tmp_path, "опрос.csv", MANUAL_SURVEYS, encoding="windows-1251")
    result = load_export(path, "surveys", _manual_mapping(), as_of=AS_OF)
    assert result.rows["response_id"].tolist() == ["r1", "r2"]
    assert result.rows["score"].tolist() == [5.0, 1.0]
    assert result.rows["responded_at"].tolist()[0] == pd.Timestamp("2024-01-31 10:00")
    assert result.dont_know == 1
    problems = result.report.problems.set_index("row")
    # Rows are numbered as in the file: the header is line 1, r4 is line 5, r5 line 6.
    assert problems.loc[5, "column"] == "score" and problems.loc[5, "value"] == "7"
    assert problems.loc[6, "reason"] == "required value is missing"
    assert problems.loc[6, "column"] == "responded_at"


def test_a_reversed_scale_is_flipped(tmp_path):
    path = _write(tmp_path, "reversed.csv", MANUAL_SURVEYS, encoding="windows-1251")
    result = load_export(path, "surveys", _manual_mapping(reversed_=True), as_of=AS_OF)
    # On a 1 = best scale only numbers flip: the answer 1 becomes 5, while the label "very
    # satisfied" keeps the 5 it states (labels are given in the canonical direction).
    assert result.rows["score"].tolist() == [5.0, 5.0]


def test_a_form_with_several_questions_gives_one_answer_per_question():
    result = load_export(DATA / "presets" / "google_forms_ru.csv", as_of=AS_OF)
    assert len(result.mappings) == 2
    assert result.rows["response_id"].is_unique
    assert set(result.rows["survey_type"]) == {"nps", "csat"}


def test_two_sheets_of_one_workbook_are_two_contents(tmp_path):
    from openpyxl import Workbook

    from data_connectors.files import read_file
    from data_connectors.uploads import content_id

    book = Workbook()
    book.active.title = "Jan"
    book.active.append(["id", "when"])
    book.active.append(["1", "2024-01-05"])
    feb = book.create_sheet("Feb")
    feb.append(["id", "when"])
    feb.append(["2", "2024-02-05"])
    path = tmp_path / "months.xlsx"
    book.save(path)
    jan, feb_raw = read_file(path, sheet="Jan"), read_file(path, sheet="Feb")
    assert jan.sha256 == feb_raw.sha256  # same bytes
    assert content_id(jan) != content_id(feb_raw)


def test_a_malformed_line_is_rejected_and_the_rest_kept(tmp_path):
    path = _write(
        tmp_path,
        "tickets.csv",
        "id;customer;created\nt1;c1;2024-01-05\nt2;c2;2024-01-06;oops\nt3;c3;2024-01-07\n",
    )
    mapping = FileMapping(
        "tickets", {"ticket_id": "id", "customer_id": "customer", "created_at": "created"}
    )
    result = load_export(path, "tickets", mapping, as_of=AS_OF)
    assert result.rows["ticket_id"].tolist() == ["t1", "t3"]
    problem = result.report.problems.iloc[0]
    assert (problem["row"], problem["value"]) == (3, "t2;c2;2024-01-06;oops")
    assert problem["reason"].startswith("line has 4 fields but the header has 3")
    assert result.report.summary().iloc[0][["read", "accepted", "rejected"]].tolist() == [3, 2, 1]


def test_decimal_commas_follow_the_files_convention(tmp_path):
    """ "2,000" alone cannot say whether it is two or two thousand; the file can: a
    semicolon-delimited export writes decimal commas, a comma-delimited one thousands."""
    mapping = FileMapping(
        "tickets",
        {
            "ticket_id": "id",
            "customer_id": "customer",
            "created_at": "created",
            "wait_seconds": "wait",
        },
    )
    semicolons = _write(tmp_path, "a.csv", "id;customer;created;wait\nt1;c1;2024-01-05;2,000\n")
    commas = _write(tmp_path, "b.csv", 'id,customer,created,wait\nt1,c1,2024-01-05,"2,000"\n')
    waits = [
        load_export(path, "tickets", mapping, as_of=AS_OF).rows["wait_seconds"].tolist()
        for path in (semicolons, commas)
    ]
    assert waits == [[2.0], [2000.0]]
