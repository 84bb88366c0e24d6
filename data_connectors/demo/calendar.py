"""The simulated period of the demo helpdesk, in epoch seconds.

:class:`Calendar` turns "``months`` months ending at ``end``" into month boundaries and the
cut-off after which nothing is dated (the end of the last month or, for the current month, the
start of today); :class:`Month` is one month as the simulation sees it: who was a customer, and
for how much of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY = 86_400.0
HOUR = 3_600.0


def last_month(end: str | pd.Period | None) -> pd.Period:
    """The last month of a period ending at ``end`` (default: the current month).

    Raises ValueError when ``end`` is not a month or is after the current month.
    """
    current = pd.Timestamp.now().to_period("M")
    if end is None:
        return current
    last = end.asfreq("M") if isinstance(end, pd.Period) else pd.Period(end, freq="M")
    if last > current:
        raise ValueError(f"end {last} is after the current month {current}")
    return last


@dataclass(frozen=True)
class Calendar:
    """The simulated months as epoch seconds, and the moment after which nothing is dated."""

    periods: pd.PeriodIndex
    bounds: np.ndarray  # start of every month, then the end of the last
    cutoff: float  # end of the last month, or the start of today if that is earlier

    @classmethod
    def build(cls, months: int, end: str | pd.Period | None) -> Calendar:
        last = last_month(end)
        periods = pd.period_range(end=last, periods=months, freq="M")
        starts = [p.start_time for p in periods] + [(last + 1).start_time]
        bounds = np.array([_epoch(t) for t in starts])
        return cls(periods, bounds, min(bounds[-1], _epoch(pd.Timestamp.now().normalize())))


def _epoch(stamp: pd.Timestamp) -> float:
    return float(stamp.value // 10**9)


@dataclass(frozen=True)
class Month:
    """One simulated month: its active customers and how much of the month each was one."""

    index: int
    start: float
    stop: float  # end of the month, or the cut-off
    who: np.ndarray  # positions of the customers active in the month
    since: np.ndarray  # per active customer: start of the month or their sign-up
    exposure: np.ndarray  # per active customer: share of the month they were a customer
