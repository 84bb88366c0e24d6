"""Retention, churn and survival: trends per period, cohorts, Kaplan–Meier curves, log-rank tests.

Definitions (DESIGN.md): **retention** = customers kept through a period ÷ customers at its
start; **churn** = customers lost ÷ customers at its start (:func:`analysis.rates.churn_rate`
counts both). A customer without a churn date, or whose churn date lies after ``as_of`` (a
scheduled cancellation), is still a customer: in survival terms *censored* at ``as_of``.

Survival curves are Kaplan–Meier estimates from ``scipy.stats.ecdf`` on right-censored data. The
interval transform is explicit (``conf_type``) because implementations differ: R's ``survfit``
uses ``"log"`` by default, lifelines and scipy's ``"log-log"`` option the log(−log) transform.
Groups are compared with the log-rank test (Mantel 1966; Peto & Peto 1972).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from analysis.at_risk import risk_signals
from analysis.rates import (
    DEFAULT_CONFIDENCE,
    FDR_LEVEL,
    FDR_METHOD,
    WILSON_METHOD,
    DateLike,
    as_day,
    as_days,
    as_series,
    benjamini_hochberg,
    check_confidence,
    churn_counts,
    proportion,
    proportion_change,
    wilson_percent_columns,
    z_value,
)
from analysis.referrals import referred_mask
from analysis.results import Estimate, sample_warnings

#: Interval transforms of :func:`kaplan_meier` (R survfit's ``conf.type`` names).
CONF_TYPES = ("log", "log-log", "linear")
KM_METHOD = "Kaplan–Meier (scipy.stats.ecdf), Greenwood variance"
LOGRANK_METHOD = "log-rank test (Mantel–Haenszel), χ² on k − 1 degrees of freedom"
#: Days in an average Gregorian month: the unit of cohort ages.
MONTH_DAYS = 365.2425 / 12
REVENUE_METHOD = "ratio estimator with linearised variance (Cochran 1977, §6.9), normal interval"
#: Columns of :func:`kaplan_meier`'s table, in order.
KM_COLUMNS = ("time", "survival", "ci_low", "ci_high", "at_risk", "events")


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan–Meier curve.

    Attributes
    ----------
    table : DataFrame
        Columns :data:`KM_COLUMNS`: a first row at time 0 (survival 1, everyone at risk), then
        one row per distinct event time: ``survival`` S(t) just after t, its ``confidence``
        interval ``ci_low``–``ci_high``, ``at_risk`` (durations ≥ t) and ``events`` at t.
    n, events : int
        Valid subjects and observed events.
    median, median_ci_low, median_ci_high : float
        Median survival time (NaN when the curve never reaches 0.5) and its interval: where the
        lower and upper bands first reach 0.5 (Brookmeyer & Crowley 1982, as R prints it).
    conf_type : str
        Interval transform, one of :data:`CONF_TYPES`.
    """

    table: pd.DataFrame
    n: int
    events: int
    median: float
    median_ci_low: float
    median_ci_high: float
    confidence: float
    conf_type: str
    excluded: int = 0
    warnings: tuple[str, ...] = field(default=())
    method: str = KM_METHOD
    durations: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)

    def __repr__(self) -> str:
        return (
            f"SurvivalCurve(n={self.n}, events={self.events}, median={self.median:g}, "
            f"conf_type={self.conf_type!r})"
        )

    def at(self, times: Iterable[float]) -> pd.DataFrame:
        """The curve read at ``times`` (a step function, right-continuous): table columns."""
        when = np.asarray(list(times), dtype=float)
        rows = np.searchsorted(self.table["time"].to_numpy(), when, side="right") - 1
        picked = self.table.iloc[np.clip(rows, 0, None)].reset_index(drop=True)
        at_risk = (self.durations[None, :] >= when[:, None]).sum(axis=1)
        return picked.assign(time=when, at_risk=at_risk, events=np.nan)


