"""Uploaded exports → validated canonical rows: the one path for the page, tests and scripts.

:func:`load_export` reads a file (:mod:`files`), finds how it maps onto a canonical table (the
product preset it recognises, or the mapping given), turns its messy values into typed ones
(:mod:`values`: missing markers, decimal commas, dates in any common layout — asking rather than
guessing the day/month order — booleans in English and Russian, scores recoded from the file's
scale and labels), then runs the same validation as the database path. Problems are reported
with the row number *in the file*; "don't know" answers are excluded and counted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import partial

import pandas as pd

from data_connectors.errors import SchemaError
from data_connectors.file_mapping import FileMapping
from data_connectors.files import RawTable, Source, read_file
from data_connectors.presets import PRESETS, PresetMatch, recognise, suggest_columns
from data_connectors.schema import SCORE_RANGES, TABLES, Kind
from data_connectors.validation import REJECTED, ValidationReport, validate
from data_connectors.values import (
    blank_missing,
    decimal_convention,
    parse_booleans,
    parse_dates,
    parse_numbers,
    recode_scores,
)


@dataclass(frozen=True)
class ExportResult:
    """What one uploaded file yielded.

    Attributes
    ----------
    table : str
        The canonical table the rows belong to.
    rows : DataFrame
        Valid canonical rows, ready to store.
    report : ValidationReport
        Problems and rejected rows; ``row`` is the row number in the file.
    mappings : tuple of FileMapping
        The mapping(s) applied (a form export with NPS and CSAT questions yields two).
    raw : RawTable
        The file as read (name, hash, encoding, delimiter, sheet).
    dont_know : int
        Answers excluded as "don't know" / "not applicable".
    """

    table: str
    rows: pd.DataFrame
    report: ValidationReport
    mappings: tuple[FileMapping, ...]
    raw: RawTable
    dont_know: int = 0


def load_export(
    source: Source | RawTable,
    table: str | None = None,
    mapping: FileMapping | None = None,
    *,
    sheet: str | None = None,
    day_first: bool | None = None,
    as_of: pd.Timestamp | None = None,
) -> ExportResult:
    """Read one exported file into validated canonical rows.

    Parameters
    ----------
    source : path, bytes, file-like object, or an already read RawTable
    table : str, optional
        The canonical table the file holds; default: the one its preset fills.
    mapping : FileMapping, optional
        How its columns map; default: the preset recognised from its headers.
    sheet : str, optional
        XLSX only: the sheet to read.
    day_first : bool, optional
        The user's answer to an ambiguous day/month order; overrides the mapping's.

    Raises
    ------
    SchemaError
        No mapping was given and no preset recognises the file; the message lists the columns
        it could not place. Also when the mapping leaves a required column unplaced.
    AmbiguousDatesError
        A date column could be day-first or month-first and the mapping does not say which.
    FileFormatError
        The file cannot be read as a table.
    """
    raw = source if isinstance(source, RawTable) else read_file(source, sheet=sheet)
    match = _preset_match(raw, table, mapping)
    mappings = match.mappings if mapping is None else (mapping,)
    if day_first is not None:
        mappings = tuple(replace(m, day_first=day_first) for m in mappings)
    if table is not None and mappings[0].table != table:
        raise ValueError(f"the mapping fills {mappings[0].table!r}, not {table!r}")
    table = mappings[0].table
    synthesize = match is not None and match.preset.synthesize_ids
    decimal = decimal_convention(raw.delimiter, raw.encoding)
    parts, dont_know = [], 0
    for each in mappings:
        unplaced = [c for c in each.unmapped_required if not (synthesize and c == "response_id")]
        if unplaced:
            raise SchemaError(
                [f"{raw.name}: no column is mapped to required {table}.{c}" for c in unplaced]
            )
        frame = match.prepare(raw.frame, each) if match is not None else raw.frame
        absent = [f"{c} ← “{h}”" for c, h in each.columns.items() if h not in frame.columns]
        if absent:
            raise SchemaError(
                [
                    f"{raw.name}: the mapping names file column(s) this file lacks: "
                    + ", ".join(absent)
                ]
            )
        canonical, skipped = to_canonical(frame, each, decimal=decimal)
        if synthesize and "response_id" not in each.columns:
            canonical["response_id"] = _row_ids(frame.loc[canonical.index], each)
        elif len(mappings) > 1:  # one row answers several questions: one answer id each
            canonical["response_id"] = canonical["response_id"] + ":" + canonical["survey_type"]
        parts.append(canonical)
        dont_know += skipped
    rows = pd.concat(parts)
    dataset, report = validate({table: rows.reset_index(drop=True)}, as_of=as_of, partial=True)
    report = _with_bad_lines(_in_file_rows(report, rows.index), raw, table)
    return ExportResult(table, dataset.tables[table], report, mappings, raw, dont_know)


def content_id(raw: RawTable) -> str:
    """What identifies an upload's content: the file's hash, and the sheet for a workbook (two
    sheets of one workbook are two uploads)."""
    if raw.sheet is None:
        return raw.sha256
    return hashlib.sha256(f"{raw.sha256}:{raw.sheet}".encode()).hexdigest()


def _preset_match(
    raw: RawTable, table: str | None, mapping: FileMapping | None
) -> PresetMatch | None:
    """The preset to apply: the mapping's own (for its transform), or the one recognised."""
    headers = list(raw.frame.columns)
    if mapping is not None:
        preset = next((p for p in PRESETS if p.key == mapping.preset), None)
        return preset.match(headers) if preset is not None else None
    match = recognise(headers, table)
    if match is None:
        raise SchemaError(_unrecognised(raw, table))
    return match


