"""Pages of lookups: entities and fields, lookups and rows, CSV/JSON import and export."""

from __future__ import annotations

import html
import io

import pytest

from lookups.models import Entity, Field, Lookup, LookupRow
from processes.models import Record


def rows_of(code: str) -> list[tuple[str, str, list[str]]]:
    return [(r.row_id, r.name, r.aliases) for r in LookupRow.select().join(Lookup)
            .where(Lookup.code == code).order_by(LookupRow.row_id)]


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_an_entity_is_created_with_an_id_field(admin_ui):
    response = admin_ui.submit("/entities", {"code": "Ticket", "caption": "Support ticket",
                                             "enabled": "on"})
    assert (response.status_code, response.headers["Location"]) == (302, "/entities/Ticket")
    entity = Entity.get(Entity.code == "Ticket")
    assert (entity.caption, entity.enabled) == ("Support ticket", True)
    assert [f.code for f in Field.select().where(Field.entity == entity)] == ["Id"]


@pytest.mark.parametrize(("code", "status", "message"), [
    ("1Ticket", 400, "Must start with a letter and hold only letters, digits and _."),
    ("Contact", 409, "Entity 'Contact' already exists."),
])
def test_a_bad_entity_code_is_named(admin_ui, code, status, message):
    response = admin_ui.submit("/entities", {"code": code})
    assert response.status_code == status
    assert message in page_text(response)


def test_fields_are_added_edited_and_removed(admin_ui):
    assert admin_ui.submit("/entities/Lead/fields", {
        "code": "IndustryId", "net_type": "System.Guid", "lookup": "LeadSources",
        "required": "on"}).status_code == 302
    field = Field.get(Field.code == "IndustryId")
    assert (field.caption, field.required, field.lookup.code) == ("IndustryId", True, "LeadSources")
    bad = admin_ui.submit("/entities/Lead/fields", {"code": "Industry", "net_type": "System.Guid",
                                                    "lookup": "LeadSources"})
    assert bad.status_code == 400
    assert ('<small class="error" id="err-code">A lookup field&#39;s code must end with '
            '&#39;Id&#39;.</small>') in bad.text
    admin_ui.submit("/entities/Lead/fields/IndustryId", {"caption": "Industry"})
    field = Field.get_by_id(field.id)
    assert (field.caption, field.required) == ("Industry", False)
    admin_ui.submit("/entities/Lead/fields/IndustryId/delete")
    assert not Field.select().where(Field.code == "IndustryId").exists()


def test_a_refused_edit_comes_back_as_a_message(admin_ui):
    response = admin_ui.submit("/entities/Lead/fields/Id/delete")
    assert response.headers["Location"] == "/entities/Lead"
    assert "The Id field cannot be removed." in page_text(admin_ui.get("/entities/Lead"))


def test_an_entity_with_records_is_not_deleted(admin_ui, client, source_key):
    client.post(f"/webhooks/{source_key}", json={"EntityName": "Contact", "Name": "Ann"})
    admin_ui.submit("/entities/Contact/delete")
    assert ("Entity 'Contact' has 1 record(s); disable it instead (PATCH enabled=false) to remove "
            "it from the webhook entities lookup.") in page_text(admin_ui.get("/entities/Contact"))
    assert admin_ui.submit("/entities/Contact", {"caption": "Person"}).status_code == 302
    entity = Entity.get(Entity.code == "Contact")
    assert (entity.caption, entity.enabled) == ("Person", False)


def test_rows_are_added_searched_edited_and_removed(admin_ui):
    admin_ui.submit("/lookups", {"code": "Industries", "caption": "Industries"})
    assert admin_ui.submit("/lookups/Industries/rows", {
        "id": "saas", "name": "Software", "aliases": "software | SaaS"}).status_code == 302
    admin_ui.submit("/lookups/Industries/rows", {"id": "retail", "name": "Retail"})
    duplicate = admin_ui.submit("/lookups/Industries/rows", {"id": "saas", "name": "Again"})
    assert duplicate.status_code == 409
    assert "Row 'saas' already exists in lookup 'Industries'." in page_text(duplicate)
    page = admin_ui.get("/lookups/Industries?q=soft").text
    assert 'value="Software"' in page and 'value="Retail"' not in page
    admin_ui.submit("/lookups/Industries/rows/update", {"row_id": "retail", "name": "Retail and shops",
                                                       "aliases": "shops"})
    admin_ui.submit("/lookups/Industries/rows/delete", {"row_id": "saas"})
    assert rows_of("Industries") == [("retail", "Retail and shops", ["shops"])]


