"""Marshmallow schemas for sources and webhook queries."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.http import ID
from integrations.inbound.models import WebhookStatus

NAME = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$",
                       error="1-100 letters, digits, spaces, _ . or -, starting with a letter or digit.")


class SourceSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    deferred = fields.Boolean(load_default=False)
    default_entity = fields.String(allow_none=True, load_default=None,
                                   validate=validate.Length(max=100))


class SourcePatchSchema(Schema):
    name = fields.String(validate=NAME)
    deferred = fields.Boolean()
    default_entity = fields.String(allow_none=True, validate=validate.Length(max=100))


class WebhookQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in WebhookStatus]))
    source = fields.Integer(validate=ID)
    since = fields.DateTime()
    until = fields.DateTime()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    before = fields.Integer(validate=ID)


class SourceOutSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    key_prefix = fields.String(required=True, metadata={"description": "The key's first characters."})
    deferred = fields.Boolean(required=True)
    default_entity = fields.String(required=True, allow_none=True)
    revoked = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class SourceListSchema(Schema):
    items = fields.List(fields.Nested(SourceOutSchema), required=True)


class SourceKeySchema(SourceOutSchema):
    api_key = fields.String(required=True, metadata={"description": "Shown only in this answer."})
    webhook_url = fields.String(required=True)


class FieldErrorSchema(Schema):
    field = fields.String(required=True)
    value = fields.Raw(required=True, allow_none=True)
    message = fields.String(required=True)


class WebhookOutSchema(Schema):
    id = fields.Integer(required=True)
    source_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in WebhookStatus]))
    entity = fields.String(required=True, allow_none=True)
    received_at = fields.DateTime(required=True)
    content_type = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema), required=True)
    records = fields.List(fields.String(), required=True)
    attempts = fields.Integer(required=True)
    process_version = fields.Integer(required=True, allow_none=True)


class AttachmentOutSchema(Schema):
    field = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class WebhookDetailSchema(WebhookOutSchema):
    payload = fields.Dict(required=True)
    headers = fields.Dict(required=True)
    query = fields.Dict(required=True)
    client_addr = fields.String(required=True, allow_none=True)
    idempotency_key = fields.String(required=True, allow_none=True)
    body = fields.String(required=True)
    trace = fields.List(fields.Dict(), required=True)
    processed_at = fields.DateTime(required=True, allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentOutSchema), required=True)


class WebhookPageSchema(Schema):
    items = fields.List(fields.Nested(WebhookOutSchema), required=True)
    next_before = fields.Integer(required=True, allow_none=True,
                                 metadata={"description": "Pass as `before` for the next page."})


class WebhookOutcomeSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in WebhookStatus]))
    errors = fields.List(fields.Nested(FieldErrorSchema), required=True)
    records = fields.List(fields.String(), required=True)


class WebhookAcceptedSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in WebhookStatus]))


class CreatioKeySchema(Schema):
    apiKey = fields.String()


class CreatioEntitySchema(Schema):
    name = fields.String(required=True)
    caption = fields.String(required=True)
    formId = fields.String(required=True)


class CreatioEntitiesSchema(Schema):
    entities = fields.List(fields.Nested(CreatioEntitySchema), required=True)


class CreatioFieldSchema(Schema):
    required = fields.Boolean(required=True)
    name = fields.String(required=True)
    net_type = fields.String(required=True)
    caption = fields.String(required=True)


class CreatioEntityModelSchema(Schema):
    name = fields.String(required=True)
    fields = fields.List(fields.Nested(CreatioFieldSchema), required=True)


class CreatioDescriptionValueSchema(Schema):
    entityModel = fields.Nested(CreatioEntityModelSchema, required=True)
    isSuccess = fields.Boolean(required=True)
    status = fields.String(required=True)
    code = fields.Integer(required=True)


class CreatioDescriptionSchema(Schema):
    value = fields.Nested(CreatioDescriptionValueSchema, required=True)
    statusCode = fields.Integer(required=True)


class CreatioFailureValueSchema(Schema):
    isSuccess = fields.Boolean(required=True)
    status = fields.String(required=True)
    code = fields.Integer(required=True)
    message = fields.String(required=True)


class CreatioFailureSchema(Schema):
    value = fields.Nested(CreatioFailureValueSchema, required=True)
    statusCode = fields.Integer(required=True)
