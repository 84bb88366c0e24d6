"""Read an uploaded export (CSV, XLSX or Parquet) into a table of text, exactly as in the file.

:func:`read_file` does no type inference: every value stays the text the file holds ("00123"
stays "00123", "4,5" stays "4,5"), so that :mod:`data_connectors.values` can parse it with the
rules of the column it is mapped to. Only an empty field becomes missing (NA).

Each row keeps its place in the file as the frame's index, named ``source_row``, so a problem
can be reported on the row the user sees:

- CSV: the row number as a spreadsheet shows it when it opens the file — the header is row 1
  (after any preamble lines), blank lines count, and a quoted value spanning several physical
  lines counts as one row. For files without multi-line values this is the line number.
- XLSX: the sheet's row number.
- Parquet: the 1-based record number (Parquet has no header row).

Header names are stripped of whitespace and byte-order marks; an empty name becomes
``column_<position>`` and a repeated one ``<name>_<k>`` (k = 2, 3, …). Rows with no value in
any field are dropped, and so are columns with neither a name nor a value.

A CSV line with more fields than the header (an unquoted delimiter inside a value) cannot be
placed in the columns: it is left out of the frame and listed in :attr:`RawTable.bad_lines`
with its row number and raw text, so the caller can report it; every well-formed row is read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from os import PathLike
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl.utils.exceptions import InvalidFileException

from data_connectors.errors import FileFormatError

#: Delimiters recognised in CSV files, in order of preference when several fit equally.
DELIMITERS = (",", ";", "\t", "|")
#: File extensions and the format they name; text under any other name is read as CSV.
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".xls": "csv",  # helpdesks often save tab-separated text as .xls; a real .xls is refused
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_ZIP_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 .xls and other Office files
_SAMPLE_BYTES = 256 * 1024
_SAMPLE_RECORDS = 200
_HEADER_JUNK = " \t\r\n\ufeff\u200b\u00a0"
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_MARKUP = ("<!doctype html", "<html", "<table", "<?xml")


@dataclass(frozen=True)
class RawTable:
    """One table read from an uploaded file, all values as text.

    Attributes
    ----------
    frame : DataFrame
        Every column of dtype ``str``, values exactly as in the file (empty fields are NA);
        the index, named ``source_row``, is each row's number in the file (see the module doc).
    name : str
        The file name; for XLSX ``"<file>:<sheet>"``.
    sha256 : str
        Hex digest of the file's raw bytes: identifies the content whatever the file is called.
    format : str
        ``"csv"``, ``"xlsx"`` or ``"parquet"``.
    encoding, delimiter : str or None
        CSV only: the encoding detected (``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``utf-16-be``
        or ``windows-1251``) and the delimiter.
    sheet : str or None
        XLSX only: the sheet read.
    sheets : tuple of str
        XLSX only: every sheet in the workbook, in order.
    header_row : int or None
        Row number of the header (after any preamble lines); None for Parquet.
    bad_lines : DataFrame
        CSV only: the lines that could not be read as rows because they have more fields than
        the header, one row each with columns ``source_row`` (the row number, counted as for
        ``frame``'s index), ``fields`` (how many fields the line has) and ``text`` (the raw
        line, a multi-line record's lines joined by their line breaks, cut to
        :data:`BAD_LINE_CHARS` characters). Empty when every line fits (always for XLSX and
        Parquet). These rows are not in ``frame``.
    """

    frame: pd.DataFrame
    name: str
    sha256: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = field(default=())
    header_row: int | None = 1
    bad_lines: pd.DataFrame = field(default_factory=lambda: _bad_lines_frame([], [], []))


#: Raw text of a bad line kept in :attr:`RawTable.bad_lines` is cut to this many characters.
BAD_LINE_CHARS = 500


def _bad_lines_frame(
    rows: Sequence[int], fields: Sequence[int], texts: Sequence[str]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": pd.Series(rows, dtype="int64"),
            "fields": pd.Series(fields, dtype="int64"),
            "text": pd.Series(texts, dtype="str"),
        }
    )


Source = str | PathLike[str] | bytes | IO[bytes]


def read_file(source: Source, *, name: str | None = None, sheet: str | None = None) -> RawTable:
    """Read a CSV, XLSX or Parquet export into a :class:`RawTable` of text.

    Parameters
    ----------
    source : path, bytes or binary file-like object
        A file-like object may have ``getvalue()`` (Streamlit's ``UploadedFile``, ``BytesIO``)
        or ``read()``; its ``name`` is used when ``name`` is not given.
    name : str, optional
        The file name shown in messages and used for the extension (default: from ``source``).
    sheet : str, optional
        XLSX only: the sheet to read (default: the first sheet holding any value).

    The format is decided by the content's signature when it has one (ZIP → XLSX, ``PAR1`` →
    Parquet), so a workbook renamed ``.csv`` still opens; otherwise by the extension; text under
    an unknown or no extension is read as CSV. CSV encoding: a byte-order mark (UTF-8, or
    UTF-16 LE/BE as Excel's "Unicode text" writes it), else UTF-8 if the whole file decodes
    strictly, else Windows-1251. The delimiter is the one of :data:`DELIMITERS` that splits the
    first records most consistently (see :func:`_sniff`); lines before the header holding a
    single field (a report title, unzip output) are skipped as a preamble, as is Excel's
    ``sep=;`` line.

    A CSV line with more fields than the header is not read into ``frame`` but listed in
    :attr:`RawTable.bad_lines`; the other rows are read as usual.

    Raises
    ------
    FileFormatError
        The file is empty, not a table in a supported format, not decodable, has no header row,
        or no data row of a CSV file fits the header (the message names the first bad line).
    """
    data, name = _read_bytes(source, name)
    digest = hashlib.sha256(data).hexdigest()
    if not data or data.isspace():
        raise FileFormatError(f"{name}: the file is empty")
    file_format = _detect_format(data, name)
    if sheet is not None and file_format != "xlsx":
        raise ValueError(f"{name}: sheet={sheet!r} applies to XLSX files only")
    if file_format == "xlsx":
        return _read_xlsx(data, name, digest, sheet)
    if file_format == "parquet":
        frame = _read_parquet(data, name)
        return RawTable(frame, name, digest, "parquet", header_row=None)
    return _read_csv(data, name, digest)


def _read_bytes(source: Source, name: str | None) -> tuple[bytes, str]:
    """The raw bytes and the file name (without folders) to show in messages."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), name or "uploaded file"
    if isinstance(source, str | PathLike):
        path = Path(source)
        return path.read_bytes(), name or path.name
    data = source.getvalue() if hasattr(source, "getvalue") else source.read()
    if isinstance(data, str):
        raise TypeError("read_file needs a binary file object (open the file with 'rb')")
    return bytes(data), name or Path(str(getattr(source, "name", "uploaded file"))).name


def _detect_format(data: bytes, name: str) -> str:
    """Signature first (ZIP, PAR1, OLE2), then the extension; see :func:`read_file`."""
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_PARQUET_MAGIC) and data.endswith(_PARQUET_MAGIC):
        return "parquet"
    if data.startswith(_OLE2_MAGIC):
        raise FileFormatError(
            f"{name}: Excel 97–2003 workbooks (.xls) are not supported; "
            "open the file in Excel and save it as .xlsx or CSV"
        )
    suffix = Path(name).suffix.lower()
    expected = EXTENSIONS.get(suffix, "csv" if not suffix else None)
    if expected is None:
        raise FileFormatError(
            f"{name}: unknown file format '{suffix}'; upload CSV, XLSX or Parquet"
        )
    if expected != "csv":
        raise FileFormatError(f"{name}: the name says {suffix} but the content is not {expected}")
    return "csv"


