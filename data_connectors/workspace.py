"""The app's own database, the *workspace*: uploaded rows with their provenance, saved mappings.

The helpdesk database is only ever read; whatever the app itself keeps goes here. SQLite at
``var/workspace.sqlite`` by default, any SQLAlchemy URL (PostgreSQL, MariaDB/MySQL) through
``LOYALTY_LENS_WORKSPACE_URL``. Tables, created by :meth:`Workspace.open`:

* the canonical tables, built from :func:`~data_connectors.sql_schema.canonical_metadata` plus
  ``upload_id`` (the upload that last wrote the row); ``qa_reviews`` gets a unique key on
  (ticket_id, criterion), the record key of :data:`~data_connectors.schema.RECORD_KEYS`;
* ``uploads``: one row per stored file and table — file name, SHA-256 of the content, time (UTC),
  the mapping used (JSON), rows accepted and rejected, a note;
* ``saved_mappings``: file mappings saved under a name for reuse;
* ``workspace_meta``: ``schema_version``, which also marks the database as a workspace (a
  database holding same-named tables without it is refused, never written to), and
  ``data_version``, a random token replaced by every store and delete (:meth:`version`).

Because the canonical tables keep their canonical names and columns, the workspace can be read
like any SQL source: ``read_dataset(workspace.url, Mapping.identity())`` (``upload_id`` is not a
canonical column, so it is not read). That validates the workspace on its own, though; to use
uploads with, or instead of, another source, pass :meth:`Workspace.read` to
:func:`~data_connectors.combine.combine`, which checks references across all sources at once.

Upserts. :meth:`Workspace.store` writes all rows of an upload in one transaction, in chunks of
:data:`CHUNK_ROWS` sent with ``executemany``, as a native upsert on the record key:

* SQLite and PostgreSQL — ``INSERT ... ON CONFLICT (key) DO UPDATE SET col = excluded.col``;
  SQLite rows go straight to sqlite3's ``executemany`` (see :func:`_send_sqlite`);
* MariaDB / MySQL — ``INSERT ... ON DUPLICATE KEY UPDATE col = VALUES(col)``, which PyMySQL
  sends as multi-row INSERTs.

An update sets only the columns present in the stored frame, plus ``upload_id``: an export that
lacks a column leaves what an earlier upload stored in it (a delete-then-insert could not). The
inserted and updated rows are counted from the table's row count before and after, inside the
transaction.

On MariaDB/MySQL the workspace tables use ``utf8mb4_bin``, so identifiers compare exactly as
they do in SQLite, PostgreSQL and pandas (the server default would make "T01" equal "t01"), and
timestamps are ``DATETIME(6)`` (plain DATETIME drops fractions of a second).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import make_url

from data_connectors.dataset import Dataset, SourceInfo, empty_table
from data_connectors.errors import DataSourceError
from data_connectors.file_mapping import FileMapping
from data_connectors.schema import RECORD_KEYS, TABLES
from data_connectors.sql import database_reason, mask_url
from data_connectors.sql_schema import canonical_metadata

ENV_URL = "LOYALTY_LENS_WORKSPACE_URL"
REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_VERSION = "1"
MAPPING_NAME_LENGTH = 200
#: Rows converted and sent per ``executemany`` call (bounds the memory of the conversion).
CHUNK_ROWS = 10_000
#: Columns of :meth:`Workspace.uploads`.
UPLOAD_COLUMNS = [
    "id",
    "file_name",
    "sha256",
    "table_name",
    "uploaded_at",
    "rows_accepted",
    "rows_rejected",
    "rows_current",
    "mapping_json",
    "note",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")
#: Table options for every workspace table, also those other modules keep there (actions,
#: follow-ups, theme edits): exact (binary) text comparison and full Unicode on MariaDB/MySQL.
TABLE_OPTIONS = {
    f"{dialect}_{option}": value
    for dialect in ("mysql", "mariadb")
    for option, value in (("charset", "utf8mb4"), ("collate", "utf8mb4_bin"))
}
#: Timestamp type of the workspace: microseconds kept on MariaDB/MySQL too.
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
#: How SQLAlchemy stores a DateTime in SQLite (``sqlite.DATETIME``'s default storage format).
_SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"

METADATA = sa.MetaData()

META = sa.Table(
    "workspace_meta",
    METADATA,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
    **TABLE_OPTIONS,
)

UPLOADS = sa.Table(
    "uploads",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.String(512), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("table_name", sa.String(32), nullable=False),
    sa.Column("uploaded_at", TIMESTAMP, nullable=False),
    sa.Column("mapping_json", sa.Text(), nullable=False),
    sa.Column("rows_accepted", sa.Integer(), nullable=False),
    sa.Column("rows_rejected", sa.Integer(), nullable=False),
    sa.Column("note", sa.Text()),
    sa.UniqueConstraint("sha256", "table_name", name="uq_uploads_sha256_table"),
    sqlite_autoincrement=True,  # an id is never reused: a stale page cannot hit a newer upload
    **TABLE_OPTIONS,
)

SAVED_MAPPINGS = sa.Table(
    "saved_mappings",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(MAPPING_NAME_LENGTH), nullable=False, unique=True),
    sa.Column("table_name", sa.String(32), nullable=False),
    sa.Column("mapping_json", sa.Text(), nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    **TABLE_OPTIONS,
)


def _workspace_table(canonical: sa.Table) -> sa.Table:
    """The canonical table's columns and indexes, plus ``upload_id`` and the record key."""
    columns = [
        sa.Column(
            column.name,
            TIMESTAMP if isinstance(column.type, sa.DateTime) else column.type,
            primary_key=column.primary_key,
            nullable=column.nullable,
        )
        for column in canonical.columns
    ]
    indexes = [sa.Index(ix.name, *(c.name for c in ix.columns)) for ix in canonical.indexes]
    key = RECORD_KEYS[canonical.name]
    is_primary = canonical.primary_key.columns.keys() == list(key)
    unique = [] if is_primary else [sa.UniqueConstraint(*key, name=f"uq_{canonical.name}_key")]
    upload_id = sa.Column(
        "upload_id", sa.Integer(), sa.ForeignKey(UPLOADS.c.id), nullable=False, index=True
    )
    return sa.Table(
        canonical.name, METADATA, *columns, upload_id, *indexes, *unique, **TABLE_OPTIONS
    )