def _pairs(
    durations: Iterable[object], observed: Iterable[object]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(durations as floats, flags, validity mask) of equal-length inputs (else ValueError).

    A pair is valid when its duration is a finite number ≥ 0 and its flag is True/False/1/0.
    """
    times = pd.to_numeric(as_series(durations, "durations"), errors="coerce").astype(float)
    flags = as_series(observed, "observed")
    if len(times) != len(flags):
        raise ValueError(f"durations ({len(times)}) and observed ({len(flags)}) differ in length")
    known = flags.notna() & flags.isin([True, False, 0, 1])
    valid = (np.isfinite(times) & (times >= 0) & known).to_numpy()
    return times.to_numpy(), flags.where(known, False).to_numpy().astype(bool), valid


def _median_time(times: np.ndarray, curve: np.ndarray) -> float:
    """First time the curve is at or below 0.5; the midpoint when it sits at exactly 0.5."""
    below = np.flatnonzero(curve <= 0.5 + 1e-12)
    if not below.size:
        return math.nan
    first = below[0]
    if math.isclose(curve[first], 0.5) and first + 1 < len(times):
        return float((times[first] + times[first + 1]) / 2)
    return float(times[first])


def _bands(
    result: object,
    times: np.ndarray,
    survival: np.ndarray,
    greenwood: np.ndarray,
    confidence: float,
    conf_type: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Interval bounds at ``times`` (``result``: the ``scipy.stats.ecdf`` result).

    ``"log"`` (R's default): ``S · exp(±z · √G)`` with Greenwood's ``G = Σ d / (n (n − d))``,
    capped at 1. ``"log-log"`` and ``"linear"``: ``scipy``'s ``confidence_interval`` (Sawyer's
    exponential Greenwood and plain Greenwood, clipped to [0, 1]).
    """
    if conf_type == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            half = z_value(confidence) * np.sqrt(greenwood)
            low = np.where(survival > 0, survival * np.exp(-half), np.nan)
            high = np.where(survival > 0, np.minimum(1.0, survival * np.exp(half)), np.nan)
        return low, high
    interval = result.sf.confidence_interval(confidence, method=conf_type)
    return interval.low.evaluate(times), interval.high.evaluate(times)


def kaplan_meier(
    durations: Iterable[object],
    observed: Iterable[object],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    conf_type: str = "log",
) -> SurvivalCurve:
    """Kaplan–Meier survival curve with pointwise intervals and the median survival time.

    ``S(t) = Π over event times tᵢ ≤ t of (1 − dᵢ / nᵢ)`` with ``dᵢ`` events and ``nᵢ`` at risk
    (Kaplan & Meier 1958), computed by ``scipy.stats.ecdf`` on
    ``scipy.stats.CensoredData.right_censored``; variance by Greenwood (1926).

    Parameters
    ----------
    durations : array-like of numbers
        Time from origin to the event or to censoring (any unit, ≥ 0).
    observed : array-like of bool
        True where the event (churn) happened, False where the subject is censored.
    confidence : float
        Interval coverage.
    conf_type : {"log", "log-log", "linear"}
        Interval transform; ``"log"`` reproduces R ``survfit``'s default ``conf.type``.

    Returns
    -------
    SurvivalCurve
        Pairs with a missing, negative or non-finite duration or a missing flag are excluded
        and counted. No valid pair: an empty table, NaN median and ``n = 0``.
    """
    check_confidence(confidence)
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}, got {conf_type!r}")
    all_times, all_events, valid = _pairs(durations, observed)
    times, events = all_times[valid], all_events[valid]
    n, excluded = len(times), int((~valid).sum())
    notes = sample_warnings(n, excluded, "customers")
    start = (0.0, 1.0, 1.0, 1.0, n, 0)
    first = pd.DataFrame([start], columns=list(KM_COLUMNS))
    if n == 0 or not events.any():
        table = first if n else first.iloc[:0]
        median = math.nan
        return SurvivalCurve(
            table,
            n,
            0,
            median,
            median,
            median,
            confidence,
            conf_type,
            excluded,
            notes,
            durations=times,
        )
    result = stats.ecdf(stats.CensoredData.right_censored(times, ~events))
    event_times, deaths = np.unique(times[events], return_counts=True)
    at_risk = n - np.searchsorted(np.sort(times), event_times, side="left")
    survival = result.sf.evaluate(event_times)
    with np.errstate(divide="ignore"):
        greenwood = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
    low, high = _bands(result, event_times, survival, greenwood, confidence, conf_type)
    steps = pd.DataFrame(
        {
            "time": event_times.astype(float),
            "survival": survival,
            "ci_low": low,
            "ci_high": high,
            "at_risk": at_risk,
            "events": deaths,
        }
    )
    table = pd.concat([first, steps], ignore_index=True)
    return SurvivalCurve(
        table=table,
        n=n,
        events=int(events.sum()),
        median=_median_time(event_times, survival),
        median_ci_low=_median_time(event_times, np.nan_to_num(low, nan=1.0)),
        median_ci_high=_median_time(event_times, np.nan_to_num(high, nan=1.0)),
        confidence=confidence,
        conf_type=conf_type,
        excluded=excluded,
        warnings=notes,
        durations=times,
    )


