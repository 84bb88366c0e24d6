"""Control charts for shares and rates per period, with Laney's overdispersion correction.

With thousands of contacts a month, the binomial (p-chart) or Poisson (u-chart) limits are so
narrow that ordinary month-to-month variation — the process itself drifting a little — puts
almost every month outside them. Laney's p′ and u′ charts (Laney 2002, "Improved control charts
for attributes", Quality Engineering 14(4):531–537) measure that extra between-period variation
on the data and widen the limits by it:

1. centre ``p̄ = Σ xᵢ / Σ nᵢ`` (u-chart: ``ū = Σ cᵢ / Σ eᵢ``);
2. within-period standard error ``σᵢ = sqrt(p̄ (1 − p̄) / nᵢ)`` (u-chart: ``sqrt(ū / eᵢ)``);
3. standardised values ``zᵢ = (pᵢ − p̄) / σᵢ``;
4. ``σ_z = mean |zᵢ − zᵢ₋₁| / 1.128`` — the individuals-chart (moving range of two) estimate of
   the spread of the z values; 1.128 is the bias-correction constant d₂ for ranges of two;
5. limits ``p̄ ± 3 σᵢ σ_z``, clipped to [0, 1] (u-chart: lower limit clipped at 0).

``σ_z = 1`` is the plain Shewhart p- or u-chart; ``σ_z > 1`` means overdispersion and wider
limits; ``σ_z < 1`` (underdispersion) narrows them, as in Laney's paper, Minitab's Laney P′
chart and the R package qicharts2 (``qic(chart = "pp")``), whose results these functions
reproduce (see the tests).

Missing-value policy: a period with ``n = 0`` (no answers or contacts) is kept with NaN values
and limits and ``outside = False``; it does not enter the centre, and moving ranges are taken
between consecutive periods that have data. Missing or negative counts raise ValueError.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.periods import FREQUENCIES
from analysis.rates import as_days
from analysis.results import EmptyDataWarning

#: d₂ for moving ranges of two consecutive values (E[range of 2 normals] / σ = 2/√π).
D2_MOVING_RANGE = 1.128
#: Width of the limits in standard errors.
DEFAULT_SIGMAS = 3.0
#: Columns of :func:`laney_p_chart` (:func:`laney_u_chart` has ``u`` in place of ``p``).
P_CHART_COLUMNS = ("p", "centre", "lcl", "ucl", "n", "z", "sigma_z", "outside")
U_CHART_COLUMNS = ("u", "centre", "lcl", "ucl", "n", "z", "sigma_z", "outside")

P_PRIME_METHOD = "Laney p′ chart (Laney 2002): binomial limits × σ_z from moving ranges of z"
U_PRIME_METHOD = "Laney u′ chart (Laney 2002): Poisson limits × σ_z from moving ranges of z"
P_METHOD = "Shewhart p chart: p̄ ± 3·sqrt(p̄(1 − p̄)/n)"
U_METHOD = "Shewhart u chart: ū ± 3·sqrt(ū/n)"


def _counts(values: Iterable[object], name: str) -> pd.Series:
    """``values`` as a float Series (index kept); ValueError on missing, non-numeric or < 0."""
    if isinstance(values, str | bytes) or np.ndim(values) != 1:
        raise ValueError(f"{name} must be a one-dimensional sequence of numbers")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    bad = numbers.isna() | ~np.isfinite(numbers) | (numbers < 0)
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"{name} must be finite numbers >= 0; got {series.iloc[position]!r} at position "
            f"{position}"
        )
    return numbers


def sigma_z(z: Iterable[float]) -> float:
    """Laney's ``σ_z = mean |zᵢ − zᵢ₋₁| / 1.128`` over consecutive non-missing z values.

    NaN when fewer than two values are present (no moving range exists).
    """
    values = np.asarray(list(z), dtype=float)
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return math.nan
    return float(np.abs(np.diff(values)).mean() / D2_MOVING_RANGE)


def _chart(
    events: pd.Series,
    size: pd.Series,
    variance: str,
    overdispersion: bool,
    sigmas: float,
    value_name: str,
) -> pd.DataFrame:
    """Shared p/u chart computation; ``variance`` is "binomial" or "poisson"."""
    if len(events) != len(size):
        raise ValueError(f"the two sequences differ in length ({len(events)} vs {len(size)})")
    if isinstance(sigmas, bool) or not isinstance(sigmas, int | float) or not sigmas > 0:
        raise ValueError(f"sigmas must be a positive number, got {sigmas!r}")
    x, n = events.to_numpy(dtype=float), size.to_numpy(dtype=float)
    has_data = n > 0
    total = n.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(has_data, x / n, np.nan)
        centre = x.sum() / total if total > 0 else math.nan
        if variance == "binomial":
            spread = centre * (1 - centre)
        else:
            spread = centre
        sigma_i = np.where(has_data, np.sqrt(spread / n), np.nan)
        # sigma_i is 0 only when p̄ is 0 or 1 (or ū is 0): then every period equals the centre.
        z = np.where(sigma_i > 0, (value - centre) / sigma_i, np.where(has_data, 0.0, np.nan))
    if not has_data.any():
        warnings.warn("No period has data: the control chart is empty.", EmptyDataWarning, 3)
    s_z = sigma_z(z) if overdispersion else 1.0
    half = sigmas * sigma_i * s_z
    lcl = np.clip(centre - half, 0.0, None)
    ucl = centre + half
    if variance == "binomial":
        ucl = np.clip(ucl, None, 1.0)
    outside = ((value > ucl) | (value < lcl)) & has_data & ~np.isnan(half)
    table = pd.DataFrame(
        {
            value_name: value,
            "centre": np.where(has_data, centre, np.nan) if total > 0 else np.nan,
            "lcl": lcl,
            "ucl": ucl,
            "n": size.to_numpy(),
            "z": z,
            "sigma_z": s_z,
            "outside": outside.astype(bool),
        },
        index=events.index,
    )
    table.attrs["centre"] = float(centre)
    table.attrs["sigma_z"] = float(s_z)
    return table


def laney_p_chart(
    events: Iterable[object],
    totals: Iterable[object],
    *,
    overdispersion: bool = True,
    sigmas: float = DEFAULT_SIGMAS,
) -> pd.DataFrame:
    """Laney p′ chart of a share per period (e.g. detractors among NPS answers, per month).

    Formulas: see the module docstring (Laney 2002). With ``overdispersion=False`` σ_z is fixed
    at 1, giving the plain Shewhart p-chart for comparison.

    Parameters
    ----------
    events, totals : Series or array-like of numbers
        Per period, the number of events (detractors, complaints) and of units they were counted
        among (answers, contacts); ``0 <= events <= totals``. A Series' index (e.g. the period
        start) becomes the index of the result. ValueError on missing or negative values,
        ``events > totals``, or different lengths.
    overdispersion : bool
        Apply Laney's σ_z (default) or not (plain p-chart).
    sigmas : float
        Limit width in standard errors, 3 by default.

    Returns
    -------
    DataFrame
        One row per period, columns :data:`P_CHART_COLUMNS`: ``p`` (share, 0–1), ``centre``
        (p̄), ``lcl`` and ``ucl`` (limits for that period's n, clipped to [0, 1]), ``n``
        (totals), ``z`` (standardised value), ``sigma_z`` (the chart's σ_z, repeated; NaN when
        fewer than two periods have data, which leaves the limits NaN), ``outside`` (p beyond a
        limit). ``attrs`` holds ``centre``, ``sigma_z`` and ``method``. Periods with n = 0 have
        NaN values and ``outside = False``.
    """
    x, n = _counts(events, "events"), _counts(totals, "totals")
    if len(x) == len(n) and (x.to_numpy() > n.to_numpy()).any():
        position = int(np.flatnonzero(x.to_numpy() > n.to_numpy())[0])
        raise ValueError(
            f"events exceed totals at position {position} ({x.iloc[position]:g} > "
            f"{n.iloc[position]:g})"
        )
    table = _chart(x, n, "binomial", overdispersion, sigmas, "p")
    if (n == n.round()).all():
        table["n"] = table["n"].astype(np.int64)
    table.attrs["method"] = P_PRIME_METHOD if overdispersion else P_METHOD
    return table


def laney_u_chart(
    counts: Iterable[object],
    exposure: Iterable[object],
    *,
    overdispersion: bool = True,
    sigmas: float = DEFAULT_SIGMAS,
) -> pd.DataFrame:
    """Laney u′ chart of a rate per unit per period (e.g. reopens per ticket, per month).

    For events that can occur several times per unit (so the share of units is not the right
    measure), with Poisson variance ``ū / eᵢ``. Formulas: see the module docstring; with
    ``overdispersion=False`` it is the plain Shewhart u-chart.

    Parameters
    ----------
    counts, exposure : Series or array-like of numbers
        Per period, the number of events and the exposure they occurred in (contacts, customer
        days); both >= 0. A Series' index becomes the result's index.
    overdispersion, sigmas
        As in :func:`laney_p_chart`.

    Returns
    -------
    DataFrame
        Columns :data:`U_CHART_COLUMNS`, as in :func:`laney_p_chart` with ``u`` (events per
        unit of exposure) in place of ``p``; the lower limit is clipped at 0, the upper is not.
    """
    c, e = _counts(counts, "counts"), _counts(exposure, "exposure")
    table = _chart(c, e, "poisson", overdispersion, sigmas, "u")
    table.attrs["method"] = U_PRIME_METHOD if overdispersion else U_METHOD
    return table


def period_counts(
    flags: Iterable[object], timestamps: Iterable[object], freq: str = "MS"
) -> pd.DataFrame:
    """Events and totals per calendar period, for a p′ chart of a yes/no flag.

    Parameters
    ----------
    flags : array-like of bool
        One flag per unit (``is_complaint`` per contact, "is a detractor" per answer); missing
        flags are left out.
    timestamps : array-like
        When each unit happened; units without a valid timestamp are left out.
    freq : {"W", "MS", "QS"}
        Weeks (Monday–Sunday), calendar months or quarters, as :func:`analysis.periods.by_period`.

    Returns
    -------
    DataFrame
        Indexed by ``period`` (first day of each period, from the first to the last dated unit,
        empty periods included), columns ``events`` and ``totals`` (ints). Feed them to
        :func:`laney_p_chart`.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {sorted(FREQUENCIES)}, got {freq!r}")
    days, _ = as_days(timestamps)
    known = pd.Series(list(flags) if not isinstance(flags, pd.Series) else flags.to_numpy())
    if len(known) != len(days):
        raise ValueError(f"flags ({len(known)}) and timestamps ({len(days)}) differ in length")
    present = known.notna()
    if not known[present].isin([True, False]).all():
        bad = known[present & ~known.isin([True, False])]
        raise ValueError(f"flags must be True/False (or missing); got {bad.iloc[0]!r}")
    keep = days.notna() & present
    periods = days[keep].dt.to_period(FREQUENCIES[freq])
    values = known[keep].astype(bool).astype(int)
    grouped = values.groupby(periods).agg(["sum", "size"])
    if grouped.empty:
        index = pd.DatetimeIndex([], name="period")
        return pd.DataFrame({"events": [], "totals": []}, index=index).astype(int)
    span = pd.period_range(grouped.index.min(), grouped.index.max(), freq=FREQUENCIES[freq])
    grouped = grouped.reindex(span, fill_value=0)
    return pd.DataFrame(
        {"events": grouped["sum"].to_numpy(int), "totals": grouped["size"].to_numpy(int)},
        index=pd.DatetimeIndex(span.start_time, name="period"),
    )


def complaint_chart(tickets: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """Laney p′ chart of complaints per contact: share of tickets with ``is_complaint`` true.

    A ticket is a complaint or not, so complaints per contact is a share (p′ chart); contacts
    with a missing flag or creation time are left out. Indexed by ``period`` as
    :func:`period_counts`; ``p`` is a proportion 0–1.
    """
    for column in ("is_complaint", "created_at"):
        if column not in tickets.columns:
            raise ValueError(f"tickets has no {column!r} column")
    counts = period_counts(tickets["is_complaint"], tickets["created_at"], freq)
    return laney_p_chart(counts["events"], counts["totals"])
