"""The effect of a committee action: difference-in-differences on a hand-built panel with a known
effect, checked against the textbook 2×2 formula and a hand-coded Newey–West variance."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.action_effect import (
    MIN_MONTHS,
    action_month,
    did_effect,
    gaps,
    kpi_panel,
    theme_panel,
    verdicts_after_fdr,
)
from analysis.committee import departments

MONTHS = pd.date_range("2026-01-01", periods=13, freq="MS")
ACTION = pd.Timestamp("2026-07-01")
EFFECT = 5.0
SEED = 20261122


def _panel(effect: float = EFFECT, owner_slope: float = 0.5, noise: float = 0.5) -> pd.DataFrame:
    """Owner A and controls B (n = 100) and C (n = 300) share the trend 0.5 per month; after
    July, A is ``effect`` higher. Noise N(0, ``noise``²), seed :data:`SEED`."""
    rng = np.random.default_rng(SEED)
    rows = []
    for t, month in enumerate(MONTHS):
        after = month > ACTION
        rows += [
            ("A", month, 10 + owner_slope * t + effect * after + rng.normal(0, noise), 100),
            ("B", month, 8 + 0.5 * t + rng.normal(0, noise), 100),
            ("C", month, 9 + 0.5 * t + rng.normal(0, noise), 300),
        ]
    return pd.DataFrame(rows, columns=["department", "month", "value", "n"])


def test_others_are_the_n_weighted_mean_of_the_other_departments():
    panel = _panel(noise=0.0)
    first = gaps(panel, "A").iloc[0]
    assert first["others"] == pytest.approx((8 * 100 + 9 * 300) / 400)  # 8.75
    assert first["gap"] == pytest.approx(10 - 8.75)


def test_estimate_is_the_two_by_two_difference_in_differences():
    panel = _panel()
    effect = did_effect(panel, "A", ACTION)
    # Textbook 2×2 DiD by hand: (owner after − owner before) − (others after − others before),
    # over Jan–Jun and Aug–Dec (July left out).
    table = gaps(panel, "A")
    before = table["month"] < ACTION
    after = table["month"] > ACTION
    by_hand = (table.loc[after, "owner"].mean() - table.loc[before, "owner"].mean()) - (
        table.loc[after, "others"].mean() - table.loc[before, "others"].mean()
    )
    assert effect.estimate == pytest.approx(by_hand)
    assert (effect.months_before, effect.months_after) == (6, 6)
    assert effect.ci_low < EFFECT < effect.ci_high  # the known effect is inside the interval
    assert effect.significant and effect.p_value < 0.001
    assert effect.warnings == ()


def test_interval_uses_newey_west_with_one_lag():
    """Newey & West (1987) by hand: X = [1, after], residuals u, Bartlett weight 1 − 1/2 for
    lag 1, S = Σ u²xx' + ½ Σ u_t u_{t−1}(x_t x_{t−1}' + x_{t−1} x_t'), V = (X'X)⁻¹S(X'X)⁻¹ ·
    n/(n − 2); interval ± t(0.975, n − 2) · √V₁₁."""
    panel = _panel()
    effect = did_effect(panel, "A", ACTION)
    table = effect.gaps
    x = np.column_stack([np.ones(len(table)), table["after"].to_numpy(dtype=float)])
    y = table["gap"].to_numpy()
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    u = y - x @ beta
    scores = x * u[:, None]
    s = scores.T @ scores
    lagged = scores[1:].T @ scores[:-1]
    s += 0.5 * (lagged + lagged.T)
    bread = np.linalg.inv(x.T @ x)
    n = len(y)
    variance = (bread @ s @ bread)[1, 1] * n / (n - 2)
    half = stats.t.ppf(0.975, n - 2) * math.sqrt(variance)
    assert (effect.ci_low, effect.ci_high) == pytest.approx((beta[1] - half, beta[1] + half))


def test_no_effect_is_within_noise():
    effect = did_effect(_panel(effect=0.0), "A", ACTION)
    assert not effect.significant and effect.ci_low < 0 < effect.ci_high


def test_a_pre_existing_divergence_is_flagged_as_doubtful_parallel_trends():
    effect = did_effect(_panel(owner_slope=1.5, noise=0.1), "A", ACTION)
    assert effect.pre_trend_p < 0.05
    assert "parallel trends are doubtful" in effect.warnings[0]


def test_too_few_months_after_the_action_gives_no_estimate():
    panel = _panel()
    recent = did_effect(panel, "A", "2027-01-01")
    assert math.isnan(recent.estimate) and not recent.significant
    assert recent.months_after == 0 and f"at least {MIN_MONTHS} months" in recent.warnings[0]


def test_action_month_is_the_earlier_of_due_date_and_closing():
    assert action_month("2026-07-15", pd.Timestamp("2026-08-02 10:00")) == ACTION
    assert action_month("2026-09-30", pd.Timestamp("2026-07-20")) == ACTION
    assert action_month("2026-07-31", None) == ACTION


def _tickets() -> pd.DataFrame:
    rows = []
    for month, (a_hits, a_n, b_hits, b_n) in {
        "2026-05": (3, 10, 1, 20),
        "2026-06": (0, 5, 2, 8),
    }.items():
        for department, hits, n in (("A", a_hits, a_n), ("B", b_hits, b_n)):
            for i in range(n):
                rows.append(
                    {
                        "ticket_id": f"{department}{month}-{i}",
                        "customer_id": f"c{i}",
                        "created_at": pd.Timestamp(f"{month}-03") + pd.Timedelta(hours=i),
                        "department": department,
                        "category": "Payments" if i < hits else "Other",
                        "is_complaint": i < hits or i == n - 1,
                    }
                )
    return pd.DataFrame(rows).astype({"is_complaint": "boolean", "created_at": "datetime64[ns]"})


def test_theme_panel_counts_complaints_of_the_theme_per_thousand_contacts():
    tickets = _tickets()
    months = [pd.Timestamp("2026-05-01"), pd.Timestamp("2026-06-01")]
    panel = theme_panel(tickets, "Payments", months).set_index(["department", "month"])
    # Department A in May: 3 complaints about Payments among 10 contacts → 300 per 1,000.
    assert panel.loc[("A", months[0]), "value"] == pytest.approx(300.0)
    assert panel.loc[("A", months[1]), "value"] == pytest.approx(0.0)
    assert panel.loc[("B", months[1]), "value"] == pytest.approx(250.0)  # 2 of 8
    assert panel.loc[("B", months[0]), "n"] == 20
    learnt = pd.DataFrame({"ticket_id": ["A2026-05-0", "B2026-06-7"], "theme": ["refund"] * 2})
    by_theme = theme_panel(tickets, "refund", months, learnt).set_index(["department", "month"])
    assert by_theme.loc[("A", months[0]), "value"] == pytest.approx(100.0)  # 1 of 10
    assert by_theme.loc[("B", months[1]), "value"] == pytest.approx(125.0)  # the last: 1 of 8


def test_kpi_panel_measures_each_department_and_month():
    tickets = _tickets()
    customers = pd.DataFrame({"customer_id": tickets["customer_id"].unique()})
    surveys = pd.DataFrame(
        {
            "customer_id": pd.Series(dtype=object),
            "department": pd.Series(dtype=object),
            "responded_at": pd.Series(dtype="datetime64[ns]"),
        }
    )
    months = [pd.Timestamp("2026-05-01"), pd.Timestamp("2026-06-01")]
    panel = kpi_panel(departments(customers, tickets, surveys), "complaints", months)
    # A in May: 3 Payments complaints + the last contact = 4; June: 0 + 1 = 1.
    assert panel.loc[panel["department"] == "A", "value"].tolist() == [4.0, 1.0]


def test_verdicts_hold_the_false_discovery_rate_over_all_closed_actions():
    """p = 0.01, 0.04, 0.03, 0.20 → BH q = 0.04, 0.0533, 0.0533, 0.20 (segments' worked
    example): only the first verdict stands; an untested action keeps its own verdict."""
    verdicts = pd.Series(["improved", "worsened", "improved", "within noise", "not enough data"])
    p = pd.Series([0.01, 0.04, 0.03, 0.20, np.nan])
    shown, q = verdicts_after_fdr(verdicts, p)
    assert shown.tolist() == [
        "improved",
        "within noise",
        "within noise",
        "within noise",
        "not enough data",
    ]
    assert q[:4] == pytest.approx([0.04, 0.04 / 0.75, 0.04 / 0.75, 0.20])


def test_an_action_with_no_other_department_to_compare_says_so():
    months = pd.date_range("2026-01-01", periods=8, freq="MS")
    panel = pd.DataFrame({"department": "A", "month": months, "value": 5.0, "n": 100})
    effect = did_effect(panel, "A", "2026-05-01")
    assert math.isnan(effect.estimate)
    assert effect.warnings == ("No other department has data on this target to compare A with.",)
