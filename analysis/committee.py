"""The client committee's month: a cross-department scorecard, complaint themes and suggestions.

Heads of every department review one calendar month together (DESIGN.md, "Client committee"):
rows are departments, never people, so no agent appears in any table here and known agent names
are masked in the verbatims (:func:`hide_names`).

Every scorecard cell is a metric of the department over the month, with its interval and n, and
its change against the previous calendar month by the metric's own test (:data:`COLUMNS`). The
scorecard tests many departments × columns at once, so the p-values of the whole table are one
family for the Benjamini–Hochberg procedure (:func:`analysis.segments.benjamini_hochberg`), and
a change is ``significant`` only when its q-value is below :data:`FDR_LEVEL` (0.05).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis import loyalty, rates
from analysis.definitions import METRICS, MetricDefinition
from analysis.kpis import KPIS, Tables, in_period
from analysis.privacy import mask_personal_data
from analysis.rates import FDR_LEVEL, DateLike, as_day, benjamini_hochberg
from analysis.results import ChangeResult, Estimate
from analysis.service import ServiceStandards
from analysis.views import served_before

Period = tuple[pd.Timestamp, pd.Timestamp]

#: A complaint is a *repeat* when the same customer complained to the same department within
#: this many days before it.
REPEAT_WINDOW_DAYS = 30
#: "Customers served" by a department in a month: those with a contact of the department in
#: this many days up to the month's last day.
SERVED_WINDOW_DAYS = 90
#: How far before the first month measured any column looks back.
LOOKBACK_DAYS = max(REPEAT_WINDOW_DAYS, SERVED_WINDOW_DAYS)
#: An open action due within this many days is "due soon".
DUE_SOON_DAYS = 7
#: Open action statuses (anything else is finished).
OPEN_STATUSES = ("open", "in progress")

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


# ----------------------------------------------------------------------------------- months


def parse_month(text: str) -> pd.Timestamp:
    """``"YYYY-MM"`` as the month's first day; ValueError for anything else."""
    if not isinstance(text, str) or not _MONTH.fullmatch(text.strip()):
        raise ValueError(f"a month is written YYYY-MM (e.g. 2026-10), got {text!r}")
    return pd.Timestamp(f"{text.strip()}-01")


def month_bounds(month: DateLike) -> Period:
    """First and last day of the calendar month holding ``month``."""
    first = as_day("month", month).replace(day=1)
    return first, first + pd.offsets.MonthEnd(0)


def previous_month(month: DateLike) -> Period:
    """First and last day of the calendar month before the one holding ``month``."""
    return month_bounds(month_bounds(month)[0] - pd.Timedelta(days=1))


def last_complete_month(last_day: DateLike) -> pd.Timestamp:
    """First day of the last calendar month fully covered by data ending on ``last_day``.

    A month is complete when the data reaches its last day: data up to 21 Nov gives October;
    data up to 30 Nov gives November.
    """
    day = as_day("last_day", last_day)
    if (day + pd.Timedelta(days=1)).day == 1:
        return day.replace(day=1)
    return previous_month(day)[0]


def months_between(first_day: DateLike, last_day: DateLike) -> list[pd.Timestamp]:
    """First days of the complete months from ``first_day``'s month to :func:`last_complete_month`,
    newest first (the month selector's options)."""
    first, last = as_day("first_day", first_day).replace(day=1), last_complete_month(last_day)
    return list(pd.date_range(first, last, freq="MS"))[::-1] if first <= last else []


# ----------------------------------------------------------------------------- departments


@dataclass(frozen=True)
class DepartmentData:
    """One department's data for the scorecard.

    ``tables``: every customer, the department's contacts and the answers attributed to it
    (:func:`analysis.views.survey_context`). ``surveys``: every answer, because the NPS of the
    customers a department served looks beyond the answers attributed to it.
    """

    name: str
    tables: Tables
    surveys: pd.DataFrame


_TICKET_COLUMNS = (
    "ticket_id",
    "customer_id",
    "created_at",
    "channel",
    "department",
    "is_complaint",
    "first_response_at",
    "resolved_at",
    "abandoned",
    "first_contact_resolved",
    "status",
)
_SURVEY_COLUMNS = (
    "response_id",
    "customer_id",
    "responded_at",
    "survey_type",
    "score",
    "department",
)