@dataclass(frozen=True)
class LogRankResult:
    """k-sample log-rank test: ``statistic`` χ² on ``df`` degrees of freedom and its p-value.

    ``table``: one row per group with ``group``, ``n``, ``observed`` and ``expected`` events.
    """

    statistic: float
    df: int
    p_value: float
    table: pd.DataFrame
    method: str = LOGRANK_METHOD


def logrank_test(
    durations: Iterable[object], observed: Iterable[object], groups: Iterable[object]
) -> LogRankResult:
    """Log-rank test that the survival curves of all groups are equal.

    At each distinct event time t with ``d`` events among ``N`` at risk (``nₖ`` in group k):
    ``Eₖ = Σ d · nₖ / N`` and ``Vₖₗ = Σ d (N − d) / (N − 1) · nₖ / N · (δₖₗ − nₗ / N)``;
    ``χ² = (O − E)ᵀ V⁻ (O − E)`` over the first k − 1 groups, on k − 1 degrees of freedom
    (Peto & Peto 1972; R ``survival::survdiff`` with ``rho = 0``). With two groups this is the
    square of ``scipy.stats.logrank``'s statistic. Rows with a missing group are left out.
    NaN statistic with fewer than two groups or no events.
    """
    all_times, all_events, valid = _pairs(durations, observed)
    labels = as_series(groups, "groups")
    if len(labels) != len(all_times):
        raise ValueError(
            f"groups ({len(labels)}) and durations ({len(all_times)}) differ in length"
        )
    valid = valid & labels.notna().to_numpy()
    times, events = all_times[valid], all_events[valid]
    codes, names = pd.factorize(labels[valid], sort=True)
    k, event_times = len(names), np.unique(times[events])
    # at_risk[g, j], deaths[g, j]: group g at the j-th event time (sorting, not a dense grid)
    sizes = np.bincount(codes, minlength=k)
    slot = codes[events] * len(event_times) + np.searchsorted(event_times, times[events])
    deaths = np.bincount(slot, minlength=k * len(event_times)).reshape(k, len(event_times))
    table = pd.DataFrame({"group": list(names), "n": sizes, "observed": deaths.sum(axis=1)})
    if k < 2 or not len(event_times):
        return LogRankResult(math.nan, max(k - 1, 0), math.nan, table.assign(expected=math.nan))
    at_risk = np.stack(
        [sizes[g] - np.searchsorted(np.sort(times[codes == g]), event_times) for g in range(k)]
    )
    total, dead = at_risk.sum(axis=0), deaths.sum(axis=0)
    share = at_risk / total
    expected = (dead * share).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(total > 1, dead * (total - dead) / (total - 1), 0.0)
    variance = np.diag((weight * share).sum(axis=1)) - np.einsum(
        "t,kt,lt->kl", weight, share, share
    )
    diff = (deaths.sum(axis=1) - expected)[:-1]
    statistic = float(diff @ np.linalg.pinv(variance[:-1, :-1]) @ diff)
    return LogRankResult(
        statistic, k - 1, float(stats.chi2.sf(statistic, k - 1)), table.assign(expected=expected)
    )


