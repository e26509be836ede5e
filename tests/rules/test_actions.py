"""Every rule action, run through a draft process; and the errors of invalid actions."""

from __future__ import annotations

import pytest

from lookups.seed import stable_id
from processes.models import Record
from tests.processes.helpers import definition, draft_run, invalid, step

CANADA = stable_id("country", "CA")


def run(client, admin, actions: list, payload: dict, when=None, more_rules=(), **options) -> dict:
    rules = [{"id": "r1", "name": "r", "when": when, "actions": actions}, *more_rules]
    return draft_run(client, admin, definition(options or None, rules=rules), payload)


def rule_entry(answer: dict, index: int = 0) -> dict:
    entry = dict(step(answer, "rules")["rules"][index])
    entry.pop("ms", None)
    return entry


CONTACT = {"EntityName": "Contact", "Name": "Ada", "first": "Ada", "last": "Lovelace",
           "nested": {"title": "Countess"}, "Email": "ada@example.com"}


@pytest.mark.parametrize("spec,field,expected", [
    ({"value": "Analyst"}, "JobTitle", "Analyst"),
    ({"template": "{first} {last}"}, "Name", "Ada Lovelace"),
    ({"template": "{first} <{record.Email}> {nothing}"}, "Name", "Ada <ada@example.com>"),
    ({"path": "$.nested.title"}, "JobTitle", "Countess"),
    ({"copy": "Email"}, "MobilePhone", "ada@example.com"),
    ({"value": "36"}, "Age", 36),
    ({"value": "yes"}, "IsEmailConfirmed", True),
])
def test_set_from_each_kind_of_value(client, admin, spec, field, expected):
    answer = run(client, admin, [{"action": "set", "field": field, **spec}], CONTACT)
    assert answer["records"][0]["data"][field] == expected
    before = "Ada" if field == "Name" else None
    assert rule_entry(answer)["actions"] == [{"action": "set", "field": field, "from": before,
                                              "to": expected}]


def test_set_resolves_a_lookup_by_name_when_the_process_allows(client, admin):
    actions = [{"action": "set", "field": "CountryId", "value": "Canada"}]
    assert run(client, admin, actions, CONTACT)["errors"] == [
        {"field": "CountryId", "value": "Canada",
         "message": "No row with id 'Canada' in lookup 'Countries'."}]
    answer = run(client, admin, actions, CONTACT, resolve={"match_names": True})
    assert answer["records"][0]["data"]["CountryId"] == CANADA


def test_set_that_cannot_apply(client, admin):
    answer = run(client, admin, [{"action": "set", "field": "Budget", "value": "1"},
                                 {"action": "set", "field": "JobTitle", "path": "$.nope"},
                                 {"action": "set", "field": "Age", "value": "old"}], CONTACT)
    assert rule_entry(answer)["actions"] == [
        {"action": "set", "field": "Budget", "skipped": "not a field of Contact"},
        {"action": "set", "field": "JobTitle", "skipped": "no value"},
        {"action": "set", "field": "Age", "error": "Not a valid integer."}]
    assert answer["errors"] == [{"field": "Age", "value": "old", "message": "Not a valid integer."}]


def test_set_null_clears_a_field(client, admin):
    answer = run(client, admin, [{"action": "set", "field": "Email", "value": None}], CONTACT)
    assert "Email" not in answer["records"][0]["data"]


def test_route_types_the_webhook_again_for_another_entity(client, admin):
    payload = {"EntityName": "FormSubmit", "Name": "Ada", "Email": "a@b.c", "Budget": "100",
               "kind": "sales"}
    answer = run(client, admin, [{"action": "route", "entity": "Lead"}], payload,
                 when={"==": [{"path": "$.kind"}, "sales"]},
                 more_rules=[{"name": "after", "entity": "Lead",
                              "actions": [{"action": "set", "field": "Commentary", "value": "routed"}]}])
    assert answer["entity"] == "Lead"
    record = answer["records"][0]
    assert (record["entity"], record["data"]) == ("Lead", {
        "Email": "a@b.c", "Budget": "100", "Commentary": "routed", "Id": record["id"]})
    route = rule_entry(answer)["actions"][0]
    assert (route["from"], route["to"]) == ("FormSubmit", "Lead")
    assert [s["step"] for s in route["steps"]] == ["map", "typecheck", "resolve"]
    assert route["steps"][0]["ignored"] == ["Name", "kind"]


def test_route_keeps_values_rules_set_before(client, admin):
    answer = run(client, admin, [{"action": "set", "field": "Email", "value": "set@b.c"},
                                 {"action": "route", "entity": "Lead"}],
                 {"EntityName": "FormSubmit", "Email": "a@b.c"})
    assert answer["records"][0]["data"]["Email"] == "set@b.c"


