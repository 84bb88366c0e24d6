"""Service metrics against hand calculations on small literal tables, and textbook values.

Dates: 2024-03-01 is a Friday, 2024-03-04 a Monday. Every expected number is worked out by hand
in the comment beside it; intervals are compared with the established implementation (scipy)
through the call written beside the expected value.
"""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.calendar import BusinessCalendar
from analysis.rates import WILSON_METHOD, proportion
from analysis.results import EmptyDataWarning
from analysis.service import (
    BACKLOG_COLUMNS,
    GROUP_COLUMNS,
    SLA_COLUMNS,
    TEAM_COLUMNS,
    ClockWarning,
    ServiceStandards,
    SpeedTier,
    abandon_rate,
    backlog,
    breakdown,
    clock_errors,
    durations,
    fcr_rate,
    first_tier_compliance,
    immediate_response_rate,
    latest_stamp,
    mean_transfers,
    order_statistic_ranks,
    qa_scores,
    reopen_rate,
    resolution_seconds,
    resolution_survival,
    response_seconds,
    response_time,
    sla_compliance,
    sla_outcomes,
    team_table,
    time_summary,
    time_table,
    transfer_rate,
)

pytestmark = pytest.mark.filterwarnings("ignore::analysis.results.SmallSampleWarning")

DEFAULTS: dict[str, object] = {
    "channel": "phone",
    "department": "Billing",
    "team": "A",
    "agent": "Ann",
    "created_at": "2024-03-04 10:00:00",
    "first_response_at": None,
    "resolved_at": None,
    "status": "open",
    "wait_seconds": None,
    "handle_seconds": None,
    "abandoned": False,
    "transfers": 0,
    "reopens": 0,
    "first_contact_resolved": None,
}


def tickets(*rows: dict[str, object]) -> pd.DataFrame:
    """Canonical tickets (canonical dtypes) from literal rows; unspecified columns default."""
    frame = pd.DataFrame(
        [{"ticket_id": f"T{i}", **DEFAULTS, **row} for i, row in enumerate(rows)],
        columns=["ticket_id", *DEFAULTS],
    )
    for column in ("created_at", "first_response_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[ns]")
    for column in ("abandoned", "first_contact_resolved"):
        frame[column] = frame[column].astype("boolean")
    for column in ("transfers", "reopens"):
        frame[column] = frame[column].astype("Int64")
    for column in ("wait_seconds", "handle_seconds"):
        frame[column] = frame[column].astype("float64")
    return frame


def row(frame: pd.DataFrame, **where: object) -> pd.Series:
    """The one row of ``frame`` matching every ``column=value``."""
    mask = np.logical_and.reduce([frame[k] == v for k, v in where.items()])
    (position,) = np.flatnonzero(mask)
    return frame.iloc[position]


# ---------------------------------------------------------------------------------- standards


def test_default_standards_are_designs() -> None:
    """DESIGN.md: voice and chat 80 % within 30 s; e-mail 50 % / 2 h, 80 % / 12 h, 100 % / 24 h."""
    standards = ServiceStandards()
    voice, email = standards.channel_standards
    assert voice.channels == ("phone", "voice", "chat")
    assert [(t.within_seconds, t.target) for t in voice.tiers] == [(30.0, 80.0)]
    assert email.channels == ("email",)
    assert [(t.within_seconds, t.target) for t in email.tiers] == [
        (7200.0, 50.0),
        (43200.0, 80.0),
        (86400.0, 100.0),
    ]
    assert [t.label for t in email.tiers] == ["2 h", "12 h", "24 h"]
    assert standards.immediate_response_seconds == 60.0


def test_from_mapping_reads_the_documented_toml() -> None:
    doc = ServiceStandards.from_mapping.__doc__
    snippet = doc.split("::", 1)[1].split("\n\n", 2)[1]
    config = tomllib.loads("\n".join(line[12:] for line in snippet.splitlines()))
    assert ServiceStandards.from_mapping(config) == ServiceStandards()


def test_from_mapping_converts_units_and_sorts_tiers() -> None:
    standards = ServiceStandards.from_mapping(
        {
            "voice_chat_channels": ["Phone", " chat "],
            "email_tiers": [
                {"within_hours": 4, "target": 90},
                {"within_minutes": 90, "target": 60},
            ],
        }
    )
    assert standards.voice_chat_channels == ("phone", "chat")
    assert standards.email_tiers == (SpeedTier(5400, 60), SpeedTier(14400, 90))
    assert [t.label for t in standards.email_tiers] == ["90 min", "4 h"]


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"voice_chat_target": 80}, "voice_chat_target"),
        ({"email_tiers": [{"within_hours": 2, "target": 150}]}, "email_tiers[0]"),
        ({"email_tiers": [{"within_hours": -2, "target": 50}]}, "email_tiers[0]"),
        ({"email_tiers": [{"within_hours": 2}]}, "email_tiers[0]"),
        ({"email_tiers": [{"hours": 2, "target": 50}]}, "email_tiers[0]"),
        ({"email_tiers": [{"within_hours": "2", "target": 50}]}, "email_tiers[0]"),
        ({"email_tiers": []}, "email_tiers"),
        (
            {"email_tiers": [{"within_hours": 2, "target": 50}, {"within_hours": 2, "target": 60}]},
            "email_tiers",
        ),
        ({"voice_chat_channels": "phone"}, "voice_chat_channels"),
        ({"voice_chat_channels": []}, "voice_chat_channels"),
        ({"email_channels": ["email", "chat"]}, "email_channels"),
        ({"immediate_response_seconds": 0}, "immediate_response_seconds"),
    ],
    ids=repr,
)
def test_from_mapping_names_the_bad_key(config: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace("[", r"\[").replace("]", r"\]")):
        ServiceStandards.from_mapping(config)


def test_from_mapping_rejects_a_non_mapping() -> None:
    with pytest.raises(ValueError, match="mapping"):
        ServiceStandards.from_mapping([("email_channels", ["email"])])


# ----------------------------------------------------------------------------- business hours