def departments(
    customers: pd.DataFrame,
    tickets: pd.DataFrame,
    surveys: pd.DataFrame,
    standards: ServiceStandards | None = None,
) -> list[DepartmentData]:
    """Split the data by ``tickets.department`` (sorted names; tickets without one are left out).

    ``tickets`` and ``surveys`` carry the context columns (:mod:`analysis.views`); ``standards``
    are the speed standards of SLA compliance (None: the DESIGN.md defaults).
    """
    names = sorted(tickets["department"].dropna().unique().tolist())
    # Only the columns the scorecard reads: slicing wide text columns per month is costly.
    tickets = tickets[[c for c in _TICKET_COLUMNS if c in tickets.columns]]
    surveys = surveys[[c for c in _SURVEY_COLUMNS if c in surveys.columns]]
    return [
        DepartmentData(
            name,
            Tables(
                customers,
                tickets.loc[tickets["department"] == name],
                surveys.loc[surveys["department"] == name],
                standards=standards,
            ),
            surveys,
        )
        for name in names
    ]


def since(dept: DepartmentData, first_day: DateLike) -> DepartmentData:
    """The department's contacts and answers from ``first_day`` on (later ones all kept, so the
    data's cut-off, which SLA compliance judges unanswered contacts against, is unchanged).

    Every column looks back at most :data:`SERVED_WINDOW_DAYS` days before the first month it
    measures; slicing that much earlier keeps each value exact and spares re-reading years.
    """
    day = as_day("first_day", first_day) - pd.Timedelta(days=LOOKBACK_DAYS)
    tables = dept.tables
    return replace(
        dept,
        tables=replace(
            tables,
            tickets=tables.tickets.loc[tables.tickets["created_at"] >= day],
            surveys=tables.surveys.loc[tables.surveys["responded_at"] >= day],
        ),
        surveys=dept.surveys.loc[dept.surveys["responded_at"] >= day],
    )


# -------------------------------------------------------------------------- the columns


def _complaint_counts(tables: Tables, period: Period) -> tuple[int, int]:
    """(complaints, contacts with a known complaint flag) created within ``period``."""
    flags = in_period(tables.tickets, "created_at", *period)["is_complaint"].dropna()
    return int(flags.astype(bool).sum()), len(flags)


def per_thousand(estimate: Estimate) -> Estimate:
    """A percent estimate as per 1,000 (value and interval × 10)."""
    return replace(
        estimate,
        value=estimate.value * 10,
        ci_low=estimate.ci_low * 10,
        ci_high=estimate.ci_high * 10,
    )


def per_thousand_change(change: ChangeResult) -> ChangeResult:
    """A change in percentage points as a change per 1,000 (change and interval × 10)."""
    return replace(
        change, change=change.change * 10, ci_low=change.ci_low * 10, ci_high=change.ci_high * 10
    )


def _measure_complaint_rate(dept: DepartmentData, period: Period) -> Estimate:
    """Complaints per 1,000 contacts: ``1000 · complaints / contacts``, Wilson interval × 10."""
    return per_thousand(rates.proportion(*_complaint_counts(dept.tables, period)))


def _compare_complaint_rate(dept: DepartmentData, before: Period, now: Period) -> ChangeResult:
    (k_before, n_before), (k_now, n_now) = (
        _complaint_counts(dept.tables, before),
        _complaint_counts(dept.tables, now),
    )
    return per_thousand_change(rates.proportion_change(k_before, n_before, k_now, n_now))


def repeat_complaints(tickets: pd.DataFrame) -> pd.DataFrame:
    """Complaints with ``repeat``: the same customer complained to the same department within
    :data:`REPEAT_WINDOW_DAYS` days before (strictly earlier, at most that many days).

    Returns the complaint rows (``is_complaint`` true) with a boolean ``repeat`` column, in
    creation order. Complaints without a customer or a creation time are never repeats.
    """
    complaints = tickets.loc[tickets["is_complaint"].fillna(False).astype(bool)]
    ordered = complaints.sort_values("created_at", kind="stable")
    earlier = ordered.groupby(["customer_id", "department"], dropna=True)["created_at"].shift()
    gap = ordered["created_at"] - earlier
    repeat = (gap > pd.Timedelta(0)) & (gap <= pd.Timedelta(days=REPEAT_WINDOW_DAYS))
    return ordered.assign(repeat=repeat.fillna(False).astype(bool))


def _repeat_counts(dept: DepartmentData, period: Period) -> tuple[int, int]:
    flagged = in_period(repeat_complaints(dept.tables.tickets), "created_at", *period)
    return int(flagged["repeat"].sum()), len(flagged)


