"""Validate raw tables against the canonical schema: keep every valid row, report every bad one.

One call checks everything at once. A missing table or required column makes the table unusable
and raises :class:`~data_connectors.errors.SchemaError` naming all of them. Every other problem is
reported as (table, row, record id, column, value, reason, action). A bad value in a required
column, a duplicate key, a score out of range or a bad churn date rejects its row; a bad value in
an optional column (a first reply stamped a second before the ticket, a negative wait) is cleared
and the row kept, since the rest of the row is still good evidence. Rows without problems are
always kept.

Foreign keys are checked against the identifiers the source holds, whether or not the referenced
row itself passed validation: a ticket is not dropped because its customer row had a bad date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_connectors.dataset import DTYPES, Dataset, SourceInfo, empty_table
from data_connectors.errors import SchemaError
from data_connectors.schema import SCORE_RANGES, TABLES, Column, Kind, Table

PROBLEM_COLUMNS = ["table", "row", "record_id", "column", "value", "reason", "action"]
#: What validation did about a problem: the row is left out, or only the bad value is.
REJECTED, CLEARED = "row rejected", "value cleared"

#: Text accepted as a boolean, compared in lower case.
BOOLEAN_WORDS: dict[str, bool] = {
    **dict.fromkeys(["true", "t", "yes", "y", "1", "да", "д"], True),
    **dict.fromkeys(["false", "f", "no", "n", "0", "нет", "н"], False),
}

#: Timestamps later than this after ``as_of`` are rejected as being in the future.
FUTURE_TOLERANCE = pd.Timedelta(days=1)


@dataclass(frozen=True)
class ValidationReport:
    """What validation accepted and rejected.

    ``problems`` has one row per problem (columns :data:`PROBLEM_COLUMNS`; ``row`` is the
    1-based position in the source table; ``action`` is :data:`REJECTED` or :data:`CLEARED`).
    ``rejected`` holds, per table, the rejected source rows as they were read, with ``row`` and
    ``rejection_reason`` columns added.
    """

    problems: pd.DataFrame
    rows_read: dict[str, int]
    rejected: dict[str, pd.DataFrame]

    @property
    def is_clean(self) -> bool:
        return self.problems.empty

    def summary(self) -> pd.DataFrame:
        """Rows read, accepted and rejected per table."""
        return pd.DataFrame(
            [
                {
                    "table": name,
                    "read": read,
                    "accepted": read - len(self.rejected.get(name, ())),
                    "rejected": len(self.rejected.get(name, ())),
                    "values cleared": int(
                        (
                            (self.problems["table"] == name) & (self.problems["action"] == CLEARED)
                        ).sum()
                    ),
                }
                for name, read in self.rows_read.items()
            ]
        )

    def reason_counts(self) -> pd.DataFrame:
        """Number of problem rows per table, column, reason and action, most frequent first."""
        return (
            self.problems.groupby(["table", "column", "reason", "action"], sort=False)
            .size()
            .rename("rows")
            .reset_index()
            .sort_values("rows", ascending=False, ignore_index=True)
        )

    def rejected_csv(self) -> bytes:
        """All rejected rows of all tables as one CSV, with ``table`` and ``rejection_reason``."""
        frames = [frame.assign(table=name) for name, frame in self.rejected.items() if len(frame)]
        if not frames:
            return b""
        combined = pd.concat(frames, ignore_index=True)
        first = ["table", "row", "rejection_reason"]
        combined = combined[first + [c for c in combined.columns if c not in first]]
        return _defuse_formulas(combined).to_csv(index=False).encode("utf-8")


def _defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that spreadsheets would run as formulas (=, +, -, @) with an apostrophe.

    OWASP "CSV injection": rejected rows are exactly the untrusted values a user opens in Excel.
    """
    text = frame.astype("str")
    risky = text.apply(lambda column: column.str.match(r"^[=+\-@]", na=False))
    return text.mask(risky, "'" + text)


