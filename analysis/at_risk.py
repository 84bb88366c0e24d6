"""Customers at risk: active customers whose recent experience resembles that of those who left.

Each signal is a plain rule over the customer's recent contacts and answers, so every flag comes
with its reason ("NPS 3 on 12 Oct 2026", "complaint unresolved for 9 days", "4 contacts in
30 days"). :func:`backtest` applies the same rules at an earlier date and compares the churn that
followed among flagged and unflagged customers, so the list is not a black box: it shows how well
the signals separated churners from the rest in the past. Association, not causation: a flagged
customer may leave for reasons the flag only accompanies.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.loyalty_views import CSAT_LOW_MAX, low_score_mask, valid_score_mask
from analysis.privacy import mask_personal_data
from analysis.rates import (
    DEFAULT_CONFIDENCE,
    DateLike,
    as_day,
    as_days,
    proportion,
    proportion_change,
)

#: Signals, in the order reasons are listed: key → (label, canonical columns they need).
SIGNALS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "detractor": ("Recent NPS detractor (0–6)", (("surveys", "score"),)),
    "low_csat": (f"Recent CSAT 1–{CSAT_LOW_MAX}", (("surveys", "score"),)),
    "unresolved_complaint": (
        "Complaint still unresolved",
        (("tickets", "is_complaint"), ("tickets", "resolved_at")),
    ),
    "repeat_contacts": ("Repeated contacts", (("tickets", "created_at"),)),
}


@dataclass(frozen=True)
class RiskRules:
    """Thresholds of the signals.

    ``window_days``: how far back an answer or complaint counts as recent; ``repeat_contacts``
    contacts within ``repeat_days`` make a customer a repeat contact.
    """

    window_days: int = 90
    repeat_contacts: int = 3
    repeat_days: int = 30

    def __post_init__(self) -> None:
        for name in ("window_days", "repeat_contacts", "repeat_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")


def active_customers(customers: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """Customers signed up on or before ``as_of`` who had not churned by then."""
    day = as_day("as_of", as_of)
    signup, _ = as_days(customers["signup_date"])
    churn, _ = as_days(customers["churn_date"])
    active = (signup <= day) & (churn.isna() | (churn > day))
    return customers.loc[active.to_numpy()]


def _lookup(ids: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` (indexed by customer id) read for each of ``ids``, aligned on ``ids``."""
    return pd.Series(values.reindex(ids.to_numpy()).to_numpy(), index=ids.index)


def _recent(frame: pd.DataFrame, column: str, since: pd.Timestamp, until: pd.Timestamp):
    stamps = frame[column]
    return frame.loc[(stamps > since) & (stamps < until)]


def _last_low_answer(
    surveys: pd.DataFrame, survey_type: str, since: pd.Timestamp, until: pd.Timestamp
) -> pd.DataFrame:
    """Per customer, their last valid ``survey_type`` answer in the window, if it was low."""
    columns = ["customer_id", "survey_type", "score", "responded_at"]
    answers = surveys.loc[surveys["survey_type"] == survey_type, columns]
    answers = _recent(answers, "responded_at", since, until)
    answers = answers.loc[valid_score_mask(answers)]
    last = answers.sort_values("responded_at", kind="stable").drop_duplicates(
        "customer_id", keep="last"
    )
    return last.loc[low_score_mask(last), ["customer_id", "score", "responded_at"]]


