"""Complaint themes of the loaded data: learnt once per data version, users' edits applied on top.

Learning (:func:`analysis.themes.learn_themes` over ticket subjects + texts and survey comments)
is cached with ``st.cache_resource`` — a fitted model is a resource — keyed by a fingerprint of
exactly the columns it reads, so a data refresh that changes any text re-learns and anything else
does not. Renames and merges (:mod:`data_connectors.theme_edits`) are read on every call and
applied to the cached themes, so an edit shows at once and survives restarts and refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analysis.themes import (
    NO_THEME,
    ThemeModel,
    apply_edits,
    learn_themes,
    themes_from_categories,
)
from dashboard.data import LOAD_TTL, Loaded, workspace
from data_connectors.theme_edits import ThemeEdits

#: Where the themes came from: customers' words, or the helpdesk's category field.
SOURCE_TEXT = "text"
SOURCE_CATEGORY = "category"
CATEGORY_NOTE = (
    "This data has no ticket subject, ticket text or survey comment, so themes cannot be learnt "
    "from customers' words: the helpdesk's category field is shown as the theme instead. Add "
    "tickets.subject, tickets.text or surveys.comment to learn themes."
)
NO_THEMES_NOTE = (
    "This data has neither text (tickets.subject, tickets.text, surveys.comment) nor a "
    "tickets.category field: there is nothing to find themes in."
)


@dataclass(frozen=True, eq=False)
class LearnedThemes:
    """Themes learnt for one dataset, before users' edits.

    ``tickets``: ``ticket_id``, ``theme_id`` per ticket with a text (or a category when the
    source is the category field); ``comments``: ``response_id``, ``theme_id`` per survey
    comment; ``source``: :data:`SOURCE_TEXT` or :data:`SOURCE_CATEGORY`; ``note``: what the user
    should know (empty when themes come from text).
    """

    model: ThemeModel
    tickets: pd.DataFrame
    comments: pd.DataFrame
    source: str
    note: str


def ticket_documents(tickets: pd.DataFrame) -> pd.Series:
    """Each ticket's words: subject and text joined (either may be missing); "" when neither."""
    parts = [tickets[c].astype(object) for c in ("subject", "text") if c in tickets.columns]
    if not parts:
        return pd.Series("", index=tickets.index, dtype=object)
    joined = parts[0].fillna("").astype(str)
    for part in parts[1:]:
        joined = joined.str.cat(part.fillna("").astype(str), sep=". ")
    return joined.str.strip(". ")


def _fingerprint(loaded: Loaded) -> str:
    """Cheap key of what theme learning reads: ticket ids and categories, the length of every
    subject, text and comment, and survey ids. Hashing the texts themselves took a second per
    rerun at 200,000 tickets; an edit that keeps a text's length is picked up at the next
    change of rows or by the cache's ``ttl``."""
    tickets, surveys = loaded.dataset.tickets, loaded.dataset.surveys
    parts = {
        **{c: tickets[c] for c in ("ticket_id", "category") if c in tickets},
        **{c: tickets[c].str.len() for c in ("subject", "text") if c in tickets},
        **({"response_id": surveys["response_id"]} if "response_id" in surveys else {}),
        **({"comment": surveys["comment"].str.len()} if "comment" in surveys else {}),
    }
    hashes = [pd.util.hash_pandas_object(part, index=False) for part in parts.values()]
    return "-".join(
        f"{name}:{len(h)}:{int(h.sum()) & 0xFFFFFFFFFFFFFFFF:x}"
        for name, h in zip(parts, hashes, strict=True)
    )


@st.cache_resource(
    ttl=LOAD_TTL,
    max_entries=4,
    show_spinner="Learning complaint themes…",
    hash_funcs={Loaded: _fingerprint},
)
def learned_themes(loaded: Loaded) -> LearnedThemes:
    """Themes of ``loaded``: learnt from text when it has any, else its category field."""
    tickets, surveys = loaded.dataset.tickets, loaded.dataset.surveys
    documents = ticket_documents(tickets)
    has_words = documents.str.len() > 0
    comments = (
        surveys.loc[surveys["comment"].notna(), ["response_id", "comment"]]
        if "comment" in surveys
        else surveys.iloc[:0].assign(comment=pd.Series(dtype=object))[["response_id", "comment"]]
    )
    if has_words.any() or not comments.empty:
        texts = pd.concat([documents[has_words], comments["comment"]], ignore_index=True)
        model = learn_themes(texts)
        split = int(has_words.sum())
        return LearnedThemes(
            model=model,
            tickets=pd.DataFrame(
                {
                    "ticket_id": tickets.loc[has_words, "ticket_id"].to_numpy(),
                    "theme_id": model.assignments[:split],
                }
            ),
            comments=pd.DataFrame(
                {
                    "response_id": comments["response_id"].to_numpy(),
                    "theme_id": model.assignments[split:],
                }
            ),
            source=SOURCE_TEXT,
            note="",
        )
    categories = tickets["category"] if "category" in tickets else pd.Series(dtype=object)
    known = categories.notna()
    model = themes_from_categories(categories[known])
    return LearnedThemes(
        model=model,
        tickets=pd.DataFrame(
            {"ticket_id": tickets.loc[known, "ticket_id"].to_numpy(), "theme_id": model.assignments}
        ),
        comments=pd.DataFrame(
            {"response_id": pd.Series(dtype=object), "theme_id": pd.Series(dtype=int)}
        ),
        source=SOURCE_CATEGORY,
        note=CATEGORY_NOTE if known.any() else NO_THEMES_NOTE,
    )


@st.cache_resource(max_entries=1)
def theme_edits() -> ThemeEdits:
    """The workspace's store of renames and merges (its table created once per process)."""
    return ThemeEdits(workspace())


def edited(learned: LearnedThemes) -> pd.DataFrame:
    """The learnt themes with the users' renames and merges applied (analysis.apply_edits),
    plus each theme's ``signature``, ``top_terms``, ``size`` and ``phrases``."""
    themes = learned.model.themes
    table = apply_edits(themes, theme_edits().read())
    return table.merge(
        themes[["theme_id", "signature", "top_terms", "size", "phrases"]], on="theme_id"
    )


def labelled(frame: pd.DataFrame, learned: LearnedThemes, table: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (``learned.tickets`` or ``learned.comments``) with the edited ``table``
    (:func:`edited`) applied: merged ids, labels after renames, ``attrs`` source and note."""
    final = dict(zip(table["theme_id"], table["merged_into"], strict=True))
    labels = dict(zip(table["theme_id"], table["label"], strict=True))
    ids = frame["theme_id"].map(final).fillna(NO_THEME).astype(int)
    result = frame.assign(
        theme_id=ids,
        theme=frame["theme_id"].map(labels).astype(object).where(ids != NO_THEME, pd.NA),
    )
    result.attrs.update(source=learned.source, note=learned.note)
    return result


def ticket_themes(loaded: Loaded) -> pd.DataFrame:
    """One row per ticket that has words (or, without any text in the data, a category).

    Columns: ``ticket_id``; ``theme_id`` (int; −1 where no theme fits — no known word in the
    ticket's subject and text); ``theme`` (the readable label after the users' renames and
    merges — a merged theme carries the id and label of the theme it was merged into; missing
    where ``theme_id`` is −1). ``attrs["source"]`` is "text" (learnt from the customers' words)
    or "category" (the helpdesk's category field, used when the data has no text at all), and
    ``attrs["note"]`` says what the user should know (empty for "text").

    Learning is cached per data version (see the module docstring); edits are read each call.
    """
    learned = learned_themes(loaded)
    return labelled(learned.tickets, learned, edited(learned))
