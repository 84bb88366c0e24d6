"""The Loyalty page's data work: composition, score distribution, reasons, callbacks, verbatims.

Every function takes the survey answers (``surveys`` with the canonical columns, usually from
:func:`analysis.views.survey_context` and already sliced by the global filters and period) and
returns a tidy DataFrame the page draws and exports as it is.

**Valid answers** follow :mod:`analysis.loyalty`: a whole-number score within the scale of its
survey type (NPS 0–10, CSAT 1–5, CES 1–7); anything else is left out and counted (``excluded``).

**Score bands** (:data:`BANDS`) name how favourable an answer is:

- NPS: ``detractor`` 0–6, ``passive`` 7–8, ``promoter`` 9–10 (DESIGN.md);
- CSAT: ``low`` 1–2, ``neutral`` 3, ``high`` 4–5 (``high`` is the CSAT % band);
- CES (lower effort is better, so the bands run the other way): ``low`` 5–7 (high effort),
  ``neutral`` 4 (the scale midpoint), ``high`` 1–3 (the low-effort band of
  :func:`analysis.loyalty.ces`).

A **low score** is an answer in the unfavourable band — NPS 0–6, CSAT 1–2, CES 5–7: the answers
that carry a reason, may ask for a callback and are followed up.

**Periods** are those of :func:`analysis.periods.by_period`: ``freq`` "W" (weeks from Monday),
"MS" (calendar months) or "QS" (quarters), identified by their first day, from the first to the
last dated answer with empty periods included (n = 0). Answers without a valid ``responded_at``
are left out; their number is in ``attrs["undated"]``.

**Shares** in these tables are percent, 0–100, as every share shown on screen; intervals are
95 % Wilson intervals (:func:`analysis.rates.wilson_interval`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable

import numpy as np
import pandas as pd

from analysis.control import laney_p_chart
from analysis.loyalty import (
    CES_RANGE,
    CSAT_RANGE,
    LOW_EFFORT_MAX,
    NPS_RANGE,
    PASSIVE_MIN,
    PROMOTER_MIN,
    SATISFIED_MIN,
)
from analysis.periods import period_span, period_starts
from analysis.privacy import mask_personal_data
from analysis.rates import DateLike, wilson_percent_columns

#: Scale of each survey type.
SCALES: dict[str, tuple[int, int]] = {"nps": NPS_RANGE, "csat": CSAT_RANGE, "ces": CES_RANGE}
#: CSAT scores up to this value are low (unsatisfied).
CSAT_LOW_MAX = 2
#: CES scores from this value up are low (high effort: 5–7 on the 1–7 scale).
CES_HIGH_EFFORT_MIN = 5

#: (band, lowest score, highest score) per survey type, unfavourable band first.
BANDS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "nps": (
        ("detractor", NPS_RANGE[0], PASSIVE_MIN - 1),
        ("passive", PASSIVE_MIN, PROMOTER_MIN - 1),
        ("promoter", PROMOTER_MIN, NPS_RANGE[1]),
    ),
    "csat": (
        ("low", CSAT_RANGE[0], CSAT_LOW_MAX),
        ("neutral", CSAT_LOW_MAX + 1, SATISFIED_MIN - 1),
        ("high", SATISFIED_MIN, CSAT_RANGE[1]),
    ),
    "ces": (
        ("low", CES_HIGH_EFFORT_MIN, CES_RANGE[1]),
        ("neutral", LOW_EFFORT_MAX + 1, CES_HIGH_EFFORT_MIN - 1),
        ("high", CES_RANGE[0], LOW_EFFORT_MAX),
    ),
}
#: The band whose answers are low scores, per survey type.
LOW_BAND = {survey_type: bands[0][0] for survey_type, bands in BANDS.items()}
#: Every band name and the survey types it applies to.
BAND_TYPES: dict[str, tuple[str, ...]] = {
    band: tuple(t for t, bands in BANDS.items() if band in {b for b, _, _ in bands})
    for band in dict.fromkeys(b for bands in BANDS.values() for b, _, _ in bands)
}

#: Label of low scores that name no reason, in :func:`reasons_over_time`.
NO_REASON = "no reason given"

#: Columns each function needs, for a page to say which column would enable it.
REQUIRES: dict[str, tuple[str, ...]] = {
    "composition_over_time": ("survey_type", "score", "responded_at"),
    "score_distribution": ("survey_type", "score"),
    "reasons_over_time": ("survey_type", "score", "responded_at", "reason"),
    "callback_requests": ("survey_type", "score", "responded_at", "callback_requested"),
    "verbatims": ("survey_type", "score", "responded_at", "comment"),
    "detractor_chart": ("survey_type", "score", "responded_at"),
}


# ----------------------------------------------------------------------------------- helpers


def _require(surveys: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [column for column in columns if column not in surveys.columns]
    if missing:
        raise ValueError(f"surveys has no {', '.join(repr(c) for c in missing)} column(s)")


def _check_type(survey_type: str | None, allow_none: bool = True) -> None:
    if survey_type is None and allow_none:
        return
    if survey_type not in SCALES:
        raise ValueError(f"survey_type must be one of {sorted(SCALES)}, got {survey_type!r}")


def _numeric_scores(surveys: pd.DataFrame) -> pd.Series:
    """Scores as floats; booleans, text and other non-numbers become NaN."""
    scores = surveys["score"]
    numbers = pd.to_numeric(scores, errors="coerce").astype(float)
    if scores.dtype == object:
        is_bool = scores.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool)
        numbers = numbers.mask(is_bool)
    elif pd.api.types.is_bool_dtype(scores):
        numbers[:] = math.nan
    return numbers


def _band_positions(surveys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Per row: position of its band in ``BANDS[type]`` (−1 when invalid), type codes, types.

    The bands of each type cover its whole scale, so a row is valid exactly when it has a band.
    """
    _require(surveys, ("survey_type", "score"))
    numbers = _numeric_scores(surveys).to_numpy()
    codes, types = pd.factorize(surveys["survey_type"])
    position = np.full(len(numbers), -1)
    with np.errstate(invalid="ignore"):
        whole = numbers == np.round(numbers)  # False for NaN
        for code, survey_type in enumerate(types):
            if survey_type not in BANDS:
                continue
            rows = whole & (codes == code)
            for index, (_, low, high) in enumerate(BANDS[survey_type]):
                position[rows & (numbers >= low) & (numbers <= high)] = index
    return position, codes, pd.Index(types)


