"""Chatwoot: the CSAT report download, and the per-conversation report ("conversation details").

Layout source
-------------
* CSAT report (Reports > CSAT > Download): ``chatwoot/chatwoot``
  ``app/views/api/v1/accounts/csat_survey_responses/download.csv.erb`` writes, in the user's
  locale (``config/locales/<locale>.yml``, ``reports.csat.headers``): "Agent Name", "Rating",
  "Feedback Comment", "Contact Name", "Contact Email Address", "Contact Phone Number",
  "Link to the conversation", "Recorded date" (+ "Review Notes" on Enterprise); in Russian
  "Имя оператора", "Оценка", "Комментарий к отзыву", "Имя контакта", "Email контакта",
  "Номер телефона контакта", "Ссылка на диалог", "Дата записи". The rating is 1–5; the date
  is Ruby's ``Time#to_s`` ("2024-05-12 09:00:00 UTC"); the last line is a one-cell
  "Reporting period <since> to <until>" trailer.
* Conversations: released Chatwoot has no per-conversation export (feature requests
  chatwoot/chatwoot#13366, #15243). The layout here is the "conversation details" report of
  ``app/views/api/v2/accounts/reports/all_conversation_metrics.csv.erb`` (found under
  ``chatwoot/chatwoot`` in the public code index) with its header texts from
  ``rondelinga/chatwoot`` ``config/locales/en.yml`` (``reports.conversation_details_csv``):
  "conversation ID", "Start date" (``%Y-%m-%d %H:%M:%S``), "Inbox", "Team", "Contact email",
  "Operator name 1", "Agent chat duration 1", …, "Chat Resolution", "First Response Time",
  "AVG Response Time", "Agent chat duration", "Conv Score (CSAT)", "Feedback",
  "Category 1", …, "Contact name", all cells quoted.

Uncertain
---------
* The conversations layout comes from a fork / pull request for #13366, not from a release.
* The CSAT download has no answer id (a conversation can be rated more than once): ids must be
  synthesised. The conversation number is taken from the link.
"""

from __future__ import annotations

from functools import partial

from data_connectors.presets.model import Preset
from data_connectors.presets.transforms import (
    answered_only,
    chain,
    conversation_id_from_link,
)

CSAT_SOURCE = (
    "chatwoot/chatwoot app/views/api/v1/accounts/csat_survey_responses/download.csv.erb; "
    "config/locales/en.yml and ru.yml (reports.csat.headers)"
)

#: Column the CSAT transform adds: the conversation number from "Link to the conversation".
CONVERSATION = "Conversation ID (from link)"

CSAT_HEADERS = {
    "agent": ("Agent Name", "Имя оператора"),
    "rating": ("Rating", "Оценка"),
    "feedback": ("Feedback Comment", "Комментарий к отзыву"),
    "contact_name": ("Contact Name", "Имя контакта"),
    "contact_email": ("Contact Email Address", "Email контакта"),
    "contact_phone": ("Contact Phone Number", "Номер телефона контакта"),
    "link": ("Link to the conversation", "Ссылка на диалог"),
    "recorded": ("Recorded date", "Дата записи"),
}

CSAT = Preset(
    key="chatwoot_csat",
    product="Chatwoot (CSAT report download)",
    table="surveys",
    source=CSAT_SOURCE,
    signature=tuple(CSAT_HEADERS.values()),
    columns={
        "customer_id": CSAT_HEADERS["contact_email"] + CSAT_HEADERS["contact_name"],
        "email": CSAT_HEADERS["contact_email"],
        "responded_at": CSAT_HEADERS["recorded"],
        "score": CSAT_HEADERS["rating"],
        "comment": CSAT_HEADERS["feedback"],
    },
    constants={"survey_type": "csat"},
    date_format="%Y-%m-%d %H:%M:%S UTC",  # Ruby's Time#to_s, see the module docstring
    synthesize_ids=True,
    extras={"conversation_link": CSAT_HEADERS["link"]},
    derived={"ticket_id": CONVERSATION},
    transform=chain(answered_only, partial(conversation_id_from_link, target=CONVERSATION)),
    notes=(
        "customer_id is the contact's e-mail, else the contact's name. No answer id in the "
        "export: synthesise one per row. ticket_id is the conversation number from the link."
    ),
)

CONVERSATIONS = Preset(
    key="chatwoot_conversations",
    product="Chatwoot (conversation details report)",
    table="tickets",
    source=(
        "all_conversation_metrics.csv.erb (chatwoot/chatwoot index); header texts from "
        "rondelinga/chatwoot config/locales/en.yml; feature request chatwoot/chatwoot#13366"
    ),
    signature=(
        "conversation ID",
        "Start date",
        "Inbox",
        "Team",
        "Contact email",
        "Chat Resolution",
        "First Response Time",
        "AVG Response Time",
        "Conv Score (CSAT)",
        "Contact name",
    ),
    columns={
        "ticket_id": "conversation ID",
        "customer_id": ("Contact email", "Contact name"),
        "created_at": "Start date",
        "channel": "Inbox",
        "team": "Team",
        "agent": "Operator name 1",
        "category": "Category 1",
    },
    notes=(
        "Not in released Chatwoot (layout of the 'conversation details' report proposed for "
        "#13366). customer_id is the contact's e-mail, else name; the inbox is the channel; the "
        "first operator is the agent and the first label the category."
    ),
)
