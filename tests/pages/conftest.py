"""Page tests run the real app through AppTest on a small demo database."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.sources import ENV_DEMO_PATH, ENV_MAPPING, ENV_URL


@pytest.fixture()
def app_env(small_demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app's embedded demo at the small test database; no other source configured."""
    monkeypatch.setenv(ENV_DEMO_PATH, str(small_demo_db))
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.delenv(ENV_MAPPING, raising=False)
    return small_demo_db
