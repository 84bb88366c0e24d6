"""Benchmark: demo build → read + validate → survey context → Overview KPIs, with figures.

    .venv/bin/python benchmarks/overview_pipeline.py --customers 130000 --months 24

prints rows per table and the seconds each stage takes (about 1 million tickets at the size
above). Run it before and after a change that touches the data path.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from timing import timed

from analysis.kpis import Tables, overview_kpis, survey_trend
from analysis.periods import previous_period
from analysis.views import survey_context, ticket_context
from data_connectors.demo import build_database
from data_connectors.sql import read_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=8000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        timed(
            "build demo database",
            lambda: build_database(path, customers=args.customers, months=args.months),
        )
        dataset, report = timed(
            "read + validate (read_dataset)", lambda: read_dataset(f"sqlite:///{path}")
        )
        print("rows:", dataset.row_counts(), "rejected:", int(report.summary()["rejected"].sum()))
        surveys = timed(
            "survey context (department, ...)",
            lambda: survey_context(dataset.surveys, dataset.tickets, dataset.customers),
        )
        tickets = timed(
            "ticket context (segment, region)",
            lambda: ticket_context(dataset.tickets, dataset.customers),
        )
        end = tickets["created_at"].max().normalize()
        start = end - pd.Timedelta(days=89)
        print(
            "period:",
            start.date(),
            "–",
            end.date(),
            "vs",
            *[d.date() for d in previous_period(start, end)],
        )
        timed(
            "overview KPIs (6 tiles + changes)",
            lambda: overview_kpis(Tables(dataset.customers, tickets, surveys), start, end),
        )
        timed(
            "monthly NPS and CSI trends",
            lambda: (survey_trend(surveys, "nps"), survey_trend(surveys, "csi")),
        )


if __name__ == "__main__":
    main()
