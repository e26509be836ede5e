"""Finding records: search, field filters, sorting; CSV export."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import ValidationFailed
from processes import search
from processes.models import Record

PEOPLE = [
    {"Id": "00000000-0000-4000-8000-000000000001", "Name": "Zoë Zürich", "Email": "zoe@example.ch",
     "Age": 9, "IsEmailConfirmed": True},
    {"Id": "00000000-0000-4000-8000-000000000002", "Name": "Ann 100% Smith", "Email": "ann@x.io",
     "Age": 41, "IsEmailConfirmed": False},
    {"Id": "00000000-0000-4000-8000-000000000003", "Name": "=HYPERLINK(\"x\")", "Email": "a_b@x.io",
     "Age": 100},
]


@pytest.fixture
def people(app):
    for i, data in enumerate(PEOPLE):
        Record.create(id=data["Id"], entity="Contact", data=data,
                      created_at=dt.datetime(2025, 1, 1 + i), updated_at=dt.datetime(2025, 2, 1))
    for number, amount in (("A-1", "12.50"), ("A-2", "9.00"), ("A-3", "100")):
        Record.create(id=f"00000000-0000-4000-8000-00000000010{number[-1]}", entity="Order",
                      data={"Number": number, "Amount": amount})


def names(query) -> list[str]:
    return [r.data.get("Name") or r.data.get("Number") for r in query]


def test_search_finds_text_as_written_even_with_accents_and_wildcards(people):
    assert names(search.find("Contact", q="zürich")) == ["Zoë Zürich"]
    assert names(search.find("Contact", q="100%")) == ["Ann 100% Smith"]
    assert names(search.find("Contact", q="a_b")) == ['=HYPERLINK("x")']
    assert names(search.find("Contact", q='"x"')) == ['=HYPERLINK("x")']
    assert names(search.find(q="A-1")) == ["A-1"]
    assert names(search.find("Contact", q="A-1")) == []


def test_a_field_filter_matches_the_typed_value_exactly(people):
    assert names(search.find("Contact", where={"Age": "41"})) == ["Ann 100% Smith"]
    assert names(search.find("Contact", where={"Age": "10"})) == []
    assert names(search.find("Contact", where={"IsEmailConfirmed": "yes"})) == ["Zoë Zürich"]
    assert names(search.find("Contact", where={"Email": "ANN@X.IO"})) == ["Ann 100% Smith"]


@pytest.mark.parametrize(("where", "message"), [
    ({"Age": "many"}, "Age: Not a valid integer."),
    ({"Shoe": "42"}, "Shoe: no such field to filter on."),
])
def test_a_bad_field_filter_is_named(people, where, message):
    with pytest.raises(ValidationFailed) as caught:
        search.find("Contact", where=where)
    assert caught.value.message == message


def test_records_sort_by_time_or_by_a_field(people):
    assert names(search.find("Contact")) == ['=HYPERLINK("x")', "Ann 100% Smith", "Zoë Zürich"]
    assert names(search.find("Contact", sort="created")) == [
        "Zoë Zürich", "Ann 100% Smith", '=HYPERLINK("x")']
    assert names(search.find("Contact", sort="Age")) == [
        "Zoë Zürich", "Ann 100% Smith", '=HYPERLINK("x")']
    assert names(search.find("Contact", sort="-Age")) == [
        '=HYPERLINK("x")', "Ann 100% Smith", "Zoë Zürich"]
    assert names(search.find("Contact", sort="Email")) == [
        '=HYPERLINK("x")', "Ann 100% Smith", "Zoë Zürich"]
    assert names(search.find("Contact", sort="-IsEmailConfirmed")) == [
        "Zoë Zürich", "Ann 100% Smith", '=HYPERLINK("x")']
    assert names(search.find("Order", sort="Amount")) == ["A-2", "A-1", "A-3"]
    with pytest.raises(ValidationFailed, match="^sort: cannot sort by 'Shoe'.$"):
        search.find("Contact", sort="Shoe")


def test_records_filter_by_creation_time(people):
    query = search.find("Contact", since=dt.datetime(2025, 1, 2), until=dt.datetime(2025, 1, 3))
    assert names(query) == ["Ann 100% Smith"]


def test_csv_export_has_every_field_and_keeps_formulas_as_text(app, people):
    from lookups import catalog

    lines = list(search.csv_rows(search.find("Contact", sort="created"), catalog.entity("Contact")))
    assert "".join(lines) == (
        "Id,Name,GivenName,Surname,Email,MobilePhone,JobTitle,BirthDate,Age,IsEmailConfirmed,"
        "CountryId,created_at,updated_at,webhook_id,source_id\r\n"
        "00000000-0000-4000-8000-000000000001,Zoë Zürich,,,zoe@example.ch,,,,9,true,,"
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,,\r\n"
        "00000000-0000-4000-8000-000000000002,Ann 100% Smith,,,ann@x.io,,,,41,false,,"
        "2025-01-02T00:00:00Z,2025-02-01T00:00:00Z,,\r\n"
        "00000000-0000-4000-8000-000000000003,\"'=HYPERLINK(\"\"x\"\")\",,,a_b@x.io,,,,100,,,"
        "2025-01-03T00:00:00Z,2025-02-01T00:00:00Z,,\r\n")
