"""Closed-loop follow-up of low scores: the queue, contact compliance, and the best answers.

DESIGN.md: "A low score ... may ask for a callback. Low scores are followed up fast: the target
is contact within one hour. High scores on hard questions are reviewed too."

**Cases** (:func:`followup_cases`) are the answers followed up: CSAT 1–2 and NPS 0–6 (the
unfavourable bands of :mod:`analysis.loyalty_views`; CES is not followed up). Their state comes
from the **events** the app saves (:mod:`data_connectors.followups`), one row per status change,
columns :data:`EVENT_COLUMNS`; ``event_id`` orders them. The current status is the latest
event's (``new`` without any); the **contact time** is the first event whose status is in
:data:`CONTACT_STATUSES` — a "resolved" mark implies the customer was reached, a "could not
reach" mark does not — measured from ``responded_at`` to the moment the mark was saved.

**Compliance** judges each case against the target (``target_minutes``, 60 by default):

* ``within target``: contacted no later than the target after the answer;
* ``late``: contacted after the target, or not contacted and already older than the target at
  ``as_of`` (the miss is certain whatever happens next);
* ``not yet due``: not contacted and younger than the target at ``as_of`` — censored, its
  outcome is not known yet, so it is left out of the share;
* ``before tracking``: given before follow-up marks were saved in this workspace
  (:func:`tracking_start`); nobody could mark them, so they are not judged;
* ``clock error``: a contact mark stamped before the answer (clocks or time zones disagree).

The share within target has a Wilson interval (:func:`analysis.rates.proportion`); the median
time to first contact, over the contacted cases, a distribution-free order-statistic interval
(:func:`analysis.service.time_summary`). Cases never contacted do not enter the median (they
have no contact time); the share within target is the figure that counts them.

Timestamps are naive UTC, as the canonical tables and the workspace store them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis import rates, service
from analysis.loyalty_views import low_score_mask
from analysis.periods import FREQUENCIES
from analysis.privacy import mask_personal_data
from analysis.results import Estimate

#: Follow-up statuses, in the order they are usually reached.
NEW = "new"
CONTACTED = "contacted"
NOT_REACHED = "could not reach"
RESOLVED = "resolved"
STATUSES: tuple[str, ...] = (NEW, CONTACTED, NOT_REACHED, RESOLVED)
#: Statuses that mean the customer was reached.
CONTACT_STATUSES: tuple[str, ...] = (CONTACTED, RESOLVED)
#: Survey types whose low scores are followed up.
FOLLOWED_TYPES: tuple[str, ...] = ("csat", "nps")
#: The default contact target (DESIGN.md: "the target is contact within one hour").
DEFAULT_TARGET_MINUTES = 60
#: Columns of the follow-up events frame.
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "response_id",
    "status",
    "note",
    "editor",
    "handled_at",
)

WITHIN = "within target"
LATE = "late"
NOT_DUE = "not yet due"
BEFORE_TRACKING = "before tracking"
CLOCK_ERROR = "clock error"
OUTCOMES: tuple[str, ...] = (WITHIN, LATE, NOT_DUE, BEFORE_TRACKING, CLOCK_ERROR)

#: Columns of :func:`followup_cases` (those of the optional inputs only when present).
CASE_COLUMNS: tuple[str, ...] = (
    "response_id",
    "responded_at",
    "survey_type",
    "score",
    "reason",
    "comment",
    "callback_requested",
    "customer_id",
    "ticket_id",
    "department",
    "channel",
    "agent",
    "subject",
    "status",
    "status_by",
    "status_at",
    "note",
    "contacted_at",
    "contact_seconds",
    "age_seconds",
    "outcome",
    "overdue",
)
#: Columns of :func:`compliance_table` (``group`` is ``period`` over time).
COMPLIANCE_COLUMNS: tuple[str, ...] = (
    "group",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "within",
    "late",
    "not_yet_due",
    "not_judged",
    "median_seconds",
    "median_ci_low",
    "median_ci_high",
    "contacted",
)
#: Hard-ticket criteria of :func:`best_answers` and the ticket column each needs.
HARD_CRITERIA: dict[str, str] = {
    "complaint": "is_complaint",
    "transferred": "transfers",
    "reopened": "reopens",
    "long resolution": "resolved_at",
}
#: Top scores reviewed in :func:`best_answers`: the lowest top score per survey type.
TOP_SCORE: dict[str, int] = {"csat": 5, "nps": 9}
#: Resolution times at or above this quantile of all resolved tickets count as long.
LONG_QUANTILE = 0.9

_REQUIRED = ("response_id", "responded_at", "survey_type", "score")
_TICKET_FACTS = ("agent", "subject")


def _require(frame: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table} lacks column(s): {', '.join(missing)}")


def _check_target(target_minutes: object) -> float:
    if (
        isinstance(target_minutes, bool)
        or not isinstance(target_minutes, int | float | np.number)
        or not target_minutes > 0
    ):
        raise ValueError(f"target_minutes must be a number > 0, got {target_minutes!r}")
    return float(target_minutes) * 60


def _as_of(as_of: object) -> pd.Timestamp:
    stamp = pd.Timestamp(as_of) if as_of is not None else pd.NaT
    if pd.isna(stamp):
        raise ValueError(f"as_of must be a timestamp, got {as_of!r}")
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp


def empty_events() -> pd.DataFrame:
    """An events frame without rows, with the dtypes the store returns."""
    return pd.DataFrame(
        {
            "event_id": pd.Series(dtype="int64"),
            "response_id": pd.Series(dtype=object),
            "status": pd.Series(dtype=object),
            "note": pd.Series(dtype=object),
            "editor": pd.Series(dtype=object),
            "handled_at": pd.Series(dtype="datetime64[ns]"),
        }
    )


def current_state(events: pd.DataFrame) -> pd.DataFrame:
    """Per answer: latest ``status`` (with ``status_by``, ``status_at``, ``note``) and the first
    contact time ``contacted_at`` (NaT if never reached), indexed by ``response_id``.

    "Latest" is the highest ``event_id``; ``note`` is the latest event's note.
    """
    _require(events, EVENT_COLUMNS, "events")
    unknown = set(events["status"].dropna()) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown follow-up status(es): {', '.join(sorted(map(str, unknown)))}")
    ordered = events.sort_values("event_id", kind="stable")
    # The whole latest row (groupby().last() would take each column's last non-empty value,
    # showing an earlier editor's note beside the latest status).
    latest = ordered.drop_duplicates("response_id", keep="last").set_index("response_id")
    contacts = ordered.loc[ordered["status"].isin(CONTACT_STATUSES)]
    first_contact = contacts.groupby("response_id", sort=False)["handled_at"].min()
    state = pd.DataFrame(
        {
            "status": latest["status"],
            "status_by": latest["editor"],
            "status_at": latest["handled_at"],
            "note": latest["note"],
        }
    )
    state["contacted_at"] = first_contact.reindex(state.index)
    return state


def events_for(events: pd.DataFrame, response_ids: Iterable[object]) -> pd.DataFrame:
    """The marks on the given answers (those of the data on screen): a workspace may hold marks
    on another source's answers, which must neither show nor start this data's tracking."""
    return events.loc[events["response_id"].isin(pd.Series(list(response_ids)))]


def tracking_start(events: pd.DataFrame, target_minutes: float = DEFAULT_TARGET_MINUTES) -> object:
    """When follow-up tracking began: the first saved mark minus the target (NaT if none).

    Answers given earlier could not be marked within their target through this app, so
    :func:`followup_cases` does not judge them; those given up to ``target_minutes`` before the
    first mark still could be, and are judged. Without any mark nothing is judged yet.
    """
    seconds = _check_target(target_minutes)
    first = pd.to_datetime(events["handled_at"]).min()
    return pd.NaT if pd.isna(first) else first - pd.Timedelta(seconds=seconds)


def followup_cases(
    surveys: pd.DataFrame,
    tickets: pd.DataFrame,
    events: pd.DataFrame,
    *,
    as_of: object,
    target_minutes: float = DEFAULT_TARGET_MINUTES,
) -> pd.DataFrame:
    """The low CSAT (1–2) and NPS (0–6) answers with their follow-up state and outcome.

    Parameters
    ----------
    surveys : DataFrame
        Answers with ``response_id``, ``responded_at``, ``survey_type``, ``score``; ``reason``,
        ``comment``, ``callback_requested``, ``customer_id``, ``ticket_id``, ``department``,
        ``channel`` are carried when present (:func:`analysis.views.survey_context`).
    tickets : DataFrame
        Tickets; the answer's ticket ``agent`` and ``subject`` are added when present.
    events : DataFrame
        Follow-up events, columns :data:`EVENT_COLUMNS` (every event of the workspace: the
        first one starts tracking, :func:`tracking_start`).
    as_of : timestamp
        "Now": ages and overdue flags are measured against it (naive UTC).
    target_minutes : float
        Contact target in minutes (> 0).

    Returns
    -------
    DataFrame
        One row per case, columns :data:`CASE_COLUMNS` present: ``comment`` and ``note`` masked
        (:func:`analysis.privacy.mask_personal_data`); ``status`` (``new`` without events);
        ``contact_seconds`` = ``contacted_at − responded_at`` (NaN if not contacted or a clock
        error); ``age_seconds`` = ``as_of − responded_at``; ``outcome`` one of
        :data:`OUTCOMES` (module docstring); ``overdue``: not contacted and older than the
        target. Newest first. ``attrs``: ``as_of``, ``target_minutes``, ``tracking_since``.
    """
    _require(surveys, _REQUIRED, "surveys")
    target = _check_target(target_minutes)
    now = _as_of(as_of)
    since = tracking_start(events, target_minutes)
    low = surveys.loc[
        surveys["survey_type"].isin(FOLLOWED_TYPES).to_numpy() & low_score_mask(surveys).to_numpy()
    ]
    facts = [c for c in _TICKET_FACTS if c in tickets.columns and c not in low.columns]
    if facts and "ticket_id" in low.columns and "ticket_id" in tickets.columns:
        referred = tickets.loc[tickets["ticket_id"].isin(low["ticket_id"]), ["ticket_id", *facts]]
        low = low.merge(referred, on="ticket_id", how="left")
    cases = low.merge(current_state(events), left_on="response_id", right_index=True, how="left")
    cases["status"] = cases["status"].fillna(NEW)
    answered = pd.to_datetime(cases["responded_at"])
    contact = (cases["contacted_at"] - answered).dt.total_seconds()
    clock_error = (contact < 0).to_numpy()
    contacted = contact.notna().to_numpy()
    age = (now - answered).dt.total_seconds().to_numpy(dtype="float64")
    before = np.ones(len(cases), bool) if pd.isna(since) else (answered < since).to_numpy()
    outcome = np.select(
        [
            before,
            clock_error,
            contacted & (contact.to_numpy() <= target),
            contacted,
            age > target,
        ],
        [BEFORE_TRACKING, CLOCK_ERROR, WITHIN, LATE, LATE],
        default=NOT_DUE,
    )
    cases = cases.assign(
        contact_seconds=contact.mask(clock_error),
        age_seconds=age,
        outcome=outcome,
        overdue=~contacted & (age > target),
    )
    for column in ("comment", "note"):
        if column in cases:
            cases[column] = mask_personal_data(cases[column]).to_numpy()
    columns = [c for c in CASE_COLUMNS if c in cases.columns]
    result = cases.sort_values("responded_at", ascending=False, kind="stable")[columns]
    result = result.reset_index(drop=True)
    result.attrs.update(as_of=now, target_minutes=float(target_minutes), tracking_since=since)
    return result


def queue(
    cases: pd.DataFrame,
    *,
    statuses: Collection[str] | None = None,
    departments: Collection[str] | None = None,
    survey_types: Collection[str] | None = None,
) -> pd.DataFrame:
    """The cases to work on, filtered: open ones (``new``, ``could not reach``) first, each
    block newest first. An empty or None filter keeps everything."""
    keep = np.ones(len(cases), dtype=bool)
    for column, chosen in (
        ("status", statuses),
        ("department", departments),
        ("survey_type", survey_types),
    ):
        if chosen:
            _require(cases, [column], "cases")
            keep &= cases[column].isin(list(chosen)).to_numpy()
    chosen_cases = cases.loc[keep]
    is_open = ~chosen_cases["status"].isin(CONTACT_STATUSES)
    order = np.lexsort(
        (-chosen_cases["responded_at"].to_numpy().astype("int64"), ~is_open.to_numpy())
    )
    result = chosen_cases.iloc[order].reset_index(drop=True)
    result.attrs = {}  # a view to draw: "now" and tracking stay with the cases
    return result


def compliance(cases: pd.DataFrame) -> Estimate:
    """Share of judged cases contacted within the target, percent, Wilson interval.

    ``n`` = within + late; ``excluded`` = cases not yet due, before tracking or with a clock
    error.
    """
    within, late = _count(cases, WITHIN), _count(cases, LATE)
    estimate = rates.proportion(within, within + late)
    return replace(estimate, excluded=len(cases) - within - late)


def contact_time(cases: pd.DataFrame) -> service.TimeSummary:
    """Median (and p90) seconds from the answer to the first contact mark, over the judged,
    contacted cases, with order-statistic intervals (:func:`analysis.service.time_summary`)."""
    judged = cases["outcome"].isin([WITHIN, LATE])
    return service.time_summary(cases.loc[judged, "contact_seconds"].dropna())


def _count(cases: pd.DataFrame, outcome: str) -> int:
    return int((cases["outcome"] == outcome).sum())


def _row(group: object, cases: pd.DataFrame) -> dict[str, object]:
    share = compliance(cases)
    time = contact_time(cases)
    not_due = _count(cases, NOT_DUE)
    return {
        "group": group,
        "value": share.value,
        "ci_low": share.ci_low,
        "ci_high": share.ci_high,
        "n": share.n,
        "within": _count(cases, WITHIN),
        "late": _count(cases, LATE),
        "not_yet_due": not_due,
        "not_judged": share.excluded - not_due,
        "median_seconds": time.median,
        "median_ci_low": time.median_ci_low,
        "median_ci_high": time.median_ci_high,
        "contacted": time.n,
    }


def compliance_table(cases: pd.DataFrame, by: str) -> pd.DataFrame:
    """:func:`compliance` and :func:`contact_time` per value of ``by`` (e.g. "department").

    Columns :data:`COMPLIANCE_COLUMNS`, groups sorted by name; cases without a ``by`` value
    are left out and counted in ``attrs["ungrouped"]``.
    """
    _require(cases, [by, "outcome", "contact_seconds"], "cases")
    grouped = cases.loc[cases[by].notna()]
    rows = [_row(group, part) for group, part in grouped.groupby(by, sort=True)]
    table = pd.DataFrame(rows, columns=list(COMPLIANCE_COLUMNS))
    table.attrs["ungrouped"] = len(cases) - len(grouped)
    return table


def compliance_over_time(cases: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """:func:`compliance` and :func:`contact_time` per period of ``responded_at``.

    ``freq``: "W" (weeks from Monday), "MS" (months) or "QS" (quarters). Columns
    :data:`COMPLIANCE_COLUMNS` with ``period`` (first day) for ``group``; every period from the
    first to the last judged case, empty ones with n = 0. Cases before tracking are left out.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {sorted(FREQUENCIES)}, got {freq!r}")
    tracked = cases.loc[cases["outcome"] != BEFORE_TRACKING]
    periods = pd.to_datetime(tracked["responded_at"]).dt.to_period(FREQUENCIES[freq])
    parts = dict(list(tracked.groupby(periods, sort=True)))
    span = pd.period_range(min(parts), max(parts), freq=FREQUENCIES[freq]) if parts else []
    rows = [_row(p.start_time, parts.get(p, tracked.iloc[:0])) for p in span]
    return pd.DataFrame(rows, columns=list(COMPLIANCE_COLUMNS)).rename(columns={"group": "period"})


