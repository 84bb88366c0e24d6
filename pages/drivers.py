"""Drivers: which service experiences move loyalty, by how much, and with what certainty."""

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.drivers import (
    METHODS,
    OUTCOMES,
    complete_rows,
    good_experience,
    importance_performance,
    nps_points,
    outcome_values,
    relative_importance,
    what_if,
)
from analysis.experience import (
    DRIVER_BY_KEY,
    DRIVERS,
    NEGATIVE_DEFINITION,
    answer_experience,
    churn_snapshot,
    contact_features,
    customer_experience,
)
from analysis.experience_effect import negative_experience_effect
from analysis.kpis import in_period
from analysis.service import ServiceStandards
from dashboard import context, data
from dashboard.charts import LINE_COLOR
from dashboard.filters import coverage
from dashboard.widgets import download_rows, rows_behind

#: A driver is offered by default when at most this share of the rows lack its value.
DEFAULT_MAX_MISSING = 0.5
METHOD_LABELS = {"relative_weights": "Relative weights", "shapley": "Shapley (LMG)"}
ROW_COLUMNS = ("response_id", "customer_id", "responded_at", "score", "churned")


def label(key: str) -> str:
    return DRIVER_BY_KEY[key].label


def ci_text(low: float, high: float, fmt: str = "{:+.1f}") -> str:
    if math.isnan(low):
        return "no interval"
    return f"95% CI {fmt.format(low)} to {fmt.format(high)}"


def p_text(p_value: float) -> str:
    if math.isnan(p_value):
        return "no test"
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def number(value: float, fmt: str) -> str:
    return "—" if math.isnan(value) else fmt.format(value)


def drill(picked: object, rows: pd.DataFrame, drivers: list[str], key: str) -> None:
    """The rows behind a clicked driver: those whose experience on it was not good."""
    points = picked.selection.points if picked else []
    if not points:
        return
    driver = points[0].get("customdata", [None])[0]
    if driver not in drivers:
        return
    bad = rows.loc[good_experience(rows, driver).eq(False).fillna(False).to_numpy()]
    shown = bad[[c for c in ROW_COLUMNS if c in bad] + drivers]
    rows_behind(
        f"The {len(shown):,} rows whose experience was not good on “{label(driver)}” "
        f"(good: {DRIVER_BY_KEY[driver].good_text})",
        shown,
        key=f"{key}_drill",
        name=f"drivers_{driver}_not_good",
    )


view = context.require_view()
loaded = context.get().loaded
st.title("Drivers")
settings = data.settings()
window = int(settings["driver_window_days"])
followup = int(settings["driver_followup_days"])
standards = ServiceStandards.from_mapping(settings["standards"])

features = contact_features(view.tickets, view.surveys, standards)
unavailable = {
    d.key: loaded.dataset.missing(d.requires) for d in DRIVERS if loaded.dataset.missing(d.requires)
}
offered_outcomes = [
    key
    for key, outcome in OUTCOMES.items()
    if (outcome.survey_type and (view.surveys["survey_type"] == outcome.survey_type).any())
    or (outcome.table == "customers" and loaded.dataset.has("customers", "churn_date"))
]
if not offered_outcomes:
    st.info(
        "Driver analysis needs NPS or CSAT answers (surveys.score) or churn dates "
        "(customers.churn_date)."
    )
    st.stop()

outcome_col, method_col = st.columns([3, 2])
outcome_key = outcome_col.segmented_control(
    "Outcome",
    offered_outcomes,
    default=offered_outcomes[0],
    format_func=lambda k: OUTCOMES[k].label,
    key="drivers.outcome",
    required=True,
)
method = method_col.segmented_control(
    "Method",
    list(METHODS),
    default="relative_weights",
    format_func=METHOD_LABELS.get,
    key="drivers.method",
    required=True,
    help="Relative weights (Johnson 2000) is the default, as in Qualtrics; the Shapley "
    "decomposition (LMG, general dominance) averages each driver's gain in R² over every "
    "order of entering the model. Both split R² among correlated drivers.",
)
all_time = st.toggle(
    "Every answer in the data",
    key="drivers.all_time",
    help="Off: answers given in the selected period. On: every answer, for a larger sample.",
)
outcome = OUTCOMES[outcome_key]
as_of = churn_snapshot(pd.Timestamp(coverage(loaded)[1]), pd.Timestamp(view.end), followup)