# ------------------------------------------------------------------ customers → durations


def customer_durations(
    customers: pd.DataFrame, as_of: DateLike, *, origin: DateLike | None = None
) -> pd.DataFrame:
    """Each customer's time under observation, in days, and whether they churned.

    Without ``origin`` the clock starts at ``signup_date``. With ``origin`` (a landmark date),
    only customers *at the origin* take part — signed up before it and not churned before it,
    as :func:`analysis.rates.churn_rate` counts its base — and the clock starts at the origin:
    what happens after the landmark is then compared by what was known before it, which avoids
    the immortal-time bias of grouping by later experience.

    A customer churned when the churn date is on or before ``as_of``; otherwise (no churn
    date, or a scheduled one after ``as_of``) they are censored at ``as_of``. Customers with a
    missing signup date, a churn date before signup or a signup after ``as_of`` are left out
    (their number is in ``attrs["excluded"]``).

    Returns
    -------
    DataFrame
        ``customer_id``, ``start`` (Timestamp), ``days`` (float), ``churned`` (bool); the
        original index of ``customers``.
    """
    last = as_day("as_of", as_of)
    signup, bad_signup = as_days(customers["signup_date"])
    churn, bad_churn = as_days(customers["churn_date"])
    signup.index = churn.index = customers.index
    invalid = signup.isna() | bad_signup.to_numpy() | bad_churn.to_numpy() | (churn < signup)
    keep = ~invalid & (signup <= last)
    start = signup
    if origin is not None:
        first = as_day("origin", origin)
        keep &= (signup < first) & (churn.isna() | (churn >= first)) & (first <= last)
        start = pd.Series(first, index=customers.index)
    churned = churn.notna() & (churn <= last)
    end = churn.where(churned, last)
    frame = pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "start": start,
            "days": (end - start).dt.days.astype(float),
            "churned": churned,
        }
    ).loc[keep]
    frame.attrs["excluded"] = int(invalid.sum())
    return frame


#: Columns of :attr:`GroupSurvival.summary` before the log-rank counts.
SUMMARY_COLUMNS = (
    "group",
    "n",
    "events",
    "median",
    "median_ci_low",
    "median_ci_high",
    "retained",
    "retained_low",
    "retained_high",
    "too_small",
)


@dataclass(frozen=True)
class GroupSurvival:
    """Kaplan–Meier curves of several groups and the log-rank test between them.

    ``curves``: group → :class:`SurvivalCurve`; ``table``: the curves stacked (``group`` plus
    :data:`KM_COLUMNS`) for a chart and its CSV; ``summary``: per group ``n``, ``events``,
    ``median`` and its interval (NaN while more than half remain), ``retained`` (percent at
    the end of follow-up) and its interval, ``too_small``, ``observed`` and ``expected``
    events; ``test``: the log-rank
    test over the groups with at least ``min_n`` customers (``too_small`` groups are drawn but
    not tested).
    """

    curves: dict[str, SurvivalCurve]
    table: pd.DataFrame
    summary: pd.DataFrame
    test: LogRankResult


