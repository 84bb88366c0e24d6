"""Referral rate and referrals by NPS group, against hand calculations."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from analysis.referrals import (
    referral_change,
    referral_rate,
    referrals_by_nps_group,
    referrals_made,
    referred_mask,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore::analysis.results.SmallSampleWarning", "ignore::analysis.results.EmptyDataWarning"
)


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval in percent, written out: (p̂ + z²/2n ± z√(p̂q̂/n + z²/4n²)) /
    (1 + z²/n)."""
    z = stats.norm.ppf(0.975)
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half) / (1 + z * z / n), 100 * (centre + half) / (1 + z * z / n)


@pytest.fixture()
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["p1", "p2", "d1", "n1", "n2", "n3", "n4", "x1"],
            "signup_date": [
                "2025-01-01",
                "2025-01-01",
                "2025-01-01",
                "2026-03-02",  # referred by p1
                "2026-03-10",  # referred by p1
                "2026-03-20",  # channel says referral, referrer unknown
                "2026-03-25",  # organic
                "2026-02-10",  # before the period
            ],
            "referred_by": [None, None, None, "p1", "p1", None, None, "d1"],
            "acquisition_channel": [
                "paid",
                "organic",
                "paid",
                "referral",
                None,
                "Referral",
                "paid",
                "referral",
            ],
        }
    )


def test_referral_rate_counts_new_customers_of_the_period(customers):
    """New in March: n1, n2, n3, n4 (4); by referral: n1, n2 (referrer) and n3 (channel) → 3/4."""
    estimate = referral_rate(customers, "2026-03-01", "2026-03-31")
    assert (estimate.value, estimate.n) == (75.0, 4)
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx(_wilson(3, 4))
    assert referred_mask(customers).tolist() == [False, False, False, True, True, True, False, True]
    with pytest.raises(ValueError, match="referred_by or acquisition_channel"):
        referred_mask(customers[["customer_id", "signup_date"]])


def test_referral_change_between_periods(customers):
    """February: x1 referred (1/1); March: 3/4 → change −25 pp."""
    change = referral_change(customers, ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31"))
    assert change.change == pytest.approx(-25.0)
    assert (change.n_before, change.n_after) == (1, 4)


def test_referrals_made_per_customer(customers):
    made = referrals_made(customers)
    assert made["p1"] == 2 and made["d1"] == 1 and made["p2"] == 0


def test_promoters_refer_more_hand_computed():
    """40 promoters of whom 20 referred someone (30 referrals in all), 50 detractors of whom
    5 referred (one each), 10 passives, none referred. Promoters − detractors = 50 % − 10 % =
    40 pp; pooled z = 0.4 / √(p̄(1 − p̄)(1/40 + 1/50)), p̄ = 25/90."""
    ids = [f"p{i}" for i in range(40)] + [f"d{i}" for i in range(50)] + [f"s{i}" for i in range(10)]
    scores = [10] * 40 + [3] * 50 + [8] * 10
    referred_by = ["p0"] * 11 + [f"p{i}" for i in range(1, 20)] + [f"d{i}" for i in range(5)]
    referred = pd.DataFrame(
        {"customer_id": [f"r{i}" for i in range(len(referred_by))], "referred_by": referred_by}
    )
    customers = pd.concat(
        [pd.DataFrame({"customer_id": ids, "referred_by": None}), referred], ignore_index=True
    )
    answers = pd.DataFrame({"customer_id": ids, "survey_type": "nps", "score": scores})
    answers.loc[len(answers)] = ["r0", "csat", 5]  # other survey types are ignored
    table = referrals_by_nps_group(customers, answers).set_index("group")
    assert table.index.tolist() == ["promoter", "passive", "detractor"]
    assert table["n"].tolist() == [40, 10, 50]
    assert table["referrers"].tolist() == [20, 0, 5]
    assert table["referrals"].tolist() == [30, 0, 5]
    assert table["value"].tolist() == pytest.approx([50.0, 0.0, 10.0])
    assert (table.at["promoter", "ci_low"], table.at["promoter", "ci_high"]) == pytest.approx(
        _wilson(20, 40)
    )
    assert table.at["promoter", "per_customer"] == pytest.approx(0.75)
    test = table.attrs["promoters_vs_detractors"]
    pooled = 25 / 90
    z = 0.4 / math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 50))
    assert test.change == pytest.approx(40.0)
    assert test.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert test.significant


def test_one_answer_per_customer_is_required():
    answers = pd.DataFrame({"customer_id": ["a", "a"], "survey_type": "nps", "score": [9, 3]})
    customers = pd.DataFrame({"customer_id": ["a"], "referred_by": [None]})
    with pytest.raises(ValueError, match="one NPS answer per customer"):
        referrals_by_nps_group(customers, answers)
