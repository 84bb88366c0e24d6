"""Typeform: the responses CSV download (Results > Responses > Download all responses).

Layout source
-------------
* Public code reading real Typeform downloads: first column "#" (the response token), one
  column per question (headed by its text), hidden fields by their name, then
  "Start Date (UTC)", "Submit Date (UTC)", "Network ID" (older downloads); newer downloads add
  "Response Type", "Stage Date (UTC)" and "Tags". Dates "YYYY-MM-DD HH:MM:SS" in UTC.
* "Submitted At" and "Token" (the wording of Typeform's Google Sheets integration) are
  accepted as the same columns; a file must still carry three of the four signature headers.

Uncertain
---------
* No customer id unless the form passes one as a hidden field: hidden fields named
  "customer_id" or "email" are used, else the user picks one.
"""

from __future__ import annotations

from data_connectors.presets.model import Preset
from data_connectors.presets.questions import COMMENT_PATTERNS, QUESTIONS
from data_connectors.presets.transforms import answered_only

RESPONSES = Preset(
    key="typeform",
    product="Typeform (responses download)",
    table="surveys",
    source="Typeform responses CSV header, as read by public code",
    signature=(
        ("#", "Token"),
        ("Start Date (UTC)", "Start Date"),
        ("Submit Date (UTC)", "Submitted At"),
        "Network ID",
    ),
    columns={
        "response_id": ("#", "Token"),
        "customer_id": ("customer_id", "email"),
        "responded_at": ("Submit Date (UTC)", "Submitted At"),
    },
    questions=QUESTIONS,
    comment_patterns=COMMENT_PATTERNS,
    date_format="%Y-%m-%d %H:%M:%S",
    transform=answered_only,
    notes=(
        "One mapping per NPS / CSAT / CES question found by its text; the response token is "
        "the answer id. customer_id comes from a hidden field 'customer_id' or 'email' if the "
        "form has one."
    ),
)
