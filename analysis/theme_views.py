"""What the Complaint themes page shows: volumes, shares, emerging themes, recurrence, loyalty.

Every function takes *items*: contacts (or comments) with a ``theme_id`` (−1: no theme) and a
``theme`` label, as :func:`dashboard.theme_data.ticket_themes` joined to the tickets gives them,
plus the columns each function names. Shares are percent (0–100) with Wilson intervals and
their n, like every share in :mod:`analysis.rates`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.kpis import SURVEY_METRICS, in_period
from analysis.periods import period_span, period_starts
from analysis.privacy import mask_personal_data
from analysis.rates import (
    DEFAULT_CONFIDENCE,
    FDR_LEVEL,
    FDR_METHOD,
    DateLike,
    benjamini_hochberg,
    rate_of,
    share_difference,
    wilson_percent_columns,
)
from analysis.results import Estimate

#: Default window in which a second complaint on the same theme counts as a recurrence.
RECURRENCE_DAYS = 30
EMERGING_METHOD = (
    "one-sided pooled two-proportion z-test of the theme's share of themed contacts, "
    "period vs baseline, Newcombe hybrid score interval for the change"
)
VOLUME_COLUMNS = ("period", "theme_id", "theme", "count", "total", "share", "ci_low", "ci_high")
BREAKDOWN_COLUMNS = ("group", "theme_id", "theme", "count", "total", "share", "ci_low", "ci_high")
EMERGING_COLUMNS = (
    "theme_id",
    "theme",
    "count",
    "total",
    "share",
    "share_low",
    "share_high",
    "baseline_count",
    "baseline_total",
    "baseline_share",
    "change",
    "change_low",
    "change_high",
    "p_value",
    "q_value",
    "emerging",
)
RECURRENCE_COLUMNS = (
    "theme_id",
    "theme",
    "group",
    "complaints",
    "recurred",
    "rate",
    "ci_low",
    "ci_high",
)
LOYALTY_COLUMNS = ("theme_id", "theme", "metric", "value", "ci_low", "ci_high", "n", "customers")
LOYALTY_METRICS = ("nps", "csat", "csi")


def _require(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"items need the column(s) {', '.join(missing)}")


def themed(items: pd.DataFrame) -> pd.DataFrame:
    """The items that have a theme (``theme_id`` >= 0)."""
    _require(items, ("theme_id", "theme"))
    return items.loc[items["theme_id"].fillna(-1).astype(int).to_numpy() >= 0]


def _labels(items: pd.DataFrame) -> pd.Series:
    """Theme label of each theme id (the first seen)."""
    return items.drop_duplicates("theme_id").set_index("theme_id")["theme"]


def _shares(counts: pd.DataFrame) -> pd.DataFrame:
    """``share``, ``ci_low``, ``ci_high`` (percent, Wilson) of ``count`` out of ``total``."""
    share, low, high = wilson_percent_columns(
        counts["count"].to_numpy(), counts["total"].to_numpy()
    )
    return counts.assign(share=share, ci_low=low, ci_high=high)


def theme_volumes(items: pd.DataFrame, freq: str = "MS", at: str = "created_at") -> pd.DataFrame:
    """Contacts per theme and period, and each theme's share of the period's themed contacts.

    Returns one row per period (first day; every period from the first to the last, zeros
    included) and theme: ``count``; ``total`` (themed contacts in the period: the n);
    ``share`` with its Wilson 95 % interval ``ci_low``–``ci_high`` (percent; NaN when total is 0).
    """
    _require(items, (at,))
    rows = themed(items)
    starts = period_starts(rows[at], freq)
    span = period_span(starts, freq)
    labels = _labels(rows).sort_index()
    dated = starts.notna().to_numpy()
    counts = (
        pd.crosstab(starts[dated], rows["theme_id"][dated])
        .reindex(index=span, columns=labels.index, fill_value=0)
        .astype(int)
    )
    long = counts.stack().rename("count").reset_index()
    long.columns = ["period", "theme_id", "count"]
    long["total"] = long["period"].map(counts.sum(axis=1)).astype(int)
    long["theme"] = long["theme_id"].map(labels)
    return _shares(long)[list(VOLUME_COLUMNS)]


def theme_breakdown(items: pd.DataFrame, by: str) -> pd.DataFrame:
    """Contacts per ``by`` group (department, channel, category…) and theme, with shares.

    ``share`` is the theme's share of the group's themed contacts (percent, Wilson interval,
    n = ``total``). Items without a group are left out. Sorted by group, then count descending.
    """
    _require(items, (by,))
    rows = themed(items).dropna(subset=[by])
    counts = rows.groupby([by, "theme_id"]).size().rename("count").reset_index()
    counts = counts.rename(columns={by: "group"})
    counts["total"] = counts["group"].map(rows.groupby(by).size()).astype(int)
    counts["theme"] = counts["theme_id"].map(_labels(rows))
    table = _shares(counts).sort_values(["group", "count"], ascending=[True, False])
    return table.reset_index(drop=True)[list(BREAKDOWN_COLUMNS)]


def emerging_themes(
    items: pd.DataFrame,
    period: tuple[DateLike, DateLike],
    baseline: tuple[DateLike, DateLike],
    *,
    at: str = "created_at",
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Themes whose share of themed contacts grew beyond chance from ``baseline`` to ``period``.

    For each theme, ``p₁`` = its share in the period, ``p₀`` in the baseline (dates inclusive).
    Test of growth: one-sided pooled two-proportion z-test, ``z = (p₁ − p₀) / sqrt(p̄(1 − p̄)
    (1/n₁ + 1/n₀))``, ``p = 1 − Φ(z)``; interval of the change: Newcombe's hybrid score interval
    (:func:`analysis.rates.share_difference`). The p-values of all themes form one family:
    Benjamini–Hochberg q-values (:func:`analysis.segments.benjamini_hochberg`), and a theme is
    ``emerging`` when ``q < FDR_LEVEL`` (0.05). A share is of *themed* contacts, so a theme can
    grow because others shrank; the change is association over time, not a cause.

    Returns
    -------
    DataFrame
        :data:`EMERGING_COLUMNS`: shares in percent (the period's with its Wilson interval
        ``share_low``–``share_high``, n = ``total``) and ``change`` in percentage points (with
        ``change_low``/``change_high``), sorted by q-value then change. Empty when either side has
        no themed contact. ``attrs``: ``method``, ``fdr_method``, ``family_size``.
    """
    _require(items, (at,))
    rows = themed(items)
    now, before = in_period(rows, at, *period), in_period(rows, at, *baseline)
    labels = _labels(rows)
    counts = pd.DataFrame(
        {
            "count": now["theme_id"].value_counts(),
            "baseline_count": before["theme_id"].value_counts(),
        }
    ).fillna(0)
    counts = counts.astype(int).rename_axis("theme_id").reset_index()
    n_now, n_before = len(now), len(before)
    if not n_now or not n_before:
        table = pd.DataFrame(columns=list(EMERGING_COLUMNS))
    else:
        table = _growth(counts, n_now, n_before, confidence)
        table["theme"] = table["theme_id"].map(labels)
        table = table.sort_values(["q_value", "change"], ascending=[True, False], kind="stable")
        table = table.reset_index(drop=True)[list(EMERGING_COLUMNS)]
    table.attrs.update(method=EMERGING_METHOD, fdr_method=FDR_METHOD, family_size=len(table))
    return table


