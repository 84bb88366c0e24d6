"""Turn the messy text of real exports into clean typed values, before validation.

Pure functions over pandas Series of text (as :func:`data_connectors.files.read_file` returns
them): no Streamlit, no I/O. Each parser returns the parsed values together with a ``bad`` mask:
True where a value was present but could not be read, so the caller can report the row instead
of silently losing it. Missing-value markers (:data:`MISSING_MARKERS`) are missing, never bad.
Every function is vectorised (pandas string methods and ``pd.to_datetime`` with an explicit
format per layout found), so a column of a million values takes a second or two.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_connectors.errors import AmbiguousDatesError
from data_connectors.file_mapping import ScoreScale
from data_connectors.schema import SCORE_RANGES
from data_connectors.validation import BOOLEAN_WORDS

# ------------------------------------------------------------------------------ missing values

#: Text that means "no value" in exports (compared trimmed and case-insensitively).
MISSING_MARKERS: frozenset[str] = frozenset(
    ["", "?", "-", "—", "–", "n/a", "na", "null", "none", "#n/a", "nan", "нет данных", "н/д"]
)


def _text(series: pd.Series) -> pd.Series:
    return series.astype("str")


def _normalise(series: pd.Series) -> pd.Series:
    """Key for matching words: trimmed, case-folded, single spaces, ``ё`` → ``е``, typographic
    apostrophe → ``'``, emoji variation selector (U+FE0F) removed."""
    return (
        _text(series)
        .str.replace("\ufe0f", "", regex=False)
        .str.replace("’", "'", regex=False)
        .str.strip()
        .str.casefold()
        .str.replace("[ \t\u00a0]+", " ", regex=True)  # not \\s, which pandas runs in Python
        .str.replace("ё", "е", regex=False)
    )


def _label_map(labels: Mapping[str, float]) -> dict[str, float]:
    """Labels keyed by their :func:`_normalise` form."""
    keys = _normalise(pd.Series(list(labels), dtype="str"))
    return dict(zip(keys, labels.values(), strict=True))


def _keys(words: Iterable[str]) -> set[str]:
    return set(_label_map(dict.fromkeys(words, 0.0)))


_MISSING_KEYS = _keys(MISSING_MARKERS)


#: No missing marker is longer than this, so longer values need no normalising (a fast path
#: that matters on million-row columns: most text cells are longer).
_MARKER_LENGTH = max(len(marker) for marker in MISSING_MARKERS) + 2


def _is_missing(series: pd.Series) -> pd.Series:
    text = _text(series)
    short = text.str.len() <= _MARKER_LENGTH
    found = pd.Series(False, index=text.index)
    if short.any():
        found[short] = _normalise(text[short]).isin(_MISSING_KEYS).to_numpy()
    return text.isna() | found


def blank_missing(series: pd.Series) -> pd.Series:
    """The text with every :data:`MISSING_MARKERS` value (trimmed, any case) replaced by NA."""
    text = _text(series)
    return text.mask(_is_missing(text))


# ------------------------------------------------------------------------------------ numbers

_SPACES = "[ \u00a0\u202f\u2009'’]"  # space, no-break space, narrow no-break, thin, apostrophes
_SPACE_GROUPED = rf"[+-]?[1-9]\d{{0,2}}(?:{_SPACES}\d{{3}})+(?:[.,]\d+)?"
#: A number whose decimal mark is a comma, with optional point thousands ("1.234.567,89").
_COMMA_DECIMAL = r"[+-]?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d*)(?:,\d+)?"
#: A number whose decimal mark is a point, with optional comma thousands ("1,234,567.89").
_POINT_DECIMAL = r"[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?"


