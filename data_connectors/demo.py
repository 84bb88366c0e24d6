"""The demo helpdesk: a deterministic, realistic company to open the app on without configuration.

:func:`generate` simulates a mid-size company month by month and returns the canonical tables
(customers, tickets, surveys, qa_reviews). :func:`build_database` writes them to a SQLite file
that the app reads like any other SQL source. ``python -m data_connectors.demo`` does the same
from the command line.

The structure comes from the process, not from fixed outputs. Every customer has a latent
disposition; every contact leaves an experience (worse when the wait is long, the contact is
transferred, reopened, abandoned or never solved, better with a skilled agent) that decays over
the months. Loyalty = disposition + accumulated experience. It drives the survey answers, how
often a customer gets in touch and complains, the monthly churn hazard and how likely a
customer is to bring in referrals. Contact themes rise and fall (a delivery-delay wave, an
outage, an app-crash spike after a release, a billing double-charge period); the extra volume
overloads the department, so waits and reply times miss the service standards in those months.

Randomness comes only from one ``numpy.random.Generator`` seeded with ``seed``: the same
arguments on the same day give identical frames. Nothing is dated after the cut-off, which is the
end of the ``end`` month or, for the current month, the start of today.
"""

from __future__ import annotations

import argparse
import os
import string
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy.special import expit, logit, ndtr, ndtri

from data_connectors import demo_text
from data_connectors.schema import TABLES
from data_connectors.sql_schema import canonical_metadata

Progress = Callable[[float, str], None]
Field = Callable[[np.ndarray], np.ndarray]

DAY = 86_400.0
HOUR = 3_600.0
LANGUAGES = ("en", "ru")
CHANNELS = ("phone", "chat", "email", "social")
PHONE, CHAT, EMAIL, SOCIAL = range(4)
REASONS = (
    "long wait",
    "issue not resolved",
    "low expertise",
    "rude or unhelpful",
    "had to repeat myself",
    "too many transfers",
)
COMMENT_KINDS = (*REASONS, "negative", "positive", "neutral", "suggestion")
QA_CRITERIA = ("greeting", "problem solving", "product knowledge", "tone and language")
SURVEY_KINDS = ("csat", "ces", "nps")

#: Region, share of customers, language the customers write in.
REGIONS: tuple[tuple[str, float, str], ...] = (
    ("Moscow", 0.16, "ru"),
    ("St Petersburg", 0.10, "ru"),
    ("Yekaterinburg", 0.06, "ru"),
    ("Kazakhstan", 0.08, "ru"),
    ("UK", 0.20, "en"),
    ("Germany", 0.16, "en"),
    ("Poland", 0.12, "en"),
    ("Netherlands", 0.07, "en"),
    ("Baltics", 0.05, "en"),
)
ACQUISITION: tuple[tuple[str, float], ...] = (
    ("organic", 0.40),
    ("paid", 0.28),
    ("referral", 0.20),
    ("partner", 0.12),
)
REFERRAL = 2


@dataclass(frozen=True)
class Segment:
    name: str
    share: float
    contacts: float  # contacts per customer-month at base load
    loyalty: float  # added to the loyalty of its customers
    churn: float  # added to the logit of the monthly churn hazard
    revenue: float  # median monthly revenue


SEGMENTS = (
    Segment("Consumer", 0.70, 0.40, 0.0, 0.3, 29.0),
    Segment("SMB", 0.22, 0.70, 0.1, 0.0, 420.0),
    Segment("Enterprise", 0.08, 1.40, 0.2, -0.7, 5200.0),
)


@dataclass(frozen=True)
class Department:
    name: str
    staffing: float  # capacity relative to the base load (below 1: usually short-staffed)
    channels: tuple[float, float, float, float]  # share of phone, chat, email, social


DEPARTMENTS = (
    Department("Billing", 1.00, (0.35, 0.30, 0.25, 0.10)),
    Department("Delivery", 0.97, (0.40, 0.30, 0.20, 0.10)),
    Department("Technical support", 0.93, (0.30, 0.35, 0.30, 0.05)),
    Department("Sales", 1.12, (0.45, 0.25, 0.25, 0.05)),
    Department("Mobile app", 1.00, (0.10, 0.40, 0.30, 0.20)),
)


