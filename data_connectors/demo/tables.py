"""The demo helpdesk's canonical tables: :func:`generate` and the frames it assembles.

:func:`generate` builds the calendar, draws the customers, runs the simulation and turns what
happened into the canonical customers, tickets, surveys and qa_reviews frames (exact canonical
columns, order and dtypes). Randomness comes only from one ``numpy.random.Generator`` seeded
with ``seed``, so the same arguments on the same day give identical frames; nothing is dated
after the cut-off.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from data_connectors.demo.agents import Agents
from data_connectors.demo.calendar import Calendar
from data_connectors.demo.columns import Ids, canonical_frame, labels, prefixed, timestamps
from data_connectors.demo.company import (
    ACQUISITION,
    CHANNELS,
    DEPARTMENT_NAMES,
    ENTERPRISE,
    PRIORITIES,
    QA_CRITERIA,
    REGIONS,
    SEGMENTS,
)
from data_connectors.demo.contacts import settle
from data_connectors.demo.people import People, draw_people
from data_connectors.demo.simulation import Progress, Simulation, no_progress
from data_connectors.demo.surveys import survey_table
from data_connectors.demo.text import ticket_fields, ticket_subjects, ticket_text
from data_connectors.demo.themes import OUTAGE, THEME_DEPARTMENT, THEMES

URGENCY_CUTS = (-0.3, 0.9, 1.9)  # latent urgency between consecutive priorities
QA_RATE = 0.05  # share of answered contacts that get a quality review


def generate(
    customers: int = 8000,
    months: int = 24,
    end: str | pd.Period | None = None,
    seed: int = 7,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """Simulate the demo helpdesk and return its canonical tables.

    Parameters
    ----------
    customers : number of customers (existing base and new sign-ups together).
    months : length of the period in months.
    end : last month of the period ("YYYY-MM" or a Period); default the current month.
    seed : seed of the random generator.
    progress : called with (fraction done, message) as the simulation proceeds.

    Returns
    -------
    ``{"customers", "tickets", "surveys", "qa_reviews"}``: frames with exactly the canonical
    columns, in canonical order and dtypes.

    Raises
    ------
    ValueError
        ``customers`` or ``months`` below 1, or ``end`` after the current month.
    """
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be at least 1")
    report = progress or no_progress
    calendar = Calendar.build(months, end)
    rng = np.random.default_rng(seed)
    people = draw_people(rng, customers, calendar)
    simulation = Simulation(rng, people, calendar)
    contacts, nps = simulation.run(report)
    contacts = settle(contacts, calendar.cutoff)
    ids = Ids(
        customers=prefixed("C", np.arange(1, customers + 1), 6),
        tickets=prefixed("T", np.arange(1, len(contacts["created"]) + 1), 7),
    )
    report(0.85, "writing ticket texts")
    tables = {
        "customers": _customer_table(rng, people, ids),
        "tickets": _ticket_table(rng, contacts, people, simulation.agents, ids),
    }
    report(0.93, "collecting survey answers")
    tables["surveys"] = survey_table(rng, contacts, nps, people, calendar.cutoff, ids)
    tables["qa_reviews"] = _qa_table(rng, contacts, ids)
    report(1.0, "demo data ready")
    return tables


def _customer_table(rng: np.random.Generator, people: People, ids: Ids) -> pd.DataFrame:
    """One row per customer; revenue by segment, a little higher for the well disposed."""
    n = len(people.signup)
    revenue = np.array([s.revenue for s in SEGMENTS])[people.segment]
    revenue = np.round(revenue * rng.lognormal(0, 0.6, n) * np.exp(0.1 * people.disposition), 2)
    return canonical_frame(
        "customers",
        {
            "customer_id": ids.customers,
            "signup_date": timestamps(people.signup),
            "churn_date": timestamps(people.churn),
            "segment": labels([s.name for s in SEGMENTS], people.segment),
            "region": labels([r[0] for r in REGIONS], people.region),
            "acquisition_channel": labels([a[0] for a in ACQUISITION], people.acquisition),
            "referred_by": labels(ids.customers, people.referrer),
            "revenue": revenue,
            "email": prefixed("c", np.arange(1, n + 1), 6) + "@example.com",
        },
    )


def _ticket_table(
    rng: np.random.Generator,
    contacts: Mapping[str, np.ndarray],
    people: People,
    agents: Agents,
    ids: Ids,
) -> pd.DataFrame:
    """One row per contact, with the customer's first message in their language."""
    n = len(contacts["created"])
    status = contacts["status"]
    theme, transfers = contacts["theme"], contacts["transfers"]
    complaint = contacts["complaint"]
    language = people.language[contacts["customer"]]
    fields = ticket_fields(rng, n, contacts["month"])
    text = ticket_text(rng, theme, language, complaint, fields)
    urgency = (
        complaint
        + 0.8 * (people.segment[contacts["customer"]] == ENTERPRISE)
        + 1.5 * (theme == OUTAGE)
        + rng.normal(0, 0.5, n)
    )
    subject = ticket_subjects(rng, theme, language, fields)
    settled = np.isin(status, ["abandoned", "resolved", "closed"])
    fixed = contacts["first_fix"] & (transfers == 0) & (contacts["reopens"] == 0)
    return canonical_frame(
        "tickets",
        {
            "ticket_id": ids.tickets,
            "customer_id": ids.customers[contacts["customer"]],
            "created_at": timestamps(contacts["created"]),
            "channel": labels(CHANNELS, contacts["channel"]),
            "department": labels(DEPARTMENT_NAMES, THEME_DEPARTMENT[theme]),
            "category": labels([t.category for t in THEMES], theme),
            "subject": subject,
            "text": text,
            "is_complaint": complaint,
            "agent": agents.names()[contacts["agent"]],
            "team": agents.teams()[contacts["agent"]],
            "priority": labels(PRIORITIES, np.searchsorted(URGENCY_CUTS, urgency)),
            "first_response_at": timestamps(contacts["first_response"]),
            "resolved_at": timestamps(contacts["resolved"]),
            "status": status,
            "wait_seconds": contacts["wait"],
            "handle_seconds": np.where(status == "new", np.nan, contacts["handle"]),
            "abandoned": contacts["abandoned"],
            "transfers": pd.array(np.where(status == "new", 0, transfers), dtype="Int64"),
            "reopens": pd.array(
                np.where(status == "resolved", contacts["reopens"], 0), dtype="Int64"
            ),
            "first_contact_resolved": pd.arrays.BooleanArray(fixed, ~settled),
        },
    )


def _qa_table(
    rng: np.random.Generator, contacts: Mapping[str, np.ndarray], ids: Ids
) -> pd.DataFrame:
    """Quality reviews of a sample of answered contacts, one row per criterion (0–100)."""
    answered = ~np.isnan(contacts["first_response"])
    rows = np.flatnonzero(answered & (rng.random(len(answered)) < QA_RATE))
    skill = contacts["skill"][rows]
    expected = np.column_stack(
        [
            88 + 4 * skill,
            70 + 10 * skill + 12 * contacts["first_fix"][rows] - 6 * contacts["transfers"][rows],
            75 + 14 * skill,
            84 + 6 * skill - 5 * contacts["complaint"][rows],
        ]
    )
    score = np.clip(np.round(expected + rng.normal(0, 7, expected.shape)), 0, 100)
    return canonical_frame(
        "qa_reviews",
        {
            "ticket_id": np.repeat(ids.tickets[rows], len(QA_CRITERIA)),
            "criterion": np.tile(np.array(QA_CRITERIA, dtype=object), len(rows)),
            "score": score.ravel(),
        },
    )
