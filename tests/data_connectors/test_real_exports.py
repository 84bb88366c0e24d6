"""load_export on real public exports, mapped by hand the way a user maps them on the page.

Files (provenance, licences and how each was cut: ``tests/data/README.md``):

* ``cfpb_complaints_first1500.csv`` — the first 1,500 complaints of the CFPB Consumer Complaint
  Database sample, with the two lines of left-over unzip output before the header (public domain);
* ``telco_customer_churn_first1000.csv`` — the first 1,000 customers of IBM's Telco customer
  churn sample (Apache-2.0).

IBM's ``Telco_customer_churn_status.xlsx`` is "IBM sample data" without a stated licence, so it
is not copied: the XLSX test builds a workbook with the same sheet name and header and invented
values.

Every literal figure below was counted from the files with shell tools or Python's ``csv``
module, never with the product's code; the command is in each test's docstring, run from the
repository root with ``F=tests/data/cfpb_complaints_first1500.csv`` and
``T=tests/data/telco_customer_churn_first1000.csv``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_connectors.errors import AmbiguousDatesError, SchemaError
from data_connectors.file_mapping import FileMapping, ScoreScale
from data_connectors.schema import TABLES
from data_connectors.uploads import ExportResult, load_export
from data_connectors.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"
CFPB = DATA / "cfpb_complaints_first1500.csv"
TELCO = DATA / "telco_customer_churn_first1000.csv"
AS_OF = pd.Timestamp("2024-06-30")

#: The CFPB sample has no column identifying the consumer (complaints are published without
#: one), so the ZIP code stands in for the customer: the closest thing to "who complained" the
#: file has. It is blank in some complaints, which are then rejected (customer_id is required).
#: "Date sent to company" is when the CFPB forwarded the complaint, the nearest the file has to
#: a first response. ``is_complaint`` is a constant: every row is a complaint.
CFPB_MAPPING = FileMapping(
    "tickets",
    {
        "ticket_id": "Complaint ID",
        "customer_id": "ZIP code",
        "created_at": "Date received",
        "category": "Product",
        "subject": "Issue",
        "text": "Consumer complaint narrative",
        "channel": "Submitted via",
        "first_response_at": "Date sent to company",
    },
    constants={"is_complaint": "true"},
)
CFPB_PREAMBLE = [
    "Archive:  /Users/hvo/Downloads/complaints.csv.zip\n",
    "  inflating: complaints.csv          \n",
]
#: Complaint 3384392 (the file's second complaint): a narrative with one line break.
NARRATIVE_3384392 = (
    "transworld systems inc. \n"
    "is trying to collect a debt that is not mine, not owed and is inaccurate."
)


def _cfpb_records(path: Path = CFPB) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """Preamble lines, header and records of a CFPB file, read with the csv module."""
    with path.open(newline="", encoding="utf-8") as handle:
        preamble = [next(handle), next(handle)]
        reader = csv.DictReader(handle)
        return preamble, list(reader.fieldnames or []), list(reader)


def _write_cfpb(path: Path, header: list[str], records: list[dict[str, str]]) -> Path:
    """A CFPB-layout file: the unzip preamble, then the records as the CFPB writes them (LF)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.writelines(CFPB_PREAMBLE)
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return path


def _supplied(result: ExportResult) -> pd.DataFrame:
    """The accepted rows limited to the columns the file supplied, as the upload page stores them
    (dashboard/uploading.py, ``_store_controls``)."""
    mapping = result.mappings[0]
    supplied = {*mapping.columns, *mapping.constants, TABLES[result.table].primary_key}
    return result.rows[[c for c in result.rows.columns if c in supplied]]


# ------------------------------------------------------------------------------------- CFPB


def test_cfpb_file_is_read_past_its_unzip_preamble():
    """The two unzip lines are skipped; the header is line 3; 1,500 complaints, 18 columns.

    head -n 3 $F | tail -n 1 | tr ',' '\\n' | wc -l                                  # 18
    python3 -c "import csv; f=open('$F', newline=''); next(f); next(f); \\
        print(sum(1 for _ in csv.DictReader(f)))"                                    # 1500
    """
    result = load_export(CFPB, mapping=CFPB_MAPPING, as_of=AS_OF)
    raw = result.raw
    assert (raw.format, raw.encoding, raw.delimiter, raw.header_row) == ("csv", "utf-8", ",", 3)
    assert raw.frame.shape == (1500, 18)
    assert raw.frame.columns[0] == "Date received"
    assert raw.frame.columns[-1] == "Complaint ID"
    assert raw.frame.index[0] == 4  # the first complaint is row 4 of the file as Excel shows it


