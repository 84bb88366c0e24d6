"""Users' renames and merges of complaint themes, kept in the workspace database.

One row per edited theme in ``theme_edits``: the theme's ``signature`` (its top stems, see
:class:`analysis.themes.ThemeModel`), an optional new ``label``, an optional ``merge_into``
(the signature of the theme it was merged into) and when it was last changed. Edits are keyed by
signature, not by theme id: ids are re-numbered each time themes are re-learnt (after a restart
on new data, or a data refresh), while a theme's top terms stay close, and
:func:`analysis.themes.apply_edits` re-attaches each edit to the theme that shares most of them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from data_connectors.workspace import Workspace

SIGNATURE_LENGTH = 400
LABEL_LENGTH = 200
EDIT_COLUMNS = ("signature", "label", "merge_into", "updated_at")

METADATA = sa.MetaData()
THEME_EDITS = sa.Table(
    "theme_edits",
    METADATA,
    sa.Column("signature", sa.String(SIGNATURE_LENGTH), primary_key=True),
    sa.Column("label", sa.String(LABEL_LENGTH)),
    sa.Column("merge_into", sa.String(SIGNATURE_LENGTH)),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    mysql_charset="utf8mb4",
    mysql_collate="utf8mb4_bin",
)


def _check(name: str, value: str, length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be non-empty text")
    if len(value.strip()) > length:
        raise ValueError(f"{name} is longer than {length} characters")
    return value.strip()


class ThemeEdits:
    """Read and write theme edits in ``workspace`` (the table is created on first use)."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        workspace.create_tables(METADATA)

    def read(self) -> pd.DataFrame:
        """Every edit, oldest first: ``signature``, ``label``, ``merge_into``, ``updated_at``."""
        query = sa.select(*THEME_EDITS.c).order_by(
            THEME_EDITS.c.updated_at, THEME_EDITS.c.signature
        )
        with self._workspace.transaction("read the theme edits") as connection:
            rows = connection.execute(query).all()
        return pd.DataFrame(rows, columns=list(EDIT_COLUMNS))

    def _save(self, signature: str, action: str, **values: str | None) -> None:
        key = _check("signature", signature, SIGNATURE_LENGTH)
        stamped = {**values, "updated_at": datetime.now(UTC).replace(tzinfo=None)}
        with self._workspace.transaction(action) as connection:
            found = connection.execute(
                sa.select(THEME_EDITS.c.signature).where(THEME_EDITS.c.signature == key)
            ).first()
            if found:
                connection.execute(
                    sa.update(THEME_EDITS).where(THEME_EDITS.c.signature == key).values(stamped)
                )
            else:
                connection.execute(sa.insert(THEME_EDITS).values(signature=key, **stamped))

    def rename(self, signature: str, label: str) -> None:
        """Give the theme with ``signature`` the name ``label`` (replaces an earlier name)."""
        self._save(signature, "rename the theme", label=_check("label", label, LABEL_LENGTH))

    def merge(self, signature: str, into: str) -> None:
        """Count the theme with ``signature`` under the theme with signature ``into``."""
        target = _check("into", into, SIGNATURE_LENGTH)
        if target == signature.strip():
            raise ValueError("a theme cannot be merged into itself")
        self._save(signature, "merge the themes", merge_into=target)

    def reset(self, signature: str) -> None:
        """Forget every edit of the theme with ``signature`` (its name and its merge)."""
        key = _check("signature", signature, SIGNATURE_LENGTH)
        with self._workspace.transaction("reset the theme") as connection:
            connection.execute(sa.delete(THEME_EDITS).where(THEME_EDITS.c.signature == key))
