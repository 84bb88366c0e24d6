"""One place that turns the project's error types into messages on screen (never a traceback)."""

from __future__ import annotations

import streamlit as st

from data_connectors.errors import DataSourceError, LoyaltyLensError, SchemaError

SOURCES_HINT = "Open **Data sources** to check the connection or choose another source."


def show_error(error: LoyaltyLensError, *, on_sources_page: bool = False) -> None:
    """Render ``error`` as a plain message that says what is wrong and where."""
    hint = "" if on_sources_page else f"\n\n{SOURCES_HINT}"
    if isinstance(error, SchemaError):
        items = "\n".join(f"- {problem}" for problem in error.problems)
        st.error(f"The data source does not have what Loyalty Lens needs:\n\n{items}{hint}")
    elif isinstance(error, DataSourceError):
        where = f" (while reading **{error.part}**)" if error.part else ""
        st.error(f"The data source could not be read{where}: {error}{hint}")
    else:
        st.error(str(error))