def test_cfpb_accepts_complaints_with_a_zip_code_and_rejects_the_rest():
    """143 of the 1,500 complaints have no ZIP code: required customer_id → row rejected.

    python3 -c "import csv; f=open('$F', newline=''); next(f); next(f); \\
        r=list(csv.DictReader(f)); print(sum(x['ZIP code']=='' for x in r))"          # 143
    Their rows in the file (preamble 1–2, header 3, complaint k at row 3 + k; a multi-line
    narrative counts as one row, as in Excel):
    python3 -c "import csv; f=open('$F', newline=''); next(f); next(f); \\
        r=list(csv.DictReader(f)); print([i+4 for i,x in enumerate(r) if x['ZIP code']==''][:5])"
    # [10, 16, 31, 32, 38]   (complaint 3558134 is at row 10)
    """
    result = load_export(CFPB, mapping=CFPB_MAPPING, as_of=AS_OF)
    summary = result.report.summary().iloc[0]
    assert (summary["read"], summary["accepted"], summary["rejected"]) == (1500, 1357, 143)
    assert len(result.rows) == 1357
    counts = result.report.reason_counts()
    assert counts[["column", "reason", "action", "rows"]].values.tolist() == [
        ["customer_id", "required value is missing", "row rejected", 143]
    ]
    _, _, records = _cfpb_records()
    no_zip = [(i + 4, r["Complaint ID"]) for i, r in enumerate(records) if r["ZIP code"] == ""]
    problems = result.report.problems
    assert list(zip(problems["row"], problems["record_id"], strict=True)) == no_zip
    assert no_zip[0] == (10, "3558134")

    rejected = list(csv.DictReader(io.StringIO(result.report.rejected_csv().decode("utf-8"))))
    assert len(rejected) == 143
    first = rejected[0]
    assert (first["table"], first["row"], first["ticket_id"]) == ("tickets", "10", "3558134")
    assert first["rejection_reason"] == "customer_id: required value is missing"


def test_cfpb_known_complaint_keeps_its_values_and_its_narrative():
    """Complaint 3384392, the file's second complaint (lines 5–6 of the file).

    sed -n 5,6p $F
    # 2019-09-24,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not
    # yours,"transworld systems inc. \\nis trying to collect a debt that is not mine, ...",,
    # TRANSWORLD SYSTEMS INC,FL,335XX,,Consent provided,Web,2019-09-24,...,3384392
    """
    result = load_export(CFPB, mapping=CFPB_MAPPING, as_of=AS_OF)
    row = result.rows.set_index("ticket_id").loc["3384392"]
    assert row["customer_id"] == "335XX"
    assert row["created_at"] == pd.Timestamp("2019-09-24")
    assert row["first_response_at"] == pd.Timestamp("2019-09-24")
    assert row["category"] == "Debt collection"
    assert row["subject"] == "Attempts to collect debt not owed"
    assert row["channel"] == "Web"
    assert bool(row["is_complaint"]) is True
    assert row["text"] == NARRATIVE_3384392
    # The very first complaint: ISO dates as published, no narrative.
    first = result.rows.set_index("ticket_id").loc["3571115"]
    assert (first["created_at"], first["first_response_at"]) == (
        pd.Timestamp("2020-03-18"),
        pd.Timestamp("2020-03-18"),
    )
    assert pd.isna(first["text"])


