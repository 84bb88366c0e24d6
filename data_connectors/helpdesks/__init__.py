"""Presets for real helpdesk databases: read Chatwoot, Zammad, osTicket or GLPI as they are.

Each preset builds a :class:`~data_connectors.mapping.Mapping` of SQLAlchemy Core queries over
the product's own tables (identifiers quoted by SQLAlchemy; options such as a table prefix are
checked against an allow-list), and documents which canonical columns it fills and which it
cannot. ``data_connectors.sql.read_dataset(url, preset="osticket", table_prefix="ost_")`` reads
through one.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from data_connectors.mapping import Mapping

#: Preset key → module defining ``PRESET`` (imported on first use).
_MODULES = {
    "chatwoot": "data_connectors.helpdesks.chatwoot",
    "zammad": "data_connectors.helpdesks.zammad",
    "osticket": "data_connectors.helpdesks.osticket",
    "glpi": "data_connectors.helpdesks.glpi",
}
PRESET_KEYS: tuple[str, ...] = tuple(_MODULES)

#: What an identifier option (a table prefix, a schema name) may contain.
IDENTIFIER = re.compile(r"[A-Za-z0-9_]*")


@dataclass(frozen=True)
class HelpdeskPreset:
    """A helpdesk product's database read as the canonical tables.

    Attributes
    ----------
    key, product : str
        Stable key (``read_dataset(preset=key)``) and display name.
    backends : tuple of str
        SQLAlchemy backend names the product runs on (``"postgresql"``, ``"mysql"``).
    build : callable
        ``build(**options) -> Mapping``; options are those in ``options``.
    options : dict
        Option name → (default, help text), e.g. ``{"table_prefix": ("ost_", "...")}``.
    fills : dict
        Canonical table → the canonical columns the preset fills.
    cannot : dict
        Canonical ``table.column`` → why the product's database does not hold it.
    source : str
        The product's schema files the queries were written against (repository and path).
    notes : str
        Anything a user should know (ids used as customer_id, time zones, ...).
    """

    key: str
    product: str
    backends: tuple[str, ...]
    build: Callable[..., Mapping]
    options: dict[str, tuple[Any, str]] = field(default_factory=dict)
    fills: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cannot: dict[str, str] = field(default_factory=dict)
    source: str = ""
    notes: str = ""

    def mapping(self, **options: Any) -> Mapping:
        """The mapping for these options (unknown options raise ValueError)."""
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            allowed = ", ".join(self.options) or "none"
            raise ValueError(
                f"{self.key} has no option(s) {', '.join(unknown)} (allowed: {allowed})"
            )
        values = {name: default for name, (default, _) in self.options.items()} | options
        return self.build(**values)


def identifier_option(name: str, value: object) -> str:
    """``value`` if it is a safe identifier fragment (letters, digits, underscore), else ValueError.

    Options like a table prefix become part of table names; they are checked here and then still
    reach SQL only through SQLAlchemy's identifier quoting.
    """
    if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
        raise ValueError(f"{name} may hold only letters, digits and underscores, got {value!r}")
    return value


def get(key: str) -> HelpdeskPreset:
    """The preset ``key`` (one of :data:`PRESET_KEYS`); ValueError for anything else."""
    if key not in _MODULES:
        raise ValueError(f"unknown helpdesk preset {key!r} (known: {', '.join(PRESET_KEYS)})")
    return importlib.import_module(_MODULES[key]).PRESET
