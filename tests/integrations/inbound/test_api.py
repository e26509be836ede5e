"""REST API for sources and received webhooks, and the records API."""

from __future__ import annotations

from integrations.inbound.models import Source
from processes.models import Record


def test_source_lifecycle(client, admin):
    r = client.post("/api/v1/sources", headers=admin,
                    json={"name": "Landingi", "deferred": True, "default_entity": "Lead"})
    assert r.status_code == 201
    created = r.json
    key = created.pop("api_key")
    assert key.startswith("hh_") and len(key) == 35
    assert created.pop("webhook_url") == f"http://hookhub.test/webhooks/{key}"
    assert created == {"id": created["id"], "name": "Landingi", "key_prefix": key[:8],
                       "deferred": True, "default_entity": "Lead", "revoked": False,
                       "created_at": created["created_at"]}
    source = Source.get_by_id(created["id"])
    assert key not in (source.key_hash, source.key_prefix)
    listed = client.get("/api/v1/sources", headers=admin).json["items"]
    assert [s["name"] for s in listed] == ["Landingi"] and "api_key" not in listed[0]
    r = client.patch(f"/api/v1/sources/{created['id']}", headers=admin, json={"deferred": False})
    assert r.json["deferred"] is False
    assert client.post(f"/api/v1/sources/{created['id']}/revoke", headers=admin).json["revoked"]
    rotated = client.post(f"/api/v1/sources/{created['id']}/rotate", headers=admin).json
    assert rotated["revoked"] is False and rotated["api_key"] != key


def test_source_errors(client, admin):
    client.post("/api/v1/sources", headers=admin, json={"name": "dup"})
    r = client.post("/api/v1/sources", headers=admin, json={"name": "dup"})
    assert r.status_code == 409 and r.json["message"] == "Source 'dup' already exists."
    r = client.post("/api/v1/sources", headers=admin, json={"name": ""})
    assert r.status_code == 400 and r.json["errors"][0]["field"] == "name"
    r = client.post("/api/v1/sources", headers=admin, data=b"{", content_type="application/json")
    assert r.status_code == 400 and r.json["reason"] == "malformed_json"
    r = client.post("/api/v1/sources", headers=admin, data=b"name=x",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    r = client.post("/api/v1/sources", headers=admin, json=["x"])
    assert r.status_code == 400 and r.json["message"] == "The body must be a JSON object."
    assert client.get("/api/v1/sources/999999", headers=admin).status_code == 404


def test_webhook_list_filters(client, admin, source_key):
    ok = client.post(f"/webhooks/{source_key}", json={"EntityName": "FormSubmit", "Name": "a"}).json
    bad = client.post(f"/webhooks/{source_key}", json={"EntityName": "Contact"}).json
    none = client.post(f"/webhooks/{source_key}", json={}).json
    def ids(query):
        r = client.get(f"/api/v1/webhooks{query}", headers=admin)
        assert r.status_code == 200, r.json
        return [w["id"] for w in r.json["items"]]
    assert ids("") == [none["id"], bad["id"], ok["id"]]
    assert ids("?status=failed") == [bad["id"]]
    assert ids("?status=no-record") == [none["id"]]
    assert ids("?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00") == ids("")
    assert ids("?until=2000-01-01T00:00:00Z") == []
    assert ids(f"?before={none['id']}&limit=1") == [bad["id"]]
    page = client.get("/api/v1/webhooks?limit=2", headers=admin).json
    assert page["next_before"] == bad["id"]
    source_id = client.get("/api/v1/sources", headers=admin).json["items"][0]["id"]
    assert ids(f"?source={source_id}") == ids("")
    r = client.get("/api/v1/webhooks?status=lost&limit=0", headers=admin)
    assert r.status_code == 400
    assert sorted(e["field"] for e in r.json["errors"]) == ["limit", "status"]


def test_webhook_detail_has_trace_errors_and_records(client, admin, source_key):
    posted = client.post(f"/webhooks/{source_key}", json={"EntityName": "FormSubmit", "Name": "a"}).json
    detail = client.get(f"/api/v1/webhooks/{posted['id']}", headers=admin).json
    assert detail["status"] == "processed" and detail["records"] == posted["records"]
    assert [t["step"] for t in detail["trace"]] == ["dedupe", "parse", "map", "typecheck", "resolve", "rules",
                                                 "create"]
    assert detail["payload"] == {"EntityName": "FormSubmit", "Name": "a"}
    assert detail["attempts"] == 1 and detail["processed_at"].endswith("Z")
    r = client.get("/api/v1/webhooks/424242", headers=admin)
    assert r.status_code == 404 and r.json["message"] == "Webhook 424242 does not exist."


def test_records_for_viewers(client, viewer_token, source_key):
    viewer = {"Authorization": f"Bearer {viewer_token}"}
    posted = client.post(f"/webhooks/{source_key}", json={"EntityName": "FormSubmit", "Name": "a"}).json
    client.post(f"/webhooks/{source_key}", json={"EntityName": "Contact", "Name": "b"})
    listed = client.get("/api/v1/records?entity=FormSubmit", headers=viewer).json
    assert listed["total"] == 1
    [item] = listed["items"]
    assert item["id"] == posted["records"][0] and item["webhook_id"] == posted["id"]
    assert item["data"] == {"Id": item["id"], "Name": "a"}
    assert client.get(f"/api/v1/records/{item['id']}", headers=viewer).json == item
    assert client.get("/api/v1/records?limit=1", headers=viewer).json["total"] == 2
    assert client.get("/api/v1/records/nope", headers=viewer).status_code == 404
    assert client.get("/api/v1/records?limit=9999", headers=viewer).status_code == 400
    assert client.get("/api/v1/webhooks", headers=viewer).status_code == 403
    assert Record.select().count() == 2
