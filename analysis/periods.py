"""Calendar periods: the period before a date range, and a metric computed per period."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable

import pandas as pd

from analysis.rates import DateLike, as_day, as_days, as_series
from analysis.results import Estimate

#: Accepted ``freq`` values and the pandas period each maps to: weeks Monday–Sunday,
#: calendar months, calendar quarters.
FREQUENCIES: dict[str, str] = {"W": "W-SUN", "MS": "M", "QS": "Q-DEC"}
#: Columns of :func:`by_period`'s table, in order.
PERIOD_COLUMNS = ("period", "value", "ci_low", "ci_high", "n", "excluded")


def period_starts(timestamps: pd.Series, freq: str) -> pd.Series:
    """First day of each row's period (NaT when undated), with the index of ``timestamps``."""
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {sorted(FREQUENCIES)}, got {freq!r}")
    days, _ = as_days(timestamps)
    starts = days.dt.to_period(FREQUENCIES[freq]).dt.start_time
    return pd.Series(starts.to_numpy(), index=timestamps.index)


def period_span(starts: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Every period start from the first to the last dated row (empty when none is dated)."""
    dated = starts.dropna()
    if dated.empty:
        return pd.DatetimeIndex([], name="period")
    code = FREQUENCIES[freq]
    span = pd.period_range(dated.min().to_period(code), dated.max().to_period(code), freq=code)
    return pd.DatetimeIndex(span.start_time, name="period")


def previous_period(start: DateLike, end: DateLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The range of equal length just before ``[start, end]`` (both dates inclusive).

    ``length = end − start + 1 day``; returns ``(start − length, start − 1 day)`` as midnight
    Timestamps. ValueError if a bound is not a date or ``start > end``.
    """
    first, last = as_day("start", start), as_day("end", end)
    if first > last:
        raise ValueError(f"start ({first.date()}) is after end ({last.date()})")
    one_day = pd.Timedelta(days=1)
    return first - (last - first + one_day), first - one_day


def by_period(
    values: Iterable[object],
    timestamps: Iterable[object],
    metric: Callable[[pd.Series], Estimate],
    freq: str = "MS",
) -> pd.DataFrame:
    """Apply ``metric`` to the values of each calendar period.

    Parameters
    ----------
    values, timestamps : array-like
        Equal-length sequences; ``values[i]`` belongs to the period holding ``timestamps[i]``
        (time zones dropped, local wall time kept).
    metric : callable
        Takes a Series of one period's values and returns an :class:`Estimate`, e.g.
        :func:`analysis.loyalty.nps` or ``lambda s: csat(s).csi()``.
    freq : {"W", "MS", "QS"}
        Weeks starting Monday, calendar months, or calendar quarters (else ValueError).

    Returns
    -------
    DataFrame
        Columns :data:`PERIOD_COLUMNS`: ``period`` (Timestamp of the period's first day),
        ``value``, ``ci_low``, ``ci_high``, ``n``, ``excluded``; one row per period from the
        first to the last dated value, periods without values included with NaN and n = 0.
        Values whose timestamp is missing or unparseable are left out; their count is in
        ``attrs["undated"]`` and a UserWarning is emitted.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {sorted(FREQUENCIES)}, got {freq!r}")
    if not callable(metric):
        raise ValueError("metric must be a function returning an Estimate")
    data = as_series(values, "values")
    days, _ = as_days(timestamps)
    if len(days) != len(data):
        raise ValueError(f"values ({len(data)}) and timestamps ({len(days)}) differ in length")
    dated = days.notna()
    periods = days[dated].dt.to_period(FREQUENCIES[freq])
    estimates: dict[pd.Period, Estimate] = {}
    for period, group in data[dated].groupby(periods, sort=True):
        estimate = metric(group)
        if not isinstance(estimate, Estimate):
            raise ValueError(f"metric returned {type(estimate).__name__}, not an Estimate")
        estimates[period] = estimate
    span = (
        pd.period_range(periods.min(), periods.max(), freq=FREQUENCIES[freq]) if estimates else []
    )
    no_data = Estimate(math.nan, math.nan, math.nan, 0)
    rows = []
    for period in span:
        e = estimates.get(period, no_data)
        rows.append((period.start_time, e.value, e.ci_low, e.ci_high, e.n, e.excluded))
    table = pd.DataFrame(rows, columns=list(PERIOD_COLUMNS)).astype({"n": int, "excluded": int})
    table.attrs["undated"] = undated = int((~dated).sum())
    if undated:
        warnings.warn(f"{undated} values without a valid timestamp left out", UserWarning, 2)
    return table