if outcome.table == "customers":
    rows = customer_experience(
        view.customers, features, view.surveys, as_of, window_days=window, followup_days=followup
    )
    unit = "customers"
    scope = (
        f"customers active on {as_of:%d %b %Y}, their contacts in the {window} days before and "
        f"whether they churned in the {followup} days after (a later snapshot would not have "
        "its follow-up complete in the data)"
    )
else:
    answers = answer_experience(
        view.surveys, features, survey_type=outcome.survey_type, window_days=window
    )
    rows = answers if all_time else in_period(answers, "responded_at", view.start, view.end)
    unit = "answers"
    period = "in the data" if all_time else f"{view.start:%d %b %Y} – {view.end:%d %b %Y}"
    scope = f"{outcome.survey_type.upper()} answers {period}, with the contacts of the {window} "
    scope += "days before each answer"
rows = rows.reset_index(drop=True)
y = outcome_values(rows, outcome_key)
candidates = [
    d.key
    for d in DRIVERS
    if d.key in rows
    and d.key not in unavailable
    and rows[d.key].notna().any()
    and not (outcome_key == "csat" and d.key == "last_csat")
]
defaults = [k for k in candidates if rows[k].isna().mean() <= DEFAULT_MAX_MISSING]
chosen = st.multiselect(
    "Drivers",
    candidates,
    default=defaults,
    format_func=label,
    key=f"drivers.chosen_{outcome_key}",
    help="Rows missing any chosen driver are left out; drivers missing in more than half of "
    "the rows are not chosen by default.",
)
st.caption(
    f"Based on {scope}. {OUTCOMES[outcome_key].description} Importance is a share of R², "
    "the variance of the outcome a linear model of the chosen drivers explains; it shows "
    "**association in your data, not proven cause**."
)
for key, missing in unavailable.items():
    st.caption(f"{label(key)} is not available: the data source has no {', '.join(missing)}.")

if not chosen:
    st.info("Choose at least one driver.")
    st.stop()

importance = relative_importance(rows[chosen], y, method, groups=rows.get("customer_id"))
st.subheader(f"What moves the outcome: {outcome.label}")
attrs = importance.attrs
if importance.empty:
    for note in attrs["notes"]:
        st.warning(note)
