"""The Drivers page through AppTest on the small demo database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.drivers import outcome_values, relative_importance
from analysis.experience import answer_experience, contact_features
from data_connectors.sql import read_dataset
from tests.pages.apptest import PAGES, new_app

CHOSEN = ["contacts", "sla_breaches", "transfers", "reopens", "complaints"]


def _open(**widgets: object):
    at = new_app()
    at.run()
    at.switch_page(PAGES["drivers"]).run()
    for key, value in widgets.items():
        element = at.toggle(key) if key == "drivers.all_time" else at.segmented_control(key)
        element.set_value(value).run()
    return at


def _clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_every_outcome_and_method_runs(app_env: Path) -> None:
    at = _open()
    _clean(at)
    assert at.title[0].value == "Drivers"
    for outcome in ("promoter", "csat", "churn", "nps"):
        at.segmented_control("drivers.outcome").set_value(outcome).run()
        _clean(at)
        assert any("R² =" in m.value for m in at.markdown), outcome
    at.segmented_control("drivers.method").set_value("shapley").run()
    _clean(at)
    labels = [m.label for m in at.metric]
    assert "NPS after a negative experience" in labels
    assert "Expected change in NPS" in labels
    assert any("not proof of cause" in w.value for w in at.warning)


def test_r2_and_n_are_those_of_the_analysis_on_the_same_data(app_env: Path) -> None:
    at = _open(**{"drivers.all_time": True})
    at.multiselect("drivers.chosen_nps").set_value(CHOSEN).run()
    _clean(at)
    dataset, _ = read_dataset(f"sqlite:///{app_env}")
    features = contact_features(dataset.tickets, dataset.surveys)
    answers = answer_experience(dataset.surveys, features, survey_type="nps")
    expected = relative_importance(answers[CHOSEN], outcome_values(answers, "nps"))
    assert expected.attrs["n"] > 30
    summary = next(m.value for m in at.markdown if "R² =" in m.value)
    assert f"R² = {expected.attrs['r2']:.1%}" in summary
    assert f"n = {expected.attrs['n']:,} answers" in summary


@pytest.fixture()
def without_fcr(edited_demo) -> Path:
    """The small demo without tickets.first_contact_resolved."""
    return edited_demo("ALTER TABLE tickets DROP COLUMN first_contact_resolved")


def test_a_missing_column_is_named_instead_of_failing(without_fcr: Path) -> None:
    at = _open()
    _clean(at)
    assert any(
        "First-contact resolution is not available" in c.value
        and "tickets.first_contact_resolved" in c.value
        for c in at.caption
    )
    offered = at.multiselect("drivers.chosen_nps").options
    assert "Contacts" in offered and "First-contact resolution" not in offered


@pytest.fixture()
def without_nps(edited_demo) -> Path:
    """The small demo without any NPS answer."""
    return edited_demo("DELETE FROM surveys WHERE survey_type = 'nps'")


def test_without_nps_answers_the_page_says_so_and_shows_no_nan(without_nps: Path) -> None:
    at = _open()
    _clean(at)
    assert at.segmented_control("drivers.outcome").options == [
        "CSAT score",
        "Churn",
    ]
    assert any("Needs NPS answers" in c.value for c in at.caption)
    texts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    assert not [t for t in texts if re.search(r"\bnan\b", t, re.IGNORECASE)]
    assert next(m for m in at.metric if m.label == "NPS after a negative experience").value == "—"
