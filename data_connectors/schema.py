"""The canonical tables: the one contract between every data source and the analysis.

Each table is declared once here: its columns with their kind, which are required, and the value
rules (score ranges per survey type, timestamps in order, foreign keys). Connectors map their
source onto these names; :func:`data_connectors.validation.validate` enforces the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a column's values are parsed and checked."""

    ID = "id"  # identifier, kept as text ("00123" stays "00123")
    TEXT = "text"
    CATEGORY = "category"  # short label used for grouping (department, channel, ...)
    DATETIME = "datetime"
    NUMBER = "number"
    COUNT = "count"  # whole number >= 0
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    description: str = ""
    minimum: float | None = None
    allowed: tuple[str, ...] | None = None
    #: A bad value in an optional column is cleared and the row kept, unless the value is
    #: what the row is about (a churn date): then the row is rejected, as for required columns.
    rejects_row: bool = False
    #: Dates in the future are accepted (a scheduled cancellation), else rejected.
    future_allowed: bool = False

    @property
    def bad_value_rejects_row(self) -> bool:
        return self.required or self.rejects_row


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class TimeOrder:
    """``later`` must not be before ``earlier`` (both optional; checked when both are set)."""

    earlier: str
    later: str


@dataclass(frozen=True)
class Table:
    name: str
    primary_key: str | None
    columns: tuple[Column, ...]
    description: str
    required: bool = True
    foreign_keys: tuple[ForeignKey, ...] = ()
    time_orders: tuple[TimeOrder, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def optional_columns(self) -> list[str]:
        return [c.name for c in self.columns if not c.required]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no canonical column {name!r}")


#: Valid score range (inclusive, whole numbers) for each survey type.
SCORE_RANGES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SURVEY_TYPES: tuple[str, ...] = tuple(SCORE_RANGES)

CUSTOMERS = Table(
    name="customers",
    primary_key="customer_id",
    description="One row per customer (account or contact).",
    columns=(
        Column("customer_id", Kind.ID, required=True, description="Unique customer identifier"),
        Column("signup_date", Kind.DATETIME, required=True, description="Start of relationship"),
        Column(
            "churn_date",
            Kind.DATETIME,
            rejects_row=True,
            future_allowed=True,
            description="End of relationship (may be a scheduled future date); empty while active",
        ),
        Column("segment", Kind.CATEGORY, description="Customer segment (e.g. SMB, Enterprise)"),
        Column("region", Kind.CATEGORY, description="Region or market"),
        Column("acquisition_channel", Kind.CATEGORY, description="How the customer was won"),
        Column("referred_by", Kind.ID, description="customer_id of the referrer, if referred"),
        Column("revenue", Kind.NUMBER, minimum=0, description="Revenue per period (optional)"),
        Column("email", Kind.TEXT, description="Contact e-mail, used to join survey exports"),
    ),
    foreign_keys=(ForeignKey("referred_by", "customers", "customer_id"),),
    time_orders=(TimeOrder("signup_date", "churn_date"),),
)

TICKETS = Table(
    name="tickets",
    primary_key="ticket_id",
    description="One row per contact (ticket, call, chat, e-mail, message).",
    columns=(
        Column("ticket_id", Kind.ID, required=True, description="Unique contact identifier"),
        Column("customer_id", Kind.ID, required=True, description="Customer who made contact"),
        Column("created_at", Kind.DATETIME, required=True, description="When the contact arrived"),
        Column("channel", Kind.CATEGORY, description="phone, chat, email, social, web, ..."),
        Column("department", Kind.CATEGORY, description="Department that handled the contact"),
        Column("category", Kind.CATEGORY, description="The helpdesk's own category or topic"),
        Column("subject", Kind.TEXT, description="Subject line"),
        Column("text", Kind.TEXT, description="Body of the first customer message"),
        Column("is_complaint", Kind.BOOLEAN, description="The contact is a complaint"),
        Column("agent", Kind.CATEGORY, description="Agent who handled it"),
        Column("team", Kind.CATEGORY, description="Team or group"),
        Column("priority", Kind.CATEGORY, description="Priority label"),
        Column("first_response_at", Kind.DATETIME, description="First reply to the customer"),
        Column("resolved_at", Kind.DATETIME, description="When it was resolved"),
        Column("status", Kind.CATEGORY, description="Current status"),
        Column("wait_seconds", Kind.NUMBER, minimum=0, description="Queue wait (voice/chat)"),
        Column("handle_seconds", Kind.NUMBER, minimum=0, description="Handling time"),
        Column("abandoned", Kind.BOOLEAN, description="Customer left before being answered"),
        Column("transfers", Kind.COUNT, description="Reassignments between agents or groups"),
        Column("reopens", Kind.COUNT, description="Times reopened after resolution"),
        Column("first_contact_resolved", Kind.BOOLEAN, description="Resolved at first contact"),
    ),
    foreign_keys=(ForeignKey("customer_id", "customers", "customer_id"),),
    time_orders=(
        TimeOrder("created_at", "first_response_at"),
        TimeOrder("created_at", "resolved_at"),
    ),
)

SURVEYS = Table(
    name="surveys",
    primary_key="response_id",
    description="One row per survey answer (NPS 0–10, CSAT 1–5, CES 1–7).",
    columns=(
        Column("response_id", Kind.ID, required=True, description="Unique answer identifier"),
        Column("customer_id", Kind.ID, required=True, description="Customer who answered"),
        Column("ticket_id", Kind.ID, description="Contact the answer is about (transactional)"),
        Column("responded_at", Kind.DATETIME, required=True, description="When it was answered"),
        Column(
            "survey_type",
            Kind.CATEGORY,
            required=True,
            allowed=SURVEY_TYPES,
            description="nps, csat or ces",
        ),
        Column("score", Kind.NUMBER, required=True, description="Whole-number score in range"),
        Column("comment", Kind.TEXT, description="Free-text comment"),
        Column("reason", Kind.CATEGORY, description="Reason chosen with a low score"),
        Column("callback_requested", Kind.BOOLEAN, description="Customer asked to be called"),
        Column("email", Kind.TEXT, description="Respondent e-mail, to join answers to customers"),
    ),
    foreign_keys=(
        ForeignKey("customer_id", "customers", "customer_id"),
        ForeignKey("ticket_id", "tickets", "ticket_id"),
    ),
)

QA_REVIEWS = Table(
    name="qa_reviews",
    primary_key=None,
    required=False,
    description="Optional quality reviews: one score per contact and criterion.",
    columns=(
        Column("ticket_id", Kind.ID, required=True, description="Reviewed contact"),
        Column("criterion", Kind.CATEGORY, required=True, description="greeting, tone, ..."),
        Column("score", Kind.NUMBER, required=True, minimum=0, description="Review score"),
    ),
    foreign_keys=(ForeignKey("ticket_id", "tickets", "ticket_id"),),
)

TABLES: dict[str, Table] = {t.name: t for t in (CUSTOMERS, TICKETS, SURVEYS, QA_REVIEWS)}

#: The column that places each table's rows in time (used for date coverage and range reads).
TIME_COLUMNS: dict[str, str] = {
    "customers": "signup_date",
    "tickets": "created_at",
    "surveys": "responded_at",
}

#: The columns that identify one record of each table: its primary key or, for quality reviews
#: (which have none), the reviewed contact and criterion. A later record with the same key
#: replaces an earlier one, here and in the workspace store.
RECORD_KEYS: dict[str, tuple[str, ...]] = {
    **{name: (table.primary_key,) for name, table in TABLES.items() if table.primary_key},
    "qa_reviews": ("ticket_id", "criterion"),
}
