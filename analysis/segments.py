"""Honest breakdowns of a survey metric by department, channel, segment or region.

Two rules keep a breakdown from misleading (issue 5, "Honest segments"):

- **Small groups are shown but not read.** A group with fewer valid answers than ``min_n``
  (default :data:`analysis.results.SMALL_SAMPLE_N`, 30) is marked ``too_small``, placed after
  the others, left out of the ranking and not tested.
- **Many comparisons, one error budget.** Each readable group is tested against a baseline with
  the metric's own change test; the p-values of that family are adjusted with the
  Benjamini–Hochberg procedure (Benjamini & Hochberg 1995, JRSS B 57(1):289–300) via
  ``scipy.stats.false_discovery_control(p, method="bh")``, and a group is ``flagged`` only when
  its q-value is below :data:`FDR_LEVEL` (0.05). With m tests and p-values sorted ascending
  ``p₍₁₎ ≤ … ≤ p₍ₘ₎``, ``q₍ᵢ₎ = min over j ≥ i of min(1, p₍ⱼ₎ · m / j)``; flagging q < 0.05
  keeps the expected share of false discoveries among flagged groups at most 5 %.

NPS (and every metric) can be read **per response** (every answer counts; a customer who answers
often weighs more) or **per customer** (:func:`per_customer`: each customer's last valid answer
per survey type, so every customer counts once and the score reflects their latest view). The
page states which one it shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.definitions import METRICS
from analysis.kpis import SURVEY_METRICS
from analysis.loyalty_views import valid_score_mask
from analysis.rates import FDR_LEVEL, FDR_METHOD, benjamini_hochberg
from analysis.results import SMALL_SAMPLE_N

#: Columns of :func:`segment_table`, in order.
SEGMENT_COLUMNS = (
    "group",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "too_small",
    "diff",
    "p_value",
    "q_value",
    "flagged",
)


#: False-discovery rate below which a group is flagged.
def _check_min_n(min_n: object) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise ValueError(f"min_n must be a whole number >= 1, got {min_n!r}")
    return int(min_n)


def segment_table(
    surveys: pd.DataFrame,
    metric_key: str,
    by: str,
    *,
    min_n: int = SMALL_SAMPLE_N,
    baseline: Iterable[object] | None = None,
) -> pd.DataFrame:
    """A survey metric per group of ``by``, each group tested against a baseline, FDR-controlled.

    Parameters
    ----------
    surveys : DataFrame
        Survey answers with ``survey_type``, ``score`` and the column ``by`` (e.g. from
        :func:`analysis.views.survey_context`); already restricted to the period and filters.
        Pass ``per_customer(surveys)`` to count each customer once.
    metric_key : str
        A key of :data:`analysis.kpis.SURVEY_METRICS` ("nps", "csi", "csat", "ces",
        "ces_low_effort"); its estimate gives ``value`` and its change test gives ``diff`` and
        ``p_value``.
    by : str
        The grouping column ("department", "channel", "segment", "region", …). Answers with a
        missing ``by`` belong to no group (their number is in ``attrs["ungrouped"]``).
    min_n : int
        Groups with fewer valid answers are ``too_small``.
    baseline : array-like of scores, optional
        What each group is compared with. ``None`` (default): **the rest** — every other answer
        of the metric's survey type in ``surveys`` (other groups, small groups and ungrouped
        answers), an independent sample as the change tests assume. Otherwise a sequence of
        scores of the same survey type, e.g. the whole company's answers for "vs overall" (the
        group is then part of its own baseline, the samples overlap and the test is
        conservative) or the previous period's.

    Returns
    -------
    DataFrame
        One row per group, columns :data:`SEGMENT_COLUMNS`:

        - ``group``: the value of ``by``;
        - ``value``, ``ci_low``, ``ci_high``, ``n``: the metric's :class:`Estimate` for the
          group (NPS points, percent for shares, score units for means; ``n`` valid answers);
        - ``too_small``: ``n < min_n``;
        - ``diff``: group − baseline in the metric's units (``ChangeResult.change``, also shown
          for small groups as a description);
        - ``p_value``: two-sided p-value of the change test (NaN for small groups, which are not
          tested, and where the test is undefined, e.g. an empty baseline);
        - ``q_value``: Benjamini–Hochberg q-value within the family of tested groups (NaN
          outside it);
        - ``flagged``: ``q_value < 0.05``.

        Rows: readable groups first, best first (highest value, or lowest where lower is better
        as for CES), then the small groups in the same order. ``attrs`` holds ``metric``,
        ``by``, ``min_n``, ``baseline`` ("rest" or "given"), ``family_size``, ``ungrouped``,
        ``test_method`` and ``fdr_method``.

    Notes
    -----
    The tests are the metric's own change tests (:mod:`analysis.loyalty`), with the baseline
    as "before" and the group as "after": NPS — difference of adjusted-Wald NPS with a z-test
    (Rocks 2016); CSAT % and low-effort share — pooled two-proportion z-test (Newcombe 1998
    interval); CSI and CES means — Welch t-test. The family for Benjamini–Hochberg is the
    readable groups with a defined p-value; with one group against the rest of one other group
    the two tests are mirror images, which BH handles (it is valid under positive dependence).
    """
    if metric_key not in SURVEY_METRICS:
        raise ValueError(f"unknown survey metric {metric_key!r}; known: {sorted(SURVEY_METRICS)}")
    for column in ("survey_type", "score", by):
        if column not in surveys.columns:
            raise ValueError(f"surveys has no {column!r} column")
    min_n = _check_min_n(min_n)
    metric = SURVEY_METRICS[metric_key]
    chosen = surveys.loc[surveys["survey_type"] == metric.survey_type]
    scores, labels = chosen["score"], chosen[by]
    given = None if baseline is None else pd.Series(list(baseline), dtype=object)
    rows, method = [], ""
    for group in pd.unique(labels.dropna()):
        inside = (labels == group).to_numpy()
        estimate = metric.estimate(scores[inside])
        reference = scores[~inside] if given is None else given
        change = metric.change(reference, scores[inside])
        method = change.method
        too_small = estimate.n < min_n
        rows.append(
            (
                group,
                estimate.value,
                estimate.ci_low,
                estimate.ci_high,
                estimate.n,
                too_small,
                change.change,
                math.nan if too_small else change.p_value,
            )
        )
    table = pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS[:-2]))
    table = table.astype({"value": float, "n": int, "too_small": bool, "p_value": float})
    table["q_value"] = benjamini_hochberg(table["p_value"])
    table["flagged"] = (table["q_value"] < FDR_LEVEL).astype(bool)
    ascending = not METRICS[metric_key].higher_is_better
    table = table.sort_values(
        ["too_small", "value"], ascending=[True, ascending], na_position="last", kind="stable"
    ).reset_index(drop=True)
    table.attrs.update(
        metric=metric_key,
        by=by,
        min_n=min_n,
        baseline="rest" if given is None else "given",
        family_size=int(table["q_value"].notna().sum()),
        ungrouped=int(labels.isna().sum()),
        test_method=method,
        fdr_method=FDR_METHOD,
    )
    return table


def per_customer(surveys: pd.DataFrame) -> pd.DataFrame:
    """Each customer's last valid answer per survey type (for "NPS per customer").

    Per response, a customer who answers five times counts five times; per customer, each
    customer counts once with their latest view. "Last" is the latest ``responded_at``; ties
    are broken by ``response_id`` (when present), so the result does not depend on row order.
    Only valid answers compete (a whole-number score within the type's scale, see
    :func:`analysis.loyalty_views.valid_score_mask`): a later answer without a usable score does
    not hide an earlier valid one. Answers without a timestamp or customer cannot be placed and
    are left out. Apply the period filter first: the result is the last answer *within* it.

    Returns
    -------
    DataFrame
        The chosen rows of ``surveys`` (all columns, original index), in their original order.
        ``attrs["answers"]`` is the number of valid answers considered, ``attrs["customers"]``
        the number of rows returned.
    """
    for column in ("customer_id", "survey_type", "score", "responded_at"):
        if column not in surveys.columns:
            raise ValueError(f"surveys has no {column!r} column")
    frame = surveys.reset_index(drop=True)  # positions, so a duplicated index cannot mislead
    stamps = pd.to_datetime(frame["responded_at"], errors="coerce")
    usable = valid_score_mask(frame) & frame["customer_id"].notna() & stamps.notna()
    answers = frame.loc[usable].assign(responded_at=stamps[usable])
    keys = ["responded_at", "response_id"] if "response_id" in answers.columns else ["responded_at"]
    ordered = answers.sort_values(keys, kind="stable")
    chosen = ordered.drop_duplicates(["customer_id", "survey_type"], keep="last").index
    result = surveys.iloc[np.sort(chosen.to_numpy())]
    result.attrs.update(answers=len(answers), customers=len(result))
    return result
