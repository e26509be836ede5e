"""The shape of a rule; its condition and actions are checked when the process compiles it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.http import ID, MAX_ID
from lookups.schemas import CODE

RULE_ID = validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$", error="1-40 letters, digits, _ or -.")


class RuleSchema(Schema):
    id = fields.String(validate=RULE_ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    enabled = fields.Boolean(load_default=True)
    source = fields.Integer(allow_none=True, load_default=None, validate=ID)
    entity = fields.String(allow_none=True, load_default=None, validate=CODE)
    when = fields.Raw(allow_none=True, load_default=None)
    actions = fields.List(fields.Dict(keys=fields.String()), required=True,
                          validate=validate.Length(min=1))


class RuleListSchema(Schema):
    items = fields.List(fields.Dict(), required=True)


class RulePositionSchema(Schema):
    position = fields.Integer(validate=validate.Range(min=0, max=MAX_ID),
                              metadata={"description": "Where to insert it; the end when left out."})


class VersionSavedSchema(Schema):
    version = fields.Integer(required=True, metadata={"description": "The new version number."})
    version_id = fields.Integer(required=True)


class RuleSavedSchema(VersionSavedSchema):
    rule = fields.Dict(required=True)


class RulesSavedSchema(VersionSavedSchema):
    items = fields.List(fields.Dict(), required=True)
