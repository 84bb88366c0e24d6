"""The demo helpdesk: deterministic, valid, written to SQLite whole, and structured like a real one.

The structural checks are sanity checks on the demo (would the pages have something to show?),
not metric oracles: they compare groups the generating process treats differently.
"""

from __future__ import annotations

import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data_connectors import demo
from data_connectors.demo import database, phrases, text
from data_connectors.schema import SCORE_RANGES, TABLES
from data_connectors.validation import validate

REPO = Path(__file__).resolve().parents[2]
SMALL = {"customers": 400, "months": 6, "end": "2025-06"}
#: Big enough that group comparisons are not noise, still well under a second to generate.
LARGE = {"customers": 3000, "months": 12, "end": "2025-06"}


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    return demo.generate(**SMALL)


@pytest.fixture(scope="module")
def current() -> dict[str, pd.DataFrame]:
    """A period that ends in the current month, i.e. now."""
    return demo.generate(customers=400, months=6)


@pytest.fixture(scope="module")
def large() -> dict[str, pd.DataFrame]:
    return demo.generate(**LARGE)


# ---------------------------------------------------------------- contract


def test_same_arguments_give_identical_frames(small):
    again = demo.generate(**SMALL)
    assert list(again) == list(small)
    for name, frame in small.items():
        pd.testing.assert_frame_equal(again[name], frame)


def test_another_seed_gives_other_data(small):
    other = demo.generate(**SMALL, seed=8)
    assert not other["tickets"].equals(small["tickets"])
    assert not other["surveys"].equals(small["surveys"])


def test_tables_have_exactly_the_canonical_columns(small):
    assert sorted(small) == sorted(TABLES)
    for name, frame in small.items():
        assert list(frame.columns) == TABLES[name].column_names, name
        assert len(frame), name


@pytest.mark.parametrize("fixture", ["small", "current"])
def test_validates_without_a_single_problem(fixture, request):
    tables = request.getfixturevalue(fixture)
    dataset, report = validate(tables, as_of=pd.Timestamp.now())
    assert report.problems.empty, report.problems.head(10).to_string()
    assert dataset.row_counts() == {name: len(frame) for name, frame in tables.items()}


def test_nothing_is_dated_in_the_future(current):
    now = pd.Timestamp.now()
    for name, frame in current.items():
        for column in frame.select_dtypes("datetime").columns:
            assert not (frame[column] > now).any(), f"{name}.{column}"
    assert now - current["tickets"]["created_at"].max() < pd.Timedelta(days=3)  # it ends now


def test_period_covers_the_requested_months(small):
    months = small["tickets"]["created_at"].dt.to_period("M")
    assert sorted(months.unique().astype(str)) == [f"2025-0{m}" for m in range(1, 7)]
    assert small["surveys"]["responded_at"].max() < pd.Timestamp("2025-07-01")
    assert (small["customers"]["signup_date"] < pd.Timestamp("2025-01-01")).mean() > 0.3


def test_events_happen_in_order(small):
    tickets, surveys, customers = small["tickets"], small["surveys"], small["customers"]
    for column in ("first_response_at", "resolved_at"):
        done = tickets.dropna(subset=[column])
        assert (done[column] >= done["created_at"]).all(), column
    answered = surveys.dropna(subset=["ticket_id"]).merge(tickets, on="ticket_id")
    assert (answered["responded_at"] > answered["resolved_at"]).all()
    signup = customers.set_index("customer_id")["signup_date"]
    referred = customers.dropna(subset=["referred_by"])
    assert (referred["signup_date"].to_numpy() > signup[referred["referred_by"]].to_numpy()).all()
    joined = tickets.merge(customers, on="customer_id")
    assert (joined["created_at"] >= joined["signup_date"]).all()


def test_rejects_an_end_after_the_current_month():
    next_month = pd.Timestamp.now().to_period("M") + 1
    with pytest.raises(ValueError, match="after the current month"):
        demo.generate(customers=10, months=2, end=str(next_month))


def test_progress_rises_to_one():
    calls: list[tuple[float, str]] = []
    demo.generate(
        customers=100, months=3, end="2025-06", progress=lambda f, m: calls.append((f, m))
    )
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert fractions[0] > 0 and fractions[-1] == 1.0
    assert all(message for _, message in calls)


def _placeholders(templates) -> set[str]:
    return {name for t in templates for _, name, _, _ in string.Formatter().parse(t) if name}


