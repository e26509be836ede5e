"""Marshmallow schemas for entities, fields, lookups and rows."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import plugins as registry
from core.http import PagingSchema
from lookups.models import NetType

CODE = validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,99}$",
                       error="Must start with a letter and hold only letters, digits and _.")
TEXT = validate.Length(min=1, max=200)


def _registered_type(value: str) -> None:
    """The built-in net_types and those a plugin registered a coercer for."""
    validate.OneOf([*[t.value for t in NetType],
                    *sorted(set(registry.coercers()) - {t.value for t in NetType})])(value)


class FieldSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    caption = fields.String(validate=TEXT)
    net_type = fields.String(required=True, validate=_registered_type)
    required = fields.Boolean(load_default=False)
    lookup = fields.String(allow_none=True, load_default=None, validate=CODE)

    @validates_schema
    def _lookup_field_name(self, data: dict, **kwargs) -> None:
        if data.get("lookup") and not data.get("code", "").endswith("Id"):
            raise ValidationError("A lookup field's code must end with 'Id'.", "code")


class FieldPatchSchema(Schema):
    caption = fields.String(validate=TEXT)
    required = fields.Boolean()
    position = fields.Integer(validate=validate.Range(min=0, max=10_000))


class EntitySchema(Schema):
    code = fields.String(required=True, validate=CODE)
    caption = fields.String(validate=TEXT)
    enabled = fields.Boolean(load_default=True)
    fields = fields.List(fields.Nested(FieldSchema), load_default=list,
                         validate=validate.Length(max=500))


class EntityPatchSchema(Schema):
    caption = fields.String(validate=TEXT)
    enabled = fields.Boolean()


class LookupSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    caption = fields.String(validate=TEXT)


class LookupPatchSchema(Schema):
    caption = fields.String(required=True, validate=TEXT)


class RowSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(required=True, validate=TEXT)
    aliases = fields.List(fields.String(validate=TEXT), load_default=list,
                          validate=validate.Length(max=50))


class RowPatchSchema(Schema):
    name = fields.String(validate=TEXT)
    aliases = fields.List(fields.String(validate=TEXT), validate=validate.Length(max=50))


class FieldOutSchema(Schema):
    code = fields.String(required=True)
    caption = fields.String(required=True)
    net_type = fields.String(required=True, validate=validate.OneOf([t.value for t in NetType]))
    required = fields.Boolean(required=True)
    lookup = fields.String(required=True, allow_none=True)
    position = fields.Integer(required=True)


class EntityOutSchema(Schema):
    code = fields.String(required=True)
    caption = fields.String(required=True)
    formId = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    fields = fields.List(fields.Nested(FieldOutSchema), required=True)


class EntityListSchema(Schema):
    items = fields.List(fields.Nested(EntityOutSchema), required=True)


class LookupOutSchema(Schema):
    code = fields.String(required=True)
    caption = fields.String(required=True)
    rows = fields.Integer(required=True, metadata={"description": "How many rows it holds."})


class LookupListSchema(Schema):
    items = fields.List(fields.Nested(LookupOutSchema), required=True)


class RowOutSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    aliases = fields.List(fields.String(), required=True)


class RowPageSchema(Schema):
    items = fields.List(fields.Nested(RowOutSchema), required=True)
    total = fields.Integer(required=True)


class RowQuerySchema(PagingSchema):
    q = fields.String(metadata={"description": "Only rows whose name contains this."})


class ImportQuerySchema(Schema):
    mode = fields.String(load_default="merge", validate=validate.OneOf(["merge", "replace"]),
                         metadata={"description": "replace also removes rows not imported."})


class ImportResultSchema(Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    removed = fields.Integer(required=True)


class ExportQuerySchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
