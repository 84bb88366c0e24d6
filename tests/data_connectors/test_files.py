"""Reading uploaded exports: every encoding, delimiter and format gives back the same text table.

Files are built in ``tmp_path`` by the tests; expected frames are written out literally.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_connectors.errors import FileFormatError
from data_connectors.files import read_file

HEADER = ["ticket_id", "created_at", "channel", "text", "score"]
ROWS = [
    ["00123", "05.01.2024 10:30", "chat", 'Line one, with comma\nand a "quote"', "4,5"],
    ["00124", "06.01.2024 11:00", "телефон", "Не могу войти", "3"],
    ["00125", "07.01.2024 09:15", "email", "", "5"],
]

#: What every CSV variant of HEADER + ROWS must read back as. The multi-line value is one row,
#: so the rows are 2, 3 and 4 as a spreadsheet numbers them.
EXPECTED = pd.DataFrame(
    {
        "ticket_id": ["00123", "00124", "00125"],
        "created_at": ["05.01.2024 10:30", "06.01.2024 11:00", "07.01.2024 09:15"],
        "channel": ["chat", "телефон", "email"],
        "text": ['Line one, with comma\nand a "quote"', "Не могу войти", None],
        "score": ["4,5", "3", "5"],
    },
    index=pd.Index([2, 3, 4], name="source_row"),
    dtype="str",
)


def _csv_text(delimiter: str) -> str:
    """HEADER + ROWS as Excel writes CSV: CRLF rows, quotes only where needed."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([HEADER, *ROWS])
    return out.getvalue()


ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "windows-1251": lambda text: text.encode("cp1251"),
}


