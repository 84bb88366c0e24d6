"""Linking uploaded answers to helpdesk customers by ticket id, customer id or e-mail."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data_connectors.linking import link_answers, normalise_email


def _helpdesk() -> tuple[pd.DataFrame, pd.DataFrame]:
    customers = pd.DataFrame(
        {"customer_id": ["1", "2", "3"], "email": ["Ann@Example.com", None, " bob@example.com "]}
    )
    tickets = pd.DataFrame({"ticket_id": ["T9"], "customer_id": ["2"]})
    return customers, tickets


def test_each_rule_in_order():
    customers, tickets = _helpdesk()
    surveys = pd.DataFrame(
        {
            "response_id": ["a", "b", "c", "d", "e"],
            "customer_id": ["zzz", "3", "ANN@example.com", "mailto:Bob@Example.com", "x@y.z"],
            "ticket_id": ["T9", None, None, None, "T404"],
            "email": [None, None, None, None, None],
        }
    )
    linked, report = link_answers(surveys, customers, tickets)
    # a: by its ticket (customer 2); b: known id; c, d: e-mail after normalising; e: unmatched.
    assert linked["customer_id"].tolist() == ["2", "3", "1", "3", "x@y.z"]
    counts = report.counts.set_index("method")["answers"].to_dict()
    assert counts == {"ticket id": 1, "customer id": 1, "e-mail": 2, "unmatched": 1}
    assert report.match_rate == pytest.approx(4 / 5)
    assert report.unmatched["response_id"].tolist() == ["e"]


def test_no_answers_gives_an_undefined_rate():
    customers, tickets = _helpdesk()
    empty = pd.DataFrame(columns=["response_id", "customer_id", "ticket_id", "email"], dtype="str")
    _, report = link_answers(empty, customers, tickets)
    assert math.isnan(report.match_rate)


def test_normalise_email_ignores_non_addresses():
    values = pd.Series([" A@B.C ", "12345", None])
    assert normalise_email(values).tolist()[0] == "a@b.c"
    assert normalise_email(values).isna().tolist() == [False, True, True]


def test_the_answers_own_email_joins_when_its_id_is_the_tools_own():
    customers, tickets = _helpdesk()
    surveys = pd.DataFrame(
        {
            "response_id": ["a"],
            "customer_id": ["person-77"],
            "ticket_id": [None],
            "email": ["ann@example.COM"],
        }
    )
    linked, report = link_answers(surveys, customers, tickets)
    assert linked["customer_id"].tolist() == ["1"]
    assert report.match_rate == 1.0
