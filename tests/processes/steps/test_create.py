"""Step create record: new or updated records, its on_update option, and Ids from the payload."""

from __future__ import annotations

import pytest

from processes.models import Record
from tests.processes.helpers import definition, draft_run

ID = "0b7e3c1a-5d2f-4f6e-9a8b-1c2d3e4f5a6b"


@pytest.fixture
def stored(client, source_key):
    answer = client.post(f"/webhooks/{source_key}", json={
        "EntityName": "Lead", "Id": ID, "Email": "a@b.c", "Commentary": "first"}).json
    assert answer["records"] == [ID]


@pytest.mark.parametrize("choice,data", [
    ("merge", {"Id": ID, "Email": "a@b.c", "Commentary": "second"}),
    ("replace", {"Id": ID, "Commentary": "second"}),
])
def test_on_update_merges_or_replaces(client, admin, source_key, stored, choice, data):
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    client.put(f"/api/v1/processes/{process}/definition", headers=admin,
               json=definition({"create": {"on_update": choice}}))
    answer = client.post(f"/webhooks/{source_key}",
                         json={"EntityName": "Lead", "Id": ID, "Commentary": "second"}).json
    assert answer["records"] == [ID]
    assert Record.get_by_id(ID).data == data
    assert Record.select().count() == 1


def test_an_id_of_another_entity_fails(client, admin, stored):
    answer = draft_run(client, admin, definition(), {"EntityName": "FormSubmit", "Id": ID})
    assert answer["status"] == "failed"
    assert answer["errors"] == [{"field": "Id", "value": ID,
                                 "message": f"Record '{ID}' is a Lead, not a FormSubmit."}]


def test_the_dry_run_says_update_for_a_known_id(client, admin, stored):
    answer = draft_run(client, admin, definition(), {"EntityName": "Lead", "Id": ID})
    assert answer["records"] == [{"entity": "Lead", "role": "main", "action": "update", "id": ID,
                                  "data": {"Id": ID}}]
