"""Service quality: speed against the standards, resolution, transfers, reopens, backlog, QA."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analysis import service
from analysis.calendar import BusinessCalendar
from analysis.definitions import METRICS
from analysis.kpis import KpiComparison
from analysis.results import Estimate
from dashboard import context, data
from dashboard.charts import LINE_COLOR
from dashboard.filters import coverage
from dashboard.widgets import download_rows, kpi_tile, rows_behind, unavailable_tile

BASES = {
    "Created in the period (cohort)": "created",
    "Resolved in the period (throughput)": "resolved",
}
GROUPINGS = {"Channel": "channel", "Department": "department", "Team": "team"}
#: Time-table columns shown in minutes (the table holds seconds).
MINUTE_COLUMNS = {
    "value": "median",
    "ci_low": "median CI low",
    "ci_high": "median CI high",
    "p90": "p90",
    "p90_ci_low": "p90 CI low",
    "p90_ci_high": "p90 CI high",
    "mean": "mean",
}

view = context.require_view()
loaded = context.get().loaded
dataset = loaded.dataset
settings = data.settings()
standards = service.ServiceStandards.from_mapping(settings["standards"])
calendar = (
    BusinessCalendar.from_mapping(settings["business_hours"])
    if settings["business_hours"]
    else None
)
min_n = int(settings["min_group_size"])
# The data's own "now": open tickets are judged against it, not against the period's end.
as_of = pd.Timestamp(coverage(loaded)[1]) + pd.Timedelta(days=1)

st.title("Service quality")
left, right = st.columns(2)
basis = BASES[left.radio("Count tickets", list(BASES), key="service.basis", horizontal=True)]
by = GROUPINGS[right.radio("Break down by", list(GROUPINGS), key="service.by", horizontal=True)]
st.caption(
    f"{view.start:%d %b %Y} – {view.end:%d %b %Y}. Times are "
    + ("business hours (loyalty_lens.toml)." if calendar else "calendar time.")
    + " Medians and 90th percentiles lead; means only beside them. Tickets with a first reply "
    "or resolution stamped before their creation are left out and counted."
)
period = (view.start, view.end)
tickets = service.select_basis(view.tickets, basis, period)


def rate_tile(key: str, estimate: Estimate) -> None:
    """The metric's tile (value, interval, n, definition), or the columns it would need."""
    missing = dataset.missing(METRICS[key].requires)
    if missing:
        unavailable_tile(key, missing)
    else:
        kpi_tile(KpiComparison(key, estimate, None, None), period_label="")


voice_chat = standards.voice_chat_channels
immediate = service.immediate_response_rate(
    tickets, within_seconds=standards.immediate_response_seconds, as_of=as_of, calendar=calendar
)
for column, (key, estimate) in zip(
    st.columns(5),
    [
        ("fcr", service.fcr_rate(tickets)),
        ("reopen_rate", service.reopen_rate(tickets)),
        ("transfer_rate", service.transfer_rate(tickets)),
        ("abandon_rate", service.abandon_rate(tickets, channels=voice_chat)),
        ("immediate_response", immediate),
    ],
    strict=True,
):
    with column:
        rate_tile(key, estimate)

st.subheader("Speed against the standards")
if dataset.has("tickets", "first_response_at") and dataset.has("tickets", "channel"):
    sla = service.sla_compliance(
        view.tickets, standards, basis=basis, period=period, as_of=as_of, calendar=calendar
    )
    st.dataframe(
        sla,
        hide_index=True,
        key="service.sla",
        column_config={
            "value": st.column_config.NumberColumn("answered in time %", format="%.1f"),
            "ci_low": st.column_config.NumberColumn("95% CI low", format="%.1f"),
            "ci_high": st.column_config.NumberColumn("95% CI high", format="%.1f"),
            "target": st.column_config.NumberColumn("target %", format="%.0f"),
        },
    )
    st.caption(
        "A verdict of “cannot tell” means the interval straddles the target. Open tickets "
        "younger than a threshold are not yet due and are left out; older ones count as late."
    )
    download_rows(sla, name="sla_compliance", key="service.sla_rows")
else:
    st.caption("Needs tickets.first_response_at and tickets.channel.")

st.subheader("First response, resolution, wait and handle times")
if by not in view.tickets or not view.tickets[by].notna().any():
    st.caption(f"Needs tickets.{by}.")