def survival_by_group(
    durations: pd.DataFrame,
    groups: pd.Series,
    *,
    min_n: int = 30,
    confidence: float = DEFAULT_CONFIDENCE,
    conf_type: str = "log",
) -> GroupSurvival:
    """Kaplan–Meier curve per group of ``groups`` (aligned on ``durations``' index) + log-rank.

    ``durations`` is a :func:`customer_durations` frame. Customers whose group is missing are
    left out. Groups with fewer than ``min_n`` customers are kept apart from the test (a
    curve on a handful of customers is mostly noise).
    """
    labels = groups.reindex(durations.index)
    curves, rows, stacked = {}, [], []
    for name in sorted(labels.dropna().unique(), key=str):
        chosen = durations.loc[labels == name]
        curve = kaplan_meier(
            chosen["days"], chosen["churned"], confidence=confidence, conf_type=conf_type
        )
        curves[str(name)] = curve
        stacked.append(curve.table.assign(group=str(name)))
        rows.append(
            (
                str(name),
                curve.n,
                curve.events,
                curve.median,
                curve.median_ci_low,
                curve.median_ci_high,
                100 * curve.table["survival"].iloc[-1],
                100 * curve.table["ci_low"].iloc[-1],
                100 * curve.table["ci_high"].iloc[-1],
                curve.n < min_n,
            )
        )
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    tested = labels.where(labels.astype(str).isin(summary.loc[~summary["too_small"], "group"]))
    test = logrank_test(durations["days"], durations["churned"], tested.astype(object))
    expected = test.table.assign(group=test.table["group"].astype(str))
    summary = summary.merge(expected[["group", "observed", "expected"]], on="group", how="left")
    columns = ["group", *KM_COLUMNS]
    table = (
        pd.concat(stacked, ignore_index=True)[columns] if stacked else pd.DataFrame(columns=columns)
    )
    return GroupSurvival(curves, table, summary, test)


# ------------------------------------------------------------------------------- cohorts


