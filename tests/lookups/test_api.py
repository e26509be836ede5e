"""REST API for entities, fields, lookups and rows, with CSV and JSON import and export."""

from __future__ import annotations

import csv
import io

from lookups.seed import stable_id


def test_api_needs_an_admin_token(client, viewer_token):
    assert client.get("/api/v1/entities").json["reason"] == "missing_token"
    r = client.get("/api/v1/entities", headers={"Authorization": f"Bearer {viewer_token}"})
    assert r.status_code == 403 and r.json["message"] == "Role 'viewer' may not use this endpoint."
    r = client.get("/api/v1/entities", headers={"Authorization": "Bearer hht_nope"})
    assert r.status_code == 401 and r.json["reason"] == "invalid_token"


def test_create_entity_with_fields_gets_an_id_field(client, admin, source_key):
    r = client.post("/api/v1/entities", headers=admin, json={
        "code": "Ticket", "caption": "Support ticket", "fields": [
            {"code": "Subject", "net_type": "System.String", "required": True},
            {"code": "CountryId", "net_type": "System.Guid", "lookup": "Countries"}]})
    assert r.status_code == 201, r.json
    assert [(f["code"], f["lookup"]) for f in r.json["fields"]] == [
        ("Id", None), ("Subject", None), ("CountryId", "Countries")]
    posted = client.post(f"/webhooks/{source_key}", json={
        "EntityName": "Ticket", "Subject": "Help", "CountryId": stable_id("country", "FR")})
    assert posted.json["status"] == "processed"


def test_entity_validation_names_every_bad_path(client, admin):
    r = client.post("/api/v1/entities", headers=admin, json={
        "code": "9bad", "fields": [{"code": "Country", "net_type": "System.Guid", "lookup": "Countries"},
                                   {"code": "X", "net_type": "System.Float"}], "extra": 1})
    assert r.status_code == 400
    assert r.json["reason"] == "validation_failed"
    assert sorted((e["field"], e["message"]) for e in r.json["errors"]) == [
        ("code", "Must start with a letter and hold only letters, digits and _."),
        ("extra", "Unknown field."),
        ("fields.0.code", "A lookup field's code must end with 'Id'."),
        ("fields.1.net_type", "Must be one of: System.Guid, System.String, System.Int32, "
                              "System.Decimal, System.Boolean, System.DateTime, System.Date."),
    ]


def test_unknown_lookup_reference_is_400(client, admin):
    r = client.post("/api/v1/entities/Lead/fields", headers=admin,
                    json={"code": "RegionId", "net_type": "System.Guid", "lookup": "Regions"})
    assert r.status_code == 400 and r.json["message"] == "lookup: lookup 'Regions' does not exist."


def test_field_add_edit_remove_changes_the_description(client, admin, source_key):
    r = client.post("/api/v1/entities/Contact/fields", headers=admin,
                    json={"code": "Nickname", "caption": "Nick", "net_type": "System.String"})
    assert r.status_code == 201
    client.patch("/api/v1/entities/Contact/fields/Nickname", headers=admin,
                 json={"caption": "Nickname", "required": True})
    fields = client.post(f"/get_entity_description/{source_key}/Contact").json[
        "value"]["entityModel"]["fields"]
    assert fields[-1] == {"required": True, "name": "Nickname", "net_type": "System.String",
                          "caption": "Nickname"}
    assert client.delete("/api/v1/entities/Contact/fields/Nickname", headers=admin).status_code == 204
    assert client.delete("/api/v1/entities/Contact/fields/Id", headers=admin).status_code == 409


def test_entity_with_records_cannot_be_deleted(client, admin, source_key):
    client.post(f"/webhooks/{source_key}", json={"EntityName": "FormSubmit", "Name": "A"})
    r = client.delete("/api/v1/entities/FormSubmit", headers=admin)
    assert r.status_code == 409
    assert r.json["message"].startswith("Entity 'FormSubmit' has 1 record(s)")
    assert client.delete("/api/v1/entities/Order", headers=admin).status_code == 204
    assert client.get("/api/v1/entities/Order", headers=admin).status_code == 404


