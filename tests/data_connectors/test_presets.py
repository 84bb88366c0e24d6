"""Product presets: each recognises its product's real export layout, and nothing else.

Every preset has a file under ``tests/data/presets/`` laid out as the product exports it (header
names and order, date format, quoting; sources in each preset module and in
``tests/data/README.md``). The real ServiceNow event log and review files are documented samples
of ``../shared/data`` copied into ``tests/data/``.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from data_connectors.file_mapping import FileMapping
from data_connectors.presets import (
    HEADER_SYNONYMS,
    MIN_SCORE,
    PRESETS,
    PresetMatch,
    header_key,
    recognise,
    recognise_all,
    suggest_columns,
)
from data_connectors.presets.transforms import collapse_event_log
from data_connectors.schema import SCORE_RANGES, TABLES
from data_connectors.values import recode_scores

DATA = Path(__file__).parents[1] / "data"
FIXTURES = DATA / "presets"
EVENT_LOG = DATA / "servicenow_incident_event_log_first800.csv"
REVIEWS = DATA / "womens_clothing_reviews_first2000.csv"

#: Fixture file -> the presets that must match it, best first (and no other preset may).
EXPECTED = {
    "zendesk_tickets.csv": ["zendesk", "zendesk_satisfaction"],
    "freshdesk_tickets.csv": ["freshdesk"],
    "servicenow_incidents.csv": ["servicenow_incidents"],
    "servicenow_event_log.csv": ["servicenow_event_log"],
    "jira_issues.csv": ["jira_service_management", "jira_satisfaction"],
    "chatwoot_conversations.csv": ["chatwoot_conversations"],
    "chatwoot_csat.csv": ["chatwoot_csat"],
    "chatwoot_csat_ru.csv": ["chatwoot_csat"],
    "delighted_nps.csv": ["delighted"],
    "surveymonkey_responses.csv": ["surveymonkey"],
    "typeform_responses.csv": ["typeform"],
    "google_forms_en.csv": ["google_forms"],
    "google_forms_ru.csv": ["google_forms_ru"],
}

#: The CFPB complaint database export header (cfpb/complaints_sample.csv, line 3), written here
#: so the test does not read ../shared.
CFPB_HEADER = [
    "Date received",
    "Product",
    "Sub-product",
    "Issue",
    "Sub-issue",
    "Consumer complaint narrative",
    "Company public response",
    "Company",
    "State",
    "ZIP code",
    "Tags",
    "Consumer consent provided?",
    "Submitted via",
    "Date sent to company",
    "Company response to consumer",
    "Timely response?",
    "Consumer disputed?",
    "Complaint ID",
]


def read(name: str) -> pd.DataFrame:
    """A fixture as an upload reads it: one header row, every cell as text."""
    return pd.read_csv(FIXTURES / name, dtype=str)


def match_for(name: str, table: str | None = None) -> tuple[pd.DataFrame, PresetMatch]:
    """A fixture and the preset recognised for it (which must exist)."""
    frame = read(name)
    match = recognise(frame.columns, table)
    assert match is not None, name
    return frame, match


def canonical(
    match: PresetMatch, frame: pd.DataFrame, mapping: FileMapping | None = None
) -> pd.DataFrame:
    """The prepared file with its mapped columns under canonical names (values as written)."""
    mapping = mapping or match.mapping
    prepared = match.prepare(frame, mapping)
    return pd.DataFrame({c: prepared[h] for c, h in mapping.columns.items()}, index=prepared.index)


def values(series: pd.Series) -> list[object]:
    """Cells as plain Python values, missing ones as None (literal comparison)."""
    return [None if pd.isna(v) else v for v in series.tolist()]


# --- every preset: recognised on its own layout, and only there ----------------------------------


def test_every_preset_has_a_fixture_and_a_unique_key():
    keys = [p.key for p in PRESETS]
    assert len(keys) == len(set(keys))
    assert {k for expected in EXPECTED.values() for k in expected} == set(keys)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_recognised_as_its_preset_and_no_other(name):
    frame = read(name)
    matches = recognise_all(frame.columns)
    assert [m.preset.key for m in matches] == EXPECTED[name]
    assert recognise(frame.columns).preset.key == EXPECTED[name][0]
    for match in matches:
        assert match.score >= MIN_SCORE
        assert all(m.preset == match.preset.key for m in match.mappings)
        assert not set(match.unplaced) & {h for m in match.mappings for h in m.columns.values()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_prepare_does_not_change_the_uploaded_frame(name):
    frame = read(name)
    before = frame.copy()
    for match in recognise_all(frame.columns):
        for mapping in match.mappings:
            match.prepare(frame, mapping)
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_declared_date_format_reads_every_mapped_date(name):
    frame = read(name)
    for match in recognise_all(frame.columns):
        fmt = match.preset.date_format
        if fmt is None:
            continue
        prepared = match.prepare(frame)
        for column in ("created_at", "resolved_at", "first_response_at", "responded_at"):
            if column in match.mapping.columns:
                for cell in prepared[match.mapping.columns[column]].dropna():
                    datetime.strptime(cell, fmt)  # raises if the format is wrong


def test_every_preset_module_names_its_layout_source_and_doubts():
    for name in (
        "zendesk",
        "freshdesk",
        "servicenow",
        "jira",
        "chatwoot",
        "delighted",
        "surveymonkey",
        "typeform",
        "google_forms",
    ):
        doc = importlib.import_module(f"data_connectors.presets.{name}").__doc__
        assert "Layout source" in doc and "Uncertain" in doc, name
    assert all(p.source and p.notes for p in PRESETS)


# --- helpdesk ticket exports ---------------------------------------------------------------------


def test_zendesk_ticket_export():
    frame, match = match_for("zendesk_tickets.csv")
    assert match.mapping.columns == {
        "ticket_id": "Id",
        "customer_id": "Requester id",
        "created_at": "Created at",
        "channel": "Via",
        "category": "Ticket type",
        "subject": "Subject",
        "agent": "Assignee",
        "team": "Group",
        "priority": "Priority",
        "status": "Status",
        "resolved_at": "Solved at",
        "reopens": "Reopens",
        "transfers": "Transfers (assignee stations - 1)",
    }
    rows = canonical(match, frame)
    assert values(rows["ticket_id"]) == ["1041", "1042", "1043"]
    assert values(rows["customer_id"]) == ["381947120", "381947555", "381948001"]
    assert values(rows["subject"]) == [
        "Double charge, card ending 4242",
        "Cannot log in",
        "Invoice copy",
    ]
    assert values(rows["channel"]) == ["Email", "Web Widget", "Email"]
    assert values(rows["resolved_at"]) == ["2024-03-05 16:20", "2024-03-06 12:00", None]
    assert values(rows["transfers"]) == [0, 2, 0]  # assignee stations 1, 3, 0
    assert values(rows["reopens"]) == ["0", "1", "0"]


def test_zendesk_satisfaction_score_from_the_same_export():
    frame, match = match_for("zendesk_tickets.csv", table="surveys")
    assert match.preset.key == "zendesk_satisfaction"
    mapping = match.mapping
    assert mapping.constants == {"survey_type": "csat"}
    assert (mapping.score_scale.labels["good"], mapping.score_scale.labels["bad"]) == (5, 1)
    rows = canonical(match, frame)
    assert rows.index.tolist() == [0, 1]  # ticket 1043 "Not Offered": no answer
    assert values(rows["response_id"]) == values(rows["ticket_id"]) == ["1041", "1042"]
    assert values(rows["score"]) == ["Good", "Bad"]
    assert values(rows["responded_at"]) == ["2024-03-05 16:20", "2024-03-06 12:00"]


def test_zendesk_export_without_assignee_stations_maps_no_transfers():
    frame = read("zendesk_tickets.csv").drop(columns="Assignee stations")
    match = recognise(frame.columns)
    assert "transfers" not in match.mapping.columns
    assert list(match.prepare(frame).columns) == list(frame.columns)


def test_utf8_bom_on_the_first_header_is_ignored():
    bom = "\ufeffSummation column"
    frame = read("zendesk_tickets.csv").rename(columns={"Summation column": bom})
    match = recognise(frame.columns)
    assert (match.preset.key, match.score) == ("zendesk", 1.0)
    assert match.unplaced[0] == bom


def test_zendesk_export_without_ratings_gives_no_survey_preset():
    headers = [h for h in read("zendesk_tickets.csv").columns if h != "Satisfaction Score"]
    assert [m.preset.key for m in recognise_all(headers)] == ["zendesk"]
    assert recognise(headers, table="surveys") is None


def test_freshdesk_ticket_export():
    frame, match = match_for("freshdesk_tickets.csv")
    rows = canonical(match, frame)
    assert values(rows["ticket_id"]) == ["5101", "5102"]
    assert values(rows["customer_id"]) == ["70001234", "70001235"]
    assert values(rows["created_at"]) == ["2024-05-02 09:12:44", "2024-05-03 11:00:00"]
    assert values(rows["channel"]) == ["Email", "Portal"]
    assert values(rows["first_response_at"]) == ["2024-05-02 09:30:02", None]
    assert values(rows["resolved_at"]) == ["2024-05-02 15:40:10", None]
    assert values(rows["text"])[1] == "Crashes on start, Android 14"


def test_freshdesk_without_contact_id_uses_the_email_as_customer():
    headers = [h for h in read("freshdesk_tickets.csv").columns if h != "Contact ID"]
    assert recognise(headers).mapping.columns["customer_id"] == "Email"


def test_servicenow_incident_list_export():
    frame, match = match_for("servicenow_incidents.csv")
    assert match.unplaced == ("sys_updated_on", "sys_updated_by")
    rows = canonical(match, frame)
    assert values(rows["ticket_id"]) == ["INC0010007", "INC0010008"]
    assert values(rows["customer_id"]) == ["Abel Tuter", "Bud Richman"]
    assert values(rows["created_at"]) == ["2021-03-10 14:23:11", "2021-03-12 08:05:00"]
    assert values(rows["subject"]) == ["Email not syncing on phone", "VPN drops every hour"]
    assert values(rows["team"]) == values(rows["department"]) == ["Service Desk", "Network"]
    assert values(rows["status"]) == ["Resolved", "In Progress"]


def test_servicenow_excel_labels_are_recognised_too():
    labels = [
        "Number",
        "Opened",
        "Short description",
        "Caller",
        "Priority",
        "State",
        "Category",
        "Assignment group",
        "Assigned to",
        "Updated",
        "Updated by",
    ]
    match = recognise(labels)
    assert match.preset.key == "servicenow_incidents"
    assert match.mapping.columns["created_at"] == "Opened"


def test_servicenow_event_log_collapses_to_the_final_state_of_each_incident():
    """Two incidents, nine events (file rows 0-8), see tests/data/presets/servicenow_event_log.csv.

    INC0000900: its last row (8, Resolved at 03-03 17:00) was logged late; the latest event is
    row 5 (Closed at 08-03 12:00). INC0000901: rows 6 and 7 share 04-03 15:00, so file order
    decides (row 7, Closed); row 7's reopen_count is "?" (missing), the highest is 1.
    """
    frame, match = match_for("servicenow_event_log.csv")
    assert match.extras == {"updated_at": "sys_updated_at"}
    assert "made_sla" in match.unplaced and "closed_at" in match.unplaced
    prepared = match.prepare(frame)
    assert prepared.index.tolist() == [5, 7]
    rows = canonical(match, frame)
    assert values(rows["ticket_id"]) == ["INC0000900", "INC0000901"]
    assert values(rows["status"]) == ["Closed", "Closed"]
    assert values(rows["transfers"]) == [2, 1]
    assert values(rows["reopens"]) == [0, 1]
    assert values(rows["team"]) == values(rows["department"]) == ["Group 3", "Group 6"]
    assert values(rows["agent"]) == ["Resolver 8", "Resolver 4"]
    assert values(rows["customer_id"]) == ["Caller 11", "Caller 12"]
    assert values(rows["channel"]) == ["Phone", "Email"]
    assert values(rows["category"]) == ["Category 20", "Category 21"]
    assert values(rows["priority"]) == ["3 - Moderate", "4 - Minor"]
    assert values(rows["created_at"]) == ["01-03-2016 08:55", "01-03-2016 09:20"]
    assert values(rows["resolved_at"]) == ["03-03-2016 17:00", "04-03-2016 15:00"]
    assert values(prepared["closed_at"]) == ["08-03-2016 12:00", "04-03-2016 15:00"]
    assert values(prepared["made_sla"]) == ["FALSE", "TRUE"]
    assert values(prepared["cmdb_ci"]) == [None, None]  # "?" is missing


def test_collapse_without_times_uses_file_order_and_keeps_rows_without_id():
    events = pd.DataFrame(
        {
            "id": ["A", "B", "A", None, "B"],
            "state": ["New", "New", "Closed", "Orphan", "Active"],
            "moves": ["0", "2", "1", "5", None],
        },
        index=[10, 11, 12, 13, 14],
    )
    fields = {"ticket_id": "id", "transfers": "moves"}
    final = collapse_event_log(events, fields, date_format="%d-%m-%Y %H:%M", day_first=True)
    assert final.index.tolist() == [12, 14, 13]
    assert values(final["state"]) == ["Closed", "Active", "Orphan"]
    assert values(final["moves"]) == [1, 2, 5]
    assert values(events["moves"]) == ["0", "2", "1", "5", None]  # input untouched


def test_collapse_reads_iso_times_when_the_log_uses_them():
    """sys_updated_on as an instance writes it (ISO): 2016-03-01 is 1 March, not 3 January."""
    events = pd.DataFrame(
        {
            "id": ["A", "A", "A"],
            "state": ["Closed", "New", "Active"],
            "when": ["2016-03-01 10:00:00", "2016-01-02 09:00:00", "2016-02-15 12:00:00"],
        }
    )
    fields = {"ticket_id": "id", "updated_at": "when"}
    final = collapse_event_log(events, fields, date_format="%d-%m-%Y %H:%M", day_first=True)
    assert values(final["state"]) == ["Closed"]


def test_collapse_reads_times_with_one_order_not_a_guess_per_value():
    """day_first=True: 04/03 is 4 March and 02/03 is 2 March; 03/13 is no date day-first, so it
    counts as the earliest event, instead of being silently read month-first as 13 March (the
    latest) and making "Closed" the final state."""
    events = pd.DataFrame(
        {
            "id": ["A", "A", "A"],
            "state": ["New", "Closed", "Active"],
            "when": ["04/03/2016 10:00", "03/13/2016 10:00", "02/03/2016 10:00"],
        }
    )
    fields = {"ticket_id": "id", "updated_at": "when"}
    final = collapse_event_log(events, fields, date_format="%d-%m-%Y %H:%M", day_first=True)
    assert values(final["state"]) == ["New"]


def test_collapse_without_a_date_format_detects_the_layout():
    events = pd.DataFrame(
        {
            "id": ["A", "A", "B", "B"],
            "state": ["Closed", "New", "New", "Closed"],
            "when": ["1456826400", "1456740000", "?", "01.03.2016 09:00"],  # Unix seconds, dotted
        }
    )
    final = collapse_event_log(events, {"ticket_id": "id", "updated_at": "when"})
    assert values(final["state"]) == ["Closed", "Closed"]


def test_servicenow_real_event_log_collapses_to_one_row_per_incident():
    """The real UCI event log sample (800 incidents, 5,484 events), counted by hand with::

        tail -n +2 tests/data/servicenow_incident_event_log_first800.csv | cut -d, -f1 \\
            | sort -u | wc -l                                              # 800 incidents
        awk -F, 'NR>1{if($5+0>r[$1]+0)r[$1]=$5; if($4+0>t[$1]+0)t[$1]=$4; s[$1]=1}
            END{for(k in s){if(r[k]>0)c++; n+=t[k]} print c, n}' \\
            tests/data/servicenow_incident_event_log_first800.csv         # 10 reopened, 824
        grep '^INC0000102,' tests/data/servicenow_incident_event_log_first800.csv  # 19 events

    INC0000102's 19 events end Closed, reassignment_count 4, reopen_count 1, made_sla FALSE,
    Group 23, resolved 17-03-2016 16:28.
    """
    frame = pd.read_csv(EVENT_LOG, dtype=str)
    match = recognise(frame.columns)
    assert match.preset.key == "servicenow_event_log"
    rows = canonical(match, frame)
    prepared = match.prepare(frame)
    assert len(rows) == 800
    assert rows["ticket_id"].is_unique
    assert len(rows) == frame["number"].nunique()
    assert (rows["reopens"] > 0).sum() == 10
    assert rows["transfers"].sum() == 824
    assert set(rows["status"]) == {"Closed"}
    final = rows[rows["ticket_id"] == "INC0000102"].iloc[0]
    assert (final["status"], final["transfers"], final["reopens"]) == ("Closed", 4, 1)
    assert (final["team"], final["resolved_at"]) == ("Group 23", "17-03-2016 16:28")
    assert prepared.loc[final.name, "made_sla"] == "FALSE"


def test_jira_service_management_issue_export():
    frame, match = match_for("jira_issues.csv")
    rows = canonical(match, frame)
    assert values(rows["ticket_id"]) == ["SD-101", "SD-102", "SD-103"]
    assert values(rows["customer_id"]) == ["Maria Garcia", "Tom Baker", "Maria Garcia"]
    assert values(rows["created_at"]) == [
        "11/May/24 03:26 PM",
        "13/May/24 08:02 AM",
        "14/May/24 10:00 AM",
    ]
    assert values(rows["category"]) == [
        "Get IT help",
        "Report a system problem",
        "Request new hardware",
    ]
    assert values(rows["first_response_at"]) == ["11/May/24 03:41 PM", "13/May/24 11:30 AM", None]
    assert values(rows["resolved_at"]) == ["12/May/24 09:05 AM", "15/May/24 05:55 PM", None]


def test_jira_satisfaction_rating():
    frame, match = match_for("jira_issues.csv", table="surveys")
    assert match.preset.key == "jira_satisfaction"
    rows = canonical(match, frame)
    assert values(rows["response_id"]) == ["SD-101", "SD-102"]  # SD-103 not rated
    assert values(rows["score"]) == ["5", "2"]
    assert values(rows["responded_at"]) == ["12/May/24 09:40 AM", "15/May/24 06:10 PM"]
    assert match.mapping.constants == {"survey_type": "csat"}


def test_chatwoot_conversation_details_report():
    frame, match = match_for("chatwoot_conversations.csv")
    rows = canonical(match, frame)
    assert values(rows["ticket_id"]) == ["1187", "1190"]
    assert values(rows["created_at"]) == ["2024-06-03 13:50:12", "2024-06-02 09:10:00"]
    assert values(rows["channel"]) == ["Website chat", "WhatsApp"]
    assert values(rows["team"]) == ["Support", "Sales"]
    assert values(rows["agent"]) == ["Priya Sharma", "Tom Hart"]
    assert values(rows["category"]) == ["billing", "delivery"]
    assert values(rows["customer_id"]) == ["leo@example.com", None]


# --- survey exports ------------------------------------------------------------------------------


def test_chatwoot_csat_download():
    frame, match = match_for("chatwoot_csat.csv")
    assert match.preset.synthesize_ids
    assert match.mapping.unmapped_required == ["response_id"]
    rows = canonical(match, frame)
    assert rows.index.tolist() == [0, 1]  # the "Reporting period" trailer line is gone
    assert values(rows["ticket_id"]) == ["1187", "1190"]
    assert values(rows["score"]) == ["5", "2"]
    assert values(rows["comment"]) == ["Quick and friendly", "Took two days, had to repeat myself"]
    assert values(rows["responded_at"]) == ["2024-06-03 14:22:09 UTC", "2024-06-04 08:01:45 UTC"]
    assert values(rows["customer_id"]) == ["leo@example.com", None]


def test_chatwoot_csat_download_in_russian():
    frame, match = match_for("chatwoot_csat_ru.csv")
    assert match.preset.key == "chatwoot_csat"
    assert match.mapping.columns["score"] == "Оценка"
    rows = canonical(match, frame)
    assert values(rows["score"]) == ["4"]
    assert values(rows["ticket_id"]) == ["512"]
    assert values(rows["comment"]) == ["Спасибо за помощь"]
    assert values(rows["customer_id"]) == ["maria@example.ru"]


def test_delighted_nps_download():
    frame, match = match_for("delighted_nps.csv")
    assert match.mapping.constants == {"survey_type": "nps"}
    rows = canonical(match, frame)
    assert values(rows["response_id"]) == ["91234567", "91234568"]
    assert values(rows["customer_id"]) == ["4411", "4412"]
    assert values(rows["score"]) == ["9", "4"]
    assert values(rows["comment"]) == ["Great service, fast delivery", "Too expensive"]


def test_surveymonkey_two_row_header_and_one_mapping_per_question():
    frame, match = match_for("surveymonkey_responses.csv")
    assert match.preset.header_rows == 2
    nps, csat = match.mappings
    assert (nps.constants, csat.constants) == ({"survey_type": "nps"}, {"survey_type": "csat"})
    assert nps.columns["score"].startswith("How likely is it that you would recommend")
    assert csat.columns["score"] == "Overall how satisfied are you with our support?"
    assert (
        nps.columns["comment"]
        == csat.columns["comment"]
        == ("What is the primary reason for your score?")
    )
    assert csat.score_scale.labels["very satisfied"] == 5
    prepared = match.prepare(frame, nps)
    assert "Which channels did you use? - Chat" in prepared.columns  # second header row folded
    rows = canonical(match, frame, nps)
    assert rows.index.tolist() == [1, 2]  # row 0 was the sub-header; respondent 3 skipped it
    assert values(rows["response_id"]) == ["114857261", "114857262"]
    assert values(rows["score"]) == ["10", "6"]
    assert values(rows["comment"]) == ["Fast, polite staff", "Slow answer"]
    assert values(rows["responded_at"]) == ["03/04/2024 10:17:05 AM", "03/05/2024 09:03:44 AM"]
    assert values(canonical(match, frame, csat)["score"]) == ["Very satisfied", "Dissatisfied"]


def test_typeform_responses_download():
    frame, match = match_for("typeform_responses.csv")
    assert len(match.mappings) == 1
    rows = canonical(match, frame)
    assert values(rows["response_id"]) == [
        "k8x2a9b7c6d5e4f3k8x2a9b7c6d5e4f3",
        "p1q2r3s4t5u6v7w8p1q2r3s4t5u6v7w8",
    ]
    assert values(rows["score"]) == ["9", "3"]
    assert values(rows["responded_at"]) == ["2024-10-05 02:41:38", "2024-10-06 17:03:10"]
    assert values(rows["customer_id"]) == ["lena@example.com", "omar@example.com"]
    assert values(rows["comment"]) == ["Easy checkout", "Late delivery, no updates"]
    assert match.mapping.constants == {"survey_type": "nps"}


def test_google_forms_english():
    frame, match = match_for("google_forms_en.csv")
    assert match.preset.synthesize_ids and match.mapping.unmapped_required == ["response_id"]
    assert match.mapping.day_first is None  # US sheets write M/D/YYYY, others D/M/YYYY
    rows = canonical(match, frame)
    assert values(rows["score"]) == ["8", "10"]
    assert values(rows["responded_at"]) == ["3/14/2024 9:05:11", "3/14/2024 18:40:02"]
    assert values(rows["comment"]) == ["Good prices", None]
    assert values(rows["customer_id"]) == ["ann@example.com", "ben@example.com"]


def test_google_forms_russian_question_texts():
    frame, match = match_for("google_forms_ru.csv")
    nps, csat = match.mappings
    assert nps.day_first is True
    assert nps.columns["responded_at"] == "Отметка времени"
    assert nps.columns["customer_id"] == "Адрес электронной почты"
    assert nps.columns["comment"] == "Почему вы поставили такую оценку?"
    assert values(canonical(match, frame, nps)["score"]) == ["9", "5"]
    assert values(canonical(match, frame, csat)["score"]) == ["Очень доволен", "Недоволен"]
    assert csat.score_scale.labels["очень доволен"] == 5


@pytest.mark.parametrize(
    ("name", "table", "position", "expected"),
    [
        ("zendesk_tickets.csv", "surveys", 0, [5.0, 1.0]),  # Good, Bad
        ("surveymonkey_responses.csv", None, 1, [5.0, 2.0]),  # Very satisfied, Dissatisfied
        ("google_forms_ru.csv", None, 1, [5.0, 2.0]),  # Очень доволен, Недоволен
        ("google_forms_ru.csv", None, 0, [9.0, 5.0]),  # NPS numbers, no scale
    ],
)
def test_preset_scales_recode_to_canonical_scores(name, table, position, expected):
    frame, match = match_for(name, table)
    mapping = match.mappings[position]
    answers = match.prepare(frame, mapping)[mapping.columns["score"]]
    target = SCORE_RANGES[mapping.constants["survey_type"]]
    recoded = recode_scores(answers, mapping.score_scale, target)
    assert values(recoded.values) == expected
    assert not recoded.unrecognised_mask.any()


# --- what must not be recognised -----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(CFPB_HEADER, id="cfpb-complaints"),
        pytest.param(["ID", "Subject", "Status", "Priority", "Created", "Customer"], id="generic"),
        pytest.param(["Timestamp", "Name", "Favourite colour"], id="form-without-questions"),
        pytest.param(
            ["Id", "Requester", "Subject", "Status", "Created at", "Assignee"], id="zendesk-third"
        ),
        pytest.param(
            ["Ticket ID", "Subject", "Status", "Created time", "Agent", "Group"], id="freshdesk-few"
        ),
    ],
)
def test_unknown_layouts_are_not_recognised(headers):
    assert recognise(headers) is None
    assert recognise_all(headers) == []


def test_real_review_file_is_no_product_export_but_gets_suggestions():
    headers = pd.read_csv(REVIEWS, nrows=0).columns
    assert recognise(headers) is None
    assert suggest_columns(headers, "surveys") == {
        "score": ("Rating", 1.0),
        "comment": ("Review Text", 1.0),
    }


# --- header normalisation and suggestions --------------------------------------------------------


def test_synonyms_cover_exactly_the_canonical_columns():
    canonical_columns = {c for table in TABLES.values() for c in table.column_names}
    assert set(HEADER_SYNONYMS) == canonical_columns
    assert all(HEADER_SYNONYMS.values())


def test_header_key_ignores_case_punctuation_and_yo():
    assert header_key("Created_at ") == header_key("CREATED-AT") == header_key("created at")
    assert header_key("E-mail") == header_key("Email")
    assert header_key("Решён") == header_key("решен")
    assert header_key("#") == "#"


@pytest.mark.parametrize(
    ("header", "table", "column"),
    [
        ("Created at", "tickets", "created_at"),
        ("Дата создания", "tickets", "created_at"),
        ("Customer e-mail", "tickets", "customer_id"),
        ("Customer e-mail", "surveys", "email"),
        ("Customer e-mail", "customers", "email"),
        ("Эл. почта", "customers", "email"),
        ("CREATED_AT", "tickets", "created_at"),
        ("Решен", "tickets", "resolved_at"),
        ("Отдел", "tickets", "department"),
        ("Оценка", "surveys", "score"),
        ("Комментарий", "surveys", "comment"),
        ("Клиент", "tickets", "customer_id"),
        ("Тема", "tickets", "subject"),
        ("Канал", "tickets", "channel"),
        ("Приоритет", "tickets", "priority"),
        ("Статус", "tickets", "status"),
        ("Agent name", "tickets", "agent"),
        ("Имя оператора", "tickets", "agent"),
        ("Created On", "tickets", "created_at"),
        ("Comments", "surveys", "comment"),
    ],
)
def test_suggest_columns_maps_typical_headers(header, table, column):
    suggestion = suggest_columns([header], table)
    assert list(suggestion) == [column]
    assert suggestion[column][0] == header


@pytest.mark.parametrize(
    ("header", "table"),
    [
        ("Count", "customers"),  # not "Country" (region)
        ("Contract", "customers"),  # not "Contact email"
        ("Creation date", "surveys"),  # "date" alone makes no match
        ("Customer satisfaction score", "surveys"),
        ("Favourite colour", "tickets"),
    ],
)
def test_suggest_columns_does_not_guess_from_look_alike_spelling(header, table):
    assert suggest_columns([header], table) == {}


def test_suggest_columns_uses_each_header_and_column_once():
    headers = ["Ticket No", "Created at", "Дата создания", "Customer e-mail", "Client ID", "Note"]
    suggestion = suggest_columns(headers, "tickets")
    assert suggestion["created_at"] == ("Created at", 1.0)
    assert suggestion["customer_id"] == ("Client ID", 1.0)  # a real id beats the e-mail
    assert len({h for h, _ in suggestion.values()}) == len(suggestion)
    assert "Дата создания" not in {h for h, _ in suggestion.values()}


def test_unknown_table_is_an_error():
    with pytest.raises(ValueError, match="unknown canonical table"):
        suggest_columns(["Created at"], "orders")
    with pytest.raises(ValueError, match="unknown canonical table"):
        recognise(["Created at"], "orders")