def valid_score_mask(surveys: pd.DataFrame) -> pd.Series:
    """True for answers whose score is a whole number within their survey type's scale.

    The rule of :mod:`analysis.loyalty` (NPS 0–10, CSAT 1–5, CES 1–7), vectorised over a table
    of mixed survey types; unknown survey types are never valid. Index of ``surveys``.
    """
    position, _, _ = _band_positions(surveys)
    return pd.Series(position >= 0, index=surveys.index)


def score_bands(surveys: pd.DataFrame) -> pd.Series:
    """The band of each answer (see :data:`BANDS`); missing (None) for invalid answers."""
    position, codes, types = _band_positions(surveys)
    labels = np.full(len(position), None, dtype=object)
    for code, survey_type in enumerate(types):
        for index, (band, _, _) in enumerate(BANDS.get(survey_type, ())):
            labels[(codes == code) & (position == index)] = band
    return pd.Series(labels, index=surveys.index, dtype=object)


def low_score_mask(surveys: pd.DataFrame) -> pd.Series:
    """True for valid answers in the unfavourable band: NPS 0–6, CSAT 1–2, CES 5–7."""
    position, _, _ = _band_positions(surveys)
    return pd.Series(position == 0, index=surveys.index)


# -------------------------------------------------------------------------------- the views


