"""Client committee: one month across departments — scorecard, themes, suggestions, actions."""

from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.action_effect import METHOD as EFFECT_METHOD
from analysis.committee import (
    COLUMNS,
    DUE_SOON_DAYS,
    REPEAT_WINDOW_DAYS,
    SUGGESTION_CUES,
    month_bounds,
)
from analysis.kpis import in_period
from analysis.service import ServiceStandards, tickets_behind
from dashboard import context, data, meeting_pack
from dashboard.editor import editor_input
from dashboard.theme_data import ticket_themes
from dashboard.widgets import download_rows, rows_behind
from data_connectors.actions import ACTION_COLUMNS, STATUSES, ActionStore
from data_connectors.errors import DataSourceError

STATE_COLORS = {"overdue": "background-color: #f8d7da", "due soon": "background-color: #fff3cd"}

context.require_view()  # stops the page with the source's error, if any
ctx = context.get()
loaded = ctx.loaded
st.title("Client committee")
editor = editor_input()

try:
    themes = ticket_themes(loaded)
except DataSourceError as exc:  # theme renames live in the workspace, which may be unreadable
    st.warning(f"Complaint themes are unavailable ({exc}); the category field stands in.")
    themes = None
committee_data = meeting_pack.CommitteeData(
    customers=loaded.dataset.customers,
    tickets=loaded.tickets,
    surveys=loaded.surveys,
    has=loaded.dataset.has,
    ticket_themes=themes,
    standards=ServiceStandards.from_mapping(data.settings()["standards"]),
    source_name=loaded.dataset.source.name if loaded.dataset.source else "",
)
months = [f"{m:%Y-%m}" for m in meeting_pack.data_months(committee_data)]
if not months or not loaded.dataset.has("tickets", "department"):
    st.info("The committee needs at least one complete month of contacts with tickets.department.")
    st.stop()
month_label = st.selectbox(
    "Month",
    months,
    key="month",
    bind="query-params",
    help="YYYY-MM; default: the last complete month. The link keeps the month (?month=YYYY-MM), "
    "so it can be shared.",
)
st.caption(
    "The whole month, every department: the sidebar's period and department filters do not "
    "apply here. Departments and processes, not people — no agent is named on this page."
)

store = None
try:
    store = ActionStore(data.workspace())
    actions = store.actions()
except DataSourceError as exc:
    st.error(f"The action register is unavailable: {exc}")
    actions = pd.DataFrame(columns=ACTION_COLUMNS).astype({"due_date": "datetime64[us]"})

today = datetime.now(UTC).date()
source = loaded.dataset.source
key = (
    ctx.spec,
    ctx.choice,
    source.version if source else "",
    len(loaded.tickets),
    0 if themes is None else int(pd.util.hash_pandas_object(themes, index=False).sum()),
)
month = data.committee_month(committee_data, key, month_label, actions, today)
first_day, last_day = month_bounds(month.month)

# ------------------------------------------------------------------------------ scorecard
st.subheader(f"Scorecard — {month.month:%B %Y}")
card = meeting_pack.scorecard_table(month)
picked = st.dataframe(
    card,
    hide_index=True,
    key="committee.scorecard",
    on_select="rerun",
    selection_mode="single-row",
)
st.caption(meeting_pack.significance_note(month))
if month.missing:
    st.caption(meeting_pack.missing_note(month.missing))
with st.expander("Every number behind the scorecard (intervals, tests, p and q values)"):
    st.dataframe(month.scorecard, hide_index=True, key="committee.scorecard_long")
download_rows(month.scorecard, name=f"scorecard_{month_label}", key="committee.scorecard_rows")
if picked.selection.rows and loaded.dataset.has("tickets", "is_complaint"):
    department = card.iloc[picked.selection.rows[0]]["Department"]
    chosen = in_period(loaded.tickets, "created_at", first_day, last_day)
    chosen = chosen.loc[
        (chosen["department"] == department) & chosen["is_complaint"].fillna(False).astype(bool)
    ]
    behind = tickets_behind(chosen, "resolution")
    rows_behind(
        f"The {len(behind):,} complaints {department} received in {month.month:%B %Y}",
        behind,
        key="committee.scorecard_drill",
        name=f"complaints_{department}_{month_label}",
    )
