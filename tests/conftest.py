"""Fixtures shared by every layer's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from data_connectors.demo import build_database

#: A small demo database is enough to exercise every page quickly.
SMALL_DEMO = {"customers": 600, "months": 8, "seed": 11}


def required(variable: str) -> bool:
    """True when CI demands that tests needing an external resource run instead of skipping."""
    return os.environ.get(variable, "") == "1"


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Streamlit caches outlive AppTest instances within one pytest run; start each test clean."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def small_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo helpdesk database (SQLite, canonical tables), built once per run."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    return build_database(path, **SMALL_DEMO)