def composition_over_time(surveys: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """Promoter, passive and detractor shares of the NPS answers per period.

    Parameters
    ----------
    surveys : DataFrame
        Needs ``survey_type``, ``score``, ``responded_at``; only NPS answers are used.
    freq : {"W", "MS", "QS"}

    Returns
    -------
    DataFrame
        One row per period: ``period`` (first day), ``n`` (valid NPS answers), ``excluded``
        (invalid ones), ``promoters``, ``passives``, ``detractors`` (percent of n, summing to
        100; NaN when n = 0) and ``nps`` (promoters − detractors, points).
    """
    _require(surveys, REQUIRES["composition_over_time"])
    answers = surveys.loc[surveys["survey_type"] == "nps"]
    starts = period_starts(answers["responded_at"], freq)
    span = period_span(starts, freq)
    bands = score_bands(answers)
    dated = starts.notna()
    counts = (
        pd.crosstab(starts[dated & bands.notna()], bands[dated & bands.notna()])
        .reindex(index=span, columns=[b for b, _, _ in BANDS["nps"]], fill_value=0)
        .astype(int)
    )
    excluded = starts[dated & bands.isna()].value_counts().reindex(span, fill_value=0).astype(int)
    n = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = 100 * counts.div(n.where(n > 0), axis=0)
    table = pd.DataFrame(
        {
            "period": span,
            "n": n.to_numpy(),
            "excluded": excluded.to_numpy(),
            "promoters": shares["promoter"].to_numpy(),
            "passives": shares["passive"].to_numpy(),
            "detractors": shares["detractor"].to_numpy(),
        }
    )
    table["nps"] = table["promoters"] - table["detractors"]
    table.attrs["undated"] = int((~dated).sum())
    return table


def score_distribution(surveys: pd.DataFrame, survey_type: str) -> pd.DataFrame:
    """Count and share of every score of ``survey_type``'s scale (zeros included).

    Returns
    -------
    DataFrame
        One row per scale point in ascending order: ``score`` (int), ``band`` (see
        :data:`BANDS`), ``count`` and ``share`` (percent of valid answers; NaN when there are
        none). ``attrs["n"]`` valid answers, ``attrs["excluded"]`` invalid ones.
    """
    _require(surveys, REQUIRES["score_distribution"])
    _check_type(survey_type, allow_none=False)
    answers = surveys.loc[surveys["survey_type"] == survey_type]
    valid = valid_score_mask(answers)
    low, high = SCALES[survey_type]
    scale = np.arange(low, high + 1)
    counts = _numeric_scores(answers)[valid].astype(int).value_counts().reindex(scale, fill_value=0)
    n = int(counts.sum())
    band = np.empty(len(scale), dtype=object)
    for name, first, last in BANDS[survey_type]:
        band[(scale >= first) & (scale <= last)] = name
    table = pd.DataFrame(
        {
            "score": scale,
            "band": band,
            "count": counts.to_numpy(dtype=int),
            "share": 100 * counts.to_numpy() / n if n else np.full(len(scale), math.nan),
        }
    )
    table.attrs.update(n=n, excluded=int((~valid).sum()))
    return table


def _low_answers(surveys: pd.DataFrame, survey_type: str | None) -> pd.DataFrame:
    _check_type(survey_type)
    answers = surveys if survey_type is None else surveys[surveys["survey_type"] == survey_type]
    return answers.loc[low_score_mask(answers)]


def reasons_over_time(
    surveys: pd.DataFrame, freq: str = "MS", *, survey_type: str | None = None
) -> pd.DataFrame:
    """Share of low scores naming each reason, per period.

    Parameters
    ----------
    surveys : DataFrame
        Needs ``survey_type``, ``score``, ``responded_at``, ``reason``.
    freq : {"W", "MS", "QS"}
    survey_type : {"nps", "csat", "ces"}, optional
        Only this survey's low scores; all types pooled when None.

    Returns
    -------
    DataFrame
        Long format, one row per period and reason (every reason seen, in every period, zeros
        included): ``period``, ``reason``, ``count`` (low scores naming it), ``n`` (low scores
        in the period), ``share`` (percent of n) with its Wilson ``ci_low``, ``ci_high`` (NaN
        when n = 0). Low scores with a missing or blank reason appear as :data:`NO_REASON`, so
        a period's shares sum to 100. Reasons are ordered by their total count, most frequent
        first. Reasons given with answers that are not low scores are ignored.
    """
    _require(surveys, REQUIRES["reasons_over_time"])
    low = _low_answers(surveys, survey_type)
    starts = period_starts(low["responded_at"], freq)
    span = period_span(starts, freq)
    reason = low["reason"].astype(object).where(low["reason"].notna(), None)
    reason = reason.map(lambda r: r.strip() if isinstance(r, str) else r)
    reason = reason.where(reason.notna() & (reason != ""), NO_REASON).astype(object)
    dated = starts.notna()
    counts = pd.crosstab(starts[dated], reason[dated]).reindex(span, fill_value=0)
    order = counts.sum().sort_values(ascending=False, kind="stable").index
    counts = counts[order] if len(order) else counts
    n = counts.sum(axis=1)
    long = counts.stack().rename("count").reset_index()
    long.columns = ["period", "reason", "count"]
    long["n"] = long["period"].map(n).astype(int)
    long["count"] = long["count"].astype(int)
    share, ci_low, ci_high = wilson_percent_columns(long["count"].to_numpy(), long["n"].to_numpy())
    long["share"], long["ci_low"], long["ci_high"] = share, ci_low, ci_high
    long["reason"] = long["reason"].astype(object)
    long.attrs["undated"] = int((~dated).sum())
    return long[["period", "reason", "count", "n", "share", "ci_low", "ci_high"]]


def callback_requests(
    surveys: pd.DataFrame, freq: str = "MS", *, survey_type: str | None = None
) -> pd.DataFrame:
    """Low scores asking for a callback: count and share per period.

    Parameters
    ----------
    surveys : DataFrame
        Needs ``survey_type``, ``score``, ``responded_at``, ``callback_requested``.
    freq : {"W", "MS", "QS"}
    survey_type : {"nps", "csat", "ces"}, optional
        Only this survey's low scores; all types pooled when None.

    Returns
    -------
    DataFrame
        One row per period: ``period``, ``n`` (low scores whose callback flag is known),
        ``callbacks`` (of them, asking for a callback), ``share`` (percent of n) with Wilson
        ``ci_low``, ``ci_high``, and ``unknown`` (low scores with a missing flag, left out of
        n).
    """
    _require(surveys, REQUIRES["callback_requests"])
    low = _low_answers(surveys, survey_type)
    starts = period_starts(low["responded_at"], freq)
    span = period_span(starts, freq)
    flag = low["callback_requested"]
    known = flag.notna()
    present = flag[known]
    if not present.isin([True, False]).all():
        bad = present[~present.isin([True, False])].iloc[0]
        raise ValueError(f"callback_requested must be True/False (or missing); got {bad!r}")
    asked = pd.Series(False, index=low.index)
    asked[known] = present.astype(bool)
    dated = starts.notna()
    frame = pd.DataFrame(
        {"period": starts[dated], "known": known[dated], "asked": asked[dated]}
    ).groupby("period")
    sums = frame[["known", "asked"]].sum().reindex(span, fill_value=0)
    unknown = frame["known"].size().reindex(span, fill_value=0) - sums["known"]
    n = sums["known"].to_numpy(dtype=int)
    callbacks = sums["asked"].to_numpy(dtype=int)
    share, ci_low, ci_high = wilson_percent_columns(callbacks, n)
    table = pd.DataFrame(
        {
            "period": span,
            "n": n,
            "callbacks": callbacks,
            "share": share,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "unknown": unknown.to_numpy(dtype=int),
        }
    )
    table.attrs["undated"] = int((~dated).sum())
    return table


#: Columns of :func:`verbatims`, in order (``department`` and ``reason`` only when present).
VERBATIM_COLUMNS = (
    "response_id",
    "responded_at",
    "survey_type",
    "score",
    "band",
    "department",
    "reason",
    "comment",
)


def verbatims(
    surveys: pd.DataFrame,
    *,
    band: str | None = None,
    department: str | Collection[str] | None = None,
    search: str | None = None,
    survey_type: str | None = None,
) -> pd.DataFrame:
    """Comments to read, filtered, newest first, with personal data masked.

    Parameters
    ----------
    surveys : DataFrame
        Needs ``survey_type``, ``score``, ``responded_at``, ``comment`` (and ``department`` to
        filter by it).
    band : str, optional
        A score band (:data:`BANDS`): "detractor", "passive", "promoter" (NPS answers) or
        "low", "neutral", "high" (CSAT and CES answers; for CES "low" is high effort, 5–7).
    department : str or collection of str, optional
        Keep answers attributed to this department (or any of these).
    search : str, optional
        Case-insensitive literal text to find in the comment. It is searched in the *masked*
        text, so searching for an e-mail address or phone number finds nothing.
    survey_type : {"nps", "csat", "ces"}, optional

    Returns
    -------
    DataFrame
        Answers with a non-blank comment matching every filter, newest first, columns
        :data:`VERBATIM_COLUMNS` (those present in ``surveys``); ``band`` as
        :func:`score_bands` (missing for an invalid score) and ``comment`` masked by
        :func:`analysis.privacy.mask_personal_data`. Index of ``surveys``.
    """
    _require(surveys, REQUIRES["verbatims"])
    _check_type(survey_type)
    if band is not None and band not in BAND_TYPES:
        raise ValueError(f"band must be one of {sorted(BAND_TYPES)}, got {band!r}")
    if search is not None and not isinstance(search, str):
        raise ValueError(f"search must be text, got {search!r}")
    comment = surveys["comment"]
    keep = comment.notna() & (comment.astype(object).str.strip().fillna("") != "")
    if survey_type is not None:
        keep &= surveys["survey_type"] == survey_type
    if department is not None:
        _require(surveys, ("department",))
        chosen = [department] if isinstance(department, str) else list(department)
        keep &= surveys["department"].isin(chosen)
    rows = surveys.loc[keep.fillna(False).astype(bool).to_numpy()]
    bands = score_bands(rows)
    if band is not None:
        chosen_band = (bands == band).to_numpy()
        rows, bands = rows.loc[chosen_band], bands[chosen_band]
    masked = mask_personal_data(rows["comment"])
    if search:
        found = masked.astype(object).str.contains(search, case=False, regex=False)
        found = found.fillna(False).astype(bool).to_numpy()
        rows, bands, masked = rows.loc[found], bands[found], masked[found]
    columns = [c for c in VERBATIM_COLUMNS if c in rows.columns or c == "band"]
    result = rows.assign(band=bands.to_numpy(), comment=masked.to_numpy())[columns]
    stamps = pd.to_datetime(result["responded_at"], errors="coerce").reset_index(drop=True)
    newest_first = stamps.sort_values(ascending=False, na_position="last", kind="stable").index
    return result.iloc[newest_first]


def detractor_chart(surveys: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """Laney p′ control chart of the share of detractors among valid NPS answers per period.

    Returns :func:`analysis.control.laney_p_chart` indexed by ``period`` (first day; every
    period from the first to the last dated NPS answer, n = 0 where there were none). ``p`` is
    the detractor share as a proportion 0–1 (multiply by 100 for percent).
    """
    _require(surveys, REQUIRES["detractor_chart"])
    answers = surveys.loc[surveys["survey_type"] == "nps"]
    bands = score_bands(answers)
    starts = period_starts(answers["responded_at"], freq)
    span = period_span(starts, freq)
    use = starts.notna() & bands.notna()
    grouped = (
        pd.DataFrame({"period": starts[use], "detractor": bands[use] == "detractor"})
        .groupby("period")["detractor"]
        .agg(["sum", "size"])
        .reindex(span, fill_value=0)
    )
    chart = laney_p_chart(grouped["sum"].astype(int), grouped["size"].astype(int))
    chart.index.name = "period"
    return chart


#: Columns shown for the answers behind a chart's point or a table's row.
BEHIND_COLUMNS = (
    "response_id",
    "responded_at",
    "survey_type",
    "score",
    "band",
    "department",
    "channel",
    "segment",
    "region",
    "reason",
    "comment",
)


def answers_behind(
    surveys: pd.DataFrame,
    survey_type: str,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> pd.DataFrame:
    """The answers of ``survey_type`` behind a point or a row (given within ``[start, end]``
    when given), newest first, with their score band and the comment masked."""
    _check_type(survey_type, allow_none=False)
    chosen = surveys.loc[surveys["survey_type"] == survey_type]
    if start is not None and end is not None:
        day = chosen["responded_at"].dt.normalize()
        chosen = chosen.loc[(day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))]
    chosen = chosen.assign(band=score_bands(chosen))
    if "comment" in chosen:
        chosen = chosen.assign(comment=mask_personal_data(chosen["comment"]).to_numpy())
    columns = [c for c in BEHIND_COLUMNS if c in chosen.columns]
    return chosen.sort_values("responded_at", ascending=False)[columns].reset_index(drop=True)