# --------------------------------------------------------------------------------------- CSV


class _Encoding(NamedTuple):
    name: str  # reported in RawTable.encoding
    codec: str  # handed to the decoder
    skip: int  # bytes of byte-order mark to skip before decoding


def _read_csv(data: bytes, name: str, digest: str) -> RawTable:
    encoding = _detect_encoding(data, name)
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors="replace")  # sniffing only
    sample = decoder.decode(data[encoding.skip : encoding.skip + _SAMPLE_BYTES])
    if sample.lstrip().lower().startswith(_MARKUP):
        raise FileFormatError(
            f"{name}: the file is a web page (HTML/XML), not a table; "
            "open it in Excel and save it as .xlsx or CSV"
        )
    truncated = len(data) - encoding.skip > _SAMPLE_BYTES
    delimiter, preamble = _sniff(sample, name, truncated=truncated)
    header_row = preamble + 1
    bad_lines = _bad_lines_frame([], [], [])
    try:
        try:
            frame = _pandas_csv(data, encoding, delimiter, preamble)
        except pd.errors.ParserError as exc:
            # Rare path: find the lines with too many fields, then read the rest skipping them.
            message = str(exc)
            if not _TOO_MANY_FIELDS.search(message):
                raise
            bad_lines = _find_bad_lines(data, encoding, delimiter, header_row)
            if bad_lines.empty:  # the csv module reads the file differently: report pandas'
                raise
            skip = set(range(preamble)) | set((bad_lines["source_row"] - 1).tolist())
            frame = _pandas_csv(data, encoding, delimiter, skip)
    except pd.errors.ParserError as exc:
        raise FileFormatError(_parser_message(name, str(exc), delimiter)) from None
    except UnicodeDecodeError:
        raise FileFormatError(
            f"{name}: cannot decode the text as {encoding.name}; save the file as UTF-8 CSV"
        ) from None
    except pd.errors.EmptyDataError:
        raise FileFormatError(f"{name}: the file has no rows") from None
    rows = np.arange(header_row, header_row + len(frame) + len(bad_lines))
    if not bad_lines.empty:
        rows = rows[~np.isin(rows, bad_lines["source_row"].to_numpy())]
    frame.index = rows
    table = _tabulate(*_split_header(frame, name, header_row))
    if table.empty and not bad_lines.empty:  # no row fits the header: the layout is wrong
        first = bad_lines.iloc[0]
        raise FileFormatError(
            _parser_message(
                name,
                f"Expected {frame.shape[1]} fields in line {first['source_row']}, "
                f"saw {first['fields']}",
                delimiter,
            )
        )
    return RawTable(
        table,
        name,
        digest,
        "csv",
        encoding=encoding.name,
        delimiter=delimiter,
        header_row=header_row,
        bad_lines=bad_lines,
    )


