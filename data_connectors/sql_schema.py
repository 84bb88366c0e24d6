"""SQLAlchemy table definitions of the canonical tables, derived from :mod:`schema`.

Used to create a database that holds the canonical tables directly (the demo database, test
databases) so that it is read through exactly the same path as any other SQL source.
"""

from __future__ import annotations

import sqlalchemy as sa

from data_connectors.schema import TABLES, TIME_COLUMNS, Kind, Table

_SQL_TYPES: dict[Kind, sa.types.TypeEngine] = {
    Kind.ID: sa.String(64),
    Kind.TEXT: sa.Text(),
    Kind.CATEGORY: sa.String(128),
    Kind.DATETIME: sa.DateTime(),
    Kind.NUMBER: sa.Double(),
    Kind.COUNT: sa.Integer(),
    Kind.BOOLEAN: sa.Boolean(),
}


def canonical_metadata(schema: str | None = None) -> sa.MetaData:
    """A MetaData holding every canonical table (optionally in a database schema)."""
    metadata = sa.MetaData(schema=schema)
    for table in TABLES.values():
        _define(metadata, table)
    return metadata


def _define(metadata: sa.MetaData, table: Table) -> sa.Table:
    columns = [
        sa.Column(
            col.name,
            _SQL_TYPES[col.kind],
            primary_key=col.name == table.primary_key,
            nullable=not col.required,
        )
        for col in table.columns
    ]
    indexes = [sa.Index(f"ix_{table.name}_{fk.column}", fk.column) for fk in table.foreign_keys]
    if table.name in TIME_COLUMNS:
        time_col = TIME_COLUMNS[table.name]
        indexes.append(sa.Index(f"ix_{table.name}_{time_col}", time_col))
    return sa.Table(table.name, metadata, *columns, *indexes)
