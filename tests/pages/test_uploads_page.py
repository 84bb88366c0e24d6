"""The upload panel through AppTest: recognise, check, store once, ask about ambiguous dates."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from data_connectors.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"


def _panel(path: str) -> None:
    from pathlib import Path

    from dashboard.uploading import upload_panel

    file = Path(path)
    upload_panel(file.read_bytes(), file.name)


def _panel_app(path: Path) -> AppTest:
    at = AppTest.from_function(_panel, args=(str(path),), default_timeout=60)
    at.run()
    return at


def _key(path: Path) -> str:
    return "uploads." + hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_a_recognised_export_is_checked_and_stored_once(app_env):
    path = DATA / "presets" / "zendesk_tickets.csv"
    at = _panel_app(path)
    assert not at.exception
    assert any("Zendesk" in c.value for c in at.caption)
    assert {m.label: m.value for m in at.metric}["Rows accepted"] == "3"
    at.button(key=f"{_key(path)}.store").click().run()
    assert any("Stored: 3 new and 0 updated tickets rows" in s.value for s in at.success)
    at.button(key=f"{_key(path)}.store").click().run()
    assert any("already stored" in i.value for i in at.info)
    assert Workspace.open().row_counts()["tickets"] == 3


def test_ambiguous_dates_make_the_panel_ask(app_env, tmp_path):
    path = tmp_path / "delighted.csv"
    path.write_text(
        "Response ID,Person ID,Email,Name,Score,Comment,Response timestamp,Tags,Notes\n"
        "1,p1,a@example.com,A,9,Great,03/04/2024 10:00,,\n"
        "2,p2,b@example.com,B,4,Slow,05/06/2024 11:30,,\n",
        encoding="utf-8",
    )
    at = _panel_app(path)
    assert not at.exception
    (question,) = [r for r in at.radio if "read both ways" in r.label]
    assert "03/04/2024 10:00" in question.label
    question.set_value("Day (31.01.2024)").run()
    assert {m.label: m.value for m in at.metric}["Rows accepted"] == "2"


def test_an_unknown_layout_is_mapped_by_hand_with_suggestions(app_env):
    path = DATA / "womens_clothing_reviews_first2000.csv"
    at = _panel_app(path)
    assert not at.exception
    assert at.selectbox(key=f"{_key(path)}.layout").value == "Map the columns myself"
    assert at.selectbox(key=f"{_key(path)}.table").value == "surveys"
    assert any("Map a file column to:" in i.value and "response_id" in i.value for i in at.info)


def test_an_unknown_file_is_mapped_by_hand_and_stored(app_env, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(
        "ID;Who;When;Stars\nr1;c1;31.01.2024 10:00;5\nr2;c2;01.02.2024 11:00;2\n", encoding="utf-8"
    )
    key = _key(path)
    at = _panel_app(path)
    at.selectbox(key=f"{key}.table").set_value("surveys").run()
    # The editor's rows follow the canonical surveys columns (survey_type is asked apart):
    # 0 response_id, 1 customer_id, 2 ticket_id, 3 responded_at, 4 score.
    at.session_state[f"{key}.surveys.columns"] = {
        "edited_rows": {
            0: {"file column": "ID"},
            1: {"file column": "Who"},
            3: {"file column": "When"},
            4: {"file column": "Stars"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.selectbox(key=f"{key}.survey_type").set_value("csat").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Rows accepted"] == "2"
    at.button(key=f"{key}.store").click().run()
    stored = Workspace.open().read().surveys.set_index("response_id")
    assert stored.loc["r1", "responded_at"] == pd.Timestamp("2024-01-31 10:00")
    assert stored["score"].tolist() == [5.0, 2.0]


def _two_copies(path: str) -> None:
    from pathlib import Path

    from dashboard.uploading import upload_panels

    content = Path(path).read_bytes()
    upload_panels([("export_a.csv", content), ("export_a_copy.csv", content)])


def test_the_same_file_twice_in_one_batch_is_shown_once(app_env):
    path = DATA / "presets" / "zendesk_tickets.csv"
    at = AppTest.from_function(_two_copies, args=(str(path),), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("same content as **export_a.csv**" in c.value for c in at.caption)
    assert [h.value for h in at.subheader] == ["export_a.csv"]


def test_storing_again_offers_to_replace_the_earlier_upload(app_env):
    path = DATA / "presets" / "zendesk_tickets.csv"
    at = _panel_app(path)
    store = f"{_key(path)}.store"
    at.button(key=store).click().run()
    at.button(key=store).click().run()
    assert any("already stored as upload #1" in i.value for i in at.info)
    at.button(key=f"{_key(path)}.replace").click().run()
    assert any("Stored: 3 new" in s.value for s in at.success)
    assert Workspace.open().uploads()["id"].tolist() == [2]