MON_FRI_9_18 = BusinessCalendar()  # Mon–Fri 09:00–18:00: 9 working hours a day


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Fri 17:00 → Mon 10:00: Fri 17–18 (1 h) + Mon 9–10 (1 h).
        ("2024-03-01 17:00", "2024-03-04 10:00", 2.0),
        # Sat 12:00 → Mon 10:00: the weekend counts nothing, Mon 9–10.
        ("2024-03-02 12:00", "2024-03-04 10:00", 1.0),
        # Mon 20:00 → Tue 08:00: overnight, before opening.
        ("2024-03-04 20:00", "2024-03-05 08:00", 0.0),
        # Same working day, within hours.
        ("2024-03-04 10:00", "2024-03-04 10:30", 0.5),
        # Mon 08:00 → Mon 20:00: the whole opening window.
        ("2024-03-04 08:00", "2024-03-04 20:00", 9.0),
        # Fri 17:30 → next Fri 09:30: 0.5 + Mon–Thu 4 × 9 + 0.5.
        ("2024-03-01 17:30", "2024-03-08 09:30", 37.0),
        # Sat → Sun: nothing.
        ("2024-03-02 09:00", "2024-03-03 17:00", 0.0),
        # Reversed: minus the working time from Mon 10:00 back to Fri 17:00.
        ("2024-03-04 10:00", "2024-03-01 17:00", -2.0),
    ],
)
def test_business_seconds_by_hand(start: str, end: str, hours: float) -> None:
    result = MON_FRI_9_18.seconds_between(
        pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)])
    )
    assert result[0] == pytest.approx(hours * 3600)


def test_business_seconds_vectorised_with_missing_and_holiday() -> None:
    """Monday 2024-03-04 a holiday: Fri 17:00 → Tue 10:00 = Fri 1 h + Tue 1 h."""
    calendar = BusinessCalendar(holidays=("2024-03-04",))
    start = pd.Series(pd.to_datetime(["2024-03-01 17:00", None, "2024-03-04 10:00"]))
    end = pd.Series(pd.to_datetime(["2024-03-05 10:00", "2024-03-05 10:00", "2024-03-04 11:00"]))
    result = calendar.seconds_between(start, end)
    assert result[0] == pytest.approx(7200) and math.isnan(result[1]) and result[2] == 0.0


def test_business_seconds_in_a_time_zone() -> None:
    """Stamps are UTC; opening hours Berlin (UTC+1 in March before DST): Fri 16:30 UTC = 17:30
    local → Mon 08:30 UTC = 09:30 local: 0.5 h + 0.5 h."""
    calendar = BusinessCalendar(timezone="Europe/Berlin")
    result = calendar.seconds_between(
        pd.Series([pd.Timestamp("2024-03-01 16:30")]), pd.Series([pd.Timestamp("2024-03-04 08:30")])
    )
    assert result[0] == pytest.approx(3600)


