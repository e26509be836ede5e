"""Marshmallow schemas for process definitions, processes, dry runs and reprocessing."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from integrations.models import WebhookStatus
from lookups.schemas import CODE
from processes.manual_mapping import TransformField
from processes.models import FINISHED
from rules.schemas import RuleSchema

NAME = validate.Length(min=1, max=100)
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]


class StepSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    enabled = fields.Boolean(load_default=True)
    options = fields.Dict(keys=fields.String(), load_default=dict)


class OverrideSchema(Schema):
    source = fields.Integer(allow_none=True, load_default=None)
    entity = fields.String(allow_none=True, load_default=None, validate=CODE)
    step = fields.String(required=True, validate=NAME)
    enabled = fields.Boolean(allow_none=True, load_default=None)
    options = fields.Dict(keys=fields.String(), load_default=dict)

    @validates_schema
    def _scoped(self, data: dict, **kwargs) -> None:
        if data.get("source") is None and data.get("entity") is None:
            raise ValidationError("An override names a source, an entity or both.")


class MappingSchema(Schema):
    source = fields.Integer(allow_none=True, load_default=None)
    entity = fields.String(allow_none=True, load_default=None, validate=CODE)
    origin = fields.String(data_key="from", attribute="from", validate=validate.Length(min=1))
    to = fields.String(required=True, validate=CODE)
    transform = fields.List(TransformField(), load_default=list, validate=validate.Length(max=10))

    @validates_schema
    def _has_origin(self, data: dict, **kwargs) -> None:
        constant = any(isinstance(t, dict) and "constant" in t for t in data.get("transform", []))
        if "from" not in data and not constant:
            raise ValidationError("A mapping needs 'from' (a parameter or a JSONPath) unless a "
                                  "constant transform gives its value.", "from")


class DefinitionSchema(Schema):
    active = fields.Boolean(load_default=True)
    steps = fields.List(fields.Nested(StepSchema), required=True,
                        validate=validate.Length(min=1, max=50))
    overrides = fields.List(fields.Nested(OverrideSchema), load_default=list,
                            validate=validate.Length(max=200))
    mappings = fields.List(fields.Nested(MappingSchema), load_default=list,
                           validate=validate.Length(max=500))
    rules = fields.List(fields.Nested(RuleSchema), load_default=list)


class ProcessSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    is_default = fields.Boolean(load_default=False)
    sources = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=1000))
    definition = fields.Dict(keys=fields.String())


class ProcessPatchSchema(Schema):
    name = fields.String(validate=NAME)
    is_default = fields.Boolean()
    sources = fields.List(fields.Integer(), validate=validate.Length(max=1000))
    active = fields.Boolean()


class DryRunSchema(Schema):
    payload = fields.Dict(keys=fields.String(), required=True)
    source = fields.Integer(allow_none=True, load_default=None)
    content_type = fields.String(load_default="application/json",
                                 validate=validate.OneOf(CONTENT_TYPES))
    idempotency_key = fields.String(allow_none=True, load_default=None,
                                    validate=validate.Length(min=1, max=255))
    definition = fields.Dict(keys=fields.String())


class ReprocessSchema(Schema):
    status = fields.String(load_default=WebhookStatus.FAILED.value, validate=validate.OneOf(FINISHED))
    source = fields.Integer()
    since = fields.DateTime()
    until = fields.DateTime()
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
