"""The app's settings: one declared table (name, default, help), read from a small TOML file.

``loyalty_lens.toml`` at the repository root (or the file named by ``LOYALTY_LENS_SETTINGS``)
overrides any default; see ``loyalty_lens.toml.example``. Unknown names are an error that names
them, so a typo never passes silently.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV_PATH = "LOYALTY_LENS_SETTINGS"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "min_group_size",
        30,
        "Groups with fewer answers or contacts are greyed, not ranked and not tested.",
    ),
    Setting(
        "immediate_response_seconds",
        60,
        "A first response within this many seconds counts as immediate.",
    ),
    Setting(
        "standards",
        {},
        "Service speed standards (analysis.service.ServiceStandards.from_mapping); empty keeps "
        "the defaults: voice and chat 80% within 30 s; e-mail 50% in 2 h, 80% in 12 h and "
        "100% in 24 h.",
    ),
    Setting(
        "business_hours",
        {},
        "Opening hours for times counted in business hours (days, open, close, holidays); "
        "empty counts calendar time.",
    ),
    Setting(
        "driver_window_days",
        90,
        "Drivers page: days of service experience counted before each answer or snapshot.",
    ),
    Setting(
        "driver_followup_days",
        90,
        "Drivers page: days after the snapshot in which churn (later retention) is looked for.",
    ),
    Setting(
        "followup_target_minutes",
        60,
        "Low scores should be contacted within this many minutes of the answer (Follow-up page).",
    ),
    Setting(
        "recurrence_days",
        30,
        "Complaint themes page: a complaint on the same theme by the same customer within this "
        "many days counts as a recurrence.",
    ),
)
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


def settings_path() -> Path:
    return Path(os.environ.get(ENV_PATH, REPO_ROOT / "loyalty_lens.toml"))


def load_settings(path: Path | None = None) -> dict[str, Any]:
    """The defaults overridden by the settings file, if there is one.

    Raises
    ------
    ValueError
        The file cannot be parsed, or names a setting that does not exist.
    """
    path = path or settings_path()
    if not path.exists():
        return dict(DEFAULTS)
    try:
        with path.open("rb") as file:
            given = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"settings file {path}: {exc}") from None
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise ValueError(
            f"settings file {path}: unknown setting(s) {', '.join(unknown)} "
            f"(known: {', '.join(DEFAULTS)})"
        )
    return {**DEFAULTS, **given}