def _measure_repeats(dept: DepartmentData, period: Period) -> Estimate:
    """Repeat complaints as a percent of the department's complaints, Wilson interval."""
    return rates.proportion(*_repeat_counts(dept, period))


def _compare_repeats(dept: DepartmentData, before: Period, now: Period) -> ChangeResult:
    (k_before, n_before), (k_now, n_now) = _repeat_counts(dept, before), _repeat_counts(dept, now)
    return rates.proportion_change(k_before, n_before, k_now, n_now)


def served_scores(dept: DepartmentData, period: Period) -> pd.Series:
    """NPS scores given within ``period`` by customers the department served: a contact of the
    department within :data:`SERVED_WINDOW_DAYS` days up to the period's last day
    (:func:`analysis.views.served_before` on that window)."""
    first, last = period
    after_last = last + pd.Timedelta(days=1)
    window = dept.tables.tickets.loc[
        dept.tables.tickets["created_at"] >= after_last - pd.Timedelta(days=SERVED_WINDOW_DAYS)
    ]
    served = served_before(dept.tables.customers, window, after_last)["customer_id"]
    answers = in_period(
        dept.surveys.loc[dept.surveys["survey_type"] == "nps"], "responded_at", first, last
    )
    return answers.loc[answers["customer_id"].isin(served), "score"]


def _kpi(key: str) -> tuple[Callable[..., Estimate], Callable[..., ChangeResult]]:
    """A key of :data:`analysis.kpis.KPIS` measured on the department's own tables."""
    kpi = KPIS[key]
    return (
        lambda dept, period: kpi.measure(dept.tables, period),
        lambda dept, before, now: kpi.compare(dept.tables, before, now),
    )


@dataclass(frozen=True)
class Column:
    """A scorecard column: its definition, how to measure it and how to test its change."""

    definition: MetricDefinition
    measure: Callable[[DepartmentData, Period], Estimate]
    compare: Callable[[DepartmentData, Period, Period], ChangeResult]


#: Scorecard columns in display order.
COLUMNS: dict[str, Column] = {
    "complaints": Column(METRICS["complaints"], *_kpi("complaints")),
    "complaints_per_1000": Column(
        METRICS["complaints_per_1000"], _measure_complaint_rate, _compare_complaint_rate
    ),
    "csi": Column(METRICS["csi"], *_kpi("csi")),
    "nps_served": Column(
        METRICS["nps_served"],
        lambda dept, period: loyalty.nps(served_scores(dept, period)),
        lambda dept, before, now: loyalty.nps_change(
            served_scores(dept, before), served_scores(dept, now)
        ),
    ),
    "sla": Column(METRICS["sla"], *_kpi("sla")),
    "fcr": Column(METRICS["fcr"], *_kpi("fcr")),
    "repeat_complaints": Column(METRICS["repeat_complaints"], _measure_repeats, _compare_repeats),
}

#: Columns of :func:`scorecard`, in order.
SCORECARD_COLUMNS = (
    "department",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "previous",
    "n_previous",
    "change",
    "change_low",
    "change_high",
    "p_value",
    "q_value",
    "significant",
    "method",
)


def available_columns(has: Callable[[str, str], bool]) -> tuple[list[str], dict[str, list[str]]]:
    """The scorecard columns the data supports, and for each other one the missing columns.

    ``has(table, column)`` tells whether the source has a canonical column (e.g.
    ``Dataset.has``).
    """
    usable, missing = [], {}
    for key, column in COLUMNS.items():
        absent = [f"{t}.{c}" for t, c in column.definition.requires if not has(t, c)]
        if absent:
            missing[key] = absent
        else:
            usable.append(key)
    return usable, missing


