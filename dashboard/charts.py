"""Plotly chart helpers shared by the pages."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from analysis.results import SMALL_SAMPLE_N

BAND_COLOR = "rgba(31, 111, 139, 0.18)"
LINE_COLOR = "#1f6f8b"


def trend_with_band(series: pd.DataFrame, *, title: str, y_title: str) -> go.Figure:
    """Line of ``value`` per ``period`` with its ``ci_low``–``ci_high`` band; n in the hover.

    Periods with fewer than ``SMALL_SAMPLE_N`` observations get hollow markers.
    """
    frame = series.sort_values("period")
    band_x = pd.concat([frame["period"], frame["period"].iloc[::-1]])
    band_y = pd.concat([frame["ci_high"], frame["ci_low"].iloc[::-1]])
    figure = go.Figure(
        [
            go.Scatter(
                x=band_x,
                y=band_y,
                mode="lines",
                fill="toself",
                fillcolor=BAND_COLOR,
                line={"width": 0},
                hoverinfo="skip",
                name="95% interval",
            ),
            go.Scatter(
                x=frame["period"],
                y=frame["value"],
                mode="lines+markers",
                line={"color": LINE_COLOR, "width": 2},
                # Hollow markers: periods resting on fewer than SMALL_SAMPLE_N answers.
                marker={
                    "size": 8,
                    "symbol": [
                        "circle-open" if n < SMALL_SAMPLE_N else "circle" for n in frame["n"]
                    ],
                },
                name=title,
                customdata=frame[["ci_low", "ci_high", "n"]].to_numpy(),
                hovertemplate=(
                    "%{x|%b %Y}: %{y:.1f}<br>95% CI %{customdata[0]:.1f} – "
                    "%{customdata[1]:.1f}<br>n = %{customdata[2]:,}<extra></extra>"
                ),
            ),
        ]
    )
    figure.update_layout(
        title=title,
        yaxis_title=y_title,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=320,
    )
    return figure


def control_chart(chart: pd.DataFrame, *, value: str, percent: bool = False) -> go.Figure:
    """A control chart from :mod:`analysis.control`: the value per period, the centre line and
    the (Laney) limits; points outside the limits in red."""
    scale = 100 if percent else 1
    x = chart["period"]
    colors = ["#c0392b" if out else LINE_COLOR for out in chart["outside"]]
    figure = go.Figure(
        [
            go.Scatter(
                x=x,
                y=chart["ucl"] * scale,
                mode="lines",
                name="upper limit",
                line={"dash": "dot", "color": "#7f8c8d"},
            ),
            go.Scatter(
                x=x,
                y=chart["lcl"] * scale,
                mode="lines",
                name="lower limit",
                line={"dash": "dot", "color": "#7f8c8d"},
            ),
            go.Scatter(
                x=x,
                y=chart["centre"] * scale,
                mode="lines",
                name="centre",
                line={"color": "#7f8c8d"},
            ),
            go.Scatter(
                x=x,
                y=chart[value] * scale,
                mode="lines+markers",
                name=value,
                marker={"color": colors, "size": 8},
                line={"color": LINE_COLOR},
                customdata=chart[["n"]].to_numpy(),
                hovertemplate="%{x|%b %Y}: %{y:.1f}<br>n = %{customdata[0]:,}<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        showlegend=False,
        yaxis_title="%" if percent else value,
    )
    return figure


def estimates_chart(
    frame: pd.DataFrame,
    *,
    value: str,
    label: str,
    axis_title: str,
    low: str = "ci_low",
    high: str = "ci_high",
    **options: object,
) -> go.Figure:
    """One point per row of ``frame``: ``value`` with its ``low``–``high`` interval as error bars,
    rows labelled by ``label`` down the side, the height growing with the number of rows.

    ``options`` go to ``plotly.express.scatter`` (``color``, ``hover_data``, ``custom_data``…).
    """
    figure = px.scatter(
        frame,
        x=value,
        y=label,
        error_x=frame[high] - frame[value],
        error_x_minus=frame[value] - frame[low],
        labels={value: axis_title, label: ""},
        **options,
    )
    return figure.update_layout(height=max(260, 32 * len(frame)), margin={"t": 10})
