"""`python app.py serve` end to end: the seed's webhook in every format, inline and deferred."""

from __future__ import annotations

import io
import json
import os
import signal
from urllib.parse import urlencode

import psutil
import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import BACKENDS
from tests.e2e.conftest import (
    STOP_SECONDS,
    Hookhub,
    RedisServer,
    alive,
    fresh_database_url,
    http,
    wait_for,
)
from tests.integrations.inbound.test_endpoint import CANADA_SENDER_ID, FIELDS, FIXED_EXAMPLE, SEED_EXAMPLE

pytestmark = pytest.mark.e2e
LEAD = {"Contact": "New user", "Email": "new_user@gmail.com", "MobilePhone": "+1 617 221 5187",
        "CountryId": CANADA_SENDER_ID}


@pytest.fixture(scope="module", params=BACKENDS)
def hookhub(request, tmp_path_factory):
    """A served hookhub: SQLite with the embedded Redis, or PostgreSQL with a redis-server."""
    workdir = tmp_path_factory.mktemp(f"serve-{request.param}")
    redis_server = RedisServer(workdir / "redis") if request.param == "postgres" else None
    if redis_server:
        redis_server.start()
    hub = Hookhub(workdir, fresh_database_url(request.param, workdir, "serve"),
                  redis_server.url if redis_server else None)
    try:
        hub.inline = hub.create_source("landing")
        hub.deferred = hub.create_source("batch", "--deferred")
        hub.serve()
        imported = hub.api("POST", "/lookups/Countries/import", content_type="text/csv",
                           body=f"id,name\n{CANADA_SENDER_ID},Canada\n".encode())
        assert imported.json() == {"created": 1, "updated": 0, "removed": 0}
        yield hub
    finally:
        hub.stop()
        if redis_server:
            redis_server.stop()


def post(url: str, body: bytes, content_type: str):
    return http("POST", url, body, {"Content-Type": content_type})


def assert_typed_lead(hub: Hookhub, response) -> dict:
    """The response names one new Lead whose fields are typed; return the stored webhook."""
    assert response.status == 200, response.body
    body = response.json()
    assert body == {"id": body["id"], "status": "processed", "errors": [],
                    "records": body["records"]}
    [record_id] = body["records"]
    record = hub.api("GET", f"/records/{record_id}").json()
    assert (record["entity"], record["data"], record["webhook_id"]) == (
        "Lead", {"Id": record_id, **LEAD}, body["id"])
    webhook = hub.api("GET", f"/webhooks/{body['id']}").json()
    assert webhook["status"] == "processed" and webhook["records"] == [record_id]
    assert [step["step"] for step in webhook["trace"]] == [
        "dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]
    return webhook


def test_seed_example_as_json(hookhub):
    webhook = assert_typed_lead(hookhub, post(hookhub.inline["webhook_url"], FIXED_EXAMPLE,
                                              "application/json"))
    assert webhook["payload"] == FIELDS and webhook["content_type"] == "application/json"


def test_seed_example_as_urlencoded_form(hookhub):
    webhook = assert_typed_lead(hookhub, post(hookhub.inline["webhook_url"],
                                              urlencode(FIELDS).encode(),
                                              "application/x-www-form-urlencoded"))
    assert webhook["payload"] == FIELDS


def test_seed_example_as_multipart_with_a_file(hookhub):
    boundary, body = encode_multipart({**FIELDS, "cv": FileStorage(
        io.BytesIO(b"%PDF-1.4 fake"), filename="cv.pdf", content_type="application/pdf")})
    webhook = assert_typed_lead(hookhub, post(hookhub.inline["webhook_url"], body,
                                              f"multipart/form-data; boundary={boundary}"))
    assert webhook["attachments"] == [{"field": "cv", "filename": "cv.pdf",
                                       "content_type": "application/pdf", "size": 13}]


def test_unfixed_seed_example_is_400_naming_the_position(hookhub):
    before = len(hookhub.webhooks())
    r = post(hookhub.inline["webhook_url"], SEED_EXAMPLE, "application/json")
    assert (r.status, r.headers["Content-Type"]) == (400, "application/json")
    assert r.json()["message"] == "Malformed JSON at line 6 column 5 (char 159): Expecting ',' delimiter."
    assert len(hookhub.webhooks()) == before


def assert_a_worker_processes_a_deferred_webhook(hookhub):
    r = post(hookhub.deferred["webhook_url"], json.dumps(FIELDS).encode(), "application/json")
    assert r.status == 202
    webhook_id = r.json()["id"]
    assert r.json() == {"id": webhook_id, "status": "received"}

    def processed():
        webhook = hookhub.api("GET", f"/webhooks/{webhook_id}").json()
        return webhook if webhook["status"] == "processed" else None

    webhook = wait_for(processed, f"the worker to process webhook {webhook_id}")
    [record_id] = webhook["records"]
    record = hookhub.api("GET", f"/records/{record_id}").json()
    assert (record["data"], record["webhook_id"]) == ({"Id": record_id, **LEAD}, webhook_id)


def test_deferred_source_answers_202_and_a_worker_processes_it(hookhub):
    assert_a_worker_processes_a_deferred_webhook(hookhub)


def test_health_and_no_key_in_the_logs(hookhub):
    r = http("GET", f"{hookhub.base}/healthz")
    assert (r.status, r.json()) == (200, {"status": "ok", "database": "ok", "redis": "ok"})
    post(hookhub.inline["webhook_url"], json.dumps(FIELDS).encode(), "application/json")
    log = hookhub.log("serve")
    assert '"POST /webhooks/*** HTTP/1.1" 200' in log
    assert hookhub.inline["api_key"] not in log and hookhub.deferred["api_key"] not in log


def test_serve_supervises_gunicorn_and_its_workers(hookhub):
    """gunicorn serves the app factory in a process of its own; the worker is no child of it."""
    children = hookhub.children()
    [web] = [pid for pid, argv in children.items() if "gunicorn" in argv]
    assert children[web][-1] == "app:create_app()"
    assert hookhub.rq_worker_pids() and not set(hookhub.rq_worker_pids()) & set(
        hookhub.children(web))


def test_a_killed_worker_is_started_again_and_goes_on_working(hookhub):
    [killed] = hookhub.rq_worker_pids()
    os.kill(killed, signal.SIGKILL)
    [started] = wait_for(lambda: [p for p in hookhub.rq_worker_pids() if p != killed],
                         "serve to start another rq worker")
    assert f"rq worker pid {killed} exited (signal 9); starting another in 1 s" in hookhub.log("serve")
    assert_a_worker_processes_a_deferred_webhook(hookhub)
    assert hookhub.rq_worker_pids() == [started]


def test_sigterm_stops_every_process_of_serve(hookhub):
    """Runs last in this module: it stops the served hookhub."""
    processes = [hookhub.served.pid, *(p.pid for p in psutil.Process(hookhub.served.pid).children(
        recursive=True))]
    hookhub.served.send_signal(signal.SIGTERM)
    assert hookhub.served.wait(STOP_SECONDS) == 0
    assert not [pid for pid in processes if alive(pid)]
    assert "INFO core.supervisor stopping on SIGTERM" in hookhub.log("serve")
