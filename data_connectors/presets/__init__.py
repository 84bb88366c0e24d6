"""Product presets: recognise real helpdesk and survey exports by their headers.

One module per product family declares its presets as data (:class:`Preset`), with the source
of the layout and what is uncertain in its docstring. :func:`recognise` picks the preset whose
signature the file's headers carry best and resolves it to a
:class:`~data_connectors.file_mapping.FileMapping` over the file's own header names::

    match = recognise(frame.columns)
    if match is not None:
        rows = match.prepare(frame)          # missing markers, then the preset's transform
        mapping = match.mapping              # canonical column -> file column, constants, scale

For anything else, :func:`suggest_columns` proposes a file column per canonical column from
:data:`HEADER_SYNONYMS` (English and Russian wordings).
"""

from __future__ import annotations

from collections.abc import Sequence

from data_connectors.presets import (
    chatwoot,
    delighted,
    freshdesk,
    google_forms,
    jira,
    servicenow,
    surveymonkey,
    typeform,
    zendesk,
)
from data_connectors.presets.headers import (
    HEADER_SYNONYMS,
    SUGGEST_MIN_SCORE,
    header_key,
    normalise_text,
    suggest_columns,
)
from data_connectors.presets.model import MIN_SCORE, Preset, PresetMatch
from data_connectors.presets.questions import Question
from data_connectors.schema import TABLES

#: Every preset, for the page's list. On equal score and equal signature count the one listed
#: first wins: ticket presets come before the survey presets read from the same export.
PRESETS: tuple[Preset, ...] = (
    zendesk.TICKETS,
    freshdesk.TICKETS,
    servicenow.INCIDENTS,
    servicenow.EVENT_LOG,
    jira.TICKETS,
    chatwoot.CONVERSATIONS,
    zendesk.SATISFACTION,
    jira.SATISFACTION,
    chatwoot.CSAT,
    delighted.NPS,
    surveymonkey.RESPONSES,
    typeform.RESPONSES,
    google_forms.ENGLISH,
    google_forms.RUSSIAN,
)


def recognise_all(headers: Sequence[object], table: str | None = None) -> list[PresetMatch]:
    """Every preset (of ``table``, if given) matching ``headers``, best first.

    Best = highest score, then most signature headers found, then order in :data:`PRESETS`.
    One export can feed several tables (a Zendesk ticket export: tickets and satisfaction).
    Raises ValueError for an unknown table.
    """
    if table is not None and table not in TABLES:
        raise ValueError(f"unknown canonical table {table!r}")
    matches = [
        (rank, match)
        for rank, preset in enumerate(PRESETS)
        if table is None or preset.table == table
        if (match := preset.match(headers)) is not None
    ]
    matches.sort(key=lambda item: (-item[1].score, -item[1].matched, item[0]))
    return [match for _, match in matches]


def recognise(headers: Sequence[object], table: str | None = None) -> PresetMatch | None:
    """The best preset for a file with these ``headers``, or None below :data:`MIN_SCORE`."""
    matches = recognise_all(headers, table)
    return matches[0] if matches else None


__all__ = [
    "HEADER_SYNONYMS",
    "MIN_SCORE",
    "PRESETS",
    "SUGGEST_MIN_SCORE",
    "Preset",
    "PresetMatch",
    "Question",
    "header_key",
    "normalise_text",
    "recognise",
    "recognise_all",
    "suggest_columns",
]
