"""Calendar periods: the previous range and metrics per week / month / quarter."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.loyalty import csat, nps
from analysis.periods import PERIOD_COLUMNS, by_period, previous_period
from analysis.rates import rate_of
from analysis.results import Estimate

pytestmark = pytest.mark.filterwarnings(
    "ignore::analysis.results.SmallSampleWarning", "ignore::analysis.results.EmptyDataWarning"
)

T = pd.Timestamp


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # March 2024 has 31 days → the 31 days ending 29 Feb (leap year): 30 Jan .. 29 Feb.
        ("2024-03-01", "2024-03-31", (T("2024-01-30"), T("2024-02-29"))),
        # One day → the day before.
        ("2024-01-01", "2024-01-01", (T("2023-12-31"), T("2023-12-31"))),
        # A Monday–Sunday week → the week before.
        ("2024-06-10", "2024-06-16", (T("2024-06-03"), T("2024-06-09"))),
    ],
)
def test_previous_period(start: str, end: str, expected: tuple[T, T]) -> None:
    assert previous_period(start, end) == expected


def test_previous_period_ignores_time_of_day() -> None:
    assert previous_period(T("2024-03-01 15:00"), T("2024-03-31 09:00")) == (
        T("2024-01-30"),
        T("2024-02-29"),
    )


@pytest.mark.parametrize(("start", "end"), [("2024-02-01", "2024-01-01"), ("x", "2024-01-01")])
def test_previous_period_bad_arguments(start: str, end: str) -> None:
    with pytest.raises(ValueError):
        previous_period(start, end)


def test_by_month_includes_the_empty_month_between() -> None:
    """January: 10, 0 → 1 promoter, 1 detractor → NPS 0; February: nothing;
    March: 9, 9, 5 → 2 promoters, 1 detractor → NPS 100·1/3."""
    scores = [10, 0, 9, 9, 5]
    when = ["2024-01-05", "2024-01-31 23:59", "2024-03-01", "2024-03-15", "2024-03-31"]
    table = by_period(scores, when, nps)
    assert list(table.columns) == list(PERIOD_COLUMNS)
    assert list(table["period"]) == [T("2024-01-01"), T("2024-02-01"), T("2024-03-01")]
    assert list(table["n"]) == [2, 0, 3]
    assert table["value"][0] == 0.0
    assert math.isnan(table["value"][1]) and math.isnan(table["ci_low"][1])
    assert table["value"][2] == pytest.approx(100 / 3)
    assert table["ci_low"][2] < table["value"][2] < table["ci_high"][2]


def test_by_week_starts_on_monday() -> None:
    """Sun 7 Jan 2024 belongs to the week of Mon 1 Jan; Mon 8 Jan starts the next week."""
    table = by_period([5, 1, 3], ["2024-01-07", "2024-01-08", "2024-01-01"], _csi, freq="W")
    assert list(table["period"]) == [T("2024-01-01"), T("2024-01-08")]
    assert list(table["value"]) == [4.0, 1.0]  # mean(5, 3), mean(1)
    assert list(table["n"]) == [2, 1]


def _csi(values: pd.Series) -> Estimate:
    return csat(values).csi()


def test_by_quarter() -> None:
    """31 Mar is Q1, 1 Apr is Q2, and Q3 is empty before Q4."""
    table = by_period(
        [True, False, True, True],
        ["2024-03-31", "2024-04-01", "2024-04-30", "2024-10-01"],
        rate_of,
        freq="QS",
    )
    quarters = ["2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01"]
    assert list(table["period"]) == [T(day) for day in quarters]
    assert list(table["n"]) == [1, 2, 0, 1]
    assert table["value"][1] == 50.0


def test_values_are_matched_by_position_not_index() -> None:
    values = pd.Series([10, 0], index=[7, 3])
    when = pd.Series(["2024-01-01", "2024-02-01"], index=[3, 7])
    table = by_period(values, when, nps)
    assert list(table["value"]) == [100.0, -100.0]


def test_excluded_answers_and_undated_rows_are_reported() -> None:
    with pytest.warns(UserWarning, match="1 values without a valid timestamp"):
        table = by_period([9, "x", 10], ["2024-01-02", "2024-01-03", None], nps)
    assert table.attrs["undated"] == 1
    assert (table["n"][0], table["excluded"][0]) == (1, 1)


def test_empty_input_gives_empty_table() -> None:
    table = by_period([], [], nps)
    assert list(table.columns) == list(PERIOD_COLUMNS) and table.empty


@pytest.mark.parametrize("freq", ["D", "M", "Q", "YS", ""])
def test_unknown_frequency_raises(freq: str) -> None:
    with pytest.raises(ValueError, match="freq"):
        by_period([9], ["2024-01-01"], nps, freq=freq)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        by_period([9, 10], ["2024-01-01"], nps)
    with pytest.raises(ValueError, match="metric"):
        by_period([9], ["2024-01-01"], "nps")
    with pytest.raises(ValueError, match="not an Estimate"):
        by_period([9], ["2024-01-01"], lambda values: 42.0)
