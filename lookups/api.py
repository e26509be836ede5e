"""REST API for entities, fields, lookups and lookup rows."""

from __future__ import annotations

from flask import Response, request

from core.auth import Role, require_role
from core.openapi import TEXT, ApiBlueprint, ErrorSchema, request_body
from lookups import schemas, service
from lookups.models import Entity, Field, Lookup, LookupRow

bp = ApiBlueprint("lookups_api", __name__, url_prefix="/api/v1")
admin = require_role(Role.ADMIN)


@bp.get("/entities", tags=["entities"])
@admin
@bp.response(200, schemas.EntityListSchema)
def list_entities() -> dict:
    """List entities with their fields"""
    return {"items": Entity.select().order_by(Entity.code)}


@bp.post("/entities", tags=["entities"])
@admin
@bp.arguments(schemas.EntitySchema)
@bp.response(201, schemas.EntitySchema)
@bp.alt_response(409, schema=ErrorSchema)
def create_entity(data: dict) -> Entity:
    """Create an entity (an Id field is added when missing)"""
    return service.create_entity(data)


@bp.get("/entities/<code>", tags=["entities"])
@admin
@bp.response(200, schemas.EntitySchema)
def get_entity(code: str) -> Entity:
    """Get an entity"""
    return service.get_entity(code)


@bp.patch("/entities/<code>", tags=["entities"])
@admin
@bp.arguments(schemas.EntityPatchSchema)
@bp.response(200, schemas.EntitySchema)
def update_entity(changes: dict, code: str) -> Entity:
    """Change an entity's caption or enabled flag"""
    return service.update_entity(code, changes)


@bp.delete("/entities/<code>", tags=["entities"])
@admin
@bp.response(204)
@bp.alt_response(409, schema=ErrorSchema)
def delete_entity(code: str) -> None:
    """Delete an entity without records"""
    service.delete_entity(code)


@bp.post("/entities/<code>/fields", tags=["entities"])
@admin
@bp.arguments(schemas.FieldSchema)
@bp.response(201, schemas.FieldSchema)
@bp.alt_response(409, schema=ErrorSchema)
def add_field(data: dict, code: str) -> Field:
    """Add a field to an entity"""
    return service.add_field(code, data)


@bp.patch("/entities/<code>/fields/<field>", tags=["entities"])
@admin
@bp.arguments(schemas.FieldPatchSchema)
@bp.response(200, schemas.FieldSchema)
def update_field(changes: dict, code: str, field: str) -> Field:
    """Change a field's caption, required flag or position"""
    return service.update_field(code, field, changes)


@bp.delete("/entities/<code>/fields/<field>", tags=["entities"])
@admin
@bp.response(204)
@bp.alt_response(409, schema=ErrorSchema)
def delete_field(code: str, field: str) -> None:
    """Remove a field"""
    service.delete_field(code, field)


@bp.get("/lookups", tags=["lookups"])
@admin
@bp.response(200, schemas.LookupListSchema)
def list_lookups() -> dict:
    """List lookups"""
    return {"items": Lookup.select().order_by(Lookup.code)}


@bp.post("/lookups", tags=["lookups"])
@admin
@bp.arguments(schemas.LookupSchema)
@bp.response(201, schemas.LookupSchema)
@bp.alt_response(409, schema=ErrorSchema)
def create_lookup(data: dict) -> Lookup:
    """Create an empty lookup"""
    return service.create_lookup(data)


@bp.get("/lookups/<code>", tags=["lookups"])
@admin
@bp.response(200, schemas.LookupSchema)
def get_lookup(code: str) -> Lookup:
    """Get a lookup"""
    return service.get_lookup(code)


@bp.patch("/lookups/<code>", tags=["lookups"])
@admin
@bp.arguments(schemas.LookupPatchSchema)
@bp.response(200, schemas.LookupSchema)
def update_lookup(changes: dict, code: str) -> Lookup:
    """Change a lookup's caption"""
    return service.update_lookup(code, changes)


@bp.delete("/lookups/<code>", tags=["lookups"])
@admin
@bp.response(204)
@bp.alt_response(409, schema=ErrorSchema)
def delete_lookup(code: str) -> None:
    """Delete a lookup no field references"""
    service.delete_lookup(code)


@bp.get("/lookups/<code>/rows", tags=["lookups"])
@admin
@bp.arguments(schemas.RowQuerySchema, location="query")
@bp.response(200, schemas.RowPageSchema)
def list_rows(args: dict, code: str) -> dict:
    """List a lookup's rows"""
    rows, total = service.list_rows(code, args.get("q"), args["limit"], args["offset"])
    return {"items": rows, "total": total}


@bp.post("/lookups/<code>/rows", tags=["lookups"])
@admin
@bp.arguments(schemas.RowSchema)
@bp.response(201, schemas.RowSchema)
@bp.alt_response(409, schema=ErrorSchema)
def create_row(data: dict, code: str) -> LookupRow:
    """Add a row to a lookup"""
    return service.create_row(code, data)


@bp.patch("/lookups/<code>/rows/<row_id>", tags=["lookups"])
@admin
@bp.arguments(schemas.RowPatchSchema)
@bp.response(200, schemas.RowSchema)
def update_row(changes: dict, code: str, row_id: str) -> LookupRow:
    """Rename a row or change its aliases"""
    return service.update_row(code, row_id, changes)


@bp.delete("/lookups/<code>/rows/<row_id>", tags=["lookups"])
@admin
@bp.response(204)
def delete_row(code: str, row_id: str) -> None:
    """Remove a row"""
    service.delete_row(code, row_id)


@bp.post("/lookups/<code>/import", tags=["lookups"])
@admin
@bp.arguments(schemas.ImportQuerySchema, location="query")
@bp.doc(**request_body({"application/json": schemas.RowSchema(many=True), "text/csv": TEXT}))
@bp.response(200, schemas.ImportResultSchema)
def import_rows(args: dict, code: str) -> dict:
    """Import rows from CSV (id,name,aliases with | between aliases) or a JSON array"""
    rows = service.parse_import(request.get_data(), request.mimetype)
    return service.import_rows(code, rows, replace=args["mode"] == "replace")


@bp.get("/lookups/<code>/export", tags=["lookups"])
@admin
@bp.arguments(schemas.ExportQuerySchema, location="query")
@bp.response(200, schemas.RowSchema(many=True))
@bp.alt_response(200, schema=TEXT, content_type="text/csv", success=True)
def export_rows(args: dict, code: str) -> Response:
    """Export a lookup's rows as JSON or CSV"""
    fmt = args["format"]
    text, content_type = service.export_rows(code, fmt)
    return Response(text, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{code}.{fmt}"'})
