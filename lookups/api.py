"""REST API for entities, fields, lookups and lookup rows."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from core.auth import Role, require_role
from core.errors import ValidationFailed
from core.http import load, paging
from lookups import schemas, service
from lookups.models import Entity, Lookup

bp = Blueprint("lookups_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


@bp.get("/entities")
@admin
def list_entities():
    return jsonify({"items": [service.entity_dict(e) for e in Entity.select().order_by(Entity.code)]})


@bp.post("/entities")
@admin
def create_entity():
    entity = service.create_entity(load(schemas.EntitySchema()))
    return jsonify(service.entity_dict(entity)), 201


@bp.get("/entities/<code>")
@admin
def get_entity(code: str):
    return jsonify(service.entity_dict(service.get_entity(code)))


@bp.patch("/entities/<code>")
@admin
def update_entity(code: str):
    entity = service.update_entity(code, load(schemas.EntityPatchSchema()))
    return jsonify(service.entity_dict(entity))


@bp.delete("/entities/<code>")
@admin
def delete_entity(code: str):
    service.delete_entity(code)
    return "", 204


@bp.post("/entities/<code>/fields")
@admin
def add_field(code: str):
    field = service.add_field(code, load(schemas.FieldSchema()))
    return jsonify(service.field_dict(field)), 201


@bp.patch("/entities/<code>/fields/<field>")
@admin
def update_field(code: str, field: str):
    return jsonify(service.field_dict(
        service.update_field(code, field, load(schemas.FieldPatchSchema()))))


@bp.delete("/entities/<code>/fields/<field>")
@admin
def delete_field(code: str, field: str):
    service.delete_field(code, field)
    return "", 204


@bp.get("/lookups")
@admin
def list_lookups():
    return jsonify({"items": [service.lookup_dict(lk) for lk in Lookup.select().order_by(Lookup.code)]})


@bp.post("/lookups")
@admin
def create_lookup():
    return jsonify(service.lookup_dict(service.create_lookup(load(schemas.LookupSchema())))), 201


@bp.get("/lookups/<code>")
@admin
def get_lookup(code: str):
    return jsonify(service.lookup_dict(service.get_lookup(code)))


@bp.patch("/lookups/<code>")
@admin
def update_lookup(code: str):
    lookup = service.update_lookup(code, load(schemas.LookupPatchSchema()))
    return jsonify(service.lookup_dict(lookup))


@bp.delete("/lookups/<code>")
@admin
def delete_lookup(code: str):
    service.delete_lookup(code)
    return "", 204


@bp.get("/lookups/<code>/rows")
@admin
def list_rows(code: str):
    limit, offset = paging()
    rows, total = service.list_rows(code, request.args.get("q"), limit, offset)
    return jsonify({"items": [service.row_dict(r) for r in rows], "total": total})


@bp.post("/lookups/<code>/rows")
@admin
def create_row(code: str):
    return jsonify(service.row_dict(service.create_row(code, load(schemas.RowSchema())))), 201


@bp.patch("/lookups/<code>/rows/<row_id>")
@admin
def update_row(code: str, row_id: str):
    return jsonify(service.row_dict(service.update_row(code, row_id,
                                                       load(schemas.RowPatchSchema()))))


@bp.delete("/lookups/<code>/rows/<row_id>")
@admin
def delete_row(code: str, row_id: str):
    service.delete_row(code, row_id)
    return "", 204


@bp.post("/lookups/<code>/import")
@admin
def import_rows(code: str):
    mode = request.args.get("mode", "merge")
    if mode not in ("merge", "replace"):
        raise ValidationFailed("mode must be 'merge' or 'replace'.")
    rows = service.parse_import(request.get_data(), request.mimetype)
    return jsonify(service.import_rows(code, rows, replace=mode == "replace"))


@bp.get("/lookups/<code>/export")
@admin
def export_rows(code: str):
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ValidationFailed("format must be 'json' or 'csv'.")
    text, content_type = service.export_rows(code, fmt)
    filename = f"{code}.{fmt}"
    return Response(text, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
