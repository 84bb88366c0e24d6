"""``python -m dashboard.report``: the meeting pack without the UI, from the configured source."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation

from dashboard.report import main
from dashboard.sources import ENV_DEMO_PATH, ENV_MAPPING, ENV_URL
from data_connectors.workspace import ENV_URL as WORKSPACE_ENV_URL


@pytest.fixture
def demo_env(small_demo_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The embedded demo is the small test database; an empty workspace of the test's own."""
    monkeypatch.setenv(ENV_DEMO_PATH, str(small_demo_db))
    monkeypatch.setenv(WORKSPACE_ENV_URL, f"sqlite:///{tmp_path / 'workspace.sqlite'}")
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.delenv(ENV_MAPPING, raising=False)
    return tmp_path


def test_the_command_writes_the_last_complete_months_deck(demo_env, capsys):
    out = demo_env / "committee.pptx"
    assert main(["--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    deck = Presentation(io.BytesIO(out.read_bytes()))
    title = deck.slides[0].shapes.title.text
    assert title.startswith("Client committee — ")
    # The demo ends today, so its last complete month is the previous calendar month.
    assert any(s.shapes.title and s.shapes.title.text == "Scorecard" for s in deck.slides)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--month", "2026-13", "--out", "pack.html"], "YYYY-MM"),
        (["--month", "1999-01", "--out", "pack.html"], "no complete data for 1999-01"),
        (["--out", "pack.pdf"], "must end in .html or .pptx"),
    ],
)
def test_bad_arguments_exit_with_one_line_reason(demo_env, capsys, arguments, message):
    arguments = [a if not a.startswith("pack") else str(demo_env / a) for a in arguments]
    assert main(arguments) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: ") and message in error
    assert not any(demo_env.glob("pack.*"))


def test_an_unreadable_source_is_a_clear_error_not_a_traceback(demo_env, monkeypatch, capsys):
    monkeypatch.setenv(ENV_URL, f"sqlite:///{demo_env / 'missing' / 'helpdesk.db'}")
    assert main(["--out", str(demo_env / "pack.html")]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("error: ")
