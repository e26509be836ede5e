"""Processes as versioned data: every edit a new immutable version, webhooks pinned to theirs."""

from __future__ import annotations

import logging
import re

import pytest

from integrations.inbound.models import Webhook
from processes import definitions
from processes.models import Process, ProcessVersion
from tests.processes.helpers import definition

LEAD = {"EntityName": "Lead", "Email": "a@example.com"}


@pytest.fixture
def default(client, admin) -> dict:
    [process] = client.get("/api/v1/processes", headers=admin).json["items"]
    return process


def put(client, admin, process_id: int, draft: dict):
    return client.put(f"/api/v1/processes/{process_id}/definition", headers=admin, json=draft)


def test_the_default_process_is_seeded_with_the_stock_steps(default):
    assert default["name"] == "default" and default["is_default"] is True
    assert default["version"] == 1 and default["sources"] == []
    assert [s["name"] for s in default["definition"]["steps"]] == [
        "dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]
    assert default["definition"]["steps"][3] == {"name": "typecheck", "enabled": True, "options": {
        "date_formats": ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y",
                         "%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y/%m/%d"],
        "strict_booleans": False, "invalid_optional": "fail", "decimal_comma": False,
        "max_length": 10000}}


def test_every_edit_is_a_new_version_and_old_ones_stay_as_they_were(client, admin, default):
    first = default["definition"]
    saved = put(client, admin, default["id"], definition(rules=[
        {"id": "no-test", "name": "No test leads", "when": {"ends_with": [{"field": "Email"}, ".test"]},
         "actions": [{"action": "skip"}]}]))
    assert saved.status_code == 201
    assert (saved.json["number"], saved.json["active"], saved.json["based_on"]) == (
        2, True, default["version_id"])
    versions = client.get(f"/api/v1/processes/{default['id']}/versions", headers=admin).json["items"]
    assert [(v["number"], v["active"]) for v in versions] == [(2, True), (1, False)]
    old = client.get(f"/api/v1/processes/{default['id']}/versions/1", headers=admin).json
    assert old["definition"] == first
    assert ProcessVersion.select().where(ProcessVersion.process == default["id"]).count() == 2


def test_each_webhook_records_the_version_that_processed_it(client, admin, source_key, default):
    one = client.post(f"/webhooks/{source_key}", json=LEAD).json
    put(client, admin, default["id"], definition({"create": {"on_update": "replace"}}))
    two = client.post(f"/webhooks/{source_key}", json=LEAD).json
    versions = {v.number: v.id for v in ProcessVersion.select()}
    assert Webhook.get_by_id(one["id"]).process_version == versions[1]
    assert Webhook.get_by_id(two["id"]).process_version == versions[2]
    shown = client.get(f"/api/v1/webhooks/{two['id']}", headers=admin).json
    assert shown["process_version"] == versions[2]


def test_pinning_an_older_version_runs_it_again(client, admin, source_key, default):
    put(client, admin, default["id"], definition(rules=[
        {"name": "Reject all", "actions": [{"action": "reject", "reason": "Closed for the day."}]}]))
    assert client.post(f"/webhooks/{source_key}", json=LEAD).json["status"] == "failed"
    pinned = client.post(f"/api/v1/processes/{default['id']}/versions/1/activate", headers=admin)
    assert pinned.status_code == 200 and pinned.json["active"] is True
    assert client.post(f"/webhooks/{source_key}", json=LEAD).json["status"] == "processed"
    assert client.get(f"/api/v1/processes/{default['id']}", headers=admin).json["version"] == 1


def test_an_edit_after_pinning_starts_from_the_pinned_version(client, admin, default):
    put(client, admin, default["id"], definition({"parse": {"separator": "/"}}))
    client.post(f"/api/v1/processes/{default['id']}/versions/1/activate", headers=admin)
    patched = client.patch(f"/api/v1/processes/{default['id']}", headers=admin, json={"active": False})
    assert patched.json["version"] == 3
    assert patched.json["definition"]["steps"][1]["options"] == {"separator": "."}