with st.popover("How each column is measured", icon=":material/info:"):
    for column in COLUMNS.values():
        definition = column.definition
        st.markdown(
            f"**{definition.name}** — {definition.formula} Interval: 95% "
            f"{definition.interval_method}."
        )
    st.markdown(
        f"Changes: each metric's own test against the previous month (counts: E-test; shares: "
        f"Newcombe / pooled z; NPS: adjusted Wald; CSI: Welch). Repeat complaints look back "
        f"{REPEAT_WINDOW_DAYS} days, also into the previous month."
    )

# ---------------------------------------------------------------------- per department
st.subheader("Department by department")
departments = sorted(loaded.tickets["department"].dropna().unique())
department = st.selectbox("Department", departments, key="committee.department")
if month.theme_source == "category":
    st.caption(
        ":orange[Complaint themes are not available for this data: the helpdesk's category "
        "field stands in for them.]"
    )
left, right = st.columns(2)
with left:
    st.markdown(f"**Top complaint themes in {month.month:%B %Y}**")
    mine = month.themes.loc[month.themes["department"] == department]
    st.dataframe(meeting_pack.theme_rows(mine), hide_index=True, key="committee.themes")
    for theme, examples in zip(mine["theme"], mine["examples"], strict=True):
        for quote in filter(None, str(examples).split(" ¶ ")):
            st.caption(f"{theme}: “{quote}”")
    download_rows(mine, name=f"themes_{department}_{month_label}", key="committee.theme_rows")
with right:
    ideas = month.suggestions.loc[month.suggestions["department"] == department]
    st.markdown(f"**Customer suggestions ({len(ideas):,})**")
    st.dataframe(ideas.drop(columns="department"), hide_index=True, key="committee.suggestions")
    st.caption(
        "Comments that propose something: they contain a cue such as "
        + ", ".join(
            f"“{cue}”"
            for cue in (
                "please add",
                "it would be great",
                "suggest",
                "добавьте",
                "было бы удобно",
                "хотелось бы",
            )
        )
        + f" ({len(SUGGESTION_CUES)} cue patterns in English and Russian). "
        "E-mails, phones and agents' names are masked."
    )
    download_rows(ideas, name=f"suggestions_{department}_{month_label}", key="committee.idea_rows")

# ------------------------------------------------------------------------ action register
st.subheader("Action register")
kpi_targets = [("kpi", key_) for key_ in COLUMNS]
theme_names = sorted(month.themes["theme"].dropna().unique())
targets = kpi_targets + [("theme", name) for name in theme_names]


def _target_label(target: tuple[str, str]) -> str:
    kind, name = target
    return f"KPI: {COLUMNS[name].definition.name}" if kind == "kpi" else f"Theme: {name}"


def _save_messages(result) -> list[tuple[str, str]]:
    """What was saved, merged, or kept as another editor left it: (kind, text) pairs."""
    messages = []
    if len(result.others):
        who = ", ".join(sorted(set(result.others["changed_by"])))
        fields = ", ".join(sorted(set(result.others["field"])))
        messages.append(("info", f"Meanwhile {who} changed: {fields}. Their changes are kept."))
    if result.written:
        messages.append(("success", f"Saved: {', '.join(result.written)}."))
    if result.merged:
        both = ", ".join(result.merged)
        messages.append(("warning", f"Both texts kept (someone else changed them too): {both}."))
    for conflict in result.conflicts:
        messages.append(
            (
                "warning",
                f"**{conflict.field}** was changed to “{conflict.theirs}” by "
                f"{conflict.changed_by} at {conflict.changed_at:%H:%M} UTC; your "
                f"“{conflict.yours}” was not saved. Edit the action again to set it.",
            )
        )
    return messages


