"""Theme renames and merges in the workspace (SQLite, PostgreSQL, MariaDB): kept across a
restart, and re-attached to the same theme after it is re-learnt on refreshed data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from analysis.themes import apply_edits, learn_themes
from data_connectors.theme_edits import ThemeEdits
from data_connectors.workspace import Workspace

MIXED = Path(__file__).resolve().parents[1] / "data" / "mixed_language_complaints.csv"


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:
    workspace = Workspace.open(db_url)
    yield workspace
    workspace.close()


def test_renames_and_merges_survive_a_restart(db_url, workspace):
    edits = ThemeEdits(workspace)
    edits.rename("card charge payment refund twice", "Double charges — Платежи")
    edits.merge("app crash error login password", "card charge payment refund twice")
    edits.rename("app crash error login password", "App")  # keeps its merge
    workspace.close()
    reopened = ThemeEdits(Workspace.open(db_url))  # a restart: a new connection, same database
    table = reopened.read().set_index("signature")
    assert table.at["card charge payment refund twice", "label"] == "Double charges — Платежи"
    assert table.at["app crash error login password", "label"] == "App"
    assert (
        table.at["app crash error login password", "merge_into"]
        == "card charge payment refund twice"
    )
    reopened.reset("app crash error login password")
    assert reopened.read()["signature"].tolist() == ["card charge payment refund twice"]


def test_bad_edits_are_refused(workspace):
    edits = ThemeEdits(workspace)
    with pytest.raises(ValueError, match="label"):
        edits.rename("a b c", "   ")
    with pytest.raises(ValueError, match="itself"):
        edits.merge("a b c", "a b c")
    with pytest.raises(ValueError, match="longer"):
        edits.rename("a b c", "x" * 201)
    assert edits.read().empty


def test_an_edit_follows_its_theme_when_themes_are_re_learnt(workspace):
    """Rename the delivery theme, then refresh the data (more texts, another order): the
    re-learnt delivery theme — another id, slightly other terms — keeps the name."""
    texts = pd.read_csv(MIXED)
    before = learn_themes(texts["text"], n_themes=4)
    delivery_before = before.assignments[texts["topic"].eq("delivery").to_numpy()][0]
    signature = before.themes.at[delivery_before, "signature"]
    ThemeEdits(workspace).rename(signature, "Late deliveries")

    extra = [
        "The parcel is late again, the courier did not come",
        "Посылка опять задерживается, курьер не приехал",
        "I was charged twice and want my money back",
        "The app crashes whenever I open my account",
    ] * 5
    refreshed = pd.concat([texts["text"], pd.Series(extra)], ignore_index=True)
    refreshed = refreshed.sample(frac=1.0, random_state=7)
    after = learn_themes(refreshed, n_themes=4)
    table = apply_edits(after.themes, ThemeEdits(workspace).read())
    topics = pd.concat(
        [texts["topic"], pd.Series(["delivery", "delivery", "billing", "app"] * 5)],
        ignore_index=True,
    )
    topics = topics.loc[refreshed.index].to_numpy()
    delivery_after = pd.Series(after.assignments[topics == "delivery"]).mode()[0]
    named = table.set_index("theme_id")["label"]
    assert named[delivery_after] == "Late deliveries"
    assert (named.drop(delivery_after) != "Late deliveries").all()
