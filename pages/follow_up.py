"""Follow-up: the closed loop on low scores — queue, marks, contact compliance, best answers."""

import numpy as np
import pandas as pd
import streamlit as st

from analysis import followup
from analysis.kpis import KpiComparison, in_period
from analysis.views import options
from dashboard import context, data
from dashboard.charts import trend_with_band
from dashboard.editor import current_editor, editor_input
from dashboard.widgets import download_rows, kpi_tile, rows_behind, unavailable_tile
from data_connectors.errors import DataSourceError
from data_connectors.followups import DEMO_EDITOR, NOTE_LENGTH, FollowupStore, demo_history

FREQUENCIES = {"Week": "W", "Month": "MS"}
TYPE_LABELS = {"csat": "CSAT 1–2", "nps": "NPS 0–6"}
#: Queue rows drawn (and offered for marking); the CSV holds every row.
SHOWN_ROWS = 500
OVERDUE_STYLE = "background-color: rgba(192, 57, 43, 0.14)"
#: Answer columns the queue shows when the source has them (a caption names the missing ones).
OPTIONAL = ("reason", "comment", "callback_requested", "ticket_id")
_SAVED, _FAILED = "follow_up.saved", "follow_up.save_failed"


def _note_key(response_id: str) -> str:
    return f"follow_up.note.{response_id}"


def _save(store: FollowupStore, response_id: str, seen_event_id: int | None) -> None:
    """Save the mark; on success clear the note, on failure keep it and say why."""
    note_key = _note_key(response_id)
    try:
        saved = store.mark(
            response_id,
            st.session_state["follow_up.new_status"],
            editor=current_editor(),
            note=st.session_state.get(note_key, ""),
            seen_event_id=seen_event_id,
        )
    except (DataSourceError, ValueError) as exc:
        st.session_state[_FAILED] = f"The mark was not saved: {exc}. Your note is kept below."
        return
    st.session_state[note_key] = ""
    st.session_state[_SAVED] = (response_id, saved.meanwhile)


def _simulate_demo_history(store: FollowupStore, surveys: pd.DataFrame, now: pd.Timestamp) -> None:
    try:
        store.add_history(demo_history(surveys, now))
    except DataSourceError as exc:
        st.session_state[_FAILED] = f"The demo history was not saved: {exc}."


def _with_display_units(frame: pd.DataFrame) -> pd.DataFrame:
    """Hours since the answer and minutes to contact, for reading (the CSV keeps seconds)."""
    return frame.assign(
        age_hours=frame["age_seconds"] / 3600, contact_minutes=frame["contact_seconds"] / 60
    )


def _mark_form(store: FollowupStore, case: pd.Series, events: pd.DataFrame) -> None:
    response_id = case["response_id"]
    past = followup.history(events, response_id)
    seen = int(past["event_id"].iloc[-1]) if len(past) else None
    facts = [
        f"**{response_id}** · {TYPE_LABELS[case['survey_type']]}: score {case['score']:.0f}",
        f"answered {case['responded_at']:%d %b %Y %H:%M} UTC",
        f"{case['age_seconds'] / 3600:,.1f} h ago",
    ]
    if pd.notna(case.get("callback_requested")) and bool(case["callback_requested"]):
        facts.append(":orange[callback requested]")
    if case["overdue"]:
        facts.append(":red[overdue]")
    st.markdown(" · ".join(facts))
    details = {
        "Reason": case.get("reason"),
        "Comment": case.get("comment"),
        "Customer": case.get("customer_id"),
        "Ticket": " · ".join(
            str(case[c])
            for c in ("ticket_id", "subject", "department", "agent")
            if pd.notna(case.get(c))
        ),
    }
    for label, value in details.items():
        if pd.notna(value) and value != "":
            st.markdown(f"**{label}:** {value}")
    if len(past):
        st.dataframe(past, hide_index=True, key="follow_up.history")
    with st.form("follow_up.mark_form", border=True):
        st.radio(
            "New status",
            followup.STATUSES,
            index=followup.STATUSES.index(followup.CONTACTED),
            key="follow_up.new_status",
            horizontal=True,
        )
        st.text_area("Note", key=_note_key(response_id), max_chars=NOTE_LENGTH)
        st.form_submit_button(
            "Save the mark",
            type="primary",
            key="follow_up.save",
            on_click=_save,
            args=(store, response_id, seen),
        )


