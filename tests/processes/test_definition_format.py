"""Definition formats: one left out is format 1, an older one is upgraded, a newer one refused."""

from __future__ import annotations

import json

import pytest
from marshmallow import ValidationError

from core.db import db
from processes import definition_format, definitions
from processes.definition_format import CURRENT_FORMAT, upgrade
from processes.models import ProcessVersion
from tests.processes.helpers import definition

LEAD = {"EntityName": "Lead", "Email": "a@example.com"}


@pytest.fixture
def default(client, admin) -> dict:
    [process] = client.get("/api/v1/processes", headers=admin).json["items"]
    return process


def store(version_id: int, stored: dict) -> None:
    """Write a version's definition as an earlier or later hookhub would have stored it."""
    ProcessVersion.update(definition=stored).where(ProcessVersion.id == version_id).execute()
    definitions._cache.bump()


def stored_text(version_id: int) -> dict:
    """A version's definition as stored, not upgraded."""
    row = db.execute_sql(f'SELECT "definition" FROM "process_version" WHERE "id" = {int(version_id)}')
    return json.loads(row.fetchone()[0])


def test_the_current_format_is_one_and_a_definition_without_one_is_format_one():
    assert CURRENT_FORMAT == 1
    assert upgrade({"steps": []}) == {"steps": [], "format": 1}
    assert upgrade({"format": 1, "steps": []}) == {"format": 1, "steps": []}


def test_each_upgrade_runs_in_order_from_the_definitions_own_format(monkeypatch):
    def to_2(d):
        return {**d, "format": 2, "seen": [*d.get("seen", []), 2]}

    def to_3(d):
        return {**d, "format": 3, "seen": [*d["seen"], 3]}

    monkeypatch.setattr(definition_format, "UPGRADES", [to_2, to_3])
    monkeypatch.setattr(definition_format, "CURRENT_FORMAT", 3)
    assert upgrade({"steps": []}) == {"steps": [], "format": 3, "seen": [2, 3]}
    assert upgrade({"format": 2, "steps": [], "seen": []}) == {"format": 3, "steps": [], "seen": [3]}
    assert upgrade({"format": 3, "steps": []}) == {"format": 3, "steps": []}


@pytest.mark.parametrize(("number", "message"), [
    (2, "Definition format 2 is newer than this hookhub reads (up to 1)."),
    (0, "A definition format is a whole number from 1 to 1, not 0."),
    ("1", "A definition format is a whole number from 1 to 1, not '1'."),
    (True, "A definition format is a whole number from 1 to 1, not True."),
])
def test_a_format_it_cannot_read_is_named(number, message):
    with pytest.raises(ValidationError) as caught:
        upgrade({"format": number, "steps": []})
    assert caught.value.messages == {"format": [message]}


def test_a_saved_definition_carries_the_format_with_or_without_one_sent(client, admin, default):
    url = f"/api/v1/processes/{default['id']}/definition"
    assert default["definition"]["format"] == 1
    r = client.put(url, headers=admin, json=definition())
    assert r.status_code == 201 and r.json["definition"]["format"] == 1
    r = client.put(url, headers=admin, json={**definition(), "format": 1})
    assert r.status_code == 201 and r.json["definition"]["format"] == 1
    assert stored_text(r.json["id"])["format"] == 1


def test_a_definition_of_a_newer_format_is_a_400_naming_it(client, admin, default):
    r = client.put(f"/api/v1/processes/{default['id']}/definition", headers=admin,
                   json={**definition(), "format": 2})
    assert r.status_code == 400
    assert r.json["message"] == "format: Definition format 2 is newer than this hookhub reads (up to 1)."
    r = client.post("/api/v1/processes", headers=admin, json={"name": "x", "definition": {
        **definition(), "format": 7}})
    assert r.json["message"] == ("definition.format: Definition format 7 is newer than this hookhub "
                                 "reads (up to 1).")


def test_a_stored_definition_without_a_format_reads_as_format_one_and_runs(client, source_key, default):
    stored = ProcessVersion.get_by_id(default["version_id"]).definition
    store(default["version_id"], {k: v for k, v in stored.items() if k != "format"})
    assert "format" not in stored_text(default["version_id"])
    assert ProcessVersion.get_by_id(default["version_id"]).definition == stored
    assert client.post(f"/webhooks/{source_key}", json=LEAD).json["status"] == "processed"


def test_a_stored_definition_of_a_newer_format_fails_its_webhooks_naming_it(client, source_key, default):
    stored = ProcessVersion.get_by_id(default["version_id"]).definition
    store(default["version_id"], {**stored, "format": 2})
    answer = client.post(f"/webhooks/{source_key}", json=LEAD).json
    assert answer["status"] == "failed"
    assert answer["errors"] == [{"field": "_process", "value": None, "message": (
        f"Process {default['id']} version 1 cannot run: format: Definition format 2 is newer than "
        "this hookhub reads (up to 1).")}]
