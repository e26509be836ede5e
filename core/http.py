"""Request helpers shared by every API blueprint: JSON bodies, schemas, paging."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from marshmallow import Schema

from core.errors import UnsupportedMediaType, ValidationFailed

MAX_PAGE = 500


def parse_json(body: bytes) -> Any:
    """Decode JSON or raise a 400 that names the line, column and offset of the fault."""
    try:
        return json.loads(body)
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"Body is not valid UTF-8 at byte {exc.start}.",
                               reason="malformed_json") from exc
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"Malformed JSON at line {exc.lineno} column {exc.colno} (char {exc.pos}): {exc.msg}.",
            [{"field": "_body", "message": exc.msg, "line": exc.lineno, "column": exc.colno,
              "position": exc.pos}],
            reason="malformed_json") from exc


def json_body() -> Any:
    """The request's JSON body; 415 for another content type."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(
            f"Content type '{request.mimetype or 'none'}' is not supported; send application/json.")
    return parse_json(request.get_data())


def load(schema: Schema) -> dict:
    """Validate the JSON object body against a schema (unknown keys rejected)."""
    data = json_body()
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", reason="not_an_object")
    return schema.load(data)


def paging() -> tuple[int, int]:
    """limit and offset from the query string, bounded."""
    try:
        limit = int(request.args.get("limit", 50))
        offset = int(request.args.get("offset", 0))
    except ValueError as exc:
        raise ValidationFailed("limit and offset must be integers.") from exc
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise ValidationFailed(f"limit must be 1..{MAX_PAGE} and offset at least 0.")
    return limit, offset