def test_round_the_clock_calendar_counts_wall_clock_seconds() -> None:
    calendar = BusinessCalendar(
        workdays=("mon", "tue", "wed", "thu", "fri", "sat", "sun"), opens="00:00", closes="24:00"
    )
    start = pd.Series(pd.to_datetime(["2024-03-01 17:13:05", "2024-02-28 23:00:00"]))
    end = pd.Series(pd.to_datetime(["2024-03-04 10:00:00", "2024-03-01 01:30:00"]))
    expected = (end - start).dt.total_seconds().to_numpy()
    np.testing.assert_allclose(calendar.seconds_between(start, end), expected)


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"opens": "18:00", "closes": "09:00"}, "opens"),
        ({"opens": "9am"}, "opens"),
        ({"closes": "25:00"}, "closes"),
        ({"workdays": ["Mon", "Funday"]}, "workdays"),
        ({"workdays": []}, "workdays"),
        ({"holidays": ["not a date"]}, "holidays"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"open": "09:00"}, "open"),
    ],
    ids=repr,
)
def test_calendar_names_the_bad_key(config: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        BusinessCalendar.from_mapping(config)


# ---------------------------------------------------------------------------------- durations


def test_response_seconds_flags_clock_errors_and_never_averages_them() -> None:
    frame = tickets(
        {"first_response_at": "2024-03-04 10:00:30"},  # 30 s
        {"first_response_at": None},  # not answered: missing
        {"first_response_at": "2024-03-04 09:59:00"},  # before creation: clock error
        {"first_response_at": "2024-03-04 10:01:30"},  # 90 s
    )
    with pytest.warns(ClockWarning, match="1 tickets"):
        seconds = response_seconds(frame)
    assert seconds.tolist()[0] == 30.0 and seconds.tolist()[3] == 90.0
    assert seconds.isna().tolist() == [False, True, True, False]
    assert seconds.attrs == {"negative": 1, "missing": 1}
    summary = response_time(frame)
    # mean of the two valid durations only: (30 + 90) / 2 — the −60 s is not in it.
    assert (summary.mean, summary.n, summary.excluded, summary.negative) == (60.0, 2, 2, 1)
    assert any("clock errors" in note for note in summary.warnings)


def test_clock_errors_lists_the_offending_tickets() -> None:
    frame = tickets(
        {"first_response_at": "2024-03-04 09:59:00"},
        {"first_response_at": "2024-03-04 10:00:10", "resolved_at": "2024-03-04 09:00"},
        {"first_response_at": "2024-03-04 10:00:10", "resolved_at": "2024-03-04 11:00"},
    )
    errors = clock_errors(frame)
    assert errors["ticket_id"].tolist() == ["T0", "T1"]
    assert errors["response_before_created"].tolist() == [True, False]
    assert errors["resolved_before_created"].tolist() == [False, True]


def test_resolution_seconds_in_business_hours_across_a_weekend() -> None:
    frame = tickets(
        # Fri 17:00 → Mon 10:00: 65 h on the clock, 2 working hours.
        {"created_at": "2024-03-01 17:00", "resolved_at": "2024-03-04 10:00"},
        {"created_at": "2024-03-01 17:00", "resolved_at": None},  # still open
    )
    clock = resolution_seconds(frame)
    working = resolution_seconds(frame, calendar=MON_FRI_9_18)
    assert clock.iloc[0] == 65 * 3600 and working.iloc[0] == 2 * 3600
    assert clock.isna().iloc[1] and working.isna().iloc[1]


def test_wait_and_handle_negative_values_are_clock_errors() -> None:
    frame = tickets({"wait_seconds": 12.0}, {"wait_seconds": -3.0}, {"wait_seconds": None})
    seconds, negative = durations(frame, "wait")
    assert seconds.isna().tolist() == [False, True, True] and negative.tolist() == [0, 1, 0]
    with pytest.raises(ValueError, match="measure"):
        durations(frame, "talk")


def test_missing_column_is_named() -> None:
    frame = tickets({}).drop(columns="first_response_at")
    with pytest.raises(ValueError, match="first_response_at"):
        response_seconds(frame)


# ------------------------------------------------------------------------------ time summary


def test_median_interval_for_n_10_is_x2_to_x9() -> None:
    """Campbell & Gardner (1988), BMJ 296:1454–6 (Altman et al., *Statistics with Confidence*,
    2nd ed., Table 18.4): for n = 10 the 95 % interval of the median is (x(2), x(9)), exact
    coverage 97.9 %."""
    data = [12, 3, 45, 7, 30, 18, 60, 5, 25, 9]  # sorted: 3 5 7 9 12 18 25 30 45 60
    summary = time_summary(data)
    assert summary.median == 15.0  # (12 + 18) / 2
    assert (summary.median_ci_low, summary.median_ci_high) == (5.0, 45.0)  # x(2), x(9)
    assert summary.mean == pytest.approx(21.4)  # 214 / 10
    # p90 (type 7): h = 9 · 0.9 = 8.1 → x(9) + 0.1 · (x(10) − x(9)) = 45 + 1.5.
    assert summary.p90 == pytest.approx(46.5)
    # p90 interval: r = Binom(10, 0.9).ppf(0.025) = 7 (P(X ≤ 6) = 0.0128 ≤ 0.025 < P(X ≤ 7) =
    # 0.0702) → x(7) = 25; the upper rank would be 11 > n: no upper bound at n = 10.
    assert summary.p90_ci_low == 25.0 and math.isnan(summary.p90_ci_high)
    assert (summary.n, summary.excluded, summary.negative) == (10, 0, 0)


@pytest.mark.parametrize(
    ("n", "ranks"),
    # Campbell & Gardner (1988) table: n = 11 → 2, 10; n = 20 → 6, 15; n = 30 → 10, 21.
    # n = 5: even (x(1), x(5)) covers only 1 − 2/32 = 93.75 % → no 95 % interval;
    # n = 6: (x(1), x(6)) covers 1 − 2/64 = 96.9 %.
    [(11, (2, 10)), (20, (6, 15)), (30, (10, 21)), (5, (0, 6)), (6, (1, 6))],
)
def test_order_statistic_ranks_textbook(n: int, ranks: tuple[int, int]) -> None:
    low, high = order_statistic_ranks(n, 0.5)
    assert (int(low), int(high)) == ranks


@pytest.mark.parametrize("seed", [11, 2024, 31337])
@pytest.mark.parametrize("n", [1, 6, 29, 57, 200])
@pytest.mark.parametrize(("p", "confidence"), [(0.5, 0.95), (0.9, 0.95), (0.5, 0.9), (0.9, 0.99)])
def test_quantile_intervals_match_scipy_quantile_test(
    seed: int, n: int, p: float, confidence: float
) -> None:
    """Same bounds as ``scipy.stats.quantile_test(x, q=0, p=p).confidence_interval(c)``."""
    x = np.random.default_rng(seed).lognormal(3, 1.5, n)
    expected = stats.quantile_test(x, q=0, p=p).confidence_interval(confidence)
    summary = time_summary(x, confidence=confidence)
    got = (
        (summary.median_ci_low, summary.median_ci_high)
        if p == 0.5
        else (summary.p90_ci_low, summary.p90_ci_high)
    )
    np.testing.assert_equal(got, (expected.low, expected.high))
    assert (summary.median if p == 0.5 else summary.p90) == pytest.approx(np.quantile(x, p))


def test_time_summary_of_nothing_is_nan() -> None:
    with pytest.warns(EmptyDataWarning):
        summary = time_summary([np.nan, None, -5.0])
    assert summary.n == 0 and math.isnan(summary.median) and math.isnan(summary.median_ci_low)
    assert math.isnan(summary.mean) and summary.excluded == 3 and summary.negative == 1
    with pytest.warns(EmptyDataWarning):
        assert time_summary([]).n == 0


def test_time_summary_estimates_carry_n_and_method() -> None:
    estimate = time_summary([10, 20, 30, 40, 50, 60]).median_estimate()
    assert (estimate.value, estimate.ci_low, estimate.ci_high, estimate.n) == (35.0, 10, 60, 6)
    assert "order-statistic" in estimate.method


@pytest.mark.parametrize(
    ("seconds", "options"),
    [
        ("12", {}),
        ([[1, 2]], {}),
        (["fast"], {}),
        ([1.0], {"negative": True}),
        ([1.0], {"negative": 1}),
    ],
    ids=repr,
)
def test_time_summary_bad_arguments(seconds: object, options: dict) -> None:
    with pytest.raises(ValueError):
        time_summary(seconds, **options)


def test_time_table_by_group_matches_time_summary() -> None:
    frame = tickets(
        *[{"team": "A", "first_response_at": f"2024-03-04 10:00:{s:02d}"} for s in (5, 9, 3, 50)],
        *[{"team": "B", "first_response_at": f"2024-03-04 10:0{m}:00"} for m in range(1, 7)],
        {"team": "B", "first_response_at": "2024-03-04 09:00"},  # clock error
        {"team": None, "first_response_at": "2024-03-04 10:00:01"},  # no team
    )
    table = time_table(frame, "team")
    a, b = row(table, group="A"), row(table, group="B")
    assert a["value"] == 7.0 and a["n"] == 4  # median of 3 5 9 50
    assert math.isnan(a["ci_low"]) and math.isnan(a["ci_high"])  # n = 4: no 95 % interval
    # B: 60 … 360 s, n = 6 → (x(1), x(6)); median (180 + 240) / 2.
    assert (b["value"], b["ci_low"], b["ci_high"], b["n"]) == (210.0, 60.0, 360.0, 6)
    assert (b["excluded"], b["clock_errors"], bool(b["too_small"])) == (1, 1, True)
    assert table.attrs["ungrouped"] == 1


# ------------------------------------------------------------------------- speed standards

AS_OF = "2024-03-04 12:00:00"


def voice_table() -> pd.DataFrame:
    """14 contacts, all created Mon 10:00 unless noted; ``as_of`` Mon 12:00."""
    return tickets(
        {"first_response_at": "2024-03-04 10:00:05"},  # 5 s: within
        {"first_response_at": "2024-03-04 10:00:20"},  # within
        {"first_response_at": "2024-03-04 10:00:30"},  # exactly 30 s: within
        {"first_response_at": "2024-03-04 10:00:31"},  # late
        {"first_response_at": "2024-03-04 10:02:00"},  # late
        {"abandoned": True},  # abandoned: late
        {"abandoned": True, "first_response_at": "2024-03-04 10:00:10"},  # abandoned wins: late
        # resolved without a recorded response: late, although only 10 s old at as_of
        {"created_at": "2024-03-04 11:59:50", "resolved_at": "2024-03-04 11:59:55"},
        {},  # unanswered, 2 h old at as_of: late
        {"created_at": "2024-03-04 11:59:50"},  # unanswered, 10 s old: not yet due
        {"first_response_at": "2024-03-04 09:59:00"},  # before creation: clock error
        {"created_at": None, "first_response_at": "2024-03-04 10:00:05"},  # no created_at
        {"channel": " Chat", "first_response_at": "2024-03-04 10:00:10"},  # within
        {"channel": "social", "first_response_at": "2024-03-04 10:00:10"},  # no standard
    )


def test_voice_chat_compliance_by_hand() -> None:
    table = sla_compliance(voice_table(), as_of=AS_OF)
    assert list(table.columns) == [c for c in SLA_COLUMNS if c != "group"]
    voice = row(table, channel_group="voice/chat")
    # within: 5 s, 20 s, 30 s, Chat 10 s = 4; late: 31 s, 120 s, 2 abandoned, resolved without
    # response, 2 h unanswered = 6; excluded: 1 not yet due, 1 clock error, 1 undated.
    counts = ["within", "late", "n", "not_yet_due", "clock_errors", "undated", "excluded"]
    assert voice[counts].tolist() == [4, 6, 10, 1, 1, 1, 3]
    reference = proportion(4, 10)  # Wilson: scipy binomtest(4, 10).proportion_ci("wilson")
    assert voice["value"] == 40.0
    assert (voice["ci_low"], voice["ci_high"]) == pytest.approx(
        (reference.ci_low, reference.ci_high)
    )
    assert voice["ci_high"] < 80  # ≈ 68.8: the whole interval is below the target
    assert (voice["target"], bool(voice["met"]), voice["verdict"]) == (80.0, False, "misses")
    assert table.attrs["unclassified"] == 1 and table.attrs["basis"] == "created"
    assert (table["basis"] == "created").all()


def test_outcomes_per_ticket_for_drill_down() -> None:
    outcomes = sla_outcomes(voice_table(), as_of=AS_OF).set_index("ticket_id")["outcome"]
    assert outcomes.to_dict() == {
        "T0": "within",
        "T1": "within",
        "T2": "within",
        "T3": "late",
        "T4": "late",
        "T5": "late",
        "T6": "late",
        "T7": "late",
        "T8": "late",
        "T9": "not yet due",
        "T10": "clock error",
        "T11": "no created_at",
        "T12": "within",
    }


def email_table() -> pd.DataFrame:
    """Created Mon 10:00 unless noted; ``as_of`` Wed 2024-03-06 12:00."""
    return tickets(
        *[
            {"channel": "email", "first_response_at": at}
            for at in (
                "2024-03-04 11:00",  # 1 h: within 2 h, 12 h, 24 h
                "2024-03-04 13:00",  # 3 h: late for 2 h; within 12 h, 24 h
                "2024-03-04 23:00",  # 13 h: late for 2 h and 12 h; within 24 h
                "2024-03-05 16:00",  # 30 h: late for all
            )
        ],
        {"channel": "email", "created_at": "2024-03-06 11:00"},  # 1 h old: not due anywhere
        {"channel": "email", "created_at": "2024-03-06 07:00"},  # 5 h old: late 2 h only
        {"channel": "email", "created_at": "2024-03-05 16:00"},  # 20 h old: late 2 h and 12 h
        {"channel": "email", "created_at": "2024-03-04 10:00"},  # 50 h old: late for all
    )


def test_email_tiers_with_open_tickets_by_hand() -> None:
    table = sla_compliance(email_table(), as_of="2024-03-06 12:00")
    email = table.loc[table["channel_group"] == "email"].set_index("tier")
    # 2 h:  within 1 h reply; late 3 h, 13 h, 30 h replies and the 5 h, 20 h, 50 h open ones.
    # 12 h: within 1 h, 3 h; late 13 h, 30 h, 20 h-old, 50 h-old; not due 1 h-old, 5 h-old.
    # 24 h: within 1 h, 3 h, 13 h; late 30 h, 50 h-old; not due 1 h, 5 h, 20 h-old.
    assert email[["within", "late", "n", "not_yet_due"]].to_dict("index") == {
        "2 h": {"within": 1, "late": 6, "n": 7, "not_yet_due": 1},
        "12 h": {"within": 2, "late": 4, "n": 6, "not_yet_due": 2},
        "24 h": {"within": 3, "late": 2, "n": 5, "not_yet_due": 3},
    }
    assert email["target"].tolist() == [50.0, 80.0, 100.0]
    assert email.loc["24 h", "value"] == 60.0 and email.loc["24 h", "verdict"] == "misses"
    voice = row(table, channel_group="voice/chat")
    assert voice["n"] == 0 and math.isnan(voice["value"]) and voice["verdict"] == "no data"
    assert pd.isna(voice["met"])


def test_business_hours_change_the_verdict_across_a_weekend() -> None:
    frame = tickets(
        # Fri 17:00 → Mon 10:00: 65 h on the clock, 2 working hours.
        {
            "channel": "email",
            "created_at": "2024-03-01 17:00",
            "first_response_at": "2024-03-04 10:00",
        },
        # Unanswered since Fri 17:30; at Mon 09:30 that is 64 h, but 1 working hour.
        {"channel": "email", "created_at": "2024-03-01 17:30"},
    )
    clock = sla_compliance(frame, as_of="2024-03-04 09:30").set_index("tier")
    working = sla_compliance(frame, as_of="2024-03-04 09:30", calendar=MON_FRI_9_18)
    working = working.set_index("tier")
    assert clock.loc["2 h", ["within", "late", "not_yet_due"]].tolist() == [0, 2, 0]
    assert working.loc["2 h", ["within", "late", "not_yet_due"]].tolist() == [1, 0, 1]
    assert working.attrs["business_hours"] and not clock.attrs["business_hours"]


def answered(within: int, late: int, channel: str = "phone") -> list[dict[str, object]]:
    """``within`` contacts answered in 10 s and ``late`` ones answered after one hour."""
    return [{"channel": channel, "first_response_at": "2024-03-04 10:00:10"}] * within + [
        {"channel": channel, "first_response_at": "2024-03-04 11:00:00"}
    ] * late


def test_verdict_cannot_tell_when_the_interval_straddles_the_target() -> None:
    """8 of 10 within 30 s: share 80 % ≥ target 80 % (met), but the Wilson interval
    (≈ 49 %, 94 %) straddles 80 %: the data cannot say whether the standard is met."""
    voice = row(sla_compliance(tickets(*answered(8, 2)), as_of=AS_OF), channel_group="voice/chat")
    assert voice["value"] == 80.0 and bool(voice["met"])
    assert voice["ci_low"] < 80 <= voice["ci_high"]
    assert voice["verdict"] == "cannot tell"


@pytest.mark.parametrize(
    ("within", "late", "verdict"),
    # 100/100: Wilson low ≈ 96.3 ≥ 80 → meets; 10/100: high ≈ 17.4 < 80 → misses;
    # 5/5: all in time, but Wilson low = 5 / (5 + 1.96²) ≈ 56.6 < 80 → cannot tell.
    [(100, 0, "meets"), (10, 90, "misses"), (79, 21, "cannot tell"), (5, 0, "cannot tell")],
)
def test_verdicts(within: int, late: int, verdict: str) -> None:
    voice = row(
        sla_compliance(tickets(*answered(within, late)), as_of=AS_OF), channel_group="voice/chat"
    )
    assert voice["verdict"] == verdict


def test_a_100_percent_target_is_judged_on_every_contact() -> None:
    """No sample proves a rate of exactly 100 %: a 100 % standard is met when every decidable
    contact was answered in time, and missed by a single late one."""
    in_time = answered(5, 0, channel="email")  # 10 s replies
    two_days = {"channel": "email", "first_response_at": "2024-03-06 10:00"}  # 48 h reply
    kept = row(sla_compliance(tickets(*in_time), as_of="2024-03-06 12:00"), tier="24 h")
    broken = row(sla_compliance(tickets(*in_time, two_days), as_of="2024-03-06 12:00"), tier="24 h")
    assert (kept["value"], kept["verdict"]) == (100.0, "meets")
    assert kept["ci_low"] < 100  # the interval alone would say "cannot tell"
    assert (broken["within"], broken["late"], broken["verdict"]) == (5, 1, "misses")


def test_no_responses_at_all() -> None:
    """Nobody answered: old contacts are all late (0 %), young ones are not yet due."""
    frame = tickets(
        {},
        {},
        {},  # phone, 2 h old at as_of: late
        {"channel": "email", "created_at": "2024-03-04 11:00"},  # 1 h old: not due
    )
    table = sla_compliance(frame, as_of=AS_OF)
    voice = row(table, channel_group="voice/chat")
    assert (voice["value"], voice["n"], voice["late"]) == (0.0, 3, 3)
    assert voice["verdict"] == "misses"
    email = table.loc[table["channel_group"] == "email"]
    assert (email["n"] == 0).all() and (email["not_yet_due"] == 1).all()
    assert (email["verdict"] == "no data").all() and email["value"].isna().all()
    with pytest.warns(EmptyDataWarning):
        assert math.isnan(response_time(frame).median)


def test_all_timestamps_missing() -> None:
    frame = tickets(
        *[{"created_at": None, "channel": c} for c in ("phone", "chat", "email", "email")]
    )
    table = sla_compliance(frame)
    assert (table["n"] == 0).all() and table["value"].isna().all()
    assert table["undated"].tolist() == [2, 2, 2, 2]
    assert (table["verdict"] == "no data").all()
    assert pd.isna(table.attrs["as_of"])
    with pytest.warns(EmptyDataWarning):
        assert response_time(frame).n == 0
    empty = backlog(frame)
    assert list(empty.columns) == list(BACKLOG_COLUMNS) and len(empty) == 0
    assert empty.attrs["undated"] == 4


def test_basis_created_vs_resolved() -> None:
    frame = tickets(
        # created in February, resolved in March, answered in 10 s
        {
            "created_at": "2024-02-28 23:00",
            "first_response_at": "2024-02-28 23:00:10",
            "resolved_at": "2024-03-01 10:00",
        },
        # created and resolved in March, answered after 60 s
        {
            "created_at": "2024-03-02 10:00",
            "first_response_at": "2024-03-02 10:01",
            "resolved_at": "2024-03-02 11:00",
        },
        # created in March, still open, answered in 10 s / 5 s
        {"created_at": "2024-03-03 10:00", "first_response_at": "2024-03-03 10:00:10"},
        {"created_at": "2024-03-04 10:00", "first_response_at": "2024-03-04 10:00:05"},
    )
    march = ("2024-03-01", "2024-03-04")  # dates inclusive: the 4 March ticket is in
    cohort = row(sla_compliance(frame, period=march), channel_group="voice/chat")
    throughput = row(
        sla_compliance(frame, basis="resolved", period=march), channel_group="voice/chat"
    )
    # created in March: tickets 2, 3, 4 → within 2 of 3; resolved in March: 1, 2 → 1 of 2.
    assert (cohort["within"], cohort["n"], cohort["basis"]) == (2, 3, "created")
    assert (throughput["within"], throughput["n"], throughput["basis"]) == (1, 2, "resolved")
    with pytest.raises(ValueError, match="basis"):
        sla_compliance(frame, basis="answered")


def test_as_of_defaults_to_the_latest_timestamp() -> None:
    """Latest stamp: the 10:00:40 reply. Unanswered since 10:00:00 → 40 s old: late for 30 s."""
    frame = tickets({}, {"first_response_at": "2024-03-04 10:00:40"})
    table = sla_compliance(frame)
    assert table.attrs["as_of"] == pd.Timestamp("2024-03-04 10:00:40")
    assert row(table, channel_group="voice/chat")[["within", "late"]].tolist() == [0, 2]


def test_compliance_split_by_department() -> None:
    frame = tickets(
        *[{**t, "department": "Billing"} for t in answered(3, 1)],
        *[{**t, "department": "Sales"} for t in answered(1, 1)],
        {"department": None, "first_response_at": "2024-03-04 10:00:01"},
    )
    table = sla_compliance(frame, by="department", as_of=AS_OF)
    voice = table.loc[table["channel_group"] == "voice/chat"].set_index("group")
    assert voice[["within", "n"]].to_dict("index") == {
        "Billing": {"within": 3, "n": 4},
        "Sales": {"within": 1, "n": 2},
    }
    assert list(table.columns) == list(SLA_COLUMNS) and table.attrs["ungrouped"] == 1


# ------------------------------------------------------------------------------------ rates


def _share_matches(estimate, k: int, n: int, excluded: int) -> None:
    reference = proportion(k, n)  # Wilson via scipy binomtest(k, n).proportion_ci
    assert (estimate.value, estimate.n, estimate.excluded) == (100 * k / n, n, excluded)
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx(
        (reference.ci_low, reference.ci_high)
    )
    assert estimate.method == WILSON_METHOD


def test_fcr_rate_by_hand() -> None:
    frame = tickets(
        {"first_contact_resolved": True},
        {"first_contact_resolved": True},
        {"first_contact_resolved": False},
        {"first_contact_resolved": None},  # unknown: excluded
        {"first_contact_resolved": False, "abandoned": True},  # never handled: outside
    )
    _share_matches(fcr_rate(frame), k=2, n=3, excluded=1)


def test_reopen_rate_counts_resolved_tickets_only() -> None:
    resolved = "2024-03-04 11:00"
    frame = tickets(
        {"resolved_at": resolved, "reopens": 0},
        {"resolved_at": resolved, "reopens": 1},
        {"resolved_at": resolved, "reopens": 2},
        {"resolved_at": resolved, "reopens": None},  # unknown: excluded
        {"resolved_at": None, "reopens": 1},  # not resolved: outside
    )
    _share_matches(reopen_rate(frame), k=2, n=3, excluded=1)


def test_transfer_rate_and_mean_transfers_by_hand() -> None:
    frame = tickets(
        {"transfers": 0},
        {"transfers": 1},
        {"transfers": 3},
        {"transfers": None},  # unknown: excluded
        {"transfers": 0, "abandoned": True},  # never handled: outside
    )
    _share_matches(transfer_rate(frame), k=2, n=3, excluded=1)
    mean = mean_transfers(frame)
    # x̄ = 4/3; s² = ((4/3)² + (1/3)² + (5/3)²) / 2 = 7/3; half = t(0.975; 2) · √(7/9).
    half = 4.302652729749462 * math.sqrt(7 / 9)  # scipy.stats.t.ppf(0.975, 2)
    assert mean.value == pytest.approx(4 / 3) and (mean.n, mean.excluded) == (3, 1)
    assert (mean.ci_low, mean.ci_high) == pytest.approx((4 / 3 - half, 4 / 3 + half))


def test_abandon_rate_over_chosen_channels() -> None:
    frame = tickets(
        {"abandoned": True},
        {"abandoned": False},
        {"abandoned": None},  # unknown: excluded
        {"channel": "chat", "abandoned": False},
        {"channel": "email", "abandoned": False},
    )
    _share_matches(abandon_rate(frame), k=1, n=4, excluded=1)
    _share_matches(abandon_rate(frame, channels=("Phone", "chat")), k=1, n=3, excluded=1)


def test_immediate_response_rate_by_hand() -> None:
    frame = tickets(
        {"first_response_at": "2024-03-04 10:00:30"},  # 30 s
        {"first_response_at": "2024-03-04 10:01:00"},  # 60 s: within the default 60 s
        {"first_response_at": "2024-03-04 10:01:01"},  # 61 s
        {"abandoned": True, "first_response_at": "2024-03-04 10:00:05"},  # abandoned: not
        {},  # unanswered, 2 h old: not immediate
        {"created_at": "2024-03-04 11:59:40"},  # unanswered, 20 s old: not yet due
        {"channel": "email", "first_response_at": "2024-03-04 12:00:00"},  # 2 h
    )
    # 60 s: within 30 s, 60 s → 2; not: 61 s, abandoned, 2 h-old, e-mail → 4; excluded 1.
    _share_matches(immediate_response_rate(frame, as_of=AS_OF), k=2, n=6, excluded=1)
    # 10 s: nothing within; the 20 s-old unanswered one is now late too → 0 of 7.
    _share_matches(
        immediate_response_rate(frame, within_seconds=10, as_of=AS_OF), k=0, n=7, excluded=0
    )
    with pytest.raises(ValueError, match="within_seconds"):
        immediate_response_rate(frame, within_seconds=0)


def test_rates_of_nothing_are_nan() -> None:
    frame = tickets({"first_contact_resolved": None})
    with pytest.warns(EmptyDataWarning):
        result = fcr_rate(frame)
    assert result.n == 0 and result.excluded == 1 and math.isnan(result.value)


# ---------------------------------------------------------------------------------- backlog


def backlog_table() -> pd.DataFrame:
    """Weeks (Mon–Sun): W1 = 4–10 March, W2 = 11–17, W3 = 18–24."""
    return tickets(
        {"created_at": "2024-03-04 09:00", "resolved_at": "2024-03-05 09:00"},  # W1 → W1
        {"created_at": "2024-03-06 09:00", "resolved_at": "2024-03-12 09:00"},  # W1 → W2
        {"created_at": "2024-03-10 23:59"},  # W1, never resolved
        {"created_at": "2024-03-12 09:00", "resolved_at": "2024-03-19 10:00"},  # W2 → W3
        {"created_at": "2024-03-13 09:00", "resolved_at": "2024-03-08 09:00"},  # bad clock
        {"created_at": None},  # undated: left out
    )


def test_backlog_weekly_by_hand() -> None:
    table = backlog(backlog_table(), "W")
    assert list(table.columns) == list(BACKLOG_COLUMNS)
    assert table["period"].tolist() == list(
        pd.to_datetime(["2024-03-04", "2024-03-11", "2024-03-18"])
    )
    # W1: received 3; resolved 2 (1st, and the 5th's resolution stamped the 8th); open at
    #     Sunday's end: 2nd and 3rd (the 5th does not exist yet: it is not subtracted).
    # W2: received 2 (4th, bad-clock 5th), resolved 1 (2nd), open: 3rd and 4th (the 5th is
    #     created and "resolved" by the end of W2).
    # W3: received 0, resolved 1 (4th), open: 3rd.
    assert table["received"].tolist() == [3, 2, 0]
    assert table["resolved"].tolist() == [2, 1, 1]
    assert table["net"].tolist() == [1, 1, -1]
    assert table["open_at_end"].tolist() == [2, 2, 1]
    # as_of = latest stamp, 19 March 10:00: W3 (ends 25 March) is not complete.
    assert table["complete"].tolist() == [True, True, False]
    assert table.attrs["undated"] == 1


def test_backlog_monthly() -> None:
    table = backlog(backlog_table(), "MS", as_of="2024-04-01")
    assert table[["received", "resolved", "open_at_end"]].values.tolist() == [[5, 4, 1]]
    assert table["complete"].tolist() == [True]
    with pytest.raises(ValueError, match="freq"):
        backlog(backlog_table(), "D")


# --------------------------------------------------------------------------------- QA scores


def test_qa_scores_by_hand() -> None:
    reviews = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T1", "T2", "T3", "T1", "T4"],
            "criterion": ["greeting"] * 3 + ["problem solving"] * 3 + ["tone", None],
            "score": [4, 5, 3, None, 2, 4, 5, 3],
        }
    )
    table = qa_scores(reviews).set_index("group")
    assert list(table.reset_index().columns) == list(GROUP_COLUMNS)
    assert table.index.tolist() == ["greeting", "problem solving", "tone"]
    # greeting 4, 5, 3: x̄ = 4, s = 1 → 4 ± t(0.975; 2) / √3 (scipy.stats.t.ppf(0.975, 2)).
    half = 4.302652729749462 / math.sqrt(3)
    greeting = table.loc["greeting"]
    assert greeting["value"] == 4.0 and greeting["n"] == 3
    assert (greeting["ci_low"], greeting["ci_high"]) == pytest.approx((4 - half, 4 + half))
    # problem solving 2, 4 (one missing): x̄ = 3, s = √2 → 3 ± t(0.975; 1) · √2 / √2.
    solving = table.loc["problem solving"]
    assert (solving["value"], solving["n"], solving["excluded"]) == (3.0, 2, 1)
    assert solving["ci_high"] == pytest.approx(3 + 12.706204736174698)  # t.ppf(0.975, 1)
    tone = table.loc["tone"]
    assert tone["value"] == 5.0 and tone["n"] == 1 and math.isnan(tone["ci_low"])
    assert table["too_small"].all() and qa_scores(reviews).attrs["ungrouped"] == 1