def test_a_deactivated_process_stores_webhooks_without_records(client, admin, source_key, default):
    patched = client.patch(f"/api/v1/processes/{default['id']}", headers=admin, json={"active": False})
    assert patched.status_code == 200 and patched.json["definition"]["active"] is False
    answer = client.post(f"/webhooks/{source_key}", json=LEAD).json
    assert answer == {"id": answer["id"], "status": "no-record", "errors": [], "records": []}
    assert Webhook.get_by_id(answer["id"]).trace == [
        {"step": "process", "ok": True, "ms": 0.0, "reason": "The process is deactivated."},
        {"step": "result", "ok": True, "reason": "The process is deactivated."}]
    client.patch(f"/api/v1/processes/{default['id']}", headers=admin, json={"active": True})
    assert client.post(f"/webhooks/{source_key}", json=LEAD).json["status"] == "processed"


def test_a_process_bound_to_a_source_runs_only_for_it(client, admin, source_key):
    other = client.post("/api/v1/sources", headers=admin, json={"name": "other"}).json
    created = client.post("/api/v1/processes", headers=admin, json={
        "name": "paused", "sources": [other["id"]], "definition": {**definition(), "active": False}})
    assert created.status_code == 201
    assert (created.json["version"], created.json["is_default"]) == (1, False)
    assert client.post(f"/webhooks/{other['api_key']}", json=LEAD).json["status"] == "no-record"
    assert client.post(f"/webhooks/{source_key}", json=LEAD).json["status"] == "processed"
    client.patch(f"/api/v1/processes/{created.json['id']}", headers=admin, json={"sources": []})
    assert client.post(f"/webhooks/{other['api_key']}", json=LEAD).json["status"] == "processed"


def test_making_another_process_the_default(client, admin, default):
    created = client.post("/api/v1/processes", headers=admin,
                          json={"name": "new default", "is_default": True}).json
    assert created["definition"] == default["definition"]
    listed = client.get("/api/v1/processes", headers=admin).json["items"]
    assert [(p["name"], p["is_default"]) for p in listed] == [("default", False), ("new default", True)]


@pytest.mark.parametrize("body,status,field,message", [
    ({"sources": [999999]}, 400, "sources.0", "Source 999999 does not exist."),
    ({"is_default": False}, 400, "is_default", "Make another process the default instead."),
    ({"name": ""}, 400, "name", "Length must be between 1 and 100."),
    ({"colour": "red"}, 400, "colour", "Unknown field."),
])
def test_bad_process_changes_are_refused(client, admin, default, body, status, field, message):
    r = client.patch(f"/api/v1/processes/{default['id']}", headers=admin, json=body)
    assert r.status_code == status
    assert r.json["errors"] == [{"field": field, "message": message}]


def test_a_source_runs_one_process_at_most(client, admin, source_key):
    source = client.get("/api/v1/sources", headers=admin).json["items"][0]["id"]
    client.post("/api/v1/processes", headers=admin, json={"name": "a", "sources": [source]})
    r = client.post("/api/v1/processes", headers=admin, json={"name": "b", "sources": [source]})
    assert r.status_code == 400
    assert r.json["message"] == f"sources.0: Source {source} already runs process 'a'."


def test_errors_in_a_definition_sent_inside_a_body_are_below_its_key(client, admin):
    r = client.post("/api/v1/processes", headers=admin,
                    json={"name": "x", "definition": {"steps": [{"name": "nope"}]}})
    assert r.json["message"] == ("definition.steps.0.name: Unknown step 'nope'; use one of: create, "
                                 "dedupe, map, parse, resolve, rules, typecheck.")


def test_names_are_unique_and_missing_things_are_404(client, admin, default):
    r = client.post("/api/v1/processes", headers=admin, json={"name": "default"})
    assert (r.status_code, r.json["message"]) == (409, "Process 'default' already exists.")
    r = client.get("/api/v1/processes/999999", headers=admin)
    assert (r.status_code, r.json["message"]) == (404, "Process 999999 does not exist.")
    r = client.get(f"/api/v1/processes/{default['id']}/versions/7", headers=admin)
    assert (r.status_code, r.json["message"]) == (404, f"Process {default['id']} has no version 7.")
    r = client.put(f"/api/v1/processes/{default['id']}/definition", headers=admin, data="[",
                   content_type="application/json")
    assert r.status_code == 400 and r.json["reason"] == "malformed_json"
    r = client.put(f"/api/v1/processes/{default['id']}/definition", headers=admin, json=[1])
    assert r.json["message"] == "_schema: A definition is a JSON object."


