"""Retention & churn: trends, cohorts, survival curves by group, referrals and customers at risk."""

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analysis.at_risk import SIGNALS, at_risk_list, backtest, customer_history, risk_signals
from analysis.definitions import METRICS
from analysis.kpis import overview_kpis
from analysis.referrals import referrals_by_nps_group
from analysis.retention import (
    SPLITS,
    churned_between,
    cohort_table,
    customer_durations,
    pooled_retention,
    retention_trend,
    split_labels,
    survival_by_group,
)
from analysis.segments import per_customer
from dashboard import context, data
from dashboard.charts import LINE_COLOR, trend_with_band
from dashboard.filters import coverage
from dashboard.widgets import download_rows, kpi_tile, rows_behind, unavailable_tile

FREQUENCIES = {"Month": "MS", "Quarter": "QS"}
PALETTE = px.colors.qualitative.Safe
HORIZON_DAYS = 90


def p_text(p_value: float) -> str:
    """A p-value as read on screen: "p < 0.001" rather than "p = 0.000"; NaN: not testable."""
    if math.isnan(p_value):
        return "no test (fewer than two groups large enough)"
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def survival_figure(table: pd.DataFrame, *, x_title: str) -> go.Figure:
    """Step curves per group with their interval bands (percent retained)."""
    figure = go.Figure()
    for index, (group, curve) in enumerate(table.groupby("group", sort=False)):
        color = PALETTE[index % len(PALETTE)]
        figure.add_trace(
            go.Scatter(
                x=pd.concat([curve["time"], curve["time"].iloc[::-1]]),
                y=100 * pd.concat([curve["ci_high"], curve["ci_low"].iloc[::-1]]),
                fill="toself",
                line={"width": 0, "shape": "hv"},
                fillcolor=color,
                opacity=0.15,
                hoverinfo="skip",
                showlegend=False,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=curve["time"],
                y=100 * curve["survival"],
                mode="lines",
                line={"shape": "hv", "color": color, "width": 2},
                name=str(group),
                customdata=curve[["at_risk"]].to_numpy(),
                hovertemplate=f"{group}<br>day %{{x}}: %{{y:.1f}}% retained<br>"
                "at risk %{customdata[0]:,}<extra></extra>",
            )
        )
    return figure.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_title=x_title,
        yaxis_title="% still customers",
    )


view = context.require_view()
loaded = context.get().loaded
st.title("Retention & churn")

missing = loaded.dataset.missing(METRICS["churn"].requires)
if missing:
    st.info(
        f"Retention and churn need {', '.join(missing)}: the data source has no churn dates, "
        "so nobody can be counted as lost."
    )
    st.stop()

customers, tickets, surveys = view.customers, view.tickets, view.surveys
first_day = pd.Timestamp(coverage(loaded)[0])
start, end = pd.Timestamp(view.start), pd.Timestamp(view.end)
st.caption(
    f"Churn = customers lost ÷ customers at the start of each period; retention = kept ÷ at "
    f"start. Customers without a churn date, or with one after {end:%d %b %Y}, are still "
    "customers (censored). Department and channel filters apply to the tiles (customers those "
    "contacts served before each period); the charts cover every customer of the chosen "
    "segment and region. Links between service and churn are associations, not causes."
)

keys = ("churn", "retention", "referral_rate")
available = tuple(k for k in keys if not loaded.dataset.missing(METRICS[k].requires))
kpis = overview_kpis(data.tables(view), view.start, view.end, available, data_start=first_day)
for column, key in zip(st.columns(len(keys)), keys, strict=True):
    with column:
        if key in kpis:
            kpi_tile(kpis[key], period_label="the previous period")
        else:
            unavailable_tile(key, loaded.dataset.missing(METRICS[key].requires))

