"""The metric registry: complete, in sync with the code and with the canonical schema."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from analysis import committee, followup, loyalty, service, theme_views
from analysis.definitions import METRICS, MetricDefinition, explain
from analysis.rates import churn_rate, count_of, proportion
from analysis.referrals import referral_rate
from analysis.results import Estimate
from analysis.retention import retention_estimate
from data_connectors.schema import SCORE_RANGES, TABLES

pytestmark = pytest.mark.filterwarnings("ignore::analysis.results.SmallSampleWarning")

_START = pd.Timestamp("2026-03-02 09:00:00")
#: Three small tickets with every service column: enough for each service metric to run.
_TICKETS = pd.DataFrame(
    {
        "created_at": [_START] * 3,
        "channel": ["phone", "email", "chat"],
        "first_response_at": [_START + pd.Timedelta(seconds=s) for s in (10, 7200, 45)],
        "resolved_at": [_START + pd.Timedelta(minutes=m) for m in (5, 300, 20)],
        "abandoned": pd.array([False, False, True], dtype="boolean"),
        "first_contact_resolved": pd.array([True, False, None], dtype="boolean"),
        "reopens": [0, 1, 0],
        "transfers": [0, 2, 0],
        "wait_seconds": [5.0, None, 30.0],
        "handle_seconds": [300.0, 900.0, None],
    }
)


def _median(measure: str) -> Estimate:
    seconds, negative = service.durations(_TICKETS, measure)
    return service.time_summary(seconds, negative=int(negative.sum())).median_estimate()


#: How each registered metric is computed: the functions pages call.
COMPUTE: dict[str, Callable[[], Estimate]] = {
    "nps": lambda: loyalty.nps([10, 9, 7, 3]),
    "csi": lambda: loyalty.csat([5, 4, 2]).csi(),
    "csat": lambda: loyalty.csat([5, 4, 2]).csat_share(),
    "ces": lambda: loyalty.ces([1, 4, 7]).ces_mean(),
    "ces_low_effort": lambda: loyalty.ces([1, 4, 7]).low_effort_share(),
    "complaints": lambda: count_of([True, False, True]),
    "churn": lambda: churn_rate(["2023-01-01"], [None], "2024-01-01", "2024-01-31"),
    "retention": lambda: retention_estimate(
        churn_rate(["2023-01-01"], [None], "2024-01-01", "2024-01-31")
    ),
    "referral_rate": lambda: referral_rate(
        pd.DataFrame({"signup_date": ["2024-01-05"], "referred_by": ["c0"]}),
        "2024-01-01",
        "2024-01-31",
    ),
    "followup_within_target": lambda: followup.compliance(
        pd.DataFrame({"outcome": [followup.WITHIN, followup.LATE, followup.NOT_DUE]})
    ),
    "time_to_contact": lambda: followup.contact_time(
        pd.DataFrame({"outcome": [followup.WITHIN, followup.LATE], "contact_seconds": [60, 7200]})
    ).median_estimate(),
    "theme_recurrence": lambda: theme_views.recurrence_rate(
        pd.DataFrame({"observable": [True, True, False], "recurred": [True, False, False]})
    ),
    "sla": lambda: service.first_tier_compliance(_TICKETS),
    "fcr": lambda: service.fcr_rate(_TICKETS),
    "reopen_rate": lambda: service.reopen_rate(_TICKETS),
    "transfer_rate": lambda: service.transfer_rate(_TICKETS),
    "mean_transfers": lambda: service.mean_transfers(_TICKETS),
    "abandon_rate": lambda: service.abandon_rate(_TICKETS),
    "immediate_response": lambda: service.immediate_response_rate(_TICKETS),
    "first_response_time": lambda: service.response_time(_TICKETS).median_estimate(),
    "resolution_time": lambda: service.resolution_time(_TICKETS).median_estimate(),
    "wait_time": lambda: _median("wait"),
    "handle_time": lambda: _median("handle"),
    "complaints_per_1000": lambda: committee.per_thousand(proportion(2, 10)),
    "nps_served": lambda: loyalty.nps([10, 9, 3]),
    "repeat_complaints": lambda: proportion(1, 4),
}

LOYALTY_KEYS = {"nps", "csi", "csat", "ces", "ces_low_effort", "complaints", "churn"}
RETENTION_KEYS = {"retention", "referral_rate"}
FOLLOWUP_KEYS = {"followup_within_target", "time_to_contact"}
THEME_KEYS = {"theme_recurrence"}
COMMITTEE_KEYS = {"complaints_per_1000", "nps_served", "repeat_complaints"}
SERVICE_KEYS = {
    "sla",
    "fcr",
    "reopen_rate",
    "transfer_rate",
    "mean_transfers",
    "abandon_rate",
    "immediate_response",
    "first_response_time",
    "resolution_time",
    "wait_time",
    "handle_time",
}


def test_registry_has_exactly_the_expected_metrics() -> None:
    assert set(METRICS) == (
        LOYALTY_KEYS | SERVICE_KEYS | RETENTION_KEYS | FOLLOWUP_KEYS | THEME_KEYS | COMMITTEE_KEYS
    )
    assert set(COMPUTE) == set(METRICS)
    for key, metric in METRICS.items():
        assert isinstance(metric, MetricDefinition) and metric.key == key


@pytest.mark.parametrize("key", sorted(METRICS))
def test_definition_method_is_the_method_the_code_reports(key: str) -> None:
    """The on-screen interval method is the very string the metric function returns."""
    assert COMPUTE[key]().method == METRICS[key].interval_method


@pytest.mark.parametrize("key", sorted(METRICS))
def test_every_field_is_filled_in(key: str) -> None:
    metric = METRICS[key]
    for text in (
        metric.name,
        metric.question,
        metric.formula,
        metric.denominator,
        metric.excluded,
        metric.interval_method,
    ):
        assert text.strip()
    assert metric.unit in {"points", "percent", "score", "count", "seconds"}
    assert metric.requires


@pytest.mark.parametrize("key", sorted(METRICS))
def test_required_columns_exist_in_the_canonical_schema(key: str) -> None:
    for table, column in METRICS[key].requires:
        assert column in TABLES[table].column_names, f"{key} needs {table}.{column}"


def test_required_columns_named_in_the_brief() -> None:
    assert METRICS["nps"].requires == (("surveys", "survey_type"), ("surveys", "score"))
    assert METRICS["complaints"].requires == (("tickets", "is_complaint"),)
    assert METRICS["churn"].requires == (("customers", "signup_date"), ("customers", "churn_date"))
    assert METRICS["first_response_time"].requires == (
        ("tickets", "created_at"),
        ("tickets", "first_response_at"),
    )


def test_sla_text_names_the_first_tiers_the_code_uses() -> None:
    standards = service.ServiceStandards()
    assert [group.tiers[0].label for group in standards.channel_standards] == ["30 s", "2 h"]
    assert "30 s" in METRICS["sla"].formula and "2 h" in METRICS["sla"].formula
    assert "first tier" in METRICS["sla"].formula


def test_score_ranges_agree_with_the_schema() -> None:
    assert SCORE_RANGES == {
        "nps": loyalty.NPS_RANGE,
        "csat": loyalty.CSAT_RANGE,
        "ces": loyalty.CES_RANGE,
    }


def test_text_states_the_thresholds_the_code_uses() -> None:
    """DESIGN.md: promoters 9–10, detractors 0–6; CSAT % = share of 4–5; CES low effort 1–3."""
    assert "9–10" in METRICS["nps"].formula and "0–6" in METRICS["nps"].formula
    assert "7–8" in METRICS["nps"].formula
    assert "4–5" in METRICS["csat"].formula
    assert "1–3" in METRICS["ces_low_effort"].formula
    assert (loyalty.PROMOTER_MIN, loyalty.PASSIVE_MIN, loyalty.SATISFIED_MIN) == (9, 7, 4)


def test_direction_and_units() -> None:
    better_low = {key for key, metric in METRICS.items() if not metric.higher_is_better}
    assert better_low == {
        "ces",
        "complaints",
        "churn",
        "reopen_rate",
        "transfer_rate",
        "mean_transfers",
        "abandon_rate",
        "first_response_time",
        "resolution_time",
        "wait_time",
        "handle_time",
        "time_to_contact",
        "theme_recurrence",
        "complaints_per_1000",
        "repeat_complaints",
    }
    assert {key: m.unit for key, m in METRICS.items()} == {
        "nps": "points",
        "csi": "score",
        "csat": "percent",
        "ces": "score",
        "ces_low_effort": "percent",
        "complaints": "count",
        "churn": "percent",
        "retention": "percent",
        "referral_rate": "percent",
        "theme_recurrence": "percent",
        "sla": "percent",
        "fcr": "percent",
        "reopen_rate": "percent",
        "transfer_rate": "percent",
        "mean_transfers": "count",
        "abandon_rate": "percent",
        "immediate_response": "percent",
        "first_response_time": "seconds",
        "resolution_time": "seconds",
        "wait_time": "seconds",
        "handle_time": "seconds",
        "followup_within_target": "percent",
        "time_to_contact": "seconds",
        "complaints_per_1000": "count",
        "nps_served": "points",
        "repeat_complaints": "percent",
    }


def test_explain_without_estimate() -> None:
    text = explain("nps")
    assert text.startswith("**NPS**")
    for part in (
        METRICS["nps"].formula,
        METRICS["nps"].denominator,
        METRICS["nps"].excluded,
        METRICS["nps"].interval_method,
        "95%",
    ):
        assert part in text
    assert "n =" not in text


def test_explain_with_estimate_shows_n_excluded_and_confidence() -> None:
    estimate = loyalty.nps([10] * 1200 + ["x", None], confidence=0.9)
    text = explain("nps", estimate)
    assert "n = 1,200 (2 excluded)" in text
    assert "90% " + METRICS["nps"].interval_method in text


def test_explain_unknown_metric() -> None:
    with pytest.raises(ValueError, match="unknown metric 'loyalty'"):
        explain("loyalty")