def cohort_table(
    customers: pd.DataFrame,
    as_of: DateLike,
    *,
    months: int = 12,
    first_cohort: DateLike | None = None,
) -> pd.DataFrame:
    """Retention of each signup-month cohort 0…``months`` months after signup.

    A customer is *observed* at month k when ``signup + k · MONTH_DAYS`` days is on or before
    ``as_of``, and *retained* at month k when they had not churned by then. Each cell is
    retained ÷ observed among the cohort's customers observed at k (customers of a young
    cohort are observed for fewer months: its later cells are empty, not zero). Cohorts before
    ``first_cohort`` are left out (use the first month the source records churn for: a source
    that lists only customers still present at its start would make older cohorts look loyal).

    Returns
    -------
    DataFrame
        Long table: ``cohort`` (first day of the signup month), ``size`` (customers in the
        cohort), ``month`` (k), ``n`` (observed at k), ``retained``, ``value`` (percent,
        NaN when ``n`` = 0), ``ci_low``, ``ci_high`` (Wilson).
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"months must be a whole number >= 1, got {months!r}")
    durations = customer_durations(customers, as_of)
    if first_cohort is not None:
        durations = durations.loc[durations["start"] >= as_day("first_cohort", first_cohort)]
    cohort = durations["start"].dt.to_period("M").dt.start_time
    ages = np.arange(months + 1) * MONTH_DAYS
    last = as_day("as_of", as_of)
    followed = ((last - durations["start"]).dt.days.to_numpy(dtype=float))[:, None]
    observed = followed >= ages[None, :]
    alive = ~durations["churned"].to_numpy()[:, None] | (
        durations["days"].to_numpy()[:, None] > ages[None, :]
    )
    cells = pd.DataFrame(
        {
            "cohort": np.repeat(cohort.to_numpy(), months + 1),
            "month": np.tile(np.arange(months + 1), len(durations)),
            "n": observed.ravel().astype(int),
            "retained": (observed & alive).ravel().astype(int),
        }
    )
    table = cells.groupby(["cohort", "month"], as_index=False)[["n", "retained"]].sum()
    sizes = cohort.value_counts().rename("size")
    table = table.merge(sizes, left_on="cohort", right_index=True)
    table["value"], table["ci_low"], table["ci_high"] = wilson_percent_columns(
        table["retained"].to_numpy(), table["n"].to_numpy()
    )
    columns = ["cohort", "size", "month", "n", "retained", "value", "ci_low", "ci_high"]
    return table[columns].sort_values(["cohort", "month"], ignore_index=True)


def pooled_retention(
    customers: pd.DataFrame,
    as_of: DateLike,
    *,
    months: int = 12,
    first_cohort: DateLike | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    conf_type: str = "log",
) -> pd.DataFrame:
    """Retention k months after signup pooled over all cohorts: the Kaplan–Meier curve.

    Every cohort contributes to month k as long as it is observed, and a young cohort stops
    contributing where its follow-up ends (censoring) instead of counting as lost — the
    life-table logic. A plain average of :func:`cohort_table`'s cells would weigh each cohort
    equally whatever its size, and mix different sets of cohorts at different months.

    Returns
    -------
    DataFrame
        ``month`` 0…``months``, ``value`` (retention %, KM survival at ``month · MONTH_DAYS``
        days), ``ci_low``, ``ci_high`` (percent, ``conf_type`` transform), ``at_risk``
        (customers still followed at that age). Months beyond the longest follow-up are NaN.
    """
    durations = customer_durations(customers, as_of)
    if first_cohort is not None:
        durations = durations.loc[durations["start"] >= as_day("first_cohort", first_cohort)]
    curve = kaplan_meier(
        durations["days"], durations["churned"], confidence=confidence, conf_type=conf_type
    )
    ages = np.arange(months + 1) * MONTH_DAYS
    read = curve.at(ages)
    beyond = ages > (durations["days"].max() if len(durations) else -1)
    result = pd.DataFrame(
        {
            "month": np.arange(months + 1),
            "value": 100 * read["survival"],
            "ci_low": 100 * read["ci_low"],
            "ci_high": 100 * read["ci_high"],
            "at_risk": read["at_risk"],
        }
    )
    result.loc[beyond, ["value", "ci_low", "ci_high"]] = math.nan
    return result


# -------------------------------------------------------------------------------- trends


def retention_estimate(churn: Estimate) -> Estimate:
    """Retention = 100 − churn, on the same customers at start; the interval mirrored."""
    return Estimate(
        value=100 - churn.value,
        ci_low=100 - churn.ci_high,
        ci_high=100 - churn.ci_low,
        n=churn.n,
        confidence=churn.confidence,
        method=churn.method,
        excluded=churn.excluded,
        warnings=churn.warnings,
    )


def revenue_retention(
    revenue: Iterable[object], kept: Iterable[object], *, confidence: float = DEFAULT_CONFIDENCE
) -> Estimate:
    """Share of the starting customers' revenue still with the company, in percent.

    ``R = Σ wᵢ kᵢ / Σ wᵢ`` over customers at start with known revenue ``wᵢ`` ≥ 0 and
    ``kᵢ`` = 1 when kept. Interval ``R ± z · √v`` with the ratio estimator's linearised
    variance ``v = n / (n − 1) · Σ wᵢ² (kᵢ − R)² / (Σ wᵢ)²`` (Cochran 1977, §6.9), clipped to
    0–100. ``n`` = customers with known revenue; others are excluded and counted.
    """
    check_confidence(confidence)
    weights = pd.to_numeric(as_series(revenue, "revenue"), errors="coerce").to_numpy(float)
    flags = as_series(kept, "kept").to_numpy().astype(bool)
    if len(weights) != len(flags):
        raise ValueError("revenue and kept differ in length")
    valid = np.isfinite(weights) & (weights >= 0)
    w, k = weights[valid], flags[valid]
    n, excluded = int(valid.sum()), int((~valid).sum())
    notes = sample_warnings(n, excluded, "customers")
    total = w.sum()
    if n < 2 or total == 0:
        value = 100 * float((w * k).sum() / total) if total else math.nan
        return Estimate(value, math.nan, math.nan, n, confidence, REVENUE_METHOD, excluded, notes)
    ratio = float((w * k).sum() / total)
    half = (
        z_value(confidence)
        * math.sqrt(n / (n - 1) * float((w**2 * (k - ratio) ** 2).sum()))
        / total
    )
    return Estimate(
        value=100 * ratio,
        ci_low=100 * max(0.0, ratio - half),
        ci_high=100 * min(1.0, ratio + half),
        n=n,
        confidence=confidence,
        method=REVENUE_METHOD,
        excluded=excluded,
        warnings=notes,
    )


#: Columns of :func:`retention_trend`, in order (revenue columns only with revenue data).
TREND_COLUMNS = (
    "period",
    "period_end",
    "complete",
    "n",
    "lost",
    "churn",
    "churn_low",
    "churn_high",
    "retention",
    "retention_low",
    "retention_high",
    "change",
    "change_low",
    "change_high",
    "p_value",
    "q_value",
    "significant",
)


def retention_trend(
    customers: pd.DataFrame,
    start: DateLike,
    end: DateLike,
    freq: str = "MS",
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Churn and retention per calendar month (``"MS"``) or quarter (``"QS"``) in ``[start, end]``.

    Each period's base is the customers at its start (:func:`analysis.rates.churn_counts`);
    churn = lost ÷ base, retention = kept ÷ base, Wilson intervals. ``change`` is the churn
    change in percentage points from the previous period, with Newcombe's interval and the
    pooled z-test (:func:`analysis.rates.proportion_change`); ``q_value`` its
    Benjamini–Hochberg q over the periods tested; ``significant`` only when q is below
    :data:`~analysis.rates.FDR_LEVEL`. A period cut by ``start`` or ``end`` is measured within
    them and marked ``complete = False``: its churn covers fewer days, so no change is tested
    to or from it. With a ``revenue`` column, also ``revenue_retention`` (percent of the
    base's revenue kept) and its interval
    (:func:`revenue_retention`).
    """
    offsets = {"MS": "M", "QS": "Q-DEC"}
    if freq not in offsets:
        raise ValueError(f"freq must be one of {sorted(offsets)}, got {freq!r}")
    first, last = as_day("start", start), as_day("end", end)
    if first > last:
        raise ValueError(f"start ({first.date()}) is after end ({last.date()})")
    periods = pd.period_range(first, last, freq=offsets[freq])
    has_revenue = "revenue" in customers.columns and customers["revenue"].notna().any()
    signup, _ = as_days(customers["signup_date"])
    churn, _ = as_days(customers["churn_date"])
    rows, previous = [], None
    for period in periods:
        begin = max(period.start_time, first)
        finish = min(period.end_time.normalize(), last)
        lost, n = churn_counts(customers["signup_date"], customers["churn_date"], begin, finish)
        rate = proportion(lost, n, confidence=confidence)
        kept = retention_estimate(rate)
        complete = begin == period.start_time and finish == period.end_time.normalize()
        # A period cut short by the start or end churns over fewer days: not comparable.
        change = (
            proportion_change(*previous, lost, n, confidence=confidence)
            if previous is not None and complete
            else None
        )
        row = {
            "period": period.start_time,
            "period_end": finish,
            "complete": complete,
            "n": n,
            "lost": lost,
            "churn": rate.value,
            "churn_low": rate.ci_low,
            "churn_high": rate.ci_high,
            "retention": kept.value,
            "retention_low": kept.ci_low,
            "retention_high": kept.ci_high,
            "change": change.change if change else math.nan,
            "change_low": change.ci_low if change else math.nan,
            "change_high": change.ci_high if change else math.nan,
            "p_value": change.p_value if change else math.nan,
        }
        if has_revenue:
            base = (signup < begin) & (churn.isna() | (churn >= begin)) & ~(churn < signup)
            stayed = churn.isna() | (churn > finish)
            money = revenue_retention(
                customers["revenue"].to_numpy()[base.to_numpy()],
                stayed.to_numpy()[base.to_numpy()],
                confidence=confidence,
            )
            row |= {
                "revenue_retention": money.value,
                "revenue_low": money.ci_low,
                "revenue_high": money.ci_high,
            }
        rows.append(row)
        previous = (lost, n) if complete else None
    table = pd.DataFrame(rows)
    # Many periods are tested at once: a star only after Benjamini–Hochberg over them.
    table["q_value"] = benjamini_hochberg(table["p_value"]) if len(table) else []
    table["significant"] = (table["q_value"] < FDR_LEVEL).astype(bool)
    table.attrs.update(
        method=WILSON_METHOD,
        revenue_method=REVENUE_METHOD if has_revenue else "",
        fdr_method=FDR_METHOD,
    )
    return table


