"""The demo helpdesk as a SQLite file the app reads like any other SQL source.

:func:`build_database` generates the canonical tables, writes them in chunks into a file beside
the target (no journal, no fsync) and moves it into place only when complete, so a reader never
sees a half-written database; the ``demo_info`` table records the parameters, row counts and
build time, which :func:`read_info` returns.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_connectors.demo.calendar import last_month
from data_connectors.demo.simulation import Progress, no_progress
from data_connectors.demo.tables import generate
from data_connectors.sql_schema import canonical_metadata

INSERT_CHUNK = 20_000
GENERATOR_VERSION = "1"

DEMO_INFO = sa.Table(
    "demo_info",
    sa.MetaData(),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)


def build_database(
    path: str | os.PathLike[str],
    customers: int = 8000,
    months: int = 24,
    end: str | pd.Period | None = None,
    seed: int = 7,
    progress: Progress | None = None,
) -> Path:
    """Generate the demo helpdesk and write it to the SQLite file ``path``; return the path.

    The canonical tables are created from :func:`~data_connectors.sql_schema.canonical_metadata`
    and filled in chunks, plus ``demo_info`` (key, value) with the parameters, the row counts and
    the build time. The file is built beside the target and moved into place only when complete,
    so a reader never sees a half-written database. Arguments as for
    :func:`~data_connectors.demo.tables.generate`.
    """
    started = time.perf_counter()
    report = progress or no_progress
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tables = generate(
        customers, months, end, seed, lambda done, message: report(0.4 * done, message)
    )
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        engine = sa.create_engine(sa.URL.create("sqlite", database=str(temporary)))
        sa.event.listen(engine, "connect", _fast_writes)
        try:
            with engine.begin() as connection:
                _write_tables(
                    connection, tables, lambda done, message: report(0.4 + 0.59 * done, message)
                )
                info = {
                    "generator_version": GENERATOR_VERSION,
                    "customers": str(customers),
                    "months": str(months),
                    "end": str(last_month(end)),
                    "seed": str(seed),
                    **{f"rows.{name}": str(len(frame)) for name, frame in tables.items()},
                    "built_at": pd.Timestamp.now().isoformat(timespec="seconds"),
                    "build_seconds": f"{time.perf_counter() - started:.1f}",
                }
                DEMO_INFO.create(connection)
                connection.execute(
                    sa.insert(DEMO_INFO), [{"key": k, "value": v} for k, v in info.items()]
                )
        finally:
            engine.dispose()
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    report(1.0, f"demo database written to {target}")
    return target


def read_info(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``demo_info`` entries of a demo database."""
    engine = sa.create_engine(sa.URL.create("sqlite", database=str(path)))
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.select(DEMO_INFO.c.key, DEMO_INFO.c.value)).all()
    finally:
        engine.dispose()
    return dict(rows)


def _fast_writes(dbapi_connection: object, _record: object) -> None:
    """No journal and no fsync: safe here because an unfinished file is never moved into place."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode = OFF")
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


def _write_tables(
    connection: sa.Connection, tables: Mapping[str, pd.DataFrame], report: Progress
) -> None:
    """Create the canonical tables and insert the frames in chunks; index them afterwards."""
    metadata = canonical_metadata()
    total, done = sum(len(frame) for frame in tables.values()), 0
    for name, frame in tables.items():
        table = metadata.tables[name]
        connection.execute(sa.schema.CreateTable(table))
        for start in range(0, len(frame), INSERT_CHUNK):
            chunk = frame.iloc[start : start + INSERT_CHUNK]
            connection.execute(sa.insert(table), _records(chunk))
            done += len(chunk)
            report(done / total, f"writing {name}: {done:,} of {total:,} rows")
    report(1.0, "indexing")
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(connection)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts of plain Python values, None for missing (what the DB-API expects).

    Built column by column and zipped: twice as fast as ``DataFrame.to_dict("records")``.
    """
    columns = []
    for name in frame.columns:
        series = frame[name]
        values = series.dt.to_pydatetime() if series.dtype.kind == "M" else series.to_numpy(object)
        columns.append(np.where(series.isna().to_numpy(), None, values).tolist())
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
