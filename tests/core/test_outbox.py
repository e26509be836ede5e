"""The outbox: jobs enqueued by the commit (real commits too), kept while Redis is down, unique jobs."""

from __future__ import annotations

import datetime as dt

import pytest
import redis as redis_lib
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue

from core import outbox
from core.db import db, utcnow
from core.outbox import OutboxJob
from core.queue import DEFAULT_QUEUE, get_queue
from integrations.inbound.models import Webhook
from integrations.inbound.sources import create_source
from integrations.push import fanout
from integrations.push.events import FAN_OUT_JOB, Event, emit
from processes import batches
from tests.conftest import in_another_connection
from tests.e2e.conftest import wait_for
from tests.integrations.push_fixtures import enabled_connection


def dead_redis() -> redis_lib.Redis:
    """A real client for a port nobody listens on."""
    return redis_lib.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))


def test_jobs_are_enqueued_after_commit_in_one_batch(app, redis_conn, monkeypatch):
    relayed = []
    relay = outbox.relay
    monkeypatch.setattr(outbox, "relay", lambda *args, **kwargs: relayed.append(relay(*args, **kwargs)))
    with db.atomic():
        outbox.add(FAN_OUT_JOB)
        outbox.add("builtins.print", 1, 2)
        assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 0
    assert relayed == [2]  # one hand-over of both jobs
    jobs = Queue(DEFAULT_QUEUE, connection=redis_conn).jobs
    assert sorted(j.func_name for j in jobs) == ["builtins.print", FAN_OUT_JOB]
    assert OutboxJob.select().count() == 0


def test_unique_job_is_enqueued_once_until_released(app, redis_conn):
    for _ in range(3):
        with db.atomic():
            outbox.add(FAN_OUT_JOB, unique=True)
    assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 1
    outbox.release(FAN_OUT_JOB)
    with db.atomic():
        outbox.add(FAN_OUT_JOB, unique=True)
    assert Queue(DEFAULT_QUEUE, connection=redis_conn).count == 2


def test_redis_down_keeps_jobs_for_the_relay(app, redis_conn, monkeypatch):
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", dead_redis())
    with db.atomic():
        outbox.add("builtins.print", "later")
    assert OutboxJob.select().count() == 1
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", redis_conn)
    assert outbox.relay() == 1
    assert [j.args for j in Queue(DEFAULT_QUEUE, connection=redis_conn).jobs] == [("later",)]


def test_kick_enqueues_once_until_the_job_starts(app, redis_conn):
    for _ in range(3):
        outbox.kick(FAN_OUT_JOB)
    wait_for(lambda: queued(redis_conn) == [FAN_OUT_JOB], "the kicker to enqueue the job")
    outbox.kick(FAN_OUT_JOB)
    outbox.release(FAN_OUT_JOB)
    outbox.kick(FAN_OUT_JOB)
    wait_for(lambda: queued(redis_conn) == [FAN_OUT_JOB] * 2, "the job once more after it started")


def test_deferred_intake_needs_no_redis(app, client, redis_conn, monkeypatch):
    _, key = create_source("late", deferred=True)
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", dead_redis())
    ids = [client.post(f"/webhooks/{key}", json={"EntityName": "FormSubmit"}).json["id"]
           for _ in range(2)]
    assert [w.status for w in Webhook.select().where(Webhook.id.in_(ids))] == ["received"] * 2
    assert batches.drain() == 2
    assert queued(redis_conn) == []


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


def queued(redis_conn) -> list[str]:
    return [j.func_name for j in Queue(DEFAULT_QUEUE, connection=redis_conn).jobs]


def work_elsewhere(app) -> None:
    """Perform the queued jobs on another connection, as a worker process would."""
    in_another_connection(app, lambda: [job.perform() for job in get_queue().jobs])


def outbox_rows() -> int:
    return OutboxJob.select().count()


@pytest.mark.committed
def test_a_job_is_enqueued_by_its_transactions_commit(app, redis_conn):
    with db.atomic():
        outbox.add("builtins.print", "after commit")
        assert in_another_connection(app, outbox_rows) == 0
        assert queued(redis_conn) == []
    assert queued(redis_conn) == ["builtins.print"]
    assert in_another_connection(app, outbox_rows) == 0


