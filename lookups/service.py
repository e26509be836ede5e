"""Service functions over entities, fields, lookups and rows."""

from __future__ import annotations

import csv
import io
import json

import peewee

from core.db import db, get_or_404
from core.errors import Conflict, UnsupportedMediaType, ValidationFailed
from core.http import parse_json, reject_nul
from lookups import catalog
from lookups.models import Entity, Field, Lookup, LookupRow
from lookups.schemas import RowSchema
from processes.models import Record

MAX_IMPORT_ROWS = 100_000


def get_entity(code: str) -> Entity:
    """The entity with this code or NotFound."""
    return get_or_404(Entity, Entity.code == code, message=f"Entity '{code}' does not exist.")


def get_lookup(code: str) -> Lookup:
    """The lookup with this code or NotFound."""
    return get_or_404(Lookup, Lookup.code == code, message=f"Lookup '{code}' does not exist.")


def _lookup_ref(code: str | None, path: str) -> Lookup | None:
    if code is None:
        return None
    lookup = Lookup.get_or_none(Lookup.code == code)
    if lookup is None:
        raise ValidationFailed(f"{path}: lookup '{code}' does not exist.",
                               [{"field": path, "message": f"Lookup '{code}' does not exist."}])
    return lookup


def create_entity(data: dict) -> Entity:
    """Create an entity with its fields; an Id field is added when missing."""
    if Entity.get_or_none(Entity.code == data["code"]):
        raise Conflict(f"Entity '{data['code']}' already exists.")
    fields = data["fields"]
    codes = [f["code"] for f in fields]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationFailed(f"fields: duplicate field code '{duplicates[0]}'.",
                               [{"field": "fields", "message": f"Duplicate field code '{d}'."}
                                for d in duplicates])
    if "Id" not in codes:
        fields = [{"code": "Id", "caption": "Id", "net_type": "System.Guid", "required": True,
                   "lookup": None}, *fields]
    with db.atomic():
        entity = Entity.create(code=data["code"], caption=data.get("caption") or data["code"],
                               enabled=data["enabled"])
        for i, f in enumerate(fields):
            _create_field(entity, f, i, f"fields.{i}.lookup")
        catalog.bump()
    return entity


def _create_field(entity: Entity, data: dict, position: int, path: str) -> Field:
    return Field.create(entity=entity, code=data["code"], caption=data.get("caption") or data["code"],
                        net_type=data["net_type"], required=data["required"],
                        lookup=_lookup_ref(data.get("lookup"), path), position=position)


def update_entity(code: str, changes: dict) -> Entity:
    """Change an entity's caption or whether it is in the webhook entities lookup."""
    entity = get_entity(code)
    with db.atomic():
        for key, value in changes.items():
            setattr(entity, key, value)
        entity.save()
        catalog.bump()
    return entity


def delete_entity(code: str) -> None:
    """Delete an entity that has no records."""
    entity = get_entity(code)
    count = Record.select().where(Record.entity == code).count()
    if count:
        raise Conflict(f"Entity '{code}' has {count} record(s); disable it instead "
                       "(PATCH enabled=false) to remove it from the webhook entities lookup.")
    with db.atomic():
        entity.delete_instance(recursive=True)
        catalog.bump()


def add_field(code: str, data: dict) -> Field:
    """Add a field at the end of an entity."""
    entity = get_entity(code)
    if Field.get_or_none(Field.entity == entity, Field.code == data["code"]):
        raise Conflict(f"Field '{data['code']}' already exists on '{code}'.")
    position = (Field.select(peewee.fn.MAX(Field.position)).where(Field.entity == entity)
                .scalar() or 0) + 1
    with db.atomic():
        field = _create_field(entity, data, position, "lookup")
        catalog.bump()
    return field


def get_field(code: str, field_code: str) -> Field:
    """A field of an entity or NotFound."""
    return get_or_404(Field, Field.entity == get_entity(code), Field.code == field_code,
                      message=f"Field '{field_code}' does not exist on '{code}'.")


def update_field(code: str, field_code: str, changes: dict) -> Field:
    """Change a field's caption, required flag or position."""
    field = get_field(code, field_code)
    if field.code == "Id" and changes.get("required") is False:
        raise ValidationFailed("required: the Id field is always required.",
                               [{"field": "required", "message": "The Id field is always required."}])
    with db.atomic():
        for key, value in changes.items():
            setattr(field, key, value)
        field.save()
        catalog.bump()
    return field


def delete_field(code: str, field_code: str) -> None:
    """Remove a field (values already stored in records stay in their data)."""
    field = get_field(code, field_code)
    if field.code == "Id":
        raise Conflict("The Id field cannot be removed.")
    with db.atomic():
        field.delete_instance()
        catalog.bump()


def create_lookup(data: dict) -> Lookup:
    """Create an empty lookup."""
    if Lookup.get_or_none(Lookup.code == data["code"]):
        raise Conflict(f"Lookup '{data['code']}' already exists.")
    with db.atomic():
        lookup = Lookup.create(code=data["code"], caption=data.get("caption") or data["code"])
        catalog.bump()
    return lookup


def update_lookup(code: str, changes: dict) -> Lookup:
    """Change a lookup's caption."""
    lookup = get_lookup(code)
    lookup.caption = changes["caption"]
    lookup.save()
    return lookup


