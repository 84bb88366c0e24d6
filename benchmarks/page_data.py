"""Benchmark: the data work of the Loyalty and Service quality pages, cold, with figures.

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

import pandas as pd
from timing import timed

from analysis import service
from analysis.kpis import Tables, in_period, overview_kpis, survey_trend
from analysis.loyalty_views import (
    callback_requests,
    composition_over_time,
    detractor_chart,
    reasons_over_time,
    score_distribution,
    verbatims,
)
from analysis.segments import segment_table
from analysis.views import DIMENSIONS, survey_context, ticket_context
from data_connectors.demo import build_database
from data_connectors.sql import read_dataset


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


if __name__ == "__main__":
    main()
