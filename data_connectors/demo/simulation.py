"""The demo company run month by month: contacts, the experience they leave, loyalty and churn.

Loyalty = latent disposition + segment bias + accumulated experience, where every contact adds
its experience (worse when the wait is long, the contact is transferred, reopened, abandoned or
never solved, better with a skilled agent) and the sum decays from one month to the next.
Loyalty drives how often a customer gets in touch and complains, the NPS answers, the monthly
churn hazard and how likely a customer is to be named by referred newcomers. All randomness
comes from the one generator passed in, in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy.special import expit

from data_connectors.demo.agents import Agents
from data_connectors.demo.calendar import HOUR, Calendar, Month
from data_connectors.demo.company import ORGANIC, REASONS, REFERRAL, SEGMENTS
from data_connectors.demo.contacts import Workload, month_contacts
from data_connectors.demo.people import REFERRAL_PULL, People
from data_connectors.demo.surveys import nps_answers

Progress = Callable[[float, str], None]

EXPERIENCE_DECAY = 0.8  # share of the accumulated experience kept from one month to the next
EXPERIENCE_WEIGHT = 0.45  # weight of accumulated experience in loyalty
CHURN_BASE, CHURN_LOYALTY = -4.3, 0.9  # monthly hazard: expit(base + segment - k * loyalty)

_SEGMENT_LOYALTY = np.array([s.loyalty for s in SEGMENTS])
_SEGMENT_CHURN = np.array([s.churn for s in SEGMENTS])


def no_progress(fraction: float, message: str) -> None:
    """The progress callback used when none is given."""


class Simulation:
    """Runs the company month by month: contacts, their experience, NPS answers and churn."""

    def __init__(self, rng: np.random.Generator, people: People, calendar: Calendar) -> None:
        self.rng, self.people, self.calendar = rng, people, calendar
        n = len(people.signup)
        self.agents = Agents.hire(rng, n)
        self.experience = np.zeros(n)
        self.grievances = np.zeros((n, len(REASONS)))  # decayed reason weights per customer
        self.workload = Workload.plan(rng, calendar)

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
            contacts.append(
                month_contacts(self.rng, month, loyalty, self.people, self.workload, self.agents)
            )
            self._remember(contacts[-1])
            loyalty = self.loyalty(who)
            answers.append(nps_answers(self.rng, month, loyalty, self.people, self.grievances))
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

    def _remember(self, contacts: Mapping[str, np.ndarray]) -> None:
        """Fold the month's contacts into every customer's decaying experience and grievances."""
        n, customer = len(self.experience), contacts["customer"]
        added = np.bincount(customer, contacts["experience"], minlength=n)
        self.experience = EXPERIENCE_DECAY * self.experience + added
        grievances = [np.bincount(customer, g, minlength=n) for g in contacts["grievance"].T]
        self.grievances = EXPERIENCE_DECAY * self.grievances + np.column_stack(grievances)

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


def _concat(parts: Sequence[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