def cases_behind(
    cases: pd.DataFrame,
    *,
    by: str | None = None,
    group: object = None,
    period: object = None,
    freq: str = "W",
) -> pd.DataFrame:
    """The judged-or-pending cases behind a row of :func:`compliance_table` (``by``, ``group``)
    or a point of :func:`compliance_over_time` (``period`` start, ``freq``), newest first."""
    keep = cases["outcome"] != BEFORE_TRACKING
    if by is not None:
        keep = keep & (cases[by] == group).fillna(False)
    if period is not None:
        start = pd.Timestamp(period).to_period(FREQUENCIES[freq])
        keep = keep & (
            pd.to_datetime(cases["responded_at"]).dt.to_period(FREQUENCIES[freq]) == start
        )
    result = cases.loc[keep.to_numpy(dtype=bool)].reset_index(drop=True)
    result.attrs = {}
    return result


def history(events: pd.DataFrame, response_id: str) -> pd.DataFrame:
    """Every status change of one answer, oldest first, notes masked."""
    _require(events, EVENT_COLUMNS, "events")
    rows = events.loc[events["response_id"] == response_id].sort_values("event_id")
    rows = rows.assign(note=mask_personal_data(rows["note"]).to_numpy())
    return rows[["handled_at", "status", "editor", "note", "event_id"]].reset_index(drop=True)


