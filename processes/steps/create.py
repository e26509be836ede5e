"""Step create record: place the main record and any related ones (the runner writes them)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from lookups.catalog import EntitySpec
from processes import records
from processes.context import Context
from processes.steps.coercers import is_blank

NEEDS_ENTITY = True
REQUIRED = "Missing data for required field."


class Options(Schema):
    on_update = fields.String(load_default="merge", validate=validate.OneOf(["merge", "replace"]))


def require(ctx: Context, entity: EntitySpec, data: dict[str, Any], prefix: str = "",
            exempt: tuple[str | None, ...] = ()) -> None:
    """Collect an error for each required field the record lacks or has only blanks for; its Id
    is given when placed."""
    failed = {e["field"] for e in ctx.errors}
    for spec in entity.fields:
        code = f"{prefix}{spec.code}"
        if spec.required and is_blank(data.get(spec.code)) and spec.code not in ("Id", *exempt) \
                and code not in failed:
            ctx.error(code, None, REQUIRED)


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Queue the main record, then the related ones linked to it, each placed as new or updated."""
    require(ctx, ctx.entity, ctx.values)
    if ctx.errors:
        ctx.records = []
        return {"records": [], "reason": f"{len(ctx.errors)} field error(s)"}
    main = {"entity": ctx.entity.code, "data": dict(ctx.values), "role": "main",
            "upsert": list(ctx.upsert)}
    ctx.records = [main, *ctx.records]
    previous = list(ctx.previous)
    placed = []
    for item in ctx.records:
        if item.get("link"):
            item["data"][item["link"]] = main["data"]["Id"]
        item["on_update"] = options["on_update"]
        try:
            item.update(records.place(item, previous))
        except ValueError as exc:
            ctx.error("Id", item["data"].get("Id"), str(exc))
            ctx.records = []
            return {"records": placed, "reason": str(exc)}
        placed.append({"entity": item["entity"], "role": item["role"], "action": item["action"],
                       "id": item["data"]["Id"],
                       **{k: item[k] for k in ("matched_on", "not_upserted") if k in item}})
    return {"records": placed}