def test_every_language_has_the_same_banks_and_only_known_placeholders():
    rng = np.random.default_rng(0)
    ticket_fields = set(text.ticket_fields(rng, 1, np.array([0])))
    comment_fields = set(text._comment_fields(rng, np.array([0])))
    en, *others = phrases.BY_LANGUAGE.values()
    for language in (en, *others):
        for name in ("SUBJECTS", "TEXTS", "COMMENTS"):
            assert getattr(language, name).keys() == getattr(en, name).keys(), name
        ticket = [*language.GREETINGS, *language.SIGN_OFFS, *language.COMPLAINT_TAILS]
        for bank in (*language.SUBJECTS.values(), *language.TEXTS.values()):
            ticket += bank
        comment = [*language.CONTACT_TAILS]
        for bank in language.COMMENTS.values():
            comment += bank
        assert _placeholders(ticket) <= ticket_fields, language.__name__
        assert _placeholders(comment) <= comment_fields, language.__name__


# ---------------------------------------------------------------- database and command line


def test_build_database_round_trips(tmp_path, small):
    calls: list[float] = []
    path = demo.build_database(
        tmp_path / "demo.sqlite", **SMALL, progress=lambda f, _: calls.append(f)
    )
    assert path == tmp_path / "demo.sqlite"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.sqlite"]  # no temporary file left
    assert calls == sorted(calls) and calls[-1] == 1.0

    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        assert set(sa.inspect(engine).get_table_names()) == {*TABLES, "demo_info"}
        with engine.connect() as connection:
            for name, frame in small.items():
                count = connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
                assert count == len(frame), name
            tickets = pd.read_sql_table("tickets", connection)
    finally:
        engine.dispose()
    expected = small["tickets"]
    assert tickets["ticket_id"].tolist() == expected["ticket_id"].tolist()
    for column in ("created_at", "resolved_at"):
        assert tickets[column].astype("datetime64[ns]").equals(expected[column]), column
    assert (
        tickets["first_contact_resolved"].isna().sum()
        == expected["first_contact_resolved"].isna().sum()
    )
    assert tickets["subject"].tolist() == expected["subject"].tolist()  # Russian text intact

    info = demo.read_info(path)
    assert info["customers"] == "400" and info["months"] == "6" and info["end"] == "2025-06"
    assert info["seed"] == "7" and float(info["build_seconds"]) >= 0
    assert {info[f"rows.{name}"] for name in TABLES} == {str(len(f)) for f in small.values()}