def parse_numbers(series: pd.Series, *, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse numbers written the way people and spreadsheets write them.

    Returns ``(values, bad)``: float64 values (NaN where missing or unreadable) and a mask of
    present values that are not numbers.

    Parameters
    ----------
    decimal : {",", "."}, optional
        The file's decimal mark, for the values nothing in the column settles (see below);
        :func:`decimal_convention` derives it from how a CSV file was written. None when the
        file does not say (XLSX and Parquet hold real numbers, written with a point).

    Rules, applied to the trimmed text:

    - Spaces (also no-break, narrow no-break, thin) and apostrophes are thousands separators,
      allowed only between groups of three digits: ``1 234,5``, ``1'234.5``.
    - Of comma and point, the **last** one is the decimal mark and the other the thousands
      separator (``1,234.5`` → 1234.5; ``1.234,5`` → 1234.5); one that occurs twice or more is
      a thousands separator (``1,234,567``). A lone separator followed by exactly three digits
      (``1,234``) is read the way the rest of the column settles it (another value like ``4,5``
      makes the comma decimal → 1.234; one like ``3.75`` or ``1,234,567`` makes it the
      thousands separator → 1234). When the column does not settle it (no such value, or
      values pointing both ways), ``decimal`` does: with ``decimal="."`` ``2,000`` is 2000 and
      ``1.500`` is 1.5, with ``decimal=","`` the reverse. With ``decimal=None`` as well, the
      last-separator rule applies and a lone separator is the decimal mark (``2,000`` → 2.0,
      ``1.500`` → 1.5): a guess, which is why callers reading CSV should pass ``decimal``.
    - A trailing ``%`` divides by 100 (``45%`` → 0.45), as Excel stores a percentage, so the
      same value read from XLSX and from CSV agrees. ``−`` (U+2212) is a minus sign.
    """
    text = blank_missing(series).str.strip().str.replace("−", "-", regex=False)
    percent = text.str.endswith("%")
    text = text.str.removesuffix("%").str.strip()
    text = text.mask(text.str.fullmatch(_SPACE_GROUPED), text.str.replace(_SPACES, "", regex=True))

    comma_ok = text.str.fullmatch(_COMMA_DECIMAL)
    point_ok = text.str.fullmatch(_POINT_DECIMAL)
    separated = text.str.contains(r"[.,]", regex=True)
    lone = comma_ok & point_ok & separated  # "1,234", "1.234": either reading is valid
    comma_evidence = (comma_ok & ~point_ok & separated).any()
    point_evidence = (point_ok & ~comma_ok & separated).any()
    if decimal not in (None, ",", "."):
        raise ValueError(f"decimal must be ',', '.' or None, not {decimal!r}")
    if comma_evidence != point_evidence:  # the column settles what a lone separator is
        lone_is_comma_decimal: bool | pd.Series = bool(comma_evidence)
    elif decimal is not None:  # the file's convention
        lone_is_comma_decimal = decimal == ","
    else:  # last-separator rule: the lone separator is the decimal mark
        lone_is_comma_decimal = text.str.contains(",", regex=False)
    as_comma = (comma_ok & ~point_ok) | (lone & lone_is_comma_decimal)
    as_point = point_ok & ~as_comma

    comma_read = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    point_read = text.str.replace(",", "", regex=False)
    values = pd.Series(np.nan, index=text.index, dtype="float64")
    values = values.mask(as_comma, pd.to_numeric(comma_read.where(as_comma), errors="coerce"))
    values = values.mask(as_point, pd.to_numeric(point_read.where(as_point), errors="coerce"))
    values = values.mask(percent, values / 100)
    return values, text.notna() & values.isna()


def decimal_convention(delimiter: str | None, encoding: str | None) -> str | None:
    """The decimal mark a CSV file's numbers use, judged from how the file was written.

    For :func:`parse_numbers`'s ``decimal``, from :class:`~data_connectors.files.RawTable`'s
    ``delimiter`` and ``encoding``. A semicolon-delimited file, or one in Windows-1251, was
    written by a locale whose decimal mark is the comma (Excel uses ``;`` as the list separator
    exactly where ``,`` is the decimal mark; Windows-1251 is the Cyrillic code page) → ``","``;
    this wins for a comma-delimited Windows-1251 file too. Any other comma-delimited file →
    ``"."``. Otherwise (tab or pipe in UTF-8/UTF-16, or no delimiter: XLSX and Parquet carry
    real numbers) → None: unknown.
    """
    if delimiter == ";" or (encoding or "").lower() in ("windows-1251", "cp1251"):
        return ","
    if delimiter == ",":
        return "."
    return None


# ----------------------------------------------------------------------------------- booleans

#: Words read as booleans (lower case): the validator's words, spreadsheet numbers ``1.0/0.0``
#: and Russian Excel's ``ИСТИНА/ЛОЖЬ``. A checkbox mark such as ``x`` is not guessed.
BOOLEAN_VALUES: dict[str, bool] = {
    **BOOLEAN_WORDS,
    **dict.fromkeys(["1.0", "истина"], True),
    **dict.fromkeys(["0.0", "ложь"], False),
}


def parse_booleans(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse TRUE/FALSE, yes/no, y/n, да/нет, д/н, 1/0, 1.0/0.0 (any case, trimmed).

    Returns ``(values, bad)``: a nullable ``boolean`` Series and the mask of present values
    that are none of :data:`BOOLEAN_VALUES`.
    """
    key = _normalise(series).mask(_is_missing(series))
    values = key.map(BOOLEAN_VALUES).astype("boolean")
    return values, key.notna() & values.isna()


# -------------------------------------------------------------------------------------- dates

_TIME = r"(?:,? \d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp]\.?[Mm]\.?)?)?"
_MONTH = r"[A-Za-z]{3,9}\.?"
#: ISO 8601: date, optional time with T or space, optional seconds and fraction, Z or offset.
_ISO = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"


@dataclass(frozen=True)
class _Layout:
    """A date layout: ``regex`` matches the whole value; ``pattern`` is the strptime date part
    with ``{0}``/``{1}`` standing for the first two fields when the order is day/month (for Unix
    time, the ``pd.to_datetime`` unit); ``label`` is shown in :attr:`DateGuess.formats`."""

    key: str
    regex: str
    pattern: str
    label: str
    order: str = "fixed"  # "fixed" | "day_first" (dd.mm.yyyy convention) | "either"


#: The layouts recognised, most common first (classification stops once all values are placed).
LAYOUTS: tuple[_Layout, ...] = (
    _Layout("iso", _ISO, "ISO8601", "ISO 8601"),
    _Layout(
        "dot", rf"\d{{1,2}}\.\d{{1,2}}\.\d{{4}}{_TIME}", "{0}.{1}.%Y", "{0}.{1}.YYYY", "day_first"
    ),
    _Layout(
        "dot_yy", rf"\d{{1,2}}\.\d{{1,2}}\.\d{{2}}{_TIME}", "{0}.{1}.%y", "{0}.{1}.YY", "day_first"
    ),
    _Layout("dash", rf"\d{{1,2}}-\d{{1,2}}-\d{{4}}{_TIME}", "{0}-{1}-%Y", "{0}-{1}-YYYY", "either"),
    _Layout(
        "slash", rf"\d{{1,2}}/\d{{1,2}}/\d{{4}}{_TIME}", "{0}/{1}/%Y", "{0}/{1}/YYYY", "either"
    ),
    _Layout(
        "slash_yy", rf"\d{{1,2}}/\d{{1,2}}/\d{{2}}{_TIME}", "{0}/{1}/%y", "{0}/{1}/YY", "either"
    ),
    _Layout("ymd_slash", rf"\d{{4}}/\d{{1,2}}/\d{{1,2}}{_TIME}", "%Y/%m/%d", "YYYY/MM/DD"),
    _Layout("mon_d_y", rf"{_MONTH} \d{{1,2}},? \d{{4}}{_TIME}", "%b %d %Y", "Mon D, YYYY"),
    _Layout("d_mon_y", rf"\d{{1,2}}[ -]{_MONTH},?[ -]\d{{4}}{_TIME}", "%d %b %Y", "D Mon YYYY"),
    _Layout("epoch_s", r"\d{10}", "s", "Unix seconds"),
    _Layout("epoch_ms", r"\d{13}", "ms", "Unix milliseconds"),
)
_BY_KEY = {layout.key: layout for layout in LAYOUTS}
_NO_TIME_PART = ("iso", "epoch_s", "epoch_ms")  # the whole value is one token
_MONTH_NAMES = r"(?i)(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: Time parts (after the date) by (number of colons, 12-hour clock) → strptime and label.
_TIMES = {
    (0, False): ("", ""),
    (1, False): (" %H:%M", " HH:MM"),
    (2, False): (" %H:%M:%S", " HH:MM:SS"),
    (1, True): (" %I:%M %p", " hh:MM AM/PM"),
    (2, True): (" %I:%M:%S %p", " hh:MM:SS AM/PM"),
}
_EXAMPLES = 5
_Group = tuple[str, int, bool]  # layout key, colons in the time, 12-hour clock


@dataclass(frozen=True)
class DateGuess:
    """What :func:`detect_date_format` found in a column of dates.

    Attributes
    ----------
    formats : tuple of str
        The layouts found, most frequent first, e.g. ``("DD-MM-YYYY HH:MM",)``, ``("ISO 8601",)``;
        ``NN`` stands for a day-or-month field whose order is not settled.
    day_first : bool or None
        The day/month order of the ``nn/nn/yyyy`` and ``nn-nn-yyyy`` values as the values settle
        it: a first field of 13–31 with a second of 1–12 proves day-first, the reverse
        month-first. A value with both fields above 12 (``13/13/2024``) proves nothing: it is no
        date in either order and :func:`parse_dates` reports it as bad. Dotted dates
        (``dd.mm.yyyy``) are day-first by convention: they are always read so, give no
        evidence for other layouts and are never asked about (a dotted column alone gives
        True). None when the order is not settled.
    ambiguous : bool
        Some values read differently day-first and month-first (e.g. 03/04/2024) and nothing
        settles the order, or values prove both orders (``conflicting``). Never guessed: the
        user must choose.
    conflicting : bool
        Some values are only valid day-first and others only month-first.
    examples : tuple of str
        Up to five distinct values that show the problem when ``ambiguous`` (for a conflict,
        up to two of each order).
    n : int
        Present (non-missing) values.
    unrecognised : int
        Present values that fit no layout.
    """

    formats: tuple[str, ...]
    day_first: bool | None
    ambiguous: bool
    conflicting: bool
    examples: tuple[str, ...]
    n: int
    unrecognised: int


def detect_date_format(series: pd.Series) -> DateGuess:
    """Examine every present value of a text column and say which date layouts it uses.

    Recognised (with an optional time ``HH:MM[:SS]`` or ``hh:MM[:SS] AM/PM`` after a space):
    ISO 8601 (``T`` or space, optional seconds and fraction, ``Z`` or offset), ``dd.mm.yyyy``
    and ``dd.mm.yy``, ``dd-mm-yyyy`` (ServiceNow's export), ``dd/mm/yyyy`` and ``mm/dd/yyyy``
    (also with ``yy``), ``yyyy/mm/dd``, ``Jan 5, 2024``, ``5 Jan 2024`` / ``05-Jan-2024``, and
    Unix time as 10-digit seconds or 13-digit milliseconds.
    """
    return _guess(*_classify(series), None)


def parse_dates(
    series: pd.Series, *, day_first: bool | None = None, column: str = "?"
) -> tuple[pd.Series, pd.Series]:
    """Parse a text column of dates into naive timestamps.

    Returns ``(values, bad)``: ``datetime64[ns]`` values (NaT where missing or unreadable) and
    the mask of present values that are not valid dates. Values with a time-zone offset or
    ``Z`` are converted to UTC and made naive; values without one are kept as written. Each
    layout found is parsed with its own explicit format (no per-value guessing).

    Parameters
    ----------
    day_first : bool, optional
        The day/month order for ``nn/nn/yyyy`` and ``nn-nn-yyyy`` values; None to take it from
        the data. Dotted dates (``dd.mm.yyyy``, ``dd.mm.yy``) are always read day-first, the
        convention of every locale that writes them, whatever ``day_first`` says.
    column : str
        The file's column name, for the error message.

    Raises
    ------
    AmbiguousDatesError
        ``day_first`` is None and the order is ambiguous (see :class:`DateGuess`).
    """
    text, layouts, groups = _classify(series)
    guess = _guess(text, layouts, groups, day_first)
    if guess.ambiguous:
        message = _ambiguity_message(guess, column)
        raise AmbiguousDatesError(message, column=column, examples=guess.examples)
    order = day_first if day_first is not None else guess.day_first is not False
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for (key, colons, twelve_hour), rows in groups.items():
        layout = _BY_KEY[key]
        layout_order = True if layout.order == "day_first" else order
        values.loc[rows] = _parse_layout(text[rows], layout, colons, twelve_hour, layout_order)
    bad = text.notna() & values.isna()
    return values.set_axis(series.index), bad.set_axis(series.index)


def _classify(series: pd.Series) -> tuple[pd.Series, pd.Series, dict[_Group, pd.Index]]:
    """Trimmed text (NA where missing) on a 0..n-1 index, each value's layout key, and the
    rows of each (layout, time) group — one strptime format per group."""
    text = blank_missing(series).str.strip().reset_index(drop=True)
    layouts = pd.Series(None, index=text.index, dtype="str")
    remaining = text.dropna()
    for layout in LAYOUTS:
        if remaining.empty:
            break
        hit = remaining.str.fullmatch(layout.regex)
        layouts[hit.index[hit.to_numpy()]] = layout.key
        remaining = remaining[~hit]
    placed = text[layouts.notna()]
    keys = pd.DataFrame(
        {
            "layout": layouts[placed.index],
            "colons": placed.str.count(":").astype(int),
            "twelve_hour": placed.str.contains(r"[AaPp]\.?[Mm]\.?$", regex=True),
        }
    )
    groups = {key: keys.index[rows] for key, rows in keys.groupby(list(keys)).indices.items()}
    return text, layouts, groups


def _guess(
    text: pd.Series, layouts: pd.Series, groups: dict[_Group, pd.Index], day_first: bool | None
) -> DateGuess:
    """Settle the day/month order from the values (or ``day_first``) and summarise.

    Only the layouts whose order is open (``nn/nn/yyyy``, ``nn-nn-yyyy``) give evidence: a first
    field of 13–31 with a second of 1–12 proves day-first, the reverse month-first. A value with
    both fields above 12 proves nothing (it is no date either way, and is reported as bad), and
    dotted dates are day-first by convention, so they never prove, contradict or ask anything.
    """
    open_order = [x.key for x in LAYOUTS if x.order == "either"]
    unsure = text[layouts.isin(open_order)]
    # Field ranges by regex (string matching runs in Arrow; extracting the numbers would not).
    month, day_only = r"(?:0?[1-9]|1[0-2])\D", r"(?:1[3-9]|2\d|3[01])\D"
    first_month, second_month = unsure.str.match(month), unsure.str.match(r"\d{1,2}\D" + month)
    day_proof = unsure.str.match(day_only) & second_month
    month_proof = first_month & unsure.str.match(r"\d{1,2}\D" + day_only)
    conflicting = bool(day_proof.any() and month_proof.any())
    settled: bool | None = None
    examples: tuple[str, ...] = ()
    if conflicting:
        examples = tuple(unsure[day_proof].drop_duplicates().head(2)) + tuple(
            unsure[month_proof].drop_duplicates().head(2)
        )
    elif day_proof.any() or month_proof.any():
        settled = bool(day_proof.any())
    elif layouts.isin([x.key for x in LAYOUTS if x.order != "fixed"]).any():
        both_ways = unsure[first_month & second_month]
        first = pd.to_numeric(both_ways.str.replace(r"^(\d+)\D.*$", r"\1", regex=True))
        second = pd.to_numeric(both_ways.str.replace(r"^\d+\D(\d+)\D.*$", r"\1", regex=True))
        examples = tuple(both_ways[first != second].drop_duplicates().head(_EXAMPLES))
        if unsure.empty:
            settled = True  # dotted dates only: day-first by convention
    order = day_first if day_first is not None else settled
    counts: dict[str, int] = {}
    for (key, colons, twelve_hour), rows in groups.items():
        label = _format_label(key, colons, twelve_hour, order)
        counts[label] = counts.get(label, 0) + len(rows)
    return DateGuess(
        formats=tuple(sorted(counts, key=counts.__getitem__, reverse=True)),
        day_first=order,
        ambiguous=day_first is None and bool(examples),
        conflicting=conflicting,
        examples=examples,
        n=int(text.notna().sum()),
        unrecognised=int((text.notna() & layouts.isna()).sum()),
    )


def _format_label(key: str, colons: int, twelve_hour: bool, day_first: bool | None) -> str:
    layout = _BY_KEY[key]
    if layout.order == "day_first":
        day_first = True
    fields = {True: ("DD", "MM"), False: ("MM", "DD"), None: ("NN", "NN")}[day_first]
    if key in _NO_TIME_PART:
        return layout.label
    return layout.label.format(*fields) + _TIMES[(colons, twelve_hour)][1]


def _parse_layout(
    text: pd.Series, layout: _Layout, colons: int, twelve_hour: bool, day_first: bool
) -> pd.Series:
    """Parse one group with its explicit format; NaT where invalid or outside ns range."""
    if layout.key == "iso":
        parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
        parsed = parsed.dt.tz_localize(None)
    elif layout.key in _NO_TIME_PART:  # Unix time
        parsed = pd.to_datetime(pd.to_numeric(text), unit=layout.pattern, errors="coerce")
    else:
        fields = ("%d", "%m") if day_first else ("%m", "%d")
        date_format = layout.pattern.format(*fields) + _TIMES[(colons, twelve_hour)][0]
        text = text.str.replace(",", "", regex=False)
        if twelve_hour:
            text = text.str.replace(r"\s*([AaPp])\.?[Mm]\.?$", r" \1M", regex=True)
        if layout.key in ("mon_d_y", "d_mon_y"):
            text = text.str.replace(_MONTH_NAMES, r"\1", regex=True).str.replace(
                "-", " ", regex=False
            )
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    in_range = (parsed >= "1678-01-01") & (parsed < "2262-01-01")  # datetime64[ns] bounds
    return parsed.where(in_range).astype("datetime64[ns]")


def _ambiguity_message(guess: DateGuess, column: str) -> str:
    if guess.conflicting:
        return (
            f"Column '{column}': some dates are only valid day-first and others only "
            f"month-first ({', '.join(guess.examples)}); choose the order the file uses — "
            "values that do not fit it will be reported as not dates."
        )
    first, second = (int(part) for part in re.split(r"\D", guess.examples[0])[:2])
    month = [pd.Timestamp(2000, m, 1).month_name() for m in (second, first)]
    return (
        f"Column '{column}': dates such as {', '.join(guess.examples)} can be read day-first "
        f"({first} {month[0]}) or month-first ({month[1]} {second}); "
        "choose the order the file uses."
    )


# ------------------------------------------------------------------------------------- scores

#: Answers meaning "don't know" / "not applicable": excluded from scores and counted.
DONT_KNOW_WORDS: tuple[str, ...] = (
    "don't know",
    "dont know",
    "do not know",
    "not sure",
    "n/a",
    "not applicable",
    "no opinion",
    "затрудняюсь ответить",
    "затрудняюсь",
    "не знаю",
    "неприменимо",
    "не применимо",
)
_DONT_KNOW_KEYS = _keys(DONT_KNOW_WORDS)


def _labels(scores: Mapping[float, Iterable[str]]) -> dict[str, float]:
    return {label: float(score) for score, labels in scores.items() for label in labels}


def _russian(scores: Mapping[float, Iterable[tuple[str, str]]]) -> dict[str, float]:
    """Russian labels in masculine, feminine and ``(а)`` forms: ``доволен``, ``довольна``,
    ``доволен(а)``; the feminine also without its soft sign (``доволна``, ``недоволна``), a
    frequent slip in typed answers."""
    return _labels(
        {
            score: [f for m, w in pairs for f in (m, w, m + "(а)", w.replace("льна", "лна"))]
            for score, pairs in scores.items()
        }
    )


#: CSAT answers in English on the canonical 1–5 scale (5 = very satisfied).
CSAT_LABELS_EN: dict[str, float] = _labels(
    {
        5: ["very satisfied", "extremely satisfied", "completely satisfied", "highly satisfied"],
        4: ["satisfied", "somewhat satisfied", "mostly satisfied", "fairly satisfied"],
        3: ["neutral", "neither satisfied nor dissatisfied", "neither satisfied nor unsatisfied"],
        2: ["dissatisfied", "somewhat dissatisfied", "unsatisfied", "somewhat unsatisfied"],
        1: [
            "very dissatisfied",
            "extremely dissatisfied",
            "very unsatisfied",
            "completely dissatisfied",
        ],
    }
)

#: CSAT answers in Russian on 1–5, including the school-grade wording (отлично … очень плохо).
CSAT_LABELS_RU: dict[str, float] = _russian(
    {
        5: [
            ("очень доволен", "очень довольна"),
            ("полностью доволен", "полностью довольна"),
            ("очень удовлетворен", "очень удовлетворена"),
            ("полностью удовлетворен", "полностью удовлетворена"),
        ],
        4: [
            ("доволен", "довольна"),
            ("скорее доволен", "скорее довольна"),
            ("удовлетворен", "удовлетворена"),
        ],
        2: [
            ("недоволен", "недовольна"),
            ("скорее недоволен", "скорее недовольна"),
            ("не удовлетворен", "не удовлетворена"),
        ],
        1: [
            ("очень недоволен", "очень недовольна"),
            ("крайне недоволен", "крайне недовольна"),
            ("совсем не удовлетворен", "совсем не удовлетворена"),
        ],
    }
) | _labels(
    {
        5: ["отлично"],
        4: ["хорошо"],
        3: ["нейтрально", "удовлетворительно", "средне"],
        2: ["плохо"],
        1: ["очень плохо"],
    }
)

#: CES answers on the canonical 1–7 scale, where 1 is the least effort: the effort wording
#: ("Very easy" … "Very difficult") and CES 2.0's agreement with "The company made it easy to
#: handle my issue" ("Strongly agree" = least effort = 1).
CES_LABELS_EN: dict[str, float] = _labels(
    {
        1: ["very easy", "extremely easy", "strongly agree"],
        2: ["easy", "agree"],
        3: ["somewhat easy", "somewhat agree"],
        4: ["neither easy nor difficult", "neutral", "neither agree nor disagree"],
        5: ["somewhat difficult", "somewhat disagree"],
        6: ["difficult", "disagree"],
        7: ["very difficult", "extremely difficult", "strongly disagree"],
    }
)

#: Faces on a 1–5 satisfaction scale with 🙂 at 4 and 😀 at the top.
EMOJI_LABELS: dict[str, float] = _labels(
    {
        1: ["😡", "😠", "🤬"],
        2: ["🙁", "☹", "😕"],
        3: ["😐", "😶"],
        4: ["🙂", "😊"],
        5: ["😀", "😃", "😄", "😁", "😍", "🤩"],
    }
)

#: Chatwoot's CSAT faces (its ``CSAT_RATINGS``): 😞 1, 😑 2, 😐 3, 😀 4, 😍 5 — here 😀 is 4.
CHATWOOT_EMOJI_LABELS: dict[str, float] = _labels(
    {1: ["😞"], 2: ["😑"], 3: ["😐"], 4: ["😀"], 5: ["😍"]}
)

#: Built-in label sets per survey type, on the canonical scale: proposed by
#: :func:`suggest_scale`, and applied by :func:`recode_scores` after the mapping's own labels
#: wherever the sets agree (see :func:`builtin_labels`).
LABEL_SETS: dict[str, tuple[dict[str, float], ...]] = {
    "nps": (),
    "csat": (CSAT_LABELS_EN | CSAT_LABELS_RU, EMOJI_LABELS, CHATWOOT_EMOJI_LABELS),
    "ces": (CES_LABELS_EN,),
}


def builtin_labels(survey_type: str) -> dict[str, float]:
    """Every label of the survey type's :data:`LABEL_SETS` that the sets do not score
    differently, keyed by its normalised form (trimmed, case-folded, ``ё`` → ``е``), on the
    canonical scale.

    A label two sets disagree on is left out: 😀 is 5 in :data:`EMOJI_LABELS` and 4 in
    Chatwoot's faces, so only a mapping's own labels can say which it is.
    """
    return dict(_BUILTIN_LABELS.get(survey_type, {}))


def _agreed(sets: Iterable[Mapping[str, float]]) -> dict[str, float]:
    merged: dict[str, float] = {}
    disputed: set[str] = set()
    for labels in map(_label_map, sets):
        for key, score in labels.items():
            if merged.setdefault(key, score) != score:
                disputed.add(key)
    return {key: score for key, score in merged.items() if key not in disputed}


_BUILTIN_LABELS = {survey_type: _agreed(sets) for survey_type, sets in LABEL_SETS.items()}

#: Numeric scales :func:`suggest_scale` proposes per survey type, in order of preference.
NUMERIC_SCALES: dict[str, tuple[tuple[int, int], ...]] = {
    "nps": ((1, 10), (0, 10)),
    "csat": ((1, 5), (0, 4), (1, 10)),
    "ces": ((1, 7),),
}


@dataclass(frozen=True)
class RecodedScores:
    """Scores on the canonical scale.

    Attributes
    ----------
    values : Series of float
        The canonical score; NaN where missing, "don't know" or unrecognised.
    dont_know : int
        Answers that meant "don't know" / "not applicable" (excluded, counted here).
    unrecognised_mask : Series of bool
        Present answers that are neither a label, a "don't know" word nor a number on the
        file's scale (outside it, or between its points).
    dont_know_mask : Series of bool
        The rows counted in ``dont_know`` (missing markers such as ``-`` are not among them).
    """

    values: pd.Series
    dont_know: int
    unrecognised_mask: pd.Series
    dont_know_mask: pd.Series


def recode_scores(
    series: pd.Series, scale: ScoreScale | None, target: tuple[int, int]
) -> RecodedScores:
    """Recode survey answers from the file's scale onto the canonical ``target`` range.

    Each answer is matched, trimmed and case-insensitively, in this order:

    1. "Don't know" words (:data:`DONT_KNOW_WORDS` plus ``scale.dont_know``): excluded, counted.
    2. ``scale.labels``: the score the label states, on the file's scale (``low``–``high``) and
       always in the **canonical direction** (CSAT: "Very satisfied" is the top; CES: "Very
       easy" is the bottom). Labels are never flipped by ``scale.reversed``: a label says
       what it means whichever way the file numbers its answers.
    3. Numbers (:func:`parse_numbers`: decimal comma allowed) on the file's scale; a reversed
       scale ("lowest number is best") flips **only these**, ``x → low + high − x``.
    4. The built-in labels of the survey type whose canonical range ``target`` is
       (:func:`builtin_labels`: every set of :data:`LABEL_SETS` where the sets agree), already
       on the canonical scale. So a saved mapping still reads "Very satisfied", "Очень
       довольна" or 🙂 in a later file; a label the sets dispute (😀) is read only when
       ``scale.labels`` gives it.

    Steps 2 and 3 are then mapped onto ``target`` by :func:`scale_mapping`. ``scale=None``
    means the file already uses ``target``.

    Raises
    ------
    ValueError
        No exact mapping from the file's scale onto ``target`` (see :func:`scale_mapping`).
    """
    low, high = (scale.low, scale.high) if scale else target
    onto_target = scale_mapping((low, high), target)
    survey_type = next((name for name, span in SCORE_RANGES.items() if span == tuple(target)), "")
    key = _normalise(series)
    dont_know = key.isin(_DONT_KNOW_KEYS | _keys(scale.dont_know if scale else ()))
    labels = _label_map(scale.labels if scale else {})
    from_label = key.mask(dont_know).map(labels).astype("float64")
    builtin = key.mask(dont_know | from_label.notna()).map(_BUILTIN_LABELS.get(survey_type, {}))
    builtin = builtin.astype("float64")
    rest = ~dont_know & from_label.isna() & builtin.isna()
    numbers, unreadable = parse_numbers(_text(series).where(rest))

    def off(values: pd.Series) -> pd.Series:
        return values.notna() & ((values < low) | (values > high) | ((values - low) % 1 != 0))

    off_scale = off(from_label) | off(numbers)
    numbers = numbers.mask(off_scale)
    if scale is not None and scale.reversed:
        numbers = low + high - numbers  # numbers only: labels are in the canonical direction
    on_file_scale = from_label.mask(off_scale).fillna(numbers)
    values = onto_target(on_file_scale).fillna(builtin)
    unrecognised = unreadable | off_scale
    return RecodedScores(values, int(dont_know.sum()), unrecognised, dont_know)


def scale_mapping(
    scale: tuple[float, float], target: tuple[int, int]
) -> Callable[[pd.Series], pd.Series]:
    """The rule taking answers on ``scale`` (low, high) to the canonical ``target`` range.

    Only exact, documented rules, tried in order:

    1. Same number of points: shift, ``x → x − low + target_low`` (identity when equal;
       0–4 → 1–5).
    2. 1–10 onto NPS 0–10: as is. The 11-point NPS question is often offered as 1–10;
       its answers keep their meaning (9–10 promoters, 1–6 detractors) and 0 is simply never
       chosen, whereas stretching 1–10 over 0–10 would move answers across the 6/7 and 8/9
       boundaries.
    3. Twice as many points as the target: neighbouring points paired,
       ``x → target_low + floor((x − low) / 2)``; 1–10 onto CSAT 1–5 gives ``ceil(x / 2)``
       (1–2 → 1, 3–4 → 2, …, 9–10 → 5), each target point covering an equal share of the scale.

    Raises
    ------
    ValueError
        Any other pair: no mapping is exact, so the user must recode with labels.
    """
    low, high = scale
    target_low, target_high = target
    if high - low == target_high - target_low:
        return lambda x: x - low + target_low
    if (low, high) == (1, 10) and (target_low, target_high) == (0, 10):
        return lambda x: x
    if high - low + 1 == 2 * (target_high - target_low + 1):
        return lambda x: target_low + np.floor((x - low) / 2)
    raise ValueError(
        f"no exact mapping from a {low:g}–{high:g} scale onto {target_low}–{target_high}; "
        "give each answer its canonical score as a label instead"
    )


def suggest_scale(series: pd.Series, survey_type: str) -> ScoreScale | None:
    """Propose the file's scale from the answers seen, for the upload page to pre-fill.

    Text answers: the built-in label set of :data:`LABEL_SETS` that covers every text answer
    (numbers must then lie on the canonical scale); the suggestion holds the labels as the file
    writes them. When no single set covers them (Russian words next to emoji), the sets
    together do: :func:`builtin_labels`, the labels on which they agree. When several sets
    cover the answers but score one of them differently (😀 is 5 in :data:`EMOJI_LABELS`, 4 in
    Chatwoot's), or not even the agreed labels cover them, there is no suggestion.
    Numbers only: the first of :data:`NUMERIC_SCALES` holding every answer (whole numbers).
    "Don't know" words and missing markers are ignored. Never reversed: only the user knows.
    """
    if survey_type not in SCORE_RANGES:
        raise ValueError(f"survey_type must be one of {', '.join(SCORE_RANGES)}")
    low, high = SCORE_RANGES[survey_type]
    key = _normalise(series)
    keep = ~_is_missing(series) & ~key.isin(_DONT_KNOW_KEYS)
    answers, key = _text(series)[keep].str.strip(), key[keep]
    if answers.empty:
        return None
    numbers, not_numbers = parse_numbers(answers)
    observed = dict(zip(key[not_numbers], answers[not_numbers], strict=True))
    whole = numbers.dropna()
    if (whole % 1 != 0).any():
        return None
    if observed:
        fitting = [
            {k: labels[k] for k in observed}
            for labels in map(_label_map, LABEL_SETS[survey_type])
            if set(observed) <= set(labels)
        ]
        if fitting and all(scores == fitting[0] for scores in fitting):
            scores = fitting[0]
        elif set(observed) <= set(_BUILTIN_LABELS[survey_type]):  # the sets together
            scores = {k: _BUILTIN_LABELS[survey_type][k] for k in observed}
        else:
            return None
        if not whole.between(low, high).all():
            return None
        return ScoreScale(low, high, labels={observed[k]: v for k, v in scores.items()})
    for scale_low, scale_high in NUMERIC_SCALES[survey_type]:
        if whole.between(scale_low, scale_high).all():
            return ScoreScale(scale_low, scale_high)
    return None