#: The canonical tables as the workspace stores them.
CANONICAL: dict[str, sa.Table] = {
    name: _workspace_table(table) for name, table in canonical_metadata().tables.items()
}


def default_workspace_url() -> str:
    """``LOYALTY_LENS_WORKSPACE_URL`` if set, else SQLite at ``<repo>/var/workspace.sqlite``."""
    configured = os.environ.get(ENV_URL)
    if configured:
        return configured
    path = REPO_ROOT / "var" / "workspace.sqlite"
    return sa.URL.create("sqlite", database=str(path)).render_as_string()


@dataclass(frozen=True)
class Upload:
    """One stored upload: a file's rows of one canonical table. ``uploaded_at`` is naive UTC."""

    id: int
    file_name: str
    sha256: str
    table_name: str
    uploaded_at: datetime
    mapping_json: str
    rows_accepted: int
    rows_rejected: int
    note: str | None


@dataclass(frozen=True)
class StoreResult:
    """What :meth:`Workspace.store` did. ``duplicate``: the same content was already stored for
    this table (``upload`` is that earlier upload and nothing was written)."""

    upload: Upload
    duplicate: bool
    inserted: int
    updated: int


_Upsert = Callable[[sa.Table, tuple[str, ...], list[str]], sa.Insert]
_Send = Callable[[sa.Connection, sa.Insert, pd.DataFrame], None]


def _on_conflict(insert: Callable[[sa.Table], Any]) -> _Upsert:
    """SQLite / PostgreSQL: ``ON CONFLICT (key) DO UPDATE``."""

    def upsert(table: sa.Table, key: tuple[str, ...], columns: list[str]) -> sa.Insert:
        statement = insert(table)
        changes = {c: statement.excluded[c] for c in columns if c not in key}
        return statement.on_conflict_do_update(index_elements=list(key), set_=changes)

    return upsert


def _on_duplicate_key(table: sa.Table, key: tuple[str, ...], columns: list[str]) -> sa.Insert:
    """MariaDB / MySQL: ``ON DUPLICATE KEY UPDATE`` (the record key is the table's only key)."""
    statement = mysql.insert(table)
    changes = {c: statement.inserted[c] for c in columns if c not in key}
    return statement.on_duplicate_key_update(changes)


