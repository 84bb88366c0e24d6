"""The client committee's month, assembled once for the page, the meeting pack and the CLI.

:func:`committee_month` gathers everything the committee looks at for one month (scorecard,
top complaint themes, suggestions, the action register with the effect of closed actions, KPI
trends); :func:`to_html` and :func:`to_pptx` turn it into a self-contained meeting pack. Nothing
here touches Streamlit's runtime or caches, so ``python -m dashboard.report`` can run it on a
schedule.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

from analysis import committee
from analysis.action_effect import (
    action_month,
    did_effect,
    kpi_panel,
    theme_panel,
    verdicts_after_fdr,
)
from analysis.committee import COLUMNS, DepartmentData
from analysis.definitions import METRICS, MetricDefinition
from analysis.kpis import survey_trend
from analysis.periods import by_period
from analysis.rates import FDR_LEVEL, rate_of
from analysis.service import ServiceStandards
from dashboard.charts import trend_with_band
from dashboard.widgets import format_change, format_value

#: Complete months of company-wide trend in the pack.
TREND_MONTHS = 12
#: Suggestions and themes listed per department in the pack.
PACK_SUGGESTIONS = 5
SIGNIFICANT_MARK = "✱"
THEME_SOURCES = {
    "themes": "complaint themes learnt from the contacts' text",
    "category": "the helpdesk's category field (complaint themes are not available)",
}


@dataclass(frozen=True)
class CommitteeData:
    """The data behind the committee's views.

    ``tickets`` and ``surveys`` carry the context columns (``dashboard.data.Loaded``);
    ``ticket_themes`` (``ticket_id``, ``theme``) or None to use the tickets' category;
    ``has(table, column)`` tells which canonical columns the source has.
    """

    customers: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    has: Callable[[str, str], bool]
    ticket_themes: pd.DataFrame | None = None
    standards: ServiceStandards | None = None
    source_name: str = ""


@dataclass(frozen=True)
class CommitteeMonth:
    """Everything the committee reviews for ``month`` (the month's first day)."""

    month: pd.Timestamp
    today: date | None  # None before the action register is added
    source_name: str
    scorecard: pd.DataFrame  # analysis.committee.scorecard
    missing: dict[str, list[str]]  # scorecard column → canonical columns that would enable it
    action_counts: pd.DataFrame  # department, open_actions, overdue_actions
    themes: pd.DataFrame  # analysis.committee.top_themes
    theme_source: str
    suggestions: pd.DataFrame  # analysis.committee.suggestions
    actions: pd.DataFrame  # the register with ``state`` (analysis.committee.due_state)
    effects: pd.DataFrame  # EFFECT_COLUMNS, one row per closed action
    trends: dict[str, pd.DataFrame]  # metric name → analysis.periods.by_period table


def theme_source(ticket_themes: pd.DataFrame | None) -> str:
    """ "themes" when complaint themes were learnt from text, else "category"."""
    if ticket_themes is None or ticket_themes.attrs.get("source") == "category":
        return "category"
    return "themes"


def department_data(data: CommitteeData) -> list[DepartmentData]:
    return committee.departments(data.customers, data.tickets, data.surveys, data.standards)


def data_months(data: CommitteeData) -> list[pd.Timestamp]:
    """The complete months the data covers, newest first (the month selector's options)."""
    stamps = pd.concat([data.tickets["created_at"], data.surveys["responded_at"]]).dropna()
    if stamps.empty:
        return []
    return committee.months_between(stamps.min(), stamps.max())


def _trends(data: CommitteeData, month: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Company-wide NPS, CSI and complaints per 1,000 contacts per month, up to ``month``."""
    first = month - pd.DateOffset(months=TREND_MONTHS - 1)
    last = committee.month_bounds(month)[1] + pd.Timedelta(days=1)
    tickets = data.tickets.loc[
        (data.tickets["created_at"] >= first) & (data.tickets["created_at"] < last)
    ]
    surveys = data.surveys.loc[
        (data.surveys["responded_at"] >= first) & (data.surveys["responded_at"] < last)
    ]
    trends = {}
    for key in ("nps", "csi"):
        if data.has("surveys", "score"):
            trends[METRICS[key].name] = survey_trend(surveys, key)
    if data.has("tickets", "is_complaint"):
        trends[METRICS["complaints_per_1000"].name] = by_period(
            tickets["is_complaint"],
            tickets["created_at"],
            lambda flags: committee.per_thousand(rate_of(flags)),
        )
    return trends


#: Columns of :attr:`CommitteeMonth.effects`.
EFFECT_COLUMNS = (
    "id",
    "department",
    "decision",
    "target_kind",
    "target",
    "action_month",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "verdict",
    "months_before",
    "months_after",
    "pre_trend_p",
    "recurred",
    "note",
)


def action_effect(
    data: CommitteeData, depts: list[DepartmentData], action: pd.Series
) -> tuple[dict[str, object], pd.DataFrame]:
    """The effect of one closed action (a row of ``EFFECT_COLUMNS``) and the gaps behind it."""
    start = action_month(action["due_date"], action["closed_at"])
    months = list(pd.date_range(start - pd.DateOffset(months=6), periods=13, freq="MS"))
    last_day = data.tickets["created_at"].max()
    months = [m for m in months if committee.month_bounds(m)[1] <= last_day]
    if action["target_kind"] == "theme":
        panel = theme_panel(data.tickets, action["target"], months, data.ticket_themes)
        lower_is_better = True
    elif action["target"] in COLUMNS:
        panel = kpi_panel(depts, action["target"], months)
        lower_is_better = not COLUMNS[action["target"]].definition.higher_is_better
    else:
        panel = pd.DataFrame(columns=["department", "month", "value", "n"])
        lower_is_better = False
    if action["target_kind"] == "theme" and not (panel["value"].fillna(0) > 0).any():
        panel = panel.iloc[0:0]  # the theme no longer exists (renamed, merged, or a category)
    effect = did_effect(panel, action["department"], start)
    if math.isnan(effect.estimate):
        verdict = "not enough data"
    elif not effect.significant:
        verdict = "within noise"
    else:
        verdict = "improved" if (effect.estimate < 0) == lower_is_better else "worsened"
    owner_after = panel.loc[
        (panel["department"] == action["department"]) & (panel["month"] > start)
    ]
    recurred = (
        int(round((owner_after["value"].fillna(0) * owner_after["n"] / 1000).sum()))
        if action["target_kind"] == "theme" and len(panel)
        else None
    )
    row = {
        "id": action["id"],
        "department": action["department"],
        "decision": action["decision"],
        "target_kind": action["target_kind"],
        "target": action["target"],
        "action_month": start,
        "estimate": effect.estimate,
        "ci_low": effect.ci_low,
        "ci_high": effect.ci_high,
        "p_value": effect.p_value,
        "q_value": math.nan,  # set over all closed actions by with_actions
        "verdict": verdict,
        "months_before": effect.months_before,
        "months_after": effect.months_after,
        "pre_trend_p": effect.pre_trend_p,
        "recurred": recurred,
        "note": " ".join(effect.warnings),
    }
    return row, effect.gaps


def month_base(data: CommitteeData, month: pd.Timestamp) -> CommitteeMonth:
    """The committee's view of ``month`` (any day of it) before the action register is added:
    scorecard, themes, suggestions and trends (what depends on the data only)."""
    month = committee.month_bounds(month)[0]
    usable, missing = committee.available_columns(data.has)
    card = committee.scorecard(department_data(data), month, usable)
    agents = data.tickets["agent"].dropna().unique() if "agent" in data.tickets else ()
    themes = (
        committee.top_themes(data.tickets, month, data.ticket_themes)
        if data.has("tickets", "is_complaint")
        else pd.DataFrame(columns=list(committee.THEME_COLUMNS))
    )
    ideas = (
        committee.suggestions(data.surveys, month, agents)
        if data.has("surveys", "comment")
        else pd.DataFrame(columns=list(committee.SUGGESTION_COLUMNS))
    )
    return CommitteeMonth(
        month=month,
        today=None,
        source_name=data.source_name,
        scorecard=card,
        missing=missing,
        action_counts=pd.DataFrame(columns=["department", "open_actions", "overdue_actions"]),
        themes=themes,
        theme_source=theme_source(data.ticket_themes),
        suggestions=ideas,
        actions=pd.DataFrame(),
        effects=pd.DataFrame(columns=list(EFFECT_COLUMNS)),
        trends=_trends(data, month),
    )


def with_actions(
    base: CommitteeMonth, data: CommitteeData, actions: pd.DataFrame, today: date
) -> CommitteeMonth:
    """``base`` with the action register as of ``today``: states, counts per department, and
    the effect of every closed action."""
    register = actions.assign(state=committee.due_state(actions, today))
    closed = register.loc[register["status"] == "closed"]
    depts = department_data(data) if len(closed) else []
    effects = pd.DataFrame(
        [action_effect(data, depts, row)[0] for _, row in closed.iterrows()],
        columns=list(EFFECT_COLUMNS),
    )
    effects["verdict"], effects["q_value"] = verdicts_after_fdr(
        effects["verdict"], effects["p_value"]
    )
    return replace(
        base,
        today=today,
        actions=register,
        action_counts=committee.action_counts(register, today),
        effects=effects,
    )


def committee_month(
    data: CommitteeData, month: pd.Timestamp, actions: pd.DataFrame, today: date
) -> CommitteeMonth:
    """Everything the committee reviews for ``month``, with the action register as of ``today``."""
    return with_actions(month_base(data, month), data, actions, today)


# ----------------------------------------------------------------------------- formatting


def _definition(key: str) -> MetricDefinition:
    return COLUMNS[key].definition


def _cell(row: pd.Series) -> str:
    """The cell "value [95% CI] · change ✱ · n" in the metric's units (✱: significant)."""
    unit = _definition(row["metric"]).unit
    parts = [format_value(row["value"], unit)]
    if not math.isnan(row["ci_low"]):
        low, high = format_value(row["ci_low"], unit), format_value(row["ci_high"], unit)
        parts[0] += f" [{low} – {high}]"
    if not math.isnan(row["change"]):
        mark = f" {SIGNIFICANT_MARK}" if row["significant"] else ""
        parts.append(f"{format_change(row['change'], unit)}{mark}")
    parts.append(f"n={row['n']:,}")
    return " · ".join(parts)


def scorecard_table(month: CommitteeMonth) -> pd.DataFrame:
    """The scorecard as the committee reads it: a row per department, a text cell per metric
    ("value (change ✱) · n"), then the open and overdue actions."""
    card = month.scorecard
    if card.empty:
        wide = pd.DataFrame(columns=["Department"])
    else:
        cells = card.assign(cell=card.apply(_cell, axis=1))
        wide = cells.pivot(index="department", columns="metric", values="cell")
        wide = wide[[k for k in COLUMNS if k in wide.columns]]
        wide.columns = [_definition(k).name for k in wide.columns]
        wide = wide.rename_axis("Department").reset_index()
    counts = month.action_counts.rename(
        columns={
            "department": "Department",
            "open_actions": "Open actions",
            "overdue_actions": "Overdue actions",
        }
    )
    wide = wide.merge(counts, on="Department", how="left")
    for column in ("Open actions", "Overdue actions"):
        wide[column] = wide[column].fillna(0).astype(int)
    return wide


def significance_note(month: CommitteeMonth) -> str:
    """How to read the scorecard's cells, said beside it."""
    family = month.scorecard.attrs.get("family_size", 0)
    before = committee.previous_month(month.month)[0]
    return (
        f"Each cell: the month's value [95% interval] · change against {before:%B %Y} · n. "
        f"{SIGNIFICANT_MARK} marks a change that is significant after holding the false-discovery "
        f"rate at {FDR_LEVEL:.0%} over all {family} tests of the table (Benjamini–Hochberg); "
        "every other change is within noise. Open and overdue actions are the register today "
        "(not a sample, so not tested)."
    )


def trend_figures(month: CommitteeMonth) -> dict[str, go.Figure]:
    return {
        name: trend_with_band(table, title=name, y_title=name)
        for name, table in month.trends.items()
        if not table.empty
    }


def action_lists(month: CommitteeMonth) -> dict[str, pd.DataFrame]:
    """The register split as the pack shows it: new this month, due soon, overdue, closed."""
    register = month.actions
    shown = ["id", "department", "decision", "target", "owner_role", "due_date", "status"]
    label = f"{month.month:%Y-%m}"
    return {
        "New this month": register.loc[register["meeting_month"] == label, shown],
        "Due soon": register.loc[register["state"] == "due soon", shown],
        "Overdue": register.loc[register["state"] == "overdue", shown],
    }


def target_name(kind: str, target: str) -> str:
    """An action's target as shown: the KPI's name, or the theme."""
    return COLUMNS[target].definition.name if kind == "kpi" and target in COLUMNS else target


def effect_table(month: CommitteeMonth) -> pd.DataFrame:
    """Closed actions with their effect, for display."""
    effects = month.effects
    return pd.DataFrame(
        {
            "Action": effects["id"],
            "Department": effects["department"],
            "Decision": effects["decision"],
            "Target": [
                target_name(kind, target)
                for kind, target in zip(effects["target_kind"], effects["target"], strict=True)
            ],
            "Action month": effects["action_month"].map(lambda m: f"{m:%b %Y}"),
            "Effect (95% CI)": [
                "—" if math.isnan(e) else f"{e:+.1f} ({lo:+.1f} to {hi:+.1f})"
                for e, lo, hi in zip(
                    effects["estimate"], effects["ci_low"], effects["ci_high"], strict=True
                )
            ],
            "Verdict": effects["verdict"],
            "Recurred (theme complaints after)": effects["recurred"].astype("Int64"),
            "Note": effects["note"],
        }
    )


# ---------------------------------------------------------------------------------- HTML

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2329}
h1{margin-bottom:0}h2{margin-top:2rem;border-bottom:1px solid #d0d5da}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #d0d5da;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f5}.note{color:#5c6670;font-size:.85rem}
blockquote{margin:.25rem 0 .25rem 1rem;color:#39424a;font-style:italic}
"""


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p class='note'>None.</p>"
    return frame.to_html(index=False, escape=True, na_rep="—", border=0)


def _p(text: str, css: str = "note") -> str:
    return f"<p class='{css}'>{html.escape(text)}</p>"


METHOD_NOTE = (
    "Effect of a closed action: difference-in-differences — the change of the owner "
    "department's monthly gap to the other departments from up to 6 months before to up to 6 "
    "months after the action month (the earlier of the due date and the closing), OLS with "
    "Newey–West errors. “Improved” or “worsened” only when significant after Benjamini–Hochberg "
    "over all closed actions (q < 0.05). It assumes the gap would otherwise have stayed level "
    "(parallel trends) and shows association, not proof of cause."
)


def to_html(month: CommitteeMonth) -> bytes:
    """The meeting pack as one self-contained HTML file (plotly.js inline, no network)."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Client committee — {month.month:%B %Y}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Client committee — {month.month:%B %Y}</h1>",
        _p(
            f"Source: {month.source_name or 'configured source'} · produced "
            f"{datetime.now():%d %b %Y %H:%M} · departments, not people: no agent is named."
        ),
        "<h2>Scorecard</h2>",
        _table(scorecard_table(month)),
        _p(significance_note(month)),
    ]
    if month.missing:
        parts.append(_p(missing_note(month.missing)))
    parts += [
        "<h2>Top complaint themes per department</h2>",
        _p(f"Themes from {THEME_SOURCES[month.theme_source]}."),
    ]
    for department, rows in month.themes.groupby("department", sort=True):
        parts.append(f"<h3>{html.escape(str(department))}</h3>")
        parts.append(_table(theme_rows(rows)))
        for theme, examples in zip(rows["theme"], rows["examples"], strict=True):
            for quote in filter(None, str(examples).split(" ¶ ")):
                parts.append(
                    f"<blockquote>{html.escape(str(theme))}: “{html.escape(quote)}”</blockquote>"
                )
    parts.append("<h2>Customer suggestions</h2>")
    parts.append(
        _p(
            f"{len(month.suggestions)} of {month.suggestions.attrs.get('comments', 0)} comments "
            "propose something (cue words, see the page)."
        )
    )
    for department, rows in month.suggestions.groupby("department", sort=True):
        parts.append(f"<h3>{html.escape(str(department))}</h3>")
        for _, row in rows.head(PACK_SUGGESTIONS).iterrows():
            parts.append(f"<blockquote>“{html.escape(str(row['comment']))}”</blockquote>")
    parts.append("<h2>Actions</h2>")
    for title, rows in action_lists(month).items():
        parts += [f"<h3>{title}</h3>", _table(rows)]
    parts += ["<h3>Closed, with effect</h3>", _table(effect_table(month)), _p(METHOD_NOTE)]
    parts.append("<h2>KPI trends (whole company)</h2>")
    for index, figure in enumerate(trend_figures(month).values()):
        parts.append(figure.to_html(full_html=False, include_plotlyjs=index == 0))
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def theme_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`analysis.committee.top_themes` as the committee reads them."""
    return pd.DataFrame(
        {
            "Theme": rows["theme"],
            "Complaints": rows["complaints"],
            "Share of department's complaints": [
                f"{s:.0f}% ({lo:.0f}–{hi:.0f}%)"
                for s, lo, hi in zip(
                    rows["share"], rows["share_low"], rows["share_high"], strict=True
                )
            ],
            "Previous month": rows["previous"],
            "Change": [
                f"{c:+d}{' ' + SIGNIFICANT_MARK if s else ''}"
                for c, s in zip(rows["change"].astype(int), rows["significant"], strict=True)
            ],
        }
    )


def missing_note(missing: dict[str, list[str]]) -> str:
    """Which scorecard columns are not shown, and which source columns would enable them."""
    return "Not shown: " + "; ".join(
        f"{_definition(key).name} (needs {', '.join(columns)})" for key, columns in missing.items()
    )


# ---------------------------------------------------------------------------------- PPTX


def _title(slide, text: str) -> None:
    slide.shapes.title.text = text


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _add_table(slide, frame: pd.DataFrame, top: float = 1.3, font: int = 10) -> None:
    rows, cols = len(frame) + 1, max(len(frame.columns), 1)
    shape = slide.shapes.add_table(rows, cols, Inches(0.3), Inches(top), Inches(12.7), Inches(0.3))
    table = shape.table
    for j, name in enumerate(frame.columns):
        table.cell(0, j).text = str(name)
    for i, values in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(values):
            table.cell(i, j).text = "—" if _missing(value) else str(value)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(font)


def to_pptx(month: CommitteeMonth) -> bytes:
    """The meeting pack as a PowerPoint deck with native tables and line charts."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = f"Client committee — {month.month:%B %Y}"
    cover.placeholders[
        1
    ].text = f"{month.source_name or 'Configured source'} · departments, not people"
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    _title(slide, "Scorecard")
    _add_table(slide, scorecard_table(month), font=9)
    _text_slide_note(slide, significance_note(month))
    for department, rows in month.themes.groupby("department", sort=True):
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        _title(slide, f"{department}: top complaint themes")
        _add_table(slide, theme_rows(rows))
        quotes = [
            f"{theme}: “{quote}”"
            for theme, examples in zip(rows["theme"], rows["examples"], strict=True)
            for quote in filter(None, str(examples).split(" ¶ "))
        ][:4]
        ideas = month.suggestions.loc[month.suggestions["department"] == department, "comment"]
        box = slide.shapes.add_textbox(Inches(0.5), Inches(3.6), Inches(12.3), Inches(3.6))
        box.text_frame.word_wrap = True
        lines = quotes + [f"Suggestion: “{text}”" for text in ideas.head(3)]
        for index, line in enumerate(lines):
            paragraph = (
                box.text_frame.paragraphs[0] if index == 0 else box.text_frame.add_paragraph()
            )
            paragraph.text = line[:300]
            paragraph.font.size = Pt(11)
    for title, rows in action_lists(month).items():
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        _title(slide, f"Actions: {title.lower()}")
        _add_table(slide, rows.astype(str) if not rows.empty else pd.DataFrame({"": ["None."]}))
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    _title(slide, "Closed actions: did they work?")
    effects = effect_table(month)
    _add_table(slide, effects if not effects.empty else pd.DataFrame({"": ["None."]}), font=9)
    _text_slide_note(slide, METHOD_NOTE)
    for name, table in month.trends.items():
        if table.empty:
            continue
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        _title(slide, f"Trend: {name} (whole company)")
        chart_data = CategoryChartData()
        chart_data.categories = [f"{p:%b %Y}" for p in table["period"]]
        for series, column in (
            (name, "value"),
            ("95% CI low", "ci_low"),
            ("95% CI high", "ci_high"),
        ):
            chart_data.add_series(series, [None if pd.isna(v) else float(v) for v in table[column]])
        chart = slide.shapes.add_chart(
            XL_CHART_TYPE.LINE, Inches(0.5), Inches(1.3), Inches(12.3), Inches(5.8), chart_data
        ).chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _text_slide_note(slide, text: str) -> None:
    note = slide.shapes.add_textbox(Inches(0.3), Inches(6.6), Inches(12.7), Inches(0.8))
    note.text_frame.word_wrap = True
    note.text_frame.text = text
    note.text_frame.paragraphs[0].font.size = Pt(9)
