"""Complaint themes: what customers complain about in their own words, what grows, what recurs."""

import pandas as pd
import plotly.express as px
import streamlit as st

from analysis.definitions import METRICS, explain
from analysis.kpis import in_period
from analysis.theme_views import (
    EMERGING_METHOD,
    emerging_themes,
    period_recurrences,
    recurrence_rate,
    recurrence_table,
    theme_breakdown,
    theme_loyalty,
    theme_verbatims,
    theme_volumes,
)
from analysis.themes import NO_THEME
from dashboard import context, data, theme_data
from dashboard.charts import estimates_chart
from dashboard.errors import show_error
from dashboard.filters import coverage
from dashboard.widgets import download_rows, format_value, rows_behind
from data_connectors.errors import LoyaltyLensError

FREQUENCIES = {"Week": "W", "Month": "MS", "Quarter": "QS"}
BASELINES = {"Previous 12 months": 365, "Previous period of equal length": None}
BREAKDOWNS = {"Department": "department", "Channel": "channel", "Helpdesk category": "category"}
VERBATIM_COLUMNS = (
    "ticket_id",
    "created_at",
    "department",
    "channel",
    "category",
    "is_complaint",
    "subject",
    "text",
)
COMMENT_COLUMNS = ("response_id", "responded_at", "survey_type", "score", "department", "comment")
METRIC_NAMES = {"nps": "NPS", "csat": "CSAT %", "csi": "CSI"}


def _clicked_theme(selection: object, curve: int | None = None) -> int | None:
    """Theme id (the point's first custom datum) of the first clicked point, if any.

    Plotly sends custom data as a list, or as a dict keyed by position; ``curve`` limits the
    click to one trace.
    """
    points = [
        point
        for point in (selection.selection.points if selection else [])
        if point.get("customdata") is not None
        and (curve is None or point.get("curve_number") == curve)
    ]
    if not points:
        return None
    data = points[0]["customdata"]
    values = list(data.values()) if isinstance(data, dict) else data
    return int(values[0] if isinstance(values, list) else values)


view = context.require_view()
loaded = context.get().loaded
st.title("Complaint themes")

try:
    learned = theme_data.learned_themes(loaded)
    themes = theme_data.edited(learned)
except LoyaltyLensError as exc:
    show_error(exc)
    st.stop()
labelled = theme_data.labelled(learned.tickets, learned, themes)
if learned.note:
    st.info(learned.note)
if labelled.empty:
    st.stop()

has_flag = loaded.dataset.has("tickets", "is_complaint")
left, right = st.columns([1, 1])
scope = left.segmented_control(
    "Contacts",
    ["Complaints", "All contacts"] if has_flag else ["All contacts"],
    default="Complaints" if has_flag else "All contacts",
    key="themes.scope",
    required=True,
    help="Themes are learnt from every contact's words; this chooses which contacts are counted.",
)
baseline_choice = right.segmented_control(
    "Baseline for emerging themes",
    list(BASELINES),
    default="Previous 12 months",
    key="themes.baseline",
    required=True,
)
if not has_flag:
    st.caption("The data has no tickets.is_complaint column: every contact is counted.")

items = view.tickets.merge(labelled, on="ticket_id", how="inner")
if scope == "Complaints":
    items = items.loc[items["is_complaint"].fillna(False).astype(bool).to_numpy()]
in_range = in_period(items, "created_at", view.start, view.end)
model = learned.model
st.caption(
    f"{len(themes)} themes, found by {model.method}, in {len(model.assignments):,} texts "
    "(ticket subjects and texts, survey comments). "
    f"{int((labelled['theme_id'] == NO_THEME).sum()):,} contacts had no word to theme. "
    f"Showing {len(in_range):,} {scope.lower()} from {view.start:%d %b %Y} to {view.end:%d %b %Y}."
)

# ------------------------------------------------------------------ theme table and emerging
period_days = (pd.Timestamp(view.end) - pd.Timestamp(view.start)).days + 1
baseline_days = BASELINES[baseline_choice] or period_days
baseline_end = pd.Timestamp(view.start) - pd.Timedelta(days=1)
first_day = pd.Timestamp(coverage(loaded)[0])
baseline = (max(baseline_end - pd.Timedelta(days=baseline_days - 1), first_day), baseline_end)
emerging = emerging_themes(items, (view.start, view.end), baseline)

st.subheader("Themes in the period")
# A merged group is described by the theme it was merged into (its own terms and phrases).
heads = themes["theme_id"] == themes["merged_into"]
summary = themes.loc[heads, ["theme_id", "top_terms", "phrases"]]
table = emerging.merge(summary, on="theme_id", how="left") if not emerging.empty else emerging
if table.empty:
    st.info(
        f"No {scope.lower()} with a theme in the period or in the baseline "
        f"({baseline[0]:%d %b %Y} – {baseline[1]:%d %b %Y}): nothing to compare."
    )