if store is not None:
    with st.expander("New action", icon=":material/add:"):
        with st.form("committee.new_action", clear_on_submit=True):
            a, b = st.columns(2)
            new_department = a.selectbox(
                "Department that owns it", departments, key="committee.new.department"
            )
            target = b.selectbox(
                "Targets", targets, format_func=_target_label, key="committee.new.target"
            )
            decision = st.text_area(
                "Decision",
                placeholder="What the committee agreed to change",
                key="committee.new.decision",
            )
            c, d, e = st.columns(3)
            owner_role = c.text_input(
                "Owner (a role)", placeholder="Head of Billing", key="committee.new.owner"
            )
            due = d.date_input(
                "Due date", value=today + pd.Timedelta(days=30), key="committee.new.due"
            )
            status = e.selectbox("Status", STATUSES, key="committee.new.status")
            if st.form_submit_button("Save the action", type="primary", key="committee.new.save"):
                try:
                    store.create(
                        editor,
                        meeting_month=month_label,
                        department=new_department,
                        decision=decision,
                        target_kind=target[0],
                        target=target[1],
                        owner_role=owner_role,
                        due_date=due,
                        status=status,
                    )
                    st.toast("Action saved.", icon=":material/check:")
                    st.rerun()
                except ValueError as exc:
                    st.error(f"Not saved: {exc}.")
                except DataSourceError as exc:
                    st.error(f"Not saved: {exc}.")

register = month.actions
if register.empty:
    st.caption("No actions yet.")
else:
    shown = register.assign(due_date=register["due_date"].dt.date)[
        [
            "id",
            "state",
            "department",
            "decision",
            "target_kind",
            "target",
            "owner_role",
            "due_date",
            "status",
            "outcome_note",
            "updated_by",
            "updated_at",
        ]
    ]
    picked_action = st.dataframe(
        shown.style.apply(lambda row: [STATE_COLORS.get(row["state"], "") for _ in row], axis=1),
        hide_index=True,
        key="committee.actions",
        on_select="rerun",
        selection_mode="single-row",
        column_config={"due_date": st.column_config.DateColumn("due date")},
    )
    st.caption(
        f"Red: overdue. Yellow: due within {DUE_SOON_DAYS} days. Select an action to edit or "
        "close it and to see its history."
    )
    download_rows(register, name="committee_actions", key="committee.action_rows")
    if picked_action.selection.rows and store is not None:
        action_id = int(shown.iloc[picked_action.selection.rows[0]]["id"])
        base_key = f"committee.base.{action_id}"
        if base_key not in st.session_state:
            st.session_state[base_key] = store.get(action_id)  # the version this session edits
        base = st.session_state[base_key]
        stored_version = int(register.loc[register["id"] == action_id, "version"].iloc[0])
        if stored_version > base.version:
            st.info(
                f"Someone else changed this action since you opened it (now version "
                f"{stored_version}). Saving merges your changes with theirs."
            )
            if st.button("Load the latest version", key=f"committee.reload.{action_id}"):
                st.session_state[base_key] = store.get(action_id)
                st.rerun()
        for kind, text in st.session_state.pop("committee.messages", []):
            getattr(st, kind)(text)
        prefix = f"committee.edit.{action_id}.{base.version}"  # fresh widgets for each version
        with st.form(prefix):
            st.markdown(f"**Action {action_id}** (version {base.version})")
            a, b = st.columns(2)
            changes = {
                # The action's own department stays offered even when today's data lacks it
                # (renamed, retired, another source): saving must never move it silently.
                "department": a.selectbox(
                    "Department",
                    choices := sorted({*departments, base.department}),
                    index=choices.index(base.department),
                    key=f"{prefix}.department",
                ),
                "decision": st.text_area("Decision", value=base.decision, key=f"{prefix}.decision"),
                "owner_role": b.text_input(
                    "Owner (a role)", value=base.owner_role, key=f"{prefix}.owner_role"
                ),
            }
            c, d = st.columns(2)
            changes["due_date"] = c.date_input(
                "Due date", value=base.due_date, key=f"{prefix}.due_date"
            )
            changes["status"] = d.selectbox(
                "Status", STATUSES, index=STATUSES.index(base.status), key=f"{prefix}.status"
            )
            changes["outcome_note"] = (
                st.text_area(
                    "Outcome note", value=base.outcome_note or "", key=f"{prefix}.outcome_note"
                )
                or None
            )
            if st.form_submit_button("Save changes", type="primary", key=f"{prefix}.save"):
                try:
                    result = store.update(base, changes, editor)
                    st.session_state[base_key] = result.action
                    st.session_state["committee.messages"] = _save_messages(result)
                    st.rerun()
                except ValueError as exc:
                    st.error(f"Not saved: {exc}.")
                except DataSourceError as exc:
                    st.error(f"Not saved: {exc}.")
        history = store.history(action_id)
        st.markdown("**History**")
        st.dataframe(history, hide_index=True, key="committee.history")

