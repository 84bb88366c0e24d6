"""The committee's scorecard, themes, suggestions and action states against hand-computed values
and independent implementations (statsmodels), on a small hand-built two-department month."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from analysis import committee
from analysis.committee import (
    departments,
    due_state,
    hide_names,
    is_suggestion,
    last_complete_month,
    month_bounds,
    months_between,
    parse_month,
    repeat_complaints,
    scorecard,
    suggestions,
    top_themes,
)
from analysis.views import survey_context, ticket_context

OCT = "2026-10-01"


def _ticket(tid, customer, day, department, complaint, *, late=False, fcr=True, category="x"):
    created = pd.Timestamp(day) + pd.Timedelta(hours=9)
    return {
        "ticket_id": tid,
        "customer_id": customer,
        "created_at": created,
        "channel": "email",
        "department": department,
        "category": category,
        "text": f"text of {tid}",
        "agent": "Olga Petrova",
        "is_complaint": complaint,
        "first_response_at": created + pd.Timedelta(hours=3 if late else 1),
        "resolved_at": created + pd.Timedelta(hours=5),
        "status": "closed",
        "abandoned": False,
        "first_contact_resolved": fcr,
    }


def _data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Billing, October: 10 contacts, 4 complaints (C1 on 3 Oct and 20 Oct — a repeat after 17
    days; C3 on 5 Oct — a repeat of 28 Sep; C2 on 30 Oct — 35 days after 25 Sep, not a
    repeat), 3 answered late (e-mail standard 2 h), 6 resolved at first contact.
    September: 8 contacts, 2 complaints (C2, C3). Delivery, October: 5 contacts, 1 complaint
    (C1: another department, so no repeat of Billing's); September: 5 contacts, 2 complaints."""
    rows = [
        _ticket("A01", "C1", "2026-10-03", "Billing", True, category="Payments"),
        _ticket("A02", "C1", "2026-10-20", "Billing", True, late=True, category="Payments"),
        _ticket("A03", "C3", "2026-10-05", "Billing", True, fcr=False, category="Invoices"),
        _ticket("A04", "C2", "2026-10-30", "Billing", True, late=True, category="Payments"),
        *(
            _ticket(f"A1{i}", "C6", f"2026-10-{10 + i}", "Billing", False, late=i == 0, fcr=i < 4)
            for i in range(6)
        ),
        _ticket("S01", "C2", "2026-09-25", "Billing", True, category="Payments"),
        _ticket("S02", "C3", "2026-09-28", "Billing", True, category="Invoices"),
        *(_ticket(f"S1{i}", "C6", f"2026-09-{10 + i}", "Billing", False) for i in range(6)),
        _ticket("D01", "C1", "2026-10-10", "Delivery", True, category="Late parcel"),
        *(_ticket(f"D1{i}", "C5", f"2026-10-{12 + i}", "Delivery", False) for i in range(4)),
        _ticket("E01", "C4", "2026-09-05", "Delivery", True, category="Late parcel"),
        _ticket("E02", "C5", "2026-09-06", "Delivery", True, category="Late parcel"),
        *(_ticket(f"E1{i}", "C5", f"2026-09-{12 + i}", "Delivery", False) for i in range(3)),
    ]
    tickets = pd.DataFrame(rows).astype(
        {
            "is_complaint": "boolean",
            "abandoned": "boolean",
            "first_contact_resolved": "boolean",
            "created_at": "datetime64[ns]",
            "first_response_at": "datetime64[ns]",
            "resolved_at": "datetime64[ns]",
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(1, 7)],
            "signup_date": pd.Timestamp("2025-01-01"),
            "churn_date": pd.NaT,
            "segment": "SMB",
            "region": "EU",
        }
    )
    answers = [
        # CSAT about Billing's October contacts: 5, 4, 4, 2, 5 (mean 4.0).
        *(
            ("R" + tid, cust, tid, "2026-10-25", "csat", score, None)
            for tid, cust, score in [
                ("A10", "C6", 5),
                ("A11", "C6", 4),
                ("A12", "C6", 4),
                ("A13", "C6", 2),
                ("A14", "C6", 5),
            ]
        ),
        # Relationship NPS in October: C1 10, C2 9, C3 3, C4 10, C5 none.
        ("N1", "C1", None, "2026-10-28", "nps", 10, "Please add weekend support hours"),
        ("N2", "C2", None, "2026-10-28", "nps", 9, "It would be great to see the queue"),
        ("N3", "C3", None, "2026-10-28", "nps", 3, "The agent Olga Petrova was rude"),
        ("N4", "C4", None, "2026-10-28", "nps", 10, "Добавьте, пожалуйста, чат"),
    ]
    surveys = pd.DataFrame(
        answers,
        columns=[
            "response_id",
            "customer_id",
            "ticket_id",
            "responded_at",
            "survey_type",
            "score",
            "comment",
        ],
    ).astype({"responded_at": "datetime64[ns]", "score": float})
    return customers, tickets, surveys