def _growth(counts: pd.DataFrame, n_now: int, n_before: int, confidence: float) -> pd.DataFrame:
    results = [
        share_difference((before, now), (n_before, n_now), confidence)
        for now, before in zip(counts["count"], counts["baseline_count"], strict=True)
    ]
    change = np.array([r[0] for r in results])
    two_sided = np.array([r[2] for r in results])
    # one-sided p of growth from the two-sided p of |z|: half of it when the share grew
    p_value = np.where(change > 0, two_sided / 2, 1 - two_sided / 2)
    table = counts.assign(
        total=n_now,
        share=100 * counts["count"] / n_now,
        baseline_total=n_before,
        baseline_share=100 * counts["baseline_count"] / n_before,
        change=100 * change,
        change_low=[100 * r[1][0] for r in results],
        change_high=[100 * r[1][1] for r in results],
        p_value=p_value,
    )
    _, table["share_low"], table["share_high"] = wilson_percent_columns(
        table["count"].to_numpy(), np.full(len(table), n_now), confidence
    )
    table["q_value"] = benjamini_hochberg(table["p_value"])
    table["emerging"] = (table["q_value"] < FDR_LEVEL) & (table["change"] > 0)
    return table


def recurrences(
    items: pd.DataFrame,
    window_days: int = RECURRENCE_DAYS,
    *,
    observed_until: DateLike | None = None,
    at: str = "created_at",
) -> pd.DataFrame:
    """For each themed complaint: did the same customer complain on the same theme again soon?

    ``recurred`` is true when the customer's next contact on the same theme (by ``at``, then
    ``ticket_id``) came at most ``window_days`` days later. Only complaints whose whole window
    lies before ``observed_until`` (default: the latest ``at`` in ``items``) can be judged; the
    others get ``observable`` false and are left out of rates (right-censoring).

    Returns ``items``' themed rows with ``recurred`` (bool) and ``observable`` (bool) added.
    """
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError(f"window_days must be a whole number >= 1, got {window_days!r}")
    _require(items, ("customer_id", at))
    rows = themed(items).assign(_at=lambda f: pd.to_datetime(f[at], errors="coerce"))
    rows = rows.dropna(subset=["_at", "customer_id"])
    order = ["customer_id", "theme_id", "_at"] + (["ticket_id"] if "ticket_id" in rows else [])
    rows = rows.sort_values(order, kind="stable")
    following = rows.groupby(["customer_id", "theme_id"], sort=False)["_at"].shift(-1)
    window = pd.Timedelta(days=window_days)
    last = rows["_at"].max() if observed_until is None else pd.Timestamp(observed_until)
    rows["recurred"] = ((following - rows["_at"]) <= window).to_numpy()
    rows["observable"] = (rows["_at"] + window <= last).to_numpy()
    return rows.drop(columns="_at")


