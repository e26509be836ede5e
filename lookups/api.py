"""REST API for entities, fields, lookups and lookup rows."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from core.auth import Role, require_role
from core.errors import ValidationFailed
from core.http import load, paging
from core.openapi import TEXT, Media, doc
from lookups import schemas, service
from lookups.models import Entity, Lookup

bp = Blueprint("lookups_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


@bp.get("/entities")
@doc("List entities with their fields", tags=["entities"], response=schemas.EntityListSchema)
@admin
def list_entities():
    return jsonify({"items": [service.entity_dict(e) for e in Entity.select().order_by(Entity.code)]})


@bp.post("/entities")
@doc("Create an entity (an Id field is added when missing)", tags=["entities"],
     body=schemas.EntitySchema, response=schemas.EntityOutSchema, status=201, errors=[409])
@admin
def create_entity():
    entity = service.create_entity(load(schemas.EntitySchema()))
    return jsonify(service.entity_dict(entity)), 201


@bp.get("/entities/<code>")
@doc("Get an entity", tags=["entities"], response=schemas.EntityOutSchema)
@admin
def get_entity(code: str):
    return jsonify(service.entity_dict(service.get_entity(code)))


@bp.patch("/entities/<code>")
@doc("Change an entity's caption or enabled flag", tags=["entities"],
     body=schemas.EntityPatchSchema, response=schemas.EntityOutSchema)
@admin
def update_entity(code: str):
    entity = service.update_entity(code, load(schemas.EntityPatchSchema()))
    return jsonify(service.entity_dict(entity))


@bp.delete("/entities/<code>")
@doc("Delete an entity without records", tags=["entities"], response=None, status=204,
     errors=[409])
@admin
def delete_entity(code: str):
    service.delete_entity(code)
    return "", 204


@bp.post("/entities/<code>/fields")
@doc("Add a field to an entity", tags=["entities"], body=schemas.FieldSchema,
     response=schemas.FieldOutSchema, status=201, errors=[409])
@admin
def add_field(code: str):
    field = service.add_field(code, load(schemas.FieldSchema()))
    return jsonify(service.field_dict(field)), 201


@bp.patch("/entities/<code>/fields/<field>")
@doc("Change a field's caption, required flag or position", tags=["entities"],
     body=schemas.FieldPatchSchema, response=schemas.FieldOutSchema)
@admin
def update_field(code: str, field: str):
    return jsonify(service.field_dict(
        service.update_field(code, field, load(schemas.FieldPatchSchema()))))


@bp.delete("/entities/<code>/fields/<field>")
@doc("Remove a field", tags=["entities"], response=None, status=204, errors=[409])
@admin
def delete_field(code: str, field: str):
    service.delete_field(code, field)
    return "", 204


@bp.get("/lookups")
@doc("List lookups", tags=["lookups"], response=schemas.LookupListSchema)
@admin
def list_lookups():
    return jsonify({"items": [service.lookup_dict(lk) for lk in Lookup.select().order_by(Lookup.code)]})


@bp.post("/lookups")
@doc("Create an empty lookup", tags=["lookups"], body=schemas.LookupSchema,
     response=schemas.LookupOutSchema, status=201, errors=[409])
@admin
def create_lookup():
    return jsonify(service.lookup_dict(service.create_lookup(load(schemas.LookupSchema())))), 201


@bp.get("/lookups/<code>")
@doc("Get a lookup", tags=["lookups"], response=schemas.LookupOutSchema)
@admin
def get_lookup(code: str):
    return jsonify(service.lookup_dict(service.get_lookup(code)))


@bp.patch("/lookups/<code>")
@doc("Change a lookup's caption", tags=["lookups"], body=schemas.LookupPatchSchema,
     response=schemas.LookupOutSchema)
@admin
def update_lookup(code: str):
    lookup = service.update_lookup(code, load(schemas.LookupPatchSchema()))
    return jsonify(service.lookup_dict(lookup))


@bp.delete("/lookups/<code>")
@doc("Delete a lookup no field references", tags=["lookups"], response=None, status=204,
     errors=[409])
@admin
def delete_lookup(code: str):
    service.delete_lookup(code)
    return "", 204


@bp.get("/lookups/<code>/rows")
@doc("List a lookup's rows", tags=["lookups"], query=schemas.RowQuerySchema,
     response=schemas.RowPageSchema)
@admin
def list_rows(code: str):
    limit, offset = paging(request.args)
    rows, total = service.list_rows(code, request.args.get("q"), limit, offset)
    return jsonify({"items": [service.row_dict(r) for r in rows], "total": total})


@bp.post("/lookups/<code>/rows")
@doc("Add a row to a lookup", tags=["lookups"], body=schemas.RowSchema,
     response=schemas.RowOutSchema, status=201, errors=[409])
@admin
def create_row(code: str):
    return jsonify(service.row_dict(service.create_row(code, load(schemas.RowSchema())))), 201


@bp.patch("/lookups/<code>/rows/<row_id>")
@doc("Rename a row or change its aliases", tags=["lookups"], body=schemas.RowPatchSchema,
     response=schemas.RowOutSchema)
@admin
def update_row(code: str, row_id: str):
    return jsonify(service.row_dict(service.update_row(code, row_id,
                                                       load(schemas.RowPatchSchema()))))


@bp.delete("/lookups/<code>/rows/<row_id>")
@doc("Remove a row", tags=["lookups"], response=None, status=204)
@admin
def delete_row(code: str, row_id: str):
    service.delete_row(code, row_id)
    return "", 204


@bp.post("/lookups/<code>/import")
@doc("Import rows from CSV (id,name,aliases with | between aliases) or a JSON array",
     tags=["lookups"], query=schemas.ImportQuerySchema,
     body=Media({"application/json": schemas.RowSchema(many=True), "text/csv": TEXT}),
     response=schemas.ImportResultSchema)
@admin
def import_rows(code: str):
    mode = request.args.get("mode", "merge")
    if mode not in ("merge", "replace"):
        raise ValidationFailed("mode must be 'merge' or 'replace'.")
    rows = service.parse_import(request.get_data(), request.mimetype)
    return jsonify(service.import_rows(code, rows, replace=mode == "replace"))


@bp.get("/lookups/<code>/export")
@doc("Export a lookup's rows as JSON or CSV", tags=["lookups"],
     query=schemas.ExportQuerySchema,
     response=Media({"application/json": schemas.RowOutSchema(many=True), "text/csv": TEXT}))
@admin
def export_rows(code: str):
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ValidationFailed("format must be 'json' or 'csv'.")
    text, content_type = service.export_rows(code, fmt)
    filename = f"{code}.{fmt}"
    return Response(text, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
