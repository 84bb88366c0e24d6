"""Widgets of the Upload exports page: one panel per file, from layout to stored rows.

Each panel reads the file, proposes how it maps (the product preset recognised, a saved
mapping, or column suggestions to confirm), asks the day/month order when dates are ambiguous,
checks the rows with the same validation as the database path, and stores the valid ones in the
workspace with their provenance. Widget keys carry the file's content hash, so two files never
share state and re-uploading the same file finds its settings again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.widgets import validation_report
from data_connectors.errors import AmbiguousDatesError, LoyaltyLensError, SchemaError
from data_connectors.file_mapping import FileMapping, ScoreScale
from data_connectors.files import RawTable, read_file
from data_connectors.presets import PresetMatch, recognise_all, suggest_columns
from data_connectors.schema import SCORE_RANGES, SURVEY_TYPES, TABLES
from data_connectors.uploads import ExportResult, content_id, load_export
from data_connectors.values import suggest_scale

MANUAL = "Map the columns myself"
FROM_COLUMN = "several: a file column says which"
UPLOAD_TABLES = ("tickets", "surveys", "customers", "qa_reviews")
PREVIEW_ROWS = 20
FLASH_KEY = "uploads.flash"  # a message to show after the rerun that follows an action


@st.cache_data(ttl=3600, max_entries=4, show_spinner="Reading the file…")
def read_upload(content: bytes, name: str, sheet: str | None) -> RawTable:
    """The uploaded file as text (cached by content: the same bytes are read once)."""
    return read_file(content, name=name, sheet=sheet)


@st.cache_data(ttl=3600, max_entries=4, show_spinner="Checking the rows…")
def check_export(
    sha256: str,
    sheet: str | None,
    table: str,
    mapping_json: str | None,
    day_first: bool | None,
    _raw: RawTable,
) -> ExportResult:
    """:func:`load_export` cached by file content, table and mapping (``_raw`` is not hashed)."""
    mapping = FileMapping.from_json(mapping_json) if mapping_json else None
    return load_export(_raw, table, mapping, day_first=day_first)


def upload_panels(files: list[tuple[str, bytes]]) -> None:
    """One panel per distinct file content; a repeated file is named, not shown twice."""
    seen: dict[str, str] = {}
    for name, content in files:
        digest = hashlib.sha256(content).hexdigest()
        if digest in seen:
            st.caption(f"**{name}** has the same content as **{seen[digest]}**: shown once.")
            continue
        seen[digest] = name
        upload_panel(content, name)


def upload_panel(content: bytes, name: str) -> None:
    """Everything about one uploaded file, in a bordered container."""
    with st.container(border=True):
        st.subheader(name)
        try:
            raw = read_upload(content, name, None)
            if raw.format == "xlsx" and len(raw.sheets) > 1:
                sheet = st.selectbox("Sheet", raw.sheets, key=f"uploads.{raw.sha256[:12]}.sheet")
                raw = read_upload(content, name, sheet)
            _panel_body(raw)
        except LoyaltyLensError as error:
            _upload_error(name, error)


def _upload_error(name: str, error: LoyaltyLensError) -> None:
    """What is wrong with this file (not with the data source)."""
    problems = error.problems if isinstance(error, SchemaError) else [str(error)]
    items = "\n".join(f"- {problem}" for problem in problems)
    st.error(f"**{name}** cannot be read this way:\n\n{items}")


def _panel_body(raw: RawTable) -> None:
    key = f"uploads.{content_id(raw)[:12]}"
    details = [raw.format.upper(), f"{len(raw.frame):,} rows", f"{len(raw.frame.columns)} columns"]
    if raw.encoding:
        details += [f"encoding {raw.encoding}", f"delimiter {raw.delimiter!r}"]
    st.caption(" · ".join(details))
    with st.expander(f"The file's first {PREVIEW_ROWS} rows (numbered as in the file)"):
        st.dataframe(raw.frame.head(PREVIEW_ROWS))
    layout = _choose_layout(raw, key)
    if layout is None:
        return
    table, mapping = layout
    layout_key = f"{key}.{hashlib.sha256(repr(layout).encode()).hexdigest()[:8]}"
    day_first = _date_order_choice(layout_key)
    if day_first is _UNANSWERED:
        return
    try:
        result = check_export(
            raw.sha256, raw.sheet, table, mapping.to_json() if mapping else None, day_first, raw
        )
    except AmbiguousDatesError as error:
        st.session_state[f"{layout_key}.ambiguous"] = (error.column, error.examples)
        st.rerun()
        return
    _result_summary(result, key, raw.name)
    _store_controls(raw, result, key)


def _choose_layout(raw: RawTable, key: str) -> tuple[str, FileMapping | None] | None:
    """The table and mapping chosen for the file; mapping None means "the preset as it is"."""
    headers = list(raw.frame.columns)
    matches = {f"{m.preset.product} → {m.preset.table}": m for m in recognise_all(headers)}
    saved = {  # only the saved mappings whose file columns this file has
        f"Saved mapping “{n}” → {m.table}": m
        for n, m in data.workspace().saved_mappings().items()
        if set(m.columns.values()) <= set(headers)
    }
    choice = st.selectbox(
        "Layout",
        [*matches, *saved, MANUAL],
        key=f"{key}.layout",
        help="Recognised product exports come first; then mappings saved earlier.",
    )
    if choice in matches:
        return _preset_layout(matches[choice])
    if choice in saved:
        return saved[choice].table, saved[choice]
    return _manual_layout(raw, key)


def _preset_layout(match: PresetMatch) -> tuple[str, None]:
    preset = match.preset
    st.caption(f"Recognised: **{preset.product}** (score {match.score:.0%}). {preset.notes}")
    for mapping in match.mappings:
        _show_mapping(mapping)
    if match.unplaced:
        st.caption("Columns not used: " + ", ".join(match.unplaced))
    return preset.table, None


def _show_mapping(mapping: FileMapping) -> None:
    rows = [{"canonical column": c, "file column": h} for c, h in mapping.columns.items()]
    rows += [{"canonical column": c, "file column": f"= {v}"} for c, v in mapping.constants.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def _manual_layout(raw: RawTable, key: str) -> tuple[str, FileMapping] | None:
    headers = list(raw.frame.columns)
    table = st.selectbox(
        "Table",
        UPLOAD_TABLES,
        index=UPLOAD_TABLES.index(_likely_table(headers)),
        key=f"{key}.table",
    )
    suggested = suggest_columns(headers, table)
    editor = pd.DataFrame(
        [
            {
                "canonical column": col.name,
                "required": col.required,
                "file column": suggested.get(col.name, ("", 0.0))[0],
                "or fixed value": "",
                "meaning": col.description,
            }
            for col in TABLES[table].columns
            if not (table == "surveys" and col.name == "survey_type")  # asked below
        ]
    )
    st.caption(
        "Suggested from the headers (English and Russian); check and change as needed. A column "
        "the file lacks can take one value for every row (e.g. is_complaint = true)."
    )
    edited = st.data_editor(
        editor,
        hide_index=True,
        key=f"{key}.{table}.columns",
        disabled=["canonical column", "required", "meaning"],
        column_config={
            "file column": st.column_config.SelectboxColumn("file column", options=["", *headers]),
            "or fixed value": st.column_config.TextColumn("or fixed value"),
        },
    )
    rows = edited.to_dict("records")
    columns = {r["canonical column"]: r["file column"] for r in rows if r["file column"]}
    constants = {
        r["canonical column"]: str(r["or fixed value"]).strip()
        for r in rows
        if not r["file column"] and str(r["or fixed value"] or "").strip()
    }
    scale = None
    if table == "surveys":
        survey_constants, scale = _survey_settings(raw, columns, key)
        constants |= survey_constants
    mapping = FileMapping(table, columns, constants, score_scale=scale)
    if mapping.unmapped_required:
        st.info("Map a file column to: " + ", ".join(mapping.unmapped_required))
        return None
    return table, mapping


def _likely_survey_type(scores: pd.Series) -> str:
    """NPS when answers go above 7, CES for 6–7, else CSAT (text labels are CSAT-like)."""
    numbers = pd.to_numeric(scores, errors="coerce")
    top = numbers.max()
    if pd.isna(top) or top <= 5:
        return "csat"
    return "ces" if top <= 7 else "nps"


def _likely_table(headers: list[str]) -> str:
    """The table whose columns the headers suggest best (required ones count double)."""

    def fit(table: str) -> int:
        placed = suggest_columns(headers, table)
        return sum(2 if TABLES[table].column(c).required else 1 for c in placed)

    return max(UPLOAD_TABLES, key=fit)


def _survey_settings(
    raw: RawTable, columns: dict[str, str], key: str
) -> tuple[dict[str, str], ScoreScale | None]:
    """The survey type (one for the file, or a column holding it) and the file's score scale."""
    scores = raw.frame[columns["score"]] if "score" in columns else None
    options = [*SURVEY_TYPES, FROM_COLUMN]
    guess = _likely_survey_type(scores) if scores is not None else SURVEY_TYPES[0]
    survey_type = st.selectbox(
        "Survey type",
        options,
        index=options.index(guess),
        key=f"{key}.survey_type",
        help="What the score column holds; guessed from its values.",
    )
    if survey_type == FROM_COLUMN:
        columns["survey_type"] = st.selectbox(
            "Column holding nps / csat / ces", list(raw.frame.columns), key=f"{key}.type_column"
        )
        return {}, None  # several types: each keeps its own canonical scale
    constants = {"survey_type": survey_type}
    if scores is None:
        return constants, None
    proposed = suggest_scale(scores, survey_type)
    low, high = SCORE_RANGES[survey_type]
    left, middle, right = st.columns(3)
    file_low = left.number_input(
        "File scale from",
        value=float(proposed.low if proposed else low),
        key=f"{key}.{survey_type}.low",
    )
    file_high = middle.number_input(
        "to", value=float(proposed.high if proposed else high), key=f"{key}.{survey_type}.high"
    )
    reversed_ = right.checkbox(
        "Lowest number is best",
        value=bool(proposed and proposed.reversed),
        key=f"{key}.{survey_type}.reversed",
        help="For scales where 1 = very good … 5 = very poor.",
    )
    if file_low >= file_high:
        st.warning("The scale's lowest value must be below its highest.")
        return constants, None
    labels = proposed.labels if proposed else {}
    if labels:
        st.caption(
            f"Text answers recognised as scores: {len(labels)} labels (e.g. "
            + ", ".join(list(labels)[:3])
            + ")."
        )
    return constants, ScoreScale(file_low, file_high, reversed_, labels)


