"""Service quality over the canonical ``tickets`` (and ``qa_reviews``) tables.

Speed of first response and of resolution (median and p90 with distribution-free intervals,
mean beside them), compliance with the speed standards of DESIGN.md, first-contact resolution,
reopens, transfers, abandoned contacts, the immediate-response rate, received vs resolved
tickets (backlog), quality-review scores, and the team / agent / department table.

Conventions shared by every function here:

* Share-type :class:`~analysis.results.Estimate` values are **percent 0–100** with the Wilson
  score interval (see :mod:`analysis.rates`); time values are **seconds**.
* **Clock errors**: a first response or resolution stamped *before* the ticket was created
  gives a negative duration. It is never averaged in: the duration is NaN and the ticket is
  counted (``negative`` / ``clock_errors``) and noted in the result's warnings;
  :func:`response_seconds` and :func:`resolution_seconds` also emit a :class:`ClockWarning`,
  and :func:`clock_errors` lists the tickets for drill-down.
* **Still-open tickets** have no resolution time (NaN, counted as missing). For the speed
  standards an unanswered ticket is judged by its age at ``as_of`` (see :func:`sla_outcomes`).
* ``as_of`` is the moment the data describes (the source's cut-off). When not given it is the
  latest timestamp in the table (created, first response or resolved) — pass the dataset's
  cut-off when the table has been sliced to an earlier period.
* Durations can be counted in business hours with an
  :class:`~analysis.calendar.BusinessCalendar`.
* Groups below ``min_n`` (default :data:`~analysis.results.SMALL_SAMPLE_N`) are flagged
  ``too_small``; rows whose group value is missing are left out and counted in
  ``attrs["ungrouped"]``.
* A column the function needs but the frame lacks raises ValueError naming it; a column that
  is present but entirely empty gives NaN with n = 0.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.calendar import BusinessCalendar
from analysis.loyalty import CSAT_RANGE, MEAN_METHOD
from analysis.periods import FREQUENCIES
from analysis.rates import (
    DEFAULT_CONFIDENCE,
    WILSON_METHOD,
    DateLike,
    as_day,
    check_confidence,
    wilson_interval,
    wilson_percent_columns,
)
from analysis.results import SMALL_SAMPLE_N, Estimate, sample_warnings
from analysis.retention import kaplan_meier

#: Interval method of medians and p90s: order statistics X(r), X(s) chosen from the binomial
#: distribution of the number of observations below the quantile.
ORDER_STATISTIC_METHOD = (
    "distribution-free order-statistic interval (binomial; Conover 1999 §3.2; "
    "scipy.stats.quantile_test)"
)
#: How the point quantiles are computed (numpy's default, Hyndman & Fan 1996 type 7).
QUANTILE_DEFINITION = "linear interpolation between order statistics (Hyndman–Fan type 7)"
#: Default threshold of :func:`immediate_response_rate`, in seconds.
IMMEDIATE_RESPONSE_SECONDS = 60.0

Basis = Literal["created", "resolved"]
#: ``created``: the cohort of tickets created in the period; ``resolved``: the throughput,
#: tickets resolved in the period.
BASES: tuple[str, ...] = ("created", "resolved")
#: Outcome of one ticket against one speed threshold (see :func:`sla_outcomes`).
WITHIN = "within"
LATE = "late"
NOT_DUE = "not yet due"
CLOCK_ERROR = "clock error"
UNDATED = "no created_at"
OUTCOMES: tuple[str, ...] = (WITHIN, LATE, NOT_DUE, CLOCK_ERROR, UNDATED)
#: Verdicts of :func:`sla_compliance`.
VERDICTS: tuple[str, ...] = ("meets", "misses", "cannot tell", "no data")
#: Time measures of :func:`durations` and :func:`time_table`.
MEASURES: tuple[str, ...] = ("response", "resolution", "wait", "handle")
#: Dimensions :func:`team_table` groups by.
TEAM_DIMENSIONS: tuple[str, ...] = ("team", "agent", "department")

_HOUR = 3600.0


class ClockWarning(UserWarning):
    """Some timestamps are earlier than the ticket's creation: those durations are left out."""


# ------------------------------------------------------------------------------- standards


@dataclass(frozen=True)
class SpeedTier:
    """One speed standard: ``target`` percent of contacts answered within ``within_seconds``."""

    within_seconds: float
    target: float

    def __post_init__(self) -> None:
        if not _is_number(self.within_seconds) or not 0 < self.within_seconds < math.inf:
            raise ValueError(f"within_seconds must be > 0, got {self.within_seconds!r}")
        if not _is_number(self.target) or not 0 < self.target <= 100:
            raise ValueError(f"target must be a percent in (0, 100], got {self.target!r}")
        object.__setattr__(self, "within_seconds", float(self.within_seconds))
        object.__setattr__(self, "target", float(self.target))

    @property
    def label(self) -> str:
        """The threshold as people say it: "30 s", "90 min", "2 h"."""
        seconds = self.within_seconds
        for unit, size in (("h", _HOUR), ("min", 60.0)):
            if seconds >= size and seconds % size == 0:
                return f"{seconds / size:g} {unit}"
        return f"{seconds:g} s"


@dataclass(frozen=True)
class ChannelStandard:
    """The speed tiers that apply to a group of channels."""

    name: str
    channels: tuple[str, ...]
    tiers: tuple[SpeedTier, ...]


_TIER_UNITS = {"within_seconds": 1.0, "within_minutes": 60.0, "within_hours": _HOUR}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _channels(key: str, value: object) -> tuple[str, ...]:
    """A non-empty list of channel names, lower-cased; ValueError naming ``key`` otherwise."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{key} must be a list of channel names, got {value!r}")
    names = tuple(value)
    if not names or not all(isinstance(name, str) and name.strip() for name in names):
        raise ValueError(f"{key} must be a non-empty list of channel names, got {value!r}")
    return tuple(dict.fromkeys(name.strip().lower() for name in names))


def _tiers(key: str, value: object) -> tuple[SpeedTier, ...]:
    """Tiers sorted by threshold; thresholds must differ. ValueError naming ``key``."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{key} must be a list of tiers, got {value!r}")
    tiers = []
    for position, tier in enumerate(value):
        if isinstance(tier, Mapping):
            tier = _tier_from_mapping(f"{key}[{position}]", tier)
        if not isinstance(tier, SpeedTier):
            raise ValueError(f"{key}[{position}] must be a tier, got {tier!r}")
        tiers.append(tier)
    if not tiers:
        raise ValueError(f"{key} must hold at least one tier")
    tiers.sort(key=lambda t: t.within_seconds)
    thresholds = [t.within_seconds for t in tiers]
    if len(set(thresholds)) != len(thresholds):
        raise ValueError(f"{key}: two tiers have the same threshold")
    return tuple(tiers)


def _tier_from_mapping(key: str, tier: Mapping[str, object]) -> SpeedTier:
    """``{"within_hours": 2, "target": 50}`` (or ``within_seconds`` / ``within_minutes``)."""
    units = [name for name in tier if name in _TIER_UNITS]
    unknown = sorted(set(tier) - set(_TIER_UNITS) - {"target"})
    if unknown or len(units) != 1 or "target" not in tier:
        raise ValueError(
            f"{key} must have 'target' and one of {', '.join(_TIER_UNITS)}, got {dict(tier)!r}"
        )
    amount, target = tier[units[0]], tier["target"]
    if not _is_number(amount) or not _is_number(target):
        raise ValueError(f"{key}: {units[0]} and target must be numbers, got {dict(tier)!r}")
    try:
        return SpeedTier(float(amount) * _TIER_UNITS[units[0]], float(target))
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from error


