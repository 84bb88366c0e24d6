"""One month of contacts at the demo helpdesk: what they are about, how they were served.

:class:`Workload` sets the month-by-month volume of every theme (season and waves) and the
resulting pressure on every department, which is staffed for half of the seasonal swing and none
of the waves. :func:`month_contacts` draws each active customer's contacts (more for unhappy
customers and newcomers), their theme, channel and complaint flag, then the service: queue and
patience, reply times, transfers, the agent, resolution, reopens and handling time. What is left
is the contact's experience and how strongly each low-score reason applies to it; :func:`settle`
orders all contacts by arrival and tells what was known of each at the cut-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit, ndtr, ndtri

from data_connectors.demo.agents import Agents
from data_connectors.demo.calendar import DAY, HOUR, Calendar, Month
from data_connectors.demo.company import CHAT, DEPARTMENTS, EMAIL, PHONE, SEGMENTS
from data_connectors.demo.people import People
from data_connectors.demo.sampling import categorical, moments
from data_connectors.demo.themes import SEASON, THEME_DEPARTMENT, THEME_SHARE, THEMES

HANDLE_MEDIAN = np.array([300.0, 540.0, 360.0, 240.0])  # seconds, per channel

_THEME_COMPLAINT = logit(np.array([t.complaint for t in THEMES]))
_THEME_COMPLEXITY = np.array([t.complexity for t in THEMES])
_CHANNEL_CUMULATIVE = np.cumsum([d.channels for d in DEPARTMENTS], axis=1)
_SEGMENT_CONTACTS = np.array([s.contacts for s in SEGMENTS])


@dataclass(frozen=True)
class Workload:
    """Contact volume per theme and the pressure on every department, month by month."""

    theme_rates: np.ndarray  # (month, theme): share of the base volume
    pressure: np.ndarray  # (month, department): demand over capacity, 1 = as planned

    @classmethod
    def plan(cls, rng: np.random.Generator, calendar: Calendar) -> Workload:
        months = len(calendar.periods)
        season = SEASON[calendar.periods.month - 1]
        waves = np.column_stack(
            [t.wave.multiplier(months) if t.wave else np.ones(months) for t in THEMES]
        )
        theme_rates = season[:, None] * waves * THEME_SHARE
        in_department = np.eye(len(DEPARTMENTS))[THEME_DEPARTMENT]  # (theme, department)
        demand = theme_rates @ in_department
        # planners staff for half of the seasonal swing and none of the waves
        planned = (1 + 0.5 * (season - 1))[:, None] * (THEME_SHARE @ in_department)
        staffing = np.array([d.staffing for d in DEPARTMENTS])
        staffing = staffing * rng.lognormal(0, 0.07, demand.shape)  # holidays, sick leave
        return cls(theme_rates, demand / planned / staffing)


def month_contacts(
    rng: np.random.Generator,
    month: Month,
    loyalty: np.ndarray,
    people: People,
    workload: Workload,
    agents: Agents,
) -> dict[str, np.ndarray]:
    """The month's contacts as column arrays: what they are about, how they were served."""
    m = month.index
    theme_rates = workload.theme_rates[m]
    rate = (
        _SEGMENT_CONTACTS[people.segment[month.who]]
        * theme_rates.sum()
        * month.exposure
        * np.exp(-0.25 * loyalty)  # unhappy customers get in touch more
        * np.where(people.signup[month.who] >= month.start, 1.5, 1.0)  # onboarding
    )
    rows = np.repeat(np.arange(len(month.who)), rng.poisson(rate))
    n = len(rows)
    theme = rng.choice(len(THEMES), n, p=theme_rates / theme_rates.sum())
    department = THEME_DEPARTMENT[theme]
    complexity = _THEME_COMPLEXITY[theme]
    complaint = rng.random(n) < expit(_THEME_COMPLAINT[theme] - 0.5 * loyalty[rows])
    channel = categorical(rng, _CHANNEL_CUMULATIVE[department])
    live = channel <= CHAT
    pressure = workload.pressure[m, department] * rng.lognormal(0, 0.08, n)  # busy days

    # queue: mostly short, a tail of minutes; callers give up when their patience runs out
    queue = np.where(
        rng.random(n) < np.minimum(0.04 * pressure**3, 0.3),
        rng.lognormal(np.log(75), 0.7, n),
        rng.exponential(9 * pressure**3),
    )
    patience = 20 + rng.exponential(np.where(channel == PHONE, 240.0, 300.0))
    abandoned = live & (queue > patience)
    wait = np.round(np.minimum(queue, patience))
    # written channels: replies in hours, lognormal truncated at 2.4 sigma
    median = np.where(channel == EMAIL, 1.4 * pressure**3, 0.6 * pressure**2.5) * HOUR
    reply = np.round(median * np.exp(ndtri(rng.random(n) * ndtr(2.4))))
    first_reply = np.where(abandoned, np.nan, np.where(live, wait, reply))
    slow = np.where(
        live,
        np.log1p(np.maximum(wait - 30, 0) / 60),
        np.log1p(np.maximum(reply / HOUR - 2, 0) / 4),
    )

    transfers = np.minimum(rng.poisson(0.12 * complexity * pressure**2), 4) * ~abandoned
    agent = agents.pick(rng, department, (transfers > 0).astype(int))
    skill = agents.skill[agent]
    solved = ~abandoned & (rng.random(n) < expit(3.0 + 0.6 * skill - 1.2 * (complexity - 1)))
    fix_odds = (
        1.4 + 0.8 * skill - 1.5 * (complexity - 1) - 0.9 * transfers + np.where(live, 0.3, -0.2)
    )
    first_fix = solved & (rng.random(n) < expit(fix_odds))
    reopen_rate = 0.05 * complexity * np.exp(-0.7 * skill) * np.where(first_fix, 1.0, 2.5)
    reopens = np.minimum(rng.poisson(reopen_rate), 3) * solved
    handle = HANDLE_MEDIAN[channel] * complexity * (1 + 0.4 * transfers) * np.exp(-0.15 * skill)
    handle = np.where(abandoned, np.nan, np.round(handle * rng.lognormal(0, 0.5, n)))
    follow_up = (
        np.where(first_fix, 0.0, rng.lognormal(np.log(20 * HOUR * complexity), 0.9, n))
        + transfers * rng.lognormal(np.log(3 * HOUR), 0.8, n)
        + reopens * rng.lognormal(np.log(40 * HOUR), 0.7, n)
    )
    unsolved = ~solved & ~abandoned
    experience = (
        0.4 + 0.45 * skill - 0.6 * slow - 0.5 * transfers - 0.8 * reopens - 1.5 * unsolved
        - 1.3 * abandoned - 0.5 * complaint - 0.3 * (complexity - 1) + rng.normal(0, 0.5, n)
    )  # fmt: skip
    return {
        "customer": month.who[rows],
        "created": moments(rng, month.since[rows], month.stop),
        "month": np.full(n, m),
        "theme": theme,
        "complaint": complaint,
        "channel": channel,
        "wait": np.where(live, wait, np.nan),
        "abandoned": abandoned,
        "first_reply": first_reply,
        "handle": handle,
        "transfers": transfers,
        "reopens": reopens,
        "solved": solved,
        "first_fix": first_fix,
        "resolve": np.where(solved, first_reply + handle + follow_up, np.nan),
        "agent": agent,
        "skill": skill,
        "slow": slow,
        "complexity": complexity,
        "experience": experience,
        "loyalty": loyalty[rows],
        "grievance": _grievances(slow, transfers, reopens, unsolved, first_fix, skill),
    }


