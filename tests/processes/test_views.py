"""Pages of processes: records for viewers (list, search, filters, sort, paging, detail, CSV)."""

from __future__ import annotations

import html
import re

import pytest

from integrations.inbound.sources import create_source
from processes.models import Record

SENDER_CANADA = "f8af0e88-f36b-1410-fa98-00155d043204"


@pytest.fixture
def contacts(app, client, admin):
    """Four contacts from two sources, the last one with a country."""
    client.post("/api/v1/lookups/Countries/rows", headers=admin,
                json={"id": SENDER_CANADA, "name": "Canada (sender)"})
    web_key, form_key = create_source("web")[1], create_source("form")[1]
    sent = [(web_key, {"Name": "Ann", "Age": 30}), (web_key, {"Name": "Bob", "Age": 25}),
            (form_key, {"Name": "Cid", "Age": 40}),
            (form_key, {"Name": "Dee", "Email": "dee@x.io", "CountryId": SENDER_CANADA})]
    ids = {}
    for key, body in sent:
        answer = client.post(f"/webhooks/{key}", json={"EntityName": "Contact", **body}).json
        ids[body["Name"]] = answer["records"][0]
    return ids


def listed(response) -> list[str]:
    assert response.status_code == 200, response.text
    return re.findall(r"<td>(Ann|Bob|Cid|Dee)</td>", response.text)


def test_a_viewer_lists_searches_filters_and_sorts(viewer_ui, contacts):
    assert listed(viewer_ui.get("/records?entity=Contact")) == ["Dee", "Cid", "Bob", "Ann"]
    assert listed(viewer_ui.get("/records?entity=Contact&q=dee@")) == ["Dee"]
    assert listed(viewer_ui.get("/records?entity=Contact&field=Age&value=25")) == ["Bob"]
    form_id = Record.get_by_id(contacts["Cid"]).source_id
    assert listed(viewer_ui.get(f"/records?entity=Contact&source={form_id}")) == ["Dee", "Cid"]
    assert listed(viewer_ui.get("/records?entity=Contact&sort=Age")) == ["Bob", "Ann", "Cid", "Dee"]
    assert listed(viewer_ui.get("/records?entity=Contact&sort=created&size=2&page=2")) == [
        "Cid", "Dee"]


def test_records_show_lookup_names(viewer_ui, contacts):
    page = viewer_ui.get("/records?entity=Contact&q=dee").text
    assert "<td>Canada (sender)</td>" in page


def test_a_bad_filter_is_named_and_the_list_still_shows(viewer_ui, contacts):
    response = viewer_ui.get("/records?entity=Contact&field=Age&value=old")
    assert response.status_code == 400
    assert "Age: Not a valid integer." in response.text
    assert len(re.findall(r"<td>(Ann|Bob|Cid|Dee)</td>", response.text)) == 4


def test_an_unknown_entity_is_404(viewer_ui):
    response = viewer_ui.get("/records?entity=Nope")
    assert response.status_code == 404
    assert "There is no entity Nope." in response.text


def test_the_record_page_shows_its_fields_and_source_webhook(viewer_ui, contacts):
    record = Record.get_by_id(contacts["Dee"])
    page = html.unescape(viewer_ui.get(f"/records/{record.id}").text)
    assert "<h1>Dee</h1>" in page
    assert f'Canada (sender) <small class="mono">{SENDER_CANADA}</small>' in page
    assert f"#{record.webhook_id} <span class=\"badge badge-processed\">processed</span>" in page
    assert "<dt>Source</dt><dd>form</dd>" in page
    assert f'href="/inbox/{record.webhook_id}"' not in page
    assert viewer_ui.get("/records/nope").status_code == 404


def test_admins_get_a_link_to_the_webhook(admin_ui, contacts):
    record = Record.get_by_id(contacts["Ann"])
    assert f'href="/inbox/{record.webhook_id}"' in admin_ui.get(f"/records/{record.id}").text


def test_the_csv_export_follows_the_filters(viewer_ui, contacts):
    response = viewer_ui.get("/records/export.csv?entity=Contact&sort=Age&field=Age&value=30")
    assert response.headers["Content-Disposition"] == 'attachment; filename="Contact.csv"'
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == ("Id,Name,GivenName,Surname,Email,MobilePhone,JobTitle,BirthDate,Age,"
                        "IsEmailConfirmed,CountryId,created_at,updated_at,webhook_id,source_id")
    assert [line.split(",")[1] for line in lines[1:]] == ["Ann"]
    assert lines[1].startswith(f"{contacts['Ann']},Ann,,,,,,,30,,,")


def test_the_records_api_searches_and_sorts(client, contacts, viewer_token):
    headers = {"Authorization": f"Bearer {viewer_token}"}
    answer = client.get("/api/v1/records?entity=Contact&sort=-Age&limit=2", headers=headers).json
    assert answer["total"] == 4
    assert [r["data"]["Name"] for r in answer["items"]] == ["Cid", "Ann"]
    assert client.get("/api/v1/records?q=dee@x", headers=headers).json["total"] == 1
    bad = client.get("/api/v1/records?entity=Contact&sort=Shoe", headers=headers)
    assert (bad.status_code, bad.json["message"]) == (400, "sort: cannot sort by 'Shoe'.")