st.subheader("Churn over time")
freq = FREQUENCIES[
    st.segmented_control(
        "By", list(FREQUENCIES), default="Month", key="retention.freq", required=True
    )
]
trend = retention_trend(customers, first_day, end, freq)
series = trend.rename(columns={"churn": "value", "churn_low": "ci_low", "churn_high": "ci_high"})
figure = trend_with_band(series, title="Churn per period", y_title="% of customers at start")
moved = trend.loc[trend["significant"]]
figure.add_trace(
    go.Scatter(
        x=moved["period"],
        y=moved["churn"],
        mode="markers",
        marker={"symbol": "star", "size": 14, "color": "#c0392b"},
        name="significant change",
        customdata=moved[["change", "p_value"]].to_numpy(),
        hovertemplate="%{x|%b %Y}: change %{customdata[0]:+.2f} pp, p = %{customdata[1]:.3f}"
        "<extra>significant</extra>",
    )
)
picked = st.plotly_chart(figure, key="retention.trend", on_select="rerun", selection_mode="points")
st.caption(
    "Band: 95% Wilson interval. Red stars: churn changed significantly from the period "
    "before (Newcombe interval, pooled z-test, Benjamini–Hochberg over all the periods shown, "
    "q < 0.05); every other change is within noise. A period cut short is not compared. "
    "Hollow points rest on fewer than 30 customers; the last period may be cut short by the "
    "end of the data (column “complete”)."
)
if "revenue_retention" in trend.columns:
    revenue = trend.rename(
        columns={"revenue_retention": "value", "revenue_low": "ci_low", "revenue_high": "ci_high"}
    )
    st.plotly_chart(
        trend_with_band(revenue, title="Revenue retained", y_title="% of revenue at start"),
        key="retention.revenue",
    )
    st.caption(
        f"Interval: {trend.attrs['revenue_method']}; n = customers at start with known revenue."
    )
download_rows(trend, name="churn_trend", key="retention.trend_rows")
points = [p for p in (picked.selection.points if picked else []) if p.get("curve_number") == 1]
if points:
    chosen = trend.loc[trend["period"] == pd.Timestamp(points[0]["x"]).normalize()]
    if len(chosen):
        period_start = max(chosen["period"].iloc[0], first_day)
        period_end = chosen["period_end"].iloc[0]
        lost = churned_between(customers, period_start, period_end)
        rows_behind(
            f"The {len(lost):,} customers lost {period_start:%d %b %Y} – {period_end:%d %b %Y}",
            lost,
            key="retention.trend_drill",
            name=f"lost_{period_start:%Y-%m-%d}",
        )

st.subheader("Cohorts by signup month")
cohorts = cohort_table(customers, end, first_cohort=first_day.to_period("M").start_time)
if cohorts.empty:
    st.caption(f"No customer signed up since {first_day:%d %b %Y}, when the data begins.")