def send_rows(connection: sa.Connection, statement: sa.Insert, frame: pd.DataFrame) -> None:
    """The rows through SQLAlchemy's ``executemany``."""
    values = _column_values(frame)
    connection.execute(
        statement,
        [dict(zip(values, row, strict=True)) for row in zip(*values.values(), strict=True)],
    )


def _send_sqlite(connection: sa.Connection, statement: sa.Insert, frame: pd.DataFrame) -> None:
    """The compiled statement straight to sqlite3's ``executemany``, timestamps already in the
    text format SQLAlchemy stores in SQLite: skipping SQLAlchemy's per-row parameter processing
    halves the time of a large store (1M tickets: 25 s → 12 s)."""
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(frame.columns))
    values = _column_values(frame, timestamp_format=_SQLITE_TIMESTAMP)
    rows = list(zip(*(values[name] for name in compiled.positiontup), strict=True))
    connection.exec_driver_sql(compiled.string, rows)


@dataclass(frozen=True)
class _Backend:
    """How one kind of database upserts (``upsert``) and receives rows (``send``)."""

    upsert: _Upsert
    send: _Send = send_rows


#: Per SQLAlchemy dialect name; other databases are refused.
_BACKENDS: dict[str, _Backend] = {
    "sqlite": _Backend(_on_conflict(sqlite.insert), _send_sqlite),
    "postgresql": _Backend(_on_conflict(postgresql.insert)),
    "mysql": _Backend(_on_duplicate_key),
    "mariadb": _Backend(_on_duplicate_key),
}


