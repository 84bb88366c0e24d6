"""Every page through AppTest: no exceptions, the right numbers, clear errors for bad sources."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from analysis.definitions import METRICS
from analysis.kpis import OVERVIEW_KPIS
from analysis.loyalty import nps
from dashboard.sources import ENV_URL
from data_connectors.uploads import load_export
from data_connectors.validation import PROBLEM_COLUMNS
from data_connectors.workspace import Workspace
from tests.pages.apptest import PAGES, new_app


def _read(db: Path, sql: str) -> pd.DataFrame:
    with sqlite3.connect(db) as connection:
        return pd.read_sql(sql, connection)


def _default_period(db: Path) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The app's default period, derived here independently: the last 90 days with data."""
    last = max(
        pd.to_datetime(_read(db, "SELECT max(created_at) AS t FROM tickets")["t"]).iloc[0],
        pd.to_datetime(_read(db, "SELECT max(responded_at) AS t FROM surveys")["t"]).iloc[0],
    ).normalize()
    return last - timedelta(days=89), last


def _metric(at, key: str):
    label = METRICS[key].name
    matches = [m for m in at.metric if m.label == label]
    assert len(matches) == 1, f"expected one tile labelled {label!r}"
    return matches[0]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_runs_without_exception(app_env, page):
    at = new_app()
    at.run()
    at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    titles = {
        "overview": "Overview",
        "loyalty": "Loyalty",
        "service_quality": "Service quality",
        "drivers": "Drivers",
        "complaint_themes": "Complaint themes",
        "retention": "Retention & churn",
        "data_sources": "Data sources",
        "uploads": "Upload exports",
        "follow_up": "Follow-up",
        "client_committee": "Client committee",
    }
    assert at.title[0].value == titles[page]


def test_overview_nps_tile_equals_analysis_on_the_same_data(app_env):
    at = new_app()
    at.run()
    start, end = _default_period(app_env)
    surveys = _read(app_env, "SELECT survey_type, score, responded_at FROM surveys")
    day = pd.to_datetime(surveys["responded_at"]).dt.normalize()
    chosen = surveys.loc[(surveys["survey_type"] == "nps") & (day >= start) & (day <= end)]
    expected = nps(chosen["score"])
    assert expected.n > 0
    assert _metric(at, "nps").value == f"{expected.value:+.1f}"
    assert any(f"n = {expected.n:,}" in c.value for c in at.caption)


def test_overview_retention_and_referral_tiles_hand_computed(app_env):
    """Retention = customers at the start kept through the period ÷ at start; referral rate =
    new customers with a referrer (or channel "referral") ÷ new customers; from the raw table."""
    at = new_app()
    at.run()
    start, end = _default_period(app_env)
    customers = _read(app_env, "SELECT * FROM customers")
    signup = pd.to_datetime(customers["signup_date"]).dt.normalize()
    churn = pd.to_datetime(customers["churn_date"]).dt.normalize()
    at_start = (signup < start) & (churn.isna() | (churn >= start))
    kept = at_start & ~(churn <= end)
    assert _metric(at, "retention").value == f"{100 * kept.sum() / at_start.sum():.1f}%"
    new = (signup >= start) & (signup <= end)
    referred = customers["referred_by"].notna() | (customers["acquisition_channel"] == "referral")
    rate = 100 * (new & referred).sum() / new.sum()
    assert _metric(at, "referral_rate").value == f"{rate:.1f}%"
    assert any(f"n = {new.sum():,}" in c.value for c in at.caption)


def test_segment_filter_from_the_url_restricts_the_tiles(app_env):
    customers = _read(app_env, "SELECT customer_id, segment FROM customers")
    segment = customers["segment"].value_counts().index[0]
    at = new_app()
    at.query_params["segment"] = segment
    at.run()
    assert at.multiselect(key="segment").value == [segment]
    start, end = _default_period(app_env)
    surveys = _read(app_env, "SELECT customer_id, survey_type, score, responded_at FROM surveys")
    surveys = surveys.merge(customers, on="customer_id")
    day = pd.to_datetime(surveys["responded_at"]).dt.normalize()
    chosen = surveys.loc[
        (surveys["survey_type"] == "nps")
        & (surveys["segment"] == segment)
        & (day >= start)
        & (day <= end)
    ]
    assert _metric(at, "nps").value == f"{nps(chosen['score']).value:+.1f}"


def test_every_kpi_tile_has_interval_n_and_definition(app_env):
    at = new_app()
    at.run()
    labels = {m.label for m in at.metric}
    assert labels == {METRICS[k].name for k in OVERVIEW_KPIS}
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("n = ") >= len(OVERVIEW_KPIS)
    assert captions.count("95% CI") >= len(OVERVIEW_KPIS)
    definitions = " ".join(m.value for m in at.markdown)
    assert "Denominator" in definitions or "denominator" in definitions


