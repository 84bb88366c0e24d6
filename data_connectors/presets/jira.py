"""Jira Service Management: the issue CSV export, and its customer satisfaction ratings.

Layout source
-------------
* Jira's "Export > CSV (all fields)" writes system fields by name and custom fields as
  "Custom field (<name>)", repeating a column for multi-valued fields (Labels, Comment). A Go
  importer test quotes a header "verbatim from" a corpus of real exports: "Summary",
  "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name",
  "Project type", "Project lead", "Project description", "Project url", "Priority",
  "Resolution", "Assignee", "Reporter", "Creator", "Created", "Updated", "Last Viewed",
  "Resolved", "Component/s", "Due Date", "Votes", "Labels", "Description", … with dates as
  "11/May/24 03:26 PM" (Jira's default "dd/MMM/yy h:mm a").
* Jira Service Management columns, from public scripts that read JSM exports:
  "Satisfaction rating" (older exports "Custom field (Satisfaction)"),
  "Custom field (Satisfaction date)", "Custom field (Request Type)",
  "Custom field ([CHART] Date of First Response)".

Uncertain
---------
* Date format follows the Jira instance's settings; the default is assumed.
* Jira localises headers to the exporting user's language; no Russian export header list could
  be found (``HEADER_SYNONYMS`` has the generic Russian words).
"""

from __future__ import annotations

from data_connectors.presets.model import Preset
from data_connectors.presets.transforms import answered_only

SOURCE = "Jira CSV export (all fields): headers quoted from real exports in public code"

SIGNATURE = (
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Reporter",
    "Created",
    "Updated",
)

DATES = "%d/%b/%y %I:%M %p"

REPORTER = ("Reporter Id", "Reporter")

TICKETS = Preset(
    key="jira_service_management",
    product="Jira Service Management (issue export)",
    table="tickets",
    source=SOURCE,
    signature=SIGNATURE,
    columns={
        "ticket_id": "Issue key",
        "customer_id": REPORTER,
        "created_at": "Created",
        "category": ("Custom field (Request Type)", "Issue Type"),
        "subject": "Summary",
        "text": "Description",
        "agent": "Assignee",
        "priority": "Priority",
        "status": "Status",
        "first_response_at": "Custom field ([CHART] Date of First Response)",
        "resolved_at": "Resolved",
    },
    day_first=True,
    date_format=DATES,
    notes="customer_id is the reporter (the customer who raised the request).",
)

SATISFACTION = Preset(
    key="jira_satisfaction",
    product="Jira Service Management (satisfaction ratings in the issue export)",
    table="surveys",
    source=SOURCE,
    signature=SIGNATURE,
    columns={
        "response_id": "Issue key",
        "ticket_id": "Issue key",
        "customer_id": REPORTER,
        "responded_at": "Custom field (Satisfaction date)",
        "score": ("Satisfaction rating", "Custom field (Satisfaction)"),
    },
    constants={"survey_type": "csat"},
    day_first=True,
    date_format=DATES,
    transform=answered_only,
    notes="JSM's 1-5 star rating as CSAT, one per issue (id = issue key); unrated issues dropped.",
)
