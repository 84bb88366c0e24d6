"""Invariants every metric function keeps, run the same way over all of them.

For each metric: the interval contains the value, ``n`` equals the number of valid inputs
(counted here independently of the code), empty input gives NaN with n = 0, the result is
deterministic, and the input is left unchanged. Random samples use the seed in the test id,
so a failure replays with the same data.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import astuple, dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis.loyalty import ces, csat, nps
from analysis.rates import churn_rate, count_of, proportion, rate_of
from analysis.results import Estimate

pytestmark = pytest.mark.filterwarnings(
    "ignore::analysis.results.SmallSampleWarning", "ignore::analysis.results.EmptyDataWarning"
)

SEEDS = (11, 2024, 31337)
JUNK: tuple[object, ...] = ("x", None, np.nan, 7.5, -1, 99, True)


@dataclass(frozen=True)
class Metric:
    """A metric function reduced to one argument, and how to count its valid inputs."""

    name: str
    compute: Callable[[Any], Estimate]
    count_valid: Callable[[Any], int]
    empty: Any
    empty_is_nan: bool = True


def _whole_in(low: int, high: int) -> Callable[[list], int]:
    """Count answers that are ints (not bools) within [low, high] — the exclusion rule."""

    def count(values: list) -> int:
        return sum(
            1 for v in values if isinstance(v, int) and not isinstance(v, bool) and low <= v <= high
        )

    return count


def _known_flags(flags: list) -> int:
    return sum(1 for flag in flags if flag is not None)


def _churn(table: tuple) -> Estimate:
    signup, churned = table
    return churn_rate(signup, churned, "2024-01-01", "2024-03-31")


def _customers_at_start(table: tuple) -> int:
    """Signed up before 2024-01-01 and not churned before it (ISO strings compare as dates)."""
    signup, churned = table
    return sum(
        1
        for s, c in zip(signup, churned, strict=True)
        if s is not None and s < "2024-01-01" and (c is None or c >= "2024-01-01")
    )


METRICS: tuple[Metric, ...] = (
    Metric("nps", nps, _whole_in(0, 10), []),
    Metric("csat.csi", lambda v: csat(v).csi(), _whole_in(1, 5), []),
    Metric("csat.share", lambda v: csat(v).csat_share(), _whole_in(1, 5), []),
    Metric("ces.mean", lambda v: ces(v).ces_mean(), _whole_in(1, 7), []),
    Metric("ces.low_effort", lambda v: ces(v).low_effort_share(), _whole_in(1, 7), []),
    Metric("proportion", lambda kn: proportion(*kn), lambda kn: kn[1], (0, 0)),
    Metric("rate_of", rate_of, _known_flags, []),
    Metric("churn_rate", _churn, _customers_at_start, ([], [])),
    # A count of zero events is an observed 0, not missing data (see rates.count_estimate).
    Metric("count_of", count_of, _known_flags, [], empty_is_nan=False),
)
BY_NAME = {metric.name: metric for metric in METRICS}


def _scores(seed: int, low: int, high: int) -> list:
    rng = np.random.default_rng(seed)
    values: list = [int(v) for v in rng.integers(low, high + 1, size=int(rng.integers(2, 400)))]
    values += [JUNK[i] for i in rng.integers(0, len(JUNK), size=5)]
    rng.shuffle(values)
    return values


def _flags(seed: int) -> list:
    rng = np.random.default_rng(seed)
    return [None if r < 0.1 else bool(r < 0.4) for r in rng.random(int(rng.integers(2, 300)))]


def _customers(seed: int) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2022-06-01", "2024-06-30", freq="D").strftime("%Y-%m-%d").tolist()
    signup: list = [days[i] for i in rng.integers(0, len(days) // 2, size=150)]
    churned: list = [
        None if rng.random() < 0.5 else max(s, days[int(rng.integers(0, len(days)))])
        for s in signup
    ]
    return signup, churned


def _samples(name: str) -> list[tuple[str, Any]]:
    """Fixed edge cases plus seeded random samples for metric ``name``."""
    ranges = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
    family = name.split(".")[0]
    if family in ranges:
        low, high = ranges[family]
        fixed = [
            ("all-lowest", [low] * 12),
            ("all-highest", [high] * 12),
            ("two-answers", [low, high]),
            ("mixed-junk", [high, "x", low, None, 7.5, high]),
        ]
        return fixed + [(f"seed={s}", _scores(s, low, high)) for s in SEEDS]
    if name == "proportion":
        return [("81/263", (81, 263)), ("0/10", (0, 10)), ("10/10", (10, 10)), ("1/1", (1, 1))]
    if name == "churn_rate":
        return [(f"seed={s}", _customers(s)) for s in SEEDS]
    return [("all-true", [True] * 5), ("all-false", [False] * 5)] + [
        (f"seed={s}", _flags(s)) for s in SEEDS
    ]


CASES = [
    pytest.param(metric.name, data, id=f"{metric.name}-{label}")
    for metric in METRICS
    for label, data in _samples(metric.name)
]


@pytest.mark.parametrize(("name", "data"), CASES)
def test_interval_contains_value(name: str, data: Any) -> None:
    estimate = BY_NAME[name].compute(data)
    assert estimate.ci_low <= estimate.value <= estimate.ci_high, estimate


@pytest.mark.parametrize(("name", "data"), CASES)
def test_n_matches_the_valid_inputs(name: str, data: Any) -> None:
    metric = BY_NAME[name]
    assert metric.compute(data).n == metric.count_valid(data)


@pytest.mark.parametrize(("name", "data"), CASES)
def test_result_is_deterministic_and_input_untouched(name: str, data: Any) -> None:
    metric = BY_NAME[name]
    before = copy.deepcopy(data)
    first, second = metric.compute(data), metric.compute(data)
    assert astuple(first) == astuple(second)
    assert repr(data) == repr(before)


@pytest.mark.parametrize(
    ("name", "data"), [case for case in CASES if isinstance(case.values[1], list)]
)
def test_series_input_gives_the_same_result(name: str, data: list) -> None:
    """A pandas Series (dtype as pandas 3 infers it, index not 0..n−1) reads like a list."""
    series = pd.Series(data, index=range(100, 100 + len(data)))
    metric = BY_NAME[name]
    assert astuple(metric.compute(series)) == astuple(metric.compute(data))


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.name)
def test_empty_input_gives_nan_with_n_zero(metric: Metric) -> None:
    estimate = metric.compute(metric.empty)
    assert estimate.n == 0
    if metric.empty_is_nan:
        assert math.isnan(estimate.value)
        assert estimate.warnings, "an empty estimate must say why it has no value"
    else:
        assert estimate.value == 0.0 and estimate.ci_low == 0.0 and estimate.ci_high > 0


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.name)
def test_every_metric_names_its_method(metric: Metric) -> None:
    data = _samples(metric.name)[0][1]
    estimate = metric.compute(data)
    assert isinstance(estimate, Estimate) and estimate.method and estimate.confidence == 0.95