else:
    grid = cohorts.pivot(index="cohort", columns="month", values="value")
    sizes = cohorts.pivot(index="cohort", columns="month", values="n")
    heatmap = px.imshow(
        grid.to_numpy(),
        x=[str(m) for m in grid.columns],
        y=[f"{c:%b %Y}" for c in grid.index],
        color_continuous_scale="Blues",
        zmin=max(0.0, float(cohorts["value"].min()) - 1),
        zmax=100,
        aspect="auto",
        labels={"x": "months since signup", "y": "signup month", "color": "% retained"},
    )
    heatmap.update_traces(
        customdata=sizes.to_numpy(),
        hovertemplate="%{y}, month %{x}: %{z:.1f}% retained<br>n = %{customdata}<extra></extra>",
    )
    heatmap.update_layout(height=60 + 24 * len(grid), margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(heatmap, key="retention.cohorts")
    download_rows(cohorts, name="cohort_retention", key="retention.cohort_rows")
    pooled = pooled_retention(customers, end, first_cohort=first_day.to_period("M").start_time)
    curve = pooled.rename(columns={"month": "period", "at_risk": "n"}).dropna(subset=["value"])
    pooled_figure = trend_with_band(
        curve, title="All cohorts pooled (Kaplan–Meier)", y_title="% retained"
    )
    pooled_figure.update_traces(hovertemplate="month %{x}: %{y:.1f}%<extra></extra>")
    pooled_figure.update_layout(xaxis_title="months since signup")
    st.plotly_chart(pooled_figure, key="retention.pooled")
    st.caption(
        f"Cohorts that signed up since {first_day:%b %Y}, when the data begins (older customers "
        "are only known if they were still here then). Empty cells: not yet observed. The "
        "pooled curve lets every cohort count for as long as it has been observed (life-table "
        "logic, 95% log-transformed Greenwood band); a plain average of the cells would not."
    )
    download_rows(pooled, name="pooled_retention", key="retention.pooled_rows")

st.subheader("Survival curves")
splits = dict(SPLITS)
if not loaded.dataset.has("tickets", "department"):
    splits.pop("department")
if not (
    loaded.dataset.has("customers", "referred_by")
    or loaded.dataset.has("customers", "acquisition_channel")
):
    splits.pop("referred")
if loaded.dataset.missing(SIGNALS["unresolved_complaint"][1]):
    splits.pop("unresolved_complaint")
for attribute in ("segment", "region", "acquisition_channel"):
    if not loaded.dataset.has("customers", attribute):
        splits.pop(attribute)
by = st.selectbox("Split by", list(splits), format_func=splits.get, key="retention.split", index=0)
durations = customer_durations(customers, end, origin=start)
labels = split_labels(customers, tickets, surveys, start, by)
split = survival_by_group(durations, labels, min_n=int(data.settings()["min_group_size"]))
if split.table.empty:
    st.caption(f"No customer was active on {start:%d %b %Y} with a known {splits[by].lower()}.")
else:
    st.plotly_chart(
        survival_figure(split.table, x_title=f"days since {start:%d %b %Y}"),
        key="retention.survival",
    )
    verdict = (
        "within noise"
        if not split.test.p_value < 0.05
        else "significant: the curves differ by more than chance would explain"
    )
    st.caption(
        f"Customers active on {start:%d %b %Y} (the start of the period), followed to "
        f"{end:%d %b %Y}; groups as known on that day, so later experience cannot leak in. "
        f"Log-rank χ² = {split.test.statistic:.2f} on {split.test.df} df, "
        f"{p_text(split.test.p_value)}: {verdict}. Bands: 95% (log transform). Groups with fewer "
        "than the minimum group size are drawn but not tested. The median is empty while more "
        "than half are still customers. Association, not causation."
    )
    picked_group = st.dataframe(
        split.summary,
        hide_index=True,
        key="retention.survival_summary",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "median": st.column_config.NumberColumn("median days", format="%.0f"),
            "median_ci_low": st.column_config.NumberColumn("median CI low", format="%.0f"),
            "median_ci_high": st.column_config.NumberColumn("median CI high", format="%.0f"),
            "retained": st.column_config.NumberColumn("% retained at end", format="%.1f"),
            "retained_low": st.column_config.NumberColumn("95% CI low", format="%.1f"),
            "retained_high": st.column_config.NumberColumn("95% CI high", format="%.1f"),
            "expected": st.column_config.NumberColumn("expected events", format="%.1f"),
            "too_small": st.column_config.CheckboxColumn("too small to test"),
        },
    )
    download_rows(split.table, name=f"survival_by_{by}", key="retention.survival_rows")
    if picked_group.selection.rows:
        group = split.summary.iloc[picked_group.selection.rows[0]]["group"]
        members = durations.loc[labels.reindex(durations.index).astype(str) == group]
        rows_behind(
            f"The {len(members):,} customers in “{group}”",
            members.merge(customers, on="customer_id", how="left"),
            key="retention.survival_drill",
            name=f"customers_{by}_{group}",
        )

st.subheader("Referrals")
if loaded.dataset.has("customers", "referred_by") and loaded.dataset.has("surveys", "score"):
    answers = per_customer(surveys.loc[surveys["responded_at"] < end + pd.Timedelta(days=1)])
    # The filtered customers are grouped; whom they referred is counted over every customer
    # (a friend may sit in another segment or region).
    referring = referrals_by_nps_group(loaded.dataset.customers, answers)
    bars = px.bar(
        referring,
        x="group",
        y="value",
        error_y=referring["ci_high"] - referring["value"],
        error_y_minus=referring["value"] - referring["ci_low"],
        hover_data=["n", "referrers", "referrals"],
        color="group",
        color_discrete_map={"promoter": "#1f8b4c", "passive": "#b0b7bf", "detractor": "#c0392b"},
    ).update_layout(
        height=280, showlegend=False, yaxis_title="% who referred someone", xaxis_title=""
    )
    st.plotly_chart(bars, key="retention.referrers")
    test = referring.attrs["promoters_vs_detractors"]
    st.caption(
        "Do promoters actually refer? Each customer's last NPS answer, and whether any customer "
        f"names them as referrer. Promoters − detractors: {test.change:+.1f} pp (95% CI "
        f"{test.ci_low:+.1f} to {test.ci_high:+.1f}, {p_text(test.p_value)}: "
        f"{'significant' if test.significant else 'within noise'}). Association only."
    )
    download_rows(referring, name="referrals_by_nps_group", key="retention.referral_rows")