def risk_signals(
    customers: pd.DataFrame,
    tickets: pd.DataFrame,
    surveys: pd.DataFrame,
    as_of: DateLike,
    rules: RiskRules = RiskRules(),
) -> pd.DataFrame:
    """The signals of every customer active at ``as_of``, from what was known by then.

    Signals (:data:`SIGNALS`), each from contacts and answers stamped before the end of the
    ``as_of`` day:

    - ``detractor``: the customer's last NPS answer within ``window_days`` scored 0–6;
    - ``low_csat``: their last CSAT answer within ``window_days`` scored 1–2;
    - ``unresolved_complaint``: a complaint opened within ``window_days`` and not resolved by
      ``as_of`` (``resolved_at`` missing or later); the reason gives the oldest one's age;
    - ``repeat_contacts``: at least ``repeat_contacts`` contacts within ``repeat_days``.

    A signal whose columns the data lacks is not evaluated (False for everyone); its name and
    missing columns are in ``attrs["unavailable"]``.

    Returns
    -------
    DataFrame
        One row per active customer: ``customer_id``, ``segment`` and ``revenue`` when known,
        one bool column per signal, ``signals`` (how many), ``reasons`` (text, "; "-joined),
        ``last_nps``, ``last_csat``, ``complaint_days`` (age of the oldest open complaint),
        ``recent_contacts``. Flagged customers first (most signals, then highest revenue).
    """
    day = as_day("as_of", as_of)
    until = day + pd.Timedelta(days=1)
    since = until - pd.Timedelta(days=rules.window_days)
    active = active_customers(customers, day)
    keep = [c for c in ("customer_id", "segment", "revenue") if c in active.columns]
    frame = active[keep].reset_index(drop=True)
    ids = frame["customer_id"]
    reasons = pd.Series("", index=frame.index)
    unavailable: dict[str, list[str]] = {}

    def add(key: str, hit: pd.Series, text: pd.Series) -> None:
        flag = hit.fillna(False).astype(bool)
        frame[key] = flag
        nonlocal reasons
        reasons = reasons.where(~flag, reasons + np.where(reasons == "", "", "; ") + text)

    for key, survey_type, column in (
        ("detractor", "nps", "last_nps"),
        ("low_csat", "csat", "last_csat"),
    ):
        low = _last_low_answer(surveys, survey_type, since, until).set_index("customer_id")
        score = _lookup(ids, low["score"]).astype("Float64")
        stamp = pd.to_datetime(_lookup(ids, low["responded_at"]))
        frame[column] = score
        text = (
            f"{survey_type.upper()} "
            + score.round().astype("Int64").astype("string").fillna("")
            + " on "
            + stamp.dt.strftime("%d %b %Y").fillna("")
        )
        add(key, score.notna(), text)

    has_complaints = {"is_complaint", "resolved_at"} <= set(tickets.columns)
    if has_complaints:
        flagged = tickets["is_complaint"].astype("boolean").fillna(False).astype(bool)
        columns = ["customer_id", "created_at", "resolved_at"]
        complaints = _recent(tickets.loc[flagged, columns], "created_at", since, until)
        open_ = complaints.loc[
            complaints["resolved_at"].isna() | (complaints["resolved_at"] >= until)
        ]
        oldest = open_.groupby("customer_id")["created_at"].min()
        age = (day - pd.to_datetime(_lookup(ids, oldest)).dt.normalize()).dt.days
        frame["complaint_days"] = age
        add(
            "unresolved_complaint",
            age.notna(),
            "complaint unresolved for " + age.astype("Int64").astype("string").fillna("") + " days",
        )
    else:
        unavailable["unresolved_complaint"] = ["tickets.is_complaint", "tickets.resolved_at"]
        frame["complaint_days"] = np.nan
        frame["unresolved_complaint"] = False

    contacts_in = tickets[["customer_id", "created_at"]]
    recent = _recent(contacts_in, "created_at", until - pd.Timedelta(days=rules.repeat_days), until)
    contacts = _lookup(ids, recent.groupby("customer_id").size()).fillna(0).astype(int)
    frame["recent_contacts"] = contacts
    add(
        "repeat_contacts",
        contacts >= rules.repeat_contacts,
        contacts.astype(str) + f" contacts in {rules.repeat_days} days",
    )

    frame["signals"] = frame[list(SIGNALS)].sum(axis=1).astype(int)
    frame["reasons"] = reasons
    order = ["signals", "revenue"] if "revenue" in frame.columns else ["signals"]
    frame = frame.sort_values(order, ascending=False, kind="stable", ignore_index=True)
    frame.attrs.update(as_of=day.date().isoformat(), rules=asdict(rules), unavailable=unavailable)
    return frame


def at_risk_list(signals: pd.DataFrame) -> pd.DataFrame:
    """The flagged customers of :func:`risk_signals` (at least one signal), most signals first."""
    flagged = signals.loc[signals["signals"] > 0].reset_index(drop=True)
    flagged.attrs = signals.attrs
    return flagged


#: Columns of :func:`backtest`, in order.
BACKTEST_COLUMNS = (
    "signal",
    "label",
    "flagged",
    "flagged_churned",
    "flagged_churn",
    "flagged_low",
    "flagged_high",
    "unflagged",
    "unflagged_churned",
    "unflagged_churn",
    "unflagged_low",
    "unflagged_high",
    "difference",
    "difference_low",
    "difference_high",
    "p_value",
    "significant",
    "risk_ratio",
)


