"""Marshmallow schemas for sources and webhook queries."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from integrations.models import WebhookStatus

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
    source = fields.Integer()
    since = fields.DateTime()
    until = fields.DateTime()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    before = fields.Integer(validate=validate.Range(min=1))
