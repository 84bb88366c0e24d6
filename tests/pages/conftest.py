"""Page tests run the real app through AppTest on a small demo database."""

from __future__ import annotations

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
