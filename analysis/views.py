"""Slicing the canonical tables by the global filters (department, channel, segment, region).

Survey answers do not carry a department or channel themselves. An answer about a contact
(``ticket_id`` set) takes that contact's department and channel; an answer without one (a
relationship NPS survey) takes those of the customer's most recent contact at or before the
answer — the service experience the customer had last. Segment and region come from the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: Filterable dimensions and the table each one is defined on.
DIMENSIONS: dict[str, str] = {
    "department": "tickets",
    "channel": "tickets",
    "segment": "customers",
    "region": "customers",
}


@dataclass(frozen=True)
class Slice:
    """Selected values per dimension; an empty selection means "all"."""

    selected: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.selected) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"unknown filter dimension(s): {', '.join(sorted(unknown))}")

    @property
    def active(self) -> dict[str, tuple[str, ...]]:
        return {dim: values for dim, values in self.selected.items() if values}


def survey_context(
    surveys: pd.DataFrame, tickets: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    """Surveys with ``department``, ``channel`` (see module doc), ``segment`` and ``region``."""
    ticket_dims = tickets[["ticket_id", "customer_id", "created_at", "department", "channel"]]
    linked = surveys[["response_id", "ticket_id"]].merge(
        ticket_dims[["ticket_id", "department", "channel"]], on="ticket_id", how="inner"
    )
    unlinked = surveys.loc[~surveys["response_id"].isin(linked["response_id"])]
    last_contact = pd.merge_asof(
        unlinked[["response_id", "customer_id", "responded_at"]].sort_values("responded_at"),
        ticket_dims.dropna(subset=["created_at"]).sort_values("created_at"),
        left_on="responded_at",
        right_on="created_at",
        by="customer_id",
        direction="backward",
    )[["response_id", "department", "channel"]]
    dims = pd.concat([linked.drop(columns="ticket_id"), last_contact], ignore_index=True)
    enriched = surveys.merge(dims, on="response_id", how="left")
    return enriched.merge(
        customers[["customer_id", "segment", "region"]], on="customer_id", how="left"
    )


def ticket_context(tickets: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Tickets with the customer's ``segment`` and ``region``."""
    return tickets.merge(
        customers[["customer_id", "segment", "region"]], on="customer_id", how="left"
    )


def apply_slice(
    customers: pd.DataFrame,
    tickets: pd.DataFrame,
    surveys: pd.DataFrame,
    slice_: Slice,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Restrict the tables to ``slice_``.

    ``tickets`` and ``surveys`` must carry the context columns (:func:`ticket_context`,
    :func:`survey_context`). Customers are restricted by the customer dimensions (segment,
    region) only: which customers a department or channel *served* depends on the period a
    metric looks at (see :func:`served_before`), so it cannot be fixed here.
    """
    keep_tickets = pd.Series(True, index=tickets.index)
    keep_surveys = pd.Series(True, index=surveys.index)
    keep_customers = pd.Series(True, index=customers.index)
    for dim, values in slice_.active.items():
        keep_tickets &= tickets[dim].isin(values)
        keep_surveys &= surveys[dim].isin(values)
        if DIMENSIONS[dim] == "customers":
            keep_customers &= customers[dim].isin(values)
    return customers.loc[keep_customers], tickets.loc[keep_tickets], surveys.loc[keep_surveys]


def served_before(
    customers: pd.DataFrame, tickets: pd.DataFrame, day: pd.Timestamp
) -> pd.DataFrame:
    """Customers with at least one of ``tickets`` created before ``day``.

    With a department or channel filter, the customers a churn rate is about are those the
    department or channel had served *before* the period began; counting later contacts too
    would keep only customers known to have survived, biasing churn down.
    """
    served = tickets.loc[tickets["created_at"] < day, "customer_id"].unique()
    return customers.loc[customers["customer_id"].isin(served)]


def options(frame: pd.DataFrame, dimension: str) -> list[str]:
    """Sorted distinct non-missing values of ``dimension`` in ``frame``."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown filter dimension: {dimension}")
    return sorted(frame[dimension].dropna().unique().tolist())