@dataclass(frozen=True)
class Wave:
    """A theme's rise and fall: ``height`` times its base volume extra at the peak.

    ``at`` and ``width`` are fractions of the period (so every period length has the wave);
    ``shape`` is "bump" (bell around ``at``), "spike" (jump at ``at``, decaying over ``width``)
    or "plateau" (from ``at`` for ``width``).
    """

    shape: str
    at: float
    width: float
    height: float

    def multiplier(self, months: int) -> np.ndarray:
        distance = np.arange(months) - round(self.at * (months - 1))
        scale = max(self.width * (months - 1), 0.75)
        if self.shape == "bump":
            rise = np.exp(-0.5 * (distance / scale) ** 2)
        elif self.shape == "spike":
            rise = np.where(distance >= 0, np.exp(-np.maximum(distance, 0) / scale), 0.0)
        else:
            rise = ((distance >= 0) & (distance < max(round(scale), 1))).astype(float)
        return 1.0 + self.height * rise


@dataclass(frozen=True)
class Theme:
    key: str  # key of its phrases in demo_text
    department: str
    category: str  # the helpdesk's own category
    weight: float  # share of contacts at base load
    complaint: float  # probability that a contact on it is a complaint (average customer)
    complexity: float  # >1: longer handling, more transfers, fewer first-contact fixes
    wave: Wave | None = None


THEMES = (
    Theme("double_charge", "Billing", "Payments", 0.025, 0.75, 1.1, Wave("plateau", 0.74, 0.1, 4.0)),
    Theme("refund", "Billing", "Payments", 0.05, 0.20, 1.1),
    Theme("invoice", "Billing", "Invoices & documents", 0.055, 0.03, 0.9),
    Theme("subscription", "Billing", "Subscription", 0.06, 0.05, 0.9),
    Theme("payment_failed", "Billing", "Payments", 0.04, 0.15, 1.1),
    Theme("delivery_delay", "Delivery", "Delivery status", 0.06, 0.45, 1.0, Wave("bump", 0.35, 0.08, 2.5)),
    Theme("tracking", "Delivery", "Delivery status", 0.07, 0.03, 0.8),
    Theme("damaged_item", "Delivery", "Returns & damage", 0.03, 0.65, 1.2),
    Theme("address_change", "Delivery", "Delivery changes", 0.05, 0.02, 0.8),
    Theme("missed_courier", "Delivery", "Delivery status", 0.03, 0.50, 1.0),
    Theme("device_setup", "Technical support", "Device setup", 0.08, 0.03, 1.4),
    Theme("connectivity", "Technical support", "Connectivity", 0.06, 0.12, 1.5),
    Theme("outage", "Technical support", "Service outage", 0.012, 0.60, 1.3, Wave("spike", 0.15, 0.03, 5.0)),
    Theme("account_access", "Technical support", "Account & login", 0.05, 0.08, 1.0),
    Theme("upgrade", "Sales", "Upgrades", 0.045, 0.01, 0.9),
    Theme("pricing", "Sales", "Pricing", 0.045, 0.06, 0.8),
    Theme("promo_code", "Sales", "Promotions", 0.03, 0.20, 0.9),
    Theme("app_crash", "Mobile app", "App errors", 0.025, 0.50, 1.3, Wave("spike", 0.58, 0.08, 5.0)),
    Theme("app_login", "Mobile app", "Account & login", 0.035, 0.12, 1.1),
    Theme("app_feature", "Mobile app", "App feedback", 0.03, 0.03, 0.8),
    Theme("notifications", "Mobile app", "App errors", 0.02, 0.10, 1.0),
)

#: Relative contact volume by calendar month (January first): a December peak, a summer lull.
SEASON = np.array([1.05, 0.95, 1.0, 0.95, 0.95, 0.9, 0.85, 0.9, 1.0, 1.05, 1.15, 1.3])
#: Relative chance that a contact arrives in each hour of the day.
HOUR_WEIGHTS = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.0, 4.5, 4.5,
     4.0, 4.2, 4.3, 4.2, 4.0, 3.8, 3.5, 3.0, 2.5, 2.0, 1.2, 0.6]
)  # fmt: skip
HANDLE_MEDIAN = np.array([300.0, 540.0, 360.0, 240.0])  # seconds, per channel

