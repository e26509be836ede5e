"""Step map: choose the entity from EntityName and map parameters to its fields by code."""

from __future__ import annotations

from typing import Any

from lookups import catalog
from processes.context import Context

OPTIONS: dict[str, Any] = {"entity_param": "EntityName"}


def run(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Set ctx.entity and ctx.values; unmatched parameters are listed as ignored."""
    param = options["entity_param"]
    name = ctx.params.get(param)
    chosen_by = "parameter"
    if name in (None, "") and ctx.default_entity:
        name, chosen_by = ctx.default_entity, "source default"
    if name in (None, ""):
        ctx.halt(f"{param} is missing.")
        return {"entity": None, "reason": ctx.halted}
    if not isinstance(name, str):
        ctx.halt(f"{param} must be a string.")
        return {"entity": None, "reason": ctx.halted}
    entity = catalog.entity(name)
    if entity is None or not entity.enabled:
        ctx.halt(f"{param} '{name}' is not in the webhook entities lookup.")
        return {"entity": None, "reason": ctx.halted}
    ctx.entity = entity
    mapped, ignored = {}, []
    for key, value in ctx.params.items():
        if key == param:
            continue
        if entity.field(key) is not None:
            mapped[key] = key
            ctx.values[key] = value
        else:
            ignored.append(key)
    return {"entity": entity.code, "chosen_by": chosen_by, "mapped": mapped, "ignored": ignored}
