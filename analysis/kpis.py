"""The Overview's headline KPIs for a period, each compared with the period just before it.

Every KPI is one registered metric (:mod:`analysis.definitions`) over the period, the same metric
over the previous period of equal length, and the test of the change, so a tile can say
"significant" only when the change is outside noise. When the previous period starts before the
data does, there is nothing honest to compare with: the comparison is left out, with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis import loyalty, rates
from analysis.periods import by_period, previous_period
from analysis.rates import DateLike, as_day
from analysis.results import ChangeResult, Estimate
from analysis.views import served_before

OVERVIEW_KPIS = ("nps", "csi", "csat", "ces", "ces_low_effort", "complaints", "churn")

Period = tuple[pd.Timestamp, pd.Timestamp]


@dataclass(frozen=True)
class Tables:
    """The (already sliced) canonical tables a KPI is computed from.

    ``served_only``: a department or channel filter is active, so the customer base of churn is
    the customers those tickets served before each period (:func:`analysis.views.served_before`).
    """

    customers: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    served_only: bool = False


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
    counts = (rates.count_of(_complaint_flags(tables, p)).value for p in (before, now))
    return rates.count_change(*(int(c) for c in counts))


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


KPIS: dict[str, Kpi] = {
    **{key: metric.kpi() for key, metric in SURVEY_METRICS.items()},
    "complaints": Kpi(lambda t, p: rates.count_of(_complaint_flags(t, p)), _compare_complaints),
    "churn": Kpi(_measure_churn, _compare_churn),
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
