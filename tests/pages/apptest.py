"""Helpers for running the app through streamlit.testing AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = {
    "overview": "../pages/overview.py",
    "loyalty": "../pages/loyalty.py",
    "service_quality": "../pages/service_quality.py",
    "complaint_themes": "../pages/complaint_themes.py",
    "drivers": "../pages/drivers.py",
    "retention": "../pages/retention.py",
    "data_sources": "../pages/data_sources.py",
    "uploads": "../pages/uploads.py",
    "follow_up": "../pages/follow_up.py",
    "client_committee": "../pages/client_committee.py",
}


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)
