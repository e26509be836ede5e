"""The exception root and the one JSON error handler."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import marshmallow
from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

from core.outages import DATABASE, database_down

log = logging.getLogger(__name__)


class HookhubError(Exception):
    """Base of every error hookhub answers with; carries a stable reason key."""

    status = 400
    reason = "bad_request"
    retry_after = False  # answer with a Retry-After header (RETRY_AFTER_SECONDS)

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None,
                 reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        if reason:
            self.reason = reason


class ValidationFailed(HookhubError):
    """Input that does not fit its schema; errors name each path."""

    reason = "validation_failed"


class Unauthorized(HookhubError):
    status = 401
    reason = "unauthorized"


class Forbidden(HookhubError):
    status = 403
    reason = "forbidden"


class NotFound(HookhubError):
    status = 404
    reason = "not_found"


class Conflict(HookhubError):
    status = 409
    reason = "conflict"


class PayloadTooLarge(HookhubError):
    status = 413
    reason = "payload_too_large"


class UnsupportedMediaType(HookhubError):
    status = 415
    reason = "unsupported_media_type"


class Unprocessable(HookhubError):
    status = 422
    reason = "unprocessable"


class ServiceUnavailable(HookhubError):
    status = 503
    reason = "unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached or used right now; the client should try again."""

    reason = "database_unavailable"
    retry_after = True


def flatten_messages(messages: Any, path: str = "") -> list[dict[str, Any]]:
    """Turn marshmallow's nested message dict into a list of {field, message}."""
    if isinstance(messages, dict):
        out: list[dict[str, Any]] = []
        for key, value in messages.items():
            sub = f"{path}.{key}" if path else str(key)
            out.extend(flatten_messages(value, sub))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"field": path or "_schema", "message": m} for m in messages]
    if isinstance(messages, list):
        out = []
        for i, value in enumerate(messages):
            out.extend(flatten_messages(value, f"{path}.{i}" if path else str(i)))
        return out
    return [{"field": path or "_schema", "message": str(messages)}]


def error_body(status: int, reason: str, message: str, errors: list | None = None) -> dict:
    """Build the one JSON error shape."""
    return {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "reason": reason,
        "message": message,
        "errors": errors or [],
    }


def init_app(app: Flask) -> None:
    """Register the single JSON error handler for every error class."""

    @app.errorhandler(HookhubError)
    def _hookhub(err: HookhubError):
        response = jsonify(error_body(err.status, err.reason, err.message, err.errors))
        if err.retry_after:
            response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
        return response, err.status

    @app.errorhandler(marshmallow.ValidationError)
    def _schema(err: marshmallow.ValidationError):
        errors = flatten_messages(err.messages)
        first = errors[0] if errors else {"field": "_schema", "message": "Invalid input."}
        message = f"{first['field']}: {first['message']}"
        return jsonify(error_body(400, "validation_failed", message, errors)), 400

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        status = err.code or 500
        reason = (err.name or "error").lower().replace(" ", "_")
        response = jsonify(error_body(status, reason, err.description or err.name))
        allowed = getattr(err, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(sorted(allowed))
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if database_down(err):
            if DATABASE.failed(err):
                log.warning("answering 503 until the database is back")
            return _hookhub(DatabaseUnavailable("The database is unavailable; try again shortly."))
        log.exception("unhandled error")
        return jsonify(error_body(500, "internal_error", "Internal server error.")), 500
