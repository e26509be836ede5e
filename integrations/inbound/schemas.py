"""Marshmallow schemas for sources and webhook queries."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core import masking
from core.http import ID, IssuedSchema, UtcDateTime
from integrations.inbound.models import Attachment, WebhookStatus

NAME = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$",
                       error="1-100 letters, digits, spaces, _ . or -, starting with a letter or digit.")


class SourceSchema(Schema):
    """A source; shown with its key's prefix, never the key."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=NAME)
    key_prefix = fields.String(dump_only=True, metadata={"description": "The key's first characters."})
    deferred = fields.Boolean(load_default=False)
    default_entity = fields.String(allow_none=True, load_default=None,
                                   validate=validate.Length(max=100))
    revoked = fields.Boolean(dump_only=True)
    created_at = UtcDateTime(dump_only=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """A Source is revoked once its key has a revoked_at."""
        if attr == "revoked":
            return obj.revoked_at is not None
        return super().get_attribute(obj, attr, default)


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


class SourceListSchema(Schema):
    items = fields.List(fields.Nested(SourceSchema), required=True)


class SourceKeySchema(IssuedSchema, SourceSchema):
    api_key = fields.String(dump_only=True, metadata={"description": "Shown only in this answer."})
    webhook_url = fields.String(dump_only=True)


class FieldErrorSchema(Schema):
    field = fields.String(required=True)
    value = fields.Raw(required=True, allow_none=True)
    message = fields.String(required=True)


class WebhookSchema(Schema):
    id = fields.Integer(required=True)
    source_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in WebhookStatus]))
    entity = fields.String(required=True, allow_none=True)
    received_at = UtcDateTime(required=True)
    content_type = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema), required=True)
    records = fields.List(fields.String(), required=True, attribute="record_ids")
    attempts = fields.Integer(required=True)
    process_version = fields.Integer(required=True, allow_none=True)


class AttachmentSchema(Schema):
    field = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class WebhookDetailSchema(WebhookSchema):
    """A webhook with what it carried: credentials in headers and query masked."""

    payload = fields.Dict(required=True)
    headers = fields.Dict(required=True)
    query = fields.Dict(required=True)
    client_addr = fields.String(required=True, allow_none=True)
    idempotency_key = fields.String(required=True, allow_none=True)
    body = fields.String(required=True)
    trace = fields.List(fields.Dict(), required=True)
    processed_at = UtcDateTime(required=True, allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Mask a Webhook's headers and query, decode its body, list its attachments."""
        if attr == "headers":
            return masking.headers(obj.headers or {})
        if attr == "query":
            return masking.query(obj.query or {})
        if attr == "body":
            return bytes(obj.body).decode("utf-8", "replace")
        if attr == "attachments":
            return Attachment.select(Attachment.field, Attachment.filename, Attachment.content_type,
                                     Attachment.size).where(Attachment.webhook == obj)
        return super().get_attribute(obj, attr, default)


class WebhookPageSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema), required=True)
    next_before = fields.Integer(required=True, allow_none=True,
                                 metadata={"description": "Pass as `before` for the next page."})


class WebhookOutcomeSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in WebhookStatus]))
    errors = fields.List(fields.Nested(FieldErrorSchema), required=True)
    records = fields.List(fields.String(), required=True, attribute="record_ids")


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