else:
    st.dataframe(
        table,
        hide_index=True,
        key="themes.table",
        column_order=[
            "theme",
            "emerging",
            "count",
            "share",
            "share_low",
            "share_high",
            "baseline_count",
            "baseline_share",
            "change",
            "change_low",
            "change_high",
            "p_value",
            "q_value",
            "total",
            "baseline_total",
            "top_terms",
            "phrases",
            "theme_id",
        ],
        column_config={
            "share": st.column_config.NumberColumn("share %", format="%.1f"),
            "share_low": st.column_config.NumberColumn("share low", format="%.1f"),
            "share_high": st.column_config.NumberColumn("share high", format="%.1f"),
            "baseline_share": st.column_config.NumberColumn("baseline %", format="%.1f"),
            "change": st.column_config.NumberColumn("change pp", format="%+.1f"),
            "change_low": st.column_config.NumberColumn("low", format="%+.1f"),
            "change_high": st.column_config.NumberColumn("high", format="%+.1f"),
            "p_value": st.column_config.NumberColumn("p", format="%.4f"),
            "q_value": st.column_config.NumberColumn("q (BH)", format="%.4f"),
        },
    )
    download_rows(table, name="complaint_themes", key="themes.table_rows")
    st.caption(
        f"Share = the theme's part of the {table['total'].iloc[0]:,} themed {scope.lower()} in "
        f"the period, against {table['baseline_total'].iloc[0]:,} in the baseline "
        f"{baseline[0]:%d %b %Y} – {baseline[1]:%d %b %Y}. **Emerging** = share grew beyond "
        f"chance: {EMERGING_METHOD}; Benjamini–Hochberg false-discovery control across the "
        f"{emerging.attrs['family_size']} themes, q < 0.05. Others are within noise."
    )
    picked_change = st.plotly_chart(
        estimates_chart(
            table,
            value="change",
            label="theme",
            low="change_low",
            high="change_high",
            axis_title="change in share, percentage points (95% CI)",
            color=table["emerging"].map({True: "emerging", False: "within noise"}),
            color_discrete_map={"emerging": "#c0392b", "within noise": "#7f8c8d"},
            custom_data=["theme_id"],
        )
        .add_vline(x=0, line_dash="dot")
        .update_layout(legend_title_text=""),
        key="themes.emerging",
        on_select="rerun",
        selection_mode="points",
    )
    clicked_theme = _clicked_theme(picked_change)
    if clicked_theme is not None:
        chosen = in_range.loc[in_range["theme_id"] == clicked_theme]
        rows_behind(
            f"The {len(chosen):,} contacts on “{chosen['theme'].iloc[0]}” in the period"
            if len(chosen)
            else "No contacts on this theme in the period",
            theme_verbatims(chosen, clicked_theme, VERBATIM_COLUMNS),
            key="themes.emerging_drill",
            name=f"theme_{clicked_theme}_period",
        )

# ------------------------------------------------------------------ volumes over time
st.subheader("Volumes and shares over time")
show_column, freq_column = st.columns([1, 1])
measure = show_column.segmented_control(
    "Show", ["Share %", "Contacts"], default="Share %", key="themes.measure", required=True
)
freq = FREQUENCIES[
    freq_column.segmented_control(
        "Trend by", list(FREQUENCIES), default="Month", key="themes.freq", required=True
    )
]
volumes = theme_volumes(items, freq)
picked_trend = st.plotly_chart(
    px.line(
        volumes,
        x="period",
        y="share" if measure == "Share %" else "count",
        color="theme",
        markers=True,
        custom_data=["theme_id"],
        hover_data=["count", "total", "ci_low", "ci_high"],
    )
    .add_vrect(x0=view.start, x1=view.end, fillcolor="grey", opacity=0.08, line_width=0)
    .update_layout(
        height=380,
        margin={"t": 10},
        yaxis_title="% of themed contacts" if measure == "Share %" else "contacts",
        legend_title=None,
    ),
    key="themes.trend",
    on_select="rerun",
    selection_mode="points",
)
download_rows(volumes, name="theme_volumes", key="themes.trend_rows")
st.caption("Click a point for the contacts behind it. Shares carry Wilson 95% intervals (rows).")
trend_theme = _clicked_theme(picked_trend)
if trend_theme is not None:
    start = pd.Timestamp(picked_trend.selection.points[0]["x"]).normalize()
    end = start + pd.tseries.frequencies.to_offset(freq) - pd.Timedelta(days=1)
    theme_id = trend_theme
    chosen = in_period(items.loc[items["theme_id"] == theme_id], "created_at", start, end)
    rows_behind(
        f"The {len(chosen):,} contacts behind {start:%d %b %Y} – {end:%d %b %Y}",
        theme_verbatims(chosen, theme_id, VERBATIM_COLUMNS),
        key="themes.trend_drill",
        name=f"theme_{theme_id}_{start:%Y-%m-%d}",
    )

