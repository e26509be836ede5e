"""Reprocessing a webhook inline: failed and no-record ones only; records updated by Id."""

from __future__ import annotations

import pytest

from core.errors import Conflict, NotFound
from integrations.models import Webhook
from processes import runner
from processes.models import Record


def send(client, key: str, body: dict) -> int:
    return client.post(f"/webhooks/{key}", json=body).json["id"]


def test_a_failed_webhook_is_processed_again_after_the_fix(client, admin, source_key):
    webhook_id = send(client, source_key, {"EntityName": "Contact", "Name": "Ann", "Age": "many"})
    assert Webhook.get_by_id(webhook_id).status == "failed"
    client.patch("/api/v1/entities/Contact/fields/Age", json={"required": False}, headers=admin)
    Webhook.update(payload={"EntityName": "Contact", "Name": "Ann", "Age": "41"}) \
        .where(Webhook.id == webhook_id).execute()
    webhook = runner.reprocess(webhook_id)
    assert (webhook.status, webhook.errors, webhook.attempts) == ("processed", [], 2)
    [record] = Record.select()
    assert (record.id, record.data["Age"], record.webhook_id) == (webhook.record_ids[0], 41, webhook_id)


def test_a_no_record_webhook_is_processed_again(client, admin, source_key):
    webhook_id = send(client, source_key, {"EntityName": "Ticket", "Subject": "Help"})
    assert Webhook.get_by_id(webhook_id).status == "no-record"
    client.post("/api/v1/entities", headers=admin, json={
        "code": "Ticket", "fields": [{"code": "Subject", "net_type": "System.String"}]})
    webhook = runner.reprocess(webhook_id)
    assert (webhook.status, webhook.entity) == ("processed", "Ticket")
    assert Record.get_by_id(webhook.record_ids[0]).data["Subject"] == "Help"


def test_a_record_that_exists_is_updated_not_duplicated(client, source_key):
    record_id = "0b9b0e8a-55a4-4a50-9f1c-5d3a8f0e7a11"
    send(client, source_key, {"EntityName": "Contact", "Id": record_id, "Name": "Ann"})
    webhook_id = send(client, source_key, {"EntityName": "Contact", "Id": record_id,
                                           "Name": "Ann Smith", "Age": "old"})
    Webhook.update(payload={"EntityName": "Contact", "Id": record_id, "Name": "Ann Smith"}) \
        .where(Webhook.id == webhook_id).execute()
    assert runner.reprocess(webhook_id).record_ids == [record_id]
    [record] = Record.select()
    assert (record.data["Name"], record.webhook_id) == ("Ann Smith", webhook_id)


def test_only_failed_or_no_record_webhooks_are_reprocessed(client, source_key):
    webhook_id = send(client, source_key, {"EntityName": "Contact", "Name": "Ann"})
    with pytest.raises(Conflict, match=f"^Webhook {webhook_id} is processed; only failed or "
                                       "no-record webhooks can be reprocessed.$"):
        runner.reprocess(webhook_id)
    assert Record.select().count() == 1
    with pytest.raises(NotFound, match="^Webhook 999999 does not exist.$"):
        runner.reprocess(999999)
