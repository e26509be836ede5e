"""Step map: the entity, automatic mapping by field code, manual mappings, and its options."""

from __future__ import annotations

import pytest

from lookups.seed import stable_id
from tests.processes.helpers import definition, draft_run, step


def test_the_entity_parameter_can_be_renamed(client, admin):
    answer = draft_run(client, admin, definition({"map": {"entity_param": "form"}}),
                       {"form": "FormSubmit", "Name": "Ada", "EntityName": "Lead"})
    assert answer["entity"] == "FormSubmit"
    assert step(answer, "map")["ignored"] == ["EntityName"]


@pytest.mark.parametrize("payload,reason", [
    ({}, "EntityName is missing."),
    ({"EntityName": ""}, "EntityName is missing."),
    ({"EntityName": ["Lead"]}, "EntityName must be a string."),
    ({"EntityName": "Nope"}, "EntityName 'Nope' is not in the webhook entities lookup."),
    ({"EntityName": "lead"}, "EntityName 'lead' is not in the webhook entities lookup."),
])
def test_without_a_usable_entity_the_webhook_has_no_record(client, admin, payload, reason):
    answer = draft_run(client, admin, definition(), payload)
    assert answer["status"] == "no-record" and answer["errors"] == []
    assert step(answer, "map") == {"step": "map", "ok": True, "ms": step(answer, "map")["ms"],
                                   "entity": None, "reason": reason}
    assert answer["trace"][-1] == {"step": "result", "ok": True, "reason": reason}


def test_a_disabled_entity_is_not_in_the_lookup(client, admin):
    client.patch("/api/v1/entities/Order", headers=admin, json={"enabled": False})
    answer = draft_run(client, admin, definition(), {"EntityName": "Order", "Number": "1"})
    assert step(answer, "map")["reason"] == "EntityName 'Order' is not in the webhook entities lookup."


def test_automatic_mapping_can_be_switched_off(client, admin):
    payload = {"EntityName": "FormSubmit", "Name": "Ada", "Email": "a@b.c"}
    on = draft_run(client, admin, definition(), payload)
    assert step(on, "map")["mapped"] == {"Name": "Name", "Email": "Email"}
    off = draft_run(client, admin, definition({"map": {"auto": False}},
                                              mappings=[{"from": "Name", "to": "Name"}]), payload)
    assert step(off, "map")["mapped"] == {"Name": "Name"}
    assert step(off, "map")["ignored"] == ["Email"]
    assert off["records"][0]["data"] == {"Name": "Ada", "Id": off["records"][0]["id"]}


def test_ignore_case_maps_field_codes_in_any_case(client, admin):
    payload = {"entityname": "FormSubmit", "name": "Ada", "EMAIL": "a@b.c"}
    strict = draft_run(client, admin, definition({"map": {"entity_param": "entityname"}}), payload)
    assert step(strict, "map")["ignored"] == ["name", "EMAIL"]
    loose = draft_run(client, admin, definition({"map": {"entity_param": "entityname",
                                                         "ignore_case": True}}), payload)
    assert step(loose, "map")["mapped"] == {"Name": "name", "Email": "EMAIL"}


def test_manual_mappings_take_parameters_and_jsonpaths(client, admin):
    draft = definition(mappings=[
        {"from": "$.person.name", "to": "GivenName", "transform": [{"split_name": "first"}]},
        {"from": "$.person.name", "to": "Surname", "transform": [{"split_name": "last"}]},
        {"from": "$.person.name", "to": "Name"},
        {"from": "mail", "to": "Email", "transform": ["trim", "lower"]},
        {"from": "born", "to": "BirthDate", "transform": [{"date_format": "%d/%m/%Y"}]},
        {"to": "JobTitle", "transform": [{"constant": "Analyst"}]},
        {"from": "$.person.country", "to": "CountryId", "entity": "Lead"},
        {"from": "$.nothing", "to": "MobilePhone"},
        {"from": "mail", "to": "Website"},
    ], options={"resolve": {"match_names": True}})
    answer = draft_run(client, admin, draft, {
        "EntityName": "Contact", "person": {"name": "Ada Lovelace", "country": "Canada"},
        "mail": " ADA@Example.com", "born": "10/12/1815", "utm": "x"})
    assert answer["status"] == "processed", answer["errors"]
    data = answer["records"][0]["data"]
    assert data == {"GivenName": "Ada", "Surname": "Lovelace", "Name": "Ada Lovelace",
                    "Email": "ada@example.com", "BirthDate": "1815-12-10T00:00:00Z",
                    "JobTitle": "Analyst", "Id": data["Id"]}
    mapped = step(answer, "map")
    assert mapped["mapped"] == {"GivenName": "$.person.name", "Surname": "$.person.name",
                                "Name": "$.person.name", "Email": "mail", "BirthDate": "born",
                                "JobTitle": "constant"}
    assert mapped["ignored"] == ["person.country", "utm"]
    assert mapped["unused_mappings"] == [{"mapping": 7, "why": "no value"},
                                         {"mapping": 8, "why": "not a field of Contact"}]


def test_a_mapping_scoped_to_an_entity_or_source_applies_only_there(client, admin):
    source = client.post("/api/v1/sources", headers=admin, json={"name": "s"}).json["id"]
    draft = definition(mappings=[{"from": "c", "to": "CountryId", "entity": "Lead"},
                                 {"from": "m", "to": "Email", "source": source}],
                       options={"resolve": {"match_names": True}})
    payload = {"EntityName": "Lead", "c": "Canada", "m": "a@b.c"}
    with_source = draft_run(client, admin, draft, payload, source=source)
    assert with_source["records"][0]["data"]["CountryId"] == stable_id("country", "CA")
    assert with_source["records"][0]["data"]["Email"] == "a@b.c"
    without = draft_run(client, admin, draft, payload)
    assert "Email" not in without["records"][0]["data"]
    as_form = draft_run(client, admin, draft, {**payload, "EntityName": "FormSubmit"})
    assert "CountryId" not in as_form["records"][0]["data"]


def test_a_manual_mapping_wins_over_the_automatic_one(client, admin):
    answer = draft_run(client, admin, definition(mappings=[{"from": "work_mail", "to": "Email"}]),
                       {"EntityName": "FormSubmit", "Email": "home@b.c", "work_mail": "work@b.c"})
    assert answer["records"][0]["data"]["Email"] == "work@b.c"


def test_a_transform_that_fails_is_a_field_error(client, admin):
    draft = definition(mappings=[{"from": "born", "to": "BirthDate",
                                  "transform": [{"date_format": "%d/%m/%Y"}]}])
    answer = draft_run(client, admin, draft, {"EntityName": "Contact", "Name": "A", "born": "1815"})
    assert answer["status"] == "failed"
    assert answer["errors"] == [{"field": "BirthDate", "value": "1815",
                                 "message": "'1815' does not match the date format '%d/%m/%Y'."}]


def test_several_jsonpath_matches_are_a_list(client, admin):
    draft = definition(mappings=[{"from": "$.tags[*]", "to": "Message"}])
    answer = draft_run(client, admin, draft, {"EntityName": "FormSubmit", "tags": ["a", "b"]})
    assert answer["errors"] == [{"field": "Message", "value": ["a", "b"],
                                 "message": "Not a valid string."}]
