"""Marshmallow schemas for records, process definitions, processes, dry runs and reprocessing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from core.http import ID, MAX_ID, PagingSchema, UtcDateTime
from integrations.inbound.models import WebhookStatus
from lookups.schemas import CODE
from processes.definition_format import CURRENT_FORMAT
from processes.models import FINISHED, ProcessVersion
from processes.steps.manual_mapping import TransformField
from rules.schemas import RuleSchema

NAME = validate.Length(min=1, max=100)
SORT = validate.Regexp(r"^-?[A-Za-z][A-Za-z0-9_]{0,99}$", error="A field code, or created/updated.")
# A process shows these of its active version, by the version's attribute.
ACTIVE = {"version": "number", "version_id": "id", "definition": "definition"}
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]


class StepSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    enabled = fields.Boolean(load_default=True)
    options = fields.Dict(keys=fields.String(), load_default=dict)


class OverrideSchema(Schema):
    source = fields.Integer(allow_none=True, load_default=None, validate=ID)
    entity = fields.String(allow_none=True, load_default=None, validate=CODE)
    step = fields.String(required=True, validate=NAME)
    enabled = fields.Boolean(allow_none=True, load_default=None)
    options = fields.Dict(keys=fields.String(), load_default=dict)

    @validates_schema
    def _scoped(self, data: dict, **kwargs) -> None:
        if data.get("source") is None and data.get("entity") is None:
            raise ValidationError("An override names a source, an entity or both.")


class MappingSchema(Schema):
    source = fields.Integer(allow_none=True, load_default=None, validate=ID)
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
    format = fields.Integer(load_default=CURRENT_FORMAT,
                            metadata={"description": "The definition's format; 1 when left out."})
    active = fields.Boolean(load_default=True)
    steps = fields.List(fields.Nested(StepSchema), required=True,
                        validate=validate.Length(min=1, max=50))
    overrides = fields.List(fields.Nested(OverrideSchema), load_default=list,
                            validate=validate.Length(max=200))
    mappings = fields.List(fields.Nested(MappingSchema), load_default=list,
                           validate=validate.Length(max=500))
    rules = fields.List(fields.Nested(RuleSchema), load_default=list)


class ProcessSchema(Schema):
    """A process; shown with its active version's number, id and definition."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=NAME)
    is_default = fields.Boolean(load_default=False)
    sources = fields.List(fields.Integer(validate=ID), load_default=list,
                          validate=validate.Length(max=1000))
    version = fields.Integer(dump_only=True, metadata={"description": "The active version."})
    version_id = fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    definition = fields.Dict(keys=fields.String())

    @pre_dump
    def _with_active_version(self, process: Any, **kwargs: Any) -> tuple[Any, ProcessVersion]:
        """Read the active version once per process shown."""
        return process, ProcessVersion.get_by_id(process.active_version)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Read a Process's version, version_id and definition from its active version."""
        process, active = obj
        if attr in ACTIVE:
            return getattr(active, ACTIVE[attr])
        return super().get_attribute(process, attr, default)


class BaseVersionSchema(Schema):
    base_version = fields.Integer(validate=ID, metadata={"description": (
        "The version number this edit was made from; when another edit has made a newer version "
        "active since, nothing is saved and the answer is 409 (reason stale_version). Optional: "
        "left out, the edit applies to whatever version is active.")})


def base_version(data: Mapping[str, Any]) -> int | None:
    """The optional base_version of a form, query or body: the version number an edit was made
    from (None when not sent)."""
    raw = data.get("base_version")
    return None if raw in (None, "") else BaseVersionSchema().load({"base_version": raw})[
        "base_version"]


def split_base_version(body: Any) -> tuple[Any, int | None]:
    """A JSON body without its base_version, and that version (None when not sent)."""
    if not isinstance(body, dict):
        return body, None
    return {k: v for k, v in body.items() if k != "base_version"}, base_version(body)