def scorecard(
    depts: Iterable[DepartmentData], month: DateLike, keys: Iterable[str] | None = None
) -> pd.DataFrame:
    """Each department × column over ``month``, with its change against the previous month.

    Parameters
    ----------
    depts : iterable of DepartmentData
        From :func:`departments`.
    month : date-like
        Any day of the month under review.
    keys : iterable of str, optional
        Keys of :data:`COLUMNS` (default all; pass :func:`available_columns`' first result).

    Returns
    -------
    DataFrame
        Long format, one row per department and metric, columns :data:`SCORECARD_COLUMNS`:
        the month's ``value`` with its 95 % interval and ``n``; the previous month's value and
        n; ``change`` (now − before) with its interval and ``p_value`` from the metric's own
        test (``method``); ``q_value``, the Benjamini–Hochberg q-value over every defined
        p-value in the table; ``significant``: ``q_value < 0.05``.
    """
    keys = list(COLUMNS) if keys is None else list(keys)
    unknown = set(keys) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown scorecard column(s): {', '.join(sorted(unknown))}")
    now, before = month_bounds(month), previous_month(month)
    rows = []
    for dept in (since(d, before[0]) for d in depts):
        for key in keys:
            column = COLUMNS[key]
            current, earlier = column.measure(dept, now), column.measure(dept, before)
            change = column.compare(dept, before, now)
            rows.append(
                (
                    dept.name,
                    key,
                    current.value,
                    current.ci_low,
                    current.ci_high,
                    current.n,
                    earlier.value,
                    earlier.n,
                    change.change,
                    change.ci_low,
                    change.ci_high,
                    change.p_value,
                    change.method,
                )
            )
    columns = [c for c in SCORECARD_COLUMNS if c not in ("q_value", "significant")]
    table = pd.DataFrame(rows, columns=columns)
    table = table.astype({"value": float, "previous": float, "p_value": float})
    table.insert(12, "q_value", benjamini_hochberg(table["p_value"]))
    table.insert(13, "significant", (table["q_value"] < FDR_LEVEL).to_numpy(dtype=bool))
    table.attrs.update(
        month=f"{now[0]:%Y-%m}",
        previous=f"{before[0]:%Y-%m}",
        family_size=int(table["q_value"].count()),
    )
    return table


# ------------------------------------------------------------------------------ verbatims


#: Parts of a name shorter than this are not masked on their own ("Li" would hit "line").
NAME_PART_LETTERS = 3


def hide_names(texts: pd.Series, names: Iterable[object]) -> pd.Series:
    """``texts`` with personal data masked (:func:`analysis.privacy.mask_personal_data`) and
    every whole-word occurrence of ``names`` (e.g. the agents') replaced by ``[name]``: the full
    name, and each of its parts of :data:`NAME_PART_LETTERS` letters or more that no other name
    shares ("Anna Petrova": also "Anna", "Petrova"; not "Agent" of "Agent 007" and "Agent 009").
    Words are matched whole, case-insensitively, in any script."""
    masked = mask_personal_data(texts)
    full = {str(n).strip() for n in names if isinstance(n, str) and n.strip()}
    counts = Counter(
        part.casefold()
        for name in full
        for part in {p for p in re.findall(r"\w+", name) if len(p) >= NAME_PART_LETTERS}
        if not part.isdigit()
    )
    # A part shared by several names is a label ("Agent" of "Agent 007"), not a person's name.
    parts = {part for part, times in counts.items() if times == 1}
    known = sorted(full | parts, key=len, reverse=True)  # longest first: whole names win
    if not known:
        return masked
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(n) for n in known) + r")(?!\w)"
    return masked.str.replace(pattern, "[name]", regex=True, flags=re.IGNORECASE)


def _text(tickets: pd.DataFrame) -> pd.Series:
    """A contact's words: its text, else its subject (empty when neither column exists)."""
    text = tickets["text"] if "text" in tickets else pd.Series(pd.NA, index=tickets.index)
    if "subject" in tickets:
        text = text.fillna(tickets["subject"])
    return text.astype(object)


#: Columns of :func:`top_themes`, in order.
THEME_COLUMNS = (
    "department",
    "theme",
    "complaints",
    "share",
    "share_low",
    "share_high",
    "department_complaints",
    "previous",
    "change",
    "p_value",
    "q_value",
    "significant",
    "examples",
)


