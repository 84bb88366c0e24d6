"""Business hours: how much of an interval falls within a helpdesk's opening hours.

A :class:`BusinessCalendar` is a set of working weekdays, one opening window per working day
(e.g. 09:00–18:00) and a list of holidays. :meth:`BusinessCalendar.seconds_between` counts the
working seconds between two columns of timestamps without a Python loop: whole working days
with ``numpy.busday_count`` plus the partial first and last day.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

#: Weekday names in ``numpy`` weekmask order (Monday first).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SECONDS_PER_DAY = 86_400
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _clock_seconds(name: str, value: object) -> int:
    """``"HH:MM"``, ``"HH:MM:SS"`` or a :class:`datetime.time` as seconds after midnight.

    ``"24:00"`` is accepted as the end of the day. ValueError naming ``name`` otherwise.
    """
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{name} must be a time of day like '09:00', got {value!r}")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or total > _SECONDS_PER_DAY:
        raise ValueError(f"{name} must be a time of day from 00:00 to 24:00, got {value!r}")
    return total


def _holiday(value: object) -> np.datetime64:
    """One holiday as a day; ValueError if it is not a date."""
    if isinstance(value, datetime | pd.Timestamp):
        value = value.date()
    if isinstance(value, date):
        return np.datetime64(value, "D")
    try:
        day = pd.Timestamp(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or pd.isna(day):
        raise ValueError(f"holidays must be dates like '2024-12-25', got {value!r}")
    return np.datetime64(day.date(), "D")


@dataclass(frozen=True)
class BusinessCalendar:
    """Working weekdays, one daily opening window, and holidays.

    Parameters
    ----------
    workdays : tuple of str
        Working weekdays among :data:`WEEKDAYS` (``"Mon"`` … ``"Sun"``, any case).
    opens, closes : str or datetime.time
        Daily opening window, ``"HH:MM"`` (``closes`` may be ``"24:00"``); ``opens < closes``
        (a window across midnight is not supported).
    holidays : tuple of date-likes
        Days on which the helpdesk is closed although they are working weekdays.
    timezone : str or None
        IANA zone (``"Europe/Berlin"``) of the opening hours. Canonical timestamps are naive
        UTC when the source had a time zone (see ``data_connectors.validation``); with a
        ``timezone`` they are converted to it before counting. ``None`` takes timestamps as
        local wall time.

    Every problem raises ValueError naming the field.
    """

    workdays: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    opens: str | time = "09:00"
    closes: str | time = "18:00"
    holidays: tuple[object, ...] = ()
    timezone: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.workdays, str) or not isinstance(self.workdays, Iterable):
            raise ValueError(f"workdays must be a list of weekday names, got {self.workdays!r}")
        days = tuple(str(day).strip().title()[:3] for day in self.workdays)
        unknown = [day for day in self.workdays if str(day).strip().title()[:3] not in WEEKDAYS]
        if unknown or not days:
            raise ValueError(f"workdays must name weekdays among {WEEKDAYS}, got {self.workdays!r}")
        object.__setattr__(self, "workdays", tuple(d for d in WEEKDAYS if d in days))
        if _clock_seconds("opens", self.opens) >= _clock_seconds("closes", self.closes):
            raise ValueError(f"opens ({self.opens}) must be before closes ({self.closes})")
        if isinstance(self.holidays, str) or not isinstance(self.holidays, Iterable):
            raise ValueError(f"holidays must be a list of dates, got {self.holidays!r}")
        object.__setattr__(self, "holidays", tuple(self.holidays))
        for day in self.holidays:
            _holiday(day)
        if self.timezone is not None:
            try:
                ZoneInfo(str(self.timezone))
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"timezone is not a known zone: {self.timezone!r}") from error

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> BusinessCalendar:
        """Build a calendar from a plain mapping (a config file's ``[business_hours]`` table).

        Keys are the field names; absent keys keep their defaults. Unknown keys and bad values
        raise ValueError naming the key.
        """
        if not isinstance(config, Mapping):
            raise ValueError(f"business hours must be a mapping, got {type(config).__name__}")
        unknown = sorted(set(config) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown business-hours key(s): {', '.join(map(repr, unknown))}")
        values = dict(config)
        for key in ("workdays", "holidays"):
            if key in values and isinstance(values[key], list):
                values[key] = tuple(values[key])
        return cls(**values)

    @property
    def day_seconds(self) -> int:
        """Length of the daily opening window in seconds."""
        return _clock_seconds("closes", self.closes) - _clock_seconds("opens", self.opens)

    @property
    def weekmask(self) -> str:
        """``numpy`` weekmask, e.g. ``"1111100"`` for Monday–Friday."""
        return "".join("1" if day in self.workdays else "0" for day in WEEKDAYS)

    def _busdaycalendar(self) -> np.busdaycalendar:
        holidays = np.array([_holiday(day) for day in self.holidays], dtype="datetime64[D]")
        return np.busdaycalendar(weekmask=self.weekmask, holidays=holidays)

    def _local(self, stamps: pd.Series) -> np.ndarray:
        """Naive timestamps as ``datetime64[ns]`` wall time of :attr:`timezone`."""
        values = pd.Series(stamps).astype("datetime64[ns]")
        if self.timezone is not None:
            values = values.dt.tz_localize("UTC").dt.tz_convert(self.timezone).dt.tz_localize(None)
        return values.to_numpy(dtype="datetime64[ns]")

    def seconds_between(self, start: pd.Series, end: pd.Series) -> np.ndarray:
        """Working seconds from each ``start`` to the matching ``end``.

        Formula, with ``o``/``c`` the opening and closing times, ``L = c − o`` and, for a
        timestamp ``t`` on day ``D(t)`` at time of day ``τ(t)``,
        ``f(t) = [D(t) is a working day] · clip(τ(t) − o, 0, L)``:

            seconds = L · busday_count(D(start), D(end)) + f(end) − f(start)

        ``numpy.busday_count(a, b)`` counts working days in ``[a, b)``, so the first day is
        counted whole and ``f(start)`` removes its part before ``start``; ``f(end)`` adds the
        last day's part up to ``end``. Holidays and non-working weekdays contribute nothing.

        Parameters
        ----------
        start, end : Series of datetime64
            Equal-length columns (naive timestamps).

        Returns
        -------
        numpy.ndarray of float
            Working seconds; negative (minus the working time from ``end`` to ``start``) when
            ``end`` is before ``start``; NaN where either timestamp is missing.
        """
        first, last = self._local(start), self._local(end)
        if first.shape != last.shape:
            raise ValueError(f"start ({first.size}) and end ({last.size}) differ in length")
        missing = np.isnat(first) | np.isnat(last)
        sign = np.where(last < first, -1.0, 1.0)
        low = np.where(missing, np.datetime64(0, "ns"), np.minimum(first, last))
        high = np.where(missing, np.datetime64(0, "ns"), np.maximum(first, last))
        calendar = self._busdaycalendar()
        days = np.busday_count(
            low.astype("datetime64[D]"), high.astype("datetime64[D]"), busdaycal=calendar
        )
        seconds = self.day_seconds * days + self._into_day(high, calendar)
        seconds = seconds - self._into_day(low, calendar)
        return np.where(missing, math.nan, sign * seconds)

    def _into_day(self, stamps: np.ndarray, calendar: np.busdaycalendar) -> np.ndarray:
        """``f(t)``: working seconds of ``t``'s own day before ``t`` (0 on closed days)."""
        day = stamps.astype("datetime64[D]")
        clock = (stamps - day.astype("datetime64[ns]")) / np.timedelta64(1, "s")
        opens = _clock_seconds("opens", self.opens)
        within = np.clip(clock - opens, 0, self.day_seconds)
        return np.where(np.is_busday(day, busdaycal=calendar), within, 0.0)
