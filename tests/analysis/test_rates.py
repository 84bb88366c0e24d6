"""Shares, churn and counts against textbook values and hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.optimize import brentq

from analysis.rates import (
    GARWOOD_METHOD,
    WILSON_METHOD,
    churn_rate,
    count_change,
    count_estimate,
    count_of,
    proportion,
    rate_of,
)
from analysis.results import EmptyDataWarning

pytestmark = pytest.mark.filterwarnings("ignore::analysis.results.SmallSampleWarning")

Z95 = 1.959963984540054  # Φ⁻¹(0.975)


# ---------------------------------------------------------------------------------- proportion


def test_wilson_matches_newcombe_1998_example() -> None:
    """Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison
    of seven methods", Stat Med 17:857–872, Table I: 81/263, Wilson score → 0.2553 to 0.3662."""
    result = proportion(81, 263)
    assert result.value == pytest.approx(100 * 81 / 263)
    assert result.ci_low == pytest.approx(25.53, abs=0.005)
    assert result.ci_high == pytest.approx(36.62, abs=0.005)
    assert (result.n, result.method) == (263, WILSON_METHOD)


def test_wilson_zero_successes_closed_form() -> None:
    """k = 0: the Wilson upper limit simplifies to z²/(n + z²); the lower limit is 0."""
    result = proportion(0, 10)
    assert result.value == 0.0 and result.ci_low == pytest.approx(0.0, abs=1e-12)
    assert result.ci_high == pytest.approx(100 * Z95**2 / (10 + Z95**2))


def test_proportion_of_nothing_is_nan() -> None:
    with pytest.warns(EmptyDataWarning):
        result = proportion(0, 0)
    assert math.isnan(result.value) and math.isnan(result.ci_high) and result.n == 0


@pytest.mark.parametrize(
    ("successes", "n"), [(5, 4), (-1, 4), (2.0, 4), (True, 4), (1, "4"), (1, None)], ids=repr
)
def test_proportion_bad_arguments(successes: object, n: object) -> None:
    with pytest.raises(ValueError):
        proportion(successes, n)


def test_proportion_accepts_numpy_integers() -> None:
    assert proportion(np.int64(1), np.int32(2)).value == 50.0


# ------------------------------------------------------------------------------------ rate_of


def test_rate_of_excludes_and_counts_missing() -> None:
    """[True, False, None, True, NaN]: 2 true of 3 known, 2 missing."""
    result = rate_of([True, False, None, True, np.nan])
    assert result.value == pytest.approx(200 / 3)
    assert (result.n, result.excluded) == (3, 2)


def test_rate_of_nullable_boolean_and_zero_one() -> None:
    assert rate_of(pd.array([True, pd.NA, False, False], dtype="boolean")).n == 3
    assert rate_of([1, 0, 0, 0]).value == 25.0


def test_rate_of_rejects_text() -> None:
    with pytest.raises(ValueError, match=r"'maybe' at position 1"):
        rate_of([True, "maybe"])


# -------------------------------------------------------------------------------------- churn


