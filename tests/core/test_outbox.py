"""The outbox: jobs enqueued after commit, kept while Redis is down, unique jobs."""

from __future__ import annotations

import redis as redis_lib
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue

from core import outbox
from core.db import db
from core.outbox import OutboxJob
from core.queue import DEFAULT_QUEUE
from integrations.models import Webhook
from integrations.sources import create_source


def dead_redis() -> redis_lib.Redis:
    """A real client for a port nobody listens on."""
    return redis_lib.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))


def test_jobs_are_enqueued_after_commit_in_one_batch(app, redis_conn):
    with db.atomic():
        outbox.add("processes.jobs.drain")
        outbox.add("builtins.print", 1, 2)
    assert outbox.flush() == 2
    jobs = Queue(DEFAULT_QUEUE, connection=redis_conn).jobs
    assert sorted(j.func_name for j in jobs) == ["builtins.print", "processes.jobs.drain"]
    assert OutboxJob.select().count() == 0


def test_unique_job_is_enqueued_once_until_released(app, redis_conn):
    for _ in range(3):
        with db.atomic():
            outbox.add("processes.jobs.drain", unique=True)
        outbox.flush()
    assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 1
    outbox.release("processes.jobs.drain")
    with db.atomic():
        outbox.add("processes.jobs.drain", unique=True)
    outbox.flush()
    assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 2


def test_redis_down_keeps_jobs_and_intake_goes_on(app, client, redis_conn, monkeypatch):
    _, key = create_source("late", deferred=True)
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", dead_redis())
    r = client.post(f"/webhooks/{key}", json={"EntityName": "FormSubmit"})
    assert r.status_code == 202
    assert Webhook.get_by_id(r.json["id"]).status == "received"
    assert OutboxJob.select().count() == 1
    second = client.post(f"/webhooks/{key}", json={"EntityName": "FormSubmit"})
    assert second.status_code == 202 and OutboxJob.select().count() == 2
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", redis_conn)
    assert outbox.relay() == 2
    assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 1


def test_inline_processing_works_without_redis(app, client, source_key, monkeypatch):
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", dead_redis())
    r = client.post(f"/webhooks/{source_key}", json={"EntityName": "FormSubmit", "Name": "x"})
    assert r.status_code == 200 and r.json["status"] == "processed"
    unknown = client.post("/webhooks/nope", json={})
    assert unknown.status_code == 401


def test_health_reports_redis_down(app, client, monkeypatch):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "redis": "ok"}
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", dead_redis())
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json == {"status": "degraded", "database": "ok", "redis": "error: ConnectionError"}