#: Returned while the day/month question waits for an answer.
_UNANSWERED = object()


def _date_order_choice(key: str) -> bool | None | object:
    """The day/month order once the dates turned out ambiguous: None before they did, the
    answer once given, :data:`_UNANSWERED` while the question waits."""
    ambiguous = st.session_state.get(f"{key}.ambiguous")
    if ambiguous is None:
        return None
    column, examples = ambiguous
    choice = st.radio(
        f"Dates in “{column}” read both ways (e.g. {', '.join(examples)}). Which comes first? "
        "The answer applies to every date column of this file.",
        ["Day (31.01.2024)", "Month (01/31/2024)"],
        index=None,
        key=f"{key}.day_first",
    )
    if choice is None:
        return _UNANSWERED
    return choice.startswith("Day")


def _result_summary(result: ExportResult, key: str, name: str) -> None:
    summary = result.report.summary().iloc[0]
    left, middle, right, far = st.columns(4)
    left.metric("Rows accepted", f"{int(summary['accepted']):,}")
    middle.metric("Rows rejected", f"{int(summary['rejected']):,}")
    right.metric("Values cleared", f"{int(summary['values cleared']):,}")
    far.metric(
        "“Don't know” answers", f"{result.dont_know:,}", help="Excluded from scores and counted."
    )
    with st.expander(f"Preview of the first {PREVIEW_ROWS} accepted rows"):
        mapped = [c for c in result.rows.columns if result.rows[c].notna().any()]
        st.dataframe(result.rows[mapped].head(PREVIEW_ROWS), hide_index=True)
    if not result.report.is_clean:
        validation_report(
            result.report,
            title="Problems found",
            key=f"{key}.report",
            file_name=f"{Path(name).stem}_rejected.csv",
        )


