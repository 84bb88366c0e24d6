"""Page tests run the real app through AppTest on a small demo database."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from dashboard.sources import ENV_DEMO_PATH, ENV_MAPPING, ENV_URL
from data_connectors.workspace import ENV_URL as WORKSPACE_ENV_URL


@pytest.fixture()
def app_env(small_demo_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the app's embedded demo at the small test database; no other source configured;
    an empty workspace of the test's own."""
    monkeypatch.setenv(ENV_DEMO_PATH, str(small_demo_db))
    monkeypatch.setenv(WORKSPACE_ENV_URL, f"sqlite:///{tmp_path / 'workspace.sqlite'}")
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.delenv(ENV_MAPPING, raising=False)
    return small_demo_db


@pytest.fixture()
def edited_demo(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Path]:
    """``edited_demo(*statements)``: a copy of the small demo with the SQL statements applied
    (each a string, or a ``(sql, rows)`` pair for ``executemany``), made the app's demo."""

    def edit(*statements: str | tuple[str, list[tuple]]) -> Path:
        path = tmp_path / "edited_demo.sqlite"
        shutil.copy(app_env, path)
        with sqlite3.connect(path) as connection:
            for statement in statements:
                if isinstance(statement, str):
                    connection.execute(statement)
                else:
                    connection.executemany(*statement)
        monkeypatch.setenv(ENV_DEMO_PATH, str(path))
        return path

    return edit
