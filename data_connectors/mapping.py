"""Where each canonical table comes from in a helpdesk database: a small declarative mapping.

A mapping names, per canonical table, either a source table (``table``, optionally ``schema``)
or a custom query (``sql``), plus ``columns`` that rename source columns to canonical ones
(``canonical_name = "source column"``). A canonical column not listed in ``columns`` is read
from the source column of the same name when the source has it. Mappings load from a TOML file
(see ``data_connectors/mappings/example_custom.toml``) or a dict of the same shape::

    schema = "helpdesk"            # optional default schema for every table

    [tickets]
    table = "conv"                 # or: sql = "SELECT ..."
    [tickets.columns]
    ticket_id = "id"
    created_at = "Opened At"

Canonical table and column names are checked against :mod:`data_connectors.schema` (an
allow-list); source names are plain strings that reach SQL only through SQLAlchemy's identifier
quoting. Custom SQL is trusted configuration written by whoever sets up the source, never user
input.
"""

from __future__ import annotations

import tomllib
from collections import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from data_connectors.schema import TABLES

#: Keys allowed in one table's entry.
TABLE_KEYS = ("table", "schema", "sql", "columns")


@dataclass(frozen=True)
class TableMapping:
    """The source of one canonical table: a source ``table`` (in ``schema``), a ``sql`` query,
    or a SQLAlchemy Core ``query`` (what helpdesk presets use: joins built from quoted
    identifiers, no SQL text).

    ``columns`` maps canonical column names to source column names. ``missing_ok`` makes an
    absent source table mean "not supplied" instead of a schema error (used by
    :meth:`Mapping.identity` for optional canonical tables). ``needs`` names the source tables a
    ``query`` reads, as ``(schema, table)``: each is checked before reading, so a missing one is
    reported by name.
    """

    table: str | None = None
    schema: str | None = None
    sql: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    missing_ok: bool = False
    query: sa.Select | None = None
    needs: tuple[tuple[str | None, str], ...] = ()

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.table, self.sql, self.query)) != 1:
            raise ValueError("give exactly one of 'table', 'sql' or a query")
        if self.sql is not None and self.schema is not None:
            raise ValueError("'schema' applies to 'table' only; qualify names inside 'sql'")
        for key, value in (("table", self.table), ("schema", self.schema), ("sql", self.sql)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"'{key}' must be a non-empty string")
        bad = [k for k, v in self.columns.items() if not isinstance(v, str) or not v]
        if bad:
            raise ValueError(f"source column names must be non-empty strings: {', '.join(bad)}")
        if self.sql is not None:
            # a trailing ";" would break the subquery the query is wrapped in
            object.__setattr__(self, "sql", self.sql.strip().rstrip(";").rstrip())

    def signature(self) -> str:
        """A stable text of where the table comes from (queries as their SQL, not their id)."""
        query = str(self.query) if self.query is not None else None
        return repr((self.table, self.schema, self.sql, sorted(self.columns.items()), query))

    def source_column(self, canonical: str) -> str:
        """The source column that holds canonical column ``canonical``."""
        return self.columns.get(canonical, canonical)

    def describe(self) -> str:
        """Where the table comes from, for messages: ``source table 'support.conv'``."""
        if self.query is not None:
            names = ", ".join(f"'{s}.{t}'" if s else f"'{t}'" for s, t in self.needs)
            return f"a query over {names}"
        if self.sql is not None:
            return "custom SQL"
        qualified = f"{self.schema}.{self.table}" if self.schema else self.table
        return f"source table '{qualified}'"


@dataclass(frozen=True)
class Mapping:
    """Canonical table name → :class:`TableMapping`. Every required canonical table is mapped;
    an optional one (``qa_reviews``) that is left out is simply not read."""

    tables: dict[str, TableMapping]

    def __post_init__(self) -> None:
        problems = []
        unknown_tables = sorted(set(self.tables) - set(TABLES))
        if unknown_tables:
            problems.append(f"unknown canonical tables: {', '.join(unknown_tables)}")
        unmapped = [n for n, t in TABLES.items() if t.required and n not in self.tables]
        if unmapped:
            problems.append(f"required canonical tables not mapped: {', '.join(unmapped)}")
        unknown_columns = [
            f"{name}.{column}"
            for name, table_mapping in self.tables.items()
            if name in TABLES
            for column in table_mapping.columns
            if column not in TABLES[name].column_names
        ]
        if unknown_columns:
            problems.append(f"unknown canonical columns: {', '.join(unknown_columns)}")
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def identity(cls, schema: str | None = None) -> Mapping:
        """The canonical tables under their own names (a database made for Loyalty Lens)."""
        return cls(
            {
                name: TableMapping(table=name, schema=schema, missing_ok=not table.required)
                for name, table in TABLES.items()
            }
        )

    @classmethod
    def from_dict(cls, data: abc.Mapping[str, Any]) -> Mapping:
        """Build from the TOML shape: optional top-level ``schema``, then one entry per table."""
        default_schema = data.get("schema")
        tables: dict[str, TableMapping] = {}
        for name, entry in data.items():
            if name == "schema":
                continue
            if not isinstance(entry, abc.Mapping):
                raise ValueError(f"'{name}' must be a table of settings, not {entry!r}")
            unknown_keys = sorted(set(entry) - set(TABLE_KEYS))
            if unknown_keys:
                raise ValueError(
                    f"unknown settings for '{name}': {', '.join(unknown_keys)} "
                    f"(allowed: {', '.join(TABLE_KEYS)})"
                )
            columns = entry.get("columns", {})
            if not isinstance(columns, abc.Mapping):
                raise ValueError(f"'{name}.columns' must map canonical names to source columns")
            try:
                tables[name] = TableMapping(
                    table=entry.get("table"),
                    schema=entry.get("schema", default_schema if "table" in entry else None),
                    sql=entry.get("sql"),
                    columns=dict(columns),
                )
            except ValueError as exc:
                raise ValueError(f"'{name}': {exc}") from None
        return cls(tables)

    @classmethod
    def from_file(cls, path: str | Path) -> Mapping:
        """Load a TOML mapping file; any problem with it raises ValueError naming the file."""
        path = Path(path)
        try:
            with path.open("rb") as file:
                return cls.from_dict(tomllib.load(file))
        except OSError as exc:
            raise ValueError(f"mapping file {path}: cannot be read ({exc.strerror})") from None
        except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
            raise ValueError(f"mapping file {path}: {exc}") from None
