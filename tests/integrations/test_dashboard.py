"""The dashboard's webhook panels: received over time, counts by status, recent errors."""

from __future__ import annotations

import datetime as dt
import re

from core.db import utcnow
from integrations import dashboard
from integrations.inbound.models import Webhook
from integrations.push.delivery import Delivery
from integrations.push.events import Event, new_id
from tests.integrations.push_fixtures import enabled_connection


def send(client, key: str, body: dict) -> int:
    return client.post(f"/webhooks/{key}", json=body).json["id"]


def test_counts_by_status_and_recent_errors(app, client, source_key):
    send(client, source_key, {"EntityName": "Contact", "Name": "Ann"})
    send(client, source_key, {"Name": "no entity"})
    failed = send(client, source_key, {"EntityName": "Contact", "Name": "Bob", "Age": "old",
                                       "BirthDate": "soon"})
    with app.test_request_context():
        assert dashboard.status_counts() == {
            "counts": {"received": 0, "processing": 0, "processed": 1, "no-record": 1, "failed": 1},
            "total": 3}
        [row] = dashboard.recent_errors()["webhooks"]
    assert (row["id"], row["source"], row["entity"], row["more"]) == (failed, "landing", "Contact", 1)
    assert row["error"] == {"field": "Age", "value": "old", "message": "Not a valid integer."}


def test_webhooks_over_time_are_counted_per_day_and_per_hour(app, client, source_key):
    now = utcnow()
    ids = [send(client, source_key, {"EntityName": "Contact", "Name": n}) for n in "abc"]
    Webhook.update(received_at=now - dt.timedelta(days=2)).where(Webhook.id == ids[0]).execute()
    Webhook.update(received_at=now - dt.timedelta(days=30)).where(Webhook.id == ids[1]).execute()
    with app.test_request_context("/?range=14d"):
        days = dashboard.received_over_time()
    assert (days["range"], days["total"], len(days["chart"]["labels"])) == ("14d", 2, 7)
    bars = {(b.label, b.series): b.value for b in days["chart"]["bars"]}
    assert bars == {((now - dt.timedelta(days=2)).strftime("%m-%d"), "processed"): 1,
                    (now.strftime("%m-%d"), "processed"): 1}
    with app.test_request_context("/?range=24h"):
        hours = dashboard.received_over_time()
    assert (hours["range"], hours["total"]) == ("24h", 1)
    assert [(b.label, b.value) for b in hours["chart"]["bars"]] == [(now.strftime("%H:00"), 1)]
    with app.test_request_context("/?range=1y"):
        assert dashboard.received_over_time()["range"] == "14d"


def test_the_dashboard_draws_the_chart_and_links_the_counts(admin_ui, client, source_key):
    send(client, source_key, {"Name": "no entity"})
    page = admin_ui.get("/?range=24h").text
    assert len(re.findall(r'<rect class="bar-no-record"', page)) == 1
    assert 'href="/inbox?status=no-record"><b>1</b><span>no-record</span>' in page
    assert '<a href="?range=24h" aria-current="true">24h</a>' in page


def test_failing_push_connections_come_latest_first_with_their_last_error(app, admin_ui):
    fine, _ = enabled_connection("http://127.0.0.1:9/fine")
    flaky, _ = enabled_connection("http://127.0.0.1:9/flaky", name="flaky")
    dead, _ = enabled_connection("http://127.0.0.1:9/dead", name="dead")
    now = utcnow()
    for conn, status, code, error, minutes in [
            (fine, "succeeded", 200, None, 1), (flaky, "failed", 503, "Service Unavailable", 30),
            (flaky, "failed", 0, "connection refused", 20), (dead, "failed", 404, "Not Found", 5)]:
        event = Event.create(id=new_id(), type="record.created", data={}, fanned_out=True)
        Delivery.create(event=event, connection=conn, status=status, attempts=5, last_code=code,
                        last_error=error, updated_at=now - dt.timedelta(minutes=minutes))
    with app.test_request_context():
        failing = dashboard.failing_connections()["connections"]
    assert [(f["connection"].name, f["failed"], f["code"], f["error"]) for f in failing] == [
        ("dead", 1, 404, "Not Found"), ("flaky", 2, 0, "connection refused")]
    page = admin_ui.get("/").text
    assert re.findall(r'<table class="failing-push">.*?</table>', page, re.S)[0].count("<tr>") == 3
