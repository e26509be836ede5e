"""Events: written with what caused them, only when someone listens, with the right data."""

from __future__ import annotations

import pytest

from core import outbox
from integrations.hubs import service as hubs
from integrations.inbound.models import Webhook
from integrations.push import events
from integrations.push.events import Event
from processes.models import Record
from tests.integrations.push_fixtures import enabled_connection
from tests.processes.helpers import definition

ALL = ["webhook.received", "webhook.processed", "webhook.failed", "record.created",
       "record.updated", "lead.qualified"]


def post(client, key, body):
    r = client.post(f"/webhooks/{key}", json=body)
    assert r.status_code == 200, r.json
    return r.json


def kinds() -> list[str]:
    return [e.type for e in Event.select().order_by(Event.created_at)]


@pytest.mark.parametrize(("name", "problem"), [
    ("record.created", None),
    ("lead.qualified", None),
    ("order.paid.twice", None),
    ("ping", "'ping' is only sent by connectivity tests"),
    ("Lead.Qualified", "unknown event type 'Lead.Qualified'; use a standard type or a custom one "
                       "like 'lead.qualified' (lower case, dot-separated)"),
    ("vip", None),
    ("record.deleted", "'record.deleted' is not one of hookhub's webhook.* and record.* events"),
    ("lead..x", "unknown event type 'lead..x'; use a standard type or a custom one like "
                "'lead.qualified' (lower case, dot-separated)"),
    ("", "must be a non-empty string"),
])
def test_type_problem(name, problem):
    assert events.type_problem(name) == problem


@pytest.mark.parametrize(("name", "problem"), [
    ("lead.qualified", None),
    ("pinged", None),
    ("record.created", "Event type 'record.created' is reserved for hookhub's own events."),
    ("webhook.later", "Event type 'webhook.later' is reserved for hookhub's own events."),
    ("ping", "Event type 'ping' is reserved for hookhub's own events."),
    ("Lead Hot", "An event type is lower-case words joined by dots, e.g. lead.hot."),
    ("", "Length must be between 1 and 100."),
    ("x" * 101, "Length must be between 1 and 100."),
    (None, "Length must be between 1 and 100."),
])
def test_custom_type_problem(name, problem):
    assert events.custom_type_problem(name) == problem


def test_nothing_is_written_without_subscribers(app, client, source_key):
    post(client, source_key, {"EntityName": "Lead", "Email": "a@example.com"})
    assert Event.select().count() == 0
    assert events.emit("webhook.received", {}) == 0


def test_a_processed_webhook_emits_received_processed_and_created(app, client, source_key):
    enabled_connection("http://127.0.0.1:9/hook", event_types=ALL)
    out = post(client, source_key, {"EntityName": "Lead", "Email": "a@example.com"})
    assert kinds() == ["webhook.received", "record.created", "webhook.processed"]
    webhook = Webhook.get_by_id(out["id"])
    received = Event.get(Event.type == "webhook.received")
    assert received.data == {
        "webhook": {"id": webhook.id, "status": "received", "entity": None,
                    "received_at": webhook.received_at.isoformat(timespec="milliseconds") + "Z",
                    "content_type": "application/json"},
        "source": {"id": webhook.source_id, "name": "landing"},
        "payload": {"EntityName": "Lead", "Email": "a@example.com"}}
    processed = Event.get(Event.type == "webhook.processed")
    [record_id] = out["records"]
    assert processed.data["records"] == [{"id": record_id, "entity": "Lead", "role": "main",
                                          "action": "created"}]
    assert processed.data["webhook"]["status"] == "processed"
    created = Event.get(Event.type == "record.created")
    assert created.data["record"] == {"id": record_id, "entity": "Lead",
                                      "data": Record.get_by_id(record_id).data}
    assert (created.entity, created.webhook_id, created.source_id) == (
        "Lead", webhook.id, webhook.source_id)
    assert outbox.OutboxJob.select().count() == 0  # flushed after commit


def test_an_update_emits_record_updated(app, client, source_key):
    enabled_connection("http://127.0.0.1:9/hook", event_types=["record.updated"])
    first = post(client, source_key, {"EntityName": "Lead", "Email": "a@example.com"})
    [record_id] = first["records"]
    post(client, source_key, {"EntityName": "Lead", "Id": record_id, "Email": "b@example.com"})
    updated = Event.get(Event.type == "record.updated")
    assert updated.data["record"] == {
        "id": record_id, "entity": "Lead", "data": Record.get_by_id(record_id).data,
        "previous": {"Email": "a@example.com", "Id": record_id}}
    assert updated.data["record"]["data"]["Email"] == "b@example.com"


def test_a_failed_webhook_emits_webhook_failed_with_its_errors(app, client, source_key):
    enabled_connection("http://127.0.0.1:9/hook", event_types=ALL)
    out = post(client, source_key, {"EntityName": "Contact", "BirthDate": "not a date"})
    assert out["status"] == "failed"
    assert kinds() == ["webhook.received", "webhook.failed"]
    assert Event.get(Event.type == "webhook.failed").data["errors"] == out["errors"]


def test_custom_events_a_rule_raises(app, client, admin, source_key):
    enabled_connection("http://127.0.0.1:9/hook", event_types=["lead.hot"])
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]
    rules = [{"name": "hot", "actions": [{"action": "emit", "event": "lead.hot",
                                          "data": {"score": {"value": 9}}}]}]
    r = client.put(f"/api/v1/processes/{process['id']}/definition", headers=admin,
                   json=definition(rules=rules))
    assert r.status_code == 201, r.json
    out = post(client, source_key, {"EntityName": "Lead", "Email": "a@example.com"})
    [custom] = Event.select()
    assert (custom.type, custom.data["custom"], custom.webhook_id) == ("lead.hot", {"score": 9},
                                                                      out["id"])


def test_custom_events_with_reserved_or_malformed_types_are_dropped(app, client, source_key):
    enabled_connection("http://127.0.0.1:9/hook", event_types=["lead.qualified"])
    out = post(client, source_key, {"EntityName": "Lead", "Email": "a@example.com"})
    webhook = Webhook.get_by_id(out["id"])
    events.process_outcome(webhook, [], [{"type": "lead.qualified", "data": {"score": 9}},
                                         {"type": "record.created", "data": {}},
                                         {"type": "Bad Type", "data": {}}])
    assert [(e.type, e.data["custom"]) for e in Event.select()] == [("lead.qualified",
                                                                     {"score": 9})]


def test_the_hub_a_webhook_names(app, client, source_key):
    hub, _ = hubs.create_hub("hub_two")
    hubs.set_destination(hub, "webhook.received", "http://127.0.0.1:9/events")
    post(client, source_key, {"EntityName": "Lead", "hubs": {"events": "hub_two"}})
    r = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead"},
                    headers={"X-Hookhub-Hub": "hub_one"})
    assert r.status_code == 200
    post(client, source_key, {"EntityName": "Lead", "hubs": "not an object"})
    assert [e.hub for e in Event.select().order_by(Event.created_at)] == ["hub_two", "hub_one",
                                                                          None]
