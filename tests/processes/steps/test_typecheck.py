"""Step type-check and each of its options; required fields are checked on the final record."""

from __future__ import annotations

import pytest

from tests.processes.helpers import definition, draft_run, step


def contact(client, admin, options: dict, **values) -> dict:
    return draft_run(client, admin, definition({"typecheck": options}),
                     {"EntityName": "Contact", "Name": "Ada", **values})


def test_values_are_coerced_to_their_types(client, admin):
    answer = contact(client, admin, {}, Age="36", IsEmailConfirmed="on",
                     BirthDate="1815-12-10 08:00:00", Id="{A1B2C3D4-0000-0000-0000-00000000000A}")
    assert answer["records"][0]["data"] == {
        "Name": "Ada", "Age": 36, "IsEmailConfirmed": True, "BirthDate": "1815-12-10T08:00:00Z",
        "Id": "a1b2c3d4-0000-0000-0000-00000000000a"}
    assert step(answer, "typecheck")["typed"] == ["Age", "BirthDate", "Id", "IsEmailConfirmed", "Name"]


def test_date_formats_option(client, admin):
    assert contact(client, admin, {}, BirthDate="10-12-1815")["errors"] == [
        {"field": "BirthDate", "value": "10-12-1815", "message": "Not a valid datetime."}]
    answer = contact(client, admin, {"date_formats": ["%d-%m-%Y"]}, BirthDate="10-12-1815")
    assert answer["records"][0]["data"]["BirthDate"] == "1815-12-10T00:00:00Z"


def test_strict_booleans_option(client, admin):
    assert contact(client, admin, {}, IsEmailConfirmed="yes")["status"] == "processed"
    assert contact(client, admin, {"strict_booleans": True}, IsEmailConfirmed="yes")["errors"] == [
        {"field": "IsEmailConfirmed", "value": "yes",
         "message": "Not a valid boolean (strict: true or false)."}]


@pytest.mark.parametrize("choice,status,errors,dropped", [
    ("fail", "failed", [{"field": "Age", "value": "old", "message": "Not a valid integer."}], []),
    ("drop", "processed", [], [{"field": "Age", "value": "old", "message": "Not a valid integer."}]),
])
def test_invalid_optional_option(client, admin, choice, status, errors, dropped):
    answer = contact(client, admin, {"invalid_optional": choice}, Age="old")
    assert (answer["status"], answer["errors"], step(answer, "typecheck")["dropped"]) == (
        status, errors, dropped)


def test_a_bad_required_value_fails_even_when_dropping(client, admin):
    answer = draft_run(client, admin, definition({"typecheck": {"invalid_optional": "drop"}}),
                       {"EntityName": "Order", "Number": ["1", "2"]})
    assert answer["errors"] == [{"field": "Number", "value": ["1", "2"], "message": "Not a valid string."}]


def test_decimal_comma_option(client, admin):
    payload = {"EntityName": "Lead", "Budget": "1250,50"}
    assert draft_run(client, admin, definition(), payload)["errors"] == [
        {"field": "Budget", "value": "1250,50", "message": "Not a valid decimal."}]
    answer = draft_run(client, admin, definition({"typecheck": {"decimal_comma": True}}), payload)
    assert answer["records"][0]["data"]["Budget"] == "1250.50"


def test_max_length_option(client, admin):
    assert contact(client, admin, {"max_length": 3}, JobTitle="Analyst")["errors"] == [
        {"field": "JobTitle", "value": "Analyst", "message": "Longer than 3 characters."}]


def test_required_fields_are_checked_on_the_final_record(client, admin):
    answer = draft_run(client, admin, definition(), {"EntityName": "Contact", "Email": "a@b.c"})
    assert answer["status"] == "failed"
    assert answer["errors"] == [{"field": "Name", "value": None,
                                 "message": "Missing data for required field."}]
    assert step(answer, "create")["records"] == []


def test_an_unknown_net_type_is_a_field_error(client, admin, app, monkeypatch):
    from core import plugins as registry

    coercers = dict(registry.coercers())
    del coercers["System.Int32"]
    monkeypatch.setitem(app.extensions, registry.EXTENSION,
                        registry.Registry(registry.steps(), coercers, registry.actions()))
    assert contact(client, admin, {}, Age="3")["errors"] == [
        {"field": "Age", "value": "3", "message": "No coercer is registered for System.Int32."}]


@pytest.mark.parametrize("name", ["", "   ", "\t\n "])
def test_a_blank_required_string_is_missing(client, admin, source_key, name):
    missing = [{"field": "Name", "value": None, "message": "Missing data for required field."}]
    answer = client.post(f"/webhooks/{source_key}", json={"EntityName": "Contact", "Name": name})
    assert answer.json["status"] == "failed" and answer.json["errors"] == missing
    form = client.post(f"/webhooks/{source_key}", data={"EntityName": "Contact", "Name": name},
                       content_type="application/x-www-form-urlencoded")
    assert form.json["errors"] == missing


def test_a_blank_required_string_is_missing_without_the_typecheck(client, admin):
    steps = definition()
    next(s for s in steps["steps"] if s["name"] == "typecheck")["enabled"] = False
    answer = draft_run(client, admin, steps, {"EntityName": "Contact", "Name": "  "})
    assert answer["errors"] == [{"field": "Name", "value": None,
                                 "message": "Missing data for required field."}]


def test_a_blank_optional_value_is_left_out(client, admin):
    answer = contact(client, admin, {}, JobTitle="   ", Age=" ")
    assert answer["status"] == "processed" and answer["errors"] == []
    assert step(answer, "typecheck")["typed"] == ["Name"]