EXISTING_SHARE = 0.55  # customers signed up before the period
EXPERIENCE_DECAY = 0.8  # share of the accumulated experience kept from one month to the next
EXPERIENCE_WEIGHT = 0.45  # weight of accumulated experience in loyalty
REFERRAL_PULL = 1.0  # referrals per customer grow as exp(REFERRAL_PULL * loyalty)
CHURN_BASE, CHURN_LOYALTY = -4.6, 0.9  # monthly churn hazard: expit(base + segment - k * loyalty)
NPS_CUTS = np.array([-3.2, -2.8, -2.4, -2.0, -1.6, -1.2, -0.7, -0.1, 0.5, 1.4])
CSAT_CUTS = np.array([-2.0, -1.3, -0.6, 0.3])
CES_CUTS = np.array([-0.3, 0.4, 1.0, 1.6, 2.2, 2.8])
NPS_RATE = 0.105  # answers per customer in the month of their quarterly invitation
CSAT_RATE, CES_RATE = 0.30, 0.12  # answers per resolved contact
QA_RATE = 0.05  # share of answered contacts that get a quality review
#: Per survey kind: lowest score, and the grade (0 very low, 1 low, 2 middle, 3 high) per score.
GRADES: dict[str, tuple[int, tuple[int, ...]]] = {
    "csat": (1, (0, 0, 1, 2, 3)),
    "ces": (1, (3, 3, 2, 2, 1, 0, 0)),
    "nps": (0, (0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3)),
}
COMMENT_RATE = np.array([0.60, 0.45, 0.15, 0.25])  # per grade
INSERT_CHUNK = 20_000
GENERATOR_VERSION = "1"


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
    ``{"customers", "tickets", "surveys", "qa_reviews"}`` frames with the canonical columns.

    Raises
    ------
    ValueError
        ``customers`` or ``months`` below 1, or ``end`` after the current month.
    """
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be at least 1")
    report = progress or _ignore
    calendar = Calendar.build(months, end)
    rng = np.random.default_rng(seed)
    people = _people(rng, customers, calendar)
    simulation = Simulation(rng, people, calendar)
    contacts, nps = simulation.run(report)
    contacts = _settle(contacts, calendar.cutoff)
    ids = Ids(_prefixed("C", np.arange(1, customers + 1), 6), _prefixed("T", np.arange(1, len(contacts["created"]) + 1), 7))
    report(0.85, "writing ticket texts")
    tables = {
        "customers": _customer_table(rng, people, ids),
        "tickets": _ticket_table(rng, contacts, people, simulation.agents, ids),
    }
    report(0.93, "collecting survey answers")
    tables["surveys"] = _survey_table(rng, contacts, nps, people, calendar, ids)
    tables["qa_reviews"] = _qa_table(rng, contacts, ids)
    report(1.0, "demo data ready")
    return tables


def _ignore(fraction: float, message: str) -> None:
    """The progress callback used when none is given."""


@dataclass(frozen=True)
class Calendar:
    """The simulated months as epoch seconds, and the moment after which nothing is dated."""

    periods: pd.PeriodIndex
    bounds: np.ndarray  # start of every month, then the end of the last
    cutoff: float

    @classmethod
    def build(cls, months: int, end: str | pd.Period | None) -> Calendar:
        current = pd.Timestamp.now().to_period("M")
        last = current if end is None else _month(end)
        if last > current:
            raise ValueError(f"end {last} is after the current month {current}")
        periods = pd.period_range(end=last, periods=months, freq="M")
        starts = [p.start_time for p in periods] + [(last + 1).start_time]
        bounds = np.array([_epoch(t) for t in starts])
        return cls(periods, bounds, min(bounds[-1], _epoch(pd.Timestamp.now().normalize())))

    @property
    def start(self) -> float:
        return float(self.bounds[0])


def _month(end: str | pd.Period) -> pd.Period:
    return end.asfreq("M") if isinstance(end, pd.Period) else pd.Period(end, freq="M")


def _epoch(stamp: pd.Timestamp) -> float:
    return float(stamp.value // 10**9)


@dataclass
class People:
    """Customers as arrays, sorted by sign-up; ``referrer`` and ``churn`` fill in as time runs."""

    signup: np.ndarray  # epoch seconds
    segment: np.ndarray
    region: np.ndarray
    language: np.ndarray
    acquisition: np.ndarray
    disposition: np.ndarray  # latent, stable part of loyalty
    phase: np.ndarray  # month of the quarter in which they are invited to the NPS survey
    referrer: np.ndarray  # position of the referring customer, -1 if none
    churn: np.ndarray  # epoch seconds, NaN while active


def _people(rng: np.random.Generator, n: int, calendar: Calendar) -> People:
    existing = max(1, round(EXISTING_SHARE * n))
    years = 365.25 * DAY
    # survivors of earlier years: fewer the longer ago (truncated exponential, up to six years)
    age = -2.5 * years * np.log1p(-rng.random(existing) * (1 - np.exp(-6 / 2.5)))
    newcomers = calendar.start + (calendar.cutoff - calendar.start) * rng.random(n - existing) ** 0.8
    signup = np.sort(np.floor(np.concatenate([calendar.start - DAY - age, newcomers])))
    region = rng.choice(len(REGIONS), n, p=[r[1] for r in REGIONS])
    people = People(
        signup=signup,
        segment=rng.choice(len(SEGMENTS), n, p=[s.share for s in SEGMENTS]),
        region=region,
        language=np.array([LANGUAGES.index(r[2]) for r in REGIONS])[region],
        acquisition=rng.choice(len(ACQUISITION), n, p=[a[1] for a in ACQUISITION]),
        disposition=rng.normal(0.3, 1.0, n),
        phase=rng.integers(0, 3, n),
        referrer=np.full(n, -1),
        churn=np.full(n, np.nan),
    )
    # referrals within the existing base: an earlier customer, weighted by disposition
    if people.acquisition[0] == REFERRAL:
        people.acquisition[0] = 0
    pull = np.cumsum(np.exp(REFERRAL_PULL * people.disposition[:existing]))
    referred = np.flatnonzero(people.acquisition[:existing] == REFERRAL)
    target = rng.random(len(referred)) * pull[referred - 1]
    people.referrer[referred] = np.searchsorted(pull, target, side="right")
    return people


@dataclass(frozen=True)
class Agents:
    """Agents of every department, first line (level 0) and second line (level 1)."""

    skill: np.ndarray
    department: np.ndarray
    level: np.ndarray
    first: np.ndarray  # (department, level) -> position of its first agent
    count: np.ndarray  # (department, level) -> number of agents

    @classmethod
    def hire(cls, rng: np.random.Generator, customers: int) -> Agents:
        shares = np.array([sum(t.weight for t in THEMES if t.department == d.name) for d in DEPARTMENTS])
        monthly = customers * 0.7 * SEGMENTS[0].contacts * shares / shares.sum()
        total = np.maximum(np.ceil(monthly / 300), 4).astype(int)
        count = np.column_stack([total - np.maximum(total // 4, 1), np.maximum(total // 4, 1)])
        first = (np.cumsum(count.ravel()) - count.ravel()).reshape(count.shape)
        department = np.repeat(np.repeat(np.arange(len(DEPARTMENTS)), 2), count.ravel())
        level = np.repeat(np.tile([0, 1], len(DEPARTMENTS)), count.ravel())
        skill = rng.normal(0.0, 0.5, len(level)) + 0.3 * level
        return cls(skill, department, level, first, count)

    def pick(self, rng: np.random.Generator, department: np.ndarray, level: np.ndarray) -> np.ndarray:
        first, count = self.first[department, level], self.count[department, level]
        return first + (rng.random(len(department)) * count).astype(int)

    def names(self) -> np.ndarray:
        width = max(3, len(str(len(self.skill))))
        return _prefixed("Agent ", np.arange(1, len(self.skill) + 1), width)

    def teams(self) -> np.ndarray:
        labels = np.array([f"{d.name} L{level + 1}" for d in DEPARTMENTS for level in (0, 1)], dtype=object)
        return labels[self.department * 2 + self.level]


_THEME_DEPARTMENT = np.array([[d.name for d in DEPARTMENTS].index(t.department) for t in THEMES])
_THEME_COMPLAINT = logit(np.array([t.complaint for t in THEMES]))
_THEME_COMPLEXITY = np.array([t.complexity for t in THEMES])
_CHANNEL_CUMULATIVE = np.cumsum([d.channels for d in DEPARTMENTS], axis=1)
_HOUR_CUMULATIVE = np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()


class Simulation:
    """Runs the company month by month: contacts, their experience, NPS answers and churn."""

    def __init__(self, rng: np.random.Generator, people: People, calendar: Calendar) -> None:
        self.rng, self.people, self.calendar = rng, people, calendar
        n = len(people.signup)
        self.agents = Agents.hire(rng, n)
        self.experience = np.zeros(n)
        self.grievances = np.zeros((n, len(REASONS)))  # decayed reason weights per customer
        months = len(calendar.periods)
        season = SEASON[calendar.periods.month - 1]
        waves = np.column_stack(
            [t.wave.multiplier(months) if t.wave else np.ones(months) for t in THEMES]
        )
        base = np.array([t.weight for t in THEMES])
        self.theme_rates = season[:, None] * waves * base / base.sum()  # (month, theme)
        demand = np.column_stack(
            [self.theme_rates[:, _THEME_DEPARTMENT == d].sum(axis=1) for d in range(len(DEPARTMENTS))]
        )
        planned = (1 + 0.5 * (season - 1))[:, None] * np.array(
            [base[_THEME_DEPARTMENT == d].sum() / base.sum() for d in range(len(DEPARTMENTS))]
        )
        staffing = np.array([d.staffing for d in DEPARTMENTS]) * rng.lognormal(0, 0.07, demand.shape)
        self.pressure = demand / planned / staffing  # (month, department), 1 = as planned

    def loyalty(self, who: np.ndarray) -> np.ndarray:
        segment_bias = np.array([s.loyalty for s in SEGMENTS])[self.people.segment[who]]
        return self.people.disposition[who] + EXPERIENCE_WEIGHT * self.experience[who] + segment_bias

    def run(self, report: Progress) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Simulate every month; return the contacts and the NPS answers as column arrays."""
        contacts, answers = [], []
        months = len(self.calendar.periods)
        for m in range(months):
            start, stop = self.calendar.bounds[m], min(self.calendar.bounds[m + 1], self.calendar.cutoff)
            who = np.flatnonzero((self.people.signup < stop) & np.isnan(self.people.churn))
            since = np.maximum(start, self.people.signup[who])
            loyalty = self.loyalty(who)
            self._refer(who, loyalty, start)
            month = self._contacts(m, who, since, stop, loyalty)
            self._remember(month)
            loyalty = self.loyalty(who)
            answered = self._nps(m, who, since, stop, loyalty)
            self._churn(who, since, stop, loyalty, month, answered)
            contacts.append(month)
            answers.append(answered)
            report(0.8 * (m + 1) / months, f"simulated {self.calendar.periods[m]}")
        return _concat(contacts), _concat(answers)

    def _refer(self, who: np.ndarray, loyalty: np.ndarray, start: float) -> None:
        """Referred newcomers of the month name a current customer, loyal ones more often."""
        people = self.people
        new = who[(people.signup[who] >= start) & (people.acquisition[who] == REFERRAL) & (people.referrer[who] < 0)]
        earlier = people.signup[who] < start
        if not len(new):
            return
        if not earlier.any():
            people.acquisition[new] = 0
            return
        pull = np.exp(REFERRAL_PULL * loyalty[earlier])
        people.referrer[new] = self.rng.choice(who[earlier], len(new), p=pull / pull.sum())

    def _contacts(
        self, m: int, who: np.ndarray, since: np.ndarray, stop: float, loyalty: np.ndarray
    ) -> dict[str, np.ndarray]:
        rng, people = self.rng, self.people
        span = self.calendar.bounds[m + 1] - self.calendar.bounds[m]
        rate = (
            np.array([s.contacts for s in SEGMENTS])[people.segment[who]]
            * self.theme_rates[m].sum()
            * np.maximum(stop - since, 0) / span
            * np.exp(-0.25 * loyalty)
            * np.where(people.signup[who] >= self.calendar.bounds[m], 1.5, 1.0)  # onboarding
        )
        rows = np.repeat(np.arange(len(who)), rng.poisson(rate))
        n = len(rows)
        theme = rng.choice(len(THEMES), n, p=self.theme_rates[m] / self.theme_rates[m].sum())
        department = _THEME_DEPARTMENT[theme]
        complexity = _THEME_COMPLEXITY[theme]
        complaint = rng.random(n) < expit(_THEME_COMPLAINT[theme] - 0.5 * loyalty[rows])
        channel = _categorical(rng, _CHANNEL_CUMULATIVE[department])
        live = channel <= CHAT
        pressure = self.pressure[m, department] * rng.lognormal(0, 0.08, n)

        # queue: mostly short, a tail of minutes; callers give up after their patience runs out
        queue = np.where(
            rng.random(n) < np.minimum(0.04 * pressure**3, 0.3),
            rng.lognormal(np.log(75), 0.7, n),
            rng.exponential(9 * pressure**3),
        )
        patience = 20 + rng.exponential(np.where(channel == PHONE, 240.0, 300.0))
        abandoned = live & (queue > patience)
        wait = np.round(np.minimum(queue, patience))
        # written channels: reply in hours, a lognormal truncated at 2.4 sigma
        median = np.where(channel == EMAIL, 1.4 * pressure**3, 0.6 * pressure**2.5) * HOUR
        reply = np.round(median * np.exp(ndtri(rng.random(n) * ndtr(2.4))))
        first_reply = np.where(abandoned, np.nan, np.where(live, wait, reply))
        slow = np.where(
            live, np.log1p(np.maximum(wait - 30, 0) / 60), np.log1p(np.maximum(reply / HOUR - 2, 0) / 4)
        )

        transfers = np.where(abandoned, 0, np.minimum(rng.poisson(0.12 * complexity * pressure**2), 4))
        agent = self.agents.pick(rng, department, (transfers > 0).astype(int))
        skill = self.agents.skill[agent]
        solved = ~abandoned & (rng.random(n) < expit(3.0 + 0.6 * skill - 1.2 * (complexity - 1)))
        first_fix = solved & (
            rng.random(n)
            < expit(1.4 + 0.8 * skill - 1.5 * (complexity - 1) - 0.9 * transfers + np.where(live, 0.3, -0.2))
        )
        reopen_rate = 0.05 * complexity * np.exp(-0.7 * skill) * np.where(first_fix, 1.0, 2.5)
        reopens = np.where(solved, np.minimum(rng.poisson(reopen_rate), 3), 0)
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
            "customer": who[rows],
            "created": _moments(rng, since[rows], stop),
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

    def _remember(self, month: Mapping[str, np.ndarray]) -> None:
        """Fold the month's contacts into every customer's decaying experience."""
        n = len(self.experience)
        customer = month["customer"]
        self.experience = EXPERIENCE_DECAY * self.experience + np.bincount(
            customer, month["experience"], minlength=n
        )
        added = np.column_stack(
            [np.bincount(customer, column, minlength=n) for column in month["grievance"].T]
        )
        self.grievances = EXPERIENCE_DECAY * self.grievances + added

    def _nps(
        self, m: int, who: np.ndarray, since: np.ndarray, stop: float, loyalty: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The rolling quarterly relationship survey: a third of the customers are asked each month."""
        rng = self.rng
        asked = (self.people.phase[who] == m % 3) & (since < stop) & (rng.random(len(who)) < NPS_RATE)
        customer = who[asked]
        noise = rng.normal(0, 0.8, len(customer))
        return {
            "customer": customer,
            "at": _moments(rng, since[asked], stop),
            "score": np.searchsorted(NPS_CUTS, loyalty[asked] + noise),
            "grievance": self.grievances[customer],
        }

    def _churn(
        self,
        who: np.ndarray,
        since: np.ndarray,
        stop: float,
        loyalty: np.ndarray,
        contacts: Mapping[str, np.ndarray],
        answers: Mapping[str, np.ndarray],
    ) -> None:
        """Customers leave with a hazard that falls with loyalty, after their last activity."""
        people, rng = self.people, self.rng
        last = np.full(len(people.signup), -np.inf)
        np.maximum.at(last, contacts["customer"], contacts["created"])
        np.maximum.at(last, answers["customer"], answers["at"])
        floor = np.maximum(since, last[who] + HOUR)
        segment = np.array([s.churn for s in SEGMENTS])[people.segment[who]]
        share = np.maximum(stop - since, 0) / (self.calendar.bounds[1] - self.calendar.bounds[0])
        hazard = expit(CHURN_BASE + segment - CHURN_LOYALTY * loyalty) * share
        leaving = (rng.random(len(who)) < hazard) & (floor < stop)
        moment = floor + rng.random(len(who)) * (stop - floor)
        people.churn[who[leaving]] = np.floor(moment[leaving])


def _grievances(
    slow: np.ndarray,
    transfers: np.ndarray,
    reopens: np.ndarray,
    unsolved: np.ndarray,
    first_fix: np.ndarray,
    skill: np.ndarray,
) -> np.ndarray:
    """How strongly each of :data:`REASONS` applies to each contact (one column per reason)."""
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


def _concat(parts: Sequence[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _categorical(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows, options) matrix of cumulative probabilities."""
    drawn = (rng.random(len(cumulative))[:, None] > cumulative).sum(axis=1)
    return np.minimum(drawn, cumulative.shape[1] - 1)


def _weighted_choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows, options) matrix of non-negative weights."""
    cumulative = np.cumsum(weights, axis=1)
    return _categorical(rng, cumulative / cumulative[:, -1:])


def _moments(rng: np.random.Generator, since: np.ndarray, stop: float | np.ndarray) -> np.ndarray:
    """Whole epoch seconds in [since, stop), busier by day than by night."""
    since, stop = np.broadcast_arrays(np.asarray(since, float), np.asarray(stop, float))
    n = len(since)
    first_day = np.floor(since / DAY) * DAY
    days = np.ceil((stop - first_day) / DAY)
    hour = np.searchsorted(_HOUR_CUMULATIVE, rng.random(n))
    moment = first_day + np.floor(rng.random(n) * days) * DAY + (hour + rng.random(n)) * HOUR
    outside = (moment < since) | (moment >= stop)
    return np.floor(np.where(outside, since + rng.random(n) * (stop - since), moment))


# ---------------------------------------------------------------- text


class Phrases:
    """Template banks flattened into one list; picks a template per row and fills it, vectorised."""

    def __init__(self, banks: Sequence[Sequence[str]]) -> None:
        self.sizes = np.array([len(bank) for bank in banks])
        self.offsets = np.cumsum(self.sizes) - self.sizes
        self.parts = [list(string.Formatter().parse(t)) for bank in banks for t in bank]

    @classmethod
    def per_language(cls, banks: Sequence[Mapping[str, Sequence[str]]]) -> Phrases:
        """Banks indexed by ``bank * len(LANGUAGES) + language``."""
        return cls([bank[language] for bank in banks for language in LANGUAGES])

    def fill(self, rng: np.random.Generator, bank: np.ndarray, fields: Mapping[str, Field]) -> np.ndarray:
        """One filled template (object array of str) per row, from the row's bank."""
        chosen = self.offsets[bank] + (rng.random(len(bank)) * self.sizes[bank]).astype(int)
        out = np.empty(len(bank), dtype=object)
        order = np.argsort(chosen, kind="stable")
        templates, starts = np.unique(chosen[order], return_index=True)
        for template, rows in zip(templates, np.split(order, starts[1:]), strict=True):
            filled = np.full(len(rows), "", dtype=object)
            for literal, name, _, _ in self.parts[template]:
                filled = filled + literal
                if name:
                    filled = filled + fields[name](rows)
            out[rows] = filled
        return out


