"""Read the canonical tables from a helpdesk's SQL database, read-only and with time limits.

The same :func:`read_dataset` serves the app, the tests and scripts. It resolves a
:class:`~data_connectors.mapping.Mapping` against the live database (reflecting which source
columns exist), selects only the mapped columns with SQLAlchemy Core (identifiers quoted by
SQLAlchemy, values always bound parameters), and hands the raw frames to
:func:`~data_connectors.validation.validate`.

Read-only and time limits, per database:

* SQLite — opened through a ``file:...?mode=ro&uri=true`` URI (a missing file is never created);
  each statement is interrupted by a progress handler once ``timeout_seconds`` have passed.
* PostgreSQL (psycopg, psycopg2) — session options ``default_transaction_read_only=on`` and
  ``statement_timeout``; all tables are read in one REPEATABLE READ transaction (one snapshot).
* MySQL / MariaDB (pymysql, mysqlclient) — ``SET SESSION TRANSACTION READ ONLY`` plus
  ``max_statement_time`` (MariaDB, seconds) or ``max_execution_time`` (MySQL, ms) on connect.

Engines: every call creates its own engine and disposes it before returning, so no pooled
connection outlives a read and nothing is shared between threads; connecting costs a few
milliseconds, small next to a read, and the app caches results by :func:`source_version`.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from data_connectors import helpdesks
from data_connectors.dataset import Dataset, SourceInfo
from data_connectors.errors import DataSourceError, SchemaError
from data_connectors.mapping import Mapping, TableMapping
from data_connectors.schema import TABLES, TIME_COLUMNS, Kind
from data_connectors.validation import ValidationReport, validate

#: Backends and the drivers whose read-only and time-limit settings are implemented here.
SUPPORTED_DRIVERS: dict[str, tuple[str, ...]] = {
    "sqlite": ("pysqlite",),
    "postgresql": ("psycopg", "psycopg2"),
    "mysql": ("pymysql", "mysqldb"),
    "mariadb": ("pymysql", "mysqldb"),
}

#: Bounds accepted for ``since`` / ``until``; a plain ``date`` covers its whole day.
Bound = date | datetime | None


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***``, safe to display or log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        head, at, location = url.rpartition("@")  # unparseable: mask what precedes the host
        if not at:
            return url
        scheme, slashes, credentials = head.rpartition("://")
        user, colon, _ = credentials.partition(":")
        return f"{scheme}{slashes}{user}{colon and ':***'}@{location}"


def create_read_only_engine(url: str, *, timeout_seconds: float = 30) -> sa.Engine:
    """An engine whose connections cannot write and whose statements stop after a time limit.

    Raises
    ------
    DataSourceError
        The URL is malformed, names an unsupported or uninstalled driver, or is a SQLite file
        that does not exist.
    """
    if timeout_seconds <= 0:
        raise ValueError("timeout_seconds must be positive")
    masked = mask_url(url)
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise DataSourceError(
            f"not a valid database URL: {masked} "
            "(expected dialect+driver://user:password@host:port/database)"
        ) from None
    backend = parsed.get_backend_name()
    try:
        driver = parsed.get_driver_name()
    except sa.exc.NoSuchModuleError:
        driver = parsed.drivername
    if driver not in SUPPORTED_DRIVERS.get(backend, ()):
        supported = ", ".join(f"{b}+{d}" for b, ds in SUPPORTED_DRIVERS.items() for d in ds)
        raise DataSourceError(
            f"unsupported database driver '{parsed.drivername}' in {masked} "
            f"(supported: {supported})"
        )
    prepare, instrument = _BACKENDS[backend]
    parsed, options = prepare(parsed, timeout_seconds)
    try:
        engine = sa.create_engine(parsed, pool_pre_ping=True, **options)
    except ImportError:
        raise DataSourceError(
            f"the database driver '{driver}' for {masked} is not installed"
        ) from None
    instrument(engine, timeout_seconds)
    return engine


#: Seconds to wait for a connection: an unreachable host should fail fast, whatever the
#: statement time limit, since every page view would wait for it.
CONNECT_TIMEOUT = 5


def _connect_timeout(timeout: float) -> int:
    return max(1, math.ceil(min(timeout, CONNECT_TIMEOUT)))


def _sqlite(url: URL, timeout: float) -> tuple[URL, dict[str, Any]]:
    """Point the URL at the file through a read-only SQLite URI; refuse a missing file."""
    database = url.database or ""
    if database in ("", ":memory:"):
        raise DataSourceError("the SQLite URL names no database file (sqlite:///path/to/file.db)")
    if str(url.query.get("uri")).lower() in ("true", "1"):
        path = Path(unquote(urlsplit(database).path))
    else:
        path = Path(database).absolute()
        database = "file:" + quote(str(path))
    if not path.is_file():
        raise DataSourceError(f"SQLite database file not found: {path}")
    query = {**url.query, "mode": "ro", "uri": "true"}
    return url.set(database=database, query=query), {"connect_args": {"timeout": timeout}}


def _postgresql(url: URL, timeout: float) -> tuple[URL, dict[str, Any]]:
    """Read-only sessions and a statement timeout through libpq's ``options``."""
    own = url.query.get("options", "")
    options = " ".join(
        [
            *([own] if isinstance(own, str) else own),
            "-c default_transaction_read_only=on",
            f"-c statement_timeout={math.ceil(timeout * 1000)}",
        ]
    ).strip()
    connect_args = {"options": options, "connect_timeout": _connect_timeout(timeout)}
    return url.difference_update_query(["options"]), {
        "connect_args": connect_args,
        "isolation_level": "REPEATABLE READ",
    }


