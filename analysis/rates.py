"""Shares, rates and counts with exact or score-based confidence intervals.

Convention for every share-type :class:`~analysis.results.Estimate` in :mod:`analysis`:
``value``, ``ci_low`` and ``ci_high`` are **percent, 0–100** (tiles show percent). Plain
proportions inside helpers and result fields named ``share_*`` are 0–1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from analysis.results import ChangeResult, Estimate, change_result, sample_warnings

#: Coverage of every interval unless the caller asks for another.
DEFAULT_CONFIDENCE = 0.95
#: Interval method of every share (Wilson 1927; Newcombe 1998, method 3).
WILSON_METHOD = "Wilson score interval"
#: Interval method of a count (Garwood 1936; exact Poisson via the chi-square quantiles).
GARWOOD_METHOD = "exact Poisson (Garwood) interval"
#: Method of a change between two shares (percentage points).
PROPORTION_CHANGE_METHOD = "Newcombe hybrid score interval with pooled two-proportion z-test"
#: Method of a change between two counts over equal exposure.
COUNT_CHANGE_METHOD = (
    "E-test for two Poisson means (Krishnamoorthy & Thomson 2004; scipy poisson_means_test) "
    "with Wald interval"
)

DateLike = str | date | pd.Timestamp


#: False-discovery rate held when many groups, themes or periods are tested at once.
FDR_LEVEL = 0.05
FDR_METHOD = "Benjamini–Hochberg (scipy.stats.false_discovery_control, method='bh')"


def benjamini_hochberg(p_values: Iterable[float]) -> np.ndarray:
    """Benjamini–Hochberg q-values; NaN p-values are outside the family and stay NaN.

    ``q₍ᵢ₎ = min over j ≥ i of min(1, p₍ⱼ₎ · m / j)`` over the m non-missing p-values sorted
    ascending (Benjamini & Hochberg 1995), computed by
    ``scipy.stats.false_discovery_control(p, method="bh")``. Example: p = [0.01, 0.04, 0.03,
    0.20] gives q = [0.04, 0.0533, 0.0533, 0.20]. ValueError for p outside [0, 1].
    """
    p = np.asarray(list(p_values), dtype=float)
    family = ~np.isnan(p)
    if ((p[family] < 0) | (p[family] > 1)).any():
        raise ValueError("p-values must lie between 0 and 1")
    q = np.full(p.shape, math.nan)
    if family.any():
        q[family] = stats.false_discovery_control(p[family], method="bh")
    return q


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` if it is strictly between 0 and 1, else raise ValueError."""
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float | np.floating)
        or not 0 < confidence < 1
    ):
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return float(confidence)


def z_value(confidence: float) -> float:
    """Two-sided standard-normal quantile ``z = Φ⁻¹((1 + confidence) / 2)`` (1.96 for 95 %)."""
    return float(stats.norm.ppf((1 + check_confidence(confidence)) / 2))


def wilson_interval(successes: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval for ``successes`` of ``n`` as proportions 0–1.

    Uses ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``. NaN bounds when n = 0.
    Reference: Wilson (1927), JASA 22; Newcombe (1998), Stat Med 17:857–872, method 3.
    """
    if n == 0:
        return math.nan, math.nan
    ci = stats.binomtest(successes, n).proportion_ci(
        confidence_level=check_confidence(confidence), method="wilson"
    )
    return float(ci.low), float(ci.high)


def wilson_percent_columns(
    k: np.ndarray, n: np.ndarray, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share and :func:`wilson_interval` bounds, in percent, for each ``(k, n)``; NaN where n = 0.

    One row of a table per (k, n): the per-period or per-group shares of the pages' tables.
    """
    k = np.asarray(k)
    n = np.asarray(n)
    bounds = np.array(
        [wilson_interval(int(a), int(b), confidence) for a, b in zip(k, n, strict=True)],
        dtype="float64",
    ).reshape(-1, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, 100 * k / np.maximum(n, 1), math.nan)
    return share, 100 * bounds[:, 0], 100 * bounds[:, 1]


def share_difference(
    k: tuple[int, int], n: tuple[int, int], confidence: float
) -> tuple[float, tuple[float, float], float]:
    """Difference of two shares ``p_a − p_b`` (0–1), Newcombe interval, pooled z p-value.

    Newcombe (1998), Stat Med 17:873–890, method 10: with Wilson limits ``(l, u)`` per sample,
    ``[Δ − sqrt((p_a − l_a)² + (u_b − p_b)²), Δ + sqrt((u_a − p_a)² + (p_b − l_b)²)]``.
    p-value of the pooled two-proportion z-test, ``z = Δ / sqrt(p̄(1 − p̄)(1/n_a + 1/n_b))``
    (1.0 when every answer on both sides is in, or out of, the band).
    """
    (k_before, k_after), (n_before, n_after) = k, n
    p_before, p_after = k_before / n_before, k_after / n_after
    low_before, high_before = wilson_interval(k_before, n_before, confidence)
    low_after, high_after = wilson_interval(k_after, n_after, confidence)
    delta = p_after - p_before
    interval = (
        delta - math.hypot(p_after - low_after, high_before - p_before),
        delta + math.hypot(high_after - p_after, p_before - low_before),
    )
    pooled = (k_before + k_after) / (n_before + n_after)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n_before + 1 / n_after))
    p_value = 2 * stats.norm.sf(abs(delta) / se_pooled) if se_pooled else 1.0
    return delta, interval, p_value


