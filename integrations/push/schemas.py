"""Marshmallow schemas for push connections, hubs and the delivery log."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import egress
from core.http import ID
from integrations.hubs.service import CREDENTIALS_NOTE, NAME_PATTERN, NAME_RULE
from integrations.inbound.schemas import NAME
from integrations.push import events, headers, pings, targets
from integrations.push.connections import MAX_OVERLAP_SECONDS, AuthType

NO_BREAKS = validate.Regexp(r"^[^\r\n\x00]*$", error="May not contain CR, LF or NUL.")
CREDENTIAL = validate.And(validate.Length(min=1, max=200), NO_BREAKS)
USERNAME = validate.And(CREDENTIAL, validate.Regexp(r"^[^:]*$", error="May not contain ':'."))


def check_url(value: str) -> None:
    """A URL hookhub could call (its addresses are checked again on every call)."""
    try:
        egress.check_url(value)
    except egress.EgressRefused as exc:
        raise ValidationError(exc.message) from exc


def check_event_type(value: str) -> None:
    problem = events.type_problem(value)
    if problem:
        raise ValidationError(f"Event type {problem}.")


def check_condition(value: str) -> None:
    problem = targets.condition_problem(value)
    if problem:
        raise ValidationError(f"Condition {problem}.")


def _unique(values: list) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("Values must not repeat.")


class HeaderSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=headers.MAX_NAME))
    value = fields.String(required=True)


class AuthSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf([a.value for a in AuthType]))
    username = fields.String(validate=USERNAME)
    password = fields.String(validate=CREDENTIAL)
    token = fields.String(validate=validate.And(validate.Length(min=1, max=2000), NO_BREAKS))

    @validates_schema
    def _complete(self, data: dict[str, Any], **kwargs: Any) -> None:
        needed = {AuthType.NONE: set(), AuthType.BASIC: {"username", "password"},
                  AuthType.BEARER: {"token"}}[AuthType(data["type"])]
        given = set(data) - {"type"}
        errors = {name: [f"Required for {data['type']} auth."] for name in needed - given}
        errors.update({name: [f"Not used by {data['type']} auth."] for name in given - needed})
        if errors:
            raise ValidationError(errors)


class ConnectionSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    url = fields.String(required=True, validate=check_url)
    version = fields.String(load_default="1", validate=validate.Regexp(
        r"^[A-Za-z0-9._-]{1,20}$", error="1-20 letters, digits, '.', '_' or '-'."))
    event_types = fields.List(fields.String(validate=check_event_type), required=True,
                              validate=validate.And(validate.Length(min=1, max=50), _unique))
    entities = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                           load_default=list, validate=validate.And(validate.Length(max=50), _unique))
    sources = fields.List(fields.Integer(strict=True, validate=ID), load_default=list,
                          validate=validate.And(validate.Length(max=100), _unique))
    condition = fields.String(allow_none=True, load_default=None, validate=check_condition)
    headers = fields.List(fields.Nested(HeaderSchema), load_default=list)
    auth = fields.Nested(AuthSchema, load_default=lambda: {"type": AuthType.NONE.value})
    attach_files = fields.Boolean(load_default=False)

    @validates_schema(skip_on_field_errors=False)
    def _headers(self, data: dict[str, Any], **kwargs: Any) -> None:
        found = headers.problems(data.get("headers") or [])
        if found:
            messages: dict[str, Any] = {}
            for problem in found:
                node = messages
                *path, leaf = problem["field"].split(".")
                for part in path:
                    node = node.setdefault(int(part) if part.isdigit() else part, {})
                node.setdefault(leaf, []).append(problem["message"])
            raise ValidationError(messages)


class RotateSchema(Schema):
    overlap_seconds = fields.Integer(load_default=24 * 3600,
                                     validate=validate.Range(min=0, max=MAX_OVERLAP_SECONDS))


class TestUrlSchema(Schema):
    url = fields.String(required=True, validate=check_url)


class LogQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(["succeeded", "failed"]))
    event_type = fields.String(validate=validate.Length(max=100))
    since = fields.DateTime()
    until = fields.DateTime()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    before = fields.Integer(validate=ID)


class HubSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(
        NAME_PATTERN, error=NAME_RULE), metadata={
            "description": "What a webhook names to send its events only to this hub: "
                           '"hubs": {"events": "<name>"} in its body, or the X-Hookhub-Hub '
                           "header. " + NAME_RULE})
    description = fields.String(load_default="", validate=validate.Length(max=500))


class DestinationSchema(Schema):
    url = fields.String(required=True, validate=check_url)
    username = fields.String(validate=USERNAME)
    password = fields.String(validate=CREDENTIAL)


class AuthOutSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf([a.value for a in AuthType]))
    username = fields.String()


class ConnectionOutSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True)
    version = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    disabled_reason = fields.String(required=True, allow_none=True)
    event_types = fields.List(fields.String(), required=True)
    entities = fields.List(fields.String(), required=True)
    sources = fields.List(fields.Integer(), required=True)
    condition = fields.String(required=True, allow_none=True)
    headers = fields.List(fields.Nested(HeaderSchema), required=True)
    auth = fields.Nested(AuthOutSchema, required=True)
    attach_files = fields.Boolean(required=True)
    secret_hint = fields.String(required=True, metadata={"description": "The signing secret's start."})
    previous_secret_expires_at = fields.DateTime(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class ConnectionListSchema(Schema):
    items = fields.List(fields.Nested(ConnectionOutSchema), required=True)


class ConnectionSecretSchema(ConnectionOutSchema):
    secret = fields.String(required=True, metadata={"description": "Shown only in this answer."})


class PingTargetSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in pings.PingKind]))
    id = fields.Integer(metadata={"description": "The connection's or destination's id."})
    hub_id = fields.Integer()
    event_type = fields.String()
    url = fields.String(metadata={"description": "For a bare URL."})


class PingTestSchema(Schema):
    id = fields.String(required=True, metadata={"description": "The test's id."})
    status = fields.String(required=True, validate=validate.OneOf(
        [s.value for s in pings.TestStatus]), metadata={
            "description": "pending until a worker has sent the ping; done (code, latency, "
                           "error of the ping) or failed (no outcome: reason and error say why)."})
    target = fields.Nested(PingTargetSchema, required=True)
    created_at = fields.DateTime(required=True)
    code = fields.Integer(required=True, allow_none=True,
                          metadata={"description": "0 when no connection was made."})
    latency_ms = fields.Float(required=True, allow_none=True)
    error = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True,
                           validate=validate.OneOf(["no_worker", "test_failed"]))
    delivery_id = fields.Integer(metadata={"description": "The logged attempt's delivery."})
    webhook_id = fields.String(metadata={"description": "For a bare URL: the ping's webhook-id."})
    secret = fields.String(metadata={"description": "For a bare URL: the throwaway signing secret."})


class AttemptRequestSchema(Schema):
    headers = fields.Dict(required=True)
    body = fields.String(required=True, allow_none=True)


class AttemptResponseSchema(Schema):
    code = fields.Integer(required=True)
    headers = fields.Dict(required=True, allow_none=True)
    body = fields.String(required=True, allow_none=True)


class AttemptOutSchema(Schema):
    id = fields.Integer(required=True)
    delivery_id = fields.Integer(required=True)
    delivery_status = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    attempt = fields.Integer(required=True)
    timestamp = fields.DateTime(required=True)
    url = fields.String(required=True)
    request = fields.Nested(AttemptRequestSchema, required=True)
    response = fields.Nested(AttemptResponseSchema, required=True)
    error = fields.String(required=True, allow_none=True)
    duration_ms = fields.Float(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["succeeded", "failed"]))


class AttemptPageSchema(Schema):
    items = fields.List(fields.Nested(AttemptOutSchema), required=True)
    next_before = fields.Integer(required=True, allow_none=True)


class RetryQueuedSchema(Schema):
    connection_id = fields.Integer(required=True)
    queued = fields.Integer(required=True)


class DeliveryQueuedSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)


class DestinationOutSchema(Schema):
    id = fields.Integer(required=True)
    event_type = fields.String(required=True)
    url = fields.String(required=True)
    username = fields.String(required=True, allow_none=True)
    has_password = fields.Boolean(required=True)
    enabled = fields.Boolean(required=True)
    disabled_reason = fields.String(required=True, allow_none=True)


class HubOutSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    client_id = fields.String(required=True, metadata={"description": CREDENTIALS_NOTE})
    api_key_prefix = fields.String(required=True, metadata={"description": CREDENTIALS_NOTE})
    credentials_used = fields.Boolean(required=True, metadata={
        "description": "Whether hookhub checks the client id and API key: false for now."})
    credentials_note = fields.String(required=True)
    secret_hint = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    destinations = fields.List(fields.Nested(DestinationOutSchema), required=True)


class HubListSchema(Schema):
    items = fields.List(fields.Nested(HubOutSchema), required=True)


class HubCredentialsSchema(HubOutSchema):
    api_key = fields.String(required=True, metadata={"description": "Shown only in this answer."})


class HubCreatedSchema(HubCredentialsSchema):
    signing_secret = fields.String(required=True, metadata={"description": "Shown only in this answer."})
