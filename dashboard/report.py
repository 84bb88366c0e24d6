"""The client committee's meeting pack from the command line, e.g. on a schedule::

    python -m dashboard.report --month 2026-10 --out committee_2026-10.html
    python -m dashboard.report --out committee.pptx          # the last complete month

The format follows the file's extension (``.html`` or ``.pptx``). The data is the app's
configured helpdesk source (``dashboard.sources.configured_source``: secrets.toml, then
``LOYALTY_LENS_DATABASE_URL``, else the embedded demo, built when missing); actions and theme
renames come from the same workspace database as the app's (``LOYALTY_LENS_WORKSPACE_URL``).
No Streamlit runtime or cache is used: complaint themes are learnt here with
:func:`analysis.themes.learn_themes` on the same texts as the app, so the themes match.
Exit status 0 when the file was written, 1 (with a one-line reason) when it could not be.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import streamlit.logger

# No app runs here, which is the point: silence Streamlit's notices about it (cache decorators
# in the modules imported below, session state in the source lookup).
streamlit.logger.set_log_level("error")

from analysis.committee import parse_month  # noqa: E402
from analysis.results import SmallSampleWarning  # noqa: E402
from analysis.themes import apply_edits, learn_themes  # noqa: E402
from analysis.views import survey_context, ticket_context  # noqa: E402
from dashboard import meeting_pack  # noqa: E402
from dashboard.sources import configured_source, demo_path  # noqa: E402
from dashboard.theme_data import (  # noqa: E402
    SOURCE_TEXT,
    LearnedThemes,
    labelled,
    ticket_documents,
)
from data_connectors import demo  # noqa: E402
from data_connectors.actions import ActionStore  # noqa: E402
from data_connectors.dataset import Dataset  # noqa: E402
from data_connectors.errors import LoyaltyLensError  # noqa: E402
from data_connectors.mapping import Mapping  # noqa: E402
from data_connectors.sql import read_dataset  # noqa: E402
from data_connectors.theme_edits import ThemeEdits  # noqa: E402
from data_connectors.workspace import Workspace  # noqa: E402

#: File extension → writer.
FORMATS = {".html": meeting_pack.to_html, ".pptx": meeting_pack.to_pptx}


def read_source() -> Dataset:
    """The configured helpdesk source, validated (the demo is built first if it is missing)."""
    spec = configured_source()
    if spec.kind == "demo" and not demo_path().exists():
        demo.build_database(demo_path())
    mapping = Mapping.from_file(spec.mapping_path) if spec.mapping_path else None
    name = "Demo helpdesk (SQLite)" if spec.kind == "demo" else None
    dataset, _ = read_dataset(spec.url, mapping, source_name=name, **spec.read_arguments())
    return dataset


def ticket_themes(dataset: Dataset, workspace: Workspace) -> pd.DataFrame | None:
    """Each ticket's complaint theme, learnt as the app learns it (ticket words and survey
    comments together, the users' renames and merges applied); None without any text."""
    documents = ticket_documents(dataset.tickets)
    has_words = documents.str.len() > 0
    surveys = dataset.surveys
    comments = surveys["comment"].dropna() if "comment" in surveys else pd.Series(dtype=object)
    if not has_words.any() and comments.empty:
        return None
    model = learn_themes(pd.concat([documents[has_words], comments], ignore_index=True))
    tickets = pd.DataFrame(
        {
            "ticket_id": dataset.tickets.loc[has_words, "ticket_id"].to_numpy(),
            "theme_id": model.assignments[: int(has_words.sum())],
        }
    )
    learned = LearnedThemes(model, tickets, tickets.iloc[:0], SOURCE_TEXT, "")
    return labelled(tickets, learned, apply_edits(model.themes, ThemeEdits(workspace).read()))


def build(month_text: str | None, out: Path) -> Path:
    """Write the pack of ``month_text`` ("YYYY-MM"; None: the last complete month) to ``out``.

    Raises ValueError for a bad month or extension, LoyaltyLensError for an unreadable source
    or workspace.
    """
    writer = FORMATS.get(out.suffix.lower())
    if writer is None:
        raise ValueError(f"--out must end in {' or '.join(FORMATS)}, got {out.name!r}")
    wanted = parse_month(month_text) if month_text else None
    dataset = read_source()
    workspace = Workspace.open()
    try:
        data = meeting_pack.CommitteeData(
            customers=dataset.customers,
            tickets=ticket_context(dataset.tickets, dataset.customers),
            surveys=survey_context(dataset.surveys, dataset.tickets, dataset.customers),
            has=dataset.has,
            ticket_themes=ticket_themes(dataset, workspace),
            source_name=dataset.source.name if dataset.source else "",
        )
        months = meeting_pack.data_months(data)
        if not months:
            raise ValueError("the data does not cover one complete month yet")
        month = wanted or months[0]
        if month not in months:
            raise ValueError(
                f"no complete data for {month:%Y-%m}: the data covers "
                f"{months[-1]:%Y-%m} to {months[0]:%Y-%m}"
            )
        actions = ActionStore(workspace).actions()
        today = datetime.now(UTC).date()
        pack = meeting_pack.committee_month(data, month, actions, today)
    finally:
        workspace.close()
    out.write_bytes(writer(pack))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.report",
        description="Write the client committee's meeting pack (HTML or PowerPoint).",
    )
    parser.add_argument("--month", help="YYYY-MM (default: the last complete month)")
    parser.add_argument("--out", required=True, type=Path, help="FILE.html or FILE.pptx")
    arguments = parser.parse_args(argv)
    # Small samples are flagged in the pack beside the numbers (n), not in the terminal.
    warnings.filterwarnings("ignore", category=SmallSampleWarning)
    streamlit.logger.set_log_level("error")  # again: loading Streamlit's config resets it
    try:
        written = build(arguments.month, arguments.out)
    except (ValueError, LoyaltyLensError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