def test_route_to_an_entity_not_in_the_lookup_fails(client, admin):
    client.patch("/api/v1/entities/Order", headers=admin, json={"enabled": False})
    answer = run(client, admin, [{"action": "route", "entity": "Order"},
                                 {"action": "set", "field": "Name", "value": "x"}], CONTACT)
    assert answer["errors"] == [{"field": "EntityName", "value": "Order", "message":
                                 "Rule 'r' routes to 'Order', which is not in the webhook entities lookup."}]
    assert rule_entry(answer)["actions"] == [{"action": "route", "from": "Contact", "to": None,
                                              "stop": True}]


def test_reject_fails_the_webhook_and_stops_the_rules(client, admin):
    answer = run(client, admin, [{"action": "reject", "reason": "No test emails."}],
                 {**CONTACT, "Email": "x@test.example"}, when={"ends_with": [{"field": "Email"}, ".example"]},
                 more_rules=[{"id": "r2", "name": "later", "actions": [{"action": "stop"}]}])
    assert answer["status"] == "failed"
    assert answer["errors"] == [{"field": "_rule", "value": "r", "message": "No test emails."}]
    assert rule_entry(answer, 1) == {"rule": "r2", "name": "later", "matched": False,
                                     "skipped": "stopped by rule 'r'"}


@pytest.mark.parametrize("options,reason", [({}, "Skipped by rule 'r'."),
                                            ({"reason": "Newsletter only."}, "Newsletter only.")])
def test_skip_stores_the_webhook_without_a_record(client, admin, options, reason):
    answer = run(client, admin, [{"action": "skip", **options}], CONTACT)
    assert (answer["status"], answer["errors"], answer["records"]) == ("no-record", [], [])
    assert answer["trace"][-1] == {"step": "result", "ok": True, "reason": reason}
    assert "create" not in [e["step"] for e in answer["trace"]]


def test_upsert_with_an_empty_key_creates_and_says_why(client, admin):
    answer = run(client, admin, [{"action": "upsert", "keys": ["Email", "MobilePhone"]}], CONTACT)
    assert step(answer, "create")["records"][0]["not_upserted"] == "empty key field(s): Email, MobilePhone"
    assert answer["records"][0]["action"] == "create"


def test_upsert_matches_text_trimmed_and_case_folded(client, admin, source_key):
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    client.put(f"/api/v1/processes/{process}/definition", headers=admin, json=definition(rules=[
        {"name": "u", "actions": [{"action": "upsert", "keys": ["Email"]}]}]))
    first = client.post(f"/webhooks/{source_key}", json={**CONTACT, "Email": "Ada@Example.com"}).json
    second = client.post(f"/webhooks/{source_key}", json={**CONTACT, "Email": " ada@example.COM"}).json
    assert second["records"] == first["records"]
    assert Record.get_by_id(first["records"][0]).data["Email"] == " ada@example.COM".strip()


CREATE_LEAD = {"action": "create_related", "entity": "Lead", "link": "ContactRecordId",
               "set": {"Email": {"copy": "Email"}, "Budget": {"path": "$.budget"},
                       "Commentary": {"template": "From {first}"}, "Website": {"value": None},
                       "MobilePhone": {"path": "$.nope"}}}


def test_create_related_adds_a_linked_record(client, admin):
    answer = run(client, admin, [CREATE_LEAD], {**CONTACT, "budget": "12.5"})
    contact, lead = answer["records"]
    assert lead == {"entity": "Lead", "role": "related", "action": "create", "id": lead["id"],
                    "data": {"Email": "ada@example.com", "Budget": "12.5", "Commentary": "From Ada",
                             "ContactRecordId": contact["id"], "Id": lead["id"]}}
    assert rule_entry(answer)["actions"] == [{"action": "create_related", "entity": "Lead", "values": {
        "Email": "ada@example.com", "Budget": "12.5", "Commentary": "From Ada"}}]


def test_create_related_errors_name_the_entity_and_field(client, admin):
    answer = run(client, admin, [CREATE_LEAD, {"action": "create_related", "entity": "Order",
                                               "link": "Missing", "set": {}}],
                 {**CONTACT, "budget": "lots"})
    assert answer["status"] == "failed"
    assert answer["errors"] == [
        {"field": "Lead.Budget", "value": "lots", "message": "Not a valid decimal."},
        {"field": "Order.Missing", "value": None, "message": "'Missing' is not a field of Order."},
        {"field": "Order.Number", "value": None, "message": "Missing data for required field."}]


def test_create_related_of_an_entity_that_does_not_exist(client, admin):
    answer = run(client, admin, [{"action": "create_related", "entity": "Ticket"}], CONTACT)
    assert answer["errors"] == [{"field": "Ticket", "value": None,
                                 "message": "Rule 'r' creates a related 'Ticket', which does not exist."}]


