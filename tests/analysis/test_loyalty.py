"""NPS, CSI/CSAT, CES and their changes against hand calculations and published values.

Every expected number is derived in the test (the arithmetic is written out) or quoted from a
publication named beside it; none was copied from this code's output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.loyalty import (
    LOW_EFFORT_MAX,
    MEAN_METHOD,
    NPS_METHOD,
    ChangeResult,
    EffortResult,
    NPSResult,
    SatisfactionResult,
    ces,
    ces_change,
    csat,
    csat_change,
    nps,
    nps_change,
    nps_standard_error,
    nps_variance,
)
from analysis.rates import WILSON_METHOD
from analysis.results import EmptyDataWarning, SmallSampleWarning

pytestmark = pytest.mark.filterwarnings("ignore::analysis.results.SmallSampleWarning")

#: Φ⁻¹(0.975), from any normal table (1.96 to two decimals).
Z95 = 1.959963984540054


def wilson_by_hand(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927) closed form: (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


# ---------------------------------------------------------------------------------------- NPS


def test_design_example_30_50_20_gives_nps_10() -> None:
    """DESIGN.md: 30 % promoters, 50 % passives, 20 % detractors → NPS 10."""
    scores = [10, 9, 9] + [8, 8, 7, 7, 7] + [6, 0]
    result = nps(scores)
    assert isinstance(result, NPSResult)
    assert result.value == 10.0
    assert (result.promoters, result.passives, result.detractors) == (0.3, 0.5, 0.2)
    assert result.n == 10 and result.excluded == 0
    assert result.method == NPS_METHOD


def test_category_boundaries() -> None:
    """6 is a detractor, 7 and 8 passives, 9 a promoter (DESIGN.md)."""
    result = nps([6, 7, 8, 9])
    assert (result.detractors, result.passives, result.promoters) == (0.25, 0.5, 0.25)
    assert result.value == 0.0


def test_nps_variance_and_se_by_hand() -> None:
    """Variance of the NPS as the R package NPS (Brendan Rocks) defines it.

    R source (github.com/brendan-r/NPS, R/nps.R):
    ``nps_var_ <- function(x) { props <- prop.table(x); (props[3] + props[1]) -
    (props[3] - props[1])^2 }`` and ``nps_se_ <- sqrt(nps_var_(x) / sum(x))``.
    The package publishes no numeric test values (tests/testthat/test_01_basics.R leaves its
    "Statistical functions give expected answers" block empty), so the value is hand-computed:
    scores 0..10 once each → 7 detractors, 2 passives, 2 promoters, n = 11;
    V = (2 + 7)/11 − ((2 − 7)/11)² = 99/121 − 25/121 = 74/121; SE = sqrt(74/121 / 11).
    """
    scores = list(range(11))
    assert nps_variance(scores) == pytest.approx(74 / 121, rel=1e-12)
    assert nps_standard_error(scores) == pytest.approx(math.sqrt(74 / 121 / 11), rel=1e-12)


def test_nps_variance_equals_trinomial_variance_not_sum_of_binomials() -> None:
    """V is the variance of the per-answer score in {−1, 0, +1}, not var(p) + var(d).

    Scores [10, 0]: p = d = 1/2, so V = 1 − 0 = 1 (population variance of [+1, −1] is 1),
    while var(p) + var(d) = 1/4 + 1/4 = 1/2.
    """
    assert nps_variance([10, 0]) == 1.0
    rng = np.random.default_rng(20240601)
    scores = rng.integers(0, 11, size=200)
    mapped = np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))
    assert nps_variance(scores) == pytest.approx(np.var(mapped), rel=1e-12)


def test_adjusted_wald_interval_by_hand() -> None:
    """Rocks (2016) adjusted Wald: +3/4 detractor, +3/2 passive, +3/4 promoter.

    Scores: 3 promoters, 2 passives, 1 detractor (n = 6). Raw NPS = 100·(3 − 1)/6.
    Adjusted counts 1.75 / 3.5 / 3.75, ñ = 9: centre = (3.75 − 1.75)/9 = 2/9;
    Ṽ = 5.5/9 − (2/9)² = 45.5/81; se = sqrt(Ṽ/9) = sqrt(45.5)/27.
    """
    result = nps([10, 9, 9, 8, 7, 3])
    se = math.sqrt(45.5) / 27
    assert result.value == pytest.approx(100 * 2 / 6)
    assert result.ci_low == pytest.approx(100 * (2 / 9 - Z95 * se), rel=1e-9)
    assert result.ci_high == pytest.approx(100 * (2 / 9 + Z95 * se), rel=1e-9)


def test_adjusted_wald_interval_is_clipped_to_100() -> None:
    """Five promoters: adjusted 0.75/1.5/5.75, ñ = 8, centre 5/8, Ṽ = 6.5/8 − (5/8)².

    Upper bound 5/8 + 1.96·sqrt(Ṽ/8) ≈ 1.075 → clipped to 100.
    """
    result = nps([10, 10, 9, 9, 10])
    variance = 6.5 / 8 - (5 / 8) ** 2
    assert result.ci_high == 100.0
    assert result.ci_low == pytest.approx(100 * (5 / 8 - Z95 * math.sqrt(variance / 8)))


def test_bad_scores_are_excluded_and_counted() -> None:
    result = nps([10, "x", None, 11, -1, 7.5, 9, 0])
    assert result.n == 3 and result.excluded == 5
    assert result.value == pytest.approx(100 * (2 - 1) / 3)
    assert any("5 NPS answers excluded" in note for note in result.warnings)


@pytest.mark.parametrize("bad", [True, np.nan, pd.NA, float("inf"), "ten", 9.5, 1e9], ids=repr)
def test_each_kind_of_bad_score_is_excluded(bad: object) -> None:
    result = nps([9, bad])
    assert (result.n, result.excluded) == (1, 1)


def test_numeric_text_and_string_dtype_are_read() -> None:
    """CSV exports give text; "9" is the answer 9 and "9.0" too."""
    result = nps(pd.Series(["9", "9.0", "3", "n/a"], dtype="str"))
    assert (result.n, result.excluded) == (3, 1)
    assert result.value == pytest.approx(100 * (2 - 1) / 3)


def test_strict_raises_naming_first_bad_value_and_position() -> None:
    with pytest.raises(ValueError, match=r"position 2 \('x'\)"):
        nps([10, 9, "x", 11], strict=True)
    with pytest.raises(ValueError, match=r"position 0 \(missing\)"):
        csat([None, 5], strict=True)
    with pytest.raises(ValueError, match=r"position 1 \(8\) is not a whole number from 1 to 7"):
        ces([7, 8], strict=True)
    assert nps([10, 0], strict=True).n == 2


def test_empty_input_gives_nan_with_n_zero() -> None:
    with pytest.warns(EmptyDataWarning):
        result = nps([])
    assert math.isnan(result.value) and math.isnan(result.ci_low) and result.n == 0
    assert math.isnan(result.promoters)
    with pytest.warns(EmptyDataWarning):
        only_bad = nps(["x", None, 12])
    assert only_bad.n == 0 and only_bad.excluded == 3 and math.isnan(only_bad.value)
    assert math.isnan(nps_variance([])) and math.isnan(nps_standard_error([]))


def test_small_sample_warns() -> None:
    with pytest.warns(SmallSampleWarning):
        result = nps([9] * 29)
    assert result.warnings


@pytest.mark.parametrize("bad_input", [5, "9 9 10", [[1, 2], [3, 4]]], ids=repr)
def test_non_sequence_input_raises(bad_input: object) -> None:
    with pytest.raises(ValueError):
        nps(bad_input)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, float("nan"), "0.9", True], ids=repr)
def test_bad_confidence_raises(confidence: float) -> None:
    with pytest.raises(ValueError):
        nps([9, 10], confidence=confidence)
    with pytest.raises(ValueError):
        csat([4, 5], confidence=confidence)


# ------------------------------------------------------------------------------- CSAT and CES


def test_csat_by_hand() -> None:
    """Scores [5, 4, 4, 3, 5]: mean 4.2; s² = (0.64 + 0.04 + 0.04 + 1.44 + 0.64)/4 = 0.7;
    se = sqrt(0.7/5); t(0.975; 4) = 2.776445 (Student t table). Satisfied 4 of 5."""
    result = csat([5, 4, 4, 3, 5])
    assert isinstance(result, SatisfactionResult)
    half = 2.7764451051977987 * math.sqrt(0.7 / 5)
    assert result.mean == pytest.approx(4.2)
    assert (result.mean_ci_low, result.mean_ci_high) == pytest.approx((4.2 - half, 4.2 + half))
    assert result.share_satisfied == 0.8
    assert (result.share_ci_low, result.share_ci_high) == pytest.approx(wilson_by_hand(4, 5))

    csi = result.csi()
    assert (csi.value, csi.n, csi.method) == (pytest.approx(4.2), 5, MEAN_METHOD)
    share = result.csat_share()
    assert share.value == pytest.approx(80.0) and share.method == WILSON_METHOD
    low, high = wilson_by_hand(4, 5)
    assert (share.ci_low, share.ci_high) == pytest.approx((100 * low, 100 * high))


def test_csat_excludes_out_of_range_and_constant_scores_give_point_interval() -> None:
    result = csat([0, 6, 4, 4, "bad"])
    assert (result.n, result.excluded) == (2, 3)
    # s = 0 → t interval degenerates to the mean itself
    assert (result.mean_ci_low, result.mean_ci_high) == (4.0, 4.0)


def test_single_answer_has_mean_but_no_t_interval() -> None:
    result = csat([5])
    assert result.mean == 5.0 and math.isnan(result.mean_ci_low)
    assert result.share == 1.0


def test_ces_low_effort_is_one_to_three() -> None:
    """[1, 2, 3, 4, 7, 7]: low effort = 1, 2, 3 → 3/6; mean 24/6 = 4."""
    assert LOW_EFFORT_MAX == 3
    result = ces([1, 2, 3, 4, 7, 7])
    assert isinstance(result, EffortResult)
    assert result.share_low_effort == 0.5
    assert result.mean == 4.0
    assert result.low_effort_share().value == pytest.approx(50.0)
    assert result.ces_mean().method == MEAN_METHOD
    with pytest.warns(EmptyDataWarning):
        assert ces([8, 0]).n == 0


def test_csat_empty() -> None:
    with pytest.warns(EmptyDataWarning):
        result = csat([])
    assert result.n == 0 and math.isnan(result.mean) and math.isnan(result.share)
    assert math.isnan(result.csi().value) and math.isnan(result.csat_share().ci_low)


# ------------------------------------------------------------------------------------ changes


def test_nps_change_small_samples_by_hand() -> None:
    """before [10, 9, 0, 0, 7]: 2 det, 1 pas, 2 pro → NPS 0; after [10, 10, 9, 8, 3]:
    1 det, 1 pas, 3 pro → NPS 40; change 40 points.

    Adjusted (Rocks 2016): before 2.75/2.5/2.75, ñ = 8, centre 0, Ṽ = 5.5/8;
    after 1.75/2.5/3.75, ñ = 8, centre 2/8, Ṽ = 5.5/8 − (2/8)².
    se = sqrt(Ṽb/8 + Ṽa/8); z = 0.25/se; p = erfc(z/√2).
    """
    result = nps_change([10, 9, 0, 0, 7], [10, 10, 9, 8, 3])
    assert isinstance(result, ChangeResult)
    se = math.sqrt((5.5 / 8) / 8 + (5.5 / 8 - 0.25**2) / 8)
    z = 0.25 / se
    assert result.change == pytest.approx(40.0)
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (100 * (0.25 - Z95 * se), 100 * (0.25 + Z95 * se))
    )
    assert (result.n_before, result.n_after, result.significant) == (5, 5, False)


def test_nps_change_large_shift_is_significant() -> None:
    """before: 20 pro / 30 pas / 50 det (NPS −30); after: 50 / 30 / 20 (NPS +30).

    Adjusted: before 50.75 det, 20.75 pro, ñ = 103 → centre −30/103; after mirrored → +30/103;
    Ṽ = (50.75 + 20.75)/103 − (30/103)² on both sides.
    """
    before = [10] * 20 + [8] * 30 + [2] * 50
    after = [10] * 50 + [8] * 30 + [2] * 20
    result = nps_change(before, after)
    variance = 71.5 / 103 - (30 / 103) ** 2
    se = math.sqrt(2 * variance / 103)
    z = (60 / 103) / se
    assert result.change == pytest.approx(60.0)
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-6)
    assert result.significant is True
    assert result.ci_low == pytest.approx(100 * (60 / 103 - Z95 * se))


def test_nps_change_with_an_empty_side() -> None:
    with pytest.warns(EmptyDataWarning):
        result = nps_change([], [9, 10])
    assert math.isnan(result.change) and math.isnan(result.p_value)
    assert (result.n_before, result.n_after, result.significant) == (0, 2, False)


def test_csat_share_change_matches_newcombe_1998() -> None:
    """Newcombe (1998), "Interval estimation for the difference between independent
    proportions", Stat Med 17:873–890, Table II example (a): 56/70 − 48/80 = 0.2,
    method 10 (hybrid score, no continuity correction) → 0.0524 to 0.3339.

    p-value: pooled z-test by hand, p̄ = 104/150, se = sqrt(p̄(1 − p̄)(1/70 + 1/80)).
    """
    before = [5] * 48 + [2] * 32
    after = [4] * 56 + [1] * 14
    result = csat_change(before, after).share
    assert result.change == pytest.approx(20.0)
    assert result.ci_low == pytest.approx(5.24, abs=0.005)
    assert result.ci_high == pytest.approx(33.39, abs=0.005)
    pooled = 104 / 150
    z = 0.2 / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert result.significant is True


def test_csat_mean_change_welch_by_hand() -> None:
    """Welch (1947): before [2, 3, 3, 4, 1, 3] (mean 16/6), after [4, 5, 5, 3, 4] (mean 21/5).

    s²_b = Σ(x − 8/3)²/5, s²_a = Σ(x − 4.2)²/4; se² = s²_a/5 + s²_b/6;
    df = se⁴ / ((s²_a/5)²/4 + (s²_b/6)²/5); p = 2·P(T_df > |Δ/se|).
    """
    before, after = [2, 3, 3, 4, 1, 3], [4, 5, 5, 3, 4]
    var_b = sum((x - 16 / 6) ** 2 for x in before) / 5
    var_a = sum((x - 4.2) ** 2 for x in after) / 4
    se2 = var_a / 5 + var_b / 6
    df = se2**2 / ((var_a / 5) ** 2 / 4 + (var_b / 6) ** 2 / 5)
    delta = 4.2 - 16 / 6
    t_crit = stats.t.ppf(0.975, df)
    result = csat_change(before, after).mean
    assert result.change == pytest.approx(delta)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(delta) / math.sqrt(se2), df))
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (delta - t_crit * math.sqrt(se2), delta + t_crit * math.sqrt(se2))
    )
    assert result.significant is (result.p_value < 0.05)


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")
def test_share_change_when_every_answer_is_satisfied() -> None:
    """Both sides 100 % satisfied: no difference can be seen, p = 1."""
    result = csat_change([5, 5, 4], [4, 4]).share
    assert result.change == 0.0 and result.p_value == 1.0 and result.significant is False


def test_ces_change_direction() -> None:
    """More low-effort answers after: share change = 100·(3/4 − 1/4) = +50 points;
    mean change = mean([1, 2, 3, 6]) − mean([2, 5, 6, 7]) = 3 − 5 = −2 (an improvement)."""
    result = ces_change([2, 5, 6, 7], [1, 2, 3, 6])
    assert result.share.change == pytest.approx(50.0)
    assert result.mean.change == pytest.approx(-2.0)


def test_mean_change_needs_two_answers_per_side() -> None:
    result = csat_change([5], [4, 5]).mean
    assert result.change == pytest.approx(-0.5)
    assert math.isnan(result.p_value) and result.significant is False


def test_adjusted_wald_interval_literal_worked_example() -> None:
    """5 promoters, 3 passives, 2 detractors (NPS 30). Worked by hand from Rocks (2016):
    ñ = 10 + 3 = 13, p̃ = 5.75/13 = 0.442308, d̃ = 2.75/13 = 0.211538, NPS̃ = 0.230769,
    Ṽ = p̃ + d̃ − (p̃ − d̃)² = 0.600592, se = sqrt(Ṽ/ñ) = 0.214940,
    interval 0.230769 ± 1.959964 · 0.214940 = [−0.190506, 0.652045] → [−19.05, 65.20]."""
    result = nps([10] * 5 + [7] * 3 + [3] * 2)
    assert result.value == pytest.approx(30.0)
    assert (result.ci_low, result.ci_high) == pytest.approx((-19.0506, 65.2045), abs=1e-3)


def test_nps_standard_error_matches_a_published_rule_of_thumb() -> None:
    """Engelhardt (2016), "Net Promoter Score Confidence Intervals 2: Maths and Stats"
    (CYBAEA, R-bloggers): with equal thirds of promoters, passives and detractors,
    Var = p(1−p) + d(1−d) + 2pd = 2/3 per answer and the 95% interval is about 320/√n NPS
    points wide (2 · 1.96 · 100 · sqrt(2/3 / n) = 320.1/√n)."""
    n = 300
    scores = [10] * (n // 3) + [8] * (n // 3) + [0] * (n // 3)
    width = 2 * 1.959964 * 100 * nps_standard_error(scores)
    assert width == pytest.approx(320.1 / n**0.5, rel=1e-3)
    assert nps_variance(scores) == pytest.approx(2 / 3)