@pytest.fixture
def month_data():
    customers, tickets, surveys = _data()
    return (
        customers,
        ticket_context(tickets, customers),
        survey_context(surveys, tickets, customers),
    )


@pytest.fixture
def card(month_data) -> pd.DataFrame:
    return scorecard(departments(*month_data), OCT).set_index(["department", "metric"])


def test_months():
    assert parse_month("2026-10") == pd.Timestamp("2026-10-01")
    for bad in ("2026-13", "10/2026", "2026-1", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(bad)
    assert month_bounds("2024-02-17") == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert last_complete_month("2026-11-21") == pd.Timestamp("2026-10-01")
    assert last_complete_month("2026-11-30 18:00") == pd.Timestamp("2026-11-01")
    assert months_between("2026-08-15", "2026-11-21") == [
        pd.Timestamp("2026-10-01"),
        pd.Timestamp("2026-09-01"),
        pd.Timestamp("2026-08-01"),
    ]


def test_complaint_counts_and_rate_per_thousand(card):
    billing = card.loc[("Billing", "complaints")]
    assert (billing["value"], billing["previous"], billing["n"]) == (4, 2, 10)
    rate = card.loc[("Billing", "complaints_per_1000")]
    assert rate["value"] == pytest.approx(400.0) and rate["previous"] == pytest.approx(250.0)
    # Independent Wilson interval: statsmodels proportion_confint(4, 10, method="wilson").
    low, high = proportion_confint(4, 10, method="wilson")
    assert (rate["ci_low"], rate["ci_high"]) == pytest.approx((1000 * low, 1000 * high))
    assert rate["change"] == pytest.approx(150.0)


def test_repeat_complaints_look_back_thirty_days_across_the_month_boundary(month_data):
    _, tickets, _ = month_data
    flagged = repeat_complaints(tickets).set_index("ticket_id")["repeat"]
    assert flagged[["A01", "A02", "A03", "A04", "D01"]].tolist() == [
        False,  # C1's first complaint to Billing
        True,  # C1 again 17 days later
        True,  # C3, 7 days after 28 Sep
        False,  # C2, 35 days after 25 Sep
        False,  # C1 to Delivery: another department
    ]


def test_repeat_share_sla_fcr_and_csi_by_hand(card):
    repeats = card.loc[("Billing", "repeat_complaints")]
    assert (repeats["value"], repeats["n"]) == (pytest.approx(50.0), 4)  # 2 of 4
    sla = card.loc[("Billing", "sla")]
    assert (sla["value"], sla["n"]) == (pytest.approx(70.0), 10)  # 3 of 10 answered after 2 h
    fcr = card.loc[("Billing", "fcr")]
    assert (fcr["value"], fcr["n"]) == (pytest.approx(70.0), 10)  # A03 and 2 of the 6 others
    csi = card.loc[("Billing", "csi")]
    reference = DescrStatsW(np.array([5, 4, 4, 2, 5], dtype=float)).tconfint_mean(alpha=0.05)
    assert csi["value"] == pytest.approx(4.0) and csi["n"] == 5
    assert (csi["ci_low"], csi["ci_high"]) == pytest.approx(reference)


def test_nps_of_customers_served(card):
    # Billing served C1, C2, C3 (and C6, who gave no NPS): 10, 9, 3 → (2 − 1) / 3 = 33.3.
    billing = card.loc[("Billing", "nps_served")]
    assert billing["value"] == pytest.approx(100 / 3) and billing["n"] == 3
    # Delivery served C1 in October and C4, C5 in September: 10 and 10 → 100.
    delivery = card.loc[("Delivery", "nps_served")]
    assert delivery["value"] == pytest.approx(100.0) and delivery["n"] == 2


def test_significance_is_benjamini_hochberg_over_the_whole_table(month_data):
    table = scorecard(departments(*month_data), OCT)
    tested = table["p_value"].notna()
    reference = multipletests(table.loc[tested, "p_value"], method="fdr_bh")[1]
    assert table.loc[tested, "q_value"].to_numpy() == pytest.approx(reference)
    assert (table["significant"] == (table["q_value"] < 0.05)).all()
    assert table.attrs["family_size"] == int(tested.sum())


def test_unknown_columns_are_refused(month_data):
    with pytest.raises(ValueError, match="unknown scorecard column"):
        scorecard(departments(*month_data), OCT, ["agent_speed"])


def test_available_columns_name_what_is_missing():
    usable, missing = committee.available_columns(lambda t, c: c != "is_complaint")
    assert "complaints" not in usable and "csi" in usable
    assert missing["complaints"] == ["tickets.is_complaint"]


def test_top_themes_by_category_with_shares_and_masked_verbatims(month_data):
    _, tickets, _ = month_data
    table = top_themes(tickets, OCT).set_index(["department", "theme"])
    assert table.attrs["source"] == "category"
    payments = table.loc[("Billing", "Payments")]
    assert (payments["complaints"], payments["department_complaints"]) == (3, 4)
    # 3 in October (31 days) against 1 in September (30 days): compared at the same daily rate.
    assert payments["previous"] == 1 and payments["change"] == pytest.approx(3 - 1 * 31 / 30)
    low, high = proportion_confint(3, 4, method="wilson")
    assert (payments["share_low"], payments["share_high"]) == pytest.approx((100 * low, 100 * high))
    assert payments["examples"].split(" ¶ ")[0] == "text of A04"  # newest first
    assert list(table.loc["Billing"].index) == ["Payments", "Invoices"]


def test_top_themes_from_learnt_themes(month_data):
    _, tickets, _ = month_data
    learnt = pd.DataFrame({"ticket_id": ["A01", "A02", "A03"], "theme": ["refund", "refund", None]})
    table = top_themes(tickets, OCT, learnt)
    assert table.attrs["source"] == "themes"
    assert table[["department", "theme", "complaints"]].values.tolist() == [
        ["Billing", "refund", 2]
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Please add a chat in the app so I don't have to call.",
        "It would be great if you sent SMS updates about my ticket.",
        "I suggest a callback option.",
        "A callback option would be better than waiting on the line.",
        "Добавьте, пожалуйста, поддержку по выходным.",
        "Было бы удобно, если бы было видно место в очереди.",
        "Хотелось бы получать уведомления.",
        "Предлагаю сделать личный кабинет проще.",
    ],
)
def test_suggestions_are_recognised(text):
    assert is_suggestion([text]).tolist() == [True]