def _mysql(url: URL, timeout: float) -> tuple[URL, dict[str, Any]]:
    """A connect timeout; the session settings follow in :func:`_set_mysql_session`."""
    return url, {"connect_args": {"connect_timeout": _connect_timeout(timeout)}}


def _limit_sqlite_statements(engine: sa.Engine, timeout: float) -> None:
    """Refuse every write, and interrupt any statement still running after ``timeout`` seconds
    (as datasette does). ``mode=ro`` protects the main file only; ``query_only`` also covers an
    ATTACHed one."""

    @sa.event.listens_for(engine, "connect")
    def _query_only(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _start_clock(conn: sa.Connection, *_: Any) -> None:
        deadline = time.monotonic() + timeout
        conn.connection.dbapi_connection.set_progress_handler(
            lambda: time.monotonic() > deadline, 1000
        )


def _set_mysql_session(engine: sa.Engine, timeout: float) -> None:
    """Make each new MySQL/MariaDB session read-only and time-limited."""

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT VERSION()")
            if "mariadb" in cursor.fetchone()[0].lower():
                cursor.execute("SET SESSION max_statement_time = %s", (timeout,))
            else:
                cursor.execute("SET SESSION max_execution_time = %s", (math.ceil(timeout * 1000),))
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            # TIMESTAMP columns come back in the session's zone: read them as UTC, as the
            # canonical tables store naive UTC (DATETIME columns are not converted).
            cursor.execute("SET SESSION time_zone = '+00:00'")
        finally:
            cursor.close()


def _no_session_settings(engine: sa.Engine, timeout: float) -> None:
    """PostgreSQL gets its session settings at connect time, through ``options``."""


_Prepare = Callable[[URL, float], tuple[URL, dict[str, Any]]]
_Instrument = Callable[[sa.Engine, float], None]

#: Per backend: how to adjust the URL and engine options, and which events to install.
_BACKENDS: dict[str, tuple[_Prepare, _Instrument]] = {
    "sqlite": (_sqlite, _limit_sqlite_statements),
    "postgresql": (_postgresql, _no_session_settings),
    "mysql": (_mysql, _set_mysql_session),
    "mariadb": (_mysql, _set_mysql_session),
}


def database_reason(exc: sa.exc.DBAPIError, password: str | None) -> str:
    """The database's own one-line explanation, without the password."""
    args = getattr(exc.orig, "args", ())
    text = args[1] if len(args) == 2 and isinstance(args[0], int) else str(exc.orig)
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc.orig).__name__
    return reason.replace(password, "***") if password else reason


def _is_timeout(exc: sa.exc.DBAPIError) -> bool:
    """True when the statement was stopped by the time limit set in this module."""
    orig = exc.orig
    args = getattr(orig, "args", ())
    code = args[0] if args else None
    return (
        getattr(orig, "sqlstate", None) == "57014"  # psycopg: query_canceled
        or getattr(orig, "pgcode", None) == "57014"  # psycopg2
        or code in (1969, 3024)  # MariaDB max_statement_time, MySQL max_execution_time
        or getattr(orig, "sqlite_errorname", None) == "SQLITE_INTERRUPT"
    )


