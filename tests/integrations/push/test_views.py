"""Pages of push connections: create, edit, enable, rotate, test, the delivery log, retries."""

from __future__ import annotations

import html
import re

import pytest

from core.secretbox import unseal
from integrations.inbound.sources import create_source
from integrations.push.connections import PushConnection
from integrations.push.delivery import Delivery, DeliveryAttempt
from integrations.push.events import emit
from tests.e2e.conftest import wait_for as wait_until
from tests.integrations.push_fixtures import enabled_connection, run_worker

FORM = {"name": "crm", "url": "https://hooks.example.com/in", "version": "2",
        "event_types": "record.created, webhook.failed", "condition": "",
        "headers": "X-Api-Key: k-{event.id}\n\nX-Team: sales", "auth_type": "bearer",
        "token": "tok-1"}


def shown_secret(response) -> str:
    return re.search(r'id="shown-secret">([^<]+)<', response.text).group(1)


def page_text(response) -> str:
    return html.unescape(response.text)


def test_a_new_connection_shows_its_secret_once_and_starts_disabled(admin_ui, app):
    source = create_source("landing")[0]
    response = admin_ui.submit("/push", {**FORM, "entities": ["Lead", "Contact"],
                                          "sources": [str(source.id)], "attach_files": "on"})
    assert response.status_code == 201
    secret = shown_secret(response)
    conn = PushConnection.get(PushConnection.name == "crm")
    assert unseal(conn.secret) == secret and secret.startswith("whsec_")
    assert (conn.enabled, conn.version, conn.event_types, conn.entities, conn.sources) == (
        False, "2", ["record.created", "webhook.failed"], ["Lead", "Contact"], [source.id])
    assert conn.headers == [{"name": "X-Api-Key", "value": "k-{event.id}"},
                            {"name": "X-Team", "value": "sales"}]
    assert (conn.auth_type, unseal(conn.auth_secret), conn.attach_files) == ("bearer", "tok-1", True)
    assert secret not in admin_ui.get(f"/push/{conn.id}").text
    listing = admin_ui.get("/push").text
    assert f'<a href="/push/{conn.id}">crm</a>' in listing
    assert '<span class="badge badge-disabled">disabled</span>' in listing


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"url": "gopher://x/"}, 400, "URL &#39;gopher://x/&#39; must start with http:// or https://."),
    ({"event_types": ""}, 400, "Length must be between 1 and 50."),
    ({"event_types": "record.created Bad!"}, 400, "1: Event type"),
    ({"headers": "X-A: a{oops}"}, 400, "0.value: Unknown variable {oops}"),
    ({"auth_type": "basic", "token": "", "username": "u"}, 400, "Required for basic auth."),
    ({"entities": ["Nope"]}, 400, "0: Entity &#39;Nope&#39; does not exist."),
    ({"name": "taken"}, 409, "Push connection &#39;taken&#39; already exists."),
])
def test_a_bad_connection_is_refused_at_its_field(admin_ui, app, form, status, message):
    enabled_connection("https://hooks.example.com/other", name="taken")
    response = admin_ui.submit("/push", {**FORM, **form})
    assert response.status_code == status
    assert message in response.text
    assert PushConnection.select().count() == 1
    assert 'value="https://hooks.example.com/in"' in response.text or "url" in form


