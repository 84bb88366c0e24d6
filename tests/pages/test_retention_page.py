"""The Retention & churn page through AppTest on the small demo database."""

from __future__ import annotations

import base64
import json
import sqlite3

import numpy as np
import pandas as pd
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


def test_referrals_of_filtered_customers_count_friends_in_other_segments(app_env, edited_demo):
    """Under ?segment=SMB the referral panel groups SMB customers by their last NPS answer, and
    counts whom they referred among *all* customers. Three SMB promoters are made to have
    referred a Consumer customer each; the expected share comes straight from SQL."""
    from tests.pages.test_pages import _default_period

    _, end = _default_period(app_env)
    with sqlite3.connect(app_env) as connection:
        customers = pd.read_sql(
            "SELECT customer_id, segment, referred_by FROM customers", connection
        )
        answers = pd.read_sql(
            "SELECT customer_id, score, responded_at FROM surveys WHERE survey_type = 'nps'",
            connection,
        )
    answers = answers.loc[
        pd.to_datetime(answers["responded_at"], format="ISO8601") < end + pd.Timedelta(days=1)
    ]
    last = answers.sort_values("responded_at").drop_duplicates("customer_id", keep="last")
    smb = set(customers.loc[customers["segment"] == "SMB", "customer_id"])
    last = last.loc[last["customer_id"].isin(smb)]
    promoters = last.loc[last["score"] >= 9, "customer_id"]
    quiet = promoters[~promoters.isin(customers["referred_by"])].head(3).tolist()
    friends = customers.loc[
        (customers["segment"] == "Consumer") & customers["referred_by"].isna(), "customer_id"
    ].head(len(quiet))
    assert len(quiet) == 3
    pairs = list(zip(quiet, friends, strict=True))
    edited_demo(("UPDATE customers SET referred_by = ? WHERE customer_id = ?", pairs))
    referrers = set(customers["referred_by"].dropna()) | set(quiet)
    expected = f"{100 * promoters.isin(referrers).mean():.1f}"

    at = new_app()
    at.query_params["segment"] = "SMB"
    _open(at)
    chart = next(c for c in at.get("plotly_chart") if "retention.referrers" in str(c.proto.id))
    bars = json.loads(chart.proto.spec)["data"]
    promoter = next(b for b in bars if b["x"] == ["promoter"])["y"]  # Plotly's typed array
    share = np.frombuffer(base64.b64decode(promoter["bdata"]), dtype=promoter["dtype"])[0]
    assert f"{share:.1f}" == expected
