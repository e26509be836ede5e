"""Marshmallow schemas for the UI's user and API token forms."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.auth import Role

ROLE = validate.OneOf([r.value for r in Role])


class TokenSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=ROLE)


class UserSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=ROLE)
    password = fields.String(required=True, validate=validate.Length(max=1024))
