"""Periodic housekeeping: each task runs as a unit of work, one failing never stops the others."""

from __future__ import annotations

from core import maintenance
from integrations.push import connections, subscribers
from tests.conftest import as_another_process
from tests.integrations.push_fixtures import enabled_connection


def test_each_periodic_run_sees_edits_committed_elsewhere(push_app):
    seen: list[list[str]] = []
    saved = push_app.extensions["hookhub.periodic"]
    push_app.extensions["hookhub.periodic"] = [
        maintenance.PeriodicTask("look", 1, lambda: seen.append(
            sorted(t.name for t in subscribers.current().targets)))]
    try:
        conn, _ = enabled_connection("https://crm.example.com/in", name="crm")
        maintenance.run_due(push_app, now=0)
        as_another_process(lambda: connections.set_enabled(
            connections.get_connection(conn.id), False, "paused"))
        maintenance.run_due(push_app, now=1)
        as_another_process(lambda: enabled_connection("https://erp.example.com/in", name="erp"))
        maintenance.run_due(push_app, now=2)
    finally:
        push_app.extensions["hookhub.periodic"] = saved
    assert seen == [["crm"], [], ["erp"]]


def test_a_failing_task_does_not_stop_the_others(app):
    ran = []

    def broken():
        raise RuntimeError("boom")

    saved = app.extensions.get("hookhub.periodic")
    app.extensions["hookhub.periodic"] = [maintenance.PeriodicTask("broken", 1, broken),
                                          maintenance.PeriodicTask("fine", 1, lambda: ran.append(1))]
    try:
        maintenance.run_due(app, now=0)
        maintenance.run_due(app, now=0.5)
        maintenance.run_due(app, now=1)
    finally:
        app.extensions["hookhub.periodic"] = saved
    assert ran == [1, 1]
