"""Step parse: the stored payload to a flat parameter map."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from processes.context import Context


class Options(Schema):
    separator = fields.String(load_default=".", validate=validate.Length(min=1, max=3))


def flatten(value: dict[str, Any], separator: str, prefix: str = "") -> dict[str, Any]:
    """Nested objects become keys joined by the separator; lists and scalars stay as they are."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{separator}{key}" if prefix else str(key)
        if isinstance(item, dict):
            out.update(flatten(item, separator, name))
        else:
            out[name] = item
    return out


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Flatten the payload into ctx.params."""
    ctx.params = flatten(ctx.payload, options["separator"])
    return {"params": len(ctx.params), "attachments": [a["filename"] for a in ctx.attachments]}
