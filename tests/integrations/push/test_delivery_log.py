"""The delivery log's retention: purged by the periodic task and by `purge-logs`."""

from __future__ import annotations

import datetime as dt

from core.db import utcnow
from integrations.push import delivery_log
from integrations.push.delivery import Delivery, DeliveryAttempt
from integrations.push.events import Event, new_id
from tests.integrations.push_fixtures import enabled_connection


def logged(conn, days_ago: float, status: str = "succeeded") -> Delivery:
    when = utcnow() - dt.timedelta(days=days_ago)
    event = Event.create(id=new_id(), type="record.created", data={}, fanned_out=True,
                         created_at=when)
    d = Delivery.create(event=event, connection=conn, status=status, attempts=1, created_at=when)
    DeliveryAttempt.create(delivery=d, connection=conn, event_id=event.id,
                           event_type=event.type, attempt=1, created_at=when, url=conn.url,
                           request_headers={}, request_body="{}", response_code=200,
                           duration_ms=3, succeeded=True)
    return d


def test_purge_keeps_30_days_by_default(app):
    conn, _ = enabled_connection("http://127.0.0.1:9/hook")
    old = logged(conn, 31)
    pending_old = logged(conn, 40, status="pending")
    recent = logged(conn, 29)
    assert delivery_log.purge() == (2, 1)
    assert DeliveryAttempt.select().count() == 1
    assert [d.id for d in Delivery.select().order_by(Delivery.id)] == [pending_old.id, recent.id]
    assert Delivery.get_or_none(Delivery.id == old.id) is None


def test_purge_logs_command(app):
    conn, _ = enabled_connection("http://127.0.0.1:9/hook")
    logged(conn, 3)
    logged(conn, 1)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge-logs", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert result.output == "purged 1 log row(s) and 1 event(s)\n"
    assert runner.invoke(args=["purge-logs"]).output == "purged 0 log row(s) and 0 event(s)\n"


def test_purge_runs_periodically(app):
    tasks = {t.name: t for t in app.extensions["hookhub.periodic"]}
    assert tasks["purge-delivery-log"].func is delivery_log.purge
    assert tasks["purge-delivery-log"].every == 3600