def _store_controls(raw: RawTable, result: ExportResult, key: str) -> None:
    workspace = data.workspace()
    left, right = st.columns([1, 2])
    if left.button(
        "Save rows to the workspace", type="primary", key=f"{key}.store", disabled=result.rows.empty
    ):
        _store(raw, result, key)
    earlier = st.session_state.get(f"{key}.duplicate_of")
    if earlier is not None:
        st.info(
            f"This content was already stored as upload #{earlier} ({result.table}): nothing "
            "was added. To store it again with this mapping, replace the earlier upload."
        )
        if st.button("Replace the earlier upload", key=f"{key}.replace"):
            workspace.delete_upload(earlier)
            del st.session_state[f"{key}.duplicate_of"]
            _store(raw, result, key)
    with right.form(f"{key}.save_mapping", border=False):
        name = st.text_input("Save this mapping as", key=f"{key}.mapping_name")
        if st.form_submit_button("Save mapping") and name.strip():
            workspace.save_mapping(name, result.mappings[0])
            st.success(f"Mapping saved as “{name.strip()}”.")


def _store(raw: RawTable, result: ExportResult, key: str) -> None:
    """Store the accepted rows (only the columns the file supplied) with their provenance."""
    supplied = {c for m in result.mappings for c in [*m.columns, *m.constants]}
    supplied |= {TABLES[result.table].primary_key} - {None}
    columns = [c for c in result.rows.columns if c in supplied]
    try:
        stored = data.workspace().store(
            result.table,
            result.rows[columns],
            file_name=raw.name,
            sha256=content_id(raw),
            mapping_json=result.mappings[0].to_json(),
            rows_rejected=int(result.report.summary()["rejected"].sum()),
        )
    except ValueError as error:  # rows the store cannot take (e.g. a key column left unmapped)
        st.error(f"{raw.name}: not stored: {error}")
        return
    if stored.duplicate:
        st.session_state[f"{key}.duplicate_of"] = stored.upload.id
    else:
        st.success(
            f"Stored: {stored.inserted:,} new and {stored.updated:,} updated {result.table} rows."
        )