# ------------------------------------------------------------------ by department and channel
st.subheader("By department, channel and helpdesk category")
available = {k: v for k, v in BREAKDOWNS.items() if loaded.dataset.has("tickets", v)}
if not available:
    st.info("The data has no tickets.department, tickets.channel or tickets.category column.")
else:
    by_label = st.segmented_control(
        "Break down by",
        list(available),
        default=list(available)[0],
        key="themes.by",
        required=True,
    )
    breakdown = theme_breakdown(in_range, available[by_label])
    if breakdown.empty:
        st.info("No themed contacts in the period.")
    else:
        grid = breakdown.pivot(index="theme", columns="group", values="share").fillna(0)
        st.plotly_chart(
            px.imshow(
                grid,
                text_auto=".0f",
                aspect="auto",
                color_continuous_scale="Reds",
                labels={"color": "% of group", "x": by_label, "y": "theme"},
            ).update_layout(height=max(300, 34 * len(grid)), margin={"t": 10}),
            key="themes.grid",
        )
        st.caption(
            f"Each column sums to 100%: the themes of that {by_label.lower()}'s themed contacts. "
            + (
                "Beside the learnt themes, this shows how they cut across the helpdesk's own "
                "categories. "
                if by_label == "Helpdesk category"
                else ""
            )
            + "Select a row below for the contacts behind it."
        )
        picked_row = st.dataframe(
            breakdown,
            hide_index=True,
            key="themes.grid_table",
            on_select="rerun",
            selection_mode="single-row",
            column_config={
                "share": st.column_config.NumberColumn("share %", format="%.1f"),
                "ci_low": st.column_config.NumberColumn(format="%.1f"),
                "ci_high": st.column_config.NumberColumn(format="%.1f"),
            },
        )
        download_rows(breakdown, name=f"themes_by_{available[by_label]}", key="themes.grid_rows")
        for row in picked_row.selection.rows[:1]:
            cell = breakdown.iloc[row]
            chosen = in_range.loc[
                (in_range["theme_id"] == cell["theme_id"])
                & (in_range[available[by_label]] == cell["group"])
            ]
            rows_behind(
                f"The {len(chosen):,} contacts on “{cell['theme']}” in {cell['group']}",
                theme_verbatims(chosen, int(cell["theme_id"]), VERBATIM_COLUMNS),
                key="themes.grid_drill",
                name="theme_group_contacts",
            )

# ------------------------------------------------------------------ recurrence
st.subheader("Do complaints come back?")
window = st.columns([1, 3])[0].number_input(
    "Recurrence window (days)",
    min_value=1,
    max_value=365,
    value=int(data.settings()["recurrence_days"]),
    key="themes.window",
    help="A contact on the same theme by the same customer within this many days counts as a "
    "recurrence (default from the recurrence_days setting).",
)
judged = period_recurrences(items, window, view.start, view.end)
per_theme = recurrence_table(judged)
if per_theme.empty:
    st.info(
        f"No {scope.lower()} in the period whose {window}-day window has ended: recurrence "
        "cannot be judged yet."
    )
else:
    overall = recurrence_rate(judged)
    tile_column, chart_column = st.columns([1, 3])
    with tile_column, st.container(border=True, key="themes.recurrence_tile"):
        st.metric(METRICS["theme_recurrence"].name, format_value(overall.value, "percent"))
        st.caption(
            f"95% CI {format_value(overall.ci_low, 'percent')} – "
            f"{format_value(overall.ci_high, 'percent')} · n = {overall.n:,} complaints"
        )
        with st.popover("Definition", icon=":material/info:", key="themes.recurrence_definition"):
            st.markdown(explain("theme_recurrence", overall))
    per_theme = per_theme.assign(
        label=per_theme["theme"] + " (n = " + per_theme["complaints"].astype(str) + ")"
    )
    chart_column.plotly_chart(
        estimates_chart(
            per_theme,
            value="rate",
            label="label",
            axis_title=f"% followed by another within {window} days (95% CI)",
            hover_data=["complaints", "recurred"],
        ),
        key="themes.recurrence",
    )
    if loaded.dataset.has("tickets", "department"):
        by_department = recurrence_table(judged, "department")
        st.dataframe(
            by_department,
            hide_index=True,
            key="themes.recurrence_departments",
            column_config={
                "rate": st.column_config.NumberColumn("rate %", format="%.1f"),
                "ci_low": st.column_config.NumberColumn(format="%.1f"),
                "ci_high": st.column_config.NumberColumn(format="%.1f"),
            },
        )
        download_rows(by_department, name="theme_recurrence", key="themes.recurrence_rows")
    st.caption(
        f"n = {int(per_theme['complaints'].sum()):,} {scope.lower()} in the period whose whole "
        f"{window}-day window lies within the data (later ones cannot be judged yet and are left "
        "out). Department = the department of the first contact. Wilson 95% intervals."
    )