#: Columns of :func:`best_answers` (those of optional inputs only when present).
BEST_COLUMNS: tuple[str, ...] = (
    "week",
    "response_id",
    "responded_at",
    "survey_type",
    "score",
    "why_hard",
    "comment",
    "department",
    "channel",
    "agent",
    "ticket_id",
    "subject",
    "hard_criteria",
    "resolution_hours",
    "transfers",
    "reopens",
    "is_complaint",
)


def best_answers(
    surveys: pd.DataFrame,
    tickets: pd.DataFrame,
    *,
    departments: Collection[str] | None = None,
    long_quantile: float = LONG_QUANTILE,
) -> pd.DataFrame:
    """Top scores (CSAT 5, NPS 9–10) about hard tickets, for the weekly review.

    A ticket is hard when it is a complaint (``is_complaint``), was transferred
    (``transfers`` ≥ 1), reopened (``reopens`` ≥ 1) or took long to resolve: its
    ``resolved_at − created_at`` is at or above the ``long_quantile`` (0.9) quantile of the
    resolution times of every resolved ticket in ``tickets`` (``numpy.quantile``, type 7).
    Criteria whose column ``tickets`` lacks are skipped and listed in ``attrs["unavailable"]``.

    Returns
    -------
    DataFrame
        Answers linked to a hard ticket, columns :data:`BEST_COLUMNS` present: ``week`` (Monday
        of the answer's week), ``why_hard`` (the criteria met, in words), ``hard_criteria``
        (how many), ``resolution_hours``, ``comment`` masked. Newest week first, then the
        hardest, then the newest. ``attrs``: ``long_seconds`` (the threshold; NaN if no
        resolution times), ``unavailable``.

    Raises
    ------
    ValueError
        Missing answer columns or ``ticket_id``, or no criterion can be judged (names the
        ticket columns that would enable it).
    """
    _require(surveys, [*_REQUIRED, "ticket_id"], "surveys")
    _require(tickets, ["ticket_id"], "tickets")
    if not 0 < long_quantile < 1:
        raise ValueError(f"long_quantile must be strictly between 0 and 1, got {long_quantile!r}")
    unavailable = [name for name, column in HARD_CRITERIA.items() if column not in tickets]
    if len(unavailable) == len(HARD_CRITERIA):
        raise ValueError(
            "no hard-ticket criterion can be judged: tickets need at least one of "
            + ", ".join(HARD_CRITERIA.values())
        )
    score = pd.to_numeric(surveys["score"], errors="coerce")
    minimum = surveys["survey_type"].map(TOP_SCORE)
    top = surveys.loc[(score >= minimum).fillna(False).to_numpy()]
    if departments:
        _require(top, ["department"], "surveys")
        top = top.loc[top["department"].isin(list(departments))]
    seconds, threshold = _resolution(tickets, long_quantile)
    reviewed = tickets["ticket_id"].isin(top["ticket_id"]).to_numpy()
    facts = _ticket_hardness(
        tickets.loc[reviewed], None if seconds is None else seconds[reviewed], threshold
    )
    extra = [c for c in facts.columns if c in top.columns and c != "ticket_id"]
    best = top.drop(columns=extra).merge(facts, on="ticket_id", how="inner")
    best = best.loc[best["hard_criteria"] > 0]
    stamps = pd.to_datetime(best["responded_at"])
    best = best.assign(
        week=stamps.dt.to_period(FREQUENCIES["W"]).dt.start_time,
        comment=mask_personal_data(best["comment"]).to_numpy() if "comment" in best else None,
    )
    best = best.sort_values(
        ["week", "hard_criteria", "responded_at"], ascending=False, kind="stable"
    )
    result = best[[c for c in BEST_COLUMNS if c in best.columns]].reset_index(drop=True)
    result.attrs.update(long_seconds=threshold, unavailable=unavailable)
    return result