def test_an_edit_keeps_stored_credentials_unless_new_ones_are_typed(admin_ui, app):
    admin_ui.submit("/push", FORM)
    conn = PushConnection.get(PushConnection.name == "crm")
    response = admin_ui.submit(f"/push/{conn.id}", {**FORM, "name": "crm-v2", "token": ""})
    assert (response.status_code, response.headers["Location"]) == (302, f"/push/{conn.id}")
    conn = PushConnection.get_by_id(conn.id)
    assert (conn.name, conn.auth_type, unseal(conn.auth_secret)) == ("crm-v2", "bearer", "tok-1")
    page = page_text(admin_ui.get(f"/push/{conn.id}"))
    assert "Push connection crm-v2 is saved." in page
    assert "X-Api-Key: ***\nX-Team: sales</textarea>" in page
    assert "tok-1" not in page
    # The form sent back as shown keeps the secret header's stored value.
    admin_ui.submit(f"/push/{conn.id}", {**FORM, "name": "crm-v2", "token": "",
                                         "headers": "X-Api-Key: ***\nX-Team: sales"})
    assert PushConnection.get_by_id(conn.id).headers == [
        {"name": "X-Api-Key", "value": "k-{event.id}"}, {"name": "X-Team", "value": "sales"}]
    admin_ui.submit(f"/push/{conn.id}", {**FORM, "name": "crm-v2", "auth_type": "basic",
                                         "username": "u", "password": "p"})
    conn = PushConnection.get_by_id(conn.id)
    assert (conn.auth_type, conn.auth_username, unseal(conn.auth_secret)) == ("basic", "u", "p")
    bad = admin_ui.submit(f"/push/{conn.id}", {**FORM, "name": "", "url": "https://new.example/"})
    assert bad.status_code == 400
    assert 'value="https://new.example/"' in bad.text
    assert PushConnection.get_by_id(conn.id).name == "crm-v2"


def test_enable_disable_rotate_and_delete(admin_ui, app):
    admin_ui.submit("/push", FORM)
    conn = PushConnection.get(PushConnection.name == "crm")
    old = unseal(conn.secret)
    assert admin_ui.submit(f"/push/{conn.id}/enable").status_code == 302
    assert PushConnection.get_by_id(conn.id).enabled is True
    assert "Push connection crm is enabled." in admin_ui.get(f"/push/{conn.id}").text
    admin_ui.submit(f"/push/{conn.id}/disable")
    conn = PushConnection.get_by_id(conn.id)
    assert (conn.enabled, conn.disabled_reason) == (False, "Disabled by an admin.")
    rotated = admin_ui.submit(f"/push/{conn.id}/rotate", {"overlap_seconds": "3600"})
    secret = shown_secret(rotated)
    conn = PushConnection.get_by_id(conn.id)
    assert (unseal(conn.secret), unseal(conn.previous_secret)) == (secret, old)
    assert "the previous secret still signs until" in rotated.text
    bad = admin_ui.submit(f"/push/{conn.id}/rotate", {"overlap_seconds": "-1"})
    assert bad.status_code == 400
    assert "Must be greater than or equal to 0 and less than or equal to 604800." in bad.text
    gone = admin_ui.submit(f"/push/{conn.id}/delete")
    assert (gone.status_code, gone.headers["Location"]) == (302, "/push")
    assert PushConnection.select().count() == 0
    assert admin_ui.get(f"/push/{conn.id}").status_code == 404


def test_a_test_shows_testing_at_once_then_its_outcome(push_app, admin_ui, receiver):
    server = receiver()
    server.expect_request("/ping").respond_with_data("pong")
    conn, _ = enabled_connection(server.url_for("/ping"))
    started = admin_ui.submit(f"/push/{conn.id}/test")
    assert started.status_code == 302
    page_url = started.headers["Location"]
    test_id = re.fullmatch(rf"/push/{conn.id}\?test=(ptest_[0-9a-f]{{32}})", page_url).group(1)
    pending = admin_ui.get(page_url).text
    assert f'id="test-result" aria-live="polite" aria-busy="true" data-poll="{page_url}"' in pending
    assert "testing…" in pending and server.log == []
    run_worker()
    done = page_text(admin_ui.get(page_url))
    assert "data-poll" not in done and "testing…" not in done
    assert re.search(r"<dt>Response code</dt><dd><span class=\"badge badge-ok\">ok</span> "
                     r"<span class=\"mono\">200</span></dd>", done)
    assert "<dt>Error</dt><dd>—</dd>" in done
    assert len(server.log) == 1
    # The outcome belongs to its connection: another's page does not show it.
    other, _ = enabled_connection(server.url_for("/ping"), name="other")
    assert "test-result" not in admin_ui.get(f"/push/{other.id}?test={test_id}").text
    assert "test-result" not in admin_ui.get(f"/push/{conn.id}?test=nope").text


