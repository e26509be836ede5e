"""Step resolve lookups and each of its options."""

from __future__ import annotations

import pytest

from lookups.models import LookupRow
from lookups.seed import stable_id
from tests.processes.helpers import definition, draft_run, step

CANADA = stable_id("country", "CA")
WEB = stable_id("lead-source", "Web")


def lead(client, admin, options: dict, **values) -> dict:
    return draft_run(client, admin, definition({"resolve": options}), {"EntityName": "Lead", **values})


def test_ids_pass_and_names_are_errors_by_default(client, admin):
    assert lead(client, admin, {}, CountryId=CANADA)["records"][0]["data"]["CountryId"] == CANADA
    assert lead(client, admin, {}, CountryId="Canada")["errors"] == [
        {"field": "CountryId", "value": "Canada",
         "message": "No row with id 'Canada' in lookup 'Countries'."}]


@pytest.mark.parametrize("given", ["Canada", " canada ", "CA", "CAN"])
def test_match_names_resolves_display_names_and_aliases(client, admin, given):
    answer = lead(client, admin, {"match_names": True}, CountryId=given)
    assert answer["records"][0]["data"]["CountryId"] == CANADA
    assert step(answer, "resolve")["resolved"] == {"CountryId": {"from": given.strip(), "to": CANADA,
                                                                 "by": "name"}}


def test_unknown_null_leaves_the_field_out(client, admin):
    answer = lead(client, admin, {"unknown": "null"}, CountryId="Atlantis", Email="a@b.c")
    assert answer["records"][0]["data"] == {"Email": "a@b.c", "Id": answer["records"][0]["id"]}
    assert step(answer, "resolve")["resolved"] == {"CountryId": {"from": "Atlantis", "to": None,
                                                                 "by": "null"}}


def test_unknown_default_uses_the_field_default(client, admin):
    options = {"unknown": "default", "defaults": {"LeadSourceId": WEB}}
    answer = lead(client, admin, options, LeadSourceId="carrier pigeon")
    assert answer["records"][0]["data"]["LeadSourceId"] == WEB
    assert lead(client, admin, options, CountryId="Atlantis")["errors"] == [
        {"field": "CountryId", "value": "Atlantis",
         "message": "No row with id 'Atlantis' in lookup 'Countries'."}]


def test_unknown_create_adds_the_row_once_and_only_for_real(client, admin, source_key):
    row_id = stable_id("lookup-row", "LeadSources:carrier pigeon")
    rehearsal = lead(client, admin, {"unknown": "create"}, LeadSourceId="Carrier Pigeon")
    assert rehearsal["lookup_rows"] == [{"lookup": "LeadSources", "id": row_id, "name": "Carrier Pigeon"}]
    assert step(rehearsal, "resolve")["resolved"] == {
        "LeadSourceId": {"from": "Carrier Pigeon", "to": row_id, "by": "new row"}}
    assert not LookupRow.select().where(LookupRow.row_id == row_id).exists()

    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    client.put(f"/api/v1/processes/{process}/definition", headers=admin,
               json=definition({"resolve": {"unknown": "create", "match_names": True}}))
    for _ in range(2):
        answer = client.post(f"/webhooks/{source_key}",
                             json={"EntityName": "Lead", "LeadSourceId": "carrier pigeon "}).json
        assert answer["status"] == "processed"
    [row] = LookupRow.select().where(LookupRow.row_id == row_id)
    assert row.name == "carrier pigeon"
    listed = client.get("/api/v1/lookups/LeadSources/rows?q=pigeon", headers=admin).json
    assert listed["items"] == [{"id": row_id, "name": "carrier pigeon", "aliases": []}]


def test_unknown_create_never_invents_a_row_for_an_id(client, admin):
    missing = "f8af0e88-f36b-1410-fa98-00155d043204"
    assert lead(client, admin, {"unknown": "create"}, CountryId=missing)["errors"] == [
        {"field": "CountryId", "value": missing,
         "message": f"No row with id '{missing}' in lookup 'Countries'."}]


@pytest.mark.parametrize("given", [[CANADA], ["Canada", "CA"]])
def test_a_list_or_object_is_a_field_error_not_a_crash(client, admin, given):
    answer = lead(client, admin, {"match_names": True, "unknown": "create"}, CountryId=given)
    assert answer["errors"] == [{"field": "CountryId", "value": given, "message":
                                 "A value of lookup 'Countries' is one row id, not a list or object."}]
    assert step(answer, "resolve")["ok"] is False