class DefinitionEditSchema(DefinitionSchema, BaseVersionSchema):
    """A definition as a new version, with the version it was made from."""


class RuleEditSchema(RuleSchema, BaseVersionSchema):
    """A rule as an edit of a process, with the version it was made from."""


class ProcessPatchSchema(BaseVersionSchema):
    name = fields.String(validate=NAME)
    is_default = fields.Boolean()
    sources = fields.List(fields.Integer(validate=ID), validate=validate.Length(max=1000))
    active = fields.Boolean()


class DryRunSchema(Schema):
    payload = fields.Dict(keys=fields.String(), required=True)
    source = fields.Integer(allow_none=True, load_default=None, validate=ID)
    content_type = fields.String(load_default="application/json",
                                 validate=validate.OneOf(CONTENT_TYPES))
    idempotency_key = fields.String(allow_none=True, load_default=None,
                                    validate=validate.Length(min=1, max=255))
    definition = fields.Dict(keys=fields.String())


class ReprocessSchema(Schema):
    status = fields.String(load_default=WebhookStatus.FAILED.value, validate=validate.OneOf(FINISHED))
    source = fields.Integer(validate=ID)
    since = fields.DateTime()
    until = fields.DateTime()
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class RecordQuerySchema(PagingSchema):
    entity = fields.String(validate=validate.Length(min=1, max=100))
    webhook = fields.Integer(validate=ID)
    source = fields.Integer(validate=ID)
    q = fields.String(validate=validate.Length(min=1, max=200),
                      metadata={"description": "Text the record's data contains."})
    since = fields.DateTime(metadata={"description": "Created at or after (UTC)."})
    until = fields.DateTime(metadata={"description": "Created before (UTC)."})
    sort = fields.String(load_default="-created", validate=SORT,
                         metadata={"description": "created, updated or a field code of the entity; "
                                                  "a leading - sorts descending."})


class RecordSchema(Schema):
    id = fields.String(required=True)
    entity = fields.String(required=True)
    data = fields.Dict(required=True)
    webhook_id = fields.Integer(required=True, allow_none=True)
    source_id = fields.Integer(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class RecordPageSchema(Schema):
    items = fields.List(fields.Nested(RecordSchema), required=True)
    total = fields.Integer(required=True)


class ProcessListSchema(Schema):
    items = fields.List(fields.Nested(ProcessSchema), required=True)


class VersionSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    process_id = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    based_on = fields.Integer(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    definition = fields.Dict(required=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """A ProcessVersion is active when its process runs it."""
        if attr == "active":
            return obj.id == obj.process.active_version
        return super().get_attribute(obj, attr, default)


class VersionListSchema(Schema):
    items = fields.List(fields.Nested(VersionSchema), required=True)


class DryRunRecordSchema(Schema):
    entity = fields.String(required=True)
    role = fields.String(required=True)
    action = fields.String(required=True)
    id = fields.String(required=True)
    data = fields.Dict(required=True)


class DryRunOutSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in WebhookStatus]))
    entity = fields.String(required=True, allow_none=True)
    process_id = fields.Integer(required=True, allow_none=True)
    version = fields.Integer(required=True, allow_none=True)
    trace = fields.List(fields.Dict(), required=True)
    errors = fields.List(fields.Dict(), required=True)
    records = fields.List(fields.Nested(DryRunRecordSchema), required=True)
    lookup_rows = fields.List(fields.Dict(), required=True)
    events = fields.List(fields.Dict(), required=True)


class ReprocessOutSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in WebhookStatus]))
    records = fields.List(fields.String(), required=True)
    diff = fields.Dict(required=True, metadata={"description": "status, version, errors and "
                                                               "records: what changed."})


class ReprocessPageOutSchema(Schema):
    matched = fields.Integer(required=True)
    items = fields.List(fields.Nested(ReprocessOutSchema), required=True)
    next_after = fields.Integer(required=True, allow_none=True,
                                metadata={"description": "Pass as `after` for the next page."})