def top_themes(
    tickets: pd.DataFrame,
    month: DateLike,
    ticket_themes: pd.DataFrame | None = None,
    *,
    top: int = 3,
    examples: int = 3,
) -> pd.DataFrame:
    """Each department's most frequent complaint themes in ``month``, with verbatims.

    Parameters
    ----------
    tickets : DataFrame
        Contacts with ``ticket_id``, ``created_at``, ``department``, ``is_complaint`` and
        ``category`` (used when no themes are given), ``text`` / ``subject`` for verbatims and
        ``agent`` (names masked in them).
    ticket_themes : DataFrame, optional
        ``ticket_id``, ``theme`` (one row per contact and theme, e.g. from
        ``dashboard.theme_data.ticket_themes``). None: the contact's ``category`` is its theme
        (``attrs["source"]`` says which).
    top, examples : int
        Themes kept per department; verbatims per theme (newest first).

    Returns
    -------
    DataFrame
        :data:`THEME_COLUMNS`: complaints with the theme in the month; their ``share`` of the
        department's complaints in percent with its Wilson interval; ``previous``: the same
        count the month before; ``change`` with the E-test ``p_value`` (equal-length months
        are close enough for a count test), Benjamini–Hochberg ``q_value`` over the table and
        ``significant``; ``examples``: masked verbatims joined by " ¶ ".
    """
    if top < 1 or examples < 0:
        raise ValueError("top must be >= 1 and examples >= 0")
    complaints = tickets.loc[tickets["is_complaint"].fillna(False).astype(bool)]
    if ticket_themes is None:
        labelled = complaints.assign(theme=complaints["category"])
        source = "category"
    else:
        labelled = complaints.merge(ticket_themes[["ticket_id", "theme"]], on="ticket_id")
        source = "themes"
    labelled = labelled.dropna(subset=["department", "theme"])
    now, before = month_bounds(month), previous_month(month)
    current, earlier = (in_period(labelled, "created_at", *p) for p in (now, before))
    counts = current.groupby(["department", "theme"]).size().rename("complaints")
    previous = earlier.groupby(["department", "theme"]).size().rename("previous")
    per_department = (
        in_period(complaints, "created_at", *now).groupby("department").size().rename("total")
    )
    table = counts.to_frame().join(previous, how="left").fillna({"previous": 0}).reset_index()
    table = table.astype({"complaints": int, "previous": int})
    table["department_complaints"] = table["department"].map(per_department).astype(int)
    table = (
        table.sort_values(["department", "complaints", "theme"], ascending=[True, False, True])
        .groupby("department", sort=True)
        .head(top)
    )
    days = tuple(float((end - start).days + 1) for start, end in (before, now))
    table = _with_theme_statistics(table.reset_index(drop=True), days)
    table["examples"] = _examples(current, table, tickets, examples)
    table = table[list(THEME_COLUMNS)]
    table.attrs.update(source=source, month=f"{now[0]:%Y-%m}")
    return table


def _with_theme_statistics(table: pd.DataFrame, days: tuple[float, float]) -> pd.DataFrame:
    """Share (Wilson) and the count change (E-test at the same daily rate over months of
    ``days`` length, BH over the table) per row."""
    shares = [
        rates.proportion(int(k), int(n))
        for k, n in zip(table["complaints"], table["department_complaints"], strict=True)
    ]
    changes = [
        rates.count_change(int(b), int(a), days=days)
        for b, a in zip(table["previous"], table["complaints"], strict=True)
    ]
    table = table.assign(
        share=[s.value for s in shares],
        share_low=[s.ci_low for s in shares],
        share_high=[s.ci_high for s in shares],
        change=[c.change for c in changes],
        p_value=np.array([c.p_value for c in changes], dtype=float),
    )
    table["q_value"] = benjamini_hochberg(table["p_value"])
    table["significant"] = (table["q_value"] < FDR_LEVEL).to_numpy(dtype=bool)
    return table


def _examples(
    current: pd.DataFrame, table: pd.DataFrame, tickets: pd.DataFrame, limit: int
) -> list[str]:
    """The newest ``limit`` masked verbatims of each (department, theme) row of ``table``."""
    words = current.assign(words=_text(current)).dropna(subset=["words"])
    newest = (
        words.sort_values("created_at", ascending=False)
        .groupby(["department", "theme"], sort=False)
        .head(limit)
    )
    agents = tickets["agent"].dropna().unique() if "agent" in tickets else ()
    newest = newest.assign(words=hide_names(newest["words"], agents))
    joined = newest.groupby(["department", "theme"])["words"].agg(" ¶ ".join)
    keys = pd.MultiIndex.from_frame(table[["department", "theme"]])
    return joined.reindex(keys).fillna("").tolist()


# ---------------------------------------------------------------------------- suggestions