def _unrecognised(raw: RawTable, table: str | None) -> list[str]:
    """What to tell the user when no preset fits: which columns could and could not be placed."""
    problems = [f"{raw.name}: no product preset recognises this layout; map its columns yourself"]
    for name in [table] if table else ["tickets", "surveys", "customers"]:
        placed = suggest_columns(list(raw.frame.columns), name)
        used = {header for header, _ in placed.values()}
        missing = [c for c in TABLES[name].required_columns if c not in placed]
        leftover = [h for h in raw.frame.columns if h not in used]
        problems.append(
            f"as {name}: required column(s) with no match: {', '.join(missing) or 'none'}; "
            f"file columns it could not place: {', '.join(leftover) or 'none'}"
        )
    return problems


def to_canonical(
    frame: pd.DataFrame, mapping: FileMapping, *, decimal: str | None = None
) -> tuple[pd.DataFrame, int]:
    """The mapped columns of ``frame`` as typed canonical values, and the "don't know" count.

    Values that cannot be read keep their original text, so that validation reports them with
    the value as it was in the file. Rows whose score means "don't know" are left out (counted).
    ``decimal`` is the file's decimal mark when known (:func:`values.decimal_convention`).
    """
    table = TABLES[mapping.table]
    out = pd.DataFrame(index=frame.index)
    for canonical, header in mapping.columns.items():
        text = blank_missing(frame[header])
        out[canonical] = _typed(table.column(canonical).kind, text, header, mapping, decimal)
    for canonical, value in mapping.constants.items():
        out[canonical] = value
    if mapping.table != "surveys" or "score" not in out:
        return out, 0
    return _recode(out, frame[mapping.columns["score"]], mapping)


def _dates(text: pd.Series, header: str, mapping: FileMapping) -> tuple[pd.Series, pd.Series]:
    """Dates in the product's known layout first; anything else detected from the values."""
    if mapping.date_format is None:
        return parse_dates(text, day_first=mapping.day_first, column=header)
    values = pd.to_datetime(text, format=mapping.date_format, errors="coerce")
    rest = text.notna() & values.isna()
    if rest.any():
        values.loc[rest], _ = parse_dates(text[rest], day_first=mapping.day_first, column=header)
    return values, text.notna() & values.isna()


