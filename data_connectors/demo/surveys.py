"""How the demo's customers answer surveys: NPS, CSAT and CES scores, reasons and comments.

Every score is a latent value cut at fixed thresholds: loyalty plus noise for the quarterly NPS
survey (:func:`nps_answers`, drawn while the simulation runs), the contact's experience and the
customer's loyalty for CSAT, and the effort the contact took (transfers, reopens, slow replies,
e-mail, complexity, a weak agent) for CES. :func:`survey_table` collects the answers given by
the cut-off; low scores name a reason (usually what went wrong, accumulated over the customer's
recent contacts for NPS), the lowest sometimes ask for a callback, and some answers carry a
free-text comment.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from data_connectors.demo.calendar import HOUR, Month
from data_connectors.demo.columns import Ids, canonical_frame, labels, prefixed, timestamps
from data_connectors.demo.company import COMMENT_KINDS, EMAIL, REASONS, SURVEY_KINDS
from data_connectors.demo.people import People
from data_connectors.demo.sampling import moments, weighted_choice
from data_connectors.demo.text import comment_text

#: Latent thresholds between consecutive scores.
NPS_CUTS = np.array([-3.2, -2.8, -2.4, -2.0, -1.6, -1.2, -0.7, -0.1, 0.5, 1.4])
CSAT_CUTS = np.array([-2.0, -1.3, -0.6, 0.3])
CES_CUTS = np.array([-0.3, 0.4, 1.0, 1.6, 2.2, 2.8])
NPS_RATE = 0.105  # answers per customer in the month of their quarterly invitation
CSAT_RATE, CES_RATE = 0.30, 0.12  # answers per resolved contact
#: Per survey kind: lowest score, and the grade (0 very low, 1 low, 2 middle, 3 high) per score.
GRADES: dict[str, tuple[int, tuple[int, ...]]] = {
    "csat": (1, (0, 0, 1, 2, 3)),
    "ces": (1, (3, 3, 2, 2, 1, 0, 0)),
    "nps": (0, (0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3)),
}
#: Reasons chosen regardless of what happened (added to the weights of what did happen).
REASON_BASELINE = np.array([0.3, 0.3, 0.15, 0.1, 0.15, 0.05])
COMMENT_RATE = np.array([0.60, 0.45, 0.15, 0.25])  # share of answers with a comment, per grade


def nps_answers(
    rng: np.random.Generator,
    month: Month,
    loyalty: np.ndarray,
    people: People,
    grievances: np.ndarray,
) -> dict[str, np.ndarray]:
    """The rolling quarterly relationship survey: each month a third of the base is asked."""
    who = month.who
    invited = (people.phase[who] == month.index % 3) & (month.exposure > 0)
    asked = invited & (rng.random(len(who)) < NPS_RATE)
    customer = who[asked]
    noise = rng.normal(0, 0.8, len(customer))
    return {
        "customer": customer,
        "at": moments(rng, month.since[asked], month.stop),
        "score": np.searchsorted(NPS_CUTS, loyalty[asked] + noise),
        "grievance": grievances[customer],
    }


def survey_table(
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
    chosen = weighted_choice(rng, grievance + REASON_BASELINE)
    reason = np.where((grade <= 1) & (rng.random(m) < 0.85), chosen, -1)
    callback = (grade == 0) & (rng.random(m) < 0.4)
    comment = _comments(rng, grade, reason, callback, people.language[customer])
    return canonical_frame(
        "surveys",
        {
            "response_id": prefixed("R", np.arange(1, m + 1), 7),
            "customer_id": ids.customers[customer],
            "ticket_id": labels(ids.tickets, ticket),
            "responded_at": timestamps(at),
            "survey_type": labels(SURVEY_KINDS, kind),
            "score": score,
            "comment": comment,
            "reason": labels(REASONS, reason),
            "callback_requested": callback,
            "email": None,  # the helpdesk knows its customer; e-mails join uploaded answers
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
    suggestion, positive, neutral, negative = (
        COMMENT_KINDS.index(k) for k in ("suggestion", "positive", "neutral", "negative")
    )
    kind = np.select(
        [grade == 3, grade == 2, reason >= 0],
        [
            np.where(suggest < 0.2, suggestion, positive),
            np.where(suggest < 0.4, suggestion, neutral),
            np.where(suggest < 0.8, reason, suggestion),
        ],
        np.where(suggest < 0.2, suggestion, negative),
    )
    return np.where(written, comment_text(rng, kind, language, callback), None)
