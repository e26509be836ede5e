"""REST API of hubs: names, credentials shown once, destinations per event type."""

from __future__ import annotations

import pytest

from core.security import hash_secret
from integrations.hubs.service import Hub, HubDestination


def error(response) -> tuple[int, str]:
    return response.status_code, response.json["message"]


def make(client, admin, name="hub_one"):
    r = client.post("/api/v1/hubs", json={"name": name, "description": "CRM events"},
                    headers=admin)
    assert r.status_code == 201, r.json
    return r.json


def test_create_shows_credentials_once_and_keeps_them_hashed(client, admin):
    body = make(client, admin)
    assert body["client_id"].startswith("hub_") and body["api_key"].startswith("hhk_")
    assert body["signing_secret"].startswith("whsec_")
    hub = Hub.get_by_id(body["id"])
    assert hub.key_hash == hash_secret(body["api_key"])
    assert hub.secret.startswith("gAAAA")
    shown = client.get(f"/api/v1/hubs/{body['id']}", headers=admin).json
    assert shown == {"id": body["id"], "name": "hub_one", "description": "CRM events",
                     "client_id": body["client_id"], "api_key_prefix": body["api_key"][:8] + "…",
                     "credentials_used": False,
                     "credentials_note": "Not used yet: nothing checks the client id and API key "
                                         "until field mapping uses them to call hookhub.",
                     "secret_hint": body["signing_secret"][:10] + "…",
                     "created_at": shown["created_at"], "destinations": []}
    assert client.get("/api/v1/hubs", headers=admin).json["items"] == [shown]


def test_regenerating_the_key_replaces_it(client, admin):
    body = make(client, admin)
    again = client.post(f"/api/v1/hubs/{body['id']}/credentials", headers=admin).json
    assert again["client_id"] == body["client_id"] and again["api_key"] != body["api_key"]
    assert Hub.get_by_id(body["id"]).key_hash == hash_secret(again["api_key"])


@pytest.mark.parametrize(("name", "code", "message"), [
    ("Hub-1", 400, "name: 1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("hub one", 400, "name: 1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("", 400, "name: 1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("2hub", 400, "name: 1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("_hub", 400, "name: 1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("h" * 65, 400, "name: 1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("hub_one", 409, "Hub 'hub_one' already exists."),
])
def test_bad_names(client, admin, name, code, message):
    make(client, admin)
    r = client.post("/api/v1/hubs", json={"name": name}, headers=admin)
    assert error(r) == (code, message)


def test_destinations_per_event_type(client, admin):
    hub_id = make(client, admin)["id"]
    url = f"/api/v1/hubs/{hub_id}/destinations"
    r = client.put(f"{url}/record.created", json={"url": "https://crm.example.com/created",
                                                  "username": "u", "password": "p"},
                   headers=admin)
    assert r.status_code == 200
    assert r.json == {"id": r.json["id"], "event_type": "record.created",
                      "url": "https://crm.example.com/created", "username": "u",
                      "has_password": True, "enabled": True, "disabled_reason": None}
    assert HubDestination.get_by_id(r.json["id"]).password.startswith("gAAAA")
    r = client.put(f"{url}/record.created", json={"url": "https://crm.example.com/v2"},
                   headers=admin)
    assert (r.json["url"], r.json["has_password"]) == ("https://crm.example.com/v2", False)
    assert error(client.put(f"{url}/ping", json={"url": "https://x.example/"}, headers=admin)) == (
        400, "Event type 'ping' is only sent by connectivity tests.")
    assert error(client.put(f"{url}/record.created", json={"url": "https://x.example/",
                                                           "username": "a:b"},
                            headers=admin)) == (400, "username: May not contain ':'.")
    hub = client.get(f"/api/v1/hubs/{hub_id}", headers=admin).json
    assert [d["event_type"] for d in hub["destinations"]] == ["record.created"]
    assert client.delete(f"{url}/record.created", headers=admin).status_code == 204
    assert error(client.delete(f"{url}/record.created", headers=admin)) == (
        404, "Hub 'hub_one' has no destination for 'record.created'.")


def test_rename_and_delete(client, admin):
    hub_id = make(client, admin)["id"]
    r = client.patch(f"/api/v1/hubs/{hub_id}", json={"name": "hub_two"}, headers=admin)
    assert r.json["name"] == "hub_two"
    assert client.delete(f"/api/v1/hubs/{hub_id}", headers=admin).status_code == 204
    assert error(client.get(f"/api/v1/hubs/{hub_id}", headers=admin)) == (
        404, f"Hub {hub_id} does not exist.")


@pytest.mark.parametrize("name", ["hub_2", "a", "h" * 64, "lightico_hub_10"])
def test_names_like_lighticos_own_example_are_accepted(client, admin, name):
    assert make(client, admin, name)["name"] == name


def test_the_openapi_document_says_the_credentials_are_not_used_and_how_a_hub_is_selected(client):
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    hub = schemas["Hub"]
    assert hub["properties"]["credentials_used"]["description"] == (
        "Whether hookhub checks the client id and API key: false for now.")
    assert hub["properties"]["api_key_prefix"]["description"] == (
        "Not used yet: nothing checks the client id and API key until field mapping uses them "
        "to call hookhub.")
    assert schemas["Hub"]["properties"]["name"]["description"] == (
        'What a webhook names to send its events only to this hub: "hubs": {"events": "<name>"} '
        "in its body, or the X-Hookhub-Hub header. 1-64 lower-case letters, digits and "
        "underscores, starting with a letter.")
    receive = document["paths"]["/webhooks/{api_key}"]["post"]["description"]
    assert ('only to the one it names: "hubs": {"events": "<hub>"} in the body (as Lightico sends '
            "it), else the X-Hookhub-Hub header.") in receive
