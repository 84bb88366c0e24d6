"""What a product preset declares, and how it is matched against the headers of one file.

A :class:`Preset` is data: the product, the canonical table it fills, the header wording(s) the
product uses for each canonical column, the headers that form its signature, constants, the
score scale, the date convention and, for exports that need reshaping, a transform.
:meth:`Preset.match` resolves it against a file's headers into a :class:`PresetMatch` holding
the :class:`~data_connectors.file_mapping.FileMapping` (with the file's own header names) and
the file columns the preset leaves unplaced.

Recognition score: the share of the preset's signature groups present in the file (a group is
one header in any of its wordings, e.g. English or Russian). A preset matches at
:data:`MIN_SCORE` or above, and only if the file also holds every required canonical column the
preset fills — except ``customer_id``, which anonymous surveys and contacts without an e-mail
lack (the mapping then lists it in ``unmapped_required`` for the user to settle) and
``response_id`` where the preset says ids must be synthesised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from data_connectors.file_mapping import FileMapping, ScoreScale
from data_connectors.presets.headers import header_key
from data_connectors.presets.questions import Question, matches_any
from data_connectors.presets.transforms import Transform
from data_connectors.schema import TABLES

#: Lowest recognition score (share of signature groups found) at which a preset is proposed.
MIN_SCORE = 0.75

#: Required canonical columns a file may lack and still match (see the module docstring).
MAY_BE_MISSING = ("customer_id",)

Wordings = tuple[str, ...]


def _wordings(value: str | Wordings) -> Wordings:
    return (value,) if isinstance(value, str) else tuple(value)


class _Headers:
    """A file's headers looked up by :func:`header_key` (the first of equal headers wins)."""

    def __init__(self, headers: Sequence[object]) -> None:
        self.names = [str(h) for h in headers]
        self._by_key: dict[str, str] = {}
        for name in self.names:
            self._by_key.setdefault(header_key(name), name)

    def find(self, wordings: Wordings) -> str | None:
        """The file's header for the first of ``wordings`` present, else None."""
        for wording in wordings:
            if (name := self._by_key.get(header_key(wording))) is not None:
                return name
        return None


