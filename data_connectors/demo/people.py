"""The customers of the demo company and their latent disposition.

:func:`draw_people` signs up the existing base (over the six years before the period, fewer the
longer ago) and the newcomers of the period, and gives every customer a segment, region,
language, acquisition channel, a stable latent disposition (the fixed part of loyalty) and the
month of the quarter in which they are invited to the NPS survey. Referrals within the existing
base name an earlier customer, the better disposed more often; later referrers and churn dates
are filled in by the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_connectors.demo.calendar import DAY, Calendar
from data_connectors.demo.company import (
    ACQUISITION,
    LANGUAGES,
    ORGANIC,
    REFERRAL,
    REGIONS,
    SEGMENTS,
)

EXISTING_SHARE = 0.55  # customers signed up before the period
REFERRAL_PULL = 1.0  # referrals per customer grow as exp(REFERRAL_PULL * loyalty)


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


def draw_people(rng: np.random.Generator, n: int, calendar: Calendar) -> People:
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