def backtest(
    customers: pd.DataFrame,
    tickets: pd.DataFrame,
    surveys: pd.DataFrame,
    as_of: DateLike,
    *,
    horizon_days: int = 90,
    rules: RiskRules = RiskRules(),
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """How well each signal separated churners from the rest in the past.

    The signals are evaluated at ``cutoff = as_of − horizon_days`` on what was known by then
    (:func:`risk_signals`); the outcome is whether each customer active at the cutoff churned
    within ``(cutoff, as_of]``. Per signal, and for "any signal": churn among flagged and
    unflagged customers in percent with Wilson intervals, the difference flagged − unflagged in
    percentage points with Newcombe's interval and the pooled z-test (``significant`` only when
    it rejects "no difference"), and the risk ratio (flagged ÷ unflagged churn).

    Returns
    -------
    DataFrame
        Columns :data:`BACKTEST_COLUMNS`; ``attrs`` holds ``cutoff``, ``as_of`` and the
        number of ``customers`` at the cutoff.
    """
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise ValueError(f"horizon_days must be a whole number >= 1, got {horizon_days!r}")
    end = as_day("as_of", as_of)
    cutoff = end - pd.Timedelta(days=horizon_days)
    signals = risk_signals(customers, tickets, surveys, cutoff, rules)
    churn, _ = as_days(customers["churn_date"])
    churn.index = customers["customer_id"].astype(str).to_numpy()
    left = _lookup(signals["customer_id"].astype(str), churn)
    churned = ((left > cutoff) & (left <= end)).to_numpy()
    rows = []
    checks = {key: label for key, (label, _) in SIGNALS.items()} | {"any": "Any signal"}
    for key, label in checks.items():
        if key in signals.attrs["unavailable"]:
            continue
        hit = (signals["signals"] > 0 if key == "any" else signals[key]).to_numpy(dtype=bool)
        k_in, n_in = int(churned[hit].sum()), int(hit.sum())
        k_out, n_out = int(churned[~hit].sum()), int((~hit).sum())
        inside = proportion(k_in, n_in, confidence=confidence)
        outside = proportion(k_out, n_out, confidence=confidence)
        diff = proportion_change(k_out, n_out, k_in, n_in, confidence=confidence)
        ratio = (
            inside.value / outside.value if outside.value and not np.isnan(inside.value) else np.nan
        )
        rows.append(
            (key, label, n_in, k_in, inside.value, inside.ci_low, inside.ci_high)
            + (n_out, k_out, outside.value, outside.ci_low, outside.ci_high)
            + (diff.change, diff.ci_low, diff.ci_high, diff.p_value, diff.significant, ratio)
        )
    table = pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))
    table.attrs.update(
        cutoff=cutoff.date().isoformat(), as_of=end.date().isoformat(), customers=len(signals)
    )
    return table


def customer_history(
    tickets: pd.DataFrame, surveys: pd.DataFrame, customer_id: str, as_of: DateLike, days: int = 90
) -> pd.DataFrame:
    """One customer's contacts and answers in the ``days`` up to ``as_of``, newest first.

    Columns: ``when``, ``kind`` ("contact" or the survey type), ``id``, ``department``,
    ``category``, ``complaint``, ``resolved_at``, ``score``, ``comment``.
    """
    until = as_day("as_of", as_of) + pd.Timedelta(days=1)
    since = until - pd.Timedelta(days=days)
    mine = _recent(tickets.loc[tickets["customer_id"] == customer_id], "created_at", since, until)
    said = _recent(surveys.loc[surveys["customer_id"] == customer_id], "responded_at", since, until)
    contacts = pd.DataFrame(
        {
            "when": mine["created_at"],
            "kind": "contact",
            "id": mine["ticket_id"],
            "department": mine.get("department"),
            "category": mine.get("category"),
            "complaint": mine.get("is_complaint"),
            "resolved_at": mine.get("resolved_at"),
        }
    )
    answers = pd.DataFrame(
        {
            "when": said["responded_at"],
            "kind": said["survey_type"],
            "id": said["response_id"],
            "score": said["score"],
            "comment": mask_personal_data(said["comment"]) if "comment" in said else None,
        }
    )
    history = pd.concat([contacts, answers], ignore_index=True)
    return history.sort_values("when", ascending=False, ignore_index=True)