# ------------------------------------------------------------------------- team table


def team_tickets() -> pd.DataFrame:
    """Team A: 3 contacts, team B: 2, one without a team; all created Mon 10:00."""
    return tickets(
        {"team": "A", "first_response_at": "2024-03-04 10:00:10", "first_contact_resolved": True},
        {"team": "A", "first_response_at": "2024-03-04 10:00:50", "first_contact_resolved": False},
        {
            "team": "A",
            "channel": "email",
            "first_response_at": "2024-03-04 11:00",
            "first_contact_resolved": True,
        },
        {
            "team": "B",
            "channel": "chat",
            "first_response_at": "2024-03-04 10:00:20",
            "first_contact_resolved": True,
        },
        {"team": "B", "channel": "chat", "abandoned": True, "first_contact_resolved": False},
        {"team": None, "first_response_at": "2024-03-04 10:00:05"},
    )


SURVEYS = pd.DataFrame(
    {
        "response_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
        "ticket_id": ["T0", "T1", "T3", "T0", "T99", "T2"],
        "survey_type": ["csat", "csat", "csat", "nps", "csat", "csat"],
        "score": [5, 3, 4, 9, 1, 7],  # R4 is NPS, R5 an unknown ticket, R6 out of range
    }
)


def test_team_table_by_hand() -> None:
    table = team_table(team_tickets(), SURVEYS, min_n=3, as_of=AS_OF)
    assert list(table.columns) == list(TEAM_COLUMNS)
    assert table["group"].tolist() == ["A", "B"]  # by volume
    a, b = table.iloc[0], table.iloc[1]
    assert (a["volume"], bool(a["too_small"]), b["volume"], bool(b["too_small"])) == (
        3,
        False,
        2,
        True,
    )
    # FCR: A 2 of 3; B 1 of 1 (the abandoned chat was never handled).
    assert (a["fcr"], a["fcr_n"], b["fcr"], b["fcr_n"]) == pytest.approx((200 / 3, 3, 100, 1))
    # Median first response: A 10 s, 50 s, 3600 s → 50; B 20 s (the abandoned one has none).
    assert (a["response_median"], a["response_n"], b["response_median"]) == (50.0, 3, 20.0)
    # First tier: A — 10 s within 30 s, 50 s late, e-mail 1 h within 2 h → 2 of 3, target
    # (2 · 80 + 1 · 50) / 3 = 70; B — 20 s within, abandoned late → 1 of 2, target 80.
    assert (a["sla"], a["sla_n"], a["sla_target"]) == pytest.approx((200 / 3, 3, 70))
    assert (b["sla"], b["sla_n"], b["sla_target"]) == pytest.approx((50, 2, 80))
    # CSI: A answers 5 and 3 → 4 ± t(0.975; 1) · √2 / √2; B one answer 4, no interval.
    assert (a["csi"], a["csi_n"], b["csi"], b["csi_n"]) == (4.0, 2, 4.0, 1)
    assert a["csi_ci_high"] == pytest.approx(4 + 12.706204736174698)
    assert math.isnan(b["csi_ci_low"])
    assert table.attrs["ungrouped"] == 1 and table.attrs["csi"]