else:
    st.caption("Who referred whom needs customers.referred_by (and NPS answers).")
st.caption("Retention of referred customers against the others: choose “Referred vs other” above.")

st.subheader("Customers at risk")
signals = risk_signals(customers, tickets, surveys, end)
flagged = at_risk_list(signals)
unavailable = signals.attrs["unavailable"]
st.caption(
    f"Active customers on {end:%d %b %Y} whose last 90 days look like those of customers who "
    "left: a detractor NPS answer, a CSAT of 1–2, a complaint still unresolved, or 3+ contacts "
    "in 30 days. Each reason is listed; select a customer for their contacts and answers."
    + (
        " Not evaluated (missing columns): "
        + "; ".join(f"{SIGNALS[k][0]} ({', '.join(v)})" for k, v in unavailable.items())
        if unavailable
        else ""
    )
)
st.markdown(f"**{len(flagged):,} of {len(signals):,} active customers flagged**")
columns = [c for c in ("customer_id", "segment", "revenue", "signals", "reasons") if c in flagged]
picked_customer = st.dataframe(
    flagged[columns],
    hide_index=True,
    key="retention.at_risk",
    on_select="rerun",
    selection_mode="single-row",
)
st.download_button(
    "Download the at-risk list (CSV)",
    flagged.to_csv(index=False).encode("utf-8"),
    file_name=f"at_risk_{end:%Y-%m-%d}.csv",
    mime="text/csv",
    key="retention.at_risk_csv",
    icon=":material/download:",
)
if picked_customer.selection.rows:
    customer = flagged.iloc[picked_customer.selection.rows[0]]["customer_id"]
    rows_behind(
        f"Contacts and answers of {customer} in the 90 days to {end:%d %b %Y}",
        customer_history(tickets, surveys, customer, end),
        key="retention.at_risk_drill",
        name=f"history_{customer}",
    )

check = backtest(customers, tickets, surveys, end, horizon_days=HORIZON_DAYS)
cutoff = pd.Timestamp(check.attrs["cutoff"])
st.markdown("**Did these signals separate churners in the past?**")
comparison = check.melt(
    id_vars=["label"],
    value_vars=["flagged_churn", "unflagged_churn"],
    var_name="customers",
    value_name="churn",
)
comparison["low"] = check.melt(value_vars=["flagged_low", "unflagged_low"])["value"]
comparison["high"] = check.melt(value_vars=["flagged_high", "unflagged_high"])["value"]
comparison["customers"] = comparison["customers"].map(
    {"flagged_churn": "flagged", "unflagged_churn": "not flagged"}
)
st.plotly_chart(
    px.bar(
        comparison,
        x="label",
        y="churn",
        color="customers",
        barmode="group",
        error_y=comparison["high"] - comparison["churn"],
        error_y_minus=comparison["churn"] - comparison["low"],
        color_discrete_map={"flagged": "#c0392b", "not flagged": LINE_COLOR},
    ).update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_title="",
        yaxis_title=f"% churned within {HORIZON_DAYS} days",
    ),
    key="retention.backtest_chart",
)
st.dataframe(
    check.drop(columns="signal"),
    hide_index=True,
    key="retention.backtest",
    column_config={
        "difference": st.column_config.NumberColumn("difference (pp)", format="%+.1f"),
        "p_value": st.column_config.NumberColumn("p", format="%.3f"),
        "risk_ratio": st.column_config.NumberColumn("risk ratio", format="%.2f"),
    },
)
st.caption(
    f"Back-test: the same rules applied on {cutoff:%d %b %Y} to the "
    f"{check.attrs['customers']:,} customers active then, and their churn in the "
    f"{HORIZON_DAYS} days that followed. Bars: 95% Wilson intervals; a difference is "
    "significant only when the pooled z-test says so. A flag marks a customer to call, not a "
    "cause of churn."
)
download_rows(check, name="at_risk_backtest", key="retention.backtest_rows")
