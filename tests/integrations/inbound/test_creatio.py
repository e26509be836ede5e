"""Creatio's discovery endpoints answer in Creatio's exact shapes."""

from __future__ import annotations

import json


def test_get_entities_lists_the_webhook_entities_lookup(client, source_key):
    r = client.post(f"/get_entities/{source_key}", json={"apiKey": "string"})
    assert r.status_code == 200
    assert r.json == {"entities": [
        {"name": "Contact", "caption": "Contact", "formId": "6e05fd0c-7212-45bf-8b6e-f263423e97b1"},
        {"name": "Lead", "caption": "Lead", "formId": "2b755431-dd89-4f4c-b97b-9a15ebe9cea9"},
        {"name": "Order", "caption": "Order", "formId": "4b1f24dd-95ee-4049-b611-dfd701f0cab1"},
        {"name": "FormSubmit", "caption": "Form Submit",
         "formId": "9f3c8a4e-2d1b-4c6a-8e5f-7a0b1c2d3e4f"},
    ]}


def test_disabled_entity_leaves_get_entities(client, source_key, admin):
    client.patch("/api/v1/entities/Order", json={"enabled": False}, headers=admin)
    names = [e["name"] for e in client.post(f"/get_entities/{source_key}", json={}).json["entities"]]
    assert names == ["Contact", "Lead", "FormSubmit"]


def test_get_entity_description_has_creatios_shape_and_key_order(client, source_key):
    r = client.post(f"/get_entity_description/{source_key}/Contact",
                    json={"apiKey": "string", "entityName": "Contact"})
    assert r.status_code == 200
    body = json.loads(r.data)
    assert list(body) == ["value", "statusCode"]
    assert list(body["value"]) == ["entityModel", "isSuccess", "status", "code"]
    fields = body["value"]["entityModel"]["fields"]
    assert fields[:2] == [
        {"required": True, "name": "Id", "net_type": "System.Guid", "caption": "Id"},
        {"required": True, "name": "Name", "net_type": "System.String", "caption": "Full name"}]
    assert {"required": False, "name": "BirthDate", "net_type": "System.DateTime",
            "caption": "Birth date"} in fields
    assert {"required": False, "name": "Age", "net_type": "System.Int32", "caption": "Age"} in fields
    assert {"required": False, "name": "IsEmailConfirmed", "net_type": "System.Boolean",
            "caption": "IsEmailConfirmed"} in fields
    assert all(list(f) == ["required", "name", "net_type", "caption"] for f in fields)
    assert body["value"]["entityModel"]["name"] == "Contact"
    assert (body["value"]["isSuccess"], body["value"]["status"], body["value"]["code"],
            body["statusCode"]) == (True, "ok", 0, 200)


def test_unknown_entity_is_404_with_is_success_false(client, source_key):
    r = client.post(f"/get_entity_description/{source_key}/Invoice", json={})
    assert r.status_code == 404
    assert r.json == {"value": {"isSuccess": False, "status": "error", "code": 404,
                                "message": "Entity 'Invoice' is not in the webhook entities lookup."},
                      "statusCode": 404}


def test_discovery_needs_a_valid_key(client):
    assert client.post("/get_entities/bad", json={}).status_code == 401
    assert client.post("/get_entity_description/bad/Contact", json={}).status_code == 401
