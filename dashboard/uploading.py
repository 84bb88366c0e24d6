"""Widgets of the Upload exports page: one panel per file, from layout to stored rows.

Each panel reads the file, proposes how it maps (the product preset recognised, a saved
mapping, or column suggestions to confirm), asks the day/month order when dates are ambiguous,
checks the rows with the same validation as the database path, and stores the valid ones in the
workspace with their provenance. Widget keys carry the file's content hash, so two files never
share state and re-uploading the same file finds its settings again.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.errors import show_error
from dashboard.widgets import validation_report
from data_connectors.errors import AmbiguousDatesError, LoyaltyLensError
from data_connectors.file_mapping import FileMapping, ScoreScale
from data_connectors.files import RawTable, read_file
from data_connectors.presets import PresetMatch, recognise_all, suggest_columns
from data_connectors.schema import SCORE_RANGES, SURVEY_TYPES, TABLES
from data_connectors.uploads import ExportResult, load_export
from data_connectors.values import suggest_scale

MANUAL = "Map the columns myself"
UPLOAD_TABLES = ("tickets", "surveys", "customers", "qa_reviews")
PREVIEW_ROWS = 20


@st.cache_data(max_entries=16, show_spinner="Reading the file…")
def read_upload(content: bytes, name: str, sheet: str | None) -> RawTable:
    """The uploaded file as text (cached by content: the same bytes are read once)."""
    return read_file(content, name=name, sheet=sheet)


@st.cache_data(max_entries=8, show_spinner="Checking the rows…")
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
            show_error(error, on_sources_page=True)


def _panel_body(raw: RawTable) -> None:
    key = f"uploads.{raw.sha256[:12]}"
    details = [raw.format.upper(), f"{len(raw.frame):,} rows", f"{len(raw.frame.columns)} columns"]
    if raw.encoding:
        details += [f"encoding {raw.encoding}", f"delimiter {raw.delimiter!r}"]
    st.caption(" · ".join(details))
    layout = _choose_layout(raw, key)
    if layout is None:
        return
    table, mapping = layout
    day_first = _date_order_choice(key)
    try:
        result = check_export(
            raw.sha256, raw.sheet, table, mapping.to_json() if mapping else None, day_first, raw
        )
    except AmbiguousDatesError as error:
        st.session_state[f"{key}.ambiguous"] = (error.column, error.examples)
        st.rerun()
        return
    _result_summary(result, key)
    _store_controls(raw, result, key)


def _choose_layout(raw: RawTable, key: str) -> tuple[str, FileMapping | None] | None:
    """The table and mapping chosen for the file; mapping None means "the preset as it is"."""
    headers = list(raw.frame.columns)
    matches = {f"{m.preset.product} → {m.preset.table}": m for m in recognise_all(headers)}
    saved = {
        f"Saved mapping “{n}” → {m.table}": m for n, m in data.workspace().saved_mappings().items()
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


def _likely_table(headers: list[str]) -> str:
    """The table whose columns the headers suggest best (required ones count double)."""

    def fit(table: str) -> int:
        placed = suggest_columns(headers, table)
        return sum(2 if TABLES[table].column(c).required else 1 for c in placed)

    return max(UPLOAD_TABLES, key=fit)


def _survey_settings(
    raw: RawTable, columns: dict[str, str], key: str
) -> tuple[dict[str, str], ScoreScale | None]:
    """Survey type (when the file has no column for it) and the file's score scale."""
    survey_type = st.selectbox(
        "Survey type", SURVEY_TYPES, key=f"{key}.survey_type", help="What the score column holds."
    )
    constants = {"survey_type": survey_type}
    if "score" not in columns:
        return constants, None
    proposed = suggest_scale(raw.frame[columns["score"]], survey_type)
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


def _date_order_choice(key: str) -> bool | None:
    """Ask the day/month order once the dates turned out ambiguous; None until then."""
    ambiguous = st.session_state.get(f"{key}.ambiguous")
    if ambiguous is None:
        return None
    column, examples = ambiguous
    choice = st.radio(
        f"Dates in “{column}” read both ways (e.g. {', '.join(examples)}). Which comes first?",
        ["Day (31.01.2024)", "Month (01/31/2024)"],
        index=None,
        key=f"{key}.day_first",
    )
    if choice is None:
        st.stop()
    return choice.startswith("Day")


def _result_summary(result: ExportResult, key: str) -> None:
    summary = result.report.summary().iloc[0]
    left, middle, right, far = st.columns(4)
    left.metric("Rows accepted", f"{int(summary['accepted']):,}")
    middle.metric("Rows rejected", f"{int(summary['rejected']):,}")
    right.metric("Values cleared", f"{int(summary['values cleared']):,}")
    far.metric(
        "“Don't know” answers", f"{result.dont_know:,}", help="Excluded from scores and counted."
    )
    with st.expander(f"Preview of the first {PREVIEW_ROWS} accepted rows"):
        st.dataframe(result.rows.head(PREVIEW_ROWS), hide_index=True)
    if not result.report.is_clean:
        validation_report(result.report, title="Problems found", key=f"{key}.report")


def _store_controls(raw: RawTable, result: ExportResult, key: str) -> None:
    workspace = data.workspace()
    left, right = st.columns([1, 2])
    if left.button(
        "Save rows to the workspace", type="primary", key=f"{key}.store", disabled=result.rows.empty
    ):
        supplied = {c for m in result.mappings for c in [*m.columns, *m.constants]}
        supplied |= {TABLES[result.table].primary_key} - {None}
        columns = [c for c in result.rows.columns if c in supplied]
        try:
            stored = workspace.store(
                result.table,
                result.rows[columns],
                file_name=raw.name,
                sha256=raw.sha256,
                mapping_json=result.mappings[0].to_json(),
                rows_rejected=int(result.report.summary()["rejected"].sum()),
            )
        except ValueError as error:  # rows the store cannot take (e.g. a key column left unmapped)
            st.error(f"{raw.name}: not stored: {error}")
            return
        if stored.duplicate:
            st.info(
                f"This file's {result.table} were already stored on "
                f"{stored.upload.uploaded_at:%d %b %Y %H:%M} UTC: nothing was added."
            )
        else:
            st.success(
                f"Stored: {stored.inserted:,} new and {stored.updated:,} updated "
                f"{result.table} rows."
            )
    with right.form(f"{key}.save_mapping", border=False):
        name = st.text_input("Save this mapping as", key=f"{key}.mapping_name")
        if st.form_submit_button("Save mapping") and name.strip():
            workspace.save_mapping(name, result.mappings[0])
            st.success(f"Mapping saved as “{name.strip()}”.")


def stored_uploads() -> None:
    """The uploads kept in the workspace, with their provenance, and deleting one."""
    workspace = data.workspace()
    uploads = workspace.uploads()
    st.subheader("Stored uploads")
    if uploads.empty:
        st.caption("Nothing stored yet.")
        return
    st.dataframe(
        uploads.drop(columns=["mapping_json"], errors="ignore"),
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
        st.success(f"Deleted upload #{chosen} and {deleted:,} rows it owned.")
        st.rerun()
