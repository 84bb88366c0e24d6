"""Registry of metric definitions: the one source of every on-screen definition text.

Ranges, thresholds and interval-method names are the constants the metric functions use
(:mod:`analysis.loyalty`, :mod:`analysis.rates`), so the text cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analysis.loyalty import (
    CES_RANGE,
    CSAT_RANGE,
    LOW_EFFORT_MAX,
    MEAN_METHOD,
    NPS_METHOD,
    NPS_RANGE,
    PASSIVE_MIN,
    PROMOTER_MIN,
    SATISFIED_MIN,
)
from analysis.rates import DEFAULT_CONFIDENCE, GARWOOD_METHOD, WILSON_METHOD
from analysis.results import Estimate

Unit = Literal["points", "percent", "score", "count"]


@dataclass(frozen=True)
class MetricDefinition:
    """What a metric means and how it is computed, as shown beside it on screen.

    Attributes
    ----------
    key, name : str
        Registry key and display name.
    question : str
        The survey question or the event counted.
    formula, denominator, excluded : str
        How the value is computed, what it is divided by, and what is left out.
    interval_method : str
        Equal to the ``method`` of the :class:`Estimate` the metric function returns.
    higher_is_better : bool
        Direction of improvement (for deltas and colours).
    unit : {"points", "percent", "score", "count"}
    requires : tuple of (table, column)
        Canonical columns the metric needs (see ``data_connectors.schema``).
    """

    key: str
    name: str
    question: str
    formula: str
    denominator: str
    excluded: str
    interval_method: str
    higher_is_better: bool
    unit: Unit
    requires: tuple[tuple[str, str], ...]


def _invalid(score_range: tuple[int, int]) -> str:
    """The exclusion rule shared by every survey metric."""
    low, high = score_range
    return f"Missing, non-numeric, non-whole or out-of-range answers (outside {low}–{high})."


_SURVEY = (("surveys", "survey_type"), ("surveys", "score"))
_NPS_QUESTION = f"How likely are you to recommend us? ({NPS_RANGE[0]}–{NPS_RANGE[1]})"
_CSAT_QUESTION = f"How satisfied are you? ({CSAT_RANGE[0]}–{CSAT_RANGE[1]})"
_CES_QUESTION = (
    f"How much effort did it take? ({CES_RANGE[0]}–{CES_RANGE[1]}, lower means less effort)"
)

METRICS: dict[str, MetricDefinition] = {
    d.key: d
    for d in (
        MetricDefinition(
            key="nps",
            name="NPS",
            question=_NPS_QUESTION,
            formula=(
                f"% promoters ({PROMOTER_MIN}–{NPS_RANGE[1]}) − % detractors "
                f"({NPS_RANGE[0]}–{PASSIVE_MIN - 1}); passives {PASSIVE_MIN}–{PROMOTER_MIN - 1} "
                "count only in the denominator. Range −100 to 100."
            ),
            denominator="Valid NPS answers.",
            excluded=_invalid(NPS_RANGE),
            interval_method=NPS_METHOD,
            higher_is_better=True,
            unit="points",
            requires=_SURVEY,
        ),
        MetricDefinition(
            key="csi",
            name="CSI",
            question=_CSAT_QUESTION,
            formula=f"Mean satisfaction score ({CSAT_RANGE[0]}–{CSAT_RANGE[1]}).",
            denominator="Valid CSAT answers.",
            excluded=_invalid(CSAT_RANGE),
            interval_method=MEAN_METHOD,
            higher_is_better=True,
            unit="score",
            requires=_SURVEY,
        ),
        MetricDefinition(
            key="csat",
            name="CSAT %",
            question=_CSAT_QUESTION,
            formula=f"Share of answers {SATISFIED_MIN}–{CSAT_RANGE[1]}, in percent.",
            denominator="Valid CSAT answers.",
            excluded=_invalid(CSAT_RANGE),
            interval_method=WILSON_METHOD,
            higher_is_better=True,
            unit="percent",
            requires=_SURVEY,
        ),
        MetricDefinition(
            key="ces",
            name="CES",
            question=_CES_QUESTION,
            formula=f"Mean effort score ({CES_RANGE[0]}–{CES_RANGE[1]}); lower is better.",
            denominator="Valid CES answers.",
            excluded=_invalid(CES_RANGE),
            interval_method=MEAN_METHOD,
            higher_is_better=False,
            unit="score",
            requires=_SURVEY,
        ),
        MetricDefinition(
            key="ces_low_effort",
            name="Low-effort share",
            question=_CES_QUESTION,
            formula=f"Share of answers {CES_RANGE[0]}–{LOW_EFFORT_MAX}, in percent.",
            denominator="Valid CES answers.",
            excluded=_invalid(CES_RANGE),
            interval_method=WILSON_METHOD,
            higher_is_better=True,
            unit="percent",
            requires=_SURVEY,
        ),
        MetricDefinition(
            key="complaints",
            name="Complaints",
            question="Contacts marked as complaints.",
            formula="Number of contacts with is_complaint = true.",
            denominator="None (a count over the selected period).",
            excluded="Contacts whose complaint flag is missing.",
            interval_method=GARWOOD_METHOD,
            higher_is_better=False,
            unit="count",
            requires=(("tickets", "is_complaint"),),
        ),
        MetricDefinition(
            key="churn",
            name="Churn",
            question="Customers lost during the period.",
            formula=(
                "Customers at the start whose churn date falls within the period (start and "
                "end dates included) ÷ customers at the start, in percent."
            ),
            denominator=(
                "Customers at the start: signed up before the first day and not churned before it."
            ),
            excluded=(
                "Customers with a missing or invalid signup date, an invalid churn date, or a "
                "churn date before the signup date."
            ),
            interval_method=WILSON_METHOD,
            higher_is_better=False,
            unit="percent",
            requires=(("customers", "signup_date"), ("customers", "churn_date")),
        ),
    )
}


def explain(key: str, estimate: Estimate | None = None) -> str:
    """Short Markdown definition of metric ``key``, with n and exclusions if ``estimate`` given.

    Lists the question, formula, denominator, exclusions, and the interval method with its
    confidence (the estimate's, else 95 %). ValueError for an unknown key.
    """
    if key not in METRICS:
        raise ValueError(f"unknown metric {key!r}; known: {', '.join(METRICS)}")
    metric = METRICS[key]
    lines = [
        f"**{metric.name}** — {metric.question}",
        f"- **Formula:** {metric.formula}",
        f"- **Denominator:** {metric.denominator}",
        f"- **Excluded:** {metric.excluded}",
    ]
    if estimate is not None:
        lines.append(f"- **Based on:** n = {estimate.n:,} ({estimate.excluded:,} excluded)")
    confidence = DEFAULT_CONFIDENCE if estimate is None else estimate.confidence
    lines.append(f"- **Interval:** {confidence:.0%} {metric.interval_method}")
    return "\n".join(lines)