def _grievances(
    slow: np.ndarray,
    transfers: np.ndarray,
    reopens: np.ndarray,
    unsolved: np.ndarray,
    first_fix: np.ndarray,
    skill: np.ndarray,
) -> np.ndarray:
    """How strongly each of the low-score reasons applies to each contact (one column each).

    Columns in the order of :data:`~data_connectors.demo.company.REASONS`.
    """
    return np.column_stack(
        [
            slow,
            1.5 * reopens + 2.0 * unsolved + 0.5 * ~first_fix,
            1.5 * np.maximum(-skill, 0),
            np.maximum(-skill - 0.3, 0),
            0.6 * transfers + 0.5 * reopens,
            1.2 * transfers,
        ]
    )


def settle(contacts: Mapping[str, np.ndarray], cutoff: float) -> dict[str, np.ndarray]:
    """Contacts in order of arrival, with what is known of each at the cut-off.

    Adds ``first_response`` and ``resolved`` (epoch seconds, NaN when not yet or never) and
    ``status``: abandoned, resolved, closed (given up unsolved after a week), new (no reply
    yet) or open.
    """
    order = np.argsort(contacts["created"], kind="stable")
    settled = {key: values[order] for key, values in contacts.items()}
    created = settled["created"]
    first_response = created + settled["first_reply"]
    resolved = created + settled["resolve"]
    first_response[first_response > cutoff] = np.nan
    resolved[resolved > cutoff] = np.nan
    given_up = ~settled["solved"] & ~settled["abandoned"] & (first_response + 7 * DAY <= cutoff)
    settled["first_response"], settled["resolved"] = first_response, resolved
    settled["status"] = np.select(
        [settled["abandoned"], ~np.isnan(resolved), given_up, np.isnan(first_response)],
        ["abandoned", "resolved", "closed", "new"],
        "open",
    ).astype(object)
    return settled
