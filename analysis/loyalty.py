"""Loyalty metrics from survey answers: NPS, CSI / CSAT, CES, and their changes between periods.

Missing-value policy (every function here): answers that are missing, non-numeric, not whole
numbers or outside the scale are **excluded and counted** in ``excluded`` — never silently used.
With ``strict=True`` the first such answer raises ValueError instead, naming its value and
position. Shares in ``*Result`` fields are 0–1; share-type :class:`Estimate` objects are percent
0–100 (see :mod:`analysis.rates`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from scipy import stats

from analysis.rates import (
    DEFAULT_CONFIDENCE,
    WILSON_METHOD,
    as_series,
    check_confidence,
    share_difference,
    wilson_interval,
    z_value,
)
from analysis.results import ChangeResult, Estimate, change_result, sample_warnings

NPS_RANGE = (0, 10)
#: Scores >= PROMOTER_MIN are promoters, >= PASSIVE_MIN passives, the rest detractors.
PROMOTER_MIN = 9
PASSIVE_MIN = 7
CSAT_RANGE = (1, 5)
#: CSAT scores >= SATISFIED_MIN count as satisfied (CSAT % = share of 4–5).
SATISFIED_MIN = 4
CES_RANGE = (1, 7)
#: CES scores <= LOW_EFFORT_MAX (1–3 on the 1–7 scale, lower = less effort) count as low effort.
LOW_EFFORT_MAX = 3

#: Pseudo-counts added to (detractors, passives, promoters) before the Wald interval:
#: Rocks (2016), The American Statistician 70(4):365–372; R package NPS (brendan-r/NPS,
#: R/nps_tests.R, ``nps_test_(..., pseudo_observations = c(0.75, 1.50, 0.75))``).
NPS_PSEUDO_COUNTS = (0.75, 1.5, 0.75)

NPS_METHOD = "adjusted Wald (Rocks 2016: +3/4 detractor, +3/2 passive, +3/4 promoter)"
MEAN_METHOD = "Student t interval"
NPS_CHANGE_METHOD = "difference of adjusted-Wald NPS (Rocks 2016) with two-sided z-test"
SHARE_CHANGE_METHOD = "Newcombe hybrid score interval with pooled two-proportion z-test"
MEAN_CHANGE_METHOD = "Welch t-test"

_ScaleT = TypeVar("_ScaleT", bound="ScaleResult")


def _shown(value: object) -> str:
    """A value as an error message shows it: "missing", or the repr of the Python value."""
    if pd.isna(value):
        return "missing"
    return repr(value.item() if isinstance(value, np.generic) else value)


def _valid_scores(
    scores: Iterable[object], score_range: tuple[int, int], strict: bool, what: str
) -> tuple[np.ndarray, int]:
    """Whole-number scores within ``score_range`` and the count of everything else.

    Numeric strings ("9") are read as numbers; booleans, text, missing values, fractions,
    infinities and out-of-range numbers are excluded (or raise ValueError when ``strict``).
    """
    values = as_series(scores, f"{what} scores")
    numbers = pd.to_numeric(values, errors="coerce")
    if pd.api.types.is_bool_dtype(values):
        is_bool = pd.Series(True, index=values.index)
    elif values.dtype == object:
        is_bool = values.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool)
    else:
        is_bool = pd.Series(False, index=values.index)
    low, high = score_range
    valid = (
        (numbers.notna() & (numbers.round() == numbers) & numbers.between(low, high) & ~is_bool)
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    if strict and not valid.all():
        position = int(np.flatnonzero(~valid)[0])
        raise ValueError(
            f"{what} answer at position {position} ({_shown(values.iloc[position])}) is not a "
            f"whole number from {low} to {high}"
        )
    return numbers[valid].to_numpy(dtype=np.int64), int((~valid).sum())


# --------------------------------------------------------------------------------------- NPS


@dataclass(frozen=True)
class NPSResult(Estimate):
    """Net Promoter Score (−100…100) with its interval and the three category shares (0–1).

    Attributes
    ----------
    promoters, passives, detractors : float
        Shares of valid answers in each category, 0–1 (NaN when ``n == 0``).
    """

    promoters: float = math.nan
    passives: float = math.nan
    detractors: float = math.nan


def _nps_counts(valid: np.ndarray) -> np.ndarray:
    """Counts of (detractors, passives, promoters) among valid 0–10 scores."""
    category = np.searchsorted([PASSIVE_MIN, PROMOTER_MIN], valid, side="right")
    return np.bincount(category, minlength=3).astype(float)


def _nps_moments(counts: np.ndarray) -> tuple[float, float]:
    """NPS ``p − d`` and its variance ``V = p + d − (p − d)²`` (proportion scale, per answer).

    Rocks (2016), eq. for the trinomial variance; R NPS ``nps_var_``.
    """
    detractors, _, promoters = counts / counts.sum()
    score = promoters - detractors
    return float(score), float(promoters + detractors - score**2)


def _adjusted_wald(counts: np.ndarray) -> tuple[float, float]:
    """Centre and standard error of the adjusted-Wald NPS (proportion scale).

    Adds :data:`NPS_PSEUDO_COUNTS` to the counts, then ``centre = p̃ − d̃`` and
    ``se = sqrt(Ṽ / ñ)`` with ``ñ = n + 3`` (Rocks 2016; R NPS ``nps_test_``).
    """
    adjusted = counts + np.asarray(NPS_PSEUDO_COUNTS)
    centre, variance = _nps_moments(adjusted)
    return centre, math.sqrt(variance / adjusted.sum())


def nps(
    scores: Iterable[object], *, strict: bool = False, confidence: float = DEFAULT_CONFIDENCE
) -> NPSResult:
    """Net Promoter Score: ``100 · (p − d)`` on −100…100 with the adjusted-Wald interval.

    ``p`` = share of promoters (9–10), ``d`` = share of detractors (0–6) among valid 0–10
    answers (DESIGN.md; Reichheld 2003). Interval (Rocks 2016, "Interval Estimation for the
    'Net Promoter Score'", The American Statistician 70(4)): add 3/4 detractor, 3/2 passive and
    3/4 promoter, then ``p̃ − d̃ ± z · sqrt((p̃ + d̃ − (p̃ − d̃)²) / (n + 3))``, clipped to
    [−100, 100]. The interval is centred on the adjusted score, so for n = 1 it can miss the raw
    value.

    Parameters
    ----------
    scores : array-like
        0–10 answers; invalid ones are excluded and counted (see module docstring).
    strict : bool
        Raise ValueError on the first invalid answer instead of excluding it.
    confidence : float
        Interval coverage, strictly between 0 and 1.

    Returns
    -------
    NPSResult
        value, ci_low, ci_high (points), n, excluded, warnings, method, and the shares
        ``promoters``, ``passives``, ``detractors`` (0–1). NaN with ``n == 0`` when empty.
    """
    check_confidence(confidence)
    valid, excluded = _valid_scores(scores, NPS_RANGE, strict, "NPS")
    n = len(valid)
    counts = _nps_counts(valid)
    notes = sample_warnings(n, excluded, "NPS answers")
    if n == 0:
        return NPSResult(math.nan, math.nan, math.nan, 0, confidence, NPS_METHOD, excluded, notes)
    centre, se = _adjusted_wald(counts)
    half = z_value(confidence) * se
    low, high = np.clip([centre - half, centre + half], -1.0, 1.0) * 100
    detractors, passives, promoters = counts / n
    return NPSResult(
        value=float(100 * (counts[2] - counts[0]) / n),
        ci_low=float(low),
        ci_high=float(high),
        n=n,
        confidence=confidence,
        method=NPS_METHOD,
        excluded=excluded,
        warnings=notes,
        promoters=float(promoters),
        passives=float(passives),
        detractors=float(detractors),
    )


def _unadjusted_variance(scores: Iterable[object], strict: bool) -> tuple[float, int]:
    """Per-answer NPS variance ``p + d − (p − d)²`` (NaN when empty) and the valid n."""
    valid, _ = _valid_scores(scores, NPS_RANGE, strict, "NPS")
    return (_nps_moments(_nps_counts(valid))[1] if len(valid) else math.nan), len(valid)


def nps_variance(scores: Iterable[object], *, strict: bool = False) -> float:
    """Unadjusted NPS variance per answer, ``p + d − (p − d)²`` (0–1 scale; NaN when empty).

    Same definition as ``nps_var`` in the R package NPS (Brendan Rocks, brendan-r/NPS, R/nps.R:
    ``(props[3] + props[1]) - (props[3] - props[1])^2``), with invalid answers excluded.
    """
    return _unadjusted_variance(scores, strict)[0]


def nps_standard_error(scores: Iterable[object], *, strict: bool = False) -> float:
    """Unadjusted standard error of the NPS, ``sqrt(V / n)`` (0–1 scale; NaN when empty).

    Same definition as ``nps_se`` in the R package NPS (``sqrt(nps_var_(x) / sum(x))``).
    """
    variance, n = _unadjusted_variance(scores, strict)
    return math.sqrt(variance / n) if n else math.nan


# ------------------------------------------------------------------------------- CSAT and CES


@dataclass(frozen=True)
class ScaleResult:
    """Mean score of a rating scale and the share of answers in a band of it.

    Attributes
    ----------
    mean, mean_ci_low, mean_ci_high : float
        Mean valid score with its Student-t interval (NaN bounds when n < 2).
    share, share_ci_low, share_ci_high : float
        Share (0–1) of valid answers in the band, with its Wilson interval.
    n, excluded : int
        Valid answers, and answers excluded as missing or out of range.
    confidence : float
        Coverage of both intervals.
    warnings : tuple of str
        Caveats from :func:`analysis.results.sample_warnings`.
    """

    mean: float
    mean_ci_low: float
    mean_ci_high: float
    share: float
    share_ci_low: float
    share_ci_high: float
    n: int
    excluded: int = 0
    confidence: float = DEFAULT_CONFIDENCE
    warnings: tuple[str, ...] = ()

    def mean_estimate(self) -> Estimate:
        """The mean score as an :class:`Estimate` (score units)."""
        return Estimate(
            self.mean,
            self.mean_ci_low,
            self.mean_ci_high,
            self.n,
            self.confidence,
            MEAN_METHOD,
            self.excluded,
            self.warnings,
        )

    def share_estimate(self) -> Estimate:
        """The band share as an :class:`Estimate` in percent 0–100."""
        return Estimate(
            100 * self.share,
            100 * self.share_ci_low,
            100 * self.share_ci_high,
            self.n,
            self.confidence,
            WILSON_METHOD,
            self.excluded,
            self.warnings,
        )


class SatisfactionResult(ScaleResult):
    """CSAT 1–5: ``mean`` is the CSI, ``share`` the share satisfied (4–5)."""

    @property
    def share_satisfied(self) -> float:
        """Share of answers 4–5, 0–1."""
        return self.share

    def csi(self) -> Estimate:
        """CSI (mean CSAT score, 1–5) with its Student-t interval."""
        return self.mean_estimate()

    def csat_share(self) -> Estimate:
        """CSAT % (share of 4–5, percent 0–100) with its Wilson interval."""
        return self.share_estimate()


class EffortResult(ScaleResult):
    """CES 1–7 (lower = less effort): ``mean`` is the mean CES, ``share`` the low-effort share."""

    @property
    def share_low_effort(self) -> float:
        """Share of answers 1 to :data:`LOW_EFFORT_MAX`, 0–1."""
        return self.share

    def ces_mean(self) -> Estimate:
        """Mean CES (1–7, lower is better) with its Student-t interval."""
        return self.mean_estimate()

    def low_effort_share(self) -> Estimate:
        """Low-effort share (percent 0–100) with its Wilson interval."""
        return self.share_estimate()


def _in_band(valid: np.ndarray, band: tuple[int, int]) -> int:
    """Number of scores within ``band`` (inclusive)."""
    return int(((valid >= band[0]) & (valid <= band[1])).sum())


def _t_interval(valid: np.ndarray, confidence: float) -> tuple[float, float]:
    """Student-t interval ``x̄ ± t(1 − α/2; n − 1) · s / √n`` (NaN when n < 2)."""
    if len(valid) < 2:
        return math.nan, math.nan
    half = stats.t.ppf((1 + confidence) / 2, len(valid) - 1) * stats.sem(valid)
    mean = float(valid.mean())
    return mean - float(half), mean + float(half)


def _scale(
    cls: type[_ScaleT],
    scores: Iterable[object],
    score_range: tuple[int, int],
    band: tuple[int, int],
    strict: bool,
    confidence: float,
    what: str,
) -> _ScaleT:
    """Mean (t interval) and band share (Wilson) of valid scores, as ``cls``."""
    check_confidence(confidence)
    valid, excluded = _valid_scores(scores, score_range, strict, what)
    n = len(valid)
    in_band = _in_band(valid, band)
    share_low, share_high = wilson_interval(in_band, n, confidence)
    mean_low, mean_high = _t_interval(valid, confidence)
    return cls(
        mean=float(valid.mean()) if n else math.nan,
        mean_ci_low=mean_low,
        mean_ci_high=mean_high,
        share=in_band / n if n else math.nan,
        share_ci_low=share_low,
        share_ci_high=share_high,
        n=n,
        excluded=excluded,
        confidence=confidence,
        warnings=sample_warnings(n, excluded, f"{what} answers"),
    )


def csat(
    scores: Iterable[object], *, strict: bool = False, confidence: float = DEFAULT_CONFIDENCE
) -> SatisfactionResult:
    """CSI (mean 1–5 score, Student-t interval) and CSAT % (share of 4–5, Wilson interval).

    DESIGN.md: CSI = mean score; CSAT % = share of answers >= :data:`SATISFIED_MIN`. The mean
    interval is ``x̄ ± t(1 − α/2; n − 1) · s / √n`` (``scipy.stats.t``); the share interval is
    Wilson's (``scipy.stats.binomtest(...).proportion_ci(method="wilson")``). Invalid answers
    are excluded and counted; ``strict=True`` raises instead. Empty input gives NaN, n = 0.
    """
    return _scale(
        SatisfactionResult,
        scores,
        CSAT_RANGE,
        (SATISFIED_MIN, CSAT_RANGE[1]),
        strict,
        confidence,
        "CSAT",
    )


def ces(
    scores: Iterable[object], *, strict: bool = False, confidence: float = DEFAULT_CONFIDENCE
) -> EffortResult:
    """Mean CES (1–7, lower = less effort; Student-t interval) and low-effort share (Wilson).

    Low effort = scores 1 to :data:`LOW_EFFORT_MAX` (3), the three scale points below the
    neutral midpoint 4. Same exclusion policy, ``strict`` flag and empty result as :func:`csat`.
    """
    return _scale(
        EffortResult, scores, CES_RANGE, (CES_RANGE[0], LOW_EFFORT_MAX), strict, confidence, "CES"
    )


# ------------------------------------------------------------------------------------ changes


@dataclass(frozen=True)
class ScaleChange:
    """Change of a rating scale between two periods: its band ``share`` and its ``mean``."""

    share: ChangeResult
    mean: ChangeResult


def _two_samples(
    before: Iterable[object],
    after: Iterable[object],
    score_range: tuple[int, int],
    strict: bool,
    what: str,
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Valid scores of both samples and the warnings for each."""
    valid_before, excluded_before = _valid_scores(before, score_range, strict, what)
    valid_after, excluded_after = _valid_scores(after, score_range, strict, what)
    notes = sample_warnings(len(valid_before), excluded_before, f"{what} answers before")
    notes += sample_warnings(len(valid_after), excluded_after, f"{what} answers after")
    return valid_before, valid_after, notes


def nps_change(
    before: Iterable[object],
    after: Iterable[object],
    *,
    strict: bool = False,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ChangeResult:
    """Change in NPS, ``NPS(after) − NPS(before)`` in points, for independent samples.

    Following the two-sample adjusted-Wald test of the R package NPS (Rocks 2016;
    ``nps_test_(x, y, test = "adjusted.wald")``), both samples get the pseudo-counts
    :data:`NPS_PSEUDO_COUNTS`; then ``Δ̃ = NPS̃_after − NPS̃_before``,
    ``se = sqrt(Ṽ_after / ñ_after + Ṽ_before / ñ_before)``, interval ``Δ̃ ± z · se`` (clipped
    to [−200, 200]) and p-value ``2 · (1 − Φ(|Δ̃| / se))`` (``scipy.stats.norm``).
    ``change`` is the unadjusted difference.
    """
    check_confidence(confidence)
    valid_before, valid_after, notes = _two_samples(before, after, NPS_RANGE, strict, "NPS")
    sizes = (len(valid_before), len(valid_after))
    if 0 in sizes:
        return change_result(
            math.nan, (math.nan, math.nan), math.nan, sizes, NPS_CHANGE_METHOD, confidence, notes
        )
    counts_before, counts_after = _nps_counts(valid_before), _nps_counts(valid_after)
    centre_before, se_before = _adjusted_wald(counts_before)
    centre_after, se_after = _adjusted_wald(counts_after)
    delta, se = centre_after - centre_before, math.hypot(se_after, se_before)
    half = z_value(confidence) * se
    raw = 100 * (
        (counts_after[2] - counts_after[0]) / sizes[1]
        - (counts_before[2] - counts_before[0]) / sizes[0]
    )
    return change_result(
        raw,
        tuple(np.clip([delta - half, delta + half], -2.0, 2.0) * 100),
        2 * stats.norm.sf(abs(delta) / se),
        sizes,
        NPS_CHANGE_METHOD,
        confidence,
        notes,
    )


def _scale_change(
    before: Iterable[object],
    after: Iterable[object],
    score_range: tuple[int, int],
    band: tuple[int, int],
    strict: bool,
    confidence: float,
    what: str,
) -> ScaleChange:
    """Band-share change (Newcombe) and mean change (Welch) between two samples."""
    check_confidence(confidence)
    valid_before, valid_after, notes = _two_samples(before, after, score_range, strict, what)
    sizes = (len(valid_before), len(valid_after))
    nan_pair = (math.nan, math.nan)
    if 0 in sizes:
        share = change_result(
            math.nan, nan_pair, math.nan, sizes, SHARE_CHANGE_METHOD, confidence, notes
        )
    else:
        in_band = (_in_band(valid_before, band), _in_band(valid_after, band))
        delta, interval, p_value = share_difference(in_band, sizes, confidence)
        share = change_result(
            100 * delta,
            (100 * interval[0], 100 * interval[1]),
            p_value,
            sizes,
            SHARE_CHANGE_METHOD,
            confidence,
            notes,
        )
    if min(sizes) >= 2:
        test = stats.ttest_ind(valid_after, valid_before, equal_var=False)
        ci = test.confidence_interval(confidence_level=confidence)
        mean_interval, mean_p = (ci.low, ci.high), test.pvalue
    else:
        mean_interval, mean_p = nan_pair, math.nan
    mean_change = valid_after.mean() - valid_before.mean() if min(sizes) else math.nan
    mean = change_result(
        mean_change, mean_interval, mean_p, sizes, MEAN_CHANGE_METHOD, confidence, notes
    )
    return ScaleChange(share=share, mean=mean)


def csat_change(
    before: Iterable[object],
    after: Iterable[object],
    *,
    strict: bool = False,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ScaleChange:
    """Change in CSAT between two independent samples: ``after − before``.

    ``share``: CSAT % difference in percentage points, Newcombe (1998) hybrid score interval
    (method 10, built from the two Wilson intervals; good coverage where the Wald interval
    overshoots near 0 % / 100 %) and pooled two-proportion z-test. ``mean``: CSI difference,
    Welch t-test and interval (``scipy.stats.ttest_ind(equal_var=False)``; NaN when a side
    has fewer than 2 answers).
    """
    return _scale_change(
        before, after, CSAT_RANGE, (SATISFIED_MIN, CSAT_RANGE[1]), strict, confidence, "CSAT"
    )


def ces_change(
    before: Iterable[object],
    after: Iterable[object],
    *,
    strict: bool = False,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ScaleChange:
    """Change in CES between two independent samples: low-effort share and mean, as
    :func:`csat_change` (a negative mean change is an improvement)."""
    return _scale_change(
        before, after, CES_RANGE, (CES_RANGE[0], LOW_EFFORT_MAX), strict, confidence, "CES"
    )