def test_missing_database_file_gives_a_clear_message(app_env, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere.sqlite"
    monkeypatch.setenv(ENV_URL, f"sqlite:///{missing}")
    at = new_app()
    at.run()
    assert not at.exception
    assert at.error and str(missing) in at.error[0].value
    assert not missing.exists()  # the helpdesk database is never created or written


def test_missing_table_is_named(app_env, tmp_path, monkeypatch):
    db = tmp_path / "partial.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE customers (customer_id TEXT, signup_date TEXT)")
    monkeypatch.setenv(ENV_URL, f"sqlite:///{db}")
    at = new_app()
    at.run()
    assert not at.exception
    assert at.error and "tickets" in at.error[0].value


def test_data_sources_page_offers_rejected_rows(app_env, tmp_path, monkeypatch):
    db = tmp_path / "with_bad_rows.sqlite"
    db.write_bytes(app_env.read_bytes())
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE surveys SET score = 11 WHERE rowid IN "
            "(SELECT rowid FROM surveys WHERE survey_type = 'nps' LIMIT 3)"
        )
    monkeypatch.setenv(ENV_URL, f"sqlite:///{db}")
    at = new_app()
    at.run()
    at.switch_page(PAGES["data_sources"]).run()
    assert not at.exception
    assert any("3 row(s) were rejected" in w.value for w in at.warning)
    # Read-only dataframes are not widgets, so AppTest keeps no key: find it by its columns.
    (problems,) = [d.value for d in at.dataframe if list(d.value.columns) == PROBLEM_COLUMNS]
    assert (problems["reason"] == "nps score must be a whole number 0–10").sum() == 3
    assert at.get("download_button")


def test_reversed_period_in_the_link_is_read_in_order(app_env):
    start, end = _default_period(app_env)
    at = new_app()
    at.query_params["period"] = [end.date().isoformat(), start.date().isoformat()]
    at.run()
    assert not at.exception
    assert _metric(at, "nps").value  # the page rendered its tiles


def test_link_values_the_data_lacks_are_reported(app_env):
    at = new_app()
    at.query_params["department"] = "Astrology"
    at.run()
    assert not at.exception
    assert any("Department “Astrology”" in w.value for w in at.warning)


def test_uploaded_answers_join_the_helpdesk_by_email(app_env, tmp_path):
    """Two answers carry e-mails of demo customers (in other letter case), one an unknown
    address: combined, the match rate is 2 of 3 and the unknown answer is listed."""
    emails = _read(app_env, "SELECT email FROM customers ORDER BY customer_id LIMIT 2")["email"]
    export = tmp_path / "delighted.csv"
    export.write_text(
        "Response ID,Person ID,Email,Name,Score,Comment,Response timestamp,Tags,Notes\n"
        f"u1,p1,{emails[0].upper()},A,9,Great,2026-06-01 10:00:00 +0000,,\n"
        f"u2,p2,{emails[1]},B,3,Slow,2026-06-02 10:00:00 +0000,,\n"
        "u3,p3,stranger@example.org,C,10,Fine,2026-06-03 10:00:00 +0000,,\n",
        encoding="utf-8",
    )
    result = load_export(export)
    Workspace.open().store(
        result.table,
        result.rows,
        file_name=export.name,
        sha256=result.raw.sha256,
        mapping_json=result.mappings[0].to_json(),
        rows_rejected=0,
    )
    at = new_app()
    at.query_params["data"] = "Both combined"
    at.run()
    at.switch_page(PAGES["data_sources"]).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Match rate"] == "66.7%"
    (unmatched,) = [d.value for d in at.dataframe if "response_id" in d.value.columns]
    assert unmatched["email"].tolist() == ["stranger@example.org"]


def test_connection_test_counts_rows_then_use_switches_the_source(app_env):
    at = new_app()
    at.run()
    at.switch_page(PAGES["data_sources"]).run()
    at.selectbox(key="data_sources.kind").set_value(
        "Canonical tables (a database made for Loyalty Lens)"
    ).run()
    at.text_input(key="data_sources.url").input(f"sqlite:///{app_env}").run()
    at.button(key="data_sources.test").click().run()
    assert not at.exception
    assert any("Connected" in s.value for s in at.success)
    customers = int(_read(app_env, "SELECT count(*) AS n FROM customers")["n"].iloc[0])
    (counts,) = [d.value for d in at.dataframe if list(d.value.columns) == ["table", "rows"]]
    assert counts.set_index("table").loc["customers", "rows"] == customers
    at.button(key="data_sources.use").click().run()
    assert any("Configured by: Data sources page" in m.value for m in at.markdown)


def test_connections_from_secrets_are_offered_by_name(app_env, tmp_path):
    archive = tmp_path / "archive.sqlite"
    archive.write_bytes(app_env.read_bytes())
    at = new_app()
    at.secrets["connections"] = {"archive": {"url": f"sqlite:///{archive}"}}
    at.run()
    at.switch_page(PAGES["data_sources"]).run()
    choice = at.selectbox(key="data_sources.secret")
    assert "archive" in choice.options
    choice.set_value("archive").run()
    at.button(key="data_sources.test").click().run()
    assert any("Connected" in s.value for s in at.success)
    page_text = " ".join(m.value for m in [*at.markdown, *at.caption])
    assert str(archive) not in page_text  # the URL itself is never shown
