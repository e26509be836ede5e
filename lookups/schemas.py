"""Marshmallow schemas for entities, fields, lookups and rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from core import plugins as registry
from core.errors import ValidationFailed
from core.http import PagingSchema, paging
from lookups.models import NetType

CODE = validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,99}$",
                       error="Must start with a letter and hold only letters, digits and _.")
TEXT = validate.Length(min=1, max=200)
IMPORT_MODES = ["merge", "replace"]
EXPORT_FORMATS = ["json", "csv"]


def _registered_type(value: str) -> None:
    """The built-in net_types and those a plugin registered a coercer for."""
    validate.OneOf([*[t.value for t in NetType],
                    *sorted(set(registry.coercers()) - {t.value for t in NetType})])(value)


class FieldSchema(Schema):
    """A field of an entity; its lookup by code."""

    code = fields.String(required=True, validate=CODE)
    caption = fields.String(validate=TEXT)
    net_type = fields.String(required=True, validate=_registered_type)
    required = fields.Boolean(load_default=False)
    lookup = fields.String(allow_none=True, load_default=None, validate=CODE)
    position = fields.Integer(dump_only=True)

    @validates_schema
    def _lookup_field_name(self, data: dict, **kwargs) -> None:
        if data.get("lookup") and not data.get("code", "").endswith("Id"):
            raise ValidationError("A lookup field's code must end with 'Id'.", "code")

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Read a Field's lookup as its code."""
        if attr == "lookup":
            return obj.lookup.code if obj.lookup_id else None
        return super().get_attribute(obj, attr, default)


class FieldPatchSchema(Schema):
    caption = fields.String(validate=TEXT)
    required = fields.Boolean()
    position = fields.Integer(validate=validate.Range(min=0, max=10_000))


class EntitySchema(Schema):
    """A record type with its fields (an Id field is added when created without one)."""

    code = fields.String(required=True, validate=CODE)
    caption = fields.String(validate=TEXT)
    formId = fields.String(dump_only=True, attribute="form_id")
    enabled = fields.Boolean(load_default=True)
    fields = fields.List(fields.Nested(FieldSchema), load_default=list,
                         validate=validate.Length(max=500))

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Read an Entity's fields in position order."""
        if attr == "fields":
            return obj.ordered_fields()
        return super().get_attribute(obj, attr, default)


class EntityPatchSchema(Schema):
    caption = fields.String(validate=TEXT)
    enabled = fields.Boolean()


class LookupSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    caption = fields.String(validate=TEXT)
    rows = fields.Integer(dump_only=True, metadata={"description": "How many rows it holds."})

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Count a Lookup's rows."""
        if attr == "rows":
            return obj.rows.count()
        return super().get_attribute(obj, attr, default)


class LookupPatchSchema(Schema):
    caption = fields.String(required=True, validate=TEXT)


class RowSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(required=True, validate=TEXT)
    aliases = fields.List(fields.String(validate=TEXT), load_default=list,
                          validate=validate.Length(max=50))

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Read a LookupRow's id (its row_id, the id senders use)."""
        if attr == "id":
            return obj.row_id
        return super().get_attribute(obj, attr, default)


class RowPatchSchema(Schema):
    name = fields.String(validate=TEXT)
    aliases = fields.List(fields.String(validate=TEXT), validate=validate.Length(max=50))


class EntityListSchema(Schema):
    items = fields.List(fields.Nested(EntitySchema), required=True)


class LookupListSchema(Schema):
    items = fields.List(fields.Nested(LookupSchema), required=True)


class RowPageSchema(Schema):
    items = fields.List(fields.Nested(RowSchema), required=True)
    total = fields.Integer(required=True)


# webargs' query proxy answers `missing` for an absent key: read the arguments as a dict.

def _one_of(args: Mapping[str, Any], name: str, default: str, choices: list[str]) -> None:
    if dict(args).get(name, default) not in choices:
        raise ValidationFailed(f"{name} must be {' or '.join(repr(c) for c in choices)}.")


class RowQuerySchema(PagingSchema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(metadata={"description": "Only rows whose name contains this."})

    @pre_load
    def _bounded(self, args: Mapping[str, Any], **kwargs) -> Mapping[str, Any]:
        paging(dict(args))
        return args


class ImportQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    mode = fields.String(load_default="merge", validate=validate.OneOf(IMPORT_MODES),
                         metadata={"description": "replace also removes rows not imported."})

    @pre_load
    def _mode(self, args: Mapping[str, Any], **kwargs) -> Mapping[str, Any]:
        _one_of(args, "mode", "merge", IMPORT_MODES)
        return args


class ImportResultSchema(Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    removed = fields.Integer(required=True)


class ExportQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(load_default="json", validate=validate.OneOf(EXPORT_FORMATS))

    @pre_load
    def _format(self, args: Mapping[str, Any], **kwargs) -> Mapping[str, Any]:
        _one_of(args, "format", "json", EXPORT_FORMATS)
        return args
