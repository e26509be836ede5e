"""Marshmallow schemas for push connections, hubs and the delivery log."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import egress
from integrations import events, headers, subscribers
from integrations.connections import MAX_OVERLAP_SECONDS, AuthType
from integrations.hubs import NAME_PATTERN
from integrations.schemas import NAME

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
    problem = subscribers.condition_problem(value)
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
    sources = fields.List(fields.Integer(strict=True), load_default=list,
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
    before = fields.Integer(validate=validate.Range(min=1))


class HubSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(
        NAME_PATTERN, error="1-64 lower-case letters and underscores."))
    description = fields.String(load_default="", validate=validate.Length(max=500))


class DestinationSchema(Schema):
    url = fields.String(required=True, validate=check_url)
    username = fields.String(validate=USERNAME)
    password = fields.String(validate=CREDENTIAL)
