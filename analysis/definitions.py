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
from analysis.service import IMMEDIATE_RESPONSE_SECONDS, ORDER_STATISTIC_METHOD

Unit = Literal["points", "percent", "score", "count", "seconds"]


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
    unit : {"points", "percent", "score", "count", "seconds"}
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

_RESPONSE = (("tickets", "created_at"), ("tickets", "first_response_at"))
_RESOLUTION = (("tickets", "created_at"), ("tickets", "resolved_at"))
_NEGATIVE = (
    "Tickets with {what} stamped before creation (clock errors: counted and listed, "
    "never averaged in)"
)

#: Service metrics (:mod:`analysis.service`). ``sla`` is the headline figure of
#: :func:`analysis.service.first_tier_compliance`: each channel group's first tier.
_SERVICE_DEFINITIONS = (
    MetricDefinition(
        key="sla",
        name="SLA compliance",
        question="Was the contact answered within its channel's first speed standard?",
        formula=(
            "Contacts answered within their channel group's first tier (voice/chat: 30 s; "
            "e-mail: 2 h, by default) ÷ decidable contacts, in percent, all judged channels "
            "together. Late: answered after the time, abandoned, resolved without a recorded "
            "response, or unanswered and already older than the time."
        ),
        denominator=(
            "Contacts of judged channels answered in time or late (created in the period)."
        ),
        excluded=(
            "Unanswered contacts younger than the time (not yet decidable), responses stamped "
            "before creation, contacts without a creation time, channels without a standard."
        ),
        interval_method=WILSON_METHOD,
        higher_is_better=True,
        unit="percent",
        requires=(
            ("tickets", "created_at"),
            ("tickets", "channel"),
            ("tickets", "first_response_at"),
        ),
    ),
    MetricDefinition(
        key="fcr",
        name="First-contact resolution",
        question="Was the contact resolved at the first contact?",
        formula=(
            "Handled contacts with first_contact_resolved = true ÷ handled contacts, in percent."
        ),
        denominator="Handled contacts (not abandoned) whose flag is known.",
        excluded=(
            "Handled contacts with a missing flag; abandoned contacts are outside the denominator."
        ),
        interval_method=WILSON_METHOD,
        higher_is_better=True,
        unit="percent",
        requires=(("tickets", "first_contact_resolved"),),
    ),
    MetricDefinition(
        key="reopen_rate",
        name="Reopen rate",
        question="Was the resolved ticket reopened?",
        formula="Resolved tickets reopened at least once ÷ resolved tickets, in percent.",
        denominator="Tickets with a resolution time and a known reopen count.",
        excluded=(
            "Resolved tickets with a missing reopen count; unresolved tickets are outside "
            "the denominator."
        ),
        interval_method=WILSON_METHOD,
        higher_is_better=False,
        unit="percent",
        requires=(("tickets", "resolved_at"), ("tickets", "reopens")),
    ),
    MetricDefinition(
        key="transfer_rate",
        name="Transfer rate",
        question="Was the contact reassigned to another agent or group?",
        formula="Handled contacts with at least one transfer ÷ handled contacts, in percent.",
        denominator="Handled contacts (not abandoned) with a known transfer count.",
        excluded=(
            "Handled contacts with a missing count; abandoned contacts are outside the denominator."
        ),
        interval_method=WILSON_METHOD,
        higher_is_better=False,
        unit="percent",
        requires=(("tickets", "transfers"),),
    ),
    MetricDefinition(
        key="mean_transfers",
        name="Transfers per contact",
        question="How many times was the contact reassigned?",
        formula="Mean number of transfers per handled contact.",
        denominator="Handled contacts (not abandoned) with a known transfer count.",
        excluded="Handled contacts with a missing count; abandoned contacts.",
        interval_method=MEAN_METHOD,
        higher_is_better=False,
        unit="count",
        requires=(("tickets", "transfers"),),
    ),
    MetricDefinition(
        key="abandon_rate",
        name="Abandoned contacts",
        question="Did the customer leave before being answered?",
        formula="Contacts abandoned ÷ contacts, in percent (voice and chat channels on the page).",
        denominator="Contacts of the chosen channels with a known abandoned flag.",
        excluded="Contacts with a missing flag.",
        interval_method=WILSON_METHOD,
        higher_is_better=False,
        unit="percent",
        requires=(("tickets", "abandoned"),),
    ),
    MetricDefinition(
        key="immediate_response",
        name="Immediate-response rate",
        question=f"Was the contact answered within {IMMEDIATE_RESPONSE_SECONDS:g} seconds?",
        formula=(
            f"Contacts answered within {IMMEDIATE_RESPONSE_SECONDS:g} s ÷ decidable contacts, "
            "in percent; abandoned, resolved-without-response and overdue unanswered "
            "contacts count as not immediate."
        ),
        denominator="Contacts answered in time or late, every channel.",
        excluded=(
            "Unanswered contacts younger than the threshold, clock errors, contacts without "
            "a creation time."
        ),
        interval_method=WILSON_METHOD,
        higher_is_better=True,
        unit="percent",
        requires=_RESPONSE,
    ),
    MetricDefinition(
        key="first_response_time",
        name="First response time (median)",
        question="How long until the customer got a first reply?",
        formula="Median of first_response_at − created_at (p90 and mean shown beside it).",
        denominator="Answered contacts with a non-negative response time.",
        excluded=_NEGATIVE.format(what="the first response") + "; unanswered contacts.",
        interval_method=ORDER_STATISTIC_METHOD,
        higher_is_better=False,
        unit="seconds",
        requires=_RESPONSE,
    ),
    MetricDefinition(
        key="resolution_time",
        name="Resolution time (median)",
        question="How long until the contact was resolved?",
        formula="Median of resolved_at − created_at (p90 and mean shown beside it).",
        denominator="Resolved tickets with a non-negative resolution time.",
        excluded=_NEGATIVE.format(what="the resolution") + "; tickets still open.",
        interval_method=ORDER_STATISTIC_METHOD,
        higher_is_better=False,
        unit="seconds",
        requires=_RESOLUTION,
    ),
    MetricDefinition(
        key="wait_time",
        name="Wait time (median)",
        question="How long did the customer wait in the queue?",
        formula="Median of wait_seconds (p90 and mean shown beside it).",
        denominator="Contacts with a recorded, non-negative wait.",
        excluded="Missing or negative waits.",
        interval_method=ORDER_STATISTIC_METHOD,
        higher_is_better=False,
        unit="seconds",
        requires=(("tickets", "wait_seconds"),),
    ),
    MetricDefinition(
        key="handle_time",
        name="Handle time (median)",
        question="How long did agents spend handling the contact?",
        formula="Median of handle_seconds (p90 and mean shown beside it).",
        denominator="Contacts with a recorded, non-negative handle time.",
        excluded="Missing or negative handle times.",
        interval_method=ORDER_STATISTIC_METHOD,
        higher_is_better=False,
        unit="seconds",
        requires=(("tickets", "handle_seconds"),),
    ),
)