def recurrence_rate(judged: pd.DataFrame, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Share of complaints followed by another on the same theme within the window (percent).

    ``judged`` is :func:`recurrences`' output; only ``observable`` complaints count (n). Wilson
    interval (:func:`analysis.rates.rate_of`).
    """
    return rate_of(judged.loc[judged["observable"].to_numpy(), "recurred"], confidence=confidence)


def period_recurrences(
    items: pd.DataFrame, window_days: int, start: DateLike, end: DateLike
) -> pd.DataFrame:
    """:func:`recurrences` of the complaints made in ``[start, end]``, judged on all of
    ``items``: a repeat after the period's end still counts, and a complaint is observable when
    its window closes before the last contact in the data (not the period's end)."""
    judged = recurrences(items, window_days, observed_until=items["created_at"].max())
    return in_period(judged, "created_at", start, end)


def recurrence_table(
    judged: pd.DataFrame, by: str | None = None, *, confidence: float = DEFAULT_CONFIDENCE
) -> pd.DataFrame:
    """Recurrence rate per theme (and per ``by`` group, e.g. department), from :func:`recurrences`.

    ``rate`` = observable complaints followed by another on the same theme within the window ÷
    observable complaints (``complaints``, the n), percent with the Wilson interval. ``group``
    is "All" without ``by``. Sorted by theme, then group.
    """
    rows = judged.loc[judged["observable"].to_numpy()]
    keys = ["theme_id"] + ([by] if by else [])
    if by:
        rows = rows.dropna(subset=[by])
    grouped = rows.groupby(keys).agg(complaints=("recurred", "size"), recurred=("recurred", "sum"))
    table = grouped.reset_index().rename(columns={by: "group"} if by else {})
    if not by:
        table["group"] = "All"
    table["theme"] = table["theme_id"].map(_labels(judged))
    rate, low, high = wilson_percent_columns(
        table["recurred"].to_numpy(), table["complaints"].to_numpy(), confidence
    )
    table = table.assign(rate=rate, ci_low=low, ci_high=high).astype(
        {"complaints": int, "recurred": int}
    )
    return table.sort_values(["theme_id", "group"]).reset_index(drop=True)[list(RECURRENCE_COLUMNS)]


def theme_loyalty(items: pd.DataFrame, surveys: pd.DataFrame) -> pd.DataFrame:
    """NPS, CSAT % and CSI of the customers behind each theme, with intervals and n.

    An answer counts for a theme when its ``ticket_id`` is a contact on that theme; an answer
    without a ticket (a relationship NPS survey) counts for every theme its customer raised in
    ``items``. Each metric is the registry's (:data:`analysis.kpis.SURVEY_METRICS`: NPS with the
    adjusted-Wald interval, CSAT % Wilson, CSI Student t). An "All" row (theme_id −1) gives the
    same metrics over every answer in ``surveys`` for comparison. Association, not causation:
    customers who raise a theme may differ in other ways too.
    """
    _require(surveys, ("customer_id", "survey_type", "score"))
    rows = themed(items)
    by_ticket = (
        surveys.dropna(subset=["ticket_id"]).merge(rows[["ticket_id", "theme_id"]], on="ticket_id")
        if "ticket_id" in surveys and "ticket_id" in rows
        else surveys.iloc[:0].assign(theme_id=pd.Series(dtype=int))
    )
    unlinked = surveys["ticket_id"].isna() if "ticket_id" in surveys else surveys["score"].notna()
    customer_themes = rows[["customer_id", "theme_id"]].drop_duplicates()
    by_customer = surveys.loc[unlinked.to_numpy()].merge(customer_themes, on="customer_id")
    answers = pd.concat([by_ticket, by_customer], ignore_index=True)
    labels = _labels(rows)
    records = [_loyalty_row(-1, "All", key, surveys) for key in LOYALTY_METRICS]
    for theme_id, chosen in answers.groupby("theme_id", sort=True):
        records += [
            _loyalty_row(int(theme_id), labels.get(theme_id), key, chosen)
            for key in LOYALTY_METRICS
        ]
    return pd.DataFrame(records, columns=list(LOYALTY_COLUMNS))


def _loyalty_row(theme_id: int, theme: object, key: str, answers: pd.DataFrame) -> tuple:
    metric = SURVEY_METRICS[key]
    chosen = answers.loc[(answers["survey_type"] == metric.survey_type).to_numpy()]
    if chosen.empty:  # no answer of this type: NaN with n = 0, without an empty-data warning
        return (theme_id, theme, key, np.nan, np.nan, np.nan, 0, 0)
    estimate = metric.estimate(chosen["score"])
    return (
        theme_id,
        theme,
        key,
        estimate.value,
        estimate.ci_low,
        estimate.ci_high,
        estimate.n,
        int(chosen["customer_id"].nunique()),
    )


#: Free-text columns masked by :func:`theme_verbatims`.
MASKED_COLUMNS = ("subject", "text", "comment")


def theme_verbatims(items: pd.DataFrame, theme_id: int, columns: Iterable[str]) -> pd.DataFrame:
    """The contacts (or survey comments) of one theme, newest first, personal data masked.

    E-mail addresses, phone and card numbers in ``subject``, ``text`` and ``comment`` are masked
    by :func:`analysis.privacy.mask_personal_data`. ``columns``: which columns to keep (those
    present). Newest first by ``created_at`` (contacts) or ``responded_at`` (answers).
    """
    rows = items.loc[(items["theme_id"] == theme_id).to_numpy()]
    kept = [c for c in columns if c in rows.columns]
    shown = rows[kept].copy()
    for column in MASKED_COLUMNS:
        if column in shown:
            shown[column] = mask_personal_data(shown[column]).to_numpy()
    stamps = [c for c in ("created_at", "responded_at") if c in shown]
    if stamps:
        shown = shown.sort_values(stamps[0], ascending=False, kind="stable")
    return shown.reset_index(drop=True)