def test_the_api_is_for_admins(client, viewer_token, default):
    r = client.get("/api/v1/processes", headers={"Authorization": f"Bearer {viewer_token}"})
    assert (r.status_code, r.json["message"]) == (403, "Role 'viewer' may not use this endpoint.")


def test_a_version_is_compiled_once_per_worker_until_an_edit(client, admin, default):
    compiled = definitions.for_source(None)
    assert definitions.for_source(None) is compiled
    put(client, admin, default["id"], definition())
    assert definitions.for_source(None) is not compiled


def test_the_inline_path_reads_no_process_tables_once_warm(client, source_key, caplog):
    client.post(f"/webhooks/{source_key}", json=LEAD)
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        caplog.clear()
        client.post(f"/webhooks/{source_key}", json=LEAD)
    sql = [r.getMessage() for r in caplog.records if r.name == "peewee"]
    touching = [q for q in sql if re.search(r'(FROM|INTO|UPDATE|JOIN) "process', q)]
    assert touching == []
    assert sum('FROM "generation"' in q for q in sql) == 1  # once per request
    assert not [q for q in sql if 'FROM "source"' in q]  # sources come from their cache


def test_a_version_that_no_longer_compiles_fails_its_webhooks(client, source_key, default):
    version = ProcessVersion.get_by_id(default["version_id"])
    version.definition = {**version.definition, "steps": [{"name": "gone", "options": {}}]}
    version.save()
    definitions._cache.bump()
    answer = client.post(f"/webhooks/{source_key}", json=LEAD).json
    assert answer["status"] == "failed"
    assert answer["errors"] == [{"field": "_process", "value": None, "message": (
        f"Process {default['id']} version 1 cannot run: steps.0.name: Unknown step 'gone'; use one of: "
        "create, dedupe, map, parse, resolve, rules, typecheck.")}]
    assert Process.get_by_id(default["id"]).active_version == version.id


def stale_answer(process_id: int) -> dict:
    return {"code": 409, "status": "Conflict", "reason": "stale_version", "errors": [],
            "message": f"Process {process_id} changed since version 1 you edited (now version 2); "
                       "reload and apply your change again."}


def test_a_save_from_a_version_no_longer_active_is_409_and_saves_nothing(client, admin, default):
    pid = default["id"]
    assert put(client, admin, pid, {**definition(), "base_version": 1}).status_code == 201
    r = put(client, admin, pid, {**definition({"parse": {"separator": "/"}}), "base_version": 1})
    assert (r.status_code, r.json) == (409, stale_answer(pid))
    r = client.patch(f"/api/v1/processes/{pid}", headers=admin,
                     json={"name": "renamed", "active": False, "base_version": 1})
    assert (r.status_code, r.json) == (409, stale_answer(pid))
    process = client.get(f"/api/v1/processes/{pid}", headers=admin).json
    assert (process["name"], process["version"]) == ("default", 2)
    assert process["definition"]["active"] is True
    assert process["definition"]["steps"][1]["options"] == {"separator": "."}
    assert ProcessVersion.select().where(ProcessVersion.process == pid).count() == 2


def test_a_save_from_the_active_version_or_naming_none_is_saved(client, admin, default):
    pid = default["id"]
    saved = put(client, admin, pid, {**definition({"parse": {"separator": "/"}}), "base_version": 1})
    assert (saved.status_code, saved.json["number"]) == (201, 2)
    assert "base_version" not in saved.json["definition"]
    patched = client.patch(f"/api/v1/processes/{pid}", headers=admin,
                           json={"active": False, "base_version": 2})
    assert (patched.status_code, patched.json["version"]) == (200, 3)
    assert put(client, admin, pid, definition()).json["number"] == 4
    assert client.patch(f"/api/v1/processes/{pid}", headers=admin,
                        json={"name": "renamed"}).json["name"] == "renamed"


@pytest.mark.parametrize("value,message", [
    ("x", "base_version: Not a valid integer."),
    (0, "base_version: Must be greater than or equal to 1 and less than or equal to "
        "9223372036854775807."),
])
def test_a_bad_base_version_is_400(client, admin, default, value, message):
    r = put(client, admin, default["id"], {**definition(), "base_version": value})
    assert (r.status_code, r.json["message"]) == (400, message)
    r = client.patch(f"/api/v1/processes/{default['id']}", headers=admin,
                     json={"base_version": value})
    assert (r.status_code, r.json["message"]) == (400, message)