def validate(
    raw: Mapping[str, pd.DataFrame | None],
    *,
    as_of: pd.Timestamp | None = None,
    source: SourceInfo | None = None,
    partial: bool = False,
) -> tuple[Dataset, ValidationReport]:
    """Check raw tables against the canonical schema.

    Parameters
    ----------
    raw : mapping of table name to DataFrame (or None when the source has no such table)
        Columns must already carry canonical names; extra columns are ignored.
    as_of : Timestamp, optional
        "Now" for the future-date rule (default: the current time).
    source : SourceInfo, optional
        Attached to the returned dataset.
    partial : bool
        True when ``raw`` holds only some tables on purpose (an uploaded export of one table):
        absent tables are not an error, and foreign keys into them are not checked.

    Raises
    ------
    SchemaError
        A required table or a required column is missing (all of them are listed).
    """
    unknown = sorted(set(raw) - set(TABLES))
    if unknown:
        raise ValueError(f"unknown canonical tables: {', '.join(unknown)}")
    as_of = pd.Timestamp.now() if as_of is None else pd.Timestamp(as_of)
    _check_structure(raw, partial)

    parsed: dict[str, pd.DataFrame] = {}
    problems: dict[str, list[pd.DataFrame]] = {}
    for name, table in TABLES.items():
        frame = raw.get(name)
        if frame is None:
            continue
        parsed[name], problems[name] = _check_rows(table, frame.reset_index(drop=True), as_of)
    for name, frame in parsed.items():
        problems[name] += _check_foreign_keys(TABLES[name], frame, raw)

    tables, supplied, rejected, rows_read = {}, {}, {}, {}
    all_problems = [p for found in problems.values() for p in found]
    problem_frame = (
        pd.concat(all_problems, ignore_index=True)
        if all_problems
        else pd.DataFrame(columns=PROBLEM_COLUMNS)
    )
    for name, table in TABLES.items():
        if name not in parsed:
            tables[name], supplied[name] = empty_table(name), frozenset()
            continue
        frame = parsed[name]
        mine = problem_frame.loc[problem_frame["table"] == name]
        _clear_values(frame, mine.loc[mine["action"] == CLEARED])
        rejecting = mine.loc[mine["action"] == REJECTED, "row"]
        bad_positions = np.unique(rejecting.to_numpy(dtype=np.int64) - 1)
        bad_rows = mine.loc[mine["row"].isin(bad_positions + 1)]
        keep = np.ones(len(frame), dtype=bool)
        keep[bad_positions] = False
        tables[name] = frame.loc[keep].reset_index(drop=True)
        supplied[name] = frozenset(
            c for c in table.column_names if c in raw[name].columns and frame[c].notna().any()
        )
        rows_read[name] = len(frame)
        rejected[name] = _rejected_rows(raw[name].reset_index(drop=True), bad_rows, bad_positions)
    report = ValidationReport(problem_frame, rows_read, rejected)
    return Dataset(tables, supplied, source), report


def _clear_values(frame: pd.DataFrame, cleared: pd.DataFrame) -> None:
    """Blank the cells whose value was rejected while their row is kept (in place)."""
    for column, rows in cleared.groupby("column")["row"]:
        frame.loc[rows.to_numpy(dtype=np.int64) - 1, column] = None


def _check_structure(raw: Mapping[str, pd.DataFrame | None], partial: bool) -> None:
    problems = []
    for name, table in TABLES.items():
        frame = raw.get(name)
        if frame is None:
            if table.required and not partial:
                problems.append(f"table '{name}' is missing")
            continue
        missing = [c for c in table.required_columns if c not in frame.columns]
        if missing:
            problems.append(f"table '{name}' lacks required column(s): {', '.join(missing)}")
    if problems:
        raise SchemaError(problems)