_TOO_MANY_FIELDS = re.compile(r"Expected \d+ fields in line \d+, saw \d+")


def _pandas_csv(
    data: bytes, encoding: _Encoding, delimiter: str, skiprows: int | set[int]
) -> pd.DataFrame:
    """Every record as text with pandas' C parser; ``skiprows``: how many leading records, or
    which (0-based) records, to leave out."""
    buffer = io.BytesIO(data)  # shares the bytes: no copy of a large file
    buffer.seek(encoding.skip)
    return pd.read_csv(
        buffer,
        sep=delimiter,
        header=None,
        dtype=str,
        encoding=encoding.codec,
        skiprows=skiprows,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,  # blank lines stay rows, so row numbers match the file
        engine="c",
    )


def _find_bad_lines(
    data: bytes, encoding: _Encoding, delimiter: str, header_row: int
) -> pd.DataFrame:
    """The records after the header with more fields than it, as :attr:`RawTable.bad_lines`.

    Walks the file once with the csv module (quotes respected, so a multi-line value is one
    record, numbered as pandas numbers it) and keeps each record's physical lines for its text.
    Only called once pandas has reported a bad line, so the normal path stays at C speed.
    """
    raw = io.BytesIO(data)
    raw.seek(encoding.skip)
    stream = io.TextIOWrapper(raw, encoding=encoding.codec, newline="")
    current: list[str] = []

    def lines() -> Any:
        for line in stream:
            current.append(line)
            yield line

    rows: list[int] = []
    fields: list[int] = []
    texts: list[str] = []
    expected: int | None = None
    try:
        for number, record in enumerate(csv.reader(lines(), delimiter=delimiter), start=1):
            if number == header_row:
                expected = len(record)
            elif expected is not None and len(record) > expected:
                rows.append(number)
                fields.append(len(record))
                texts.append("".join(current).rstrip("\r\n")[:BAD_LINE_CHARS])
            current.clear()
    except csv.Error:  # e.g. a field above the csv module's size limit: let pandas' error stand
        return _bad_lines_frame([], [], [])
    return _bad_lines_frame(rows, fields, texts)