def test_create_related_can_upsert_too(client, admin, source_key):
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    lead = {**CREATE_LEAD, "upsert": ["Email"], "link": None}
    del lead["link"]
    client.put(f"/api/v1/processes/{process}/definition", headers=admin,
               json=definition(rules=[{"name": "r", "actions": [lead]}]))
    one = client.post(f"/webhooks/{source_key}", json={**CONTACT, "budget": "1"}).json
    two = client.post(f"/webhooks/{source_key}", json={**CONTACT, "budget": "2"}).json
    assert one["records"][1] == two["records"][1]
    assert Record.get_by_id(two["records"][1]).data["Budget"] == "2"


def test_emit_raises_a_custom_event(client, admin):
    answer = run(client, admin, [{"action": "emit", "event": "lead.hot", "data": {
        "email": {"copy": "Email"}, "who": {"template": "{first} {last}"}, "none": {"path": "$.x"}}}],
        CONTACT)
    assert answer["events"] == [{"type": "lead.hot", "data": {"email": "ada@example.com",
                                                              "who": "Ada Lovelace", "none": None}}]
    assert rule_entry(answer)["actions"] == [{"action": "emit", "event": "lead.hot", "data": {
        "email": "ada@example.com", "who": "Ada Lovelace", "none": None}}]


def test_stop_ends_the_rules(client, admin):
    answer = run(client, admin, [{"action": "stop"}, {"action": "set", "field": "JobTitle", "value": "x"}],
                 CONTACT, more_rules=[{"id": "r2", "name": "never", "actions": [{"action": "skip"}]}])
    assert answer["status"] == "processed"
    assert rule_entry(answer) == {"rule": "r1", "name": "r", "matched": True, "stop": True,
                                  "actions": [{"action": "stop", "stop": True}]}
    assert rule_entry(answer, 1)["skipped"] == "stopped by rule 'r'"


def test_a_rule_that_does_not_match_does_nothing(client, admin):
    answer = run(client, admin, [{"action": "skip"}], CONTACT,
                 when={"==": [{"path": "$.first"}, "Bob"]})
    assert rule_entry(answer) == {"rule": "r1", "name": "r", "matched": False}
    assert answer["status"] == "processed"


@pytest.mark.parametrize("action,field,message", [
    ({"action": "set", "field": "Name"}, "rules.0.actions.0._schema",
     "Give exactly one of value, template, path or copy."),
    ({"action": "set", "field": "Name", "value": "a", "copy": "Email"}, "rules.0.actions.0._schema",
     "Give exactly one of value, template, path or copy."),
    ({"action": "set", "field": "Name", "value": {"a": 1}}, "rules.0.actions.0.value",
     "A constant value is a string, number, boolean, null or list."),
    ({"action": "set", "field": "Name", "template": "{first"}, "rules.0.actions.0.template",
     "Rule 'r': invalid template: expected '}' before end of string."),
    ({"action": "set", "field": "Name", "template": "{first!r}"}, "rules.0.actions.0.template",
     "Rule 'r': invalid template: {first} takes no format spec or conversion."),
    ({"action": "set", "field": "Name", "template": "a {} b"}, "rules.0.actions.0.template",
     "Rule 'r': invalid template: {} needs a name, e.g. {first_name} or {record.Email}."),
    ({"action": "set", "field": "Name", "path": "$.a#"}, "rules.0.actions.0.path",
     "Rule 'r': invalid JSONPath at column 4: unexpected character '#'."),
    ({"action": "set", "field": "Name", "copy": "1x"}, "rules.0.actions.0.copy",
     "Must start with a letter and hold only letters, digits and _."),
    ({"action": "route"}, "rules.0.actions.0.entity", "Missing data for required field."),
    ({"action": "reject", "reason": ""}, "rules.0.actions.0.reason", "Length must be between 1 and 500."),
    ({"action": "skip", "why": "x"}, "rules.0.actions.0.why", "Unknown field."),
    ({"action": "upsert", "keys": []}, "rules.0.actions.0.keys", "Length must be between 1 and 5."),
    ({"action": "create_related", "entity": "Lead", "set": {"Email": {"path": "$["}}},
     "rules.0.actions.0.set.Email.path",
     "Rule 'r': invalid JSONPath at column 3: unexpected end of expression."),
    ({"action": "emit", "event": "record.created"}, "rules.0.actions.0.event",
     "Event type 'record.created' is reserved for hookhub's own events."),
    ({"action": "emit", "event": "Lead Hot"}, "rules.0.actions.0.event",
     "An event type is lower-case words joined by dots, e.g. lead.hot."),
    ({"action": "emit", "event": "lead.hot", "data": {"e": {"template": "}"}}},
     "rules.0.actions.0.data.e.template",
     "Rule 'r': invalid template: Single '}' encountered in format string."),
    ({"action": "stop", "now": True}, "rules.0.actions.0.now", "Unknown field."),
    ({"field": "Name"}, "rules.0.actions.0.action", "Missing data for required field."),
])
def test_invalid_actions(client, admin, action, field, message):
    errors = invalid(client, admin, definition(rules=[{"name": "r", "actions": [action]}]))
    assert errors[0] == {"field": field, "message": message}
