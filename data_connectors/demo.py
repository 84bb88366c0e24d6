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
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy.special import expit, logit, ndtr, ndtri

from data_connectors import demo_text
from data_connectors.dataset import DTYPES
from data_connectors.schema import TABLES
from data_connectors.sql_schema import canonical_metadata

Progress = Callable[[float, str], None]
Field = Callable[[np.ndarray], np.ndarray]

DAY = 86_400.0
HOUR = 3_600.0
LANGUAGES = ("en", "ru")
CHANNELS = ("phone", "chat", "email", "social")
PHONE, CHAT, EMAIL = 0, 1, 2
REASONS = (
    "long wait",
    "issue not resolved",
    "low expertise",
    "rude or unhelpful",
    "had to repeat myself",
    "too many transfers",
)
#: Reasons chosen regardless of what happened (added to the weights of what did happen).
REASON_BASELINE = np.array([0.3, 0.3, 0.15, 0.1, 0.15, 0.05])
COMMENT_KINDS = (*REASONS, "negative", "positive", "neutral", "suggestion")
QA_CRITERIA = ("greeting", "problem solving", "product knowledge", "tone and language")
SURVEY_KINDS = ("csat", "ces", "nps")
PRIORITIES = ("low", "normal", "high", "urgent")
URGENCY_CUTS = (-0.3, 0.9, 1.9)  # latent urgency between consecutive priorities

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
#: How customers were won, and the share of each.
ACQUISITION: tuple[tuple[str, float], ...] = (
    ("organic", 0.40),
    ("paid", 0.28),
    ("referral", 0.20),
    ("partner", 0.12),
)
ORGANIC, REFERRAL = 0, 2


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
ENTERPRISE = 2


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

    ``at`` and ``width`` are fractions of the period (so a period of any length has the wave);
    ``shape`` is "bump" (bell around ``at``), "spike" (jump at ``at``, decaying over ``width``)
    or "plateau" (from ``at`` for ``width``).
    """

    shape: str
    at: float
    width: float
    height: float

    def multiplier(self, months: int) -> np.ndarray:
        """Volume of the theme in each month relative to its base."""
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
    Theme("double_charge", "Billing", "Payments", 0.025, 0.70, 1.1,
          Wave("plateau", 0.74, 0.1, 4.0)),
    Theme("refund", "Billing", "Payments", 0.05, 0.15, 1.1),
    Theme("invoice", "Billing", "Invoices & documents", 0.055, 0.03, 0.9),
    Theme("subscription", "Billing", "Subscription", 0.06, 0.05, 0.9),
    Theme("payment_failed", "Billing", "Payments", 0.04, 0.12, 1.1),
    Theme("delivery_delay", "Delivery", "Delivery status", 0.06, 0.40, 1.0,
          Wave("bump", 0.35, 0.08, 2.5)),
    Theme("tracking", "Delivery", "Delivery status", 0.07, 0.03, 0.8),
    Theme("damaged_item", "Delivery", "Returns & damage", 0.03, 0.60, 1.2),
    Theme("address_change", "Delivery", "Delivery changes", 0.05, 0.02, 0.8),
    Theme("missed_courier", "Delivery", "Delivery status", 0.03, 0.45, 1.0),
    Theme("device_setup", "Technical support", "Device setup", 0.08, 0.03, 1.4),
    Theme("connectivity", "Technical support", "Connectivity", 0.06, 0.10, 1.5),
    Theme("outage", "Technical support", "Service outage", 0.012, 0.55, 1.3,
          Wave("spike", 0.15, 0.03, 5.0)),
    Theme("account_access", "Technical support", "Account & login", 0.05, 0.08, 1.0),
    Theme("upgrade", "Sales", "Upgrades", 0.045, 0.01, 0.9),
    Theme("pricing", "Sales", "Pricing", 0.045, 0.06, 0.8),
    Theme("promo_code", "Sales", "Promotions", 0.03, 0.15, 0.9),
    Theme("app_crash", "Mobile app", "App errors", 0.025, 0.45, 1.3,
          Wave("spike", 0.58, 0.08, 5.0)),  # a bad release
    Theme("app_login", "Mobile app", "Account & login", 0.035, 0.10, 1.1),
    Theme("app_feature", "Mobile app", "App feedback", 0.03, 0.03, 0.8),
    Theme("notifications", "Mobile app", "App errors", 0.02, 0.10, 1.0),
)  # fmt: skip
OUTAGE = [t.key for t in THEMES].index("outage")

#: Relative contact volume by calendar month (January first): a December peak, a summer lull.
SEASON = np.array([1.05, 0.95, 1.0, 0.95, 0.95, 0.9, 0.85, 0.9, 1.0, 1.05, 1.15, 1.3])
#: Relative chance that a contact arrives in each hour of the day.
HOUR_WEIGHTS = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.0, 4.5, 4.5,
     4.0, 4.2, 4.3, 4.2, 4.0, 3.8, 3.5, 3.0, 2.5, 2.0, 1.2, 0.6]
)  # fmt: skip
HANDLE_MEDIAN = np.array([300.0, 540.0, 360.0, 240.0])  # seconds, per channel
CONTACTS_PER_AGENT = 300  # per month, for sizing the teams

EXISTING_SHARE = 0.55  # customers signed up before the period
EXPERIENCE_DECAY = 0.8  # share of the accumulated experience kept from one month to the next
EXPERIENCE_WEIGHT = 0.45  # weight of accumulated experience in loyalty
REFERRAL_PULL = 1.0  # referrals per customer grow as exp(REFERRAL_PULL * loyalty)
CHURN_BASE, CHURN_LOYALTY = -4.3, 0.9  # monthly hazard: expit(base + segment - k * loyalty)
#: Latent thresholds between consecutive scores.
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
COMMENT_RATE = np.array([0.60, 0.45, 0.15, 0.25])  # share of answers with a comment, per grade
INSERT_CHUNK = 20_000
GENERATOR_VERSION = "1"

_THEME_WEIGHT = np.array([t.weight for t in THEMES])
_THEME_DEPARTMENT = np.array([[d.name for d in DEPARTMENTS].index(t.department) for t in THEMES])
_THEME_COMPLAINT = logit(np.array([t.complaint for t in THEMES]))
_THEME_COMPLEXITY = np.array([t.complexity for t in THEMES])
_CHANNEL_CUMULATIVE = np.cumsum([d.channels for d in DEPARTMENTS], axis=1)
_SEGMENT_CONTACTS = np.array([s.contacts for s in SEGMENTS])
_SEGMENT_LOYALTY = np.array([s.loyalty for s in SEGMENTS])
_SEGMENT_CHURN = np.array([s.churn for s in SEGMENTS])
_HOUR_CUMULATIVE = np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()


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
    report = progress or _ignore
    calendar = Calendar.build(months, end)
    rng = np.random.default_rng(seed)
    people = _people(rng, customers, calendar)
    simulation = Simulation(rng, people, calendar)
    contacts, nps = simulation.run(report)
    contacts = _settle(contacts, calendar.cutoff)
    ids = Ids(
        customers=_prefixed("C", np.arange(1, customers + 1), 6),
        tickets=_prefixed("T", np.arange(1, len(contacts["created"]) + 1), 7),
    )
    report(0.85, "writing ticket texts")
    tables = {
        "customers": _customer_table(rng, people, ids),
        "tickets": _ticket_table(rng, contacts, people, simulation.agents, ids),
    }
    report(0.93, "collecting survey answers")
    tables["surveys"] = _survey_table(rng, contacts, nps, people, calendar.cutoff, ids)
    tables["qa_reviews"] = _qa_table(rng, contacts, ids)
    report(1.0, "demo data ready")
    return tables


def _ignore(fraction: float, message: str) -> None:
    """The progress callback used when none is given."""


def _last_month(end: str | pd.Period | None) -> pd.Period:
    """The last month of a period ending at ``end`` (default: the current month).

    Raises ValueError when ``end`` is not a month or is after the current month.
    """
    current = pd.Timestamp.now().to_period("M")
    if end is None:
        return current
    last = end.asfreq("M") if isinstance(end, pd.Period) else pd.Period(end, freq="M")
    if last > current:
        raise ValueError(f"end {last} is after the current month {current}")
    return last


@dataclass(frozen=True)
class Calendar:
    """The simulated months as epoch seconds, and the moment after which nothing is dated."""

    periods: pd.PeriodIndex
    bounds: np.ndarray  # start of every month, then the end of the last
    cutoff: float  # end of the last month, or the start of today if that is earlier

    @classmethod
    def build(cls, months: int, end: str | pd.Period | None) -> Calendar:
        last = _last_month(end)
        periods = pd.period_range(end=last, periods=months, freq="M")
        starts = [p.start_time for p in periods] + [(last + 1).start_time]
        bounds = np.array([_epoch(t) for t in starts])
        return cls(periods, bounds, min(bounds[-1], _epoch(pd.Timestamp.now().normalize())))


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
    """The existing base (signed up over the six years before) and the newcomers of the period."""
    existing = max(1, round(EXISTING_SHARE * n))
    start, years = calendar.bounds[0], 365.25 * DAY
    # survivors of earlier years: fewer the longer ago (truncated exponential)
    age = -2.5 * years * np.log1p(-rng.random(existing) * (1 - np.exp(-6 / 2.5)))
    newcomers = start + (calendar.cutoff - start) * rng.random(n - existing) ** 0.8  # growing
    signup = np.sort(np.floor(np.concatenate([start - DAY - age, newcomers])))
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
        people.acquisition[0] = ORGANIC
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
        """Teams sized for the expected volume: a quarter of each department is second line."""
        rate = sum(s.share * s.contacts for s in SEGMENTS)
        monthly = (
            customers * rate * np.bincount(_THEME_DEPARTMENT, _THEME_WEIGHT / _THEME_WEIGHT.sum())
        )
        total = np.maximum(np.ceil(monthly / CONTACTS_PER_AGENT), 4).astype(int)
        second = np.maximum(total // 4, 1)
        count = np.column_stack([total - second, second])
        first = (np.cumsum(count.ravel()) - count.ravel()).reshape(count.shape)
        department = np.repeat(np.arange(len(DEPARTMENTS)), total)
        level = np.repeat(np.tile([0, 1], len(DEPARTMENTS)), count.ravel())
        skill = rng.normal(0.0, 0.5, len(level)) + 0.3 * level
        return cls(skill, department, level, first, count)

    def pick(
        self, rng: np.random.Generator, department: np.ndarray, level: np.ndarray
    ) -> np.ndarray:
        """A random agent of the given department and level, per contact."""
        first, count = self.first[department, level], self.count[department, level]
        return first + (rng.random(len(department)) * count).astype(int)

    def names(self) -> np.ndarray:
        return _prefixed("Agent ", np.arange(1, len(self.skill) + 1), 3)

    def teams(self) -> np.ndarray:
        labels = [f"{d.name} L{level + 1}" for d in DEPARTMENTS for level in (0, 1)]
        return _labels(labels, self.department * 2 + self.level)


@dataclass(frozen=True)
class Month:
    """One simulated month: its active customers and how much of the month each was one."""

    index: int
    start: float
    stop: float  # end of the month, or the cut-off
    who: np.ndarray  # positions of the customers active in the month
    since: np.ndarray  # per active customer: start of the month or their sign-up
    exposure: np.ndarray  # per active customer: share of the month they were a customer


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
        base = _THEME_WEIGHT / _THEME_WEIGHT.sum()
        self.theme_rates = season[:, None] * waves * base  # (month, theme)
        in_department = np.eye(len(DEPARTMENTS))[_THEME_DEPARTMENT]  # (theme, department)
        demand = self.theme_rates @ in_department
        # planners staff for half of the seasonal swing and none of the waves
        planned = (1 + 0.5 * (season - 1))[:, None] * (base @ in_department)
        staffing = np.array([d.staffing for d in DEPARTMENTS])
        staffing = staffing * rng.lognormal(0, 0.07, demand.shape)  # holidays, sick leave
        self.pressure = demand / planned / staffing  # (month, department), 1 = as planned

    def loyalty(self, who: np.ndarray) -> np.ndarray:
        bias = _SEGMENT_LOYALTY[self.people.segment[who]]
        return self.people.disposition[who] + EXPERIENCE_WEIGHT * self.experience[who] + bias

    def run(self, report: Progress) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Simulate every month; return the contacts and the NPS answers as column arrays."""
        contacts, answers = [], []
        bounds, cutoff = self.calendar.bounds, self.calendar.cutoff
        total = len(self.calendar.periods)
        for m in range(total):
            start, stop = bounds[m], min(bounds[m + 1], cutoff)
            who = np.flatnonzero((self.people.signup < stop) & np.isnan(self.people.churn))
            since = np.maximum(start, self.people.signup[who])
            month = Month(m, start, stop, who, since, (stop - since) / (bounds[m + 1] - start))
            loyalty = self.loyalty(who)
            self._refer(month, loyalty)
            contacts.append(self._contacts(month, loyalty))
            self._remember(contacts[-1])
            loyalty = self.loyalty(who)
            answers.append(self._nps(month, loyalty))
            self._churn(month, loyalty, contacts[-1], answers[-1])
            report(0.8 * (m + 1) / total, f"simulated {self.calendar.periods[m]}")
        return _concat(contacts), _concat(answers)

    def _refer(self, month: Month, loyalty: np.ndarray) -> None:
        """Referred newcomers of the month name a current customer, loyal ones more often."""
        people, who = self.people, month.who
        newcomer = people.signup[who] >= month.start
        new = who[newcomer & (people.acquisition[who] == REFERRAL) & (people.referrer[who] < 0)]
        if not len(new):
            return
        if newcomer.all():
            people.acquisition[new] = ORGANIC
            return
        pull = np.exp(REFERRAL_PULL * loyalty[~newcomer])
        people.referrer[new] = self.rng.choice(who[~newcomer], len(new), p=pull / pull.sum())

    def _contacts(self, month: Month, loyalty: np.ndarray) -> dict[str, np.ndarray]:
        """The month's contacts: what they are about, how they were served, what it left."""
        rng, people, m = self.rng, self.people, month.index
        rate = (
            _SEGMENT_CONTACTS[people.segment[month.who]]
            * self.theme_rates[m].sum()
            * month.exposure
            * np.exp(-0.25 * loyalty)  # unhappy customers get in touch more
            * np.where(people.signup[month.who] >= month.start, 1.5, 1.0)  # onboarding
        )
        rows = np.repeat(np.arange(len(month.who)), rng.poisson(rate))
        n = len(rows)
        theme = rng.choice(len(THEMES), n, p=self.theme_rates[m] / self.theme_rates[m].sum())
        department = _THEME_DEPARTMENT[theme]
        complexity = _THEME_COMPLEXITY[theme]
        complaint = rng.random(n) < expit(_THEME_COMPLAINT[theme] - 0.5 * loyalty[rows])
        channel = _categorical(rng, _CHANNEL_CUMULATIVE[department])
        live = channel <= CHAT
        pressure = self.pressure[m, department] * rng.lognormal(0, 0.08, n)  # busy days

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
        agent = self.agents.pick(rng, department, (transfers > 0).astype(int))
        skill = self.agents.skill[agent]
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
            "created": _moments(rng, month.since[rows], month.stop),
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

    def _remember(self, contacts: Mapping[str, np.ndarray]) -> None:
        """Fold the month's contacts into every customer's decaying experience and grievances."""
        n, customer = len(self.experience), contacts["customer"]
        added = np.bincount(customer, contacts["experience"], minlength=n)
        self.experience = EXPERIENCE_DECAY * self.experience + added
        grievances = [np.bincount(customer, g, minlength=n) for g in contacts["grievance"].T]
        self.grievances = EXPERIENCE_DECAY * self.grievances + np.column_stack(grievances)

    def _nps(self, month: Month, loyalty: np.ndarray) -> dict[str, np.ndarray]:
        """The rolling quarterly relationship survey: each month a third of the base is asked."""
        rng, who = self.rng, month.who
        invited = (self.people.phase[who] == month.index % 3) & (month.exposure > 0)
        asked = invited & (rng.random(len(who)) < NPS_RATE)
        customer = who[asked]
        noise = rng.normal(0, 0.8, len(customer))
        return {
            "customer": customer,
            "at": _moments(rng, month.since[asked], month.stop),
            "score": np.searchsorted(NPS_CUTS, loyalty[asked] + noise),
            "grievance": self.grievances[customer],
        }

    def _churn(
        self,
        month: Month,
        loyalty: np.ndarray,
        contacts: Mapping[str, np.ndarray],
        answers: Mapping[str, np.ndarray],
    ) -> None:
        """Customers leave with a hazard that falls with loyalty, after their last activity."""
        people, rng, who = self.people, self.rng, month.who
        last = np.full(len(people.signup), -np.inf)
        np.maximum.at(last, contacts["customer"], contacts["created"])
        np.maximum.at(last, answers["customer"], answers["at"])
        floor = np.maximum(month.since, last[who] + HOUR)
        logit_hazard = CHURN_BASE + _SEGMENT_CHURN[people.segment[who]] - CHURN_LOYALTY * loyalty
        leaving = (rng.random(len(who)) < expit(logit_hazard) * month.exposure) & (
            floor < month.stop
        )
        moment = floor + rng.random(len(who)) * (month.stop - floor)
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

    def fill(
        self, rng: np.random.Generator, bank: np.ndarray, fields: Mapping[str, Field]
    ) -> np.ndarray:
        """One filled template (object array of str) per row, from the row's bank."""
        chosen = self.offsets[bank] + (rng.random(len(bank)) * self.sizes[bank]).astype(int)
        out = np.empty(len(bank), dtype=object)
        if not len(bank):
            return out
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
    """``prefix`` + each number padded with zeros to ``width`` digits (object array of str)."""
    padded = pd.Series(numbers, dtype="int64").astype("str").str.zfill(width)
    return prefix + padded.to_numpy(object)


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
    ru = pd.Series(_digits(rng, n, 9)).str.replace(
        r"(\d{2})(\d{3})(\d{2})(\d{2})", r"+7 9\1 \2-\3-\4", regex=True
    )
    names = {
        lang: [_pick(rng, options, n) for options in demo_text.EMAIL_NAMES[lang]]
        for lang in LANGUAGES
    }
    first = np.where(english, names["en"][0], names["ru"][0])
    last = np.where(english, names["en"][1], names["ru"][1])
    domain = _pick(rng, ("example.com", "example.org", "example.net"), n)
    email = first + "." + last + _digits(rng, n, 2) + "@" + domain
    phone = np.where(english, uk, ru.to_numpy(object))
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
    return _prefixed("", rng.integers(0, 10**width, n), width)


