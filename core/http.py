"""Request helpers shared by every API blueprint: JSON bodies, schemas, paging."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from flask import Flask, current_app, request
from marshmallow import Schema, fields, validate
from werkzeug.routing import IntegerConverter

from core import strict_json
from core.errors import UnsupportedMediaType, ValidationFailed

MAX_PAGE = 500
# The largest integer both databases take as a parameter; a larger id cannot exist.
MAX_ID = 2**63 - 1
ID = validate.Range(min=1, max=MAX_ID)


class IdConverter(IntegerConverter):
    """<int:...> in URLs, up to MAX_ID: a larger number matches no route (404), not a 500."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Bound every <int:...> URL argument and refuse NUL characters in URLs."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _no_nul_in_url() -> None:
        reject_nul(request.path, "_path")
        reject_nul(request.args.to_dict(flat=False), "_query")


def malformed_chunks(exc: Exception) -> ValidationFailed:
    """The 400 for a chunked body whose framing gunicorn could not read."""
    return ValidationFailed(f"Malformed chunked body: {exc}.", reason="malformed_body")


def reject_nul(value: Any, path: str = "_body") -> None:
    """Refuse text holding NUL characters (PostgreSQL cannot store them), naming where it is."""
    if isinstance(value, str):
        if "\x00" in value:
            message = "Text must not contain NUL (\\u0000) characters."
            raise ValidationFailed(f"{path}: {message}", [{"field": path, "message": message}])
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_nul(key, path)
            reject_nul(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            reject_nul(item, f"{path}.{i}")


def parse_json(body: bytes, max_depth: int | None = None) -> Any:
    """Decode JSON strictly (core.strict_json) or raise a 400 that names the line, column and
    offset of the fault; nesting is bounded by MAX_JSON_DEPTH unless max_depth is given."""
    if max_depth is None:
        max_depth = current_app.config["MAX_JSON_DEPTH"]
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
        return strict_json.loads(text, max_depth)
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"Body is not valid UTF-8 at byte {exc.start}.",
                               reason="malformed_json") from exc
    except json.JSONDecodeError as exc:
        reason = getattr(exc, "reason", "malformed_json")
        where = f"line {exc.lineno} column {exc.colno} (char {exc.pos})"
        summary = (f"Malformed JSON at {where}: {exc.msg}." if reason == "malformed_json"
                   else f"{exc.msg} at {where}.")
        raise ValidationFailed(summary, [{"field": "_body", "message": exc.msg, "line": exc.lineno,
                                          "column": exc.colno, "position": exc.pos}],
                               reason=reason) from exc


def json_body() -> Any:
    """The request's JSON body; 415 for another content type."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(
            f"Content type '{request.mimetype or 'none'}' is not supported; send application/json.")
    return parse_json(request.get_data())


def json_object() -> dict:
    """The request's body as a JSON object free of NUL characters; 415 for another content type."""
    data = json_body()
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", reason="not_an_object")
    reject_nul(data)
    return data


def paging(args: Mapping[str, Any]) -> tuple[int, int]:
    """limit and offset from query arguments, bounded."""
    try:
        limit = int(args.get("limit", 50))
        offset = int(args.get("offset", 0))
    except ValueError as exc:
        raise ValidationFailed("limit and offset must be integers.") from exc
    if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= MAX_ID:
        raise ValidationFailed(f"limit must be 1..{MAX_PAGE} and offset 0..{MAX_ID}.")
    return limit, offset


class PagingSchema(Schema):
    """limit and offset query arguments."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))


class UtcDateTime(fields.DateTime):
    """A naive UTC datetime (as the database keeps it), shown in ISO 8601 with a Z."""

    def __init__(self, *, timespec: str = "auto", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timespec = timespec

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs) -> str | None:
        return None if value is None else value.isoformat(timespec=self.timespec) + "Z"


class Issued(NamedTuple):
    """A resource with the secrets just given to it, which only this answer shows."""

    resource: Any
    secrets: dict[str, str]


class IssuedSchema(Schema):
    """Put first among the bases of a resource's schema that adds its secrets: dumps an Issued."""

    def get_attribute(self, obj: Issued, attr: str, default: Any) -> Any:
        """Read the secrets from the Issued pair, the rest from its resource."""
        if attr in obj.secrets:
            return obj.secrets[attr]
        return super().get_attribute(obj.resource, attr, default)
