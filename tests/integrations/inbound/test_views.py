"""Pages of integrations: sources and keys, the inbox, a webhook's detail, reprocess."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from integrations.inbound.models import Source, Webhook
from integrations.inbound.sources import create_source
from processes.models import Record

SENDER_CANADA = "f8af0e88-f36b-1410-fa98-00155d043204"
LEAD = {"EntityName": "Lead", "Contact": "New user", "Email": "new_user@gmail.com",
        "CountryId": SENDER_CANADA}


def shown_key(response) -> str:
    return re.search(r'id="shown-secret">([^<]+)<', response.text).group(1)


def test_a_new_source_shows_its_key_and_url_once(admin_ui, client):
    response = admin_ui.submit("/sources", {"name": "landing page", "default_entity": "Lead"})
    assert response.status_code == 201
    key = shown_key(response)
    assert f'id="shown-url">http://hookhub.test/webhooks/{key}<' in response.text
    source = Source.get(Source.name == "landing page")
    assert (source.default_entity, source.deferred, source.key_prefix) == ("Lead", False, key[:8])
    assert key not in admin_ui.get("/sources").text
    assert key not in admin_ui.get(f"/sources/{source.id}").text
    assert client.post(f"/webhooks/{key}", json={"Email": "a@b.c"}).json["status"] == "processed"


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"name": ""}, 400, "1-100 letters, digits, spaces, _ . or -, starting with a letter or digit."),
    ({"name": "landing"}, 409, "Source &#39;landing&#39; already exists."),
])
def test_a_bad_source_is_refused_at_its_field(admin_ui, source_key, form, status, message):
    response = admin_ui.submit("/sources", form)
    assert response.status_code == status
    assert message in response.text
    assert Source.select().count() == 1


def test_rotate_shows_a_new_key_and_the_old_one_stops(admin_ui, client, source_key):
    source = Source.get(Source.name == "landing")
    response = admin_ui.submit(f"/sources/{source.id}/rotate")
    new_key = shown_key(response)
    assert new_key != source_key
    assert client.post(f"/webhooks/{source_key}", json={}).status_code == 401
    assert client.post(f"/webhooks/{new_key}", json={}).status_code == 200


def test_revoke_stops_the_key(admin_ui, client, source_key):
    source = Source.get(Source.name == "landing")
    response = admin_ui.submit(f"/sources/{source.id}/revoke")
    assert (response.status_code, response.headers["Location"]) == (302, f"/sources/{source.id}")
    assert "The key of landing is revoked; its webhooks now get 401." in \
        html.unescape(admin_ui.get(f"/sources/{source.id}").text)
    assert client.post(f"/webhooks/{source_key}", json={}).status_code == 401


def test_source_settings_are_saved(admin_ui, source_key):
    source = Source.get(Source.name == "landing")
    other = create_source("other")[0]
    response = admin_ui.submit(f"/sources/{source.id}", {"name": "landing-v2", "deferred": "on",
                                                         "default_entity": "Contact"})
    assert response.status_code == 302
    source = Source.get_by_id(source.id)
    assert (source.name, source.deferred, source.default_entity) == ("landing-v2", True, "Contact")
    taken = admin_ui.submit(f"/sources/{source.id}", {"name": other.name})
    assert taken.status_code == 409
    assert "Source &#39;other&#39; already exists." in taken.text


def post(client, key: str, body: dict) -> int:
    return client.post(f"/webhooks/{key}", json=body).json["id"]


def inbox_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/inbox/(\d+)">#', page)]


def test_the_inbox_filters_by_status_source_and_time(admin_ui, client, source_key):
    other_key = create_source("other")[1]
    failed = post(client, source_key, LEAD)
    contact = post(client, source_key, {"EntityName": "Contact", "Name": "Ann"})
    stray = post(client, other_key, {"Name": "no entity"})
    old = post(client, other_key, {"EntityName": "Contact", "Name": "Old"})
    Webhook.update(received_at=dt.datetime(2024, 1, 1)).where(Webhook.id == old).execute()
    other_id = Source.get(Source.name == "other").id
    assert inbox_ids(admin_ui.get("/inbox").text) == [old, stray, contact, failed]
    assert inbox_ids(admin_ui.get("/inbox?status=failed").text) == [failed]
    assert inbox_ids(admin_ui.get(f"/inbox?source={other_id}").text) == [old, stray]
    assert inbox_ids(admin_ui.get("/inbox?until=2025-01-01T00:00").text) == [old]
    assert inbox_ids(admin_ui.get("/inbox?since=2025-01-01T00:00&status=no-record").text) == [stray]


def test_the_inbox_pages_by_older_ids(admin_ui, client, source_key, monkeypatch):
    monkeypatch.setattr("integrations.inbound.views.INBOX_PAGE", 2)
    ids = [post(client, source_key, {"Name": str(i)}) for i in range(3)]
    first = admin_ui.get("/inbox").text
    assert inbox_ids(first) == [ids[2], ids[1]]
    assert f'href="/inbox?before={ids[1]}" rel="next">Older' in first
    assert inbox_ids(admin_ui.get(f"/inbox?before={ids[1]}").text) == [ids[0]]


def test_a_bad_inbox_filter_is_named(admin_ui):
    response = admin_ui.get("/inbox?since=yesterday&status=lost")
    assert response.status_code == 400
    assert "Not a valid datetime." in response.text
    assert "Must be one of: received, processing, processed, no-record, failed." in response.text


def test_a_webhook_page_shows_payload_trace_and_field_errors(admin_ui, client, source_key):
    webhook_id = post(client, source_key, LEAD)
    page = html.unescape(admin_ui.get(f"/inbox/{webhook_id}").text)
    assert f"Webhook #{webhook_id} <span class=\"badge badge-failed\">failed</span>" in page
    assert re.findall(r"<b>\d\. (\w+)</b>", page) == [
        "dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]
    assert (f'<tr><td class="mono">CountryId</td><td class="mono">{SENDER_CANADA}</td>'
            f"<td>No row with id '{SENDER_CANADA}' in lookup 'Countries'.</td></tr>") in page
    assert '"Email": "new_user@gmail.com"' in page
    assert f'action="/inbox/{webhook_id}/reprocess"' in page


def test_reprocess_after_fixing_the_lookup_makes_the_record(admin_ui, client, admin, source_key):
    webhook_id = post(client, source_key, LEAD)
    client.post("/api/v1/lookups/Countries/rows", headers=admin,
                json={"id": SENDER_CANADA, "name": "Canada (sender)"})
    response = admin_ui.submit(f"/inbox/{webhook_id}/reprocess")
    assert (response.status_code, response.headers["Location"]) == (302, f"/inbox/{webhook_id}")
    webhook = Webhook.get_by_id(webhook_id)
    assert (webhook.status, webhook.errors, webhook.attempts) == ("processed", [], 2)
    [record_id] = webhook.record_ids
    page = html.unescape(admin_ui.get(f"/inbox/{webhook_id}").text)
    assert f"Webhook #{webhook_id} was reprocessed: processed; record {record_id} created." in page
    assert f'href="/records/{record_id}"' in page
    again = admin_ui.submit(f"/inbox/{webhook_id}/reprocess")
    assert again.status_code == 302
    assert (f"Webhook #{webhook_id} was reprocessed: processed; record {record_id} unchanged."
            in html.unescape(admin_ui.get(f"/inbox/{webhook_id}").text))
    assert Record.select().count() == 1


def test_an_unknown_webhook_is_404(admin_ui):
    assert admin_ui.get("/inbox/999999").status_code == 404
    assert admin_ui.submit("/inbox/999999/reprocess").status_code == 404