_SUBJECTS = Phrases.per_language([demo_text.SUBJECTS[t.key] for t in THEMES])
_BODIES = Phrases.per_language([demo_text.TEXTS[t.key] for t in THEMES])
_GREETINGS = Phrases.per_language([demo_text.GREETINGS])
_SIGN_OFFS = Phrases.per_language([demo_text.SIGN_OFFS])
_COMPLAINT_TAILS = Phrases.per_language([demo_text.COMPLAINT_TAILS])
_COMMENTS = Phrases.per_language([demo_text.COMMENTS[k] for k in COMMENT_KINDS])
_CONTACT_TAILS = Phrases.per_language([demo_text.CONTACT_TAILS])


def _text(values: np.ndarray) -> np.ndarray:
    return values.astype(str).astype(object)


def _prefixed(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return prefix + np.char.zfill(numbers.astype(str), width).astype(object)


def _pick(rng: np.random.Generator, options: Sequence[str], n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


def _ticket_fields(rng: np.random.Generator, n: int, month: np.ndarray) -> dict[str, Field]:
    """Values for the ticket templates' placeholders, drawn for every row up front."""
    order = rng.integers(1_000_000, 10_000_000, n)
    product = _pick(rng, demo_text.PRODUCTS, n)
    euros = np.round(rng.lognormal(np.log(60), 0.8, n), 2)
    days = rng.integers(5, 21, n)
    card = _digits(rng, n, 4)
    version = _text(4 + month // 12) + "." + _text(month % 12)
    return {
        "order": lambda rows: _text(order[rows]),
        "product": lambda rows: product[rows],
        "eur": lambda rows: np.char.mod("%.2f", euros[rows]).astype(object),
        "rub": lambda rows: _text((np.round(euros[rows] * 100, -1)).astype(int)),
        "days": lambda rows: _text(days[rows]),
        "card": lambda rows: card[rows],
        "version": lambda rows: version[rows],
    }


def _comment_fields(rng: np.random.Generator, language: np.ndarray) -> dict[str, Field]:
    """Values for the comment templates' placeholders (synthetic phone numbers and e-mails)."""
    n = len(language)
    english = language == LANGUAGES.index("en")
    uk = "+44 20 7946 0" + _digits(rng, n, 3)  # the UK's range reserved for drama
    ru = "+7 9" + _digits(rng, n, 2) + " " + _digits(rng, n, 3) + "-" + _digits(rng, n, 2) + "-" + _digits(rng, n, 2)
    names = {key: (_pick(rng, first, n), _pick(rng, last, n)) for key, (first, last) in demo_text.EMAIL_NAMES.items()}
    first = np.where(english, names["en"][0], names["ru"][0])
    last = np.where(english, names["en"][1], names["ru"][1])
    domain = _pick(rng, ("example.com", "example.org", "example.net"), n)
    email = first + "." + last + _digits(rng, n, 2) + "@" + domain
    phone = np.where(english, uk, ru)
    minutes = rng.integers(5, 21, n)
    product = _pick(rng, demo_text.PRODUCTS, n)
    return {
        "minutes": lambda rows: _text(minutes[rows]),
        "product": lambda rows: product[rows],
        "phone": lambda rows: phone[rows],
        "email": lambda rows: email[rows],
    }


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """``n`` random strings of ``width`` digits."""
    return np.char.zfill(rng.integers(0, 10**width, n).astype(str), width).astype(object)


# ---------------------------------------------------------------- tables


def _timestamps(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds (NaN for missing) as datetime64[ns] (NaT for missing)."""
    missing = np.isnan(seconds)
    ns = np.where(missing, 0, seconds).astype(np.int64) * 10**9
    return np.where(missing, np.iinfo(np.int64).min, ns).view("datetime64[ns]")


def _frame(name: str, columns: Mapping[str, object]) -> pd.DataFrame:
    """A frame with exactly the canonical columns of ``name``, in canonical order."""
    frame = pd.DataFrame({c: columns[c] for c in TABLES[name].column_names})
    text = frame.select_dtypes(include="object").columns
    frame[text] = frame[text].astype("str")
    return frame


def _customer_table(rng: np.random.Generator, people: People) -> pd.DataFrame:
    n = len(people.signup)
    width = max(6, len(str(n)))
    ids = _prefixed("C", np.arange(1, n + 1), width)
    revenue = np.array([s.revenue for s in SEGMENTS])[people.segment]
    revenue = np.round(revenue * rng.lognormal(0, 0.6, n) * np.exp(0.1 * people.disposition), 2)
    referrer = np.where(people.referrer >= 0, ids[np.maximum(people.referrer, 0)], None)
    return _frame(
        "customers",
        {
            "customer_id": ids,
            "signup_date": _timestamps(people.signup),
            "churn_date": _timestamps(people.churn),
            "segment": np.array([s.name for s in SEGMENTS], dtype=object)[people.segment],
            "region": np.array([r[0] for r in REGIONS], dtype=object)[people.region],
            "acquisition_channel": np.array([a[0] for a in ACQUISITION], dtype=object)[people.acquisition],
            "referred_by": referrer,
            "revenue": revenue,
            "email": "c" + np.char.zfill(np.arange(1, n + 1).astype(str), width).astype(object) + "@example.com",
        },
    )
