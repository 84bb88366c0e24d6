"""Result types shared by every metric in :mod:`analysis`.

A metric never returns a bare number: it returns the estimate with its interval, the number of
observations it rests on, the method that produced the interval and any warnings (small sample,
excluded values). Pages format these; they never compute them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

#: Below this many observations an interval is wide enough that the estimate should be read
#: with care; metrics attach a warning (and emit :class:`SmallSampleWarning`).
SMALL_SAMPLE_N = 30


class SmallSampleWarning(UserWarning):
    """An estimate rests on fewer observations than :data:`SMALL_SAMPLE_N`."""


class EmptyDataWarning(UserWarning):
    """A metric was asked for on no valid observations; its value is NaN."""


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    Attributes
    ----------
    value : float
        The estimate (NaN when ``n == 0``).
    ci_low, ci_high : float
        Bounds of the ``confidence`` interval (NaN when it cannot be computed).
    n : int
        Valid observations the estimate rests on.
    confidence : float
        Coverage of the interval, 0.95 by default.
    method : str
        Name of the interval method, as shown in the metric's on-screen definition.
    excluded : int
        Observations dropped before computing (missing, non-numeric or out of range).
    warnings : tuple of str
        Human-readable caveats (small sample, excluded values).
    """

    value: float
    ci_low: float
    ci_high: float
    n: int
    confidence: float = 0.95
    method: str = ""
    excluded: int = 0
    warnings: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return self.n == 0 or math.isnan(self.value)


def sample_warnings(n: int, excluded: int = 0, what: str = "answers") -> tuple[str, ...]:
    """Standard caveats for an estimate on ``n`` valid and ``excluded`` dropped observations.

    Emits :class:`EmptyDataWarning` or :class:`SmallSampleWarning` as Python warnings too, so a
    caller that does not read ``Estimate.warnings`` still sees them.
    """
    notes: list[str] = []
    if n == 0:
        notes.append(f"No valid {what}: the value is not defined.")
        warnings.warn(notes[-1], EmptyDataWarning, stacklevel=3)
    elif n < SMALL_SAMPLE_N:
        notes.append(f"Only {n} {what} (fewer than {SMALL_SAMPLE_N}): read with care.")
        warnings.warn(notes[-1], SmallSampleWarning, stacklevel=3)
    if excluded:
        notes.append(f"{excluded} {what} excluded as missing or out of range.")
    return tuple(notes)


@dataclass(frozen=True)
class ChangeResult:
    """Signed change ``after − before`` of a metric, with its interval and test.

    Attributes
    ----------
    change, ci_low, ci_high : float
        The change and its ``confidence`` interval, in the metric's units (NPS points,
        percentage points for shares, score units for means). NaN when a side is empty.
    p_value : float
        Two-sided p-value of "no change" (NaN when it cannot be computed).
    n_before, n_after : int
        Valid answers on each side.
    significant : bool
        ``p_value < 1 − confidence`` and both sides non-empty.
    method : str
        Interval and test used.
    confidence : float
        Coverage of the interval.
    warnings : tuple of str
        Caveats for each side (small or empty samples, excluded answers).
    """

    change: float
    ci_low: float
    ci_high: float
    p_value: float
    n_before: int
    n_after: int
    significant: bool
    method: str
    confidence: float = 0.95
    warnings: tuple[str, ...] = ()


def change_result(
    change: float,
    interval: tuple[float, float],
    p_value: float,
    sizes: tuple[int, int],
    method: str,
    confidence: float,
    notes: tuple[str, ...],
) -> ChangeResult:
    """Assemble a :class:`ChangeResult`, deciding ``significant`` in one place."""
    n_before, n_after = sizes
    return ChangeResult(
        change=float(change),
        ci_low=float(interval[0]),
        ci_high=float(interval[1]),
        p_value=float(p_value),
        n_before=n_before,
        n_after=n_after,
        significant=bool(n_before > 0 and n_after > 0 and p_value < 1 - confidence),
        method=method,
        confidence=confidence,
        warnings=notes,
    )