def stored_uploads() -> None:
    """The uploads kept in the workspace, with their provenance, and deleting one."""
    workspace = data.workspace()
    uploads = workspace.uploads()
    st.subheader("Stored uploads")
    if FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(FLASH_KEY))
    if uploads.empty:
        st.caption("Nothing stored yet.")
        return
    shown = uploads.drop(columns=["mapping_json"], errors="ignore")
    shown["sha256"] = shown["sha256"].str[:12]
    first = ["id", "file_name", "table_name", "rows_accepted", "rows_rejected", "rows_current"]
    st.dataframe(
        shown[first + [c for c in shown.columns if c not in first]],
        hide_index=True,
        key="uploads.stored",
    )
    labels = {
        row.id: f"#{row.id} {row.file_name} ({row.table_name}, {row.uploaded_at:%d %b %Y %H:%M})"
        for row in uploads.itertuples()
    }
    chosen = st.selectbox(
        "Upload to delete",
        list(labels),
        format_func=labels.get,
        index=None,
        key="uploads.delete_choice",
    )
    if chosen is not None and st.button("Delete this upload and its rows", key="uploads.delete"):
        deleted = workspace.delete_upload(chosen)
        st.session_state[FLASH_KEY] = f"Deleted upload #{chosen} and {deleted:,} rows it owned."
        st.rerun()