def test_a_csv_file_is_imported_merged_or_replacing(admin_ui):
    admin_ui.submit("/lookups", {"code": "Industries"})
    admin_ui.submit("/lookups/Industries/rows", {"id": "old", "name": "Old"})
    csv_file = b"\xef\xbb\xbfid,name,aliases\nsaas,Software,software|SaaS\nretail,Retail,\n"
    response = admin_ui.submit("/lookups/Industries/import", {
        "file": (io.BytesIO(csv_file), "industries.csv"), "mode": "replace"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Imported industries.csv: 2 created, 0 updated, 1 removed." in \
        page_text(admin_ui.get("/lookups/Industries"))
    assert rows_of("Industries") == [("retail", "Retail", []),
                                     ("saas", "Software", ["software", "SaaS"])]


def test_a_json_file_is_imported(admin_ui):
    admin_ui.submit("/lookups", {"code": "Industries"})
    body = b'[{"id": "saas", "name": "Software", "aliases": ["SaaS"]}]'
    admin_ui.submit("/lookups/Industries/import", {"file": (io.BytesIO(body), "rows.json")},
                    content_type="multipart/form-data")
    assert rows_of("Industries") == [("saas", "Software", ["SaaS"])]


@pytest.mark.parametrize(("upload", "message"), [
    (None, "Choose a CSV or JSON file to import."),
    ((b"code,label\nx,y\n", "rows.csv"), "CSV header lacks column(s): id, name."),
    ((b"\xff\xfe", "rows.csv"), "The CSV is not UTF-8 text (byte 0)."),
    ((b'[{"id": "x"}]', "rows.json"), "0.name: Missing data for required field."),
])
def test_a_bad_import_says_why_and_changes_nothing(admin_ui, upload, message):
    admin_ui.submit("/lookups", {"code": "Industries"})
    data = {"file": (io.BytesIO(upload[0]), upload[1])} if upload else {}
    response = admin_ui.submit("/lookups/Industries/import", data,
                               content_type="multipart/form-data")
    assert response.status_code == 400
    assert f'<p class="flash flash-error" role="alert">{message}</p>' in page_text(response)
    assert rows_of("Industries") == []


def test_an_import_of_another_type_is_415(admin_ui):
    response = admin_ui.submit("/lookups/Countries/import",
                               {"file": (io.BytesIO(b"id,name\nx,y\n"), "rows.txt")},
                               content_type="multipart/form-data")
    assert response.status_code == 415
    assert ("Content type 'text/plain' is not supported; import takes application/json or "
            "text/csv.") in page_text(response)


def test_an_import_over_the_size_limit_is_413(admin_ui, monkeypatch):
    monkeypatch.setitem(admin_ui.client.application.config, "MAX_FORM_BYTES", 100)
    response = admin_ui.submit("/lookups/Countries/import",
                               {"file": (io.BytesIO(b"id,name\n" + b"x" * 200), "big.csv")},
                               content_type="multipart/form-data")
    assert response.status_code == 413


def test_rows_are_exported_as_csv_and_json(admin_ui):
    admin_ui.submit("/lookups", {"code": "Industries"})
    admin_ui.submit("/lookups/Industries/rows",
                    {"id": "saas", "name": "Software", "aliases": "SaaS|software"})
    csv_export = admin_ui.get("/lookups/Industries/export?format=csv")
    assert csv_export.headers["Content-Disposition"] == 'attachment; filename="Industries.csv"'
    assert csv_export.data == b"id,name,aliases\r\nsaas,Software,SaaS|software\r\n"
    json_export = admin_ui.get("/lookups/Industries/export?format=json")
    assert json_export.json == [{"id": "saas", "name": "Software", "aliases": ["SaaS", "software"]}]


def test_a_used_lookup_is_kept(admin_ui):
    admin_ui.submit("/lookups/Countries/delete")
    assert "Lookup 'Countries' is referenced by Contact.CountryId, Lead.CountryId." in \
        page_text(admin_ui.get("/lookups/Countries"))
    assert Record.select().count() == 0 and Lookup.get_or_none(Lookup.code == "Countries")