_FOLLOWED_UP = (("surveys", "survey_type"), ("surveys", "score"), ("surveys", "responded_at"))
#: Closed-loop follow-up of low scores (:mod:`analysis.followup`).
_FOLLOWUP_DEFINITIONS = (
    MetricDefinition(
        key="followup_within_target",
        name="Contacted within target",
        question="Was the customer who gave a low score (CSAT 1–2, NPS 0–6) contacted in time?",
        formula=(
            "Low scores whose first “contacted” or “resolved” mark was saved within the target "
            "(followup_target_minutes, 60 by default) of the answer ÷ judged low scores, in "
            "percent. Not contacted and older than the target counts as late."
        ),
        denominator="Low scores contacted in time or late.",
        excluded=(
            "Low scores not contacted and still younger than the target (not yet known), "
            "given before the first follow-up mark was saved (not tracked), or with a mark "
            "stamped before the answer (clock error)."
        ),
        interval_method=WILSON_METHOD,
        higher_is_better=True,
        unit="percent",
        requires=_FOLLOWED_UP,
    ),
    MetricDefinition(
        key="time_to_contact",
        name="Time to contact (median)",
        question="How long after a low score was the customer reached?",
        formula=(
            "Median of the first “contacted” or “resolved” mark's time − responded_at, over "
            "the contacted low scores (p90 and mean shown beside it)."
        ),
        denominator="Judged low scores with a contact mark.",
        excluded=(
            "Low scores never contacted (see the share within target), not tracked, or with "
            "a mark stamped before the answer."
        ),
        interval_method=ORDER_STATISTIC_METHOD,
        higher_is_better=False,
        unit="seconds",
        requires=_FOLLOWED_UP,
    ),
)

