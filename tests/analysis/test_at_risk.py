"""At-risk signals with their reasons, and the back-test, on hand-built histories."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from analysis.at_risk import (
    RiskRules,
    at_risk_list,
    backtest,
    customer_history,
    risk_signals,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore::analysis.results.SmallSampleWarning", "ignore::analysis.results.EmptyDataWarning"
)

AS_OF = "2026-10-31"


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["nps", "csat", "complaint", "busy", "calm", "gone", "new"],
            "signup_date": ["2025-01-01"] * 6 + ["2026-11-05"],
            "churn_date": [None, None, None, None, None, "2026-10-01", None],
            "segment": ["SMB"] * 7,
            "revenue": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0],
        }
    )


def _tickets() -> pd.DataFrame:
    rows = [
        ("t1", "complaint", "2026-10-22 09:00", True, None),  # open: 9 days on 31 Oct
        ("t2", "complaint", "2026-09-01 09:00", True, "2026-09-02 10:00"),  # resolved
        ("t3", "calm", "2026-10-10 09:00", True, "2026-11-03 10:00"),  # resolved after as_of
        ("t4", "busy", "2026-10-05 09:00", False, "2026-10-05 10:00"),
        ("t5", "busy", "2026-10-12 09:00", False, "2026-10-12 10:00"),
        ("t6", "busy", "2026-10-20 09:00", False, "2026-10-20 10:00"),
        ("t7", "busy", "2026-10-30 09:00", False, "2026-10-30 10:00"),
        ("t8", "busy", "2026-09-15 09:00", False, "2026-09-15 10:00"),  # outside 30 days
        ("t9", "gone", "2026-09-20 09:00", True, None),
    ]
    frame = pd.DataFrame(
        rows, columns=["ticket_id", "customer_id", "created_at", "is_complaint", "resolved_at"]
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["resolved_at"] = pd.to_datetime(frame["resolved_at"])
    frame["department"] = "Billing"
    return frame


def _surveys() -> pd.DataFrame:
    rows = [
        ("r1", "nps", "nps", 9, "2026-09-01"),
        ("r2", "nps", "nps", 3, "2026-10-12"),  # last NPS: detractor
        ("r3", "csat", "csat", 1, "2026-10-03"),
        ("r4", "csat", "nps", 2, "2026-10-01"),
        ("r5", "csat", "nps", 10, "2026-10-20"),  # last NPS is a promoter: not a detractor
        ("r6", "calm", "nps", 4, "2026-06-01"),  # older than 90 days
        ("r7", "calm", "csat", 2, "2026-11-02"),  # after as_of
    ]
    frame = pd.DataFrame(
        rows, columns=["response_id", "customer_id", "survey_type", "score", "responded_at"]
    )
    frame["responded_at"] = pd.to_datetime(frame["responded_at"])
    return frame


def test_each_signal_with_its_reason():
    signals = risk_signals(_customers(), _tickets(), _surveys(), AS_OF).set_index("customer_id")
    assert sorted(signals.index) == ["busy", "calm", "complaint", "csat", "nps"]  # active only
    assert signals.loc["nps", "reasons"] == "NPS 3 on 12 Oct 2026"
    assert signals.loc["csat", "reasons"] == "CSAT 1 on 03 Oct 2026"
    assert signals.loc["complaint", "reasons"] == "complaint unresolved for 9 days"
    assert signals.loc["busy", "reasons"] == "4 contacts in 30 days"
    assert signals.loc["calm", "reasons"] == "complaint unresolved for 21 days"  # open on 31 Oct
    assert signals["signals"].to_dict() == {
        "calm": 1,
        "busy": 1,
        "complaint": 1,
        "csat": 1,
        "nps": 1,
    }
    assert signals.loc["busy", "recent_contacts"] == 4
    assert signals.attrs["unavailable"] == {}


def test_list_is_the_flagged_customers_most_signals_then_revenue_first():
    customers = _customers()
    surveys = _surveys()
    surveys.loc[len(surveys)] = ["r8", "busy", "nps", 0, pd.Timestamp("2026-10-30")]
    flagged = at_risk_list(risk_signals(customers, _tickets(), surveys, AS_OF))
    assert flagged["customer_id"].tolist() == ["busy", "calm", "complaint", "csat", "nps"]
    assert flagged.iloc[0]["reasons"] == "NPS 0 on 30 Oct 2026; 4 contacts in 30 days"


def test_rules_are_configurable_and_checked():
    signals = risk_signals(
        _customers(), _tickets(), _surveys(), AS_OF, RiskRules(repeat_contacts=5)
    ).set_index("customer_id")
    assert not signals.loc["busy", "repeat_contacts"]
    with pytest.raises(ValueError, match="window_days"):
        RiskRules(window_days=0)


def test_missing_complaint_columns_leave_that_signal_out():
    tickets = _tickets().drop(columns=["is_complaint", "resolved_at"])
    signals = risk_signals(_customers(), tickets, _surveys(), AS_OF)
    assert signals.attrs["unavailable"] == {
        "unresolved_complaint": ["tickets.is_complaint", "tickets.resolved_at"]
    }
    assert not signals["unresolved_complaint"].any()


def test_backtest_hand_computed():
    """Cutoff 31 Oct − 30 days = 1 Oct. Active then: nps, csat, complaint, busy, calm, gone.
    Signals on 1 Oct: "gone" has complaint t9 open since 20 Sep; "csat" gave NPS 2 on 1 Oct
    (a detractor then: the promoter answer came on 20 Oct). Outcome, churn in (1 Oct, 31 Oct]:
    gone (20 Oct) and busy (15 Oct).
    Unresolved complaint: flagged 1, churned 1 (100 %); unflagged 5, churned 1 (20 %):
    difference +80 pp, pooled z = 0.8 / √(p̄(1 − p̄)(1/1 + 1/5)) with p̄ = 2/6; risk ratio 5."""
    customers = _customers()
    customers.loc[customers["customer_id"] == "busy", "churn_date"] = "2026-10-15"
    customers.loc[customers["customer_id"] == "gone", "churn_date"] = "2026-10-20"
    table = backtest(customers, _tickets(), _surveys(), AS_OF, horizon_days=30)
    assert table.attrs["cutoff"] == "2026-10-01" and table.attrs["customers"] == 6
    rows = table.set_index("signal")
    complaint = rows.loc["unresolved_complaint"]
    assert (complaint["flagged"], complaint["flagged_churned"]) == (1, 1)
    assert (complaint["unflagged"], complaint["unflagged_churned"]) == (5, 1)
    assert complaint["flagged_churn"] == 100.0 and complaint["unflagged_churn"] == 20.0
    assert complaint["difference"] == pytest.approx(80.0)
    pooled = 2 / 6
    z = 0.8 / math.sqrt(pooled * (1 - pooled) * (1 / 1 + 1 / 5))
    assert complaint["p_value"] == pytest.approx(2 * stats.norm.sf(z))
    assert complaint["significant"] == (2 * stats.norm.sf(z) < 0.05)
    assert complaint["risk_ratio"] == pytest.approx(5.0)
    assert rows.loc["detractor", ["flagged", "flagged_churned"]].tolist() == [1, 0]
    assert rows.loc["any", ["flagged", "flagged_churned"]].tolist() == [2, 1]
    assert rows.loc["low_csat", "flagged"] == 0 and math.isnan(
        rows.loc["low_csat", "flagged_churn"]
    )
    with pytest.raises(ValueError, match="horizon_days"):
        backtest(customers, _tickets(), _surveys(), AS_OF, horizon_days=0)


def test_customer_history_lists_contacts_and_answers_newest_first():
    history = customer_history(_tickets(), _surveys(), "nps", AS_OF)
    assert history["id"].tolist() == ["r2", "r1"]
    history = customer_history(_tickets(), _surveys(), "busy", AS_OF, days=30)
    assert history["id"].tolist() == ["t7", "t6", "t5", "t4"]
    assert set(history["kind"]) == {"contact"}


def test_customer_history_masks_personal_data_in_comments():
    surveys = _surveys().assign(comment="call me on +44 20 7946 0958 or jo@example.com")
    history = customer_history(_tickets(), surveys, "nps", AS_OF)
    assert history["comment"].tolist() == ["call me on [phone] or [email]"] * 2