# ------------------------------------------------------------------ satisfaction and NPS
st.subheader("Satisfaction and NPS of the customers behind each theme")
if loaded.dataset.missing((("surveys", "score"),)) or view.surveys.empty:
    st.info("No survey answers in this data: NPS and CSAT per theme need surveys.score.")
else:
    answers = in_period(view.surveys, "responded_at", view.start, view.end)
    loyalty = theme_loyalty(in_range, answers)
    metric = st.segmented_control(
        "Metric",
        list(METRIC_NAMES),
        default="nps",
        format_func=METRIC_NAMES.get,
        key="themes.metric",
        required=True,
    )
    shown = loyalty.loc[(loyalty["metric"] == metric) & (loyalty["n"] > 0)]
    shown = shown.assign(label=shown["theme"] + " (n = " + shown["n"].astype(str) + ")")
    st.plotly_chart(
        estimates_chart(
            shown,
            value="value",
            label="label",
            axis_title=f"{METRIC_NAMES[metric]} (95% CI)",
            hover_data=["n", "customers"],
        ),
        key="themes.loyalty",
    )
    download_rows(loyalty, name="theme_loyalty", key="themes.loyalty_rows")
    st.caption(
        "Answers in the period: a ticket's survey counts for that ticket's theme; a survey "
        "without a ticket counts for every theme its customer raised. 'All' is every answer in "
        "the period. n = answers. Association, not causation: customers who raise a theme may "
        "differ in other ways."
    )

# ------------------------------------------------------------------ verbatims
st.subheader("Read the customers' words")
labels = themes.drop_duplicates("merged_into").set_index("merged_into")["label"]
theme_choice = st.selectbox(
    "Theme", list(labels.index), format_func=labels.get, key="themes.verbatim_theme"
)
words = theme_verbatims(in_range, theme_choice, VERBATIM_COLUMNS)
rows_behind(
    f"{len(words):,} {scope.lower()} on “{labels[theme_choice]}” in the period "
    "(e-mail addresses, phone and card numbers masked)",
    words,
    key="themes.verbatims",
    name=f"theme_{theme_choice}_verbatims",
)

comments = in_period(view.surveys, "responded_at", view.start, view.end).merge(
    theme_data.labelled(learned.comments, learned, themes), on="response_id"
)
said = theme_verbatims(comments, theme_choice, COMMENT_COLUMNS)
rows_behind(
    f"{len(said):,} survey comments on the same theme in the period (masked)",
    said,
    key="themes.comments",
    name=f"theme_{theme_choice}_comments",
)

# ------------------------------------------------------------------ rename and merge
with st.expander("Rename or merge themes", icon=":material/edit:"):
    st.caption(
        "Names and merges are kept in the workspace database and re-attached to the same theme "
        "after a restart or a data refresh (matched by its top terms)."
    )
    by_id = themes.set_index("theme_id")
    edit_id = st.selectbox(
        "Theme to edit",
        list(by_id.index),
        format_func=lambda i: f"{by_id.at[i, 'label']} ({by_id.at[i, 'top_terms']})",
        key="themes.edit_theme",
    )
    signature = by_id.at[edit_id, "signature"]
    name_column, merge_column, reset_column = st.columns(3)
    new_name = name_column.text_input("New name", key="themes.new_name", max_chars=200)
    if name_column.button("Rename", key="themes.rename", disabled=not new_name.strip()):
        try:
            theme_data.theme_edits().rename(signature, new_name)
        except LoyaltyLensError as exc:
            show_error(exc)
        else:
            st.rerun()
    others = [i for i in by_id.index if i != edit_id]
    into = merge_column.selectbox(
        "Merge into",
        others,
        format_func=lambda i: by_id.at[i, "label"],
        key="themes.merge_into",
    )
    if merge_column.button("Merge", key="themes.merge", disabled=into is None):
        try:
            theme_data.theme_edits().merge(signature, by_id.at[into, "signature"])
        except LoyaltyLensError as exc:
            show_error(exc)
        else:
            st.rerun()
    if reset_column.button("Undo edits of this theme", key="themes.reset"):
        try:
            theme_data.theme_edits().reset(signature)
        except LoyaltyLensError as exc:
            show_error(exc)
        else:
            st.rerun()
    if learned.source == theme_data.SOURCE_CATEGORY:
        st.caption("These themes are the helpdesk's categories.")