class Workspace:
    """The workspace database at ``url`` (default :func:`default_workspace_url`).

    Use :meth:`open`, which creates what is missing; the constructor alone touches nothing.
    One object holds one connection pool: share it (``st.cache_resource``) and :meth:`close` it
    when done.
    """

    def __init__(self, url: str | None = None) -> None:
        self._url = url or default_workspace_url()
        try:
            parsed = make_url(self._url)
        except (sa.exc.ArgumentError, ValueError):
            masked = mask_url(self._url)
            raise DataSourceError(f"not a valid workspace database URL: {masked}") from None
        if parsed.get_backend_name() not in _BACKENDS:
            raise DataSourceError(
                f"the workspace cannot be kept in {parsed.get_backend_name()} "
                f"({mask_url(self._url)}): use SQLite, PostgreSQL, MariaDB or MySQL"
            )
        connect_args = {"timeout": 30} if parsed.get_backend_name() == "sqlite" else {}
        try:
            self._engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
        except ImportError:
            raise DataSourceError(
                f"the database driver for the workspace {mask_url(self._url)} is not installed"
            ) from None
        self._backend = _BACKENDS[self._engine.dialect.name]

    @classmethod
    def open(cls, url: str | None = None) -> Workspace:
        """Connect, creating the database file (SQLite) and any missing table.

        Raises
        ------
        DataSourceError
            The database cannot be reached, holds same-named tables but is not a workspace, or
            was written with another schema version.
        """
        workspace = cls(url)
        workspace._create()
        return workspace

    @property
    def url(self) -> str:
        """The database URL, for ``read_dataset``. May hold a password: display ``mask_url``."""
        return self._url

    def __repr__(self) -> str:
        return f"Workspace({mask_url(self._url)!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self._engine.dispose()

    @contextmanager
    def _begin(self) -> Iterator[sa.Connection]:
        """One transaction; a failure to connect becomes a DataSourceError."""
        try:
            connection = self._engine.connect()
        except sa.exc.DBAPIError as exc:
            reason = database_reason(exc, make_url(self._url).password)
            raise DataSourceError(
                f"cannot open the workspace database {mask_url(self._url)}: {reason}"
            ) from exc
        with connection, connection.begin():
            yield connection

    @contextmanager
    def transaction(self, action: str) -> Iterator[sa.Connection]:
        """One transaction for the app's own records (committee actions, follow-ups, theme edits).

        Any database failure inside it — a read-only file, a full disk, a lost server — rolls the
        whole transaction back (what was saved before stays) and becomes a
        :class:`DataSourceError` that names ``action`` ("save the action", …) and the reason.
        """
        try:
            with self._begin() as connection:
                yield connection
        except sa.exc.DBAPIError as exc:
            reason = database_reason(exc, make_url(self._url).password)
            raise DataSourceError(
                f"could not {action} in the workspace database {mask_url(self._url)}: {reason}; "
                "nothing was changed"
            ) from exc

    def create_tables(self, metadata: sa.MetaData) -> None:
        """Create the tables of ``metadata`` that are missing (modules keep their own tables)."""
        with self.transaction("create the workspace tables") as connection:
            metadata.create_all(connection)

    def _create(self) -> None:
        database = self._engine.url.database
        if self._engine.dialect.name == "sqlite" and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        with self._begin() as connection:
            existing = set(sa.inspect(connection).get_table_names())
            if META.name not in existing and existing & set(METADATA.tables):
                raise DataSourceError(
                    f"{mask_url(self._url)} holds tables named like the workspace's "
                    f"({', '.join(sorted(existing & set(METADATA.tables)))}) but is not a "
                    "Loyalty Lens workspace: refusing to write to it"
                )
            METADATA.create_all(connection)
            version = _meta(connection, "schema_version")
            if version is None:
                connection.execute(
                    sa.insert(META),
                    [
                        {"key": "schema_version", "value": SCHEMA_VERSION},
                        {"key": "data_version", "value": uuid.uuid4().hex},
                    ],
                )
            elif version != SCHEMA_VERSION:
                raise DataSourceError(
                    f"the workspace {mask_url(self._url)} has schema version {version}; "
                    f"this version of Loyalty Lens reads version {SCHEMA_VERSION}"
                )

    # ------------------------------------------------------------------ uploaded rows

    def store(
        self,
        table: str,
        rows: pd.DataFrame,
        *,
        file_name: str,
        sha256: str,
        mapping_json: str,
        rows_rejected: int,
        note: str | None = None,
    ) -> StoreResult:
        """Store validated canonical rows of ``table`` from one uploaded file.

        If this content (``sha256``) was already stored for ``table``, nothing is written and
        the earlier upload is returned with ``duplicate=True``. Otherwise, in one transaction,
        the upload is recorded and the rows are upserted on the record key
        (:data:`~data_connectors.schema.RECORD_KEYS`): a record already stored is updated and
        attributed to this upload, a new one inserted.

        Only the columns of ``rows`` are written: pass the columns the file supplied, so that an
        export lacking a column does not erase what an earlier upload stored in it (a new
        record gets NULL there). A record repeated within ``rows`` counts once, the last wins.
        ``rows_accepted`` is recorded as ``len(rows)``.

        Raises
        ------
        ValueError
            Unknown table, non-canonical or missing required columns, missing key values, or a
            ``sha256`` that is not 64 hex digits.
        """
        key = _check_rows(table, rows)
        sha256 = sha256.lower()
        if not _SHA256.fullmatch(sha256):
            raise ValueError("sha256 must be the 64 hex digits of the file's SHA-256")
        target = CANONICAL[table]
        records = rows.drop_duplicates(list(key), keep="last")
        columns = [c for c in TABLES[table].column_names if c in rows.columns]
        upsert = self._backend.upsert(target, key, [*columns, "upload_id"])
        try:
            with self._begin() as connection:
                earlier = _find_upload(connection, sha256, table)
                if earlier is not None:
                    return StoreResult(earlier, duplicate=True, inserted=0, updated=0)
                upload = _record_upload(
                    connection,
                    file_name=file_name,
                    sha256=sha256,
                    table_name=table,
                    mapping_json=mapping_json,
                    rows_accepted=len(rows),
                    rows_rejected=rows_rejected,
                    note=note,
                )
                before = _count(connection, target)
                for start in range(0, len(records), CHUNK_ROWS):
                    chunk = records.iloc[start : start + CHUNK_ROWS][columns]
                    self._backend.send(connection, upsert, chunk.assign(upload_id=upload.id))
                inserted = _count(connection, target) - before
                _new_data_version(connection)
        except sa.exc.IntegrityError:
            with self._begin() as connection:  # the same file stored meanwhile by another session
                earlier = _find_upload(connection, sha256, table)
            if earlier is None:
                raise
            return StoreResult(earlier, duplicate=True, inserted=0, updated=0)
        updated = len(records) - inserted
        return StoreResult(upload, duplicate=False, inserted=inserted, updated=updated)

    def uploads(self) -> pd.DataFrame:
        """Every upload, newest first (:data:`UPLOAD_COLUMNS`); ``rows_current`` counts the rows
        the upload still owns (a later upload of the same records takes them over)."""
        with self._begin() as connection:
            uploads = pd.DataFrame(
                connection.execute(
                    sa.select(UPLOADS).order_by(UPLOADS.c.uploaded_at.desc(), UPLOADS.c.id.desc())
                ).all(),
                columns=UPLOADS.columns.keys(),
            )
            owned = {
                upload_id: rows
                for table in CANONICAL.values()
                for upload_id, rows in connection.execute(
                    sa.select(table.c.upload_id, sa.func.count()).group_by(table.c.upload_id)
                )
            }
        uploads["rows_current"] = uploads["id"].map(owned).fillna(0).astype("int64")
        return uploads[UPLOAD_COLUMNS]

    def delete_upload(self, upload_id: int) -> int:
        """Delete an upload and the rows it currently owns; return how many rows were deleted.

        Owned rows include records an earlier upload first wrote and this one updated (no
        history is kept). Records this upload wrote that a later upload has since updated
        belong to the later upload and stay.

        Raises
        ------
        ValueError
            No upload has this id.
        """
        with self._begin() as connection:
            found = connection.execute(
                sa.select(UPLOADS.c.id).where(UPLOADS.c.id == upload_id)
            ).first()
            if found is None:
                raise ValueError(f"no upload with id {upload_id}")
            deleted = sum(
                connection.execute(sa.delete(table).where(table.c.upload_id == upload_id)).rowcount
                for table in CANONICAL.values()
            )
            connection.execute(sa.delete(UPLOADS).where(UPLOADS.c.id == upload_id))
            _new_data_version(connection)
        return deleted

    def row_counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        with self._begin() as connection:
            return {name: _count(connection, table) for name, table in CANONICAL.items()}

    def is_empty(self) -> bool:
        """True when no canonical table holds a row."""
        return not any(self.row_counts().values())

    def version(self) -> str:
        """A token that every store and delete replaces (a duplicate store changes nothing).

        Use it as the cache key of data read from the workspace: ``source_version`` sees row
        counts and latest timestamps only, so it misses an upload that updates values in place.
        """
        with self._begin() as connection:
            return str(_meta(connection, "data_version"))

    def read(self) -> Dataset:
        """The stored rows in canonical dtypes, *not* validated, for
        :func:`~data_connectors.combine.combine` — also when the workspace is the only source.

        ``read_dataset(workspace.url)`` works too, but validates the workspace on its own, so
        uploaded answers about the helpdesk database's tickets would lose their ticket, and
        answers of customers the workspace lacks their row, before they could be combined.
        ``supplied`` names the columns holding a value; ``source.version`` is :meth:`version`.
        """
        version = self.version()  # before the rows: a cache keyed by it never holds older rows
        with self._begin() as connection:
            tables = {name: _read_table(connection, name) for name in CANONICAL}
        supplied = {
            name: frozenset(frame.columns[frame.notna().any()]) for name, frame in tables.items()
        }
        location = mask_url(self._url)
        source = SourceInfo("uploaded files", "upload", location, datetime.now(UTC), version)
        return Dataset(tables, supplied, source)

    # ------------------------------------------------------------------ saved mappings

    def save_mapping(self, name: str, mapping: FileMapping) -> None:
        """Save ``mapping`` under ``name`` (trimmed), replacing a mapping saved under it before."""
        name = name.strip()
        if not name or len(name) > MAPPING_NAME_LENGTH:
            raise ValueError(f"a mapping name must have 1 to {MAPPING_NAME_LENGTH} characters")
        now = utc_now()
        values = {"table_name": mapping.table, "mapping_json": mapping.to_json(), "updated_at": now}
        with self._begin() as connection:
            if connection.execute(
                sa.select(SAVED_MAPPINGS.c.id).where(SAVED_MAPPINGS.c.name == name)
            ).first():
                connection.execute(
                    sa.update(SAVED_MAPPINGS).where(SAVED_MAPPINGS.c.name == name).values(values)
                )
            else:
                connection.execute(
                    sa.insert(SAVED_MAPPINGS).values(name=name, created_at=now, **values)
                )

    def saved_mappings(self) -> dict[str, FileMapping]:
        """Every saved mapping by name, in name order."""
        with self._begin() as connection:
            rows = connection.execute(
                sa.select(SAVED_MAPPINGS.c.name, SAVED_MAPPINGS.c.mapping_json).order_by(
                    SAVED_MAPPINGS.c.name
                )
            ).all()
        return {name: FileMapping.from_json(text) for name, text in rows}

    def delete_mapping(self, name: str) -> None:
        """Delete the mapping saved under ``name``.

        Raises
        ------
        ValueError
            No mapping is saved under that name.
        """
        with self._begin() as connection:
            deleted = connection.execute(
                sa.delete(SAVED_MAPPINGS).where(SAVED_MAPPINGS.c.name == name.strip())
            ).rowcount
        if not deleted:
            raise ValueError(f"no mapping is saved under the name {name!r}")


