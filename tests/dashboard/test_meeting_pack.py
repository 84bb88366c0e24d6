"""The meeting pack on the small demo: a self-contained HTML file and a PowerPoint deck that
python-pptx opens, with the scorecard, themes, suggestions, actions and trends, and no agent."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from analysis.views import survey_context, ticket_context
from dashboard import meeting_pack
from data_connectors.actions import ActionStore
from data_connectors.sql import read_dataset
from data_connectors.workspace import Workspace

TODAY = date(2030, 1, 1)  # every open action below is overdue by then


@pytest.fixture(scope="module")
def pack(small_demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    dataset, _ = read_dataset(f"sqlite:///{small_demo_db}")
    data = meeting_pack.CommitteeData(
        customers=dataset.customers,
        tickets=ticket_context(dataset.tickets, dataset.customers),
        surveys=survey_context(dataset.surveys, dataset.tickets, dataset.customers),
        has=dataset.has,
        source_name="small demo",
    )
    month = meeting_pack.data_months(data)[0]
    workspace = Workspace.open(f"sqlite:///{tmp_path_factory.mktemp('ws') / 'w.sqlite'}")
    store = ActionStore(workspace)
    department = sorted(data.tickets["department"].dropna().unique())[0]
    fields = {
        "meeting_month": f"{month:%Y-%m}",
        "department": department,
        "target_kind": "kpi",
        "target": "fcr",
        "owner_role": "Head of department",
        "status": "open",
    }
    store.create("Anna", decision="Overdue decision", due_date=date(2029, 12, 1), **fields)
    closed = store.create(
        "Anna", decision="Closed decision", due_date=month - pd.DateOffset(months=3), **fields
    )
    store.update(closed, {"status": "closed"}, "Anna")
    actions = store.actions()
    workspace.close()
    return data, meeting_pack.committee_month(data, month, actions, TODAY), small_demo_db


def test_scorecard_complaints_equal_an_independent_count(pack):
    data, month, db = pack
    first, last = f"{month.month:%Y-%m-%d}", f"{month.month + pd.offsets.MonthEnd(0):%Y-%m-%d}"
    with sqlite3.connect(db) as connection:
        counts = pd.read_sql(
            "SELECT department, SUM(is_complaint) AS complaints FROM tickets "
            "WHERE date(created_at) BETWEEN ? AND ? GROUP BY department",
            connection,
            params=(first, last),
        ).set_index("department")["complaints"]
    table = meeting_pack.scorecard_table(month).set_index("Department")
    for department, expected in counts.items():
        assert table.loc[department, "Complaints"].startswith(f"{int(expected)} [")


def test_html_is_self_contained_and_has_every_section(pack):
    data, month, _ = pack
    page = meeting_pack.to_html(month).decode("utf-8")
    assert not re.search(r"<script[^>]+src=", page) and "<link" not in page  # nothing fetched
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js inline
    for text in (
        f"Client committee — {month.month:%B %Y}",
        "Scorecard",
        "Top complaint themes per department",
        "Customer suggestions",
        "Overdue decision",
        "Closed decision",
        "difference-in-differences",
        "Benjamini–Hochberg",
    ):
        assert text in page, text
    agents = data.tickets["agent"].dropna().unique()
    assert len(agents) and not any(agent in page for agent in agents)


def test_pptx_opens_with_native_tables_and_charts(pack):
    _, month, _ = pack
    deck = Presentation(io.BytesIO(meeting_pack.to_pptx(month)))
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title]
    assert titles[0] == f"Client committee — {month.month:%B %Y}"
    assert "Scorecard" in titles and "Closed actions: did they work?" in titles
    assert "Actions: overdue" in titles
    scorecard = deck.slides[titles.index("Scorecard")]
    (table,) = [shape.table for shape in scorecard.shapes if shape.has_table]
    departments = {table.cell(i, 0).text for i in range(1, len(table.rows))}
    assert departments == set(month.scorecard["department"])
    charts = [shape for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) == len(month.trends)


def test_closed_action_effect_and_register_states(pack):
    _, month, _ = pack
    assert month.effects["decision"].tolist() == ["Closed decision"]
    effect = month.effects.iloc[0]
    assert effect["verdict"] in {"improved", "worsened", "within noise", "not enough data"}
    assert effect["months_before"] >= 2
    lists = meeting_pack.action_lists(month)
    assert lists["Overdue"]["decision"].tolist() == ["Overdue decision"]
    assert set(lists["New this month"]["decision"]) == {"Overdue decision", "Closed decision"}
