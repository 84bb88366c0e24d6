"""Cached data access for the pages.

Every cache is keyed by the source's URL, mapping and *data version* (a cheap fingerprint of row
counts and latest timestamps, re-read at most every ``VERSION_TTL`` seconds), so a new source or
new rows are never served stale, and bounded by ``max_entries``.

The loaded data is held with ``st.cache_resource``, not ``st.cache_data``: ``cache_data`` hands
every rerun a fresh copy by unpickling, which at a million tickets costs about 0.4 s per table set
on every click (measured: 0.35–0.49 s for the 488 MB dataset alone). The shared frames are
therefore read-only by convention: analysis functions and pages derive new frames and never
assign into these (pandas copy-on-write keeps derived frames from writing back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from analysis.kpis import Tables
from analysis.views import DIMENSIONS, Slice, apply_slice, survey_context, ticket_context
from dashboard import meeting_pack
from dashboard.meeting_pack import CommitteeData, CommitteeMonth
from dashboard.sources import SourceSpec, demo_path
from data_connectors import demo
from data_connectors.combine import combine
from data_connectors.dataset import Dataset
from data_connectors.errors import DataSourceError
from data_connectors.linking import LinkReport, link_answers
from data_connectors.mapping import Mapping
from data_connectors.settings import load_settings
from data_connectors.sql import read_dataset, source_version
from data_connectors.validation import ValidationReport
from data_connectors.workspace import Workspace

VERSION_TTL = 30  # seconds between checks of whether the source's data changed
#: Re-read at least this often: the version fingerprint cannot see an edit that changes neither
#: row counts nor the latest timestamps (a corrected department, say).
LOAD_TTL = 3600


#: What the pages can work on: the helpdesk database (or the demo), uploaded exports, or both.
DATA_CHOICES = {
    "helpdesk": "Helpdesk database",
    "uploads": "Uploaded exports",
    "combined": "Both combined",
}


@dataclass(frozen=True)
class Loaded:
    """A validated dataset with the context columns the filters need.

    ``reports`` holds the validation report of each part that was read (label → report).
    """

    dataset: Dataset
    reports: dict[str, ValidationReport]
    surveys: pd.DataFrame  # surveys + department, channel, segment, region
    tickets: pd.DataFrame  # tickets + segment, region
    links: LinkReport | None = None  # how uploaded answers joined customers and tickets


def prepared(
    dataset: Dataset, reports: dict[str, ValidationReport], links: LinkReport | None = None
) -> Loaded:
    """The dataset with the context columns the filters need (also for scripts: benchmarks)."""
    return Loaded(
        dataset=dataset,
        reports=reports,
        surveys=survey_context(dataset.surveys, dataset.tickets, dataset.customers),
        tickets=ticket_context(dataset.tickets, dataset.customers),
        links=links,
    )


def _linked(
    uploads: Dataset, customers: pd.DataFrame, tickets: pd.DataFrame
) -> tuple[Dataset, LinkReport]:
    """The uploads with their survey answers joined to ``customers`` and ``tickets``."""
    surveys, links = link_answers(uploads.surveys, customers, tickets)
    return uploads.with_tables(surveys=surveys), links


@dataclass(frozen=True)
class View:
    """The data a page works on: the global slice applied (period slicing is the page's)."""

    customers: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    start: date
    end: date
    slice: Slice


def ensure_demo_database() -> None:
    """Build the demo database on first start, and again on a later day so that it ends today.

    A rebuild keeps the size and seed it was built with; a progress bar shows while it runs.
    """
    path = demo_path()
    sizes: dict[str, int] = {}
    if path.exists():
        info = demo.read_info(path)
        if info.get("built_at", "")[:10] == date.today().isoformat():
            return
        sizes = {key: int(info[key]) for key in ("customers", "months", "seed") if key in info}
    bar = st.progress(0.0, text="Building the demo helpdesk database…")
    demo.build_database(path, **sizes, progress=lambda f, msg: bar.progress(min(f, 1.0), text=msg))
    bar.empty()


def _mapping(spec: SourceSpec) -> Mapping | None:
    if not spec.mapping_path:
        return None
    try:
        return Mapping.from_file(spec.mapping_path)
    except ValueError as exc:  # the mapping file is unreadable or names unknown columns
        raise DataSourceError(str(exc), part=f"mapping file {spec.mapping_path}") from exc


@st.cache_data(ttl=VERSION_TTL, max_entries=8, show_spinner=False)
def data_version(spec: SourceSpec) -> str:
    """Fingerprint of the source's current data (cached briefly)."""
    return source_version(spec.url, _mapping(spec), **spec.read_arguments())


def _read_helpdesk(spec: SourceSpec) -> tuple[Dataset, ValidationReport]:
    name = "Demo helpdesk (SQLite)" if spec.kind == "demo" else None
    return read_dataset(spec.url, _mapping(spec), source_name=name, **spec.read_arguments())


@st.cache_resource(ttl=LOAD_TTL, max_entries=4, show_spinner="Reading the data source…")
def load(spec: SourceSpec, version: str) -> Loaded:
    """Read, validate and prepare the source's canonical tables (``version`` keys the cache)."""
    dataset, report = _read_helpdesk(spec)
    return prepared(dataset, {"Helpdesk database": report})


@st.cache_resource
def workspace() -> Workspace:
    """The app's own database (uploads, saved mappings): one shared connection pool."""
    return Workspace.open()


@st.cache_data(ttl=LOAD_TTL, max_entries=4, show_spinner=False)
def _has_rows(version: str) -> bool:
    return not workspace().is_empty()


def has_uploads() -> bool:
    """Whether the workspace holds any uploaded row (one query per rerun: its version)."""
    return _has_rows(workspace().version())


@st.cache_resource(ttl=LOAD_TTL, max_entries=4, show_spinner="Reading uploaded exports…")
def load_uploads(version: str) -> Loaded:
    """The uploaded exports alone (``version`` is the workspace's data version)."""
    stored = workspace().read()
    uploads, links = _linked(stored, stored.customers, stored.tickets)
    dataset, report = combine([uploads])
    return prepared(dataset, {"Uploaded exports": report}, links)


@st.cache_resource(ttl=LOAD_TTL, max_entries=4, show_spinner="Combining the sources…")
def load_combined(spec: SourceSpec, version: str, uploads_version: str) -> Loaded:
    """Helpdesk database plus uploaded exports; an uploaded record replaces the database's."""
    helpdesk, helpdesk_report = _read_helpdesk(spec)
    stored = workspace().read()
    customers = pd.concat([helpdesk.customers, stored.customers], ignore_index=True)
    tickets = pd.concat([helpdesk.tickets, stored.tickets], ignore_index=True)
    uploads, links = _linked(stored, customers, tickets)
    dataset, report = combine([helpdesk, uploads])
    reports = {"Helpdesk database": helpdesk_report, "Combined (references across sources)": report}
    return prepared(dataset, reports, links)


def current(spec: SourceSpec, choice: str = "helpdesk") -> Loaded:
    """The chosen data, prepared (raises DataSourceError / SchemaError)."""
    if choice == "uploads":
        return load_uploads(workspace().version())
    if choice == "combined":
        return load_combined(spec, data_version(spec), workspace().version())
    return load(spec, data_version(spec))


def view(loaded: Loaded, start: date, end: date, slice_: Slice) -> View:
    customers, tickets, surveys = apply_slice(
        loaded.dataset.customers, loaded.tickets, loaded.surveys, slice_
    )
    return View(customers, tickets, surveys, start, end, slice_)


def tables(view_: View) -> Tables:
    """The view as analysis.kpis expects it (churn base follows a department/channel filter)."""
    served_only = any(DIMENSIONS[dim] == "tickets" for dim in view_.slice.active)
    return Tables(view_.customers, view_.tickets, view_.surveys, served_only)


@st.cache_data(ttl=60, max_entries=1, show_spinner=False)
def settings() -> dict:
    """The app's settings (defaults overridden by loyalty_lens.toml), re-read every minute."""
    return load_settings()


@st.cache_data(ttl=LOAD_TTL, max_entries=8, show_spinner="Preparing the committee's month…")
def committee_base(_committee: CommitteeData, key: tuple, month: str) -> CommitteeMonth:
    """The committee's month before actions (:func:`meeting_pack.month_base`; ``month``
    "YYYY-MM"), cached by ``key``: what identifies the data (source, choice, data version)."""
    return meeting_pack.month_base(_committee, pd.Timestamp(f"{month}-01"))


@st.cache_data(ttl=LOAD_TTL, max_entries=8, show_spinner="Measuring the actions' effects…")
def committee_month(
    _committee: CommitteeData, key: tuple, month: str, actions: pd.DataFrame, today: date
) -> CommitteeMonth:
    """:func:`committee_base` with the action register as of ``today``
    (:func:`meeting_pack.with_actions`), cached also by the register and the day."""
    base = committee_base(_committee, key, month)
    return meeting_pack.with_actions(base, _committee, actions, today)