else:
    for measure, column, title in (
        ("response", "first_response_at", "First response"),
        ("resolution", "resolved_at", "Resolution"),
        ("wait", "wait_seconds", "Wait"),
        ("handle", "handle_seconds", "Handle"),
    ):
        if not dataset.has("tickets", column):
            st.caption(f"{title}: needs tickets.{column}.")
            continue
        table = service.time_table(tickets, by, measure, calendar=calendar, min_n=min_n)
        st.markdown(f"**{title} time by {by}** (minutes)")
        picked = st.dataframe(
            table.assign(**{c: table[c] / 60 for c in MINUTE_COLUMNS}),
            hide_index=True,
            key=f"service.time_{measure}",
            on_select="rerun",
            selection_mode="single-row",
            column_config={
                name: st.column_config.NumberColumn(label, format="%.1f")
                for name, label in MINUTE_COLUMNS.items()
            }
            | {"n": st.column_config.NumberColumn("n", format="localized")},
        )
        download_rows(  # in seconds, as computed
            table, name=f"{measure}_seconds_by_{by}", key=f"service.time_{measure}_rows"
        )
        if picked["selection"]["rows"]:
            group = table.iloc[picked["selection"]["rows"][0]]["group"]
            behind = service.tickets_behind(tickets.loc[tickets[by] == group], measure, calendar)
            rows_behind(
                f"The {len(behind):,} contacts behind {by} “{group}”",
                behind,
                key=f"service.time_{measure}_drill",
                name=f"{measure}_{by}_{group}",
            )
    if basis == "created" and dataset.has("tickets", "resolved_at"):
        survival = service.resolution_survival(
            tickets, by, as_of=as_of, calendar=calendar, min_n=min_n
        )
        st.markdown(f"**Resolution time by {by}, counting the tickets still open** (minutes)")
        timed = ["median", "ci_low", "ci_high", "resolved_median"]
        st.dataframe(
            survival.assign(**{c: survival[c] / 60 for c in timed}),
            hide_index=True,
            key="service.resolution_survival",
            column_config={
                "median": st.column_config.NumberColumn("Median (KM)", format="%.1f"),
                "ci_low": st.column_config.NumberColumn("95% CI low", format="%.1f"),
                "ci_high": st.column_config.NumberColumn("95% CI high", format="%.1f"),
                "resolved_median": st.column_config.NumberColumn(
                    "Median of resolved only", format="%.1f"
                ),
            },
        )
        st.caption(
            "In a cohort, the slowest tickets are the ones still open, so the median of resolved "
            "tickets alone is too low. Here an open ticket counts as taking at least its age so "
            "far (right-censored) and the median is read from the Kaplan–Meier curve of time to "
            "resolution; blank while fewer than half are resolved. Contacts closed without a "
            "resolution and clock errors are left out (“excluded”)."
        )
        download_rows(
            survival, name=f"resolution_survival_seconds_by_{by}", key="service.survival_rows"
        )
    for measure, title in (("response", "First-response"), ("resolution", "Resolution")):
        seconds, _ = service.durations(tickets, measure, calendar=calendar)
        timed_rows = tickets.assign(minutes=seconds.to_numpy() / 60).dropna(subset=["minutes"])
        if timed_rows.empty:
            continue
        figure = px.box(timed_rows, x="minutes", y=by, log_x=True, points=False)
        figure.update_layout(
            title=f"{title} times (minutes, log scale)", height=300, margin={"t": 40}
        )
        st.plotly_chart(figure, key=f"service.{measure}_spread")

st.subheader("Received vs resolved")
flow = service.backlog(view.tickets, "W", as_of=as_of)
figure = go.Figure(
    [
        go.Bar(x=flow["period"], y=flow["received"], name="received", marker_color="#9fb3c8"),
        go.Bar(x=flow["period"], y=flow["resolved"], name="resolved", marker_color=LINE_COLOR),
        go.Scatter(
            x=flow["period"],
            y=flow["open_at_end"],
            name="open at week end",
            mode="lines",
            line={"color": "#c0392b"},
        ),
    ]
)
figure.update_layout(barmode="group", height=300, margin={"t": 10})
figure.add_vrect(x0=view.start, x1=view.end, fillcolor="grey", opacity=0.08, line_width=0)
picked_week = st.plotly_chart(
    figure, key="service.backlog", on_select="rerun", selection_mode="points"
)
if picked_week["selection"]["points"]:
    week = pd.Timestamp(picked_week["selection"]["points"][0]["x"])
    created = view.tickets["created_at"]
    in_week = view.tickets.loc[(created >= week) & (created < week + pd.Timedelta(days=7))]
    behind = service.tickets_behind(in_week, "resolution", calendar)
    rows_behind(
        f"The {len(behind):,} contacts received in the week of {week:%d %b %Y}",
        behind,
        key="service.backlog_drill",
        name=f"contacts_week_{week:%Y-%m-%d}",
    )
st.caption(
    f"{flow.attrs['ended_unresolved']:,} contacts ended without a resolution time (abandoned or "
    "closed unsolved): they are not counted as open."
)
download_rows(flow, name="backlog_weekly", key="service.backlog_rows")

st.subheader("Quality reviews")
if dataset.has("qa_reviews", "score"):
    reviewed = dataset.qa_reviews.loc[dataset.qa_reviews["ticket_id"].isin(tickets["ticket_id"])]
    qa = service.qa_scores(reviewed, min_n=min_n)
    st.dataframe(qa, hide_index=True, key="service.qa")
    download_rows(qa, name="qa_scores", key="service.qa_rows")
else:
    st.caption("Needs qa_reviews (ticket_id, criterion, score).")

st.subheader("Teams")
team_by = st.segmented_control(
    "Rows",
    ["team", "department", "agent"],
    default="team",
    key="service.team_by",
    required=True,
    help="The agent table is for department heads; the committee views stay at team level.",
)
if team_by in view.tickets and view.tickets[team_by].notna().any():
    surveys = view.surveys if dataset.has("surveys", "ticket_id") else None
    teams = service.team_table(
        tickets,
        surveys,
        by=team_by,
        standards=standards,
        as_of=as_of,
        calendar=calendar,
        min_n=min_n,
    )
    st.dataframe(teams, hide_index=True, key="service.teams")
    st.caption(f"Rows with fewer than {min_n} contacts are flagged too small to compare.")
    download_rows(teams, name=f"service_by_{team_by}", key="service.team_rows")
else:
    st.caption(f"Needs tickets.{team_by}.")
