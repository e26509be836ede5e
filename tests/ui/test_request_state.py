"""Request state under the real `serve`: no browser or API token ever sees another's."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for
from tests.ui.conftest import Live, log_in, new_tab, served

# Requests of each kind are repeated, so that each browser meets each gunicorn worker.
ROUNDS = 4
ADMIN_PAGES = {"/users": "Users", "/push": "Push connections", "/hubs": "Hubs"}


def csrf_token(tab) -> str:
    tab.goto("/login")
    return tab.locator("input[name=csrf_token]").get_attribute("value")


def test_browsers_at_once_each_have_their_own_session(browser, live):
    admin, visitor, viewer = tabs = [new_tab(browser, live) for _ in range(3)]
    try:
        tokens = [{csrf_token(tab) for _ in range(ROUNDS)} for tab in tabs]
        assert not (tokens[0] & tokens[1] or tokens[0] & tokens[2] or tokens[1] & tokens[2])

        log_in(admin, "ada")
        expect(admin.locator("h1")).to_have_text("Dashboard")
        log_in(viewer, "vic")
        expect(viewer).to_have_url(f"{live.url}/records")
        for _ in range(ROUNDS):
            for path, title in ADMIN_PAGES.items():
                assert admin.goto(path).status == 200
                expect(admin.locator("h1")).to_have_text(title)
                assert visitor.goto(path).status == 200
                assert visitor.url == f"{live.url}/login?next={path}"
                expect(visitor.locator("h1")).to_have_text("Log in")
                assert viewer.goto(path).status == 403
                expect(viewer.locator("h1")).to_have_text("Forbidden")
    finally:
        for tab in tabs:
            tab.context.close()


@pytest.fixture
def fresh(live, tmp_path):
    """A served hookhub of its own, of the shared one's backend.

    Its worker must fan out to a connection made now: the shared one's worker has fanned out
    before, and a job does not yet start a new unit of work for the per-process caches.
    """
    with served(live.backend, tmp_path / "fresh") as hub:
        yield Live(hub.base, live.backend, None, None, hub)


def test_each_event_names_the_token_of_its_own_request(fresh, receiver):
    live = fresh
    server = receiver()
    server.expect_request("/actor").respond_with_data("ok")
    names = ("alice", "bob")
    secrets = {name: live.hub.cli("create-token", "--name", name).strip() for name in names}

    def call(path: str, payload: dict, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, answer = live.post(path, json.dumps(payload).encode(), "application/json", headers)
        assert status in (200, 201), answer
        return answer

    key = call("/api/v1/sources", {"name": "actors"}, secrets["alice"])["api_key"]
    contact = {"EntityName": "Contact", "Name": "Ann"}
    # Sent before anyone subscribes, so they raise no event of their own.
    reprocessed = {name: call(f"/webhooks/{key}", {**contact, "Email": f"{name}@example.com"})["id"]
                   for name in names}
    connection = call("/api/v1/push-connections", {
        "name": "actors", "url": server.url_for("/actor"), "version": "1",
        "event_types": ["webhook.received", "webhook.processed"], "entities": [], "sources": [],
        "condition": None, "headers": [{"name": "X-Actor", "value": "{user.name}"}],
        "auth": {"type": "none"}, "attach_files": False}, secrets["alice"])
    call(f"/api/v1/push-connections/{connection['id']}/enable", {}, secrets["alice"])

    expected = []
    for n in range(ROUNDS):
        for name in names:
            call(f"/api/v1/webhooks/{reprocessed[name]}/reprocess", {}, secrets[name])
            expected.append((reprocessed[name], "webhook.processed", name))
            sent = call(f"/webhooks/{key}", {**contact, "Email": f"{name}{n}@example.com"})["id"]
            expected += [(sent, "webhook.received", ""), (sent, "webhook.processed", "")]

    wait_for(lambda: len(server.log) >= len(expected), f"{len(expected)} deliveries")
    delivered = []
    for request, _ in server.log:
        event = request.get_json()
        delivered.append((event["data"]["webhook"]["id"], event["type"], request.headers["X-Actor"]))
    assert sorted(delivered) == sorted(expected)