@dataclass(frozen=True)
class ServiceStandards:
    """Speed standards (DESIGN.md defaults), editable through a config file.

    Attributes
    ----------
    voice_chat_channels : tuple of str
        Channels judged as voice/chat (compared case-insensitively): phone, voice, chat.
    voice_chat_tiers : tuple of SpeedTier
        80 % answered within 30 s.
    email_channels : tuple of str
        Channels judged as e-mail: email.
    email_tiers : tuple of SpeedTier
        50 % within 2 h, 80 % within 12 h, 100 % within 24 h.
    immediate_response_seconds : float
        Threshold of the immediate-response rate (60 s).

    Channels in neither list (social, web, …) are not judged against a speed standard.
    Construction validates every field (ValueError naming it); tiers are kept sorted by
    threshold.
    """

    voice_chat_channels: tuple[str, ...] = ("phone", "voice", "chat")
    voice_chat_tiers: tuple[SpeedTier, ...] = (SpeedTier(30, 80),)
    email_channels: tuple[str, ...] = ("email",)
    email_tiers: tuple[SpeedTier, ...] = (
        SpeedTier(2 * _HOUR, 50),
        SpeedTier(12 * _HOUR, 80),
        SpeedTier(24 * _HOUR, 100),
    )
    immediate_response_seconds: float = IMMEDIATE_RESPONSE_SECONDS

    def __post_init__(self) -> None:
        for key in ("voice_chat_channels", "email_channels"):
            object.__setattr__(self, key, _channels(key, getattr(self, key)))
        for key in ("voice_chat_tiers", "email_tiers"):
            object.__setattr__(self, key, _tiers(key, getattr(self, key)))
        shared = set(self.voice_chat_channels) & set(self.email_channels)
        if shared:
            raise ValueError(
                "voice_chat_channels and email_channels share " + ", ".join(sorted(shared))
            )
        seconds = self.immediate_response_seconds
        if not _is_number(seconds) or not 0 < seconds < math.inf:
            raise ValueError(f"immediate_response_seconds must be > 0, got {seconds!r}")
        object.__setattr__(self, "immediate_response_seconds", float(seconds))

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> ServiceStandards:
        """Standards from a plain mapping, e.g. a TOML ``[service_standards]`` table::

            voice_chat_channels = ["phone", "voice", "chat"]
            voice_chat_tiers = [{ within_seconds = 30, target = 80 }]
            email_channels = ["email"]
            email_tiers = [
                { within_hours = 2, target = 50 },
                { within_hours = 12, target = 80 },
                { within_hours = 24, target = 100 },
            ]
            immediate_response_seconds = 60

        Absent keys keep their defaults. A tier gives ``target`` (percent) and exactly one of
        ``within_seconds``, ``within_minutes``, ``within_hours``. Unknown keys and bad values
        raise ValueError naming the key.
        """
        if not isinstance(config, Mapping):
            raise ValueError(f"service standards must be a mapping, got {type(config).__name__}")
        unknown = sorted(set(config) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown service-standard key(s): {', '.join(map(repr, unknown))}")
        return cls(**dict(config))

    @property
    def channel_standards(self) -> tuple[ChannelStandard, ...]:
        """The channel groups with their tiers: ``voice/chat`` and ``email``."""
        return (
            ChannelStandard("voice/chat", self.voice_chat_channels, self.voice_chat_tiers),
            ChannelStandard("email", self.email_channels, self.email_tiers),
        )


# ---------------------------------------------------------------------------- column access


def _require(frame: pd.DataFrame, columns: Iterable[str], table: str = "tickets") -> None:
    """ValueError naming every column of ``columns`` that ``frame`` lacks."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{table} must be a DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{table} has no column(s) {', '.join(missing)}: they are needed here")


def _stamps(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]`` as naive ``datetime64[ns]`` (aware values converted to UTC)."""
    values = frame[column]
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_dtype(values):
        try:
            values = pd.to_datetime(values, format="ISO8601", utc=True).dt.tz_localize(None)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{column} must hold timestamps: {error}") from error
    return values.astype("datetime64[ns]")


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]`` as nullable booleans; ValueError if it holds anything else."""
    values = frame[column]
    try:
        return values.astype("boolean")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{column} must hold true/false values: {error}") from error


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]`` as float64 (missing → NaN); ValueError if it holds text."""
    try:
        return pd.to_numeric(frame[column]).astype("float64")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{column} must hold numbers: {error}") from error


def _channel_names(frame: pd.DataFrame) -> pd.Series:
    """Channel names stripped and lower-cased (missing stays missing)."""
    return frame["channel"].astype("str").str.strip().str.lower().where(frame["channel"].notna())


def _as_of(tickets: pd.DataFrame, as_of: DateLike | None) -> pd.Timestamp:
    """``as_of`` as a Timestamp, or the latest timestamp in ``tickets`` (NaT if none)."""
    if as_of is pd.NaT:  # passed on from a table without any timestamp
        return pd.NaT
    if as_of is not None:
        try:
            stamp = pd.Timestamp(as_of)
        except (TypeError, ValueError) as error:
            raise ValueError(f"as_of must be a timestamp, got {as_of!r}") from error
        if pd.isna(stamp):
            raise ValueError(f"as_of must be a timestamp, got {as_of!r}")
        return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp
    columns = [c for c in ("created_at", "first_response_at", "resolved_at") if c in tickets]
    latest = [_stamps(tickets, column).max() for column in columns]
    latest = [stamp for stamp in latest if not pd.isna(stamp)]
    return max(latest) if latest else pd.NaT


def _group_codes(
    frame: pd.DataFrame, by: str, allowed: Iterable[str] | None = None
) -> tuple[np.ndarray, pd.Index]:
    """Integer code per row (−1 where ``by`` is missing) and the sorted group labels."""
    if allowed is not None and by not in allowed:
        raise ValueError(f"by must be one of {', '.join(allowed)}, got {by!r}")
    _require(frame, [by])
    codes, labels = pd.factorize(frame[by], sort=True)
    return codes, pd.Index(labels, name=by)


# -------------------------------------------------------------------------------- durations


def _elapsed(
    start: pd.Series, end: pd.Series, calendar: BusinessCalendar | None
) -> tuple[np.ndarray, np.ndarray]:
    """(seconds from ``start`` to ``end`` — business seconds with a calendar —, raw seconds).

    Both are NaN where a timestamp is missing; the raw clock difference decides the sign.
    """
    raw = (end - start).dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    if calendar is None:
        return raw, raw
    if not isinstance(calendar, BusinessCalendar):
        raise ValueError(f"calendar must be a BusinessCalendar, got {type(calendar).__name__}")
    return calendar.seconds_between(start, end), raw


def _duration(
    tickets: pd.DataFrame, end_column: str, calendar: BusinessCalendar | None
) -> tuple[pd.Series, np.ndarray]:
    """Seconds from ``created_at`` to ``end_column`` (NaN where negative) and the negative mask."""
    _require(tickets, ["created_at", end_column])
    seconds, raw = _elapsed(_stamps(tickets, "created_at"), _stamps(tickets, end_column), calendar)
    negative = raw < 0
    seconds = np.where(negative, np.nan, seconds)
    return pd.Series(seconds, index=tickets.index, dtype="float64"), negative


def _public_duration(
    tickets: pd.DataFrame, end_column: str, name: str, calendar: BusinessCalendar | None
) -> pd.Series:
    seconds, negative = _duration(tickets, end_column, calendar)
    count = int(negative.sum())
    if count:
        warnings.warn(
            f"{count} tickets have {end_column} before created_at (clock errors): their "
            "durations are left out",
            ClockWarning,
            stacklevel=3,
        )
    seconds.name = name
    seconds.attrs.update(negative=count, missing=int(seconds.isna().sum()) - count)
    return seconds


def response_seconds(
    tickets: pd.DataFrame, *, calendar: BusinessCalendar | None = None
) -> pd.Series:
    """Seconds to the first response, ``first_response_at − created_at``, per ticket.

    Parameters
    ----------
    tickets : DataFrame
        Canonical tickets with ``created_at`` and ``first_response_at``.
    calendar : BusinessCalendar, optional
        Count only working seconds (:meth:`BusinessCalendar.seconds_between`).

    Returns
    -------
    Series of float
        Aligned with ``tickets``. NaN where either timestamp is missing (not answered yet) and
        where the response is stamped before creation (a clock error: never averaged in).
        ``attrs["negative"]`` counts the clock errors and ``attrs["missing"]`` the rest of the
        NaNs, for the whole returned Series (a slice of it keeps the totals: pass the counts
        to :func:`time_summary` yourself, or use :func:`time_table`). A
        :class:`ClockWarning` is emitted when there are clock errors.
    """
    return _public_duration(tickets, "first_response_at", "response_seconds", calendar)


def resolution_seconds(
    tickets: pd.DataFrame, *, calendar: BusinessCalendar | None = None
) -> pd.Series:
    """Seconds to resolution, ``resolved_at − created_at``, per ticket.

    As :func:`response_seconds`: NaN for tickets not resolved (still open, or the time is
    unknown) and for resolutions stamped before creation (clock errors, counted in
    ``attrs["negative"]`` and warned about with :class:`ClockWarning`).
    """
    return _public_duration(tickets, "resolved_at", "resolution_seconds", calendar)


def clock_errors(tickets: pd.DataFrame) -> pd.DataFrame:
    """Tickets whose first response or resolution is stamped before their creation.

    Returns
    -------
    DataFrame
        The offending rows of ``tickets`` with two boolean columns added,
        ``response_before_created`` and ``resolved_before_created``, for drill-down.
    """
    _require(tickets, ["created_at", "first_response_at", "resolved_at"])
    created = _stamps(tickets, "created_at")
    response = (_stamps(tickets, "first_response_at") < created).to_numpy()
    resolution = (_stamps(tickets, "resolved_at") < created).to_numpy()
    rows = tickets.loc[response | resolution].copy()
    rows["response_before_created"] = response[response | resolution]
    rows["resolved_before_created"] = resolution[response | resolution]
    return rows


def durations(
    tickets: pd.DataFrame, measure: str, *, calendar: BusinessCalendar | None = None
) -> tuple[pd.Series, np.ndarray]:
    """Seconds per ticket for ``measure`` and the mask of clock errors (negative values).

    ``measure``: ``"response"`` (:func:`response_seconds`), ``"resolution"``
    (:func:`resolution_seconds`), ``"wait"`` (``wait_seconds``) or ``"handle"``
    (``handle_seconds``). The calendar applies to response and resolution only (wait and handle
    times are recorded as durations). Negative values are NaN in the Series and True in the
    mask. No warning is emitted.
    """
    if measure == "response":
        return _duration(tickets, "first_response_at", calendar)
    if measure == "resolution":
        return _duration(tickets, "resolved_at", calendar)
    if measure in ("wait", "handle"):
        column = f"{measure}_seconds"
        _require(tickets, [column])
        seconds = _numbers(tickets, column)
        negative = (seconds < 0).to_numpy()
        return seconds.mask(negative), negative
    raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")


