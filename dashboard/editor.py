"""Who is editing: the name recorded with every change the app writes to its workspace.

A logged-in user (``st.login`` configured in ``secrets.toml``) is named by ``st.user``; otherwise
the name typed in the sidebar is used; with neither, changes are recorded as ``anonymous``.
"""

from __future__ import annotations

import streamlit as st

ANONYMOUS = "anonymous"
_NAME_KEY = "editor.name"  # kept outside the widget so it survives switching pages
_INPUT_KEY = "editor.name_input"
_USER_CLAIMS = ("name", "email", "preferred_username", "sub")


def logged_in_name() -> str | None:
    """The logged-in user's name (first of name, email, preferred_username, sub), or None.

    ``st.user`` has no ``is_logged_in`` unless authentication is configured; only a True value
    counts, so a local run's placeholder identity is never recorded as a person.
    """
    if st.user.get("is_logged_in") is not True:
        return None
    for claim in _USER_CLAIMS:
        value = st.user.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def current_editor() -> str:
    """The name to record with a change: logged-in user, else the typed name, else anonymous."""
    typed = str(st.session_state.get(_NAME_KEY, "")).strip()
    return logged_in_name() or typed or ANONYMOUS


def _keep_typed_name() -> None:
    st.session_state[_NAME_KEY] = st.session_state[_INPUT_KEY]


def editor_input() -> str:
    """Draw the sidebar's "Your name" box (only when nobody is logged in); return the editor."""
    name = logged_in_name()
    with st.sidebar:
        if name is not None:
            st.caption(f"Changes are saved as **{name}**.")
            return name
        st.session_state[_INPUT_KEY] = st.session_state.get(_NAME_KEY, "")
        st.text_input(
            "Your name",
            key=_INPUT_KEY,
            on_change=_keep_typed_name,
            max_chars=80,
            placeholder=ANONYMOUS,
            help="Recorded with the changes you save, so others can see who changed what.",
        )
    return current_editor()