# ------------------------------------------------------------------- effect of closed actions
st.subheader("Did closed actions work?")
st.caption(meeting_pack.METHOD_NOTE)
effects = month.effects
if effects.empty:
    st.caption("No closed actions yet.")
else:
    picked_effect = st.dataframe(
        meeting_pack.effect_table(month),
        hide_index=True,
        key="committee.effects",
        on_select="rerun",
        selection_mode="single-row",
    )
    download_rows(effects, name="action_effects", key="committee.effect_rows")
    if picked_effect.selection.rows:
        action = register.loc[register["id"] == effects.iloc[picked_effect.selection.rows[0]]["id"]]
        row, gaps = meeting_pack.action_effect(
            committee_data, meeting_pack.department_data(committee_data), action.iloc[0]
        )
        figure = go.Figure(
            [
                go.Scatter(
                    x=gaps["month"], y=gaps["owner"], name=row["department"], mode="lines+markers"
                ),
                go.Scatter(
                    x=gaps["month"],
                    y=gaps["others"],
                    name="other departments",
                    mode="lines+markers",
                    line={"dash": "dot"},
                ),
            ]
        )
        figure.add_vline(x=row["action_month"], line_dash="dash", line_color="grey")
        figure.update_layout(
            title=(
                f"{meeting_pack.target_name(row['target_kind'], row['target'])}: "
                f"{row['department']} vs the other departments"
            ),
            height=320,
            margin={"l": 10, "r": 10, "t": 40, "b": 10},
        )
        st.plotly_chart(figure, key="committee.effect_chart")
        st.caption(f"Method: {EFFECT_METHOD}. Dashed line: the action month (left out).")
        download_rows(gaps, name=f"action_{row['id']}_gaps", key="committee.gap_rows")

# ---------------------------------------------------------------------------- meeting pack
st.subheader("Meeting pack")
st.caption(
    "The month's scorecard, top themes per department, suggestions, actions (new, due, "
    "overdue, closed with effect) and KPI trends. Same file from the command line: "
    f"`python -m dashboard.report --month {month_label} --out pack.html` (or `.pptx`)."
)
html_col, pptx_col = st.columns(2)
html_col.download_button(
    "Meeting pack (HTML)",
    data=lambda: meeting_pack.to_html(month),
    file_name=f"committee_{month_label}.html",
    mime="text/html",
    key="committee.pack_html",
    on_click="ignore",
    icon=":material/download:",
)
pptx_col.download_button(
    "Meeting pack (PowerPoint)",
    data=lambda: meeting_pack.to_pptx(month),
    file_name=f"committee_{month_label}.pptx",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    key="committee.pack_pptx",
    on_click="ignore",
    icon=":material/download:",
)