else:
    st.markdown(
        f"The chosen drivers explain **R² = {attrs['r2']:.1%}** of the variation "
        f"({ci_text(attrs['r2_ci_low'], attrs['r2_ci_high'], '{:.1%}')}) across "
        f"**n = {attrs['n']:,} {unit}** ({attrs['excluded']:,} left out). Bars: each driver's "
        "percent of that R², with its 95% interval; hover a bar for the direction (the slope)."
    )
    if outcome.binary:
        st.caption(
            "Binary outcome: R² of the linear probability model (least squares on the 0/1 "
            "outcome), so the weights still add up to R²."
        )
    for note in attrs["notes"]:
        st.caption(f":orange[{note}]")
    ranked = importance.iloc[::-1]
    bars = go.Figure(
        go.Bar(
            x=ranked["rescaled_weight"],
            y=[label(k) for k in ranked["driver"]],
            orientation="h",
            marker_color=LINE_COLOR,
            error_x={
                "type": "data",
                "symmetric": False,
                "array": ranked["rescaled_ci_high"] - ranked["rescaled_weight"],
                "arrayminus": ranked["rescaled_weight"] - ranked["rescaled_ci_low"],
            },
            customdata=ranked[
                ["driver", "rescaled_ci_low", "rescaled_ci_high", "slope", "slope_ci_low"]
                + ["slope_ci_high"]
            ].to_numpy(),
            hovertemplate="%{y}: %{x:.1f}% of R² (95% CI %{customdata[1]:.1f} – "
            "%{customdata[2]:.1f})<br>one unit more goes with %{customdata[3]:+.3g} in the "
            "outcome (95% CI %{customdata[4]:+.3g} to %{customdata[5]:+.3g}), the other "
            "drivers held fixed<extra></extra>",
        )
    ).update_layout(
        xaxis_title="% of R² (relative importance)",
        height=90 + 36 * len(ranked),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    picked = st.plotly_chart(
        bars, key="drivers.importance", on_select="rerun", selection_mode="points"
    )
    download_rows(importance, name=f"drivers_{outcome_key}", key="drivers.importance_rows")
    used = complete_rows(rows, chosen, outcome_key)
    drill(picked, used, chosen, "drivers.importance")

    st.subheader("Where effort pays most")
    matrix = importance_performance(importance, used)
    fix_first = matrix.loc[matrix["quadrant"] == "fix first", "label"].tolist()
    scatter = go.Figure(
        go.Scatter(
            x=matrix["performance"],
            y=matrix["importance"],
            mode="markers+text",
            text=matrix["label"],
            textposition=[("top center", "bottom center")[i % 2] for i in range(len(matrix))],
            marker={
                "size": 12,
                "color": [
                    "#c0392b" if q == "fix first" else LINE_COLOR for q in matrix["quadrant"]
                ],
            },
            textfont={"size": 11},
            customdata=matrix[
                [
                    "driver",
                    "good",
                    "n",
                    "quadrant",
                    "importance_ci_low",
                    "importance_ci_high",
                    "performance_ci_low",
                    "performance_ci_high",
                ]
            ].to_numpy(),
            hovertemplate="%{text}: importance %{y:.1f}% of R² (95% CI %{customdata[4]:.1f} – "
            "%{customdata[5]:.1f}), performance %{x:.1f}% good (95% CI %{customdata[6]:.1f} – "
            "%{customdata[7]:.1f}; %{customdata[1]}; n = %{customdata[2]:,})<br>"
            "%{customdata[3]}<extra></extra>",
        )
    )
    scatter.add_vline(x=matrix.attrs["mean_performance"], line_dash="dot", line_color="#7f8c8d")
    scatter.add_hline(y=matrix.attrs["mean_importance"], line_dash="dot", line_color="#7f8c8d")
    scatter.update_layout(
        xaxis_title="Performance: % of rows with a good experience on the driver",
        yaxis_title="Importance: % of R²",
        height=460,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    picked_matrix = st.plotly_chart(
        scatter, key="drivers.matrix", on_select="rerun", selection_mode="points"
    )
    if fix_first:
        st.markdown(
            f"**Fix first:** {', '.join(fix_first)} — above-average importance and "
            "below-average performance, where improvement is most associated with loyalty."
        )
    else:
        top = matrix.iloc[0]
        st.markdown(
            "No driver is both above average in importance and below average in performance. "
            f"The most important is **{top['label']}**, good in {top['performance']:.0f}% of "
            "the rows."
        )
    st.caption(
        "Importance–performance matrix (Martilla & James 1977): dotted lines are the mean "
        "importance and the mean performance of the drivers shown; red points are the "
        "“fix first” quadrant. Performance is the share of rows whose experience met the "
        "driver's standard (hover for it and for both 95% intervals; Wilson for performance)."
    )
    download_rows(matrix, name=f"importance_performance_{outcome_key}", key="drivers.matrix_rows")
    drill(picked_matrix, used, chosen, "drivers.matrix")

st.subheader("After a negative support experience")
if outcome.survey_type == "nps":
    nps_answers = answers
else:
    nps_answers = answer_experience(view.surveys, features, survey_type="nps", window_days=window)
if not all_time:
    nps_answers = in_period(nps_answers, "responded_at", view.start, view.end)
customers_now = customer_experience(
    view.customers, features, view.surveys, as_of, window_days=window, followup_days=followup
)
effect = negative_experience_effect(nps_answers, customers_now)
nps_col, retention_col = st.columns(2)
with nps_col, st.container(border=True, key="drivers.effect_nps"):
    change = effect.nps_change
    verdict = "significant" if change.significant else "within noise"
    st.metric(
        "NPS after a negative experience",
        number(effect.nps_negative.value, "{:+.1f}"),
        delta=None if math.isnan(change.change) else f"{change.change:+.1f} pts vs the rest",
        delta_description=verdict,
        delta_color="normal" if change.significant else "off",
    )
    st.caption(
        f"{ci_text(effect.nps_negative.ci_low, effect.nps_negative.ci_high)} · "
        f"n = {effect.nps_negative.n:,} answers. The rest: "
        f"{number(effect.nps_rest.value, '{:+.1f}')} (n = {effect.nps_rest.n:,}). Difference "
        f"{ci_text(change.ci_low, change.ci_high)}, {p_text(change.p_value)}: {verdict}."
    )
with retention_col, st.container(border=True, key="drivers.effect_retention"):
    if not loaded.dataset.has("customers", "churn_date"):
        st.caption("Later retention needs customers.churn_date.")
    else:
        change = effect.retention_change
        verdict = "significant" if change.significant else "within noise"
        st.metric(
            f"Still active {followup} days later, after a negative experience",
            number(effect.retention_negative.value, "{:.1f}%"),
            delta=None if math.isnan(change.change) else f"{change.change:+.1f} pp vs the rest",
            delta_description=verdict,
            delta_color="normal" if change.significant else "off",
        )
        ratio = effect.churn_risk_ratio
        retained = effect.retention_negative
        st.caption(
            f"{ci_text(retained.ci_low, retained.ci_high, '{:.1f}')} · n = {retained.n:,} "
            f"customers. The rest: {number(effect.retention_rest.value, '{:.1f}%')} "
            f"(n = {effect.retention_rest.n:,}). Difference "
            f"{ci_text(change.ci_low, change.ci_high)} pp, {p_text(change.p_value)}: "
            f"{verdict}; a relative drop of {number(effect.retention_drop, '{:.1f}%')} (an "
            "industry study puts the loyalty drop at about 25%). Churn risk ratio "
            f"{number(ratio.value, '{:.2f}')} ({ci_text(ratio.ci_low, ratio.ci_high, '{:.2f}')})."
        )
st.caption(
    f"A negative experience is {NEGATIVE_DEFINITION}, in the {window} days before the answer "
    f"(or before {as_of:%d %b %Y} for retention). Retention counts the customers active on "
    f"{as_of:%d %b %Y} and still active {followup} days later; customers whose {followup} days "
    "are not yet over in the data are not followed. Customers with a negative experience "
    "differ in other ways too (they contact support more): an association, not a measured cause."
)
st.dataframe(
    effect.groups,
    hide_index=True,
    key="drivers.effect_groups",
    column_config={
        "value": st.column_config.NumberColumn("value", format="%.1f"),
        "ci_low": st.column_config.NumberColumn("95% CI low", format="%.1f"),
        "ci_high": st.column_config.NumberColumn("95% CI high", format="%.1f"),
        "n": st.column_config.NumberColumn("n", format="%d"),
    },
)
download_rows(effect.groups, name="negative_experience_effect", key="drivers.effect_rows")

st.subheader("What if a driver improved?")
nps_drivers = [k for k in chosen if k in nps_answers]
if nps_answers.empty or not nps_drivers:
    st.caption("Needs NPS answers and at least one chosen driver.")
else:
    nps_model = relative_importance(
        nps_answers[nps_drivers],
        nps_points(nps_answers["score"]),
        groups=nps_answers.get("customer_id"),
    )
    if nps_model.empty:
        for note in nps_model.attrs["notes"]:
            st.warning(note)
    else:
        driver_col, delta_col = st.columns(2)
        driver = driver_col.selectbox(
            "Driver", nps_model["driver"].tolist(), format_func=label, key="drivers.what_if"
        )
        rule = DRIVER_BY_KEY[driver]
        step = -0.1 if rule.key == "fcr_share" else -1.0
        delta = delta_col.number_input(
            f"Change per customer ({rule.unit})",
            value=-step if rule.higher_is_better else step,
            step=abs(step),
            key="drivers.what_if_delta",
        )
        expected = what_if(nps_model, driver, float(delta))
        significant = expected.ci_low > 0 or expected.ci_high < 0
        st.metric(
            "Expected change in NPS",
            f"{expected.value:+.1f} pts",
            delta="outside noise" if significant else "within noise",
            delta_color="off",
        )
        st.caption(
            f"{ci_text(expected.ci_low, expected.ci_high)} points · n = {expected.n:,} NPS "
            f"answers · {expected.method}."
        )
        st.warning(
            "This is an association in your data, not proof of cause: customers whose "
            f"experience on “{label(driver)}” was better may differ in other ways. It assumes "
            "every other chosen driver stays as it is.",
            icon=":material/info:",
        )
