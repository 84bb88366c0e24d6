"""The Overview's headline KPIs for a period, each compared with the period just before it.

Every KPI is the value of one registered metric (:mod:`analysis.definitions`) over the period,
plus the same metric over the previous period of equal length and the test of the change, so a
tile can say "significant" only when the change is outside noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis import loyalty, rates
from analysis.periods import by_period, previous_period
from analysis.rates import DateLike, as_day
from analysis.results import ChangeResult, Estimate

OVERVIEW_KPIS = ("nps", "csi", "csat", "ces", "complaints", "churn")


@dataclass(frozen=True)
class KpiComparison:
    """A metric over the period, the previous period and the change between them."""

    key: str
    current: Estimate
    previous: Estimate
    change: ChangeResult


def in_period(frame: pd.DataFrame, column: str, start: DateLike, end: DateLike) -> pd.DataFrame:
    """Rows whose ``column`` falls on a day within ``[start, end]`` (dates inclusive)."""
    first, last = as_day("start", start), as_day("end", end)
    stamps = frame[column]
    return frame.loc[(stamps >= first) & (stamps < last + pd.Timedelta(days=1))]


def survey_scores(surveys: pd.DataFrame, survey_type: str, start: DateLike, end: DateLike) -> pd.Series:
    """Scores of ``survey_type`` answers given within ``[start, end]``."""
    chosen = in_period(surveys.loc[surveys["survey_type"] == survey_type], "responded_at", start, end)
    return chosen["score"]


@dataclass(frozen=True)
class SurveyMetric:
    """A KPI computed from one survey type's scores: its estimate and its change test."""

    survey_type: str
    estimate: Callable[[pd.Series], Estimate]
    change: Callable[[pd.Series, pd.Series], ChangeResult]


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
}


def _survey_kpi(key: str) -> Callable[..., KpiComparison]:
    metric = SURVEY_METRICS[key]

    def compute(surveys: pd.DataFrame, periods: tuple[tuple, tuple], **_: object) -> KpiComparison:
        before, now = (survey_scores(surveys, metric.survey_type, *p) for p in periods)
        return KpiComparison(key, metric.estimate(now), metric.estimate(before), metric.change(before, now))

    return compute


def survey_trend(surveys: pd.DataFrame, key: str, freq: str = "MS") -> pd.DataFrame:
    """The survey KPI ``key`` per calendar period (see :func:`analysis.periods.by_period`)."""
    metric = SURVEY_METRICS[key]
    chosen = surveys.loc[surveys["survey_type"] == metric.survey_type]
    return by_period(chosen["score"], chosen["responded_at"], metric.estimate, freq)


def _complaints(tickets: pd.DataFrame, periods: tuple[tuple, tuple], **_: object) -> KpiComparison:
    before, now = (in_period(tickets, "created_at", *p)["is_complaint"] for p in periods)
    current, previous = rates.count_of(now), rates.count_of(before)
    change = rates.count_change(int(previous.value), int(current.value))
    return KpiComparison("complaints", current, previous, change)


def _churn(customers: pd.DataFrame, periods: tuple[tuple, tuple], **_: object) -> KpiComparison:
    signup, churn = customers["signup_date"], customers["churn_date"]
    before, now = periods
    return KpiComparison(
        "churn",
        rates.churn_rate(signup, churn, *now),
        rates.churn_rate(signup, churn, *before),
        rates.churn_change(signup, churn, before, now),
    )


_KPIS: dict[str, Callable[..., KpiComparison]] = {
    **{key: _survey_kpi(key) for key in SURVEY_METRICS},
    "complaints": _complaints,
    "churn": _churn,
}


def overview_kpis(
    customers: pd.DataFrame,
    tickets: pd.DataFrame,
    surveys: pd.DataFrame,
    start: DateLike,
    end: DateLike,
    keys: tuple[str, ...] = OVERVIEW_KPIS,
) -> dict[str, KpiComparison]:
    """Each KPI in ``keys`` over ``[start, end]`` against the previous period of equal length."""
    unknown = set(keys) - set(_KPIS)
    if unknown:
        raise ValueError(f"unknown KPI(s): {', '.join(sorted(unknown))}")
    periods = (previous_period(start, end), (as_day("start", start), as_day("end", end)))
    tables = {"customers": customers, "tickets": tickets, "surveys": surveys}
    return {key: _KPIS[key](periods=periods, **tables) for key in keys}