def test_cfpb_narratives_with_line_breaks_are_intact():
    """Narratives survive whole, line breaks included.

    Of the 1,357 complaints with a ZIP code, 268 have a narrative and 107 of those hold a line
    break; complaint 3439091 has the most: 97 line breaks, 21,928 characters:
    python3 -c "import csv; f=open('$F', newline=''); next(f); next(f); \\
        r=[x for x in csv.DictReader(f) if x['ZIP code']]; \\
        n=[x['Consumer complaint narrative'] for x in r if x['Consumer complaint narrative']]; \\
        print(len(n), sum('\\n' in t for t in n))"                                   # 268 107
    (No narrative has leading or trailing whitespace, which validation trims.)
    """
    result = load_export(CFPB, mapping=CFPB_MAPPING, as_of=AS_OF)
    texts = result.rows["text"].dropna()
    assert len(texts) == 268
    assert int(texts.str.contains("\n", regex=False).sum()) == 107
    _, _, records = _cfpb_records()
    expected = {
        r["Complaint ID"]: r["Consumer complaint narrative"]
        for r in records
        if r["ZIP code"] and r["Consumer complaint narrative"]
    }
    got = dict(zip(result.rows.loc[texts.index, "ticket_id"], texts, strict=True))
    assert got == expected
    longest = got["3439091"]
    assert (longest.count("\n"), len(longest)) == (97, 21928)


def test_cfpb_dates_are_iso_so_no_day_month_question_arises():
    """Both date columns are ISO 8601 (YYYY-MM-DD) in every complaint, so the product must not
    ask about the day/month order, and the answer, if given anyway, changes nothing.

    python3 -c "import csv,re,collections; f=open('$F', newline=''); next(f); next(f); \\
        r=list(csv.DictReader(f)); print(collections.Counter(re.sub(r'\\d','9',x[c]) \\
        for x in r for c in ('Date received','Date sent to company')))"
    # Counter({'9999-99-99': 3000})
    """
    asked_nothing = load_export(CFPB, mapping=CFPB_MAPPING, as_of=AS_OF).rows
    for day_first in (False, True):
        answered = load_export(CFPB, mapping=CFPB_MAPPING, day_first=day_first, as_of=AS_OF).rows
        pd.testing.assert_series_equal(answered["created_at"], asked_nothing["created_at"])
    assert asked_nothing["created_at"].min() == pd.Timestamp("2015-05-20")
    assert asked_nothing["created_at"].max() == pd.Timestamp("2020-03-18")


def _us_dates(records: list[dict[str, str]]) -> list[dict[str, str]]:
    """The records with both date columns as US Excel writes them (M/D/YYYY): what a user gets
    after opening the CSV in Excel with US regional settings and saving it again."""
    columns = ("Date received", "Date sent to company")

    def us(iso: str) -> str:
        year, month, day = iso.split("-")
        return f"{int(month)}/{int(day)}/{year}"

    return [{**r, **{c: us(r[c]) for c in columns}} for r in records]


def test_cfpb_resaved_with_us_dates_settles_the_order_from_the_values(tmp_path):
    """Re-saved with US dates, most complaints prove the order by themselves: 908 of 1,500 were
    received on a day after the 12th (3/18/2020 can only be month-first), so nothing is asked.

    python3 -c "import csv; f=open('$F', newline=''); next(f); next(f); \\
        print(sum(int(x['Date received'][8:])>12 for x in csv.DictReader(f)))"        # 908
    """
    _, header, records = _cfpb_records()
    path = _write_cfpb(tmp_path / "complaints_us.csv", header, _us_dates(records))
    result = load_export(path, mapping=CFPB_MAPPING, as_of=AS_OF)
    rows = result.rows.set_index("ticket_id")
    assert rows.loc["3571115", "created_at"] == pd.Timestamp("2020-03-18")
    assert rows.loc["3379500", "first_response_at"] == pd.Timestamp("2019-09-20")
    # 11/8/2019 alone reads both ways; the column settles it month-first (8 November).
    assert rows.loc["3433198", "created_at"] == pd.Timestamp("2019-11-08")
    assert len(result.rows) == 1357


