"""The Overview's headline KPIs for a period, each compared with the period just before it.

Every KPI is one registered metric (:mod:`analysis.definitions`) over the period, the same metric
over the previous period of equal length, and the test of the change, so a tile can say
"significant" only when the change is outside noise. When the previous period starts before the
data does, there is nothing honest to compare with: the comparison is left out, with a note.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis import loyalty, rates, referrals, retention, service
from analysis.periods import by_period, previous_period
from analysis.rates import DEFAULT_CONFIDENCE, DateLike, as_day, check_confidence
from analysis.results import ChangeResult, Estimate, change_result, sample_warnings
from analysis.views import served_before

OVERVIEW_KPIS = (
    "nps",
    "csi",
    "csat",
    "ces",
    "ces_low_effort",
    "complaints",
    "churn",
    "retention",
    "referral_rate",
    "sla",
    "fcr",
    "first_response_time",
)

Period = tuple[pd.Timestamp, pd.Timestamp]


@dataclass(frozen=True)
class Tables:
    """The (already sliced) canonical tables a KPI is computed from.

    ``served_only``: a department or channel filter is active, so the customer base of churn is
    the customers those tickets served before each period (:func:`analysis.views.served_before`).
    ``standards``: the speed standards of the ``sla`` KPI (None: the DESIGN.md defaults).
    """

    customers: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    served_only: bool = False
    standards: service.ServiceStandards | None = None


@dataclass(frozen=True)
class KpiComparison:
    """A metric over the period and, when the data reaches back far enough, the previous one."""

    key: str
    current: Estimate
    previous: Estimate | None
    change: ChangeResult | None
    note: str | None = None  # why there is no comparison


@dataclass(frozen=True)
class Kpi:
    """How to measure one KPI over a period and test its change between two periods."""

    measure: Callable[[Tables, Period], Estimate]
    compare: Callable[[Tables, Period, Period], ChangeResult]


def in_period(frame: pd.DataFrame, column: str, start: DateLike, end: DateLike) -> pd.DataFrame:
    """Rows whose ``column`` falls on a day within ``[start, end]`` (dates inclusive)."""
    first, last = as_day("start", start), as_day("end", end)
    stamps = frame[column]
    return frame.loc[(stamps >= first) & (stamps < last + pd.Timedelta(days=1))]


def survey_scores(
    surveys: pd.DataFrame, survey_type: str, start: DateLike, end: DateLike
) -> pd.Series:
    """Scores of ``survey_type`` answers given within ``[start, end]``."""
    chosen = in_period(
        surveys.loc[surveys["survey_type"] == survey_type], "responded_at", start, end
    )
    return chosen["score"]


@dataclass(frozen=True)
class SurveyMetric:
    """A KPI computed from one survey type's scores: its estimate and its change test."""

    survey_type: str
    estimate: Callable[[pd.Series], Estimate]
    change: Callable[[pd.Series, pd.Series], ChangeResult]

    def kpi(self) -> Kpi:
        def scores(tables: Tables, period: Period) -> pd.Series:
            return survey_scores(tables.surveys, self.survey_type, *period)

        return Kpi(
            measure=lambda t, p: self.estimate(scores(t, p)),
            compare=lambda t, before, now: self.change(scores(t, before), scores(t, now)),
        )


SURVEY_METRICS: dict[str, SurveyMetric] = {
    "nps": SurveyMetric("nps", loyalty.nps, loyalty.nps_change),
    "csi": SurveyMetric(
        "csat", lambda s: loyalty.csat(s).csi(), lambda a, b: loyalty.csat_change(a, b).mean
    ),
    "csat": SurveyMetric(
        "csat", lambda s: loyalty.csat(s).csat_share(), lambda a, b: loyalty.csat_change(a, b).share
    ),
    "ces": SurveyMetric(
        "ces", lambda s: loyalty.ces(s).ces_mean(), lambda a, b: loyalty.ces_change(a, b).mean
    ),
    "ces_low_effort": SurveyMetric(
        "ces",
        lambda s: loyalty.ces(s).low_effort_share(),
        lambda a, b: loyalty.ces_change(a, b).share,
    ),
}


def _complaint_flags(tables: Tables, period: Period) -> pd.Series:
    return in_period(tables.tickets, "created_at", *period)["is_complaint"]


def _compare_complaints(tables: Tables, before: Period, now: Period) -> ChangeResult:
    """Complaint counts compared at the same daily rate (calendar months differ in length)."""
    counts = (rates.count_of(_complaint_flags(tables, p)).value for p in (before, now))
    days = tuple(float((as_day("end", e) - as_day("start", s)).days + 1) for s, e in (before, now))
    return rates.count_change(*(int(c) for c in counts), days=days)


def _churn_base(tables: Tables, period: Period) -> pd.DataFrame:
    if tables.served_only:
        return served_before(tables.customers, tables.tickets, period[0])
    return tables.customers


