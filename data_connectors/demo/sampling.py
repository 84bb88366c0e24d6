"""Vectorised random draws of the demo helpdesk: one categorical draw per row, and moments.

Every function takes the simulation's one ``numpy.random.Generator`` and draws for all rows at
once: a category per row of a matrix of cumulative probabilities or of weights, and whole epoch
seconds in an interval, busier by day than by night (:data:`HOUR_WEIGHTS`).
"""

from __future__ import annotations

import numpy as np

from data_connectors.demo.calendar import DAY, HOUR

#: Relative chance that a contact arrives in each hour of the day.
HOUR_WEIGHTS = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.0, 4.5, 4.5,
     4.0, 4.2, 4.3, 4.2, 4.0, 3.8, 3.5, 3.0, 2.5, 2.0, 1.2, 0.6]
)  # fmt: skip
_HOUR_CUMULATIVE = np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()


def categorical(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows, options) matrix of cumulative probabilities."""
    drawn = (rng.random(len(cumulative))[:, None] > cumulative).sum(axis=1)
    return np.minimum(drawn, cumulative.shape[1] - 1)


def weighted_choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows, options) matrix of non-negative weights."""
    cumulative = np.cumsum(weights, axis=1)
    return categorical(rng, cumulative / cumulative[:, -1:])


def moments(rng: np.random.Generator, since: np.ndarray, stop: float | np.ndarray) -> np.ndarray:
    """Whole epoch seconds in [since, stop), busier by day than by night."""
    since, stop = np.broadcast_arrays(np.asarray(since, float), np.asarray(stop, float))
    n = len(since)
    first_day = np.floor(since / DAY) * DAY
    days = np.ceil((stop - first_day) / DAY)
    hour = np.searchsorted(_HOUR_CUMULATIVE, rng.random(n))
    moment = first_day + np.floor(rng.random(n) * days) * DAY + (hour + rng.random(n)) * HOUR
    outside = (moment < since) | (moment >= stop)
    return np.floor(np.where(outside, since + rng.random(n) * (stop - since), moment))