def _saved_messages() -> None:
    """What the last save did (set by its callback), shown once."""
    if _FAILED in st.session_state:
        st.error(st.session_state.pop(_FAILED))
    if _SAVED in st.session_state:
        response_id, meanwhile = st.session_state.pop(_SAVED)
        st.success(f"Saved the mark on {response_id}.")
        for _, event in meanwhile.iterrows():
            st.warning(
                f"While you were editing, {event['editor']} marked {response_id} "
                f"“{event['status']}” at {event['handled_at']:%H:%M:%S} UTC. Both marks are kept "
                "in the history; yours is the latest."
            )


view = context.require_view()
loaded = context.get().loaded
editor_input()
target = data.settings()["followup_target_minutes"]
now = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")

st.title("Follow-up")
try:
    store = FollowupStore(data.workspace())
    events = followup.events_for(store.events(), loaded.dataset.surveys["response_id"])
except DataSourceError as exc:
    st.error(f"The follow-up marks cannot be read from the workspace: {exc}")
    st.stop()

answers = in_period(view.surveys, "responded_at", view.start, view.end)
try:
    cases = followup.followup_cases(answers, view.tickets, events, as_of=now, target_minutes=target)
except ValueError as exc:
    st.error(f"The follow-up queue cannot be built: {exc}")
    st.stop()
since = cases.attrs["tracking_since"]
st.caption(
    f"Low scores (CSAT 1–2, NPS 0–6) given {view.start:%d %b %Y} – {view.end:%d %b %Y}. "
    f"Target: contact within {target:g} minutes of the answer. Time since the answer is measured "
    f"against now, {now:%d %b %Y %H:%M} UTC (the server's clock), not against the data's last "
    "record. Contact is known only from marks saved on this page."
)
missing = loaded.dataset.missing([("surveys", c) for c in OPTIONAL])
if missing:
    st.caption(f"The source has no {', '.join(missing)}: those columns are left out.")

# ---------------------------------------------------------------------------------- queue
st.subheader("Queue")
left, middle, right = st.columns(3)
statuses = left.multiselect(
    "Status",
    followup.STATUSES,
    default=[followup.NEW, followup.NOT_REACHED],
    key="follow_up.status",
    placeholder="All",
)
survey_types = middle.multiselect(
    "Survey",
    list(TYPE_LABELS),
    format_func=TYPE_LABELS.get,
    key="follow_up.survey_type",
    placeholder="All",
)
departments = right.multiselect(
    "Department", options(cases, "department"), key="follow_up.department", placeholder="All"
)
shown = followup.queue(cases, statuses=statuses, departments=departments, survey_types=survey_types)
open_cases = cases.loc[~cases["status"].isin(followup.CONTACT_STATUSES)]
st.caption(
    f"{len(shown):,} of {len(cases):,} low scores shown; open: {len(open_cases):,}, of them "
    f"{int(open_cases['overdue'].sum()):,} :red[overdue] (shaded). Open answers come first, "
    "newest first."
)
listed = shown.head(SHOWN_ROWS)
if len(shown) > SHOWN_ROWS:
    st.caption(
        f"Showing the first {SHOWN_ROWS:,}: narrow the filters to reach the others; the download "
        "holds all of them."
    )
table = _with_display_units(listed)
columns = [
    c
    for c in (
        "response_id",
        "responded_at",
        "age_hours",
        "overdue",
        "status",
        "survey_type",
        "score",
        "reason",
        "callback_requested",
        "comment",
        "customer_id",
        "ticket_id",
        "department",
        "agent",
        "subject",
        "status_by",
        "status_at",
        "contact_minutes",
        "note",
    )
    if c in table.columns
]
styled = table[columns].style.apply(
    lambda frame: pd.DataFrame(
        {c: frame["overdue"].map({True: OVERDUE_STYLE, False: ""}) for c in frame.columns}
    ),
    axis=None,
)
st.dataframe(
    styled,
    hide_index=True,
    key="follow_up.queue",
    column_config={
        "responded_at": st.column_config.DatetimeColumn("answered (UTC)", format="DD MMM HH:mm"),
        "age_hours": st.column_config.NumberColumn("hours since answer", format="%.1f"),
        "contact_minutes": st.column_config.NumberColumn("contacted after (min)", format="%.0f"),
        "status_at": st.column_config.DatetimeColumn("status saved (UTC)", format="DD MMM HH:mm"),
        "callback_requested": st.column_config.CheckboxColumn("callback"),
        "score": st.column_config.NumberColumn("score", format="%d"),
    },
)
download_rows(shown, name="followup_queue", key="follow_up.queue_rows")
_saved_messages()

