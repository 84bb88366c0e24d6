"""Breakdowns by group: values, tests against the rest, Benjamini–Hochberg, small groups, per
customer. Every expected number is worked out by hand in the test (arithmetic written out)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.rates import benjamini_hochberg
from analysis.segments import (
    SEGMENT_COLUMNS,
    per_customer,
    segment_table,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore::analysis.results.SmallSampleWarning", "ignore::analysis.results.EmptyDataWarning"
)

#: Φ⁻¹(0.975) to the precision of a normal table.
Z95 = 1.959963984540054


def wilson_by_hand(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def answers(survey_type: str, by: str, groups: dict[str, list[float]]) -> pd.DataFrame:
    """Survey rows of one type: ``groups`` maps a group label (or "") to its scores."""
    rows = [
        {"survey_type": survey_type, by: (label or None), "score": score}
        for label, scores in groups.items()
        for score in scores
    ]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ Benjamini–Hochberg


def test_bh_q_values_by_hand():
    """p = [0.01, 0.04, 0.03, 0.20], m = 4. Sorted: 0.01, 0.03, 0.04, 0.20 → p·m/rank =
    0.04, 0.06, 0.05333, 0.20; running minimum from the largest rank down: 0.20, 0.05333,
    min(0.06, 0.05333) = 0.05333, min(0.04, 0.05333) = 0.04. Back in input order:
    [0.04, 0.05333, 0.05333, 0.20] (Benjamini & Hochberg 1995, step-up procedure)."""
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20], abs=1e-12)


def test_bh_missing_p_values_are_outside_the_family():
    """[0.01, NaN, 0.04]: the family has m = 2, so q = [0.01·2/1, NaN, 0.04·2/2] =
    [0.02, NaN, 0.04]; with m = 3 the first would have been 0.03."""
    q = benjamini_hochberg([0.01, math.nan, 0.04])
    assert q[0] == pytest.approx(0.02) and math.isnan(q[1]) and q[2] == pytest.approx(0.04)


def test_bh_rejects_p_outside_unit_interval():
    with pytest.raises(ValueError):
        benjamini_hochberg([0.5, 1.2])


# --------------------------------------------------------------------------- segment_table

#: CSAT % (share of 4–5): A 30 of 40 satisfied, B 25 of 50, C 5 of 10 (too small at 30).
CSAT_GROUPS = {
    "A": [5] * 30 + [2] * 10,
    "B": [4] * 25 + [3] * 25,
    "C": [4] * 5 + [1] * 5,
}


def test_csat_groups_against_the_rest_by_hand():
    """Each group against all other answers, pooled two-proportion z-test.

    A: 30/40 = 75 % vs rest (B + C) 30/60 = 50 %: diff = 25 points; p̄ = 60/100 = 0.6,
    se = sqrt(0.6·0.4·(1/40 + 1/60)) = sqrt(0.24·0.041667) = 0.1, z = 0.25/0.1 = 2.5,
    p = 2·(1 − Φ(2.5)) = 2·0.0062097 = 0.0124193.
    B: 25/50 = 50 % vs rest (A + C) 35/50 = 70 %: diff = −20; p̄ = 0.6,
    se = sqrt(0.24·(1/50 + 1/50)) = 0.0979796, z = 2.041241, p = 0.0412268.
    C: n = 10 < 30, too small: not tested (p NaN), diff = 50 − 55/90·100 = −11.111.
    BH over the family {A, B} (m = 2): q_B = 0.0412268·2/2 = 0.0412268,
    q_A = min(0.0124193·2/1, q_B) = 0.0248387. Both q < 0.05 → both flagged.
    """
    table = segment_table(answers("csat", "department", CSAT_GROUPS), "csat", "department")
    assert tuple(table.columns) == SEGMENT_COLUMNS
    assert table["group"].tolist() == ["A", "B", "C"]  # best first, the small group last
    a, b, c = (table.iloc[i] for i in range(3))
    assert (a["value"], a["n"], a["diff"]) == pytest.approx((75.0, 40, 25.0))
    assert (a["ci_low"], a["ci_high"]) == pytest.approx(
        tuple(100 * x for x in wilson_by_hand(30, 40)), abs=1e-9
    )
    assert a["p_value"] == pytest.approx(0.0124193, abs=1e-7)
    assert b["p_value"] == pytest.approx(0.0412268, abs=1e-7)
    assert (b["value"], b["diff"]) == pytest.approx((50.0, -20.0))
    assert a["q_value"] == pytest.approx(0.0248387, abs=1e-7)
    assert b["q_value"] == pytest.approx(0.0412268, abs=1e-7)
    assert bool(a["flagged"]) and bool(b["flagged"])
    assert not a["too_small"] and not b["too_small"]
    assert bool(c["too_small"]) and c["n"] == 10
    assert c["diff"] == pytest.approx(50 - 5500 / 90)
    assert math.isnan(c["p_value"]) and math.isnan(c["q_value"]) and not c["flagged"]
    assert table.attrs["family_size"] == 2 and table.attrs["baseline"] == "rest"


def test_small_group_would_have_changed_the_verdict_if_tested():
    """Why exclusion matters: C against the rest (55/90) has p̄ = 0.6,
    se = sqrt(0.24·(1/10 + 1/90)) = 0.163299, z = −0.111111/0.163299 = −0.680414, p = 0.496242.
    In a family of three, q_B = 0.0412268·3/2 = 0.061840 > 0.05: B would not be flagged."""
    q = benjamini_hochberg([0.0124193, 0.0412268, 0.496242])
    assert q[1] == pytest.approx(0.061840, abs=1e-6) and q[1] > 0.05


def test_min_n_is_configurable():
    table = segment_table(
        answers("csat", "department", CSAT_GROUPS), "csat", "department", min_n=10
    )
    assert not table["too_small"].any() and table.attrs["family_size"] == 3


def test_given_baseline_replaces_the_rest():
    """A (30/40) against a baseline of 30 satisfied of 60: the same numbers as against the
    rest above, z = 2.5, p = 0.0124193, whatever the other groups hold."""
    surveys = answers("csat", "region", {"A": CSAT_GROUPS["A"], "D": [5, 4] * 20})
    table = segment_table(surveys, "csat", "region", baseline=[5] * 30 + [1] * 30)
    row = table.set_index("group").loc["A"]
    assert row["p_value"] == pytest.approx(0.0124193, abs=1e-7)
    assert row["diff"] == pytest.approx(25.0)
    assert table.attrs["baseline"] == "given"


def test_nps_group_difference_is_raw_nps_points():
    """Group X: 10, 10, 9, 9, 9, 8, 7, 6, 3, 0 → 5 promoters, 3 detractors of 10, NPS = 20.
    Rest (Y): 30 answers, 6 promoters (9), 12 passives (8), 12 detractors (5) → NPS = −20.
    diff = 20 − (−20) = 40 points. Y against X: −40."""
    surveys = answers(
        "nps",
        "channel",
        {"X": [10, 10, 9, 9, 9, 8, 7, 6, 3, 0], "Y": [9] * 6 + [8] * 12 + [5] * 12},
    )
    table = segment_table(surveys, "nps", "channel", min_n=5).set_index("group")
    assert table.loc["X", "value"] == pytest.approx(20.0)
    assert table.loc["X", "diff"] == pytest.approx(40.0)
    assert table.loc["Y", "diff"] == pytest.approx(-40.0)


def test_lower_is_better_metric_ranks_ascending_and_small_groups_last():
    """CES mean (lower effort is better): P mean 2, Q mean 3, R mean 4 (n = 30 each), S mean
    (1 + 1 + 1 + 1 + 3)/5 = 1.4 with n = 5 (too small): order P, Q, R, then S even though S
    has the best value."""
    surveys = answers(
        "ces",
        "segment",
        {"R": [3, 5] * 15, "S": [1, 1, 1, 1, 3], "P": [1, 3] * 15, "Q": [2, 4] * 15},
    )
    table = segment_table(surveys, "ces", "segment")
    assert table["group"].tolist() == ["P", "Q", "R", "S"]
    assert table["value"].tolist() == pytest.approx([2.0, 3.0, 4.0, 1.4])


def test_other_survey_types_and_missing_groups():
    """NPS rows do not count for CSAT; an answer without a department is in no group but is
    part of every group's rest: A (30/40) vs rest of B (25/50) + ungrouped (5 of 10 satisfied)
    is again 30/60 → z = 2.5."""
    surveys = pd.concat(
        [
            answers("csat", "department", {"A": CSAT_GROUPS["A"], "B": CSAT_GROUPS["B"]}),
            answers("csat", "department", {"": CSAT_GROUPS["C"]}),
            answers("nps", "department", {"A": [0] * 50}),
        ],
        ignore_index=True,
    )
    table = segment_table(surveys, "csat", "department").set_index("group")
    assert list(table.index) == ["A", "B"]
    assert table.loc["A", "n"] == 40
    assert table.loc["A", "p_value"] == pytest.approx(0.0124193, abs=1e-7)
    assert table.attrs["ungrouped"] == 10


def test_empty_input_gives_empty_table_with_the_columns():
    empty = pd.DataFrame({"survey_type": [], "score": [], "region": []})
    table = segment_table(empty, "nps", "region")
    assert tuple(table.columns) == SEGMENT_COLUMNS and table.empty


@pytest.mark.parametrize(
    ("metric", "by", "min_n"),
    [("nope", "department", 30), ("csat", "team", 30), ("csat", "department", 0)],
)
def test_bad_arguments_raise(metric: str, by: str, min_n: int):
    with pytest.raises(ValueError):
        segment_table(answers("csat", "department", CSAT_GROUPS), metric, by, min_n=min_n)


# ----------------------------------------------------------------------------- per_customer


def _history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"],
            "customer_id": ["a", "a", "a", "b", "b", "c", "c", "d"],
            "survey_type": ["nps", "nps", "csat", "nps", "nps", "nps", "nps", "nps"],
            "responded_at": pd.to_datetime(
                [
                    "2026-01-05",
                    "2026-02-05",
                    "2026-01-10",
                    "2026-01-07",
                    "2026-03-01",  # later, but the score 11 is not a valid NPS answer
                    "2026-02-01 10:00",
                    "2026-02-01 10:00",  # tie: R7 wins by response_id
                    None,  # cannot be placed in time
                ],
                format="ISO8601",
            ),
            "score": [3, 9, 4, 7, 11, 0, 10, 2],
        },
        index=[10, 11, 12, 13, 14, 15, 16, 17],
    )


def test_per_customer_keeps_the_last_valid_answer_per_type():
    """a: NPS 3 then 9 → 9 (R2); a's CSAT 4 is another type and stays (R3). b: NPS 7, then an
    invalid 11 → 7 (R4). c: 0 and 10 at the same minute → R7 (later id). d: undated → out."""
    chosen = per_customer(_history())
    assert chosen["response_id"].tolist() == ["R2", "R3", "R4", "R7"]
    assert chosen.index.tolist() == [11, 12, 13, 16]
    assert chosen.attrs["customers"] == 4 and chosen.attrs["answers"] == 6


def test_per_customer_does_not_depend_on_row_order():
    shuffled = _history().iloc[[7, 6, 5, 4, 3, 2, 1, 0]]
    assert sorted(per_customer(shuffled)["response_id"]) == ["R2", "R3", "R4", "R7"]


def test_nps_per_response_and_per_customer_differ():
    """Valid dated NPS answers per response: 3, 9, 7, 0, 10 → promoters 2, detractors 2 of 5,
    NPS 0. Per customer (a 9, b 7, c 10): promoters 2, detractors 0 of 3 → NPS 66.67."""
    from analysis.loyalty import nps

    history = _history()
    dated = history[history["responded_at"].notna() & (history["survey_type"] == "nps")]
    assert nps(dated["score"]).value == pytest.approx(0.0)
    chosen = per_customer(history)
    assert nps(chosen.loc[chosen["survey_type"] == "nps", "score"]).value == pytest.approx(200 / 3)


def test_per_customer_with_duplicated_index_is_positional():
    history = _history()
    history.index = [0] * len(history)
    assert per_customer(history)["response_id"].tolist() == ["R2", "R3", "R4", "R7"]


def test_per_customer_requires_its_columns():
    with pytest.raises(ValueError):
        per_customer(_history().drop(columns="customer_id"))


def test_segment_table_accepts_per_customer_rows():
    frame = pd.DataFrame(
        {
            "response_id": [f"R{i:03d}" for i in range(80)],
            "customer_id": [f"c{i % 40}" for i in range(80)],
            "survey_type": "nps",
            "responded_at": pd.date_range("2026-01-01", periods=80, freq="D"),
            # first answer of every customer is 0, the second (40 days later) is 10
            "score": [0] * 40 + [10] * 40,
            "region": ["North", "South"] * 40,
        }
    )
    per_response = segment_table(frame, "nps", "region")
    per_cust = segment_table(per_customer(frame), "nps", "region", min_n=10)
    assert per_response["value"].tolist() == [0.0, 0.0]
    assert per_cust["value"].tolist() == [100.0, 100.0]
    assert per_cust["n"].tolist() == [20, 20]
    assert np.all(per_cust["diff"] == 0)