def _typed(
    kind: Kind, text: pd.Series, header: str, mapping: FileMapping, decimal: str | None
) -> pd.Series:
    numbers = partial(parse_numbers, decimal=decimal)
    parsers = {
        Kind.DATETIME: lambda s: _dates(s, header, mapping),
        Kind.NUMBER: numbers,
        Kind.COUNT: numbers,
        Kind.BOOLEAN: parse_booleans,
    }
    if kind not in parsers:
        return text
    values, bad = parsers[kind](text)
    if not bad.any():
        return values  # typed: validation checks it without re-parsing text
    return values.astype(object).where(~bad, text)


def _recode(
    out: pd.DataFrame, answers: pd.Series, mapping: FileMapping
) -> tuple[pd.DataFrame, int]:
    """Recode scores per survey type onto its canonical range; drop "don't know" answers."""
    kinds = out["survey_type"].astype("str").str.strip().str.lower()
    scores = pd.Series(index=out.index, dtype=object)
    dont_know = pd.Series(False, index=out.index)
    for kind, rows in kinds.groupby(kinds).groups.items():
        if kind not in SCORE_RANGES:
            continue  # validation reports the unknown survey type
        recoded = recode_scores(answers.loc[rows], mapping.score_scale, SCORE_RANGES[kind])
        keep_text = recoded.unrecognised_mask
        scores.loc[rows] = recoded.values.astype(object).where(~keep_text, answers.loc[rows])
        dont_know.loc[rows] = recoded.dont_know_mask
    out["score"] = scores.where(kinds.isin(SCORE_RANGES), answers)
    return out.loc[~dont_know], int(dont_know.sum())


def _row_ids(frame: pd.DataFrame, mapping: FileMapping) -> pd.Series:
    """A stable answer id for exports without one: hash of the row's cells and survey type."""
    survey_type = mapping.constants.get("survey_type", "")
    cells = frame.astype("str").fillna("").agg("\x1f".join, axis=1)
    return (cells + "\x1f" + survey_type).map(
        lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
    )


def _in_file_rows(report: ValidationReport, file_rows: pd.Index) -> ValidationReport:
    """The report with ``row`` renumbered from positions to the rows' numbers in the file."""
    lookup = pd.Series(file_rows.to_numpy(), index=range(1, len(file_rows) + 1))
    reasons = report.problems["reason"].astype(object)
    first_at = reasons.str.extract(r"first at row (\d+)")[0].dropna()
    in_file = lookup.reindex(pd.to_numeric(first_at)).to_numpy()
    reasons.loc[first_at.index] = [  # only duplicate-id problems: few
        re.sub(r"first at row \d+", f"first at row {row}", text)
        for text, row in zip(reasons.loc[first_at.index], in_file, strict=True)
    ]
    problems = report.problems.assign(
        row=lookup.reindex(report.problems["row"]).to_numpy(), reason=reasons
    )
    rejected = {
        name: frame.assign(row=lookup.reindex(frame["row"].astype(int)).to_numpy())
        for name, frame in report.rejected.items()
    }
    return replace(report, problems=problems, rejected=rejected)


def _with_bad_lines(report: ValidationReport, raw: RawTable, table: str) -> ValidationReport:
    """Lines the reader could not split into the header's fields, as rejected rows."""
    bad = raw.bad_lines
    if bad.empty:
        return report
    width = len(raw.frame.columns)
    reasons = (
        "line has " + bad["fields"].astype("str") + f" fields but the header has {width}; a "
        "value containing the delimiter must be in double quotes"
    )
    problems = pd.DataFrame(
        {
            "table": table,
            "row": bad["source_row"].to_numpy(),
            "record_id": None,
            "column": None,
            "value": bad["text"].to_numpy(),
            "reason": reasons.to_numpy(),
            "action": REJECTED,
        }
    )
    lines = pd.DataFrame(
        {
            "row": bad["source_row"].to_numpy(),
            "rejection_reason": reasons.to_numpy(),
            "line": bad["text"].to_numpy(),
        }
    )
    rejected = {**report.rejected, table: pd.concat([report.rejected.get(table), lines])}
    rows_read = {**report.rows_read, table: report.rows_read.get(table, 0) + len(bad)}
    return replace(
        report,
        problems=pd.concat([report.problems, problems], ignore_index=True),
        rejected=rejected,
        rows_read=rows_read,
    )
