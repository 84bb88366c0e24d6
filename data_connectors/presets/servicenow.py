"""ServiceNow incidents: the incident list export, and the incident event log.

Layout source
-------------
* Incident list (List view > right-click a column > Export > CSV): the CSV export writes field
  names as headers; the default incident list is "number", "opened_at", "short_description",
  "caller_id", "priority", "state", "category", "assignment_group", "assigned_to",
  "sys_updated_on", "sys_updated_by" — the same list in public tests and dashboards that read
  exported ``incident.csv`` files (reference fields arrive as display values, e.g. the caller's
  name). The Excel export uses labels ("Number", "Opened", "Short description", "Caller", …),
  accepted too.
* Event log: the UCI "Incident management process enriched event log" (Amaral et al. 2018,
  CC BY 4.0; first 5,998 events in ``../shared/data/servicenow/``), a ServiceNow audit log with
  one row per change of an incident: "number", "incident_state", "active",
  "reassignment_count", "reopen_count", "sys_mod_count", "made_sla", "caller_id", …,
  "sys_updated_at", "contact_type", …, "resolved_at", "closed_at"; dates "dd-mm-YYYY HH:MM";
  "?" marks a missing value.

Uncertain
---------
* The list export's date format follows the instance's setting (system default
  "yyyy-MM-dd HH:mm:ss"); ``day_first`` is left to detection.
* "sys_updated_at" is the event log dataset's name for ServiceNow's "sys_updated_on".
* ``made_sla`` and ``closed_at`` have no canonical column: they stay in ``unplaced``.
"""

from __future__ import annotations

from functools import partial

from data_connectors.presets.model import Preset
from data_connectors.presets.transforms import collapse_event_log

#: Field names (CSV export) and labels (Excel export) of the incident fields the mapping uses.
COLUMNS = {
    "ticket_id": ("number", "Number"),
    "customer_id": ("caller_id", "Caller"),
    "created_at": ("opened_at", "Opened"),
    "channel": ("contact_type", "Channel"),
    "category": ("category", "Category"),
    "subject": ("short_description", "Short description"),
    "text": ("description", "Description"),
    "agent": ("assigned_to", "Assigned to"),
    "team": ("assignment_group", "Assignment group"),
    "department": ("assignment_group", "Assignment group"),
    "priority": ("priority", "Priority"),
    "status": ("state", "incident_state", "State", "Incident state"),
    "resolved_at": ("resolved_at", "Resolved"),
    "transfers": ("reassignment_count", "Reassignment count"),
    "reopens": ("reopen_count", "Reopen count"),
}

NOTES = (
    "customer_id is the caller; the assignment group serves as both team and department. "
    "made_sla and closed_at have no canonical column."
)

INCIDENTS = Preset(
    key="servicenow_incidents",
    product="ServiceNow (incident list export)",
    table="tickets",
    source="ServiceNow incident list CSV export (default list columns)",
    signature=(
        ("number", "Number"),
        ("opened_at", "Opened"),
        ("short_description", "Short description"),
        ("caller_id", "Caller"),
        ("state", "State"),
        ("assignment_group", "Assignment group"),
        ("assigned_to", "Assigned to"),
        ("sys_updated_on", "Updated"),
        ("sys_updated_by", "Updated by"),
    ),
    columns=COLUMNS,
    notes=NOTES,
)

EVENT_LOG_DATES = "%d-%m-%Y %H:%M"

EVENT_LOG = Preset(
    key="servicenow_event_log",
    product="ServiceNow (incident event log, one row per change)",
    table="tickets",
    source="UCI Incident management process enriched event log (Amaral et al. 2018), CC BY 4.0",
    signature=(
        "number",
        "incident_state",
        "active",
        "reassignment_count",
        "reopen_count",
        "sys_mod_count",
        "made_sla",
        "caller_id",
        "opened_at",
        ("sys_updated_at", "sys_updated_on"),
        "contact_type",
        "assignment_group",
    ),
    columns=COLUMNS,
    day_first=True,
    date_format=EVENT_LOG_DATES,
    missing_markers=("?",),
    extras={"updated_at": ("sys_updated_at", "sys_updated_on")},
    transform=partial(collapse_event_log, date_format=EVENT_LOG_DATES, day_first=True),
    notes=(
        "Collapsed to one row per incident: its last event by sys_updated_at (then file order), "
        "with reassignment and reopen counts at their maximum. " + NOTES
    ),
)
