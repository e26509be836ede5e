"""Records: the key index behind upserts, and writing when another writer got there first."""

from __future__ import annotations

import uuid

import pytest

from integrations.inbound.models import Webhook
from processes import records
from processes.models import Record, RecordKey


def test_key_values_are_compared_trimmed_and_case_folded():
    assert records.key_of(["Email"], {"Email": " Ada@Example.COM "}) == records.key_of(
        ["Email"], {"Email": "ada@example.com"})
    assert records.key_of(["Email", "Age"], {"Age": 3, "Email": "a"}) == records.key_of(
        ["Age", "Email"], {"Email": "A", "Age": 3})
    assert records.key_of(["Email", "Age"], {"Email": "a", "Age": 3})[0] == "Age,Email"
    assert records.key_of(["Email"], {"Email": ""}) is None
    assert records.key_of(["Email"], {}) is None


@pytest.fixture
def webhook(client, source_key) -> Webhook:
    answer = client.post(f"/webhooks/{source_key}", json={"EntityName": "Nope"}).json
    return Webhook.get_by_id(answer["id"])


def item(email: str, **data) -> dict:
    return {"entity": "Contact", "role": "main", "upsert": ["Email"], "on_update": "merge",
            "data": {"Id": str(uuid.uuid4()), "Name": "Ada", "Email": email, **data}}


def test_a_record_written_is_found_by_its_key(webhook):
    first = item("ada@example.com")
    first.update(records.place(first, []))
    [done] = records.write([first], webhook)
    assert done["action"] == "created"
    again = item("ADA@example.com", JobTitle="CEO")
    assert records.place(again, []) == {"action": "update", "matched_on": {"Email": "ADA@example.com"}}
    assert again["data"]["Id"] == first["data"]["Id"]


def test_a_key_taken_meanwhile_turns_the_insert_into_an_update(webhook):
    winner = item("ada@example.com")
    winner.update(records.place(winner, []))
    loser = item("ada@example.com", JobTitle="CEO")
    loser.update(records.place(loser, []))
    assert loser["action"] == "create"
    records.write([winner], webhook)
    [done] = records.write([loser], webhook)
    assert done["action"] == "updated" and done["id"] == winner["data"]["Id"]
    assert Record.select().count() == 1
    assert Record.get_by_id(winner["data"]["Id"]).data["JobTitle"] == "CEO"


def test_the_key_follows_the_record_when_the_value_changes(webhook):
    first = item("old@example.com")
    first.update(records.place(first, []))
    records.write([first], webhook)
    moved = {**first, "data": {**first["data"], "Email": "new@example.com"}, "action": "update"}
    records.write([moved], webhook)
    assert records.find_by_key("Contact", records.key_of(["Email"], {"Email": "new@example.com"})) == \
        first["data"]["Id"]
    assert records.find_by_key("Contact", records.key_of(["Email"], {"Email": "old@example.com"})) is None
    assert RecordKey.select().count() == 1


def test_reading_records_through_the_api(client, viewer_token, source_key):
    answer = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead", "Email": "a@b.c"}).json
    viewer = {"Authorization": f"Bearer {viewer_token}"}
    listed = client.get("/api/v1/records?entity=Lead", headers=viewer).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == answer["records"][0]
    one = client.get(f"/api/v1/records/{answer['records'][0]}", headers=viewer).json
    assert one["data"]["Email"] == "a@b.c" and one["webhook_id"] == answer["id"]
    r = client.get("/api/v1/records/nope", headers=viewer)
    assert (r.status_code, r.json["message"]) == (404, "Record 'nope' does not exist.")


def test_records_written_before_an_upsert_rule_are_indexed_for_it(client, admin, source_key, redis_conn):
    from rq import Queue

    from processes import jobs

    old = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead", "Email": "A@b.c"}).json
    client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead"})
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    client.put(f"/api/v1/processes/{process}/definition", headers=admin, json={
        "steps": [{"name": n} for n in ("parse", "map", "typecheck", "resolve", "rules", "create")],
        "rules": [{"name": "u", "entity": "Lead", "actions": [{"action": "upsert", "keys": ["Email"]}]}]})
    [job] = Queue("hookhub", connection=redis_conn).get_jobs()
    assert (job.func_name, job.args) == ("processes.jobs.index_keys", ("Lead", ["Email"]))
    assert jobs.index_keys(*job.args) == 1
    assert jobs.index_keys(*job.args) == 0
    again = client.post(f"/webhooks/{source_key}", json={"EntityName": "Lead", "Email": "a@b.c"}).json
    assert again["records"] == old["records"]
    client.put(f"/api/v1/processes/{process}/definition", headers=admin, json={
        "steps": [{"name": "parse"}]})
    assert len(Queue("hookhub", connection=redis_conn).get_jobs()) == 1
