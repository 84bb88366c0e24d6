"""Join uploaded survey answers to the helpdesk's customers and tickets.

Survey tools rarely know the helpdesk's customer ids: an NPS export carries an e-mail, a CSAT
export a conversation number. Each answer is linked by the first of these that resolves:

1. **ticket id** — the answer is about a known contact: its customer is that ticket's customer;
2. **customer id** — the answer's customer id is a known customer;
3. **e-mail** — the answer's e-mail (``surveys.email``), or a customer id that is an e-mail,
   equals a customer's e-mail after normalising (trimmed, lower case; ``mailto:`` removed).

Answers that resolve by none stay as they are and are listed as unmatched, so the Data sources
page can show the match rate and the rows that did not join; validation then reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: How an answer was linked, in the order the rules are tried.
METHODS = ("ticket id", "customer id", "e-mail", "unmatched")


@dataclass(frozen=True)
class LinkReport:
    """How survey answers were joined to customers and tickets.

    Attributes
    ----------
    counts : DataFrame
        One row per method of :data:`METHODS` with ``answers`` and ``share`` (0–1).
    unmatched : DataFrame
        The answers that joined by no rule, as they were.
    """

    counts: pd.DataFrame
    unmatched: pd.DataFrame

    @property
    def match_rate(self) -> float:
        """Share of answers linked to a known customer (NaN with no answers)."""
        total = self.counts["answers"].sum()
        matched = total - self.counts.set_index("method").loc["unmatched", "answers"]
        return matched / total if total else float("nan")


def normalise_email(values: pd.Series) -> pd.Series:
    """E-mail addresses compared as one: trimmed, lower case, without a ``mailto:`` prefix."""
    text = values.astype("str").str.strip().str.lower().str.removeprefix("mailto:")
    return text.where(text.str.contains("@", regex=False, na=False))


def link_answers(
    surveys: pd.DataFrame, customers: pd.DataFrame, tickets: pd.DataFrame
) -> tuple[pd.DataFrame, LinkReport]:
    """Survey answers with ``customer_id`` resolved to known customers (see module doc).

    ``surveys``, ``customers`` and ``tickets`` are canonical tables. Returns the answers (same
    rows and order; ``customer_id`` replaced where a rule found the customer) and the report.
    """
    ticket_customer = tickets.drop_duplicates("ticket_id").set_index("ticket_id")["customer_id"]
    by_ticket = surveys["ticket_id"].map(ticket_customer)
    known = surveys["customer_id"].isin(customers["customer_id"])
    emails = customers.assign(key=normalise_email(customers["email"])).dropna(subset="key")
    email_customer = emails.drop_duplicates("key").set_index("key")["customer_id"]
    answer_email = normalise_email(surveys["email"]).fillna(normalise_email(surveys["customer_id"]))
    by_email = answer_email.map(email_customer)

    method = pd.Series("unmatched", index=surveys.index, dtype="str")
    method = method.mask(by_email.notna(), "e-mail")
    method = method.mask(known, "customer id")
    method = method.mask(by_ticket.notna(), "ticket id")
    linked = surveys.copy()
    linked["customer_id"] = by_ticket.fillna(surveys["customer_id"].where(known, by_email)).fillna(
        surveys["customer_id"]
    )

    answers = method.value_counts().reindex(list(METHODS), fill_value=0)
    counts = pd.DataFrame(
        {
            "method": list(METHODS),
            "answers": answers.to_numpy(),
            "share": answers.to_numpy() / len(surveys) if len(surveys) else 0.0,
        }
    )
    return linked, LinkReport(counts, surveys.loc[method == "unmatched"])
