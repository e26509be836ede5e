"""The default process end to end through POST /webhooks: mapping, typing, errors, trace."""

from __future__ import annotations

import pytest

from integrations.inbound.models import Webhook
from integrations.inbound.sources import create_source
from lookups.seed import stable_id
from processes.models import Record


def post(client, key, payload):
    r = client.post(f"/webhooks/{key}", json=payload)
    assert r.status_code == 200, r.json
    return r.json


def trace(webhook_id):
    return {t["step"]: t for t in Webhook.get_by_id(webhook_id).trace}


def test_every_type_is_coerced(client, source_key):
    body = post(client, source_key, {
        "EntityName": "Contact", "Name": "Ann Lee", "Age": "42", "BirthDate": "01.03.1990",
        "IsEmailConfirmed": "on", "CountryId": stable_id("country", "CA").upper(),
        "Email": "ann@example.com", "utm_campaign": "spring"})
    record = Record.get_by_id(body["records"][0])
    assert record.data == {"Id": record.id, "Name": "Ann Lee", "Age": 42,
                           "BirthDate": "1990-03-01T00:00:00Z", "IsEmailConfirmed": True,
                           "CountryId": stable_id("country", "CA"), "Email": "ann@example.com"}
    steps = trace(body["id"])
    assert list(steps) == ["dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]
    assert steps["map"]["ignored"] == ["utm_campaign"]
    assert steps["map"]["chosen_by"] == "parameter"


def test_all_field_errors_are_collected(client, source_key):
    body = post(client, source_key, {"EntityName": "Contact", "Age": "old", "BirthDate": "soon",
                                     "IsEmailConfirmed": "perhaps", "CountryId": "Atlantis"})
    assert body["status"] == "failed" and body["records"] == []
    assert body["errors"] == [
        {"field": "Age", "value": "old", "message": "Not a valid integer."},
        {"field": "BirthDate", "value": "soon", "message": "Not a valid datetime."},
        {"field": "IsEmailConfirmed", "value": "perhaps", "message": "Not a valid boolean."},
        {"field": "CountryId", "value": "Atlantis",
         "message": "No row with id 'Atlantis' in lookup 'Countries'."},
        {"field": "Name", "value": None, "message": "Missing data for required field."},
    ]
    assert Record.select().count() == 0


@pytest.mark.parametrize("payload,reason", [
    ({"Name": "x"}, "EntityName is missing."),
    ({"EntityName": "", "Name": "x"}, "EntityName is missing."),
    ({"EntityName": ["Lead"]}, "EntityName must be a string."),
    ({"EntityName": "lead"}, "EntityName 'lead' is not in the webhook entities lookup."),
    ({"EntityName": "Contact caption"}, "EntityName 'Contact caption' is not in the webhook "
                                        "entities lookup."),
])
def test_without_a_usable_entity_name_the_webhook_is_kept_without_record(client, source_key,
                                                                        payload, reason):
    body = post(client, source_key, payload)
    assert body == {"id": body["id"], "status": "no-record", "errors": [], "records": []}
    assert trace(body["id"])["result"]["reason"] == reason


def test_disabled_entity_is_not_in_the_lookup(client, source_key, admin):
    client.patch("/api/v1/entities/Lead", json={"enabled": False}, headers=admin)
    assert post(client, source_key, {"EntityName": "Lead"})["status"] == "no-record"


def test_source_default_entity_applies_without_entity_name(client):
    _, key = create_source("forms", default_entity="FormSubmit")
    body = post(client, key, {"Name": "Bo", "Message": "hi"})
    assert body["status"] == "processed"
    assert trace(body["id"])["map"]["chosen_by"] == "source default"
    assert Record.get_by_id(body["records"][0]).entity == "FormSubmit"


def test_sender_id_is_kept_and_a_repeat_updates_the_record(client, source_key):
    record_id = "0b8f5c1e-2a2b-4c3d-9e8f-001122334455"
    post(client, source_key, {"EntityName": "FormSubmit", "Id": record_id, "Name": "a"})
    body = post(client, source_key, {"EntityName": "FormSubmit", "Id": record_id, "Message": "b"})
    assert body["records"] == [record_id]
    assert Record.select().count() == 1
    assert Record.get_by_id(record_id).data == {"Id": record_id, "Name": "a", "Message": "b"}


def test_nested_json_is_flattened_and_lists_kept(client, source_key):
    body = post(client, source_key, {"EntityName": "FormSubmit", "form": {"name": "x"},
                                     "tags": ["a", "b"]})
    assert trace(body["id"])["map"]["ignored"] == ["form.name", "tags"]


def test_repeated_form_keys_become_lists(client, source_key, admin):
    r = client.post(f"/webhooks/{source_key}", data=b"EntityName=FormSubmit&tag=a&tag=b&Name=Z",
                    content_type="application/x-www-form-urlencoded")
    assert r.json["status"] == "processed"
    assert Webhook.get_by_id(r.json["id"]).payload == {"EntityName": "FormSubmit",
                                                       "tag": ["a", "b"], "Name": "Z"}


def test_a_list_for_a_scalar_field_is_an_error(client, source_key):
    body = post(client, source_key, {"EntityName": "FormSubmit", "Name": ["a", "b"]})
    assert body["errors"] == [{"field": "Name", "value": ["a", "b"],
                               "message": "Not a valid string."}]