def test_churn_on_a_hand_built_customer_table() -> None:
    """Period 2024-01-01 .. 2024-01-31 (both days included).

    A signed up 2023, active                → at start, kept
    B churned on the end date 2024-01-31    → at start, lost
    C churned 2023-12-31, before the start  → not at start
    D signed up 2024-01-15, after the start → not at start
    E churned on the start date 2024-01-01  → at start, lost
    F churned 2024-02-01, after the end     → at start, kept
    G no signup date                        → excluded
    H signed up on the start date           → not at start (signed up *before* start only)
    At start A, B, E, F = 4; lost B, E = 2 → 50 %.
    """
    signup = [
        "2023-01-10",
        "2023-06-01",
        "2023-03-01",
        "2024-01-15",
        "2023-02-01",
        "2023-02-01",
        None,
        "2024-01-01",
    ]
    churn = [
        None,
        "2024-01-31 18:30",
        "2023-12-31",
        "2024-01-20",
        "2024-01-01",
        "2024-02-01",
        None,
        None,
    ]
    result = churn_rate(signup, churn, "2024-01-01", "2024-01-31")
    assert result.value == 50.0
    assert (result.n, result.excluded) == (4, 1)
    low, high = _wilson(2, 4)
    assert (result.ci_low, result.ci_high) == pytest.approx((100 * low, 100 * high))


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927) closed form, written out."""
    p, z2 = k / n, Z95**2
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (p + z2 / (2 * n) - half) / (1 + z2 / n), (p + z2 / (2 * n) + half) / (1 + z2 / n)


def test_churn_excludes_inconsistent_dates() -> None:
    """Churn before signup and an unparseable churn date are excluded, not guessed."""
    result = churn_rate(
        ["2023-05-01", "2023-05-01", "2023-05-01"],
        ["2023-04-01", "not a date", None],
        "2024-01-01",
        "2024-01-31",
    )
    assert (result.n, result.excluded, result.value) == (1, 2, 0.0)


def test_churn_accepts_datetimes_and_timezones() -> None:
    signup = pd.to_datetime(["2023-01-01", "2023-01-01"]).tz_localize("Europe/Moscow")
    churn = pd.Series([pd.Timestamp("2024-03-31 23:00", tz="Europe/Moscow"), pd.NaT])
    assert churn_rate(signup, churn, "2024-03-01", "2024-03-31").value == 50.0


def test_churn_with_nobody_at_start_is_nan() -> None:
    with pytest.warns(EmptyDataWarning):
        result = churn_rate(["2024-06-01"], [None], "2024-01-01", "2024-01-31")
    assert math.isnan(result.value) and result.n == 0


@pytest.mark.parametrize(
    ("signup", "churn", "start", "end"),
    [
        (["2023-01-01"], [None], "2024-02-01", "2024-01-01"),
        (["2023-01-01"], [None, None], "2024-01-01", "2024-01-31"),
        (["2023-01-01"], [None], "soon", "2024-01-31"),
        (["2023-01-01"], [None], None, "2024-01-31"),
    ],
)
def test_churn_bad_arguments(signup: list, churn: list, start: object, end: object) -> None:
    with pytest.raises(ValueError):
        churn_rate(signup, churn, start, end)


# ------------------------------------------------------------------------------------- counts


def test_garwood_zero_count_closed_form() -> None:
    """k = 0: the upper limit solves e^(−λ) = α/2, so λ = −ln(0.025) ≈ 3.689."""
    result = count_estimate(0)
    assert (result.value, result.ci_low, result.n, result.warnings) == (0.0, 0.0, 0, ())
    assert result.ci_high == pytest.approx(-math.log(0.025))
    assert result.method == GARWOOD_METHOD


@pytest.mark.parametrize("k", [1, 5, 10, 37])
def test_garwood_limits_solve_their_defining_tail_equations(k: int) -> None:
    """Garwood (1936): P(X >= k | λ_low) = α/2 and P(X <= k | λ_high) = α/2, with the Poisson
    tails summed term by term here (no chi-square), roots found by bisection."""

    def cdf(x: int, lam: float) -> float:
        return sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(x + 1))

    low = brentq(lambda lam: 1 - cdf(k - 1, lam) - 0.025, 1e-9, 10 * k + 10)
    high = brentq(lambda lam: cdf(k, lam) - 0.025, 1e-9, 10 * k + 10)
    result = count_estimate(k)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-8)


def test_garwood_published_values() -> None:
    """Exact 95 % Poisson limits for 10 events: 4.795 to 18.390 (standard exact Poisson
    tables, e.g. Haenszel, Loveland & Sirken 1962; Sahai & Khurshid 1993)."""
    result = count_estimate(10)
    assert result.ci_low == pytest.approx(4.795, abs=5e-4)
    assert result.ci_high == pytest.approx(18.390, abs=5e-4)


@pytest.mark.parametrize("k", [-1, 2.5, True, "3", None], ids=repr)
def test_count_bad_arguments(k: object) -> None:
    with pytest.raises(ValueError):
        count_estimate(k)


def test_count_of_flags() -> None:
    result = count_of([True, False, None, True, True])
    assert (result.value, result.n, result.excluded) == (3.0, 4, 1)  # n: known flags
    with pytest.raises(ValueError):
        count_of(["yes"])


def test_counts_of_periods_of_different_length_compare_at_the_same_daily_rate():
    """1,000 complaints in February (28 days) and 1,107 in March (31 days) are the same daily
    rate (≈ 35.7/day): change 1,107 − 1,000 · 31/28 = −0.14, p from
    scipy.stats.poisson_means_test(1107, 31, 1000, 28) (≈ 1: no change), where equal lengths
    would call the +107 significant (p ≈ 0.02)."""
    same_rate = count_change(1000, 1107, days=(28, 31))
    assert same_rate.change == pytest.approx(1107 - 1000 * 31 / 28)
    assert same_rate.p_value == pytest.approx(stats.poisson_means_test(1107, 31, 1000, 28).pvalue)
    assert same_rate.p_value > 0.9 and not same_rate.significant
    half = 1.959964 * math.sqrt(1107 + (31 / 28) ** 2 * 1000)
    assert same_rate.ci_low == pytest.approx(same_rate.change - half, rel=1e-6)
    assert count_change(1000, 1107).significant
    with pytest.raises(ValueError, match="days"):
        count_change(1, 2, days=(0, 31))