@dataclass(frozen=True)
class _Source:
    """One canonical table resolved against the database: the FROM clause and, for each
    canonical column the source has, the source column it is read from."""

    name: str
    from_clause: sa.FromClause
    columns: dict[str, sa.ColumnClause[Any]]

    def select(self) -> sa.Select[Any]:
        """SELECT of the mapped columns, labelled with canonical names, in a stable order."""
        table = TABLES[self.name]
        order = [table.primary_key] if table.primary_key else table.required_columns
        return (
            sa.select(*(column.label(name) for name, column in self.columns.items()))
            .select_from(self.from_clause)
            .order_by(*(self.columns[name] for name in order))
        )


def _source_columns(
    connection: sa.Connection, name: str, table_mapping: TableMapping
) -> list[str] | None:
    """Column names the source offers (None when its table does not exist)."""
    if table_mapping.query is not None:
        if _absent_tables(connection, table_mapping):
            return None
        return list(table_mapping.query.selected_columns.keys())
    if table_mapping.sql is not None:
        probe = sa.select(sa.text("*")).select_from(_custom(name, table_mapping.sql, [])).limit(0)
        return list(connection.execute(probe).keys())
    inspector = sa.inspect(connection)
    if not inspector.has_table(table_mapping.table, schema=table_mapping.schema):
        return None
    columns = inspector.get_columns(table_mapping.table, schema=table_mapping.schema)
    return [column["name"] for column in columns]


def _absent_tables(connection: sa.Connection, table_mapping: TableMapping) -> list[str]:
    """The source tables a preset query needs that the database lacks, qualified by schema."""
    inspector = sa.inspect(connection)
    return [
        f"{schema}.{table}" if schema else table
        for schema, table in table_mapping.needs
        if not inspector.has_table(table, schema=schema)
    ]


def _custom(name: str, sql: str, columns: list[str]) -> sa.Subquery:
    """The custom SQL as a named subquery, so that filters and ordering wrap around it."""
    textual = sa.text(sql).columns(*(sa.column(c) for c in columns))
    return textual.subquery(f"{name}_source")


def _source(name: str, table_mapping: TableMapping, wanted: dict[str, str]) -> _Source:
    """The FROM clause holding only the wanted source columns (canonical → source name)."""
    source_columns = list(dict.fromkeys(wanted.values()))
    if table_mapping.query is not None:
        from_clause: sa.FromClause = table_mapping.query.subquery(f"{name}_source")
    elif table_mapping.sql is not None:
        from_clause = _custom(name, table_mapping.sql, source_columns)
    else:
        from_clause = sa.table(
            table_mapping.table,
            *(sa.column(c) for c in source_columns),
            schema=table_mapping.schema,
        )
    return _Source(name, from_clause, {c: from_clause.c[s] for c, s in wanted.items()})