# ---------------------------------------------------------------- tables


def _timestamps(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds (NaN for missing) as datetime64[ns] (NaT for missing)."""
    missing = np.isnan(seconds)
    ns = np.where(missing, 0, seconds).astype(np.int64) * 10**9
    return np.where(missing, np.iinfo(np.int64).min, ns).view("datetime64[ns]")


def _frame(name: str, columns: Mapping[str, object]) -> pd.DataFrame:
    """A frame with exactly the canonical columns of ``name``, in canonical order and dtypes."""
    frame = pd.DataFrame({c: columns[c] for c in TABLES[name].column_names})
    return frame.astype({column.name: DTYPES[column.kind] for column in TABLES[name].columns})


@dataclass(frozen=True)
class Ids:
    """Identifiers of the customers and contacts, by position."""

    customers: np.ndarray
    tickets: np.ndarray


def _customer_table(rng: np.random.Generator, people: People, ids: Ids) -> pd.DataFrame:
    """One row per customer; revenue by segment, a little higher for the well disposed."""
    n = len(people.signup)
    revenue = np.array([s.revenue for s in SEGMENTS])[people.segment]
    revenue = np.round(revenue * rng.lognormal(0, 0.6, n) * np.exp(0.1 * people.disposition), 2)
    return _frame(
        "customers",
        {
            "customer_id": ids.customers,
            "signup_date": _timestamps(people.signup),
            "churn_date": _timestamps(people.churn),
            "segment": _labels([s.name for s in SEGMENTS], people.segment),
            "region": _labels([r[0] for r in REGIONS], people.region),
            "acquisition_channel": _labels([a[0] for a in ACQUISITION], people.acquisition),
            "referred_by": _labels(ids.customers, people.referrer),
            "revenue": revenue,
            "email": _prefixed("c", np.arange(1, n + 1), 6) + "@example.com",
        },
    )


def _labels(names: Sequence[str], codes: np.ndarray) -> np.ndarray:
    """``names[code]`` per code, None where the code is -1 (object array)."""
    return np.append(np.array(names, dtype=object), None)[codes]


def _settle(contacts: Mapping[str, np.ndarray], cutoff: float) -> dict[str, np.ndarray]:
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
    bank = theme * len(LANGUAGES) + language
    fields = _ticket_fields(rng, n, contacts["month"])
    text = (
        _GREETINGS.fill(rng, language, fields)
        + _BODIES.fill(rng, bank, fields)
        + np.where(complaint, _COMPLAINT_TAILS.fill(rng, language, fields), "")
        + _SIGN_OFFS.fill(rng, language, fields)
    )
    urgency = (
        complaint
        + 0.8 * (people.segment[contacts["customer"]] == ENTERPRISE)
        + 1.5 * (theme == OUTAGE)
        + rng.normal(0, 0.5, n)
    )
    settled = np.isin(status, ["abandoned", "resolved", "closed"])
    fixed = contacts["first_fix"] & (transfers == 0) & (contacts["reopens"] == 0)
    return _frame(
        "tickets",
        {
            "ticket_id": ids.tickets,
            "customer_id": ids.customers[contacts["customer"]],
            "created_at": _timestamps(contacts["created"]),
            "channel": _labels(CHANNELS, contacts["channel"]),
            "department": _labels([d.name for d in DEPARTMENTS], _THEME_DEPARTMENT[theme]),
            "category": _labels([t.category for t in THEMES], theme),
            "subject": _SUBJECTS.fill(rng, bank, fields),
            "text": text,
            "is_complaint": complaint,
            "agent": agents.names()[contacts["agent"]],
            "team": agents.teams()[contacts["agent"]],
            "priority": _labels(PRIORITIES, np.searchsorted(URGENCY_CUTS, urgency)),
            "first_response_at": _timestamps(contacts["first_response"]),
            "resolved_at": _timestamps(contacts["resolved"]),
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


def _survey_table(
    rng: np.random.Generator,
    contacts: Mapping[str, np.ndarray],
    nps: Mapping[str, np.ndarray],
    people: People,
    cutoff: float,
    ids: Ids,
) -> pd.DataFrame:
    """Transactional CSAT and CES answers after resolved contacts, and the NPS answers."""
    n = len(contacts["created"])
    resolved = ~np.isnan(contacts["resolved"])
    csat = np.flatnonzero(resolved & (rng.random(n) < CSAT_RATE))
    ces = np.flatnonzero(resolved & (rng.random(n) < CES_RATE))
    satisfaction = (
        contacts["experience"][csat]
        + 0.35 * contacts["loyalty"][csat]
        + rng.normal(0, 0.6, len(csat))
    )
    c = {key: values[ces] for key, values in contacts.items()}
    effort = (
        0.6 * c["transfers"] + 0.7 * c["reopens"] + 0.6 * c["slow"] + 0.5 * (c["channel"] == EMAIL)
        + 0.5 * (c["complexity"] - 1) - 0.3 * c["skill"] - 0.2 * c["loyalty"]
        + rng.normal(0, 0.8, len(ces))
    )  # fmt: skip
    rows = np.concatenate([csat, ces])
    delay = np.floor(rng.lognormal(np.log(3 * HOUR), 1.2, len(rows)))
    at = np.concatenate([contacts["resolved"][rows] + delay, nps["at"]])
    order = np.flatnonzero(at <= cutoff)
    order = order[np.argsort(at[order], kind="stable")]
    at = at[order]
    customer = np.concatenate([contacts["customer"][rows], nps["customer"]])[order]
    ticket = np.concatenate([rows, np.full(len(nps["customer"]), -1)])[order]
    kind = np.repeat([0, 1, 2], [len(csat), len(ces), len(nps["customer"])])[order]
    score = np.concatenate(
        [
            1 + np.searchsorted(CSAT_CUTS, satisfaction),
            1 + np.searchsorted(CES_CUTS, effort),
            nps["score"],
        ]
    )[order]
    grievance = np.concatenate([contacts["grievance"][rows], nps["grievance"]])[order]

    m = len(order)
    grade = _grade(kind, score)
    chosen = _weighted_choice(rng, grievance + REASON_BASELINE)
    reason = np.where((grade <= 1) & (rng.random(m) < 0.85), chosen, -1)
    callback = (grade == 0) & (rng.random(m) < 0.4)
    comment = _comments(rng, grade, reason, callback, people.language[customer])
    return _frame(
        "surveys",
        {
            "response_id": _prefixed("R", np.arange(1, m + 1), 7),
            "customer_id": ids.customers[customer],
            "ticket_id": _labels(ids.tickets, ticket),
            "responded_at": _timestamps(at),
            "survey_type": _labels(SURVEY_KINDS, kind),
            "score": score,
            "comment": comment,
            "reason": _labels(REASONS, reason),
            "callback_requested": callback,
        },
    )


def _grade(kind: np.ndarray, score: np.ndarray) -> np.ndarray:
    """0 very low, 1 low, 2 middle, 3 high, per survey kind (for CES, low effort is high)."""
    tables = [GRADES[k][1] for k in SURVEY_KINDS]
    offsets = np.cumsum([len(t) for t in tables]) - [len(t) for t in tables]
    lowest = np.array([GRADES[k][0] for k in SURVEY_KINDS])
    return np.concatenate(tables)[offsets[kind] + score - lowest[kind]]


def _comments(
    rng: np.random.Generator,
    grade: np.ndarray,
    reason: np.ndarray,
    callback: np.ndarray,
    language: np.ndarray,
) -> np.ndarray:
    """Free-text comments on some answers: the reason, praise, suggestions, contact details."""
    n = len(grade)
    written = rng.random(n) < COMMENT_RATE[grade]
    suggest = rng.random(n)
    kind = np.select(
        [grade == 3, grade == 2, reason >= 0],
        [
            np.where(
                suggest < 0.2, COMMENT_KINDS.index("suggestion"), COMMENT_KINDS.index("positive")
            ),
            np.where(
                suggest < 0.4, COMMENT_KINDS.index("suggestion"), COMMENT_KINDS.index("neutral")
            ),
            np.where(suggest < 0.8, reason, COMMENT_KINDS.index("suggestion")),
        ],
        np.where(suggest < 0.2, COMMENT_KINDS.index("suggestion"), COMMENT_KINDS.index("negative")),
    )
    fields = _comment_fields(rng, language)
    contact = rng.random(n) < np.where(callback, 0.25, 0.03)
    text = _COMMENTS.fill(rng, kind * len(LANGUAGES) + language, fields) + np.where(
        contact, _CONTACT_TAILS.fill(rng, language, fields), ""
    )
    return np.where(written, text, None)


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
    return _frame(
        "qa_reviews",
        {
            "ticket_id": np.repeat(ids.tickets[rows], len(QA_CRITERIA)),
            "criterion": np.tile(np.array(QA_CRITERIA, dtype=object), len(rows)),
            "score": score.ravel(),
        },
    )


# ---------------------------------------------------------------- database

DEMO_INFO = sa.Table(
    "demo_info",
    sa.MetaData(),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)


def build_database(
    path: str | os.PathLike[str],
    customers: int = 8000,
    months: int = 24,
    end: str | pd.Period | None = None,
    seed: int = 7,
    progress: Progress | None = None,
) -> Path:
    """Generate the demo helpdesk and write it to the SQLite file ``path``; return the path.

    The canonical tables are created from :func:`~data_connectors.sql_schema.canonical_metadata`
    and filled in chunks, plus ``demo_info`` (key, value) with the parameters, the row counts and
    the build time. The file is built beside the target and moved into place only when complete,
    so a reader never sees a half-written database. Arguments as for :func:`generate`.
    """
    started = time.perf_counter()
    report = progress or _ignore
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tables = generate(
        customers, months, end, seed, lambda done, message: report(0.4 * done, message)
    )
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        engine = sa.create_engine(sa.URL.create("sqlite", database=str(temporary)))
        sa.event.listen(engine, "connect", _fast_writes)
        try:
            with engine.begin() as connection:
                _write_tables(
                    connection, tables, lambda done, message: report(0.4 + 0.59 * done, message)
                )
                info = {
                    "generator_version": GENERATOR_VERSION,
                    "customers": str(customers),
                    "months": str(months),
                    "end": str(_last_month(end)),
                    "seed": str(seed),
                    **{f"rows.{name}": str(len(frame)) for name, frame in tables.items()},
                    "built_at": pd.Timestamp.now().isoformat(timespec="seconds"),
                    "build_seconds": f"{time.perf_counter() - started:.1f}",
                }
                DEMO_INFO.create(connection)
                connection.execute(
                    sa.insert(DEMO_INFO), [{"key": k, "value": v} for k, v in info.items()]
                )
        finally:
            engine.dispose()
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    report(1.0, f"demo database written to {target}")
    return target


def _fast_writes(dbapi_connection: object, _record: object) -> None:
    """No journal and no fsync: safe here because an unfinished file is never moved into place."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode = OFF")
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


