"""Custom headers of push connections: {variable} templates and their checks on save."""

from __future__ import annotations

import re
from typing import Any

from core import templates
from core.templates import Refusal, TemplateError

MAX_HEADERS = 20
MAX_NAME = 100
MAX_VALUE = 1000
TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
FORBIDDEN_CHARS = re.compile(r"[\r\n\x00]")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
RECORD_FIELD = re.compile(r"^record\.[A-Za-z_][A-Za-z0-9_]{0,99}$")
RESERVED = frozenset({
    "host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
    "te", "trailer", "upgrade", "expect", "proxy-authorization", "authorization", "user-agent",
    "webhook-id", "webhook-timestamp", "webhook-signature", "accept-encoding"})
VARIABLES = ("event.id", "event.type", "event.timestamp", "webhook.id", "source.id",
             "source.name", "hub.name", "connection.name", "connection.version", "user.name")


def template_problem(template: str) -> str | None:
    """Why a header value template is refused, or None."""
    if FORBIDDEN_CHARS.search(template):
        return "Header values may not contain CR, LF or NUL."
    if len(template) > MAX_VALUE:
        return f"Header values are at most {MAX_VALUE} characters."
    try:
        templates.parse(template, _known)
    except TemplateError as exc:
        if exc.refusal is Refusal.MALFORMED:
            return f"Malformed template: {exc}; write {{{{ and }}}} for literal braces."
        if exc.refusal is Refusal.FORMATTED:
            return f"Variable {{{exc.name}}} may not carry a format spec or conversion."
        return (f"Unknown variable {{{exc.name}}}; use one of "
                + ", ".join(f"{{{v}}}" for v in VARIABLES) + " or {record.<Field>}.")
    return None


def _known(name: str) -> bool:
    return name in VARIABLES or RECORD_FIELD.match(name) is not None


def problems(headers: list[dict[str, str]]) -> list[dict[str, str]]:
    """Every problem of a list of {name, value} headers, each naming its path."""
    if len(headers) > MAX_HEADERS:
        return [{"field": "headers", "message": f"At most {MAX_HEADERS} headers."}]
    found, seen = [], set()
    for i, header in enumerate(headers):
        name, value = header.get("name"), header.get("value")
        if name is None or value is None:
            continue  # the header's own schema has named what it lacks
        if not TOKEN.match(name) or len(name) > MAX_NAME:
            found.append({"field": f"headers.{i}.name",
                          "message": f"'{name[:MAX_NAME]}' is not a valid header name."})
        elif name.lower() in RESERVED:
            found.append({"field": f"headers.{i}.name",
                          "message": f"Header '{name}' is set by hookhub and cannot be overridden."})
        elif name.lower() in seen:
            found.append({"field": f"headers.{i}.name", "message": f"Header '{name}' is repeated."})
        seen.add(name.lower())
        problem = template_problem(value)
        if problem:
            found.append({"field": f"headers.{i}.value", "message": problem})
    return found


def render(template: str, variables: dict[str, Any], record: dict[str, Any] | None) -> str:
    """Fill a saved template; unknown values become empty, control characters spaces."""
    return templates.parse(template).render(variables, record or {}, _header_text)[:MAX_VALUE]


def _header_text(value: Any) -> str:
    return "" if value is None else CONTROL_CHARS.sub(" ", str(value))