def test_cfpb_resaved_with_only_ambiguous_us_dates_asks_for_the_order(tmp_path):
    """The complaints whose both dates fall on days 1–12 (569, 520 of them with a ZIP code):
    as M/D/YYYY nothing settles the order, so the product must ask; month-first is right.

    python3 -c "import csv; f=open('$F', newline=''); next(f); next(f); \\
        a=[x for x in csv.DictReader(f) if int(x['Date received'][8:])<=12 \\
           and int(x['Date sent to company'][8:])<=12]; \\
        print(len(a), sum(1 for x in a if x['ZIP code']), \\
              [(x['Complaint ID'], x['Date received']) for x in a[:2]])"
    # 569 520 [('3433198', '2019-11-08'), ('3146310', '2019-02-08')]
    """
    _, header, records = _cfpb_records()
    low_days = [
        r
        for r in records
        if int(r["Date received"][8:]) <= 12 and int(r["Date sent to company"][8:]) <= 12
    ]
    assert len(low_days) == 569
    path = _write_cfpb(tmp_path / "complaints_us_low_days.csv", header, _us_dates(low_days))
    with pytest.raises(AmbiguousDatesError) as err:
        load_export(path, mapping=CFPB_MAPPING, as_of=AS_OF)
    assert err.value.column == "Date received"
    assert "11/8/2019" in err.value.examples

    month_first = load_export(path, mapping=CFPB_MAPPING, day_first=False, as_of=AS_OF)
    assert len(month_first.rows) == 520
    rows = month_first.rows.set_index("ticket_id")
    assert rows.loc["3433198", "created_at"] == pd.Timestamp("2019-11-08")
    assert rows.loc["3146310", "created_at"] == pd.Timestamp("2019-02-08")
    day_first = load_export(path, mapping=CFPB_MAPPING, day_first=True, as_of=AS_OF)
    assert day_first.rows.set_index("ticket_id").loc["3433198", "created_at"] == pd.Timestamp(
        "2019-08-11"
    )


def test_cfpb_sent_before_received_clears_only_the_first_response(tmp_path):
    """No complaint of the sample was sent to the company before it was received (261 later,
    1,239 the same day), so the published file clears nothing:

    python3 -c "import csv; f=open('$F', newline=''); next(f); next(f); \\
        r=list(csv.DictReader(f)); \\
        print(sum(x['Date sent to company']<x['Date received'] for x in r), \\
              sum(x['Date sent to company']>x['Date received'] for x in r))"          # 0 261

    To exercise the rule on real rows, three complaints (with a ZIP code) get a sent date one
    day before their received date: first_response_at is optional, so the value is cleared
    and each row kept.
    """
    published = load_export(CFPB, mapping=CFPB_MAPPING, as_of=AS_OF)
    assert int(published.report.summary().iloc[0]["values cleared"]) == 0

    _, header, records = _cfpb_records()
    shifted = {"3384392": "2019-09-23", "3379500": "2019-09-18", "3571115": "2020-03-17"}
    edited = [
        {**r, "Date sent to company": shifted.get(r["Complaint ID"], r["Date sent to company"])}
        for r in records
    ]
    path = _write_cfpb(tmp_path / "complaints_shifted.csv", header, edited)
    result = load_export(path, mapping=CFPB_MAPPING, as_of=AS_OF)
    summary = result.report.summary().iloc[0]
    assert (summary["accepted"], summary["rejected"], summary["values cleared"]) == (1357, 143, 3)
    cleared = result.report.problems.query("action == 'value cleared'")
    assert sorted(cleared["record_id"]) == sorted(shifted)
    assert set(cleared["reason"]) == {"first_response_at is before created_at"}
    assert sorted(cleared["row"]) == [4, 5, 6]  # complaints 1–3 of the file
    rows = result.rows.set_index("ticket_id")
    assert rows.loc[list(shifted), "first_response_at"].isna().all()
    assert rows.loc["3384392", "created_at"] == pd.Timestamp("2019-09-24")


# ------------------------------------------------------------------------------------ Telco

TELCO_WITHOUT_SIGNUP = FileMapping(
    "customers", {"customer_id": "customerID", "segment": "Contract", "revenue": "TotalCharges"}
)
#: The snapshot date the derived sign-up dates count back from (IBM gives none).
REFERENCE = date(2024, 1, 1)


def _months_before(day: date, months: int) -> date:
    years, month = divmod(day.month - 1 - months, 12)
    return day.replace(year=day.year + years, month=month + 1)