if shown.empty:
    st.caption("Nothing to mark with these filters.")
else:
    text = (
        listed["response_id"]
        + " · "
        + listed["survey_type"].map(TYPE_LABELS)
        + " · "
        + listed["status"]
        + np.where(listed["overdue"], " · overdue", "")
    )
    labels = dict(zip(listed["response_id"], text, strict=True))
    picked = st.selectbox(
        "Answer to mark", list(labels), format_func=labels.get, key="follow_up.answer"
    )
    _mark_form(store, listed.loc[listed["response_id"] == picked].iloc[0], events)

# ----------------------------------------------------------------------------- compliance
st.subheader("Follow-up compliance")
if pd.isna(since):
    st.info(
        "No follow-up mark has been saved in this workspace yet: compliance is measured from "
        "the first mark on (earlier answers could not be marked here)."
    )
    if context.get().spec.kind == "demo":
        st.button(
            "Simulate a follow-up history for the demo",
            key="follow_up.simulate",
            on_click=_simulate_demo_history,
            args=(store, loaded.surveys, now),
            help="Saves marks by “demo (simulated)” on the demo's low scores, so that this "
            "section has something to show. They are not real follow-ups.",
        )
else:
    st.caption(
        f"Tracking since {since:%d %b %Y %H:%M} UTC (the first mark minus the target): earlier "
        "answers are not judged. Late = contacted after the target, or not contacted and older "
        "than it; answers younger than the target and not yet contacted are not known yet and "
        "are left out."
        + (
            f" Marks by “{DEMO_EDITOR}” are simulated for the demo, not real follow-ups."
            if (events["editor"] == DEMO_EDITOR).any()
            else ""
        )
    )
tiles = st.columns(3)
with tiles[0]:
    kpi_tile(
        KpiComparison("followup_within_target", followup.compliance(cases), None, None),
        period_label="",
    )
with tiles[1]:
    to_contact = followup.contact_time(cases)
    kpi_tile(
        KpiComparison("time_to_contact", to_contact.median_estimate(), None, None),
        period_label="",
    )
    if to_contact.n:
        st.caption(
            f"In minutes: {to_contact.median / 60:,.0f} (95% CI "
            f"{to_contact.median_ci_low / 60:,.0f} – {to_contact.median_ci_high / 60:,.0f}); "
            "never-contacted answers are not in it."
        )
with tiles[2], st.container(border=True, key="follow_up.open_tile"):
    st.metric("Open and overdue", f"{int(open_cases['overdue'].sum()):,}")
    st.caption(
        f"of {len(open_cases):,} open low scores; "
        f"{int((cases['outcome'] == followup.NOT_DUE).sum()):,} still within the target"
    )

by_department, over_time = st.container(), st.container()
picked_rows = None
with by_department:
    st.markdown("**By department**")
    if "department" not in cases or not cases["department"].notna().any():
        unavailable_tile("followup_within_target", ["tickets.department"])
    else:
        per_department = followup.compliance_table(cases, "department")
        picked_rows = st.dataframe(
            per_department.assign(
                median_minutes=per_department["median_seconds"] / 60,
                median_ci_low=per_department["median_ci_low"] / 60,
                median_ci_high=per_department["median_ci_high"] / 60,
            ).drop(columns="median_seconds"),
            hide_index=True,
            key="follow_up.by_department",
            on_select="rerun",
            selection_mode="single-row",
            column_config={
                "value": st.column_config.NumberColumn("within target %", format="%.1f"),
                "ci_low": st.column_config.NumberColumn("95% CI low", format="%.1f"),
                "ci_high": st.column_config.NumberColumn("95% CI high", format="%.1f"),
                "median_minutes": st.column_config.NumberColumn("median min", format="%.0f"),
                "median_ci_low": st.column_config.NumberColumn("median CI low", format="%.0f"),
                "median_ci_high": st.column_config.NumberColumn("median CI high", format="%.0f"),
            },
        )
        download_rows(per_department, name="followup_by_department", key="follow_up.dept_rows")
        st.caption("Select a row to see the answers behind it.")