# -------------------------------------------------------------------------- time summaries


def order_statistic_ranks(
    n: int | np.ndarray, p: float, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """1-based ranks ``(r, s)`` of the order statistics bounding the ``p``-quantile.

    With ``B`` the Binomial(n, p) distribution and ``α = 1 − confidence``:
    ``r = B.ppf(α/2)`` and ``s = B.isf(α/2) + 1``, so that
    ``P(X(r) ≤ ξ_p ≤ X(s)) ≥ 1 − α`` for any continuous distribution (Conover 1999,
    *Practical Nonparametric Statistics*, 3rd ed., §3.2; the same ranks as
    ``scipy.stats.quantile_test(x, p=p).confidence_interval()``). ``r < 1`` or ``s > n`` means
    that bound does not exist for this n (e.g. the p90's upper bound for n < 29 at 95 %).
    Example: n = 10, p = 0.5 → (2, 9), coverage 97.9 %.
    """
    check_confidence(confidence)
    sizes = np.asarray(n, dtype=np.int64)
    tail = (1 - confidence) / 2
    dist = stats.binom(np.maximum(sizes, 1), p)
    low = dist.ppf(tail).astype(np.int64)
    high = dist.isf(tail).astype(np.int64) + 1
    return np.where(sizes > 0, low, 0), np.where(sizes > 0, high, 1)


@dataclass(frozen=True)
class _GroupQuantiles:
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _sort_by_group(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values`` sorted by group code, then by value (one sort serves every group)."""
    if not len(values) or codes.min() == codes.max():
        return np.sort(values)
    order = np.argsort(values, kind="stable")
    return values[order[np.argsort(codes[order], kind="stable")]]


def _group_quantiles(
    ordered: np.ndarray, counts: np.ndarray, p: float, confidence: float
) -> _GroupQuantiles:
    """The ``p``-quantile of each group (type 7) with its order-statistic interval.

    ``ordered`` holds the valid values sorted by :func:`_sort_by_group`; ``counts`` the number
    of values per group, in code order.
    """
    starts = np.cumsum(counts) - counts
    last = max(len(ordered) - 1, 0)

    def at(rank0: np.ndarray) -> np.ndarray:
        if not len(ordered):
            return np.full(len(counts), math.nan)
        return ordered[np.clip(starts + rank0, 0, last)]

    top = np.maximum(counts - 1, 0)
    position = top * p
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, top)
    value = at(below) + (position - below) * (at(above) - at(below))
    r, s = order_statistic_ranks(counts, p, confidence)
    filled = counts > 0
    return _GroupQuantiles(
        value=np.where(filled, value, math.nan),
        low=np.where(filled & (r >= 1), at(r - 1), math.nan),
        high=np.where(filled & (s <= counts), at(s - 1), math.nan),
    )


@dataclass(frozen=True)
class TimeSummary:
    """Median and p90 of a duration with distribution-free intervals, and the mean beside them.

    Attributes
    ----------
    median, median_ci_low, median_ci_high : float
        Median (seconds) and its order-statistic interval.
    p90, p90_ci_low, p90_ci_high : float
        90th percentile and its interval (the upper bound is NaN when n is too small for it).
    mean : float
        Arithmetic mean, shown beside the median only (no interval: durations are skewed).
    n : int
        Valid durations (finite, >= 0).
    excluded : int
        Missing, infinite and negative values left out.
    negative : int
        Of ``excluded``, the clock errors (negative durations).
    confidence : float
    method : str
        :data:`ORDER_STATISTIC_METHOD`.
    warnings : tuple of str
    """

    median: float
    median_ci_low: float
    median_ci_high: float
    p90: float
    p90_ci_low: float
    p90_ci_high: float
    mean: float
    n: int
    excluded: int = 0
    negative: int = 0
    confidence: float = DEFAULT_CONFIDENCE
    method: str = ORDER_STATISTIC_METHOD
    warnings: tuple[str, ...] = field(default=())

    def median_estimate(self) -> Estimate:
        """The median as an :class:`Estimate` (seconds)."""
        return self._estimate(self.median, self.median_ci_low, self.median_ci_high)

    def p90_estimate(self) -> Estimate:
        """The 90th percentile as an :class:`Estimate` (seconds)."""
        return self._estimate(self.p90, self.p90_ci_low, self.p90_ci_high)

    def _estimate(self, value: float, low: float, high: float) -> Estimate:
        return Estimate(
            value, low, high, self.n, self.confidence, self.method, self.excluded, self.warnings
        )


def time_summary(
    seconds: Iterable[object], *, negative: int = 0, confidence: float = DEFAULT_CONFIDENCE
) -> TimeSummary:
    """Median, p90 (each with a distribution-free interval) and mean of durations in seconds.

    Point quantiles are :data:`QUANTILE_DEFINITION` (``numpy.quantile``'s default). The
    interval of the p-quantile is ``[X(r), X(s)]`` with the ranks of
    :func:`order_statistic_ranks` — valid for any continuous distribution, conservative with
    ties (Conover 1999 §3.2; Campbell & Gardner 1988, BMJ 296:1454; identical to
    ``scipy.stats.quantile_test(x, q, p).confidence_interval(confidence)``). A bound that does
    not exist for this n is NaN.

    Parameters
    ----------
    seconds : array-like of numbers
        Durations. Missing, infinite and negative values are excluded and counted; negative
        ones also in ``negative`` (a bad clock, never averaged in).
    negative : int
        Clock errors already turned into NaN upstream (``response_seconds(...).attrs
        ["negative"]`` for the same rows): moved from "missing" to ``negative`` in the counts.
    confidence : float
        Interval coverage, strictly between 0 and 1.

    Returns
    -------
    TimeSummary
        NaN values with ``n == 0`` when nothing is valid.
    """
    check_confidence(confidence)
    if isinstance(negative, bool) or not isinstance(negative, int | np.integer) or negative < 0:
        raise ValueError(f"negative must be a whole number >= 0, got {negative!r}")
    if isinstance(seconds, str | bytes) or np.ndim(seconds) != 1:
        raise ValueError("seconds must be a one-dimensional sequence of numbers")
    try:
        values = pd.to_numeric(pd.Series(seconds)).astype("float64").to_numpy()
    except (TypeError, ValueError) as error:
        raise ValueError(f"seconds must hold numbers: {error}") from error
    below_zero = values < 0
    valid = np.isfinite(values) & ~below_zero
    n = int(valid.sum())
    if negative > len(values) - n:
        raise ValueError(f"negative ({negative}) exceeds the missing values ({len(values) - n})")
    clock = int(below_zero.sum()) + int(negative)
    return _summary(values[valid], len(values) - n, clock, confidence)


def _summary(valid: np.ndarray, excluded: int, negative: int, confidence: float) -> TimeSummary:
    """:class:`TimeSummary` of ``valid`` durations (all finite and >= 0)."""
    n = len(valid)
    counts = np.array([n])
    ordered = np.sort(valid)
    median = _group_quantiles(ordered, counts, 0.5, confidence)
    p90 = _group_quantiles(ordered, counts, 0.9, confidence)
    notes = sample_warnings(n, excluded, "durations")
    if negative:
        notes += (f"{negative} negative durations (clock errors) left out.",)
    return TimeSummary(
        median=float(median.value[0]),
        median_ci_low=float(median.low[0]),
        median_ci_high=float(median.high[0]),
        p90=float(p90.value[0]),
        p90_ci_low=float(p90.low[0]),
        p90_ci_high=float(p90.high[0]),
        mean=float(valid.mean()) if n else math.nan,
        n=n,
        excluded=excluded,
        negative=negative,
        confidence=confidence,
        warnings=notes,
    )


def response_time(
    tickets: pd.DataFrame,
    *,
    calendar: BusinessCalendar | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> TimeSummary:
    """:func:`time_summary` of :func:`response_seconds`, clock errors counted in ``negative``.

    ``excluded`` = unanswered tickets + clock errors.
    """
    seconds, negative = durations(tickets, "response", calendar=calendar)
    return time_summary(seconds, negative=int(negative.sum()), confidence=confidence)


def resolution_time(
    tickets: pd.DataFrame,
    *,
    calendar: BusinessCalendar | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> TimeSummary:
    """:func:`time_summary` of :func:`resolution_seconds`, clock errors counted in ``negative``.

    Only resolved tickets have a resolution time: still-open ones are in ``excluded``. On a
    cohort with many open tickets the median is therefore that of the tickets resolved so far.
    """
    seconds, negative = durations(tickets, "resolution", calendar=calendar)
    return time_summary(seconds, negative=int(negative.sum()), confidence=confidence)


#: Columns of :func:`time_table`, in order.
TIME_TABLE_COLUMNS = (
    "group",
    "value",
    "ci_low",
    "ci_high",
    "p90",
    "p90_ci_low",
    "p90_ci_high",
    "mean",
    "n",
    "excluded",
    "clock_errors",
    "too_small",
)


def time_table(
    tickets: pd.DataFrame,
    by: str,
    measure: str = "response",
    *,
    calendar: BusinessCalendar | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = SMALL_SAMPLE_N,
) -> pd.DataFrame:
    """Median (``value``), p90 and mean of a duration per group of ``by``, vectorised.

    Same definitions as :func:`time_summary` (one sort for all groups).

    Parameters
    ----------
    tickets : DataFrame
    by : str
        Grouping column (channel, department, team, agent, …).
    measure : {"response", "resolution", "wait", "handle"}
        See :func:`durations`.
    calendar, confidence
        As :func:`time_summary`.
    min_n : int
        Groups with fewer valid durations are ``too_small``.

    Returns
    -------
    DataFrame
        :data:`TIME_TABLE_COLUMNS`, one row per group present, sorted by group; ``n`` valid
        durations, ``excluded`` missing or negative ones, ``clock_errors`` the negative ones.
        ``attrs``: ``measure``, ``business_hours``, ``ungrouped`` (rows without a group).
    """
    check_confidence(confidence)
    seconds, negative = durations(tickets, measure, calendar=calendar)
    codes, labels = _group_codes(tickets, by)
    values = seconds.to_numpy(dtype="float64", na_value=np.nan)
    valid = np.isfinite(values) & (codes >= 0)
    grouped = codes >= 0
    k = len(labels)
    counts = np.bincount(codes[valid], minlength=k)
    rows = np.bincount(codes[grouped], minlength=k)
    errors = np.bincount(codes[grouped & negative], minlength=k)
    ordered = _sort_by_group(values[valid], codes[valid])
    median = _group_quantiles(ordered, counts, 0.5, confidence)
    p90 = _group_quantiles(ordered, counts, 0.9, confidence)
    sums = np.bincount(codes[valid], weights=values[valid], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), math.nan)
    table = pd.DataFrame(
        {
            "group": labels.to_numpy(),
            "value": median.value,
            "ci_low": median.low,
            "ci_high": median.high,
            "p90": p90.value,
            "p90_ci_low": p90.low,
            "p90_ci_high": p90.high,
            "mean": mean,
            "n": counts,
            "excluded": rows - counts,
            "clock_errors": errors,
            "too_small": counts < min_n,
        },
        columns=list(TIME_TABLE_COLUMNS),
    )
    table.attrs.update(
        measure=measure, business_hours=calendar is not None, ungrouped=int((~grouped).sum())
    )
    return table


# ------------------------------------------------------------------------- speed standards


def select_basis(
    tickets: pd.DataFrame,
    basis: Basis = "created",
    period: tuple[DateLike, DateLike] | None = None,
) -> pd.DataFrame:
    """The tickets a period's service metric is about.

    ``basis="created"`` (cohort view): tickets created within ``period``; ``"resolved"``
    (throughput view): tickets resolved within it. ``period`` is ``(start, end)``, dates
    inclusive; ``None`` keeps every ticket (created basis) or every resolved ticket (resolved
    basis). ValueError for another basis.
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, got {basis!r}")
    column = "created_at" if basis == "created" else "resolved_at"
    _require(tickets, [column])
    stamps = _stamps(tickets, column)
    keep = stamps.notna() if basis == "resolved" else pd.Series(True, index=tickets.index)
    if period is not None:
        first, last = as_day("start", period[0]), as_day("end", period[1])
        if first > last:
            raise ValueError(f"start ({first.date()}) is after end ({last.date()})")
        keep &= (stamps >= first) & (stamps < last + pd.Timedelta(days=1))
    return tickets.loc[keep.to_numpy()]


_SLA_COLUMNS = ("created_at", "channel", "first_response_at", "resolved_at", "abandoned")
#: Every tickets column a service metric reads (see :func:`_narrow`).
_SERVICE_COLUMNS = (
    *_SLA_COLUMNS,
    "first_contact_resolved",
    "reopens",
    "transfers",
    "wait_seconds",
    "handle_seconds",
)


def _outcome_codes(
    tickets: pd.DataFrame,
    thresholds: np.ndarray,
    as_of: pd.Timestamp,
    calendar: BusinessCalendar | None,
) -> np.ndarray:
    """Outcome index (into :data:`OUTCOMES`) per ticket (rows) and threshold (columns)."""
    created = _stamps(tickets, "created_at")
    elapsed, raw = _elapsed(created, _stamps(tickets, "first_response_at"), calendar)
    now = pd.Series(as_of, index=tickets.index, dtype="datetime64[ns]")
    age, _ = _elapsed(created, now, calendar)
    resolved = _stamps(tickets, "resolved_at").notna().to_numpy()
    abandoned = _flag(tickets, "abandoned").fillna(False).to_numpy(dtype=bool)
    limit = thresholds[None, :]
    code = OUTCOMES.index
    with np.errstate(invalid="ignore"):
        overdue = resolved[:, None] | (age[:, None] > limit)
        unanswered = np.where(overdue, code(LATE), code(NOT_DUE))
        answered = np.where(elapsed[:, None] <= limit, code(WITHIN), code(LATE))
        out = np.where(np.isnan(raw)[:, None], unanswered, answered)
        out = np.where((raw < 0)[:, None], code(CLOCK_ERROR), out)
    out = np.where(abandoned[:, None], code(LATE), out)
    return np.where(created.isna().to_numpy()[:, None], code(UNDATED), out).astype(np.int8)


def sla_outcomes(
    tickets: pd.DataFrame,
    standards: ServiceStandards | None = None,
    *,
    as_of: DateLike | None = None,
    calendar: BusinessCalendar | None = None,
) -> pd.DataFrame:
    """How each ticket fares against each speed threshold of its channel (for drill-down).

    Outcome per ticket and tier (first response measured from ``created_at``, in business
    seconds when a ``calendar`` is given):

    ``"within"``
        ``first_response_at − created_at <= threshold``.
    ``"late"``
        Answered after the threshold; **or abandoned** (``abandoned`` true: the customer left
        before being answered — counted as not answered in time whatever the timestamps say,
        as in the usual contact-centre service level "answered in time ÷ (answered +
        abandoned)"); **or resolved without a recorded first response** (``resolved_at`` set,
        ``first_response_at`` missing: not answered); **or unanswered and already older than
        the threshold** at ``as_of`` (the miss is certain whatever happens next).
    ``"not yet due"``
        Unanswered, unresolved and younger than the threshold at ``as_of``: not decidable yet,
        excluded.
    ``"clock error"``
        First response stamped before creation: excluded and counted.
    ``"no created_at"``
        Creation time missing: excluded and counted.

    Parameters
    ----------
    tickets : DataFrame
        Needs ``created_at``, ``channel``, ``first_response_at``, ``resolved_at``,
        ``abandoned`` (empty values allowed; a missing ``abandoned`` counts as not abandoned).
    standards : ServiceStandards, optional
        Defaults to :class:`ServiceStandards` ().
    as_of : date-like, optional
        The data's cut-off (see the module docstring).
    calendar : BusinessCalendar, optional
        Measure response times and ages in working seconds.

    Returns
    -------
    DataFrame
        One row per (ticket of a judged channel, tier), indexed like ``tickets``: the ticket's
        columns ``ticket_id`` (when present), then ``channel_group``, ``tier``,
        ``within_seconds``, ``target``, ``outcome``. ``attrs``: ``as_of``, ``business_hours``,
        ``unclassified`` (tickets whose channel has no standard).
    """
    standards = ServiceStandards() if standards is None else standards
    _require(tickets, _SLA_COLUMNS)
    moment = _as_of(tickets, as_of)
    narrow = _narrow(tickets, ["ticket_id"])
    judged = _judge(narrow, standards, moment, calendar)
    parts = []
    for group, positions, codes in judged:
        chosen = narrow.iloc[positions]
        for position, tier in enumerate(group.tiers):
            part = pd.DataFrame(index=chosen.index)
            if "ticket_id" in chosen:
                part["ticket_id"] = chosen["ticket_id"]
            part["channel_group"] = group.name
            part["tier"] = tier.label
            part["within_seconds"] = tier.within_seconds
            part["target"] = tier.target
            part["outcome"] = np.asarray(OUTCOMES, dtype=object)[codes[:, position]]
            parts.append(part)
    table = pd.concat(parts)
    covered = sum(len(positions) for _, positions, _ in judged)
    table.attrs.update(
        as_of=moment, business_hours=calendar is not None, unclassified=len(tickets) - covered
    )
    return table


def _narrow(frame: pd.DataFrame, extra: Iterable[str] = ()) -> pd.DataFrame:
    """``frame`` with only the service columns (and ``extra``) it has: cheap to filter."""
    wanted = dict.fromkeys([*_SERVICE_COLUMNS, *extra])
    return frame[[column for column in wanted if column in frame.columns]]


def _judge(
    tickets: pd.DataFrame,
    standards: ServiceStandards,
    moment: pd.Timestamp,
    calendar: BusinessCalendar | None,
) -> list[tuple[ChannelStandard, np.ndarray, np.ndarray]]:
    """Per channel group: its standard, the positions of its tickets, their outcome codes."""
    names = _channel_names(tickets)
    judged = []
    for group in standards.channel_standards:
        positions = np.flatnonzero(names.isin(group.channels).to_numpy())
        thresholds = np.array([tier.within_seconds for tier in group.tiers])
        codes = _outcome_codes(tickets.iloc[positions], thresholds, moment, calendar)
        judged.append((group, positions, codes))
    return judged


#: Columns of :func:`sla_compliance` (``group`` only when ``by`` is given).
SLA_COLUMNS = (
    "group",
    "channel_group",
    "tier",
    "within_seconds",
    "target",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "within",
    "late",
    "not_yet_due",
    "clock_errors",
    "undated",
    "excluded",
    "met",
    "verdict",
    "basis",
)


def _verdicts(
    within: np.ndarray, n: np.ndarray, low: np.ndarray, high: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """ "meets" / "misses" / "cannot tell" / "no data" (see :func:`sla_compliance`)."""
    with np.errstate(invalid="ignore"):
        return np.select(
            [n == 0, (target >= 100) & (within == n), low >= target, high < target],
            ["no data", "meets", "meets", "misses"],
            "cannot tell",
        )


def sla_compliance(
    tickets: pd.DataFrame,
    standards: ServiceStandards | None = None,
    *,
    basis: Basis = "created",
    period: tuple[DateLike, DateLike] | None = None,
    by: str | None = None,
    as_of: DateLike | None = None,
    calendar: BusinessCalendar | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Share of contacts answered within each speed standard, per channel group and tier.

    ``value = 100 · within / n`` with ``n = within + late`` (the decidable tickets; outcomes
    as in :func:`sla_outcomes`), Wilson score interval (Wilson 1927;
    ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``). ``met`` is
    ``value >= target``. ``verdict``:

    * ``"meets"`` — the whole interval is at or above the target (``ci_low >= target``);
      for a 100 % target, every decidable contact was answered in time (a promise about every
      contact is judged on the contacts themselves: no sample can prove a rate of exactly 100 %);
    * ``"misses"`` — the whole interval is below the target (``ci_high < target``);
    * ``"cannot tell"`` — the interval straddles the target: the data cannot say;
    * ``"no data"`` — ``n = 0``.

    Parameters
    ----------
    tickets : DataFrame
        Canonical tickets (columns as :func:`sla_outcomes`).
    standards : ServiceStandards, optional
    basis : {"created", "resolved"}
        Cohort of tickets created in ``period``, or throughput of tickets resolved in it
        (:func:`select_basis`); stated in the ``basis`` column and ``attrs["basis"]``.
    period : (start, end), optional
        Dates inclusive; ``None`` uses every ticket of the basis.
    by : str, optional
        Also split by this column (``group``); rows whose value is missing are left out and
        counted in ``attrs["ungrouped"]``.
    as_of, calendar
        As :func:`sla_outcomes`.
    confidence : float

    Returns
    -------
    DataFrame
        :data:`SLA_COLUMNS` (without ``group`` unless ``by``): one row per (group,) channel
        group and tier, in the standards' order; ``within``/``late`` the counts, ``n`` their
        sum, ``not_yet_due``, ``clock_errors``, ``undated`` the excluded tickets and
        ``excluded`` their sum; ``met`` (nullable boolean, NA when ``n = 0``).
        ``attrs``: ``basis``, ``as_of``, ``business_hours``, ``unclassified``, ``ungrouped``.
    """
    check_confidence(confidence)
    standards = ServiceStandards() if standards is None else standards
    _require(tickets, [*_SLA_COLUMNS, *([by] if by is not None else [])])
    moment = _as_of(tickets, as_of)
    chosen = select_basis(_narrow(tickets, [by] if by else []), basis, period)
    judged = _judge(chosen, standards, moment, calendar)
    if by is None:
        labels, group_codes = pd.Index([None]), np.zeros(len(chosen), dtype=np.int64)
        ungrouped = 0
    else:
        group_codes, labels = _group_codes(chosen, by)
        ungrouped = int((group_codes < 0).sum())
    counts = _outcome_counts(judged, group_codes, labels, keep_empty=by is None)
    within, late = counts[WITHIN].to_numpy(), counts[LATE].to_numpy()
    n = within + late
    share, low, high = wilson_percent_columns(within, n, confidence)
    target = counts["target"].to_numpy(dtype="float64")
    table = counts[["group", "channel_group", "tier", "within_seconds", "target"]].copy()
    table["value"], table["ci_low"], table["ci_high"], table["n"] = share, low, high, n
    table["within"], table["late"] = within, late
    table["not_yet_due"] = counts[NOT_DUE].to_numpy()
    table["clock_errors"] = counts[CLOCK_ERROR].to_numpy()
    table["undated"] = counts[UNDATED].to_numpy()
    table["excluded"] = table["not_yet_due"] + table["clock_errors"] + table["undated"]
    met = pd.Series(100 * within >= target * n, dtype="boolean")
    met[n == 0] = pd.NA
    table["met"] = met.to_numpy()
    table["verdict"] = _verdicts(within, n, low, high, target)
    table["basis"] = basis
    if by is None:
        table = table.drop(columns="group")
    covered = sum(len(positions) for _, positions, _ in judged)
    table.attrs.update(
        basis=basis,
        as_of=moment,
        business_hours=calendar is not None,
        unclassified=len(chosen) - covered,
        ungrouped=ungrouped,
    )
    return table


def _outcome_counts(
    judged: list[tuple[ChannelStandard, np.ndarray, np.ndarray]],
    group_codes: np.ndarray,
    labels: pd.Index,
    *,
    keep_empty: bool,
) -> pd.DataFrame:
    """Outcome counts per (group, channel group, tier), from the codes by one ``bincount``.

    Rows in group order, then the standards' order; a (group, channel group) pair without
    tickets is left out unless ``keep_empty``.
    """
    frames = []
    width = len(OUTCOMES)
    for standard, positions, codes in judged:
        tiers = len(standard.tiers)
        keys = group_codes[positions]
        kept = keys >= 0
        cell = (keys[kept, None] * tiers + np.arange(tiers)[None, :]) * width + codes[kept]
        counts = np.bincount(cell.ravel(), minlength=len(labels) * tiers * width)
        counts = counts.reshape(len(labels), tiers, width)
        present = counts.sum(axis=(1, 2)) > 0
        if keep_empty:
            present[:] = True
        rows = np.flatnonzero(present)
        frame = pd.DataFrame(
            counts[rows].reshape(-1, width), columns=list(OUTCOMES), dtype=np.int64
        )
        frame.insert(0, "group", np.repeat(labels.to_numpy(dtype=object)[rows], tiers))
        frame.insert(1, "channel_group", standard.name)
        frame.insert(2, "tier", [tier.label for tier in standard.tiers] * len(rows))
        frame.insert(3, "within_seconds", [t.within_seconds for t in standard.tiers] * len(rows))
        frame.insert(4, "target", [t.target for t in standard.tiers] * len(rows))
        frame.insert(5, "_order", np.repeat(rows, tiers))
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values("_order", kind="stable").drop(columns="_order")


def first_tier_compliance(
    tickets: pd.DataFrame,
    standards: ServiceStandards | None = None,
    *,
    as_of: DateLike | None = None,
    calendar: BusinessCalendar | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Estimate:
    """Share of contacts answered within their channel group's FIRST speed tier, in percent.

    The headline speed figure over every judged channel: voice/chat within 30 s, e-mail within
    2 h by default. ``value = 100 · within / (within + late)`` summed over the channel groups,
    each ticket judged against its group's first tier with the outcomes of :func:`sla_outcomes`
    (same code path); not-yet-due, clock-error and undated tickets are excluded and counted;
    channels without a standard are left out. Wilson score interval (Wilson 1927).
    """
    standards = ServiceStandards() if standards is None else standards
    _require(tickets, _SLA_COLUMNS)
    moment = _as_of(tickets, as_of)
    counts = np.zeros(len(OUTCOMES), dtype=np.int64)
    for _, _, codes in _judge(_narrow(tickets), standards, moment, calendar):
        counts += np.bincount(codes[:, 0], minlength=len(OUTCOMES))
    within, late = int(counts[OUTCOMES.index(WITHIN)]), int(counts[OUTCOMES.index(LATE)])
    excluded = int(counts.sum()) - within - late
    return _share(within, within + late, excluded, confidence, "contacts")


def latest_stamp(tickets: pd.DataFrame) -> pd.Timestamp:
    """The data's cut-off: the latest created/first-response/resolved time in ``tickets``."""
    return _as_of(tickets, None)


# ------------------------------------------------------------------------------------ rates


def _share(k: int, n: int, excluded: int, confidence: float, what: str) -> Estimate:
    """Percent share ``100 · k / n`` with its Wilson interval and the standard warnings."""
    low, high = wilson_interval(k, n, check_confidence(confidence))
    return Estimate(
        value=100 * k / n if n else math.nan,
        ci_low=100 * low,
        ci_high=100 * high,
        n=n,
        confidence=confidence,
        method=WILSON_METHOD,
        excluded=excluded,
        warnings=sample_warnings(n, excluded, what),
    )


def _handled(tickets: pd.DataFrame) -> np.ndarray:
    """Contacts an agent handled: not abandoned (a missing flag counts as not abandoned)."""
    _require(tickets, ["abandoned"])
    return ~_flag(tickets, "abandoned").fillna(False).to_numpy(dtype=bool)


def _flag_share(flags: pd.Series, scope: np.ndarray, confidence: float, what: str) -> Estimate:
    """Share of true ``flags`` among rows in ``scope`` whose flag is known."""
    known = flags.notna().to_numpy() & scope
    k = int(flags.fillna(False).to_numpy(dtype=bool)[known].sum())
    return _share(k, int(known.sum()), int((scope & ~known).sum()), confidence, what)


def fcr_rate(tickets: pd.DataFrame, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """First-contact resolution: share of handled contacts resolved at the first contact.

    ``value = 100 · #(first_contact_resolved true) / #(handled contacts with a known flag)``;
    handled = not abandoned (an abandoned contact was never handled, and is measured by
    :func:`abandon_rate`). Missing flags among handled contacts are excluded and counted.
    Wilson interval. Source: ``tickets.first_contact_resolved``, ``tickets.abandoned``.
    """
    _require(tickets, ["first_contact_resolved"])
    flags = _flag(tickets, "first_contact_resolved")
    return _flag_share(flags, _handled(tickets), confidence, "handled contacts")


def reopen_rate(tickets: pd.DataFrame, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Share of resolved tickets reopened at least once.

    ``value = 100 · #(resolved, reopens >= 1) / #(resolved with a known reopens count)``;
    resolved = ``resolved_at`` set. Resolved tickets with a missing (or negative) count are
    excluded and counted; unresolved tickets are outside the denominator. Wilson interval.
    """
    _require(tickets, ["resolved_at", "reopens"])
    reopens = _numbers(tickets, "reopens")
    reopened = (reopens >= 1).where(reopens >= 0)
    resolved = _stamps(tickets, "resolved_at").notna().to_numpy()
    return _flag_share(reopened, resolved, confidence, "resolved tickets")


def transfer_rate(tickets: pd.DataFrame, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Share of handled contacts transferred (reassigned) at least once.

    ``value = 100 · #(transfers >= 1) / #(handled contacts with a known count)``; handled =
    not abandoned. Missing (or negative) counts are excluded and counted. Wilson interval.
    """
    _require(tickets, ["transfers"])
    transfers = _numbers(tickets, "transfers")
    transferred = (transfers >= 1).where(transfers >= 0)
    return _flag_share(transferred, _handled(tickets), confidence, "handled contacts")


def mean_transfers(tickets: pd.DataFrame, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Mean number of transfers per handled contact, Student t interval.

    ``x̄ ± t(1 − α/2; n − 1) · s / √n`` over handled (not abandoned) contacts with a known,
    non-negative count (``scipy.stats.t``); NaN interval when n < 2.
    """
    check_confidence(confidence)
    _require(tickets, ["transfers"])
    transfers = _numbers(tickets, "transfers").to_numpy()
    scope = _handled(tickets)
    valid = scope & (transfers >= 0)
    values = transfers[valid]
    n, excluded = len(values), int((scope & ~valid).sum())
    mean = values.mean() if n else math.nan
    low, high = _t_interval(mean, ((values - mean) ** 2).sum(), n, confidence)
    return Estimate(
        value=float(values.mean()) if n else math.nan,
        ci_low=float(low),
        ci_high=float(high),
        n=n,
        confidence=confidence,
        method=MEAN_METHOD,
        excluded=excluded,
        warnings=sample_warnings(n, excluded, "handled contacts"),
    )


def _t_interval(
    mean: np.ndarray | float,
    deviations: np.ndarray | float,
    n: np.ndarray | int,
    confidence: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``x̄ ± t(1 − α/2; n − 1) · s / √n`` from means, sums of squared deviations and counts.

    NaN where n < 2.
    """
    mean, deviations, n = (np.asarray(v, dtype="float64") for v in (mean, deviations, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = deviations / (n - 1)
        half = stats.t.ppf((1 + confidence) / 2, n - 1) * np.sqrt(variance / n)
    ok = n >= 2
    return np.where(ok, mean - half, math.nan), np.where(ok, mean + half, math.nan)


def abandon_rate(
    tickets: pd.DataFrame,
    *,
    channels: Iterable[str] | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Estimate:
    """Share of contacts abandoned (the customer left before being answered).

    ``value = 100 · #(abandoned true) / #(contacts with a known flag)``, over the contacts of
    ``channels`` (case-insensitive; ``None`` = all). Abandonment belongs to queued channels:
    pass ``ServiceStandards().voice_chat_channels`` so e-mail does not dilute it. Missing flags
    are excluded and counted. Wilson interval.
    """
    _require(tickets, ["abandoned"])
    scope = np.ones(len(tickets), dtype=bool)
    if channels is not None:
        _require(tickets, ["channel"])
        scope = _channel_names(tickets).isin(_channels("channels", channels)).to_numpy()
    return _flag_share(_flag(tickets, "abandoned"), scope, confidence, "contacts")


def immediate_response_rate(
    tickets: pd.DataFrame,
    *,
    within_seconds: float = IMMEDIATE_RESPONSE_SECONDS,
    as_of: DateLike | None = None,
    calendar: BusinessCalendar | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Estimate:
    """Share of contacts answered within ``within_seconds`` (default 60 s), every channel.

    Outcomes exactly as :func:`sla_outcomes` with one threshold: abandoned contacts, resolved
    ones without a response and unanswered ones already older than the threshold count as not
    immediate; unanswered ones younger than it, clock errors and undated ones are excluded and
    counted. ``value = 100 · within / (within + late)``, Wilson interval.
    """
    if not _is_number(within_seconds) or not 0 < within_seconds < math.inf:
        raise ValueError(f"within_seconds must be > 0, got {within_seconds!r}")
    _require(tickets, _SLA_COLUMNS)
    moment = _as_of(tickets, as_of)
    codes = _outcome_codes(tickets, np.array([float(within_seconds)]), moment, calendar)[:, 0]
    counts = np.bincount(codes, minlength=len(OUTCOMES))
    k, n = int(counts[0]), int(counts[0] + counts[1])
    return _share(k, n, int(counts[2:].sum()), confidence, "contacts")


# ---------------------------------------------------------------------------------- backlog

#: Columns of :func:`backlog`, in order.
BACKLOG_COLUMNS = ("period", "received", "resolved", "net", "open_at_end", "complete")


def backlog(
    tickets: pd.DataFrame, freq: str = "W", *, as_of: DateLike | None = None
) -> pd.DataFrame:
    """Tickets received vs resolved per calendar period, and those open at each period's end.

    Per period ``[start, next start)``: ``received`` = created within it; ``resolved`` =
    ``resolved_at`` within it; ``net = received − resolved``; ``open_at_end`` = created before
    the next start and not resolved before it (``resolved_at`` missing or >= next start), i.e.
    ``created <= end and (resolved_at is NaT or resolved_at > end)``. A resolution stamped
    before creation (clock error) counts in ``resolved`` for its own period and closes the
    ticket once both stamps are past. Contacts that ended without a resolution time (abandoned,
    or closed unresolved: :func:`ended_without_resolution`) are left out and counted in
    ``attrs["ended_unresolved"]``: they are not open, and when they ended is unknown.

    Parameters
    ----------
    tickets : DataFrame
        Needs ``created_at`` and ``resolved_at``.
    freq : {"W", "MS", "QS"}
        Weeks from Monday, calendar months or quarters.
    as_of : date-like, optional
        Periods ending after it are marked ``complete = False`` (default: latest timestamp).

    Returns
    -------
    DataFrame
        :data:`BACKLOG_COLUMNS`, one row per period from the first creation to the last
        creation or resolution. ``attrs["undated"]``: tickets without ``created_at``, left out.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {sorted(FREQUENCIES)}, got {freq!r}")
    _require(tickets, ["created_at", "resolved_at"])
    ended = ended_without_resolution(tickets)
    tickets = tickets.loc[~ended]
    created_all = _stamps(tickets, "created_at")
    dated = created_all.notna().to_numpy()
    created = created_all.to_numpy()[dated]
    resolved = _stamps(tickets, "resolved_at").to_numpy()[dated]
    moment = _as_of(tickets, as_of)
    columns = list(BACKLOG_COLUMNS)
    if not len(created):
        table = pd.DataFrame(columns=columns)
    else:
        done = resolved[~np.isnat(resolved)]
        last = max(created.max(), done.max()) if len(done) else created.max()
        span = pd.period_range(
            pd.Timestamp(created.min()), pd.Timestamp(last), freq=FREQUENCIES[freq]
        )
        starts = span.start_time.to_numpy(dtype="datetime64[ns]")
        bounds = (span + 1).start_time.to_numpy(dtype="datetime64[ns]")
        closed = np.maximum(created[~np.isnat(resolved)], done)
        received = np.searchsorted(np.sort(created), bounds) - np.searchsorted(
            np.sort(created), starts
        )
        resolved_n = np.searchsorted(np.sort(done), bounds) - np.searchsorted(np.sort(done), starts)
        open_n = np.searchsorted(np.sort(created), bounds) - np.searchsorted(
            np.sort(closed), bounds
        )
        table = pd.DataFrame(
            {
                "period": span.start_time,
                "received": received,
                "resolved": resolved_n,
                "net": received - resolved_n,
                "open_at_end": open_n,
                "complete": (bounds <= np.datetime64(moment)) if not pd.isna(moment) else False,
            },
            columns=columns,
        )
    table.attrs.update(
        undated=int((~dated).sum()), ended_unresolved=int(ended.sum()), freq=freq, as_of=moment
    )
    return table


#: Statuses that mean a contact is over, whether or not it was resolved (compared lower-case).
FINAL_STATUSES = frozenset(
    {
        "closed",
        "resolved",
        "solved",
        "done",
        "abandoned",
        "cancelled",
        "canceled",
        "merged",
        "removed",
        "rejected",
    }
)


def ended_without_resolution(tickets: pd.DataFrame) -> pd.Series:
    """Contacts that are over but have no resolution time: abandoned, or in a final status
    (:data:`FINAL_STATUSES`). They never belong to the backlog, and since their end time is
    unknown they cannot be placed in a period: :func:`backlog` leaves them out and counts them.
    """
    unresolved = tickets["resolved_at"].isna()
    abandoned = tickets["abandoned"].fillna(False).astype(bool) if "abandoned" in tickets else False
    status = (
        tickets["status"].astype("str").str.strip().str.lower() if "status" in tickets else None
    )
    final = status.isin(FINAL_STATUSES) if status is not None else False
    return unresolved & (abandoned | final)


#: Columns of :func:`resolution_survival`, in order.
SURVIVAL_COLUMNS = (
    "group",
    "median",
    "ci_low",
    "ci_high",
    "resolved_median",
    "n",
    "resolved",
    "open",
    "excluded",
    "too_small",
)


def resolution_survival(
    tickets: pd.DataFrame,
    by: str,
    *,
    as_of: pd.Timestamp,
    calendar: BusinessCalendar | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = SMALL_SAMPLE_N,
) -> pd.DataFrame:
    """Median resolution time of a cohort counting its still-open tickets (Kaplan–Meier).

    The median of resolved tickets alone is biased low on a recent cohort: the slow tickets are
    the ones still open. Here each open ticket is a right-censored time, ``as_of − created_at``
    (it took at least that long), and the median is read from the Kaplan–Meier curve of time to
    resolution (:func:`analysis.retention.kaplan_meier`, R ``survfit``'s log interval; median
    interval by Brookmeyer & Crowley 1982). The median is NaN while fewer than half of the
    group's tickets are resolved: it is not known yet.

    Left out and counted in ``excluded``: contacts that ended without a resolution
    (:func:`ended_without_resolution`: no resolution will come), clock errors (resolved or
    created after ``as_of``) and rows without a creation time or group.

    Returns
    -------
    DataFrame
        :data:`SURVIVAL_COLUMNS`, seconds, one row per group: ``median`` with ``ci_low``–
        ``ci_high``; ``resolved_median`` the plain median of resolved tickets, for contrast;
        ``n`` tickets used, of them ``resolved`` and ``open`` (censored).
    """
    check_confidence(confidence)
    _require(tickets, ["created_at", "resolved_at", by])
    created = _stamps(tickets, "created_at")
    resolved_at = _stamps(tickets, "resolved_at")
    now = pd.Series(pd.Timestamp(as_of), index=tickets.index).astype("datetime64[ns]")
    is_open = resolved_at.isna() & ~ended_without_resolution(tickets)
    end = resolved_at.where(resolved_at.notna(), now.where(is_open))
    seconds, raw = _elapsed(created, end, calendar)
    codes, labels = _group_codes(tickets, by)
    usable = np.isfinite(seconds) & (raw >= 0) & (codes >= 0)
    observed = resolved_at.notna().to_numpy()
    rows = []
    for code, group in enumerate(labels):
        chosen = usable & (codes == code)
        curve = kaplan_meier(seconds[chosen], observed[chosen], confidence=confidence)
        done = seconds[chosen & observed]
        rows.append(
            (
                group,
                curve.median,
                curve.median_ci_low,
                curve.median_ci_high,
                float(np.median(done)) if len(done) else math.nan,
                curve.n,
                curve.events,
                curve.n - curve.events,
                int(((codes == code) & ~usable).sum()),
                curve.n < min_n,
            )
        )
    return pd.DataFrame(rows, columns=list(SURVIVAL_COLUMNS))


#: Columns shown for the contacts behind a table row.
BEHIND_COLUMNS = (
    "ticket_id",
    "created_at",
    "channel",
    "department",
    "team",
    "status",
    "first_response_at",
    "resolved_at",
    "transfers",
    "reopens",
)


def tickets_behind(
    tickets: pd.DataFrame, measure: str, calendar: BusinessCalendar | None = None
) -> pd.DataFrame:
    """The contacts behind a row of :func:`time_table`: their fields, the ``seconds`` of
    ``measure`` and whether that time is a ``clock_error``, slowest first."""
    seconds, negative = durations(tickets, measure, calendar=calendar)
    columns = [c for c in BEHIND_COLUMNS if c in tickets.columns]
    rows = tickets[columns].assign(seconds=seconds.to_numpy(), clock_error=negative)
    return rows.sort_values("seconds", ascending=False, na_position="last").reset_index(drop=True)


# -------------------------------------------------------------------------------- QA scores

#: Columns of :func:`qa_scores` (``group`` is the criterion) and of :func:`breakdown`.
GROUP_COLUMNS = ("group", "value", "ci_low", "ci_high", "n", "excluded", "too_small")


def qa_scores(
    qa_reviews: pd.DataFrame,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = SMALL_SAMPLE_N,
) -> pd.DataFrame:
    """Mean quality-review score per criterion with its Student t interval.

    ``value = x̄``, interval ``x̄ ± t(1 − α/2; n − 1) · s / √n`` (``scipy.stats.t``; NaN when
    n < 2) over the reviews of that criterion whose score is a non-negative number; missing or
    negative scores are excluded and counted. Scores are averaged on the helpdesk's own scale.
    Source: ``qa_reviews`` (ticket_id, criterion, score).

    Returns
    -------
    DataFrame
        :data:`GROUP_COLUMNS` (``group`` = criterion), sorted by criterion;
        ``attrs["ungrouped"]`` counts reviews without a criterion.
    """
    check_confidence(confidence)
    _require(qa_reviews, ["criterion", "score"], table="qa_reviews")
    codes, labels = _group_codes(qa_reviews, "criterion")
    scores = _numbers(qa_reviews, "score").to_numpy()
    table = _mean_table(scores, codes, labels, confidence, min_n)
    table.attrs.update(ungrouped=int((codes < 0).sum()), by="criterion")
    return table


def _mean_table(
    values: np.ndarray, codes: np.ndarray, labels: pd.Index, confidence: float, min_n: int
) -> pd.DataFrame:
    """Mean with t interval per group code; values NaN or negative are excluded."""
    k = len(labels)
    grouped = codes >= 0
    valid = grouped & (values >= 0)
    counts = np.bincount(codes[valid], minlength=k)
    total = np.bincount(codes[valid], weights=values[valid], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, total / np.maximum(counts, 1), math.nan)
    deviations = np.bincount(
        codes[valid], weights=(values[valid] - mean[codes[valid]]) ** 2, minlength=k
    )
    low, high = _t_interval(mean, deviations, counts, confidence)
    return pd.DataFrame(
        {
            "group": labels.to_numpy(),
            "value": mean,
            "ci_low": low,
            "ci_high": high,
            "n": counts,
            "excluded": np.bincount(codes[grouped], minlength=k) - counts,
            "too_small": counts < min_n,
        },
        columns=list(GROUP_COLUMNS),
    )


# ------------------------------------------------------------------------------- breakdowns


def _time_metric(measure: str, quantile: str) -> Callable[..., Estimate]:
    def metric(tickets: pd.DataFrame, **options: object) -> Estimate:
        seconds, negative = durations(tickets, measure, calendar=options.get("calendar"))
        confidence = options.get("confidence", DEFAULT_CONFIDENCE)
        summary = time_summary(seconds, negative=int(negative.sum()), confidence=confidence)
        return summary.median_estimate() if quantile == "median" else summary.p90_estimate()

    return metric


def _rate_metric(function: Callable[..., Estimate], *accepted: str) -> Callable[..., Estimate]:
    def metric(tickets: pd.DataFrame, **options: object) -> Estimate:
        return function(tickets, **{k: v for k, v in options.items() if k in accepted})

    return metric


#: Metrics :func:`breakdown` knows: each takes the tickets (and options) and returns an Estimate.
SERVICE_METRICS: dict[str, Callable[..., Estimate]] = {
    "fcr": _rate_metric(fcr_rate, "confidence"),
    "reopen": _rate_metric(reopen_rate, "confidence"),
    "transfer": _rate_metric(transfer_rate, "confidence"),
    "mean_transfers": _rate_metric(mean_transfers, "confidence"),
    "abandon": _rate_metric(abandon_rate, "confidence", "channels"),
    "immediate_response": _rate_metric(
        immediate_response_rate, "confidence", "within_seconds", "as_of", "calendar"
    ),
    **{
        f"{measure}_time_{q}": _time_metric(measure, q)
        for measure in MEASURES
        for q in ("median", "p90")
    },
}
_OPTIONS = ("confidence", "channels", "within_seconds", "as_of", "calendar")


def breakdown(
    tickets: pd.DataFrame,
    metric: str,
    by: str,
    *,
    min_n: int = SMALL_SAMPLE_N,
    **options: object,
) -> pd.DataFrame:
    """One service metric per group of ``by`` (department, channel, team, agent, …).

    Applies ``SERVICE_METRICS[metric]`` to each group's tickets, so every row is defined exactly
    as the metric function defines it (formula, exclusions, interval).

    Parameters
    ----------
    tickets : DataFrame
    metric : str
        A key of :data:`SERVICE_METRICS` (``fcr``, ``reopen``, ``transfer``,
        ``mean_transfers``, ``abandon``, ``immediate_response``, ``<measure>_time_median``,
        ``<measure>_time_p90`` for measure in :data:`MEASURES`).
    by : str
        Grouping column; rows where it is missing are left out (``attrs["ungrouped"]``).
    min_n : int
        Groups with fewer valid observations are ``too_small``.
    **options
        Passed to the metric where it accepts them: ``confidence``, ``channels``,
        ``within_seconds``, ``as_of``, ``calendar``. For ``immediate_response`` the ``as_of``
        defaults to the latest timestamp of the whole table, not of each group.

    Returns
    -------
    DataFrame
        :data:`GROUP_COLUMNS`, sorted by group; ``attrs``: ``metric``, ``by``, ``ungrouped``.
    """
    if metric not in SERVICE_METRICS:
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(SERVICE_METRICS)}")
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise ValueError(f"unknown option(s): {', '.join(unknown)}")
    if metric == "immediate_response" and options.get("as_of") is None:
        options["as_of"] = _as_of(tickets, None)
    codes, labels = _group_codes(tickets, by)
    tickets = _narrow(tickets)
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes[codes >= 0], minlength=len(labels)))
    skip = int((codes < 0).sum())
    rows = []
    for code, label in enumerate(labels):
        start = skip + (ends[code - 1] if code else 0)
        estimate = SERVICE_METRICS[metric](
            tickets.iloc[order[start : skip + ends[code]]], **options
        )
        rows.append(
            (
                label,
                estimate.value,
                estimate.ci_low,
                estimate.ci_high,
                estimate.n,
                estimate.excluded,
                estimate.n < min_n,
            )
        )
    table = pd.DataFrame(rows, columns=list(GROUP_COLUMNS)).astype(
        {"n": np.int64, "excluded": np.int64, "too_small": bool}
    )
    table.attrs.update(metric=metric, by=by, ungrouped=int((codes < 0).sum()))
    return table


#: Columns of :func:`team_table`, in order.
TEAM_COLUMNS = (
    "group",
    "volume",
    "too_small",
    "fcr",
    "fcr_ci_low",
    "fcr_ci_high",
    "fcr_n",
    "response_median",
    "response_ci_low",
    "response_ci_high",
    "response_n",
    "sla",
    "sla_ci_low",
    "sla_ci_high",
    "sla_n",
    "sla_target",
    "csi",
    "csi_ci_low",
    "csi_ci_high",
    "csi_n",
)


def team_table(
    tickets: pd.DataFrame,
    surveys: pd.DataFrame | None = None,
    by: str = "team",
    *,
    standards: ServiceStandards | None = None,
    as_of: DateLike | None = None,
    calendar: BusinessCalendar | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = SMALL_SAMPLE_N,
) -> pd.DataFrame:
    """Volume, FCR, speed, standard compliance and CSI per team, agent or department.

    Per group of ``by``:

    * ``volume`` — tickets; ``too_small`` when ``volume < min_n`` (grey it out, keep it out of
      rankings; each metric's own ``*_n`` tells how much it rests on);
    * ``fcr`` — :func:`fcr_rate` (percent, Wilson);
    * ``response_median`` — median first response in seconds (order-statistic interval, as
      :func:`time_summary`; working seconds with a ``calendar``);
    * ``sla`` — share of contacts answered within the **first (tightest) tier** of their
      channel's standard (voice/chat 30 s, e-mail 2 h), outcomes as :func:`sla_outcomes`,
      Wilson interval; ``sla_target`` is the target that share would have if each channel met
      its tier exactly — ``Σ n_channel · target_channel / Σ n_channel`` — so teams with
      different channel mixes are each read against their own mix;
    * ``csi`` — mean CSAT score (1–5) of the ``surveys`` answers of type ``csat`` linked to the
      group's tickets by ``ticket_id``, Student t interval; NaN with ``csi_n = 0`` when no
      surveys are given (``attrs["csi"]`` is False then).

    Returns
    -------
    DataFrame
        :data:`TEAM_COLUMNS`, sorted by volume (largest first) then group. ``attrs``:
        ``by``, ``ungrouped`` (tickets without a value of ``by``), ``csi``, ``as_of``.
    """
    check_confidence(confidence)
    standards = ServiceStandards() if standards is None else standards
    codes, labels = _group_codes(tickets, by, TEAM_DIMENSIONS)
    k = len(labels)
    grouped = codes >= 0
    moment = _as_of(tickets, as_of)
    table = pd.DataFrame({"group": labels.to_numpy()})
    table["volume"] = np.bincount(codes[grouped], minlength=k)
    table["too_small"] = table["volume"] < min_n
    _add_fcr(table, tickets, codes, confidence)
    times = time_table(tickets, by, "response", calendar=calendar, confidence=confidence)
    table["response_median"] = times["value"].to_numpy()
    table["response_ci_low"] = times["ci_low"].to_numpy()
    table["response_ci_high"] = times["ci_high"].to_numpy()
    table["response_n"] = times["n"].to_numpy()
    _add_sla(table, tickets, by, standards, moment, calendar, confidence)
    _add_csi(table, tickets, surveys, codes, confidence)
    table = table.sort_values(["volume", "group"], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)[list(TEAM_COLUMNS)]
    table.attrs.update(
        by=by, ungrouped=int((~grouped).sum()), csi=surveys is not None, as_of=moment
    )
    return table


def _add_fcr(
    table: pd.DataFrame, tickets: pd.DataFrame, codes: np.ndarray, confidence: float
) -> None:
    _require(tickets, ["first_contact_resolved"])
    flags = _flag(tickets, "first_contact_resolved")
    known = flags.notna().to_numpy() & _handled(tickets) & (codes >= 0)
    hits = known & flags.fillna(False).to_numpy(dtype=bool)
    n = np.bincount(codes[known], minlength=len(table))
    k = np.bincount(codes[hits], minlength=len(table))
    table["fcr"], table["fcr_ci_low"], table["fcr_ci_high"] = wilson_percent_columns(
        k, n, confidence
    )
    table["fcr_n"] = n


def _add_sla(
    table: pd.DataFrame,
    tickets: pd.DataFrame,
    by: str,
    standards: ServiceStandards,
    moment: pd.Timestamp,
    calendar: BusinessCalendar | None,
    confidence: float,
) -> None:
    first_tiers = {group.name: group.tiers[0].label for group in standards.channel_standards}
    if len(tickets):
        rows = sla_compliance(
            tickets, standards, by=by, as_of=moment, calendar=calendar, confidence=confidence
        )
        rows = rows.loc[rows["tier"] == rows["channel_group"].map(first_tiers)]
        rows = rows.assign(weighted=rows["n"] * rows["target"])
        sums = rows.groupby("group")[["within", "n", "weighted"]].sum()
    else:
        sums = pd.DataFrame(columns=["within", "n", "weighted"], dtype="float64")
    sums = sums.reindex(table["group"].to_numpy(), fill_value=0)
    within = sums["within"].to_numpy(dtype=np.int64)
    n = sums["n"].to_numpy(dtype=np.int64)
    table["sla"], table["sla_ci_low"], table["sla_ci_high"] = wilson_percent_columns(
        within, n, confidence
    )
    table["sla_n"] = n
    with np.errstate(invalid="ignore", divide="ignore"):
        table["sla_target"] = np.where(n > 0, sums["weighted"].to_numpy() / n, math.nan)


def _add_csi(
    table: pd.DataFrame,
    tickets: pd.DataFrame,
    surveys: pd.DataFrame | None,
    codes: np.ndarray,
    confidence: float,
) -> None:
    k = len(table)
    if surveys is None:
        table["csi"] = table["csi_ci_low"] = table["csi_ci_high"] = math.nan
        table["csi_n"] = 0
        return
    _require(surveys, ["ticket_id", "survey_type", "score"], table="surveys")
    _require(tickets, ["ticket_id"])
    answers = surveys.loc[(surveys["survey_type"] == "csat").to_numpy()]
    scores = _numbers(answers, "score")
    low, high = CSAT_RANGE
    valid = scores.between(low, high) & (scores % 1 == 0)
    answers = answers.loc[valid.to_numpy(), ["ticket_id"]].assign(score=scores[valid])
    reviewed = tickets["ticket_id"].isin(answers["ticket_id"]).to_numpy() & (codes >= 0)
    group_of = pd.Series(codes[reviewed], index=tickets["ticket_id"].to_numpy()[reviewed])
    group_of = group_of[~group_of.index.duplicated()]  # a repeated ticket_id: its first row
    linked = answers["ticket_id"].map(group_of)
    ok = linked.notna().to_numpy()
    answer_codes = linked.to_numpy()[ok].astype(np.int64)
    values = answers["score"].to_numpy(dtype="float64")[ok]
    means = _mean_table(values, answer_codes, pd.Index(range(k)), confidence, 0)
    table["csi"] = means["value"].to_numpy()
    table["csi_ci_low"] = means["ci_low"].to_numpy()
    table["csi_ci_high"] = means["ci_high"].to_numpy()
    table["csi_n"] = means["n"].to_numpy()
