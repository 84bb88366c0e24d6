"""Overview: the one-screen loyalty and service picture for executives."""

from dataclasses import replace

import streamlit as st

from analysis.definitions import METRICS
from analysis.kpis import OVERVIEW_KPIS, overview_kpis, survey_trend
from analysis.periods import previous_period
from analysis.service import ServiceStandards
from dashboard import context, data
from dashboard.charts import trend_with_band
from dashboard.filters import coverage
from dashboard.widgets import kpi_tile, unavailable_tile

view = context.require_view()
loaded = context.get().loaded

st.title("Overview")
before_start, before_end = previous_period(view.start, view.end)
days = (view.end - view.start).days + 1
st.caption(
    f"{view.start:%d %b %Y} – {view.end:%d %b %Y} ({days} day{'s' if days != 1 else ''}), "
    f"compared with {before_start:%d %b %Y} – {before_end:%d %b %Y}. A change is marked "
    "significant only when its 95% test rejects “no change”; otherwise it is within noise. "
    "Service tiles count the tickets created in each period (cohort view)."
)

available = tuple(k for k in OVERVIEW_KPIS if not loaded.dataset.missing(METRICS[k].requires))
standards = ServiceStandards.from_mapping(data.settings()["standards"])
tables = replace(data.tables(view), standards=standards)
kpis = overview_kpis(tables, view.start, view.end, available, data_start=coverage(loaded)[0])
columns = st.columns(4)
for index, key in enumerate(OVERVIEW_KPIS):
    with columns[index % 4]:
        if key in kpis:
            kpi_tile(kpis[key], period_label=f"previous {days} days")
        else:
            unavailable_tile(key, loaded.dataset.missing(METRICS[key].requires))

st.subheader("Monthly trends")
st.caption(
    "Shaded band: 95% interval. Hollow points: months with fewer than 30 answers. "
    "Grey area: the selected period."
)
left, right = st.columns(2)
for column, key, y_title in ((left, "nps", "NPS (−100…100)"), (right, "csi", "CSI (mean 1–5)")):
    with column:
        if key not in kpis:
            continue
        trend = survey_trend(view.surveys, key)
        figure = trend_with_band(trend, title=METRICS[key].name, y_title=y_title)
        figure.add_vrect(x0=view.start, x1=view.end, fillcolor="grey", opacity=0.08, line_width=0)
        st.plotly_chart(figure, key=f"overview.trend_{key}")
