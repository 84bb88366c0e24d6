"""Turning customers' free text into comparable terms, in Russian, English and Polish.

Steps, in order:

1. :func:`clean_texts` — any input (None, numbers, bytes in UTF-8 or Windows-1251) becomes text;
   HTML markup is stripped (``<script>``/``<style>`` bodies dropped, tags removed, entities such
   as ``&amp;`` unescaped); URLs and e-mail addresses are removed; Unicode is NFKC-normalised.
2. :class:`Tokenizer` — words are runs of two or more letters (digits, emoji and punctuation are
   not words; one letter repeated, as in the CFPB's redaction marks (a run of capital X), is
   not a word either), lower-cased, ``ё`` read as ``е``. A word's language comes from its script
   (Cyrillic: Russian) and, for Latin script, from its text: Polish when the text has a
   Polish-only letter (ą ć ę ł ń ś ź ż) or more Polish than English stop words, else English.
   Stop words: scikit-learn's English list, the ``stop-words`` package's Russian and Polish
   lists, and the greetings and sign-offs of :data:`COURTESY_WORDS`. Stems: the Snowball
   stemmers (``snowballstemmer``) of each language. Words of other scripts (Greek, Arabic,
   CJK, …) are kept unstemmed, so they still count as terms. Each word's term is memoised.
3. Concepts — stems of a small customer-service lexicon (:data:`CONCEPTS`: delivery, refund,
   password, …) in all three languages are read as one shared term, so that a Russian and an
   English complaint about the same thing share vocabulary and can fall into one theme instead
   of two themes split by language. Words outside the lexicon keep their own stems.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd
import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from stop_words import get_stop_words

LANGUAGES = {"en": "english", "ru": "russian", "pl": "polish"}

_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{0,2000}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_POLISH_LETTERS = re.compile(r"[ąćęłńśźż]")
_REPEATED = re.compile(r"^(.)\1+$")
_LATIN = re.compile(r"^[a-z\u00c0-\u024f]+$")

#: Greetings, sign-offs and courtesy words of letters to a helpdesk: they say nothing about the
#: topic, and being language-specific they would otherwise pull texts together by language.
COURTESY_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "hello",
        "hi",
        "hey",
        "dear",
        "thanks",
        "thank",
        "regards",
        "kind",
        "best",
        "please",
        "help",
        "team",
        "good",
        "morning",
        "afternoon",
        "evening",
        "sir",
        "madam",
        "cheers",
    ),
    "ru": (
        "здравствуйте",
        "добрый",
        "доброе",
        "день",
        "утро",
        "вечер",
        "привет",
        "спасибо",
        "заранее",
        "уважением",
        "пожалуйста",
        "помогите",
        "подскажите",
        "благодарю",
    ),
    "pl": (
        "dzień",
        "dobry",
        "witam",
        "cześć",
        "pozdrawiam",
        "dziękuję",
        "proszę",
        "pomocy",
        "pomóc",
        "serdecznie",
        "uprzejmie",
    ),
}

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(ENGLISH_STOP_WORDS) | frozenset(COURTESY_WORDS["en"]),
    "ru": frozenset(w.replace("ё", "е") for w in [*get_stop_words("ru"), *COURTESY_WORDS["ru"]]),
    "pl": frozenset(get_stop_words("pl")) | frozenset(COURTESY_WORDS["pl"]),
}

#: Shared customer-service vocabulary: concept → words in English, Russian and Polish. Every
#: word is stemmed by its language's stemmer at import, so inflected forms map too.
CONCEPTS: dict[str, dict[str, tuple[str, ...]]] = {
    "delivery": {
        "en": ("delivery", "deliver", "shipping", "shipment"),
        "ru": ("доставка", "доставить", "доставлять"),
        "pl": ("dostawa", "dostarczyć", "wysyłka"),
    },
    "courier": {"en": ("courier",), "ru": ("курьер",), "pl": ("kurier",)},
    "parcel": {"en": ("parcel", "package"), "ru": ("посылка",), "pl": ("paczka", "przesyłka")},
    "order": {"en": ("order",), "ru": ("заказ",), "pl": ("zamówienie",)},
    "delay": {
        "en": ("delay", "late"),
        "ru": ("задержка", "задерживается", "опоздание"),
        "pl": ("opóźnienie", "spóźnienie", "opóźnia", "spóźnia"),
    },
    "address": {"en": ("address",), "ru": ("адрес",), "pl": ("adres",)},
    "tracking": {"en": ("tracking", "track"), "ru": ("трек", "отслеживание"), "pl": ("śledzenie",)},
    "damaged": {
        "en": ("damaged", "broken", "damage"),
        "ru": ("повреждённый", "повреждена", "сломанный", "сломан", "разбит"),
        "pl": ("uszkodzony", "zepsuty", "uszkodzenie"),
    },
    "refund": {
        "en": ("refund", "reimburse"),
        "ru": ("возврат", "вернуть", "вернут"),
        "pl": ("zwrot", "zwrócić"),
    },
    "money": {
        "en": ("money", "funds"),
        "ru": ("деньги", "денег", "средства"),
        "pl": ("pieniądze",),
    },
    "charge": {
        "en": ("charge", "charged", "debit", "debited"),
        "ru": ("списание", "списали", "списать"),
        "pl": ("obciążenie", "obciążony", "pobrano"),
    },
    "twice": {"en": ("twice", "double", "duplicate"), "ru": ("дважды", "двойной", "повторное")},
    "payment": {
        "en": ("payment", "pay", "paid"),
        "ru": ("оплата", "платёж", "оплатить", "оплачен"),
        "pl": ("płatność", "zapłacić", "opłata"),
    },
    "card": {"en": ("card",), "ru": ("карта", "картой"), "pl": ("karta", "kartą")},
    "invoice": {
        "en": ("invoice", "bill", "receipt"),
        "ru": ("счёт", "счет", "чек", "квитанция"),
        "pl": ("faktura", "rachunek", "paragon"),
    },
    "documents": {"en": ("documents", "document"), "ru": ("документы",), "pl": ("dokumenty",)},
    "subscription": {
        "en": ("subscription", "subscribe", "renewal"),
        "ru": ("подписка", "автопродление"),
        "pl": ("subskrypcja", "abonament"),
    },
    "tariff": {"en": ("plan", "tariff"), "ru": ("тариф",), "pl": ("taryfa", "pakiet")},
    "price": {"en": ("price", "cost", "expensive"), "ru": ("цена", "стоимость", "дорого")},
    "discount": {
        "en": ("discount", "promo", "coupon"),
        "ru": ("скидка", "промокод", "купон"),
        "pl": ("rabat", "zniżka", "kupon"),
    },
    "cancel": {"en": ("cancel", "cancellation"), "ru": ("отменить", "отмена"), "pl": ("anulować",)},
    "password": {"en": ("password",), "ru": ("пароль",), "pl": ("hasło",)},
    "login": {
        "en": ("login", "log", "sign"),
        "ru": ("войти", "вход", "логин", "авторизация"),
        "pl": ("logowanie", "zalogować"),
    },
    "account": {
        "en": ("account", "profile"),
        "ru": ("аккаунт", "учётная", "профиль"),
        "pl": ("konto",),
    },
    "app": {"en": ("app", "application"), "ru": ("приложение",), "pl": ("aplikacja",)},
    "crash": {
        "en": ("crash", "crashes", "freezes"),
        "ru": ("вылетает", "падает", "зависает"),
        "pl": ("zawiesza", "wyłącza"),
    },
    "error": {"en": ("error", "bug", "fail", "failed"), "ru": ("ошибка", "сбой"), "pl": ("błąd",)},
    "update": {
        "en": ("update", "upgrade"),
        "ru": ("обновление", "обновить"),
        "pl": ("aktualizacja",),
    },
    "internet": {
        "en": ("internet", "wifi", "network"),
        "ru": ("интернет", "сеть"),
        "pl": ("sieć",),
    },
    "connection": {
        "en": ("connection", "connect", "disconnects", "disconnect"),
        "ru": ("соединение", "подключение", "подключить", "отключается"),
        "pl": ("połączenie", "połączyć", "rozłącza"),
    },
    "outage": {
        "en": ("outage", "down", "unavailable"),
        "ru": ("недоступен", "недоступно", "авария"),
        "pl": ("awaria", "niedostępny"),
    },
    "setup": {
        "en": ("setup", "configure", "install", "settings"),
        "ru": ("настроить", "настройка", "установить"),
        "pl": ("konfiguracja", "skonfigurować", "instalacja"),
    },
    "device": {"en": ("device",), "ru": ("устройство",), "pl": ("urządzenie",)},
    "work": {"en": ("working", "works"), "ru": ("работает",), "pl": ("działa",)},
    "operator": {
        "en": ("operator", "agent", "manager", "staff"),
        "ru": ("оператор", "менеджер", "сотрудник"),
        "pl": ("konsultant", "pracownik"),
    },
    "wait": {
        "en": ("wait", "waiting", "queue", "hold"),
        "ru": ("ждать", "ожидание", "ожидания", "очередь"),
        "pl": ("czekać", "oczekiwanie", "kolejka"),
    },
    "call": {
        "en": ("call", "callback", "phone"),
        "ru": ("звонок", "позвонить", "перезвонить", "телефон"),
    },
    "answer": {
        "en": ("answer", "response", "reply"),
        "ru": ("ответ", "ответили", "ответить"),
        "pl": ("odpowiedź", "odpowiedzieć"),
    },
    "complaint": {
        "en": ("complaint", "complain"),
        "ru": ("жалоба", "претензия"),
        "pl": ("reklamacja", "skarga"),
    },
    "rude": {
        "en": ("rude", "impolite"),
        "ru": ("грубый", "хамство", "нагрубил"),
        "pl": ("niegrzeczny",),
    },
    "quality": {"en": ("quality",), "ru": ("качество",), "pl": ("jakość",)},
    "product": {"en": ("product", "item", "goods"), "ru": ("товар",), "pl": ("produkt", "towar")},
    "return": {"en": ("return", "exchange"), "ru": ("обмен",), "pl": ("wymiana",)},
    "bank": {"en": ("bank",), "ru": ("банк",), "pl": ("bank",)},
    "loan": {"en": ("loan", "credit"), "ru": ("кредит", "заём"), "pl": ("kredyt", "pożyczka")},
    "weekend": {"en": ("weekend",), "ru": ("выходные",), "pl": ("weekend",)},
    "sms": {"en": ("sms", "text"), "ru": ("смс",), "pl": ("sms",)},
    "status": {"en": ("status",), "ru": ("статус",), "pl": ("status",)},
}


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(LANGUAGES[language])


def _stem(language: str, word: str) -> str:
    return _stemmer(language).stemWord(word)


def _concept_stems() -> dict[tuple[str, str], str]:
    """(language, stem) → concept, from :data:`CONCEPTS`."""
    return {
        (language, _stem(language, word.lower().replace("ё", "е"))): concept
        for concept, words in CONCEPTS.items()
        for language, forms in words.items()
        for word in forms
    }


_CONCEPT_OF = _concept_stems()


def _as_text(value: object) -> str:
    """A value as text: bytes decoded as UTF-8, else Windows-1251; missing values as ""."""
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value).decode("cp1251", errors="replace")
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _replace_where(texts: pd.Series, marker: str, pattern: re.Pattern[str]) -> pd.Series:
    """``pattern`` replaced by a space, searched only in the texts containing ``marker``.

    The filter is a fast substring test; the regular expressions (the e-mail one especially)
    are slow, and most texts contain no markup, address or link.
    """
    hit = texts.str.contains(marker, regex=False).to_numpy()
    if hit.any():
        texts = texts.copy()
        texts[hit] = texts[hit].str.replace(pattern, " ", regex=True)
    return texts


def clean_texts(texts: Iterable[object]) -> pd.Series:
    """Plain, normalised text for each input (see the module docstring, step 1).

    Returns a Series of ``str`` of the same length (index 0..n−1); missing values become "".
    """
    if isinstance(texts, str | bytes):
        raise ValueError("texts must be a sequence of strings, not one string")
    plain = pd.Series(list(texts), dtype=object).map(_as_text)
    plain = _replace_where(plain, "<", _SCRIPT_OR_STYLE)
    plain = _replace_where(plain, "<", _TAG)
    escaped = plain.str.contains("&", regex=False).to_numpy()
    plain[escaped] = plain[escaped].map(html.unescape)
    plain = _replace_where(plain, "://", _URL)
    plain = _replace_where(plain, "www.", _URL)
    plain = _replace_where(plain, "@", _EMAIL)
    plain = plain.map(lambda text: unicodedata.normalize("NFKC", text))
    return plain.str.replace(_SPACE, " ", regex=True).str.strip().astype(object)


class Tokenizer:
    """Callable text → terms (stems or concepts), usable as a scikit-learn ``analyzer``.

    :meth:`pairs` gives each term with the word it came from, to label themes with real words.
    Stemming is memoised per (language, word), so repeated words cost one dictionary lookup.
    """

    def __init__(self) -> None:
        self._terms: dict[tuple[str, str], str | None] = {}  # (Latin language, word) → term

    def __call__(self, text: str) -> list[str]:
        return [term for term, _ in self.pairs(text)]

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self._terms = {}

    def pairs(self, text: str) -> list[tuple[str, str]]:
        """(term, word) for each word of ``text`` that is not a stop word."""
        lower = text.lower().replace("ё", "е")
        words = _WORD.findall(lower)
        latin = _latin_language(words, lower)
        terms = self._terms
        found = []
        for word in words:
            key = (latin, word)
            term = terms[key] if key in terms else self._term(latin, word)
            if term is not None:
                found.append((term, word))
        return found

    def _term(self, latin: str, word: str) -> str | None:
        """The term of ``word`` in a text whose Latin-script words are in ``latin`` (memoised)."""
        if _REPEATED.match(word):  # redaction marks (runs of X) and drawn-out shouting
            term = None
        else:
            language = "ru" if _CYRILLIC.match(word) else latin if _LATIN.match(word) else ""
            if not language:
                term = word
            elif word in STOP_WORDS[language]:
                term = None
            else:
                stem = _stem(language, word)
                term = _CONCEPT_OF.get((language, stem), stem)
        self._terms[(latin, word)] = term
        return term


def _latin_language(words: list[str], text: str) -> str:
    """Polish or English for the Latin-script words of one lower-cased text (module docstring)."""
    if _POLISH_LETTERS.search(text):
        return "pl"
    polish = sum(word in STOP_WORDS["pl"] for word in words)
    english = sum(word in STOP_WORDS["en"] for word in words)
    return "pl" if polish > english else "en"