def churned_between(customers: pd.DataFrame, start: DateLike, end: DateLike) -> pd.DataFrame:
    """The customers counted as lost in ``[start, end]`` by :func:`analysis.rates.churn_rate`:
    at the start (signed up before it, not churned before it) with a churn date within it."""
    first, last = as_day("start", start), as_day("end", end)
    signup, _ = as_days(customers["signup_date"])
    churn, _ = as_days(customers["churn_date"])
    lost = (signup < first) & (churn >= first) & (churn <= last) & ~(churn < signup)
    return customers.loc[lost.to_numpy()].sort_values("churn_date", ignore_index=True)


#: Splits of :func:`split_labels`: key → label shown on the page.
SPLITS = {
    "segment": "Segment",
    "region": "Region",
    "acquisition_channel": "Acquisition channel",
    "referred": "Referred vs other",
    "department": "Department of last contact",
    "unresolved_complaint": "Unresolved complaint",
    "detractor": "Recent NPS detractor",
}


def split_labels(
    customers: pd.DataFrame,
    tickets: pd.DataFrame,
    surveys: pd.DataFrame,
    landmark: DateLike,
    by: str,
) -> pd.Series:
    """Each customer's group for survival curves split ``by`` (a key of :data:`SPLITS`).

    Experience splits are read **at the landmark**, from contacts and answers before it:
    ``department`` of the last contact before the landmark ("no contact" when none);
    ``unresolved_complaint`` and ``detractor`` as :func:`analysis.at_risk.risk_signals` at the
    landmark. Customer attributes (segment, region, acquisition channel, referred or not) are
    taken as recorded. Index of ``customers``; missing where a customer has no value.
    """
    if by not in SPLITS:
        raise ValueError(f"by must be one of {sorted(SPLITS)}, got {by!r}")
    if by in ("segment", "region", "acquisition_channel"):
        return customers[by]
    if by == "referred":
        return referred_mask(customers).map({True: "referred", False: "other"})
    day = as_day("landmark", landmark)
    if by == "department":
        before = tickets.loc[
            tickets["created_at"] < day, ["customer_id", "created_at", "department"]
        ]
        last = before.sort_values("created_at", kind="stable").drop_duplicates(
            "customer_id", keep="last"
        )
        # Hash lookup on plain objects: Arrow-backed isin and map loop in Python.
        row = pd.Index(last["customer_id"].astype(object)).get_indexer(
            customers["customer_id"].astype(object)
        )
        department = last["department"].to_numpy(dtype=object)[np.clip(row, 0, None)]
        return pd.Series(np.where(row >= 0, department, "no contact"), index=customers.index)
    signals = risk_signals(customers, tickets, surveys, day - pd.Timedelta(days=1))
    flags = customers["customer_id"].map(signals.set_index("customer_id")[by])
    label = SPLITS[by].lower()
    return flags.map({True: label, False: f"no {label}"})