def _check_rows(
    table: Table, frame: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Parse every canonical column and collect the row-level problems of one table."""
    parsed = {}
    found: list[pd.DataFrame] = []
    record_ids = _record_ids(table, frame)

    def report(mask: pd.Series | np.ndarray, column: str, reason: str | pd.Series) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            found.append(_problem_rows(table.name, mask, record_ids, frame, column, reason))

    for col in table.columns:
        if col.name not in frame.columns:
            parsed[col.name] = pd.Series(None, index=frame.index, dtype=DTYPES[col.kind])
            continue
        values, unparseable, reason = _parse(col, frame[col.name])
        report(unparseable, col.name, reason)
        if col.required:
            report(values.isna() & ~unparseable, col.name, "required value is missing")
        if col.kind is Kind.DATETIME and not col.future_allowed:
            report(values > as_of + FUTURE_TOLERANCE, col.name, "date is in the future")
        parsed[col.name] = values
    clean = pd.DataFrame(parsed, index=frame.index)

    if table.primary_key and table.primary_key in frame.columns:
        key = clean[table.primary_key]
        dup = key.duplicated(keep="first") & key.notna()
        if dup.any():
            positions = pd.Series(np.arange(1, len(key) + 1), index=key.index)
            first_row = positions.groupby(key, sort=False).transform("min")
            report(
                dup,
                table.primary_key,
                "duplicate " + table.primary_key + " (first at row " + first_row.astype(str) + ")",
            )
    for order in table.time_orders:
        early, late = clean[order.earlier], clean[order.later]
        report(late < early, order.later, f"{order.later} is before {order.earlier}")
    if table.name == "surveys":
        report(_score_out_of_range(clean), "score", _score_rule_text(clean["survey_type"]))
    return clean, found


def _parse(col: Column, raw: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    """Parse one column into its canonical dtype.

    Returns the parsed values (missing where unparseable), a mask of values that were present
    but could not be parsed or broke the column's rule, and the reason to report for them.
    """
    present = raw.notna()
    if pd.api.types.is_string_dtype(raw) or raw.dtype == object:
        present &= ~(raw.astype("str").str.strip() == "")
    if col.kind in (Kind.ID, Kind.TEXT, Kind.CATEGORY):
        values = _as_text(raw).where(present)
        if col.allowed is not None:
            values = values.str.lower()
            bad = present & ~values.isin(col.allowed)
            return values.where(~bad), bad, "must be one of: " + ", ".join(col.allowed)
        return values, pd.Series(False, index=raw.index), ""
    if col.kind is Kind.DATETIME:
        values = _as_datetime(raw)
        return values, present & values.isna(), "not an ISO 8601 date/time"
    if col.kind is Kind.BOOLEAN:
        values = _as_boolean(raw)
        return values, present & values.isna(), "not true/false (or yes/no, 1/0)"
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
    bad = present & numbers.isna()
    reason = "not a number"
    if col.kind is Kind.COUNT:
        bad |= numbers.notna() & ((numbers < 0) | (numbers % 1 != 0))
        reason = "not a whole number ≥ 0"
        return numbers.where(~bad).astype("Int64"), bad, reason
    if col.minimum is not None:
        bad |= numbers < col.minimum
        reason = f"not a number ≥ {col.minimum:g}"
    return numbers.where(~bad), bad, reason


def _as_text(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(raw) and (raw.dropna() % 1 == 0).all():
        raw = raw.astype("Int64")  # 1234.0 read from a numeric column is the id "1234"
    return raw.astype("str").str.strip()


def _as_datetime(raw: pd.Series) -> pd.Series:
    """Parse to naive timestamps (time-zone-aware values are converted to UTC first)."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        return raw.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
    if pd.api.types.is_datetime64_dtype(raw):
        return raw.astype("datetime64[ns]")
    # ISO 8601 only: other layouts (31.01.2024, 01/02/2024) are ambiguous or locale-bound and
    # are parsed by the upload path, which asks the user instead of guessing.
    values = pd.to_datetime(raw, errors="coerce", utc=True, format="ISO8601")
    return values.dt.tz_localize(None).astype("datetime64[ns]")


def _as_boolean(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype("boolean")
    words = raw.astype("str").str.strip().str.lower()
    words = words.str.replace(r"\.0$", "", regex=True)  # 1.0 / 0.0 from numeric columns
    return words.map(BOOLEAN_WORDS).astype("boolean")


def _score_out_of_range(surveys: pd.DataFrame) -> pd.Series:
    kind = surveys["survey_type"]
    low = kind.map({k: lo for k, (lo, _) in SCORE_RANGES.items()}).astype("float64")
    high = kind.map({k: hi for k, (_, hi) in SCORE_RANGES.items()}).astype("float64")
    score = surveys["score"]
    return score.notna() & low.notna() & ((score < low) | (score > high) | (score % 1 != 0))


def _score_rule_text(kind: pd.Series) -> pd.Series:
    rules = {
        k: f"{k} score must be a whole number {lo}–{hi}" for k, (lo, hi) in SCORE_RANGES.items()
    }
    return kind.map(rules)


def _check_foreign_keys(
    table: Table, frame: pd.DataFrame, raw: Mapping[str, pd.DataFrame | None]
) -> list[pd.DataFrame]:
    found = []
    record_ids = _record_ids(table, frame)
    for fk in table.foreign_keys:
        parent = raw.get(fk.table)
        if parent is None or fk.ref_column not in parent.columns:
            continue  # nothing to resolve against: the table was not supplied
        known = pd.Index(_as_text(parent[fk.ref_column]).dropna().unique().astype(object))
        values = frame[fk.column]
        # Hash lookup on plain objects: Arrow-backed isin loops in Python over the known set.
        unresolved = values.notna() & (known.get_indexer(values.astype(object)) < 0)
        if unresolved.any():
            reason = f"no {fk.table} row with {fk.ref_column} = this value"
            found.append(
                _problem_rows(
                    table.name, unresolved.to_numpy(), record_ids, frame, fk.column, reason
                )
            )
    return found


def _record_ids(table: Table, frame: pd.DataFrame) -> pd.Series:
    if table.primary_key and table.primary_key in frame.columns:
        return _as_text(frame[table.primary_key])
    return pd.Series(None, index=frame.index, dtype="str")


def _problem_rows(
    table: str,
    mask: np.ndarray,
    record_ids: pd.Series,
    frame: pd.DataFrame,
    column: str,
    reason: str | pd.Series,
) -> pd.DataFrame:
    positions = np.flatnonzero(mask)
    reasons = reason[mask].to_numpy() if isinstance(reason, pd.Series) else reason
    definition = TABLES[table]
    rejects = column == definition.primary_key or definition.column(column).bad_value_rejects_row
    return pd.DataFrame(
        {
            "table": table,
            "row": positions + 1,
            "record_id": record_ids.to_numpy()[positions],
            "column": column,
            "value": frame[column].astype("str").to_numpy()[positions],
            "reason": reasons,
            "action": REJECTED if rejects else CLEARED,
        }
    )


def _rejected_rows(raw: pd.DataFrame, bad: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    reasons = (bad["column"] + ": " + bad["reason"]).groupby(bad["row"]).agg("; ".join)
    rows = raw.iloc[positions].astype("str")  # as read: no float-ification of ids
    rows.insert(0, "row", positions + 1)
    rows.insert(1, "rejection_reason", reasons.reindex(positions + 1).to_numpy())
    return rows.reset_index(drop=True)
