"""How one uploaded file becomes rows of one canonical table: columns, constants and value rules.

A :class:`FileMapping` is what the user confirms on the upload page, what a product preset
resolves to for a given file, and what is saved under a name for reuse (as JSON). It names, for
each canonical column, the file's column that holds it, plus the few value rules that real exports
need: the date order when dates are ambiguous, how scores are recoded, and fixed values for
columns the file does not have (e.g. ``survey_type = "nps"`` for an NPS tool's export).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from data_connectors.schema import SCORE_RANGES, TABLES


@dataclass(frozen=True)
class ScoreScale:
    """How the file's scores map onto the canonical scale of the survey type.

    Attributes
    ----------
    low, high : float
        The file's scale (e.g. 1–10, or 1–5 where 1 is best).
    reversed : bool
        True when ``low`` is the *best* answer (1 = very good … 5 = very poor): numeric answers
        are flipped, labels are not.
    labels : dict
        Text answers and their score on the file's scale in the canonical direction
        ("Very satisfied" → 5, "😀" → 5), never flipped by ``reversed``. Matched
        case-insensitively after trimming; the built-in label sets apply after these.
    dont_know : tuple of str
        Answers that mean "don't know" / "not applicable": excluded and counted, never scored.
    """

    low: float
    high: float
    reversed: bool = False
    labels: dict[str, float] = field(default_factory=dict)
    dont_know: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"score scale needs low < high, got {self.low}–{self.high}")


@dataclass(frozen=True)
class FileMapping:
    """Canonical table ``table`` read from a file: ``columns`` maps canonical → file column."""

    table: str
    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    day_first: bool | None = None  # None: unambiguous or not yet decided
    #: strftime layout of the file's dates when the product's is known ("%d/%b/%y %I:%M %p");
    #: None: detected from the values.
    date_format: str | None = None
    score_scale: ScoreScale | None = None
    preset: str | None = None  # key of the product preset it came from, if any

    def __post_init__(self) -> None:
        if self.table not in TABLES:
            raise ValueError(f"unknown canonical table {self.table!r}")
        known = set(TABLES[self.table].column_names)
        unknown = sorted((set(self.columns) | set(self.constants)) - known)
        if unknown:
            raise ValueError(f"{self.table} has no canonical column(s): {', '.join(unknown)}")
        survey_type = self.constants.get("survey_type")
        if survey_type is not None and survey_type not in SCORE_RANGES:
            raise ValueError(f"survey_type must be one of {', '.join(SCORE_RANGES)}")

    @property
    def unmapped_required(self) -> list[str]:
        """Required canonical columns neither mapped to a file column nor given a constant."""
        placed = set(self.columns) | set(self.constants)
        return [c for c in TABLES[self.table].required_columns if c not in placed]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FileMapping:
        data = json.loads(text)
        scale = data.pop("score_scale", None)
        if scale is not None:
            scale["dont_know"] = tuple(scale.get("dont_know", ()))
            data["score_scale"] = ScoreScale(**scale)
        return cls(**data)
