"""Benchmark: the data work of the Loyalty, Service quality and Follow-up pages, cold.

    .venv/bin/python benchmarks/page_data.py                      # the default demo size
    .venv/bin/python benchmarks/page_data.py --customers 130000   # about 1 million tickets

Builds a demo database, reads it once (not timed per page), then times every analysis call each
page makes for the default 90-day period, and prints the total per page. Target (issue 5):
well under a second on the demo, under 3 s per page at 1 million tickets.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import drivers
import pandas as pd
import themes
from timing import timed

from analysis import at_risk, followup, referrals, retention, service
from analysis.kpis import Tables, in_period, overview_kpis, survey_trend
from analysis.loyalty_views import (
    callback_requests,
    composition_over_time,
    detractor_chart,
    low_score_mask,
    reasons_over_time,
    score_distribution,
    verbatims,
)
from analysis.segments import per_customer, segment_table
from analysis.views import DIMENSIONS, survey_context, ticket_context
from dashboard import meeting_pack
from data_connectors.demo import build_database
from data_connectors.sql import read_dataset


def followup_events(surveys: pd.DataFrame) -> pd.DataFrame:
    """A "contacted" mark on every low CSAT/NPS answer, 0–179 minutes after it (deterministic)."""
    low = surveys.loc[
        surveys["survey_type"].isin(followup.FOLLOWED_TYPES) & low_score_mask(surveys)
    ].reset_index(drop=True)
    minutes = pd.to_timedelta((low.index.to_numpy() * 7) % 180, unit="min")
    return pd.DataFrame(
        {
            "event_id": low.index.to_numpy() + 1,
            "response_id": low["response_id"].to_numpy(),
            "status": followup.CONTACTED,
            "note": "called",
            "editor": "bench",
            "handled_at": (low["responded_at"] + minutes).to_numpy(),
        }
    )


def page(title: str, steps: dict[str, Callable[[], object]]) -> None:
    """Time each step of one page and print the page's total."""
    print(f"\n{title}")
    start = time.perf_counter()
    for label, work in steps.items():
        timed(f"  {label}", work)
    print(f"  {'total':<38} {time.perf_counter() - start:8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=8000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        timed("build demo database", lambda: build_database(path, customers=args.customers))
        dataset, _ = timed("read + validate", lambda: read_dataset(f"sqlite:///{path}"))
    print("rows:", dataset.row_counts())
    surveys = survey_context(dataset.surveys, dataset.tickets, dataset.customers)
    tickets = ticket_context(dataset.tickets, dataset.customers)
    end = tickets["created_at"].max().normalize()
    start = end - pd.Timedelta(days=89)
    in_range = in_period(surveys, "responded_at", start, end)
    tables = Tables(dataset.customers, tickets, surveys)
    cohort = service.select_basis(tickets, "created", (start, end))
    as_of = end + pd.Timedelta(days=1)

    page("Overview", {"KPI tiles with changes": lambda: overview_kpis(tables, start, end)})
    page(
        "Loyalty (NPS)",
        {
            "trend": lambda: survey_trend(surveys, "nps"),
            "composition": lambda: composition_over_time(surveys),
            "detractor control chart": lambda: detractor_chart(surveys),
            "score distribution": lambda: score_distribution(in_range, "nps"),
            "segments (4 dimensions)": lambda: [
                segment_table(in_range, "nps", dim) for dim in DIMENSIONS
            ],
            "reasons": lambda: reasons_over_time(surveys, survey_type="nps"),
            "callbacks": lambda: callback_requests(surveys, survey_type="nps"),
            "verbatims (masked)": lambda: verbatims(in_range, survey_type="nps"),
        },
    )
    page(
        "Service quality",
        {
            "rates (FCR, reopen, transfer, abandon)": lambda: [
                service.fcr_rate(cohort),
                service.reopen_rate(cohort),
                service.transfer_rate(cohort),
                service.abandon_rate(cohort),
            ],
            "immediate response": lambda: service.immediate_response_rate(cohort, as_of=as_of),
            "speed standards": lambda: service.sla_compliance(
                tickets, period=(start, end), as_of=as_of
            ),
            "time tables (response, resolution)": lambda: [
                service.time_table(cohort, "channel", m) for m in ("response", "resolution")
            ],
            "backlog (weekly)": lambda: service.backlog(tickets, "W", as_of=as_of),
            "QA scores": lambda: service.qa_scores(dataset.qa_reviews),
            "team table": lambda: service.team_table(cohort, surveys, as_of=as_of),
        },
    )
    page("Drivers (NPS)", drivers.page_steps(dataset, surveys, start, end))
    page("Complaint themes", themes.page_steps(dataset, tickets, surveys, start, end))
    events = followup_events(in_range)
    cases = followup.followup_cases(in_range, tickets, events, as_of=as_of)
    page(
        "Follow-up",
        {
            "cases (state, outcomes, masking)": lambda: followup.followup_cases(
                in_range, tickets, events, as_of=as_of
            ),
            "queue (open first)": lambda: followup.queue(cases),
            "compliance, by department and week": lambda: [
                followup.compliance(cases),
                followup.contact_time(cases),
                followup.compliance_table(cases, "department"),
                followup.compliance_over_time(cases, "W"),
            ],
            "best answers on hard tickets": lambda: followup.best_answers(in_range, tickets),
        },
    )
    customers = dataset.customers
    first = min(tickets["created_at"].min(), surveys["responded_at"].min()).normalize()
    page(
        "Retention & churn",
        {
            "KPI tiles (churn, retention, referrals)": lambda: overview_kpis(
                tables, start, end, ("churn", "retention", "referral_rate")
            ),
            "churn trend (monthly, revenue)": lambda: retention.retention_trend(
                customers, first, end
            ),
            "cohort table + pooled curve": lambda: [
                retention.cohort_table(customers, end, first_cohort=first),
                retention.pooled_retention(customers, end, first_cohort=first),
            ],
            "survival by department (landmark)": lambda: retention.survival_by_group(
                retention.customer_durations(customers, end, origin=start),
                retention.split_labels(customers, tickets, surveys, start, "department"),
            ),
            "referrals by NPS group": lambda: referrals.referrals_by_nps_group(
                customers, per_customer(surveys)
            ),
            "at-risk list": lambda: at_risk.at_risk_list(
                at_risk.risk_signals(customers, tickets, surveys, end)
            ),
            "back-test (90 days)": lambda: at_risk.backtest(customers, tickets, surveys, end),
        },
    )
    committee_page(dataset, tickets, surveys)


def committee_page(dataset, tickets: pd.DataFrame, surveys: pd.DataFrame) -> None:
    """Client committee: the last complete month, with three closed actions to evaluate."""
    data = meeting_pack.CommitteeData(dataset.customers, tickets, surveys, dataset.has)
    month = meeting_pack.data_months(data)[0]
    department = sorted(tickets["department"].dropna().unique())[0]
    category = tickets["category"].dropna().iloc[0]
    actions = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "meeting_month": f"{month:%Y-%m}",
            "department": department,
            "decision": "bench",
            "target_kind": ["kpi", "kpi", "theme"],
            "target": ["sla", "csi", category],
            "owner_role": "head",
            "due_date": month - pd.DateOffset(months=4),
            "status": "closed",
            "closed_at": month - pd.DateOffset(months=4),
        }
    )
    base = meeting_pack.month_base(data, month)
    today = month + pd.DateOffset(months=1)
    pack = meeting_pack.with_actions(base, data, actions, today)
    page(
        "Client committee",
        {
            "scorecard, themes, suggestions, trends": lambda: meeting_pack.month_base(data, month),
            "register + 3 action effects (DiD)": lambda: meeting_pack.with_actions(
                base, data, actions, today
            ),
            "meeting pack HTML": lambda: meeting_pack.to_html(pack),
            "meeting pack PPTX": lambda: meeting_pack.to_pptx(pack),
        },
    )


if __name__ == "__main__":
    main()
