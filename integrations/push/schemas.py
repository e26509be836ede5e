"""Marshmallow schemas for push connections, hubs and the delivery log."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import egress, masking
from core.db import utcnow
from core.http import ID, IssuedSchema, UtcDateTime
from integrations.hubs.service import CREDENTIALS_NOTE, NAME_PATTERN, NAME_RULE, HubDestination
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
    password = fields.String(load_only=True, validate=CREDENTIAL)
    token = fields.String(load_only=True,
                          validate=validate.And(validate.Length(min=1, max=2000), NO_BREAKS))

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
    """A push connection; shown with its headers masked and its secrets' first characters only."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=NAME)
    url = fields.String(required=True, validate=check_url)
    version = fields.String(load_default="1", validate=validate.Regexp(
        r"^[A-Za-z0-9._-]{1,20}$", error="1-20 letters, digits, '.', '_' or '-'."))
    enabled = fields.Boolean(dump_only=True)
    disabled_reason = fields.String(dump_only=True, allow_none=True)
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
    secret_hint = fields.String(dump_only=True,
                                metadata={"description": "The signing secret's start."})
    previous_secret_expires_at = UtcDateTime(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Mask a PushConnection's headers and secret hint; its auth without secrets."""
        if attr == "headers":
            return masking.header_list(obj.headers)
        if attr == "auth":
            shown = {"type": obj.auth_type}
            if obj.auth_type == AuthType.BASIC:
                shown["username"] = obj.auth_username
            return shown
        if attr == "secret_hint":
            return masking.hint(obj.secret_hint)
        if attr == "previous_secret_expires_at":
            expires = obj.previous_secret_expires_at
            return expires if expires and expires > utcnow() else None
        return super().get_attribute(obj, attr, default)

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


class DestinationSchema(Schema):
    """Where a hub sends one event type; shown without its password."""

    id = fields.Integer(dump_only=True)
    event_type = fields.String(dump_only=True)
    url = fields.String(required=True, validate=check_url)
    username = fields.String(validate=USERNAME, metadata={"nullable": True})
    password = fields.String(load_only=True, validate=CREDENTIAL)
    has_password = fields.Boolean(dump_only=True)
    enabled = fields.Boolean(dump_only=True)
    disabled_reason = fields.String(dump_only=True, allow_none=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """A HubDestination has a password when one is stored."""
        if attr == "has_password":
            return obj.password is not None
        return super().get_attribute(obj, attr, default)


class HubSchema(Schema):
    """A hub with its destinations; shown without its API key and signing secret."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Regexp(
        NAME_PATTERN, error=NAME_RULE), metadata={
            "description": "What a webhook names to send its events only to this hub: "
                           '"hubs": {"events": "<name>"} in its body, or the X-Hookhub-Hub '
                           "header. " + NAME_RULE})
    description = fields.String(load_default="", validate=validate.Length(max=500))
    client_id = fields.String(dump_only=True, metadata={"description": CREDENTIALS_NOTE})
    api_key_prefix = fields.String(dump_only=True, metadata={"description": CREDENTIALS_NOTE})
    credentials_used = fields.Boolean(dump_only=True, metadata={
        "description": "Whether hookhub checks the client id and API key: false for now."})
    credentials_note = fields.String(dump_only=True)
    secret_hint = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    destinations = fields.List(fields.Nested(DestinationSchema), dump_only=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Mask a Hub's key prefix and secret hint; list its destinations by event type."""
        if attr == "api_key_prefix":
            return masking.hint(obj.key_prefix)
        if attr == "secret_hint":
            return masking.hint(obj.secret_hint)
        if attr == "credentials_used":
            return False
        if attr == "credentials_note":
            return CREDENTIALS_NOTE
        if attr == "destinations":
            return obj.destinations.order_by(HubDestination.event_type)
        return super().get_attribute(obj, attr, default)


class ConnectionListSchema(Schema):
    items = fields.List(fields.Nested(ConnectionSchema), required=True)


class ConnectionSecretSchema(IssuedSchema, ConnectionSchema):
    secret = fields.String(dump_only=True, metadata={"description": "Shown only in this answer."})


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


class AttemptSchema(Schema):
    """One attempt of a delivery, as the delivery log keeps it."""

    id = fields.Integer(required=True)
    delivery_id = fields.Integer(required=True)
    delivery_status = fields.String(required=True, attribute="delivery.status")
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    attempt = fields.Integer(required=True)
    timestamp = UtcDateTime(required=True, attribute="created_at", timespec="milliseconds")
    url = fields.String(required=True)
    request = fields.Nested(AttemptRequestSchema, required=True)
    response = fields.Nested(AttemptResponseSchema, required=True)
    error = fields.String(required=True, allow_none=True)
    duration_ms = fields.Float(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["succeeded", "failed"]))

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Group a DeliveryAttempt's request and response; name its outcome."""
        if attr == "request":
            return {"headers": obj.request_headers, "body": obj.request_body}
        if attr == "response":
            return {"code": obj.response_code, "headers": obj.response_headers,
                    "body": obj.response_body}
        if attr == "status":
            return "succeeded" if obj.succeeded else "failed"
        return super().get_attribute(obj, attr, default)


class AttemptPageSchema(Schema):
    items = fields.List(fields.Nested(AttemptSchema), required=True)
    next_before = fields.Integer(required=True, allow_none=True)


class RetryQueuedSchema(Schema):
    connection_id = fields.Integer(required=True)
    queued = fields.Integer(required=True)


class DeliveryQueuedSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)


class HubListSchema(Schema):
    items = fields.List(fields.Nested(HubSchema), required=True)


class HubCredentialsSchema(IssuedSchema, HubSchema):
    api_key = fields.String(dump_only=True, metadata={"description": "Shown only in this answer."})


class HubCreatedSchema(HubCredentialsSchema):
    signing_secret = fields.String(dump_only=True,
                                   metadata={"description": "Shown only in this answer."})