def as_series(values: Iterable[object], name: str) -> pd.Series:
    """``values`` as a Series with a 0..n−1 index; ValueError unless it is one-dimensional."""
    if isinstance(values, str | bytes) or np.ndim(values) != 1:
        raise ValueError(f"{name} must be a one-dimensional sequence of values")
    return pd.Series(values).reset_index(drop=True)


def _share_estimate(
    successes: int, n: int, confidence: float, excluded: int, what: str
) -> Estimate:
    """Percent estimate ``100·k/n`` with its Wilson interval and the standard warnings."""
    low, high = wilson_interval(successes, n, confidence)
    return Estimate(
        value=100 * successes / n if n else math.nan,
        ci_low=100 * low,
        ci_high=100 * high,
        n=n,
        confidence=confidence,
        method=WILSON_METHOD,
        excluded=excluded,
        warnings=sample_warnings(n, excluded, what),
    )


def _check_count(name: str, value: object) -> int:
    """``value`` as a non-negative int; ValueError for bools, floats, negatives."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def proportion(successes: int, n: int, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Share of successes in percent with the Wilson score interval.

    ``value = 100 · successes / n``; interval from
    ``scipy.stats.binomtest(successes, n).proportion_ci(method="wilson")`` (Wilson 1927).

    Parameters
    ----------
    successes, n : int
        Whole numbers with ``0 <= successes <= n`` (else ValueError).
    confidence : float
        Interval coverage, strictly between 0 and 1.

    Returns
    -------
    Estimate
        Percent 0–100; NaN value with ``n == 0`` when ``n`` is 0.
    """
    k, total = _check_count("successes", successes), _check_count("n", n)
    if k > total:
        raise ValueError(f"successes ({k}) cannot exceed n ({total})")
    return _share_estimate(k, total, check_confidence(confidence), 0, "observations")


def _flags(flags: Iterable[object]) -> tuple[pd.Series, int]:
    """Known flags as booleans, and the count of missing ones (None, NaN, NA).

    0 and 1 are accepted; any other non-boolean value raises ValueError naming it and its
    position, since a flag column holding text is a schema error, not a missing answer.
    """
    values = as_series(flags, "flags")
    missing = values.isna()
    bad = (~missing & ~values.isin([True, False])).to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"flags must be True/False (or missing); got {values.iloc[position]!r} "
            f"at position {position}"
        )
    return values[~missing].astype(bool), int(missing.sum())


