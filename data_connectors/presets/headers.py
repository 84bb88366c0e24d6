"""Header text: normalisation, en/ru synonyms of every canonical column, fuzzy column suggestions.

Headers are compared by :func:`header_key` — Unicode NFKC, case-folded, "ё" read as "е", every
run of punctuation, spaces and underscores dropped — so "Created at", "created_at", "CREATED-AT"
and "Created at " are the same header, and so are "E-mail" and "Email".

:data:`HEADER_SYNONYMS` lists, for each canonical column, header wordings met in English and
Russian exports. :func:`suggest_columns` uses them (with :mod:`difflib`, stdlib) to propose a
file column for each canonical column of a table on the mapping page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher

from data_connectors.schema import TABLES

#: Canonical column -> header variants in English and Russian (the canonical name itself is
#: always a candidate too and is not repeated here).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    # customers
    "customer_id": (
        "Customer ID",
        "Client ID",
        "Customer",
        "Client",
        "Contact ID",
        "Requester ID",
        "Account ID",
        "User ID",
        "ID клиента",
        "Код клиента",
        "Клиент",
        "Покупатель",
        "Абонент",
        "Контрагент",
    ),
    "signup_date": (
        "Sign-up date",
        "Signup date",
        "Registration date",
        "Customer since",
        "Joined",
        "Дата регистрации",
        "Дата подключения",
        "Клиент с",
    ),
    "churn_date": (
        "Churn date",
        "Cancellation date",
        "Cancelled at",
        "Дата ухода",
        "Дата отключения",
        "Дата расторжения",
    ),
    "segment": ("Segment", "Tier", "Plan", "Сегмент", "Тариф"),
    "region": ("Region", "Country", "City", "Регион", "Страна", "Город"),
    "acquisition_channel": (
        "Acquisition channel",
        "Lead source",
        "Канал привлечения",
        "Источник привлечения",
    ),
    "referred_by": ("Referred by", "Referrer", "Реферер", "Кто порекомендовал", "Приглашён"),
    "revenue": ("Revenue", "Total revenue", "MRR", "ARPU", "Выручка", "Доход"),
    "email": (
        "Email",
        "E-mail",
        "Email address",
        "Customer e-mail",
        "Contact email",
        "Эл. почта",
        "Электронная почта",
        "Адрес электронной почты",
        "Почта",
        "Email клиента",
    ),
    # tickets
    "ticket_id": (
        "Ticket ID",
        "Ticket",
        "Number",
        "Case ID",
        "Request ID",
        "Issue key",
        "Conversation ID",
        "Complaint ID",
        "Номер обращения",
        "Номер заявки",
        "ID обращения",
        "Обращение",
        "Номер",
        "Заявка",
    ),
    "created_at": (
        "Created at",
        "Created",
        "Created time",
        "Created date",
        "Creation date",
        "Opened at",
        "Date opened",
        "Дата создания",
        "Создан",
        "Создано",
        "Дата обращения",
        "Дата открытия",
        "Открыт",
    ),
    "channel": (
        "Channel",
        "Source",
        "Via",
        "Contact type",
        "Канал",
        "Источник",
        "Канал обращения",
        "Тип контакта",
    ),
    "department": ("Department", "Division", "Отдел", "Подразделение", "Департамент"),
    "category": (
        "Category",
        "Topic",
        "Type",
        "Issue",
        "Reason for contact",
        "Категория",
        "Тематика",
        "Тип обращения",
        "Тема обращения",
    ),
    "subject": ("Subject", "Title", "Summary", "Short description", "Тема", "Заголовок"),
    "text": (
        "Description",
        "Text",
        "Message",
        "Body",
        "Описание",
        "Текст",
        "Сообщение",
        "Текст обращения",
    ),
    "is_complaint": ("Complaint", "Is complaint", "Жалоба", "Претензия"),
    "agent": (
        "Agent",
        "Assignee",
        "Assigned to",
        "Operator",
        "Owner",
        "Агент",
        "Оператор",
        "Исполнитель",
        "Ответственный",
        "Сотрудник",
    ),
    "team": ("Team", "Group", "Assignment group", "Queue", "Команда", "Группа", "Очередь"),
    "priority": ("Priority", "Приоритет", "Срочность"),
    "first_response_at": (
        "First response at",
        "First reply at",
        "Initial response time",
        "Первый ответ",
        "Время первого ответа",
        "Дата первого ответа",
    ),
    "resolved_at": (
        "Resolved at",
        "Resolved",
        "Solved at",
        "Resolution date",
        "Closed at",
        "Дата решения",
        "Решено",
        "Решён",
        "Дата закрытия",
        "Закрыт",
    ),
    "status": ("Status", "State", "Статус", "Состояние"),
    "wait_seconds": ("Wait time", "Queue time", "Hold time", "Время ожидания", "Ожидание"),
    "handle_seconds": ("Handle time", "Handling time", "AHT", "Время обработки", "Длительность"),
    "abandoned": ("Abandoned", "Missed", "Пропущен", "Пропущенный", "Брошенный"),
    "transfers": (
        "Transfers",
        "Reassignments",
        "Reassignment count",
        "Переводы",
        "Количество переводов",
        "Переназначения",
    ),
    "reopens": ("Reopens", "Reopen count", "Reopened", "Переоткрытия", "Повторные открытия"),
    "first_contact_resolved": (
        "FCR",
        "First contact resolution",
        "Resolved on first contact",
        "Решено с первого обращения",
        "Решено при первом обращении",
    ),
    # surveys
    "response_id": (
        "Response ID",
        "Respondent ID",
        "Answer ID",
        "Survey response ID",
        "ID ответа",
        "ID анкеты",
        "Номер анкеты",
    ),
    "responded_at": (
        "Responded at",
        "Response date",
        "Submitted at",
        "Timestamp",
        "Date",
        "Дата ответа",
        "Отметка времени",
        "Дата заполнения",
        "Дата",
    ),
    "survey_type": ("Survey type", "Survey", "Metric", "Тип опроса", "Опрос", "Метрика"),
    "score": ("Score", "Rating", "Grade", "Mark", "Оценка", "Балл", "Рейтинг"),
    "comment": (
        "Comment",
        "Feedback",
        "Review",
        "Review text",
        "Verbatim",
        "Комментарий",
        "Отзыв",
        "Пожелания",
    ),
    "reason": ("Reason", "Reason for score", "Причина", "Причина оценки"),
    "callback_requested": (
        "Callback requested",
        "Call back",
        "Please call me",
        "Перезвонить",
        "Обратный звонок",
        "Нужен звонок",
    ),
    # qa_reviews
    "criterion": ("Criterion", "QA criterion", "Критерий", "Показатель"),
}

#: Lowest similarity (0–1) at which :func:`suggest_columns` proposes a column.
SUGGEST_MIN_SCORE = 0.75

#: Similarity from which two wordings count as one spelled differently ("Adress"/"Address")
#: even without a word in common; below it they must share a word of 3+ letters, so that
#: "Count" is not taken for "Country" nor "Contract" for "Contact".
SPELLING_VARIANT = 0.9

#: Words too common in headers to make two of them alike ("Creation date" is no "Resolution
#: date"); they are ignored when wordings are compared word by word.
GENERIC_WORDS = frozenset({"date", "time", "name", "number", "дата", "время", "имя", "номер"})

#: An e-mail header stands in for customer_id in tables without an email column (tickets,
#: surveys), at this fraction of its similarity, so a real customer id header wins over it.
EMAIL_FOR_CUSTOMER_ID = 0.95

#: Two words are one when equal, or when one starts with the other and the shorter has at
#: least this many letters ("comment"/"comments", "оператор"/"оператора"; "count" is no
#: "country").
STEM_LENGTH = 6

_PUNCTUATION = re.compile(r"[\W_]+")


def normalise_text(text: object) -> str:
    """Header text compared loosely: NFKC, case-folded, "ё" as "е", punctuation as one space."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold().replace("ё", "е")
    return _PUNCTUATION.sub(" ", folded).strip()