def test_team_table_without_surveys_and_bad_dimension() -> None:
    table = team_table(team_tickets(), by="agent", as_of=AS_OF)
    assert table["csi"].isna().all() and (table["csi_n"] == 0).all()
    assert table.attrs["csi"] is False and table["group"].tolist() == ["Ann"]
    with pytest.raises(ValueError, match="by must be one of"):
        team_table(team_tickets(), by="customer_id")


def test_breakdown_applies_the_metric_to_each_group() -> None:
    frame = team_tickets()
    table = breakdown(frame, "fcr", "team")
    assert list(table.columns) == list(GROUP_COLUMNS)
    for group, subset in frame.groupby("team"):
        expected = fcr_rate(subset)
        got = row(table, group=group)
        assert (got["value"], got["ci_low"], got["n"]) == pytest.approx(
            (expected.value, expected.ci_low, expected.n)
        )
    assert table["value"].tolist() == pytest.approx([200 / 3, 100])
    assert table.attrs["ungrouped"] == 1
    times = breakdown(frame, "response_time_median", "channel")
    assert row(times, group="phone")["value"] == 10.0  # 10 s, 50 s, 5 s → 10
    with pytest.raises(ValueError, match="unknown metric"):
        breakdown(frame, "nps", "team")
    with pytest.raises(ValueError, match="unknown option"):
        breakdown(frame, "fcr", "team", threshold=5)