@dataclass(frozen=True)
class _Window:
    """The [since, until] date range as bound parameters (shared by every statement)."""

    since: sa.BindParameter[datetime] | None
    until: sa.BindParameter[datetime] | None
    until_exclusive: bool

    @classmethod
    def of(cls, since: Bound, until: Bound) -> _Window:
        def param(key: str, value: Bound) -> sa.BindParameter[datetime] | None:
            return None if value is None else sa.bindparam(key, _naive(value), type_=sa.DateTime())

        whole_day = until is not None and not isinstance(until, datetime)
        end = until + timedelta(days=1) if whole_day else until
        return cls(param("since", since), param("until", end), whole_day)

    @property
    def is_open(self) -> bool:
        """No bound at all: every row is read."""
        return self.since is None and self.until is None

    def conditions(self, column: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
        """The bounds applied to one time column."""
        found = [] if self.since is None else [column >= self.since]
        if self.until is not None:
            found.append(column < self.until if self.until_exclusive else column <= self.until)
        return found


def _naive(value: date | datetime) -> datetime:
    """A naive datetime (aware values converted to UTC), as the canonical tables store them."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()


def _range_filter(
    source: _Source, sources: dict[str, _Source], window: _Window
) -> list[sa.ColumnElement[bool]]:
    """Row filter for a date-range read: customers whole, qa_reviews of in-range tickets."""
    if window.is_open or source.name == "customers":
        return []
    if source.name in TIME_COLUMNS:
        return window.conditions(source.columns[TIME_COLUMNS[source.name]])
    tickets = sources["tickets"]
    in_range = (
        sa.select(tickets.columns["ticket_id"])
        .select_from(tickets.from_clause)
        .where(*window.conditions(tickets.columns[TIME_COLUMNS["tickets"]]))
    )
    return [source.columns["ticket_id"].in_(in_range)]


class _Reader:
    """One read-only connection to one database, turning database errors into our own."""

    def __init__(self, connection: sa.Connection, url: str, timeout: float) -> None:
        self.connection = connection
        self.location = mask_url(url)
        self.password = make_url(url).password
        self.timeout = timeout

    @classmethod
    @contextmanager
    def open(cls, url: str, timeout: float) -> Iterator[_Reader]:
        """Connect read-only; the engine is disposed on exit."""
        engine = create_read_only_engine(url, timeout_seconds=timeout)
        try:
            try:
                connection = engine.connect()
            except sa.exc.DBAPIError as exc:
                reason = database_reason(exc, make_url(url).password)
                raise DataSourceError(f"could not connect to {mask_url(url)}: {reason}") from exc
            with connection:
                yield cls(connection, url, timeout)
        finally:
            engine.dispose()

    @contextmanager
    def reading(self, part: str) -> Iterator[None]:
        """Turn a database error while reading ``part`` into a DataSourceError naming it."""
        try:
            yield
        except sa.exc.DBAPIError as exc:
            if _is_timeout(exc):
                message = f"reading {part} from {self.location} timed out after {self.timeout:g} s"
            else:
                reason = database_reason(exc, self.password)
                message = f"reading {part} from {self.location} failed: {reason}"
            raise DataSourceError(message, part=part) from exc

    def resolve(self, mapping: Mapping) -> dict[str, _Source]:
        """Match the mapping with what the database holds; every problem is collected first.

        Raises
        ------
        SchemaError
            A mapped source table is missing, or a required or explicitly mapped column is.
        """
        sources: dict[str, _Source] = {}
        problems: list[str] = []
        for name, table_mapping in mapping.tables.items():
            with self.reading(name):
                available = _source_columns(self.connection, name, table_mapping)
            if available is None:
                if table_mapping.query is not None:
                    with self.reading(name):
                        absent = _absent_tables(self.connection, table_mapping)
                    names = ", ".join(f"'{t}'" for t in absent)
                    problems.append(f"table '{name}' is missing: no source table {names}")
                elif not table_mapping.missing_ok:
                    problems.append(f"table '{name}' is missing: no {table_mapping.describe()}")
                continue
            wanted: dict[str, str] = {}
            for column in TABLES[name].columns:
                source_column = table_mapping.source_column(column.name)
                if source_column in available:
                    wanted[column.name] = source_column
                elif column.required or column.name in table_mapping.columns:
                    problems.append(
                        f"column {name}.{column.name} is missing: no column '{source_column}' "
                        f"in {table_mapping.describe()}"
                    )
            sources[name] = _source(name, table_mapping, wanted)
        if problems:
            raise SchemaError(problems)
        return sources

    def table_states(self, sources: dict[str, _Source]) -> dict[str, tuple[Any, ...]]:
        """Per mapped table: its row count, then the latest value of each date/time column."""
        states = {}
        for name, source in sources.items():
            stamps = [
                sa.func.max(column)
                for canonical, column in source.columns.items()
                if TABLES[name].column(canonical).kind is Kind.DATETIME
            ]
            query = sa.select(sa.func.count(), *stamps).select_from(source.from_clause)
            with self.reading(name):
                states[name] = tuple(self.connection.execute(query).one())
        return states

    def fingerprint(self, sources: dict[str, _Source], mapping: Mapping) -> str:
        """Hash of the row count and latest date/time values of every mapped table."""
        state = [
            self.location,
            sorted((n, t.signature()) for n, t in mapping.tables.items()),
            sorted(self.table_states(sources).items()),
        ]
        return hashlib.sha256(repr(state).encode()).hexdigest()[:16]

    def read(self, source: _Source, sources: dict[str, _Source], window: _Window) -> pd.DataFrame:
        """The rows of one table (in the window), columns named canonically."""
        query = source.select().where(*_range_filter(source, sources, window))
        with self.reading(source.name):
            result = self.connection.execute(query)
            names = list(result.keys())
            columns = list(zip(*result.fetchall(), strict=True)) or [()] * len(names)
            return pd.DataFrame(dict(zip(names, columns, strict=True)))


def _chosen_mapping(
    mapping: Mapping | None, preset: str | None, options: dict[str, Any]
) -> Mapping:
    """The mapping to read through: given, a helpdesk preset's, or the identity."""
    if preset is not None:
        if mapping is not None:
            raise ValueError("give a mapping or a preset, not both")
        return helpdesks.get(preset).mapping(**options)
    if options:
        raise ValueError(f"options {', '.join(sorted(options))} apply to a preset only")
    return mapping or Mapping.identity()


def source_version(
    url: str,
    mapping: Mapping | None = None,
    *,
    preset: str | None = None,
    timeout_seconds: float = 30,
    **options: Any,
) -> str:
    """A cheap fingerprint of the data: it changes when rows are added or timestamps move.

    Per mapped table it hashes the row count and the latest value of every mapped date/time
    column (so a ticket being resolved counts as a change), plus the masked URL and the mapping.
    An edit that changes neither, such as a corrected category, is not seen: pair the cache
    with a time-to-live.
    """
    mapping = _chosen_mapping(mapping, preset, options)
    with _Reader.open(url, timeout_seconds) as reader:
        return reader.fingerprint(reader.resolve(mapping), mapping)


def probe(
    url: str,
    mapping: Mapping | None = None,
    *,
    preset: str | None = None,
    timeout_seconds: float = 30,
    **options: Any,
) -> dict[str, int]:
    """Connect and count the rows each canonical table would get: a connection test.

    Raises the same errors as :func:`read_dataset` (unreachable source, missing tables or
    required columns, all named), without reading any rows.
    """
    mapping = _chosen_mapping(mapping, preset, options)
    with _Reader.open(url, timeout_seconds) as reader:
        states = reader.table_states(reader.resolve(mapping))
    return {name: int(state[0]) for name, state in states.items()}


def read_dataset(
    url: str,
    mapping: Mapping | None = None,
    *,
    preset: str | None = None,
    since: Bound = None,
    until: Bound = None,
    as_of: pd.Timestamp | None = None,
    timeout_seconds: float = 30,
    source_name: str | None = None,
    **options: Any,
) -> tuple[Dataset, ValidationReport]:
    """Read and validate the canonical tables from the database at ``url``.

    Parameters
    ----------
    url : str
        SQLAlchemy URL (SQLite, PostgreSQL, MySQL or MariaDB); opened read-only.
    mapping : Mapping, optional
        Where each canonical table lives; default :meth:`Mapping.identity`.
    preset : str, optional
        A helpdesk product whose own database is read (:mod:`data_connectors.helpdesks`:
        ``"chatwoot"``, ``"zammad"``, ``"osticket"``, ``"glpi"``) instead of a mapping;
        ``**options`` are the preset's options (e.g. ``table_prefix="ost_"``).
    since, until : date or datetime, optional
        Inclusive range on each table's time column (``TIME_COLUMNS``); a ``date`` for
        ``until`` includes its whole day. Customers are always read whole (churn needs them);
        quality reviews are read for the tickets in range.
    as_of : Timestamp, optional
        "Now" for validation's future-date rule.
    timeout_seconds : float
        Limit for connecting and for each statement.
    source_name : str, optional
        Shown as the source's name; default the database name.

    Returns
    -------
    (Dataset, ValidationReport)
        As :func:`~data_connectors.validation.validate` returns them; ``dataset.source`` is
        filled (kind ``"sql"``, masked URL, :func:`source_version` taken before reading).

    Raises
    ------
    DataSourceError
        The database cannot be reached or a read fails or times out (``part`` names the table).
    SchemaError
        Mapped tables or required columns are missing (all of them are listed).
    """
    mapping = _chosen_mapping(mapping, preset, options)
    window = _Window.of(since, until)
    with _Reader.open(url, timeout_seconds) as reader:
        sources = reader.resolve(mapping)
        version = reader.fingerprint(sources, mapping)
        raw = {name: reader.read(source, sources, window) for name, source in sources.items()}
    info = SourceInfo(
        name=source_name or Path(make_url(url).database or "database").stem,
        kind="sql",
        location=mask_url(url),
        loaded_at=datetime.now(UTC),
        version=version,
    )
    return validate(raw, as_of=as_of, source=info)
