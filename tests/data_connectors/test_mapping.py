"""The declarative mapping: loading, defaults and the allow-list of canonical names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data_connectors.mapping import Mapping, TableMapping
from data_connectors.schema import TABLES

EXAMPLE = Path(__file__).parents[2] / "data_connectors" / "mappings" / "example_custom.toml"

MINIMAL = {
    "customers": {"table": "contacts"},
    "tickets": {"table": "conv"},
    "surveys": {"table": "answers"},
}


def test_identity_maps_every_canonical_table_to_itself():
    mapping = Mapping.identity(schema="helpdesk")
    assert set(mapping.tables) == set(TABLES)
    for name, table_mapping in mapping.tables.items():
        assert (table_mapping.table, table_mapping.schema) == (name, "helpdesk")
        assert table_mapping.columns == {}
        assert table_mapping.missing_ok is not TABLES[name].required
        assert table_mapping.source_column("created_at") == "created_at"


def test_example_file_loads():
    mapping = Mapping.from_file(EXAMPLE)
    assert set(mapping.tables) == {"customers", "tickets", "surveys"}
    tickets, surveys = mapping.tables["tickets"], mapping.tables["surveys"]
    assert (tickets.table, tickets.schema, tickets.sql) == ("conv", None, None)
    assert tickets.source_column("created_at") == "Opened At"
    assert tickets.source_column("team") == "team"
    assert surveys.table is None
    assert surveys.sql.startswith("SELECT id AS response_id") and surveys.sql.endswith("FROM csat")
    assert surveys.source_column("responded_at") == "answered"


def test_top_level_schema_is_the_default_and_a_table_overrides_it():
    mapping = Mapping.from_dict(
        {
            "schema": "helpdesk",
            **MINIMAL,
            "tickets": {"table": "conv", "schema": "support"},
            "surveys": {"sql": "SELECT * FROM answers;\n"},
        }
    )
    assert mapping.tables["customers"].schema == "helpdesk"
    assert mapping.tables["tickets"].schema == "support"
    assert mapping.tables["surveys"].schema is None
    assert mapping.tables["surveys"].sql == "SELECT * FROM answers"  # trailing ";" dropped


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"complaints": {"table": "x"}}, "unknown canonical tables: complaints"),
        (
            {"tickets": {"table": "conv", "columns": {"nps": "a", "agent": "b"}}},
            "unknown canonical columns: tickets.nps",
        ),
        ({"surveys": None}, "required canonical tables not mapped: surveys"),
        (
            {"tickets": {"table": "conv", "sql": "SELECT 1"}},
            "exactly one of 'table', 'sql' or a query",
        ),
        ({"tickets": {"columns": {}}}, "exactly one of 'table', 'sql' or a query"),
        ({"tickets": {"sql": "SELECT 1", "schema": "s"}}, "'schema' applies to 'table' only"),
        ({"tickets": {"table": "conv", "where": "1=1"}}, "unknown settings for 'tickets': where"),
        ({"tickets": {"table": "conv", "columns": {"agent": 3}}}, "non-empty strings: agent"),
        ({"tickets": {"table": ""}}, "'table' must be a non-empty string"),
        ({"tickets": "conv"}, "'tickets' must be a table of settings"),
        ({"tickets": {"table": "conv", "columns": ["agent"]}}, "'tickets.columns' must map"),
    ],
)
def test_invalid_mappings_raise_value_error_naming_the_problem(change, message):
    data = {k: v for k, v in {**MINIMAL, **change}.items() if v is not None}
    with pytest.raises(ValueError, match=re.escape(message)):
        Mapping.from_dict(data)


def test_unknown_names_are_all_reported_at_once():
    with pytest.raises(ValueError) as caught:
        Mapping(
            {
                **{n: TableMapping(table=n) for n in ("customers", "tickets", "surveys")},
                "leads": TableMapping(table="leads"),
                "qa_reviews": TableMapping(table="qa", columns={"grade": "g", "stars": "s"}),
            }
        )
    assert "leads" in str(caught.value)
    assert "qa_reviews.grade, qa_reviews.stars" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tickets]\ntable = "conv\n', "Illegal character|unterminated|Unclosed"),
        (None, "cannot be read"),
        ('[customers]\ntable = "c"\n', "required canonical tables not mapped: tickets, surveys"),
    ],
    ids=["syntax", "missing", "content"],
)
def test_file_problems_raise_value_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "mapping.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"mapping file .*mapping.toml: .*({message})"):
        Mapping.from_file(path)