def test_a_test_no_worker_takes_says_so(push_app, admin_ui):
    admin_ui.submit("/push", FORM)
    conn = PushConnection.get(PushConnection.name == "crm")
    push_app.config["PUSH_TEST_WAIT_SECONDS"] = 1
    try:
        page_url = admin_ui.submit(f"/push/{conn.id}/test").headers["Location"]
    finally:
        push_app.config["PUSH_TEST_WAIT_SECONDS"] = 30
    assert "testing…" in admin_ui.get(page_url).text
    shown = wait_until(lambda: "testing…" not in (text := page_text(admin_ui.get(page_url)))
                       and text, "the test to expire")
    assert "<dt>Error</dt><dd>No worker answered within 1 s; is `python app.py worker` " \
           "running?</dd>" in shown


def attempt_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/push/\d+/log/(\d+)">#', page)]


def test_the_log_filters_shows_an_attempt_and_retries(push_app, admin_ui, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_data("nope", status=400)
    conn, _ = enabled_connection(server.url_for("/hook"),
                                 event_types=["record.created", "webhook.received"])
    for kind in ("record.created", "webhook.received"):
        emit(kind, {"record": {"id": "r", "entity": "Lead", "data": {}}})
    run_worker()
    assert {d.status for d in Delivery.select()} == {"failed"}
    log = f"/push/{conn.id}/log"
    everything = attempt_ids(admin_ui.get(log).text)
    assert len(everything) == DeliveryAttempt.select().count() >= 2
    created = [a.id for a in DeliveryAttempt.select().where(
        DeliveryAttempt.event_type == "record.created").order_by(DeliveryAttempt.id.desc())]
    assert attempt_ids(admin_ui.get(f"{log}?event_type=record.created&status=failed").text) == created
    assert attempt_ids(admin_ui.get(f"{log}?status=succeeded").text) == []
    assert attempt_ids(admin_ui.get(f"{log}?since=2999-01-01T00:00").text) == []
    bad = admin_ui.get(f"{log}?status=meh")
    assert bad.status_code == 400 and "Must be one of: succeeded, failed." in bad.text

    one = admin_ui.get(f"{log}/{created[0]}")
    page = page_text(one)
    assert f"Attempt #{created[0]} " in page and "HTTP 400 Bad Request" in page
    assert '"webhook-id":' in page and "nope</pre>" in page
    attempt = DeliveryAttempt.get_by_id(created[0])
    assert f'action="/push/{conn.id}/deliveries/{attempt.delivery_id}/retry"' in page

    server.clear()
    server.expect_request("/hook").respond_with_data("ok")
    again = admin_ui.submit(f"/push/{conn.id}/deliveries/{attempt.delivery_id}/retry",
                            {"back": f"{log}/{created[0]}"})
    assert (again.status_code, again.headers["Location"]) == (302, f"{log}/{created[0]}")
    run_worker()
    assert Delivery.get_by_id(attempt.delivery_id).status == "succeeded"
    done = admin_ui.submit(f"/push/{conn.id}/deliveries/{attempt.delivery_id}/retry")
    assert done.headers["Location"] == log
    assert f"Delivery {attempt.delivery_id} has already succeeded." in \
        page_text(admin_ui.get(log))
    all_failed = admin_ui.submit(f"/push/{conn.id}/retry")
    assert all_failed.headers["Location"] == log
    assert "1 failed deliveries of crm are queued to be sent again." in page_text(admin_ui.get(log))
    run_worker()
    assert {d.status for d in Delivery.select()} == {"succeeded"}
    assert admin_ui.get(f"{log}/999999").status_code == 404


def test_viewers_cannot_open_push_pages(viewer_ui):
    assert viewer_ui.get("/push").status_code == 403
    assert viewer_ui.submit("/push", FORM).status_code == 403
    assert PushConnection.select().count() == 0
