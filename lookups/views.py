"""Pages: entities and their fields, lookups and their rows with CSV/JSON import and export."""

from __future__ import annotations

from collections.abc import Callable

import peewee
from flask import Response, flash, redirect, render_template, request, url_for

from core import web
from core.errors import ValidationFailed
from lookups import schemas, service
from lookups.models import Entity, Field, Lookup, NetType
from processes.models import Record

bp = web.views_blueprint("lookups_views", __name__)
ROWS_PAGE = 25
IMPORT_TYPES = {".csv": "text/csv", ".json": "application/json"}


def _aliases(text: str) -> list[str]:
    return [a.strip() for a in text.split("|") if a.strip()]


def _joined(err: Exception) -> str:
    return "; ".join(f"{k}: {v}" if k != "_form" else v for k, v in web.form_errors(err).items())


def _act(action: Callable[[], object], done: str, back: str, after: str | None = None):
    """Run an inline edit; flash what happened, then go to `after` (or back, when it failed)."""
    try:
        action()
    except web.FORM_ERRORS as err:
        flash(_joined(err), "error")
        return redirect(back)
    flash(done, "ok")
    return redirect(after or back)


# Entities and fields

def _entities_page(errors: dict | None = None, status: int = 200):
    records = dict(Record.select(Record.entity, peewee.fn.COUNT(Record.id))
                   .group_by(Record.entity).tuples())
    fields = dict(Field.select(Field.entity, peewee.fn.COUNT(Field.id))
                  .group_by(Field.entity).tuples())
    return render_template("lookups/entities.html", entities=Entity.select().order_by(Entity.code),
                           records=records, fields=fields, errors=errors or {},
                           form=request.form), status


@bp.get("/entities")
def entities():
    return _entities_page()


@bp.post("/entities")
def create_entity():
    data = {"code": request.form.get("code", "").strip(), "enabled": web.checkbox("enabled")}
    if request.form.get("caption", "").strip():
        data["caption"] = request.form["caption"].strip()
    try:
        entity = service.create_entity(schemas.EntitySchema().load(data))
    except web.FORM_ERRORS as err:
        return _entities_page(web.form_errors(err), web.status_of(err))
    flash(f"Entity {entity.code} is created with an Id field; add its fields below.", "ok")
    return redirect(url_for("lookups_views.entity", code=entity.code))


def _entity_page(entity: Entity, errors: dict | None = None, status: int = 200):
    return render_template("lookups/entity.html", entity=entity,
                           data=schemas.EntitySchema().dump(entity), errors=errors or {},
                           form=request.form, net_types=[t.value for t in NetType],
                           lookups=[lk.code for lk in Lookup.select().order_by(Lookup.code)],
                           records=Record.select().where(Record.entity == entity.code).count()), \
        status


@bp.get("/entities/<code>")
def entity(code: str):
    return _entity_page(service.get_entity(code))


@bp.post("/entities/<code>")
def update_entity(code: str):
    return _act(lambda: service.update_entity(code, schemas.EntityPatchSchema().load({
        "caption": request.form.get("caption", "").strip(), "enabled": web.checkbox("enabled")})),
        f"Entity {code} is saved.", url_for("lookups_views.entity", code=code))


@bp.post("/entities/<code>/delete")
def delete_entity(code: str):
    return _act(lambda: service.delete_entity(code), f"Entity {code} is deleted.",
                url_for("lookups_views.entity", code=code), url_for("lookups_views.entities"))


@bp.post("/entities/<code>/fields")
def add_field(code: str):
    data = {"code": request.form.get("code", "").strip(), "net_type": request.form.get("net_type", ""),
            "required": web.checkbox("required"), "lookup": request.form.get("lookup") or None}
    if request.form.get("caption", "").strip():
        data["caption"] = request.form["caption"].strip()
    try:
        field = service.add_field(code, schemas.FieldSchema().load(data))
    except web.FORM_ERRORS as err:
        return _entity_page(service.get_entity(code), web.form_errors(err),
                            web.status_of(err))
    flash(f"Field {field.code} is added to {code}.", "ok")
    return redirect(url_for("lookups_views.entity", code=code))


@bp.post("/entities/<code>/fields/<field>")
def update_field(code: str, field: str):
    return _act(lambda: service.update_field(code, field, schemas.FieldPatchSchema().load({
        "caption": request.form.get("caption", "").strip(), "required": web.checkbox("required")})),
        f"Field {field} is saved.", url_for("lookups_views.entity", code=code))