#: Cue phrases that mark a comment as proposing something (case-insensitive, whole words).
#: English: a request to add or change ("please add", "could you add"), a conditional wish
#: ("it would be great/good/nice/better/helpful/convenient", "it'd be", "I wish", "would
#: love"), an explicit proposal ("suggest", "suggestion", "recommend adding", "why not"),
#: an option to offer ("an option to", "option would be"). Russian: "предлагаю" and its
#: forms, "хотелось бы", "было бы удобно/хорошо/здорово/неплохо/лучше/полезно", "хорошо бы",
#: "добавьте", "сделайте", "прошу добавить", "не хватает". Words such as "suggested" (a past
#: fact: "the suggested fix failed") are not cues.
SUGGESTION_CUES = (
    r"please (?:add|make|allow|let|consider|introduce|offer|provide)",
    r"(?:could|can) you (?:please )?(?:add|make|offer|provide|introduce)",
    r"(?:it )?would be (?:great|good|nice|better|helpful|useful|convenient|easier)",
    r"it'd be",
    r"i wish",
    r"would love",
    r"(?:i |we )?suggest(?:ion|ions)?",
    r"recommend (?:adding|that you)",
    r"why not",
    r"an option to",
    r"option would be",
    r"предлага\w*",
    r"хотелось бы",
    r"было бы (?:удобно|удобнее|хорошо|здорово|неплохо|лучше|полезно)",
    r"хорошо бы",
    r"добавьте",
    r"сделайте",
    r"прошу добавить",
    r"не хватает",
)
_SUGGESTION = re.compile(
    r"(?<!\w)(?:" + "|".join(SUGGESTION_CUES) + r")(?!\w)", flags=re.IGNORECASE
)


def is_suggestion(texts: Iterable[object]) -> pd.Series:
    """True where a text proposes something: it contains a cue of :data:`SUGGESTION_CUES`.

    A transparent rule, not a model: a whole-word, case-insensitive match of any cue. Missing
    and non-text values are False. Examples: "Please add a chat in the app" and "Было бы
    удобно видеть очередь" are suggestions; "The agent was rude" and "the suggested fix did
    not work" are not.
    """
    series = rates.as_series(texts, "texts")
    text = series.where(series.map(lambda v: isinstance(v, str)), None).astype(object)
    return text.str.contains(_SUGGESTION).fillna(False).astype(bool)


#: Columns of :func:`suggestions`.
SUGGESTION_COLUMNS = ("department", "responded_at", "survey_type", "score", "comment")


def suggestions(
    surveys: pd.DataFrame, month: DateLike, agents: Iterable[object] = ()
) -> pd.DataFrame:
    """Survey comments given in ``month`` that propose something (:func:`is_suggestion`).

    ``surveys`` carries ``department`` (:func:`analysis.views.survey_context`) and
    ``comment``. Returns :data:`SUGGESTION_COLUMNS`, comments masked (:func:`hide_names` with
    ``agents``), by department then newest first; ``attrs["comments"]``: comments in the month.
    """
    answered = in_period(surveys, "responded_at", *month_bounds(month)).dropna(subset=["comment"])
    chosen = answered.loc[is_suggestion(answered["comment"]).to_numpy()]
    chosen = chosen.assign(comment=hide_names(chosen["comment"], agents))
    table = chosen.sort_values(["department", "responded_at"], ascending=[True, False])[
        list(SUGGESTION_COLUMNS)
    ].reset_index(drop=True)
    table.attrs["comments"] = len(answered)
    return table


# -------------------------------------------------------------------------------- actions


def due_state(actions: pd.DataFrame, today: DateLike) -> pd.Series:
    """Per action: ``"overdue"`` (open, due before ``today``), ``"due soon"`` (open, due
    within :data:`DUE_SOON_DAYS` days from ``today``), ``"open"``, or its finished status."""
    day = as_day("today", today)
    due = pd.to_datetime(actions["due_date"])
    is_open = actions["status"].isin(OPEN_STATUSES)
    state = np.select(
        [
            is_open & (due < day),
            is_open & (due <= day + pd.Timedelta(days=DUE_SOON_DAYS)),
            is_open,
        ],
        ["overdue", "due soon", "open"],
        default=actions["status"].astype(object),
    )
    return pd.Series(state, index=actions.index, dtype=object)


def action_counts(actions: pd.DataFrame, today: DateLike) -> pd.DataFrame:
    """Open and overdue actions per department now (a register, not a sample: no interval).

    Returns ``department``, ``open_actions``, ``overdue_actions``.
    """
    state = due_state(actions, today)
    counts = pd.DataFrame(
        {
            "department": actions["department"],
            "open_actions": actions["status"].isin(OPEN_STATUSES).to_numpy(),
            "overdue_actions": (state == "overdue").to_numpy(),
        }
    )
    return (
        counts.groupby("department", as_index=False)
        .sum()
        .astype({"open_actions": int, "overdue_actions": int})
    )
