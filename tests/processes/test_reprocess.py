"""Reprocess: finished webhooks run again through the current version, records updated in place."""

from __future__ import annotations

import pytest

from integrations.inbound.models import Webhook
from lookups.seed import stable_id
from processes.models import ProcessVersion, Record
from tests.processes.helpers import definition

CANADA = stable_id("country", "CA")
LEAD = {"EntityName": "Lead", "Email": "a@b.c", "CountryId": "Canada"}


@pytest.fixture
def process(client, admin) -> int:
    return client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]


def save(client, admin, process: int, draft: dict) -> int:
    return client.put(f"/api/v1/processes/{process}/definition", headers=admin, json=draft).json["id"]


def test_a_failed_webhook_is_fixed_then_reprocessed_with_a_diff(client, admin, source_key, process):
    failed = client.post(f"/webhooks/{source_key}", json=LEAD).json
    assert failed["status"] == "failed"
    first_version = ProcessVersion.get(ProcessVersion.number == 1).id
    fixed = save(client, admin, process, definition({"resolve": {"match_names": True}}))

    r = client.post(f"/api/v1/webhooks/{failed['id']}/reprocess", headers=admin)
    assert r.status_code == 200
    [record_id] = r.json["records"]
    assert r.json == {"id": failed["id"], "status": "processed", "records": [record_id], "diff": {
        "status": {"from": "failed", "to": "processed"},
        "version": {"from": first_version, "to": fixed},
        "errors": {"from": failed["errors"], "to": []},
        "records": [{"id": record_id, "entity": "Lead", "role": "main", "change": "created",
                     "fields": {"Email": {"from": None, "to": "a@b.c"},
                                "CountryId": {"from": None, "to": CANADA},
                                "Id": {"from": None, "to": record_id}}}]}}
    assert Webhook.get_by_id(failed["id"]).attempts == 2


def test_reprocessing_updates_the_records_it_wrote_never_duplicates(client, admin, source_key, process):
    first = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead", "Email": "a@b.c"}).json
    again = client.post(f"/api/v1/webhooks/{first['id']}/reprocess", headers=admin).json
    assert again["records"] == first["records"]
    assert again["diff"]["records"] == [{"id": first["records"][0], "entity": "Lead", "role": "main",
                                         "change": "unchanged", "fields": {}}]
    save(client, admin, process, definition(rules=[
        {"name": "note", "actions": [{"action": "set", "field": "Commentary", "value": "seen"}]}]))
    changed = client.post(f"/api/v1/webhooks/{first['id']}/reprocess", headers=admin).json
    assert changed["diff"]["records"][0]["change"] == "updated"
    assert changed["diff"]["records"][0]["fields"] == {"Commentary": {"from": None, "to": "seen"}}
    assert Record.select().count() == 1


def test_records_no_longer_written_are_listed(client, admin, source_key, process):
    first = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead", "Email": "a@b.c"}).json
    save(client, admin, process, definition(rules=[{"name": "s", "actions": [{"action": "skip"}]}]))
    again = client.post(f"/api/v1/webhooks/{first['id']}/reprocess", headers=admin).json
    assert again["status"] == "no-record"
    assert again["diff"]["records"] == [{"id": first["records"][0], "change": "not written"}]
    assert Record.select().count() == 1


def test_only_finished_webhooks_can_be_reprocessed(client, admin):
    deferred = client.post("/api/v1/sources", headers=admin, json={"name": "d", "deferred": True}).json
    waiting = client.post(f"/webhooks/{deferred['api_key']}", json=LEAD).json
    r = client.post(f"/api/v1/webhooks/{waiting['id']}/reprocess", headers=admin)
    assert (r.status_code, r.json["message"]) == (409, (
        f"Webhook {waiting['id']} is received; only processed, no-record or failed webhooks can "
        "be reprocessed."))
    r = client.post("/api/v1/webhooks/999999/reprocess", headers=admin)
    assert (r.status_code, r.json["message"]) == (404, "Webhook 999999 does not exist.")


@pytest.fixture
def failures(client, admin, source_key) -> dict:
    other = client.post("/api/v1/sources", headers=admin, json={"name": "other"}).json
    ids = [client.post(f"/webhooks/{key}", json=LEAD).json["id"]
           for key in (source_key, source_key, other["api_key"])]
    client.post(f"/webhooks/{source_key}", json={"EntityName": "Nope"})
    return {"ids": ids, "other": other["id"]}


def test_bulk_reprocess_by_filter_page_by_page(client, admin, process, failures):
    save(client, admin, process, definition({"resolve": {"match_names": True}}))
    page = client.post("/api/v1/webhooks/reprocess", headers=admin, json={"limit": 2}).json
    assert page["matched"] == 3
    assert [i["id"] for i in page["items"]] == failures["ids"][:2]
    assert page["next_after"] == failures["ids"][1]
    rest = client.post("/api/v1/webhooks/reprocess", headers=admin,
                       json={"after": page["next_after"]}).json
    assert ([i["id"] for i in rest["items"]], rest["next_after"]) == ([failures["ids"][2]], None)
    assert {i["status"] for i in page["items"] + rest["items"]} == {"processed"}


def test_bulk_filters(client, admin, failures):
    by_source = client.post("/api/v1/webhooks/reprocess", headers=admin,
                            json={"source": failures["other"]}).json
    assert [i["id"] for i in by_source["items"]] == [failures["ids"][2]]
    no_record = client.post("/api/v1/webhooks/reprocess", headers=admin,
                            json={"status": "no-record"}).json
    assert no_record["matched"] == 1
    future = client.post("/api/v1/webhooks/reprocess", headers=admin,
                         json={"since": "2999-01-01T00:00:00+00:00"}).json
    assert future == {"matched": 0, "items": [], "next_after": None}
    past = client.post("/api/v1/webhooks/reprocess", headers=admin,
                       json={"until": "2000-01-01T00:00:00"}).json
    assert past["matched"] == 0


@pytest.mark.parametrize("body,message", [
    ({"status": "received"}, "status: Must be one of: processed, no-record, failed."),
    ({"limit": 501}, "limit: Must be greater than or equal to 1 and less than or equal to 500."),
    ({"since": "yesterday"}, "since: Not a valid datetime."),
])
def test_bad_bulk_requests(client, admin, body, message):
    r = client.post("/api/v1/webhooks/reprocess", headers=admin, json=body)
    assert (r.status_code, r.json["message"]) == (400, message)