@pytest.mark.committed
def test_nested_blocks_enqueue_once_at_the_outermost_commit(app, redis_conn):
    with db.atomic():
        outbox.add("builtins.print", "outer")
        with db.atomic():
            outbox.add("builtins.print", "inner")
        with pytest.raises(RuntimeError), db.atomic():
            outbox.add("builtins.print", "rolled back")
            raise RuntimeError("not this one")
        assert queued(redis_conn) == [] and in_another_connection(app, outbox_rows) == 0
    jobs = Queue(DEFAULT_QUEUE, connection=redis_conn).jobs
    assert [j.args for j in jobs] == [("outer",), ("inner",)]
    assert in_another_connection(app, outbox_rows) == 0


@pytest.mark.committed
def test_a_job_added_outside_a_transaction_is_enqueued_at_once(app, redis_conn):
    outbox.add("builtins.print", "autocommit")
    assert queued(redis_conn) == ["builtins.print"]
    assert in_another_connection(app, outbox_rows) == 0


@pytest.mark.committed
def test_a_kick_inside_a_transaction_waits_for_its_commit(app, redis_conn):
    with db.atomic():
        outbox.kick(FAN_OUT_JOB)
        assert queued(redis_conn) == []
        assert not outbox._KICKER.wanted  # not even asked for before the commit
    wait_for(lambda: queued(redis_conn) == [FAN_OUT_JOB], "the kick after the commit")


@pytest.mark.committed
def test_a_rolled_back_transaction_enqueues_nothing(push_app, redis_conn):
    enabled_connection("https://crm.example.com/in")
    assert queued(redis_conn) == []
    with pytest.raises(RuntimeError), db.atomic():
        assert emit("record.created", {"record": {"id": "r1", "entity": "Lead", "data": {}}}) == 1
        outbox.kick(FAN_OUT_JOB)
        raise RuntimeError("changed my mind")
    assert outbox.relay_stale(0) == 0
    assert queued(redis_conn) == []
    assert (Event.select().count(), OutboxJob.select().count()) == (0, 0)
    with db.atomic():  # the next transaction's jobs are its own, and go at its commit
        outbox.add("builtins.print", "next")
    assert queued(redis_conn) == ["builtins.print"]


@pytest.mark.committed
def test_events_of_a_request_are_fanned_out_by_a_worker_after_commit(push_app, client, redis_conn,
                                                                     receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    enabled_connection(server.url_for("/hook"), event_types=["webhook.received"])
    key = create_source("landing")[1]
    r = client.post(f"/webhooks/{key}", json={"EntityName": "FormSubmit", "Name": "x"})
    assert r.status_code == 200
    wait_for(lambda: queued(redis_conn) == [FAN_OUT_JOB], "the fan-out kick after the commit")
    assert in_another_connection(push_app, lambda: (Event.select().count(),
                                                    OutboxJob.select().count())) == (1, 0)
    work_elsewhere(push_app)
    [(request, _)] = server.log
    assert request.get_json()["data"]["webhook"]["id"] == r.json["id"]


@pytest.mark.committed
def test_redis_down_at_commit_leaves_the_event_for_the_fan_out_sweeper(push_app, client, redis_conn,
                                                                      receiver, monkeypatch):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    enabled_connection(server.url_for("/hook"), event_types=["webhook.received"])
    key = create_source("landing")[1]
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", dead_redis())
    r = client.post(f"/webhooks/{key}", json={"EntityName": "FormSubmit", "Name": "x"})
    assert r.status_code == 200
    wait_for(lambda: not outbox._KICKER.wanted, "the kicker to try Redis")
    assert in_another_connection(push_app, lambda: (
        Event.select().where(Event.fanned_out == False).count(), outbox_rows())) == (1, 0)  # noqa: E712
    monkeypatch.setitem(current_app.extensions, "hookhub.redis", redis_conn)
    monkeypatch.setattr("core.queue._down_until", [0.0])
    Event.update(created_at=utcnow() - dt.timedelta(minutes=1)).execute()
    fanout.sweep()
    wait_for(lambda: queued(redis_conn) == [FAN_OUT_JOB], "the sweeper's fan-out kick")
    work_elsewhere(push_app)
    assert [req.get_json()["type"] for req, _ in server.log] == ["webhook.received"]
