"""The experience table and the negative-experience effect, on hand-built tickets and answers
whose expected values are worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.experience import (
    answer_experience,
    churn_snapshot,
    contact_features,
    customer_experience,
)
from analysis.experience_effect import GROUPS, negative_experience_effect

pytestmark = [
    pytest.mark.filterwarnings("ignore::analysis.results.SmallSampleWarning"),
    pytest.mark.filterwarnings("ignore::analysis.results.EmptyDataWarning"),
]

T = pd.Timestamp


def _tickets() -> pd.DataFrame:
    """Customer A's three contacts; customer B has none.

    T1 phone 1 Jan 10:00, answered after 20 s (within 30 s), resolved after 1 h, at first contact.
    T2 email 1 Feb 09:00, answered after 3 h (misses 2 h), resolved after 5 h, not at first
       contact, 2 transfers, 1 reopen, a complaint.
    T3 chat 15 Mar 12:00, abandoned: never answered or resolved (counts as a speed miss).
    """
    created = [T("2026-01-01 10:00"), T("2026-02-01 09:00"), T("2026-03-15 12:00")]
    return pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3"],
            "customer_id": ["A", "A", "A"],
            "created_at": created,
            "channel": ["phone", "email", "chat"],
            "first_response_at": [
                created[0] + pd.Timedelta(seconds=20),
                T("2026-02-01 12:00"),
                None,
            ],
            "resolved_at": [T("2026-01-01 11:00"), T("2026-02-01 14:00"), None],
            "first_contact_resolved": pd.array([True, False, None], dtype="boolean"),
            "transfers": pd.array([0, 2, 0], dtype="Int64"),
            "reopens": pd.array([0, 1, 0], dtype="Int64"),
            "abandoned": pd.array([False, False, True], dtype="boolean"),
            "is_complaint": pd.array([False, True, False], dtype="boolean"),
        }
    ).astype({"first_response_at": "datetime64[ns]", "resolved_at": "datetime64[ns]"})


def _surveys() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R3", "R4", "R5"],
            "customer_id": ["A", "A", "A", "A", "B"],
            "ticket_id": ["T2", None, None, None, None],
            "responded_at": [
                T("2026-02-02 10:00"),  # CSAT 2 about T2
                T("2026-03-20 12:00"),  # window 20 Dec – 20 Mar: T1, T2, T3
                T("2026-04-01 10:00"),  # exactly 90 days after T1: T1 is outside
                T("2026-05-01 09:00"),  # window from 31 Jan 09:00: T2, T3
                T("2026-03-20 12:00"),  # B: no contacts
            ],
            "survey_type": ["csat", "nps", "nps", "nps", "nps"],
            "score": [2.0, 9.0, 6.0, 3.0, 10.0],
        }
    )


@pytest.fixture()
def answers() -> pd.DataFrame:
    features = contact_features(_tickets(), _surveys())
    return answer_experience(_surveys(), features, survey_type="nps").set_index("response_id")


def test_window_counts_and_sums(answers: pd.DataFrame) -> None:
    assert answers["contacts"].to_dict() == {"R2": 3, "R3": 2, "R4": 2, "R5": 0}
    assert answers["transfers"].to_dict() == {"R2": 2, "R3": 2, "R4": 2, "R5": 0}
    assert answers["reopens"].to_dict() == {"R2": 1, "R3": 1, "R4": 1, "R5": 0}
    assert answers["abandoned"].to_dict() == {"R2": 1, "R3": 1, "R4": 1, "R5": 0}
    assert answers["complaints"].to_dict() == {"R2": 1, "R3": 1, "R4": 1, "R5": 0}
    # T1 met 30 s; T2 missed 2 h; T3 abandoned: a miss.
    assert answers["sla_breaches"].to_dict() == {"R2": 2, "R3": 2, "R4": 2, "R5": 0}
    # Negative: T2 (miss, reopen, complaint, CSAT 2) and T3 (abandoned); T1 is fine.
    assert answers["negative_contacts"].to_dict() == {"R2": 2, "R3": 2, "R4": 2, "R5": 0}


def test_window_means_use_known_values_only(answers: pd.DataFrame) -> None:
    # R2: responses 20 s and 3 h → (20/3600 + 3) / 2 h; resolutions 1 h and 5 h → 3 h;
    # first-contact resolution known for T1 (yes) and T2 (no) → 0.5.
    assert answers.loc["R2", "first_response_hours"] == pytest.approx((20 / 3600 + 3) / 2)
    assert answers.loc["R2", "resolution_hours"] == pytest.approx(3.0)
    assert answers.loc["R2", "fcr_share"] == pytest.approx(0.5)
    # R3 and R4: only T2 is known among T2, T3.
    assert answers.loc["R4", "first_response_hours"] == pytest.approx(3.0)
    assert answers.loc["R4", "fcr_share"] == pytest.approx(0.0)
    # B had no contact: means undefined.
    assert answers.loc["R5", ["first_response_hours", "resolution_hours", "fcr_share"]].isna().all()


def test_last_csat_is_the_last_answer_before_within_the_window(answers: pd.DataFrame) -> None:
    assert answers.loc["R2", "last_csat"] == 2
    assert answers.loc["R4", "last_csat"] == 2  # 2 Feb is within 90 days of 1 May
    assert math.isnan(answers.loc["R5", "last_csat"])


def test_a_shorter_window_counts_fewer_contacts() -> None:
    features = contact_features(_tickets(), _surveys())
    table = answer_experience(_surveys(), features, survey_type="nps", window_days=10)
    # 10 days before 20 Mar: T3 (15 Mar) only; before 1 Apr and 1 May: nothing.
    assert table["contacts"].tolist() == [1, 0, 0, 0]
    with pytest.raises(ValueError, match="window_days"):
        answer_experience(_surveys(), features, window_days=0)


def test_missing_columns_make_a_driver_unavailable_not_an_error() -> None:
    tickets = _tickets().drop(columns=["transfers", "first_contact_resolved"])
    features = contact_features(tickets, _surveys())
    table = answer_experience(_surveys(), features, survey_type="nps")
    assert "transfers" not in table and "fcr_share" not in table
    assert table.attrs["unavailable"] == {
        "fcr_share": ["tickets.first_contact_resolved"],
        "transfers": ["tickets.transfers"],
    }
    assert table["contacts"].tolist() == [3, 2, 2, 0]


def test_customer_snapshot_and_churn_in_the_follow_up() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "signup_date": [T("2025-01-01"), T("2025-06-01"), T("2026-04-02"), T("2025-01-01")],
            "churn_date": [None, T("2026-04-15"), None, T("2026-02-01")],
        }
    ).astype({"churn_date": "datetime64[ns]"})
    features = contact_features(_tickets(), _surveys())
    table = customer_experience(customers, features, _surveys(), T("2026-03-31"))
    # C signed up after the snapshot, D had churned before it: neither is active.
    assert table["customer_id"].tolist() == ["A", "B"]
    assert table["churned"].tolist() == [0.0, 1.0]  # B churned 15 days after
    assert table["retained"].tolist() == [1.0, 0.0]
    assert table["contacts"].tolist() == [3, 0]  # 31 Dec – 31 Mar: T1, T2, T3
    short = customer_experience(customers, features, None, T("2026-03-31"), followup_days=10)
    assert short["churned"].tolist() == [0.0, 0.0]  # 15 Apr is after 10 Apr
    assert "last_csat" not in short


def test_snapshot_leaves_room_for_a_complete_follow_up() -> None:
    end = T("2026-11-21 15:00")
    assert churn_snapshot(end, T("2026-11-01"), 90) == T("2026-08-23")
    assert churn_snapshot(end, T("2026-05-01"), 90) == T("2026-05-01")


# -------------------------------------------------------------- the negative-experience effect


def _effect_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    answers = pd.DataFrame(
        {
            "score": [10, 9, 3, 5] + [10, 10, 8, 2, 9],
            "contacts": [1, 2, 1, 3] + [1, 1, 0, 0, 0],
            "negative_contacts": [1, 1, 1, 2] + [0, 0, 0, 0, 0],
        }
    )
    customers = pd.DataFrame(
        {
            "retained": [1.0] * 6 + [0.0] * 4 + [1.0] * 18 + [0.0] * 2,
            "contacts": [1] * 10 + [1] * 12 + [0] * 8,
            "negative_contacts": [1] * 10 + [0] * 20,
        }
    )
    return answers, customers


def test_negative_effect_by_hand() -> None:
    answers, customers = _effect_inputs()
    effect = negative_experience_effect(answers, customers)
    # Negative: 2 promoters, 2 detractors of 4 → NPS 0. Rest: 3 promoters, 1 detractor of 5 → 40.
    assert effect.nps_negative.value == pytest.approx(0.0)
    assert effect.nps_rest.value == pytest.approx(40.0)
    assert effect.nps_change.change == pytest.approx(-40.0)
    assert (effect.nps_change.n_before, effect.nps_change.n_after) == (5, 4)
    # Retention: 6 of 10 after a negative experience, 18 of 20 otherwise.
    assert effect.retention_negative.value == pytest.approx(60.0)
    assert effect.retention_rest.value == pytest.approx(90.0)
    assert effect.retention_change.change == pytest.approx(-30.0)
    assert effect.retention_drop == pytest.approx(100 * (1 - 60 / 90))
    # Churn risk ratio (4/10) / (2/20) = 4; Katz: exp(ln 4 ± z·√(1/4 − 1/10 + 1/2 − 1/20)).
    ratio = effect.churn_risk_ratio
    assert ratio.value == pytest.approx(4.0)
    half = stats.norm.ppf(0.975) * math.sqrt(1 / 4 - 1 / 10 + 1 / 2 - 1 / 20)
    assert (ratio.ci_low, ratio.ci_high) == pytest.approx((4 * math.exp(-half), 4 * math.exp(half)))


def test_negative_effect_groups_table() -> None:
    answers, customers = _effect_inputs()
    groups = negative_experience_effect(answers, customers).groups.set_index(["measure", "group"])
    assert groups.loc[("NPS", GROUPS[1]), "n"] == 2  # contacted, nothing negative: 10, 10
    assert groups.loc[("NPS", GROUPS[1]), "value"] == pytest.approx(100.0)
    assert groups.loc[("NPS", GROUPS[2]), "value"] == pytest.approx(0.0)  # 8, 2, 9
    assert groups.loc[("retention %", GROUPS[1]), "n"] == 12
    assert groups.loc[("retention %", GROUPS[2]), "n"] == 8
    assert groups.loc[("retention %", GROUPS[0]), "value"] == pytest.approx(60.0)


def test_no_churn_in_a_group_gives_an_undefined_risk_ratio() -> None:
    answers, customers = _effect_inputs()
    customers["retained"] = 1.0
    ratio = negative_experience_effect(answers, customers).churn_risk_ratio
    assert math.isnan(ratio.value) and any("not defined" in w for w in ratio.warnings)


def test_empty_inputs_give_nan_not_an_error() -> None:
    answers, customers = _effect_inputs()
    effect = negative_experience_effect(answers.iloc[:0], customers.iloc[:0])
    assert math.isnan(effect.nps_change.change) and effect.nps_negative.n == 0
    assert math.isnan(effect.retention_change.change)
    assert np.isnan(effect.groups["value"]).all()
