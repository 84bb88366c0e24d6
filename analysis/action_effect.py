"""Did a committee action move its KPI? A difference-in-differences against the other departments.

A naive before/after reads any trend, season or company-wide change as the action's effect. The
comparison here is the owner department's *gap* to the other departments, month by month:

``gap_m = y_owner,m − y_others,m``, with ``y_others,m`` the n-weighted mean of the other
departments' values in month m (their pooled rate for shares and rates).

The effect is the change of the mean gap from the months before the action to the months after
it, ``δ = mean(gap_after) − mean(gap_before)`` — the 2×2 difference-in-differences
``(ȳ_owner,after − ȳ_owner,before) − (ȳ_others,after − ȳ_others,before)`` over months
(Angrist & Pischke 2009, ch. 5). It is estimated as the OLS slope of ``gap`` on an "after"
indicator with Newey–West (1987) HAC standard errors (1 lag, Bartlett weight ½, small-sample
correction n/(n−k)) — ``statsmodels OLS.fit(cov_type="HAC", cov_kwds={"maxlags": 1,
"use_correction": True}, use_t=True)`` — so that neighbouring months may be correlated; the
interval uses Student t with n − 2 degrees of freedom.

What it assumes: without the action, the owner's gap to the others would have stayed level
(parallel trends). :func:`did_effect` tests the gap's slope over the months before the action
(``scipy.stats.linregress``) and warns when it is significant. Even then the estimate is an
association: anything else that changed in the owner department at the same time is in it too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.committee import COLUMNS, DepartmentData, month_bounds, since
from analysis.kpis import in_period
from analysis.rates import (
    DEFAULT_CONFIDENCE,
    FDR_LEVEL,
    DateLike,
    as_day,
    benjamini_hochberg,
    check_confidence,
)

#: Months used on each side of the action month (the action month itself is left out).
WINDOW_MONTHS = 6
#: Fewer months than this on either side: no estimate.
MIN_MONTHS = 2
METHOD = (
    "difference-in-differences of the monthly gap to the other departments "
    "(OLS with Newey–West HAC errors, 1 lag)"
)
#: Columns of a panel: one row per department and month.
PANEL_COLUMNS = ("department", "month", "value", "n")


@dataclass(frozen=True)
class Effect:
    """The change of the owner department's gap to the others after an action.

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        δ in the KPI's units and its interval (NaN without enough months).
    p_value : float
        Two-sided p-value of δ = 0 (HAC t-test).
    significant : bool
        ``p_value < 1 − confidence``.
    months_before, months_after : int
        Months with a value on both sides of the comparison.
    pre_trend_p : float
        p-value of the gap's slope before the action (NaN with fewer than 3 months).
    gaps : DataFrame
        ``month``, ``owner``, ``others``, ``gap``, ``after``: the rows behind the estimate.
    method : str
    warnings : tuple of str
    """

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    significant: bool
    months_before: int
    months_after: int
    pre_trend_p: float
    gaps: pd.DataFrame
    method: str = METHOD
    confidence: float = DEFAULT_CONFIDENCE
    warnings: tuple[str, ...] = ()


def action_month(due_date: DateLike, closed_at: DateLike | None) -> pd.Timestamp:
    """The month an action took effect: the earlier of its due date and the day it was closed.

    Closed late, the months between the due date and the closing count as "after" although the
    change was not yet in place, which can only dilute the effect (a conservative choice).
    """
    due = as_day("due_date", due_date)
    day = due if closed_at is None or pd.isna(closed_at) else min(due, as_day("closed", closed_at))
    return day.replace(day=1)


def gaps(panel: pd.DataFrame, owner: str) -> pd.DataFrame:
    """Per month: the owner's value, the others' n-weighted mean, and the gap between them.

    Months where either side has no value (n = 0 or NaN) are left out.
    """
    valid = panel.loc[(panel["n"] > 0) & panel["value"].notna()]
    mine = valid.loc[valid["department"] == owner].set_index("month")["value"]
    rest = valid.loc[valid["department"] != owner]
    weights = rest.assign(weighted=rest["value"] * rest["n"]).groupby("month")
    others = weights["weighted"].sum() / weights["n"].sum()
    table = pd.concat({"owner": mine, "others": others}, axis=1, join="inner").sort_index()
    table["gap"] = table["owner"] - table["others"]
    return table.rename_axis("month").reset_index()


def did_effect(
    panel: pd.DataFrame,
    owner: str,
    month: DateLike,
    *,
    window: int = WINDOW_MONTHS,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Effect:
    """Difference-in-differences of the owner department's KPI around the action ``month``.

    Parameters
    ----------
    panel : DataFrame
        :data:`PANEL_COLUMNS`, ``month`` the month's first day (:func:`kpi_panel`,
        :func:`theme_panel`).
    owner : str
        The department that owns the action; every other department is the comparison.
    month : date-like
        The action month (:func:`action_month`): left out; up to ``window`` months on each
        side are compared.

    Returns
    -------
    Effect
        NaN estimate, with a warning, when either side has fewer than :data:`MIN_MONTHS`
        months with values for the owner and the others.
    """
    confidence = check_confidence(confidence)
    start = as_day("month", month).replace(day=1)
    table = gaps(panel, owner)
    offset = (table["month"].dt.year - start.year) * 12 + (table["month"].dt.month - start.month)
    table = table.loc[(offset != 0) & (offset.abs() <= window)].assign(after=offset > 0)
    table = table.reset_index(drop=True)
    after = table["after"].to_numpy(dtype=bool)
    sizes = (int((~after).sum()), int(after.sum()))
    if min(sizes) < MIN_MONTHS:
        compared = panel.loc[(panel["n"] > 0) & panel["value"].notna(), "department"]
        note = (
            f"No other department has data on this target to compare {owner} with."
            if not (compared != owner).any()
            else f"Needs at least {MIN_MONTHS} months with data on each side of {start:%B %Y} "
            f"(has {sizes[0]} before, {sizes[1]} after)."
        )
        return Effect(
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            False,
            *sizes,
            math.nan,
            table,
            confidence=confidence,
            warnings=(note,),
        )
    design = sm.add_constant(after.astype(float))
    fit = sm.OLS(table["gap"].to_numpy(dtype=float), design).fit(
        cov_type="HAC", cov_kwds={"maxlags": 1, "use_correction": True}, use_t=True
    )
    low, high = fit.conf_int(alpha=1 - confidence)[1]
    p_value = float(fit.pvalues[1])
    trend_p = _pre_trend_p(table.loc[~after])
    notes = []
    if trend_p < 1 - confidence:
        notes.append(
            f"Before the action the gap was already trending (slope p = {trend_p:.3f}): parallel "
            "trends are doubtful and the estimate may be biased."
        )
    return Effect(
        estimate=float(fit.params[1]),
        ci_low=float(low),
        ci_high=float(high),
        p_value=p_value,
        significant=bool(p_value < 1 - confidence),
        months_before=sizes[0],
        months_after=sizes[1],
        pre_trend_p=trend_p,
        gaps=table,
        confidence=confidence,
        warnings=tuple(notes),
    )


def _pre_trend_p(before: pd.DataFrame) -> float:
    """p-value of the slope of the gap over the months before (NaN with fewer than 3)."""
    if len(before) < 3:
        return math.nan
    index = np.arange(len(before), dtype=float)
    return float(stats.linregress(index, before["gap"].to_numpy(dtype=float)).pvalue)


def kpi_panel(
    depts: Iterable[DepartmentData], key: str, months: Iterable[pd.Timestamp]
) -> pd.DataFrame:
    """Scorecard column ``key`` (:data:`analysis.committee.COLUMNS`) per department and month."""
    column = COLUMNS[key]
    months = sorted(months)
    if not months:
        return pd.DataFrame(columns=list(PANEL_COLUMNS))
    rows = [
        (dept.name, month, estimate.value, estimate.n)
        for dept in (since(d, months[0]) for d in depts)
        for month in months
        for estimate in (column.measure(dept, month_bounds(month)),)
    ]
    return pd.DataFrame(rows, columns=list(PANEL_COLUMNS))


def theme_panel(
    tickets: pd.DataFrame,
    theme: str,
    months: Iterable[pd.Timestamp],
    ticket_themes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Complaints about ``theme`` per 1,000 contacts, per department and month.

    A contact counts when it is a complaint and carries the theme (``ticket_themes`` rows
    ``ticket_id``, ``theme``; without them its ``category`` is its theme); ``n`` is the
    department's contacts with a known complaint flag in the month.
    """
    months = sorted(months)
    if not months:
        return pd.DataFrame(columns=list(PANEL_COLUMNS))
    chosen = in_period(tickets, "created_at", months[0], month_bounds(months[-1])[1])
    chosen = chosen.loc[chosen["is_complaint"].notna() & chosen["department"].notna()]
    if ticket_themes is None:
        about = chosen["category"] == theme
    else:
        about = chosen["ticket_id"].isin(
            ticket_themes.loc[ticket_themes["theme"] == theme, "ticket_id"]
        )
    hit = chosen["is_complaint"].astype(bool) & about
    month = chosen["created_at"].dt.to_period("M").dt.start_time
    counts = (
        pd.DataFrame({"department": chosen["department"], "month": month, "hit": hit})
        .groupby(["department", "month"])["hit"]
        .agg(["sum", "size"])
    )
    full = pd.MultiIndex.from_product(
        [sorted(chosen["department"].unique()), months], names=["department", "month"]
    )
    counts = counts.reindex(full, fill_value=0)
    value = np.where(
        counts["size"] > 0, 1000 * counts["sum"] / counts["size"].clip(lower=1), np.nan
    )
    return pd.DataFrame(
        {
            "department": counts.index.get_level_values(0),
            "month": counts.index.get_level_values(1),
            "value": value,
            "n": counts["size"].to_numpy(dtype=int),
        }
    )


def verdicts_after_fdr(verdicts: pd.Series, p_values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The actions' verdicts with the false-discovery rate held over all of them.

    Each closed action is one test; "improved" or "worsened" stands only where its
    Benjamini–Hochberg q-value (:func:`analysis.rates.benjamini_hochberg`) is below
    :data:`~analysis.rates.FDR_LEVEL`, else it becomes "within noise". Returns the verdicts and
    the q-values (NaN where there was no test).
    """
    q = benjamini_hochberg(p_values.astype(float))
    decided = verdicts.isin(["improved", "worsened"]) & ~(q < FDR_LEVEL)
    return verdicts.mask(decided, "within noise"), q
