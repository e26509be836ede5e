"""Dry runs: a saved process or a draft, with the full trace, errors, records and events."""

from __future__ import annotations

import pytest

from tests.processes.helpers import FORM, definition, draft_run


@pytest.fixture
def process(client, admin) -> dict:
    return client.get("/api/v1/processes", headers=admin).json["items"][0]


def test_a_saved_process_runs_its_active_version(client, admin, process):
    client.put(f"/api/v1/processes/{process['id']}/definition", headers=admin, json=definition(rules=[
        {"name": "hot", "actions": [{"action": "emit", "event": "lead.hot"}]}]))
    r = client.post(f"/api/v1/processes/{process['id']}/dry-run", headers=admin,
                    json={"payload": {"EntityName": "Lead", "Email": "a@b.c"}})
    assert r.status_code == 200
    body = r.json
    assert (body["status"], body["entity"], body["process_id"], body["version"]) == (
        "processed", "Lead", process["id"], 2)
    assert body["events"] == [{"type": "lead.hot", "data": {}}]
    assert body["records"] == [{"entity": "Lead", "role": "main", "action": "create",
                                "id": body["records"][0]["id"],
                                "data": {"Email": "a@b.c", "Id": body["records"][0]["id"]}}]


def test_a_failing_run_reports_errors_and_no_records(client, admin):
    body = draft_run(client, admin, definition(), {"EntityName": "Lead", "Budget": "x"})
    assert (body["status"], body["records"], body["version"]) == ("failed", [], None)
    assert body["errors"] == [{"field": "Budget", "value": "x", "message": "Not a valid decimal."}]


def test_a_source_gives_its_default_entity_and_form_posts_are_checked_for_duplicates(client, admin):
    source = client.post("/api/v1/sources", headers=admin,
                         json={"name": "s", "default_entity": "FormSubmit"}).json
    body = draft_run(client, admin, definition(), {"Name": "Ada"}, source=source["id"],
                     content_type=FORM)
    assert body["entity"] == "FormSubmit"
    assert body["trace"][0]["checked"] is True


@pytest.mark.parametrize("path,body,status,message", [
    ("/api/v1/processes/dry-run", {"payload": {}}, 400, "definition: Missing data for required field."),
    ("/api/v1/processes/dry-run", {"definition": {"steps": [{"name": "parse"}]}}, 400,
     "payload: Missing data for required field."),
    ("/api/v1/processes/dry-run", {"definition": {"steps": [{"name": "parse"}]}, "payload": [1]}, 400,
     "payload: Not a valid mapping type."),
    ("/api/v1/processes/dry-run", {"definition": {"steps": [{"name": "parse"}]}, "payload": {},
                                   "content_type": "text/xml"}, 400,
     "content_type: Must be one of: application/json, application/x-www-form-urlencoded, "
     "multipart/form-data."),
    ("/api/v1/processes/dry-run", {"definition": {"steps": [{"name": "parse"}]}, "payload": {},
                                   "source": 999999}, 404, "Source 999999 does not exist."),
    ("/api/v1/processes/999999/dry-run", {"payload": {}}, 404, "Process 999999 does not exist."),
])
def test_bad_dry_runs(client, admin, path, body, status, message):
    r = client.post(path, headers=admin, json=body)
    assert (r.status_code, r.json["message"]) == (status, message)
