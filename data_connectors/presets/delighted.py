"""Delighted: the NPS responses CSV download.

Layout source
-------------
* Delighted API, "Listing survey responses"
  (https://app.delighted.com/docs/api/listing-survey-responses):
  each response has ``id``, ``person``, ``survey_type``, ``score`` (0–10 for NPS), ``comment``,
  ``permalink``, ``created_at``, ``person_properties``, ``notes``, ``tags``.
* The CSV headers assumed here — "Response ID", "Person ID", "Email", "Name", "Score",
  "Comment", "Response timestamp" — are the labels of those fields in the download.

Uncertain
---------
* No copy of a real Delighted CSV download, nor a help article listing its columns, could be
  found: the header wordings and the date format are unverified. The signature is kept to
  four headers, three of which must be present.
* NPS only: a Delighted CSAT or CES project's download needs ``survey_type`` changed on the
  mapping page.
"""

from __future__ import annotations

from data_connectors.presets.model import Preset

NPS = Preset(
    key="delighted",
    product="Delighted (NPS responses download)",
    table="surveys",
    source=(
        "https://app.delighted.com/docs/api/listing-survey-responses "
        "(fields; CSV labels unverified)"
    ),
    signature=("Response ID", "Score", "Comment", "Response timestamp"),
    columns={
        "response_id": "Response ID",
        "customer_id": ("Person ID", "Email", "Name"),
        "email": "Email",
        "responded_at": "Response timestamp",
        "score": "Score",
        "comment": "Comment",
    },
    constants={"survey_type": "nps"},
    notes=(
        "customer_id is Delighted's person id, else the e-mail, else the name. Column names "
        "and date format are unverified; NPS assumed."
    ),
)
