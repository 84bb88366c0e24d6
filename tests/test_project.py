"""Project rules that keep the layers honest and the README true."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_analysis_and_connectors_never_import_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("analysis", "data_connectors")
        for path in (ROOT / folder).rglob("*.py")
        if "streamlit" in _imports(path)
    ]
    assert offenders == []


def test_analysis_does_no_io():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "analysis").rglob("*.py")
        if _imports(path) & {"sqlalchemy", "sqlite3", "requests", "urllib", "os", "pathlib"}
    ]
    assert offenders == []


def _readme_commands() -> list[str]:
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", README, flags=re.S)


def test_readme_starts_with_the_two_commands():
    app_command, test_command = _readme_commands()[:2]
    assert "streamlit run dashboard/app.py" in app_command
    assert "pytest" in test_command


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = _readme_commands()[1].strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_requirements_pin_compatible_ranges():
    for name in ("requirements.txt",):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert ">=" in line and "<" in line, f"{name}: {line!r} is not a compatible range"


def test_every_registered_page_exists_and_no_file_is_unregistered():
    app = (ROOT / "dashboard" / "app.py").read_text()
    registered = set(re.findall(r'st\.Page\(\s*"\.\./pages/(\w+\.py)"', app))
    on_disk = {p.name for p in (ROOT / "pages").glob("*.py")}
    assert registered == on_disk


def test_pytest_markers_are_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    markers = " ".join(config["tool"]["pytest"]["ini_options"]["markers"])
    assert "database" in markers and "browser" in markers


def test_code_passes_the_linter_and_formatter():
    folders = ["analysis", "dashboard", "data_connectors", "pages", "tests", "benchmarks"]
    ruff = [sys.executable, "-m", "ruff"]
    lint = subprocess.run([*ruff, "check", *folders], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    form = subprocess.run(
        [*ruff, "format", "--check", *folders], cwd=ROOT, capture_output=True, text=True
    )
    assert form.returncode == 0, form.stdout


def test_every_setting_is_documented_in_the_readme():
    from data_connectors.settings import SETTINGS

    undocumented = [s.name for s in SETTINGS if f"| `{s.name}` |" not in README]
    assert undocumented == []


def test_unknown_settings_are_refused(tmp_path):
    import pytest

    from data_connectors.settings import load_settings

    path = tmp_path / "loyalty_lens.toml"
    path.write_text("min_group_sise = 10\n")
    with pytest.raises(ValueError, match="unknown setting.*min_group_sise"):
        load_settings(path)
    path.write_text("min_group_size = 10\n")
    assert load_settings(path)["min_group_size"] == 10


def test_the_settings_example_names_every_setting_and_its_examples_load(tmp_path):
    """loyalty_lens.toml.example with its commented examples switched on is a valid settings file
    that sets every setting, and its standards and opening hours are accepted as written."""
    from analysis.calendar import BusinessCalendar
    from analysis.service import ServiceStandards
    from data_connectors.settings import SETTINGS, load_settings

    text = (ROOT / "loyalty_lens.toml.example").read_text()
    switched_on = re.sub(r"^# (?=\[|\w+ = |    \{|\])", "", text, flags=re.M)
    path = tmp_path / "loyalty_lens.toml"
    path.write_text(switched_on)
    settings = load_settings(path)
    assert set(tomllib.loads(switched_on)) == {s.name for s in SETTINGS}
    assert ServiceStandards.from_mapping(settings["standards"]).email_tiers[2].target == 100
    assert BusinessCalendar.from_mapping(settings["business_hours"]).day_seconds == 9 * 3600
