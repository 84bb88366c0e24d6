"""Follow-up queue, contact compliance and best answers, against values worked out by hand.

The fixture is a morning of answers on Monday 2 March 2026 (09:00–10:30 UTC) and the marks
saved on them; "now" is 11:15 and the target 60 minutes. Every expected value below is derived
in the comment beside it from those timestamps, not from what the code printed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import followup
from analysis.followup import (
    BEFORE_TRACKING,
    CLOCK_ERROR,
    LATE,
    NOT_DUE,
    WITHIN,
    best_answers,
    compliance,
    compliance_over_time,
    compliance_table,
    contact_time,
    current_state,
    followup_cases,
    queue,
)


def at(clock: str, day: str = "2026-03-02") -> pd.Timestamp:
    return pd.Timestamp(f"{day} {clock}")


NOW = at("11:15")

#: Answers: low ones (R1–R4, R12–R14), not followed up (R5 CSAT 3, R6 NPS 7, R7 CES 7),
#: top scores (R8, R9, R10, R16) and a CSAT 4 (R15, not top).
SURVEYS = pd.DataFrame(
    [
        ("R1", at("09:00"), "csat", 1, "Billing", "T1", "call me at +7 912 345-67-89"),
        ("R2", at("09:30"), "csat", 2, "Billing", "T2", "slow"),
        ("R3", at("10:00"), "nps", 6, "Support", "T3", None),
        ("R4", at("10:30"), "nps", 3, "Support", None, "write to ann@example.com"),
        ("R5", at("09:10"), "csat", 3, "Billing", "T1", None),
        ("R6", at("09:20"), "nps", 7, "Support", None, None),
        ("R7", at("09:25"), "ces", 7, "Support", None, None),
        ("R12", at("09:05"), "nps", 0, "Support", None, None),
        ("R13", at("08:00", "2026-03-01"), "csat", 1, "Billing", None, None),
        ("R14", at("08:50"), "csat", 2, None, None, None),
        ("R8", at("12:00", "2026-03-10"), "csat", 5, "Billing", "T4", "kind and quick"),
        ("R9", at("12:00", "2026-03-03"), "nps", 10, "Support", "T5", None),
        ("R16", at("13:00", "2026-03-04"), "nps", 9, "Billing", "T7", None),
        ("R10", at("12:00", "2026-03-05"), "nps", 9, "Support", "T6", None),
        ("R15", at("12:00", "2026-03-06"), "csat", 4, "Billing", "T4", None),
    ],
    columns=[
        "response_id",
        "responded_at",
        "survey_type",
        "score",
        "department",
        "ticket_id",
        "comment",
    ],
).assign(customer_id="C1", reason=None, callback_requested=False)

#: Resolution hours 1, 2, 3, 4, 5, 6 and 100 (T1–T7).
TICKETS = pd.DataFrame(
    {
        "ticket_id": [f"T{i}" for i in range(1, 8)],
        "created_at": [at("08:00")] * 7,
        "resolved_at": [at("08:00") + pd.Timedelta(hours=h) for h in (1, 2, 3, 4, 5, 6, 100)],
        "is_complaint": pd.array([False, False, False, True, False, False, False], "boolean"),
        "transfers": [0, 0, 0, 0, 2, 0, 0],
        "reopens": [0, 0, 0, 0, 1, 0, 0],
        "agent": ["a1", "a2", "a3", "a4", "a5", "a6", "a7"],
        "department": ["Billing", "Billing", "Support", "Billing", "Support", "Support", "Billing"],
    }
)


def events(*rows: tuple[str, str, pd.Timestamp, str | None]) -> pd.DataFrame:
    """Events numbered in the order given, all saved by ``ann`` unless the note names another."""
    frame = pd.DataFrame(rows, columns=["response_id", "status", "handled_at", "note"])
    return frame.assign(event_id=np.arange(1, len(rows) + 1), editor="ann")[
        list(followup.EVENT_COLUMNS)
    ]


EVENTS = events(
    ("R14", "contacted", at("08:45"), None),  # before the answer (08:50): clock error
    ("R1", "contacted", at("09:40"), "reached, mail me: bob@example.com"),  # 40 min
    ("R2", "could not reach", at("09:50"), "voicemail"),  # an attempt, not a contact
    ("R2", "contacted", at("11:00"), None),  # first contact at 90 min: late
    ("R2", "resolved", at("12:00"), "refund agreed"),
    ("R3", "resolved", at("11:00"), None),  # exactly 60 min: within (no later than)
)


@pytest.fixture
def cases() -> pd.DataFrame:
    return followup_cases(SURVEYS, TICKETS, EVENTS, as_of=NOW, target_minutes=60)


def by_id(cases: pd.DataFrame) -> pd.DataFrame:
    return cases.set_index("response_id")


def test_the_cases_are_the_low_csat_and_nps_answers_newest_first(cases):
    # CSAT 1–2 and NPS 0–6 only: R5 (CSAT 3), R6 (NPS 7), R7 (CES 7) and the top scores are out.
    assert cases["response_id"].tolist() == ["R4", "R3", "R2", "R12", "R1", "R14", "R13"]


def test_outcomes_against_the_one_hour_target(cases):
    # Tracking starts at the first mark (08:45) minus 60 min = 07:45 on 2 March: R13 (1 March)
    # is before it. R1 40 min, R3 60 min: within. R2 first contact 90 min: late. R12 not
    # contacted, 130 min old at 11:15: late. R4 not contacted, 45 min old: not yet due. R14's
    # mark is 5 min before its answer: clock error.
    assert by_id(cases)["outcome"].to_dict() == {
        "R1": WITHIN,
        "R2": LATE,
        "R3": WITHIN,
        "R4": NOT_DUE,
        "R12": LATE,
        "R13": BEFORE_TRACKING,
        "R14": CLOCK_ERROR,
    }
    assert cases.attrs["tracking_since"] == at("07:45")


def test_state_times_and_overdue_flags(cases):
    rows = by_id(cases)
    assert rows.loc["R2", "status"] == "resolved"  # the latest event
    assert rows.loc["R2", "note"] == "refund agreed"
    assert rows.loc["R2", "contacted_at"] == at("11:00")  # not the 09:50 "could not reach"
    assert rows.loc["R4", "status"] == "new"
    assert rows.loc["R1", "contact_seconds"] == 40 * 60
    assert rows.loc["R2", "contact_seconds"] == 90 * 60
    assert math.isnan(rows.loc["R14", "contact_seconds"])  # clock error: never used
    assert rows.loc["R4", "age_seconds"] == 45 * 60
    assert rows.loc["R12", "age_seconds"] == 130 * 60
    # Overdue: not contacted and older than 60 min (R12, R13); R4 still has 15 minutes.
    assert set(rows.index[rows["overdue"]]) == {"R12", "R13"}


def test_personal_data_is_masked_in_comments_and_notes(cases):
    rows = by_id(cases)
    assert rows.loc["R1", "comment"] == "call me at [phone]"
    assert rows.loc["R4", "comment"] == "write to [email]"
    assert rows.loc["R1", "note"] == "reached, mail me: [email]"


def test_ticket_facts_are_attached(cases):
    assert by_id(cases).loc["R1", "agent"] == "a1"


def test_compliance_share_and_its_wilson_interval(cases):
    # Judged: R1, R3 within; R2, R12 late → 2 of 4 = 50 %. Wilson (1927) by hand, z = 1.959964:
    # centre = (p + z²/2n) / (1 + z²/n) = 0.5; half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
    z, n, p = 1.959963984540054, 4, 0.5
    denominator = 1 + z**2 / n
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    share = compliance(cases)
    assert share.value == 50.0 and share.n == 4
    assert share.ci_low == pytest.approx(100 * (0.5 - half), abs=1e-9)  # 15.004 %
    assert share.ci_high == pytest.approx(100 * (0.5 + half), abs=1e-9)  # 84.996 %
    assert share.excluded == 3  # R4 not yet due, R13 before tracking, R14 clock error


def test_median_time_to_contact_over_the_judged_contacted_cases(cases):
    # R1 40 min, R3 60 min, R2 90 min → median 60 min. With n = 3 no order-statistic interval
    # reaches 95 %: [X(1), X(3)] covers 1 − 2·(1/2)³ = 75 %, so both bounds are undefined.
    summary = contact_time(cases)
    assert summary.n == 3
    assert summary.median == 3600
    assert math.isnan(summary.median_ci_low) and math.isnan(summary.median_ci_high)


def test_compliance_per_department(cases):
    table = compliance_table(cases, "department").set_index("group")
    # Billing: R1 within, R2 late, R13 before tracking. Support: R3 within, R12 late, R4 not due.
    # R14 has no department.
    assert table.loc["Billing", ["within", "late", "not_yet_due", "not_judged", "n"]].tolist() == [
        1,
        1,
        0,
        1,
        2,
    ]
    assert table.loc["Support", ["within", "late", "not_yet_due", "not_judged", "n"]].tolist() == [
        1,
        1,
        1,
        0,
        2,
    ]
    assert table.loc["Billing", "value"] == 50.0
    assert table.loc["Billing", "median_seconds"] == (40 + 90) / 2 * 60  # type-7 median of two
    assert table.attrs["ungrouped"] == 1
    assert list(table.reset_index().columns) == list(followup.COMPLIANCE_COLUMNS)


def test_compliance_over_time_keeps_empty_weeks():
    cases = pd.DataFrame(
        {
            "responded_at": [at("09:00"), at("10:00"), at("09:00", "2026-03-18")],
            "outcome": [WITHIN, LATE, WITHIN],
            "contact_seconds": [600.0, 7200.0, 1200.0],
        }
    )
    table = compliance_over_time(cases, "W")
    # Weeks from Monday: 2, 9 and 16 March; the middle one has no case.
    assert table["period"].tolist() == [
        at("00:00"),
        at("00:00", "2026-03-09"),
        at("00:00", "2026-03-16"),
    ]
    assert table["n"].tolist() == [2, 0, 1]
    assert table["value"].iloc[0] == 50.0 and math.isnan(table["value"].iloc[1])
    assert table["value"].iloc[2] == 100.0


def test_without_any_mark_nothing_is_judged():
    cases = followup_cases(SURVEYS, TICKETS, followup.empty_events(), as_of=NOW)
    assert set(cases["outcome"]) == {BEFORE_TRACKING}
    assert compliance(cases).n == 0 and math.isnan(compliance(cases).value)
    assert compliance_over_time(cases).empty


def test_queue_puts_open_answers_first_newest_first_and_filters(cases):
    # Open (new / could not reach): R4 10:30, R12 09:05, R13 1 March; then the contacted ones.
    assert queue(cases)["response_id"].tolist() == ["R4", "R12", "R13", "R3", "R2", "R1", "R14"]
    assert queue(cases, statuses=["new"])["response_id"].tolist() == ["R4", "R12", "R13"]
    assert queue(cases, departments=["Billing"], survey_types=["csat"])["response_id"].tolist() == [
        "R13",
        "R2",
        "R1",
    ]


def test_history_lists_every_change_oldest_first():
    history = followup.history(EVENTS, "R2")
    assert history["status"].tolist() == ["could not reach", "contacted", "resolved"]


def test_current_state_refuses_unknown_statuses():
    bad = events(("R1", "called", at("09:10"), None))
    with pytest.raises(ValueError, match="unknown follow-up status.*called"):
        current_state(bad)


@pytest.mark.parametrize("target", [0, -5, "60", True])
def test_bad_targets_are_refused(target):
    with pytest.raises(ValueError, match="target_minutes"):
        followup_cases(SURVEYS, TICKETS, EVENTS, as_of=NOW, target_minutes=target)


def test_now_is_required():
    with pytest.raises(ValueError, match="as_of"):
        followup_cases(SURVEYS, TICKETS, EVENTS, as_of=None)


def test_a_time_zone_aware_now_is_read_as_utc(cases):
    aware = followup_cases(
        SURVEYS, TICKETS, EVENTS, as_of=pd.Timestamp("2026-03-02 12:15", tz="Europe/Paris")
    )
    assert aware["age_seconds"].tolist() == cases["age_seconds"].tolist()


def test_best_answers_are_top_scores_on_hard_tickets_newest_week_first():
    best = best_answers(SURVEYS, TICKETS)
    # R8 CSAT 5 on a complaint (week of 9 March); R9 NPS 10 transferred and reopened and R16
    # NPS 9 resolved in 100 h (week of 2 March). R10 NPS 9 on an easy ticket and R15 CSAT 4
    # are out. Within a week the hardest comes first.
    assert best["response_id"].tolist() == ["R8", "R9", "R16"]
    assert best["week"].tolist() == [at("00:00", "2026-03-09"), at("00:00"), at("00:00")]
    assert best["why_hard"].tolist() == ["complaint", "transferred, reopened", "long resolution"]
    assert best["hard_criteria"].tolist() == [1, 2, 1]
    # Long: at or above the type-7 0.9 quantile of 1, 2, 3, 4, 5, 6, 100 h:
    # position 6 × 0.9 = 5.4 → 6 + 0.4 × (100 − 6) = 43.6 h.
    assert best.attrs["long_seconds"] == pytest.approx(43.6 * 3600)
    assert best.loc[2, "resolution_hours"] == 100
    assert best.loc[0, "comment"] == "kind and quick"


def test_best_answers_filter_by_department():
    best = best_answers(SURVEYS, TICKETS, departments=["Billing"])
    assert best["response_id"].tolist() == ["R8", "R16"]


def test_best_answers_skip_criteria_whose_column_is_missing():
    best = best_answers(SURVEYS, TICKETS.drop(columns=["transfers", "reopens"]))
    assert best.attrs["unavailable"] == ["transferred", "reopened"]
    assert best["response_id"].tolist() == ["R8", "R16"]


def test_best_answers_name_the_columns_that_would_enable_them():
    bare = TICKETS[["ticket_id", "created_at"]]
    with pytest.raises(ValueError, match="is_complaint, transfers, reopens, resolved_at"):
        best_answers(SURVEYS, bare)


def test_marks_on_another_sources_answers_neither_show_nor_start_tracking():
    other = events(("X9", "contacted", at("06:00", "2026-01-01"), None))
    mine = followup.events_for(pd.concat([other, EVENTS]), SURVEYS["response_id"])
    assert "X9" not in set(mine["response_id"]) and len(mine) == len(EVENTS)
    cases = followup_cases(SURVEYS, TICKETS, mine, as_of=NOW)
    assert cases.attrs["tracking_since"] == at("07:45")


def test_the_cases_behind_a_department_row_or_a_week_point(cases):
    # Billing: R1, R2 (R13 is before tracking, so not behind any figure).
    behind = followup.cases_behind(cases, by="department", group="Billing")
    assert behind["response_id"].tolist() == ["R2", "R1"]
    # Week of 2 March: every tracked case (R4, R3, R2, R12, R1, R14).
    week = followup.cases_behind(cases, period=at("00:00"), freq="W")
    assert week["response_id"].tolist() == ["R4", "R3", "R2", "R12", "R1", "R14"]
    assert followup.cases_behind(cases, period=at("00:00", "2026-03-09")).empty


def test_the_current_note_is_the_latest_marks_even_when_it_is_empty():
    """ann: "could not reach" with a note; then bob: "contacted" without one. The current state
    is bob's mark, with no note (not ann's note beside bob's name)."""
    events = pd.DataFrame(
        {
            "event_id": [1, 2],
            "response_id": ["r1", "r1"],
            "status": ["could not reach", "contacted"],
            "note": ["call after 6pm", None],
            "editor": ["ann", "bob"],
            "handled_at": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 12:00"]),
        }
    )
    state = current_state(events).loc["r1"]
    assert (state["status"], state["status_by"]) == ("contacted", "bob")
    assert pd.isna(state["note"])
    assert state["contacted_at"] == pd.Timestamp("2026-01-01 12:00")
