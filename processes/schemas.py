"""Marshmallow schemas for records."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.http import ID, PagingSchema

CODE = validate.Regexp(r"^-?[A-Za-z][A-Za-z0-9_]{0,99}$", error="A field code, or created/updated.")


class RecordQuerySchema(PagingSchema):
    entity = fields.String(validate=validate.Length(min=1, max=100))
    webhook = fields.Integer(validate=ID)
    source = fields.Integer(validate=ID)
    q = fields.String(validate=validate.Length(min=1, max=200),
                      metadata={"description": "Text the record's data contains."})
    since = fields.DateTime(metadata={"description": "Created at or after (UTC)."})
    until = fields.DateTime(metadata={"description": "Created before (UTC)."})
    sort = fields.String(load_default="-created", validate=CODE,
                         metadata={"description": "created, updated or a field code of the entity; "
                                                  "a leading - sorts descending."})


class RecordOutSchema(Schema):
    id = fields.String(required=True)
    entity = fields.String(required=True)
    data = fields.Dict(required=True)
    webhook_id = fields.Integer(required=True, allow_none=True)
    source_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class RecordPageSchema(Schema):
    items = fields.List(fields.Nested(RecordOutSchema), required=True)
    total = fields.Integer(required=True)