def _check_rows(table: str, rows: pd.DataFrame) -> tuple[str, ...]:
    """The table's record key, after checking that ``rows`` can be stored in it."""
    if table not in TABLES:
        raise ValueError(f"unknown canonical table {table!r}")
    unknown = sorted(set(rows.columns) - set(TABLES[table].column_names))
    if unknown:
        raise ValueError(f"{table} has no canonical column(s): {', '.join(map(str, unknown))}")
    missing = [c for c in TABLES[table].required_columns if c not in rows.columns]
    if missing:
        raise ValueError(f"rows for {table} lack required column(s): {', '.join(missing)}")
    key = RECORD_KEYS[table]
    keyless = int(rows[list(key)].isna().any(axis=1).sum())
    if keyless:
        raise ValueError(f"{keyless} row(s) for {table} lack a value of {', '.join(key)}")
    return key


def utc_now() -> datetime:
    """Now in UTC, naive (as every workspace timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _meta(connection: sa.Connection, key: str) -> str | None:
    return connection.execute(sa.select(META.c.value).where(META.c.key == key)).scalar_one_or_none()


def _new_data_version(connection: sa.Connection) -> None:
    token = uuid.uuid4().hex
    connection.execute(sa.update(META).where(META.c.key == "data_version").values(value=token))


def _count(connection: sa.Connection, table: sa.Table) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _find_upload(connection: sa.Connection, sha256: str, table: str) -> Upload | None:
    row = connection.execute(
        sa.select(UPLOADS).where(UPLOADS.c.sha256 == sha256, UPLOADS.c.table_name == table)
    ).first()
    return None if row is None else Upload(**row._mapping)


def _read_table(connection: sa.Connection, name: str) -> pd.DataFrame:
    """Every stored row of canonical table ``name``, in record-key order and canonical dtypes."""
    canonical = empty_table(name)
    table = CANONICAL[name]
    query = sa.select(*(table.c[c] for c in canonical.columns)).order_by(
        *(table.c[c] for c in RECORD_KEYS[name])
    )
    columns = (
        list(zip(*connection.execute(query).fetchall(), strict=True)) or [()] * canonical.shape[1]
    )
    return pd.DataFrame(dict(zip(canonical.columns, columns, strict=True))).astype(
        canonical.dtypes.to_dict()
    )


def _record_upload(connection: sa.Connection, **values: Any) -> Upload:
    values["uploaded_at"] = utc_now()
    result = connection.execute(sa.insert(UPLOADS).values(values))
    return Upload(id=result.inserted_primary_key[0], **values)


def _column_values(
    frame: pd.DataFrame, timestamp_format: str | None = None
) -> dict[str, list[Any]]:
    """Each column as a list of plain Python values, None for missing, as DB-API drivers take
    them; timestamps as ``datetime`` or, given ``timestamp_format``, as text."""
    columns = {}
    for name, series in frame.items():
        if series.dtype.kind != "M":
            values = series.to_numpy(object)
        elif timestamp_format is None:
            values = series.dt.to_pydatetime()
        else:
            values = series.dt.strftime(timestamp_format).to_numpy(object)
        columns[str(name)] = np.where(series.isna().to_numpy(), None, values).tolist()
    return columns
