"""Stored secrets and logs through real `serve` processes: key changes, rotation, aborted requests."""

from __future__ import annotations

import json
import re
import socket
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook as Verifier

from tests.e2e.conftest import Hookhub, fresh_database_url, http, stop_process, wait_for

pytestmark = pytest.mark.e2e
KEY_1, KEY_2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
UNREADABLE = re.compile(
    r"The signing secret cannot be decrypted: the key it was encrypted with is no longer "
    r"configured \(ENCRYPTION_KEYS, or the key derived from SECRET_KEY\)\. Restore that key, "
    r"or set a new signing secret\. Disabled at \S+Z\.")


@pytest.fixture
def receiver():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    server.expect_request("/hook").respond_with_data("ok")
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def make_hookhub(backend, tmp_path, private_redis):
    made = []

    def make(**settings: str) -> Hookhub:
        hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "secrets"), private_redis.url,
                      {"HOOKHUB_EGRESS_ALLOW": '["127.0.0.1/32"]', **settings})
        made.append(hub)
        return hub

    yield make
    for hub in made:
        hub.stop()


def connect(hub: Hookhub, url: str) -> tuple[int, str]:
    """Create an enabled connection for webhook.received through the CLI: its id and secret."""
    out = hub.cli("push-connection", "create", "crm", url, "-e", "webhook.received", "--enable")
    conn_id = int(re.search(r"push connection (\d+): crm \(enabled\)", out).group(1))
    return conn_id, re.search(r"signing secret: (whsec_\S+)", out).group(1)


def post(url: str) -> int:
    return http("POST", url, json.dumps({"a": 1}).encode(),
                {"Content-Type": "application/json"}).status


def restart(hub: Hookhub, **settings: str) -> None:
    for proc in hub.procs:
        stop_process(proc)
    hub.procs.clear()
    hub.env.update(settings)
    hub.serve()


def test_a_changed_secret_key_keeps_intake_going_and_disables_the_connection(make_hookhub,
                                                                             receiver):
    hub = make_hookhub(HOOKHUB_SECRET_KEY="key A")
    source = hub.create_source("landing")
    conn_id, _ = connect(hub, receiver.url_for("/hook"))
    hub.serve()
    assert post(source["webhook_url"]) == 200
    wait_for(lambda: len(receiver.log) == 1, "the first delivery")

    restart(hub, HOOKHUB_SECRET_KEY="key B", HOOKHUB_ENCRYPTION_KEYS=KEY_1)
    assert [post(source["webhook_url"]) for _ in range(3)] == [200, 200, 200]
    assert len(hub.webhooks()) == 4

    def disabled():
        conn = hub.api("GET", f"/push-connections/{conn_id}").json()
        return conn if not conn["enabled"] else None

    conn = wait_for(disabled, "the connection to be disabled")
    assert UNREADABLE.fullmatch(conn["disabled_reason"]), conn["disabled_reason"]
    assert post(source["webhook_url"]) == 200 and len(hub.webhooks()) == 5
    assert len(receiver.log) == 1
    assert (f"push target connection:{conn_id} disabled: The signing secret cannot be decrypted"
            in hub.log("serve"))


def test_reencrypt_after_adding_a_key_keeps_deliveries_signed_with_the_same_secret(make_hookhub,
                                                                                   receiver):
    hub = make_hookhub(HOOKHUB_SECRET_KEY="key A", HOOKHUB_ENCRYPTION_KEYS=KEY_1)
    source = hub.create_source("landing")
    _, secret = connect(hub, receiver.url_for("/hook"))
    hub.env["HOOKHUB_ENCRYPTION_KEYS"] = f"{KEY_2},{KEY_1}"
    assert hub.cli("reencrypt-secrets") == "re-encrypted 1 stored secret(s) with the newest key\n"
    hub.env.update(HOOKHUB_ENCRYPTION_KEYS=KEY_2, HOOKHUB_SECRET_KEY="key B")
    hub.serve()
    assert post(source["webhook_url"]) == 200
    wait_for(lambda: len(receiver.log) == 1, "the delivery")
    request, response = receiver.log[0]
    assert response.status_code == 200
    event = Verifier(secret).verify(request.get_data(as_text=True), dict(request.headers))
    assert event["type"] == "webhook.received"


def test_a_stalled_request_is_logged_without_its_key(make_hookhub):
    hub = make_hookhub(HOOKHUB_BODY_READ_TIMEOUT_SECONDS="2")
    source = hub.create_source("landing")
    hub.serve()
    path = urlsplit(source["webhook_url"]).path
    # Half a body, then silence: the body reader gives up at its deadline and logs the request.
    with socket.create_connection(("127.0.0.1", hub.port)) as client:
        client.sendall(f"POST {path}?token=t0k-9 HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       "application/json\r\nContent-Length: 100\r\n\r\n{".encode())
        wait_for(lambda: "not received within 2 s" in hub.log("serve"),
                 "the body reader to give up on the request", timeout=120, interval=0.5)
        assert client.recv(65536).startswith(b"HTTP/1.1 408 ")
    log = hub.log("serve")
    assert "request body of POST /webhooks/***?token=*** from 127.0.0.1" in log
    wait_for(lambda: '"POST /webhooks/***?token=*** HTTP/1.1" 408' in hub.log("serve"),
             "the access log line")
    assert source["api_key"] not in hub.log("serve") and "t0k-9" not in hub.log("serve")
