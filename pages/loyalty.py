"""Loyalty: NPS, CSI / CSAT and CES in depth — trends, composition, segments, reasons, verbatims."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analysis.control import complaint_chart
from analysis.definitions import METRICS
from analysis.kpis import SURVEY_METRICS, in_period, overview_kpis, survey_trend
from analysis.loyalty_views import (
    answers_behind,
    callback_requests,
    composition_over_time,
    detractor_chart,
    low_score_mask,
    reasons_over_time,
    score_distribution,
    verbatims,
)
from analysis.segments import per_customer, segment_table
from analysis.service import tickets_behind
from analysis.views import DIMENSIONS
from dashboard import context, data
from dashboard.charts import control_chart, trend_with_band
from dashboard.filters import coverage
from dashboard.widgets import download_rows, kpi_tile, rows_behind, unavailable_tile

FREQUENCIES = {"Week": "W", "Month": "MS", "Quarter": "QS"}
BAND_COLORS = {
    "detractor": "#c0392b",
    "passive": "#b0b7bf",
    "promoter": "#1f8b4c",
    "low": "#c0392b",
    "neutral": "#b0b7bf",
    "high": "#1f8b4c",
}
LABELS = {
    "nps": "NPS",
    "csi": "CSI",
    "csat": "CSAT %",
    "ces": "CES",
    "ces_low_effort": "Low effort",
}
BANDS = {
    "nps": ["detractor", "passive", "promoter"],
    "csat": ["low", "neutral", "high"],
    "ces": ["low", "neutral", "high"],
}


def period_drill(
    picked: object, rows: pd.DataFrame, key: str, period: str, *, curves: set[int] | None = None
) -> None:
    """The answers behind a clicked period of a chart (``period``: its frequency), with a CSV.

    ``curves`` limits which traces count (e.g. the line, not its interval band).
    """
    points = [
        point
        for point in (picked["selection"]["points"] if picked else [])
        if curves is None or point.get("curve_number") in curves
    ]
    if not points:
        return
    start = pd.Timestamp(points[0]["x"]).normalize()
    end = start + pd.tseries.frequencies.to_offset(period) - pd.Timedelta(days=1)
    behind = answers_behind(rows, survey_type, start, end)
    rows_behind(
        f"The {len(behind):,} answers behind {start:%d %b %Y} – {end:%d %b %Y}",
        behind,
        key=key,
        name=f"answers_{start:%Y-%m-%d}",
    )


view = context.require_view()
loaded = context.get().loaded
st.title("Loyalty")

available = [k for k in SURVEY_METRICS if not loaded.dataset.missing(METRICS[k].requires)]
if not available:
    st.info("No survey answers in this data: the loyalty metrics need surveys.score.")
    st.stop()
left, middle, right = st.columns([2, 1, 1])
key = left.segmented_control(
    "Metric",
    available,
    default=available[0],
    format_func=LABELS.get,
    key="loyalty.metric",
    required=True,
)
freq = FREQUENCIES[
    middle.segmented_control(
        "Trend by", list(FREQUENCIES), default="Month", key="loyalty.freq", required=True
    )
]
per_customer_choice = right.toggle(
    "One answer per customer",
    key="loyalty.per_customer",
    help="Off: every answer counts (per response). On: only each customer's last answer of "
    "each survey type counts, so frequent responders do not weigh more.",
)
survey_type = SURVEY_METRICS[key].survey_type
answers = per_customer(view.surveys) if per_customer_choice else view.surveys
in_range = in_period(answers, "responded_at", view.start, view.end)

kpi = overview_kpis(
    data.tables(view), view.start, view.end, (key,), data_start=coverage(loaded)[0]
)[key]
tile, trend = st.columns([1, 3])
with tile:
    kpi_tile(kpi, period_label="the previous period")
    st.caption(
        "Counting " + ("each customer's last answer." if per_customer_choice else "every answer.")
    )
with trend:
    series = survey_trend(answers, key, freq)
    figure = trend_with_band(series, title=f"{METRICS[key].name} over time", y_title=LABELS[key])
    figure.add_vrect(x0=view.start, x1=view.end, fillcolor="grey", opacity=0.08, line_width=0)
    picked = st.plotly_chart(
        figure, key="loyalty.trend", on_select="rerun", selection_mode="points"
    )
    download_rows(series, name=f"{key}_trend", key="loyalty.trend_rows")
period_drill(picked, answers, "loyalty.trend_drill", freq, curves={1})

if survey_type == "nps":
    st.subheader("Promoters, passives and detractors")
    composition = composition_over_time(answers, freq)
    shares = composition.melt(
        id_vars=["period", "n"],
        value_vars=["detractors", "passives", "promoters"],
        var_name="group",
        value_name="share",
    )
    picked_area = st.plotly_chart(
        px.area(
            shares,
            x="period",
            y="share",
            color="group",
            hover_data=["n"],
            color_discrete_map={
                "detractors": "#c0392b",
                "passives": "#b0b7bf",
                "promoters": "#1f8b4c",
            },
        ).update_layout(yaxis_title="% of answers", height=300, margin={"t": 10}),
        key="loyalty.composition",
        on_select="rerun",
        selection_mode="points",
    )
    download_rows(composition, name="nps_composition", key="loyalty.composition_rows")
    period_drill(picked_area, answers, "loyalty.composition_drill", freq)
    st.subheader("Is the share of detractors out of control?")
    chart = detractor_chart(answers, "MS").reset_index()
    picked_month = st.plotly_chart(
        control_chart(chart, value="p", percent=True),
        key="loyalty.control",
        on_select="rerun",
        selection_mode="points",
    )
    period_drill(picked_month, answers, "loyalty.control_drill", "MS", curves={3})
    st.caption(
        f"Laney p′ chart: limits widened by σz = {chart['sigma_z'].iloc[0]:.2f} for the "
        "month-to-month variation a plain p-chart ignores (Laney 2002). Red points are months "
        "outside the limits."
    )
    download_rows(chart, name="detractor_control_chart", key="loyalty.control_rows")

if loaded.dataset.has("tickets", "is_complaint"):
    st.subheader("Are complaints per contact out of control?")
    complaints = complaint_chart(view.tickets, "MS").reset_index()
    picked_complaints = st.plotly_chart(
        control_chart(complaints, value="p", percent=True),
        key="loyalty.complaint_control",
        on_select="rerun",
        selection_mode="points",
    )
    clicked = [p for p in picked_complaints["selection"]["points"] if p.get("curve_number") == 3]
    if clicked:
        month = pd.Timestamp(clicked[0]["x"]).normalize()
        complained = in_period(
            view.tickets.loc[view.tickets["is_complaint"].fillna(False).astype(bool)],
            "created_at",
            month,
            month + pd.offsets.MonthEnd(0),
        )
        behind = tickets_behind(complained, "resolution")
        rows_behind(
            f"The {len(behind):,} complaints received in {month:%B %Y}",
            behind,
            key="loyalty.complaint_drill",
            name=f"complaints_{month:%Y-%m}",
        )
    st.caption(
        f"Laney p′ chart of the share of contacts that are complaints (σz = "
        f"{complaints['sigma_z'].iloc[0]:.2f}); red months are outside the limits."
    )
    download_rows(complaints, name="complaint_control_chart", key="loyalty.complaint_rows")

st.subheader("Score distribution in the period")
distribution = score_distribution(in_range, survey_type)
picked_bar = st.plotly_chart(
    px.bar(
        distribution,
        x="score",
        y="count",
        color="band",
        hover_data=["share"],
        color_discrete_map=BAND_COLORS,
    ).update_layout(height=280, margin={"t": 10}),
    key="loyalty.distribution",
    on_select="rerun",
    selection_mode="points",
)
if picked_bar["selection"]["points"]:
    score = float(picked_bar["selection"]["points"][0]["x"])
    behind = answers_behind(in_range.loc[in_range["score"] == score], survey_type)
    rows_behind(
        f"The {len(behind):,} answers scoring {score:g}",
        behind,
        key="loyalty.distribution_drill",
        name=f"{survey_type}_score_{score:g}_answers",
    )
download_rows(distribution, name=f"{survey_type}_distribution", key="loyalty.distribution_rows")

st.subheader("By group")
dimensions = [d for d in DIMENSIONS if in_range[d].notna().any()]
if dimensions:
    by = st.segmented_control(
        "Compare by", dimensions, default=dimensions[0], key="loyalty.by", required=True
    )
    min_n = int(data.settings()["min_group_size"])
    table = segment_table(in_range, key, by, min_n=min_n)
    picked_rows = st.dataframe(
        table.style.apply(
            lambda row: ["color: #9aa3ab" if row["too_small"] else "" for _ in row], axis=1
        ),
        hide_index=True,
        key="loyalty.segments",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "value": st.column_config.NumberColumn(LABELS[key], format="%.1f"),
            "ci_low": st.column_config.NumberColumn("95% CI low", format="%.1f"),
            "ci_high": st.column_config.NumberColumn("95% CI high", format="%.1f"),
            "diff": st.column_config.NumberColumn("vs the rest", format="%+.1f"),
            "p_value": st.column_config.NumberColumn("p", format="%.3f"),
            "q_value": st.column_config.NumberColumn("q (BH)", format="%.3f"),
            "flagged": st.column_config.CheckboxColumn("differs"),
            "too_small": st.column_config.CheckboxColumn(f"n < {min_n}"),
        },
    )
    st.caption(
        f"Each group is compared with all other answers ({table.attrs.get('test_method', '')}); "
        f"“differs” only after the false-discovery rate over {table.attrs.get('family_size', 0)} "
        f"groups is held at 5% (Benjamini–Hochberg). Grey groups have fewer than {min_n} "
        "answers: shown, not ranked or tested."
    )
    download_rows(table, name=f"{key}_by_{by}", key="loyalty.segment_rows")
    if picked_rows["selection"]["rows"]:
        group = table.iloc[picked_rows["selection"]["rows"][0]]["group"]
        behind = answers_behind(in_range.loc[in_range[by] == group], survey_type)
        rows_behind(
            f"The {len(behind):,} answers behind {by} “{group}”",
            behind,
            key="loyalty.segment_drill",
            name=f"{key}_{by}_{group}_answers",
        )
else:
    st.caption("No department, channel, segment or region is known for these answers.")

st.subheader("Why low scores were given")
if loaded.dataset.has("surveys", "reason"):
    reasons = reasons_over_time(answers, freq, survey_type=survey_type)
    picked_reason = st.plotly_chart(
        px.bar(
            reasons, x="period", y="share", color="reason", hover_data=["count", "n"]
        ).update_layout(yaxis_title="% of low scores", height=320, margin={"t": 10}),
        key="loyalty.reasons",
        on_select="rerun",
        selection_mode="points",
    )
    low_scores = answers.loc[low_score_mask(answers)]
    period_drill(picked_reason, low_scores, "loyalty.reasons_drill", freq)
    download_rows(reasons, name="low_score_reasons", key="loyalty.reasons_rows")
else:
    st.caption("Needs surveys.reason.")
if loaded.dataset.has("surveys", "callback_requested"):
    callbacks = callback_requests(answers, freq, survey_type=survey_type)
    figure = go.Figure(
        go.Bar(
            x=callbacks["period"],
            y=callbacks["callbacks"],
            name="callback requests",
            customdata=callbacks[["n", "share", "ci_low", "ci_high"]],
            hovertemplate="%{y} of %{customdata[0]} low scores (%{customdata[1]:.1f}%, "
            "95% CI %{customdata[2]:.1f}–%{customdata[3]:.1f}%)<extra></extra>",
        )
    ).update_layout(title="Low scores asking for a callback", height=260, margin={"t": 40})
    picked_callbacks = st.plotly_chart(
        figure, key="loyalty.callbacks", on_select="rerun", selection_mode="points"
    )
    asked = answers.loc[low_score_mask(answers) & answers["callback_requested"].eq(True)]
    period_drill(picked_callbacks, asked, "loyalty.callbacks_drill", freq)
    download_rows(callbacks, name="callback_requests", key="loyalty.callback_rows")

st.subheader("What customers wrote")
if loaded.dataset.has("surveys", "comment"):
    band_col, department_col, search_col = st.columns(3)
    band = band_col.selectbox(
        "Score band",
        [None, *BANDS[survey_type]],
        format_func=lambda b: "All" if b is None else b,
        key="loyalty.band",
    )
    departments = sorted(in_range["department"].dropna().unique())
    department = department_col.multiselect("Department", departments, key="loyalty.department")
    search = search_col.text_input("Search the comments", key="loyalty.search")
    comments = verbatims(
        in_range,
        band=band,
        department=department or None,
        search=search or None,
        survey_type=survey_type,
    )
    st.caption(f"{len(comments):,} comments; e-mails, phone and card numbers are masked.")
    st.dataframe(comments.head(500), hide_index=True, key="loyalty.verbatims")
    download_rows(comments, name="verbatims", key="loyalty.verbatim_rows")
else:
    st.caption("Needs surveys.comment.")

unavailable = [k for k in SURVEY_METRICS if k not in available]
for missing in unavailable:
    unavailable_tile(missing, loaded.dataset.missing(METRICS[missing].requires))