@pytest.mark.parametrize(
    "text",
    [
        "The agent was rude and interrupted me.",
        "The suggested fix did not work.",
        "Far too long on hold, 11 minutes.",
        "Ответа на письмо ждал почти двое суток.",
        "Please help, my order is late.",
        "",
    ],
)
def test_other_comments_are_not_suggestions(text):
    assert is_suggestion([text]).tolist() == [False]


def test_missing_and_non_text_comments_are_not_suggestions():
    assert is_suggestion([None, math.nan, 5]).tolist() == [False, False, False]


def test_suggestions_of_the_month_by_department_with_names_masked(month_data):
    _, tickets, surveys = month_data
    table = suggestions(surveys, OCT, tickets["agent"].unique())
    assert table["comment"].tolist() == [
        "Please add weekend support hours",  # C1: last contact before the answer was Billing
        "It would be great to see the queue",
        "Добавьте, пожалуйста, чат",
    ]
    assert table.attrs["comments"] == 4
    assert hide_names(
        pd.Series(["The agent Olga Petrova was rude"]), ["Olga Petrova"]
    ).tolist() == ["The agent [name] was rude"]


def test_due_states():
    actions = pd.DataFrame(
        {
            "department": ["A", "A", "B", "B", "B"],
            "status": ["open", "in progress", "open", "closed", "open"],
            "due_date": pd.to_datetime(
                ["2026-11-01", "2026-11-25", "2026-12-31", "2026-10-01", "2026-11-22"]
            ),
        }
    )
    states = due_state(actions, "2026-11-22").tolist()
    assert states == ["overdue", "due soon", "open", "closed", "due soon"]
    counts = committee.action_counts(actions, "2026-11-22").set_index("department")
    assert counts.loc["A"].tolist() == [2, 1] and counts.loc["B"].tolist() == [2, 0]


def test_definitions_state_the_windows_the_code_uses():
    metrics = committee.METRICS
    assert f"{committee.REPEAT_WINDOW_DAYS} days" in metrics["repeat_complaints"].formula
    assert f"{committee.SERVED_WINDOW_DAYS} days" in metrics["nps_served"].formula
    assert all(committee.COLUMNS[key].definition is metrics[key] for key in committee.COLUMNS)


def test_agent_names_are_hidden_in_part_too_but_shared_labels_are_not():
    names = ["Anna Petrova", "Agent 007", "Agent 009", "Li Wu", "J. Smith"]
    texts = pd.Series(
        [
            "Anna was rude, Petrova hung up",
            "The agent (Agent 007) was kind; the other agent was not",
            "Smith. Then J. Smith again; the line was busy",
            "ANNA helped, anna helped",
        ]
    )
    assert hide_names(texts, names).tolist() == [
        "[name] was rude, [name] hung up",
        "The agent ([name]) was kind; the other agent was not",
        "[name]. Then [name] again; the line was busy",
        "[name] helped, [name] helped",
    ]