@dataclass(frozen=True)
class Preset:
    """A product's export layout (see the module docstring). Wordings are tried in order.

    Attributes
    ----------
    key, product, table : str
        Stable identifier (stored in ``FileMapping.preset``), display name, canonical table.
    source : str
        Where the layout comes from (URL, repository path); details in the preset's module.
    signature : tuple
        Headers that identify the product; each item is one header or a tuple of its wordings.
    columns : dict
        Canonical column -> the product's header (or tuple of wordings, first found wins).
    constants : dict
        Fixed canonical values (``survey_type = "nps"``).
    score_scale : ScoreScale or None
        How the product's scores map onto the canonical scale (None: already canonical).
    questions : tuple of Question
        For form tools: answer columns recognised by question text; each one found gives one
        mapping, with ``survey_type`` and ``score_scale`` from the question.
    comment_patterns : tuple of str
        For form tools: free-text follow-up questions mapped as ``comment``.
    day_first, date_format : bool or None, str or None
        Date order and format as the product writes dates (None: ISO or not known).
    synthesize_ids : bool
        The export has no answer id: the integrator must give each row a stable id (e.g. a hash
        of the row's cells and the survey type); the preset does not invent one.
    missing_markers : tuple of str
        Cell values that mean "missing" in this export (read as NA before the transform).
    header_rows : int
        Header rows the product writes (SurveyMonkey: 2; the transform folds the second in).
    extras : dict
        Non-canonical headers the transform reads, by field name.
    derived : dict
        Canonical column -> name of the column the transform adds; mapped when every extra is
        found in the file.
    transform : callable or None
        Reshaping before the mapping applies (:mod:`~data_connectors.presets.transforms`).
    notes : str
        What the user should know: id choices, uncertain parts of the layout.
    """

    key: str
    product: str
    table: str
    source: str
    signature: tuple[str | Wordings, ...]
    columns: Mapping[str, str | Wordings]
    constants: Mapping[str, str] = field(default_factory=dict)
    score_scale: ScoreScale | None = None
    questions: tuple[Question, ...] = ()
    comment_patterns: tuple[str, ...] = ()
    day_first: bool | None = None
    date_format: str | None = None
    synthesize_ids: bool = False
    missing_markers: tuple[str, ...] = ()
    header_rows: int = 1
    extras: Mapping[str, str | Wordings] = field(default_factory=dict)
    derived: Mapping[str, str] = field(default_factory=dict)
    transform: Transform | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        if self.table not in TABLES:
            raise ValueError(f"preset {self.key}: unknown canonical table {self.table!r}")
        known = set(TABLES[self.table].column_names)
        unknown = sorted((set(self.columns) | set(self.constants) | set(self.derived)) - known)
        if unknown:
            raise ValueError(f"preset {self.key}: {self.table} has no column(s) {unknown}")
        if not self.signature:
            raise ValueError(f"preset {self.key}: the signature is empty")
        if self.questions and self.table != "surveys":
            raise ValueError(f"preset {self.key}: questions only apply to surveys")
        object.__setattr__(self, "signature", tuple(_wordings(s) for s in self.signature))
        object.__setattr__(self, "columns", {c: _wordings(w) for c, w in self.columns.items()})
        object.__setattr__(self, "extras", {n: _wordings(w) for n, w in self.extras.items()})

    def match(self, headers: Sequence[object]) -> PresetMatch | None:
        """This preset resolved against a file's ``headers``; None if the file is not its layout."""
        found = _Headers(headers)
        matched = sum(found.find(group) is not None for group in self.signature)
        score = matched / len(self.signature)
        if score < MIN_SCORE:
            return None
        columns = {c: h for c, w in self.columns.items() if (h := found.find(w)) is not None}
        extras = {n: h for n, w in self.extras.items() if (h := found.find(w)) is not None}
        if len(extras) == len(self.extras):
            columns.update(self.derived)
        answers = self._answers(found, set(columns.values()))
        mappings = tuple(
            FileMapping(
                table=self.table,
                columns={**columns, **answer_columns},
                constants={**self.constants, **answer_constants},
                day_first=self.day_first,
                date_format=self.date_format,
                score_scale=scale,
                preset=self.key,
            )
            for answer_columns, answer_constants, scale in answers
        )
        if not mappings or self._unmet(mappings[0]):
            return None
        used = {h for m in mappings for h in m.columns.values()} | set(extras.values())
        return PresetMatch(
            preset=self,
            score=score,
            matched=matched,
            mappings=mappings,
            extras=extras,
            unplaced=tuple(h for h in found.names if h not in used),
        )

    def _answers(
        self, found: _Headers, taken: set[str]
    ) -> list[tuple[dict[str, str], dict[str, str], ScoreScale | None]]:
        """Per mapping: extra columns, extra constants and scale — one per question column found."""
        if not self.questions:
            return [({}, {}, self.score_scale)]
        free = [h for h in found.names if h not in taken]
        answers: list[tuple[str, Question]] = []
        for header in free:
            question = next((q for q in self.questions if q.asked_by(header)), None)
            if question is not None:
                answers.append((header, question))
        asked = {header for header, _ in answers}
        comments = (h for h in free if h not in asked and matches_any(h, self.comment_patterns))
        comment = next(comments, None)
        shared = {"comment": comment} if comment is not None else {}
        return [
            ({**shared, "score": header}, {"survey_type": q.survey_type}, q.scale)
            for header, q in answers
        ]

    def _unmet(self, mapping: FileMapping) -> list[str]:
        """Required canonical columns the file cannot fill (see the module docstring)."""
        excused = set(MAY_BE_MISSING) | ({"response_id"} if self.synthesize_ids else set())
        return [c for c in mapping.unmapped_required if c not in excused]


@dataclass(frozen=True)
class PresetMatch:
    """A preset resolved against one file.

    Attributes
    ----------
    preset : Preset
    score : float
        Share of the preset's signature groups found (:data:`MIN_SCORE` to 1).
    matched : int
        Number of signature groups found (ranks presets of equal score: more specific first).
    mappings : tuple of FileMapping
        One mapping per survey question recognised (form tools), else one. When a file yields
        several, their answer ids repeat: make them unique per mapping (e.g. append the survey
        type) before storing.
    extras : dict
        The preset's extra fields found, by name -> file header.
    unplaced : tuple of str
        File columns neither mapped nor read by the transform, in file order.
    """

    preset: Preset
    score: float
    matched: int
    mappings: tuple[FileMapping, ...]
    extras: Mapping[str, str]
    unplaced: tuple[str, ...]

    @property
    def mapping(self) -> FileMapping:
        """The first (usually only) mapping."""
        return self.mappings[0]

    def prepare(self, frame: pd.DataFrame, mapping: FileMapping | None = None) -> pd.DataFrame:
        """The file ready for ``mapping`` (default :attr:`mapping`): markers as NA, then transform.

        Apply before the mapping: derived columns exist only in the prepared frame.
        """
        mapping = mapping or self.mapping
        if self.preset.missing_markers:
            frame = frame.mask(frame.isin(self.preset.missing_markers))
        if self.preset.transform is None:
            return frame
        derived = set(self.preset.derived.values())
        fields = {c: h for c, h in mapping.columns.items() if h not in derived}
        return self.preset.transform(frame, {**fields, **self.extras})
