"""Referrals: how many new customers came by referral, and whether promoters actually refer.

A customer *came by referral* when ``customers.referred_by`` names the referrer or, where the
source records no referrer, ``acquisition_channel`` is "referral". A customer *made* a referral
when another customer's ``referred_by`` names them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.loyalty_views import score_bands
from analysis.rates import (
    DEFAULT_CONFIDENCE,
    DateLike,
    as_day,
    as_days,
    proportion,
    proportion_change,
    wilson_percent_columns,
)
from analysis.results import ChangeResult, Estimate

#: The acquisition channel that means "came by referral" (compared in lower case).
REFERRAL_CHANNEL = "referral"
#: Rows of :func:`referrals_by_nps_group`, in order.
NPS_GROUPS = ("promoter", "passive", "detractor")


def referred_mask(customers: pd.DataFrame) -> pd.Series:
    """True for customers who came by referral (see the module doc); ValueError without either
    ``referred_by`` or ``acquisition_channel``."""
    has_referrer = "referred_by" in customers.columns
    has_channel = "acquisition_channel" in customers.columns
    if not (has_referrer or has_channel):
        raise ValueError("customers needs referred_by or acquisition_channel")
    referred = pd.Series(False, index=customers.index)
    if has_referrer:
        referred |= customers["referred_by"].notna().to_numpy()
    if has_channel:
        channel = customers["acquisition_channel"].astype("string").str.strip().str.lower()
        referred |= (channel == REFERRAL_CHANNEL).fillna(False).to_numpy(dtype=bool)
    return referred


def referral_counts(customers: pd.DataFrame, start: DateLike, end: DateLike) -> tuple[int, int]:
    """``(referred, new)``: customers who signed up within ``[start, end]`` (dates inclusive)
    and those of them who came by referral."""
    first, last = as_day("start", start), as_day("end", end)
    signup, _ = as_days(customers["signup_date"])
    new = ((signup >= first) & (signup <= last)).to_numpy()
    return int(referred_mask(customers).to_numpy()[new].sum()), int(new.sum())


def referral_rate(
    customers: pd.DataFrame,
    start: DateLike,
    end: DateLike,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Estimate:
    """Referral rate = new customers who came by referral ÷ all new customers, in percent.

    New = signed up within ``[start, end]``; Wilson interval (:func:`analysis.rates.proportion`);
    ``n`` = new customers.
    """
    return proportion(*referral_counts(customers, start, end), confidence=confidence)


def referral_change(
    customers: pd.DataFrame,
    before: tuple[DateLike, DateLike],
    after: tuple[DateLike, DateLike],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ChangeResult:
    """Change of the referral rate between two periods (percentage points, Newcombe + z-test)."""
    k_before, n_before = referral_counts(customers, *before)
    k_after, n_after = referral_counts(customers, *after)
    return proportion_change(k_before, n_before, k_after, n_after, confidence=confidence)


def referrals_made(customers: pd.DataFrame) -> pd.Series:
    """Number of customers each customer referred (``referred_by`` pointing at them), by id."""
    made = customers["referred_by"].dropna().astype(str).value_counts()
    ids = customers["customer_id"].astype(str)
    return pd.Series(made.reindex(ids).fillna(0).to_numpy(dtype=int), index=ids.to_numpy())


def referrals_by_nps_group(
    customers: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Do promoters actually refer? Share of customers who referred someone, per NPS group.

    Parameters
    ----------
    customers : DataFrame
        ``customer_id`` and ``referred_by`` of every customer (the referrals counted).
    answers : DataFrame
        One NPS answer per customer (``customer_id``, ``survey_type``, ``score``), e.g.
        :func:`analysis.segments.per_customer` of the survey answers; other survey types and
        invalid scores are ignored; a customer twice is a ValueError.

    Returns
    -------
    DataFrame
        One row per group (:data:`NPS_GROUPS`): ``group``, ``n`` (customers in it), ``referrers``
        (customers who referred at least one), ``value`` (percent of ``n``), ``ci_low``,
        ``ci_high`` (Wilson), ``referrals`` (customers referred in total), ``per_customer``
        (referrals ÷ n). ``attrs["promoters_vs_detractors"]`` is the
        :class:`~analysis.results.ChangeResult` of the referrer share, detractors → promoters
        (Newcombe interval, pooled z-test). Association only: referrers may have become
        promoters because they referred, or both may follow from something else.
    """
    nps = answers.loc[answers["survey_type"] == "nps"]
    bands = score_bands(nps)
    nps = nps.loc[bands.notna()].assign(group=bands)
    if nps["customer_id"].duplicated().any():
        raise ValueError("answers must hold one NPS answer per customer (see per_customer)")
    made = referrals_made(customers)
    counts = made.reindex(nps["customer_id"].astype(str)).fillna(0).to_numpy(dtype=int)
    frame = pd.DataFrame({"group": nps["group"].to_numpy(), "made": counts})
    table = (
        frame.groupby("group")["made"]
        .agg(n="size", referrers=lambda m: int((m > 0).sum()), referrals="sum")
        .reindex(list(NPS_GROUPS), fill_value=0)
        .rename_axis("group")
        .reset_index()
    )
    table["value"], table["ci_low"], table["ci_high"] = wilson_percent_columns(
        table["referrers"].to_numpy(), table["n"].to_numpy(), confidence
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        table["per_customer"] = np.where(table["n"] > 0, table["referrals"] / table["n"], math.nan)
    by = table.set_index("group")
    table.attrs["promoters_vs_detractors"] = proportion_change(
        int(by.at["detractor", "referrers"]),
        int(by.at["detractor", "n"]),
        int(by.at["promoter", "referrers"]),
        int(by.at["promoter", "n"]),
        confidence=confidence,
    )
    columns = ["group", "n", "referrers", "value", "ci_low", "ci_high", "referrals"]
    return table[[*columns, "per_customer"]]
