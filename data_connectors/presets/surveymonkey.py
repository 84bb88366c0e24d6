"""SurveyMonkey: the "All responses data" CSV export (expanded or condensed).

Layout source
-------------
* Metadata columns, in order: "Respondent ID", "Collector ID", "Start Date", "End Date",
  "IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1", then one column per
  question (or per option / matrix row) — quoted verbatim from real exports in public code (a
  Power Platform connector that rebuilds the export, a parser that fixes the header of a real
  export, an election-questionnaire importer).
* Two header rows: question texts, then "Response" (one-column question), "Open-Ended Response"
  (free text) or the option / matrix-row label under each column of a multi-column question,
  whose first row is blank after its first column (a SurveyMonkey-reader test suite builds all
  these cases). :func:`~data_connectors.presets.transforms.surveymonkey_subheader` folds the
  second row in when the file was read with one header row.

Uncertain
---------
* Dates are written as "MM/DD/YYYY HH:MM:SS AM" in US accounts; other account locales are not
  known, so ``day_first`` is False only as the common case.
* customer_id is "Email Address", filled only for e-mail collectors; otherwise the user
  chooses a column (often "Custom Data 1") on the mapping page.
"""

from __future__ import annotations

from data_connectors.presets.model import Preset
from data_connectors.presets.questions import COMMENT_PATTERNS, QUESTIONS
from data_connectors.presets.transforms import answered_only, chain, surveymonkey_subheader

RESPONSES = Preset(
    key="surveymonkey",
    product="SurveyMonkey (all responses export)",
    table="surveys",
    source="SurveyMonkey CSV export header, quoted from real exports in public code",
    signature=("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address"),
    columns={
        "response_id": "Respondent ID",
        "customer_id": "Email Address",
        "email": "Email Address",
        "responded_at": "End Date",
    },
    questions=QUESTIONS,
    comment_patterns=COMMENT_PATTERNS,
    day_first=False,
    header_rows=2,
    transform=chain(surveymonkey_subheader, answered_only),
    notes=(
        "One mapping per NPS / CSAT / CES question found by its text. customer_id is the "
        "e-mail (e-mail collectors only). Respondents who skipped a question are dropped from "
        "that question's answers."
    ),
)
