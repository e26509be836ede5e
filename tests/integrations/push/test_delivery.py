"""Delivery: each retry trigger, the schedule in RQ, Retry-After, 410, timeouts, retry by hand."""

from __future__ import annotations

import datetime as dt
import random
import socket
import time

import pytest
from rq.registry import ScheduledJobRegistry
from werkzeug import Response

from app import create_app
from core.config import DEFAULTS
from core.db import utcnow
from core.queue import get_queue
from integrations.push import connections, delivery
from integrations.push import fanout as push
from integrations.push.delivery import Delivery, DeliveryAttempt
from integrations.push.events import Event, EventType, emit
from tests.integrations.push_fixtures import enabled_connection, run_worker, work_until


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def emit_one(data=None) -> Event:
    emit(EventType.RECORD_CREATED, data or {"record": {"id": "r1", "entity": "Lead", "data": {}}})
    return Event.select().order_by(Event.created_at.desc()).get()


def scheduled() -> list[tuple[str, list, int]]:
    registry = ScheduledJobRegistry(queue=get_queue())
    out = []
    for job_id in registry.get_job_ids():
        job = get_queue().fetch_job(job_id)
        out.append((job.func_name, list(job.args), int(registry.get_expiration_time(job)
                                                       .replace(tzinfo=dt.UTC).timestamp())))
    return out


def replies(*responses):
    """A handler answering each request with the next response, and recording the requests."""
    seen = []

    def handler(request):
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1]

    handler.seen = seen
    return handler


def test_default_schedule_is_like_svix():
    app = create_app({"DATABASE_URL": "sqlite:///:memory:"})
    assert app.config["PUSH_RETRY_SCHEDULE"] == [0, 5, 300, 1800, 7200, 18000, 36000, 36000]
    assert app.config["PUSH_RETRY_JITTER"] == 0.2


def test_next_delay_follows_the_schedule_with_bounded_jitter():
    config = {"PUSH_RETRY_SCHEDULE": [0, 5, 300], "PUSH_RETRY_JITTER": 0.2,
              "PUSH_RETRY_AFTER_MAX_SECONDS": 3600}
    rng = random.Random(7)
    delays = [delivery.next_delay(1, None, config, rng) for _ in range(200)]
    assert 4.0 <= min(delays) < 4.2 and 5.8 < max(delays) <= 6.0
    assert delivery.next_delay(3, None, config, rng) is None
    exact = {**config, "PUSH_RETRY_JITTER": 0}
    assert [delivery.next_delay(n, None, exact) for n in range(4)] == [0, 5, 300, None]
    assert delivery.next_delay(1, 120, exact) == 120
    assert delivery.next_delay(2, 120, exact) == 300
    assert delivery.next_delay(1, 99999, exact) == 3600


def test_closed_port_logs_code_0_and_retries_until_the_schedule_ends(push_app, redis_conn):
    url = f"http://127.0.0.1:{closed_port()}/hook"
    conn, _ = enabled_connection(url)
    event = emit_one()
    run_worker()
    d = Delivery.get()
    assert (d.status, d.attempts, d.last_code, d.last_error) == ("pending", 1, 0,
                                                                   "connection refused")
    assert scheduled() == [(delivery.RETRY_JOB, [d.id], pytest.approx(time.time(), abs=2))]
    work_until(lambda: Delivery.get().status == "failed", "the last attempt")
    d = Delivery.get()
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", 4, None)
    assert scheduled() == []
    rows = list(DeliveryAttempt.select().order_by(DeliveryAttempt.id))
    assert [(r.attempt, r.response_code, r.error, r.succeeded) for r in rows] == [
        (n, 0, "connection refused", False) for n in (1, 2, 3, 4)]
    assert {(r.url, r.event_id, r.connection_id) for r in rows} == {(url, event.id, conn.id)}


@pytest.mark.parametrize("code", [500, 502, 503, 429])
def test_5xx_and_429_are_retried_with_the_same_webhook_id(push_app, receiver, code):
    server = receiver()
    handler = replies(Response("busy", status=code), Response("ok"))
    server.expect_request("/hook").respond_with_handler(handler)
    enabled_connection(server.url_for("/hook"))
    event = emit_one()
    run_worker()
    assert Delivery.get().status == "pending"
    work_until(lambda: DeliveryAttempt.select().count() == 2, "the retry")
    d = Delivery.get()
    assert (d.status, d.attempts, d.last_code, d.last_error) == ("succeeded", 2, 200, None)
    assert [r.headers["webhook-id"] for r in handler.seen] == [event.id, event.id]
    rows = list(DeliveryAttempt.select().order_by(DeliveryAttempt.id))
    assert [(r.response_code, r.response_body, r.succeeded) for r in rows] == [
        (code, "busy", False), (200, "ok", True)]
    assert rows[0].error.startswith(f"HTTP {code} ")