def test_functions_leave_their_input_unchanged() -> None:
    frame = voice_table()
    before = frame.copy(deep=True)
    sla_compliance(frame, by="team", as_of=AS_OF, calendar=MON_FRI_9_18)
    team_table(frame, SURVEYS, as_of=AS_OF)
    backlog(frame)
    immediate_response_rate(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_backlog_leaves_out_contacts_that_ended_without_a_resolution():
    """t1 resolved in week 1; t2 still open; t3 an abandoned call and t4 closed unsolved, both
    without a resolution time: neither is open, so the week ends with one open ticket (t2)."""
    tickets = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2024-01-01 09:00"] * 4),
            "resolved_at": pd.to_datetime(["2024-01-02 10:00", None, None, None]),
            "abandoned": pd.array([False, False, True, False], dtype="boolean"),
            "status": ["resolved", "open", "abandoned", "Closed"],
        }
    )
    table = backlog(tickets, "W")
    assert table[["received", "resolved", "open_at_end"]].iloc[0].tolist() == [2, 1, 1]
    assert table.attrs["ended_unresolved"] == 2


# ------------------------------------------------------------------ first-tier compliance


def _first_tier_tickets() -> pd.DataFrame:
    """Four phone contacts answered in 10 s, 40 s, 20 s and one abandoned; an e-mail answered
    in 3 h; a phone unanswered 10 s before the cut-off; a social contact (no standard)."""
    start = pd.Timestamp("2026-03-02 09:00:00")
    created = [start] * 6 + [pd.Timestamp("2026-03-02 12:59:50"), start]
    answered = [10, 40, 20, None, None, 3 * 3600, None, 5]
    return pd.DataFrame(
        {
            "created_at": created,
            "channel": ["phone", "Phone ", "phone", "phone", "chat", "email", "phone", "social"],
            "first_response_at": [
                c + pd.Timedelta(seconds=a) if a is not None else pd.NaT
                for c, a in zip(created, answered, strict=True)
            ],
            "resolved_at": [pd.NaT] * 4 + [start + pd.Timedelta(minutes=5)] + [pd.NaT] * 3,
            "abandoned": pd.array([False, False, False, True] + [False] * 4, dtype="boolean"),
        }
    )