with over_time:
    freq = FREQUENCIES[
        st.segmented_control(
            "Over time by", list(FREQUENCIES), default="Week", key="follow_up.freq", required=True
        )
    ]
    trend = followup.compliance_over_time(cases, freq)
    picked_point = None
    if trend["n"].sum():
        picked_point = st.plotly_chart(
            trend_with_band(trend, title="Contacted within target", y_title="% within target"),
            key="follow_up.trend",
            on_select="rerun",
            selection_mode="points",
        )
        download_rows(trend, name="followup_over_time", key="follow_up.trend_rows")
    else:
        st.caption("No low score has been judged yet in this period.")
clicked_department = (
    per_department.iloc[picked_rows["selection"]["rows"][0]]["group"]
    if picked_rows is not None and picked_rows["selection"]["rows"]
    else None
)
clicked_points = [
    p
    for p in (picked_point["selection"]["points"] if picked_point is not None else [])
    if p.get("curve_number") == 1
]
if clicked_department is not None:
    behind = followup.cases_behind(cases, by="department", group=clicked_department)
    rows_behind(
        f"The {len(behind):,} low scores behind {clicked_department}",
        behind,
        key="follow_up.department_behind",
        name=f"followup_{clicked_department}",
    )
if clicked_points:
    start = pd.Timestamp(clicked_points[0]["x"])
    behind = followup.cases_behind(cases, period=start, freq=freq)
    rows_behind(
        f"The {len(behind):,} low scores behind the period from {start:%d %b %Y}",
        behind,
        key="follow_up.period_behind",
        name=f"followup_{start:%Y-%m-%d}",
    )

# --------------------------------------------------------------------------- best answers
st.subheader("Best answers on hard tickets")
st.caption(
    "Top scores (CSAT 5, NPS 9–10) about hard tickets — complaints, transferred, reopened, or "
    f"resolved in the slowest {100 - 100 * followup.LONG_QUANTILE:.0f}% — for the weekly "
    "review of what made the answer good. Association, not proof: a good score may owe more "
    "to the customer than to the handling."
)
left, right = st.columns(2)
best_departments = right.multiselect(
    "Department",
    options(answers, "department"),
    key="follow_up.best_department",
    placeholder="All",
)
try:
    best = followup.best_answers(answers, view.tickets, departments=best_departments)
except ValueError as exc:
    st.info(f"Not available: {exc}.")
else:
    weeks = list(dict.fromkeys(best["week"]))
    week = left.selectbox(
        "Week",
        [None, *weeks],
        format_func=lambda w: "All weeks" if w is None else f"Week of {w:%d %b %Y}",
        index=1 if weeks else 0,
        key="follow_up.best_week",
    )
    chosen = best if week is None else best.loc[best["week"] == week]
    threshold = best.attrs["long_seconds"]
    notes = [f"{len(chosen):,} answers."]
    if pd.notna(threshold):
        notes.append(f"Long resolution: {threshold / 3600:,.1f} h or more.")
    if best.attrs["unavailable"]:
        notes.append("Not judged (column missing): " + ", ".join(best.attrs["unavailable"]) + ".")
    st.caption(" ".join(notes))
    st.dataframe(
        chosen,
        hide_index=True,
        key="follow_up.best",
        column_config={
            "week": st.column_config.DateColumn("week of", format="DD MMM YYYY"),
            "resolution_hours": st.column_config.NumberColumn("resolution h", format="%.1f"),
            "score": st.column_config.NumberColumn("score", format="%d"),
        },
    )
    download_rows(chosen, name="best_answers", key="follow_up.best_rows")