def _measure_churn(tables: Tables, period: Period) -> Estimate:
    base = _churn_base(tables, period)
    return rates.churn_rate(base["signup_date"], base["churn_date"], *period)


def _churn_counts(tables: Tables, period: Period) -> tuple[int, int]:
    base = _churn_base(tables, period)
    return rates.churn_counts(base["signup_date"], base["churn_date"], *period)


def _compare_churn(tables: Tables, before: Period, now: Period) -> ChangeResult:
    (lost_before, n_before), (lost_now, n_now) = (
        _churn_counts(tables, before),
        _churn_counts(tables, now),
    )
    return rates.proportion_change(lost_before, n_before, lost_now, n_now)


def _compare_retention(tables: Tables, before: Period, now: Period) -> ChangeResult:
    """Retention change = −(churn change): the same counts, kept instead of lost."""
    (lost_before, n_before), (lost_now, n_now) = (
        _churn_counts(tables, before),
        _churn_counts(tables, now),
    )
    return rates.proportion_change(n_before - lost_before, n_before, n_now - lost_now, n_now)


def _referral_base(tables: Tables, period: Period) -> pd.DataFrame:
    """New customers of a department or channel filter: those it served during the period."""
    if not tables.served_only:
        return tables.customers
    served = in_period(tables.tickets, "created_at", *period)["customer_id"].unique()
    return tables.customers.loc[tables.customers["customer_id"].isin(served)]


def _compare_referrals(tables: Tables, before: Period, now: Period) -> ChangeResult:
    (k_before, n_before), (k_now, n_now) = (
        referrals.referral_counts(_referral_base(tables, before), *before),
        referrals.referral_counts(_referral_base(tables, now), *now),
    )
    return rates.proportion_change(k_before, n_before, k_now, n_now)


# ------------------------------------------------------------------------- service KPIs
#
# The service KPIs are measured on the COHORT of tickets created in each period
# (:func:`analysis.service.select_basis` with ``basis="created"``), so both periods count the
# same kind of contact; the Service quality page offers the throughput view too.


def _cohort(tables: Tables, period: Period) -> pd.DataFrame:
    return service.select_basis(tables.tickets, "created", period)


def _measure_sla(tables: Tables, period: Period) -> Estimate:
    """First-tier compliance of the period's cohort.

    ``as_of`` (when an unanswered contact becomes a certain miss) is the latest timestamp in the
    whole tickets table (:func:`analysis.service.latest_stamp`), not in the period: a February
    ticket still unanswered in March is late, not "not yet due".
    """
    return service.first_tier_compliance(
        _cohort(tables, period), tables.standards, as_of=service.latest_stamp(tables.tickets)
    )


def _successes(estimate: Estimate) -> tuple[int, int]:
    """(k, n) behind a percent share ``100 · k / n`` (exact: k is a whole number)."""
    if estimate.n == 0:
        return 0, 0
    return round(estimate.value * estimate.n / 100), estimate.n


def _share_change(measure: Callable[[Tables, Period], Estimate]) -> Callable[..., ChangeResult]:
    """Change test of a share KPI: Newcombe interval and pooled z on the counts behind it."""

    def compare(tables: Tables, before: Period, now: Period) -> ChangeResult:
        (k_before, n_before), (k_now, n_now) = (
            _successes(measure(tables, before)),
            _successes(measure(tables, now)),
        )
        return rates.proportion_change(k_before, n_before, k_now, n_now)

    return compare


def _measure_fcr(tables: Tables, period: Period) -> Estimate:
    return service.fcr_rate(_cohort(tables, period))


def _response_seconds(tables: Tables, period: Period) -> tuple[np.ndarray, int]:
    """Valid first-response seconds of the cohort and the clock errors among it."""
    seconds, negative = service.durations(_cohort(tables, period), "response")
    return seconds.to_numpy(dtype="float64"), int(negative.sum())


def _measure_first_response(tables: Tables, period: Period) -> Estimate:
    seconds, negative = _response_seconds(tables, period)
    return service.time_summary(seconds, negative=negative).median_estimate()


def _compare_first_response(tables: Tables, before: Period, now: Period) -> ChangeResult:
    return median_change(_response_seconds(tables, before)[0], _response_seconds(tables, now)[0])


#: Method of :func:`median_change`.
MEDIAN_CHANGE_METHOD = (
    "difference of medians; interval Bonett & Price (2002), p-value Mood's median test "
    "(scipy.stats.median_test)"
)


def _median_variance(ordered: np.ndarray) -> float:
    """Bonett & Price (2002) variance of a sample median from two order statistics.

    ``c = round(n/2 − √n)``, ``z = Φ⁻¹(1 − P(Binomial(n, ½) ≤ c − 1))``,
    ``var = ((X(n−c+1) − X(c)) / (2z))²`` (McKean & Schrader 1984). NaN when c < 1 (n < 6).
    """
    n = len(ordered)
    c = round(n / 2 - math.sqrt(n))
    if c < 1:
        return math.nan
    z = stats.norm.isf(stats.binom.cdf(c - 1, n, 0.5))
    return float(((ordered[n - c] - ordered[c - 1]) / (2 * z)) ** 2)


