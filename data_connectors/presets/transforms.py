"""Reshaping some exports need before their mapping applies: pure functions over pandas frames.

Every transform takes the file as read (one header row, file column names) and ``fields``, which
names the file column of each canonical column the mapping uses plus the preset's extra fields
(e.g. ``updated_at`` for an event log); it returns a new frame with the same column names (plus
the derived columns a preset declares) and never changes its input. Rows keep their index: the
row's position in the file, so a rejected row can be traced back to its line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import reduce

import numpy as np
import pandas as pd

from data_connectors.values import parse_dates

#: ``transform(frame, fields) -> frame``; see the module docstring.
Transform = Callable[[pd.DataFrame, Mapping[str, str]], pd.DataFrame]

#: SurveyMonkey's second header row names the answer column of a one-column question so.
SURVEYMONKEY_ANSWER_CELLS = ("Response", "Open-Ended Response")


def chain(*steps: Transform) -> Transform:
    """One transform applying ``steps`` in order."""

    def chained(frame: pd.DataFrame, fields: Mapping[str, str]) -> pd.DataFrame:
        return reduce(lambda acc, step: step(acc, fields), steps, frame)

    return chained


def _blank(values: pd.Series) -> pd.Series:
    """True where a cell is missing or only whitespace."""
    text = values.astype("string").str.strip()
    return (text.isna() | (text == "")).fillna(True).astype(bool)


def answered_only(
    frame: pd.DataFrame, fields: Mapping[str, str], *, no_answer: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Rows that hold an answer in the ``score`` column.

    Exports list every ticket or respondent, asked or not: a blank score, or one of the
    ``no_answer`` markers (matched case-insensitively after trimming, e.g. Zendesk's
    "Not Offered"), is no survey answer and is dropped. Report trailers such as Chatwoot's
    "Reporting period …" line have a blank score and go too.
    """
    score = frame[fields["score"]]
    markers = {marker.casefold() for marker in no_answer}
    skipped = score.astype("string").str.strip().str.casefold().isin(markers).fillna(False)
    return frame[~(_blank(score) | skipped.astype(bool))]


def _parse_times(
    values: pd.Series, date_format: str | None, day_first: bool | None, column: str
) -> pd.Series:
    """Timestamps in ``date_format`` when given; every other value (or all, without one) by
    :func:`data_connectors.values.parse_dates` with ``day_first``: one explicit format per
    layout found, never a per-value guess. NaT where missing or unreadable."""
    text = values.astype("str")
    if date_format is None:
        return parse_dates(text, day_first=day_first, column=column)[0]
    parsed = pd.to_datetime(text, format=date_format, errors="coerce").astype("datetime64[ns]")
    rest = parsed.isna() & ~_blank(text)
    if rest.any():
        parsed[rest] = parse_dates(text[rest], day_first=day_first, column=column)[0]
    return parsed


def collapse_event_log(
    frame: pd.DataFrame,
    fields: Mapping[str, str],
    *,
    date_format: str | None = None,
    day_first: bool | None = None,
) -> pd.DataFrame:
    """One row per ticket from an event log with one row per change: the ticket's final state.

    The final state is the ticket's last event by ``updated_at``, ties and missing times broken
    by file order (an event without a time, or with one that is no date, counts as the
    earliest). Times are read with the preset's ``date_format`` when it has one, the rest (e.g.
    ISO 8601 from another instance) with :func:`~data_connectors.values.parse_dates` and the
    preset's ``day_first``; with ``day_first=None`` an ambiguous day/month order raises
    :class:`~data_connectors.errors.AmbiguousDatesError`, as for any date column.

    The final event's row is kept whole — status, opened/resolved/closed times, group, SLA flag —
    except ``transfers`` and ``reopens``, which become the ticket's highest count (the final
    value of a running count). Tickets keep the order of their first event; rows without a
    ticket id are kept as they are, for validation to report. ``fields`` needs ``ticket_id``;
    ``updated_at``, ``transfers`` and ``reopens`` are used when present.
    """
    key = fields["ticket_id"]
    if "updated_at" in fields:
        column = fields["updated_at"]
        when = _parse_times(frame[column], date_format, day_first, column)
    else:
        when = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    events = pd.DataFrame(
        {"key": frame[key].to_numpy(), "when": when.to_numpy(), "position": np.arange(len(frame))}
    )
    keyed = events[events["key"].notna()]
    final = keyed.sort_values(["when", "position"], kind="stable", na_position="first")
    final = final.drop_duplicates("key", keep="last").set_index("key")
    first_seen = keyed.drop_duplicates("key")["key"]
    unkeyed = events.loc[events["key"].isna(), "position"]
    positions = np.concatenate([final.loc[first_seen, "position"].to_numpy(), unkeyed.to_numpy()])
    result = frame.iloc[positions].copy()
    for name in ("transfers", "reopens"):
        if name in fields:
            column = fields[name]
            counts = pd.to_numeric(frame[column], errors="coerce")
            highest = counts.groupby(frame[key]).max()
            own = pd.to_numeric(result[column], errors="coerce")
            result[column] = result[key].map(highest).where(result[key].notna(), own)
    return result


def stations_to_transfers(
    frame: pd.DataFrame, fields: Mapping[str, str], *, target: str
) -> pd.DataFrame:
    """Add column ``target``: transfers = assignees the ticket had − 1 (never below 0).

    ``fields["assignee_stations"]`` is the count of assignees (Zendesk "Assignee stations");
    without it the frame is returned unchanged (and the preset does not map ``target``).
    """
    if "assignee_stations" not in fields:
        return frame
    stations = pd.to_numeric(frame[fields["assignee_stations"]], errors="coerce")
    return frame.assign(**{target: (stations - 1).clip(lower=0)})


def conversation_id_from_link(
    frame: pd.DataFrame, fields: Mapping[str, str], *, target: str
) -> pd.DataFrame:
    """Add column ``target``: the conversation number ending a ``…/conversations/<n>`` link.

    Without ``fields["conversation_link"]`` the frame is returned unchanged.
    """
    if "conversation_link" not in fields:
        return frame
    links = frame[fields["conversation_link"]].astype("string")
    return frame.assign(**{target: links.str.extract(r"/conversations/(\d+)", expand=False)})


def surveymonkey_subheader(frame: pd.DataFrame, fields: Mapping[str, str]) -> pd.DataFrame:
    """Fold SurveyMonkey's second header row into the column names and drop it.

    SurveyMonkey writes two header rows: question texts, then "Response" / "Open-Ended Response"
    under one-column questions and the option (or matrix row) under each column of a
    multi-column question, whose first row is blank after its first column. Read with one header
    row, the second row arrives as the first data row, recognised by its blank respondent id
    (``fields["response_id"]``); the blank-headed columns (pandas "Unnamed: n") become
    "<question> - <option>". The first column of a multi-column question keeps the question
    text. A frame whose first row is an answer is returned unchanged.
    """
    if frame.empty or not _blank(frame[fields["response_id"]].iloc[:1]).iloc[0]:
        return frame
    sub = frame.iloc[0]
    names: list[str] = []
    question = ""
    for name in map(str, frame.columns):
        option = sub[name]
        if not name.startswith("Unnamed:"):
            question = name
            names.append(name)
        elif pd.isna(option) or str(option).strip() in ("", *SURVEYMONKEY_ANSWER_CELLS):
            names.append(name)
        else:
            names.append(f"{question} - {str(option).strip()}")
    return frame.iloc[1:].set_axis(names, axis=1)