@pytest.mark.parametrize("code", [400, 401, 404, 302])
def test_other_answers_fail_without_retry(push_app, receiver, code):
    server = receiver()
    server.expect_request("/hook").respond_with_data("no", status=code)
    enabled_connection(server.url_for("/hook"))
    emit_one()
    run_worker()
    d = Delivery.get()
    assert (d.status, d.attempts, d.last_code) == ("failed", 1, code)
    assert scheduled() == []


@pytest.mark.parametrize("retry_after", ["120", "date"])
def test_retry_after_is_honoured(push_app, receiver, retry_after):
    if retry_after == "date":
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=125)
        retry_after = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    server = receiver()
    server.expect_request("/hook").respond_with_data("slow down", status=429,
                                                     headers={"Retry-After": retry_after})
    enabled_connection(server.url_for("/hook"))
    emit_one()
    before = utcnow()
    run_worker()
    after = utcnow()
    d = Delivery.get()
    assert d.status == "pending"
    assert before + dt.timedelta(seconds=118) <= d.next_attempt_at <= after + dt.timedelta(seconds=126)
    [(func, args, at)] = scheduled()
    assert (func, args) == (delivery.RETRY_JOB, [d.id])
    assert at == pytest.approx(d.next_attempt_at.replace(tzinfo=dt.UTC).timestamp(), abs=1)
    run_worker()
    assert DeliveryAttempt.select().count() == 1


def test_410_disables_the_connection(push_app, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("gone", status=410)
    conn, _ = enabled_connection(server.url_for("/hook"))
    emit_one()
    run_worker()
    conn = connections.get_connection(conn.id)
    assert conn.enabled is False
    assert conn.disabled_reason.startswith("Receiver answered 410 Gone at ")
    assert Delivery.get().status == "failed" and scheduled() == []
    emit_one()
    assert Event.select().count() == 1


def test_read_timeout_is_code_0_and_retried(push_app, receiver):
    server = receiver()

    def hang(request):
        time.sleep(1)
        return Response("late")

    server.expect_request("/hook").respond_with_handler(hang)
    push_app.config["PUSH_READ_TIMEOUT"] = 0.3
    enabled_connection(server.url_for("/hook"))
    emit_one()
    run_worker()
    [row] = DeliveryAttempt.select()
    assert (row.response_code, row.error) == (0, "no response within 0.3 s")
    assert Delivery.get().status == "pending"


def test_a_down_target_is_tried_once_per_batch(push_app):
    enabled_connection(f"http://127.0.0.1:{closed_port()}/hook")
    push_app.config["PUSH_TARGET_CONCURRENCY"] = 1
    try:
        for _ in range(5):
            emit_one()
        run_worker()
    finally:
        push_app.config["PUSH_TARGET_CONCURRENCY"] = DEFAULTS["PUSH_TARGET_CONCURRENCY"]
    assert DeliveryAttempt.select().count() == 1
    rows = list(Delivery.select().order_by(Delivery.id))
    assert [d.attempts for d in rows] == [1, 0, 0, 0, 0]
    assert len({d.next_attempt_at for d in rows}) == 1 and {d.status for d in rows} == {"pending"}
    assert len(scheduled()) == 1


def test_retry_by_hand(push_app, receiver):
    server = receiver()
    handler = replies(Response("no", status=400), Response("ok"))
    server.expect_request("/hook").respond_with_handler(handler)
    conn, _ = enabled_connection(server.url_for("/hook"))
    emit_one()
    run_worker()
    [d] = delivery.failed_ids(conn.id)
    progress = []
    assert delivery.resend([d], progress.append) == 1
    assert progress == [1]
    assert Delivery.get_by_id(d).status == "succeeded" and len(handler.seen) == 2


def test_sweeper_requeues_deliveries_whose_job_was_lost(push_app, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    conn, _ = enabled_connection(server.url_for("/hook"))
    event = emit_one()
    event.fanned_out = True
    event.save()
    lost = Delivery.create(event=event, connection=conn,
                           next_attempt_at=utcnow() - dt.timedelta(seconds=60))
    push.sweep()
    run_worker()
    assert Delivery.get_by_id(lost.id).status == "succeeded" and len(server.log) == 1


def test_sweeper_asks_for_a_fan_out_when_events_wait(push_app, receiver, redis_conn):
    server = receiver()
    server.expect_request("/hook").respond_with_data("ok")
    enabled_connection(server.url_for("/hook"))
    event = emit_one()
    redis_conn.flushdb()
    Event.update(created_at=utcnow() - dt.timedelta(seconds=10)).where(Event.id == event.id).execute()
    push.sweep()
    run_worker()
    assert len(server.log) == 1