def _detect_encoding(data: bytes, name: str) -> _Encoding:
    """BOM first (UTF-8, UTF-16 LE/BE), then strict UTF-8, then Windows-1251 (Cyrillic)."""
    if data.startswith(codecs.BOM_UTF8):
        return _Encoding("utf-8-sig", "utf-8", len(codecs.BOM_UTF8))
    if data.startswith(codecs.BOM_UTF16_LE):
        return _Encoding("utf-16-le", "utf-16", 0)  # "utf-16" reads and drops the BOM
    if data.startswith(codecs.BOM_UTF16_BE):
        return _Encoding("utf-16-be", "utf-16", 0)
    if b"\x00" in data[:_SAMPLE_BYTES]:
        raise FileFormatError(
            f"{name}: the file holds binary data, not text; upload CSV, XLSX or Parquet"
        )
    if _is_utf8(data):
        return _Encoding("utf-8", "utf-8", 0)
    return _Encoding("windows-1251", "cp1251", 0)


def _is_utf8(data: bytes, chunk: int = 1 << 24) -> bool:
    """Strict UTF-8 check in chunks, so a large file is never held as one decoded string."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), chunk):
            decoder.decode(view[start : start + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff(sample: str, name: str, *, truncated: bool) -> tuple[str, int]:
    """Choose the delimiter and count the preamble lines before the header.

    Each candidate delimiter splits the first :data:`_SAMPLE_RECORDS` records with the csv
    module (quotes respected, so delimiters and line breaks inside quoted values do not count).
    Leading records with at most one field are a preamble (title, blank line) when later records
    have more. The winner has the most records with exactly the header's field count; ties go
    to the shorter preamble, then the wider header, then the order of :data:`DELIMITERS`.
    Excel's ``sep=<char>`` first line names the delimiter outright.
    """
    first_line = sample.split("\n", 1)[0].strip()
    if re.fullmatch(r"sep=.", first_line) and first_line[-1] in DELIMITERS:
        return first_line[-1], 1
    best: tuple[tuple[bool, float, int, int], str, int] | None = None
    for delimiter in DELIMITERS:
        records = list(
            islice(csv.reader(io.StringIO(sample), delimiter=delimiter), _SAMPLE_RECORDS + 1)
        )
        if truncated or len(records) > _SAMPLE_RECORDS:
            records = records[:-1]  # the last one may be cut off
        widths = [len(r) if any(value.strip() for value in r) else 0 for r in records]
        lead = next((i for i, width in enumerate(widths) if width > 1), None)
        if lead is None:  # single column: only blank lines can precede the header
            lead = next((i for i, width in enumerate(widths) if width), len(widths))
        body = widths[lead:]
        if not body:
            continue
        consistency = sum(width == body[0] for width in body) / len(body)
        score = (body[0] > 1, consistency, -lead, body[0])
        if best is None or score > best[0]:
            best = (score, delimiter, lead)
    if best is None:
        raise FileFormatError(f"{name}: the file has no rows")
    return best[1], best[2]


def _parser_message(name: str, message: str, delimiter: str) -> str:
    """Turn a pandas tokenizer error into a message naming the line (1-based, as in the file)."""
    shown = {"\t": "tab"}.get(delimiter, f"'{delimiter}'")
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        expected, line, saw = fields.groups()
        return (
            f"{name}: line {line} has {saw} fields but the header has {expected} "
            f"(delimiter {shown}); a value containing the delimiter must be in double quotes"
        )
    unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
    if unclosed:
        return f"{name}: the quoted value starting on line {int(unclosed[1]) + 1} is never closed"
    return f"{name}: not a readable CSV table ({message.rsplit('error:', 1)[-1].strip()})"


# -------------------------------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes, name: str, digest: str, sheet: str | None) -> RawTable:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise FileFormatError(
            f"{name}: a ZIP archive but not an Excel workbook (.xlsx); upload CSV, XLSX or Parquet"
        ) from None
    try:
        sheets = tuple(workbook.sheetnames)
        if sheet is None:
            sheet = next((s for s in sheets if _has_values(workbook[s])), None)
            if sheet is None:
                raise FileFormatError(f"{name}: every sheet of the workbook is empty")
        elif sheet not in sheets:
            raise FileFormatError(f"{name}: no sheet named '{sheet}' (sheets: {', '.join(sheets)})")
        rows = [[_cell_text(v) for v in row] for row in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()
    label = f"{name}:{sheet}"
    start = next((i for i, row in enumerate(rows) if any(v is not None for v in row)), None)
    if start is None:
        raise FileFormatError(f"{label}: the sheet is empty")
    width = max(map(len, rows))
    frame = pd.DataFrame(
        [row + [None] * (width - len(row)) for row in rows[start:]],
        index=np.arange(start + 1, len(rows) + 1),
        dtype="str",
    )
    table = _tabulate(*_split_header(frame, label, start + 1))
    return RawTable(table, label, digest, "xlsx", sheet=sheet, sheets=sheets, header_row=start + 1)


def _has_values(worksheet: Any) -> bool:
    return any(v is not None for row in worksheet.iter_rows(values_only=True) for v in row)


def _cell_text(value: object) -> str | None:
    """A cell as text, written the way :func:`_arrow_text` writes the same Parquet value.

    Whole floats lose the ``.0`` (Excel stores every number as a float); booleans are
    ``true``/``false``; date-times are ISO 8601 with a space (``2024-01-05 10:30:00``).
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