_COMPLAINT_FLAG = (("tickets", "is_complaint"),)
#: The client committee's scorecard columns beyond the KPIs above (:mod:`analysis.committee`;
#: its tests check that the 30- and 90-day windows named here are the ones the code uses).
_COMMITTEE_DEFINITIONS = (
    MetricDefinition(
        key="complaints_per_1000",
        name="Complaints per 1,000 contacts",
        question="How many of the department's contacts were complaints?",
        formula="1,000 × contacts with is_complaint = true ÷ contacts with a known flag.",
        denominator="The department's contacts created in the month with a known flag.",
        excluded="Contacts whose complaint flag is missing.",
        interval_method=WILSON_METHOD,
        higher_is_better=False,
        unit="count",
        requires=_COMPLAINT_FLAG,
    ),
    MetricDefinition(
        key="nps_served",
        name="NPS of customers served",
        question=_NPS_QUESTION,
        formula=(
            "NPS of the answers given in the month by customers with a contact of the "
            "department in the 90 days up to the month's last day; a customer served by two "
            "departments counts for both."
        ),
        denominator="Valid NPS answers of those customers in the month.",
        excluded=_invalid(NPS_RANGE),
        interval_method=NPS_METHOD,
        higher_is_better=True,
        unit="points",
        requires=(*_SURVEY, ("tickets", "department")),
    ),
    MetricDefinition(
        key="repeat_complaints",
        name="Repeat complaints",
        question="Did the customer complain to the department again?",
        formula=(
            "Complaints whose customer complained to the same department in the 30 days "
            "before ÷ the department's complaints, in percent."
        ),
        denominator="The department's complaints created in the month.",
        excluded="Contacts whose complaint flag is missing.",
        interval_method=WILSON_METHOD,
        higher_is_better=False,
        unit="percent",
        requires=(*_COMPLAINT_FLAG, ("tickets", "customer_id")),
    ),
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
        MetricDefinition(
            key="retention",
            name="Retention",
            question="Customers kept through the period.",
            formula=(
                "Customers at the start with no churn date within the period (start and end "
                "dates included) ÷ customers at the start, in percent (100 − churn)."
            ),
            denominator=(
                "Customers at the start: signed up before the first day and not churned before it."
            ),
            excluded=(
                "Customers with a missing or invalid signup date, an invalid churn date, or a "
                "churn date before the signup date."
            ),
            interval_method=WILSON_METHOD,
            higher_is_better=True,
            unit="percent",
            requires=(("customers", "signup_date"), ("customers", "churn_date")),
        ),
        MetricDefinition(
            key="referral_rate",
            name="Referral rate",
            question="New customers who came by referral.",
            formula=(
                "New customers with a referrer (referred_by set, or acquisition_channel "
                "“referral”) ÷ all new customers, in percent."
            ),
            denominator="Customers who signed up within the period (start and end included).",
            excluded="Customers with a missing or invalid signup date.",
            interval_method=WILSON_METHOD,
            higher_is_better=True,
            unit="percent",
            requires=(("customers", "signup_date"), ("customers", "referred_by")),
        ),
        MetricDefinition(
            key="theme_recurrence",
            name="Complaint recurrence",
            question=(
                "Did the customer complain about the same theme again within the window "
                "(30 days by default, setting recurrence_days)?"
            ),
            formula=(
                "Complaints followed by another complaint of the same customer on the same theme "
                "within the window ÷ complaints whose whole window has passed, in percent."
            ),
            denominator="Themed complaints of the period whose window ends within the data.",
            excluded=(
                "Complaints too recent for their window to have passed (not yet decidable), "
                "complaints without a theme, customer or creation time."
            ),
            interval_method=WILSON_METHOD,
            higher_is_better=False,
            unit="percent",
            requires=(
                ("tickets", "customer_id"),
                ("tickets", "created_at"),
                ("tickets", "is_complaint"),
            ),
        ),
        *_SERVICE_DEFINITIONS,
        *_FOLLOWUP_DEFINITIONS,
        *_COMMITTEE_DEFINITIONS,
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
