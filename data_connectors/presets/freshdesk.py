"""Freshdesk: the ticket export (Tickets > Export, CSV or Excel).

Layout source
-------------
* Freshdesk's own export job test, ``TicketsExportTest`` (``Tickets::Export::TicketsExport``,
  Freshdesk "helpkit" Rails code, found in the public code index), which names the export
  fields and their headers in order: "Ticket ID", "Subject", "Description", "Status",
  "Priority", "Source", "Type", "Agent", "Group", "Created time", "Due by Time",
  "Resolved time", "Closed time", "Last update time", "Initial response time", "Time tracked",
  "First response time (in hrs)", "Resolution time (in hrs)", "Agent interactions",
  "Customer interactions", "Resolution status", "First response status", "Tags",
  "Survey results", "Product"; contact fields "Full name", "Email", "Work phone",
  "Mobile phone", "Facebook ID", "Twitter ID", "Contact ID", …; company fields
  "Company Name", …
* Public code reading real exports uses the same names (an upload template listing
  "Ticket ID, Status, Agent, Type, … Created time, Initial response time, Resolved time, …,
  Full name, Contact ID"; a Laravel model of a "TicketExport" table).

Uncertain
---------
* The agent picks the fields to export: a file with few of the signature columns is not
  recognised and goes to manual mapping.
* Date format: "YYYY-MM-DD HH:MM:SS" in the files seen, not documented.
* Freshservice (same export engine) writes "Ticket Id", "Requester Name",
  "Requester Email", "Last Updated Time": those wordings are accepted too.
"""

from __future__ import annotations

from data_connectors.presets.model import Preset

TICKETS = Preset(
    key="freshdesk",
    product="Freshdesk (ticket export)",
    table="tickets",
    source="Freshdesk TicketsExport test (export field names); public readers of real exports",
    signature=(
        "Ticket ID",
        "Created time",
        "Due by Time",
        "Resolved time",
        "Closed time",
        ("Last update time", "Last Updated Time"),
        "Initial response time",
        "Agent interactions",
        "Customer interactions",
        "Resolution status",
        "First response status",
    ),
    columns={
        "ticket_id": "Ticket ID",
        "customer_id": ("Contact ID", "Email", "Requester Email", "Full name", "Requester Name"),
        "created_at": "Created time",
        "channel": "Source",
        "category": "Type",
        "subject": "Subject",
        "text": "Description",
        "agent": "Agent",
        "team": "Group",
        "priority": "Priority",
        "status": "Status",
        "first_response_at": "Initial response time",
        "resolved_at": "Resolved time",
    },
    notes=(
        "customer_id is 'Contact ID' when contact fields were exported, else the e-mail, else "
        "the requester's full name. Date format unverified."
    ),
)
