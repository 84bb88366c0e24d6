"""Zendesk Support: the ticket CSV export, and the satisfaction ratings it carries.

Layout source
-------------
* How the export is made (Admin Center > Account > Tools > Reports > Export > CSV): Zendesk help
  centre, "Exporting data to a JSON, CSV, or XML file",
  https://support.zendesk.com/hc/en-us/articles/4408886165402 (the article does not list columns).
* Column names and order: the same list in three independent public programs that rebuild or
  generate this export — a Ruby script that recreates it through the API (``first_row``), a PHP
  generator of "fake Zendesk exports" for an import test, and a Java exporter
  (``exportTicketsToCSV``): "Summation column", "Id", "Requester", "Requester id",
  "Requester external id", "Requester email", "Requester domain", "Submitter", "Assignee",
  "Group", "Subject", "Tags", "Status", "Priority", "Via", "Ticket type", "Created at",
  "Updated at", "Assigned at", "Organization", "Due date", "Initially assigned at", "Solved at",
  "Resolution time", "Satisfaction Score", "Group stations", "Assignee stations", "Reopens",
  "Replies", "First reply time in minutes", … "On hold time in minutes within business hours",
  then custom fields as "<Field> [list]". A TypeScript reader of real exports parses
  "Satisfaction Score" as "Good" / "Bad" / "Offered" / "Not Offered" (also
  "Good, I'm satisfied" / "Bad, I'm not satisfied").

Uncertain
---------
* Date format: not documented; the programs above disagree (ISO 8601 from the API vs
  "m/d/y H:i"), so ``day_first`` is left to detection.
* Russian: Zendesk writes the export in the account's language, but no Russian header list of it
  could be found, so these presets are English only; the generic Russian words are in
  ``HEADER_SYNONYMS`` for the mapping page.
* The export has no rating time: the satisfaction preset dates an answer by "Solved at" (a
  rating can only be given after the ticket is solved).
"""

from __future__ import annotations

from functools import partial

from data_connectors.file_mapping import ScoreScale
from data_connectors.presets.model import Preset
from data_connectors.presets.transforms import answered_only, stations_to_transfers

SOURCE = "https://support.zendesk.com/hc/en-us/articles/4408886165402 (CSV export)"

SIGNATURE = (
    "Summation column",
    "Requester",
    "Requester id",
    "Requester email",
    "Submitter",
    "Via",
    "Ticket type",
    "Created at",
    "Initially assigned at",
    "Solved at",
    "Group stations",
    "Assignee stations",
    "Reopens",
    "Replies",
)

#: Column the transform adds: "Assignee stations" (assignees the ticket had) minus one.
TRANSFERS = "Transfers (assignee stations - 1)"

#: "Satisfaction Score" values that are no answer (the survey was not sent, or not answered).
NOT_RATED = ("Offered", "Not Offered", "Unoffered")

REQUESTER = ("Requester id", "Requester email", "Requester")

TICKETS = Preset(
    key="zendesk",
    product="Zendesk Support (ticket export)",
    table="tickets",
    source=SOURCE,
    signature=SIGNATURE,
    columns={
        "ticket_id": "Id",
        "customer_id": REQUESTER,
        "created_at": "Created at",
        "channel": "Via",
        "category": "Ticket type",
        "subject": "Subject",
        "agent": "Assignee",
        "team": "Group",
        "priority": "Priority",
        "status": "Status",
        "resolved_at": "Solved at",
        "reopens": "Reopens",
    },
    extras={"assignee_stations": "Assignee stations"},
    derived={"transfers": TRANSFERS},
    transform=partial(stations_to_transfers, target=TRANSFERS),
    notes=(
        "customer_id is Zendesk's requester id. Transfers = assignee stations - 1. The export "
        "has no first-response time (only 'First reply time in minutes'). Date format unverified."
    ),
)

SATISFACTION = Preset(
    key="zendesk_satisfaction",
    product="Zendesk Support (satisfaction ratings in the ticket export)",
    table="surveys",
    source=SOURCE,
    signature=SIGNATURE,
    columns={
        "response_id": "Id",
        "ticket_id": "Id",
        "customer_id": REQUESTER,
        "responded_at": "Solved at",
        "score": "Satisfaction Score",
    },
    constants={"survey_type": "csat"},
    score_scale=ScoreScale(
        low=1,
        high=5,
        labels={"good": 5, "bad": 1, "good, i'm satisfied": 5, "bad, i'm not satisfied": 1},
    ),
    transform=partial(answered_only, no_answer=NOT_RATED),
    notes=(
        "Zendesk's good/bad rating as CSAT: good = 5, bad = 1. One answer per ticket, id = "
        "ticket id, dated by 'Solved at' (the export has no rating time). Unrated tickets "
        "(Offered, Not Offered) are dropped."
    ),
)
