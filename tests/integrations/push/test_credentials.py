"""Secrets no configured key decrypts: intake goes on, the target is disabled and says why."""

from __future__ import annotations

import html
import re

import pytest
from cryptography.fernet import Fernet
from standardwebhooks.webhooks import Webhook as Verifier

from core.auth import Role
from integrations.hubs import service as hubs
from integrations.inbound.models import Webhook
from integrations.push import jobs as push_jobs
from integrations.push.delivery import Delivery, DeliveryAttempt
from integrations.push.events import Event
from tests.integrations.push_fixtures import enabled_connection, run_worker
from tests.ui_session import UiSession

NEW_KEY = Fernet.generate_key().decode()
UNREADABLE = ("The signing secret cannot be decrypted: the key it was encrypted with is no longer "
              "configured (ENCRYPTION_KEYS, or the key derived from SECRET_KEY). Restore that key, "
              "or set a new signing secret.")
DISABLED = re.compile(re.escape(UNREADABLE) + r" Disabled at \d{4}-\d\d-\d\dT[\d:.]+Z\.")


@pytest.fixture
def change_keys(app):
    """Restart with other keys, as an install whose SECRET_KEY changed would."""
    saved = {k: app.config.get(k) for k in ("ENCRYPTION_KEYS", "SECRET_KEY")}

    def change(*keys: str, secret_key: str = "a different secret key") -> None:
        app.config.update(ENCRYPTION_KEYS=list(keys), SECRET_KEY=secret_key)
        app.extensions.pop("hookhub.secretbox", None)

    yield change
    app.config.update(saved)
    app.extensions.pop("hookhub.secretbox", None)


def test_webhooks_are_stored_when_no_key_decrypts_a_connection(push_app, client, source_key, admin,
                                                               receiver, change_keys):
    server = receiver()
    conn, _ = enabled_connection(server.url_for("/hook"),
                                 event_types=["webhook.received", "webhook.processed"],
                                 auth={"type": "bearer", "token": "tok-1"})
    change_keys(NEW_KEY)
    r = client.post(f"/webhooks/{source_key}", json={"EntityName": "Nope"})
    assert (r.status_code, r.json["status"]) == (200, "no-record")
    assert (Webhook.select().count(), Event.select().count()) == (1, 2)
    run_worker()
    assert server.log == []
    shown = client.get(f"/api/v1/push-connections/{conn.id}", headers=admin).json
    assert shown["enabled"] is False and DISABLED.fullmatch(shown["disabled_reason"])
    assert {(d.status, d.last_error) for d in Delivery.select()} == {("failed", UNREADABLE)}
    attempts = list(DeliveryAttempt.select())
    assert [(a.response_code, a.error) for a in attempts] == [(0, UNREADABLE)] * 2
    assert "webhook-signature" not in attempts[0].request_headers
    page = UiSession(push_app, Role.ADMIN).get(f"/push/{conn.id}").text  # a session of the new key
    assert shown["disabled_reason"] in html.unescape(page)


def test_pending_deliveries_end_failed_instead_of_retrying(push_app, client, source_key, receiver,
                                                           change_keys):
    server = receiver()
    server.expect_request("/hook").respond_with_data("busy", status=503)
    conn, _ = enabled_connection(server.url_for("/hook"), event_types=["webhook.received"])
    client.post(f"/webhooks/{source_key}", json={})
    push_jobs.fan_out()
    assert [(d.status, d.attempts) for d in Delivery.select()] == [("pending", 1)]
    change_keys(NEW_KEY)
    run_worker()
    [d] = Delivery.select()
    assert (d.status, d.attempts, d.next_attempt_at, d.last_error) == ("failed", 2, None, UNREADABLE)
    assert len(server.log) == 1


def test_it_cannot_be_enabled_again_until_it_has_a_new_secret(push_app, client, admin, receiver,
                                                               change_keys):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    conn, _ = enabled_connection(server.url_for("/hook"))
    url = f"/api/v1/push-connections/{conn.id}"
    client.post(f"{url}/disable", headers=admin)
    change_keys(NEW_KEY)
    r = client.post(f"{url}/enable", headers=admin)
    assert (r.status_code, r.json["reason"], r.json["message"]) == (
        409, "secret_unavailable", UNREADABLE)
    rotated = client.post(f"{url}/rotate-secret", json={"overlap_seconds": 3600}, headers=admin).json
    assert rotated["previous_secret_expires_at"] is None  # the unreadable one cannot sign
    assert client.post(f"{url}/enable", headers=admin).json["enabled"] is True
    ping = push_jobs.ping_connection(conn.id)
    assert (ping["code"], ping["error"]) == (200, None)
    request, _ = server.log[-1]
    assert Verifier(rotated["secret"]).verify(request.get_data(as_text=True),
                                              dict(request.headers))["type"] == "ping"


def test_a_test_ping_says_why_nothing_was_sent(push_app, receiver, change_keys):
    server = receiver()
    conn, _ = enabled_connection(server.url_for("/hook"))
    change_keys(NEW_KEY)
    ping = push_jobs.ping_connection(conn.id)
    assert (ping["code"], ping["error"]) == (0, UNREADABLE) and server.log == []


def test_a_hub_destination_is_disabled_when_its_hub_secret_is_unreadable(
        push_app, client, admin, source_key, receiver, change_keys):
    server = receiver()
    hub, _ = hubs.create_hub("hub_2")
    hubs.set_destination(hub, "webhook.received", server.url_for("/hub"), "ann", "pw")
    change_keys(NEW_KEY)
    assert client.post(f"/webhooks/{source_key}", json={}).status_code == 200
    run_worker()
    [dest] = client.get(f"/api/v1/hubs/{hub.id}", headers=admin).json["destinations"]
    assert dest["enabled"] is False and DISABLED.fullmatch(dest["disabled_reason"])
    assert server.log == []
    again = client.put(f"/api/v1/hubs/{hub.id}/destinations/webhook.received", headers=admin,
                       json={"url": server.url_for("/hub")})
    assert (again.status_code, again.json["reason"], again.json["message"]) == (
        409, "secret_unavailable", UNREADABLE)