@pytest.mark.parametrize(
    "delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_csv_variants_read_back_identically(tmp_path: Path, encoding: str, delimiter: str):
    path = tmp_path / "tickets.csv"
    path.write_bytes(ENCODINGS[encoding](_csv_text(delimiter)))
    raw = read_file(path)
    pd.testing.assert_frame_equal(raw.frame, EXPECTED)
    assert (raw.format, raw.encoding, raw.delimiter, raw.header_row) == (
        "csv",
        encoding,
        delimiter,
        1,
    )


@pytest.mark.parametrize(
    ("bom", "codec", "encoding"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
def test_excel_unicode_text_reads_back_identically(
    tmp_path: Path, bom: bytes, codec: str, encoding: str
):
    """Excel's "Unicode text" (.txt): UTF-16 with a byte-order mark, tab-delimited."""
    path = tmp_path / "tickets.txt"
    path.write_bytes(bom + _csv_text("\t").encode(codec))
    raw = read_file(path)
    pd.testing.assert_frame_equal(raw.frame, EXPECTED)
    assert (raw.encoding, raw.delimiter) == (encoding, "\t")


def test_header_names_are_cleaned_and_empty_rows_dropped():
    data = (
        b"\xef\xbb\xbf id ,Name,Name,Name_2,,, \r\n"
        b"1,a,b,c,,x,\r\n"
        b"\r\n"  # blank line: row 3
        b",,,,,,\r\n"  # empty row, e.g. Excel's ;;;;; line: row 4
        b"2,d,e,f,,,\r\n"
    )
    raw = read_file(data, name="export.csv")
    expected = pd.DataFrame(
        {
            "id": ["1", "2"],
            "Name": ["a", "d"],
            "Name_2": ["b", "e"],
            "Name_2_2": ["c", "f"],
            "column_6": ["x", None],
        },
        index=pd.Index([2, 5], name="source_row"),
        dtype="str",
    )
    pd.testing.assert_frame_equal(raw.frame, expected)


def test_preamble_lines_before_the_header_are_skipped():
    """As in the CFPB sample: two lines of unzip output, then the header."""
    data = b"Archive:  complaints.csv.zip\n  inflating: complaints.csv\nid,product\n7,Mortgage\n"
    raw = read_file(data, name="complaints.csv")
    assert raw.header_row == 3
    expected = pd.DataFrame(
        {"id": ["7"], "product": ["Mortgage"]}, index=pd.Index([4], name="source_row"), dtype="str"
    )
    pd.testing.assert_frame_equal(raw.frame, expected)


def test_excel_sep_line_names_the_delimiter():
    raw = read_file(b"sep=;\nid;amount,eur\n1;4,5\n", name="x.csv")
    assert (raw.delimiter, raw.header_row) == (";", 2)
    assert raw.frame.to_dict("list") == {"id": ["1"], "amount,eur": ["4,5"]}


def test_semicolon_file_with_decimal_commas_is_not_split_on_commas():
    """Split on commas, every data row has 3 fields (one more than on ';'), but the header
    then has only one: the header line decides."""
    raw = read_file(b"score;wait\n4,5;2,5\n3,5;1,0\n", name="x.csv")
    assert (raw.delimiter, raw.header_row) == (";", 1)
    assert raw.frame.to_dict("list") == {"score": ["4,5", "3,5"], "wait": ["2,5", "1,0"]}


def test_header_only_file_gives_an_empty_table():
    raw = read_file(b"id,name\n", name="x.csv")
    assert list(raw.frame.columns) == ["id", "name"] and raw.frame.empty


# ----------------------------------------------------------------------------------- sources

SMALL = b"id,name\n1,a\n"
SMALL_SHA256 = "b7773700b1468b27c88d7122034e23bc5af7703c70bc13fd545d8e08534dcf41"


class _Upload:
    """Quacks like Streamlit's UploadedFile: ``name`` and ``getvalue()``."""

    name = "upload.csv"

    def getvalue(self) -> bytes:
        return SMALL


def test_every_kind_of_source_gives_the_same_table(tmp_path: Path):
    path = tmp_path / "on_disk.csv"
    path.write_bytes(SMALL)
    stream = io.BytesIO(SMALL)
    stream.name = "/some/folder/stream.csv"
    cases = [
        (path, None, "on_disk.csv"),
        (str(path), None, "on_disk.csv"),
        (SMALL, "given.csv", "given.csv"),
        (stream, None, "stream.csv"),
        (_Upload(), None, "upload.csv"),
        (_Upload(), "renamed.csv", "renamed.csv"),
    ]
    for source, name, expected_name in cases:
        raw = read_file(source, name=name)
        assert raw.name == expected_name
        assert raw.sha256 == SMALL_SHA256
        assert raw.frame.to_dict("list") == {"id": ["1"], "name": ["a"]}


def test_text_mode_file_is_refused(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_bytes(SMALL)
    with path.open(encoding="utf-8") as text_file, pytest.raises(TypeError, match="binary"):
        read_file(text_file)


def test_sheet_is_refused_for_csv():
    with pytest.raises(ValueError, match="XLSX"):
        read_file(SMALL, name="x.csv", sheet="Sheet1")


# -------------------------------------------------------------------------------------- XLSX


def _workbook(tmp_path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active["A1"] = "Exported by HelpDesk"
    sheet = workbook.create_sheet("Tickets")
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"] = (
        " ticket_id",
        "created",
        "score",
        "complaint",
        "wait",
    )
    sheet.append([])  # row 4 stays empty
    for row, values in (
        (5, ["00123", dt.datetime(2024, 1, 5, 10, 30), 4.0, True, 12.5]),
        (6, ["00124", dt.date(2024, 1, 6), 5, False, None]),
    ):
        for column, value in zip("BCDEF", values, strict=True):
            sheet[f"{column}{row}"] = value
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    return path


def test_xlsx_second_sheet_reads_cells_as_text(tmp_path: Path):
    raw = read_file(_workbook(tmp_path), sheet="Tickets")
    expected = pd.DataFrame(
        {
            "ticket_id": ["00123", "00124"],
            "created": ["2024-01-05 10:30:00", "2024-01-06 00:00:00"],
            "score": ["4", "5"],
            "complaint": ["true", "false"],
            "wait": ["12.5", None],
        },
        index=pd.Index([5, 6], name="source_row"),
        dtype="str",
    )
    pd.testing.assert_frame_equal(raw.frame, expected)
    assert (raw.name, raw.format, raw.sheet, raw.sheets, raw.header_row) == (
        "export.xlsx:Tickets",
        "xlsx",
        "Tickets",
        ("Notes", "Tickets"),
        3,
    )


def test_xlsx_default_sheet_is_the_first_with_values(tmp_path: Path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Empty"
    workbook.create_sheet("Data").append(["id", "name"])
    workbook["Data"].append([1, "a"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    raw = read_file(path)
    assert raw.sheet == "Data"
    assert raw.frame.to_dict("list") == {"id": ["1"], "name": ["a"]}


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path):
    with pytest.raises(
        FileFormatError, match=r"export\.xlsx: no sheet named 'Missing' \(sheets: Notes, Tickets\)"
    ):
        read_file(_workbook(tmp_path), sheet="Missing")


def test_zip_that_is_not_a_workbook_is_refused(tmp_path: Path):
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(
        FileFormatError, match=r"archive\.xlsx: a ZIP archive but not an Excel workbook"
    ):
        read_file(path)


# ----------------------------------------------------------------------------------- Parquet


def test_parquet_values_become_text(tmp_path: Path):
    path = tmp_path / "surveys.parquet"
    pd.DataFrame(
        {
            "response_id": ["00007", "00008"],
            "score": [9, 10],
            "ratio": [0.5, None],
            "promoter": [True, False],
            "answered": pd.to_datetime(
                ["2024-01-05 10:30", "2024-01-06 08:00:01.25"], format="ISO8601"
            ),
            "answered_tz": pd.to_datetime(["2024-01-05 10:30", "2024-01-06 08:00"]).tz_localize(
                "Europe/Moscow"
            ),
            "day": [dt.date(2024, 1, 5), dt.date(2024, 1, 6)],
        }
    ).to_parquet(path)
    raw = read_file(path)
    expected = pd.DataFrame(
        {
            "response_id": ["00007", "00008"],
            "score": ["9", "10"],
            "ratio": ["0.5", None],
            "promoter": ["true", "false"],
            "answered": ["2024-01-05 10:30:00.000000", "2024-01-06 08:00:01.250000"],
            "answered_tz": ["2024-01-05 10:30:00+0300", "2024-01-06 08:00:00+0300"],
            "day": ["2024-01-05", "2024-01-06"],
        },
        index=pd.Index([1, 2], name="source_row"),
        dtype="str",
    )
    pd.testing.assert_frame_equal(raw.frame, expected)
    assert (raw.format, raw.header_row, raw.encoding) == ("parquet", None, None)


def test_parquet_nested_values_use_python_text(tmp_path: Path):
    path = tmp_path / "tags.parquet"
    pd.DataFrame({"id": ["1"], "tags": [["billing", "vip"]]}).to_parquet(path)
    assert read_file(path).frame["tags"].tolist() == ["['billing', 'vip']"]


def test_format_comes_from_content_before_extension(tmp_path: Path):
    path = tmp_path / "really_parquet.csv"
    pd.DataFrame({"id": ["1"]}).to_parquet(path)
    assert read_file(path).format == "parquet"


# ------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(b"", "empty.csv", "empty.csv: the file is empty", id="empty"),
        pytest.param(b" \r\n\r\n", "blank.csv", "blank.csv: the file is empty", id="blank"),
        pytest.param(
            bytes(range(256)) * 8,
            "garbage.csv",
            "garbage.csv: the file holds binary data",
            id="garbage",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "photo",
            "photo: the file holds binary data",
            id="binary-without-extension",
        ),
        pytest.param(
            b"1,2,3\n4,5,6\n",
            "numbers.csv",
            "numbers.csv: no header row — row 1 holds values",
            id="headerless",
        ),
        pytest.param(
            b"%PDF-1.4\n", "report.pdf", "report.pdf: unknown file format '.pdf'", id="pdf"
        ),
        pytest.param(
            b"id,name\n1,a\n",
            "fake.xlsx",
            "fake.xlsx: the name says .xlsx but the content is not xlsx",
            id="text-named-xlsx",
        ),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
            "old.xls",
            "old.xls: Excel 97–2003",
            id="legacy-xls",
        ),
        pytest.param(
            b"<html><table><tr><td>id</td></tr></table></html>",
            "jira.xls",
            "jira.xls: the file is a web page",
            id="html-as-xls",
        ),
        pytest.param(
            b"id,name\n1,\x98\n",
            "bad.csv",
            "bad.csv: cannot decode the text as windows-1251",
            id="undecodable",
        ),
        pytest.param(
            b'id,text\n1,"never closed\n2,x\n',
            "open.csv",
            "open.csv: the quoted value starting on line 2 is never closed",
            id="unclosed-quote",
        ),
    ],
)
def test_unreadable_files_raise_a_clear_error(data: bytes, name: str, message: str):
    with pytest.raises(FileFormatError) as caught:
        read_file(data, name=name)
    assert str(caught.value).startswith(message)


def test_line_with_an_extra_field_is_set_aside_and_the_other_rows_are_read():
    raw = read_file(b"id,name,score\n1,Ann,5\n2,Bob, Jr.,4\n3,Eve,3\n", name="broken.csv")
    expected = pd.DataFrame(
        {"id": ["1", "3"], "name": ["Ann", "Eve"], "score": ["5", "3"]},
        index=pd.Index([2, 4], name="source_row"),
        dtype="str",
    )
    pd.testing.assert_frame_equal(raw.frame, expected)
    pd.testing.assert_frame_equal(
        raw.bad_lines,
        pd.DataFrame(
            {
                "source_row": pd.Series([3], dtype="int64"),
                "fields": pd.Series([4], dtype="int64"),
                "text": pd.Series(["2,Bob, Jr.,4"], dtype="str"),
            }
        ),
    )


def test_bad_lines_are_numbered_like_rows_after_a_preamble_and_multi_line_values():
    data = (
        b"Report: tickets\r\n"  # preamble: row 1
        b"id,text\r\n"  # header: row 2
        b'1,"two\r\nlines"\r\n'  # row 3 (two physical lines)
        b"2,too,many\r\n"  # row 4: bad
        b"\r\n"  # row 5: blank
        b'3,"x",y,"multi\nline"\r\n'  # row 6: bad, on two physical lines
        b"4,ok\r\n" + b"5," + b"z," * 300 + b"end\r\n"  # row 7  # row 8: bad, long
    )
    raw = read_file(data, name="report.csv")
    assert raw.frame.index.tolist() == [3, 7]
    assert raw.frame["id"].tolist() == ["1", "4"]
    assert raw.bad_lines["source_row"].tolist() == [4, 6, 8]
    assert raw.bad_lines["fields"].tolist() == [3, 4, 302]
    assert raw.bad_lines["text"].tolist()[:2] == ["2,too,many", '3,"x",y,"multi\nline"']
    assert raw.bad_lines["text"][2] == ("5," + "z," * 300 + "end")[:500]


def test_a_clean_file_has_no_bad_lines():
    raw = read_file(SMALL, name="x.csv")
    assert raw.bad_lines.empty
    assert list(raw.bad_lines.columns) == ["source_row", "fields", "text"]


def test_file_where_no_row_fits_the_header_is_refused_naming_the_line():
    data = b'id,text\n1,"two\nlines",x\n2,too,many\n'
    with pytest.raises(FileFormatError) as caught:
        read_file(data, name="broken.csv")
    assert str(caught.value).startswith(
        "broken.csv: line 2 has 3 fields but the header has 2 (delimiter ',')"
    )
