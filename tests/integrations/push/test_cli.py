"""Command line: push-connection create/list/enable/disable and retry-deliveries."""

from __future__ import annotations

from integrations.push.connections import PushConnection
from integrations.push.delivery import Delivery
from integrations.push.events import emit
from tests.integrations.push_fixtures import run_worker


def test_create_list_enable_disable(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["push-connection", "create", "crm", "https://crm.example.com/in",
                                 "-e", "record.created", "-e", "webhook.failed",
                                 "--header", "X-Event: {event.type}", "--bearer", "tok"])
    assert result.exit_code == 0, result.output
    conn = PushConnection.get(PushConnection.name == "crm")
    first, second = result.output.splitlines()
    assert first == f"push connection {conn.id}: crm (disabled)"
    assert second.startswith("signing secret: whsec_")
    assert (conn.event_types, conn.headers, conn.auth_type) == (
        ["record.created", "webhook.failed"], [{"name": "X-Event", "value": "{event.type}"}],
        "bearer")
    assert runner.invoke(args=["push-connection", "enable", "crm"]).output == "enabled crm\n"
    listed = runner.invoke(args=["push-connection", "list"]).output
    assert listed == (f"{conn.id}\tcrm\tenabled\trecord.created,webhook.failed\t"
                      "https://crm.example.com/in\n")
    assert runner.invoke(args=["push-connection", "disable", str(conn.id)]).output == (
        "disabled crm\n")


def test_create_refuses_bad_input(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["push-connection", "create", "crm", "https://crm.example.com/",
                                 "-e", "ping", "--header", "Host: x"])
    assert result.exit_code == 1
    assert result.output == ("Error: event_types.0: Event type 'ping' is only sent by "
                             "connectivity tests.; headers.0.name: Header 'Host' is set by "
                             "hookhub and cannot be overridden.\n")
    result = runner.invoke(args=["push-connection", "enable", "nope"])
    assert result.output == "Error: Push connection 'nope' does not exist.\n"


def test_retry_deliveries_with_a_progress_bar(push_app, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("no", status=404)
    runner = push_app.test_cli_runner()
    runner.invoke(args=["push-connection", "create", "crm", server.url_for("/hook"),
                        "-e", "record.created", "--enable"])
    for _ in range(3):
        emit("record.created", {"record": {"id": "r", "entity": "Lead", "data": {}}})
    run_worker()
    assert {d.status for d in Delivery.select()} == {"failed"}
    server.clear()
    server.expect_request("/hook").respond_with_data("ok")
    result = runner.invoke(args=["retry-deliveries", "--connection", "crm"])
    assert result.exit_code == 0, result.output
    assert "Retrying deliveries" in result.output
    assert result.output.endswith("3 of 3 delivered\n")
    assert {d.status for d in Delivery.select()} == {"succeeded"}
    usage = runner.invoke(args=["retry-deliveries"])
    assert usage.exit_code == 2 and "Give either --connection or delivery ids." in usage.output