def delete_lookup(code: str) -> None:
    """Delete a lookup that no field references."""
    lookup = get_lookup(code)
    users = [f"{f.entity.code}.{f.code}" for f in Field.select().where(Field.lookup == lookup)]
    if users:
        raise Conflict(f"Lookup '{code}' is referenced by {', '.join(users)}.")
    with db.atomic():
        lookup.delete_instance(recursive=True)
        catalog.bump()


def get_row(code: str, row_id: str) -> LookupRow:
    """A row of a lookup or NotFound."""
    return get_or_404(LookupRow, LookupRow.lookup == get_lookup(code), LookupRow.row_id == row_id,
                      message=f"Row '{row_id}' does not exist in lookup '{code}'.")


def row_names(code: str, row_ids: set[str]) -> dict[str, str]:
    """Display names of some rows of a lookup, by row id (ids it lacks are left out)."""
    if not row_ids:
        return {}
    rows = (LookupRow.select(LookupRow.row_id, LookupRow.name).join(Lookup)
            .where(Lookup.code == code, LookupRow.row_id.in_(sorted(row_ids))).tuples())
    return dict(rows)


def list_rows(code: str, search: str | None = None, limit: int = 100,
              offset: int = 0) -> tuple[list[LookupRow], int]:
    """Rows of a lookup, optionally filtered by name, with the total count."""
    query = LookupRow.select().where(LookupRow.lookup == get_lookup(code))
    if search:
        query = query.where(LookupRow.name.contains(search))
    return list(query.order_by(LookupRow.name).limit(limit).offset(offset)), query.count()


def create_row(code: str, data: dict) -> LookupRow:
    """Add a row with a caller-chosen id."""
    lookup = get_lookup(code)
    if LookupRow.get_or_none(LookupRow.lookup == lookup, LookupRow.row_id == data["id"]):
        raise Conflict(f"Row '{data['id']}' already exists in lookup '{code}'.")
    with db.atomic():
        row = LookupRow.create(lookup=lookup, row_id=data["id"], name=data["name"],
                               aliases=data["aliases"])
        catalog.bump()
    return row


def update_row(code: str, row_id: str, changes: dict) -> LookupRow:
    """Rename a row or change its aliases."""
    row = get_row(code, row_id)
    with db.atomic():
        for key, value in changes.items():
            setattr(row, key, value)
        row.save()
        catalog.bump()
    return row


def delete_row(code: str, row_id: str) -> None:
    """Remove a row."""
    row = get_row(code, row_id)
    with db.atomic():
        row.delete_instance()
        catalog.bump()


def parse_import(body: bytes, content_type: str) -> list[dict]:
    """Read rows from a JSON array or a CSV with columns id,name[,aliases separated by |]."""
    if content_type.startswith("application/json"):
        rows = parse_json(body)
        if not isinstance(rows, list):
            raise ValidationFailed("A JSON import must be an array of rows.")
        return rows
    if content_type.startswith("text/csv"):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(f"The CSV is not UTF-8 text (byte {exc.start}).") from exc
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            missing = {"id", "name"} - set(reader.fieldnames or [])
            if missing:
                raise ValidationFailed(f"CSV header lacks column(s): {', '.join(sorted(missing))}.")
            return [{"id": r["id"], "name": r["name"],
                     "aliases": [a for a in (r.get("aliases") or "").split("|") if a]}
                    for r in reader]
        except csv.Error as exc:
            raise ValidationFailed(f"The CSV is malformed at line {reader.line_num}: {exc}.") from exc
    raise UnsupportedMediaType(f"Content type '{content_type or 'none'}' is not supported; "
                               "import takes application/json or text/csv.")


def import_rows(code: str, rows: list[dict], replace: bool = False) -> dict:
    """Insert or update rows by id; with replace, rows not imported are removed."""
    lookup = get_lookup(code)
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed(f"An import holds at most {MAX_IMPORT_ROWS} rows.")
    reject_nul(rows)
    clean = {row["id"]: row for row in RowSchema(many=True).load(rows)}
    with db.atomic():
        existing = {r.row_id: r for r in LookupRow.select().where(LookupRow.lookup == lookup)}
        created = updated = 0
        for row_id, row in clean.items():
            if row_id in existing:
                current = existing[row_id]
                if (current.name, current.aliases) != (row["name"], row["aliases"]):
                    current.name, current.aliases = row["name"], row["aliases"]
                    current.save()
                    updated += 1
            else:
                LookupRow.create(lookup=lookup, row_id=row_id, name=row["name"],
                                 aliases=row["aliases"])
                created += 1
        removed = 0
        if replace:
            gone = [rid for rid in existing if rid not in clean]
            if gone:
                removed = (LookupRow.delete().where(LookupRow.lookup == lookup,
                                                    LookupRow.row_id.in_(gone)).execute())
        catalog.bump()
    return {"created": created, "updated": updated, "removed": removed}


def export_rows(code: str, fmt: str) -> tuple[str, str]:
    """All rows of a lookup as CSV or JSON text, with its content type."""
    rows = RowSchema(many=True).dump(LookupRow.select().where(LookupRow.lookup == get_lookup(code))
                                     .order_by(LookupRow.row_id))
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1), "application/json"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "aliases"])
    for r in rows:
        writer.writerow([r["id"], r["name"], "|".join(r["aliases"])])
    return out.getvalue(), "text/csv; charset=utf-8"
