"""Marshmallow schemas for entities, fields, lookups and rows."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lookups.models import NetType

CODE = validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,99}$",
                       error="Must start with a letter and hold only letters, digits and _.")
TEXT = validate.Length(min=1, max=200)


def _registered_type(value: str) -> None:
    """The built-in net_types and those a plugin registered a coercer for."""
    from processes import registry

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
