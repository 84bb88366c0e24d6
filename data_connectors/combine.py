"""Combine several datasets into one: e.g. a connected helpdesk database plus uploaded surveys.

Combining is useful precisely because of foreign keys across sources: survey answers uploaded
from a survey tool refer to tickets and customers that live in the helpdesk database. So the
union is validated again here with :func:`~data_connectors.validation.validate`. That loses
nothing (re-parsing canonical dtypes is lossless, and a part that was valid stays valid) and it
checks every reference against all parts at once. One that resolves in no part is handled as
validation handles it — an unknown customer rejects the row, an unknown ticket of a survey
answer is cleared — and *listed in the returned report*, never dropped silently.

A table that no part has any row of counts as not supplied (``validate(partial=True)``):
references into it cannot be checked, so they are kept. Uploaded survey answers alone are
usable this way, and :meth:`Workspace.read <data_connectors.workspace.Workspace.read>` is
combined even when it is the only source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd

from data_connectors.dataset import Dataset, SourceInfo
from data_connectors.schema import RECORD_KEYS, TABLES
from data_connectors.validation import ValidationReport, validate


def combine(
    datasets: Sequence[Dataset], *, as_of: pd.Timestamp | None = None
) -> tuple[Dataset, ValidationReport]:
    """The union of the canonical tables of ``datasets``; on a repeated record the later wins.

    Parameters
    ----------
    datasets : sequence of Dataset
        In order of precedence, lowest first (e.g. ``[database, uploads]``: an uploaded row
        replaces the database's row with the same key, see :data:`RECORD_KEYS`). Each needs its
        ``source``: the combined version is derived from theirs.
    as_of : Timestamp, optional
        "Now" for validation's future-date rule (default: the current time).

    Returns
    -------
    (Dataset, ValidationReport)
        The combined dataset — ``supplied`` is the union of the parts' ``supplied``; ``source``
        has kind ``"combined"``, the parts' names and locations joined with ``" + "`` and a
        version hashed from the parts' versions — and the report of the re-validation: the
        references that resolve in no part, plus any row-level problem of a part that was not
        validated before (``row`` counts rows of the combined table; ``record_id`` identifies
        the record). Tables no part has rows of are absent from ``report.rows_read``.

    Raises
    ------
    ValueError
        No dataset given, or one without ``source``.
    """
    if not datasets:
        raise ValueError("combine needs at least one dataset")
    sources = [dataset.source for dataset in datasets if dataset.source is not None]
    if len(sources) < len(datasets):
        raise ValueError("every dataset to combine needs its SourceInfo (source=...)")
    raw = {}
    for name, key in RECORD_KEYS.items():
        frame = pd.concat([dataset.tables[name] for dataset in datasets], ignore_index=True)
        if len(frame):  # else not supplied: references into it cannot be checked
            raw[name] = frame.drop_duplicates(list(key), keep="last")
    combined, report = validate(raw, as_of=as_of, source=_combined_source(sources), partial=True)
    supplied = {
        name: frozenset().union(*(dataset.supplied.get(name, frozenset()) for dataset in datasets))
        for name in TABLES
    }
    return replace(combined, supplied=supplied), report


def _combined_source(sources: Sequence[SourceInfo]) -> SourceInfo:
    versions = "\n".join(source.version for source in sources)
    return SourceInfo(
        name=" + ".join(source.name for source in sources),
        kind="combined",
        location=" + ".join(source.location for source in sources),
        loaded_at=datetime.now(UTC),
        version=hashlib.sha256(versions.encode()).hexdigest()[:16],
    )
