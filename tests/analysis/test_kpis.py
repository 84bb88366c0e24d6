"""Overview KPIs and the change tests behind them, against hand-computed and published values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.kpis import OVERVIEW_KPIS, Tables, median_change, overview_kpis, survey_trend
from analysis.rates import churn_change, count_change, proportion_change
from analysis.views import Slice, apply_slice, survey_context, ticket_context


def test_proportion_change_matches_newcombe_1998_example():
    """Newcombe (1998), Stat Med 17:873–890, Table II: 56/70 vs 48/80 → Δ = 0.2,
    method 10 interval [0.0524, 0.3339]. Pooled z by hand: p̄ = 104/150 = 0.693333,
    z = 0.2 / sqrt(0.212622 · (1/70 + 1/80)) = 0.2 / 0.075467 = 2.65016 → p = 0.008045."""
    result = proportion_change(48, 80, 56, 70)
    assert result.change == pytest.approx(20.0)
    assert (result.ci_low, result.ci_high) == pytest.approx((5.24, 33.39), abs=0.01)
    assert result.p_value == pytest.approx(0.008045, abs=2e-6)
    assert result.significant


def test_proportion_change_hand_computed_pooled_z():
    """10/100 → 20/100: p̄ = 0.15, se = sqrt(0.15·0.85·0.02) = 0.050498, z = 1.98030,
    two-sided p = 0.047670."""
    result = proportion_change(10, 100, 20, 100)
    assert result.p_value == pytest.approx(0.047670, abs=1e-5)
    assert result.n_before == 100 and result.n_after == 100


def test_count_change_matches_scipy_documented_e_test():
    """scipy.stats.poisson_means_test docs (Krishnamoorthy & Thomson 2004): 0 vs 3 dodder seeds
    in equal samples → p = 0.08837900929018157. Interval by hand: 3 ± 1.959964·sqrt(3)."""
    result = count_change(0, 3)
    assert result.change == 3
    assert result.p_value == pytest.approx(0.08837900929018157, rel=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((3 - 3.394757, 3 + 3.394757), abs=1e-5)
    assert not result.significant


def test_empty_side_gives_nan_change_not_significant():
    result = proportion_change(0, 0, 5, 10)
    assert math.isnan(result.change) and not result.significant


#: The loyalty KPIs: the fixture of :func:`_tables` has no service columns.
LOYALTY = tuple(k for k in OVERVIEW_KPIS if k not in {"sla", "fcr", "first_response_time"})


def _tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "signup_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-01", "2026-03-15"]),
            "churn_date": pd.to_datetime([None, "2026-02-10", "2026-03-20", None]),
            "segment": ["SMB", "SMB", "Consumer", "Consumer"],
            "region": ["UK", "UK", "UK", "Poland"],
            "referred_by": [None, None, None, "a"],
        }
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4"],
            "customer_id": ["a", "b", "c", "d"],
            "created_at": pd.to_datetime(["2026-02-05", "2026-02-06", "2026-03-05", "2026-03-20"]),
            "department": ["Billing", "Delivery", "Billing", "Delivery"],
            "channel": ["email", "phone", "chat", "email"],
            "is_complaint": pd.array([True, True, False, True], dtype="boolean"),
        }
    )
    surveys = pd.DataFrame(
        {
            "response_id": [str(i) for i in range(8)],
            "customer_id": ["a", "b", "c", "d", "a", "c", "d", "b"],
            "ticket_id": [None, "t2", None, None, "t1", None, None, None],
            "responded_at": pd.to_datetime(
                [
                    "2026-03-02",
                    "2026-03-03",
                    "2026-03-10",
                    "2026-03-25",
                    "2026-02-07",
                    "2026-02-15",
                    "2026-03-26",
                    "2026-02-08",
                ]
            ),
            "survey_type": ["nps", "nps", "nps", "nps", "csat", "nps", "csat", "nps"],
            "score": [10.0, 3.0, 9.0, 8.0, 5.0, 6.0, 2.0, 10.0],
        }
    )
    return customers, tickets, surveys


def test_overview_kpis_hand_computed():
    customers, tickets, surveys = _tables()
    kpis = overview_kpis(
        Tables(customers, tickets, surveys), "2026-03-01", "2026-03-31", keys=LOYALTY
    )
    # March NPS answers 10, 3, 9, 8 → 2 promoters, 1 detractor of 4 → NPS 25.
    assert kpis["nps"].current.value == pytest.approx(25.0)
    assert kpis["nps"].current.n == 4
    # The previous period of equal length (31 days) is 29 Jan – 28 Feb: answers 6, 10 → NPS 0.
    assert kpis["nps"].previous.value == pytest.approx(0.0)
    assert kpis["nps"].change.change == pytest.approx(25.0)
    # CSAT: March has one answer (2) → CSI 2.0, CSAT % 0; February one answer (5).
    assert kpis["csi"].current.value == pytest.approx(2.0)
    assert kpis["csat"].current.value == pytest.approx(0.0)
    assert kpis["csat"].previous.value == pytest.approx(100.0)
    # Complaints: March t4 only (t3 is not a complaint); February t1, t2.
    assert (kpis["complaints"].current.value, kpis["complaints"].previous.value) == (1, 2)
    # Churn in March: at start a, c (b left in Feb, d joined in March) → c lost → 50 %.
    assert kpis["churn"].current.value == pytest.approx(50.0)
    assert kpis["churn"].current.n == 2
    # Churn in the previous period: a, b, c at start, b lost → 33.3 %.
    assert kpis["churn"].previous.value == pytest.approx(100 / 3)
    assert kpis["churn"].change.n_before == 3 and kpis["churn"].change.n_after == 2
    # Retention = kept ÷ at start: March 1 of 2 (50 %), before 2 of 3; change −16.7 pp.
    assert kpis["retention"].current.value == pytest.approx(50.0)
    assert kpis["retention"].previous.value == pytest.approx(200 / 3)
    assert kpis["retention"].change.change == pytest.approx(50.0 - 200 / 3)
    assert kpis["retention"].change.p_value == pytest.approx(kpis["churn"].change.p_value)
    # Referral rate: d, the only new customer in March, was referred by a → 1 of 1; nobody
    # signed up in the previous period, so there is no change to test.
    assert (kpis["referral_rate"].current.value, kpis["referral_rate"].current.n) == (100.0, 1)
    assert kpis["referral_rate"].previous.n == 0
    assert math.isnan(kpis["referral_rate"].change.change)


def test_referral_rate_under_a_department_filter_counts_new_customers_it_served():
    """d (new in March, referred) was served by Delivery in March, not by Billing."""
    customers, tickets, surveys = _tables()
    for department, n in (("Delivery", 1), ("Billing", 0)):
        served = tickets.loc[tickets["department"] == department]
        tables = Tables(customers, served, surveys, served_only=True)
        kpi = overview_kpis(tables, "2026-03-01", "2026-03-31", keys=("referral_rate",))
        assert kpi["referral_rate"].current.n == n


def test_churn_change_counts_each_period_on_its_own_base():
    customers, _, _ = _tables()
    change = churn_change(
        customers["signup_date"],
        customers["churn_date"],
        ("2026-01-29", "2026-02-28"),
        ("2026-03-01", "2026-03-31"),
    )
    assert change.change == pytest.approx(50.0 - 100 / 3)


def test_unknown_kpi_is_an_argument_error():
    customers, tickets, surveys = _tables()
    with pytest.raises(ValueError, match="unknown KPI"):
        overview_kpis(
            Tables(customers, tickets, surveys), "2026-03-01", "2026-03-31", keys=("revenue",)
        )


def test_survey_trend_per_month():
    _, _, surveys = _tables()
    trend = survey_trend(surveys, "nps")
    # February: 6, 10 → NPS 0 (n 2); March: 10, 3, 9, 8 → NPS 25 (n 4).
    assert trend["period"].tolist() == [pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01")]
    assert trend["value"].tolist() == pytest.approx([0.0, 25.0])
    assert trend["n"].tolist() == [2, 4]


def test_survey_context_takes_ticket_or_last_contact_department():
    customers, tickets, surveys = _tables()
    enriched = survey_context(surveys, tickets, customers).set_index("response_id")
    assert enriched.loc["1", "department"] == "Delivery"  # linked to t2
    assert enriched.loc["0", "department"] == "Billing"  # a's last contact before 2 Mar: t1
    assert pd.isna(enriched.loc["5", "department"])  # c's only contact (t3) came after 15 Feb
    assert survey_context(surveys, tickets.iloc[:0], customers)["department"].isna().all()
    assert enriched.loc["3", "region"] == "Poland"


def test_slice_by_department_restricts_tickets_and_surveys_not_customers():
    customers, tickets, surveys = _tables()
    t = ticket_context(tickets, customers)
    s = survey_context(surveys, tickets, customers)
    kept_customers, kept_tickets, kept_surveys = apply_slice(
        customers, t, s, Slice({"department": ("Delivery",), "segment": ()})
    )
    assert kept_tickets["ticket_id"].tolist() == ["t2", "t4"]
    assert set(kept_surveys["department"]) == {"Delivery"}
    assert len(kept_customers) == 4  # who was served depends on the period: see served_before


def test_churn_under_a_department_filter_counts_customers_served_before_the_period():
    """Billing served a (t1, 5 Feb) and c (t3, 5 Mar). For March, only a had been served before
    1 Mar: a stayed → churn 0 % of n = 1. Counting c too (served only during March, left on
    20 Mar) would give 50 %; keeping every customer ever served is the bias this avoids."""
    customers, tickets, surveys = _tables()
    t = ticket_context(tickets, customers)
    sliced = apply_slice(
        customers,
        t,
        survey_context(surveys, tickets, customers),
        Slice({"department": ("Billing",)}),
    )
    kpis = overview_kpis(
        Tables(*sliced, served_only=True), "2026-03-01", "2026-03-31", keys=LOYALTY
    )
    assert (kpis["churn"].current.value, kpis["churn"].current.n) == (0.0, 1)
    assert kpis["churn"].previous.n == 0  # nobody had been served by Billing before 29 Jan


def test_no_comparison_when_the_previous_period_is_before_the_data():
    customers, tickets, surveys = _tables()
    kpis = overview_kpis(
        Tables(customers, tickets, surveys),
        "2026-03-01",
        "2026-03-31",
        keys=LOYALTY,
        data_start="2026-02-05",
    )
    assert kpis["nps"].previous is None and kpis["nps"].change is None
    assert "starts before the data" in kpis["nps"].note
    assert kpis["nps"].current.value == pytest.approx(25.0)


def test_complaint_change_from_zero_can_be_significant():
    """E-test for 0 vs 10 events in equal exposure: scipy.stats.poisson_means_test(10, 1, 0, 1)
    gives p = 0.00157 (< 0.05); a zero count is an observation, not an empty sample."""
    result = count_change(0, 10)
    assert result.p_value < 0.01 and result.significant


def test_slice_rejects_unknown_dimension():
    with pytest.raises(ValueError, match="unknown filter dimension"):
        Slice({"agent": ("Agent 001",)})


# ------------------------------------------------------------------------- service KPIs


def _service_tickets() -> pd.DataFrame:
    """February: phone answered in 10 s and 20 s, e-mail in 1 h, a phone created 10 s before
    midnight on 28 Feb never answered. March: phone answered in 10, 40 and 20 s, a phone
    abandoned, an e-mail answered in 3 h."""
    day = pd.Timestamp
    created = [
        day("2026-02-10 09:00:00"),
        day("2026-02-11 09:00:00"),
        day("2026-02-12 09:00:00"),
        day("2026-02-28 23:59:50"),
        day("2026-03-10 09:00:00"),
        day("2026-03-11 09:00:00"),
        day("2026-03-12 09:00:00"),
        day("2026-03-13 09:00:00"),
        day("2026-03-14 09:00:00"),
    ]
    waits = [10, 20, 3600, None, 10, 40, 20, None, 3 * 3600]
    return pd.DataFrame(
        {
            "ticket_id": [f"t{i}" for i in range(9)],
            "created_at": created,
            "channel": ["phone", "phone", "email", "phone", "phone", "phone", "chat", "phone"]
            + ["email"],
            "first_response_at": [
                c + pd.Timedelta(seconds=w) if w is not None else pd.NaT
                for c, w in zip(created, waits, strict=True)
            ],
            "resolved_at": pd.NaT,
            "abandoned": pd.array([False] * 7 + [True, False], dtype="boolean"),
            "first_contact_resolved": pd.array(
                [True, True, False, None, True, False, True, None, None], dtype="boolean"
            ),
        }
    )


def test_service_kpis_hand_computed():
    tickets = _service_tickets()
    tables = Tables(pd.DataFrame(), tickets, pd.DataFrame())
    kpis = overview_kpis(
        tables, "2026-03-01", "2026-03-31", keys=("sla", "fcr", "first_response_time")
    )
    sla = kpis["sla"]
    # March (first tiers 30 s / 2 h): 10 s, 20 s within; 40 s, abandoned, e-mail 3 h late → 2/5.
    assert sla.current.value == pytest.approx(40.0) and sla.current.n == 5
    # February: 10 s, 20 s, e-mail 1 h within; the unanswered phone is late because as_of is the
    # latest stamp of the whole table (14 Mar), not of February → 3/4.
    assert sla.previous.value == pytest.approx(75.0) and sla.previous.n == 4
    # proportion_change(3, 4, 2, 5): Δ = −35 pp; pooled p̄ = 5/9,
    # se = sqrt(5/9 · 4/9 · (1/4 + 1/5)) = 1/3, z = −0.35 / (1/3) = −1.05 → p = 0.293718.
    assert sla.change.change == pytest.approx(-35.0)
    assert sla.change.p_value == pytest.approx(0.293718, abs=1e-6)
    assert not sla.change.significant
    fcr = kpis["fcr"]
    # March handled: t4 True, t5 False, t6 True, t8 missing (excluded); t7 abandoned → 2/3.
    assert fcr.current.value == pytest.approx(200 / 3) and fcr.current.n == 3
    assert fcr.current.excluded == 1
    # February handled: t0 True, t1 True, t2 False, t3 missing → 2/3.
    assert fcr.previous.value == pytest.approx(200 / 3)
    assert fcr.change.change == pytest.approx(0.0)
    response = kpis["first_response_time"]
    # March answered: 10, 40, 20, 10800 s → median (20 + 40)/2 = 30; February 10, 20, 3600 → 20.
    assert response.current.value == pytest.approx(30.0) and response.current.n == 4
    assert response.previous.value == pytest.approx(20.0) and response.previous.n == 3
    change = response.change
    assert change.change == pytest.approx(10.0)
    # Mood: pooled median 20; above it March 40, 10800 (2 of 4), February 3600 (1 of 3);
    # table [[2, 1], [2, 2]], Yates-corrected χ² = 0 → p = 1
    # (scipy.stats.median_test([10, 40, 20, 10800], [10, 20, 3600]).pvalue == 1.0).
    assert change.p_value == pytest.approx(1.0)
    assert math.isnan(change.ci_low)  # fewer than 6 on a side: no Bonett–Price interval
    assert not change.significant


def test_median_change_matches_bonett_price_published_example():
    """Bonett & Price (2002) as implemented in statpsych::ci.median2 (reference example):
    y1 = 32 39 26 35 43 27 40 37 34 29, y2 = 36 44 47 42 49 39 46 31 33 48 → median1 − median2
    = −8.5, SE 4.316291, 95% CI [−16.95977, −0.04022524]. Mood by hand: pooled median 38;
    above it 3 of y1, 7 of y2 → table [[3, 7], [7, 3]], Yates χ² = 20·(|9 − 49| − 10)² / 10⁴
    = 1.8 → p = P(χ²₁ > 1.8) = 0.179712."""
    y1 = [32, 39, 26, 35, 43, 27, 40, 37, 34, 29]
    y2 = [36, 44, 47, 42, 49, 39, 46, 31, 33, 48]
    with pytest.warns(UserWarning):
        result = median_change(y2, y1)  # after − before = median(y1) − median(y2)
    assert result.change == pytest.approx(-8.5)
    assert (result.ci_low, result.ci_high) == pytest.approx((-16.95977, -0.04022524), abs=1e-5)
    assert result.p_value == pytest.approx(0.179712, abs=1e-6)
    assert not result.significant
    assert (result.n_before, result.n_after) == (10, 10)


def test_median_change_empty_side_and_bad_values():
    with pytest.warns(UserWarning):
        result = median_change([], [1.0, 2.0])
    assert math.isnan(result.change) and not result.significant
    with pytest.warns(UserWarning):
        result = median_change([5.0, -1.0, float("nan")], [7.0])
    assert result.n_before == 1 and result.change == pytest.approx(2.0)


def test_service_kpis_follow_the_overview_loyalty_ones():
    assert OVERVIEW_KPIS[-3:] == ("sla", "fcr", "first_response_time")
