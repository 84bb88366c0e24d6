"""Masking personal data in free text (survey comments, ticket texts) before it is shown.

What is masked, in this order (each pass is one vectorised ``Series.str.replace`` with a
compiled Python :mod:`re` pattern, so the rules are the same for every string dtype):

1. **E-mail addresses** → :data:`EMAIL_MASK`: ``local@domain.tld``, Unicode letters allowed
   (``иван@пример.рф``).
2. **Card-like numbers** → :data:`CARD_MASK`: 13–19 digits written either in one run or in the
   groups cards are printed in (4-4-4-4 with one repeated space or dash, up to 4-4-4-4-3;
   American Express 4-6-5), **and** passing the Luhn check (ISO/IEC 7812-1, Annex B). The Luhn
   check keeps most order numbers, invoice ids and tracking codes readable: a random digit string
   passes it with probability 1/10, so about one order id in ten of card length is masked too.
3. **Phone numbers** → :data:`PHONE_MASK`:

   - international, starting with ``+`` and a country code, with spaces, dots, dashes or
     parentheses between groups, 8 to 15 digits in all (E.164 allows at most 15):
     ``+7 (912) 345-67-89``, ``+44 20 7946 0958``, ``+1-202-555-0143``;
   - Russian trunk format, ``8`` and ten digits: ``8 912 345 67 89``, ``8 (495) 123-45-67``,
     ``8-800-555-35-35``. Written as one bare run (``89123456789``) it is masked only when the
     second digit is 9 (a mobile number), so an 11-digit order number starting with 8 survives.

Not masked, by design: dates (``15.03.2024``, ``2024-03-15``), times, prices (``12 500 ₽``,
``$1,299.00``), order and ticket numbers, and local numbers without a country or trunk prefix
(``345-67-89``), which cannot be told from other numbers. Missing values stay missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
CARD_MASK = "[card]"

#: Card numbers have 13 (old Visa) to 19 digits (ISO/IEC 7812).
CARD_DIGITS = (13, 19)
#: E.164: at most 15 digits including the country code; fewer than 8 is not a dialable number.
INTERNATIONAL_DIGITS = (8, 15)

_SEPARATOR = r"[ \u00a0.\-]"

EMAIL_PATTERN = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
CARD_PATTERN = re.compile(
    r"(?<![\d+])(?:"
    r"\d{13,19}"  # one run
    r"|\d{4}(?P<sep>[ \-])\d{4}(?P=sep)\d{4}(?P=sep)\d{1,4}(?:(?P=sep)\d{1,3})?"  # 4-4-4-4(-3)
    r"|\d{4}(?P<amex>[ \-])\d{6}(?P=amex)\d{5}"  # American Express 4-6-5
    r")(?!\d)"
)
INTERNATIONAL_PHONE_PATTERN = re.compile(
    rf"(?<![\w+])\+\d{{1,3}}(?:{_SEPARATOR}?(?:\(\d{{1,5}}\)|\d{{1,5}})){{1,6}}(?!\d)"
)
RUSSIAN_PHONE_PATTERN = re.compile(
    rf"(?<![\w+])8{_SEPARATOR}?\(?\d{{3}}\)?{_SEPARATOR}?\d{{3}}{_SEPARATOR}?\d{{2}}"
    rf"{_SEPARATOR}?\d{{2}}(?!\d)"
)


def luhn_valid(digits: str) -> bool:
    """True if the digit string passes the Luhn check (ISO/IEC 7812-1, Annex B).

    From the rightmost digit leftwards, every second digit is doubled (9 subtracted when the
    result exceeds 9); the number is valid when the sum of all digits is a multiple of 10.
    ``luhn_valid("4111111111111111")`` is True (the usual Visa test number).
    """
    if not digits.isdigit():
        raise ValueError(f"expected digits only, got {digits!r}")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _card(match: re.Match[str]) -> str:
    digits = _digits(match.group())
    low, high = CARD_DIGITS
    return CARD_MASK if low <= len(digits) <= high and luhn_valid(digits) else match.group()


def _international(match: re.Match[str]) -> str:
    low, high = INTERNATIONAL_DIGITS
    return PHONE_MASK if low <= len(_digits(match.group())) <= high else match.group()


def _russian(match: re.Match[str]) -> str:
    text = match.group()
    if text.isdigit() and text[1] != "9":  # a bare run: only mobile numbers (89…) are phones
        return text
    return PHONE_MASK


def mask_personal_data(texts: Iterable[object]) -> pd.Series:
    """Replace e-mail addresses, card-like numbers and phone numbers by placeholders.

    Parameters
    ----------
    texts : Series or array-like of str
        Free text; missing values are allowed and stay missing. Non-string values are left
        missing as well (they carry no text to show).

    Returns
    -------
    Series
        Same index and length as ``texts``; each address replaced by :data:`EMAIL_MASK`, each
        Luhn-valid card-like number by :data:`CARD_MASK`, each phone number by
        :data:`PHONE_MASK` (see the module docstring for the exact rules and what is kept).

    Examples
    --------
    >>> mask_personal_data(pd.Series(["Call +7 (912) 345-67-89, order 4567123"])).tolist()
    ['Call [phone], order 4567123']
    """
    if isinstance(texts, str | bytes):
        raise ValueError("texts must be a sequence of strings, not one string")
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    masked = series.astype(object).str.replace(EMAIL_PATTERN, EMAIL_MASK, regex=True)
    masked = masked.str.replace(CARD_PATTERN, _card, regex=True)
    masked = masked.str.replace(INTERNATIONAL_PHONE_PATTERN, _international, regex=True)
    masked = masked.str.replace(RUSSIAN_PHONE_PATTERN, _russian, regex=True)
    if isinstance(series.dtype, pd.StringDtype):
        return masked.astype(series.dtype)
    return masked
