"""The Complaint themes page through AppTest on the small demo database."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from tests.pages.apptest import PAGES, new_app

PAGE = PAGES["complaint_themes"]


def _read(db: Path, sql: str) -> pd.DataFrame:
    with sqlite3.connect(db) as connection:
        return pd.read_sql(sql, connection)


def _open(db: Path):
    at = new_app()
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _frame_with(at, column: str) -> pd.DataFrame:
    """Read-only dataframes keep no key in AppTest: find the one with ``column``."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def test_the_theme_table_counts_every_complaint_of_the_period(app_env):
    at = _open(app_env)
    assert at.title[0].value == "Complaint themes"
    table = _frame_with(at, "baseline_share")
    # Independently: complaints created in the default period (the last 90 days with data).
    tickets = _read(app_env, "SELECT created_at, is_complaint FROM tickets")
    answers = _read(app_env, "SELECT max(responded_at) AS t FROM surveys")
    last = max(pd.to_datetime(tickets["created_at"]).max(), pd.to_datetime(answers["t"]).iloc[0])
    last = last.normalize()
    day = pd.to_datetime(tickets["created_at"]).dt.normalize()
    in_period = (day >= last - timedelta(days=89)) & (day <= last)
    expected = int((in_period & tickets["is_complaint"].astype(bool)).sum())
    assert expected > 0
    assert table["count"].sum() == expected  # every demo ticket has words to theme
    assert (table["total"] == expected).all()
    assert table["share"].sum() == pytest.approx(100.0)
    assert table["q_value"].ge(table["p_value"]).all()
    words = _frame_with(at, "text")  # the verbatims of the first theme, masked
    assert len(words) > 0
    assert not words["text"].str.contains(r"[\w.]+@[\w]+\.\w+", regex=True).any()


def test_renaming_a_theme_is_kept_after_a_restart(app_env):
    at = _open(app_env)
    first = at.selectbox(key="themes.edit_theme").options[0]
    at.selectbox(key="themes.edit_theme").select_index(0)
    at.text_input(key="themes.new_name").input("Доставка и курьеры").run()
    at.button(key="themes.rename").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Доставка и курьеры" in at.selectbox(key="themes.verbatim_theme").options
    restarted = _open(app_env)  # a new session on the same workspace database
    assert "Доставка и курьеры" in restarted.selectbox(key="themes.verbatim_theme").options
    assert restarted.selectbox(key="themes.edit_theme").options[0].startswith("Доставка")
    assert first != restarted.selectbox(key="themes.edit_theme").options[0]


def test_merging_two_themes_counts_them_as_one(app_env):
    at = _open(app_env)
    before = len(_frame_with(at, "baseline_share"))
    at.selectbox(key="themes.edit_theme").select_index(1)
    at.selectbox(key="themes.merge_into").select_index(0)
    at.button(key="themes.merge").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(_frame_with(at, "baseline_share")) == before - 1


def test_without_any_text_the_category_field_is_used_with_a_note(edited_demo):
    copy = edited_demo(
        "UPDATE tickets SET subject = NULL, text = NULL", "UPDATE surveys SET comment = NULL"
    )
    at = _open(copy)
    assert any("category field" in info.value for info in at.info)
    categories = set(_read(copy, "SELECT DISTINCT category FROM tickets")["category"])
    assert set(at.selectbox(key="themes.verbatim_theme").options) <= categories