@bp.post("/entities/<code>/fields/<field>/delete")
def delete_field(code: str, field: str):
    return _act(lambda: service.delete_field(code, field), f"Field {field} is removed from {code}.",
                url_for("lookups_views.entity", code=code))


# Lookups and rows

def _lookups_page(errors: dict | None = None, status: int = 200):
    return render_template("lookups/lookups.html",
                           lookups=schemas.LookupSchema(many=True).dump(Lookup.select().order_by(Lookup.code)),
                           errors=errors or {}, form=request.form), status


@bp.get("/lookups")
def lookups():
    return _lookups_page()


@bp.post("/lookups")
def create_lookup():
    data = {"code": request.form.get("code", "").strip()}
    if request.form.get("caption", "").strip():
        data["caption"] = request.form["caption"].strip()
    try:
        lookup = service.create_lookup(schemas.LookupSchema().load(data))
    except web.FORM_ERRORS as err:
        return _lookups_page(web.form_errors(err), web.status_of(err))
    flash(f"Lookup {lookup.code} is created; add rows or import them.", "ok")
    return redirect(url_for("lookups_views.lookup", code=lookup.code))


def _lookup_page(code: str, errors: dict | None = None, status: int = 200):
    lookup = service.get_lookup(code)
    q = request.args.get("q", "").strip()[:200] or None
    total = service.list_rows(code, q, 1, 0)[1]
    pager = web.pager(total, ROWS_PAGE)
    rows, _ = service.list_rows(code, q, pager.size, pager.offset)
    used_by = Field.select(Field, Entity).join(Entity).where(Field.lookup == lookup)
    return render_template("lookups/lookup.html", lookup=lookup, rows=rows, pager=pager, q=q or "",
                           used_by=used_by, errors=errors or {}, form=request.form), status


@bp.get("/lookups/<code>")
def lookup(code: str):
    return _lookup_page(code)


@bp.post("/lookups/<code>")
def update_lookup(code: str):
    return _act(lambda: service.update_lookup(code, schemas.LookupPatchSchema().load(
        {"caption": request.form.get("caption", "").strip()})),
        f"Lookup {code} is saved.", url_for("lookups_views.lookup", code=code))


@bp.post("/lookups/<code>/delete")
def delete_lookup(code: str):
    return _act(lambda: service.delete_lookup(code), f"Lookup {code} is deleted.",
                url_for("lookups_views.lookup", code=code), url_for("lookups_views.lookups"))


@bp.post("/lookups/<code>/rows")
def add_row(code: str):
    try:
        row = service.create_row(code, schemas.RowSchema().load({
            "id": request.form.get("id", "").strip(), "name": request.form.get("name", "").strip(),
            "aliases": _aliases(request.form.get("aliases", ""))}))
    except web.FORM_ERRORS as err:
        return _lookup_page(code, web.form_errors(err), web.status_of(err))
    flash(f"Row {row.name} ({row.row_id}) is added.", "ok")
    return redirect(url_for("lookups_views.lookup", code=code))


@bp.post("/lookups/<code>/rows/update")
def update_row(code: str):
    row_id = request.form.get("row_id", "")
    return _act(lambda: service.update_row(code, row_id, schemas.RowPatchSchema().load({
        "name": request.form.get("name", "").strip(),
        "aliases": _aliases(request.form.get("aliases", ""))})),
        f"Row {row_id} is saved.", url_for("lookups_views.lookup", code=code))


@bp.post("/lookups/<code>/rows/delete")
def delete_row(code: str):
    row_id = request.form.get("row_id", "")
    return _act(lambda: service.delete_row(code, row_id), f"Row {row_id} is removed.",
                url_for("lookups_views.lookup", code=code))


@bp.post("/lookups/<code>/import")
def import_rows(code: str):
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed("Choose a CSV or JSON file to import.")
        extension = "." + upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        content_type = IMPORT_TYPES.get(extension, upload.mimetype or "")
        rows = service.parse_import(upload.read(), content_type)
        result = service.import_rows(code, rows, replace=request.form.get("mode") == "replace")
    except web.FORM_ERRORS as err:
        return _lookup_page(code, {"file": _joined(err)}, web.status_of(err))
    flash(f"Imported {upload.filename}: {result['created']} created, {result['updated']} updated, "
          f"{result['removed']} removed.", "ok")
    return redirect(url_for("lookups_views.lookup", code=code))


@bp.get("/lookups/<code>/export")
def export_rows(code: str):
    fmt = "csv" if request.args.get("format") == "csv" else "json"
    text, content_type = service.export_rows(code, fmt)
    return Response(text, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{code}.{fmt}"'})
