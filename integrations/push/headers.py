"""Custom headers of push connections: {variable} templates and their checks on save."""

from __future__ import annotations

import functools
import re
import string
from typing import Any

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
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"Malformed template: {exc}; write {{{{ and }}}} for literal braces."
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion:
            return f"Variable {{{name}}} may not carry a format spec or conversion."
        if name not in VARIABLES and not RECORD_FIELD.match(name):
            return (f"Unknown variable {{{name}}}; use one of "
                    + ", ".join(f"{{{v}}}" for v in VARIABLES) + " or {record.<Field>}.")
    return None


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


@functools.lru_cache(maxsize=1024)
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(template))


def render(template: str, variables: dict[str, Any], record: dict[str, Any] | None) -> str:
    """Fill a saved template; unknown values become empty, control characters spaces."""
    out = []
    for literal, name in _parsed(template):
        out.append(literal)
        if name is None:
            continue
        if name.startswith("record."):
            value = (record or {}).get(name[len("record."):])
        else:
            value = variables.get(name)
        out.append("" if value is None else CONTROL_CHARS.sub(" ", str(value)))
    return "".join(out)[:MAX_VALUE]

