"""Parsing the values of real exports: missing markers, numbers, booleans, dates and scores.

Every expected value is written out literally.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from data_connectors.errors import AmbiguousDatesError
from data_connectors.file_mapping import ScoreScale
from data_connectors.values import (
    CES_LABELS_EN,
    CSAT_LABELS_EN,
    CSAT_LABELS_RU,
    EMOJI_LABELS,
    blank_missing,
    builtin_labels,
    decimal_convention,
    detect_date_format,
    parse_booleans,
    parse_dates,
    parse_numbers,
    recode_scores,
    scale_mapping,
    suggest_scale,
)


def _text(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="str")


# ------------------------------------------------------------------------------------ missing


def test_missing_markers_become_na_and_other_text_stays():
    markers = [
        "",
        " ",
        "?",
        "-",
        "—",
        "–",
        " N/A ",
        "na",
        "NULL",
        "None",
        "#N/A",
        "nan",
        "Нет данных",
        "Н/Д",
        None,
    ]
    kept = ["0", "x", "none of these", " a "]
    result = blank_missing(_text(markers + kept))
    assert result.isna().tolist() == [True] * len(markers) + [False] * len(kept)
    assert result.dropna().tolist() == kept


# ------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4,5", 4.5),
        ("4.5", 4.5),
        (" 12 ", 12.0),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),  # no-break space (Excel, ru locale)
        ("1\u202f234\u202f567", 1234567.0),  # narrow no-break space (fr locale)
        ("1'234.50", 1234.5),  # Swiss
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("1,234,567", 1234567.0),
        ("1.234.567", 1234567.0),
        ("0,125", 0.125),
        ("45%", 0.45),
        ("12,5 %", 0.125),
        ("−3", -3.0),  # U+2212 minus
        ("-0,5", -0.5),
        ("1e3", 1000.0),
        ("1,234", 1.234),  # nothing else in the column: the last separator is the decimal mark
    ],
)
def test_numbers_in_many_spellings(text: str, expected: float):
    values, bad = parse_numbers(_text([text]))
    assert values.tolist() == [expected]
    assert not bad.any()


def test_lone_separator_is_settled_by_the_rest_of_the_column():
    comma_decimal, _ = parse_numbers(_text(["1,234", "4,5"]))
    point_decimal, _ = parse_numbers(_text(["1,234", "3.75"]))
    thousands_points, _ = parse_numbers(_text(["1.234", "4,5"]))
    assert comma_decimal.tolist() == [1.234, 4.5]
    assert point_decimal.tolist() == [1234.0, 3.75]
    assert thousands_points.tolist() == [1234.0, 4.5]


def test_file_decimal_convention_reads_what_the_column_does_not_settle():
    point, _ = parse_numbers(_text(["2,000", "1,500"]), decimal=".")
    comma, _ = parse_numbers(_text(["2,000", "1,500"]), decimal=",")
    dotted, _ = parse_numbers(_text(["1.500", "2.000"]), decimal=",")
    assert point.tolist() == [2000.0, 1500.0]
    assert comma.tolist() == [2.0, 1.5]
    assert dotted.tolist() == [1500.0, 2000.0]


def test_the_column_settles_before_the_file_convention():
    values, _ = parse_numbers(_text(["2,000", "4,5"]), decimal=".")
    assert values.tolist() == [2.0, 4.5]


def test_without_a_convention_a_lone_separator_is_the_decimal_mark():
    values, _ = parse_numbers(_text(["2,000", "1,500"]))
    assert values.tolist() == [2.0, 1.5]


def test_decimal_must_be_comma_point_or_none():
    with pytest.raises(ValueError, match="decimal"):
        parse_numbers(_text(["1"]), decimal=";")


@pytest.mark.parametrize(
    ("delimiter", "encoding", "expected"),
    [
        (";", "utf-8", ","),
        (";", "utf-8-sig", ","),
        ("\t", "windows-1251", ","),
        (",", "windows-1251", ","),
        (",", "utf-8", "."),
        (",", "utf-16-le", "."),
        ("\t", "utf-16-le", None),
        ("|", "utf-8", None),
        (None, None, None),  # XLSX, Parquet: real numbers
    ],
)
def test_decimal_convention_from_how_the_csv_was_written(delimiter, encoding, expected):
    assert decimal_convention(delimiter, encoding) == expected


def test_non_numbers_are_bad_and_missing_is_not():
    values, bad = parse_numbers(_text(["abc", "1,23,4", "12 5", "1.2.3,4,5", "N/A", None, "7"]))
    assert bad.tolist() == [True, True, True, True, False, False, False]
    assert values.isna().tolist() == [True, True, True, True, True, True, False]


# ----------------------------------------------------------------------------------- booleans


def test_booleans_in_english_and_russian():
    text = [
        "TRUE",
        "false",
        "Yes",
        "no",
        "y",
        "N",
        "да",
        "Нет",
        "д",
        "н",
        "1",
        "0",
        "1.0",
        "0.0",
        "ИСТИНА",
        "ЛОЖЬ",
    ]
    values, bad = parse_booleans(_text(text))
    assert values.tolist() == [True, False] * 8
    assert not bad.any()


def test_checkbox_marks_are_not_guessed():
    values, bad = parse_booleans(_text(["x", "maybe", "", "-", None]))
    assert bad.tolist() == [True, True, False, False, False]
    assert values.isna().all()


# -------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected", "layout"),
    [
        ("2024-01-05", "2024-01-05 00:00:00", "ISO 8601"),
        ("2024-01-05T10:30", "2024-01-05 10:30:00", "ISO 8601"),
        ("2024-01-05 10:30:15", "2024-01-05 10:30:15", "ISO 8601"),
        ("2024-01-05T10:30:15.250", "2024-01-05 10:30:15.250", "ISO 8601"),
        ("2024-01-05T10:30:00Z", "2024-01-05 10:30:00", "ISO 8601"),
        ("2024-01-05T13:30:00+03:00", "2024-01-05 10:30:00", "ISO 8601"),
        ("2024-01-05 13:30:00+0300", "2024-01-05 10:30:00", "ISO 8601"),
        ("2024-01-05T05:30:00-05:00", "2024-01-05 10:30:00", "ISO 8601"),
        ("05.01.2024", "2024-01-05 00:00:00", "DD.MM.YYYY"),
        ("05.01.2024 10:30", "2024-01-05 10:30:00", "DD.MM.YYYY HH:MM"),
        ("5.1.2024 9:05:07", "2024-01-05 09:05:07", "DD.MM.YYYY HH:MM:SS"),
        ("05.01.24", "2024-01-05 00:00:00", "DD.MM.YY"),
        ("29-02-2016 01:16", "2016-02-29 01:16:00", "DD-MM-YYYY HH:MM"),  # ServiceNow
        ("29-02-2016 01:16:30", "2016-02-29 01:16:30", "DD-MM-YYYY HH:MM:SS"),
        ("25/01/2024", "2024-01-25 00:00:00", "DD/MM/YYYY"),
        ("01/25/2024", "2024-01-25 00:00:00", "MM/DD/YYYY"),
        ("1/25/2024 1:30 PM", "2024-01-25 13:30:00", "MM/DD/YYYY hh:MM AM/PM"),
        ("1/25/2024 12:05:09 am", "2024-01-25 00:05:09", "MM/DD/YYYY hh:MM:SS AM/PM"),
        ("1/25/24 10:00", "2024-01-25 10:00:00", "MM/DD/YY HH:MM"),
        ("2024/01/05 10:30", "2024-01-05 10:30:00", "YYYY/MM/DD HH:MM"),
        ("Jan 5, 2024", "2024-01-05 00:00:00", "Mon D, YYYY"),
        ("September 15, 2024, 3:05 PM", "2024-09-15 15:05:00", "Mon D, YYYY hh:MM AM/PM"),
        ("5 Jan 2024", "2024-01-05 00:00:00", "D Mon YYYY"),
        ("05-Jan-2024", "2024-01-05 00:00:00", "D Mon YYYY"),
        ("1704450600", "2024-01-05 10:30:00", "Unix seconds"),
        ("1704450600000", "2024-01-05 10:30:00", "Unix milliseconds"),
    ],
)
def test_each_date_layout(text: str, expected: str, layout: str):
    guess = detect_date_format(_text([text]))
    assert guess.formats == (layout,)
    assert not guess.ambiguous
    values, bad = parse_dates(_text([text]), column="when")
    assert values.tolist() == [pd.Timestamp(expected)]
    assert values.dtype == "datetime64[ns]"
    assert not bad.any()


def test_ambiguous_day_month_order_is_asked_not_guessed():
    column = _text(["03/04/2024", "05/05/2024", "11/12/2024 10:00", None])
    guess = detect_date_format(column)
    assert guess.ambiguous and guess.day_first is None
    assert guess.examples == ("03/04/2024", "11/12/2024 10:00")  # 05/05 reads the same both ways
    assert guess.formats == ("NN/NN/YYYY", "NN/NN/YYYY HH:MM")
    with pytest.raises(AmbiguousDatesError) as caught:
        parse_dates(column, column="Opened")
    assert caught.value.column == "Opened"
    assert caught.value.examples == ("03/04/2024", "11/12/2024 10:00")
    assert "3 April" in str(caught.value) and "March 4" in str(caught.value)


def test_ambiguous_column_parses_each_way_when_told():
    column = _text(["03/04/2024", "11/12/2024 10:00"])
    day_first, _ = parse_dates(column, day_first=True)
    month_first, _ = parse_dates(column, day_first=False)
    assert day_first.tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-12-11 10:00")]
    assert month_first.tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-11-12 10:00")]


def test_one_day_above_12_settles_the_order_for_the_column():
    column = _text(["03/04/2024", "25/01/2024"])
    guess = detect_date_format(column)
    assert (guess.day_first, guess.ambiguous, guess.formats) == (True, False, ("DD/MM/YYYY",))
    values, _ = parse_dates(column)
    assert values.tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-01-25")]


def test_both_orders_proven_is_a_conflict_to_resolve():
    column = _text(["25/01/2024", "01/25/2024"])
    guess = detect_date_format(column)
    assert guess.conflicting and guess.ambiguous
    with pytest.raises(AmbiguousDatesError, match="only valid day-first and others only"):
        parse_dates(column)
    values, bad = parse_dates(column, day_first=True)
    assert values.tolist()[0] == pd.Timestamp("2024-01-25") and bad.tolist() == [False, True]


def test_dotted_dates_are_day_first_by_convention():
    guess = detect_date_format(_text(["03.04.2024"]))
    assert (guess.day_first, guess.ambiguous) == (True, False)


def test_a_value_with_both_fields_above_12_proves_no_order():
    column = _text(["25.01.2024 09:00", "13.13.2024 09:00", "13.13.2024 09:00", "05.01.2024"])
    guess = detect_date_format(column)
    assert (guess.day_first, guess.ambiguous, guess.conflicting, guess.examples) == (
        True,
        False,
        False,
        (),
    )
    values, bad = parse_dates(column)
    assert bad.tolist() == [False, True, True, False]
    assert values[0] == pd.Timestamp("2024-01-25 09:00")
    assert values[3] == pd.Timestamp("2024-01-05")


def test_an_impossible_slashed_date_neither_settles_nor_conflicts():
    settled = detect_date_format(_text(["13/13/2024", "25/01/2024", "03/04/2024"]))
    assert (settled.day_first, settled.ambiguous, settled.conflicting) == (True, False, False)
    open_order = detect_date_format(_text(["13/14/2024", "03/04/2024"]))
    assert (open_order.ambiguous, open_order.conflicting) == (True, False)
    assert open_order.examples == ("03/04/2024",)


def test_dotted_dates_never_ask_and_are_always_day_first():
    column = _text(["01.25.2024", "25.01.2024", "03.04.2024"])
    guess = detect_date_format(column)
    assert (guess.day_first, guess.ambiguous, guess.conflicting) == (True, False, False)
    assert guess.formats == ("DD.MM.YYYY",)
    values, bad = parse_dates(column)
    assert bad.tolist() == [True, False, False]
    assert values.tolist()[1:] == [pd.Timestamp("2024-01-25"), pd.Timestamp("2024-04-03")]
    told_otherwise, _ = parse_dates(_text(["05.01.2024"]), day_first=False)
    assert told_otherwise.tolist() == [pd.Timestamp("2024-01-05")]


def test_conflict_examples_are_distinct():
    column = _text(["25/01/2024", "25/01/2024", "01/25/2024", "01/25/2024", "26/01/2024"])
    guess = detect_date_format(column)
    assert guess.conflicting
    assert guess.examples == ("25/01/2024", "26/01/2024", "01/25/2024")


def test_bad_dates_are_flagged_and_missing_ones_are_not():
    column = pd.Series(["31.02.2024", "soon", "?", None, "01.03.2024"], index=[10, 11, 12, 13, 14])
    guess = detect_date_format(column)
    assert (guess.n, guess.unrecognised) == (3, 1)
    values, bad = parse_dates(column)
    assert bad.to_dict() == {10: True, 11: True, 12: False, 13: False, 14: False}
    assert values[14] == pd.Timestamp("2024-03-01") and values.index.tolist() == [
        10,
        11,
        12,
        13,
        14,
    ]


def test_mixed_layouts_in_one_column_each_parse():
    values, bad = parse_dates(_text(["2024-01-05 10:30", "06.01.2024 11:00", "Jan 7, 2024"]))
    assert values.tolist() == [
        pd.Timestamp("2024-01-05 10:30"),
        pd.Timestamp("2024-01-06 11:00"),
        pd.Timestamp("2024-01-07"),
    ]
    assert not bad.any()


# ------------------------------------------------------------------------------------- scores


def _scores(result) -> list[float | None]:
    return [None if math.isnan(v) else v for v in result.values.tolist()]


def test_reversed_five_point_scale_is_flipped():
    result = recode_scores(_text(["1", "2", "5", "4,0"]), ScoreScale(1, 5, reversed=True), (1, 5))
    assert _scores(result) == [5.0, 4.0, 1.0, 2.0]


def test_reversed_scale_flips_numbers_but_not_labels():
    scale = ScoreScale(1, 5, reversed=True, labels={"Очень доволен": 5, "Так себе": 3})
    result = recode_scores(
        _text(["Очень доволен", "1", "5", "Так себе", "Very satisfied"]), scale, (1, 5)
    )
    assert _scores(result) == [5.0, 5.0, 1.0, 3.0, 5.0]
    assert not result.unrecognised_mask.any()


def test_reversed_ten_point_scale_keeps_labels_and_pairs_numbers():
    scale = ScoreScale(1, 10, reversed=True, labels={"top": 10})
    result = recode_scores(_text(["top", "1", "10", "Very dissatisfied"]), scale, (1, 5))
    assert _scores(result) == [5.0, 5.0, 1.0, 1.0]


def test_ten_point_scale_onto_csat_pairs_neighbours():
    result = recode_scores(_text([str(x) for x in range(1, 11)]), ScoreScale(1, 10), (1, 5))
    assert _scores(result) == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0]


def test_ten_point_scale_onto_nps_is_kept_as_is():
    result = recode_scores(_text(["1", "6", "7", "9", "10"]), ScoreScale(1, 10), (0, 10))
    assert _scores(result) == [1.0, 6.0, 7.0, 9.0, 10.0]


def test_zero_based_scale_is_shifted():
    result = recode_scores(_text(["0", "4"]), ScoreScale(0, 4), (1, 5))
    assert _scores(result) == [1.0, 5.0]


def test_scale_without_an_exact_mapping_is_refused():
    with pytest.raises(ValueError, match="no exact mapping from a 1–5 scale onto 0–10"):
        recode_scores(_text(["3"]), ScoreScale(1, 5), (0, 10))
    with pytest.raises(ValueError, match="1–7 scale onto 1–5"):
        scale_mapping((1, 7), (1, 5))


def test_labels_in_english_russian_and_emoji():
    csat = ScoreScale(1, 5, labels=CSAT_LABELS_EN | CSAT_LABELS_RU | EMOJI_LABELS)
    answers = [
        "Very satisfied",
        " extremely SATISFIED ",
        "Somewhat satisfied",
        "Neutral",
        "Dissatisfied",
        "Very dissatisfied",
        "Очень доволен(а)",
        "Довольна",
        "Нейтрально",
        "Очень недовольна",
        "удовлетворён",
        "😡",
        "🙁",
        "😐",
        "🙂",
        "😀",
        "😍",
        "☹️",
        "3",
    ]
    result = recode_scores(_text(answers), csat, (1, 5))
    assert _scores(result) == [
        5.0,
        5.0,
        4.0,
        3.0,
        2.0,
        1.0,
        5.0,
        4.0,
        3.0,
        1.0,
        4.0,
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
        5.0,
        2.0,
        3.0,
    ]
    assert not result.unrecognised_mask.any()


def test_built_in_labels_apply_after_a_saved_mapping_labels():
    scale = ScoreScale(1, 5, labels={"Очень доволен": 5})  # saved from an earlier file
    answers = [
        "Very satisfied",
        "Очень доволна",
        "Очень довольна",
        "Довольна",
        "недовольна",
        "🙂",
        "😍",
        "😀",  # 5 in EMOJI_LABELS, 4 in Chatwoot's: not guessed
        "Очень доволен",
        "2",
    ]
    result = recode_scores(_text(answers), scale, (1, 5))
    assert _scores(result) == [5.0, 5.0, 5.0, 4.0, 2.0, 4.0, 5.0, None, 5.0, 2.0]
    assert result.unrecognised_mask.tolist() == [False] * 7 + [True, False, False]


def test_a_mapping_label_settles_a_disputed_face():
    result = recode_scores(_text(["😀", "😞"]), ScoreScale(1, 5, labels={"😀": 4}), (1, 5))
    assert _scores(result) == [4.0, 1.0]


def test_built_in_labels_need_no_scale():
    result = recode_scores(_text(["Very easy", "Strongly disagree", "3"]), None, (1, 7))
    assert _scores(result) == [1.0, 7.0, 3.0]


def test_built_in_labels_leave_out_what_the_sets_dispute():
    labels = builtin_labels("csat")
    assert (labels["😍"], labels["😐"], labels["😞"], labels["очень доволна"]) == (
        5.0,
        3.0,
        1.0,
        5.0,
    )
    assert "😀" not in labels
    assert builtin_labels("nps") == {}


def test_ces_labels_use_one_as_least_effort():
    result = recode_scores(
        _text(["Very easy", "Neither easy nor difficult", "Very difficult", "Strongly agree"]),
        ScoreScale(1, 7, labels=CES_LABELS_EN),
        (1, 7),
    )
    assert _scores(result) == [1.0, 4.0, 7.0, 1.0]


def test_dont_know_answers_are_excluded_and_counted():
    scale = ScoreScale(0, 10, dont_know=("99",))
    answers = [
        "10",
        "Don't know",
        "don’t know",
        "N/A",
        "Затрудняюсь ответить",
        "не знаю",
        "99",
        "",
        None,
    ]
    result = recode_scores(_text(answers), scale, (0, 10))
    assert result.dont_know == 6
    assert result.dont_know_mask.tolist() == [False] + [True] * 6 + [False, False]
    assert _scores(result) == [10.0] + [None] * 8
    assert not result.unrecognised_mask.any()


def test_unrecognised_and_off_scale_answers_are_flagged():
    result = recode_scores(
        _text(["Superb", "6", "0", "4.5", "5"]), ScoreScale(1, 5, labels=CSAT_LABELS_EN), (1, 5)
    )
    assert result.unrecognised_mask.tolist() == [True, True, True, True, False]
    assert _scores(result) == [None, None, None, None, 5.0]


def test_scores_without_a_scale_are_read_on_the_target():
    result = recode_scores(_text(["9", "11"]), None, (0, 10))
    assert _scores(result) == [9.0, None]
    assert result.unrecognised_mask.tolist() == [False, True]


# ------------------------------------------------------------------------------ scale guesses


@pytest.mark.parametrize(
    ("answers", "survey_type", "expected"),
    [
        (["1", "7", "10", "N/A"], "nps", ScoreScale(1, 10)),
        (["0", "7", "10"], "nps", ScoreScale(0, 10)),
        (["1", "4", "5"], "csat", ScoreScale(1, 5)),
        (["0", "2", "4"], "csat", ScoreScale(0, 4)),
        (["2", "8", "10"], "csat", ScoreScale(1, 10)),
        (["1", "7"], "ces", ScoreScale(1, 7)),
        (["0", "11"], "nps", None),
        (["4.5"], "csat", None),
        ([None, "-"], "csat", None),
    ],
)
def test_suggested_numeric_scales(answers: list[str | None], survey_type: str, expected):
    assert suggest_scale(_text(answers), survey_type) == expected


def test_suggested_labels_keep_the_file_spelling():
    answers = _text(
        ["Very satisfied", "Очень доволен", "Neutral", "Very satisfied", "5", "Не знаю"]
    )
    assert suggest_scale(answers, "csat") == ScoreScale(
        1, 5, labels={"Very satisfied": 5.0, "Очень доволен": 5.0, "Neutral": 3.0}
    )


def test_chatwoot_faces_are_recognised_by_their_set():
    answers = _text(["😞", "😑", "😐", "😀", "😍"])
    scale = suggest_scale(answers, "csat")
    assert scale is not None and scale.labels == {
        "😞": 1.0,
        "😑": 2.0,
        "😐": 3.0,
        "😀": 4.0,
        "😍": 5.0,
    }


def test_faces_that_two_sets_score_differently_get_no_suggestion():
    assert suggest_scale(_text(["😀", "😍", "😐"]), "csat") is None  # 😀 is 5 or 4
    assert suggest_scale(_text(["Superb", "Very satisfied"]), "csat") is None
    assert suggest_scale(_text(["Very satisfied"]), "nps") is None


def test_russian_labels_emoji_and_dont_know_get_the_agreed_built_in_labels():
    answers = _text(["Очень доволен", "Недовольна", "🙂", "😡", "Затрудняюсь ответить", "4", "🙂"])
    assert suggest_scale(answers, "csat") == ScoreScale(
        1, 5, labels={"Очень доволен": 5.0, "Недовольна": 2.0, "🙂": 4.0, "😡": 1.0}
    )
    assert suggest_scale(_text(["Очень доволен", "😀"]), "csat") is None  # 😀 is disputed


def test_unknown_survey_type_is_refused():
    with pytest.raises(ValueError, match="survey_type"):
        suggest_scale(_text(["1"]), "stars")


def test_parsers_keep_the_callers_index():
    series = pd.Series(["4,5", "x"], index=[7, 3])
    numbers, bad = parse_numbers(series)
    booleans, _ = parse_booleans(series)
    scores = recode_scores(series, ScoreScale(1, 5), (1, 5))
    for result in (numbers, bad, booleans, scores.values, scores.unrecognised_mask):
        assert result.index.tolist() == [7, 3]
    assert np.isnan(numbers[3]) and numbers[7] == 4.5
