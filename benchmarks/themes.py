"""Benchmark: learning complaint themes from 200,000 texts, the cached path, incremental assignment.

    .venv/bin/python benchmarks/themes.py                   # 200,000 ticket texts
    .venv/bin/python benchmarks/themes.py --texts 50000

Builds a demo helpdesk big enough (English and Russian ticket subjects and texts), takes the first
``--texts`` tickets' words, and prints: learning with the number of themes chosen automatically
(target: under a minute on 2 cores), assigning 1,000 new texts to the fitted model without
refitting, re-assigning all texts, and the app's cached path (``dashboard.theme_data``): first
call (learns tickets and survey comments) and a repeated call (cache hit).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from timing import timed

from analysis.kpis import in_period
from analysis.theme_views import (
    emerging_themes,
    recurrence_table,
    recurrences,
    theme_breakdown,
    theme_loyalty,
    theme_verbatims,
    theme_volumes,
)
from analysis.themes import learn_themes
from dashboard.data import prepared
from dashboard.theme_data import ticket_documents
from data_connectors.dataset import Dataset
from data_connectors.demo import build_database
from data_connectors.sql import read_dataset

#: Tickets per demo customer over 24 months (about 65,000 tickets for 8,000 customers).
TICKETS_PER_CUSTOMER = 8.1


def page_steps(
    dataset: Dataset,
    tickets: pd.DataFrame,
    surveys: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> dict[str, Callable[[], object]]:
    """The Complaint themes page's cold data work for ``[start, end]`` (complaints, defaults)."""
    documents = ticket_documents(dataset.tickets)
    texts = pd.concat([documents, dataset.surveys["comment"].dropna()], ignore_index=True)
    model = learn_themes(texts)
    labels = model.themes.set_index("theme_id")["label"]
    themes = pd.DataFrame(
        {"ticket_id": dataset.tickets["ticket_id"], "theme_id": model.assignments[: len(documents)]}
    ).assign(theme=lambda f: f["theme_id"].map(labels))
    items = tickets.merge(themes, on="ticket_id")
    complaints = items.loc[items["is_complaint"].fillna(False).astype(bool).to_numpy()]
    in_range = in_period(complaints, "created_at", start, end)
    baseline = (start - pd.Timedelta(days=365), start - pd.Timedelta(days=1))
    return {
        f"learn themes ({len(texts):,} texts)": lambda: learn_themes(texts),
        "emerging vs 12 months": lambda: emerging_themes(complaints, (start, end), baseline),
        "volumes (monthly)": lambda: theme_volumes(complaints),
        "by department and channel": lambda: [
            theme_breakdown(in_range, by) for by in ("department", "channel")
        ],
        "recurrence (30 days) by department": lambda: recurrence_table(
            recurrences(in_range, observed_until=complaints["created_at"].max()), "department"
        ),
        "NPS / CSAT per theme": lambda: theme_loyalty(
            in_range, in_period(surveys, "responded_at", start, end)
        ),
        "verbatims of the top theme (masked)": lambda: theme_verbatims(
            in_range, 0, ("ticket_id", "created_at", "subject", "text")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=200_000)
    args = parser.parse_args()
    customers = int(args.texts / TICKETS_PER_CUSTOMER) + 1000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        os.environ["LOYALTY_LENS_WORKSPACE_URL"] = f"sqlite:///{Path(folder) / 'ws.sqlite'}"
        timed("build demo database", lambda: build_database(path, customers=customers))
        dataset, report = timed("read + validate", lambda: read_dataset(f"sqlite:///{path}"))
        from dashboard import theme_data  # its workspace: the temporary one set above

        texts = ticket_documents(dataset.tickets).head(args.texts)
        print(f"texts: {len(texts):,} ({texts.nunique():,} distinct), on {os.cpu_count()} cores")
        model = timed(f"learn themes ({len(texts):,} texts, k auto)", lambda: learn_themes(texts))
        print(f"themes: {len(model.themes)}; stability per k:")
        print(model.k_scores.to_string(index=False))
        print(model.themes[["theme_id", "label", "size"]].to_string(index=False))
        new = texts.sample(1000, random_state=1).str.replace("order", "purchase")
        timed("assign 1,000 new texts (no refit)", lambda: model.assign(new))
        timed(f"assign all {len(texts):,} texts again", lambda: model.assign(texts))
        loaded = prepared(dataset, {"Helpdesk database": report})
        count = len(dataset.tickets) + int(dataset.surveys["comment"].notna().sum())
        with warnings.catch_warnings():  # no Streamlit runtime here: caches work in memory
            warnings.simplefilter("ignore")
            timed(
                f"app: ticket_themes, cold ({count:,} texts)",
                lambda: theme_data.ticket_themes(loaded),
            )
            timed("app: ticket_themes, cached", lambda: theme_data.ticket_themes(loaded))


if __name__ == "__main__":
    main()
