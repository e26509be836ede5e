"""REST API of push connections: create, validate, enable, rotate, log, retry, test."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import current_app
from standardwebhooks.webhooks import Webhook as Verifier

from core.db import utcnow
from core.secretbox import unseal
from integrations.push.connections import PushConnection
from integrations.push.delivery import Delivery, DeliveryAttempt
from integrations.push.events import Event, emit
from tests.core.test_outbox import dead_redis
from tests.e2e.conftest import wait_for as wait_until
from tests.integrations.push_fixtures import run_worker

BASE = {"name": "crm", "url": "https://hooks.example.com/in", "event_types": ["record.created"]}


def create(client, admin, **body):
    return client.post("/api/v1/push-connections", json={**BASE, **body}, headers=admin)


def emit_flushed(*kinds: str) -> None:
    for kind in kinds:
        emit(kind, {"record": {"id": "r", "entity": "Lead", "data": {}}})


def error(response) -> tuple[int, str, list]:
    body = response.json
    return response.status_code, body["message"], body["errors"]


def test_create_shows_the_secret_once_and_starts_disabled(client, admin):
    r = create(client, admin, headers=[{"name": "X-Event", "value": "{event.type}"}],
               auth={"type": "basic", "username": "u", "password": "p"})
    assert r.status_code == 201
    body = r.json
    assert body["secret"].startswith("whsec_") and body["enabled"] is False
    assert body["secret_hint"] == body["secret"][:10] + "…"
    assert body["auth"] == {"type": "basic", "username": "u"}
    assert body["version"] == "1" and body["attach_files"] is False
    stored = PushConnection.get_by_id(body["id"])
    assert stored.secret.startswith("gAAAA") and unseal(stored.secret) == body["secret"]
    assert stored.auth_secret.startswith("gAAAA") and unseal(stored.auth_secret) == "p"
    shown = client.get(f"/api/v1/push-connections/{body['id']}", headers=admin).json
    assert "secret" not in shown and shown["headers"] == [{"name": "X-Event",
                                                           "value": "{event.type}"}]
    assert client.get("/api/v1/push-connections", headers=admin).json["items"] == [shown]


@pytest.mark.parametrize(("body", "message", "errors"), [
    ({"headers": [{"name": "X-A", "value": "{record.Email}{oops}"}]},
     "headers.0.value: Unknown variable {oops}; use one of {event.id}, {event.type}, "
     "{event.timestamp}, {webhook.id}, {source.id}, {source.name}, {hub.name}, "
     "{connection.name}, {connection.version}, {user.name} or {record.<Field>}.", None),
    ({"headers": [{"name": "X-A", "value": "a\r\nInjected: 1"}]},
     "headers.0.value: Header values may not contain CR, LF or NUL.", None),
    ({"headers": [{"name": "Authorization", "value": "Bearer x"}]},
     "headers.0.name: Header 'Authorization' is set by hookhub and cannot be overridden.", None),
    ({"event_types": []}, "event_types: Length must be between 1 and 50.", None),
    ({"event_types": ["ping"]},
     "event_types.0: Event type 'ping' is only sent by connectivity tests.", None),
    ({"event_types": ["record.created", "record.created"]},
     "event_types: Values must not repeat.", None),
    ({"condition": "$.data["}, "condition: Condition is not valid JSONPath: Parse error near the "
                               "end of string!.", None),
    ({"auth": {"type": "bearer"}}, "auth.token: Required for bearer auth.", None),
    ({"auth": {"type": "none", "password": "x"}}, "auth.password: Not used by none auth.", None),
    ({"url": "ftp://x.example/"}, "url: URL 'ftp://x.example/' must start with http:// or https://.",
     None),
    ({"url": "https://u:p@x.example/"},
     "url: URL 'https://u:p@x.example/' carries credentials; use the auth setting instead.", None),
    ({"entities": ["Nope"]}, "entities.0: Entity 'Nope' does not exist.", None),
    ({"sources": [999]}, "sources.0: Source 999 does not exist.", None),
    ({"enabled": True}, "enabled: Unknown field.", None),
])
def test_bad_input_is_a_400_naming_the_problem(client, admin, body, message, errors):
    r = create(client, admin, **body)
    code, got, _ = error(r)
    assert (code, got) == (400, message)
    assert r.json["reason"] == "validation_failed"
    assert PushConnection.select().count() == 0


def test_every_header_problem_is_listed(client, admin):
    r = create(client, admin, headers=[{"name": "Host", "value": "x"},
                                       {"name": "X-Ok", "value": "{nope}"}])
    assert r.status_code == 400
    assert [e["field"] for e in r.json["errors"]] == ["headers.0.name", "headers.1.value"]


def test_duplicate_name_is_a_409(client, admin):
    assert create(client, admin).status_code == 201
    r = create(client, admin)
    assert error(r) == (409, "Push connection 'crm' already exists.", [])


def test_enable_disable_patch_delete(client, admin):
    conn_id = create(client, admin).json["id"]
    url = f"/api/v1/push-connections/{conn_id}"
    assert client.post(f"{url}/enable", headers=admin).json["enabled"] is True
    off = client.post(f"{url}/disable", headers=admin).json
    assert (off["enabled"], off["disabled_reason"]) == (False, "Disabled by an admin.")
    patched = client.patch(url, json={"event_types": ["webhook.failed"], "version": "2"},
                           headers=admin).json
    assert (patched["event_types"], patched["version"], patched["url"]) == (
        ["webhook.failed"], "2", BASE["url"])
    assert error(client.patch(url, json={"version": "a b"}, headers=admin))[:2] == (
        400, "version: 1-20 letters, digits, '.', '_' or '-'.")
    assert client.delete(url, headers=admin).status_code == 204
    assert error(client.get(url, headers=admin)) == (404, f"Push connection {conn_id} does not "
                                                          "exist.", [])


def test_viewer_and_anonymous_are_refused(client, viewer_token):
    assert client.get("/api/v1/push-connections").status_code == 401
    r = client.get("/api/v1/push-connections",
                   headers={"Authorization": f"Bearer {viewer_token}"})
    assert error(r) == (403, "Role 'viewer' may not use this endpoint.", [])


def test_rotating_signs_with_both_secrets_during_the_overlap(push_app, client, admin, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    first = create(client, admin, url=server.url_for("/hook")).json
    url = f"/api/v1/push-connections/{first['id']}"
    client.post(f"{url}/enable", headers=admin)
    rotated = client.post(f"{url}/rotate-secret", json={"overlap_seconds": 3600}, headers=admin).json
    assert rotated["secret"] != first["secret"] and rotated["previous_secret_expires_at"]
    emit_flushed("record.created")
    run_worker()
    [(request, _)] = server.log
    body = request.get_data(as_text=True)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (first["secret"], rotated["secret"]):
        assert Verifier(secret).verify(body, dict(request.headers))["type"] == "record.created"
    now = client.post(f"{url}/rotate-secret", json={"overlap_seconds": 0}, headers=admin).json
    assert now["previous_secret_expires_at"] is None
    assert error(client.post(f"{url}/rotate-secret", json={"overlap_seconds": -1},
                             headers=admin))[:2] == (
        400, "overlap_seconds: Must be greater than or equal to 0 and less than or equal to 604800.")


def test_delivery_log_with_filters(push_app, client, admin, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("nope" * 2000, status=500,
                                                     headers={"Set-Cookie": "sid=s3cr3t"})
    conn = create(client, admin, url=server.url_for("/hook"),
                  event_types=["record.created", "webhook.received"],
                  auth={"type": "bearer", "token": "very-secret"},
                  headers=[{"name": "X-Api-Key", "value": "k-{event.id}"}]).json
    client.post(f"/api/v1/push-connections/{conn['id']}/enable", headers=admin)
    emit_flushed("record.created", "webhook.received")
    run_worker()
    url = f"/api/v1/push-connections/{conn['id']}/deliveries"
    items = client.get(url, headers=admin).json["items"]
    assert sorted((i["event_type"], i["status"], i["response"]["code"], i["attempt"])
                  for i in items) == [("record.created", "failed", 500, 1),
                                      ("webhook.received", "failed", 500, 1)]
    assert items[0]["id"] > items[1]["id"]
    assert {i["delivery_id"] for i in items} == {d.id for d in Delivery.select()}
    first = next(i for i in items if i["event_type"] == "record.created")
    assert first["request"]["headers"]["Authorization"] == "Bearer ***"
    assert first["request"]["headers"]["X-Api-Key"] == "***"
    assert first["response"]["headers"]["Set-Cookie"] == "***"
    assert first["response"]["body"] == ("nope" * 2000)[:4096]
    assert first["error"] == "HTTP 500 Internal Server Error"
    assert first["delivery_status"] == "pending" and first["url"] == server.url_for("/hook")
    only = client.get(f"{url}?event_type=record.created&status=failed", headers=admin).json
    assert [i["event_type"] for i in only["items"]] == ["record.created"]
    assert client.get(f"{url}?status=succeeded", headers=admin).json["items"] == []
    future = (utcnow() + dt.timedelta(hours=1)).isoformat()
    assert client.get(f"{url}?since={future}", headers=admin).json["items"] == []
    assert len(client.get(f"{url}?until={future}", headers=admin).json["items"]) == 2
    page = client.get(f"{url}?limit=1", headers=admin).json
    assert page["next_before"] == items[0]["id"]
    assert error(client.get(f"{url}?status=meh", headers=admin))[:2] == (
        400, "status: Must be one of: succeeded, failed.")
    assert client.get("/api/v1/push-connections/999/deliveries", headers=admin).status_code == 404


def test_retry_endpoints(push_app, client, admin, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("bad", status=400)
    conn = create(client, admin, url=server.url_for("/hook")).json
    base = f"/api/v1/push-connections/{conn['id']}"
    r = client.post(f"{base}/deliveries/retry", headers=admin)
    assert error(r) == (409, "Push connection 'crm' is disabled; enable it first.", [])
    client.post(f"{base}/enable", headers=admin)
    emit_flushed("record.created", "record.created")
    run_worker()
    assert {d.status for d in Delivery.select()} == {"failed"}
    server.clear()
    server.expect_request("/hook").respond_with_data("ok")
    first, second = [d.id for d in Delivery.select().order_by(Delivery.id)]
    r = client.post(f"/api/v1/deliveries/{first}/retry", headers=admin)
    assert (r.status_code, r.json) == (202, {"id": first, "status": "pending", "attempts": 1})
    run_worker()
    assert Delivery.get_by_id(first).status == "succeeded"
    assert error(client.post(f"/api/v1/deliveries/{first}/retry", headers=admin)) == (
        409, f"Delivery {first} has already succeeded.", [])
    r = client.post(f"{base}/deliveries/retry", headers=admin)
    assert (r.status_code, r.json) == (202, {"connection_id": conn["id"], "queued": 1})
    run_worker()
    assert Delivery.get_by_id(second).status == "succeeded"
    assert DeliveryAttempt.select().count() == 4
    assert client.post("/api/v1/deliveries/999/retry", headers=admin).status_code == 404


def test_a_test_answers_at_once_and_reports_its_outcome_when_a_worker_has_it(push_app, client,
                                                                            admin, receiver):
    server = receiver()
    server.expect_request("/ping").respond_with_data("pong")
    conn = create(client, admin, url=server.url_for("/ping")).json
    started = client.post(f"/api/v1/push-connections/{conn['id']}/test", headers=admin)
    assert started.status_code == 202
    test_id = started.json["id"]
    assert started.headers["Location"] == f"/api/v1/push-tests/{test_id}"
    assert started.json == {"id": test_id, "status": "pending",
                            "target": {"kind": "connection", "id": conn["id"]},
                            "created_at": started.json["created_at"], "code": None,
                            "latency_ms": None, "error": None, "reason": None}
    assert client.get(started.headers["Location"], headers=admin).json == started.json
    assert server.log == []
    run_worker()
    done = client.get(started.headers["Location"], headers=admin).json
    [d] = Delivery.select()
    assert done == {**started.json, "status": "done", "code": 200, "error": None,
                    "latency_ms": done["latency_ms"], "delivery_id": d.id}
    assert done["latency_ms"] >= 0
    request = server.log[-1][0]
    body = Verifier(conn["secret"]).verify(request.get_data(as_text=True), dict(request.headers))
    assert (body["type"], body["data"]) == ("ping", {"message": "Connectivity test from hookhub."})


def test_a_test_of_a_url_returns_its_throwaway_secret(push_app, client, admin, receiver):
    server = receiver()
    server.expect_request("/ping").respond_with_data("nope", status=500)
    url = server.url_for("/ping")
    started = client.post("/api/v1/push-connections/test", json={"url": url}, headers=admin)
    assert (started.status_code, started.json["target"]) == (202, {"kind": "url", "url": url})
    run_worker()
    done = client.get(started.headers["Location"], headers=admin).json
    assert (done["status"], done["code"], done["error"]) == (
        "done", 500, "HTTP 500 Internal Server Error")
    request = server.log[-1][0]
    Verifier(done["secret"]).verify(request.get_data(as_text=True), dict(request.headers))
    assert request.headers["webhook-id"] == done["webhook_id"]
    assert Event.select().count() == 0


def test_a_test_no_worker_takes_says_so(push_app, client, admin):
    conn = create(client, admin).json
    push_app.config["PUSH_TEST_WAIT_SECONDS"] = 1
    try:
        started = client.post(f"/api/v1/push-connections/{conn['id']}/test", headers=admin)
    finally:
        push_app.config["PUSH_TEST_WAIT_SECONDS"] = 30
    assert started.status_code == 202
    url = started.headers["Location"]
    # Redis drops the queued job once the wait is over.
    failed = wait_until(lambda: (t := client.get(url, headers=admin).json)["status"] != "pending"
                        and t, "the test to expire")
    assert failed == {**started.json, "status": "failed", "reason": "no_worker",
                      "error": "No worker answered within 1 s; is `python app.py worker` "
                               "running?"}
    assert Event.select().count() == 0


def test_unknown_tests_are_a_404(client, admin):
    for test_id in ("ptest_" + "0" * 32, "nope", "x" * 300):
        r = client.get(f"/api/v1/push-tests/{test_id}", headers=admin)
        assert error(r) == (404, f"Connectivity test '{test_id[:50]}' does not exist or has "
                                 "expired.", [])


def test_a_test_without_redis_is_a_503(client, admin, monkeypatch):
    conn = create(client, admin).json
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", dead_redis())
    r = client.post(f"/api/v1/push-connections/{conn['id']}/test", headers=admin)
    assert error(r) == (503, "Redis is unavailable; the test was not sent.", [])
    assert r.json["reason"] == "queue_unavailable"


def test_test_of_a_bad_url_is_a_400(client, admin):
    r = client.post("/api/v1/push-connections/test", json={"url": "gopher://x/"}, headers=admin)
    assert error(r)[:2] == (400, "url: URL 'gopher://x/' must start with http:// or https://.")


def test_secret_header_values_are_masked_and_kept_when_sent_back_masked(client, admin):
    created = create(client, admin, headers=[{"name": "X-Api-Key", "value": "k-123"},
                                             {"name": "X-Tenant", "value": "acme"}]).json
    masked = [{"name": "X-Api-Key", "value": "***"}, {"name": "X-Tenant", "value": "acme"}]
    url = f"/api/v1/push-connections/{created['id']}"
    assert created["headers"] == client.get(url, headers=admin).json["headers"] == masked
    assert client.get("/api/v1/push-connections", headers=admin).json["items"][0]["headers"] == masked
    assert client.patch(url, json={"headers": masked}, headers=admin).json["headers"] == masked
    assert PushConnection.get_by_id(created["id"]).headers == [
        {"name": "X-Api-Key", "value": "k-123"}, {"name": "X-Tenant", "value": "acme"}]
    client.patch(url, json={"headers": [{"name": "X-Api-Key", "value": "k-456"}]}, headers=admin)
    assert PushConnection.get_by_id(created["id"]).headers == [{"name": "X-Api-Key", "value": "k-456"}]
