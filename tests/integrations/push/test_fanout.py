"""Fan-out: webhooks become events, events become signed deliveries at live receivers."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from core import outbox
from core.config import DEFAULTS
from core.db import db, is_sqlite
from core.outbox import OutboxJob
from integrations.hubs import service as hubs
from integrations.inbound.sources import create_source
from integrations.push import connections, delivery, subscribers
from integrations.push import fanout as push
from integrations.push.connections import PushConnection
from integrations.push.delivery import Delivery, DeliveryAttempt
from integrations.push.envelope import FILE_PLACEHOLDER
from integrations.push.events import Event, emit
from processes.models import Record
from tests.integrations.push_fixtures import enabled_connection, run_worker


def post_lead(client, key, headers=None, **extra):
    body = {"EntityName": "Lead", "Email": "ann@example.com", "Contact": "Ann", **extra}
    r = client.post(f"/webhooks/{key}", json=body, headers=headers or {})
    assert r.status_code == 200, r.json
    return r.json


def split(raw: bytes) -> tuple[list[str], str]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.decode().split("\r\n"), body.decode()


def test_envelope_and_headers_byte_for_byte(push_app, client, source_key, raw_receiver):
    conn, secret = enabled_connection(
        f"http://127.0.0.1:{raw_receiver.port}/hook?x=1", version="2024-06",
        headers=[{"name": "X-Event", "value": "{event.type} for {record.Email}"},
                 {"name": "X-Source", "value": "{source.name}#{webhook.id}"}],
        auth={"type": "bearer", "token": "tok-123"})
    out = post_lead(client, source_key)
    run_worker()

    [raw] = raw_receiver.requests
    lines, body = split(raw)
    event = Event.get(Event.type == "record.created")
    [record_id] = out["records"]
    record = Record.get_by_id(record_id)
    webhook_meta = {"id": out["id"], "status": "processed", "entity": "Lead",
                    "received_at": event.webhook.received_at.isoformat(timespec="milliseconds") + "Z",
                    "content_type": "application/json"}
    expected_body = json.dumps({
        "id": event.id, "type": "record.created",
        "timestamp": event.created_at.isoformat(timespec="milliseconds") + "Z",
        "version": "2024-06",
        "data": {"record": {"id": record_id, "entity": "Lead", "data": record.data},
                 "webhook": webhook_meta, "source": {"id": record.source_id, "name": "landing"}},
    }, separators=(",", ":"))
    timestamp = lines[10].removeprefix("webhook-timestamp: ")
    signature = Verifier(secret).sign(event.id, dt.datetime.fromtimestamp(int(timestamp), dt.UTC),
                                      expected_body)
    assert lines == [
        "POST /hook?x=1 HTTP/1.1",
        "Accept-Encoding: identity",
        f"Content-Length: {len(expected_body.encode())}",
        f"Host: 127.0.0.1:{raw_receiver.port}",
        "User-Agent: hookhub/0.1",
        "Content-Type: application/json",
        "Authorization: Bearer tok-123",
        "X-Event: record.created for ann@example.com",
        f"X-Source: landing#{out['id']}",
        f"webhook-id: {event.id}",
        f"webhook-timestamp: {timestamp}",
        f"webhook-signature: {signature}",
    ]
    assert body == expected_body
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert Verifier(secret).verify(body, headers)["id"] == event.id


def test_every_matching_connection_gets_the_event_and_filters_hold(push_app, client, source_key,
                                                                  receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    url = server.url_for("/hook")
    other = create_source("other")[0]
    names = {
        "leads": {"entities": ["Lead"]},
        "contacts": {"entities": ["Contact"]},
        "from-other": {"sources": [other.id]},
        "has-contact": {"condition": "$.data.record.data.Contact"},
        "has-age": {"condition": "$.data.record.data.Age"},
        "all": {},
    }
    for name, filters in names.items():
        enabled_connection(f"{url}?c={name}", name=name, **filters)
    connections.create_connection({"name": "never-enabled", "url": f"{url}?c=never-enabled",
                                   "event_types": ["record.created"]})
    post_lead(client, source_key)
    run_worker()
    got = sorted(req.args["c"] for req, _ in server.log)
    assert got == ["all", "has-contact", "leads"]
    ids = {req.headers["webhook-id"] for req, _ in server.log}
    assert ids == {Event.get(Event.type == "record.created").id}


def test_enable_and_disable(push_app, client, source_key, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    conn, _ = connections.create_connection({"name": "crm", "url": server.url_for("/hook"),
                                             "event_types": ["webhook.received"]})
    assert conn.enabled is False
    post_lead(client, source_key)
    run_worker()
    assert len(server.log) == 0 and Event.select().count() == 0
    connections.set_enabled(conn, True)
    post_lead(client, source_key, Email="bob@example.com")
    run_worker()
    assert len(server.log) == 1
    assert server.log[0][0].json["data"]["payload"]["Email"] == "bob@example.com"
    connections.set_enabled(conn, False, "paused")
    post_lead(client, source_key, Email="cy@example.com")
    run_worker()
    assert len(server.log) == 1


def test_no_subscriber_means_no_event_and_no_job(push_app, client, source_key):
    post_lead(client, source_key)
    assert Event.select().count() == 0
    assert OutboxJob.select().where(OutboxJob.func == push.FAN_OUT_JOB).count() == 0


def hub_with(name: str, url: str, **auth):
    hub, _ = hubs.create_hub(name, f"{name} hub")
    hubs.set_destination(hub, "record.created", f"{url}?hub={name}", **auth)
    return hub


def test_events_go_to_every_hub(push_app, client, source_key, receiver):
    server = receiver()
    server.expect_request("/events").respond_with_data("ok")
    hub_with("hub_one", server.url_for("/events"), username="lightico", password="s3cret")
    hub_with("hub_two", server.url_for("/events"))
    post_lead(client, source_key)
    run_worker()
    by_hub = {req.args["hub"]: req for req, _ in server.log}
    assert sorted(by_hub) == ["hub_one", "hub_two"]
    assert by_hub["hub_one"].headers["Authorization"] == "Basic bGlnaHRpY286czNjcmV0"
    assert "Authorization" not in by_hub["hub_two"].headers
    assert by_hub["hub_one"].json["type"] == "record.created"


def test_a_webhook_naming_a_hub_sends_its_events_to_that_hub_only(push_app, client, source_key,
                                                                  receiver):
    server = receiver()
    server.expect_request("/events").respond_with_data("ok")
    hub_with("hub_one", server.url_for("/events"))
    hub_with("hub_two", server.url_for("/events"))
    enabled_connection(server.url_for("/events") + "?hub=connection")
    post_lead(client, source_key, hubs={"events": "hub_two"})
    post_lead(client, source_key, headers={"X-Hookhub-Hub": "hub_one"}, Email="bob@example.com")
    run_worker()
    got = sorted((req.args["hub"], req.json["data"]["record"]["data"]["Email"])
                 for req, _ in server.log)
    assert got == [("connection", "ann@example.com"), ("connection", "bob@example.com"),
                   ("hub_one", "bob@example.com"), ("hub_two", "ann@example.com")]
    assert Event.get(Event.hub == "hub_two").type == "record.created"


def test_a_slow_receiver_does_not_hold_up_healthy_ones(push_app, client, source_key, receiver):
    """The healthy receiver gets every event while the slow one still holds its first request."""
    events = 12
    release = threading.Event()
    healthy_done = threading.Event()
    slow, healthy = receiver(), receiver()

    def stall(request):
        released_by_healthy = release.wait(timeout=10)
        stall.released.append(released_by_healthy)
        from werkzeug import Response
        return Response("late")

    stall.released = []
    slow.expect_request("/slow").respond_with_handler(stall)

    def quick(request):
        from werkzeug import Response
        quick.count += 1
        if quick.count == events:
            healthy_done.set()
            release.set()
        return Response("ok")

    quick.count = 0
    healthy.expect_request("/ok").respond_with_handler(quick)
    push_app.config["PUSH_READ_TIMEOUT"] = 15
    enabled_connection(slow.url_for("/slow"), name="slow")
    enabled_connection(healthy.url_for("/ok"), name="healthy")
    for i in range(events):
        post_lead(client, source_key, Email=f"u{i}@example.com")
    run_worker()
    assert healthy_done.is_set() and quick.count == events
    assert stall.released[0] is True
    healthy_rows = Delivery.select().where(Delivery.connection.is_null(False)).join(
        connections.PushConnection).where(connections.PushConnection.name == "healthy")
    assert {d.status for d in healthy_rows} == {"succeeded"}


def test_files_are_attached_base64_and_kept_out_of_the_log(push_app, client, source_key,
                                                          receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    enabled_connection(server.url_for("/hook"), attach_files=True)
    push_app.config["PUSH_FILES_MAX_BYTES"] = 20
    data = {"EntityName": "Lead", "Email": "ann@example.com",
            "cv": (io.BytesIO(b"%PDF-1.4 fake"), "cv.pdf", "application/pdf"),
            "scan": (io.BytesIO(b"0123456789"), "scan.png", "image/png")}
    try:
        r = client.post(f"/webhooks/{source_key}", data=data, content_type="multipart/form-data")
        run_worker()
    finally:
        push_app.config["PUSH_FILES_MAX_BYTES"] = DEFAULTS["PUSH_FILES_MAX_BYTES"]
    assert r.status_code == 200
    [(request, _)] = server.log
    assert request.json["data"]["files"] == [
        {"field": "cv", "fileName": "cv.pdf", "contentType": "application/pdf", "size": 13,
         "data": "JVBERi0xLjQgZmFrZQ=="},
        {"field": "scan", "fileName": "scan.png", "contentType": "image/png", "size": 10,
         "data": None, "omitted": "over the 20-byte attachment limit"}]
    [row] = DeliveryAttempt.select()
    assert json.loads(row.request_body)["data"]["files"][0]["data"] == FILE_PLACEHOLDER
    assert "JVBERi0x" not in row.request_body


def test_fan_out_is_one_job_for_many_events(push_app, client, source_key, receiver, redis_conn):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    enabled_connection(server.url_for("/hook"), event_types=["webhook.received",
                                                             "record.created"])
    for i in range(5):
        post_lead(client, source_key, Email=f"u{i}@example.com")
    from core.queue import get_queue
    assert outbox.kicks_sent()
    assert get_queue().count == 1
    run_worker()
    assert len(server.log) == 10
    assert delivery.Delivery.select().where(Delivery.status == "succeeded").count() == 10


def emit_committed(count: int = 1) -> None:
    """Emit record.created events in their own transaction and queue their fan-out."""
    with db.atomic():
        for i in range(count):
            emit("record.created", {"record": {"id": f"r{i}", "entity": "Lead", "data": {}}})


def test_a_target_deleted_behind_a_workers_snapshot_does_not_stop_the_others(push_app, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    gone, _ = enabled_connection(server.url_for("/hook") + "?to=gone", name="gone")
    hub = hub_with("hub_one", server.url_for("/hook"))
    dest = hubs.get_destination(hub, "record.created")
    kept, _ = enabled_connection(server.url_for("/hook") + "?to=kept", name="kept")
    assert len(subscribers.current().targets) == 3
    # Deleted as another process deletes them: this one's snapshot still names both.
    PushConnection.delete().where(PushConnection.id == gone.id).execute()
    hubs.HubDestination.delete().where(hubs.HubDestination.id == dest.id).execute()
    assert len(subscribers.current().targets) == 3
    emit_committed(2)
    assert push.fan_out() == 2
    assert [r.args["to"] for r, _ in server.log] == ["kept", "kept"]
    assert {(d.connection_id, d.status) for d in Delivery.select()} == {(kept.id, "succeeded")}
    assert Event.select().where(Event.fanned_out == False).count() == 0  # noqa: E712


@pytest.mark.committed
def test_a_target_deleted_while_fan_out_runs_does_not_stop_the_others(push_app, receiver,
                                                                     monkeypatch):
    """Deleted between the snapshot read and the insert of the deliveries, by another process."""
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    gone, _ = enabled_connection(server.url_for("/hook") + "?to=gone", name="gone")
    kept, _ = enabled_connection(server.url_for("/hook") + "?to=kept", name="kept")
    emit_committed()
    read = subscribers.current
    deleter: list[threading.Thread] = []

    def delete_elsewhere():
        with push_app.app_context():
            try:
                PushConnection.delete().where(PushConnection.id == gone.id).execute()
            finally:
                db.close()

    def read_then_delete():
        snapshot = read()
        if not deleter:
            deleter.append(threading.Thread(target=delete_elsewhere))
            deleter[0].start()
            if not is_sqlite():
                # PostgreSQL lets the delete commit now; SQLite makes it wait for this transaction.
                deleter[0].join(10)
                assert not PushConnection.select().where(PushConnection.id == gone.id).exists()
        return snapshot

    monkeypatch.setattr(subscribers, "current", read_then_delete)
    try:
        attempted = push.fan_out()
    finally:
        for thread in deleter:
            thread.join(10)
    sent_to = [r.args["to"] for r, _ in server.log]
    if is_sqlite():
        # One writer at a time: the delete came after the deliveries were claimed.
        assert (attempted, sent_to.count("kept")) == (2, 1)
    else:
        assert (attempted, sent_to) == (1, ["kept"])
    assert [(d.connection_id, d.status) for d in Delivery.select()] == [(kept.id, "succeeded")]
    assert not PushConnection.select().where(PushConnection.id == gone.id).exists()
