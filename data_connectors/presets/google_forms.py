"""Google Forms: the responses sheet (Responses > Link to Sheets, or Download responses .csv).

Layout source
-------------
* First column "Timestamp" (Google Sheets in English) or "Отметка времени" (Russian), then
  "Email Address" / "Email address" when the form collects e-mails, then one column per
  question headed by its text — as read by many public scripts over form exports. Russian
  sheets write dates "DD.MM.YYYY HH:MM:SS" (a public script parses
  ``pd.to_datetime(df['Отметка времени'], format='%d.%m.%Y %H:%M:%S')``); English (US) sheets
  "M/D/YYYY H:MM:SS", other English locales day first — so the English preset leaves the date
  order to detection.

Uncertain
---------
* "Адрес электронной почты" as the Russian e-mail header is Google's usual wording but was not
  found in a stored file.
* There is no answer id: ``synthesize_ids`` is set; the integrator derives a stable id per row
  (e.g. a hash of the timestamp, the e-mail and the answers, plus the survey type). No
  customer id either unless e-mails are collected.
"""

from __future__ import annotations

from data_connectors.presets.model import Preset
from data_connectors.presets.questions import COMMENT_PATTERNS, QUESTIONS
from data_connectors.presets.transforms import answered_only


def _form(
    key: str, language: str, timestamp: str, day_first: bool | None, date_format: str | None
) -> Preset:
    """The Google Forms preset for sheets in one language (timestamp header, date convention)."""
    return Preset(
        key=key,
        product=f"Google Forms (responses sheet, {language})",
        table="surveys",
        source="Google Forms responses sheet header, as read by public scripts",
        signature=(timestamp,),
        columns={
            "customer_id": ("Email Address", "Email address", "Адрес электронной почты"),
            "email": ("Email Address", "Email address", "Адрес электронной почты"),
            "responded_at": timestamp,
        },
        questions=QUESTIONS,
        comment_patterns=COMMENT_PATTERNS,
        day_first=day_first,
        date_format=date_format,
        synthesize_ids=True,
        transform=answered_only,
        notes=(
            "One mapping per NPS / CSAT / CES question found by its text. No answer id: "
            "synthesise a stable id per row. customer_id is the collected e-mail, if any."
        ),
    )


ENGLISH = _form("google_forms", "English", "Timestamp", None, None)
RUSSIAN = _form("google_forms_ru", "Russian", "Отметка времени", True, "%d.%m.%Y %H:%M:%S")