def test_a_failed_build_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    target = tmp_path / "demo.sqlite"
    target.write_bytes(b"previous database")

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(database, "_write_tables", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        demo.build_database(target, customers=50, months=2, end="2025-06")
    assert target.read_bytes() == b"previous database"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.sqlite"]


def test_command_line_builds_and_reports_row_counts(tmp_path):
    out = tmp_path / "cli.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "data_connectors.demo", "--customers", "80", "--months", "2",
         "--end", "2025-06", "--seed", "3", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "[100%]" in result.stdout
    for name in TABLES:
        assert f"{name} " in result.stdout
    info = demo.read_info(out)
    assert f"{int(info['rows.tickets']):,} rows" in result.stdout
    assert " s" in result.stdout.splitlines()[-1]


def test_command_line_rejects_a_future_end(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "data_connectors.demo", "--out", str(tmp_path / "x.sqlite"),
         "--end", "2999-01"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "after the current month" in result.stderr
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- realism and structure


def test_categories_and_codes(large):
    tickets, surveys, customers = large["tickets"], large["surveys"], large["customers"]
    assert set(tickets["department"]) == {d.name for d in demo.DEPARTMENTS}
    assert set(tickets["channel"]) == set(demo.CHANNELS)
    assert tickets["agent"].str.fullmatch(r"Agent \d{3,}").all()
    assert set(customers["acquisition_channel"]) == {"organic", "paid", "referral", "partner"}
    assert customers["email"].str.fullmatch(r"c\d{6,}@example\.com").all()
    assert set(large["qa_reviews"]["criterion"]) == set(demo.QA_CRITERIA)
    assert large["qa_reviews"]["score"].between(0, 100).all()
    for kind, (low, high) in SCORE_RANGES.items():
        scores = surveys.loc[surveys["survey_type"] == kind, "score"]
        assert scores.between(low, high).all() and scores.nunique() == high - low + 1, kind


def test_complaints_are_a_minority(large):
    assert 0.10 <= large["tickets"]["is_complaint"].mean() <= 0.20


def test_both_languages_are_written(large):
    russian = large["tickets"]["subject"].str.contains("[а-яё]", case=False)
    assert 0.25 < russian.mean() < 0.55
    by_region = russian.groupby(
        large["tickets"].merge(large["customers"], on="customer_id")["region"]
    ).mean()
    assert set(by_region[by_region == 1].index) == {
        "Moscow",
        "St Petersburg",
        "Yekaterinburg",
        "Kazakhstan",
    }


def test_abandoned_contacts_are_never_answered(large):
    tickets = large["tickets"]
    abandoned = tickets[tickets["abandoned"]]
    assert len(abandoned) > 0
    assert abandoned["first_response_at"].isna().all() and abandoned["resolved_at"].isna().all()
    assert not abandoned["first_contact_resolved"].any()
    assert tickets.loc[tickets["channel"].isin(["email", "social"]), "wait_seconds"].isna().all()


def test_service_standards_are_met_in_some_months_and_missed_in_others(large):
    tickets = large["tickets"].assign(month=lambda t: t["created_at"].dt.to_period("M"))
    live = tickets[tickets["channel"].isin(["phone", "chat"])]
    within_30s = (live["wait_seconds"] <= 30).groupby([live["month"], live["department"]]).mean()
    assert (within_30s >= 0.8).any() and (within_30s < 0.8).any()
    email = tickets[tickets["channel"] == "email"]
    hours = (email["first_response_at"] - email["created_at"]).dt.total_seconds() / 3600
    within_2h = (hours <= 2).groupby(email["month"]).mean()
    assert (within_2h >= 0.5).any() and (within_2h < 0.5).any()
    assert hours.median() < 6 and hours.max() > 12


def test_complaint_themes_rise_and_fall(large):
    complaints = large["tickets"][large["tickets"]["is_complaint"]]
    monthly = complaints.groupby([complaints["created_at"].dt.to_period("M"), "category"]).size()
    monthly = monthly.unstack(fill_value=0)
    swing = monthly.max() / monthly.median().clip(lower=1)
    assert (swing >= 2.5).sum() >= 2, swing.sort_values()


def _csat_with_tickets(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    surveys = tables["surveys"]
    return surveys[surveys["survey_type"] == "csat"].merge(tables["tickets"], on="ticket_id")


@pytest.mark.parametrize("column", ["transfers", "reopens"])
def test_transferred_and_reopened_contacts_are_rated_lower(large, column):
    csat = _csat_with_tickets(large)
    affected = csat[column] > 0
    assert csat.loc[affected, "score"].mean() < csat.loc[~affected, "score"].mean() - 0.2


def test_slow_contacts_are_rated_lower(large):
    csat = _csat_with_tickets(large)
    live = csat[csat["channel"].isin(["phone", "chat"])]
    slow = live["wait_seconds"] > 120
    assert live.loc[slow, "score"].mean() < live.loc[~slow, "score"].mean()


def _nps_group(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Each NPS respondent's group by their last answer."""
    nps = tables["surveys"][tables["surveys"]["survey_type"] == "nps"]
    last = nps.sort_values("responded_at").groupby("customer_id")["score"].last()
    return pd.cut(last, [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])


def test_detractors_churn_more_than_promoters(large):
    group = _nps_group(large)
    churned = large["customers"].set_index("customer_id")["churn_date"].notna()
    share = churned.reindex(group.index).groupby(group, observed=True).mean()
    assert share["detractor"] > 1.5 * share["promoter"]


def test_promoters_refer_more_customers(large):
    group = _nps_group(large)
    referrals = large["customers"]["referred_by"].value_counts()
    per_customer = referrals.reindex(group.index, fill_value=0).groupby(group, observed=True).mean()
    assert per_customer["promoter"] > 2 * per_customer["detractor"]


def test_referrals_come_from_customers_acquired_by_referral_only(large):
    customers = large["customers"]
    referred = customers["referred_by"].notna()
    assert (customers.loc[referred, "acquisition_channel"] == "referral").all()
    assert referred.mean() > 0.1
    assert customers["referred_by"].dropna().isin(customers["customer_id"]).all()


def test_churn_dates_lie_within_the_relationship(large):
    customers = large["customers"]
    churned = customers.dropna(subset=["churn_date"])
    assert 0.03 < len(churned) / len(customers) < 0.4
    assert (churned["churn_date"] >= churned["signup_date"]).all()
    assert churned["churn_date"].min() >= pd.Timestamp("2024-07-01")


def test_survey_answers_carry_reasons_comments_and_callbacks(large):
    surveys = large["surveys"]
    low = (
        ((surveys["survey_type"] == "nps") & (surveys["score"] <= 6))
        | ((surveys["survey_type"] == "csat") & (surveys["score"] <= 3))
        | ((surveys["survey_type"] == "ces") & (surveys["score"] >= 5))
    )
    assert surveys["reason"].notna().sum() > 0 and not surveys.loc[~low, "reason"].notna().any()
    assert set(surveys["reason"].dropna()) <= set(demo.REASONS)
    assert (
        surveys.loc[low, "callback_requested"].any()
        and not surveys.loc[~low, "callback_requested"].any()
    )
    assert surveys.loc[surveys["survey_type"] == "nps", "ticket_id"].isna().all()
    assert surveys.loc[surveys["survey_type"] != "nps", "ticket_id"].notna().all()
    comments = surveys["comment"].dropna()
    assert comments.str.contains("It would be great if|Please add|Было бы удобно, если").any()
    assert comments.str.contains(r"[\w.]+@example\.(?:com|org|net)").any()
    assert comments.str.contains(r"\+(?:7|44) ").any()
    assert comments.str.contains("[а-яё]", case=False).any()
