"""Theme views against hand calculations and scipy's own Wilson interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.theme_views import (
    emerging_themes,
    period_recurrences,
    recurrence_rate,
    recurrence_table,
    recurrences,
    theme_breakdown,
    theme_loyalty,
    theme_verbatims,
    theme_volumes,
)


def wilson_percent(k: int, n: int) -> tuple[float, float]:
    """Reference: scipy.stats.binomtest(k, n).proportion_ci(method="wilson"), in percent."""
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    return 100 * ci.low, 100 * ci.high


def items(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["ticket_id", "customer_id", "created_at", "theme_id", "department"]
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["theme"] = frame["theme_id"].map({0: "delivery", 1: "billing", 2: "app", -1: None})
    return frame


def test_volumes_count_each_theme_per_month_with_wilson_shares():
    frame = items(
        [
            ("t1", "c1", "2024-01-03", 0, "D"),
            ("t2", "c2", "2024-01-10", 0, "D"),
            ("t3", "c3", "2024-01-20", 1, "B"),
            ("t4", "c4", "2024-01-21", -1, "B"),  # no theme: not counted anywhere
            ("t5", "c5", "2024-03-02", 1, "B"),
        ]
    )
    table = theme_volumes(frame, "MS")
    assert table["period"].dt.month.unique().tolist() == [1, 2, 3]  # February kept, empty
    january = table.loc[table["period"] == "2024-01-01"].set_index("theme_id")
    assert january["count"].tolist() == [2, 1]
    assert january["total"].tolist() == [3, 3]
    assert january.at[0, "share"] == pytest.approx(200 / 3)
    assert (january.at[0, "ci_low"], january.at[0, "ci_high"]) == pytest.approx(
        wilson_percent(2, 3)
    )
    february = table.loc[table["period"] == "2024-02-01"]
    assert february["count"].tolist() == [0, 0]
    assert february["share"].isna().all()


def test_breakdown_shares_are_within_each_group():
    frame = items(
        [
            ("t1", "c1", "2024-01-03", 0, "Delivery"),
            ("t2", "c2", "2024-01-04", 0, "Delivery"),
            ("t3", "c3", "2024-01-05", 1, "Delivery"),
            ("t4", "c4", "2024-01-06", 1, "Billing"),
            ("t5", "c5", "2024-01-07", 1, None),  # no department: left out
        ]
    )
    table = theme_breakdown(frame, "department")
    assert table[["group", "theme", "count", "total"]].values.tolist() == [
        ["Billing", "billing", 1, 1],
        ["Delivery", "delivery", 2, 3],
        ["Delivery", "billing", 1, 3],
    ]
    assert table["share"].tolist() == pytest.approx([100, 200 / 3, 100 / 3])


def test_emerging_theme_by_one_sided_two_proportion_test_with_bh():
    """Period: 30 of 100 themed contacts on delivery; baseline: 20 of 200.

    Hand calculation: p̄ = 50/300; z = (0.30 − 0.10) / sqrt(p̄(1 − p̄)(1/100 + 1/200)) = 4.382;
    one-sided p = 1 − Φ(z) = 5.9e-6. Billing: 70/100 vs 180/200, shrank: p = Φ(z) ≈ 1.
    BH over the two themes: q = p · 2 / rank.
    """
    rows = [(f"a{i}", f"c{i}", "2024-06-10", 0 if i < 30 else 1, "D") for i in range(100)]
    rows += [(f"b{i}", f"d{i}", "2024-03-10", 0 if i < 20 else 1, "D") for i in range(200)]
    table = emerging_themes(
        items(rows), ("2024-06-01", "2024-06-30"), ("2024-01-01", "2024-05-31")
    ).set_index("theme")
    pooled = 50 / 300
    z = (0.30 - 0.10) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 200))
    assert z == pytest.approx(4.382, abs=1e-3)
    p_delivery = stats.norm.sf(z)
    assert table.at["delivery", "p_value"] == pytest.approx(p_delivery, rel=1e-9)
    assert table.at["delivery", "q_value"] == pytest.approx(p_delivery * 2, rel=1e-9)
    assert table.at["delivery", "change"] == pytest.approx(20.0)
    assert table.at["delivery", "share"] == pytest.approx(30.0)
    assert table.at["delivery", "baseline_share"] == pytest.approx(10.0)
    assert (table.at["delivery", "share_low"], table.at["delivery", "share_high"]) == (
        pytest.approx(wilson_percent(30, 100))
    )
    assert table.at["delivery", "change_low"] < 20 < table.at["delivery", "change_high"]
    assert bool(table.at["delivery", "emerging"])
    assert not bool(table.at["billing", "emerging"])
    assert table.at["billing", "p_value"] == pytest.approx(1 - p_delivery, rel=1e-9)
    assert table.attrs["family_size"] == 2


def test_a_small_rise_is_within_noise():
    rows = [(f"a{i}", f"c{i}", "2024-06-10", 0 if i < 3 else 1, "D") for i in range(20)]
    rows += [(f"b{i}", f"d{i}", "2024-03-10", 0 if i < 2 else 1, "D") for i in range(20)]
    table = emerging_themes(items(rows), ("2024-06-01", "2024-06-30"), ("2024-01-01", "2024-05-31"))
    assert not table["emerging"].any()


def test_emerging_is_empty_without_a_baseline():
    rows = [("a", "c", "2024-06-10", 0, "D")]
    table = emerging_themes(items(rows), ("2024-06-01", "2024-06-30"), ("2024-01-01", "2024-05-31"))
    assert table.empty


def test_recurrence_within_the_window_and_censoring_at_the_end():
    """Hand-made history, window 30 days, data ends 2024-04-30 (last contact).

    c1 delivery on 01-01, 01-20 (19 days: recurred), 03-15 (54 days after: not);
    c1 billing on 01-05 (another theme: no recurrence for it);
    c2 delivery on 02-01 and 02-01 again the same day (recurred), then nothing;
    c3 delivery on 04-20: its window ends after the data: not observable.
    Observable delivery complaints: c1×3, c2×2 = 5; recurred: c1 01-01, c2 first = 2.
    """
    frame = items(
        [
            ("t1", "c1", "2024-01-01", 0, "Delivery"),
            ("t2", "c1", "2024-01-20", 0, "Billing"),
            ("t3", "c1", "2024-03-15", 0, "Delivery"),
            ("t4", "c1", "2024-01-05", 1, "Billing"),
            ("t5", "c2", "2024-02-01", 0, "Delivery"),
            ("t6", "c2", "2024-02-01", 0, "Delivery"),
            ("t7", "c3", "2024-04-20", 0, "Delivery"),
            ("t8", "c4", "2024-04-30", 1, "Billing"),
        ]
    )
    judged = recurrences(frame, 30).set_index("ticket_id")
    assert judged["recurred"].to_dict() == {
        "t1": True,
        "t2": False,
        "t3": False,
        "t4": False,
        "t5": True,
        "t6": False,
        "t7": False,
        "t8": False,
    }
    assert judged.loc[["t7", "t8"], "observable"].tolist() == [False, False]
    table = recurrence_table(judged.reset_index()).set_index("theme")
    assert table.at["delivery", "complaints"] == 5
    assert table.at["delivery", "recurred"] == 2
    assert table.at["delivery", "rate"] == pytest.approx(40.0)
    assert (table.at["delivery", "ci_low"], table.at["delivery", "ci_high"]) == pytest.approx(
        wilson_percent(2, 5)
    )
    overall = recurrence_rate(judged)  # all themes: 2 of 6 observable (t4 billing did not recur)
    assert (overall.value, overall.n) == (pytest.approx(100 * 2 / 6), 6)
    assert (overall.ci_low, overall.ci_high) == pytest.approx(wilson_percent(2, 6))
    by_department = recurrence_table(judged.reset_index(), "department")
    delivery = by_department.loc[by_department["theme"] == "delivery"].set_index("group")
    assert delivery["complaints"].to_dict() == {"Billing": 1, "Delivery": 4}
    assert delivery["recurred"].to_dict() == {"Billing": 0, "Delivery": 2}
    with pytest.raises(ValueError, match="window_days"):
        recurrences(frame, 0)


def test_loyalty_per_theme_links_by_ticket_then_by_customer():
    """Delivery tickets t1 (c1) and t2 (c2); billing ticket t3 (c3).

    NPS answers without a ticket: c1 10, c2 0, c3 9 → delivery customers: [10, 0]: NPS = 0 (one
    promoter, one detractor, n = 2). CSAT answers on tickets: t1 5, t2 4, t3 1 → delivery
    CSAT % = 100 (n = 2), CSI = 4.5; billing CSAT % = 0 (n = 1).
    """
    frame = items(
        [
            ("t1", "c1", "2024-01-01", 0, "D"),
            ("t2", "c2", "2024-01-02", 0, "D"),
            ("t3", "c3", "2024-01-03", 1, "B"),
        ]
    )
    surveys = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c1", "c2", "c3"],
            "ticket_id": [None, None, None, "t1", "t2", "t3"],
            "survey_type": ["nps", "nps", "nps", "csat", "csat", "csat"],
            "score": [10, 0, 9, 5, 4, 1],
        }
    )
    table = theme_loyalty(frame, surveys).set_index(["theme", "metric"])
    assert table.at[("delivery", "nps"), "value"] == pytest.approx(0.0)
    assert table.at[("delivery", "nps"), "n"] == 2
    assert table.at[("delivery", "csat"), "value"] == pytest.approx(100.0)
    assert table.at[("delivery", "csi"), "value"] == pytest.approx(4.5)
    assert table.at[("billing", "nps"), "value"] == pytest.approx(100.0)
    assert table.at[("billing", "csat"), "n"] == 1
    assert table.at[("All", "nps"), "n"] == 3
    low, high = table.at[("delivery", "nps"), "ci_low"], table.at[("delivery", "nps"), "ci_high"]
    assert low < 0 < high


def test_verbatims_mask_personal_data_newest_first():
    frame = items(
        [
            ("t1", "c1", "2024-01-01", 0, "D"),
            ("t2", "c2", "2024-01-05", 0, "D"),
            ("t3", "c3", "2024-01-03", 1, "B"),
        ]
    )
    frame["text"] = ["Call me on +7 912 345-67-89", "Mail anna@example.com", "other"]
    shown = theme_verbatims(frame, 0, ["ticket_id", "created_at", "text", "missing"])
    assert shown["ticket_id"].tolist() == ["t2", "t1"]
    assert shown["text"].tolist() == ["Mail [email]", "Call me on [phone]"]
    assert list(shown.columns) == ["ticket_id", "created_at", "text"]
    answers = pd.DataFrame(
        {
            "response_id": ["r1", "r2"],
            "responded_at": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "theme_id": [0, 0],
            "comment": ["call 8 912 345 67 89", "fine"],
        }
    )
    said = theme_verbatims(answers, 0, ["response_id", "responded_at", "comment"])
    assert said["comment"].tolist() == ["fine", "call [phone]"]


def test_views_refuse_items_without_their_columns():
    with pytest.raises(ValueError, match="created_at"):
        theme_volumes(pd.DataFrame({"theme_id": [0], "theme": ["x"]}))
    assert np.isnan(theme_volumes(items([]))["share"]).all()


def test_a_repeat_after_the_period_still_counts_as_a_recurrence():
    """January's complaint on 25 Jan is repeated on 5 Feb by the same customer on the same theme:
    judged for the January period it recurred (1 of 1), although the repeat lies after the
    period; the 20 Jan complaint by c2 is not repeated (the data runs to April, so it is
    observable)."""
    frame = items(
        [
            ("t1", "c1", "2024-01-25", 0, "D"),
            ("t2", "c1", "2024-02-05", 0, "D"),
            ("t3", "c2", "2024-01-20", 0, "D"),
            ("t4", "c3", "2024-04-30", 1, "B"),
        ]
    )
    judged = period_recurrences(frame, 30, "2024-01-01", "2024-01-31").set_index("ticket_id")
    assert set(judged.index) == {"t1", "t3"}
    assert bool(judged.loc["t1", "recurred"]) and bool(judged.loc["t1", "observable"])
    assert not bool(judged.loc["t3", "recurred"]) and bool(judged.loc["t3", "observable"])