def median_change(
    before: Iterable[float], after: Iterable[float], *, confidence: float = DEFAULT_CONFIDENCE
) -> ChangeResult:
    """Change of a median, ``median(after) − median(before)``, with its interval and test.

    Interval: Bonett & Price (2002), Psychological Methods 7(3):370–383, ``Δ ± z · √(v₁ + v₂)``
    with each median's distribution-free variance (:func:`_median_variance`); it assumes few
    ties. Chosen over a bootstrap because it needs one sort per side: a 2,000-resample
    bootstrap of 100,000 contacts takes seconds, too slow for the Overview. p-value: Mood's
    median test (Pearson χ² on the 2×2 table above/below the pooled median, Yates-corrected;
    ``scipy.stats.median_test(after, before)``), NaN when every value lies on one side of the
    pooled median. Significance follows the p-value. Missing, infinite and negative values are
    left out. NaN change when a side is empty; NaN interval when a side has fewer than 6.
    """
    check_confidence(confidence)
    sides = []
    for values in (before, after):
        array = np.asarray(values, dtype="float64")
        sides.append(np.sort(array[np.isfinite(array) & (array >= 0)]))
    sizes = (len(sides[0]), len(sides[1]))
    notes = sample_warnings(sizes[0], 0, "durations before") + sample_warnings(
        sizes[1], 0, "durations after"
    )
    if 0 in sizes:
        nan = (math.nan, math.nan)
        return change_result(
            math.nan, nan, math.nan, sizes, MEDIAN_CHANGE_METHOD, confidence, notes
        )
    change = float(np.median(sides[1]) - np.median(sides[0]))
    half = stats.norm.isf((1 - confidence) / 2) * math.sqrt(
        _median_variance(sides[0]) + _median_variance(sides[1])
    )
    try:
        p_value = float(stats.median_test(sides[1], sides[0])[1])
    except ValueError:  # all values on one side of the pooled median: the test is undefined
        p_value = math.nan
    return change_result(
        change,
        (change - half, change + half),
        p_value,
        sizes,
        MEDIAN_CHANGE_METHOD,
        confidence,
        notes,
    )


KPIS: dict[str, Kpi] = {
    **{key: metric.kpi() for key, metric in SURVEY_METRICS.items()},
    "complaints": Kpi(lambda t, p: rates.count_of(_complaint_flags(t, p)), _compare_complaints),
    "churn": Kpi(_measure_churn, _compare_churn),
    "retention": Kpi(
        lambda t, p: retention.retention_estimate(_measure_churn(t, p)), _compare_retention
    ),
    "referral_rate": Kpi(
        lambda t, p: referrals.referral_rate(_referral_base(t, p), *p), _compare_referrals
    ),
    "sla": Kpi(_measure_sla, _share_change(_measure_sla)),
    "fcr": Kpi(_measure_fcr, _share_change(_measure_fcr)),
    "first_response_time": Kpi(_measure_first_response, _compare_first_response),
}


def survey_trend(surveys: pd.DataFrame, key: str, freq: str = "MS") -> pd.DataFrame:
    """The survey KPI ``key`` per calendar period (see :func:`analysis.periods.by_period`)."""
    metric = SURVEY_METRICS[key]
    chosen = surveys.loc[surveys["survey_type"] == metric.survey_type]
    return by_period(chosen["score"], chosen["responded_at"], metric.estimate, freq)


def overview_kpis(
    tables: Tables,
    start: DateLike,
    end: DateLike,
    keys: tuple[str, ...] = OVERVIEW_KPIS,
    *,
    data_start: DateLike | None = None,
) -> dict[str, KpiComparison]:
    """Each KPI in ``keys`` over ``[start, end]`` against the previous period of equal length.

    ``data_start`` is the first day the source has data for; when the previous period begins
    before it, no comparison is made (``previous`` and ``change`` are None, ``note`` says why).
    """
    unknown = set(keys) - set(KPIS)
    if unknown:
        raise ValueError(f"unknown KPI(s): {', '.join(sorted(unknown))}")
    now = (as_day("start", start), as_day("end", end))
    before = previous_period(*now)
    comparable = data_start is None or before[0] >= as_day("data_start", data_start)
    note = (
        None
        if comparable
        else (
            f"No comparison: the previous period ({before[0]:%d %b %Y} – {before[1]:%d %b %Y}) "
            "starts before the data does."
        )
    )
    results = {}
    for key in keys:
        kpi = KPIS[key]
        current = kpi.measure(tables, now)
        if comparable:
            results[key] = KpiComparison(
                key, current, kpi.measure(tables, before), kpi.compare(tables, before, now)
            )
        else:
            results[key] = KpiComparison(key, current, None, None, note)
    return results
