"""The Retention & churn page through AppTest on the small demo database."""

from __future__ import annotations

import sqlite3

import pytest

from analysis.at_risk import at_risk_list, risk_signals
from analysis.definitions import METRICS
from analysis.views import ticket_context
from dashboard.sources import ENV_URL
from data_connectors.sql import read_dataset
from tests.pages.apptest import PAGES, new_app


def _open(at):
    at.run()
    at.switch_page(PAGES["retention"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_page_shows_tiles_trend_cohorts_and_at_risk_list_matching_analysis(app_env):
    at = _open(new_app())
    assert at.title[0].value == "Retention & churn"
    assert {m.label for m in at.metric} == {
        METRICS[k].name for k in ("churn", "retention", "referral_rate")
    }
    dataset, _ = read_dataset(f"sqlite:///{app_env}")
    end = max(dataset.tickets["created_at"].max(), dataset.surveys["responded_at"].max())
    signals = risk_signals(
        dataset.customers, ticket_context(dataset.tickets, dataset.customers), dataset.surveys, end
    )
    flagged = at_risk_list(signals)
    assert len(flagged) > 0
    headline = f"**{len(flagged):,} of {len(signals):,} active customers flagged**"
    assert any(m.value == headline for m in at.markdown)
    shown = [d.value for d in at.dataframe if "reasons" in d.value.columns]
    assert len(shown) == 1 and shown[0]["customer_id"].tolist() == flagged["customer_id"].tolist()
    captions = " ".join(c.value for c in at.caption)
    assert "Log-rank χ²" in captions and "Back-test" in captions
    assert at.get("download_button")
    assert len(at.get("plotly_chart")) >= 5  # trend, revenue, cohorts, pooled, survival, …


@pytest.mark.parametrize("split", ["department", "unresolved_complaint", "referred"])
def test_every_split_draws(app_env, split):
    at = _open(new_app())
    at.selectbox(key="retention.split").set_value(split).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Log-rank" in c.value or "No customer" in c.value for c in at.caption)


def test_without_churn_dates_the_page_names_the_column(app_env, tmp_path, monkeypatch):
    db = tmp_path / "no_churn.sqlite"
    db.write_bytes(app_env.read_bytes())
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE customers SET churn_date = NULL")
    monkeypatch.setenv(ENV_URL, f"sqlite:///{db}")
    at = _open(new_app())
    assert any("customers.churn_date" in i.value for i in at.info)
    assert not at.get("plotly_chart")