def _write_tables(
    connection: sa.Connection, tables: Mapping[str, pd.DataFrame], report: Progress
) -> None:
    """Create the canonical tables and insert the frames in chunks; index them afterwards."""
    metadata = canonical_metadata()
    total, done = sum(len(frame) for frame in tables.values()), 0
    for name, frame in tables.items():
        table = metadata.tables[name]
        connection.execute(sa.schema.CreateTable(table))
        for start in range(0, len(frame), INSERT_CHUNK):
            chunk = frame.iloc[start : start + INSERT_CHUNK]
            connection.execute(sa.insert(table), _records(chunk))
            done += len(chunk)
            report(done / total, f"writing {name}: {done:,} of {total:,} rows")
    report(1.0, "indexing")
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(connection)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts of plain Python values, None for missing (what the DB-API expects).

    Built column by column and zipped: twice as fast as ``DataFrame.to_dict("records")``.
    """
    columns = []
    for name in frame.columns:
        series = frame[name]
        values = series.dt.to_pydatetime() if series.dtype.kind == "M" else series.to_numpy(object)
        columns.append(np.where(series.isna().to_numpy(), None, values).tolist())
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def read_info(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``demo_info`` entries of a demo database."""
    engine = sa.create_engine(sa.URL.create("sqlite", database=str(path)))
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.select(DEMO_INFO.c.key, DEMO_INFO.c.value)).all()
    finally:
        engine.dispose()
    return dict(rows)


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m data_connectors.demo``: build a demo database, print progress and row counts."""
    parser = argparse.ArgumentParser(
        prog="python -m data_connectors.demo",
        description="Build the demo helpdesk SQLite database.",
    )
    parser.add_argument("--customers", type=int, default=8000, help="number of customers (8000)")
    parser.add_argument("--months", type=int, default=24, help="length of the period (24)")
    parser.add_argument("--out", type=Path, required=True, help="SQLite file to write")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument("--end", help="last month, YYYY-MM (default: the current month)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        path = build_database(
            args.out, args.customers, args.months, args.end, args.seed, _print_progress
        )
    except ValueError as error:
        parser.error(str(error))
    info = read_info(path)
    for name in TABLES:
        print(f"{name:<12} {int(info[f'rows.{name}']):>12,} rows")
    print(f"built {path} in {time.perf_counter() - started:.1f} s")
    return 0


def _print_progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
