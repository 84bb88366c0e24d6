"""The :class:`Dataset`: the canonical tables as the analysis and the pages receive them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from data_connectors.schema import TABLES, TIME_COLUMNS, Kind


@dataclass(frozen=True)
class SourceInfo:
    """Where a dataset came from, for the active-source indicator and the cache key.

    ``version`` changes whenever the source's data changes (row counts, latest timestamps,
    file content hash), so cached results keyed by it are never served stale.
    """

    name: str
    kind: str  # "demo" | "sql" | "upload"
    location: str  # safe to show: credentials masked
    loaded_at: datetime
    version: str


def empty_table(name: str) -> pd.DataFrame:
    """A zero-row frame with the canonical columns and dtypes of table ``name``."""
    return pd.DataFrame(
        {col.name: pd.Series(dtype=DTYPES[col.kind]) for col in TABLES[name].columns}
    )


#: The pandas dtype each column kind is stored as after validation.
DTYPES: dict[Kind, str] = {
    Kind.ID: "str",
    Kind.TEXT: "str",
    Kind.CATEGORY: "str",
    Kind.DATETIME: "datetime64[ns]",
    Kind.NUMBER: "float64",
    Kind.COUNT: "Int64",
    Kind.BOOLEAN: "boolean",
}


@dataclass(frozen=True)
class Dataset:
    """The canonical tables, validated, plus which optional columns the source supplied.

    Every canonical table is present as a frame with every canonical column (an absent table is
    an empty frame; an absent column is all-missing), so code never fails on a missing key.
    Whether a column carries data is answered by :meth:`has`, which pages use to decide which
    metrics are available.
    """

    tables: dict[str, pd.DataFrame]
    supplied: dict[str, frozenset[str]]
    source: SourceInfo | None = None

    @property
    def customers(self) -> pd.DataFrame:
        return self.tables["customers"]

    @property
    def tickets(self) -> pd.DataFrame:
        return self.tables["tickets"]

    @property
    def surveys(self) -> pd.DataFrame:
        return self.tables["surveys"]

    @property
    def qa_reviews(self) -> pd.DataFrame:
        return self.tables["qa_reviews"]

    def has(self, table: str, column: str) -> bool:
        """True when the source supplied ``table.column`` with at least one value."""
        return column in self.supplied.get(table, frozenset())

    def missing(self, requires: Iterable[tuple[str, str]]) -> list[str]:
        """The ``table.column`` names among ``requires`` that this dataset lacks."""
        return [f"{t}.{c}" for t, c in requires if not self.has(t, c)]

    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}

    def date_coverage(self) -> pd.DataFrame:
        """Rows, first and last timestamp of each table that has a time column."""
        rows = []
        for name, column in TIME_COLUMNS.items():
            stamps = self.tables[name][column]
            rows.append(
                {
                    "table": name,
                    "rows": len(stamps),
                    "first": stamps.min() if len(stamps) else pd.NaT,
                    "last": stamps.max() if len(stamps) else pd.NaT,
                }
            )
        return pd.DataFrame(rows)

    def with_tables(self, **tables: pd.DataFrame) -> Dataset:
        """A copy with some tables replaced (used for filtered views)."""
        return replace(self, tables={**self.tables, **tables})