def test_first_tier_compliance_hand_computed():
    """Phone 10 s, 20 s within 30 s; 40 s late; abandoned late; chat resolved without a response
    late; e-mail 3 h late on its FIRST tier (2 h) though within 12 h; the phone created 10 s
    before as_of is not yet due (excluded); social has no standard → within 2 of 6 = 33.33 %.
    Wilson by hand (z = 1.959964, p = 1/3, n = 6): centre (1/3 + z²/12) / (1 + z²/6) = 0.398389,
    half-width z·sqrt(p(1−p)/6 + z²/144) / (1 + z²/6) = 0.301618 → [9.6771 %, 70.0007 %]."""
    tickets = _first_tier_tickets()
    estimate = first_tier_compliance(tickets, as_of="2026-03-02 13:00:00")
    assert estimate.value == pytest.approx(100 / 3)
    assert (estimate.n, estimate.excluded) == (6, 1)
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx((9.6771, 70.0007), abs=1e-3)
    assert estimate.method == WILSON_METHOD


def test_first_tier_compliance_four_phones_is_half():
    """The 4 phone contacts alone: 10 s, 40 s, 20 s, abandoned → within 2 of 4 = 50 %."""
    tickets = _first_tier_tickets().iloc[:4]
    assert first_tier_compliance(tickets).value == pytest.approx(50.0)