def test_lookup_crud_and_referenced_lookup_is_kept(client, admin):
    assert client.post("/api/v1/lookups", headers=admin,
                       json={"code": "Regions", "caption": "Regions"}).status_code == 201
    assert client.post("/api/v1/lookups", headers=admin, json={"code": "Regions"}).status_code == 409
    r = client.post("/api/v1/lookups/Regions/rows", headers=admin,
                    json={"id": "r-1", "name": "North", "aliases": ["N"]})
    assert r.status_code == 201 and r.json == {"id": "r-1", "name": "North", "aliases": ["N"]}
    client.patch("/api/v1/lookups/Regions/rows/r-1", headers=admin, json={"name": "Nord"})
    assert client.get("/api/v1/lookups/Regions/rows", headers=admin).json == {
        "items": [{"id": "r-1", "name": "Nord", "aliases": ["N"]}], "total": 1}
    assert client.delete("/api/v1/lookups/Regions/rows/r-1", headers=admin).status_code == 204
    assert client.delete("/api/v1/lookups/Regions", headers=admin).status_code == 204
    r = client.delete("/api/v1/lookups/Countries", headers=admin)
    assert r.status_code == 409
    assert r.json["message"] == "Lookup 'Countries' is referenced by Contact.CountryId, Lead.CountryId."


def test_countries_hold_every_iso_country_with_stable_ids(client, admin):
    r = client.get("/api/v1/lookups/Countries/rows?q=Canada", headers=admin)
    assert r.json["items"] == [{"id": stable_id("country", "CA"), "name": "Canada",
                                "aliases": ["CA", "CAN"]}]
    assert client.get("/api/v1/lookups/Countries", headers=admin).json["rows"] == 249


def test_json_import_with_caller_ids_merge_then_replace(client, admin):
    client.post("/api/v1/lookups", headers=admin, json={"code": "Stages"})
    rows = [{"id": "10", "name": "New"}, {"id": "20", "name": "Won", "aliases": ["closed"]}]
    r = client.post("/api/v1/lookups/Stages/import", headers=admin, json=rows)
    assert r.json == {"created": 2, "updated": 0, "removed": 0}
    r = client.post("/api/v1/lookups/Stages/import?mode=replace", headers=admin,
                    json=[{"id": "20", "name": "Won!"}])
    assert r.json == {"created": 0, "updated": 1, "removed": 1}
    exported = client.get("/api/v1/lookups/Stages/export?format=json", headers=admin)
    assert exported.json == [{"id": "20", "name": "Won!", "aliases": []}]


def test_csv_export_round_trips(client, admin):
    client.post("/api/v1/lookups", headers=admin, json={"code": "Stages"})
    client.post("/api/v1/lookups/Stages/import", headers=admin,
                json=[{"id": "a", "name": "Alpha, first", "aliases": ["A", "1"]}])
    r = client.get("/api/v1/lookups/Stages/export?format=csv", headers=admin)
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="Stages.csv"'
    assert list(csv.reader(io.StringIO(r.get_data(as_text=True)))) == [
        ["id", "name", "aliases"], ["a", "Alpha, first", "A|1"]]
    r = client.post("/api/v1/lookups/Stages/import", headers={**admin, "Content-Type": "text/csv"},
                    data=r.data)
    assert r.json == {"created": 0, "updated": 0, "removed": 0}


def test_bad_imports_name_the_problem(client, admin):
    r = client.post("/api/v1/lookups/Countries/import", headers={**admin, "Content-Type": "text/csv"},
                    data=b"code,label\nx,y\n")
    assert r.status_code == 400 and r.json["message"] == "CSV header lacks column(s): id, name."
    r = client.post("/api/v1/lookups/Countries/import", headers=admin, json={"id": "x"})
    assert r.status_code == 400 and r.json["message"] == "A JSON import must be an array of rows."
    r = client.post("/api/v1/lookups/Countries/import", headers=admin, json=[{"id": "x"}])
    assert r.status_code == 400
    assert r.json["errors"] == [{"field": "0.name", "message": "Missing data for required field."}]
    r = client.post("/api/v1/lookups/Countries/import", headers={**admin, "Content-Type": "text/xml"},
                    data=b"<x/>")
    assert r.status_code == 415 and r.json["message"] == (
        "Content type 'text/xml' is not supported; import takes application/json or text/csv.")
    r = client.get("/api/v1/lookups/Nope/export", headers=admin)
    assert r.status_code == 404 and r.json["message"] == "Lookup 'Nope' does not exist."
