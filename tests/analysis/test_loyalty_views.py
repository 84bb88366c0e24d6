"""The Loyalty page's tables on small constructed answer sets, every value counted by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.loyalty_views import (
    NO_REASON,
    callback_requests,
    composition_over_time,
    detractor_chart,
    low_score_mask,
    reasons_over_time,
    score_bands,
    score_distribution,
    valid_score_mask,
    verbatims,
)

#: Φ⁻¹(0.975).
Z95 = 1.959963984540054


def wilson_by_hand(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), in percent."""
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half) / (1 + z * z / n), 100 * (centre + half) / (1 + z * z / n)


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (survey_type, score, responded_at, reason, callback, comment, department)."""
    columns = [
        "survey_type",
        "score",
        "responded_at",
        "reason",
        "callback_requested",
        "comment",
        "department",
    ]
    table = pd.DataFrame(rows, columns=columns)
    table["responded_at"] = pd.to_datetime(table["responded_at"], format="ISO8601")
    table["callback_requested"] = table["callback_requested"].astype("boolean")
    table.insert(0, "response_id", [f"R{i}" for i in range(1, len(table) + 1)])
    return table


# -------------------------------------------------------------------------- bands, low scores


@pytest.mark.parametrize(
    ("survey_type", "score", "band", "low"),
    [
        ("nps", 0, "detractor", True),
        ("nps", 6, "detractor", True),
        ("nps", 7, "passive", False),
        ("nps", 8, "passive", False),
        ("nps", 9, "promoter", False),
        ("csat", 1, "low", True),
        ("csat", 2, "low", True),
        ("csat", 3, "neutral", False),
        ("csat", 4, "high", False),
        ("ces", 7, "low", True),  # CES: high effort is the unfavourable end
        ("ces", 5, "low", True),
        ("ces", 4, "neutral", False),
        ("ces", 3, "high", False),
        ("ces", 1, "high", False),
    ],
)
def test_bands_and_low_scores(survey_type: str, score: int, band: str, low: bool):
    answers = pd.DataFrame({"survey_type": [survey_type], "score": [score]})
    assert score_bands(answers).iloc[0] == band
    assert bool(low_score_mask(answers).iloc[0]) is low


def test_invalid_answers_have_no_band():
    answers = pd.DataFrame(
        {
            "survey_type": ["nps", "nps", "csat", "ces", "other", "nps"],
            "score": [11, 6.5, 0, None, 3, 10],
        }
    )
    assert valid_score_mask(answers).tolist() == [False] * 5 + [True]
    assert score_bands(answers).tolist() == [None] * 5 + ["promoter"]
    assert not low_score_mask(answers).any()


# ------------------------------------------------------------------------------ composition


def test_composition_over_time_by_hand():
    """Jan: 10, 9, 8, 6, 0 → 2 promoters, 1 passive, 2 detractors of 5 = 40 / 20 / 40 %,
    NPS 0. Feb: no NPS answer (a CSAT one does not count) → n 0, NaN. Mar: 9, 7, 7 and an
    invalid 12 → 1 / 2 / 0 of 3 = 33.3 / 66.7 / 0 %, NPS 33.3, 1 excluded."""
    answers = frame(
        [
            ("nps", 10, "2026-01-02", None, False, None, "Sales"),
            ("nps", 9, "2026-01-10", None, False, None, "Sales"),
            ("nps", 8, "2026-01-11", None, False, None, "Sales"),
            ("nps", 6, "2026-01-20", None, False, None, "Sales"),
            ("nps", 0, "2026-01-31 23:59", None, False, None, "Sales"),
            ("csat", 5, "2026-02-14", None, False, None, "Sales"),
            ("nps", 9, "2026-03-01", None, False, None, "Sales"),
            ("nps", 7, "2026-03-02", None, False, None, "Sales"),
            ("nps", 7, "2026-03-03", None, False, None, "Sales"),
            ("nps", 12, "2026-03-04", None, False, None, "Sales"),
            ("nps", 9, None, None, False, None, "Sales"),
        ]
    )
    table = composition_over_time(answers)
    assert table["period"].tolist() == list(
        pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"])
    )
    assert table["n"].tolist() == [5, 0, 3]
    assert table["excluded"].tolist() == [0, 0, 1]
    jan, feb, mar = (table.iloc[i] for i in range(3))
    assert (jan["promoters"], jan["passives"], jan["detractors"], jan["nps"]) == pytest.approx(
        (40.0, 20.0, 40.0, 0.0)
    )
    assert math.isnan(feb["promoters"]) and math.isnan(feb["nps"])
    assert (mar["promoters"], mar["passives"], mar["detractors"]) == pytest.approx(
        (100 / 3, 200 / 3, 0.0)
    )
    assert mar["nps"] == pytest.approx(100 / 3)
    assert table.attrs["undated"] == 1


def test_composition_by_week_starts_on_monday():
    """2026-01-04 is a Sunday (week of Mon 2025-12-29), 2026-01-05 a Monday."""
    answers = frame(
        [
            ("nps", 10, "2026-01-04", None, False, None, "Sales"),
            ("nps", 0, "2026-01-05", None, False, None, "Sales"),
        ]
    )
    table = composition_over_time(answers, "W")
    assert table["period"].tolist() == list(pd.to_datetime(["2025-12-29", "2026-01-05"]))
    assert table["promoters"].tolist() == [100.0, 0.0]


# ----------------------------------------------------------------------------- distribution


def test_score_distribution_counts_every_scale_point():
    """CES 1, 1, 2, 4, 5, 7 valid (n 6), 8 and a missing score excluded (2). Shares of 6:
    1 → 2/6, 2 → 1/6, 3 → 0, 4 → 1/6, 5 → 1/6, 6 → 0, 7 → 1/6."""
    answers = pd.DataFrame(
        {
            "survey_type": ["ces"] * 8 + ["csat"],
            "score": [1, 1, 2, 4, 5, 7, 8, None, 1],
        }
    )
    table = score_distribution(answers, "ces")
    assert table["score"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert table["count"].tolist() == [2, 1, 0, 1, 1, 0, 1]
    assert table["share"].tolist() == pytest.approx([100 * c / 6 for c in [2, 1, 0, 1, 1, 0, 1]])
    assert table["band"].tolist() == ["high"] * 3 + ["neutral"] + ["low"] * 3
    assert table.attrs == {"n": 6, "excluded": 2}


def test_score_distribution_of_nothing_is_zero_counts_and_nan_shares():
    table = score_distribution(pd.DataFrame({"survey_type": [], "score": []}), "nps")
    assert table["count"].tolist() == [0] * 11 and table["share"].isna().all()
    with pytest.raises(ValueError):
        score_distribution(pd.DataFrame({"survey_type": [], "score": []}), "xyz")


# ---------------------------------------------------------------------------------- reasons


def _reason_answers() -> pd.DataFrame:
    return frame(
        [
            ("nps", 3, "2026-01-05", "long wait", True, None, "Billing"),
            ("csat", 1, "2026-01-06", " long wait ", False, None, "Billing"),
            ("ces", 6, "2026-01-07", None, None, None, "Sales"),
            ("nps", 9, "2026-01-08", "long wait", True, None, "Sales"),  # not a low score
            ("csat", 3, "2026-01-09", "rude or unhelpful", False, None, "Sales"),  # neutral
            ("csat", 2, "2026-02-01", "rude or unhelpful", False, None, "Sales"),
            ("ces", 5, "2026-03-01", "", False, None, "Sales"),
        ]
    )


def test_reasons_over_time_by_hand():
    """Low scores — Jan: NPS 3 (long wait), CSAT 1 (long wait), CES 6 (none) → n 3: long wait
    2/3, no reason 1/3, rude 0. Feb: CSAT 2 (rude) → n 1, rude 1/1. Mar: CES 5 (blank) → no
    reason 1/1 (a blank reason is no reason; " long wait " is "long wait"). NPS 9 and CSAT 3
    are not low scores, so their reasons do not count. Totals: long wait 2, no reason 2, rude 1;
    most frequent first, ties in alphabetical order."""
    table = reasons_over_time(_reason_answers())
    assert table.columns.tolist() == [
        "period",
        "reason",
        "count",
        "n",
        "share",
        "ci_low",
        "ci_high",
    ]
    assert table["reason"].unique().tolist() == ["long wait", NO_REASON, "rude or unhelpful"]
    jan = table[table["period"] == pd.Timestamp("2026-01-01")].set_index("reason")
    assert jan["count"].tolist() == [2, 1, 0] and (jan["n"] == 3).all()
    assert jan["share"].tolist() == pytest.approx([200 / 3, 100 / 3, 0.0])
    low, high = wilson_by_hand(2, 3)
    assert (jan.loc["long wait", "ci_low"], jan.loc["long wait", "ci_high"]) == pytest.approx(
        (low, high), abs=1e-9
    )
    feb = table[table["period"] == pd.Timestamp("2026-02-01")].set_index("reason")
    assert feb.loc["rude or unhelpful", "share"] == 100.0 and feb["n"].iloc[0] == 1
    mar = table[table["period"] == pd.Timestamp("2026-03-01")].set_index("reason")
    assert mar.loc[NO_REASON, "count"] == 1


def test_reasons_for_one_survey_type():
    table = reasons_over_time(_reason_answers(), survey_type="csat")
    assert table["period"].unique().tolist() == list(pd.to_datetime(["2026-01-01", "2026-02-01"]))
    jan = table[table["period"] == pd.Timestamp("2026-01-01")].set_index("reason")
    assert jan.loc["long wait", "share"] == 100.0 and jan.loc["long wait", "n"] == 1


# -------------------------------------------------------------------------------- callbacks


def test_callback_requests_by_hand():
    """Jan low scores: NPS 3 (callback yes), CSAT 1 (no), CES 6 (flag missing) → n 2 known,
    1 callback = 50 %, 1 unknown. The NPS 9 asking for a callback is not a low score.
    Feb: CSAT 2, no → 0 of 1. Mar: CES 5, no → 0 of 1."""
    table = callback_requests(_reason_answers())
    assert table["n"].tolist() == [2, 1, 1]
    assert table["callbacks"].tolist() == [1, 0, 0]
    assert table["unknown"].tolist() == [1, 0, 0]
    assert table["share"].tolist() == pytest.approx([50.0, 0.0, 0.0])
    assert (table["ci_low"].iloc[0], table["ci_high"].iloc[0]) == pytest.approx(
        wilson_by_hand(1, 2), abs=1e-9
    )


def test_callback_flag_must_be_boolean():
    answers = _reason_answers().astype({"callback_requested": object})
    answers.loc[0, "callback_requested"] = "yes"
    with pytest.raises(ValueError):
        callback_requests(answers)


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="reason"):
        reasons_over_time(_reason_answers().drop(columns="reason"))


# -------------------------------------------------------------------------------- verbatims


def _comments() -> pd.DataFrame:
    return frame(
        [
            ("nps", 2, "2026-01-05", None, True, "Call me at +7 (912) 345-67-89", "Billing"),
            ("nps", 10, "2026-01-06", None, False, "Great support, thanks!", "Sales"),
            ("csat", 1, "2026-01-07", None, False, "Ждал ответа 40 минут", "Billing"),
            ("ces", 7, "2026-01-08", None, False, "Had to call three times", "Sales"),
            ("ces", 2, "2026-01-09", None, False, "Easy, thank you", "Sales"),
            ("csat", 5, "2026-01-10", None, False, "   ", "Sales"),
            ("nps", 8, "2026-01-11", None, False, None, "Sales"),
            ("csat", 2, "2026-01-12", None, False, "mail me: a.b@example.org", "Delivery"),
        ]
    )


def test_verbatims_newest_first_masked_without_blank_comments():
    table = verbatims(_comments())
    assert table["response_id"].tolist() == ["R8", "R5", "R4", "R3", "R2", "R1"]
    assert table.set_index("response_id").loc["R1", "comment"] == "Call me at [phone]"
    assert table.set_index("response_id").loc["R8", "comment"] == "mail me: [email]"
    assert table.columns.tolist() == [
        "response_id",
        "responded_at",
        "survey_type",
        "score",
        "band",
        "department",
        "reason",
        "comment",
    ]


def test_verbatims_by_band():
    """ "low" covers CSAT 1–2 and CES 5–7 (high effort); "detractor" only NPS 0–6."""
    assert verbatims(_comments(), band="low")["response_id"].tolist() == ["R8", "R4", "R3"]
    assert verbatims(_comments(), band="detractor")["response_id"].tolist() == ["R1"]
    assert verbatims(_comments(), band="high")["response_id"].tolist() == ["R5"]
    with pytest.raises(ValueError):
        verbatims(_comments(), band="angry")


def test_verbatims_by_department_and_type():
    assert verbatims(_comments(), department="Billing")["response_id"].tolist() == ["R3", "R1"]
    chosen = verbatims(_comments(), department=["Billing", "Delivery"], survey_type="csat")
    assert chosen["response_id"].tolist() == ["R8", "R3"]


def test_verbatims_search_is_case_insensitive_and_sees_only_masked_text():
    assert verbatims(_comments(), search="ЖДАЛ")["response_id"].tolist() == ["R3"]
    assert verbatims(_comments(), search="call")["response_id"].tolist() == ["R4", "R1"]
    assert verbatims(_comments(), search="912").empty  # the phone number is masked
    assert verbatims(_comments(), search="example.org").empty


# --------------------------------------------------------------------------- control chart


def test_detractor_chart_counts_valid_nps_answers_per_month():
    """Jan: 0, 6, 9, 10 → 2 detractors of 4; Feb: none (n 0); Mar: 3, 8, 11 (invalid) → 1 of
    2. p̄ = 3/6 = 0.5; the chart has one row per month."""
    answers = frame(
        [
            ("nps", 0, "2026-01-01", None, False, None, "Sales"),
            ("nps", 6, "2026-01-02", None, False, None, "Sales"),
            ("nps", 9, "2026-01-03", None, False, None, "Sales"),
            ("nps", 10, "2026-01-04", None, False, None, "Sales"),
            ("csat", 1, "2026-02-04", None, False, None, "Sales"),
            ("nps", 3, "2026-03-04", None, False, None, "Sales"),
            ("nps", 8, "2026-03-05", None, False, None, "Sales"),
            ("nps", 11, "2026-03-06", None, False, None, "Sales"),
        ]
    )
    chart = detractor_chart(answers)
    assert list(chart.index) == list(pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]))
    assert chart["n"].tolist() == [4, 0, 2]
    assert chart["p"].iloc[0] == 0.5 and math.isnan(chart["p"].iloc[1])
    assert chart.attrs["centre"] == pytest.approx(0.5)


def test_bad_frequency_raises():
    with pytest.raises(ValueError):
        composition_over_time(_comments(), "D")


@pytest.mark.parametrize(
    "view", [composition_over_time, reasons_over_time, callback_requests, verbatims]
)
def test_no_answers_give_empty_tables_with_their_columns(view):
    empty = frame([])
    table = view(empty)
    assert table.empty and len(table.columns) >= 7


def test_verbatims_with_a_duplicated_index():
    comments = _comments()
    comments.index = [0] * len(comments)
    table = verbatims(comments, band="low")
    assert table["response_id"].tolist() == ["R8", "R4", "R3"]
    assert table["comment"].tolist()[0] == "mail me: [email]"


def test_answers_behind_a_point_are_those_of_its_period_newest_first():
    from analysis.loyalty_views import answers_behind

    surveys = pd.DataFrame(
        {
            "response_id": ["a", "b", "c", "d"],
            "responded_at": pd.to_datetime(
                ["2024-01-31 23:00", "2024-02-01 08:00", "2024-02-29 10:00", "2024-03-01 00:00"]
            ),
            "survey_type": ["nps", "nps", "nps", "csat"],
            "score": [10.0, 3.0, 8.0, 5.0],
            "comment": [None, "call me at +7 912 345-67-89", "fine", None],
        }
    )
    behind = answers_behind(surveys, "nps", "2024-02-01", "2024-02-29")
    assert behind["response_id"].tolist() == ["c", "b"]
    assert behind["band"].tolist() == ["passive", "detractor"]
    assert "912" not in behind.loc[1, "comment"]
