"""Pages of hubs: create with credentials shown once, regenerate, edit, destinations, tests."""

from __future__ import annotations

import html
import re

import pytest

from core.secretbox import unseal
from core.security import secret_matches
from integrations.hubs.service import Hub, HubDestination
from tests.e2e.conftest import wait_for as wait_until
from tests.integrations.push_fixtures import run_worker


def shown(response, element: str) -> str:
    return re.search(rf'id="{element}">([^<]+)<', response.text).group(1)


def make_hub(admin_ui, name: str = "lightico") -> Hub:
    assert admin_ui.submit("/hubs", {"name": name, "description": "Loans"}).status_code == 201
    return Hub.get(Hub.name == name)


def test_a_new_hub_shows_its_credentials_once(admin_ui):
    response = admin_ui.submit("/hubs", {"name": "lightico", "description": "Loans"})
    assert response.status_code == 201
    hub = Hub.get(Hub.name == "lightico")
    api_key, secret = shown(response, "shown-secret"), shown(response, "shown-signing-secret")
    assert shown(response, "shown-client-id") == hub.client_id
    assert secret_matches(api_key, hub.key_hash) and unseal(hub.secret) == secret
    again = admin_ui.get(f"/hubs/{hub.id}").text
    assert api_key not in again and secret not in again and hub.client_id in again
    listing = admin_ui.get("/hubs").text
    assert f'<a href="/hubs/{hub.id}">lightico</a>' in listing and "Loans" in listing


@pytest.mark.parametrize(("name", "status", "message"), [
    ("Lightico", 400, "1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("light-ico", 400, "1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("2nd_hub", 400, "1-64 lower-case letters, digits and underscores, starting with a letter."),
    ("taken", 409, "Hub &#39;taken&#39; already exists."),
])
def test_a_bad_hub_name_is_refused(admin_ui, name, status, message):
    make_hub(admin_ui, "taken")
    response = admin_ui.submit("/hubs", {"name": name})
    assert response.status_code == status
    assert message in response.text
    assert Hub.select().count() == 1


def test_regenerate_replaces_the_api_key(admin_ui):
    hub = make_hub(admin_ui)
    old_hash = hub.key_hash
    response = admin_ui.submit(f"/hubs/{hub.id}/credentials")
    api_key = shown(response, "shown-secret")
    hub = Hub.get_by_id(hub.id)
    assert hub.key_hash != old_hash and secret_matches(api_key, hub.key_hash)
    assert shown(response, "shown-client-id") == hub.client_id
    assert 'id="shown-signing-secret"' not in response.text


def test_edit_and_delete_a_hub(admin_ui):
    hub = make_hub(admin_ui)
    make_hub(admin_ui, "other")
    response = admin_ui.submit(f"/hubs/{hub.id}", {"name": "lightico_two", "description": "New"})
    assert (response.status_code, response.headers["Location"]) == (302, f"/hubs/{hub.id}")
    hub = Hub.get_by_id(hub.id)
    assert (hub.name, hub.description) == ("lightico_two", "New")
    taken = admin_ui.submit(f"/hubs/{hub.id}", {"name": "other"})
    assert taken.status_code == 409 and "Hub &#39;other&#39; already exists." in taken.text
    gone = admin_ui.submit(f"/hubs/{hub.id}/delete")
    assert (gone.status_code, gone.headers["Location"]) == (302, "/hubs")
    assert admin_ui.get(f"/hubs/{hub.id}").status_code == 404


def test_destinations_per_event_type(admin_ui):
    hub = make_hub(admin_ui)
    response = admin_ui.submit(f"/hubs/{hub.id}/destinations", {
        "event_type": "record.created", "url": "https://loans.example.com/in",
        "username": "u", "password": "p"})
    assert response.status_code == 302
    dest = HubDestination.get(HubDestination.hub == hub)
    assert (dest.event_type, dest.url, dest.username, unseal(dest.password)) == (
        "record.created", "https://loans.example.com/in", "u", "p")
    page = html.unescape(admin_ui.get(f"/hubs/{hub.id}").text)
    assert "Hub lightico sends record.created to https://loans.example.com/in." in page
    assert f'action="/hubs/{hub.id}/destinations/record.created/test"' in page
    assert "basic: u" in page and ">p<" not in page
    bad_type = admin_ui.submit(f"/hubs/{hub.id}/destinations",
                               {"event_type": "Bad Type", "url": "https://x.example/"})
    assert bad_type.status_code == 400
    assert "Event type" in bad_type.text and 'value="https://x.example/"' in bad_type.text
    bad_url = admin_ui.submit(f"/hubs/{hub.id}/destinations",
                              {"event_type": "record.updated", "url": "ftp://x/"})
    assert bad_url.status_code == 400
    assert "URL &#39;ftp://x/&#39; must start with http:// or https://." in bad_url.text
    removed = admin_ui.submit(f"/hubs/{hub.id}/destinations/record.created/remove")
    assert removed.status_code == 302
    assert HubDestination.select().count() == 0
    assert admin_ui.submit(f"/hubs/{hub.id}/destinations/record.created/test").status_code == 404


def test_a_destination_test_shows_testing_then_its_outcome(push_app, admin_ui, receiver):
    server = receiver()
    server.expect_request("/loans").respond_with_data("ok")
    hub = make_hub(admin_ui)
    admin_ui.submit(f"/hubs/{hub.id}/destinations",
                    {"event_type": "record.created", "url": server.url_for("/loans")})
    page_url = admin_ui.submit(f"/hubs/{hub.id}/destinations/record.created/test").headers[
        "Location"]
    assert re.fullmatch(rf"/hubs/{hub.id}\?test=ptest_[0-9a-f]{{32}}", page_url)
    pending = admin_ui.get(page_url).text
    assert "<h2>Test of record.created</h2>" in pending and "testing…" in pending
    run_worker()
    done = html.unescape(admin_ui.get(page_url).text)
    assert "testing…" not in done and '<span class="mono">200</span>' in done
    assert server.log[-1][0].path == "/loans"


def test_a_destination_test_no_worker_takes_says_so(app, admin_ui):
    hub = make_hub(admin_ui)
    admin_ui.submit(f"/hubs/{hub.id}/destinations",
                    {"event_type": "record.created", "url": "https://loans.example.com/in"})
    app.config["PUSH_TEST_WAIT_SECONDS"] = 1
    try:
        page_url = admin_ui.submit(f"/hubs/{hub.id}/destinations/record.created/test").headers[
            "Location"]
    finally:
        app.config["PUSH_TEST_WAIT_SECONDS"] = 30
    shown = wait_until(lambda: "testing…" not in (text := html.unescape(admin_ui.get(
        page_url).text)) and text, "the test to expire")
    assert "No worker answered within 1 s; is `python app.py worker` running?" in shown


def test_viewers_cannot_open_hub_pages(viewer_ui):
    assert viewer_ui.get("/hubs").status_code == 403
    assert viewer_ui.submit("/hubs", {"name": "x"}).status_code == 403
    assert Hub.select().count() == 0


def test_a_hub_page_says_its_credentials_are_not_used_yet(admin_ui):
    hub = make_hub(admin_ui, "hub_2")
    page = admin_ui.get(f"/hubs/{hub.id}").text
    assert ('<p class="hint" id="credentials-note">Not used yet: nothing checks the client id and '
            "API key until field mapping uses them to call hookhub.</p>") in page