def _telco_with_dates(path: Path) -> Path:
    """What a user does in a spreadsheet before uploading: ``signup_date = EDATE(reference,
    -tenure)`` and, for Churn = Yes, ``churn_date = reference`` (the sample's churn is "left
    within the last month"). Every other cell is written back unchanged, blanks included."""
    with TELCO.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [*(reader.fieldnames or []), "signup_date", "churn_date"]
        records = [
            {
                **r,
                "signup_date": _months_before(REFERENCE, int(r["tenure"])).isoformat(),
                "churn_date": REFERENCE.isoformat() if r["Churn"] == "Yes" else "",
            }
            for r in reader
        ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return path


def test_telco_has_no_signup_date_to_map():
    """The file holds tenure in months, not a sign-up date: the required column stays unplaced
    and the product says which one."""
    with pytest.raises(SchemaError) as err:
        load_export(TELCO, mapping=TELCO_WITHOUT_SIGNUP, as_of=AS_OF)
    assert err.value.problems == [
        "telco_customer_churn_first1000.csv: no column is mapped to required customers.signup_date"
    ]


def test_telco_with_signup_dates_derived_from_tenure_loads(tmp_path):
    """1,000 customers, all accepted; 256 churned; contracts 549 / 204 / 247.

    awk -F, 'NR>1 && $21=="Yes"' $T | wc -l                                          # 256
    awk -F, 'NR>1{print $16}' $T | sort | uniq -c   # 549 Month-to-month, 204 One year, 247 Two year
    awk -F, '$1=="5575-GNVDE"||$1=="9237-HQITU"{print $1,$6,$16,$20,$21}' $T
    # 5575-GNVDE 34 One year 1889.5 No  /  9237-HQITU 2 Month-to-month 151.65 Yes
    date -d "2024-01-01 -34 months" +%F   # 2021-03-01
    date -d "2024-01-01 -2 months" +%F    # 2023-11-01
    """
    mapping = FileMapping(
        "customers",
        {**TELCO_WITHOUT_SIGNUP.columns, "signup_date": "signup_date", "churn_date": "churn_date"},
    )
    result = load_export(_telco_with_dates(tmp_path / "telco.csv"), mapping=mapping, as_of=AS_OF)
    summary = result.report.summary().iloc[0]
    assert (summary["read"], summary["accepted"], summary["rejected"]) == (1000, 1000, 0)
    assert result.report.is_clean
    rows = result.rows.set_index("customer_id")
    assert int(rows["churn_date"].notna().sum()) == 256
    assert rows["segment"].value_counts().to_dict() == {
        "Month-to-month": 549,
        "Two year": 247,
        "One year": 204,
    }
    stayed, left = rows.loc["5575-GNVDE"], rows.loc["9237-HQITU"]
    assert (stayed["signup_date"], stayed["segment"], stayed["revenue"]) == (
        pd.Timestamp("2021-03-01"),
        "One year",
        1889.5,
    )
    assert pd.isna(stayed["churn_date"])
    assert (left["signup_date"], left["churn_date"], left["revenue"]) == (
        pd.Timestamp("2023-11-01"),
        pd.Timestamp("2024-01-01"),
        151.65,
    )


def test_telco_blank_total_charges_become_missing_revenue_rows_kept(tmp_path):
    """TotalCharges holds a single space for 3 of the first 1,000 customers (all with tenure 0,
    i.e. not billed yet): revenue is missing for them, their rows are kept, and a blank is
    not reported as a bad value (it is no value, not a wrong one).

    awk -F, 'NR>1 && $20==" "{print NR": "$1}' $T
    # 490: 4472-LVYGI   755: 3115-CZMZD   938: 5709-LVOEQ
    """
    mapping = FileMapping(
        "customers", {**TELCO_WITHOUT_SIGNUP.columns, "signup_date": "signup_date"}
    )
    result = load_export(_telco_with_dates(tmp_path / "telco.csv"), mapping=mapping, as_of=AS_OF)
    blank = ["4472-LVYGI", "3115-CZMZD", "5709-LVOEQ"]
    assert result.raw.frame.loc[[490, 755, 938], "customerID"].tolist() == blank
    assert result.raw.frame.loc[[490, 755, 938], "TotalCharges"].tolist() == [" ", " ", " "]
    rows = result.rows.set_index("customer_id")
    assert len(rows) == 1000
    assert sorted(rows.index[rows["revenue"].isna()]) == sorted(blank)
    assert (rows.loc[blank, "signup_date"] == pd.Timestamp("2024-01-01")).all()  # tenure 0
    assert result.report.problems.empty


# ------------------------------------------------------------------------------------- XLSX

#: The header of IBM's Telco_customer_churn_status.xlsx (sheet "Telco_Churn", header in row 1,
#: numbers stored as floats such as 3.0). The rows below are invented: the workbook's licence
#: ("IBM sample data") does not say it may be copied.
STATUS_HEADER = (
    "Customer ID", "Count", "Quarter", "Satisfaction Score", "Customer Status", "Churn Label",
    "Churn Value", "Churn Score", "CLTV", "Churn Category", "Churn Reason",
)  # fmt: skip
STATUS_ROWS = [
    ("0001-AAAAA", 1.0, "Q3", 5.0, "Stayed", "No", 0.0, 27.0, 4500.0, None, None),
    ("0002-BBBBB", 1.0, "Q3", 1.0, "Churned", "Yes", 1.0, 95.0, 2100.0, "Competitor",
     "Competitor offered more data"),
    ("0003-CCCCC", 1.0, "Q3", 3.0, "Joined", "No", 0.0, 40.0, 3900.0, None, None),
    ("0004-DDDDD", 1.0, "Q3", None, "Stayed", "No", 0.0, 30.0, 5000.0, None, None),
    ("0005-EEEEE", 1.0, "Q3", 2.0, "Churned", "Yes", 1.0, 88.0, 2500.0, "Dissatisfaction",
     "Product dissatisfaction"),
]  # fmt: skip
#: The status table as CSAT answers. It has no answer date, only "Quarter" = Q3: the date is
#: a constant here (the upload page itself offers a constant only for the survey type).
STATUS_MAPPING = FileMapping(
    "surveys",
    {
        "response_id": "Customer ID",
        "customer_id": "Customer ID",
        "score": "Satisfaction Score",
        "reason": "Churn Reason",
    },
    constants={"survey_type": "csat", "responded_at": "2019-09-30"},
    score_scale=ScoreScale(1, 5),
)


def _status_workbook(path: Path) -> Path:
    """The mimicked status workbook, with a notes sheet in front of the data sheet."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "About"
    notes["A1"] = "Telco customer churn, status table (layout of IBM's file, invented values)"
    data = workbook.create_sheet("Telco_Churn")
    data.append(STATUS_HEADER)
    for row in STATUS_ROWS:
        data.append(row)
    workbook.save(path)
    return path


def test_status_workbook_read_from_the_chosen_sheet(tmp_path):
    """Rows 2–6 of sheet "Telco_Churn"; 0004-DDDDD (sheet row 5) has no score → rejected.
    Whole floats as Excel stores them (5.0) are read as 5."""
    path = _status_workbook(tmp_path / "Telco_customer_churn_status.xlsx")
    result = load_export(path, mapping=STATUS_MAPPING, sheet="Telco_Churn", as_of=AS_OF)
    assert result.raw.sheets == ("About", "Telco_Churn")
    assert result.raw.name == "Telco_customer_churn_status.xlsx:Telco_Churn"
    assert result.raw.frame.loc[2, "Satisfaction Score"] == "5"
    rows = result.rows.set_index("response_id")
    assert rows["score"].to_dict() == {
        "0001-AAAAA": 5.0, "0002-BBBBB": 1.0, "0003-CCCCC": 3.0, "0005-EEEEE": 2.0,
    }  # fmt: skip
    assert rows.loc["0002-BBBBB", "reason"] == "Competitor offered more data"
    assert (rows["responded_at"] == pd.Timestamp("2019-09-30")).all()
    problems = result.report.problems
    assert problems[["row", "record_id", "column", "reason"]].values.tolist() == [
        [5, "0004-DDDDD", "score", "required value is missing"]
    ]


def test_status_workbook_without_an_answer_date_names_it(tmp_path):
    path = _status_workbook(tmp_path / "status.xlsx")
    undated = FileMapping(
        "surveys",
        STATUS_MAPPING.columns,
        constants={"survey_type": "csat"},
        score_scale=ScoreScale(1, 5),
    )
    with pytest.raises(SchemaError) as err:
        load_export(path, mapping=undated, sheet="Telco_Churn", as_of=AS_OF)
    assert err.value.problems == [
        "status.xlsx:Telco_Churn: no column is mapped to required surveys.responded_at"
    ]


def test_status_workbook_default_sheet_lacks_the_mapped_columns(tmp_path):
    """Without ``sheet`` the first sheet holding a value is read, here the notes sheet, which
    has none of the mapped columns: that must be a clear SchemaError (the page shows only
    LoyaltyLensError messages), naming a missing column."""
    path = _status_workbook(tmp_path / "status.xlsx")
    with pytest.raises(SchemaError, match="Customer ID"):
        load_export(path, mapping=STATUS_MAPPING, as_of=AS_OF)


# -------------------------------------------------------------------------------- workspace


def _store(workspace: Workspace, result: ExportResult):
    return workspace.store(
        result.table,
        _supplied(result),
        file_name=result.raw.name,
        sha256=result.raw.sha256,
        mapping_json=result.mappings[0].to_json(),
        rows_rejected=int(result.report.summary()["rejected"].sum()),
    )


def test_cfpb_round_trip_through_the_workspace(tmp_path):
    """Store the 1,357 accepted complaints; the same file again adds nothing; a later export
    with 5 complaints re-labelled (Issue) and 10 new complaints updates by Complaint ID:
    1,357 + 10 = 1,367 tickets, the 5 with their new subject. The new ones are copies of the
    first 10 complaints that have a ZIP code, with fresh ids 9900001–9900010 (all accepted)."""
    workspace = Workspace.open(f"sqlite:///{tmp_path}/ws.sqlite")
    try:
        first = _store(workspace, load_export(CFPB, mapping=CFPB_MAPPING, as_of=AS_OF))
        assert (first.duplicate, first.inserted, first.updated) == (False, 1357, 0)
        again = _store(workspace, load_export(CFPB, mapping=CFPB_MAPPING, as_of=AS_OF))
        assert (again.duplicate, again.inserted, again.updated) == (True, 0, 0)
        assert again.upload.id == first.upload.id
        assert workspace.row_counts()["tickets"] == 1357

        _, header, records = _cfpb_records()
        relabelled = {
            "3571115": "Problem with fraud alerts or security freezes",
            "3384392": "Written notification about debt",
            "3379500": "Improper use of your report",
            "3439091": "Trouble during payment process",
            "3333052": "Credit monitoring or identity theft protection services",
        }
        with_zip = [r for r in records if r["ZIP code"]]
        new = [
            {**r, "Complaint ID": str(9900001 + k), "Issue": f"New complaint {k + 1}"}
            for k, r in enumerate(with_zip[:10])
        ]
        later = [{**r, "Issue": relabelled.get(r["Complaint ID"], r["Issue"])} for r in records]
        path = _write_cfpb(tmp_path / "complaints_later.csv", header, later + new)
        result = load_export(path, mapping=CFPB_MAPPING, as_of=AS_OF)
        assert (len(result.rows), len(result.report.rejected["tickets"])) == (1367, 143)
        stored = _store(workspace, result)
        assert (stored.duplicate, stored.inserted, stored.updated) == (False, 10, 1357)
        assert workspace.row_counts()["tickets"] == 1367

        tickets = workspace.read().tables["tickets"].set_index("ticket_id")
        assert len(tickets) == 1367
        assert tickets.loc[list(relabelled), "subject"].to_dict() == relabelled
        assert tickets.loc["9900001", "subject"] == "New complaint 1"
        assert tickets.loc["9900010", "subject"] == "New complaint 10"
        assert tickets.loc["3558134":"3558134"].empty  # no ZIP code: never stored
        # An untouched complaint, and narratives with line breaks, come back as stored.
        assert tickets.loc["3333052", "created_at"] == pd.Timestamp("2019-08-07")
        assert tickets.loc["3384392", "text"] == NARRATIVE_3384392
        assert tickets.loc["3439091", "text"].count("\n") == 97
        uploads = workspace.uploads().set_index("id")
        assert uploads.loc[first.upload.id, "rows_current"] == 0  # taken over by the later one
        assert uploads.loc[stored.upload.id, "rows_current"] == 1367
        assert uploads.loc[first.upload.id, "rows_rejected"] == 143
    finally:
        workspace.close()