def test_first_tier_compliance_agrees_with_sla_outcomes_and_edge_cases():
    tickets = _first_tier_tickets()
    outcomes = sla_outcomes(tickets, as_of="2026-03-02 13:00:00")
    first = outcomes.loc[outcomes["tier"].isin(["30 s", "2 h"])]["outcome"]
    assert (first == "within").sum() == 2 and first.isin(["within", "late"]).sum() == 6
    with pytest.warns(EmptyDataWarning):
        empty = first_tier_compliance(tickets.iloc[:0])
    assert empty.n == 0 and math.isnan(empty.value)
    with pytest.raises(ValueError, match="abandoned"):
        first_tier_compliance(tickets.drop(columns="abandoned"))


def test_latest_stamp_is_the_latest_of_any_ticket_time():
    tickets = _first_tier_tickets()
    assert latest_stamp(tickets) == pd.Timestamp("2026-03-02 12:59:50")


def test_tickets_behind_a_row_are_slowest_first_with_clock_errors_marked():
    from analysis.service import tickets_behind

    tickets = pd.DataFrame(
        {
            "ticket_id": ["a", "b", "c"],
            "created_at": pd.to_datetime(["2024-01-01 10:00"] * 3),
            "first_response_at": pd.to_datetime(
                ["2024-01-01 10:05", "2024-01-01 09:59", "2024-01-01 11:00"]
            ),
        }
    )
    behind = tickets_behind(tickets, "response")
    assert behind["ticket_id"].tolist() == ["c", "a", "b"]
    assert behind["seconds"].tolist()[:2] == [3600.0, 300.0]
    assert behind["clock_error"].tolist() == [False, False, True]


def test_cohort_median_resolution_counts_open_tickets_as_censored() -> None:
    """Hand-worked Kaplan–Meier: group A resolves at 1, 2 and 4 h; two tickets are still open at
    3 and 5 h. S = 4/5 after 1 h, 0.8 × 3/4 = 0.6 after 2 h, (3 h censored), 0.6 × 1/2 = 0.3
    after 4 h, so the median is 4 h, where the resolved-only median says 2 h. A contact closed
    unresolved and a clock error are left out; group B has nothing resolved: median unknown."""
    as_of = pd.Timestamp("2026-03-01 12:00")
    hour = pd.Timedelta(hours=1)
    rows = [
        ("A", as_of - 10 * hour, as_of - 9 * hour, "resolved"),  # 1 h
        ("A", as_of - 10 * hour, as_of - 8 * hour, "resolved"),  # 2 h
        ("A", as_of - 10 * hour, as_of - 6 * hour, "resolved"),  # 4 h
        ("A", as_of - 3 * hour, pd.NaT, "open"),  # open 3 h
        ("A", as_of - 5 * hour, pd.NaT, "pending"),  # open 5 h
        ("A", as_of - 5 * hour, pd.NaT, "closed"),  # ended unresolved: excluded
        ("A", as_of - 5 * hour, as_of - 6 * hour, "resolved"),  # clock error: excluded
        ("B", as_of - 2 * hour, pd.NaT, "open"),
    ]
    tickets = pd.DataFrame(rows, columns=["department", "created_at", "resolved_at", "status"])
    table = resolution_survival(tickets, "department", as_of=as_of).set_index("group")
    a = table.loc["A"]
    assert a["median"] == 4 * 3600
    assert a["resolved_median"] == 2 * 3600
    assert (a["n"], a["resolved"], a["open"], a["excluded"]) == (5, 3, 2, 2)
    assert a["ci_low"] <= a["median"] and (math.isnan(a["ci_high"]) or a["ci_high"] >= a["median"])
    b = table.loc["B"]
    assert math.isnan(b["median"]) and (b["n"], b["resolved"], b["open"]) == (1, 0, 1)
    assert bool(a["too_small"]) and bool(b["too_small"])
