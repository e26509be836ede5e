"""Read an inbound webhook request: limits, content types, JSON and form parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from core import masking
from core.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType, ValidationFailed
from core.http import parse_json

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_KEY_LENGTH = 255


@dataclass
class Incoming:
    """A webhook request, read and checked, ready to store."""

    body: bytes
    content_type: str
    payload: dict[str, Any]
    headers: dict[str, str]
    query: dict[str, Any]
    client_addr: str | None
    idempotency_key: str | None
    attachments: list[dict[str, Any]] = field(default_factory=list)


def is_json(mimetype: str) -> bool:
    """application/json and any +json type."""
    return mimetype == "application/json" or mimetype.endswith("+json")


def multi_to_dict(multi) -> dict[str, Any]:
    """A MultiDict as a dict: a repeated key becomes a list."""
    return {k: v[0] if len(v) == 1 else v for k, v in multi.lists()}


def read(request: Request, config: dict[str, Any]) -> Incoming:
    """Read and check the body within the configured limits; raise a 4xx naming the fault."""
    limit = config["MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"Body is {request.content_length} bytes; the limit is {limit}.")
    mimetype = request.mimetype
    if not (is_json(mimetype) or mimetype in FORM_TYPES):
        raise UnsupportedMediaType(
            f"Content type '{mimetype or 'none'}' is not supported; send application/json, "
            "application/x-www-form-urlencoded or multipart/form-data.")
    request.max_content_length = limit
    request.max_form_parts = config["MAX_FORM_PARTS"]
    request.max_form_memory_size = config["MAX_FIELD_BYTES"]
    try:
        body = request.get_data(cache=True)
        payload, attachments = (_json(body) if is_json(mimetype) else _form(request))
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge(
            f"Body exceeds a limit: {limit} bytes in all, {config['MAX_FORM_PARTS']} form parts, "
            f"{config['MAX_FIELD_BYTES']} bytes per form field.") from exc
    key = request.headers.get("Idempotency-Key") or request.headers.get("webhook-id")
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise ValidationFailed(f"Idempotency-Key must be 1..{MAX_KEY_LENGTH} characters.",
                               reason="bad_idempotency_key")
    # Credentials are masked before they are stored: nothing downstream needs them (the hub
    # selection header and the idempotency key are not secret, and the key is read above).
    return Incoming(body=body, content_type=request.content_type or mimetype, payload=payload,
                    headers=masking.headers(request.headers),
                    query=masking.query(multi_to_dict(request.args)),
                    client_addr=request.remote_addr, idempotency_key=key, attachments=attachments)


def _json(body: bytes) -> tuple[dict[str, Any], list]:
    data = parse_json(body)
    if not isinstance(data, dict):
        raise Unprocessable(f"The JSON body must be an object, not {type(data).__name__}.",
                            reason="not_an_object")
    return data, []


def _form(request: Request) -> tuple[dict[str, Any], list]:
    attachments = []
    for name, storage in request.files.items(multi=True):
        data = storage.read()
        attachments.append({"field": name, "filename": storage.filename or name,
                            "content_type": storage.mimetype or "application/octet-stream",
                            "size": len(data), "data": data})
    return multi_to_dict(request.form), attachments
