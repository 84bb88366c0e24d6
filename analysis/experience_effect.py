"""The negative-experience effect: loyalty after a negative support experience vs the rest.

An industry study puts the loyalty drop after a negative support experience at about 25 %
(DESIGN.md); this measures it on the user's own data. A *negative experience* is at least one
contact in the window before the answer (or the snapshot) that is negative by
:data:`analysis.experience.NEGATIVE_DEFINITION`.

* **NPS**: NPS of the answers preceded by a negative experience vs all other answers, the
  difference by the two-sample adjusted-Wald test (:func:`analysis.loyalty.nps_change`).
* **Later retention**: of the customers active at the snapshot, the share still active
  ``followup_days`` after it, negative vs the rest, the difference by Newcombe's interval
  (:func:`analysis.rates.proportion_change`) and the churn risk ratio with its interval
  (Katz log method, ``scipy.stats.contingency.relative_risk``). Customers whose follow-up would
  run past the data's end are not followed: the snapshot is chosen so that it does not
  (:func:`analysis.experience.churn_snapshot`).

Both compare groups that differ in more than their support experience (customers who contact
support often differ from those who do not), so the difference is an association, not a
measured cause.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy.stats.contingency import relative_risk

from analysis import loyalty, rates
from analysis.rates import DEFAULT_CONFIDENCE
from analysis.results import ChangeResult, Estimate, sample_warnings

GROUPS = ("negative experience", "contact, nothing negative", "no contact")
RISK_RATIO_METHOD = "risk ratio with Katz log interval (scipy.stats.contingency.relative_risk)"
#: Columns of :attr:`NegativeEffect.groups`.
GROUP_COLUMNS = ("measure", "group", "value", "ci_low", "ci_high", "n")


@dataclass(frozen=True)
class NegativeEffect:
    """NPS and later retention after a negative support experience vs the rest.

    Attributes
    ----------
    nps_negative, nps_rest : Estimate
        NPS (points) of answers preceded by a negative experience, and of all others.
    nps_change : ChangeResult
        ``NPS(negative) − NPS(rest)`` in points.
    retention_negative, retention_rest : Estimate
        Percent of customers still active ``followup_days`` after the snapshot.
    retention_change : ChangeResult
        ``retention(negative) − retention(rest)`` in percentage points.
    churn_risk_ratio : Estimate
        Churn share of the negative group ÷ churn share of the rest (1 = no difference).
    groups : DataFrame
        :data:`GROUP_COLUMNS`: both measures for the three groups of :data:`GROUPS`.
    """

    nps_negative: Estimate
    nps_rest: Estimate
    nps_change: ChangeResult
    retention_negative: Estimate
    retention_rest: Estimate
    retention_change: ChangeResult
    churn_risk_ratio: Estimate
    groups: pd.DataFrame

    @property
    def retention_drop(self) -> float:
        """Relative drop of retention, ``1 − retention(negative) / retention(rest)``, percent."""
        rest = self.retention_rest.value
        if not rest or math.isnan(rest):
            return math.nan
        return 100 * (1 - self.retention_negative.value / rest)


def experience_group(table: pd.DataFrame) -> pd.Series:
    """Which of :data:`GROUPS` each row of an experience table belongs to."""
    negative = (table["negative_contacts"] > 0).to_numpy()
    contacted = (table["contacts"] > 0).to_numpy()
    labels = pd.Series(GROUPS[2], index=table.index)
    labels[contacted] = GROUPS[1]
    labels[negative] = GROUPS[0]
    return labels


def _risk_ratio(churned: tuple[int, int], sizes: tuple[int, int], confidence: float) -> Estimate:
    """Churn risk ratio negative ÷ rest with its Katz interval (NaN when undefined)."""
    (cases_negative, cases_rest), (n_negative, n_rest) = churned, sizes
    notes = sample_warnings(min(sizes), 0, "customers in a group")
    if 0 in sizes or cases_rest == 0 or cases_negative == 0:
        return Estimate(
            math.nan,
            math.nan,
            math.nan,
            sum(sizes),
            confidence,
            RISK_RATIO_METHOD,
            warnings=(*notes, "No churn in a group: the risk ratio is not defined."),
        )
    result = relative_risk(cases_negative, n_negative, cases_rest, n_rest)
    interval = result.confidence_interval(confidence_level=confidence)
    return Estimate(
        float(result.relative_risk),
        float(interval.low),
        float(interval.high),
        sum(sizes),
        confidence,
        RISK_RATIO_METHOD,
        warnings=notes,
    )


def negative_experience_effect(
    answers: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> NegativeEffect:
    """NPS and later retention after a negative experience vs the rest (module docstring).

    Parameters
    ----------
    answers : DataFrame
        NPS answers with their experience (:func:`analysis.experience.answer_experience`):
        ``score``, ``contacts``, ``negative_contacts``.
    customers : DataFrame
        Customers at the snapshot (:func:`analysis.experience.customer_experience`):
        ``retained``, ``contacts``, ``negative_contacts``.
    confidence : float
        Coverage of every interval.
    """
    rates.check_confidence(confidence)
    answer_group = experience_group(answers)
    negative_scores = answers.loc[answer_group == GROUPS[0], "score"]
    rest_scores = answers.loc[answer_group != GROUPS[0], "score"]
    customer_group = experience_group(customers)
    negative = customers.loc[customer_group == GROUPS[0], "retained"]
    rest = customers.loc[customer_group != GROUPS[0], "retained"]
    kept = (int(negative.sum()), int(rest.sum()))
    sizes = (len(negative), len(rest))
    return NegativeEffect(
        nps_negative=loyalty.nps(negative_scores, confidence=confidence),
        nps_rest=loyalty.nps(rest_scores, confidence=confidence),
        nps_change=loyalty.nps_change(rest_scores, negative_scores, confidence=confidence),
        retention_negative=rates.proportion(kept[0], sizes[0], confidence=confidence),
        retention_rest=rates.proportion(kept[1], sizes[1], confidence=confidence),
        retention_change=rates.proportion_change(
            kept[1], sizes[1], kept[0], sizes[0], confidence=confidence
        ),
        churn_risk_ratio=_risk_ratio((sizes[0] - kept[0], sizes[1] - kept[1]), sizes, confidence),
        groups=_measure_groups(answers, customers, confidence),
    )


def _measure_groups(
    answers: pd.DataFrame, customers: pd.DataFrame, confidence: float
) -> pd.DataFrame:
    """NPS and retention of each of the three :data:`GROUPS`."""
    rows = []
    answer_group, customer_group = experience_group(answers), experience_group(customers)
    for group in GROUPS:
        score = loyalty.nps(answers.loc[answer_group == group, "score"], confidence=confidence)
        retained = customers.loc[customer_group == group, "retained"]
        kept = rates.proportion(int(retained.sum()), len(retained), confidence=confidence)
        for measure, estimate in (("NPS", score), ("retention %", kept)):
            rows.append(
                {
                    "measure": measure,
                    "group": group,
                    "value": estimate.value,
                    "ci_low": estimate.ci_low,
                    "ci_high": estimate.ci_high,
                    "n": estimate.n,
                }
            )
    return pd.DataFrame(rows, columns=list(GROUP_COLUMNS))
