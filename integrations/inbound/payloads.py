"""Read an inbound webhook request: limits, content types, JSON and form parsing."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from flask import Request
from gunicorn.http.errors import ParseException
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from core import masking
from core.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType, ValidationFailed
from core.http import malformed_chunks, parse_json, reject_nul
from integrations.inbound.models import Attachment

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_KEY_LENGTH = 255
# How a NUL can be written in a body (raw, percent-encoded, a JSON escape): a payload whose body
# has none of these holds none, so only such bodies are searched for it field by field.
NUL_MARKS = (b"\x00", b"%00", b"\\u0000")
# The attachment table's text columns and their sizes.
ATTACHMENT_TEXT = {name: getattr(Attachment, name).max_length
                   for name in ("field", "filename", "content_type")}


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
    body = _body(request, limit)
    try:
        payload, attachments = (_json(body, config) if is_json(mimetype) else
                                _form(body, mimetype, request.mimetype_params, config))
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge(
            f"Body exceeds a limit: {limit} bytes in all, {config['MAX_FORM_PARTS']} form parts, "
            f"{config['MAX_FIELD_BYTES']} bytes per form field.") from exc
    if any(mark in body for mark in NUL_MARKS):
        reject_nul(payload)
    key = request.headers.get("Idempotency-Key") or request.headers.get("webhook-id")
    if key is not None and (not 0 < len(key) <= MAX_KEY_LENGTH or "\x00" in key):
        raise ValidationFailed(f"Idempotency-Key must be 1..{MAX_KEY_LENGTH} characters, none "
                               "of them NUL.", reason="bad_idempotency_key")
    reject_nul(request.content_type, "_headers.Content-Type")
    # Credentials are masked before they are stored: nothing downstream needs them (the hub
    # selection header and the idempotency key are not secret, and the key is read above).
    return Incoming(body=body, content_type=request.content_type or mimetype, payload=payload,
                    headers=masking.headers(request.headers),
                    query=masking.query(multi_to_dict(request.args)),
                    client_addr=request.remote_addr, idempotency_key=key, attachments=attachments)


def _body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 when it is over the limit, whatever its framing."""
    # Without Content-Length (chunked), werkzeug's stream ends quietly at max_content_length;
    # reading one byte more tells a body over the limit from one exactly at it.
    request.max_content_length = limit + 1
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge(f"Body is over {limit} bytes; the limit is {limit}.") from exc
    except ParseException as exc:
        # gunicorn de-chunks the body as it is read, so a malformed chunk surfaces here.
        raise malformed_chunks(exc) from exc
    if len(body) > limit:
        raise PayloadTooLarge(f"Body is over {limit} bytes; the limit is {limit}.")
    return body


def _json(body: bytes, config: dict[str, Any]) -> tuple[dict[str, Any], list]:
    data = parse_json(body, config["MAX_JSON_DEPTH"])
    if not isinstance(data, dict):
        raise Unprocessable(f"The JSON body must be an object, not {type(data).__name__}.",
                            reason="not_an_object")
    return data, []


def _form(body: bytes, mimetype: str, options: dict[str, str], config: dict[str, Any]
          ) -> tuple[dict[str, Any], list]:
    if not body:
        return {}, []
    if mimetype == "application/x-www-form-urlencoded":
        _check_urlencoded(body, config)
    # Parsed from the bytes read, with their real length: werkzeug checks form limits against
    # Content-Length, which a chunked body lacks.
    parser = FormDataParser(max_form_memory_size=config["MAX_FIELD_BYTES"],
                            max_form_parts=config["MAX_FORM_PARTS"], cls=MultiDict, silent=False)
    try:
        _, form, files = parser.parse(io.BytesIO(body), mimetype, len(body), options)
    except ValueError as exc:
        raise ValidationFailed(f"Malformed form body: {exc}.", reason="malformed_form") from exc
    attachments = []
    for name, storage in files.items(multi=True):
        data = storage.read()
        attachments.append({"field": name, "filename": storage.filename or name,
                            "content_type": storage.mimetype or "application/octet-stream",
                            "size": len(data), "data": data})
    _check_attachments(attachments)
    return multi_to_dict(form), attachments


def _check_urlencoded(body: bytes, config: dict[str, Any]) -> None:
    """Apply the form limits that werkzeug leaves to the caller for urlencoded bodies."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"Body is not valid UTF-8 at byte {exc.start}.",
                               reason="malformed_form") from exc
    parts = body.split(b"&", config["MAX_FORM_PARTS"])
    if len(parts) > config["MAX_FORM_PARTS"] or max(map(len, parts)) > config["MAX_FIELD_BYTES"]:
        raise RequestEntityTooLarge()


def _check_attachments(attachments: list[dict[str, Any]]) -> None:
    """Refuse file part names the attachment table cannot hold (NUL, over its column sizes)."""
    for i, attachment in enumerate(attachments):
        reject_nul({k: attachment[k] for k in ATTACHMENT_TEXT}, f"_files.{i}")
        for key, most in ATTACHMENT_TEXT.items():
            if len(attachment[key]) > most:
                raise ValidationFailed(
                    f"File part {i}: its {key} is longer than {most} characters.",
                    [{"field": f"_files.{i}.{key}", "message": f"Longer than {most} characters."}],
                    reason="bad_attachment")
