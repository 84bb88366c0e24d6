"""Masking personal data in comments: literal inputs and outputs, English and Russian."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.privacy import luhn_valid, mask_personal_data


def masked(text: str) -> str:
    return mask_personal_data(pd.Series([text])).iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # e-mail addresses
        ("Write to jane.doe+help@example.co.uk.", "Write to [email]."),
        ("Пишите на иван.петров@пример.рф, спасибо", "Пишите на [email], спасибо"),
        ("ivan.petrov12@example.com", "[email]"),
        # international phone numbers
        ("Мой номер +7 (912) 345-67-89, перезвоните.", "Мой номер [phone], перезвоните."),
        ("Call me on +44 20 7946 0958 after 5pm", "Call me on [phone] after 5pm"),
        ("US office: +1-202-555-0143.", "US office: [phone]."),
        ("+79123456789", "[phone]"),
        ("тел.+7 912 345-67-89", "тел.[phone]"),
        # Russian trunk format
        ("Звоните 8 912 345 67 89 после 18:00", "Звоните [phone] после 18:00"),
        ("Горячая линия 8-800-555-35-35", "Горячая линия [phone]"),
        ("Офис: 8 (495) 123-45-67", "Офис: [phone]"),
        ("мобильный 89123456789", "мобильный [phone]"),
        # card-like numbers that pass the Luhn check
        ("Card 4111 1111 1111 1111 was charged twice", "Card [card] was charged twice"),
        ("карта 5500-0000-0000-0004 списали дважды", "карта [card] списали дважды"),
        ("Amex 3782 822463 10005", "Amex [card]"),
        ("4111111111111111", "[card]"),
        # everything at once
        (
            "Call +7 912 345-67-89 or mail a.b@example.org; card 4111 1111 1111 1111",
            "Call [phone] or mail [email]; card [card]",
        ),
    ],
)
def test_personal_data_is_masked(text: str, expected: str):
    assert masked(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # order and ticket numbers, including a 16-digit one that fails the Luhn check
        "Order 4111111111111112 arrived broken",
        "Заказ № 45812345 от 15.03.2024 на сумму 12 500 ₽",
        "Ticket T0000123, invoice 2024-000981",
        "трек 81234567890",  # bare 11 digits starting 8 but not 89: not a mobile number
        # dates and times
        "Delivered 2024-03-15, promised 15.03.2024 at 18:30",
        "с 01/02/2024 по 29/02/2024",
        "2024-03-15 2024-04-15",
        # prices and amounts
        "It cost $1,299.00 instead of €999",
        "Списали 8 500 руб., а должны были 1 500 000 бонусов",
        "Up +15% vs last year, +2 500 new users",
        # short local numbers are ambiguous and kept
        "Позвоните 345-67-89",
    ],
)
def test_numbers_that_are_not_personal_data_are_kept(text: str):
    assert masked(text) == text


def test_luhn_check_by_hand():
    """79927398713 (the usual textbook example): from the right, digits 3 1 7 8 9 3 7 2 9 9 7;
    doubling every second: 1→2, 8→16→7, 3→6, 2→4, 9→18→9, so 3+2+7+7+9+6+7+4+9+9+7 = 70,
    a multiple of 10 → valid; ending in 0 instead of 3 gives 67 → invalid."""
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    with pytest.raises(ValueError):
        luhn_valid("4111 1111")


def test_missing_values_index_and_dtype_are_kept():
    texts = pd.Series(["mail x@y.org", None, "ok"], index=[7, 8, 9], dtype="str")
    result = mask_personal_data(texts)
    assert result.index.tolist() == [7, 8, 9]
    assert result.dtype == texts.dtype
    assert result.iloc[0] == "mail [email]" and pd.isna(result.iloc[1]) and result.iloc[2] == "ok"


def test_object_series_and_lists_are_accepted():
    assert mask_personal_data(["+44 20 7946 0958", None]).tolist()[0] == "[phone]"
    objects = pd.Series(["a@b.cd", None], dtype=object)
    assert mask_personal_data(objects).tolist() == ["[email]", None]


def test_one_string_is_refused():
    with pytest.raises(ValueError):
        mask_personal_data("a@b.cd")