def header_key(text: object) -> str:
    """The key two headers must share to be the same header (:func:`normalise_text`, no spaces).

    A header made only of punctuation (Typeform's ``#``) keys to its trimmed, case-folded text.
    """
    return normalise_text(text).replace(" ", "") or str(text).strip().casefold()


def _same_word(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return short == long_ or (len(short) >= STEM_LENGTH and long_.startswith(short))


def _covered(words: set[str], by: set[str]) -> bool:
    """Every word of ``words`` is one of ``by`` (:data:`STEM_LENGTH`)."""
    return all(any(_same_word(w, v) for v in by) for w in words)


class _Wording:
    """A header or synonym as compared by :func:`suggest_columns`: its key and its words."""

    def __init__(self, text: object) -> None:
        self.key = header_key(text)
        words = normalise_text(text).split()
        self.words = {w for w in words if len(w) >= 3 and w not in GENERIC_WORDS}

    def similarity(self, other: _Wording) -> float:
        """How alike two wordings are, 0–1.

        1 for the same key; at least :data:`SPELLING_VARIANT` when the meaningful words are the
        same ("Agent name" / "Agent", "Имя оператора" / "Оператор"); else the
        :class:`difflib.SequenceMatcher` ratio of the keys when they share a meaningful word or
        the ratio reaches :data:`SPELLING_VARIANT`; else 0.
        """
        if self.key == other.key:
            return 1.0
        ratio = SequenceMatcher(None, self.key, other.key).ratio()
        mine, theirs = self.words, other.words
        if mine and theirs and _covered(mine, theirs) and _covered(theirs, mine):
            return max(ratio, SPELLING_VARIANT)
        shared = any(_same_word(w, v) for w in mine for v in theirs)
        return ratio if ratio >= SPELLING_VARIANT or shared else 0.0


def _synonyms(table: str) -> dict[str, list[tuple[list[_Wording], float]]]:
    """For each canonical column of ``table``: groups of wordings with their weight."""
    columns = TABLES[table].column_names
    groups: dict[str, list[tuple[list[_Wording], float]]] = {}
    for column in columns:
        own = [_Wording(v) for v in (column, *HEADER_SYNONYMS.get(column, ()))]
        groups[column] = [(own, 1.0)]
    if "customer_id" in groups and "email" not in columns:
        emails = [_Wording(v) for v in ("email", *HEADER_SYNONYMS["email"])]
        groups["customer_id"].append((emails, EMAIL_FOR_CUSTOMER_ID))
    return groups


def suggest_columns(headers: Sequence[str], table: str) -> dict[str, tuple[str, float]]:
    """Propose a file column per canonical column of ``table``: ``{canonical: (header, score)}``.

    The score is the best similarity (0–1, rounded to 3 places) between the header and the
    canonical name or one of its :data:`HEADER_SYNONYMS` (``_Wording.similarity``): 1.0 for
    the same wording after :func:`header_key`, else a :mod:`difflib` ratio counted only when
    the two share a meaningful word or differ by spelling alone. Pairs are taken best first,
    each header and each canonical column at most once; pairs under
    :data:`SUGGEST_MIN_SCORE` are not proposed. An e-mail header is proposed
    for customer_id in tables that have no email column (weighted by
    :data:`EMAIL_FOR_CUSTOMER_ID`). Raises ValueError for an unknown table.
    """
    if table not in TABLES:
        raise ValueError(f"unknown canonical table {table!r}")
    groups = _synonyms(table)
    wordings = [_Wording(h) for h in headers]
    pairs: list[tuple[float, int, int, str]] = []
    for rank, (column, weighted) in enumerate(groups.items()):
        for position, header in enumerate(wordings):
            score = max(
                weight * max(header.similarity(s) for s in synonyms)
                for synonyms, weight in weighted
            )
            if score >= SUGGEST_MIN_SCORE:
                pairs.append((score, rank, position, column))
    suggestions: dict[str, tuple[str, float]] = {}
    used: set[int] = set()
    for score, _rank, position, column in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if column not in suggestions and position not in used:
            suggestions[column] = (str(headers[position]), round(score, 3))
            used.add(position)
    return suggestions