def _resolution(tickets: pd.DataFrame, long_quantile: float) -> tuple[pd.Series | None, float]:
    """Resolution seconds per ticket (None without the columns) and the "long" threshold: the
    ``long_quantile`` quantile of every valid resolution time (NaN if there is none)."""
    if "resolved_at" not in tickets or "created_at" not in tickets:
        return None, math.nan
    seconds, _ = service.durations(tickets, "resolution")
    valid = seconds.dropna()
    return seconds, float(np.quantile(valid, long_quantile)) if len(valid) else math.nan


def _ticket_hardness(
    tickets: pd.DataFrame, seconds: pd.Series | None, threshold: float
) -> pd.DataFrame:
    """Per ticket: the facts that make it hard, ``why_hard`` in words and ``hard_criteria``."""
    columns = ["ticket_id", *(c for c in (*_TICKET_FACTS, "department", "channel") if c in tickets)]
    facts = tickets[columns].copy()
    met: dict[str, pd.Series] = {}
    if "is_complaint" in tickets:
        facts["is_complaint"] = tickets["is_complaint"]
        met["complaint"] = tickets["is_complaint"].fillna(False).astype(bool)
    for name, column in (("transferred", "transfers"), ("reopened", "reopens")):
        if column in tickets:
            counts = pd.to_numeric(tickets[column], errors="coerce")
            facts[column] = counts
            met[name] = (counts >= 1).fillna(False).astype(bool)
    if seconds is not None:
        facts["resolution_hours"] = seconds / 3600
        met["long resolution"] = (seconds >= threshold).fillna(False).astype(bool)
    flags = pd.DataFrame(met, index=tickets.index, dtype=bool)
    words = pd.Series("", index=tickets.index, dtype=object)
    for name, flag in flags.items():
        words = words + np.where(flag, f"{name}, ", "")
    facts["why_hard"] = words.str.removesuffix(", ")
    facts["hard_criteria"] = flags.sum(axis=1).astype("int64")
    return facts
