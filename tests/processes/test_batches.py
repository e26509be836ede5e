"""Deferred sources: 202 with nothing asked of Redis, batches drained by a worker's poller, claims."""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import urlencode

import pytest
from rq import Queue

from core import maintenance
from core.db import db, is_sqlite
from core.queue import DEFAULT_QUEUE
from integrations.inbound.models import Webhook, WebhookStatus
from integrations.inbound.sources import create_source
from processes import batches
from processes.models import Record
from tests.conftest import in_another_connection
from tests.e2e.conftest import wait_for


@pytest.fixture
def deferred_key(app):
    return create_source("batch", deferred=True)[1]


def statuses(ids: list[int]) -> list[str]:
    return [w.status for w in Webhook.select().where(Webhook.id.in_(ids)).order_by(Webhook.id)]


@pytest.mark.committed
def test_a_workers_poller_processes_deferred_webhooks_without_a_kick(app, client, deferred_key,
                                                                     redis_conn):
    ids = []
    for i in range(5):
        r = client.post(f"/webhooks/{deferred_key}", json={"EntityName": "FormSubmit", "Name": f"n{i}"})
        assert (r.status_code, r.json) == (202, {"id": r.json["id"], "status": "received"})
        ids.append(r.json["id"])
    assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 0  # the request asked Redis nothing
    stop = maintenance.start(app)  # as beside every worker: its own threads and connections
    try:
        wait_for(lambda: statuses(ids) == ["processed"] * 5, "the poller to process every webhook")
    finally:
        stop.set()
    assert Record.select().count() == 5


def test_drain_processes_in_batches(app, deferred_key, client, monkeypatch):
    monkeypatch.setitem(app.config, "BATCH_SIZE", 2)
    for i in range(5):
        client.post(f"/webhooks/{deferred_key}", json={"EntityName": "FormSubmit", "Name": str(i)})
    assert batches.drain() == 5
    assert batches.drain() == 0


def test_a_claim_lost_to_the_sweeper_is_not_processed_twice(app, deferred_key, client):
    client.post(f"/webhooks/{deferred_key}", json={"EntityName": "FormSubmit", "Name": "x"})
    token, [webhook] = batches.claim(10, 30)
    Webhook.update(claimed_at=dt.datetime(2000, 1, 1)).execute()
    assert batches.sweep() == 1
    assert Webhook.get_by_id(webhook.id).status == WebhookStatus.RECEIVED.value
    assert batches.process(token, [webhook]) == 0
    assert batches.drain() == 1
    assert Record.select().count() == 1
    assert Webhook.get_by_id(webhook.id).attempts == 1


def test_an_inline_webhook_left_received_goes_to_the_workers_after_the_grace(client, source_key):
    r = client.post(f"/webhooks/{source_key}", json={"EntityName": "FormSubmit", "Name": "x"})
    Webhook.update(status="received", record_ids=[], attempts=0).execute()
    Record.delete().execute()
    assert batches.drain() == 0  # its request may still be at it
    Webhook.update(received_at=dt.datetime(2000, 1, 1)).execute()
    assert batches.drain() == 1
    assert Webhook.get_by_id(r.json["id"]).status == "processed"
    assert Record.select().count() == 1


def test_the_same_form_twice_in_one_batch_makes_one_record(client, deferred_key):
    form = urlencode({"EntityName": "Lead", "Email": "twice@example.com"})
    ids = [client.post(f"/webhooks/{deferred_key}", data=form,
                       content_type="application/x-www-form-urlencoded").json["id"]
           for _ in range(2)]
    assert batches.drain() == 2  # both computed before either was written
    assert statuses(ids) == ["processed", "no-record"]
    second = Webhook.get_by_id(ids[1])
    assert second.trace[-1]["reason"] == f"Duplicate of webhook {ids[0]}: the same content within 10 s."
    assert Record.select().count() == 1


@pytest.mark.committed
def test_postgres_workers_skip_the_webhooks_another_one_is_claiming(app, client, deferred_key):
    if is_sqlite():
        pytest.skip("SQLite has one writer at a time")
    ids = [client.post(f"/webhooks/{deferred_key}", json={"EntityName": "FormSubmit", "Name": str(i)})
           .json["id"] for i in range(4)]
    locked, release = threading.Event(), threading.Event()

    def hold_two():
        with db.atomic():
            rows = list(batches._waiting(2, 30))  # locks the two oldest, as a claim does
            locked.set()
            release.wait(30)
        return [r.id for r in rows]

    holder = threading.Thread(target=lambda: held.append(in_another_connection(app, hold_two)))
    held: list = []
    holder.start()
    try:
        assert locked.wait(30)
        _, claimed = batches.claim(10, 30)  # would wait on the locked rows without SKIP LOCKED
    finally:
        release.set()
        holder.join(60)
    assert held == [ids[:2]]
    assert [w.id for w in claimed] == ids[2:]
