"""The service experience that preceded each survey answer (or each customer's churn window).

For every *anchor* — a survey answer at ``responded_at``, or a customer at a snapshot date — the
experience is what the customer's contacts created in the window ``(anchor − window, anchor]``
(default :data:`DEFAULT_WINDOW_DAYS` days) looked like: how many contacts, how fast they were
answered and resolved, how many missed their speed standard, were transferred, reopened,
abandoned or were complaints, which share was resolved at first contact, and the CSAT score of
the last CSAT answer given in the window before the anchor.

Computed without a loop over tickets: per customer, cumulative sums of each per-contact feature
in time order; the window sum for an anchor is the cumulative sum at the anchor minus the one at
the window's start, each found by ``pandas.merge_asof`` (backward, by customer). Means are
window sums divided by window counts of known values.

Missing-value policy: a contact whose value of a feature is unknown (no first response yet, no
resolution, a missing flag) adds to the window's contact count but not to that feature's sum or
count; a window without any known value of a mean feature gives NaN. Counts are 0 for a window
without contacts. A driver whose canonical column is absent from the source is left out of the
table and listed in ``attrs["unavailable"]`` with the column that would enable it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import service
from analysis.loyalty import SATISFIED_MIN

#: Days of service experience counted before each answer (setting ``driver_window_days``).
DEFAULT_WINDOW_DAYS = 90
#: Days after the snapshot in which a customer's churn is looked for (``driver_followup_days``).
DEFAULT_FOLLOWUP_DAYS = 90
#: CSAT answers at or below this score are low (they make a contact a negative experience).
LOW_CSAT_MAX = 2
#: A window's mean resolution time at or under this many hours counts as a good experience in
#: the importance–performance matrix (one working day).
RESOLUTION_GOOD_HOURS = 24.0


@dataclass(frozen=True)
class Driver:
    """One service-experience driver: a column of the experience table.

    Attributes
    ----------
    key, label, unit : str
        Column name, display name and unit of the value.
    requires : tuple of (table, column)
        Canonical columns it needs.
    higher_is_better : bool
        Direction of a better experience.
    good_threshold : float
        A window is a *good* experience on this driver when its value is ``<=`` the threshold
        (``>=`` when ``higher_is_better``); the share of good windows is the driver's
        performance in the importance–performance matrix.
    good_column : str
        The column the threshold is applied to (the driver's own unless stated).
    good_text : str
        What a good experience means, as shown on the page.
    """

    key: str
    label: str
    unit: str
    requires: tuple[tuple[str, str], ...]
    higher_is_better: bool
    good_threshold: float
    good_text: str
    good_column: str = ""

    @property
    def judged_column(self) -> str:
        return self.good_column or self.key


_SLA = (
    ("tickets", "created_at"),
    ("tickets", "channel"),
    ("tickets", "first_response_at"),
    ("tickets", "resolved_at"),
    ("tickets", "abandoned"),
)

DRIVERS: tuple[Driver, ...] = (
    Driver(
        "contacts",
        "Contacts",
        "contacts",
        (("tickets", "created_at"),),
        False,
        1,
        "at most one contact (no repeat contact)",
    ),
    Driver(
        "first_response_hours",
        "First response time",
        "hours (mean)",
        (("tickets", "first_response_at"),),
        False,
        0,
        "every contact answered within its speed standard",
        good_column="sla_breaches",
    ),
    Driver(
        "resolution_hours",
        "Resolution time",
        "hours (mean)",
        (("tickets", "resolved_at"),),
        False,
        RESOLUTION_GOOD_HOURS,
        f"resolved within {RESOLUTION_GOOD_HOURS:g} h on average",
    ),
    Driver(
        "sla_breaches",
        "Speed-standard misses",
        "contacts",
        _SLA,
        False,
        0,
        "no contact missed its first speed standard",
    ),
    Driver(
        "fcr_share",
        "First-contact resolution",
        "share 0–1",
        (("tickets", "first_contact_resolved"),),
        True,
        1,
        "every contact resolved at the first contact",
    ),
    Driver("transfers", "Transfers", "count", (("tickets", "transfers"),), False, 0, "no transfer"),
    Driver("reopens", "Reopens", "count", (("tickets", "reopens"),), False, 0, "no reopen"),
    Driver(
        "abandoned",
        "Abandoned contacts",
        "contacts",
        (("tickets", "abandoned"),),
        False,
        0,
        "no abandoned contact",
    ),
    Driver(
        "complaints",
        "Complaints",
        "contacts",
        (("tickets", "is_complaint"),),
        False,
        0,
        "no complaint",
    ),
    Driver(
        "last_csat",
        "CSAT of the last contact",
        "score 1–5",
        (("surveys", "survey_type"), ("surveys", "score")),
        True,
        SATISFIED_MIN,
        f"last CSAT {SATISFIED_MIN}–5",
    ),
)
DRIVER_BY_KEY: dict[str, Driver] = {driver.key: driver for driver in DRIVERS}

#: Per-contact features summed over a window: name → (sum column, count column or None).
_SUMMED = ("sla_breaches", "transfers", "reopens", "abandoned", "complaints", "negative")
_MEANS = ("first_response_hours", "resolution_hours", "fcr_share")

#: What makes a contact a negative support experience (see :func:`contact_features`).
NEGATIVE_DEFINITION = (
    "a contact that missed its first speed standard, was abandoned, was reopened, was a "
    f"complaint, or got a CSAT answer of {LOW_CSAT_MAX} or lower"
)


def _stamps(values: pd.Series) -> pd.Series:
    """Timestamps at one resolution (nanoseconds), so that time keys always merge."""
    return pd.to_datetime(values).astype("datetime64[ns]")


def _keys(values: pd.Series) -> pd.Series:
    """Customer ids as text of one dtype, so that the ``by`` keys of ``merge_asof`` match."""
    return values.astype("str")


def _count(frame: pd.DataFrame, column: str) -> pd.Series:
    """A flag or count column as float (missing → NaN)."""
    return pd.to_numeric(frame[column].astype("Float64"), errors="coerce").astype("float64")


def _sla_breach(tickets: pd.DataFrame, standards: service.ServiceStandards | None) -> pd.Series:
    """1 when the contact missed its channel's first speed tier, 0 when it met it, NaN when it
    cannot be judged (channel without a standard, not yet due, clock error)."""
    outcomes = service.sla_outcomes(tickets, standards)
    first = outcomes.loc[~outcomes.index.duplicated(keep="first"), "outcome"]
    breach = first.map({service.LATE: 1.0, service.WITHIN: 0.0})
    return breach.reindex(tickets.index).astype("float64")


def contact_features(
    tickets: pd.DataFrame,
    surveys: pd.DataFrame | None = None,
    standards: service.ServiceStandards | None = None,
) -> pd.DataFrame:
    """Per-contact experience features, aligned with ``tickets`` (its index reset).

    Columns: ``customer_id``, ``created_at``, and where the source has the columns:
    ``first_response_hours`` and ``resolution_hours`` (:func:`analysis.service.durations`;
    clock errors are NaN), ``sla_breaches`` (missed the first speed tier of its channel,
    :func:`analysis.service.sla_outcomes`), ``fcr_share`` (first_contact_resolved as 0/1),
    ``transfers``, ``reopens``, ``abandoned``, ``complaints`` (is_complaint as 0/1), and
    ``negative`` (1 for a negative experience, :data:`NEGATIVE_DEFINITION`; 0 otherwise).
    ``attrs["unavailable"]`` maps each driver that cannot be computed to its missing columns.
    """
    tickets = tickets.reset_index(drop=True)
    features = pd.DataFrame(
        {"customer_id": _keys(tickets["customer_id"]), "created_at": _stamps(tickets["created_at"])}
    )
    unavailable: dict[str, list[str]] = {}
    for driver in DRIVERS:
        if driver.key == "contacts" or driver.key == "last_csat":
            continue
        missing = [f"{t}.{c}" for t, c in driver.requires if t == "tickets" and c not in tickets]
        if missing:
            unavailable[driver.key] = missing
            continue
        if driver.key in ("first_response_hours", "resolution_hours"):
            measure = "response" if driver.key == "first_response_hours" else "resolution"
            features[driver.key] = service.durations(tickets, measure)[0].to_numpy() / 3600
        elif driver.key == "sla_breaches":
            features[driver.key] = _sla_breach(tickets, standards).to_numpy()
        else:
            column = {"fcr_share": "first_contact_resolved", "complaints": "is_complaint"}
            features[driver.key] = _count(tickets, column.get(driver.key, driver.key)).to_numpy()
    negative = pd.Series(0.0, index=tickets.index)
    for key in ("sla_breaches", "abandoned", "complaints"):
        if key in features:
            negative = np.maximum(negative, features[key].fillna(0))
    if "reopens" in features:
        negative = np.maximum(negative, (features["reopens"].fillna(0) > 0).astype(float))
    if surveys is not None and "ticket_id" in surveys and "ticket_id" in tickets:
        csat = surveys.loc[surveys["survey_type"] == "csat"]
        low = csat.loc[pd.to_numeric(csat["score"], errors="coerce") <= LOW_CSAT_MAX, "ticket_id"]
        negative = np.maximum(negative, tickets["ticket_id"].isin(low).astype(float))
    features["negative"] = negative
    features.attrs["unavailable"] = unavailable
    return features


def _cumulative(features: pd.DataFrame) -> pd.DataFrame:
    """Per-customer running sums (``*_sum``) and counts of known values (``*_n``), time order."""
    ordered = features.dropna(subset=["created_at"]).sort_values(["customer_id", "created_at"])
    columns = [c for c in (*_SUMMED, *_MEANS) if c in ordered]
    values = pd.DataFrame({"contacts": 1.0}, index=ordered.index)
    for column in columns:
        values[f"{column}_sum"] = ordered[column].fillna(0.0)
        values[f"{column}_n"] = ordered[column].notna().astype(float)
    running = values.groupby(ordered["customer_id"].to_numpy()).cumsum()
    running.insert(0, "customer_id", ordered["customer_id"])
    running.insert(1, "created_at", ordered["created_at"].to_numpy())
    return running.sort_values("created_at", kind="stable")


def _running_at(running: pd.DataFrame, anchors: pd.DataFrame, moment: str) -> pd.DataFrame:
    """Running sums of each anchor's customer at the anchor's ``moment`` (0 before any contact)."""
    found = pd.merge_asof(
        anchors[["_row", "customer_id", moment]].sort_values(moment),
        running,
        left_on=moment,
        right_on="created_at",
        by="customer_id",
        direction="backward",
    )
    sums = found.set_index("_row").sort_index().drop(columns=["customer_id", moment, "created_at"])
    return sums.fillna(0.0)


def _last_csat(surveys: pd.DataFrame, anchors: pd.DataFrame, window: pd.Timedelta) -> pd.Series:
    """Score of the customer's last CSAT answer strictly before the anchor, within the window."""
    csat = surveys.loc[surveys["survey_type"] == "csat", ["customer_id", "responded_at", "score"]]
    csat = csat.assign(
        customer_id=_keys(csat["customer_id"]),
        score=pd.to_numeric(csat["score"], errors="coerce"),
        responded_at=_stamps(csat["responded_at"]),
    ).dropna()
    found = pd.merge_asof(
        anchors[["_row", "customer_id", "anchor_at"]].sort_values("anchor_at"),
        csat.sort_values("responded_at").rename(columns={"score": "last_csat"}),
        left_on="anchor_at",
        right_on="responded_at",
        by="customer_id",
        direction="backward",
        tolerance=window,
        allow_exact_matches=False,
    )
    return found.set_index("_row")["last_csat"].astype("float64")


def experience_at(
    anchors: pd.DataFrame,
    features: pd.DataFrame,
    surveys: pd.DataFrame | None = None,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> pd.DataFrame:
    """The experience in ``(anchor_at − window_days, anchor_at]`` for each anchor.

    Parameters
    ----------
    anchors : DataFrame
        ``customer_id`` and ``anchor_at`` (timestamps); other columns are kept.
    features : DataFrame
        :func:`contact_features` of the tickets.
    surveys : DataFrame, optional
        Canonical surveys, for ``last_csat`` (left out when None).
    window_days : int
        Length of the window, > 0 (else ValueError).

    Returns
    -------
    DataFrame
        ``anchors`` (index reset) with ``contacts``, each available driver of :data:`DRIVERS`
        and ``negative_contacts``. ``attrs``: ``window_days``, ``unavailable``.
    """
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days <= 0:
        raise ValueError(f"window_days must be a whole number of days > 0, got {window_days!r}")
    window = pd.Timedelta(days=window_days)
    table = anchors.reset_index(drop=True).copy()
    table["anchor_at"] = _stamps(table["anchor_at"])
    keyed = table.assign(
        _row=np.arange(len(table)),
        _start=table["anchor_at"] - window,
        customer_id=_keys(table["customer_id"]),
    )
    keyed = keyed.dropna(subset=["anchor_at"])
    running = _cumulative(features)
    at_end = _running_at(running, keyed, "anchor_at")
    at_start = _running_at(running, keyed, "_start")
    sums = (at_end - at_start).reindex(range(len(table)))
    table["contacts"] = sums["contacts"].fillna(0.0)
    for key in _SUMMED:
        if f"{key}_sum" in sums:
            name = "negative_contacts" if key == "negative" else key
            table[name] = sums[f"{key}_sum"].fillna(0.0)
    for key in _MEANS:
        if f"{key}_sum" in sums:
            known = sums[f"{key}_n"]
            table[key] = (sums[f"{key}_sum"] / known).where(known > 0)
    unavailable = dict(features.attrs.get("unavailable", {}))
    if surveys is not None:
        table["last_csat"] = _last_csat(surveys, keyed, window).reindex(range(len(table)))
    else:
        unavailable["last_csat"] = ["surveys"]
    ordered = [*(d.key for d in DRIVERS if d.key in table), "negative_contacts"]
    table = table[[*(c for c in table.columns if c not in ordered), *ordered]]
    table.attrs.update(window_days=window_days, unavailable=unavailable)
    return table


def answer_experience(
    surveys: pd.DataFrame,
    features: pd.DataFrame,
    *,
    survey_type: str | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> pd.DataFrame:
    """Each survey answer (of ``survey_type``, or all) with the experience before it.

    The anchor is ``responded_at``; columns ``response_id``, ``customer_id``, ``responded_at``,
    ``survey_type``, ``score`` (plus ``ticket_id`` when present), then the drivers (see
    :func:`experience_at`).
    """
    chosen = surveys if survey_type is None else surveys.loc[surveys["survey_type"] == survey_type]
    keep = [
        c
        for c in ("response_id", "customer_id", "ticket_id", "responded_at", "survey_type", "score")
        if c in chosen
    ]
    anchors = chosen[keep].assign(anchor_at=chosen["responded_at"])
    table = experience_at(anchors, features, surveys, window_days=window_days)
    return table.drop(columns="anchor_at")


def churn_snapshot(
    data_end: pd.Timestamp, wanted: pd.Timestamp, followup_days: int = DEFAULT_FOLLOWUP_DAYS
) -> pd.Timestamp:
    """The latest snapshot date, at most ``wanted``, whose follow-up ends by ``data_end``."""
    latest = pd.Timestamp(data_end).normalize() - pd.Timedelta(days=followup_days)
    return min(pd.Timestamp(wanted).normalize(), latest)


def customer_experience(
    customers: pd.DataFrame,
    features: pd.DataFrame,
    surveys: pd.DataFrame | None,
    as_of: pd.Timestamp,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    followup_days: int = DEFAULT_FOLLOWUP_DAYS,
) -> pd.DataFrame:
    """Customers active at the snapshot ``as_of``, their experience before it, and their churn.

    Active: signed up on or before ``as_of`` and not churned by then (no churn date, or one
    after ``as_of``). ``churned`` is 1 when the churn date falls in ``(as_of, as_of +
    followup_days]``, else 0; ``retained = 1 − churned``. The caller chooses an ``as_of`` whose
    follow-up is complete in the data (:func:`churn_snapshot`): customers are not followed past
    the data's end. Columns: ``customer_id``, ``churned``, ``retained``, then the drivers.
    """
    moment = pd.Timestamp(as_of)
    signup = _stamps(customers["signup_date"])
    churn = _stamps(customers["churn_date"])
    active = (signup <= moment) & (churn.isna() | (churn > moment))
    chosen = customers.loc[active, ["customer_id"]].copy()
    churned = churn[active] <= moment + pd.Timedelta(days=followup_days)
    chosen["churned"] = churned.fillna(False).astype(float).to_numpy()
    chosen["retained"] = 1.0 - chosen["churned"]
    chosen["anchor_at"] = moment + pd.Timedelta(days=1) - pd.Timedelta(nanoseconds=1)
    table = experience_at(chosen, features, surveys, window_days=window_days)
    table.attrs.update(as_of=moment, followup_days=followup_days)
    return table.drop(columns="anchor_at")
