"""Deferred sources: 202, batch drains by real RQ workers, the sweeper, claims."""

from __future__ import annotations

import datetime as dt

import pytest
from rq import Queue, SimpleWorker

from core.queue import DEFAULT_QUEUE
from integrations.inbound.models import Webhook, WebhookStatus
from integrations.inbound.sources import create_source
from processes import runner
from processes.models import Record


@pytest.fixture
def deferred_key(app):
    return create_source("batch", deferred=True)[1]


def work(redis_conn) -> None:
    """Run a real RQ worker in this process until the queue is empty."""
    SimpleWorker([Queue(DEFAULT_QUEUE, connection=redis_conn)], connection=redis_conn).work(
        burst=True)


def test_deferred_source_answers_202_and_one_job_drains_many(client, deferred_key, redis_conn):
    ids = []
    for i in range(5):
        r = client.post(f"/webhooks/{deferred_key}", json={"EntityName": "FormSubmit", "Name": f"n{i}"})
        assert r.status_code == 202
        assert r.json == {"id": r.json["id"], "status": "received"}
        ids.append(r.json["id"])
    assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 1
    work(redis_conn)
    assert [w.status for w in Webhook.select().where(Webhook.id.in_(ids))] == ["processed"] * 5
    assert Record.select().count() == 5


def test_drain_processes_in_batches(app, deferred_key, client, monkeypatch):
    monkeypatch.setitem(app.config, "BATCH_SIZE", 2)
    for i in range(5):
        client.post(f"/webhooks/{deferred_key}", json={"EntityName": "FormSubmit", "Name": str(i)})
    assert runner.drain() == 5
    assert runner.drain() == 0


def test_claim_lost_to_the_sweeper_is_not_processed_twice(app, deferred_key, client, monkeypatch):
    client.post(f"/webhooks/{deferred_key}", json={"EntityName": "FormSubmit", "Name": "x"})
    token, [webhook_id] = runner.claim_batch(10, 30)
    Webhook.update(claimed_at=dt.datetime(2000, 1, 1)).execute()
    assert runner.sweep() == 1
    assert Webhook.get_by_id(webhook_id).status == WebhookStatus.RECEIVED.value
    assert runner.process_claimed(webhook_id, token) is False
    assert runner.drain() == 1
    assert Record.select().count() == 1


def test_sweeper_picks_up_an_inline_webhook_left_received(client, source_key, redis_conn):
    r = client.post(f"/webhooks/{source_key}", json={"EntityName": "FormSubmit", "Name": "x"})
    Webhook.update(status="received", record_ids=[], received_at=dt.datetime(2000, 1, 1)).execute()
    Record.delete().execute()
    runner.sweep()
    work(redis_conn)
    assert Webhook.get_by_id(r.json["id"]).status == "processed"
    assert Record.select().count() == 1


def test_fresh_inline_webhook_is_left_to_its_request(client, source_key, redis_conn):
    r = client.post(f"/webhooks/{source_key}", json={"EntityName": "FormSubmit", "Name": "x"})
    Webhook.update(status="received").execute()
    runner.sweep()
    assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 0
    assert runner.drain() == 0
    assert Webhook.get_by_id(r.json["id"]).status == "received"


def test_process_webhook_leaves_a_webhook_another_worker_holds(client, deferred_key):
    r = client.post(f"/webhooks/{deferred_key}", json={"EntityName": "FormSubmit", "Name": "x"})
    runner.claim_batch(10, 30)
    assert runner.process_webhook(r.json["id"]).status == "processing"
    assert Record.select().count() == 0
