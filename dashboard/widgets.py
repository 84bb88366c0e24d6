"""Shared widgets. A KPI tile always shows the value, its interval, n, and an honest change."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analysis.definitions import METRICS, explain
from analysis.kpis import KpiComparison
from analysis.results import ChangeResult
from data_connectors.validation import ValidationReport

_UNIT_FORMATS = {
    "points": "{:+.1f}",
    "percent": "{:.1f}%",
    "score": "{:.2f}",
    "count": "{:,.0f}",
    "seconds": "{:,.0f} s",
}
_CHANGE_FORMATS = {
    "points": "{:+.1f} pts",
    "percent": "{:+.1f} pp",
    "score": "{:+.2f}",
    "count": "{:+,.0f}",
    "seconds": "{:+,.0f} s",
}


def format_value(value: float, unit: str) -> str:
    return "—" if math.isnan(value) else _UNIT_FORMATS[unit].format(value)


def format_change(change: float, unit: str) -> str:
    """A change in the metric's units ("+1.5 pp", "−0.08"); "—" when it is NaN."""
    return "—" if math.isnan(change) else _CHANGE_FORMATS[unit].format(change)


def _change_text(change: ChangeResult, unit: str, period_label: str) -> str:
    fmt = _CHANGE_FORMATS[unit]
    verdict = "significant" if change.significant else "within noise"
    return (
        f"**Change vs {period_label}:** {fmt.format(change.change)} "
        f"({change.confidence:.0%} CI {fmt.format(change.ci_low)} to {fmt.format(change.ci_high)}, "
        f"p = {change.p_value:.3f}: {verdict}); n = {change.n_before:,} before, "
        f"{change.n_after:,} now. Test: {change.method}."
    )


def kpi_tile(kpi: KpiComparison, *, period_label: str) -> None:
    """A bordered tile: value, change (significant only when it is), interval, n, definition."""
    definition = METRICS[kpi.key]
    current, change = kpi.current, kpi.change
    delta, description, color = None, None, "off"
    if change is None:  # a note says why there is no comparison; none asked for: say nothing
        description = "no earlier data to compare" if kpi.note else None
    elif not math.isnan(change.change):
        delta = _CHANGE_FORMATS[definition.unit].format(change.change)
        if change.significant:
            description = "significant"
            color = "normal" if definition.higher_is_better else "inverse"
        else:
            description = "within noise"
    with st.container(border=True, key=f"kpi_{kpi.key}"):
        st.metric(
            definition.name,
            format_value(current.value, definition.unit),
            delta=delta,
            delta_color=color,
            delta_description=description,
        )
        interval = (
            f"{current.confidence:.0%} CI {format_value(current.ci_low, definition.unit)} – "
            f"{format_value(current.ci_high, definition.unit)}"
            if not math.isnan(current.ci_low)
            else "no interval"
        )
        before = f" (before: {kpi.previous.n:,})" if kpi.previous is not None else ""
        unit = " contacts" if definition.unit == "count" else ""
        st.caption(f"{interval} · n = {current.n:,}{unit}{before}")
        for note in current.warnings:
            st.caption(f":orange[{note}]")
        with st.popover("Definition", icon=":material/info:", key=f"kpi_{kpi.key}_definition"):
            st.markdown(explain(kpi.key, current))
            if change is not None and not math.isnan(change.change):
                st.markdown(_change_text(change, definition.unit, period_label))
            elif kpi.note:
                st.caption(kpi.note)


def unavailable_tile(key: str, missing: list[str]) -> None:
    """A tile for a metric the source cannot support, naming the columns that would enable it."""
    with st.container(border=True, key=f"kpi_{key}"):
        st.markdown(f"**{METRICS[key].name}**")
        st.caption(f"Not available: the data source has no {', '.join(missing)}.")


def validation_report(
    report: ValidationReport, *, title: str, key: str, file_name: str = "rejected_rows.csv"
) -> None:
    """Accepted and rejected rows per table and reason, with the rejected rows as a CSV download."""
    summary = report.summary()
    st.markdown(f"**{title}**")
    st.dataframe(summary, hide_index=True, key=f"{key}.summary")
    if report.is_clean:
        st.success("Every row passed validation.")
        return
    rejected, cleared = int(summary["rejected"].sum()), int(summary["values cleared"].sum())
    st.warning(
        f"{rejected:,} row(s) were rejected and left out of every metric; {cleared:,} bad "
        "value(s) in optional columns were cleared and their rows kept. All other rows are used."
    )
    st.dataframe(report.reason_counts(), hide_index=True, key=f"{key}.reasons")
    st.dataframe(report.problems.head(1000), hide_index=True, key=f"{key}.problems")
    if rejected:
        st.download_button(
            "Download rejected rows (CSV)",
            report.rejected_csv(),
            file_name=file_name,
            mime="text/csv",
            key=f"{key}.download_rejected",
        )


def download_rows(frame: pd.DataFrame, *, name: str, key: str) -> None:
    """The rows behind a chart or table, with their computed fields, as a CSV download."""
    st.download_button(
        "Download rows (CSV)",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        type="tertiary",
    )


def rows_behind(title: str, rows: pd.DataFrame, *, key: str, name: str) -> None:
    """The answers or contacts behind a clicked point, bar or row, with their CSV."""
    st.markdown(f"**{title}**")
    st.dataframe(rows, hide_index=True, key=key)
    download_rows(rows, name=name, key=f"{key}_rows")
