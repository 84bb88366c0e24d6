"""What the demo's customers write: ticket subjects and messages, survey comments (en and ru).

:class:`Phrases` flattens the template banks of :mod:`data_connectors.demo.phrases` into one
list per kind of text, picks a template per row from the row's bank (theme or comment kind and
language) and fills its placeholders, vectorised over all rows that share a template. The
placeholder values (order numbers, products, amounts, app versions, synthetic phone numbers and
e-mails) are drawn for every row up front by :func:`ticket_fields` and inside
:func:`comment_text`.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType

import numpy as np
import pandas as pd

from data_connectors.demo.columns import prefixed
from data_connectors.demo.company import COMMENT_KINDS, LANGUAGES
from data_connectors.demo.phrases import BY_LANGUAGE, PRODUCTS
from data_connectors.demo.themes import THEMES

Field = Callable[[np.ndarray], np.ndarray]


class Phrases:
    """Template banks flattened into one list; picks a template per row and fills it, vectorised."""

    def __init__(self, banks: Sequence[Sequence[str]]) -> None:
        self.sizes = np.array([len(bank) for bank in banks])
        self.offsets = np.cumsum(self.sizes) - self.sizes
        self.parts = [list(string.Formatter().parse(t)) for bank in banks for t in bank]

    @classmethod
    def per_language(cls, select: Callable[[ModuleType], Sequence[Sequence[str]]]) -> Phrases:
        """Banks indexed by ``bank * len(LANGUAGES) + language``.

        ``select`` takes the banks from one language's phrase module, in the same order for all.
        """
        selected = [select(BY_LANGUAGE[language]) for language in LANGUAGES]
        return cls([bank for banks in zip(*selected, strict=True) for bank in banks])

    def fill(
        self, rng: np.random.Generator, bank: np.ndarray, fields: Mapping[str, Field]
    ) -> np.ndarray:
        """One filled template (object array of str) per row, from the row's bank."""
        chosen = self.offsets[bank] + (rng.random(len(bank)) * self.sizes[bank]).astype(int)
        out = np.empty(len(bank), dtype=object)
        if not len(bank):
            return out
        order = np.argsort(chosen, kind="stable")
        templates, starts = np.unique(chosen[order], return_index=True)
        for template, rows in zip(templates, np.split(order, starts[1:]), strict=True):
            filled = np.full(len(rows), "", dtype=object)
            for literal, name, _, _ in self.parts[template]:
                filled = filled + literal
                if name:
                    filled = filled + fields[name](rows)
            out[rows] = filled
        return out


_SUBJECTS = Phrases.per_language(lambda phrases: [phrases.SUBJECTS[t.key] for t in THEMES])
_BODIES = Phrases.per_language(lambda phrases: [phrases.TEXTS[t.key] for t in THEMES])
_GREETINGS = Phrases.per_language(lambda phrases: [phrases.GREETINGS])
_SIGN_OFFS = Phrases.per_language(lambda phrases: [phrases.SIGN_OFFS])
_COMPLAINT_TAILS = Phrases.per_language(lambda phrases: [phrases.COMPLAINT_TAILS])
_COMMENTS = Phrases.per_language(lambda phrases: [phrases.COMMENTS[k] for k in COMMENT_KINDS])
_CONTACT_TAILS = Phrases.per_language(lambda phrases: [phrases.CONTACT_TAILS])


def ticket_fields(rng: np.random.Generator, n: int, month: np.ndarray) -> dict[str, Field]:
    """Values for the ticket templates' placeholders, drawn for every row up front."""
    order = rng.integers(1_000_000, 10_000_000, n)
    product = _pick(rng, PRODUCTS, n)
    euros = np.round(rng.lognormal(np.log(60), 0.8, n), 2)
    days = rng.integers(5, 21, n)
    card = _digits(rng, n, 4)
    version = _text(4 + month // 12) + "." + _text(month % 12)
    return {
        "order": lambda rows: _text(order[rows]),
        "product": lambda rows: product[rows],
        "eur": lambda rows: np.char.mod("%.2f", euros[rows]).astype(object),
        "rub": lambda rows: _text((np.round(euros[rows] * 100, -1)).astype(int)),
        "days": lambda rows: _text(days[rows]),
        "card": lambda rows: card[rows],
        "version": lambda rows: version[rows],
    }


def ticket_text(
    rng: np.random.Generator,
    theme: np.ndarray,
    language: np.ndarray,
    complaint: np.ndarray,
    fields: Mapping[str, Field],
) -> np.ndarray:
    """The customer's first message per ticket: greeting, body, complaint sentence, sign-off."""
    return (
        _GREETINGS.fill(rng, language, fields)
        + _BODIES.fill(rng, theme * len(LANGUAGES) + language, fields)
        + np.where(complaint, _COMPLAINT_TAILS.fill(rng, language, fields), "")
        + _SIGN_OFFS.fill(rng, language, fields)
    )


def ticket_subjects(
    rng: np.random.Generator,
    theme: np.ndarray,
    language: np.ndarray,
    fields: Mapping[str, Field],
) -> np.ndarray:
    """The subject line per ticket."""
    return _SUBJECTS.fill(rng, theme * len(LANGUAGES) + language, fields)


def comment_text(
    rng: np.random.Generator, kind: np.ndarray, language: np.ndarray, callback: np.ndarray
) -> np.ndarray:
    """A survey comment per row of ``kind`` (position in ``COMMENT_KINDS``) and ``language``.

    Some customers add their phone number or e-mail, most often those asking for a callback.
    """
    fields = _comment_fields(rng, language)
    contact = rng.random(len(kind)) < np.where(callback, 0.25, 0.03)
    return _COMMENTS.fill(rng, kind * len(LANGUAGES) + language, fields) + np.where(
        contact, _CONTACT_TAILS.fill(rng, language, fields), ""
    )


def _comment_fields(rng: np.random.Generator, language: np.ndarray) -> dict[str, Field]:
    """Values for the comment templates' placeholders (synthetic phone numbers and e-mails)."""
    n = len(language)
    english = language == LANGUAGES.index("en")
    uk = "+44 20 7946 0" + _digits(rng, n, 3)  # the UK's range reserved for drama
    ru = pd.Series(_digits(rng, n, 9)).str.replace(
        r"(\d{2})(\d{3})(\d{2})(\d{2})", r"+7 9\1 \2-\3-\4", regex=True
    )
    names = {
        lang: [_pick(rng, options, n) for options in BY_LANGUAGE[lang].EMAIL_NAMES]
        for lang in LANGUAGES
    }
    first = np.where(english, names["en"][0], names["ru"][0])
    last = np.where(english, names["en"][1], names["ru"][1])
    domain = _pick(rng, ("example.com", "example.org", "example.net"), n)
    email = first + "." + last + _digits(rng, n, 2) + "@" + domain
    phone = np.where(english, uk, ru.to_numpy(object))
    minutes = rng.integers(5, 21, n)
    product = _pick(rng, PRODUCTS, n)
    return {
        "minutes": lambda rows: _text(minutes[rows]),
        "product": lambda rows: product[rows],
        "phone": lambda rows: phone[rows],
        "email": lambda rows: email[rows],
    }


def _text(values: np.ndarray) -> np.ndarray:
    return values.astype(str).astype(object)


def _pick(rng: np.random.Generator, options: Sequence[str], n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """``n`` random strings of ``width`` digits."""
    return prefixed("", rng.integers(0, 10**width, n), width)