# ----------------------------------------------------------------------------------- Parquet


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise FileFormatError(f"{name}: not a readable Parquet file ({exc})") from None
    body = pd.DataFrame(
        {position: _arrow_text(column) for position, column in enumerate(table.columns)}
    ).set_axis(np.arange(1, table.num_rows + 1))
    return _tabulate(_stripped(table.column_names), body)


def _arrow_text(column: pa.ChunkedArray) -> pd.Series:
    """A Parquet column as text: Arrow's own cast, with whole-second times shown without
    fractions (``2024-01-05 10:30:00``; time-zone-aware ones keep their offset, ``+0300``)."""
    if pa.types.is_timestamp(column.type) or pa.types.is_time(column.type):
        coarse = (
            pa.timestamp("s", column.type.tz)
            if pa.types.is_timestamp(column.type)
            else pa.time32("s")
        )
        with contextlib.suppress(pa.ArrowInvalid):  # a safe cast fails if a fraction is lost
            column = column.cast(coarse)
    if _castable_to_text(column.type):
        text = column.cast(pa.string())
    else:  # nested and binary types: Python's own text
        text = pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())
    return pd.Series(text.to_pandas(), dtype="str")


def _castable_to_text(kind: pa.DataType) -> bool:
    """Whether Arrow casts ``kind`` to text itself (it does not for nested or binary types)."""
    binary = (pa.types.is_binary, pa.types.is_large_binary, pa.types.is_fixed_size_binary)
    return not (pa.types.is_nested(kind) or any(test(kind) for test in binary))


# ------------------------------------------------------------------------------------ common


def _stripped(header: Sequence[object]) -> list[str]:
    """Header values as names: text without surrounding whitespace or byte-order marks."""
    return ["" if pd.isna(value) else str(value).strip(_HEADER_JUNK) for value in header]


def _split_header(
    frame: pd.DataFrame, name: str, header_row: int
) -> tuple[list[str], pd.DataFrame]:
    """The first row as header names and the rest as body; refuse a header made of numbers."""
    header = _stripped(frame.iloc[0].tolist())
    if all(_NUMBER.fullmatch(given) for given in header if given):
        raise FileFormatError(
            f"{name}: no header row — row {header_row} holds values "
            f"({', '.join(header[:3])}…) where column names are expected"
        )
    return header, frame.iloc[1:]


def _tabulate(stripped: Sequence[str], body: pd.DataFrame) -> pd.DataFrame:
    """Name the columns; drop empty rows and unnamed empty columns; index ``source_row``."""
    names = _column_names(stripped)
    body = body.set_axis(names, axis=1)
    body = body.loc[body.notna().any(axis=1)]
    unnamed_empty = [
        column
        for column, given in zip(names, stripped, strict=True)
        if not given and body[column].isna().all()
    ]
    body = body.drop(columns=unnamed_empty).astype("str")
    body.index = pd.Index(body.index.astype("int64"), name="source_row")
    return body


def _column_names(stripped: Sequence[str]) -> list[str]:
    """``column_<position>`` for an empty name, ``<name>_<k>`` (k = 2, 3, … not yet taken) for
    a repeated one."""
    names: list[str] = []
    for position, given in enumerate(stripped, start=1):
        text, k = given or f"column_{position}", 1
        while (text if k == 1 else f"{text}_{k}") in names:
            k += 1
        names.append(text if k == 1 else f"{text}_{k}")
    return names