def rate_of(flags: Iterable[object], *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Share of true flags in percent with the Wilson score interval.

    ``value = 100 · #true / #(true or false)``; ``n`` = known flags. Missing flags are excluded
    and counted in ``excluded``; other non-boolean values raise ValueError (see :func:`_flags`).
    """
    known, missing = _flags(flags)
    return _share_estimate(
        int(known.sum()), len(known), check_confidence(confidence), missing, "flags"
    )


def as_days(values: Iterable[object]) -> tuple[pd.Series, pd.Series]:
    """Parse date-likes to midnight timestamps (time zones dropped, wall time kept).

    Text must be ISO 8601 ("2024-01-31", "2024-01-31 18:30"), each entry parsed on its own;
    anything else counts as unparseable rather than being guessed (31/01 vs 01/31).
    Returns the parsed dates and a mask of entries that were present but unparseable.
    """
    raw = as_series(values, "dates")
    parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.dt.normalize(), raw.notna() & parsed.isna()


def as_day(name: str, value: DateLike) -> pd.Timestamp:
    """One date argument as a midnight Timestamp; ValueError if it is not a date."""
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a date, got {value!r}") from error
    if pd.isna(day):
        raise ValueError(f"{name} must be a date, got {value!r}")
    return day.tz_localize(None).normalize() if day.tzinfo else day.normalize()


def churn_rate(
    signup_dates: Iterable[object],
    churn_dates: Iterable[object],
    start: DateLike,
    end: DateLike,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Estimate:
    """Churn over ``[start, end]`` (dates inclusive) in percent, with the Wilson interval.

    DESIGN.md: churn = lost / at start. Customers *at start* signed up strictly before
    ``start`` and had not churned before ``start`` (no churn date, or churn date >= start).
    *Lost* are those of them whose churn date falls within ``[start, end]``. Dates are compared
    as calendar days. ``n`` is the number of customers at start.

    Customers with a missing or unparseable signup date, an unparseable churn date, or a churn
    date before the signup date are excluded and counted in ``excluded``. The two sequences
    must have equal length and ``start <= end`` (else ValueError).
    """
    first, last = as_day("start", start), as_day("end", end)
    if first > last:
        raise ValueError(f"start ({first.date()}) is after end ({last.date()})")
    signup, bad_signup = as_days(signup_dates)
    churn, bad_churn = as_days(churn_dates)
    if len(signup) != len(churn):
        raise ValueError(
            f"signup_dates ({len(signup)}) and churn_dates ({len(churn)}) differ in length"
        )
    lost, at_start, invalid = _churn_counts(signup, bad_signup, churn, bad_churn, first, last)
    return _share_estimate(lost, at_start, check_confidence(confidence), invalid, "customers")


def _churn_counts(
    signup: pd.Series,
    bad_signup: pd.Series,
    churn: pd.Series,
    bad_churn: pd.Series,
    first: pd.Timestamp,
    last: pd.Timestamp,
) -> tuple[int, int, int]:
    """(lost, at start, excluded) for the period ``[first, last]`` (see :func:`churn_rate`)."""
    invalid = signup.isna() | bad_signup | bad_churn | (churn < signup)
    at_start = ~invalid & (signup < first) & (churn.isna() | (churn >= first))
    lost = at_start & (churn <= last)
    return int(lost.sum()), int(at_start.sum()), int(invalid.sum())


def churn_counts(
    signup_dates: Iterable[object],
    churn_dates: Iterable[object],
    start: DateLike,
    end: DateLike,
) -> tuple[int, int]:
    """``(lost, at start)`` over ``[start, end]``, counted as :func:`churn_rate` counts them."""
    signup, bad_signup = as_days(signup_dates)
    churn, bad_churn = as_days(churn_dates)
    first, last = as_day("start", start), as_day("end", end)
    lost, at_start, _ = _churn_counts(signup, bad_signup, churn, bad_churn, first, last)
    return lost, at_start


def churn_change(
    signup_dates: Iterable[object],
    churn_dates: Iterable[object],
    before: tuple[DateLike, DateLike],
    after: tuple[DateLike, DateLike],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ChangeResult:
    """Change in churn rate (percentage points) from period ``before`` to period ``after``.

    Each side is :func:`churn_rate` over its own customers at start; the difference is tested
    with :func:`proportion_change`. The two bases overlap (a customer can be at the start of
    both periods), so the samples are not strictly independent; with churn rates of a few
    percent the covariance is small and the test is mildly conservative.
    """
    signup, churn = list(signup_dates), list(churn_dates)
    (lost_before, n_before), (lost_after, n_after) = (
        churn_counts(signup, churn, *period) for period in (before, after)
    )
    return proportion_change(lost_before, n_before, lost_after, n_after, confidence=confidence)


def proportion_change(
    k_before: int,
    n_before: int,
    k_after: int,
    n_after: int,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ChangeResult:
    """Change of a share, ``k_after/n_after − k_before/n_before``, in percentage points.

    Interval and test as :func:`share_difference` (Newcombe 1998 method 10; pooled z-test).
    NaN change when either side has n = 0.
    """
    check_confidence(confidence)
    sizes = (_check_count("n_before", n_before), _check_count("n_after", n_after))
    if 0 in sizes:
        nan = (math.nan, math.nan)
        return change_result(
            math.nan, nan, math.nan, sizes, PROPORTION_CHANGE_METHOD, confidence, ()
        )
    k = (_check_count("k_before", k_before), _check_count("k_after", k_after))
    delta, (low, high), p_value = share_difference(k, sizes, confidence)
    return change_result(
        100 * delta,
        (100 * low, 100 * high),
        p_value,
        sizes,
        PROPORTION_CHANGE_METHOD,
        confidence,
        (),
    )


def count_change(
    k_before: int,
    k_after: int,
    *,
    days: tuple[float, float] = (1, 1),
    confidence: float = DEFAULT_CONFIDENCE,
) -> ChangeResult:
    """Change in an event count between two periods, ``k_after − r · k_before`` with
    ``r = days_after / days_before`` (``days``: the periods' lengths; equal by default).

    With equal lengths this is the plain difference of counts; a 31-day month against a 28-day
    one is compared at the same daily rate (the before count scaled to the after period's
    length), so a longer month is not a rise by itself. p-value: the E-test for the ratio of two
    Poisson rates (Krishnamoorthy & Thomson 2004,
    ``scipy.stats.poisson_means_test(k_after, days_after, k_before, days_before)``). Interval:
    Wald, ``Δ ± z · sqrt(k_after + r² · k_before)`` (the variance of a difference of independent
    Poisson counts is the sum of their variances). ``n_before``/``n_after`` are the counts.
    """
    k = (_check_count("k_before", k_before), _check_count("k_after", k_after))
    if len(days) != 2 or not all(math.isfinite(d) and d > 0 for d in days):
        raise ValueError(f"days must be two positive lengths, got {days!r}")
    ratio = days[1] / days[0]
    half = z_value(confidence) * math.sqrt(k[1] + ratio**2 * k[0])
    delta = k[1] - ratio * k[0]
    p_value = (
        float(stats.poisson_means_test(k[1], days[1], k[0], days[0]).pvalue) if sum(k) else 1.0
    )
    result = change_result(
        delta, (delta - half, delta + half), p_value, k, COUNT_CHANGE_METHOD, confidence, ()
    )
    # A count of zero is an observation, not an empty sample: 0 → 10 can be significant.
    return replace(result, significant=p_value < 1 - confidence)


def _count_estimate(count: int, observed: int, excluded: int, confidence: float) -> Estimate:
    """Garwood interval ``[χ²(α/2; 2k) / 2, χ²(1 − α/2; 2k + 2) / 2]`` around the count k.

    ``observed`` is the number of units the events were counted among (``n``).
    """
    alpha = 1 - check_confidence(confidence)
    low = float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2 if count else 0.0
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return Estimate(
        value=float(count),
        ci_low=low,
        ci_high=high,
        n=observed,
        confidence=confidence,
        method=GARWOOD_METHOD,
        excluded=excluded,
        warnings=sample_warnings(count, excluded, "events") if count else (),
    )


def count_estimate(k: int, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """A count of events (e.g. complaints) with its exact Poisson interval.

    Garwood (1936): ``low = χ²(α/2; 2k) / 2`` (0 when k = 0), ``high = χ²(1 − α/2; 2k + 2) / 2``
    with ``α = 1 − confidence``, via ``scipy.stats.chi2.ppf``. ``value = n = k``. A count of zero
    is an observed value (0, interval up to ≈ 3.69 at 95 %), not missing data: its value is 0,
    not NaN, and it carries no warning, although ``Estimate.is_empty`` is True because n = 0.
    ValueError unless ``k`` is a whole number >= 0.
    """
    count = _check_count("k", k)
    return _count_estimate(count, count, 0, confidence)


def count_of(flags: Iterable[object], *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Number of true flags (e.g. ``tickets.is_complaint``) with its Garwood interval.

    As :func:`count_estimate` on ``k = #true``, except that ``n`` is the number of known flags
    (the contacts the complaints were counted among); missing flags are excluded and counted in
    ``excluded``, other non-boolean values raise ValueError.
    """
    known, missing = _flags(flags)
    return _count_estimate(int(known.sum()), len(known), missing, confidence)
