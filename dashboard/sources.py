"""Which data source is active: the one place that reads secrets, the environment and the
Data sources page's choice, in that order of precedence (page > secrets > environment > demo).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

REPO_ROOT = Path(__file__).resolve().parents[1]
SECRETS_CONNECTION = "helpdesk"  # [connections.helpdesk] in .streamlit/secrets.toml
ENV_URL = "LOYALTY_LENS_DATABASE_URL"
ENV_MAPPING = "LOYALTY_LENS_MAPPING"
ENV_PRESET = "LOYALTY_LENS_PRESET"
ENV_DEMO_PATH = "LOYALTY_LENS_DEMO_PATH"
PAGE_CHOICE_KEY = "data_sources.choice"  # set by the Data sources page


@dataclass(frozen=True)
class SourceSpec:
    """A configured source. ``url`` may hold credentials: never display it, use ``mask_url``.

    ``preset`` names a helpdesk product read as it is (:mod:`data_connectors.helpdesks`), with
    its ``options`` as (name, value) pairs; otherwise ``mapping_path`` or the canonical tables.
    """

    kind: str  # "demo" | "sql"
    url: str
    mapping_path: str | None
    origin: str  # where the setting came from, shown on the Data sources page
    preset: str | None = None
    options: tuple[tuple[str, str], ...] = ()

    def read_arguments(self) -> dict[str, object]:
        """Keyword arguments for ``read_dataset`` / ``source_version`` besides url and mapping."""
        return {"preset": self.preset, **dict(self.options)}


def demo_path() -> Path:
    """Where the embedded demo database lives (built on first start)."""
    return Path(os.environ.get(ENV_DEMO_PATH, REPO_ROOT / "var" / "demo.sqlite"))


def demo_spec() -> SourceSpec:
    return SourceSpec("demo", f"sqlite:///{demo_path()}", None, "embedded demo (default)")


def configured_source() -> SourceSpec:
    """The active source by precedence: Data sources page, secrets, environment, demo."""
    chosen = st.session_state.get(PAGE_CHOICE_KEY)
    if isinstance(chosen, SourceSpec):
        return chosen
    secret = _secret_connection()
    if secret.get("url"):
        return spec_from_secret(secret, "secrets.toml")
    if os.environ.get(ENV_URL):
        return SourceSpec(
            "sql",
            os.environ[ENV_URL],
            os.environ.get(ENV_MAPPING),
            ENV_URL,
            os.environ.get(ENV_PRESET),
        )
    return demo_spec()


def connect_form_allowed() -> bool:
    """May viewers point this server at another database from the Data sources page?

    Only on the embedded demo (nothing to protect) or when ``[loyalty_lens]
    allow_connect_form = true`` is set in secrets: on a configured deployment the form would let
    any viewer open any database or file the server can reach.
    """
    if configured_source().origin in (demo_spec().origin, "Data sources page"):
        return True
    return str(_secret_section("loyalty_lens").get("allow_connect_form", "")).lower() == "true"


def _secret_connection() -> dict[str, str]:
    return _secret_section("connections", SECRETS_CONNECTION)


def secret_connections() -> dict[str, SourceSpec]:
    """Every ``[connections.<name>]`` with a ``url`` in secrets.toml, by name. Pages show the
    names only: URLs may hold passwords."""
    names = list(_secret_section("connections"))
    sections = {name: _secret_section("connections", name) for name in names}
    return {
        name: spec_from_secret(section, f"secrets.toml [connections.{name}]")
        for name, section in sections.items()
        if section.get("url")
    }


def spec_from_secret(section: dict[str, str], origin: str) -> SourceSpec:
    """The source a ``[connections.<name>]`` section describes (other keys: preset options)."""
    options = tuple(
        sorted((k, v) for k, v in section.items() if k not in ("url", "mapping", "preset"))
    )
    return SourceSpec(
        "sql", section["url"], section.get("mapping"), origin, section.get("preset"), options
    )


def _secret_section(*path: str) -> dict[str, str]:
    """A section of secrets.toml as plain strings ({} when there is no secrets file)."""
    try:
        section = st.secrets
        for key in path:
            section = section.get(key, {})
    except FileNotFoundError:  # no secrets.toml at all: the normal case for the demo
        return {}
    return {key: str(value) for key, value in dict(section).items()}
