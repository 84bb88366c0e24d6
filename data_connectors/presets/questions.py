"""Survey questions recognised by their wording, shared by the form-tool presets.

Form tools (SurveyMonkey, Typeform, Google Forms) head each answer column with the question text.
A column is an NPS, CSAT or CES answer when its normalised text
(:func:`~data_connectors.presets.headers.normalise_text`: lower case, "ё" as "е", punctuation as
spaces) matches one of the patterns below; a free-text follow-up ("What is the main reason for
your score?") becomes the comment of every recognised question.

CES is recognised only by effort wording ("How much effort…", 1 = little effort, as the canonical
CES). "How easy was it…" questions run the other way (7 = easiest) and are left for the user to
map with a reversed scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from data_connectors.file_mapping import ScoreScale
from data_connectors.presets.headers import normalise_text
from data_connectors.schema import SCORE_RANGES
from data_connectors.values import CSAT_LABELS_EN, CSAT_LABELS_RU


@dataclass(frozen=True)
class Question:
    """Answers of survey type ``survey_type``, in columns whose text matches one of ``patterns``.

    ``scale`` recodes the answers (text labels, "don't know"); None: plain numbers already on the
    canonical scale.
    """

    survey_type: str
    patterns: tuple[str, ...]
    scale: ScoreScale | None = None

    def __post_init__(self) -> None:
        if self.survey_type not in SCORE_RANGES:
            raise ValueError(f"survey_type must be one of {', '.join(SCORE_RANGES)}")

    def asked_by(self, header: str) -> bool:
        """Whether ``header`` is this question's text."""
        return matches_any(header, self.patterns)


def matches_any(header: str, patterns: tuple[str, ...]) -> bool:
    """Whether one of the regular expressions ``patterns`` occurs in the normalised header."""
    text = normalise_text(header)
    return any(re.search(pattern, text) for pattern in patterns)


#: Text answers of a satisfaction question: the project's English and Russian CSAT labels
#: (:mod:`data_connectors.values`); "don't know" words are recognised by the recoder itself.
CSAT_SCALE = ScoreScale(low=1, high=5, labels=CSAT_LABELS_EN | CSAT_LABELS_RU)

NPS = Question(
    "nps",
    (
        r"how likely .*recommend",
        r"would you recommend",
        r"насколько вероятно .*рекоменд",
        r"порекомендуете ли",
        r"готовы ли вы (по)?рекомендовать",
    ),
)
CSAT = Question(
    "csat",
    (
        r"how satisfied",
        r"overall satisfaction",
        r"насколько вы (были )?довольны",
        r"насколько вы (были )?удовлетворены",
    ),
    CSAT_SCALE,
)
CES = Question("ces", (r"how much effort", r"сколько усилий"))

#: The questions every form-tool preset looks for, in this order of precedence.
QUESTIONS: tuple[Question, ...] = (NPS, CSAT, CES)

#: Free-text follow-ups that explain a score: mapped as the comment.
COMMENT_PATTERNS: tuple[str, ...] = (
    r"reason for your (score|rating)",
    r"why did you (give|rate|choose)",
    r"what could we (do|improve)",
    r"почему вы (поставили|выбрали|дали)",
    r"причин\w* (вашей |этой |такой )?оценк",
    r"что (нам )?(стоит|нужно|можно|следует) улучшить",
)
